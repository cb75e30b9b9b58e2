package process_test

import (
	"net/http"
	"slices"
	"testing"

	"kefu/internal/process"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestHVDualSourceConnection runs a high-voltage dual-source connection of
// 1,250 kVA from application to archive on the 2026 calendar: every gate
// refuses first, every clock is the worked example of RULES.md, the design
// review loops once and the completion acceptance fails once.
func TestHVDualSourceConnection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		sp := f.supplyPoint("城东机械厂")
		f.clk.Set(at("2026-09-14 09:30"))
		p, err := f.svc.Start(f.ctx, f.people["agent"], process.StartInput{Definition: "connection.hv",
			ServicePointID: sp.ID, Attributes: map[string]any{"customer_type": "industrial", "capacity_kva": 1250.0,
				"sources": "dual", "tenant": false, "important": false, "entrusted": false}})
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != process.StatusOpen || p.CurrentStep != "application" || p.CustomerID == 0 {
			t.Fatalf("started: %+v", p)
		}
		// PRC-004: the industrial document set; a tenant's lease is not asked.
		e := f.refused("agent", p.ID, process.ActionInput{Action: process.ActionComplete}, http.StatusUnprocessableEntity)
		missing, _ := e.Details["missing"].([]string)
		for _, want := range []string{"hv_application_form", "project_approval", "property_certificate"} {
			if !slices.Contains(missing, want) {
				t.Errorf("missing %v, want %s among them", missing, want)
			}
		}
		if slices.Contains(missing, "lease_with_billing_clause") || slices.Contains(missing, "business_licence") {
			t.Errorf("missing %v asks for documents of another customer type", missing)
		}
		p = f.receiveAll("agent", "2026-09-14 09:50", p)
		p = f.act("agent", "2026-09-14 10:00", p.ID, process.ActionInput{Action: process.ActionComplete, Step: "application"})

		// PRC-009: dual source 30wd from Mon 2026-09-14 → end of Fri 2026-10-30;
		// PRC-013: 1,250 kVA is replied by the city company.
		due(t, p, "supply_plan_dual", "2026-10-31 00:00")
		if sr := current(t, p); sr.UnitID != f.units["city"].ID {
			t.Fatalf("supply plan routed to unit %d, want the city company %d", sr.UnitID, f.units["city"].ID)
		}
		f.refused("marketing", p.ID, process.ActionInput{Action: process.ActionComplete}, http.StatusForbidden)
		p = f.act("city", "2026-09-18 15:00", p.ID, process.ActionInput{Action: process.ActionComplete})
		if len(p.Documents) != 1 || p.Documents[0].Kind != "supply_plan_reply" {
			t.Fatalf("documents %+v, want the supply plan reply", p.Documents)
		}

		// Design submission, review, one revision (PRC-005, PRC-011: each
		// round restarts the clock, the earlier of 30d and 1mo).
		due(t, p, "design_submission", "")
		p = f.receiveAll("marketing", "2026-09-21 09:00", p)
		p = f.act("marketing", "2026-09-21 10:00", p.ID, process.ActionInput{Action: process.ActionComplete})
		due(t, p, "design_review", "2026-10-22 00:00")
		if sr := current(t, p); sr.UnitID != f.units["city"].ID {
			t.Fatalf("design review of a dual-source customer at unit %d, want the city company (PRC-014)", sr.UnitID)
		}
		e = f.refused("city", p.ID, process.ActionInput{Action: process.ActionComplete, Outcome: "revise"}, http.StatusUnprocessableEntity)
		if e.Field != "comment" {
			t.Fatalf("revise without the written opinion: field %q, want comment", e.Field)
		}
		p = f.act("city", "2026-09-22 16:00", p.ID, process.ActionInput{Action: process.ActionComplete, Outcome: "revise",
			Comment: "自备电源切换装置未设机械联锁；无功补偿容量不足。"})
		due(t, p, "design_submission", "")
		p = f.act("marketing", "2026-09-23 10:00", p.ID, process.ActionInput{Action: process.ActionComplete})
		due(t, p, "design_review", "2026-10-24 00:00")
		if sr := current(t, p); sr.Round != 2 {
			t.Fatalf("design review round %d, want 2", sr.Round)
		}
		// Construction may not start before the design is approved.
		p = f.act("city", "2026-09-25 11:00", p.ID, process.ActionInput{Action: process.ActionComplete, Outcome: "approved"})
		if !hasFact(p, "construction_permitted") {
			t.Fatal("approved design review did not permit construction")
		}
		p = f.receiveAll("marketing", "2026-09-26 09:00", p)
		p = f.act("marketing", "2026-09-26 09:30", p.ID, process.ActionInput{Action: process.ActionComplete, Step: "construction_start"})

		// Intermediate inspection by the branch's production staff, twice.
		p = f.act("field", "2026-09-28 10:00", p.ID, process.ActionInput{Action: process.ActionComplete, Outcome: "rectify",
			Comment: "电缆沟接地扁钢焊接长度不足。"})
		p = f.act("field", "2026-09-29 10:00", p.ID, process.ActionInput{Action: process.ActionComplete, Outcome: "passed"})

		// Completion application and the joint acceptance: fails once, then
		// passes only with all five parties signed (PRC-018, PRC-019).
		if p.CurrentStep != "completion_application" {
			t.Fatalf("after the inspection: step %s, want completion_application (not entrusted)", p.CurrentStep)
		}
		p = f.receiveAll("marketing", "2026-09-30 09:00", p)
		p = f.act("marketing", "2026-09-30 09:30", p.ID, process.ActionInput{Action: process.ActionComplete})
		p = f.act("field", "2026-09-30 15:00", p.ID, process.ActionInput{Action: process.ActionComplete, Outcome: "failed",
			Comment: "接地电阻 6Ω，超过 4Ω。"})
		p = f.act("marketing", "2026-10-07 09:30", p.ID, process.ActionInput{Action: process.ActionComplete})
		f.clk.Set(at("2026-10-08 10:00"))
		e = f.refused("field", p.ID, process.ActionInput{Action: process.ActionComplete, Outcome: "passed"}, http.StatusUnprocessableEntity)
		if e.Field != "countersign" {
			t.Fatalf("passed without signatures: field %q, want countersign", e.Field)
		}
		f.refused("field", p.ID, process.ActionInput{Action: process.ActionSign, Party: "safety"}, http.StatusForbidden)
		for who, parties := range map[string][]string{"marketing": {"marketing", "dispatch", "construction"},
			"safety": {"safety"}, "field": {"production"}} {
			for _, party := range parties {
				p = f.act(who, "2026-10-08 10:00", p.ID, process.ActionInput{Action: process.ActionSign, Party: party})
			}
		}
		f.refused("safety", p.ID, process.ActionInput{Action: process.ActionSign, Party: "safety"}, http.StatusConflict)
		p = f.act("field", "2026-10-08 10:30", p.ID, process.ActionInput{Action: process.ActionComplete, Outcome: "passed"})

		// PRC-021: the contract first; the 5wd clock waits for the last of
		// passed, fees paid and contract signed: Thu 2026-10-08 → end of Wed 10-14.
		p = f.receiveAll("marketing", "2026-10-08 11:00", p)
		p = f.act("marketing", "2026-10-08 11:30", p.ID, process.ActionInput{Action: process.ActionComplete, Step: "contract"})
		sr := current(t, p)
		if sr.Step != "energise" || sr.DueAt != nil || !slices.Equal(sr.Waiting, []string{"fees_paid"}) {
			t.Fatalf("energise before the fees: %+v, want its clock waiting for fees_paid", sr)
		}
		e = f.refused("field", p.ID, process.ActionInput{Action: process.ActionComplete}, http.StatusUnprocessableEntity)
		if e.Field != "checklist" && e.Field != "requires" {
			t.Fatalf("energise too early: field %q", e.Field)
		}
		p = f.act("marketing", "2026-10-08 16:00", p.ID, process.ActionInput{Action: process.ActionFact, Fact: "fees_paid"})
		due(t, p, "energise", "2026-10-15 00:00")
		p = f.receiveAll("field", "2026-10-12 09:00", p)
		p = f.act("field", "2026-10-13 10:00", p.ID, process.ActionInput{Action: process.ActionComplete})

		// PRC-023: checked within 1mo of energisation: Tue 10-13 → end of Fri 11-13.
		due(t, p, "post_check", "2026-11-14 00:00")
		p = f.receiveAll("field", "2026-11-10 09:00", p)
		p = f.act("field", "2026-11-10 10:00", p.ID, process.ActionInput{Action: process.ActionComplete})
		if p.Status != process.StatusCompleted || p.ClosedAt == nil || p.Breached {
			t.Fatalf("at the end: status %s closed %v breached %v", p.Status, p.ClosedAt, p.Breached)
		}
		rounds := map[string]int{}
		for _, s := range p.Steps {
			rounds[s.Step] = max(rounds[s.Step], s.Round)
		}
		if rounds["design_review"] != 2 || rounds["intermediate_inspection"] != 2 || rounds["completion_acceptance"] != 2 ||
			rounds["completion_application"] != 2 || rounds["supply_plan_single"] != 0 || rounds["important_confirmation"] != 0 {
			t.Fatalf("rounds %v", rounds)
		}
		kinds := map[string]int{}
		for _, d := range p.Documents {
			kinds[d.Kind]++
		}
		for kind, n := range map[string]int{"supply_plan_reply": 1, "design_review_opinion": 1, "construction_permit": 1,
			"rectification_notice": 2, "intermediate_inspection": 1, "acceptance_sheet": 1, "supply_notice": 1} {
			if kinds[kind] != n {
				t.Errorf("%d %s documents, want %d (all: %v)", kinds[kind], kind, n, kinds)
			}
		}
		f.refused("field", p.ID, process.ActionInput{Action: process.ActionComplete}, http.StatusConflict)
	})
}

func hasFact(p *process.Process, key string) bool {
	return slices.ContainsFunc(p.Facts, func(f process.Fact) bool { return f.Fact == key })
}
