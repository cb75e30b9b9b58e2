package process_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"kefu/internal/process"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// advance completes the current steps as the administrator — documents
// received, parties signed, the first outcome — until the process stands
// at step until.
func (f *fixture) advance(p *process.Process, until, when string) *process.Process {
	f.t.Helper()
	f.people["admin"] = f.admin
	pack, _ := f.packs.Version(p.Pack, p.PackVersion)
	def, _ := pack.Process(p.Definition)
	for range 30 {
		if p.CurrentStep == until {
			return p
		}
		p = f.receiveAll("admin", when, p)
		st, _, _ := def.Step(p.CurrentStep)
		for _, party := range st.Countersign {
			p = f.act("admin", when, p.ID, process.ActionInput{Action: process.ActionSign, Party: party.Key})
		}
		p = f.act("admin", when, p.ID, process.ActionInput{Action: process.ActionComplete, Outcome: st.StepOutcomes()[0].Key})
	}
	f.t.Fatalf("%s never reached %s", p.Number, until)
	return nil
}

// TestDeadlineRectificationNotice: PRC-025 — at an important customer's
// intermediate inspection a grounding defect found on 2026-05-10 gets a
// 限期整改告知书 with the deadline 2026-05-30; the re-inspection round is
// due at its end, breaches on 05-31 when not done, and the notice prints
// the deadline.
func TestDeadlineRectificationNotice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		sp := f.supplyPoint("城南数据中心")
		f.clk.Set(at("2026-03-02 09:00"))
		p, err := f.svc.Start(f.ctx, f.people["agent"], process.StartInput{Definition: "connection.hv", ServicePointID: sp.ID,
			Attributes: map[string]any{"customer_type": "commercial", "capacity_kva": 800.0, "sources": "single", "important": true}})
		if err != nil {
			t.Fatal(err)
		}
		p = f.advance(p, "intermediate_inspection", "2026-04-01 10:00")
		for _, step := range []string{"important_confirmation", "plan_approval"} {
			if !ran(p, step) {
				t.Errorf("an important customer's connection skipped %s (PRC-024)", step)
			}
		}
		f.clk.Set(at("2026-05-10 15:00"))
		in := process.ActionInput{Action: process.ActionComplete, Outcome: "deadline_rectify", Comment: "接地电阻不合格，须限期整改。"}
		if e := f.refused("field", p.ID, in, http.StatusUnprocessableEntity); e.Field != "due" {
			t.Fatalf("a deadline notice without its deadline: field %q", e.Field)
		}
		in.Due = "2026-05-09"
		if e := f.refused("field", p.ID, in, http.StatusUnprocessableEntity); e.Field != "due" {
			t.Fatalf("a deadline in the past: field %q", e.Field)
		}
		in.Due = "2026-05-30"
		p = f.act("field", "2026-05-10 15:00", p.ID, in)
		due(t, p, "intermediate_inspection", "2026-05-31 00:00")
		if sr := current(t, p); sr.Round != 2 {
			t.Fatalf("re-inspection round %d", sr.Round)
		}
		var notice process.DocumentContent
		for _, d := range p.Documents {
			if d.Kind == "deadline_rectification" {
				if err := json.Unmarshal(d.Content, &notice); err != nil {
					t.Fatal(err)
				}
			}
		}
		if notice.RectifyBy == nil || !notice.RectifyBy.Equal(at("2026-05-31 00:00")) || notice.Comment == "" {
			t.Fatalf("the notice: %+v", notice)
		}
		f.clk.Set(at("2026-05-31 00:00"))
		if _, err := f.engine.FireDue(f.ctx); err != nil {
			t.Fatal(err)
		}
		if p, _ = f.svc.Get(f.ctx, f.admin, p.ID); !p.Breached {
			t.Fatal("the notice's deadline passed without a breach")
		}
	})
}

func ran(p *process.Process, step string) bool {
	for _, s := range p.Steps {
		if s.Step == step {
			return true
		}
	}
	return false
}
