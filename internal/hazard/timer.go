package hazard

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"kefu/internal/audit"
	"kefu/internal/i18n"
	"kefu/internal/jobs"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// TimerDeadline fires when a notice's rectification deadline ends; its ref
// is the hazard.
const TimerDeadline = "hazard.deadline"

// RegisterTimers registers the deadline timer (INS-016).
func (s *Service) RegisterTimers(e *jobs.Engine) {
	e.Handle(TimerDeadline, s.fireDeadline)
}

// fireDeadline: the deadline passed without a verified rectification. The
// case moves to "reported to government" (status escalated) when the pack
// says so (INS-016: deadline 2026-05-20 passes → escalated on 2026-05-21),
// else the timeline notes it and the hazard stays listed as overdue.
func (s *Service) fireDeadline(ctx context.Context, tx store.Conn, t jobs.Timer) error {
	now := s.now()
	h, err := s.scan(tx.QueryRow(ctx, "SELECT "+hazardColumns+" FROM hazards h WHERE h.id = ?", t.Ref))
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if h.VerifiedAt != nil || h.DeadlineAt == nil || now.Before(*h.DeadlineAt) || !slices.Contains(openStatuses, h.Status) {
		return nil // verified, or a later notice moved the deadline
	}
	pack, ok := s.packs.Version(h.Pack, h.PackVersion)
	escalate := ok && pack.Hazards.OnDeadline == policy.OnDeadlineEscalate &&
		slices.Contains([]Status{StatusNotified, StatusRectifying, StatusRefusedToSign}, h.Status)
	status := h.Status
	note := i18n.T("整改期限 %[1]s 已过，未验收整改（INS-016）", "the deadline %[1]s passed without a verified rectification (INS-016)", h.DeadlineOn).ZH
	if escalate {
		status = StatusEscalated
		note = i18n.T("整改期限 %[1]s 已过，未验收整改，转报告政府（INS-016）", "the deadline %[1]s passed without a verified rectification: reported to government (INS-016)", h.DeadlineOn).ZH
		if _, err := tx.Exec(ctx, "UPDATE hazards SET status = ?, escalated_at = ?, updated_at = ? WHERE id = ?",
			string(status), store.Micros(now), store.Micros(now), h.ID); err != nil {
			return err
		}
	}
	if err := addEvent(ctx, tx, h.ID, EventDeadlinePassed, status, now, nil, note, 0); err != nil {
		return err
	}
	return audit.Record(audit.WithActor(ctx, audit.System), tx, now, "hazard.deadline_passed", "hazard", h.ID.String(),
		map[string]any{"deadline_on": h.DeadlineOn, "escalated": escalate})
}
