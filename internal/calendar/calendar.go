// Package calendar is kefu's one place for counting time (PRODUCT.md §3,
// RULES.md CAL). It owns the day tables of calendars (workday / rest /
// holiday, official State Council arrangements, provisional years derived
// from 《全国年节及纪念日放假办法》, days set by an administrator), business
// hours, the duration grammar (m h d wd wh hd mo, 0d), deadlines with the
// 《民法典》 arts. 200–204 semantics, elapsed working time, and the parser of
// State Council holiday notices. It is pure computation: no database, no
// HTTP. A *Calendar is an immutable snapshot, safe for concurrent use;
// With… methods derive a new snapshot cheaply (copy-on-write of the years
// they touch) for the caller to swap in atomically.
package calendar

import (
	"sort"
	"time"
	"unicode/utf8"
)

// Override sets one date of a day table: an entry of an official
// arrangement, or a day set by an administrator.
type Override struct {
	Date Date    `json:"date"`
	Kind DayKind `json:"kind"`
	Name string  `json:"name,omitempty"`
}

// Arrangement is the official arrangement of one year (from its State
// Council notice): its holidays and make-up workdays. Dates not listed
// follow the weekend rule. Days may lie in Year or, for a New Year holiday
// that starts in late December, in Year−1.
type Arrangement struct {
	Year int        `json:"year"`
	Days []Override `json:"days"`
}

// Source says where a year's day table comes from (API.md "years[].source").
type Source string

// Year sources.
const (
	Official    Source = "official"    // an official arrangement is loaded
	Provisional Source = "provisional" // derived from the statutory holidays
)

// DefaultTimeZone is the zone of a calendar whose Spec names none.
const DefaultTimeZone = "Asia/Shanghai"

// MaxNameLen caps holiday and calendar names (in characters).
const MaxNameLen = 64

// Spec defines a calendar, e.g. from database rows.
type Spec struct {
	ID            string
	Name          string
	TimeZone      string        // IANA zone; "" means DefaultTimeZone
	BusinessHours []Window      // nil: no business hours (day-based deadlines end at 24:00)
	Arrangements  []Arrangement // official years
	Overrides     []Override    // days set by an administrator; they win over everything
}

// Calendar is an immutable day table with a zone and optional business hours.
type Calendar struct {
	id, name, zone string
	loc            *time.Location
	hours          []Window
	biz            hoursPlan // business hours (empty when none)
	wh             hoursPlan // the hours wh/hd count: business hours, or StandardOfficeHours
	hasHours       bool
	arr            map[int]Arrangement
	over           map[Date]Override
	years          [yearSpan]*yearIndex // nil: the shared provisional year
}

// New builds a calendar from a spec, validating every part.
func New(s Spec) (*Calendar, error) {
	if s.ID == "" || len(s.ID) > MaxNameLen {
		return nil, specErr("id", "must be 1–%d characters", "须为 1–%d 个字符", MaxNameLen)
	}
	if utf8.RuneCountInString(s.Name) > MaxNameLen {
		return nil, specErr("name", "longer than %d characters", "不能超过 %d 个字符", MaxNameLen)
	}
	zone := s.TimeZone
	if zone == "" {
		zone = DefaultTimeZone
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil, specErr("time_zone", "unknown time zone %q", "未知的时区 %q", zone)
	}
	if err := validateWindows(s.BusinessHours); err != nil {
		return nil, specErr("business_hours", "%v", "工作时间写法错误，应为 HH:MM-HH:MM，多段用逗号分隔（%v）", err)
	}
	c := &Calendar{id: s.ID, name: s.Name, zone: zone, loc: loc,
		arr: map[int]Arrangement{}, over: map[Date]Override{}}
	if len(s.BusinessHours) > 0 {
		c.hours = append([]Window(nil), s.BusinessHours...)
		c.hasHours = true
		c.biz = newHoursPlan(c.hours)
		c.wh = c.biz
	} else {
		c.wh = newHoursPlan(StandardOfficeHours())
	}
	touched := map[int]bool{}
	for i, a := range s.Arrangements {
		a, err := checkArrangement(a)
		if err != nil {
			err.Field = "arrangements[" + itoa(i) + "]." + err.Field
			return nil, err
		}
		if _, dup := c.arr[a.Year]; dup {
			return nil, specErr("arrangements["+itoa(i)+"].year", "year %d given twice", "年份 %d 重复", a.Year)
		}
		c.arr[a.Year] = a
		touched[a.Year], touched[a.Year-1] = true, true
	}
	for i, o := range s.Overrides {
		if err := checkOverride(o); err != nil {
			err.Field = "overrides[" + itoa(i) + "]." + err.Field
			return nil, err
		}
		if _, dup := c.over[o.Date]; dup {
			return nil, specErr("overrides["+itoa(i)+"].date", "date %s given twice", "日期 %s 重复", o.Date)
		}
		c.over[o.Date] = o
		touched[o.Date.Year] = true
	}
	for y := range touched {
		if y >= MinYear && y <= MaxYear {
			c.years[y-MinYear] = c.buildYear(y)
		}
	}
	return c, nil
}

func itoa(i int) string { return string(appendInt(nil, i)) }

func appendInt(b []byte, i int) []byte {
	if i >= 10 {
		b = appendInt(b, i/10)
	}
	return append(b, byte('0'+i%10))
}

func checkOverride(o Override) *SpecError {
	if !o.Date.Valid() || !o.Date.inRange() {
		return specErr("date", "%s is not a date in %d..%d", "%s 不是 %d–%d 年间的日期", o.Date, MinYear, MaxYear)
	}
	if !o.Kind.Valid() {
		return specErr("kind", "%q is not workday, rest or holiday", "%q 不是 workday（工作日）、rest（休息日）或 holiday（节假日）", o.Kind)
	}
	if utf8.RuneCountInString(o.Name) > MaxNameLen {
		return specErr("name", "longer than %d characters", "不能超过 %d 个字符", MaxNameLen)
	}
	return nil
}

// checkArrangement validates a and returns a sorted copy.
func checkArrangement(a Arrangement) (Arrangement, *SpecError) {
	if a.Year < MinYear || a.Year > MaxYear {
		return a, specErr("year", "%d is outside %d..%d", "%d 超出 %d–%d 年", a.Year, MinYear, MaxYear)
	}
	days := append([]Override(nil), a.Days...)
	seen := map[Date]bool{}
	for i, o := range days {
		field := "days[" + itoa(i) + "]."
		if !o.Date.Valid() || (o.Date.Year != a.Year && o.Date.Year != a.Year-1) {
			return a, specErr(field+"date", "%s is not a date in %d or %d", "%s 不是 %d 或 %d 年的日期", o.Date, a.Year-1, a.Year)
		}
		if !o.Kind.Valid() {
			return a, specErr(field+"kind", "%q is not workday, rest or holiday", "%q 不是 workday（工作日）、rest（休息日）或 holiday（节假日）", o.Kind)
		}
		if utf8.RuneCountInString(o.Name) > MaxNameLen {
			return a, specErr(field+"name", "longer than %d characters", "不能超过 %d 个字符", MaxNameLen)
		}
		if seen[o.Date] {
			return a, specErr(field+"date", "date %s given twice", "日期 %s 重复", o.Date)
		}
		seen[o.Date] = true
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Date.Before(days[j].Date) })
	return Arrangement{Year: a.Year, Days: days}, nil
}

// buildYear builds the index of year y from the weekend rule (official
// year) or the provisional table, then the arrangements of y and y+1 (the
// later notice wins), then the administrator's days. It returns nil when
// nothing but the provisional table applies.
func (c *Calendar) buildYear(y int) *yearIndex {
	own, official := c.arr[y]
	next, hasNext := c.arr[y+1]
	var overs []Override
	for d, o := range c.over {
		if d.Year == y {
			overs = append(overs, o)
		}
	}
	nextDays := 0
	if hasNext {
		for _, o := range next.Days {
			if o.Date.Year == y {
				nextDays++
			}
		}
	}
	if !official && nextDays == 0 && len(overs) == 0 {
		return nil
	}
	var yi *yearIndex
	if official {
		yi = newWeekendYear(y, true)
	} else {
		yi = provisionalYear(y).clone(false)
	}
	for _, list := range [][]Override{own.Days, next.Days, overs} {
		for _, o := range list {
			if o.Date.Year == y {
				yi.set(dayOfYear(o.Date), o.Kind, o.Name)
			}
		}
	}
	return yi.finish()
}

// derive copies the snapshot (sharing every year index).
func (c *Calendar) derive() *Calendar {
	n := *c
	n.arr = make(map[int]Arrangement, len(c.arr)+1)
	for k, v := range c.arr {
		n.arr[k] = v
	}
	n.over = make(map[Date]Override, len(c.over)+1)
	for k, v := range c.over {
		n.over[k] = v
	}
	return &n
}

func (c *Calendar) rebuild(years ...int) {
	for _, y := range years {
		if y >= MinYear && y <= MaxYear {
			c.years[y-MinYear] = c.buildYear(y)
		}
	}
}

// WithArrangement returns a snapshot in which a.Year is official with a's
// days (replacing an arrangement loaded before for that year).
func (c *Calendar) WithArrangement(a Arrangement) (*Calendar, error) {
	a, err := checkArrangement(a)
	if err != nil {
		return nil, err
	}
	n := c.derive()
	n.arr[a.Year] = a
	n.rebuild(a.Year-1, a.Year)
	return n, nil
}

// WithoutArrangement returns a snapshot in which year is provisional again.
func (c *Calendar) WithoutArrangement(year int) *Calendar {
	n := c.derive()
	delete(n.arr, year)
	n.rebuild(year-1, year)
	return n
}

// WithOverride returns a snapshot in which o.Date is set as o says
// (PUT /calendars/{id}/days/{date}).
func (c *Calendar) WithOverride(o Override) (*Calendar, error) {
	if err := checkOverride(o); err != nil {
		return nil, err
	}
	n := c.derive()
	n.over[o.Date] = o
	n.rebuild(o.Date.Year)
	return n, nil
}

// WithoutOverride returns a snapshot without the administrator's setting of d.
func (c *Calendar) WithoutOverride(d Date) *Calendar {
	n := c.derive()
	delete(n.over, d)
	n.rebuild(d.Year)
	return n
}

// ID of the calendar ("cn").
func (c *Calendar) ID() string { return c.id }

// Name of the calendar.
func (c *Calendar) Name() string { return c.name }

// TimeZone is the IANA name of the calendar's zone.
func (c *Calendar) TimeZone() string { return c.zone }

// Location of the calendar; deadlines are given in it.
func (c *Calendar) Location() *time.Location { return c.loc }

// BusinessHours are the calendar's windows (nil when it has none).
func (c *Calendar) BusinessHours() []Window { return append([]Window(nil), c.hours...) }

// HasBusinessHours reports whether day-based deadlines end at the close of business.
func (c *Calendar) HasBusinessHours() bool { return c.hasHours }

// Arrangements lists the official years' arrangements, by year.
func (c *Calendar) Arrangements() []Arrangement {
	out := make([]Arrangement, 0, len(c.arr))
	for _, a := range c.arr {
		out = append(out, Arrangement{a.Year, append([]Override(nil), a.Days...)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Year < out[j].Year })
	return out
}

// Overrides lists the administrator's day settings, by date.
func (c *Calendar) Overrides() []Override {
	out := make([]Override, 0, len(c.over))
	for _, o := range c.over {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}

// Spec returns a spec that New turns back into an equal calendar.
func (c *Calendar) Spec() Spec {
	return Spec{ID: c.id, Name: c.name, TimeZone: c.zone, BusinessHours: c.BusinessHours(),
		Arrangements: c.Arrangements(), Overrides: c.Overrides()}
}

// OfficialYears lists the years with an official arrangement, ascending.
func (c *Calendar) OfficialYears() []int {
	out := make([]int, 0, len(c.arr))
	for y := range c.arr {
		out = append(out, y)
	}
	sort.Ints(out)
	return out
}

// YearSource says whether year has an official arrangement.
func (c *Calendar) YearSource(year int) Source {
	if _, ok := c.arr[year]; ok {
		return Official
	}
	return Provisional
}

// yearOf is the index of year y, which must be in MinYear..MaxYear.
func (c *Calendar) yearOf(y int) *yearIndex {
	if yi := c.years[y-MinYear]; yi != nil {
		return yi
	}
	return provisionalYear(y)
}

// Day is the day-table entry of d. Outside MinYear..MaxYear only the
// weekend rule is known: the day is returned as workday or rest, provisional.
func (c *Calendar) Day(d Date) Day {
	if !d.Valid() || !d.inRange() {
		k := Workday
		if w := d.Weekday(); w == time.Saturday || w == time.Sunday {
			k = Rest
		}
		return Day{Date: d, Kind: k, Provisional: true}
	}
	return c.yearOf(d.Year).day(dayOfYear(d))
}

// IsWorkingDay reports whether d is a working day: a make-up workday, or
// Monday–Friday that is not a holiday (or as an administrator set it).
func (c *Calendar) IsWorkingDay(d Date) bool { return c.Day(d).Kind == Workday }

// MaxDaysSpan caps the number of days Days lists.
const MaxDaysSpan = 3660

// Days lists every date from from to to inclusive.
func (c *Calendar) Days(from, to Date) ([]Day, error) {
	for _, p := range []struct {
		f string
		d Date
	}{{"from", from}, {"to", to}} {
		if !p.d.Valid() || !p.d.inRange() {
			return nil, &RangeError{Field: p.f, Date: p.d}
		}
	}
	n := DaysBetween(from, to) + 1
	if n < 1 {
		return nil, specErr("to", "%s is before %s", "%s 早于 %s", to, from)
	}
	if n > MaxDaysSpan {
		return nil, specErr("to", "at most %d days at once", "一次最多 %d 天", MaxDaysSpan)
	}
	out := make([]Day, 0, n)
	for d := from; !d.After(to); d = d.AddDays(1) {
		out = append(out, c.yearOf(d.Year).day(dayOfYear(d)))
	}
	return out, nil
}

// EndOfDay is the end of d on this calendar: the close of business when it
// has business hours (whatever kind of day d is), otherwise 24:00, written
// as 00:00 of the next day.
func (c *Calendar) EndOfDay(d Date) time.Time {
	return c.endOfDay(d.Year, d.Month, d.Day)
}

func (c *Calendar) endOfDay(y int, m time.Month, d int) time.Time {
	if c.hasHours {
		return c.wall(y, m, d, c.biz.close)
	}
	return time.Date(y, m, d+1, 0, 0, 0, 0, c.loc)
}

// wall is the instant at ns after midnight (wall clock) of y-m-d.
func (c *Calendar) wall(y int, m time.Month, d int, ns int64) time.Time {
	return time.Date(y, m, d, 0, 0, int(ns/int64(time.Second)), int(ns%int64(time.Second)), c.loc)
}

// WorkingDayOnOrAfter is d when it is a working day, else the first working
// day after it (ARC-009: a submission day that is not a working day moves
// to the next one). Provisional reports that a consulted day lies in a year
// without an official arrangement.
func (c *Calendar) WorkingDayOnOrAfter(d Date) (day Date, provisional bool, err error) {
	if !d.Valid() || !d.inRange() {
		return Date{}, false, &RangeError{Field: "date", Date: d}
	}
	for i := 0; i < 60; i++ {
		if !d.inRange() {
			return Date{}, false, &RangeError{Field: "date", Date: d}
		}
		e := c.Day(d)
		provisional = provisional || e.Provisional
		if e.Kind == Workday {
			return d, provisional, nil
		}
		d = d.AddDays(1)
	}
	return Date{}, provisional, &RangeError{Field: "date", Date: d}
}
