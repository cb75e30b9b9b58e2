package process_test

import (
	"net/http"
	"slices"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/process"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// start starts a process at the given time as who, failing the test on error.
func (f *fixture) start(who, when, def string, point store.ID, attrs map[string]any) *process.Process {
	f.t.Helper()
	f.clk.Set(at(when))
	p, err := f.svc.Start(f.ctx, f.people[who], process.StartInput{Definition: def, ServicePointID: point, Attributes: attrs})
	if err != nil {
		f.t.Fatalf("start %s at %s: %v", def, when, err)
	}
	return p
}

// startRefused starts a process a guard must refuse with the rule and
// guard kind; it returns the error.
func (f *fixture) startRefused(who, when, def string, point store.ID, attrs map[string]any, rule, guard string) *apperr.Error {
	f.t.Helper()
	f.clk.Set(at(when))
	_, err := f.svc.Start(f.ctx, f.people[who], process.StartInput{Definition: def, ServicePointID: point, Attributes: attrs})
	e, ok := apperr.As(err)
	if !ok || e.Status != http.StatusUnprocessableEntity || e.Details["rule"] != rule || e.Details["guard"] != guard {
		f.t.Fatalf("start %s at %s: %v (details %v), want a %s refusal by %s", def, when, err, detailsOf(e), guard, rule)
	}
	return e
}

func detailsOf(e *apperr.Error) map[string]any {
	if e == nil {
		return nil
	}
	return e.Details
}

// complete ends the current step with the outcome ("" for the implicit done).
func (f *fixture) complete(who, when string, p *process.Process, outcome, comment string) *process.Process {
	f.t.Helper()
	return f.act(who, when, p.ID, process.ActionInput{Action: process.ActionComplete, Step: p.CurrentStep,
		Outcome: outcome, Comment: comment})
}

// fact records a fact at the given time.
func (f *fixture) fact(who, when string, p *process.Process, fact string) *process.Process {
	f.t.Helper()
	return f.act(who, when, p.ID, process.ActionInput{Action: process.ActionFact, Fact: fact})
}

// gated completes the current step, which must be refused by the gate
// field ("checklist", "requires") listing exactly missing.
func (f *fixture) gated(who string, p *process.Process, field string, missing ...string) *apperr.Error {
	f.t.Helper()
	return f.gatedAs(who, p, "", field, missing...)
}

// gatedAs is gated for an outcome of the step.
func (f *fixture) gatedAs(who string, p *process.Process, outcome, field string, missing ...string) *apperr.Error {
	f.t.Helper()
	e := f.refused(who, p.ID, process.ActionInput{Action: process.ActionComplete, Step: p.CurrentStep, Outcome: outcome},
		http.StatusUnprocessableEntity)
	got, _ := e.Details["missing"].([]string)
	if e.Field != field || !slices.Equal(got, missing) {
		f.t.Fatalf("%s: refused on %s missing %v, want %s missing %v", p.CurrentStep, e.Field, got, field, missing)
	}
	return e
}

// onUnit checks the unit of the current round.
func onUnit(t *testing.T, p *process.Process, unit store.ID) {
	t.Helper()
	if sr := current(t, p); sr.UnitID != unit {
		t.Fatalf("%s at unit %d, want %d", sr.Step, sr.UnitID, unit)
	}
}

// finished checks that the process completed within every deadline with
// exactly the documents given (kind → count).
func finished(t *testing.T, p *process.Process, docs map[string]int) {
	t.Helper()
	if p.Status != process.StatusCompleted || p.ClosedAt == nil || p.Breached {
		t.Fatalf("at the end: status %s closed %v breached %v", p.Status, p.ClosedAt, p.Breached)
	}
	kinds := map[string]int{}
	for _, d := range p.Documents {
		kinds[d.Kind]++
	}
	if len(kinds) != len(docs) {
		t.Errorf("documents %v, want %v", kinds, docs)
	}
	for kind, n := range docs {
		if kinds[kind] != n {
			t.Errorf("%d %s documents, want %d (all: %v)", kinds[kind], kind, n, kinds)
		}
	}
}

// TestResidentialConnection: PRC-002 tenant documents, PRC-003 clocks on
// the worked example (plan 3d, energisation 3wd across the Spring
// Festival) and G-11 contract before energisation.
func TestResidentialConnection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		sp := f.supplyPoint("李四")
		p := f.start("agent", "2026-02-09 09:30", "connection.residential", sp.ID, map[string]any{"tenant": true})
		// PRC-002: a tenant without the lessor's guarantee is not accepted
		// and the plan clock does not start.
		for _, c := range p.Checklist {
			if c.Step == "application" && c.Required && c.Item != "lessor_fee_guarantee" {
				p = f.act("agent", "2026-02-09 09:40", p.ID, process.ActionInput{Action: process.ActionReceive, Item: c.Item})
			}
		}
		f.gated("agent", p, "checklist", "lessor_fee_guarantee")
		due(t, p, "application", "")
		p = f.receiveAll("agent", "2026-02-09 09:50", p)
		p = f.complete("agent", "2026-02-09 10:00", p, "", "")

		// PRC-003: accepted Mon 2026-02-09 10:00 → plan due end of Thu 02-12.
		due(t, p, "supply_plan", "2026-02-13 00:00")
		onUnit(t, p, f.units["marketing"].ID)
		p = f.complete("marketing", "2026-02-11 15:00", p, "", "")

		// Inspection by the branch's field staff: rectified once.
		due(t, p, "inspection", "")
		onUnit(t, p, f.units["branch"].ID)
		f.refused("marketing", p.ID, process.ActionInput{Action: process.ActionComplete, Outcome: "passed"}, http.StatusForbidden)
		p = f.complete("field", "2026-02-12 10:00", p, "rectify", "表箱未可靠接地。")
		p = f.complete("field", "2026-02-13 10:00", p, "passed", "")

		// G-11: the endorsement is signed before energising.
		f.gated("marketing", p, "checklist", "endorsed_application_form")
		p = f.receiveAll("marketing", "2026-02-13 10:30", p)
		p = f.complete("marketing", "2026-02-13 11:00", p, "", "")
		sr := current(t, p)
		if sr.Step != "energise" || sr.DueAt != nil || !slices.Equal(sr.Waiting, []string{"fees_paid"}) {
			t.Fatalf("energise before the fees: %+v, want its clock waiting for fees_paid", sr)
		}
		e := f.gated("field", p, "requires", "fees_paid")
		if rules, _ := e.Details["rules"].([]string); !slices.Contains(rules, "PRC-003") {
			t.Errorf("refusal rules %v, want PRC-003", rules)
		}
		// Inspection passed and fees paid Fri 2026-02-13 → end of Wed 02-25
		// (Sat 02-14 make-up = day 1, 02-15 to 02-23 holiday, 02-24, 02-25).
		p = f.fact("marketing", "2026-02-13 14:00", p, "fees_paid")
		due(t, p, "energise", "2026-02-26 00:00")
		onUnit(t, p, f.units["branch"].ID)
		p = f.complete("field", "2026-02-25 10:00", p, "", "")
		finished(t, p, map[string]int{"supply_plan_reply": 1, "rectification_notice": 1, "supply_notice": 1})
		if !hasFact(p, "energised") || !hasFact(p, "contract_signed") {
			t.Fatalf("facts %+v", p.Facts)
		}
	})
}

// TestLVConnection: a 15 kW commercial tenant from application to
// energisation (PRC-004 documents, PRC-005 review with one revision,
// PRC-007 completion checklist with one failed acceptance, PRC-008
// energisation), and an 8 kW industrial customer accepted on the PRC-004
// example whose review stays at the accepting unit (PRC-014).
func TestLVConnection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		shop := f.supplyPoint("城区便利店")
		p := f.start("agent", "2026-02-25 09:00", "connection.lv", shop.ID,
			map[string]any{"customer_type": "commercial", "tenant": true, "capacity_kw": 15.0})
		e := f.refused("agent", p.ID, process.ActionInput{Action: process.ActionComplete}, http.StatusUnprocessableEntity)
		missing, _ := e.Details["missing"].([]string)
		for _, want := range []string{"lv_application_form", "business_licence", "lease_with_billing_clause", "load_composition_equipment"} {
			if !slices.Contains(missing, want) {
				t.Errorf("missing %v, want %s among them", missing, want)
			}
		}
		for _, not := range []string{"property_certificate", "project_approval", "site_layout"} {
			if slices.Contains(missing, not) {
				t.Errorf("missing %v asks a commercial tenant for %s", missing, not)
			}
		}
		p = f.receiveAll("agent", "2026-02-25 09:30", p)
		p = f.complete("agent", "2026-02-25 10:00", p, "", "")
		// 7d from Wed 02-25: the last day, Wed 03-04, is a working day.
		due(t, p, "supply_plan", "2026-03-05 00:00")
		p = f.complete("marketing", "2026-02-27 16:00", p, "", "")

		// PRC-005: submitted Mon 2026-03-02 → opinion due end of Thu 03-12;
		// PRC-014: above 10 kW the branch company reviews.
		due(t, p, "design_submission", "")
		p = f.receiveAll("marketing", "2026-03-02 09:00", p)
		p = f.complete("marketing", "2026-03-02 10:00", p, "", "")
		due(t, p, "design_review", "2026-03-13 00:00")
		onUnit(t, p, f.units["branch"].ID)
		e = f.refused("marketing", p.ID, process.ActionInput{Action: process.ActionComplete, Outcome: "revise"}, http.StatusUnprocessableEntity)
		if e.Field != "comment" {
			t.Fatalf("revise without the one-shot opinion: field %q", e.Field)
		}
		p = f.complete("marketing", "2026-03-05 15:00", p, "revise", "自备电源切换装置未设闭锁。")
		// Resubmitted Mon 03-09: a new 10d round, last day Thu 03-19.
		p = f.complete("marketing", "2026-03-09 10:00", p, "", "")
		due(t, p, "design_review", "2026-03-20 00:00")
		if sr := current(t, p); sr.Round != 2 {
			t.Fatalf("design review round %d, want 2", sr.Round)
		}
		p = f.complete("marketing", "2026-03-11 11:00", p, "approved", "")

		// PRC-007: without the authorised switching persons list the
		// completion application is incomplete.
		for _, c := range p.Checklist {
			if c.Step == "completion_application" && c.Item != "switching_persons_list" {
				p = f.act("marketing", "2026-04-20 09:00", p.ID, process.ActionInput{Action: process.ActionReceive, Item: c.Item})
			}
		}
		f.gated("marketing", p, "checklist", "switching_persons_list")
		p = f.receiveAll("marketing", "2026-04-21 09:00", p)
		p = f.complete("marketing", "2026-04-21 10:00", p, "", "")
		onUnit(t, p, f.units["branch"].ID)
		p = f.complete("field", "2026-04-22 10:00", p, "failed", "漏电保护器动作电流不符。")
		p = f.complete("marketing", "2026-04-27 10:00", p, "", "")
		p = f.complete("field", "2026-04-30 09:00", p, "passed", "")

		// G-11: the LV contract first; PRC-008: passed and procedures done
		// Thu 2026-04-30 → end of Mon 05-11 (05-06, 07, 08, Sat 09, 11).
		f.gated("marketing", p, "checklist", "lv_supply_contract")
		p = f.receiveAll("marketing", "2026-04-30 09:30", p)
		p = f.complete("marketing", "2026-04-30 10:00", p, "", "")
		f.gated("field", p, "requires", "fees_paid")
		p = f.fact("marketing", "2026-04-30 11:00", p, "fees_paid")
		due(t, p, "energise", "2026-05-12 00:00")
		p = f.complete("field", "2026-05-11 10:00", p, "", "")
		finished(t, p, map[string]int{"supply_plan_reply": 1, "design_review_opinion": 1, "construction_permit": 1,
			"rectification_notice": 1, "acceptance_sheet": 1, "supply_notice": 1})

		// PRC-004: industrial document set; accepted Mon 2026-09-28 → the
		// last day Mon 10-05 is a holiday → end of Thu 10-08.
		plant := f.supplyPoint("城东五金加工店")
		q := f.start("agent", "2026-09-28 09:00", "connection.lv", plant.ID,
			map[string]any{"customer_type": "industrial", "tenant": false, "capacity_kw": 8.0})
		e = f.refused("agent", q.ID, process.ActionInput{Action: process.ActionComplete}, http.StatusUnprocessableEntity)
		missing, _ = e.Details["missing"].([]string)
		if !slices.Contains(missing, "project_approval") || slices.Contains(missing, "business_licence") ||
			slices.Contains(missing, "lease_with_billing_clause") {
			t.Errorf("industrial customer missing %v", missing)
		}
		q = f.receiveAll("agent", "2026-09-28 09:30", q)
		q = f.complete("agent", "2026-09-28 10:00", q, "", "")
		due(t, q, "supply_plan", "2026-10-09 00:00")
		q = f.complete("marketing", "2026-09-29 10:00", q, "", "")
		q = f.receiveAll("marketing", "2026-09-30 09:00", q)
		q = f.complete("marketing", "2026-09-30 10:00", q, "", "")
		// PRC-014: 8 kW is reviewed at the accepting unit (the supply
		// station); 10d from 09-30 ends on Sat 10-10, a make-up workday.
		due(t, q, "design_review", "2026-10-11 00:00")
		onUnit(t, q, f.units["marketing"].ID)
	})
}

// TestScatteredLighting: PRC-022 — acceptance passed Tue 2026-07-14 →
// meter notice due end of Wed 07-15; notice issued 07-15 → energisation
// due end of Fri 07-17.
func TestScatteredLighting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		sp := f.supplyPoint("王五")
		p := f.start("agent", "2026-07-13 09:00", "connection.scattered_lighting", sp.ID, map[string]any{"tenant": false})
		p = f.receiveAll("agent", "2026-07-13 09:10", p)
		p = f.complete("agent", "2026-07-13 10:00", p, "", "")
		due(t, p, "acceptance", "")
		p = f.complete("field", "2026-07-14 15:00", p, "passed", "")
		p = f.receiveAll("marketing", "2026-07-14 15:30", p)
		p = f.complete("marketing", "2026-07-14 16:00", p, "", "")
		due(t, p, "meter_notice", "2026-07-16 00:00")
		p = f.complete("marketing", "2026-07-15 10:00", p, "", "")
		due(t, p, "energise", "2026-07-18 00:00")
		onUnit(t, p, f.units["marketing"].ID)
		p = f.complete("marketing", "2026-07-17 11:00", p, "", "")
		finished(t, p, map[string]int{"meter_notice": 1, "supply_notice": 1})
	})
}

// TestCommissionedTest: PRC-034 — received on the holiday Fri 2026-01-02
// → due end of Tue 01-06; received Wed 2026-09-30 16:00 → due end of
// Sat 10-10 (a make-up workday).
func TestCommissionedTest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.clk.Set(at("2026-01-02 09:00"))
		sp := f.supplyPoint("城南水厂")
		p := f.start("agent", "2026-01-02 10:00", "test.commissioned", sp.ID, map[string]any{"test_kind": "protection"})
		due(t, p, "schedule", "2026-01-07 00:00")
		onUnit(t, p, f.units["marketing"].ID)
		f.gated("marketing", p, "checklist", "installation_data")
		p = f.receiveAll("marketing", "2026-01-05 09:00", p)
		p = f.complete("marketing", "2026-01-06 16:00", p, "", "")
		due(t, p, "test", "")
		p = f.complete("field", "2026-01-12 10:00", p, "", "")
		finished(t, p, map[string]int{"test_schedule": 1})

		q := f.start("agent", "2026-09-30 16:00", "test.commissioned", sp.ID, map[string]any{"test_kind": "electrical"})
		due(t, q, "schedule", "2026-10-11 00:00")
	})
}

// TestProtectionSettings: PRC-035 — each step only by its role; the
// construction unit cannot act before dispatch approves the setting
// sheet; dispatch returns the calculation once; an on-site anomaly goes
// to marketing and back to verification.
func TestProtectionSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		sp := f.supplyPoint("开发区变电用户")
		p := f.start("agent", "2026-06-01 09:00", "protection.settings", sp.ID, nil)
		f.gated("marketing", p, "checklist", "setting_base_data")
		p = f.receiveAll("marketing", "2026-06-01 09:30", p)
		p = f.complete("marketing", "2026-06-01 10:00", p, "", "")

		// (2) production calculates.
		due(t, p, "calculation", "")
		f.refused("marketing", p.ID, process.ActionInput{Action: process.ActionComplete}, http.StatusForbidden)
		p = f.complete("field", "2026-06-03 10:00", p, "", "")

		// (3) dispatch reviews: not production, not yet the construction unit.
		f.refused("field", p.ID, process.ActionInput{Action: process.ActionComplete}, http.StatusForbidden)
		f.refused("field", p.ID, process.ActionInput{Action: process.ActionComplete, Step: "site_verification"}, http.StatusConflict)
		// PRC-035 example: no test report before dispatch approved the sheet.
		f.refused("field", p.ID, process.ActionInput{Action: process.ActionReceive, Item: "setting_test_report"}, http.StatusConflict)
		p = f.act("marketing", "2026-06-04 10:00", p.ID, process.ActionInput{Action: process.ActionReturn,
			Comment: "备自投动作时间与进线保护不配合。"})
		if sr := current(t, p); sr.Step != "calculation" || sr.Round != 2 {
			t.Fatalf("after the return: %s round %d, want calculation round 2", sr.Step, sr.Round)
		}
		p = f.complete("field", "2026-06-05 10:00", p, "", "")
		p = f.complete("marketing", "2026-06-08 10:00", p, "", "")
		if !hasFact(p, "settings_approved") {
			t.Fatal("the dispatch review did not approve the setting sheet")
		}

		// (4) the construction unit verifies on site; an anomaly goes to
		// marketing for rectification, then verification again.
		due(t, p, "site_verification", "")
		f.refused("marketing", p.ID, process.ActionInput{Action: process.ActionComplete, Outcome: "verified"}, http.StatusForbidden)
		p = f.complete("field", "2026-06-10 10:00", p, "anomaly", "低频减载定值与定值单不符。")
		onUnit(t, p, f.units["marketing"].ID)
		p = f.complete("marketing", "2026-06-11 10:00", p, "rectified", "")
		f.gatedAs("field", p, "verified", "checklist", "setting_test_report")
		p = f.receiveAll("field", "2026-06-12 09:00", p)
		p = f.complete("field", "2026-06-12 10:00", p, "verified", "")

		// (5) the inspection team hands the report to the customer.
		f.refused("field", p.ID, process.ActionInput{Action: process.ActionComplete}, http.StatusForbidden)
		p = f.complete("safety", "2026-06-15 10:00", p, "", "")
		finished(t, p, map[string]int{"setting_sheet": 1, "handover_receipt": 1})
		rounds := map[string]int{}
		for _, s := range p.Steps {
			rounds[s.Step] = max(rounds[s.Step], s.Round)
		}
		if rounds["calculation"] != 2 || rounds["dispatch_review"] != 2 || rounds["site_verification"] != 2 || rounds["rectification"] != 1 {
			t.Fatalf("rounds %v", rounds)
		}
	})
}
