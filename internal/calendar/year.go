package calendar

import (
	"sync"
	"sync/atomic"
	"time"
)

// DayKind classifies a date in a day table.
type DayKind string

// Day kinds (API.md "Calendars").
const (
	Workday DayKind = "workday" // a working day (Mon–Fri, or a make-up workday)
	Rest    DayKind = "rest"    // a rest day (weekend)
	Holiday DayKind = "holiday" // a statutory holiday or a day off in its arrangement
)

// Valid reports whether k is one of workday, rest, holiday.
func (k DayKind) Valid() bool { return k == Workday || k == Rest || k == Holiday }

const (
	kWork uint8 = iota
	kRest
	kHoliday
)

func kindCode(k DayKind) uint8 {
	switch k {
	case Rest:
		return kRest
	case Holiday:
		return kHoliday
	}
	return kWork
}

var kindOfCode = [...]DayKind{kWork: Workday, kRest: Rest, kHoliday: Holiday}

// Day is one entry of a day table.
type Day struct {
	Date        Date    `json:"date"`
	Kind        DayKind `json:"kind"`
	Name        string  `json:"name"`        // holiday or make-up name, e.g. 春节, 国庆节调休上班
	Provisional bool    `json:"provisional"` // the year has no official arrangement loaded
}

// Working reports whether the day counts as a working day.
func (d Day) Working() bool { return d.Kind == Workday }

// yearIndex is the precomputed day table of one year: kinds by day of year,
// prefix counts of working days, and the positions of the working days, so
// that "the n-th working day after" and "working days between" cost O(1)
// per year crossed. Business time is derived from it: every working day
// has the same windows, so business time before a day = working days
// before it × business time per day. A yearIndex is never modified once
// published.
type yearIndex struct {
	year     int
	official bool
	first    int // day number of January 1
	days     int // 365 or 366
	kind     [366]uint8
	cum      [367]uint16 // cum[i] = working days among days [0, i)
	work     []uint16    // day of year of each working day, ascending
	names    map[uint16]string
}

func (y *yearIndex) total() int { return int(y.cum[y.days]) }

func (y *yearIndex) working(doy int) bool { return y.kind[doy] == kWork }

// newWeekendYear is year y with weekends as rest days and nothing else.
func newWeekendYear(y int, official bool) *yearIndex {
	yi := &yearIndex{year: y, official: official, first: daysFromCivil(y, time.January, 1),
		days: daysInYear(y), names: map[uint16]string{}}
	wd := Date{y, time.January, 1}.Weekday()
	for i := 0; i < yi.days; i++ {
		if w := (int(wd) + i) % 7; w == 0 || w == 6 {
			yi.kind[i] = kRest
		}
	}
	return yi
}

// clone copies y for modification (official flag as given).
func (y *yearIndex) clone(official bool) *yearIndex {
	c := &yearIndex{year: y.year, official: official, first: y.first, days: y.days, kind: y.kind,
		names: make(map[uint16]string, len(y.names))}
	for k, v := range y.names {
		c.names[k] = v
	}
	return c
}

// set records one date of the year.
func (y *yearIndex) set(doy int, k DayKind, name string) {
	y.kind[doy] = kindCode(k)
	if name != "" {
		y.names[uint16(doy)] = name
	} else {
		delete(y.names, uint16(doy))
	}
}

// finish computes the prefix counts; the index is read-only afterwards.
func (y *yearIndex) finish() *yearIndex {
	y.work = make([]uint16, 0, 260)
	for i := 0; i < y.days; i++ {
		y.cum[i+1] = y.cum[i]
		if y.kind[i] == kWork {
			y.cum[i+1]++
			y.work = append(y.work, uint16(i))
		}
	}
	for i := y.days + 1; i < len(y.cum); i++ {
		y.cum[i] = y.cum[y.days]
	}
	return y
}

func (y *yearIndex) day(doy int) Day {
	m, d := monthDay(y.year, doy)
	return Day{Date: Date{y.year, m, d}, Kind: kindOfCode[y.kind[doy]],
		Name: y.names[uint16(doy)], Provisional: !y.official}
}

// ---- provisional years, shared by every calendar ----

var (
	provisionalYears [yearSpan]atomic.Pointer[yearIndex]
	provisionalMu    sync.Mutex
)

// provisionalYear is the provisional table of year y (MinYear..MaxYear):
// weekends plus the statutory holidays of 《全国年节及纪念日放假办法》 (2024
// revision), no make-up workdays. Built once per year, then lock-free.
func provisionalYear(y int) *yearIndex {
	p := &provisionalYears[y-MinYear]
	if yi := p.Load(); yi != nil {
		return yi
	}
	provisionalMu.Lock()
	defer provisionalMu.Unlock()
	if yi := p.Load(); yi != nil {
		return yi
	}
	yi := newWeekendYear(y, false)
	for _, h := range StatutoryHolidays(y) {
		yi.set(dayOfYear(h.Date), Holiday, h.Name)
	}
	yi.finish()
	p.Store(yi)
	return yi
}
