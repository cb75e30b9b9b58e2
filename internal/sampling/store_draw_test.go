package sampling_test

import (
	"context"
	"kefu/internal/auth"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/jobs"
	"kefu/internal/sampling"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// taskKeys are a draw's tasks as stratum/item/method.
func taskKeys(d *sampling.DrawRecord) []string {
	var out []string
	for _, t := range d.Tasks {
		out = append(out, t.Stratum+"/"+t.ItemID+"/"+t.Method)
	}
	return out
}

func perStratum(d *sampling.DrawRecord) map[string]int {
	out := map[string]int{}
	for _, t := range d.Tasks {
		out[t.Stratum]++
	}
	return out
}

// TestDrawCustomerManagerMonth is issue 10's done criterion: a gas
// company's monthly supervision of one customer manager draws exactly the
// sample the regulation requires and splits it correctly. 850 households
// read in April 2026 → 2 % = 17 (SMP-003, ceil) split 30/30/15/15/10 by
// largest remainder: 5.1/5.1/2.55/2.55/1.7 → 5/5/2/2/1 and the two left
// to the largest remainders, the boiler (0.7) and not-seen (0.55, listed
// before not-using) → 5/5/3/2/2 (G-22). The seed names pack, rule,
// company, person and month; one verification task per drawn item; a
// second draw of the month is refused until the first is cancelled with
// a reason; the same items in any order draw the same sample. In a month
// without wall-hung boilers their share is reallocated: 17 over
// 30/30/15/15 → 5.67/5.67/2.83/2.83 → 5/5/2/2 + 3 → 6/5/3/3.
func TestDrawCustomerManagerMonth(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		items := residential(850, 480, 20, 25, 30)
		d, err := f.svc.CreateDraw(f.ctx, f.auditor, sampling.DrawInput{Rule: "customer_manager.residential",
			CheckedUserID: f.cm.UserID, Period: "2026-04", Items: items})
		if err != nil {
			t.Fatal(err)
		}
		if d.Plan.Base != 850 || d.Plan.RatePct != 2 || d.Plan.Quota != 17 || d.Plan.Shortfall != 0 || d.Plan.FloorApplied {
			t.Errorf("plan: %+v", d.Plan)
		}
		wantSizes := map[string]int{"indoor": 5, "outdoor": 5, "not_seen": 3, "not_using": 2, "wall_hung_boiler": 2}
		for _, st := range d.Plan.Strata {
			if st.Size != wantSizes[st.Key] {
				t.Errorf("plan stratum %s: %d, want %d", st.Key, st.Size, wantSizes[st.Key])
			}
		}
		if got := perStratum(d); !mapsEqual(got, wantSizes) {
			t.Errorf("tasks per stratum %v, want %v", got, wantSizes)
		}
		if len(d.Tasks) != 17 || d.TaskCount != 17 || d.Status != sampling.DrawOpen {
			t.Fatalf("%d tasks, status %s", len(d.Tasks), d.Status)
		}
		for _, task := range d.Tasks {
			// Phone, ledger or on site: the checker chooses (SMP-003 has no split).
			if task.Status != sampling.TaskOpen || task.Method != "" || task.ItemID == "" {
				t.Errorf("task %+v", task)
			}
		}
		wantSeed := "gas|customer_manager.residential|" + f.co.ID.String() + "|" + f.cm.UserID.String() + "|2026-04"
		if d.Seed != wantSeed || d.CheckedPosition != "customer_manager" || d.CheckerPosition != "auditor" ||
			d.Level != 1 || d.CheckerID != f.auditor.UserID {
			t.Errorf("draw: seed %q, positions %s/%s, level %d", d.Seed, d.CheckedPosition, d.CheckerPosition, d.Level)
		}
		// Due at the end of May (the month after), a timer set.
		if !d.DueAt.Equal(at("2026-06-01 00:00")) {
			t.Errorf("due %v", d.DueAt)
		}
		if _, ok, _ := jobs.Get(f.ctx, db.Reader(), sampling.TimerDue, d.ID); !ok {
			t.Error("no due timer")
		}

		// One draw per rule, person and month.
		_, err = f.svc.CreateDraw(f.ctx, f.auditor, sampling.DrawInput{Rule: "customer_manager.residential",
			CheckedUserID: f.cm.UserID, Period: "2026-04", Items: items})
		wantErr(t, err, apperr.CodeConflict, "period")
		_, err = f.svc.CancelDraw(f.ctx, f.auditor, d.ID, "  ")
		wantErr(t, err, apperr.CodeValidation, "reason")
		if _, err := f.svc.CancelDraw(f.ctx, f.auditor, d.ID, "抄表数据导入有误"); err != nil {
			t.Fatal(err)
		}
		// The same items in another order: the same sample.
		shuffled := slices.Clone(items)
		rand.New(rand.NewPCG(7, 8)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		again, err := f.svc.CreateDraw(f.ctx, f.auditor, sampling.DrawInput{Rule: "customer_manager.residential",
			CheckedUserID: f.cm.UserID, Period: "2026-04", Items: shuffled})
		if err != nil {
			t.Fatal(err)
		}
		if again.Seed != d.Seed || !slices.Equal(taskKeys(again), taskKeys(d)) {
			t.Errorf("shuffled items drew another sample:\n%v\n%v", taskKeys(again), taskKeys(d))
		}
		old, err := f.svc.GetDraw(f.ctx, f.auditor, d.ID)
		if err != nil || old.Status != sampling.DrawCancelled || old.CancelReason != "抄表数据导入有误" {
			t.Errorf("cancelled draw: %+v %v", old, err)
		}

		// March without wall-hung boilers: their 10 % goes to the others.
		march, err := f.svc.CreateDraw(f.ctx, f.auditor, sampling.DrawInput{Rule: "customer_manager.residential",
			CheckedUserID: f.cm.UserID, Period: "2026-03", Items: residential(850, 480, 20, 25, 0)})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"indoor": 6, "outdoor": 5, "not_seen": 3, "not_using": 3}
		if got := perStratum(march); march.Plan.Quota != 17 || !mapsEqual(got, want) {
			t.Errorf("no boilers: quota %d, %v, want %v", march.Plan.Quota, got, want)
		}

		// The lists filter by rule, person, period and status.
		list, err := f.svc.ListDraws(f.ctx, f.auditor, sampling.DrawFilter{CheckedUserID: f.cm.UserID, Status: sampling.DrawOpen})
		if err != nil || len(list) != 2 || list[0].ID != march.ID || list[1].ID != again.ID {
			t.Errorf("open draws: %d %v", len(list), err)
		}
		list, _ = f.svc.ListDraws(f.ctx, f.auditor, sampling.DrawFilter{Period: "2026-04"})
		if len(list) != 2 {
			t.Errorf("April: %d draws", len(list))
		}
		list, _ = f.svc.ListDraws(f.ctx, f.auditor, sampling.DrawFilter{Rule: "inspector"})
		if len(list) != 0 {
			t.Errorf("inspector draws: %d", len(list))
		}
		_, err = f.svc.ListDraws(f.ctx, f.auditor, sampling.DrawFilter{Status: "lost"})
		wantErr(t, err, apperr.CodeValidation, "status")
		// Another company's auditor sees none of it.
		if list, _ := f.svc.ListDraws(f.ctx, f.other, sampling.DrawFilter{}); len(list) != 0 {
			t.Errorf("another company sees %d draws", len(list))
		}
		_, err = f.svc.GetDraw(f.ctx, f.other, d.ID)
		wantErr(t, err, apperr.CodeNotFound, "draw")
	})
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestDrawInspectorMonth: SMP-006 from the inspection records (a registered
// population source): 1,530 households → 31, 16 on site and 15 by phone
// (the odd one on site, G-58); 650 → 13 → the floor 20, 10 and 10. The
// source is asked for the inspector's month; items in the request are
// refused when it has records, and used when it has none (paper).
func TestDrawInspectorMonth(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		var asked []string
		f.svc.RegisterSource("inspections", func(_ context.Context, company, user store.ID, from, to time.Time) ([]sampling.Item, error) {
			asked = append(asked, from.Format("2006-01-02")+"/"+to.Format("2006-01-02"))
			if company != f.co.ID || user != f.field.UserID {
				t.Errorf("source asked for company %d user %d", company, user)
			}
			switch from.Month() {
			case time.April:
				return plain("H", 1530), nil
			case time.January: // no records kept in kefu that month
				return nil, nil
			}
			return plain("H", 650), nil
		})
		d, err := f.svc.CreateDraw(f.ctx, f.auditor, sampling.DrawInput{Rule: "inspector", CheckedUserID: f.field.UserID, Period: "2026-04"})
		if err != nil {
			t.Fatal(err)
		}
		by := map[string]int{}
		for _, task := range d.Tasks {
			by[task.Method]++
		}
		if d.Plan.Quota != 31 || len(d.Tasks) != 31 || by["on_site"] != 16 || by["phone"] != 15 || d.CheckedPosition != "safety_inspector" {
			t.Errorf("1,530: quota %d, %d tasks, %v, %s", d.Plan.Quota, len(d.Tasks), by, d.CheckedPosition)
		}
		d, err = f.svc.CreateDraw(f.ctx, f.auditor, sampling.DrawInput{Rule: "inspector", CheckedUserID: f.field.UserID, Period: "2026-03"})
		if err != nil {
			t.Fatal(err)
		}
		by = map[string]int{}
		for _, task := range d.Tasks {
			by[task.Method]++
		}
		if d.Plan.Quota != 20 || !d.Plan.FloorApplied || by["on_site"] != 10 || by["phone"] != 10 {
			t.Errorf("650: quota %d floor %v %v", d.Plan.Quota, d.Plan.FloorApplied, by)
		}
		if !slices.Equal(asked, []string{"2026-04-01/2026-05-01", "2026-03-01/2026-04-01"}) {
			t.Errorf("source asked %v", asked)
		}
		_, err = f.svc.CreateDraw(f.ctx, f.auditor, sampling.DrawInput{Rule: "inspector", CheckedUserID: f.field.UserID,
			Period: "2026-02", Items: plain("H", 30)})
		wantErr(t, err, apperr.CodeValidation, "items")
		// A month kefu holds no records of: the list kept on paper is sent.
		_, err = f.svc.CreateDraw(f.ctx, f.auditor, sampling.DrawInput{Rule: "inspector", CheckedUserID: f.field.UserID,
			Period: "2026-01"})
		wantErr(t, err, apperr.CodeValidation, "items")
		d, err = f.svc.CreateDraw(f.ctx, f.auditor, sampling.DrawInput{Rule: "inspector", CheckedUserID: f.field.UserID,
			Period: "2026-01", Items: plain("H", 1000)})
		if err != nil || d.Plan.Quota != 20 || d.Plan.Base != 1000 {
			t.Fatalf("January from the sent list: %v %+v", err, d)
		}
	})
}

// TestDrawRefused: bad input is refused naming the field, nothing
// written; the level matrix decides who may check whom (SMP-002).
func TestDrawRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		items := plain("H", 100)
		ok := sampling.DrawInput{Rule: "inspector", CheckedUserID: f.field.UserID, Period: "2026-04", Items: items}
		with := func(change func(*sampling.DrawInput)) sampling.DrawInput {
			in := ok
			change(&in)
			return in
		}
		auditorOf := f.auditor
		for _, c := range []struct {
			name  string
			who   *auth.Principal
			in    sampling.DrawInput
			code  string
			field string
		}{
			{"no rule", auditorOf, with(func(in *sampling.DrawInput) { in.Rule = "" }), apperr.CodeValidation, "rule"},
			{"unknown rule", auditorOf, with(func(in *sampling.DrawInput) { in.Rule = "nope" }), apperr.CodeValidation, "rule"},
			{"periodic rule", auditorOf, with(func(in *sampling.DrawInput) { in.Rule = "counter_clerk" }), apperr.CodeValidation, "rule"},
			{"no person", auditorOf, with(func(in *sampling.DrawInput) { in.CheckedUserID = 0 }), apperr.CodeValidation, "checked_user_id"},
			{"unknown person", auditorOf, with(func(in *sampling.DrawInput) { in.CheckedUserID = 987654 }), apperr.CodeValidation, "checked_user_id"},
			{"another company's person", auditorOf, with(func(in *sampling.DrawInput) { in.CheckedUserID = f.other.UserID }), apperr.CodeValidation, "checked_user_id"},
			{"not an inspector", auditorOf, with(func(in *sampling.DrawInput) { in.CheckedUserID = f.hotline.UserID }), apperr.CodeValidation, "checked_user_id"},
			{"wrong position", auditorOf, with(func(in *sampling.DrawInput) { in.CheckedPosition = "counter_clerk" }), apperr.CodeValidation, "checked_position"},
			{"no period", auditorOf, with(func(in *sampling.DrawInput) { in.Period = "" }), apperr.CodeValidation, "period"},
			{"bad period", auditorOf, with(func(in *sampling.DrawInput) { in.Period = "2026-13" }), apperr.CodeValidation, "period"},
			{"a day for a month", auditorOf, with(func(in *sampling.DrawInput) { in.Period = "2026-04-01" }), apperr.CodeValidation, "period"},
			{"future period", auditorOf, with(func(in *sampling.DrawInput) { in.Period = "2026-06" }), apperr.CodeValidation, "period"},
			{"no items", auditorOf, with(func(in *sampling.DrawInput) { in.Items = nil }), apperr.CodeValidation, "items"},
			{"duplicate item", auditorOf, with(func(in *sampling.DrawInput) { in.Items = append(slices.Clone(items), items[3]) }), apperr.CodeValidation, "items[100].id"},
			{"stratum of no rule", auditorOf, with(func(in *sampling.DrawInput) {
				in.Rule, in.CheckedUserID = "customer_manager.residential", f.cm.UserID
				in.Items = []sampling.Item{{ID: "1", Stratum: "garage"}}
			}), apperr.CodeValidation, "items"},
			{"rate outside the band", auditorOf, with(func(in *sampling.DrawInput) { in.RatePct = 7 }), apperr.CodeValidation, "rate_pct"},
			{"negative population", auditorOf, with(func(in *sampling.DrawInput) { in.Population = -1 }), apperr.CodeValidation, "population"},
			// SMP-002: a hotline operator checks level 1, not the auditors of level 2.
			{"hotline assigned an auditor's check", f.leader, sampling.DrawInput{Rule: "auditor", CheckedUserID: f.auditor.UserID,
				CheckerID: f.hotline.UserID, Period: "2026-04", Items: items}, apperr.CodeValidation, "checker_position"},
			{"an auditor checks themselves", auditorOf, sampling.DrawInput{Rule: "auditor", CheckedUserID: f.auditor.UserID,
				Period: "2026-04", Items: items}, apperr.CodeValidation, "checker_id"},
			// A team leader is a level-2 checker: not of safety inspectors.
			{"team leader checks an inspector", f.leader, ok, apperr.CodeValidation, "checker_position"},
			{"a position the checker does not hold", auditorOf, with(func(in *sampling.DrawInput) { in.CheckerPosition = "hotline_operator" }), apperr.CodeValidation, "checker_position"},
			{"checker of another company", auditorOf, with(func(in *sampling.DrawInput) { in.CheckerID = f.other.UserID }), apperr.CodeValidation, "checker_id"},
			{"field staff", f.cm, ok, apperr.CodeForbidden, ""},
			{"hotline operator", f.hotline, ok, apperr.CodeForbidden, ""},
		} {
			_, err := f.svc.CreateDraw(f.ctx, c.who, c.in)
			e, isApp := apperr.As(err)
			if !isApp || e.Code != c.code || e.Field != c.field {
				t.Errorf("%s: %v, want %s at %q", c.name, err, c.code, c.field)
			}
		}
		if n := f.count("SELECT count(*) FROM sampling_draws"); n != 0 {
			t.Errorf("%d draws written", n)
		}
		// The auditor assigns a level-1 check to a hotline operator.
		d, err := f.svc.CreateDraw(f.ctx, f.auditor, with(func(in *sampling.DrawInput) { in.CheckerID = f.hotline.UserID }))
		if err != nil || d.CheckerID != f.hotline.UserID || d.CheckerPosition != "hotline_operator" {
			t.Fatalf("assigned draw: %+v %v", d, err)
		}
	})
}
