package inspection

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"kefu/internal/calendar"
	"kefu/internal/policy"
)

// monthLines writes each month of a plan as "archive/key" entries, key the
// cycle or campaign, with "!" before an overdue one.
func monthLines(p Plan) [12][]string {
	var out [12][]string
	for m, items := range p.Months {
		for _, it := range items {
			key := it.Cycle
			if it.Campaign != "" {
				key = it.Campaign
			}
			s := it.ArchiveNo + "/" + key
			if it.Overdue {
				s = "!" + s
			}
			out[m] = append(out[m], s)
		}
	}
	return out
}

func checkMonths(t *testing.T, got Plan, want [12][]string) {
	t.Helper()
	lines := monthLines(got)
	for m := range 12 {
		if !slices.Equal(lines[m], want[m]) {
			t.Errorf("%s: %v, want %v", time.Month(m+1), lines[m], want[m])
		}
	}
}

// find returns the plan's item of a point and key in month m.
func find(t *testing.T, p Plan, m time.Month, archive, key string) Item {
	t.Helper()
	for _, it := range p.Month(m) {
		if it.ArchiveNo == archive && (it.Cycle == key || it.Campaign == key) {
			return it
		}
	}
	t.Fatalf("%s: no %s/%s", m, archive, key)
	return Item{}
}

// TestPowerPlan2026: a power company's plan for 2026 lists each customer
// at its cycle (INS-001, INS-004, INS-005, INS-008), in the months its
// inspections fall due on the official 2026 calendar, with the spring and
// autumn campaigns of every customer at 10 kV and above (INS-002).
func TestPowerPlan2026(t *testing.T) {
	p := pack(t, "power")
	point := func(id int64, voltage, usage, importance string) PointState {
		c, sp := powerPoint(id, voltage, usage, importance)
		return PointState{Customer: c, Point: sp}
	}
	last := func(ps PointState, track, d string) PointState {
		if ps.Last == nil {
			ps.Last = map[string]calendar.Date{}
		}
		ps.Last[track] = date(t, d)
		return ps
	}
	a := last(point(1, "380V", "power", ""), "periodic", "2024-11-20") // LV: 24mo → Fri 2026-11-20
	b := last(point(2, "380V", "power", ""), "periodic", "2025-11-20") // LV: due in 2027, not this year
	c := last(point(3, "10kV", "", ""), "periodic", "2025-06-10")      // 10 kV: 12mo → Wed 2026-06-10
	c.Campaigns = map[string]calendar.Date{"spring": date(t, "2025-04-02"), "autumn": date(t, "2025-10-10")}
	d := last(point(4, "35kV", "", ""), "periodic", "2025-09-10") // 35 kV: 6mo → 03-10, then 09-10
	d.Campaigns = map[string]calendar.Date{"spring": date(t, "2026-03-05")}
	e := point(5, "10kV", "", "grade2") // important 10 kV: 6mo, not 12mo (INS-008)
	e = last(last(last(e, "periodic", "2025-08-10"), "grid_marketing", "2025-10-15"), "grid_dispatch", "2026-01-05")
	f := point(6, "10kV", "", "") // never inspected, energised 2025-12-01
	f.Activated = date(t, "2025-12-01")
	g := point(7, "35kV", "", "")                                 // never inspected, activation unknown: due now
	h := last(point(8, "10kV", "", ""), "periodic", "2024-05-06") // overdue since 2025-05-07
	i := point(9, "220V", "lighting", "")                         // residential lighting: no cycle

	plan, err := PlanYear(p, cn(), 2026, []PointState{a, b, c, d, e, f, g, h, i})
	if err != nil {
		t.Fatal(err)
	}
	campaignsOf := func(key string, ids ...int) []string {
		var out []string
		for _, id := range ids {
			out = append(out, fmt.Sprintf("P-%06d/%s", id, key))
		}
		return out
	}
	checkMonths(t, plan, [12][]string{
		{"!P-000007/kv35", "!P-000008/kv10"},
		{"P-000005/important"},
		{"P-000004/kv35"},
		{"P-000005/grid_marketing"},
		campaignsOf("spring", 3, 5, 6, 7, 8), // P-000004 did its spring inspection on 2026-03-05
		{"P-000003/kv10"},
		{"P-000007/kv35", "P-000005/grid_dispatch"},
		{"P-000005/important"},
		{"P-000004/kv35"},
		{"P-000005/grid_marketing"},
		append([]string{"P-000001/lv_power"}, campaignsOf("autumn", 3, 4, 5, 6, 7, 8)...),
		{"P-000006/kv10"},
	})
	if len(plan.Unplanned) != 1 || plan.Unplanned[0].ArchiveNo != "P-000009" || plan.Provisional || plan.Year != 2026 || plan.Calendar != "cn" {
		t.Errorf("plan: unplanned %+v provisional %v", plan.Unplanned, plan.Provisional)
	}

	// INS-008: the important customer's item states every rule it satisfies.
	imp := find(t, plan, time.February, "P-000005", "important")
	if imp.Track != "periodic" || imp.Interval.String() != "6mo" || imp.Checklist != "power_safety" ||
		!slices.Equal(imp.Rules, []string{"CUS-003", "INS-001", "INS-004", "INS-008"}) || imp.Due.Day.String() != "2026-02-10" ||
		!imp.Due.At.Equal(at(t, "2026-02-11 00:00")) {
		t.Errorf("important item %+v", imp)
	}
	// INS-005 Dispatch: Sun 07-05 → Mon 07-06 (RULES example).
	if it := find(t, plan, time.July, "P-000005", "grid_dispatch"); it.Track != "grid_dispatch" || it.Due.Day.String() != "2026-07-06" {
		t.Errorf("dispatch %+v", it)
	}
	// INS-002: a periodic inspection inside an open campaign window may be combined.
	if it := find(t, plan, time.September, "P-000004", "kv35"); !slices.Equal(it.Combinable, []string{"autumn"}) {
		t.Errorf("September 35 kV combinable %v", it.Combinable)
	}
	if it := find(t, plan, time.March, "P-000004", "kv35"); len(it.Combinable) != 0 {
		t.Errorf("March 35 kV combinable %v, but spring is done", it.Combinable)
	}
	sp := find(t, plan, time.May, "P-000003", "spring")
	if sp.Track != "" || sp.Checklist != "power_seasonal" || sp.Due.Day.String() != "2026-05-31" || sp.Due.Basis != FromWindow {
		t.Errorf("spring item %+v", sp)
	}
	// The bases of the first due dates (CAL-010).
	if it := find(t, plan, time.December, "P-000006", "kv10"); it.Due.Basis != FromActivation || it.Due.Day.String() != "2026-12-01" {
		t.Errorf("activation item %+v", it)
	}
	if it := find(t, plan, time.January, "P-000007", "kv35"); it.Due.Basis != DueNow || !it.Overdue {
		t.Errorf("due-now item %+v", it)
	}
	if it := find(t, plan, time.July, "P-000007", "kv35"); it.Due.From.String() != "2026-01-01" || it.Due.Day.String() != "2026-07-01" {
		t.Errorf("after a due-now item %+v", it)
	}
	if it := find(t, plan, time.January, "P-000008", "kv10"); it.Due.Day.String() != "2025-05-06" || !it.Overdue {
		t.Errorf("overdue item %+v", it)
	}
	if n, q1 := len(plan.Items()), len(plan.Quarter(1)); n != 24 || q1 != 4 {
		t.Errorf("%d items, %d in Q1", n, q1)
	}
	if plan.Quarter(0) != nil || plan.Month(13) != nil {
		t.Error("out-of-range period")
	}
}

// TestGasPlan2026: a daily-read industrial customer appears every month
// (INS-007), its due days moved off the 2026 holidays (CAL-005) and each
// next one counted from the last (CAL-010); a weekly-read restaurant every
// quarter; a household at its 2-year date (INS-006); a heating customer
// one year after it was connected.
func TestGasPlan2026(t *testing.T) {
	p := pack(t, "gas")
	state := func(id int64, typ, freq, lastDone string) PointState {
		c, sp := gasPoint(id, typ, freq)
		ps := PointState{Customer: c, Point: sp}
		if lastDone != "" {
			ps.Last = map[string]calendar.Date{policy.TrackPeriodic: date(t, lastDone)}
		}
		return ps
	}
	heating := state(14, "heating", "", "")
	heating.Activated = date(t, "2025-03-01")
	plan, err := PlanYear(p, cn(), 2026, []PointState{
		state(11, "industrial", "daily", "2025-12-15"),
		state(12, "residential", "", "2024-08-15"),
		state(13, "commercial", "weekly", "2026-01-20"),
		heating,
	})
	if err != nil {
		t.Fatal(err)
	}
	ind, res, rest, heat := "G-000011/ci_daily", "G-000012/residential", "G-000013/ci_weekly", "G-000014/non_residential"
	checkMonths(t, plan, [12][]string{
		{ind}, {ind}, {heat, ind}, {rest, ind}, {ind}, {ind}, {rest, ind}, {res, ind}, {ind}, {rest, ind}, {ind}, {ind},
	})
	var days []string
	for _, it := range plan.Items() {
		if it.Cycle == "ci_daily" {
			days = append(days, it.Due.Day.String()[5:])
		}
	}
	// Sun 02-15 (Spring Festival) → Tue 02-24; Sun 05-24 → 05-25; Sat 07-25
	// → 07-27; Sun 09-27 (Mid-Autumn) → 09-28; Sat 11-28 → 11-30.
	want := []string{"01-15", "02-24", "03-24", "04-24", "05-25", "06-25", "07-27", "08-27", "09-28", "10-28", "11-30", "12-30"}
	if !slices.Equal(days, want) {
		t.Errorf("daily-read due days %v, want %v", days, want)
	}
	if it := find(t, plan, time.August, "G-000012", "residential"); it.Due.Day.String() != "2026-08-17" || it.Checklist != "gas_indoor" {
		t.Errorf("household %+v", it)
	}
	if it := find(t, plan, time.March, "G-000014", "non_residential"); it.Due.Basis != FromActivation || it.Due.Day.String() != "2026-03-02" {
		t.Errorf("heating %+v", it)
	}
	if it := find(t, plan, time.April, "G-000013", "ci_weekly"); !slices.Equal(it.Rules, []string{"INS-006", "INS-007", "INS-008"}) ||
		it.Checklist != "gas_ci_full" {
		t.Errorf("restaurant %+v", it)
	}
}

// TestPlanProvisional: a plan for a year without an official notice is
// marked provisional (CAL-001).
func TestPlanProvisional(t *testing.T) {
	c, sp := powerPoint(1, "35kV", "", "")
	plan, err := PlanYear(pack(t, "power"), cn(), 2027, []PointState{{Customer: c, Point: sp,
		Last: map[string]calendar.Date{"periodic": date(t, "2026-09-10")}}})
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Provisional || len(plan.Month(time.March)) != 1 || plan.Month(time.March)[0].Due.Day.String() != "2027-03-10" {
		t.Errorf("2027 plan: provisional %v, March %+v", plan.Provisional, plan.Month(time.March))
	}
}

// TestPlanErrors: the plan runs on the pack's calendar, inside the
// calendar's years.
func TestPlanErrors(t *testing.T) {
	p := pack(t, "power")
	if _, err := PlanYear(p, calendar.BuiltinCNOffice(), 2026, nil); err == nil {
		t.Error("the power pack planned on cn-office")
	}
	if _, err := PlanYear(p, cn(), 1999, nil); err == nil {
		t.Error("1999 accepted")
	}
	if _, err := PlanYear(nil, cn(), 2026, nil); err == nil {
		t.Error("nil pack accepted")
	}
	// The last supported year plans; what falls due later is left out.
	c, sp := powerPoint(1, "10kV", "", "")
	plan, err := PlanYear(p, cn(), calendar.MaxYear, []PointState{{Customer: c, Point: sp,
		Last: map[string]calendar.Date{"periodic": calendar.D(calendar.MaxYear-1, 3, 2)}}})
	if err != nil || len(plan.Month(time.March)) != 1 {
		t.Errorf("last year: %v %+v", err, plan.Month(time.March))
	}
}
