package hazard

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/jobs"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// NoticeInput issues a rectification notice (INS-013) or, for a serious
// hazard at an important customer, the deadline notice (INS-015).
type NoticeInput struct {
	// Kind: rectification (gas), opinion (power) or deadline; default the
	// pack's — deadline when INS-015 asks for it.
	Kind     string `json:"kind"`
	Risk     string `json:"risk"`     // the risk explained to the customer
	Measures string `json:"measures"` // what must be done
	// DeadlineOn is the rectification deadline, YYYY-MM-DD: after today; it
	// ends at the end of that day on the pack calendar.
	DeadlineOn string `json:"deadline_on"`
	// Signature, when the customer signed (or refused) on the spot.
	Signature *SignInput `json:"signature"`
	// Filings of a deadline notice with the authorities (INS-015); more
	// may be added later.
	Filings []FilingInput `json:"filings"`
}

// SignInput is the customer's signature of the latest notice, or the
// refusal with a witness (INS-013).
type SignInput struct {
	Refused bool   `json:"refused"`
	Signer  string `json:"signer"`  // who signed for the customer
	Witness string `json:"witness"` // who witnessed a refusal
	// At: when signed or refused; default now, not before the notice.
	At *time.Time `json:"at"`
}

// FilingInput records a notice filed with, or a case reported to, an
// authority of the pack's bodies.
type FilingInput struct {
	Body      string `json:"body"`
	FiledOn   string `json:"filed_on"` // YYYY-MM-DD, not in the future
	Reference string `json:"reference"`
}

// IssueNotice issues a notice with its deadline (INS-013, INS-015); the
// deadline's timer escalates the case when it passes unverified (INS-016).
func (s *Service) IssueNotice(ctx context.Context, p *auth.Principal, id store.ID, in NoticeInput) (*Detail, error) {
	if !p.Can(auth.PermInspectionsWrite) {
		return nil, apperr.Forbidden(i18n.T("无权办理隐患", "you may not act on hazards"))
	}
	in.Risk, in.Measures = strings.TrimSpace(in.Risk), strings.TrimSpace(in.Measures)
	err := s.step(ctx, p, id, func(tx store.Conn, h *Hazard, pack *policy.Pack, now time.Time) error {
		if !slices.Contains(nextSteps(h), StepNotice) {
			return notNow(h, "notice")
		}
		rules := &pack.Hazards
		needsDeadline := rules.NeedsDeadlineNotice(h.Severity, h.Important)
		switch {
		case in.Kind == "" && needsDeadline:
			in.Kind = policy.NoticeDeadline
		case in.Kind == "":
			in.Kind = rules.Notice
		case !slices.Contains(policy.NoticeKinds, in.Kind):
			return apperr.Validation("kind", i18n.T("须为 rectification、opinion 或 deadline", "must be rectification, opinion or deadline"))
		case needsDeadline && in.Kind != policy.NoticeDeadline:
			return apperr.Validation("kind", i18n.T("重要客户的重大隐患须下达限期整改告知书（INS-015）",
				"a serious hazard at an important customer gets the deadline notice (INS-015)"))
		}
		if in.Risk == "" {
			return apperr.Validation("risk", i18n.T("请说明隐患的危险性（INS-013）", "explain the risk (INS-013)"))
		}
		if err := maxText("risk", in.Risk, "measures", in.Measures); err != nil {
			return err
		}
		cal := s.calendarOf(pack)
		today := calendar.DateOf(now.In(cal.Location()))
		day, err := calendar.ParseDate(in.DeadlineOn)
		if in.DeadlineOn == "" {
			return apperr.Required("deadline_on")
		}
		if err != nil || !day.After(today) {
			return apperr.Validation("deadline_on", i18n.T("整改期限须为今天以后的日期（YYYY-MM-DD）", "must be a date after today (YYYY-MM-DD)"))
		}
		if in.Kind != policy.NoticeDeadline && len(in.Filings) > 0 {
			return apperr.Validation("filings", i18n.T("只有限期整改告知书需要备案（INS-015）", "only deadline notices are filed (INS-015)"))
		}
		deadlineAt := cal.EndOfDay(day)
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM hazard_notices WHERE hazard_id = ?", h.ID).Scan(&n); err != nil {
			return err
		}
		number := fmt.Sprintf("%s-%d", h.Number, n+1)
		noticeID, err := tx.InsertID(ctx, `INSERT INTO hazard_notices (hazard_id, number, kind, risk, measures, deadline_on,
			deadline_at, issued_at, issued_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, h.ID, number, in.Kind, in.Risk,
			in.Measures, day.String(), store.Micros(deadlineAt), store.Micros(now), userOf(p))
		if err != nil {
			return err
		}
		// A new notice waits for its signature: no follow-up clock until then.
		if _, err := tx.Exec(ctx, `UPDATE hazards SET status = ?, deadline_on = ?, deadline_at = ?, follow_up_due_at = 0,
			updated_at = ? WHERE id = ?`, string(StatusNotified), day.String(), store.Micros(deadlineAt), store.Micros(now), h.ID); err != nil {
			return err
		}
		h.Status = StatusNotified
		if err := addEvent(ctx, tx, h.ID, EventNotice, StatusNotified, now, p, number+" · "+in.DeadlineOn, noticeID); err != nil {
			return err
		}
		if err := jobs.Schedule(ctx, tx, TimerDeadline, h.ID, deadlineAt); err != nil {
			return err
		}
		for i, f := range in.Filings {
			if err := s.file(ctx, tx, p, h, pack, noticeID, "notice", f, now, fmt.Sprintf("filings[%d].", i)); err != nil {
				return err
			}
		}
		if in.Signature != nil {
			if err := s.sign(ctx, tx, p, h, pack, noticeID, now, *in.Signature, "signature."); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, now, "hazard.notice", "hazard", h.ID.String(),
			map[string]any{"notice": number, "kind": in.Kind, "deadline_on": in.DeadlineOn})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}

// Sign records the customer's signature of the latest notice, or the
// refusal with its witness, which flags the case for the INS-016 review.
// The follow-up clock starts then (INS-013).
func (s *Service) Sign(ctx context.Context, p *auth.Principal, id store.ID, in SignInput) (*Detail, error) {
	if !p.Can(auth.PermInspectionsWrite) {
		return nil, apperr.Forbidden(i18n.T("无权办理隐患", "you may not act on hazards"))
	}
	err := s.step(ctx, p, id, func(tx store.Conn, h *Hazard, pack *policy.Pack, now time.Time) error {
		if h.Status != StatusNotified {
			return notNow(h, "signature")
		}
		var notice store.ID
		if err := tx.QueryRow(ctx, "SELECT max(id) FROM hazard_notices WHERE hazard_id = ?", h.ID).Scan(&notice); err != nil {
			return err
		}
		if err := s.sign(ctx, tx, p, h, pack, notice, now, in, ""); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "hazard.sign", "hazard", h.ID.String(), map[string]any{"refused": in.Refused})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}

// sign stores the signature of notice; prefix names the fields of a
// signature inside a notice.
func (s *Service) sign(ctx context.Context, tx store.Conn, p *auth.Principal, h *Hazard, pack *policy.Pack, notice store.ID,
	now time.Time, in SignInput, prefix string) error {
	in.Signer, in.Witness = strings.TrimSpace(in.Signer), strings.TrimSpace(in.Witness)
	if in.Refused && in.Witness == "" {
		return apperr.Validation(prefix+"witness", i18n.T("客户拒签须有见证人（INS-013）", "a refusal needs a witness (INS-013)"))
	}
	if !in.Refused && in.Signer == "" {
		return apperr.Validation(prefix+"signer", i18n.T("请填写签收人", "name who signed for the customer"))
	}
	if err := maxText(prefix+"signer", in.Signer, prefix+"witness", in.Witness); err != nil {
		return err
	}
	at := now
	if in.At != nil {
		at = *in.At
	}
	var issued int64
	if err := tx.QueryRow(ctx, "SELECT issued_at FROM hazard_notices WHERE id = ?", notice).Scan(&issued); err != nil {
		return err
	}
	if at.After(now) || at.Before(store.FromMicros(issued)) {
		return apperr.Validation(prefix+"at", i18n.T("签收时间须在通知书下达之后、现在之前", "must be between the notice and now"))
	}
	if _, err := tx.Exec(ctx, `INSERT INTO hazard_signatures (notice_id, refused, signer, witness, at, recorded_by)
		VALUES (?, ?, ?, ?, ?, ?)`, notice, in.Refused, in.Signer, in.Witness, store.Micros(at), userOf(p)); err != nil {
		return err
	}
	due, err := s.calendarOf(pack).Deadline(at, pack.Hazards.FollowUpInterval) // INS-013
	if err != nil {
		return err
	}
	status, kind, note := StatusRectifying, EventSigned, in.Signer
	if in.Refused {
		status, kind, note = StatusRefusedToSign, EventRefused, in.Witness
	}
	if _, err := tx.Exec(ctx, `UPDATE hazards SET status = ?, review = ?, follow_up_due_at = ?, updated_at = ? WHERE id = ?`,
		string(status), in.Refused || h.Review, store.Micros(due.At), store.Micros(now), h.ID); err != nil {
		return err
	}
	h.Status = status
	return addEvent(ctx, tx, h.ID, kind, status, at, p, note, notice)
}

// AddFilings records the filing of the latest deadline notice with the
// authorities (INS-015).
func (s *Service) AddFilings(ctx context.Context, p *auth.Principal, id store.ID, in []FilingInput) (*Detail, error) {
	if !p.Can(auth.PermInspectionsWrite) {
		return nil, apperr.Forbidden(i18n.T("无权办理隐患", "you may not act on hazards"))
	}
	err := s.step(ctx, p, id, func(tx store.Conn, h *Hazard, pack *policy.Pack, now time.Time) error {
		var notice store.NullID
		if err := tx.QueryRow(ctx, "SELECT max(id) FROM hazard_notices WHERE hazard_id = ? AND kind = ?", h.ID,
			policy.NoticeDeadline).Scan(&notice); err != nil {
			return err
		}
		if !notice.Valid {
			return apperr.Conflict("notice", i18n.T("尚未下达限期整改告知书（INS-015）", "no deadline notice was issued (INS-015)"))
		}
		if len(in) == 0 {
			return apperr.Required("filings")
		}
		for i, f := range in {
			if err := s.file(ctx, tx, p, h, pack, notice.ID, "notice", f, now, fmt.Sprintf("filings[%d].", i)); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, now, "hazard.file", "hazard", h.ID.String(), map[string]any{"filings": len(in)})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}

// file stores one filing with a body of the pack.
func (s *Service) file(ctx context.Context, tx store.Conn, p *auth.Principal, h *Hazard, pack *policy.Pack, notice store.ID,
	purpose string, f FilingInput, now time.Time, prefix string) error {
	body, ok := pack.Hazards.Body(f.Body)
	allowed := pack.Hazards.FilingBodies
	if purpose == "escalation" {
		allowed = pack.Hazards.EscalationBodies
	}
	if !ok || !slices.Contains(allowed, f.Body) {
		return apperr.Validation(prefix+"body", i18n.T("须为 %s 之一", "must be one of %s", strings.Join(allowed, ", ")))
	}
	cal := s.calendarOf(pack)
	day, err := calendar.ParseDate(f.FiledOn)
	if err != nil || day.After(calendar.DateOf(now.In(cal.Location()))) {
		return apperr.Validation(prefix+"filed_on", i18n.T("须为不晚于今天的日期（YYYY-MM-DD）", "must be a date not after today (YYYY-MM-DD)"))
	}
	f.Reference = strings.TrimSpace(f.Reference)
	if err := maxText(prefix+"reference", f.Reference); err != nil {
		return err
	}
	fid, err := tx.InsertID(ctx, `INSERT INTO hazard_filings (hazard_id, notice_id, purpose, body, filed_on, reference,
		recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, h.ID, store.OptionalID(notice), purpose, f.Body,
		day.String(), f.Reference, userOf(p), store.Micros(now))
	if err != nil {
		return err
	}
	return addEvent(ctx, tx, h.ID, EventFiled, h.Status, now, p, body.Name.ZH+" · "+day.String(), fid)
}

// maxText refuses a text over MaxText; pairs are field, text.
func maxText(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if utf8.RuneCountInString(pairs[i+1]) > MaxText {
			return apperr.Validation(pairs[i], i18n.T("不能超过 %d 个字符", "at most %d characters", MaxText))
		}
	}
	return nil
}
