package calendar

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestParseDuration(t *testing.T) {
	good := []struct {
		in   string
		want Duration
		str  string
	}{
		{"30m", Duration{30, Minutes}, "30m"},
		{"24h", Duration{24, Hours}, "24h"},
		{"3d", Duration{3, CalendarDays}, "3d"},
		{"0d", Duration{0, CalendarDays}, "0d"},
		{"3wd", Duration{3, WorkingDays}, "3wd"},
		{"4wh", Duration{4, WorkingHours}, "4wh"},
		{"hd", Duration{1, HalfDays}, "hd"},
		{"1hd", Duration{1, HalfDays}, "hd"},
		{"2hd", Duration{2, HalfDays}, "2hd"},
		{"1mo", Duration{1, Months}, "1mo"},
		{"100000m", Duration{100000, Minutes}, "100000m"},
		{"10000h", Duration{10000, Hours}, "10000h"},
		{"3660d", Duration{3660, CalendarDays}, "3660d"},
		{"2600wd", Duration{2600, WorkingDays}, "2600wd"},
		{"20000wh", Duration{20000, WorkingHours}, "20000wh"},
		{"5000hd", Duration{5000, HalfDays}, "5000hd"},
		{"120mo", Duration{120, Months}, "120mo"},
	}
	for _, g := range good {
		d, err := ParseDuration(g.in)
		if err != nil || d != g.want || d.String() != g.str {
			t.Errorf("ParseDuration(%q) = %+v %q, %v; want %+v %q", g.in, d, d.String(), err, g.want, g.str)
		}
	}
	bad := []string{"", "d", "wd", "3", "3x", "3D", "3Wd", "3 d", " 3d", "3d ", "-3d", "+3d", "03d", "00d",
		"0m", "0h", "0wd", "0wh", "0hd", "0mo", "100001m", "10001h", "3661d", "2601wd", "20001wh", "5001hd",
		"121mo", "9999999999d", "1.5h", "３d", "3天", "3dd", "3w", "3md", "hd2", "1e3m", "0x10m", "3wdx",
		"12345678901234567m"}
	for _, b := range bad {
		_, err := ParseDuration(b)
		var de *DurationError
		if !errors.As(err, &de) || de.Field() != "duration" || de.Input != b || de.Reason == "" || de.ReasonZH == "" {
			t.Errorf("ParseDuration(%q) = %v, want a *DurationError naming duration", b, err)
		}
	}
}

func TestDurationText(t *testing.T) {
	var v struct {
		D Duration `json:"d"`
	}
	if err := json.Unmarshal([]byte(`{"d":"3wd"}`), &v); err != nil || v.D != (Duration{3, WorkingDays}) {
		t.Fatalf("%+v %v", v, err)
	}
	b, err := json.Marshal(v)
	if err != nil || string(b) != `{"d":"3wd"}` {
		t.Fatalf("%s %v", b, err)
	}
	if err := json.Unmarshal([]byte(`{"d":"3x"}`), &v); err == nil {
		t.Fatal("bad duration accepted")
	}
	if _, err := json.Marshal(struct{ D Duration }{Duration{-1, Hours}}); err == nil {
		t.Fatal("invalid duration marshalled")
	}
	for u := Minutes; u <= Months; u++ {
		if MaxN(u) == 0 || u.String() == "" {
			t.Errorf("unit %d", u)
		}
	}
	if MaxN(0) != 0 || Unit(99).String() != "Unit(99)" {
		t.Error("unknown unit")
	}
	if !(Duration{0, CalendarDays}).IsSameDay() || (Duration{1, CalendarDays}).IsSameDay() {
		t.Error("IsSameDay")
	}
}

func TestDateAndClock(t *testing.T) {
	for _, s := range []string{"2026-02-29", "2026-13-01", "2026-1-01", "20260101", "2026-01-00", "abcd-01-01", "2024-02-30"} {
		if _, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) accepted", s)
		}
	}
	d := date(t, "2024-02-29")
	if d.String() != "2024-02-29" || d.Weekday().String() != "Thursday" || d.AddMonths(12) != date(t, "2025-02-28") ||
		d.AddDays(1) != date(t, "2024-03-01") || date(t, "2026-01-31").AddMonths(-2) != date(t, "2025-11-30") {
		t.Errorf("date arithmetic on %s", d)
	}
	for n := -800000; n < 800000; n += 997 {
		if got := dayNumber(dateOfNumber(n)); got != n {
			t.Fatalf("day number %d round-trips to %d", n, got)
		}
	}
	var dd Date
	if err := json.Unmarshal([]byte(`"2026-09-20"`), &dd); err != nil || dd != date(t, "2026-09-20") {
		t.Fatal(dd, err)
	}
	for _, s := range []string{"24:01", "25:00", "8:30", "08:60", "0830", "ab:cd"} {
		if _, err := ParseClock(s); err == nil {
			t.Errorf("ParseClock(%q) accepted", s)
		}
	}
	w, err := ParseWindow("08:30–12:00")
	if err != nil || w.String() != "08:30-12:00" {
		t.Fatal(w, err)
	}
	for _, s := range []string{"12:00-08:30", "08:30", "08:30-24:30", "x-y"} {
		if _, err := ParseWindow(s); err == nil {
			t.Errorf("ParseWindow(%q) accepted", s)
		}
	}
	b, _ := json.Marshal(StandardOfficeHours())
	if string(b) != `[{"start":"08:30","end":"12:00"},{"start":"13:30","end":"18:00"}]` {
		t.Errorf("window JSON %s", b)
	}
}
