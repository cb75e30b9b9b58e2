package ticket

import (
	"context"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// pickState finds the clock an action is about: the named kind (a target
// too when targets is set), else the only clock in the state.
func (st *step) pickState(state ClockState, targets bool) (*clock, error) {
	if st.a.Clock != "" {
		var found *clock
		for _, c := range st.clocks {
			if string(c.kind) != st.a.Clock || (c.isTarget && !targets) {
				continue
			}
			// A clock before a target of the same kind; a running (or
			// state) one before the others.
			if found == nil || (found.isTarget && !c.isTarget) || (found.state != state && c.state == state && found.isTarget == c.isTarget) {
				found = c
			}
		}
		if found == nil {
			return nil, apperr.Validation("clock", i18n.T("本工单没有 %s 时限", "this work order has no %s clock", st.a.Clock))
		}
		return found, nil
	}
	var found *clock
	for _, c := range st.clocks {
		if c.state == state && !c.isTarget {
			if found != nil {
				return nil, apperr.Validation("clock", i18n.T("有多个符合条件的时限，请指定 clock", "several clocks qualify: name the clock"))
			}
			found = c
		}
	}
	if found == nil {
		return nil, apperr.Conflict("clock", i18n.T("没有%s的时限", "no clock is %s", string(state)))
	}
	return found, nil
}

// pause stops a running clock whose pack rule says pausable (waiting for
// the customer, e.g. property repair.other TKT-023, power test.commissioned
// PRC-034): its timers are cancelled and the time until resume is not
// counted. A clock that is not pausable or not running, or whose target
// has passed, answers 409 on "clock"; the reason is required.
func (st *step) pause(ctx context.Context, tx store.Conn) error {
	reason := strings.TrimSpace(st.a.Reason)
	if reason == "" {
		return apperr.Required("reason")
	}
	c, err := st.pickState(ClockRunning, false)
	if err != nil {
		return err
	}
	if !c.pausable {
		return apperr.Conflict("clock", i18n.T("该时限不允许暂停", "this clock cannot be paused"))
	}
	if c.state != ClockRunning {
		return apperr.Conflict("clock", i18n.T("该时限不在计时中（%s）", "the clock is not running (%s)", string(c.state)))
	}
	if store.Micros(st.when) >= c.target {
		return apperr.Conflict("clock", i18n.T("时限已过，不能暂停", "the deadline has passed: the clock cannot be paused"))
	}
	c.state, c.paused = ClockPaused, store.Micros(st.when)
	if err := st.s.cancelTimers(ctx, tx, c); err != nil {
		return err
	}
	st.detail["clock"], st.detail["reason"] = c.kind, reason
	return saveClock(ctx, tx, c)
}

// resume starts a paused clock again. The time that remained at the pause
// is kept in the clock's own unit (calendar.ResumeDeadline: elapsed for m
// and h, working hours for wh and hd, working days for wd, calendar days
// for d and mo); the warning falls at the clock's share of the time left.
// The original target stays for reporting.
func (st *step) resume(ctx context.Context, tx store.Conn) error {
	c, err := st.pickState(ClockPaused, false)
	if err != nil {
		return err
	}
	if c.state != ClockPaused {
		return apperr.Conflict("clock", i18n.T("该时限未暂停（%s）", "the clock is not paused (%s)", string(c.state)))
	}
	if store.Micros(st.when) < c.paused {
		return apperr.Validation("at", i18n.T("不能早于暂停时间", "cannot be before the clock was paused"))
	}
	cal, err := st.s.calendarOf(c)
	if err != nil {
		return err
	}
	paused, old := store.FromMicros(c.paused), store.FromMicros(c.target)
	res, err := cal.ResumeDeadline(paused, st.when, old, c.dur.Unit)
	if err != nil {
		return deadlineError("at", err)
	}
	w, err := cal.WarningAt(st.when, res.At, c.dur.Unit, c.warnPct)
	if err != nil {
		return deadlineError("at", err)
	}
	c.state, c.paused, c.target, c.warnAt = ClockRunning, 0, store.Micros(res.At), store.Micros(w)
	c.provisional = c.provisional || res.Provisional
	if err := st.s.scheduleTimers(ctx, tx, c); err != nil {
		return err
	}
	st.detail["clock"], st.detail["paused_at"], st.detail["from"], st.detail["to"] = c.kind, paused, old, res.At
	return saveClock(ctx, tx, c)
}
