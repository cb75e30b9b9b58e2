package calendar

import "time"

// Period is a fixed calendar period over which quotas are evaluated
// (RULES CAL-009): weeks run Monday to Sunday, quarters Jan–Mar …,
// half-years Jan–Jun and Jul–Dec, years are calendar years.
type Period string

// Periods.
const (
	PeriodWeek     Period = "week"
	PeriodMonth    Period = "month"
	PeriodQuarter  Period = "quarter"
	PeriodHalfYear Period = "half_year"
	PeriodYear     Period = "year"
)

// PeriodOf returns the first and last date of the period of kind p that
// contains d; ok is false for an unknown kind.
func PeriodOf(p Period, d Date) (first, last Date, ok bool) {
	monthSpan := func(m0, n int) (Date, Date) {
		f := Date{d.Year, time.Month(m0), 1}
		l := f.AddMonths(n - 1)
		return f, Date{l.Year, l.Month, daysIn(l.Year, l.Month)}
	}
	switch p {
	case PeriodWeek:
		back := (int(d.Weekday()) + 6) % 7 // days since Monday
		first = d.AddDays(-back)
		return first, first.AddDays(6), true
	case PeriodMonth:
		first, last = monthSpan(int(d.Month), 1)
	case PeriodQuarter:
		first, last = monthSpan((int(d.Month)-1)/3*3+1, 3)
	case PeriodHalfYear:
		first, last = monthSpan((int(d.Month)-1)/6*6+1, 6)
	case PeriodYear:
		first, last = monthSpan(1, 12)
	default:
		return Date{}, Date{}, false
	}
	return first, last, true
}
