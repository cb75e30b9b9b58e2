package ticket

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/jobs"
	"kefu/internal/notify"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// defaultWarnPercent is used when a clock rule names none.
const defaultWarnPercent = 80

// clocksOf builds the pending clocks of a category (API.md table, TKT-003).
func clocksOf(p *policy.Pack, cat *policy.Category, ticketID store.ID) []*clock {
	var out []*clock
	for _, r := range cat.Clocks {
		c := &clock{ticketID: ticketID, kind: r.Kind, dur: r.Duration, cal: p.ClockCalendar(r), packVersion: p.Version,
			startsOn: r.StartsOn, stopsOn: r.StopsOn, warnPct: r.WarnPercent, state: ClockPending, pausable: r.Pausable}
		if len(c.startsOn) == 0 {
			c.startsOn = []policy.Event{policy.EventReceived}
		}
		if c.stopsOn == "" {
			c.stopsOn = policy.DefaultStop(r.Kind)
		}
		if c.warnPct <= 0 || c.warnPct >= 100 {
			c.warnPct = defaultWarnPercent
		}
		out = append(out, c)
	}
	return out
}

// calendarOf returns the calendar a clock counts on.
func (s *Service) calendarOf(c *clock) (*calendar.Calendar, error) {
	cal, ok := s.cals.Get(c.cal)
	if !ok {
		return nil, fmt.Errorf("ticket: clock %d counts on calendar %q, which does not exist", c.id, c.cal)
	}
	return cal, nil
}

// deadlineError turns a calendar range error into a 422 naming field.
func deadlineError(field string, err error) error {
	var re *calendar.RangeError
	if errors.As(err, &re) {
		return apperr.Validation(field, i18n.T("超出日历支持的年份范围", "outside the years the calendar supports"))
	}
	return err
}

// setTarget gives a running clock a new target, recomputes its warning and
// moves its timers.
func (s *Service) setTarget(ctx context.Context, tx store.Conn, c *clock, target time.Time) error {
	if err := s.placeTarget(c, target); err != nil {
		return err
	}
	return s.scheduleTimers(ctx, tx, c)
}

// placeTarget sets a running clock's target and its warning point, in
// memory only.
func (s *Service) placeTarget(c *clock, target time.Time) error {
	c.target = store.Micros(target)
	if c.isTarget { // CAL-011: the warning of a target is the target itself
		c.warnAt = c.target
		return nil
	}
	cal, err := s.calendarOf(c)
	if err != nil {
		return err
	}
	w, err := cal.WarningAt(store.FromMicros(c.started), target, c.dur.Unit, c.warnPct)
	if err != nil {
		return err
	}
	c.warnAt = store.Micros(w)
	return nil
}

// scheduleTimers schedules the warning (unless given already or not before
// the target) and the breach of a running clock.
func (s *Service) scheduleTimers(ctx context.Context, tx store.Conn, c *clock) error {
	if c.state != ClockRunning {
		return s.cancelTimers(ctx, tx, c)
	}
	if c.isTarget {
		return s.scheduleTarget(ctx, tx, c)
	}
	// A clock already past its target (a back-entered paper record) only
	// breaches: a warning after the breach would tell nobody anything.
	if c.warned == 0 && c.warnAt != 0 && c.warnAt < c.target && store.Micros(s.now()) < c.target {
		if err := s.timers.Schedule(ctx, tx, TimerWarn, c.id, store.FromMicros(c.warnAt)); err != nil {
			return err
		}
	} else if err := s.timers.Cancel(ctx, tx, TimerWarn, c.id); err != nil {
		return err
	}
	return s.timers.Schedule(ctx, tx, TimerBreach, c.id, store.FromMicros(c.target))
}

func (s *Service) cancelTimers(ctx context.Context, tx store.Conn, c *clock) error {
	if err := s.timers.Cancel(ctx, tx, TimerWarn, c.id); err != nil {
		return err
	}
	if c.isTarget {
		if err := s.timers.Cancel(ctx, tx, TimerTarget, c.id); err != nil {
			return err
		}
	}
	return s.timers.Cancel(ctx, tx, TimerBreach, c.id)
}

// start runs a pending clock from `from`: target = calendar deadline of its
// duration (CAL-003..CAL-008, CAL-013).
func (s *Service) start(ctx context.Context, tx store.Conn, c *clock, from time.Time, field string) error {
	if err := s.begin(c, from, field); err != nil {
		return err
	}
	return s.scheduleTimers(ctx, tx, c)
}

// begin sets a clock running from `from` with its target and warning
// point on its calendar, in memory only.
func (s *Service) begin(c *clock, from time.Time, field string) error {
	cal, err := s.calendarOf(c)
	if err != nil {
		return err
	}
	res, err := cal.Deadline(from, c.dur)
	if err != nil {
		return deadlineError(field, err)
	}
	c.state, c.started, c.provisional = ClockRunning, store.Micros(from), res.Provisional
	c.original = store.Micros(res.At)
	return s.placeTarget(c, res.At)
}

// meet stops a clock by its event: a running clock is met; a breached one
// stays breached with the time it was finally met.
func (s *Service) meet(ctx context.Context, tx store.Conn, c *clock, when time.Time) error {
	if !meetAt(c, when) {
		return nil
	}
	return s.cancelTimers(ctx, tx, c)
}

// meetAt is meet in memory: it reports whether the clock was open.
func meetAt(c *clock, when time.Time) bool {
	switch c.state {
	case ClockRunning, ClockPaused:
		c.state = ClockMet
	case ClockBreached:
	default:
		return false
	}
	if c.met == 0 {
		c.met = store.Micros(when)
	}
	return true
}

// applyEvent meets every clock the event stops and starts every pending
// clock whose start events have now all happened (CAL-013), then moves
// their timers and saves them. done holds the events that happened before
// this one.
func (s *Service) applyEvent(ctx context.Context, tx store.Conn, clocks []*clock, ev policy.Event, when time.Time,
	done map[policy.Event]bool, field string) error {
	changed, err := s.advance(clocks, ev, when, done, field)
	if err != nil {
		return err
	}
	for _, c := range changed {
		if err := s.scheduleTimers(ctx, tx, c); err != nil { // cancels them when no longer running
			return err
		}
		if err := saveClock(ctx, tx, c); err != nil {
			return err
		}
	}
	return nil
}

// advance is applyEvent in memory: it returns the clocks the event changed.
func (s *Service) advance(clocks []*clock, ev policy.Event, when time.Time, done map[policy.Event]bool,
	field string) ([]*clock, error) {
	now := map[policy.Event]bool{ev: true}
	for e := range done {
		now[e] = true
	}
	var changed []*clock
	for _, c := range clocks {
		met := c.stopsOn == ev && c.met == 0 && meetAt(c, when)
		started := false
		if c.state == ClockPending && !slices.ContainsFunc(c.startsOn, func(e policy.Event) bool { return !now[e] }) {
			if err := s.begin(c, when, field); err != nil {
				return nil, err
			}
			// The stop event came first (e.g. assigned before forwarded): met at once.
			if c.stopsOn == ev || done[c.stopsOn] {
				meetAt(c, when)
			}
			started = true
		}
		if met || started {
			changed = append(changed, c)
		}
	}
	return changed, nil
}

// fireWarn is the warning timer: the clock has used WarnPercent of its time.
func (s *Service) fireWarn(ctx context.Context, tx store.Conn, t jobs.Timer) error {
	c, err := loadClock(ctx, tx, t.Ref)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil || c.state != ClockRunning || c.warned != 0 || c.isTarget {
		return err
	}
	now := s.now()
	c.warned = store.Micros(now)
	if err := saveClock(ctx, tx, c); err != nil {
		return err
	}
	r, err := clockEvent(ctx, tx, c, now, now, "clock.warning")
	if err != nil {
		return err
	}
	return s.tellHandlers(ctx, tx, r, EventClockWarning,
		i18n.T("工单 %s 的%s时限即将到期", "work order %s: the %s deadline is near", r.number, string(c.kind)),
		map[string]any{"ticket_id": r.id, "number": r.number, "clock": c.kind, "target_at": store.FromMicros(c.target)})
}

// fireBreach is the breach timer: a running clock passed its target.
func (s *Service) fireBreach(ctx context.Context, tx store.Conn, t jobs.Timer) error {
	c, err := loadClock(ctx, tx, t.Ref)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil || c.state != ClockRunning || c.isTarget { // CAL-011: a target never breaches
		return err
	}
	now := s.now()
	if c.target > store.Micros(now) { // the target moved later: wait for it
		return s.timers.Schedule(ctx, tx, TimerBreach, c.id, store.FromMicros(c.target))
	}
	return s.breach(ctx, tx, c, now)
}

// breach marks a running clock breached at its target: timeline entry,
// queue columns, and the handlers are told.
func (s *Service) breach(ctx context.Context, tx store.Conn, c *clock, now time.Time) error {
	c.state, c.breachedAt = ClockBreached, c.target
	if err := saveClock(ctx, tx, c); err != nil {
		return err
	}
	if err := s.cancelTimers(ctx, tx, c); err != nil {
		return err
	}
	r, err := clockEvent(ctx, tx, c, store.FromMicros(c.target), now, "clock.breached")
	if err != nil {
		return err
	}
	if err := refreshQueueColumns(ctx, tx, r.id, now); err != nil {
		return err
	}
	return s.tellHandlers(ctx, tx, r, EventClockBreached,
		i18n.T("工单 %s 的%s时限已超时", "work order %s: the %s deadline is breached", r.number, string(c.kind)),
		passedPayload(r, c))
}

// clockEvent puts an event of clock c (its kind and target in the detail)
// on the timeline of its work order at when, and returns the work order.
func clockEvent(ctx context.Context, tx store.Conn, c *clock, when, now time.Time, action string) (*row, error) {
	r, err := load(ctx, tx, nil, c.ticketID)
	if err != nil {
		return nil, err
	}
	detail := map[string]any{"clock": c.kind, "target_at": store.FromMicros(c.target)}
	if err := appendEvent(ctx, tx, r.id, when, now, audit.System, action, "", "", detail, ""); err != nil {
		return nil, err
	}
	return r, nil
}

// passedPayload is the webhook payload of a clock that passed its target
// (a breach, or a target passed): the work order, the clock, and who was
// responsible — the assignee and the handling unit — for the merit
// ledger's proposals (MER-010) and outside systems.
func passedPayload(r *row, c *clock) map[string]any {
	out := map[string]any{"ticket_id": r.id, "number": r.number, "clock": c.kind,
		"target_at": store.FromMicros(c.target), "category": r.category, "pack": r.pack,
		"receiving_unit_id": r.receivingUnit}
	if r.assignee.Valid {
		out["assignee_id"] = r.assignee.ID
	}
	if r.handlingUnit.Valid {
		out["handling_unit_id"] = r.handlingUnit.ID
	}
	return out
}

// tellHandlers sends a message about the clocks of work order r to its
// handlers.
func (s *Service) tellHandlers(ctx context.Context, tx store.Conn, r *row, event string, title i18n.Text, payload map[string]any) error {
	users, err := s.handlers(ctx, tx, r)
	if err != nil {
		return err
	}
	return s.notify.Send(ctx, tx, notify.Message{Event: event, Users: users, Title: title,
		Link: "/tickets/" + r.id.String(), Object: "ticket", ObjectID: r.id, Payload: payload})
}

// handlers are the people told about a work order's clocks: the assignee,
// else the active users of the handling (else receiving) unit, never the
// person complained about (TKT-016).
func (s *Service) handlers(ctx context.Context, c store.Conn, r *row) ([]store.ID, error) {
	if r.assignee.Valid {
		return []store.ID{r.assignee.ID}, nil
	}
	unit := r.receivingUnit
	if r.handlingUnit.Valid {
		unit = r.handlingUnit.ID
	}
	return userIDs(ctx, c, "SELECT id FROM users WHERE org_unit_id = ? AND active = ? AND id <> ? ORDER BY id",
		unit, true, r.respondent.ID)
}

func userIDs(ctx context.Context, c store.Conn, q string, args ...any) ([]store.ID, error) {
	rows, err := c.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.ID
	for rows.Next() {
		var id store.ID
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// OnCalendarChange recomputes the targets and warnings of the running
// clocks on the changed calendars whose span touches the changed dates,
// and moves their timers (CAL-001: open clocks follow a newly imported
// notice). Register it with calendar.Registry.OnChange.
func (s *Service) OnCalendarChange(ctx context.Context, ch calendar.Change) error {
	if len(ch.Calendars) == 0 {
		return nil
	}
	args := []any{}
	for _, id := range ch.Calendars {
		args = append(args, id)
	}
	// A span [started, original target] touches the change when it starts
	// before its end and its target lies after its start.
	from, to := ch.Span(store.Zone)
	args = append(args, store.Micros(to), store.Micros(from))
	var ids []store.ID
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		ids = ids[:0]
		rows, err := tx.Query(ctx, "SELECT "+clockColumns+" FROM ticket_clocks WHERE calendar IN ("+
			store.Placeholders(len(ch.Calendars))+") AND state = 'running' AND started_at < ? AND original_target_at > ?", args...)
		if err != nil {
			return err
		}
		var clocks []*clock
		for rows.Next() {
			c, err := scanClock(rows)
			if err != nil {
				rows.Close()
				return err
			}
			clocks = append(clocks, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := s.now()
		for _, c := range clocks {
			if c.extended || c.agreed != 0 {
				continue // a date set by a person, not by the calendar
			}
			cal, err := s.calendarOf(c)
			if err != nil {
				return err
			}
			res, err := cal.Deadline(store.FromMicros(c.started), c.dur)
			if err != nil {
				return err
			}
			if store.Micros(res.At) == c.target && res.Provisional == c.provisional {
				continue
			}
			old := store.FromMicros(c.target)
			c.original, c.provisional = store.Micros(res.At), res.Provisional
			if err := s.setTarget(ctx, tx, c, res.At); err != nil {
				return err
			}
			if err := saveClock(ctx, tx, c); err != nil {
				return err
			}
			detail := map[string]any{"clock": c.kind, "from": old, "to": res.At, "reason": ch.Reason}
			if err := appendEvent(ctx, tx, c.ticketID, now, now, audit.System, "clock.recomputed", "", "", detail, ""); err != nil {
				return err
			}
			if err := refreshQueueColumns(ctx, tx, c.ticketID, now); err != nil {
				return err
			}
			ids = append(ids, c.id)
		}
		if len(ids) == 0 {
			return nil
		}
		return audit.Record(ctx, tx, now, "ticket.clocks_recomputed", "calendar", ch.Reason,
			map[string]any{"calendars": ch.Calendars, "from": ch.From, "to": ch.To, "clocks": ids})
	})
	if err == nil && len(ids) > 0 {
		s.poke()
	}
	return err
}
