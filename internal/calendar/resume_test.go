package calendar

import (
	"errors"
	"testing"
	"time"
)

func TestAddWorkingHours(t *testing.T) {
	for _, c := range []struct {
		cal, from string
		d         time.Duration
		want      string
	}{
		{CNOffice, "2026-11-20 16:00", 4 * time.Hour, "2026-11-23 10:30"},                // Fri 2 h, Mon 08:30 + 2 h
		{CNOffice, "2026-09-30 17:00", 4 * time.Hour, "2026-10-08 11:30"},                // National Day skipped
		{CNOffice, "2026-11-21 10:00", time.Hour, "2026-11-23 09:30"},                    // Saturday: next opening
		{CNOffice, "2026-11-23 11:30", time.Hour, "2026-11-23 14:00"},                    // lunch break
		{CNOffice, "2026-11-23 16:00", 2 * time.Hour, "2026-11-23 18:00"},                // exactly at the close
		{CNOffice, "2026-11-23 19:00", 30 * time.Minute, "2026-11-24 09:00"},             // after the close
		{CNOffice, "2026-10-09 17:00", 90 * time.Minute, "2026-10-10 09:00"},             // make-up Saturday counts
		{CN, "2026-11-20 16:00", 4 * time.Hour, "2026-11-23 10:30"},                      // cn counts cn-office hours
		{CN, "2026-11-23 10:17", 0, "2026-11-23 10:17"},                                  // nothing to add
		{CNOffice, "2026-11-23 10:00", 12*time.Hour + 7*time.Minute, "2026-11-24 15:37"}, // 6 h 30 Mon, 5 h 37 Tue
	} {
		got, err := cal(t, c.cal).AddWorkingHours(at(t, c.from), c.d)
		if err != nil || !got.At.Equal(at(t, c.want)) {
			t.Errorf("%s %s + %s = %s %v, want %s", c.cal, c.from, c.d, got.At.Format("2006-01-02 15:04"), err, c.want)
		}
	}
	// The inverse of WorkingHoursBetween, to the minute: the result is the
	// first minute at which the count reaches d.
	office := cal(t, CNOffice)
	for from := at(t, "2026-09-28 07:13"); from.Before(at(t, "2026-10-13 00:00")); from = from.Add(7*time.Hour + 11*time.Minute) {
		for _, d := range []time.Duration{time.Minute, 47 * time.Minute, 4 * time.Hour, 9*time.Hour + 3*time.Minute, 31 * time.Hour} {
			got, err := office.AddWorkingHours(from, d)
			if err != nil {
				t.Fatal(err)
			}
			n, _ := office.WorkingHoursBetween(from, got.At)
			before, _ := office.WorkingHoursBetween(from, got.At.Add(-time.Minute))
			if n.Duration != d || before.Duration >= d {
				t.Errorf("%s + %s = %s: counts %s (a minute before %s)", from.Format("01-02 15:04"), d,
					got.At.Format("01-02 15:04"), n.Duration, before.Duration)
			}
		}
	}
	var re *RangeError
	if _, err := office.AddWorkingHours(at(t, "1999-01-01 10:00"), time.Hour); !errors.As(err, &re) || re.Field != "start" {
		t.Errorf("out of range: %v", err)
	}
}

// TestResumeDeadline: paused time is not counted; what remained is kept in
// the clock's own unit (pausable clocks).
func TestResumeDeadline(t *testing.T) {
	for _, c := range []struct {
		name, cal, paused, resumed, target, unit, want string
	}{
		// 30m reply from 10:00, paused after 10 minutes for 50 minutes.
		{"m", CNOffice, "2026-11-20 10:10", "2026-11-20 11:00", "2026-11-20 10:30", "m", "2026-11-20 11:20"},
		{"h across midnight", CN, "2026-11-20 22:00", "2026-11-21 09:00", "2026-11-21 02:00", "h", "2026-11-21 13:00"},
		// TKT-023 repair.simple hd from Fri 2026-11-20 16:00 → Mon 10:30; paused Fri 17:00 with 3 h left.
		{"hd", CNOffice, "2026-11-20 17:00", "2026-11-23 14:00", "2026-11-23 10:30", "hd", "2026-11-23 17:00"},
		{"hd resumed at night", CNOffice, "2026-11-20 17:00", "2026-11-23 20:00", "2026-11-23 10:30", "hd", "2026-11-24 11:30"},
		{"wh paused before opening", CNOffice, "2026-11-23 07:00", "2026-11-23 13:30", "2026-11-23 10:30", "wh", "2026-11-23 15:30"},
		// TKT-023 repair.other 7wd from Fri 2026-11-20 16:00 → Tue 12-01 18:00; paused Wed 11-25 with
		// Thu 26, Fri 27, Mon 30, Tue 1 left → resumed Mon 11-30: Tue 1, Wed 2, Thu 3, Fri 4.
		{"wd", CNOffice, "2026-11-25 10:00", "2026-11-30 09:00", "2026-12-01 18:00", "wd", "2026-12-04 18:00"},
		// 3wd on cn from 2026-09-30 16:00 → 2026-10-11 00:00 (Oct 8, 9, 10); paused at once, resumed
		// Oct 8 → Oct 9, Sat Oct 10 (make-up), Mon Oct 12.
		{"wd national day", CN, "2026-09-30 17:00", "2026-10-08 09:00", "2026-10-11 00:00", "wd", "2026-10-13 00:00"},
		{"wd none left, rest day", CNOffice, "2026-12-01 10:00", "2026-12-05 10:00", "2026-12-01 18:00", "wd", "2026-12-07 18:00"},
		{"wd none left, after close", CNOffice, "2026-12-01 10:00", "2026-12-03 19:00", "2026-12-01 18:00", "wd", "2026-12-04 18:00"},
		{"wd none left, same day", CNOffice, "2026-12-01 10:00", "2026-12-03 15:00", "2026-12-01 18:00", "wd", "2026-12-03 18:00"},
		// TKT-022 complaint.attitude.serious 2d from Fri 2026-11-20 16:00 → Mon 11-23 18:00; paused Sat
		// 11-21 with Sun 22 and Mon 23 left → resumed Wed 11-25: Thu 26, Fri 27.
		{"d", CNOffice, "2026-11-21 10:00", "2026-11-25 09:00", "2026-11-23 18:00", "d", "2026-11-27 18:00"},
		// Resumed Thu 2026-09-24 with 2 days left: Sat Sep 26 is a holiday (Mid-Autumn) → Mon Sep 28.
		{"d extended", CN, "2026-09-20 10:00", "2026-09-24 10:00", "2026-09-23 00:00", "d", "2026-09-29 00:00"},
		{"d none left", CN, "2026-11-23 10:00", "2026-11-25 09:00", "2026-11-24 00:00", "d", "2026-11-26 00:00"},
		// 30 days left from Fri 11-27: Sun 12-27 → Mon 12-28.
		{"mo counted in days", CN, "2026-11-20 10:00", "2026-11-27 10:00", "2026-12-21 00:00", "mo", "2026-12-29 00:00"},
		{"nothing left", CN, "2026-11-20 10:40", "2026-11-20 11:00", "2026-11-20 10:30", "m", "2026-11-20 11:00"},
	} {
		u, err := ParseDuration("1" + c.unit)
		if err != nil {
			t.Fatal(err)
		}
		got, err := cal(t, c.cal).ResumeDeadline(at(t, c.paused), at(t, c.resumed), at(t, c.target), u.Unit)
		if err != nil || !got.At.Equal(at(t, c.want)) {
			t.Errorf("%s: %s = %s %v, want %s", c.name, c.cal, got.At.Format("2006-01-02 15:04 Mon"), err, c.want)
		}
	}
	if _, err := BuiltinCN().ResumeDeadline(at(t, "2026-11-20 11:00"), at(t, "2026-11-20 10:00"), at(t, "2026-11-21 10:00"), Hours); err == nil {
		t.Error("resumed before the pause: no error")
	}
}
