package ticket

import (
	"context"

	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// scheduleReply records the next reply time of a work order that cannot
// be resolved yet (TKT-020): a reply clock of its own, flagged scheduled,
// running from the action until the given time and met by the next reply
// event; no reply by then is a breach. Recording a new time is itself a
// contact with the customer, so it meets a scheduled reply clock still
// running (a late one is breached first). The clock counts on the pack's
// calendar; its duration is the span in whole minutes (hours beyond
// calendar.MaxN(Minutes)), for information: the target is the time given.
func (st *step) scheduleReply(ctx context.Context, tx store.Conn) error {
	if st.a.Until == nil {
		return apperr.Required("until")
	}
	until := *st.a.Until
	if !until.After(st.when) {
		return apperr.Validation("until", i18n.T("下次回复时间须晚于现在", "the next reply time must be later than now"))
	}
	if y := until.In(store.Zone).Year(); y > calendar.MaxYear {
		return apperr.Validation("until", i18n.T("超出日历支持的年份范围", "outside the years the calendar supports"))
	}
	dur, ok := calendar.SpanDuration(st.when, until)
	if !ok {
		return apperr.Validation("until", i18n.T("下次回复时间过远", "the next reply time is too far away"))
	}
	for _, c := range st.clocks {
		if !c.scheduled || (c.state != ClockRunning && c.state != ClockPaused) {
			continue
		}
		if store.Micros(st.when) > c.target {
			if err := st.s.breach(ctx, tx, c, st.now); err != nil {
				return err
			}
		}
		if err := st.s.meet(ctx, tx, c, st.when); err != nil {
			return err
		}
		if err := saveClock(ctx, tx, c); err != nil {
			return err
		}
		st.detail["previous_met"] = store.FromMicros(c.target)
	}
	c := &clock{ticketID: st.r.id, kind: policy.ClockReply, dur: dur, cal: st.pack.Calendar, packVersion: st.pack.Version,
		startsOn: []policy.Event{ActScheduleReply}, stopsOn: policy.EventReply, warnPct: defaultWarnPercent,
		state: ClockPending, scheduled: true}
	if err := insertClock(ctx, tx, c); err != nil {
		return err
	}
	c.state, c.started, c.original, c.agreed = ClockRunning, store.Micros(st.when), store.Micros(until), store.Micros(st.when)
	if err := st.s.setTarget(ctx, tx, c, until); err != nil {
		return deadlineError("until", err)
	}
	st.clocks = append(st.clocks, c)
	st.detail["until"] = until
	return saveClock(ctx, tx, c)
}
