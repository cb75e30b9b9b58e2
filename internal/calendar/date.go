package calendar

import (
	"fmt"
	"time"
)

// Supported range: every computation that needs the day table stays inside
// [MinYear-01-01, MaxYear-12-31]; anything outside is a *RangeError.
const (
	MinYear = 2000
	MaxYear = 2099
)

const yearSpan = MaxYear - MinYear + 1

// Date is a civil date (no time, no zone), written YYYY-MM-DD.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// D builds a Date; it does not validate (see Date.Valid).
func D(year int, month time.Month, day int) Date { return Date{year, month, day} }

// DateOf is the civil date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate reads a strict YYYY-MM-DD date.
func ParseDate(s string) (Date, error) {
	bad := func() (Date, error) {
		return Date{}, fmt.Errorf("calendar: invalid date %q (want YYYY-MM-DD)", s)
	}
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return bad()
	}
	num := func(p string) (int, bool) {
		n := 0
		for i := 0; i < len(p); i++ {
			c := p[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(s[0:4])
	m, ok2 := num(s[5:7])
	d, ok3 := num(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return bad()
	}
	dt := Date{y, time.Month(m), d}
	if !dt.Valid() {
		return bad()
	}
	return dt, nil
}

// Valid reports whether the date exists (month 1–12, day within the month, year 1–9999).
func (d Date) Valid() bool {
	return d.Year >= 1 && d.Year <= 9999 && d.Month >= 1 && d.Month <= 12 &&
		d.Day >= 1 && d.Day <= daysIn(d.Year, d.Month)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String writes YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// MarshalText writes YYYY-MM-DD (JSON and YAML use it).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Weekday of the date.
func (d Date) Weekday() time.Weekday {
	// 1970-01-01 was a Thursday.
	return time.Weekday(((dayNumber(d) % 7) + 7 + 4) % 7)
}

// AddDays returns the date n days later (earlier when n < 0).
func (d Date) AddDays(n int) Date { return dateOfNumber(dayNumber(d) + n) }

// AddMonths returns the same day-of-month n months later, clamped to the
// last day of that month (2026-01-31 + 1 → 2026-02-28).
func (d Date) AddMonths(n int) Date {
	m := int(d.Month) - 1 + n
	y := d.Year + floorDiv(m, 12)
	m = m - floorDiv(m, 12)*12
	mon := time.Month(m + 1)
	day := d.Day
	if last := daysIn(y, mon); day > last {
		day = last
	}
	return Date{y, mon, day}
}

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	a, b := dayNumber(d), dayNumber(o)
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// DaysBetween is the number of calendar days from a to b (b − a), times
// ignored: the "day-difference tests" of RULES CAL-015.
func DaysBetween(a, b Date) int { return dayNumber(b) - dayNumber(a) }

// At is the wall time c of day d in loc: a fixed time such as "10:00 the
// next morning" (CAL-008); 24:00 is 00:00 of the next day.
func (d Date) At(c Clock, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, int(c)/60, int(c)%60, 0, 0, loc)
}

// Midnight is 00:00 of d in loc.
func (d Date) Midnight(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

func (d Date) inRange() bool { return d.Year >= MinYear && d.Year <= MaxYear }

// ---- day numbers (days since 1970-01-01), H. Hinnant's civil algorithms ----

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func daysFromCivil(y int, m time.Month, d int) int {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (int(m) + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func dayNumber(d Date) int { return daysFromCivil(d.Year, d.Month, d.Day) }

func dateOfNumber(z int) Date {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return Date{y, time.Month(m), d}
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysInYear(y int) int {
	if isLeap(y) {
		return 366
	}
	return 365
}

var monthDays = [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

func daysIn(y int, m time.Month) int {
	if m == time.February && isLeap(y) {
		return 29
	}
	return monthDays[m]
}

// monthDay converts a 0-based day of year into month and day.
func monthDay(y, doy int) (time.Month, int) {
	d := doy + 1
	for m := time.January; m < time.December; m++ {
		n := daysIn(y, m)
		if d <= n {
			return m, d
		}
		d -= n
	}
	return time.December, d
}

// dayOfYear is the 0-based day of year of d.
func dayOfYear(d Date) int {
	n := d.Day - 1
	for m := time.January; m < d.Month; m++ {
		n += daysIn(d.Year, m)
	}
	return n
}
