package process_test

import (
	"net/http"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/process"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestApprovalChainReturn runs the feasibility-study chain of the general
// pack (PRC-042): the related departments countersign, the Phase-III
// deputy commander returns it — back to the countersignature, not to the
// initiator (RULES.md example) — the departments sign that round again, and
// it then runs to the archive.
func TestApprovalChainReturn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		co := f.unit(*f.units["city"].ParentID, org.Company, "建设集团三期指挥部", "general")
		tech := f.unit(co.ID, org.Department, "工程技术部", "")
		f.people["initiator"] = f.user(tech, auth.RoleManager)
		f.people["engineering"] = f.user(f.unit(co.ID, org.Department, "工程部", ""), auth.RoleDeptStaff)
		f.people["commander"] = f.user(f.unit(co.ID, org.Department, "指挥部办公室", ""), auth.RoleManager)
		f.clk.Set(at("2026-06-01 09:00"))
		p, err := f.svc.Start(f.ctx, f.people["initiator"], process.StartInput{Definition: "approval.feasibility_study",
			Attributes: map[string]any{"title": "三期 B 地块可行性研究报告"}})
		if err != nil {
			t.Fatal(err)
		}
		p = f.act("initiator", "2026-06-01 09:10", p.ID, process.ActionInput{Action: process.ActionComplete, Step: "initiate"})
		if e := f.refused("commander", p.ID, process.ActionInput{Action: process.ActionComplete}, http.StatusUnprocessableEntity); e.Field != "countersign" {
			t.Fatalf("countersign step completed without the departments: %v", e)
		}
		signAll := func(when string) {
			for _, party := range []string{"engineering", "market", "contracts"} {
				p = f.act("engineering", when, p.ID, process.ActionInput{Action: process.ActionSign, Party: party})
			}
		}
		signAll("2026-06-02 10:00")
		p = f.act("commander", "2026-06-02 11:00", p.ID, process.ActionInput{Action: process.ActionComplete, Step: "countersign"})
		if e := f.refused("commander", p.ID, process.ActionInput{Action: process.ActionReturn}, http.StatusUnprocessableEntity); e.Field != "comment" {
			t.Fatalf("a return without a comment: %v", e)
		}
		p = f.act("commander", "2026-06-03 15:00", p.ID, process.ActionInput{Action: process.ActionReturn, Step: "deputy_commander",
			Comment: "投资回收期测算依据不足，请相关部门补充意见。"})
		sr := current(t, p)
		if sr.Step != "countersign" || sr.Round != 2 || len(sr.Signatures) != 0 {
			t.Fatalf("after the return: %s round %d with %d signatures, want countersign round 2 unsigned", sr.Step, sr.Round, len(sr.Signatures))
		}
		signAll("2026-06-04 10:00")
		p = f.act("commander", "2026-06-04 11:00", p.ID, process.ActionInput{Action: process.ActionComplete})
		for _, step := range []string{"deputy_commander", "leader_in_charge", "gm_office"} {
			p = f.act("commander", "2026-06-05 09:00", p.ID, process.ActionInput{Action: process.ActionComplete, Step: step})
		}
		p = f.act("commander", "2026-06-05 10:00", p.ID, process.ActionInput{Action: process.ActionSign, Party: "leaders"})
		p = f.act("commander", "2026-06-05 10:05", p.ID, process.ActionInput{Action: process.ActionComplete, Step: "leaders"})
		p = f.act("initiator", "2026-06-05 11:00", p.ID, process.ActionInput{Action: process.ActionComplete, Step: "archive"})
		if p.Status != process.StatusCompleted || len(p.Documents) != 1 || p.Documents[0].Kind != "approval_record" {
			t.Fatalf("at the end: %s, documents %+v", p.Status, p.Documents)
		}
		returned := 0
		for _, s := range p.Steps {
			if s.Status == process.StepReturned {
				returned++
			}
		}
		if returned != 1 {
			t.Fatalf("%d returned rounds, want 1", returned)
		}
	})
}

// TestFactSetByAStep: a fact a step sets (acceptance passed) cannot be
// recorded by hand around the step's gates; a free fact (fees paid) can.
func TestFactSetByAStep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := startSingleSource(f)
		e := f.refused("marketing", p.ID, process.ActionInput{Action: process.ActionFact, Fact: "acceptance_passed"},
			http.StatusUnprocessableEntity)
		if e.Field != "fact" {
			t.Fatalf("field %q", e.Field)
		}
		p = f.act("marketing", "2026-09-15 10:00", p.ID, process.ActionInput{Action: process.ActionFact, Fact: "fees_paid"})
		if !hasFact(p, "fees_paid") {
			t.Fatal("fees_paid not recorded")
		}
		f.refused("marketing", p.ID, process.ActionInput{Action: process.ActionFact, Fact: "fees_paid"}, http.StatusConflict)
	})
}

// TestApprovalChainsRunThrough runs every approval chain of the general
// pack to its archive with the people its steps name: each countersign
// step waits for all its parties, and the design scheme takes its
// meeting-minutes branch both ways.
func TestApprovalChainsRunThrough(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		co := f.unit(*f.units["city"].ParentID, org.Company, "建设集团", "general")
		dept := f.unit(co.ID, org.Department, "工程技术部", "")
		people := map[auth.Role]string{auth.RoleDeptStaff: "engineer", auth.RoleManager: "boss"}
		f.people["engineer"] = f.user(dept, auth.RoleDeptStaff)
		f.people["boss"] = f.user(dept, auth.RoleManager)
		pack, ok := f.packs.Get("general")
		if !ok {
			t.Fatal("no general pack")
		}
		for _, c := range []struct {
			def      string
			outcomes map[string]string // step → outcome
			rounds   int               // rounds run in all
		}{
			{"approval.opportunity_study", nil, 8},
			{"approval.feasibility_study", nil, 7},
			{"approval.design_scheme", map[string]string{"minutes": "with_minutes"}, 8},
			{"approval.design_scheme", map[string]string{"minutes": "no_minutes"}, 7},
			{"approval.construction_drawings", nil, 9},
			{"approval.tender_control_price", nil, 5},
		} {
			def, ok := pack.Process(c.def)
			if !ok {
				t.Fatalf("no %s", c.def)
			}
			f.clk.Set(at("2026-07-01 09:00"))
			starter := people[def.Steps[0].Role]
			p, err := f.svc.Start(f.ctx, f.people[starter], process.StartInput{Definition: c.def,
				Attributes: map[string]any{"title": def.Name.ZH + "测试"}})
			if err != nil {
				t.Fatalf("%s: %v", c.def, err)
			}
			for guard := 0; p.Status == process.StatusOpen; guard++ {
				if guard > 20 {
					t.Fatalf("%s does not end", c.def)
				}
				st, _, _ := def.Step(p.CurrentStep)
				for _, party := range st.Countersign {
					p = f.act(people[party.Role], "2026-07-02 10:00", p.ID, process.ActionInput{Action: process.ActionSign, Party: party.Key})
				}
				p = f.act(people[st.Role], "2026-07-02 11:00", p.ID, process.ActionInput{Action: process.ActionComplete,
					Step: st.Key, Outcome: c.outcomes[st.Key]})
			}
			if p.Status != process.StatusCompleted || len(p.Steps) != c.rounds {
				t.Errorf("%s %v: %s after %d rounds, want completed after %d", c.def, c.outcomes, p.Status, len(p.Steps), c.rounds)
			}
		}
	})
}
