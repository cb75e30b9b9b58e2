package calendar

import "time"

// Options change how a deadline is counted.
type Options struct {
	// NoExtension switches off the holiday extension of d and mo periods:
	// the period ends on its last day whatever kind of day it is (rules that
	// say so explicitly: RULES CAL-015, ARC-014).
	NoExtension bool
}

// Result is a computed deadline.
type Result struct {
	// At is the deadline in the calendar's location; 24:00 is 00:00 of the next day.
	At time.Time
	// Provisional: a day the computation consulted lies in a year without
	// an official arrangement, so the result may change when it is loaded.
	Provisional bool
}

// Deadline computes start + d with the semantics of PRODUCT.md §3:
//
//   - m, h: start + d exactly, around the clock; never provisional.
//   - d: the start day is not counted; the last day is start date + n; a last
//     day that is not a working day moves to the first working day after it;
//     the period ends at the end of the last day (EndOfDay: 24:00, or the
//     close of business on a calendar with business hours).
//   - wd: the end of the n-th working day after the start date (the start
//     day is never counted, whatever it is).
//   - wh, hd (= 4wh): n hours counted inside business hours of working days
//     (StandardOfficeHours on a calendar without business hours); a start
//     outside them begins at the next opening; a count that completes
//     exactly at the end of a window ends there.
//   - mo: the same day-of-month n months later (the month's last day when it
//     has no such day), then as d.
//   - 0d: the end of the start day, not moved off rest days or holidays; on
//     a calendar with business hours a start at or after the close of
//     business ends at the close of business of the next working day.
//
// Day-based units need the start in MinYear..MaxYear (else *RangeError with
// Field "start") and every consulted day too (Field "duration"). An invalid
// d is a *DurationError. Deadline does not allocate.
func (c *Calendar) Deadline(start time.Time, d Duration) (Result, error) {
	return c.DeadlineWith(start, d, Options{})
}

// DeadlineWith is Deadline with options.
func (c *Calendar) DeadlineWith(start time.Time, d Duration, o Options) (Result, error) {
	if err := d.Validate(); err != nil {
		return Result{}, err
	}
	t := start.In(c.loc)
	switch d.Unit {
	case Minutes:
		return Result{At: t.Add(time.Duration(d.N) * time.Minute)}, nil
	case Hours:
		return Result{At: t.Add(time.Duration(d.N) * time.Hour)}, nil
	}
	y, m, day := t.Date()
	if y < MinYear || y > MaxYear {
		return Result{}, &RangeError{Field: "start", Date: Date{y, m, day}}
	}
	doy := daysBefore(y, m) + day - 1
	switch d.Unit {
	case CalendarDays:
		if d.N == 0 {
			return c.sameDay(t, y, m, day, doy)
		}
		y2, doy2 := normalize(y, doy+d.N)
		return c.periodEnd(y2, doy2, !o.NoExtension)
	case Months:
		last := Date{y, m, day}.AddMonths(d.N)
		if last.Year > MaxYear {
			return Result{}, &RangeError{Field: "duration", Date: last}
		}
		return c.periodEnd(last.Year, daysBefore(last.Year, last.Month)+last.Day-1, !o.NoExtension)
	case WorkingDays:
		y2, doy2, prov, err := c.nthWorking(y, doy, d.N)
		if err != nil {
			return Result{}, err
		}
		m2, d2 := monthDay(y2, doy2)
		return Result{At: c.endOfDay(y2, m2, d2), Provisional: prov}, nil
	default: // WorkingHours, HalfDays
		need := int64(d.N) * int64(time.Hour)
		if d.Unit == HalfDays {
			need *= 4
		}
		return c.workingHours(y, m, day, doy, timeOfDay(t), need)
	}
}

// timeOfDay is the wall-clock time of t after its midnight, in ns.
func timeOfDay(t time.Time) int64 {
	h, mi, s := t.Clock()
	return int64(h*3600+mi*60+s)*int64(time.Second) + int64(t.Nanosecond())
}

var cumDays = [2][13]int{
	{0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334},
	{0, 0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335},
}

// daysBefore is the number of days of year y before month m.
func daysBefore(y int, m time.Month) int {
	if isLeap(y) {
		return cumDays[1][m]
	}
	return cumDays[0][m]
}

// normalize carries a day-of-year past December 31 into the next years.
func normalize(y, doy int) (int, int) {
	for n := daysInYear(y); doy >= n; n = daysInYear(y) {
		doy -= n
		y++
	}
	return y, doy
}

func beyond(y int) *RangeError {
	return &RangeError{Field: "duration", Date: Date{y, time.January, 1}}
}

// periodEnd ends a d or mo period whose last day is (y, doy).
func (c *Calendar) periodEnd(y, doy int, extend bool) (Result, error) {
	if y > MaxYear {
		return Result{}, beyond(y)
	}
	yi := c.yearOf(y)
	prov := !yi.official
	if extend && !yi.working(doy) {
		rank := int(yi.cum[doy]) + 1 // first working day on or after doy
		for rank > yi.total() {
			rank -= yi.total()
			if y++; y > MaxYear {
				return Result{}, beyond(y)
			}
			yi = c.yearOf(y)
			prov = prov || !yi.official
		}
		doy = int(yi.work[rank-1])
	}
	m, d := monthDay(y, doy)
	return Result{At: c.endOfDay(y, m, d), Provisional: prov}, nil
}

// nthWorking finds the n-th (n >= 1) working day after (y, doy).
func (c *Calendar) nthWorking(y, doy, n int) (int, int, bool, error) {
	yi := c.yearOf(y)
	prov := doy+1 < yi.days && !yi.official
	rank := int(yi.cum[doy+1]) + n
	for rank > yi.total() {
		rank -= yi.total()
		if y++; y > MaxYear {
			return 0, 0, false, beyond(y)
		}
		yi = c.yearOf(y)
		prov = prov || !yi.official
	}
	return y, int(yi.work[rank-1]), prov, nil
}

// sameDay is 0d.
func (c *Calendar) sameDay(t time.Time, y int, m time.Month, d, doy int) (Result, error) {
	if !c.hasHours || timeOfDay(t) < c.biz.close {
		return Result{At: c.endOfDay(y, m, d)}, nil
	}
	y2, doy2, prov, err := c.nthWorking(y, doy, 1)
	if err != nil {
		return Result{}, err
	}
	m2, d2 := monthDay(y2, doy2)
	return Result{At: c.endOfDay(y2, m2, d2), Provisional: prov}, nil
}

// workingHours counts need ns inside the wh hours of working days from
// (y, doy, tod).
func (c *Calendar) workingHours(y int, m time.Month, d, doy int, tod, need int64) (Result, error) {
	p := &c.wh
	yi := c.yearOf(y)
	prov := !yi.official
	if yi.working(doy) {
		used := p.before(tod)
		if rem := p.perDay - used; need <= rem {
			return Result{At: c.wall(y, m, d, p.at(used+need)), Provisional: prov}, nil
		} else {
			need -= rem
		}
	}
	k := (need - 1) / p.perDay // whole working days before the last one
	r := need - k*p.perDay     // 0 < r <= perDay on the last day
	y2, doy2, prov2, err := c.nthWorking(y, doy, int(k)+1)
	if err != nil {
		return Result{}, err
	}
	m2, d2 := monthDay(y2, doy2)
	return Result{At: c.wall(y2, m2, d2, p.at(r)), Provisional: prov || prov2}, nil
}
