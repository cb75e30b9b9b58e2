package ticket

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"kefu/internal/i18n"
	"kefu/internal/jobs"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// targetsOf builds the pending warning-only targets of a category (CAL-011:
// 立即 30m, 尽快 1wd, e.g. gas complaint TKT-031, gas fault.user_equipment
// TKT-029). They are stored as clocks flagged target, start and stop on
// their events like clocks (CAL-013), warn when passed and never breach.
func targetsOf(p *policy.Pack, cat *policy.Category, ticketID store.ID) []*clock {
	var out []*clock
	for _, g := range cat.Targets {
		c := &clock{ticketID: ticketID, kind: g.Kind, dur: g.Duration, cal: p.Calendar, packVersion: p.Version,
			startsOn: g.StartsOn, stopsOn: g.StopsOn, warnPct: 100, state: ClockPending, isTarget: true}
		if len(c.startsOn) == 0 {
			c.startsOn = []policy.Event{policy.EventReceived}
		}
		if c.stopsOn == "" {
			c.stopsOn = policy.DefaultStop(g.Kind)
		}
		out = append(out, c)
	}
	return out
}

// packClocks are the clocks and then the targets of a category.
func packClocks(p *policy.Pack, cat *policy.Category, ticketID store.ID) []*clock {
	return append(clocksOf(p, cat, ticketID), targetsOf(p, cat, ticketID)...)
}

// scheduleTarget schedules the one timer of a running target: its passing,
// unless it has passed already.
func (s *Service) scheduleTarget(ctx context.Context, tx store.Conn, c *clock) error {
	if err := s.timers.Cancel(ctx, tx, TimerWarn, c.id); err != nil {
		return err
	}
	if err := s.timers.Cancel(ctx, tx, TimerBreach, c.id); err != nil {
		return err
	}
	if c.warned != 0 {
		return s.timers.Cancel(ctx, tx, TimerTarget, c.id)
	}
	return s.timers.Schedule(ctx, tx, TimerTarget, c.id, store.FromMicros(c.target))
}

// fireTarget is the timer of a target that passed without its stop event:
// it is marked passed (the clock keeps running until its stop event meets
// it), the timeline says so and the handlers are told (CAL-011). Nothing
// breaches.
func (s *Service) fireTarget(ctx context.Context, tx store.Conn, t jobs.Timer) error {
	c, err := loadClock(ctx, tx, t.Ref)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil || !c.isTarget || c.state != ClockRunning || c.warned != 0 {
		return err
	}
	now := s.now()
	if c.target > store.Micros(now) { // moved later (an agreed time): wait for it
		return s.timers.Schedule(ctx, tx, TimerTarget, c.id, store.FromMicros(c.target))
	}
	return s.targetPassed(ctx, tx, c, now)
}

// targetPassed records that a running target passed at its target time.
func (s *Service) targetPassed(ctx context.Context, tx store.Conn, c *clock, now time.Time) error {
	c.warned = c.target
	if err := saveClock(ctx, tx, c); err != nil {
		return err
	}
	r, err := clockEvent(ctx, tx, c, store.FromMicros(c.target), now, "target.passed")
	if err != nil {
		return err
	}
	return s.tellHandlers(ctx, tx, r, EventTargetPassed,
		i18n.T("工单 %s 的%s目标时间已过", "work order %s: the %s target has passed", r.number, string(c.kind)),
		passedPayload(r, c))
}
