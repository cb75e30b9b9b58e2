package process

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"kefu/internal/auth"
	"kefu/internal/jobs"
	"kefu/internal/notify"
	"kefu/internal/store"
)

// fireWarn tells the step's people that its deadline is near.
func (s *Service) fireWarn(ctx context.Context, tx store.Conn, t jobs.Timer) error {
	return s.fire(ctx, tx, t, false)
}

// fireBreach marks a round breached when its deadline passes while it is
// still active, and tells its people.
func (s *Service) fireBreach(ctx context.Context, tx store.Conn, t jobs.Timer) error {
	return s.fire(ctx, tx, t, true)
}

func (s *Service) fire(ctx context.Context, tx store.Conn, t jobs.Timer, breach bool) error {
	sr, err := loadStep(ctx, tx, t.Ref)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil || sr.status != StepActive || sr.due == 0 {
		return err
	}
	now := s.now()
	kind, event, action := TimerWarn, EventStepWarning, "clock.warning"
	at := sr.warn
	if breach {
		kind, event, action, at = TimerBreach, EventStepBreached, "clock.breached", sr.due
	}
	if at > store.Micros(now) { // moved later: wait for it
		return jobs.Schedule(ctx, tx, kind, sr.id, store.FromMicros(at))
	}
	if breach {
		if sr.breached != 0 {
			return nil
		}
		sr.breached = sr.due
		if _, err := tx.Exec(ctx, "UPDATE processes SET breached = ? WHERE id = ?", true, sr.process); err != nil {
			return err
		}
	} else {
		if sr.warned != 0 {
			return nil
		}
		sr.warned = store.Micros(now)
	}
	if err := saveStep(ctx, tx, sr); err != nil {
		return err
	}
	r, err := load(ctx, tx, nil, sr.process)
	if err != nil {
		return err
	}
	ru, err := s.open(r)
	if err != nil {
		return err
	}
	if err := appendEvent(ctx, tx, r.id, store.FromMicros(at), nil, action, sr.step, sr.round,
		map[string]any{"due_at": store.FromMicros(sr.due)}, ""); err != nil {
		return err
	}
	st, _, ok := ru.def.Step(sr.step)
	if !ok {
		return nil
	}
	users, err := stepUsers(ctx, tx, sr.unit, auth.Role(sr.role))
	if err != nil {
		return err
	}
	zh, en := "即将到期", "is due soon"
	if breach {
		zh, en = "已超时", "is overdue"
	}
	return s.notify.Send(ctx, tx, notify.Message{Event: event, Users: users, Title: stepTitle(ru, st, zh, en),
		Link: "/processes/" + r.id.String(), Object: "process", ObjectID: r.id,
		Payload: map[string]any{"process": r.number, "step": sr.step, "round": sr.round, "due_at": store.FromMicros(sr.due)}})
}

// jsonUnmarshal decodes a stored JSON text.
func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
