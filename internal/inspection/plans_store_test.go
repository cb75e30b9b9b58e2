package inspection_test

import (
	"slices"
	"testing"

	"kefu/internal/inspection"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestPowerYearPlanStored is the done criterion: a power
// company's inspection plan for 2026 lists each customer at the right
// cycle on the official 2026 calendar — low voltage every 2 years, 10 kV
// yearly, 35 kV every 6 months (INS-001), important customers every 6
// months with the grid-side checks (INS-004, INS-005), the shortest cycle
// winning (INS-008), the spring and autumn campaigns of every customer at
// 10 kV and above (INS-002) — from the history recorded in kefu (CAL-010).
func TestPowerYearPlanStored(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "power", "2026-01-06 09:00")
		lv := map[string]any{"voltage": "380V", "usage": "power"}
		a := e.point("甲机械厂", "other_lv_industrial", lv)
		b := e.point("乙木器厂", "other_lv_industrial", lv)
		c := e.point("丙化工", "hv_single", map[string]any{"voltage": "10kV"})
		d := e.point("丁钢铁", "hv_single", map[string]any{"voltage": "35kV"})
		imp := e.point("戊医院", "hv_dual", map[string]any{"voltage": "10kV"})
		e.important(imp, "grade2")
		f := e.point("己新厂", "hv_single", map[string]any{"voltage": "10kV"}) // never inspected
		g := e.point("庚居民", "residential_lv", map[string]any{"voltage": "220V", "usage": "lighting"})
		e.inspect("liu", a, "periodic", "", "2024-11-20 10:00") // LV: 24mo → Fri 2026-11-20
		e.inspect("liu", b, "periodic", "", "2025-11-20 10:00") // LV: due in 2027
		e.inspect("liu", c, "periodic", "", "2025-06-10 10:00") // 10 kV: 12mo → Wed 2026-06-10
		e.inspect("liu", c, "", "spring", "2025-04-02 10:00")   // last year's campaign: this year's is due again
		e.inspect("ma", d, "periodic", "", "2025-09-10 10:00")  // 35 kV: 6mo → 03-10, 09-10
		e.inspect("ma", imp, "periodic", "", "2025-08-10 10:00")
		e.inspect("ma", imp, "grid_marketing", "", "2025-10-15 10:00")
		e.inspect("he", imp, "grid_dispatch", "", "2026-01-05 10:00")

		pl := e.plan("2026")
		if pl.Period != "year" || pl.PeriodKey != "2026" || pl.StartsOn.String() != "2026-01-01" || pl.EndsOn.String() != "2026-12-31" ||
			pl.Points != 7 || pl.Unplanned != 1 || pl.Provisional || pl.Calendar != "cn" {
			t.Errorf("plan %+v", pl)
		}
		arch := func(id store.ID, rest ...string) []string {
			var out []string
			for _, r := range rest {
				out = append(out, e.archive(id)+"/"+r)
			}
			return out
		}
		var want []string
		for _, part := range [][]string{
			arch(a, "lv_power 2026-11-20"),
			arch(c, "kv10 2026-06-10", "spring 2026-05-31", "autumn 2026-11-30"),
			arch(d, "kv35 2026-03-10", "kv35 2026-09-10", "spring 2026-05-31", "autumn 2026-11-30"),
			// INS-008: 10 kV yearly and important 6 months → 6 months; INS-005:
			// Dispatch Sun 07-05 → Mon 07-06.
			// Dispatch had never checked the grid side: due at once, done on
			// Mon 01-05 (✓); the next from then.
			arch(imp, "important 2026-02-10", "important 2026-08-10", "grid_marketing 2026-04-15", "grid_marketing 2026-10-15",
				"grid_dispatch 2026-01-01!✓", "grid_dispatch 2026-07-06", "spring 2026-05-31", "autumn 2026-11-30"),
			// Never inspected, energisation date unknown: due at once (CAL-010).
			arch(f, "kv10 2026-01-01!", "spring 2026-05-31", "autumn 2026-11-30"),
		} {
			want = append(want, part...)
		}
		slices.Sort(want)
		items := e.items(pl.ID, inspection.ItemFilter{})
		if got := lines(items); !slices.Equal(got, want) {
			t.Errorf("2026 plan:\n got %v\nwant %v", got, want)
		}
		_ = g // residential lighting: no cycle (INS-001), counted as unplanned
		for _, it := range items {
			switch {
			case it.ArchiveNo == e.archive(a):
				// Due at 24:00 of Fri 2026-11-20, written 00:00 of the next day.
				if !it.DueAt.Equal(at(t, "2026-11-21 00:00")) || it.Basis != "completion" || it.DueFrom.String() != "2024-11-20" ||
					!slices.Equal(it.Rules, []string{"CUS-003", "INS-001"}) || it.Checklist != "power_safety" {
					t.Errorf("LV item %+v", it)
				}
			case it.ArchiveNo == e.archive(imp) && it.Cycle == "important" && it.Seq == 1:
				if !slices.Equal(it.Rules, []string{"CUS-003", "INS-001", "INS-004", "INS-008"}) || !it.DueAt.Equal(at(t, "2026-02-11 00:00")) {
					t.Errorf("important item %+v", it)
				}
			case it.ArchiveNo == e.archive(d) && it.Cycle == "kv35" && it.Seq == 2:
				// INS-002: a periodic inspection inside the autumn window may be combined.
				if !slices.Equal(it.Combinable, []string{"autumn"}) {
					t.Errorf("35 kV September item %+v", it)
				}
			case it.ArchiveNo == e.archive(f) && it.Cycle == "kv10":
				if it.Basis != "now" || !it.Overdue || !it.OverdueAtStart {
					t.Errorf("due-now item %+v", it)
				}
			}
		}
		// The quarter's and the month's plans list the obligations of their
		// period; a month's plan carries what was already overdue when it
		// began (!), its date counted from the period's first day when due now.
		q1 := e.plan("2026-Q1")
		if got, want := lines(e.items(q1.ID, inspection.ItemFilter{})), sorted(e.archive(d)+"/kv35 2026-03-10",
			e.archive(imp)+"/important 2026-02-10", e.archive(imp)+"/grid_dispatch 2026-01-01!✓", e.archive(f)+"/kv10 2026-01-01!"); !slices.Equal(got, want) {
			t.Errorf("Q1: %v, want %v", got, want)
		}
		e.clk.Set(at(t, "2026-04-28 09:00"))
		if got, want := lines(e.items(e.plan("2026-05").ID, inspection.ItemFilter{})), sorted(
			e.archive(c)+"/spring 2026-05-31", e.archive(d)+"/spring 2026-05-31", e.archive(imp)+"/spring 2026-05-31", e.archive(f)+"/spring 2026-05-31",
			e.archive(d)+"/kv35 2026-03-10!", e.archive(imp)+"/important 2026-02-10!", e.archive(imp)+"/grid_marketing 2026-04-15!",
			e.archive(f)+"/kv10 2026-05-01!"); !slices.Equal(got, want) {
			t.Errorf("May: %v, want %v", got, want)
		}
	})
}

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}

// TestGasPlanByReadingFrequency: gas cycles by user class (INS-006) and,
// for commercial, industrial and public-welfare customers, by meter-reading
// frequency (INS-007), the shortest winning (INS-008). INS-007's example: a
// weekly-read restaurant last inspected Tue 2026-01-20 is next due
// 2026-04-21 00:00 (end of Mon 2026-04-20), quarterly beating yearly.
func TestGasPlanByReadingFrequency(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "gas", "2026-03-30 09:00")
		rest := e.point("老街饭店", "commercial", map[string]any{"reading_frequency": "weekly"})
		ind := e.point("东方化纤", "industrial", map[string]any{"reading_frequency": "daily"})
		home := e.point("张三", "residential", nil)
		heat := e.point("城东热力站", "heating", nil)
		school := e.point("实验小学", "public_welfare", map[string]any{"reading_frequency": "thrice_monthly"})
		e.inspect("liu", rest, "periodic", "", "2026-01-20 14:00")
		e.inspect("liu", ind, "periodic", "", "2026-03-24 10:00")
		e.inspect("ma", home, "periodic", "", "2024-08-15 10:00")
		e.inspect("ma", heat, "periodic", "", "2025-04-30 10:00")
		e.inspect("he", school, "periodic", "", "2025-10-31 10:00")

		got := lines(e.items(e.plan("2026-04").ID, inspection.ItemFilter{}))
		want := sorted(e.archive(rest)+"/ci_weekly 2026-04-20", e.archive(ind)+"/ci_daily 2026-04-24",
			e.archive(heat)+"/non_residential 2026-04-30", e.archive(school)+"/ci_thrice_monthly 2026-04-30")
		if !slices.Equal(got, want) {
			t.Errorf("April: %v, want %v", got, want)
		}
		// INS-006: the household's 2 years end Sat 2026-08-15 → Mon 08-17 (CAL-005).
		if got := lines(e.items(e.plan("2026-Q3").ID, inspection.ItemFilter{Cycle: "residential"})); !slices.Equal(got,
			[]string{e.archive(home) + "/residential 2026-08-17"}) {
			t.Errorf("Q3 households: %v", got)
		}
		sch, err := e.svc.Schedule(e.ctx, e.people["liu"], rest)
		if err != nil {
			t.Fatal(err)
		}
		tr := sch.Tracks[0]
		if len(sch.Tracks) != 1 || tr.Cycle != "ci_weekly" || tr.Interval != "3mo" || !slices.Equal(tr.Applicable, []string{"ci_weekly", "non_residential"}) ||
			tr.Last.String() != "2026-01-20" || tr.Due.Day.String() != "2026-04-20" || !tr.Due.At.Equal(at(t, "2026-04-21 00:00")) ||
			tr.Due.Overdue || !slices.Equal(tr.Rules, []string{"INS-006", "INS-007", "INS-008"}) || len(sch.Campaigns) != 0 {
			t.Errorf("restaurant schedule %+v", sch)
		}
	})
}
