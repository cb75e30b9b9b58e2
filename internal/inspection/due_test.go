package inspection

import (
	"testing"

	"kefu/internal/calendar"
	"kefu/internal/policy"
)

// TestNextDueRulesExamples: the worked examples of RULES.md CAL-007,
// CAL-010 and INS-001 to INS-008, literally, on the real cn calendar of the
// power and gas packs (2024–2026 official, 2027 provisional).
func TestNextDueRulesExamples(t *testing.T) {
	power, gas := pack(t, "power"), pack(t, "gas")
	for _, c := range []struct {
		name        string
		p           *policy.Pack
		cycle, last string
		day, at     string
		provisional bool
	}{
		// CAL-010 and INS-001: 35 kV last inspected Tue 2026-03-10, 6mo.
		{"CAL-010/INS-001 35 kV", power, "kv35", "2026-03-10", "2026-09-10", "2026-09-11 00:00", false},
		// CAL-010 and INS-006: Sat 2026-08-15 is a rest day → Mon 08-17.
		{"CAL-010/INS-006 gas household", gas, "residential", "2024-08-15", "2026-08-17", "2026-08-18 00:00", false},
		// INS-001: Sat 2027-11-20 → Mon 2027-11-22, provisional (no 2027 notice).
		{"INS-001 LV power", power, "lv_power", "2025-11-20", "2027-11-22", "2027-11-23 00:00", true},
		// INS-004: grade-2 customer inspected Tue 2026-02-10.
		{"INS-004 important", power, "important", "2026-02-10", "2026-08-10", "2026-08-11 00:00", false},
		// INS-005: Dispatch on Mon 2026-01-05 → Sun 07-05 → Mon 07-06;
		// Marketing on Wed 2026-04-15 → Thu 10-15.
		{"INS-005 Dispatch", power, "grid_dispatch", "2026-01-05", "2026-07-06", "2026-07-07 00:00", false},
		{"INS-005 Marketing", power, "grid_marketing", "2026-04-15", "2026-10-15", "2026-10-16 00:00", false},
		// INS-007: weekly-read restaurant last inspected Tue 2026-01-20.
		{"INS-007 quarterly", gas, "ci_weekly", "2026-01-20", "2026-04-20", "2026-04-21 00:00", false},
		// INS-008: 10 kV important customer inspected Tue 2026-02-10: the
		// 10 kV rule gives 2027-02-11 00:00 (provisional), the important rule 2026-08-11.
		{"INS-008 10 kV rule", power, "kv10", "2026-02-10", "2027-02-10", "2027-02-11 00:00", true},
		{"INS-008 important rule", power, "important", "2026-02-10", "2026-08-10", "2026-08-11 00:00", false},
		// CAL-007: Sat 2026-01-31 + 1mo → Sat 02-28, a make-up workday, not moved;
		// Mon 2026-08-31 + 1mo → Wed 09-30 (no 31 September).
		{"CAL-007 month end, make-up Saturday", gas, "ci_daily", "2026-01-31", "2026-02-28", "2026-03-01 00:00", false},
		{"CAL-007 no such day", gas, "ci_daily", "2026-08-31", "2026-09-30", "2026-10-01 00:00", false},
		// The 2025 notice: Spring Festival 28 Jan–4 Feb off → Wed 02-05;
		// National Day and Mid-Autumn 1–8 Oct off → Thu 10-09; Sun 2025-01-26
		// is a make-up workday and is not moved.
		{"2025 Spring Festival", gas, "non_residential", "2024-01-28", "2025-02-05", "2025-02-06 00:00", false},
		{"2025 National Day", power, "kv10", "2024-10-01", "2025-10-09", "2025-10-10 00:00", false},
		{"2025 make-up Sunday", power, "kv35", "2024-07-26", "2025-01-26", "2025-01-27 00:00", false},
		// 2026 Spring Festival 15–23 Feb off: Sun 02-15 → Tue 02-24.
		{"2026 Spring Festival", gas, "ci_daily", "2026-01-15", "2026-02-24", "2026-02-25 00:00", false},
	} {
		d, err := NextDue(date(t, c.last), cycle(t, c.p, c.cycle), cn())
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if d.Basis != FromCompletion || d.From.String() != c.last || d.Day.String() != c.day ||
			!d.At.Equal(at(t, c.at)) || d.Provisional != c.provisional {
			t.Errorf("%s: %+v, want day %s at %s provisional %v", c.name, d, c.day, c.at, c.provisional)
		}
	}
}

// TestNextDueOffice: on a calendar with business hours the deadline is the
// close of business of the last day (CAL-002, G-59).
func TestNextDueOffice(t *testing.T) {
	d, err := NextDue(date(t, "2026-03-10"), cycle(t, pack(t, "power"), "kv35"), calendar.BuiltinCNOffice())
	if err != nil {
		t.Fatal(err)
	}
	if d.Day.String() != "2026-09-10" || !d.At.Equal(at(t, "2026-09-10 18:00")) {
		t.Errorf("cn-office: %+v", d)
	}
}

// TestSchedule: a point never inspected is due one interval after its
// activation (CAL-010); without an activation date it is due now.
func TestSchedule(t *testing.T) {
	kv10 := cycle(t, pack(t, "power"), "kv10")
	// Last completion wins over the activation date.
	d, err := Schedule(History{Last: date(t, "2026-03-10"), Activated: date(t, "2020-01-01")}, kv10, cn())
	if err != nil || d.Basis != FromCompletion || d.Day.String() != "2027-03-10" {
		t.Errorf("completion: %+v %v", d, err)
	}
	// Energised Mon 2025-09-29 → Tue 2026-09-29, a working day.
	d, err = Schedule(History{Activated: date(t, "2025-09-29")}, kv10, cn())
	if err != nil || d.Basis != FromActivation || d.From.String() != "2025-09-29" || d.Day.String() != "2026-09-29" ||
		!d.At.Equal(at(t, "2026-09-30 00:00")) {
		t.Errorf("activation: %+v %v", d, err)
	}
	d, err = Schedule(History{}, kv10, cn())
	if err != nil || d.Basis != DueNow || !d.Day.IsZero() || !d.At.IsZero() || !d.Overdue(at(t, "2026-01-01 00:00")) {
		t.Errorf("due now: %+v %v", d, err)
	}
}

// TestDueErrors: an interval that is not in months, a missing calendar or
// an invalid date is an error, never a guess.
func TestDueErrors(t *testing.T) {
	kv10 := cycle(t, pack(t, "power"), "kv10")
	days := kv10
	days.Interval = calendar.Duration{N: 365, Unit: calendar.CalendarDays}
	if _, err := NextDue(date(t, "2026-01-05"), days, cn()); err == nil {
		t.Error("365d accepted")
	}
	if _, err := Schedule(History{}, days, cn()); err == nil {
		t.Error("365d accepted for a point due now")
	}
	if _, err := NextDue(date(t, "2026-01-05"), kv10, nil); err == nil {
		t.Error("no calendar accepted")
	}
	if _, err := NextDue(calendar.D(2026, 2, 30), kv10, cn()); err == nil {
		t.Error("2026-02-30 accepted")
	}
	if _, err := NextDue(calendar.D(2099, 6, 1), kv10, cn()); err == nil {
		t.Error("a due date beyond the calendar's range accepted")
	}
}

// TestCampaignDue: INS-002's example: a 10 kV customer inspected in spring
// on 2026-04-15 with no autumn inspection by 2026-11-30 is overdue for
// autumn on 2026-12-01. The window end is a fixed date (CAL-015).
func TestCampaignDue(t *testing.T) {
	p := pack(t, "power")
	spring, autumn := campaign(t, p, "spring"), campaign(t, p, "autumn")
	if !CampaignDone(spring, 2026, date(t, "2026-04-15")) {
		t.Error("spring inspection of 2026-04-15 does not count")
	}
	for _, d := range []string{"2026-02-27", "2026-06-01", "2025-04-15"} {
		if CampaignDone(spring, 2026, date(t, d)) {
			t.Errorf("spring 2026 done by an inspection on %s", d)
		}
	}
	if CampaignDone(autumn, 2026, calendar.Date{}) {
		t.Error("autumn done without an inspection")
	}
	d, err := CampaignDue(autumn, 2026, cn())
	if err != nil {
		t.Fatal(err)
	}
	if d.Basis != FromWindow || d.From.String() != "2026-09-01" || d.Day.String() != "2026-11-30" ||
		!d.At.Equal(at(t, "2026-12-01 00:00")) || d.Provisional {
		t.Errorf("autumn due %+v", d)
	}
	if d.Overdue(at(t, "2026-11-30 23:59")) || !d.Overdue(at(t, "2026-12-01 00:00")) {
		t.Error("autumn overdue from 2026-12-01")
	}
	// A window ending on a rest day is not moved: Sun 2026-05-31.
	if d, _ := CampaignDue(spring, 2026, cn()); d.Day.String() != "2026-05-31" || !d.At.Equal(at(t, "2026-06-01 00:00")) {
		t.Errorf("spring due %+v", d)
	}
	broken := spring
	broken.To = "5-31"
	if _, err := CampaignDue(broken, 2026, cn()); err == nil {
		t.Error("broken window accepted")
	}
}
