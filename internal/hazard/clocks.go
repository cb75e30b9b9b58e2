package hazard

import (
	"slices"
	"time"

	"kefu/internal/calendar"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// calendarOf is the pack's calendar (CAL-002), the built-in cn when the
// pack or its calendar is gone.
func (s *Service) calendarOf(pack *policy.Pack) *calendar.Calendar {
	if pack != nil && s.cals != nil {
		if c, ok := s.cals.Get(pack.Calendar); ok {
			return c
		}
	}
	return calendar.BuiltinCN()
}

// clocks computes the hazard's clocks at now: the next follow-up while the
// rectification is followed up (INS-013), and the rectification deadline
// of the latest notice (INS-015, INS-016), met or late once verified.
func (s *Service) clocks(h *Hazard, now time.Time) {
	pack, _ := s.packs.Version(h.Pack, h.PackVersion)
	cal := s.calendarOf(pack)
	soonDays, interval := 2, ""
	if pack != nil {
		soonDays, interval = pack.Hazards.DueSoonDays, pack.Hazards.FollowUpInterval.String()
	}
	h.Clocks = []Clock{}
	if h.FollowUpDueAt != nil && slices.Contains(followedStatuses, h.Status) {
		h.Clocks = append(h.Clocks, badge(ClockFollowUp, *h.FollowUpDueAt, nil, now, cal, soonDays, interval))
	}
	if h.DeadlineAt != nil {
		h.Clocks = append(h.Clocks, badge(ClockDeadline, *h.DeadlineAt, h.VerifiedAt, now, cal, soonDays, ""))
	}
	h.Overdue = slices.ContainsFunc(h.Clocks, func(c Clock) bool { return c.State == ClockOverdue })
}

// badge is the state of a due date at now: on time, due soon on its last
// soonDays calendar days, overdue from the due instant; once done, met or
// late.
func badge(kind string, due time.Time, done *time.Time, now time.Time, cal *calendar.Calendar, soonDays int, dur string) Clock {
	loc := cal.Location()
	// The due instant ends the last day (24:00 = 00:00 of the next day):
	// the last day is the day of the instant just before it.
	last := calendar.DateOf(due.Add(-time.Nanosecond).In(loc))
	c := Clock{Kind: kind, DueAt: due.In(store.Zone), SoonAt: last.AddDays(1 - soonDays).Midnight(loc).In(store.Zone),
		DoneAt: done, Calendar: cal.ID(), Duration: dur}
	switch {
	case done != nil && !done.Before(due): // the due instant itself is late, as it is overdue
		c.State = ClockLate
	case done != nil:
		c.State = ClockMet
	case !now.Before(due):
		c.State = ClockOverdue
	case !now.Before(c.SoonAt):
		c.State = ClockDueSoon
	default:
		c.State = ClockOnTime
	}
	return c
}

// Steps a hazard may take next.
const (
	StepNotice       = "notice"
	StepSign         = "sign"
	StepFollowUp     = "follow_up"
	StepEscalate     = "escalate"
	StepDisconnect   = "disconnect"
	StepDisconnected = "disconnected"
	StepVerify       = "verify"
	StepRestore      = "restore"
	StepClose        = "close"
)

// nextSteps are the steps the hazard's status allows (INS-016).
func nextSteps(h *Hazard) []string {
	var out []string
	switch h.Status {
	case StatusFound:
		out = []string{StepNotice, StepVerify}
	case StatusNotified:
		out = []string{StepSign, StepNotice, StepEscalate, StepVerify}
	case StatusRectifying, StatusRefusedToSign:
		out = []string{StepFollowUp, StepNotice, StepEscalate, StepDisconnect, StepVerify}
	case StatusEscalated:
		out = []string{StepFollowUp, StepEscalate, StepDisconnect, StepVerify}
	case StatusDisconnectionOrdered:
		out = []string{StepFollowUp, StepDisconnected, StepVerify}
	case StatusDisconnected:
		out = []string{StepFollowUp, StepVerify, StepRestore}
	case StatusVerified:
		out = []string{StepClose}
		if h.DisconnectedAt != nil && h.RestoredAt == nil {
			out = []string{StepRestore}
		}
	case StatusRestored:
		out = []string{StepClose}
	}
	if out == nil {
		out = []string{}
	}
	return out
}
