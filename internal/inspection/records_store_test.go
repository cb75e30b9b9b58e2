package inspection_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"kefu/internal/inspection"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestRecordCompletesPlanItem: a closed record completes the earliest open
// item of its track in every plan that lists the point and becomes the
// track's last completion, so the next due date follows from the day it
// was done (CAL-010), in the plans and in the point's schedule.
func TestRecordCompletesPlanItem(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "gas", "2026-03-30 09:00")
		ind := e.point("东方化纤", "industrial", map[string]any{"reading_frequency": "daily"})
		e.inspect("liu", ind, "periodic", "", "2026-03-24 10:00")
		q2, apr := e.plan("2026-Q2"), e.plan("2026-04")
		a := e.archive(ind)
		if got := lines(e.items(q2.ID, inspection.ItemFilter{})); !slices.Equal(got,
			[]string{a + "/ci_daily 2026-04-24", a + "/ci_daily 2026-05-25", a + "/ci_daily 2026-06-25"}) {
			t.Fatalf("Q2 before: %v", got)
		}
		q2Items := e.items(q2.ID, inspection.ItemFilter{})
		// The team gets the items and Liu the first one.
		if _, err := e.svc.Assign(e.ctx, e.people["manager"], q2.ID, inspection.AssignInput{Filter: &inspection.ItemFilter{},
			TeamID: e.teamA.ID}); err != nil {
			t.Fatal(err)
		}
		e.certify("liu")
		if _, err := e.svc.Assign(e.ctx, e.people["leaderA"], q2.ID, inspection.AssignInput{ItemIDs: []store.ID{q2Items[1].ID},
			InspectorID: e.people["liu"].UserID}); err != nil {
			t.Fatal(err)
		}
		// Done early, on Mon 04-13: the May and June dates follow from it.
		e.clk.Set(at(t, "2026-04-13 16:00"))
		rec := e.inspect("liu", ind, "periodic", "", "2026-04-13 15:00")
		got := e.items(q2.ID, inspection.ItemFilter{})
		if l := lines(got); !slices.Equal(l, []string{a + "/ci_daily 2026-04-24✓", a + "/ci_daily 2026-05-13", a + "/ci_daily 2026-06-15"}) {
			t.Errorf("Q2 after: %v", l)
		}
		if got[0].RecordID != rec.ID || got[0].DoneOn.String() != "2026-04-13" || got[1].InspectorID != e.people["liu"].UserID ||
			got[1].TeamID != e.teamA.ID || got[1].ID != q2Items[1].ID {
			t.Errorf("the item kept its place and assignment: %+v %+v", got[0], got[1])
		}
		if l := lines(e.items(apr.ID, inspection.ItemFilter{})); !slices.Equal(l, []string{a + "/ci_daily 2026-04-24✓"}) {
			t.Errorf("April after: %v", l)
		}
		if r, err := e.svc.GetRecord(e.ctx, e.people["liu"], rec.ID); err != nil || len(r.PlanItems) != 2 {
			t.Errorf("record's plan items %v %v", r.PlanItems, err)
		}
		sch, err := e.svc.Schedule(e.ctx, e.people["liu"], ind)
		if err != nil {
			t.Fatal(err)
		}
		if tr := sch.Tracks[0]; tr.Last.String() != "2026-04-13" || tr.LastRecord != rec.ID || tr.Due.Day.String() != "2026-05-13" {
			t.Errorf("schedule %+v", tr)
		}
		// Regenerating keeps completions and assignments.
		pl, created, err := e.svc.GeneratePlan(e.ctx, e.people["manager"], inspection.PlanInput{Period: "2026-Q2"})
		if err != nil || created || pl.ID != q2.ID || pl.Progress.Done != 1 || pl.Progress.Total != 3 {
			t.Fatalf("regenerated: %v %v %+v", err, created, pl)
		}
		if again := e.items(q2.ID, inspection.ItemFilter{}); again[1].InspectorID != e.people["liu"].UserID || again[0].Status != "done" {
			t.Errorf("regenerated items %+v", again)
		}
		// A closed record is never changed, not even by SQL (append-only).
		if _, err := db.Writer().ExecContext(e.ctx, store.Rebind("UPDATE inspection_records SET note = 'x' WHERE id = ?"), rec.ID); err == nil {
			t.Error("a closed record was changed")
		}
		if _, err := e.svc.UpdateRecord(e.ctx, e.people["liu"], rec.ID, inspection.RecordUpdate{Note: "补记"}); err == nil {
			t.Error("a closed record was updated")
		}
		// A correction is a new record referencing it; the history counts
		// the correction (here: the same day, another entry).
		form := e.fill(rec.Checklists)
		form.Answers["gas_ci_full"]["meter_flow"] = "流量超出额定范围，已告知客户"
		corr, err := e.svc.CreateRecord(e.ctx, e.people["auditor"], inspection.RecordInput{Corrects: rec.ID, Form: form, Close: true})
		if err != nil {
			t.Fatal(err)
		}
		if corr.CorrectsID != rec.ID || corr.InspectorID != e.people["liu"].UserID || !corr.InspectedAt.Equal(rec.InspectedAt) ||
			corr.Status != inspection.StatusClosed {
			t.Errorf("correction %+v", corr)
		}
		if orig, _ := e.svc.GetRecord(e.ctx, e.people["liu"], rec.ID); orig.CorrectedByID != corr.ID {
			t.Errorf("original not marked corrected: %+v", orig)
		}
		if got := e.items(q2.ID, inspection.ItemFilter{}); got[0].RecordID != corr.ID {
			t.Errorf("the item points at %d, not the correction %d", got[0].RecordID, corr.ID)
		}
		hh, err := e.svc.InspectedHouseholds(e.ctx, e.co.ID, e.people["liu"].UserID, at(t, "2026-04-01 00:00"), at(t, "2026-05-01 00:00"))
		if err != nil || !slices.Equal(hh, []string{ind.String()}) {
			t.Errorf("SMP-006 population %v %v", hh, err)
		}
	})
}

// TestChecklistRules: a power record with item (4) blank cannot be closed
// (INS-010), nor without the no-operation statement; the gas indoor form's
// customer copy must match the stub (INS-012: "hose replaced" on the stub,
// blank on the customer copy → returned to the inspector) and bear the
// customer's signature or the refusal with a witness.
func TestChecklistRules(t *testing.T) {
	power, gas := builtin(t, "power"), builtin(t, "gas")
	ps := &power.Inspections
	full := func(p *policy.Pack, lists ...string) inspection.Form {
		f := inspection.Form{Answers: map[string]map[string]string{}, CustomerCopy: map[string]map[string]string{},
			Acknowledgements: map[string]bool{}, Signature: "paper"}
		for _, key := range lists {
			c, _ := p.Inspections.Checklist(key)
			f.Answers[key], f.CustomerCopy[key] = map[string]string{}, map[string]string{}
			for _, it := range c.Items {
				f.Answers[key][it.Key], f.CustomerCopy[key][it.Key] = "正常", "正常"
			}
			for _, a := range c.Acknowledgements {
				f.Acknowledgements[a.Key] = true
			}
		}
		return f
	}
	f := full(power, "power_safety")
	if err := inspection.CheckComplete(ps, []string{"power_safety"}, f); err != nil {
		t.Fatal(err)
	}
	f.Answers["power_safety"]["electrical_tests"] = " "
	err := inspection.CheckComplete(ps, []string{"power_safety"}, f)
	wantErr(t, err, http.StatusUnprocessableEntity, "answers.power_safety.electrical_tests")
	if msg := err.Error(); !strings.Contains(msg, "item (4)") {
		t.Errorf("message %q does not name item (4)", msg)
	}
	f = full(power, "power_safety")
	f.Acknowledgements["no_operation"] = false
	wantErr(t, inspection.CheckComplete(ps, []string{"power_safety"}, f), 422, "acknowledgements.no_operation")
	// A combined periodic and spring visit fills both checklists (INS-002).
	f = full(power, "power_safety")
	wantErr(t, inspection.CheckComplete(ps, []string{"power_safety", "power_seasonal"}, f), 422, "answers.power_seasonal.lightning_protection")

	gs := &gas.Inspections
	g := full(gas, "gas_indoor")
	g.Answers["gas_indoor"]["facilities"] = "已更换软管"
	g.CustomerCopy["gas_indoor"]["facilities"] = ""
	wantErr(t, inspection.CheckComplete(gs, []string{"gas_indoor"}, g), 422, "customer_copy.gas_indoor.facilities")
	g = full(gas, "gas_indoor")
	g.Signature = ""
	wantErr(t, inspection.CheckComplete(gs, []string{"gas_indoor"}, g), 422, "signature")
	g.SignatureRefused = true
	wantErr(t, inspection.CheckComplete(gs, []string{"gas_indoor"}, g), 422, "refusal_witness")
	g.RefusalWitness = "物业管理员 王五"
	if err := inspection.CheckComplete(gs, []string{"gas_indoor"}, g); err != nil {
		t.Errorf("refusal with a witness: %v", err)
	}
	// The C&I full inspection has one copy and no signature line.
	if err := inspection.CheckComplete(gs, []string{"gas_ci_full"}, inspection.Form{Answers: full(gas, "gas_ci_full").Answers}); err != nil {
		t.Errorf("C&I form: %v", err)
	}
}

// TestRecordRules: what a record refuses, each a 4xx naming the field,
// with nothing written: the checklist rules through the service, an
// obligation the point does not have, a campaign outside its window, a
// time in the future, unknown checklist items, bad hazards; and who may
// close it. INS-011: an important customer's work sheet is expected in the
// system within 1 working day — Fri 2026-04-03 → 2026-04-08 00:00 (end of
// Tue 04-07, the first working day after Qingming); a later close is late.
func TestRecordRules(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "power", "2026-04-03 16:00")
		imp := e.point("戊医院", "hv_dual", map[string]any{"voltage": "10kV"})
		e.important(imp, "grade1")
		lv := e.point("甲机械厂", "other_lv_industrial", map[string]any{"voltage": "380V", "usage": "power"})
		ctx, liu := e.ctx, e.people["liu"]
		inspected := at(t, "2026-04-03 10:00")
		before := count(t, db, "inspection_records")
		for _, c := range []struct {
			in    inspection.RecordInput
			field string
		}{
			{inspection.RecordInput{}, "service_point_id"},
			{inspection.RecordInput{ServicePointID: imp}, "track"},
			{inspection.RecordInput{ServicePointID: lv, Track: "grid_dispatch"}, "track"},
			{inspection.RecordInput{ServicePointID: lv, Campaign: "spring"}, "campaign"}, // LV: no campaigns (INS-002)
			{inspection.RecordInput{ServicePointID: imp, Campaign: "autumn"}, "inspected_at"},
			{inspection.RecordInput{ServicePointID: imp, Track: "periodic", InspectedAt: ptr(at(t, "2026-04-04 10:00"))}, "inspected_at"},
			{inspection.RecordInput{ServicePointID: imp, Track: "periodic", Form: inspection.Form{Answers: map[string]map[string]string{
				"power_seasonal": {"lightning_protection": "好"}}}}, "answers.power_seasonal"},
			{inspection.RecordInput{ServicePointID: imp, Track: "periodic", Form: inspection.Form{Answers: map[string]map[string]string{
				"power_safety": {"colour": "红"}}}}, "answers.power_safety.colour"},
			{inspection.RecordInput{ServicePointID: imp, Track: "periodic", Form: inspection.Form{CustomerCopy: map[string]map[string]string{
				"power_safety": {"interlocks": "好"}}}}, "customer_copy.power_safety"},
			{inspection.RecordInput{ServicePointID: imp, Track: "periodic", Hazards: []inspection.Finding{{Description: "接地不良",
				Severity: "huge", Responsibility: "customer"}}}, "hazards[0].severity"},
			{inspection.RecordInput{ServicePointID: imp, Track: "periodic", Hazards: []inspection.Finding{{Severity: "minor",
				Responsibility: "customer"}}}, "hazards[0].description"},
			{inspection.RecordInput{ServicePointID: imp, Track: "periodic", Close: true}, "answers.power_safety.backup_power"},
			{inspection.RecordInput{ServicePointID: 987654, Track: "periodic"}, "service_point_id"},
		} {
			_, err := e.svc.CreateRecord(ctx, liu, c.in)
			e, ok := apperrOf(err)
			if !ok || e.Status >= 500 || e.Field != c.field {
				t.Errorf("%+v: %v, want a 4xx naming %s", c.in, err, c.field)
			}
		}
		if n := count(t, db, "inspection_records"); n != before {
			t.Errorf("refused records wrote %d rows", n-before)
		}
		// A combined periodic and spring visit at the important customer.
		r, err := e.svc.CreateRecord(ctx, liu, inspection.RecordInput{ServicePointID: imp, Track: "periodic", Campaign: "spring",
			InspectedAt: &inspected})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(r.Checklists, []string{"power_safety", "power_seasonal"}) || r.Cycle != "important" || r.WorkSheet != "important_work_sheet" ||
			!r.WorkSheetDueAt.Equal(at(t, "2026-04-08 00:00")) || r.WorkSheetLate ||
			!slices.Equal(r.Rules, []string{"CUS-003", "G-46", "INS-001", "INS-002", "INS-004", "INS-008"}) {
			t.Errorf("record %+v", r)
		}
		// Only the inspector or the safety department changes or closes it.
		_, err = e.svc.CloseRecord(ctx, e.people["ma"], r.ID)
		wantErr(t, err, http.StatusForbidden, "")
		_, err = e.svc.CloseRecord(ctx, e.people["manager"], r.ID)
		wantErr(t, err, http.StatusForbidden, "")
		_, err = e.svc.CloseRecord(ctx, liu, r.ID)
		wantErr(t, err, 422, "answers.power_safety.backup_power")
		f := e.fill(r.Checklists)
		f.Answers["power_safety"]["electrical_tests"] = ""
		if _, err := e.svc.UpdateRecord(ctx, liu, r.ID, inspection.RecordUpdate{Form: f}); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.CloseRecord(ctx, liu, r.ID)
		wantErr(t, err, 422, "answers.power_safety.electrical_tests") // INS-010: item (4) blank
		f.Answers["power_safety"]["electrical_tests"] = "试验报告齐全，2025-11 试验合格"
		if _, err := e.svc.UpdateRecord(ctx, liu, r.ID, inspection.RecordUpdate{Form: f}); err != nil {
			t.Fatal(err)
		}
		// Entered after Tue 04-07: the work sheet is late (a warning, not a refusal).
		e.clk.Set(at(t, "2026-04-08 09:00"))
		closed, err := e.svc.CloseRecord(ctx, e.people["auditor"], r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if closed.Status != inspection.StatusClosed || !closed.WorkSheetLate || closed.ClosedBy != e.people["auditor"].UserID {
			t.Errorf("closed %+v", closed)
		}
		_, err = e.svc.CloseRecord(ctx, liu, r.ID)
		wantErr(t, err, http.StatusConflict, "status")
		// The LV customer is not important: no work sheet.
		lr := e.inspect("liu", lv, "periodic", "", "2026-04-08 08:00")
		if lr.WorkSheet != "" || lr.WorkSheetDueAt != nil {
			t.Errorf("LV work sheet %+v", lr)
		}
		list, err := e.svc.ListRecords(ctx, e.people["manager"], inspection.RecordFilter{ServicePoint: imp})
		if err != nil || len(list) != 1 || list[0].ID != r.ID || list[0].Signature != "" || !list[0].Signed {
			t.Errorf("list %v %+v", err, list)
		}
	})
}

// TestHazardsFoundRegistered: the hazards found on an inspection are
// registered in the hazard register when the record closes, in the same
// transaction (hazard.RegisterIn, INS-018), source "inspection" and the
// record's id; one fixed on site too.
func TestHazardsFoundRegistered(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "gas", "2026-03-10 16:00")
		home := e.point("李四", "residential", nil)
		inspected := at(t, "2026-03-10 10:00")
		r, err := e.svc.CreateRecord(e.ctx, e.people["liu"], inspection.RecordInput{ServicePointID: home, Track: "periodic",
			InspectedAt: &inspected, Hazards: []inspection.Finding{
				{Description: "燃气软管老化开裂", Severity: "general", Responsibility: "customer"},
				{Description: "阀门松动，已现场紧固", Severity: "minor", Responsibility: "company", FixedOnSite: true, Location: "厨房"},
			}})
		if err != nil {
			t.Fatal(err)
		}
		f := e.fill(r.Checklists)
		if _, err := e.svc.UpdateRecord(e.ctx, e.people["liu"], r.ID, inspection.RecordUpdate{Form: f, Hazards: r.Hazards}); err != nil {
			t.Fatal(err)
		}
		closed, err := e.svc.CloseRecord(e.ctx, e.people["liu"], r.ID)
		if err != nil && err.Error() == "hazard: not implemented" {
			t.Skip("hazard.RegisterIn is not implemented yet")
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(closed.Hazards) != 2 || closed.Hazards[0].HazardID == 0 || closed.Hazards[1].HazardID == 0 {
			t.Fatalf("hazards %+v", closed.Hazards)
		}
		var source string
		var sourceID store.ID
		if err := db.Reader().QueryRow(e.ctx, "SELECT source, source_id FROM hazards WHERE id = ?", closed.Hazards[0].HazardID).
			Scan(&source, &sourceID); err != nil || source != "inspection" || sourceID != r.ID {
			t.Errorf("hazard: %v %s %d", err, source, sourceID)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
