package hazard

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/jobs"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// step runs one command on a hazard p may see, in one transaction, with
// the hazard's pack version.
func (s *Service) step(ctx context.Context, p *auth.Principal, id store.ID,
	fn func(tx store.Conn, h *Hazard, pack *policy.Pack, now time.Time) error) error {
	now := s.now()
	return s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		h, err := s.load(ctx, tx, p, id)
		if err != nil {
			return err
		}
		pack, ok := s.packs.Version(h.Pack, h.PackVersion)
		if !ok {
			return apperr.Conflict("pack", i18n.T("隐患的政策包版本已不存在", "the hazard's pack version no longer exists"))
		}
		return fn(tx, h, pack, now)
	})
}

// notNow refuses a step the hazard's status does not allow.
func notNow(h *Hazard, field string) error {
	return apperr.Conflict(field, i18n.T("隐患当前状态（%[1]s）不能办理此步骤", "a hazard in status %[1]s cannot take this step", string(h.Status)))
}

// mayEnforce refuses a caller outside the pack's enforcement roles
// (INS-016: a manager-level decision).
func mayEnforce(p *auth.Principal, pack *policy.Pack) error {
	if pack.Hazards.MayEnforce(p.Roles) {
		return nil
	}
	names := make([]string, len(pack.Hazards.EnforcementRoles))
	for i, r := range pack.Hazards.EnforcementRoles {
		names[i] = r.Label().ZH
	}
	return apperr.Forbidden(i18n.T("报告政府、停电和恢复供电由%[1]s决定（INS-016）", "escalation, disconnection and restoration are decided by %[2]s (INS-016)",
		strings.Join(names, "、"), fmt.Sprint(pack.Hazards.EnforcementRoles)))
}

// FollowUpInput is one line of the tracking record (INS-013).
type FollowUpInput struct {
	Method string     `json:"method"` // on_site, phone
	Found  string     `json:"found"`  // what was found
	DoneAt *time.Time `json:"done_at"`
	// NextOn is the next follow-up, YYYY-MM-DD; default and latest: the
	// follow-up interval from this one.
	NextOn string `json:"next_on"`
}

// FollowUp records a follow-up of the rectification and sets the next one
// (INS-013).
func (s *Service) FollowUp(ctx context.Context, p *auth.Principal, id store.ID, in FollowUpInput) (*Detail, error) {
	if !p.Can(auth.PermInspectionsWrite) {
		return nil, apperr.Forbidden(i18n.T("无权办理隐患", "you may not act on hazards"))
	}
	in.Found = strings.TrimSpace(in.Found)
	err := s.step(ctx, p, id, func(tx store.Conn, h *Hazard, pack *policy.Pack, now time.Time) error {
		if !slices.Contains(nextSteps(h), StepFollowUp) {
			return notNow(h, "follow_up")
		}
		if in.Method != MethodOnSite && in.Method != MethodPhone {
			return apperr.Validation("method", i18n.T("须为 on_site（现场）或 phone（电话）", "must be on_site or phone"))
		}
		if in.Found == "" {
			return apperr.Required("found")
		}
		if err := maxText("found", in.Found); err != nil {
			return err
		}
		done := now
		if in.DoneAt != nil {
			done = *in.DoneAt
		}
		if done.After(now) || done.Before(h.FoundAt) {
			return apperr.Validation("done_at", i18n.T("追踪时间须在发现之后、现在之前", "must be between the finding and now"))
		}
		cal := s.calendarOf(pack)
		latest, err := cal.Deadline(done, pack.Hazards.FollowUpInterval) // INS-013
		if err != nil {
			return err
		}
		next := latest.At
		if in.NextOn != "" {
			day, err := calendar.ParseDate(in.NextOn)
			if err != nil || !day.After(calendar.DateOf(done.In(cal.Location()))) {
				return apperr.Validation("next_on", i18n.T("须为本次追踪以后的日期（YYYY-MM-DD）", "must be a date after this follow-up (YYYY-MM-DD)"))
			}
			if next = cal.EndOfDay(day); next.After(latest.At) {
				return apperr.Validation("next_on", i18n.T("下次追踪不能晚于 %[1]s（每 %[2]s 追踪一次，INS-013）",
					"the next follow-up is due by %[1]s (every %[2]s, INS-013)", latest.At.In(store.Zone).Format("2006-01-02 15:04"),
					pack.Hazards.FollowUpInterval.String()))
			}
		}
		fid, err := tx.InsertID(ctx, `INSERT INTO hazard_follow_ups (hazard_id, method, done_at, found, next_due_at, recorded_by,
			created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, h.ID, in.Method, store.Micros(done), in.Found,
			store.Micros(next), userOf(p), store.Micros(now))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE hazards SET follow_up_due_at = ?, updated_at = ? WHERE id = ?",
			store.Micros(next), store.Micros(now), h.ID); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, h.ID, EventFollowUp, h.Status, done, p, in.Found, fid); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "hazard.follow_up", "hazard", h.ID.String(), map[string]any{"method": in.Method})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}

// EscalateInput reports the case to the authorities (INS-016).
type EscalateInput struct {
	Reason  string        `json:"reason"`
	Filings []FilingInput `json:"filings"` // to whom and when; at least one
}

// Escalate reports the case to the authorities (INS-016): an enforcement
// role's decision, with the filing with each body.
func (s *Service) Escalate(ctx context.Context, p *auth.Principal, id store.ID, in EscalateInput) (*Detail, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	err := s.step(ctx, p, id, func(tx store.Conn, h *Hazard, pack *policy.Pack, now time.Time) error {
		if err := mayEnforce(p, pack); err != nil {
			return err
		}
		if !slices.Contains(nextSteps(h), StepEscalate) {
			return notNow(h, "escalate")
		}
		if in.Reason == "" {
			return apperr.Required("reason")
		}
		if len(in.Filings) == 0 {
			return apperr.Validation("filings", i18n.T("请登记报告的机构与日期（INS-016）", "record to whom and when it was reported (INS-016)"))
		}
		if err := maxText("reason", in.Reason); err != nil {
			return err
		}
		first := h.EscalatedAt == nil
		h.Status = StatusEscalated
		if _, err := tx.Exec(ctx, `UPDATE hazards SET status = ?, escalated_at = CASE WHEN escalated_at = 0 THEN ? ELSE escalated_at END,
			updated_at = ? WHERE id = ?`, string(StatusEscalated), store.Micros(now), store.Micros(now), h.ID); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, h.ID, EventEscalated, StatusEscalated, now, p, in.Reason, 0); err != nil {
			return err
		}
		for i, f := range in.Filings {
			if err := s.file(ctx, tx, p, h, pack, 0, "escalation", f, now, fmt.Sprintf("filings[%d].", i)); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, now, "hazard.escalate", "hazard", h.ID.String(), map[string]any{"first": first})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}

// DisconnectInput orders the disconnection or records that supply was
// disconnected (INS-016).
type DisconnectInput struct {
	Stage string `json:"stage"` // ordered, done
	// Basis: the supply-contract clause or the authority's decision (ordered);
	// who disconnected and how (done).
	Basis string `json:"basis"`
}

// Disconnect orders the disconnection for rectification (an enforcement
// role) or records that it was carried out (the order's executors, with
// inspections:write, or an enforcement role).
func (s *Service) Disconnect(ctx context.Context, p *auth.Principal, id store.ID, in DisconnectInput) (*Detail, error) {
	in.Basis = strings.TrimSpace(in.Basis)
	err := s.step(ctx, p, id, func(tx store.Conn, h *Hazard, pack *policy.Pack, now time.Time) error {
		var status Status
		var column, kind string
		switch in.Stage {
		case StageOrdered:
			if err := mayEnforce(p, pack); err != nil {
				return err
			}
			if !slices.Contains(nextSteps(h), StepDisconnect) {
				return notNow(h, "stage")
			}
			status, column, kind = StatusDisconnectionOrdered, "disconnect_ordered_at", EventDisconnectOrd
		case StageDone:
			if !p.Can(auth.PermInspectionsWrite) && mayEnforce(p, pack) != nil {
				return apperr.Forbidden(i18n.T("无权办理隐患", "you may not act on hazards"))
			}
			if h.Status != StatusDisconnectionOrdered {
				return apperr.Conflict("stage", i18n.T("须先下达停电指令（INS-016）", "the disconnection must be ordered first (INS-016)"))
			}
			status, column, kind = StatusDisconnected, "disconnected_at", EventDisconnected
		default:
			return apperr.Validation("stage", i18n.T("须为 ordered（下达停电指令）或 done（已停电）", "must be ordered or done"))
		}
		if in.Basis == "" {
			return apperr.Required("basis")
		}
		if err := maxText("basis", in.Basis); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE hazards SET status = ?, "+column+" = ?, updated_at = ? WHERE id = ?",
			string(status), store.Micros(now), store.Micros(now), h.ID); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, h.ID, kind, status, now, p, in.Basis, 0); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "hazard.disconnect", "hazard", h.ID.String(), map[string]any{"stage": in.Stage})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}

// VerifyInput is the verification record of the rectification (INS-016).
type VerifyInput struct {
	Verifier string     `json:"verifier"` // who verified
	Method   string     `json:"method"`   // how: on-site check, test report …
	Result   string     `json:"result"`   // what was found rectified
	At       *time.Time `json:"at"`       // default now
}

// Verify records that the rectification was verified: the clocks stop,
// the deadline timer is cancelled, and supply may be restored.
func (s *Service) Verify(ctx context.Context, p *auth.Principal, id store.ID, in VerifyInput) (*Detail, error) {
	if !p.Can(auth.PermInspectionsWrite) {
		return nil, apperr.Forbidden(i18n.T("无权办理隐患", "you may not act on hazards"))
	}
	in.Verifier, in.Method, in.Result = strings.TrimSpace(in.Verifier), strings.TrimSpace(in.Method), strings.TrimSpace(in.Result)
	err := s.step(ctx, p, id, func(tx store.Conn, h *Hazard, pack *policy.Pack, now time.Time) error {
		if !slices.Contains(nextSteps(h), StepVerify) {
			return notNow(h, "verify")
		}
		for _, f := range []struct{ field, v string }{{"verifier", in.Verifier}, {"method", in.Method}, {"result", in.Result}} {
			if f.v == "" {
				return apperr.Required(f.field)
			}
		}
		if err := maxText("verifier", in.Verifier, "method", in.Method, "result", in.Result); err != nil {
			return err
		}
		at := now
		if in.At != nil {
			at = *in.At
		}
		if at.After(now) || at.Before(h.FoundAt) {
			return apperr.Validation("at", i18n.T("验收时间须在发现之后、现在之前", "must be between the finding and now"))
		}
		vid, err := tx.InsertID(ctx, `INSERT INTO hazard_verifications (hazard_id, verified_at, verifier, method, result,
			recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, h.ID, store.Micros(at), in.Verifier, in.Method,
			in.Result, userOf(p), store.Micros(now))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE hazards SET status = ?, verified_at = ?, updated_at = ? WHERE id = ?",
			string(StatusVerified), store.Micros(at), store.Micros(now), h.ID); err != nil {
			return err
		}
		if err := jobs.Cancel(ctx, tx, TimerDeadline, h.ID); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, h.ID, EventVerified, StatusVerified, at, p, in.Verifier+" · "+in.Method, vid); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "hazard.verify", "hazard", h.ID.String(), nil)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}

// NoteInput carries the note of a restoration or a closure.
type NoteInput struct {
	Note string `json:"note"`
}

// Restore restores supply (INS-016): an enforcement role's decision, refused
// until a verification record exists.
func (s *Service) Restore(ctx context.Context, p *auth.Principal, id store.ID, in NoteInput) (*Detail, error) {
	in.Note = strings.TrimSpace(in.Note)
	err := s.step(ctx, p, id, func(tx store.Conn, h *Hazard, pack *policy.Pack, now time.Time) error {
		if err := mayEnforce(p, pack); err != nil {
			return err
		}
		if h.DisconnectedAt == nil || h.RestoredAt != nil {
			return apperr.Conflict("restore", i18n.T("隐患未停电，无需恢复供电", "supply was not disconnected"))
		}
		if h.VerifiedAt == nil {
			return apperr.Conflict("verification", i18n.T("整改验收记录之前不能恢复供电（INS-016）",
				"supply is restored only after the rectification is verified (INS-016)"))
		}
		if err := maxText("note", in.Note); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE hazards SET status = ?, restored_at = ?, updated_at = ? WHERE id = ?",
			string(StatusRestored), store.Micros(now), store.Micros(now), h.ID); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, h.ID, EventRestored, StatusRestored, now, p, in.Note, 0); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "hazard.restore", "hazard", h.ID.String(), nil)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}

// Close closes a verified hazard; a disconnected one once supply is restored.
func (s *Service) Close(ctx context.Context, p *auth.Principal, id store.ID, in NoteInput) (*Detail, error) {
	if !p.Can(auth.PermInspectionsWrite) {
		return nil, apperr.Forbidden(i18n.T("无权办理隐患", "you may not act on hazards"))
	}
	in.Note = strings.TrimSpace(in.Note)
	err := s.step(ctx, p, id, func(tx store.Conn, h *Hazard, pack *policy.Pack, now time.Time) error {
		switch {
		case h.Status == StatusClosed:
			return notNow(h, "close")
		case h.VerifiedAt == nil:
			return apperr.Conflict("verification", i18n.T("整改验收之后才能销号", "a hazard is closed after its rectification is verified"))
		case h.DisconnectedAt != nil && h.RestoredAt == nil:
			return apperr.Conflict("restore", i18n.T("请先恢复供电", "restore supply first"))
		}
		if err := maxText("note", in.Note); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE hazards SET status = ?, closed_at = ?, updated_at = ? WHERE id = ?",
			string(StatusClosed), store.Micros(now), store.Micros(now), h.ID); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, h.ID, EventClosed, StatusClosed, now, p, in.Note, 0); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "hazard.close", "hazard", h.ID.String(), nil)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}
