package inspection_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"kefu/internal/inspection"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestBreakdownAndCompletion (INS-009): the department manager gives the
// month's items to teams, each team leader splits the team's items evenly
// over the team's inspectors (as 420 → Liu 140, Ma 140, He 140), each
// assignment passing the certificate guard; completion is tracked per
// plan, team and inspector, and the overdue list shows what is past due,
// company-wide and per inspector, once however many plans list it.
func TestBreakdownAndCompletion(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "gas", "2026-04-28 09:00")
		var points []store.ID
		for i := range 12 {
			points = append(points, e.point(fmt.Sprintf("住户%02d", i+1), "residential", nil)) // never inspected: due at once
		}
		pl := e.plan("2026-05")
		all := e.items(pl.ID, inspection.ItemFilter{})
		if len(all) != 12 || pl.Progress.Total != 12 || pl.Progress.Done != 0 {
			t.Fatalf("plan %+v, %d items", pl.Progress, len(all))
		}
		ctx, mgr := e.ctx, e.people["manager"]
		ids := func(items []*inspection.PlanItem) []store.ID {
			var out []store.ID
			for _, it := range items {
				out = append(out, it.ID)
			}
			return out
		}
		// Who may break the plan down to teams: the department manager,
		// not a team leader, not an inspector.
		_, err := e.svc.Assign(ctx, e.people["leaderA"], pl.ID, inspection.AssignInput{ItemIDs: ids(all[:9]), TeamID: e.teamA.ID})
		wantErr(t, err, http.StatusForbidden, "")
		_, err = e.svc.Assign(ctx, e.people["liu"], pl.ID, inspection.AssignInput{ItemIDs: ids(all[:9]), TeamID: e.teamA.ID})
		wantErr(t, err, http.StatusForbidden, "")
		_, err = e.svc.Assign(ctx, mgr, pl.ID, inspection.AssignInput{ItemIDs: ids(all[:9]), TeamID: e.co.ID})
		wantErr(t, err, 422, "team_id")
		_, err = e.svc.Assign(ctx, mgr, pl.ID, inspection.AssignInput{ItemIDs: []store.ID{all[0].ID, 987654}, TeamID: e.teamA.ID})
		wantErr(t, err, 422, "item_ids")
		_, err = e.svc.Assign(ctx, mgr, pl.ID, inspection.AssignInput{TeamID: e.teamA.ID})
		wantErr(t, err, 422, "item_ids")
		res, err := e.svc.Assign(ctx, mgr, pl.ID, inspection.AssignInput{ItemIDs: ids(all[:9]), TeamID: e.teamA.ID})
		if err != nil || res.Assigned != 9 {
			t.Fatalf("to team A: %v %+v", err, res)
		}
		if res, err = e.svc.Assign(ctx, mgr, pl.ID, inspection.AssignInput{Filter: &inspection.ItemFilter{Unassigned: true},
			TeamID: e.teamB.ID}); err != nil || res.Assigned != 3 {
			t.Fatalf("to team B: %v %+v", err, res)
		}
		// The certificate guard: nobody of team A holds the gas inspector
		// permit yet (INS-017, STF-001), so the split is refused.
		_, err = e.svc.Assign(ctx, e.people["leaderA"], pl.ID, inspection.AssignInput{TeamID: e.teamA.ID, Split: true})
		wantErr(t, err, 422, "inspectors[0]")
		e.certify("liu", "ma", "he", "zhao")
		// Team B's leader does not break down team A's items; an inspector
		// of another team is refused.
		_, err = e.svc.Assign(ctx, e.people["leaderB"], pl.ID, inspection.AssignInput{TeamID: e.teamA.ID, Split: true})
		wantErr(t, err, http.StatusForbidden, "")
		_, err = e.svc.Assign(ctx, e.people["leaderA"], pl.ID, inspection.AssignInput{ItemIDs: ids(all[:1]),
			InspectorID: e.people["zhao"].UserID})
		wantErr(t, err, 422, "inspector_id")
		_, err = e.svc.Assign(ctx, e.people["leaderA"], pl.ID, inspection.AssignInput{ItemIDs: ids(all[:1]),
			InspectorID: e.people["leaderB"].UserID})
		wantErr(t, err, 422, "inspector_id")
		// Every call reaches the guard with the work of the item.
		var calls []string
		guard := func(ctx context.Context, tx store.Conn, pack *policy.Pack, work string, user store.ID, at time.Time, field string) error {
			calls = append(calls, fmt.Sprintf("%s %s %d", pack.Key, work, user))
			return nil
		}
		inspection.SetRequire(e.svc, guard)
		res, err = e.svc.Assign(ctx, e.people["leaderA"], pl.ID, inspection.AssignInput{TeamID: e.teamA.ID, Split: true})
		if err != nil {
			t.Fatal(err)
		}
		liu, ma, he := e.people["liu"].UserID, e.people["ma"].UserID, e.people["he"].UserID
		if res.Assigned != 9 || res.PerInspector[liu.String()] != 3 || res.PerInspector[ma.String()] != 3 || res.PerInspector[he.String()] != 3 {
			t.Errorf("split %+v", res.PerInspector)
		}
		slices.Sort(calls)
		if want := sorted(fmt.Sprintf("gas inspection.periodic %d", liu), fmt.Sprintf("gas inspection.periodic %d", ma),
			fmt.Sprintf("gas inspection.periodic %d", he)); !slices.Equal(calls, want) {
			t.Errorf("guard calls %v, want %v", calls, want)
		}
		if res, err = e.svc.Assign(ctx, e.people["leaderB"], pl.ID, inspection.AssignInput{Filter: &inspection.ItemFilter{Team: e.teamB.ID},
			InspectorID: e.people["zhao"].UserID}); err != nil || res.Assigned != 3 {
			t.Fatalf("team B: %v %+v", err, res)
		}
		// Liu does his three, Ma one; the rest stay open past due.
		mine := e.items(pl.ID, inspection.ItemFilter{Inspector: liu})
		e.clk.Set(at(t, "2026-05-06 17:00"))
		for _, it := range mine {
			e.inspect("liu", it.ServicePointID, "periodic", "", "2026-05-06 10:00")
		}
		e.inspect("ma", e.items(pl.ID, inspection.ItemFilter{Inspector: ma})[0].ServicePointID, "periodic", "", "2026-05-06 11:00")
		got, err := e.svc.GetPlan(ctx, mgr, pl.ID)
		if err != nil {
			t.Fatal(err)
		}
		// 4 of 12 → 33.3 %; team A 4 of 9 → 44.4 %; Liu 100 %, Ma 33.3 %.
		if p := got.Progress; p.Total != 12 || p.Done != 4 || p.Percent != 33.3 || p.Overdue != 8 {
			t.Errorf("plan progress %+v", p)
		}
		byID := map[store.ID]inspection.Progress{}
		for _, g := range append(got.Teams, got.Inspectors...) {
			byID[g.ID] = g
		}
		if a := byID[e.teamA.ID]; a.Total != 9 || a.Done != 4 || a.Percent != 44.4 || a.Name != "安检一班" {
			t.Errorf("team A %+v", a)
		}
		if b := byID[e.teamB.ID]; b.Total != 3 || b.Done != 0 || b.Percent != 0 {
			t.Errorf("team B %+v", b)
		}
		if l, m := byID[liu], byID[ma]; l.Percent != 100 || m.Percent != 33.3 || l.TeamID != e.teamA.ID {
			t.Errorf("Liu %+v, Ma %+v", l, m)
		}
		// The overdue list: 8 open items, once each although the year's plan
		// lists them too; Ma's two.
		e.plan("2026")
		over, err := e.svc.Overdue(ctx, mgr, inspection.ItemFilter{Limit: 100})
		if err != nil || len(over) != 8 {
			t.Fatalf("overdue: %v, %d items", err, len(over))
		}
		if mo, err := e.svc.Overdue(ctx, mgr, inspection.ItemFilter{Inspector: ma}); err != nil || len(mo) != 2 || !mo[0].Overdue {
			t.Errorf("Ma's overdue: %v %d", err, len(mo))
		}
		page1, _ := e.svc.Overdue(ctx, mgr, inspection.ItemFilter{Limit: 5})
		page2, _ := e.svc.Overdue(ctx, mgr, inspection.ItemFilter{Limit: 5, After: inspection.Cursor(page1, 5)})
		if len(page1) != 5 || len(page2) != 3 || page2[0].ID == page1[4].ID {
			t.Errorf("pages %d + %d", len(page1), len(page2))
		}
		// The INS-009 example's arithmetic: 1,198 of 1,240 → 96.6 %.
		if p := inspection.Percent(1198, 1240); p != 96.6 {
			t.Errorf("Percent(1198, 1240) = %v", p)
		}
		if inspection.Percent(140, 140) != 100 || inspection.Percent(0, 0) != 0 || inspection.Percent(1, 3) != 33.3 || inspection.Percent(2, 3) != 66.7 {
			t.Error("Percent rounding")
		}
		_ = points
	})
}

// TestPlanPermissionsAndInput: who generates plans (the department
// manager, the safety supervision department, an administrator; not a team
// leader, not an inspector) and the 4xx of bad input, naming the field;
// plans of another company are not found.
func TestPlanPermissionsAndInput(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "power", "2026-03-02 09:00")
		e.point("丙化工", "hv_single", map[string]any{"voltage": "10kV"})
		for _, who := range []string{"leaderA", "liu", "agent"} {
			_, _, err := e.svc.GeneratePlan(e.ctx, e.people[who], inspection.PlanInput{Period: "2026-04"})
			wantErr(t, err, http.StatusForbidden, "")
		}
		for _, c := range []struct{ period, field string }{{"", "period"}, {"2026-13", "period"}, {"2026-Q5", "period"},
			{"26-04", "period"}, {"1999", "period"}, {"2026-W14", "period"}} {
			_, _, err := e.svc.GeneratePlan(e.ctx, e.people["manager"], inspection.PlanInput{Period: c.period})
			wantErr(t, err, 422, c.field)
		}
		_, _, err := e.svc.GeneratePlan(e.ctx, e.people["manager"], inspection.PlanInput{Period: "2026-04", CompanyID: e.teamA.ID})
		wantErr(t, err, http.StatusNotFound, "company_id")
		pl, created, err := e.svc.GeneratePlan(e.ctx, e.people["auditor"], inspection.PlanInput{Period: "2026-04"})
		if err != nil || !created {
			t.Fatal(err)
		}
		// The administrator at the group names the company.
		_, _, err = e.svc.GeneratePlan(e.ctx, e.people["admin"], inspection.PlanInput{Period: "2026-Q2"})
		wantErr(t, err, 422, "company_id")
		if _, _, err := e.svc.GeneratePlan(e.ctx, e.people["admin"], inspection.PlanInput{Period: "2026-Q2", CompanyID: e.co.ID}); err != nil {
			t.Fatal(err)
		}
		list, err := e.svc.ListPlans(e.ctx, e.people["liu"], inspection.PlanFilter{})
		if err != nil || len(list) != 2 {
			t.Errorf("plans %v %d", err, len(list))
		}
		if _, err := e.svc.ListItems(e.ctx, e.people["liu"], pl.ID, inspection.ItemFilter{Status: "late"}); err == nil {
			t.Error("bad status accepted")
		}
		// Another company's people see nothing of it.
		other := e.org
		oc, err := other.Create(e.ctx, orgInput(e.root.ID, "城北供电公司"))
		if err != nil {
			t.Fatal(err)
		}
		stranger := userIn(t, db, oc)
		_, err = e.svc.GetPlan(e.ctx, stranger, pl.ID)
		wantErr(t, err, http.StatusNotFound, "plan")
		if l, _ := e.svc.ListPlans(e.ctx, stranger, inspection.PlanFilter{}); len(l) != 0 {
			t.Errorf("a stranger lists %d plans", len(l))
		}
		_, err = e.svc.ListItems(e.ctx, stranger, pl.ID, inspection.ItemFilter{})
		wantErr(t, err, http.StatusNotFound, "plan")
		_, err = e.svc.Assign(e.ctx, stranger, pl.ID, inspection.AssignInput{TeamID: e.teamA.ID, Filter: &inspection.ItemFilter{}})
		wantErr(t, err, http.StatusNotFound, "plan")
	})
}
