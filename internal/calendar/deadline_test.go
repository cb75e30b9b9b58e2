package calendar

import (
	"errors"
	"testing"
	"time"
)

var shanghai = mustLoc("Asia/Shanghai")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// at parses "2026-09-30 16:00" in Asia/Shanghai.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func dur(t testing.TB, s string) Duration {
	t.Helper()
	d, err := ParseDuration(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func date(t testing.TB, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func cal(t testing.TB, id string) *Calendar {
	t.Helper()
	c, ok := Builtin(id)
	if !ok {
		t.Fatalf("no built-in calendar %q", id)
	}
	return c
}

type deadlineCase struct {
	src      string // where the example comes from
	cal      string
	start    string
	dur      string
	want     string // "2006-01-02 15:04" in +08:00; 24:00 is 00:00 of the next day
	prov     bool
	noExtend bool
}

// Every example of PRODUCT.md §3, RULES.md CAL-001…CAL-013 and G-59, API.md.
var specExamples = []deadlineCase{
	{"PRODUCT §3", CN, "2026-09-30 16:00", "3wd", "2026-10-11 00:00", false, false},
	{"PRODUCT §3", CN, "2026-04-30 10:00", "3d", "2026-05-07 00:00", false, false},
	{"PRODUCT §3", CN, "2026-09-30 16:00", "24h", "2026-10-01 16:00", false, false},
	{"CAL-001", CN, "2026-12-31 10:00", "1wd", "2027-01-05 00:00", true, false},
	{"CAL-002", CN, "2026-09-30 16:00", "3wd", "2026-10-11 00:00", false, false},
	{"CAL-002", CNOffice, "2026-09-30 16:00", "3wd", "2026-10-10 18:00", false, false},
	{"CAL-002", CN, "2026-10-04 03:00", "6h", "2026-10-04 09:00", false, false},
	{"CAL-002", CN, "2026-10-04 03:00", "1wh", "2026-10-08 09:30", false, false},
	{"CAL-002", CNOffice, "2026-10-04 03:00", "1wh", "2026-10-08 09:30", false, false},
	{"CAL-003", CN, "2026-10-03 22:55", "10m", "2026-10-03 23:05", false, false},
	{"CAL-003", CNOffice, "2026-10-03 22:55", "10m", "2026-10-03 23:05", false, false},
	{"CAL-003", CN, "2026-09-30 16:00", "24h", "2026-10-01 16:00", false, false},
	{"CAL-003", CN, "2026-09-25 15:00", "24h", "2026-09-26 15:00", false, false},
	{"CAL-004", CN, "2026-09-18 10:00", "3wd", "2026-09-23 00:00", false, false},
	{"CAL-004", CNOffice, "2026-09-18 10:00", "3wd", "2026-09-22 18:00", false, false},
	{"CAL-004", CN, "2026-02-13 09:00", "2wd", "2026-02-25 00:00", false, false},
	{"CAL-005", CN, "2026-04-30 10:00", "3d", "2026-05-07 00:00", false, false},
	{"CAL-005", CN, "2026-09-28 10:00", "7d", "2026-10-09 00:00", false, false},
	{"CAL-005", CN, "2026-09-26 10:00", "7d", "2026-10-09 00:00", false, false},
	{"CAL-005", CNOffice, "2026-11-20 16:00", "2d", "2026-11-23 18:00", false, false},
	{"CAL-006", CNOffice, "2026-09-24 16:00", "hd", "2026-09-28 10:30", false, false},
	{"CAL-006", CN, "2026-09-24 16:00", "hd", "2026-09-28 10:30", false, false},
	{"CAL-006", CNOffice, "2026-11-20 16:00", "hd", "2026-11-23 10:30", false, false},
	{"CAL-006", CNOffice, "2026-11-23 11:00", "2wh", "2026-11-23 14:30", false, false},
	{"CAL-006", CNOffice, "2026-09-30 17:00", "4wh", "2026-10-08 11:30", false, false},
	{"CAL-007", CN, "2026-01-31 10:00", "1mo", "2026-03-01 00:00", false, false},
	{"CAL-007", CN, "2026-08-31 10:00", "1mo", "2026-10-01 00:00", false, false},
	{"CAL-007", CN, "2026-01-15 10:00", "6mo", "2026-07-16 00:00", false, false},
	{"CAL-008", CN, "2026-05-09 15:00", "0d", "2026-05-10 00:00", false, false},
	{"CAL-008", CN, "2026-11-23 10:00", "0d", "2026-11-24 00:00", false, false},
	{"CAL-008", CNOffice, "2026-03-10 10:00", "0d", "2026-03-10 18:00", false, false},
	{"CAL-010", CN, "2026-03-10 10:00", "6mo", "2026-09-11 00:00", false, false},
	{"CAL-010", CN, "2024-08-15 10:00", "24mo", "2026-08-18 00:00", false, false},
	{"CAL-011", CN, "2026-03-10 14:00", "30m", "2026-03-10 14:30", false, false},
	{"CAL-012", CNOffice, "2026-09-23 10:00", "7wd", "2026-10-10 18:00", false, false},
	{"CAL-013", CN, "2026-04-29 10:00", "5wd", "2026-05-10 00:00", false, false},
	{"G-59", CNOffice, "2026-11-20 16:00", "2d", "2026-11-23 18:00", false, false},
	{"API.md tickets", CNOffice, "2026-11-20 16:00", "hd", "2026-11-23 10:30", false, false},
}

// Decisions where the spec is silent, and the real 2025 calendar.
var moreExamples = []deadlineCase{
	// 0d on a calendar with business hours: at or after the close → next working day.
	{"0d after close", CNOffice, "2026-11-20 17:59", "0d", "2026-11-20 18:00", false, false},
	{"0d at close", CNOffice, "2026-11-20 18:00", "0d", "2026-11-23 18:00", false, false},
	{"0d after close on make-up Sat", CNOffice, "2026-10-10 19:00", "0d", "2026-10-12 18:00", false, false},
	{"0d on holiday before close", CNOffice, "2026-10-03 09:00", "0d", "2026-10-03 18:00", false, false},
	{"0d after close, next working day provisional", CNOffice, "2026-12-31 20:00", "0d", "2027-01-04 18:00", true, false},
	{"0d in a provisional year consults nothing", CN, "2027-03-10 10:00", "0d", "2027-03-11 00:00", false, false},
	// extension switched off
	{"3d no extension", CN, "2026-04-30 10:00", "3d", "2026-05-04 00:00", false, true},
	{"1mo no extension", CNOffice, "2026-09-01 10:00", "1mo", "2026-10-01 18:00", false, true},
	{"1mo with extension", CNOffice, "2026-09-01 10:00", "1mo", "2026-10-08 18:00", false, false},
	{"d extension ends on make-up Sat", CN, "2026-09-28 10:00", "12d", "2026-10-11 00:00", false, false},
	// wh boundaries
	{"wh ending exactly at a window end stays there", CNOffice, "2026-11-23 16:00", "2wh", "2026-11-23 18:00", false, false},
	{"wh from lunch break", CNOffice, "2026-11-23 12:30", "1wh", "2026-11-23 14:30", false, false},
	{"wh from window end", CNOffice, "2026-11-23 12:00", "1wh", "2026-11-23 14:30", false, false},
	{"wh before opening", CNOffice, "2026-11-23 07:00", "4wh", "2026-11-23 14:00", false, false},
	{"wh 8h = one working day", CNOffice, "2026-11-23 08:30", "8wh", "2026-11-23 18:00", false, false},
	{"wh 9h", CNOffice, "2026-11-23 08:30", "9wh", "2026-11-24 09:30", false, false},
	{"2hd = 8wh", CN, "2026-11-23 08:30", "2hd", "2026-11-23 18:00", false, false},
	{"wh after close", CNOffice, "2026-11-20 18:30", "1wh", "2026-11-23 09:30", false, false},
	// real 2025 calendar
	{"2025 National Day", CN, "2025-09-30 10:00", "1wd", "2025-10-10 00:00", false, false},
	{"2025 make-up Sunday", CN, "2025-01-24 10:00", "1wd", "2025-01-27 00:00", false, false},
	{"2025 Spring Festival d", CN, "2025-01-25 10:00", "5d", "2025-02-06 00:00", false, false},
	{"2025 Spring Festival wd", CNOffice, "2025-01-27 10:00", "2wd", "2025-02-06 18:00", false, false},
	{"2025 Dragon Boat wh", CNOffice, "2025-05-30 17:00", "2wh", "2025-06-03 09:30", false, false},
	{"2024 encouraged eve is a working day", CN, "2024-02-08 10:00", "1wd", "2024-02-10 00:00", false, false},
	// year boundaries and provisional years
	{"d into official year", CN, "2025-12-30 10:00", "2d", "2026-01-05 00:00", false, false},
	{"d inside official year", CN, "2026-12-20 10:00", "3d", "2026-12-24 00:00", false, false},
	{"d onto provisional holiday", CN, "2026-12-31 10:00", "1d", "2027-01-05 00:00", true, false},
	{"m never provisional", CN, "2026-12-31 23:55", "10m", "2027-01-01 00:05", false, false},
	{"provisional 2027 Spring Festival", CN, "2027-02-04 10:00", "1wd", "2027-02-10 00:00", true, false},
	{"start on Dec 31 of a provisional year is not consulted", CN, "2023-12-31 10:00", "1wd", "2024-01-03 00:00", false, false},
	{"provisional 2023", CN, "2023-06-01 10:00", "1wd", "2023-06-03 00:00", true, false},
	{"wd spanning years", CN, "2024-12-31 10:00", "250wd", "2026-01-06 00:00", false, false},
}

func runDeadline(t *testing.T, tc deadlineCase) {
	t.Helper()
	c := cal(t, tc.cal)
	got, err := c.DeadlineWith(at(t, tc.start), dur(t, tc.dur), Options{NoExtension: tc.noExtend})
	if err != nil {
		t.Fatalf("%s: %s %s + %s: %v", tc.src, tc.cal, tc.start, tc.dur, err)
	}
	want := at(t, tc.want)
	if !got.At.Equal(want) || got.Provisional != tc.prov {
		t.Errorf("%s: %s %s + %s = %s provisional=%v, want %s provisional=%v", tc.src, tc.cal, tc.start, tc.dur,
			got.At.Format("2006-01-02 15:04 Mon"), got.Provisional, want.Format("2006-01-02 15:04 Mon"), tc.prov)
	}
	if got.At.Location() != c.Location() {
		t.Errorf("%s: result in %v, want the calendar's zone", tc.src, got.At.Location())
	}
}

func TestDeadlineSpecExamples(t *testing.T) {
	for _, tc := range specExamples {
		runDeadline(t, tc)
	}
}

func TestDeadlineMoreExamples(t *testing.T) {
	for _, tc := range moreExamples {
		runDeadline(t, tc)
	}
}

func TestDeadlineStartInOtherZone(t *testing.T) {
	start := time.Date(2026, 9, 30, 8, 0, 0, 0, time.UTC) // 16:00 in Shanghai
	got, err := BuiltinCN().Deadline(start, dur(t, "3wd"))
	if err != nil || !got.At.Equal(at(t, "2026-10-11 00:00")) {
		t.Fatalf("got %v, %v", got, err)
	}
	if got.At.Format(time.RFC3339) != "2026-10-11T00:00:00+08:00" {
		t.Fatalf("got %s, want the API.md form", got.At.Format(time.RFC3339))
	}
}

func TestDeadlineSubMinuteStart(t *testing.T) {
	start := at(t, "2026-11-23 16:00").Add(30*time.Second + 5)
	got, err := BuiltinCNOffice().Deadline(start, dur(t, "3wh"))
	want := at(t, "2026-11-24 09:30").Add(30*time.Second + 5)
	if err != nil || !got.At.Equal(want) {
		t.Fatalf("got %v, %v; want %v", got.At, err, want)
	}
}

func TestDeadlineErrors(t *testing.T) {
	c := BuiltinCN()
	var re *RangeError
	if _, err := c.Deadline(at(t, "1999-12-31 10:00"), dur(t, "1wd")); !errors.As(err, &re) || re.Field != "start" || !errors.Is(err, ErrOutOfRange) {
		t.Errorf("1999 start: %v", err)
	}
	if _, err := c.Deadline(at(t, "2099-12-31 10:00"), dur(t, "1wd")); !errors.As(err, &re) || re.Field != "duration" {
		t.Errorf("beyond 2099: %v", err)
	}
	if _, err := c.Deadline(at(t, "2099-06-30 10:00"), dur(t, "12mo")); !errors.As(err, &re) || re.Field != "duration" {
		t.Errorf("12mo beyond 2099: %v", err)
	}
	if _, err := c.Deadline(at(t, "2099-12-31 10:00"), dur(t, "1d")); !errors.As(err, &re) {
		t.Errorf("1d beyond 2099: %v", err)
	}
	if r, err := c.Deadline(at(t, "1999-12-31 23:00"), dur(t, "2h")); err != nil || !r.At.Equal(at(t, "2000-01-01 01:00")) {
		t.Errorf("h outside the range is plain arithmetic: %v %v", r, err)
	}
	var de *DurationError
	for _, d := range []Duration{{-1, WorkingDays}, {0, WorkingDays}, {1, 0}, {2601, WorkingDays}} {
		if _, err := c.Deadline(at(t, "2026-01-05 10:00"), d); !errors.As(err, &de) || de.Field() != "duration" {
			t.Errorf("%+v: %v", d, err)
		}
	}
}

func TestDeadlineDoesNotAllocate(t *testing.T) {
	c := BuiltinCNOffice()
	start := at(t, "2026-09-30 16:00")
	for _, s := range []string{"30m", "24h", "3d", "0d", "3wd", "30wd", "4wh", "hd", "1mo"} {
		d := dur(t, s)
		if n := testing.AllocsPerRun(100, func() { _, _ = c.Deadline(start, d) }); n != 0 {
			t.Errorf("%s: %v allocs per Deadline", s, n)
		}
	}
}

// CAL-001 day examples.
func TestDayTableExamples(t *testing.T) {
	c := BuiltinCN()
	for _, tc := range []struct {
		date string
		kind DayKind
		name string
	}{
		{"2026-02-14", Workday, "春节调休上班"},
		{"2026-04-06", Holiday, "清明节"},
		{"2026-09-20", Workday, "国庆节调休上班"},
		{"2026-10-08", Workday, ""},
		{"2026-10-10", Workday, "国庆节调休上班"},
		{"2026-10-11", Rest, ""},
		{"2027-01-01", Holiday, "元旦"},
	} {
		d := c.Day(date(t, tc.date))
		if d.Kind != tc.kind || d.Name != tc.name || d.Provisional != (d.Date.Year == 2027) {
			t.Errorf("%s: got %+v, want %s %q", tc.date, d, tc.kind, tc.name)
		}
	}
}

// CAL-015 and CAL-009 helpers.
func TestDateHelpersOfRules(t *testing.T) {
	if n := DaysBetween(date(t, "2026-03-01"), date(t, "2026-04-02")); n != 32 {
		t.Errorf("CAL-015 difference = %d, want 32", n)
	}
	if d := date(t, "2026-07-01").AddDays(-5); d != date(t, "2026-06-26") {
		t.Errorf("CAL-015 lead time = %s", d)
	}
	if e := BuiltinCN().EndOfDay(date(t, "2026-04-09")); !e.Equal(at(t, "2026-04-10 00:00")) {
		t.Errorf("CAL-015 fixed date = %s", e)
	}
	if e := BuiltinCNOffice().EndOfDay(date(t, "2026-04-09")); !e.Equal(at(t, "2026-04-09 18:00")) {
		t.Errorf("CAL-008 end of work = %s", e)
	}
	weeks := map[Date]int{}
	for _, s := range []string{"2026-03-02", "2026-03-16"} {
		f, _, _ := PeriodOf(PeriodWeek, date(t, s))
		weeks[f]++
	}
	for _, w := range []struct {
		start string
		met   bool
	}{{"2026-03-02", true}, {"2026-03-09", false}, {"2026-03-16", true}} {
		f, l, _ := PeriodOf(PeriodWeek, date(t, w.start).AddDays(3))
		if f != date(t, w.start) || l != date(t, w.start).AddDays(6) || (weeks[f] > 0) != w.met {
			t.Errorf("CAL-009 week %s: %s..%s met=%v", w.start, f, l, weeks[f] > 0)
		}
	}
	for _, p := range []struct {
		p           Period
		d, from, to string
	}{
		{PeriodMonth, "2024-02-10", "2024-02-01", "2024-02-29"},
		{PeriodQuarter, "2026-11-20", "2026-10-01", "2026-12-31"},
		{PeriodHalfYear, "2026-06-30", "2026-01-01", "2026-06-30"},
		{PeriodYear, "2026-06-30", "2026-01-01", "2026-12-31"},
		{PeriodWeek, "2026-03-08", "2026-03-02", "2026-03-08"},
	} {
		f, l, ok := PeriodOf(p.p, date(t, p.d))
		if !ok || f != date(t, p.from) || l != date(t, p.to) {
			t.Errorf("%s of %s = %s..%s", p.p, p.d, f, l)
		}
	}
	if _, _, ok := PeriodOf("fortnight", date(t, "2026-01-01")); ok {
		t.Error("unknown period accepted")
	}
}
