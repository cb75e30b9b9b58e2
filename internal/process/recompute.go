package process

import (
	"context"
	"fmt"

	"kefu/internal/calendar"
	"kefu/internal/jobs"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// OnCalendarChange moves the deadlines of the running step clocks that
// count on a changed calendar across the changed dates (CAL-001: a
// holiday notice imported late applies to open processes too).
func (s *Service) OnCalendarChange(ctx context.Context, ch calendar.Change) error {
	if len(ch.Calendars) == 0 {
		return nil
	}
	args := make([]any, 0, len(ch.Calendars)+3)
	for _, id := range ch.Calendars {
		args = append(args, id)
	}
	// A span [clock start, due] touches the change (calendar.Change.Span).
	from, to := ch.Span(store.Zone)
	args = append(args, string(StepActive), store.Micros(to), store.Micros(from))
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		rounds, err := store.QueryAll(ctx, tx, scanStep, "SELECT "+stepColumns+" FROM process_steps WHERE calendar IN ("+
			store.Placeholders(len(ch.Calendars))+") AND status = ? AND clock_started_at > 0 AND clock_started_at < ? AND due_at > ?", args...)
		if err != nil {
			return err
		}
		now := s.now()
		for _, sr := range rounds {
			r, err := load(ctx, tx, nil, sr.process)
			if err != nil {
				return err
			}
			ru, err := s.open(r)
			if err != nil {
				return err
			}
			st, _, ok := ru.def.Step(sr.step)
			if !ok {
				continue
			}
			cal, ok := s.cals.Get(sr.cal)
			if !ok {
				return fmt.Errorf("process %s: no calendar %q", r.number, sr.cal)
			}
			limits, err := parseLimits(sr.limits)
			if err != nil {
				return err
			}
			if len(limits) == 0 {
				continue // a date a person entered (Outcome.Deadline) stays
			}
			due, warn, err := deadline(cal, store.FromMicros(sr.clockStarted), limits, warnPercent(st))
			if err != nil {
				return err
			}
			if store.Micros(due) == sr.due {
				continue
			}
			old := store.FromMicros(sr.due)
			sr.due, sr.warn = store.Micros(due), store.Micros(warn)
			if err := saveStep(ctx, tx, sr); err != nil {
				return err
			}
			if err := jobs.Schedule(ctx, tx, TimerBreach, sr.id, due); err != nil {
				return err
			}
			if sr.warned == 0 && warn.After(now) {
				if err := jobs.Schedule(ctx, tx, TimerWarn, sr.id, warn); err != nil {
					return err
				}
			}
			if _, err := tx.Exec(ctx, "UPDATE processes SET next_due_at = ? WHERE id = ? AND current_step_id = ?",
				sr.due, sr.process, sr.id); err != nil {
				return err
			}
			if err := appendEvent(ctx, tx, sr.process, now, nil, "clock.recomputed", sr.step, sr.round,
				map[string]any{"from": old, "to": due, "reason": ch.Reason}, ""); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		s.poke()
	}
	return err
}

// parseLimits reads the limits stored with a round (the pack's at the
// round's start).
func parseLimits(s string) ([]calendar.Duration, error) {
	var out []calendar.Duration
	for _, part := range splitList(s) {
		d, err := calendar.ParseDuration(part)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// warnPercent is the step's warning share (the parser's default when 0).
func warnPercent(st *policy.Step) int {
	if st.Clock.WarnPercent == 0 {
		return policy.DefaultWarnPercent
	}
	return st.Clock.WarnPercent
}
