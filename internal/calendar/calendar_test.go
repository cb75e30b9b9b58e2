package calendar

import (
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"
)

func TestNewValidates(t *testing.T) {
	ok := Spec{ID: "x"}
	for _, c := range []struct {
		name  string
		spec  func(Spec) Spec
		field string
	}{
		{"no id", func(s Spec) Spec { s.ID = ""; return s }, "id"},
		{"bad zone", func(s Spec) Spec { s.TimeZone = "Mars/Olympus"; return s }, "time_zone"},
		{"reversed window", func(s Spec) Spec { s.BusinessHours = []Window{{600, 500}}; return s }, "business_hours"},
		{"overlapping windows", func(s Spec) Spec { s.BusinessHours = []Window{{500, 700}, {600, 800}}; return s }, "business_hours"},
		{"window past 24:00", func(s Spec) Spec { s.BusinessHours = []Window{{500, 1441}}; return s }, "business_hours"},
		{"arrangement year", func(s Spec) Spec { s.Arrangements = []Arrangement{{Year: 1999}}; return s }, "arrangements[0].year"},
		{"arrangement twice", func(s Spec) Spec {
			s.Arrangements = []Arrangement{{Year: 2027}, {Year: 2027}}
			return s
		}, "arrangements[1].year"},
		{"arrangement day in another year", func(s Spec) Spec {
			s.Arrangements = []Arrangement{{Year: 2027, Days: []Override{{D(2025, 12, 31), Holiday, "x"}}}}
			return s
		}, "arrangements[0].days[0].date"},
		{"arrangement kind", func(s Spec) Spec {
			s.Arrangements = []Arrangement{{Year: 2027, Days: []Override{{D(2027, 1, 1), "off", "x"}}}}
			return s
		}, "arrangements[0].days[0].kind"},
		{"override kind", func(s Spec) Spec { s.Overrides = []Override{{D(2027, 1, 1), "", ""}}; return s }, "overrides[0].kind"},
		{"override date", func(s Spec) Spec { s.Overrides = []Override{{D(2100, 1, 1), Rest, ""}}; return s }, "overrides[0].date"},
		{"override twice", func(s Spec) Spec {
			s.Overrides = []Override{{D(2027, 1, 1), Rest, ""}, {D(2027, 1, 1), Holiday, ""}}
			return s
		}, "overrides[1].date"},
		{"long name", func(s Spec) Spec {
			s.Overrides = []Override{{D(2027, 1, 1), Holiday, string(make([]rune, 65))}}
			return s
		}, "overrides[0].name"},
	} {
		_, err := New(c.spec(ok))
		var se *SpecError
		if !errors.As(err, &se) || se.Field != c.field {
			t.Errorf("%s: %v, want field %s", c.name, err, c.field)
		}
	}
	c, err := New(ok)
	if err != nil || c.TimeZone() != DefaultTimeZone || c.Location().String() != "Asia/Shanghai" {
		t.Fatal(c, err)
	}
}

func TestSnapshotsAreCopyOnWrite(t *testing.T) {
	base := BuiltinCN()
	d := D(2026, time.March, 10)
	changed, err := base.WithOverride(Override{d, Holiday, "公司庆典"})
	if err != nil {
		t.Fatal(err)
	}
	if base.Day(d).Kind != Workday || changed.Day(d).Kind != Holiday || changed.Day(d).Name != "公司庆典" {
		t.Fatal("override leaked into the base snapshot or is missing")
	}
	// only the changed year is rebuilt; the others are shared
	if changed.years[2025-MinYear] != base.years[2025-MinYear] || changed.years[2026-MinYear] == base.years[2026-MinYear] {
		t.Error("copy-on-write did not share untouched years")
	}
	r, _ := changed.Deadline(at(t, "2026-03-09 10:00"), dur(t, "1wd"))
	if !r.At.Equal(at(t, "2026-03-12 00:00")) {
		t.Errorf("deadline over the override = %s", r.At)
	}
	back := changed.WithoutOverride(d)
	if back.Day(d).Kind != Workday {
		t.Error("WithoutOverride")
	}
	// an override in a provisional year keeps it provisional
	p, _ := base.WithOverride(Override{D(2027, time.March, 1), Rest, ""})
	if day := p.Day(D(2027, time.March, 1)); day.Kind != Rest || !day.Provisional || p.Day(D(2027, 2, 5)).Kind != Holiday {
		t.Errorf("override in provisional year: %+v", day)
	}
	if _, err := base.WithOverride(Override{d, "x", ""}); err == nil {
		t.Error("bad override accepted")
	}
}

func TestWithArrangement(t *testing.T) {
	n, err := ParseNotice(readNotice(t, 2019))
	if err != nil {
		t.Fatal(err)
	}
	c, err := BuiltinCN().WithArrangement(n.Arrangement)
	if err != nil {
		t.Fatal(err)
	}
	if c.YearSource(2019) != Official || BuiltinCN().YearSource(2019) != Provisional {
		t.Fatal("year source")
	}
	// the 2019 notice's December 2018 days land in 2018 (still provisional)
	if d := c.Day(D(2018, 12, 29)); d.Kind != Workday || d.Name != "元旦调休上班" || !d.Provisional {
		t.Errorf("2018-12-29 = %+v", d)
	}
	if d := c.Day(D(2018, 12, 31)); d.Kind != Holiday || d.Name != "元旦" {
		t.Errorf("2018-12-31 = %+v", d)
	}
	r, _ := c.Deadline(at(t, "2019-04-03 10:00"), dur(t, "2wd"))
	if !r.At.Equal(at(t, "2019-04-09 00:00")) || r.Provisional {
		t.Errorf("2019 deadline %+v", r)
	}
	if c.WithoutArrangement(2019).YearSource(2019) != Provisional {
		t.Error("WithoutArrangement")
	}
	// Spec round trip
	again, err := New(c.Spec())
	if err != nil || !reflect.DeepEqual(again.Spec(), c.Spec()) {
		t.Fatalf("spec round trip: %v", err)
	}
	for y := 2018; y <= 2027; y++ {
		a, _ := again.Days(D(y, 1, 1), D(y, 12, 31))
		b, _ := c.Days(D(y, 1, 1), D(y, 12, 31))
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%d differs after round trip", y)
		}
	}
}

func TestDaysErrors(t *testing.T) {
	c := BuiltinCN()
	var re *RangeError
	if _, err := c.Days(D(1999, 12, 31), D(2000, 1, 2)); !errors.As(err, &re) || re.Field != "from" {
		t.Error(err)
	}
	if _, err := c.Days(D(2026, 1, 2), D(2026, 1, 1)); err == nil {
		t.Error("reversed range")
	}
	if _, err := c.Days(D(2026, 1, 1), D(2037, 1, 1)); err == nil {
		t.Error("too long")
	}
	if d := c.Day(D(2150, 1, 1)); !d.Provisional || d.Kind != Workday {
		t.Errorf("out of range day %+v", d)
	}
}

// Concurrent readers, derivations and first use of provisional years (run with -race).
func TestConcurrentUse(t *testing.T) {
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			c := BuiltinCNOffice()
			for i := 0; i < 200; i++ {
				y := 2030 + (g+i)%40
				start := time.Date(y, time.Month(1+i%12), 1+i%28, 10, 0, 0, 0, shanghai)
				if _, err := c.Deadline(start, Duration{1 + i%30, WorkingDays}); err != nil {
					t.Error(err)
					return
				}
				if i%50 == 0 {
					c, _ = c.WithOverride(Override{D(y, 3, 3), Holiday, "x"})
				}
			}
		}(g)
	}
	wg.Wait()
}

// TestDateAt: a fixed time of a day (CAL-008 "次日上午10:00前", SAL-025):
// Wed 2026-03-11 10:00 in Beijing; 24:00 is the next midnight.
func TestDateAt(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	ten, _ := ParseClock("10:00")
	if got := D(2026, 3, 11).At(ten, loc); got.Format(time.RFC3339) != "2026-03-11T10:00:00+08:00" {
		t.Errorf("At 10:00 = %s", got)
	}
	if got := D(2026, 3, 11).At(Clock(1440), loc); !got.Equal(D(2026, 3, 12).Midnight(loc)) {
		t.Errorf("At 24:00 = %s", got)
	}
}

// ARC-009: Qingming 2026 moves a Monday submission to Tuesday; a working
// day stays; the Spring Festival block of 2026 is passed over whole.
func TestWorkingDayOnOrAfter(t *testing.T) {
	c := BuiltinCN()
	for _, tc := range []struct{ in, want Date }{
		{D(2026, 4, 6), D(2026, 4, 7)},   // Qingming (Mon) → Tue
		{D(2026, 4, 2), D(2026, 4, 2)},   // Thu, a working day
		{D(2026, 2, 15), D(2026, 2, 24)}, // Spring Festival 15–23 Feb 2026
		{D(2026, 9, 20), D(2026, 9, 20)}, // Sun 20 Sep 2026 is a make-up workday
	} {
		got, prov, err := c.WorkingDayOnOrAfter(tc.in)
		if err != nil || got != tc.want || prov {
			t.Errorf("WorkingDayOnOrAfter(%s) = %s, %v, %v; want %s", tc.in, got, prov, err, tc.want)
		}
	}
	if _, _, err := c.WorkingDayOnOrAfter(D(1999, 1, 1)); err == nil {
		t.Error("a date before MinYear must be refused")
	}
}
