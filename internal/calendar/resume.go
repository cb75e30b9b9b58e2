package calendar

import (
	"fmt"
	"time"
)

// AddWorkingHours is the first instant at or after from at which the time
// counted as WorkingHoursBetween counts it reaches d: d counted inside the
// wh hours (business hours, or StandardOfficeHours on a calendar without
// them) of working days; a start outside them begins at the next opening,
// and a count that completes exactly at the end of a window ends there (as
// Deadline counts wh and hd). d <= 0 answers from. from must lie in
// MinYear..MaxYear (else *RangeError with Field "start").
func (c *Calendar) AddWorkingHours(from time.Time, d time.Duration) (Result, error) {
	t := from.In(c.loc)
	if d <= 0 {
		return Result{At: t}, nil
	}
	y, m, day := t.Date()
	if y < MinYear || y > MaxYear {
		return Result{}, &RangeError{Field: "start", Date: Date{y, m, day}}
	}
	return c.workingHours(y, m, day, daysBefore(y, m)+day-1, timeOfDay(t), int64(d))
}

// ResumeDeadline moves the deadline target of a clock paused at pausedAt
// and resumed at resumedAt so that the paused time is not counted and the
// time that remained at the pause is kept in the clock's own unit u
// (pausable clocks, API.md state "paused"):
//
//   - m, h: the elapsed time left, target − pausedAt, added to resumedAt.
//   - wh, hd: the working hours left, WorkingHoursBetween(pausedAt, target),
//     added with AddWorkingHours from resumedAt.
//   - wd: the working days left, those after the pause day up to the
//     target's last day; the new target is the end of as many working days
//     after the resume day (Deadline with Nwd). None left (paused on the
//     last day): the end of the resume day if it is a working day not yet
//     past its close, else of the next working day.
//   - d, mo: the calendar days left, from the pause day to the target's
//     (possibly extended) last day, counted again as an Nd period from the
//     resume day with the CAL-005 extension; none left is 0d. A month's
//     remainder is counted in days.
//
// Day units count whole days: the part of the pause day after the pause is
// not carried over, and the part of the resume day after the resume is
// given (as a start day is never counted, CAL-004, CAL-005). A target not
// after pausedAt leaves nothing: the result is resumedAt. resumedAt before
// pausedAt is an error.
func (c *Calendar) ResumeDeadline(pausedAt, resumedAt, target time.Time, u Unit) (Result, error) {
	if resumedAt.Before(pausedAt) {
		return Result{}, fmt.Errorf("calendar: resumed at %s before the pause at %s", resumedAt, pausedAt)
	}
	if !target.After(pausedAt) {
		return Result{At: resumedAt.In(c.loc)}, nil
	}
	switch u {
	case Minutes, Hours:
		return Result{At: resumedAt.Add(target.Sub(pausedAt)).In(c.loc)}, nil
	case WorkingHours, HalfDays:
		left, err := c.WorkingHoursBetween(pausedAt, target)
		if err != nil {
			return Result{}, err
		}
		r, err := c.AddWorkingHours(resumedAt, left.Duration)
		r.Provisional = r.Provisional || left.Provisional
		return r, err
	}
	p := DateOf(pausedAt.In(c.loc))
	last := DateOf(target.Add(-time.Nanosecond).In(c.loc)) // 24:00 ends the day before
	switch u {
	case WorkingDays:
		// Working days in (p, last]: whole working days of [p+1, last+1).
		left, err := c.elapsed(p.AddDays(1).Midnight(c.loc), last.AddDays(1).Midnight(c.loc), nil)
		if err != nil {
			return Result{}, err
		}
		n := int(left.Duration / time.Duration(dayNS))
		var r Result
		if n > 0 {
			r, err = c.Deadline(resumedAt, Duration{N: n, Unit: WorkingDays})
		} else {
			r, err = c.restOfWorkingDay(resumedAt)
		}
		r.Provisional = r.Provisional || left.Provisional
		return r, err
	case CalendarDays, Months:
		return c.Deadline(resumedAt, Duration{N: max(DaysBetween(p, last), 0), Unit: CalendarDays})
	}
	return Result{}, durErr(Duration{Unit: u}.String(), "unknown unit", "未知的时限单位")
}

// restOfWorkingDay is the end of the working day t lies in, or of the next
// working day when t's day is not one or its end has passed.
func (c *Calendar) restOfWorkingDay(t time.Time) (Result, error) {
	t = t.In(c.loc)
	y, m, d := t.Date()
	if y < MinYear || y > MaxYear {
		return Result{}, &RangeError{Field: "start", Date: Date{y, m, d}}
	}
	doy := daysBefore(y, m) + d - 1
	yi := c.yearOf(y)
	if yi.working(doy) {
		if end := c.endOfDay(y, m, d); end.After(t) {
			return Result{At: end, Provisional: !yi.official}, nil
		}
	}
	y2, doy2, prov, err := c.nthWorking(y, doy, 1)
	if err != nil {
		return Result{}, err
	}
	m2, d2 := monthDay(y2, doy2)
	return Result{At: c.endOfDay(y2, m2, d2), Provisional: prov}, nil
}
