package calendar

import "time"

// Elapsed is an amount of working time between two instants.
type Elapsed struct {
	Duration    time.Duration
	Provisional bool // a day between the instants lies in a year without an official arrangement
}

// WorkingTime is the business time between from and to: time inside the
// business hours of working days, or, on a calendar without business
// hours, time inside working days (whole days, 24 h each). If to is before
// from the result is negative. Both instants must lie in MinYear..MaxYear.
func (c *Calendar) WorkingTime(from, to time.Time) (Elapsed, error) {
	if c.hasHours {
		return c.elapsed(from, to, &c.biz)
	}
	return c.elapsed(from, to, nil)
}

// WorkingHoursBetween is the time between from and to counted as wh and hd
// durations count it (the calendar's business hours, or StandardOfficeHours
// when it has none), so that Deadline(from, Nwh) is the first instant at
// which it reaches N hours. Use it to resume a paused working-hour clock.
func (c *Calendar) WorkingHoursBetween(from, to time.Time) (Elapsed, error) {
	return c.elapsed(from, to, &c.wh)
}

// InBusinessHours reports whether t lies inside business hours: inside a
// window of a working day, or anywhere in a working day on a calendar
// without business hours. False outside MinYear..MaxYear.
func (c *Calendar) InBusinessHours(t time.Time) bool {
	t = t.In(c.loc)
	y, m, d := t.Date()
	if y < MinYear || y > MaxYear {
		return false
	}
	if !c.yearOf(y).working(daysBefore(y, m) + d - 1) {
		return false
	}
	return !c.hasHours || c.biz.contains(timeOfDay(t))
}

const dayNS = int64(24 * time.Hour)

// elapsed counts time inside plan's windows (whole days when plan is nil)
// of working days in [from, to).
func (c *Calendar) elapsed(from, to time.Time, plan *hoursPlan) (Elapsed, error) {
	neg := to.Before(from)
	if neg {
		from, to = to, from
	}
	f, t := from.In(c.loc), to.In(c.loc)
	fy, fm, fd := f.Date()
	ty, tm, td := t.Date()
	if fy < MinYear || fy > MaxYear {
		return Elapsed{}, &RangeError{Field: "from", Date: Date{fy, fm, fd}}
	}
	if ty < MinYear || ty > MaxYear {
		return Elapsed{}, &RangeError{Field: "to", Date: Date{ty, tm, td}}
	}
	fdoy, tdoy := daysBefore(fy, fm)+fd-1, daysBefore(ty, tm)+td-1
	perDay := dayNS
	if plan != nil {
		perDay = plan.perDay
	}
	partial := func(yi *yearIndex, doy int, tod int64) int64 {
		if !yi.working(doy) {
			return 0
		}
		if plan == nil {
			return tod
		}
		return plan.before(tod)
	}
	fyi := c.yearOf(fy)
	prov := !fyi.official
	var days int // working days in [from's day, to's day)
	tyi := fyi
	if fy == ty {
		days = int(fyi.cum[tdoy]) - int(fyi.cum[fdoy])
	} else {
		days = fyi.total() - int(fyi.cum[fdoy])
		for y := fy + 1; y < ty; y++ {
			yi := c.yearOf(y)
			days += yi.total()
			prov = prov || !yi.official
		}
		tyi = c.yearOf(ty)
		prov = prov || !tyi.official
		days += int(tyi.cum[tdoy])
	}
	ns := int64(days)*perDay - partial(fyi, fdoy, timeOfDay(f)) + partial(tyi, tdoy, timeOfDay(t))
	if neg {
		ns = -ns
	}
	return Elapsed{Duration: time.Duration(ns), Provisional: prov}, nil
}

// WarningAt is the instant at which pct percent of the time from start to
// target has been used, counted the way the clock's unit counts it: elapsed
// time for m and h (CAL-003), working time for the day and working-hour
// units, so that a warning never falls on a night or a holiday when the
// clock is not running. The result is a whole number of minutes after
// start (the first at which the share is reached) and never after target;
// pct is clamped to 0..100.
func (c *Calendar) WarningAt(start, target time.Time, u Unit, pct int) (time.Time, error) {
	pct = min(max(pct, 0), 100)
	if !target.After(start) {
		return target, nil
	}
	if u == Minutes || u == Hours {
		share := target.Sub(start) * time.Duration(pct) / 100
		return start.Add(share).Truncate(time.Minute), nil
	}
	work := c.WorkingTime
	if u == WorkingHours || u == HalfDays {
		work = c.WorkingHoursBetween
	}
	total, err := work(start, target)
	if err != nil {
		return time.Time{}, err
	}
	need := total.Duration * time.Duration(pct) / 100
	// WorkingTime(start, t) grows monotonically with t: bisect on whole
	// minutes after start for the first one that reaches need.
	lo, hi := int64(0), int64(target.Sub(start)/time.Minute)+1
	for lo < hi {
		mid := (lo + hi) / 2
		t := start.Add(time.Duration(mid) * time.Minute)
		if t.After(target) {
			t = target
		}
		got, err := work(start, t)
		if err != nil {
			return time.Time{}, err
		}
		if got.Duration >= need {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	if t := start.Add(time.Duration(lo) * time.Minute); t.Before(target) {
		return t, nil
	}
	return target, nil
}
