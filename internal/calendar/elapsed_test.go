package calendar

import (
	"errors"
	"testing"
	"time"
)

func TestWorkingTime(t *testing.T) {
	for _, c := range []struct {
		cal, from, to string
		want          time.Duration
		prov          bool
	}{
		{CNOffice, "2026-11-20 16:00", "2026-11-23 10:30", 4 * time.Hour, false},
		{CNOffice, "2026-11-23 11:00", "2026-11-23 14:30", 2 * time.Hour, false},
		{CNOffice, "2026-09-30 17:00", "2026-10-08 11:30", 4 * time.Hour, false},
		{CNOffice, "2026-10-01 00:00", "2026-10-07 23:59", 0, false},
		{CNOffice, "2026-11-23 14:30", "2026-11-23 11:00", -2 * time.Hour, false},
		{CN, "2026-11-20 16:00", "2026-11-23 10:30", 18*time.Hour + 30*time.Minute, false},
		{CN, "2026-09-30 00:00", "2026-10-09 00:00", 48 * time.Hour, false},
		{CN, "2026-12-31 00:00", "2027-01-05 00:00", 48 * time.Hour, true},
		{CN, "2024-12-31 00:00", "2027-01-01 00:00", (1 + 248 + 248) * 24 * time.Hour, true},
	} {
		got, err := cal(t, c.cal).WorkingTime(at(t, c.from), at(t, c.to))
		if err != nil || got.Duration != c.want || got.Provisional != c.prov {
			t.Errorf("%s %s..%s = %+v %v, want %s prov=%v", c.cal, c.from, c.to, got, err, c.want, c.prov)
		}
	}
	// cn counts working hours in the cn-office hours
	got, _ := BuiltinCN().WorkingHoursBetween(at(t, "2026-11-20 16:00"), at(t, "2026-11-23 10:30"))
	if got.Duration != 4*time.Hour {
		t.Errorf("WorkingHoursBetween on cn = %s", got.Duration)
	}
	var re *RangeError
	if _, err := BuiltinCN().WorkingTime(at(t, "1999-01-01 00:00"), at(t, "2026-01-01 00:00")); !errors.As(err, &re) || re.Field != "from" {
		t.Error(err)
	}
}

func TestInBusinessHours(t *testing.T) {
	for _, c := range []struct {
		cal, at string
		want    bool
	}{
		{CNOffice, "2026-11-23 08:29", false},
		{CNOffice, "2026-11-23 08:30", true},
		{CNOffice, "2026-11-23 11:59", true},
		{CNOffice, "2026-11-23 12:00", false},
		{CNOffice, "2026-11-23 13:30", true},
		{CNOffice, "2026-11-23 18:00", false},
		{CNOffice, "2026-10-10 09:00", true},  // make-up Saturday
		{CNOffice, "2026-10-08 09:00", true},  // after National Day
		{CNOffice, "2026-10-07 09:00", false}, // holiday
		{CNOffice, "2026-11-22 09:00", false}, // Sunday
		{CN, "2026-11-23 23:00", true},
		{CN, "2026-11-22 12:00", false},
		{CN, "1999-11-22 12:00", false},
	} {
		if got := cal(t, c.cal).InBusinessHours(at(t, c.at)); got != c.want {
			t.Errorf("%s %s: %v", c.cal, c.at, got)
		}
	}
}
