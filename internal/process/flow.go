package process

import (
	"context"
	"fmt"
	"strings"
	"time"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/jobs"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// run is a process being changed inside a transaction, with its definition.
type run struct {
	r     *row
	pack  *policy.Pack
	def   *policy.ProcessDef
	attrs map[string]policy.Value
	// noticeDue, when set, is the deadline entered for the next round
	// (Outcome.Deadline); the next activation uses and clears it.
	noticeDue time.Time
}

// open loads a process's definition from the pack version it was started
// under (a later pack version never changes a running process, TKT-041).
func (s *Service) open(r *row) (*run, error) {
	pack, ok := s.packs.Version(r.pack, r.packVersion)
	if !ok {
		return nil, fmt.Errorf("process %d: pack %s v%d is not loaded", r.id, r.pack, r.packVersion)
	}
	def, ok := pack.Process(r.def)
	if !ok {
		return nil, fmt.Errorf("process %d: pack %s v%d has no process %q", r.id, r.pack, r.packVersion, r.def)
	}
	return &run{r: r, pack: pack, def: def, attrs: values(def, r.attrs)}, nil
}

// values turns stored attributes into condition values by their declared type.
func values(def *policy.ProcessDef, attrs map[string]any) map[string]policy.Value {
	out := make(map[string]policy.Value, len(attrs))
	for k, v := range attrs {
		a, ok := def.Attribute(k)
		if !ok {
			continue
		}
		switch x := v.(type) {
		case float64:
			out[k] = policy.Num(x)
		case bool:
			out[k] = policy.Bool(x)
		case string:
			if a.Type == policy.AttrNumber {
				continue
			}
			out[k] = policy.Str(x)
		}
	}
	return out
}

// calendar is the calendar the process's clocks count on.
func (s *Service) calendar(ru *run) (*calendar.Calendar, string, error) {
	id := ru.def.Calendar
	if id == "" {
		id = ru.pack.Calendar
	}
	c, ok := s.cals.Get(id)
	if !ok {
		return nil, id, fmt.Errorf("process %s: no calendar %q", ru.r.number, id)
	}
	return c, id, nil
}

// enter makes the step at key the current one, as a new round, passing
// over steps whose condition does not hold (recorded as skipped); "end"
// closes the process. previous is the round that led here.
func (s *Service) enter(ctx context.Context, tx store.Conn, ru *run, key string, previous store.NullID,
	now time.Time, p *auth.Principal) error {
	for key != policy.NextEnd {
		st, i, ok := ru.def.Step(key)
		if !ok {
			return fmt.Errorf("process %s: no step %q", ru.r.number, key)
		}
		if policy.Holds(st.When, ru.attrs) {
			return s.activate(ctx, tx, ru, st, previous, now, p)
		}
		if err := appendEvent(ctx, tx, ru.r.id, now, p, "step.skipped", st.Key, 0,
			map[string]any{"when": st.When}, ""); err != nil {
			return err
		}
		key = ru.def.DefaultNext(i)
	}
	return s.close(ctx, tx, ru, StatusCompleted, now)
}

// activate opens a new round of step st.
func (s *Service) activate(ctx context.Context, tx store.Conn, ru *run, st *policy.Step, previous store.NullID,
	now time.Time, p *auth.Principal) error {
	role, level, routeRules := policy.StepRole(st, ru.attrs)
	unit, err := s.unitAt(ctx, tx, ru.r.unit, level)
	if err != nil {
		return err
	}
	var rounds int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM process_steps WHERE process_id = ? AND step = ? AND status <> ?`,
		ru.r.id, st.Key, string(StepSkipped)).Scan(&rounds); err != nil {
		return err
	}
	_, calID, err := s.calendar(ru)
	if err != nil {
		return err
	}
	limits := make([]string, len(st.Clock.Limits))
	for i, l := range st.Clock.Limits {
		limits[i] = l.String()
	}
	notice := ru.noticeDue
	ru.noticeDue = time.Time{}
	if !notice.IsZero() {
		limits = nil // the entered date, not the pack's limits
	}
	sr := &stepRow{process: ru.r.id, unit: unit, step: st.Key, round: rounds + 1, status: StepActive,
		role: string(role), previous: previous, activated: store.Micros(now), cal: calID, limits: strings.Join(limits, ",")}
	sr.id, err = tx.InsertID(ctx, `INSERT INTO process_steps (process_id, step, round, status, unit_id, role, previous_id,
		activated_at, calendar, limits) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		sr.process, sr.step, sr.round, string(sr.status), sr.unit, sr.role, sr.previous, sr.activated, sr.cal, sr.limits)
	if err != nil {
		return err
	}
	if err := addUnit(ctx, tx, ru.r.id, unit); err != nil {
		return err
	}
	detail := map[string]any{"unit_id": unit, "role": role}
	if len(routeRules) > 0 {
		detail["rules"] = routeRules
	}
	if err := appendEvent(ctx, tx, ru.r.id, now, p, "step.activated", st.Key, sr.round, detail, ""); err != nil {
		return err
	}
	if !notice.IsZero() {
		if err := s.startNoticeClock(ctx, tx, ru, st, sr, notice, now); err != nil {
			return err
		}
	} else {
		fs, err := facts(ctx, tx, ru.r.id)
		if err != nil {
			return err
		}
		if err := s.startClock(ctx, tx, ru, st, sr, fs, now); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE processes SET current_step = ?, current_step_id = ?, step_unit_id = ?, step_role = ?,
		next_due_at = ?, updated_at = ? WHERE id = ?`, st.Key, sr.id, unit, sr.role, sr.due, store.Micros(now), ru.r.id); err != nil {
		return err
	}
	ru.r.currentStep, ru.r.currentStepID, ru.r.stepUnit = st.Key, store.NullID{ID: sr.id, Valid: true}, store.NullID{ID: unit, Valid: true}
	users, err := stepUsers(ctx, tx, unit, role)
	if err != nil || len(users) == 0 {
		return err
	}
	return s.notify.Send(ctx, tx, notify.Message{Event: EventStepActivated, Users: users,
		Title: stepTitle(ru, st, "待办理", "is waiting for you"), Link: "/processes/" + ru.r.id.String(),
		Object: "process", ObjectID: ru.r.id, Payload: map[string]any{"process": ru.r.number, "step": st.Key, "round": sr.round}})
}

// startClock starts the round's clock when every fact it waits for is
// recorded: at the last of them (PRC-021: the last of passed, procedures
// and contract), else at the round's activation.
func (s *Service) startClock(ctx context.Context, tx store.Conn, ru *run, st *policy.Step, sr *stepRow,
	fs map[string]int64, now time.Time) error {
	if len(st.Clock.Limits) == 0 || sr.clockStarted != 0 || sr.status != StepActive {
		return nil
	}
	start := sr.activated
	if len(st.Clock.StartsOn) > 0 {
		start = 0
		for _, f := range st.Clock.StartsOn {
			at, ok := fs[f]
			if !ok {
				return nil // still waiting
			}
			start = max(start, at)
		}
	}
	cal, _, err := s.calendar(ru)
	if err != nil {
		return err
	}
	from := store.FromMicros(start)
	due, warn, err := deadline(cal, from, st.Clock.Limits, st.Clock.WarnPercent)
	if err != nil {
		return err
	}
	sr.clockStarted, sr.due, sr.warn = start, store.Micros(due), store.Micros(warn)
	if err := saveStep(ctx, tx, sr); err != nil {
		return err
	}
	if err := appendEvent(ctx, tx, ru.r.id, now, nil, "clock.started", st.Key, sr.round,
		map[string]any{"started_at": from, "due_at": due}, ""); err != nil {
		return err
	}
	if warn.After(now) {
		if err := jobs.Schedule(ctx, tx, TimerWarn, sr.id, warn); err != nil {
			return err
		}
	}
	if err := jobs.Schedule(ctx, tx, TimerBreach, sr.id, due); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, "UPDATE processes SET next_due_at = ? WHERE id = ? AND current_step_id = ?", sr.due, ru.r.id, sr.id)
	return err
}

// startNoticeClock runs the round's clock to a deadline a person entered
// (Outcome.Deadline), warning at the step's share of the time.
func (s *Service) startNoticeClock(ctx context.Context, tx store.Conn, ru *run, st *policy.Step, sr *stepRow,
	due, now time.Time) error {
	cal, _, err := s.calendar(ru)
	if err != nil {
		return err
	}
	warn, err := cal.WarningAt(now, due, calendar.CalendarDays, warnPercent(st))
	if err != nil {
		return err
	}
	sr.clockStarted, sr.due, sr.warn = store.Micros(now), store.Micros(due), store.Micros(warn)
	if err := saveStep(ctx, tx, sr); err != nil {
		return err
	}
	if err := appendEvent(ctx, tx, ru.r.id, now, nil, "clock.started", st.Key, sr.round,
		map[string]any{"started_at": now, "due_at": due, "entered": true}, ""); err != nil {
		return err
	}
	if warn.After(now) {
		if err := jobs.Schedule(ctx, tx, TimerWarn, sr.id, warn); err != nil {
			return err
		}
	}
	return jobs.Schedule(ctx, tx, TimerBreach, sr.id, due)
}

// deadline is the earliest of limits counted from from (PRC-011: the
// earlier of 30d and 1mo), and when its warning falls.
func deadline(cal *calendar.Calendar, from time.Time, limits []calendar.Duration, warnPct int) (due, warn time.Time, err error) {
	var unit calendar.Unit
	for _, l := range limits {
		res, err := cal.Deadline(from, l)
		if err != nil {
			return due, warn, err
		}
		if due.IsZero() || res.At.Before(due) {
			due, unit = res.At, l.Unit
		}
	}
	warn, err = cal.WarningAt(from, due, unit, warnPct)
	return due, warn, err
}

// finish ends the round sr (done, returned or cancelled): a round ended
// after its deadline counts as breached even before the timer fired.
func finish(ctx context.Context, tx store.Conn, sr *stepRow, status StepStatus, outcome, comment string,
	p *auth.Principal, now time.Time) error {
	sr.status, sr.outcome, sr.comment, sr.completed = status, outcome, comment, store.Micros(now)
	if p != nil {
		sr.actor = store.NullID{ID: p.UserID, Valid: p.UserID != 0}
	}
	if sr.due != 0 && sr.breached == 0 && sr.completed > sr.due {
		sr.breached = sr.due
		if _, err := tx.Exec(ctx, "UPDATE processes SET breached = ? WHERE id = ?", true, sr.process); err != nil {
			return err
		}
	}
	if err := saveStep(ctx, tx, sr); err != nil {
		return err
	}
	if err := jobs.Cancel(ctx, tx, TimerWarn, sr.id); err != nil {
		return err
	}
	return jobs.Cancel(ctx, tx, TimerBreach, sr.id)
}

// close ends the process.
func (s *Service) close(ctx context.Context, tx store.Conn, ru *run, status Status, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE processes SET status = ?, current_step = '', current_step_id = NULL, step_role = '',
		next_due_at = 0, closed_at = ?, updated_at = ? WHERE id = ?`, string(status), store.Micros(now), store.Micros(now), ru.r.id)
	if err != nil {
		return err
	}
	ru.r.status = status
	if err := appendEvent(ctx, tx, ru.r.id, now, nil, "process."+string(status), "", 0, nil, ""); err != nil {
		return err
	}
	if status != StatusCompleted {
		return nil
	}
	c := Completed{ID: ru.r.id, Number: ru.r.number, Pack: ru.r.pack, PackVersion: ru.r.packVersion, Definition: ru.r.def,
		UnitID: ru.r.unit, CustomerID: ru.r.customer.ID, CustomerName: ru.r.customerName, CompletedAt: now}
	for _, h := range s.completed {
		if err := h(ctx, tx, c); err != nil {
			return err
		}
	}
	return nil
}

// unitAt resolves a step level from the process's unit: the unit itself,
// its company, or the company above that (PRC-013: the city company).
func (s *Service) unitAt(ctx context.Context, tx store.Conn, unit store.ID, level string) (store.ID, error) {
	if level == policy.LevelProcess {
		return unit, nil
	}
	co, err := org.CompanyOf(ctx, tx, unit)
	if err != nil || level == policy.LevelCompany || co.ParentID == nil {
		return co.ID, err
	}
	upper, err := org.CompanyOf(ctx, tx, *co.ParentID)
	if err != nil {
		return 0, err
	}
	if upper.Kind != org.Company {
		return co.ID, nil // no company above: the company itself decides
	}
	return upper.ID, nil
}

// addUnit makes the process visible through unit.
func addUnit(ctx context.Context, tx store.Conn, process, unit store.ID) error {
	_, err := tx.Exec(ctx, "INSERT INTO process_units (process_id, unit_id) VALUES (?, ?) ON CONFLICT DO NOTHING", process, unit)
	return err
}

// stepUsers are the active users of unit who hold role.
func stepUsers(ctx context.Context, c store.Conn, unit store.ID, role auth.Role) ([]store.ID, error) {
	return store.QueryAll(ctx, c, func(s store.Scanner) (store.ID, error) {
		var id store.ID
		return id, s.Scan(&id)
	}, `SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id
		WHERE u.org_unit_id = ? AND u.active = ? AND r.role = ? ORDER BY u.id`, unit, true, string(role))
}

// stepTitle is a notification title about a step.
func stepTitle(ru *run, st *policy.Step, zh, en string) i18n.Text {
	return i18n.Text{ZH: fmt.Sprintf("%s %s：%s%s", ru.def.Name.ZH, ru.r.number, st.Name.ZH, zh),
		EN: fmt.Sprintf("%s %s: %s %s", nameEN(ru.def.Name), ru.r.number, nameEN(st.Name), en)}
}

// nameEN is the English name, or the Chinese one when there is none.
func nameEN(n policy.Name) string {
	if n.EN != "" {
		return n.EN
	}
	return n.ZH
}
