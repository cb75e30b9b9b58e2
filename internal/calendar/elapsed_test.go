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

// TestWarningAt: the warning instant of a clock counts the time the clock
// runs in: elapsed for m and h, working time for the other units, so it
// never lands on a night or a holiday (the ticket module's warn_percent).
func TestWarningAt(t *testing.T) {
	for _, c := range []struct {
		cal, start, target string
		unit               Unit
		pct                int
		want               string
	}{
		// TKT-022: hd from Tue 16:30 ends Wed 11:00; 80 % of 4 working hours
		// is 3h12: 1h30 on Tuesday, then 08:30 + 1h42.
		{CNOffice, "2026-03-10 16:30", "2026-03-11 11:00", HalfDays, 80, "2026-03-11 10:12"},
		// CAL-002 example, 3wd on cn: 8 h on Sep 30, then whole working days
		// Oct 8, 9, 10 (80 h in all); 64 h are reached 8 h into Sat Oct 10.
		{CN, "2026-09-30 16:00", "2026-10-11 00:00", WorkingDays, 80, "2026-10-10 08:00"},
		// 24h runs around the clock through the National Day holiday.
		{CN, "2026-09-30 16:00", "2026-10-01 16:00", Hours, 80, "2026-10-01 11:12"},
		{CNOffice, "2026-11-20 16:00", "2026-11-23 10:30", HalfDays, 100, "2026-11-23 10:30"},
		{CNOffice, "2026-11-20 16:00", "2026-11-23 10:30", HalfDays, 0, "2026-11-20 16:00"},
		{CN, "2026-11-20 16:00", "2026-11-20 16:00", Minutes, 80, "2026-11-20 16:00"},
	} {
		got, err := cal(t, c.cal).WarningAt(at(t, c.start), at(t, c.target), c.unit, c.pct)
		if err != nil || !got.Equal(at(t, c.want)) {
			t.Errorf("%s %s→%s %s %d%%: %v %v, want %s", c.cal, c.start, c.target, c.unit, c.pct, got, err, c.want)
		}
	}
}
