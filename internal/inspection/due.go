package inspection

import (
	"fmt"
	"time"

	"kefu/internal/calendar"
	"kefu/internal/policy"
)

// Basis says what a due date is counted from.
type Basis string

// Bases of a due date.
const (
	// FromCompletion: the last completed inspection (CAL-010).
	FromCompletion Basis = "completion"
	// FromActivation: a point never inspected is due one interval after it
	// was connected or commissioned (CAL-010: "for a never-served object,
	// due = activation date + Nmo").
	FromActivation Basis = "activation"
	// DueNow: never inspected and the activation date is unknown; the
	// inspection is due at once (no date to count from).
	DueNow Basis = "now"
	// FromWindow: a campaign, due by the last day of its window (INS-002).
	FromWindow Basis = "window"
)

// Due is when an inspection falls due.
type Due struct {
	Basis Basis
	// From is the date counted from: the last completion, the activation,
	// or the window's first day; zero for DueNow.
	From calendar.Date
	// Day is the last day of the period: the CAL-007 corresponding date,
	// moved to the next working day when it is a rest day or holiday
	// (CAL-005); a campaign's window end is a fixed date and is not moved
	// (CAL-015). Zero for DueNow.
	Day calendar.Date
	// At is the deadline, the end of Day on the calendar: 24:00, written as
	// 00:00 of the next day, on cn; the close of business on cn-office.
	// Zero for DueNow.
	At time.Time
	// Provisional: the computation consulted a year whose official
	// arrangement is not loaded, so the date may change (CAL-001).
	Provisional bool
}

// Overdue reports whether the inspection is overdue at t: the deadline has
// passed, or it was due at once.
func (d Due) Overdue(t time.Time) bool {
	return d.Basis == DueNow || !t.Before(d.At)
}

// History is what is known of a service point's inspections on one track.
type History struct {
	// Last is the date of the last completed inspection; zero: never.
	Last calendar.Date
	// Activated is the date the point was connected or commissioned
	// (通气/送电); zero: unknown.
	Activated calendar.Date
}

// NextDue is the due date of the next inspection of cycle c after one
// completed on last: last + the interval in months, the corresponding date
// (CAL-007) with the holiday extension (CAL-005), counted on cal, the
// pack's calendar (CAL-010).
func NextDue(last calendar.Date, c policy.InspectionCycle, cal *calendar.Calendar) (Due, error) {
	return due(FromCompletion, last, c, cal)
}

// Schedule is the due date of cycle c for a point with history h: from the
// last completion; for a point never inspected, from its activation date
// (CAL-010); with neither, due now.
func Schedule(h History, c policy.InspectionCycle, cal *calendar.Calendar) (Due, error) {
	switch {
	case !h.Last.IsZero():
		return due(FromCompletion, h.Last, c, cal)
	case !h.Activated.IsZero():
		return due(FromActivation, h.Activated, c, cal)
	}
	if err := checkCycle(c, cal); err != nil {
		return Due{}, err
	}
	return Due{Basis: DueNow}, nil
}

func checkCycle(c policy.InspectionCycle, cal *calendar.Calendar) error {
	if cal == nil {
		return fmt.Errorf("inspection: no calendar")
	}
	if c.Interval.Unit != calendar.Months || c.Interval.N < 1 {
		return fmt.Errorf("inspection: cycle %s: interval %s is not in months (CAL-010)", c.Key, c.Interval)
	}
	return nil
}

func due(b Basis, from calendar.Date, c policy.InspectionCycle, cal *calendar.Calendar) (Due, error) {
	if err := checkCycle(c, cal); err != nil {
		return Due{}, err
	}
	if !from.Valid() {
		return Due{}, fmt.Errorf("inspection: invalid date %v", from)
	}
	res, err := cal.Deadline(from.Midnight(cal.Location()), c.Interval)
	if err != nil {
		return Due{}, err
	}
	return Due{Basis: b, From: from, Day: lastDay(cal, res.At), At: res.At, Provisional: res.Provisional}, nil
}

// lastDay is the day a day-based deadline at ends: the day whose end it is
// (on cn, 24:00 is 00:00 of the next day).
func lastDay(cal *calendar.Calendar, at time.Time) calendar.Date {
	d := calendar.DateOf(at.In(cal.Location()))
	if prev := d.AddDays(-1); cal.EndOfDay(prev).Equal(at) {
		return prev
	}
	return d
}

// CampaignDue is when campaign c is due in year: by the end of the last day
// of its window, a fixed date not moved off rest days or holidays (CAL-015,
// INS-002: overdue from the next day).
func CampaignDue(c policy.InspectionCampaign, year int, cal *calendar.Calendar) (Due, error) {
	if cal == nil {
		return Due{}, fmt.Errorf("inspection: no calendar")
	}
	from, to, ok := c.Window(year)
	if !ok || !from.Valid() || !to.Valid() {
		return Due{}, fmt.Errorf("inspection: campaign %s: invalid window %q–%q", c.Key, c.From, c.To)
	}
	return Due{Basis: FromWindow, From: from, Day: to, At: cal.EndOfDay(to)}, nil
}

// CampaignDone reports whether an inspection completed on done counts as
// campaign c of year: it lies inside that year's window.
func CampaignDone(c policy.InspectionCampaign, year int, done calendar.Date) bool {
	from, to, ok := c.Window(year)
	return ok && !done.IsZero() && !done.Before(from) && !done.After(to)
}
