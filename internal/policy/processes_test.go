package policy

import (
	"strings"
	"testing"
)

// miniProcess is a valid process section appended to minimal: apply →
// review (loops back to apply on revise) → permit, with a skipped step
// for dual-source customers and a suspension-like guard.
const miniProcess = `
processes:
  - key: connection.mini
    name: {zh: 小流程}
    group: connection
    attributes:
      - {key: sources, name: {zh: 电源}, type: choice, choices: [{key: single, name: {zh: 单}}, {key: dual, name: {zh: 双}}]}
      - {key: from, name: {zh: 起}, type: date}
      - {key: to, name: {zh: 止}, type: date}
      - {key: capacity_kva, name: {zh: 容量}, type: number}
    facts:
      - {key: paid, name: {zh: 已交费}}
    guards:
      - {kind: min_days, from: from, to: to, days: 15, rule: PRC-032, message: {zh: 至少15天}}
    steps:
      - key: apply
        name: {zh: 受理}
        role: cs_agent
      - key: dual_check
        name: {zh: 双电源核查}
        role: dept_staff
        when: sources == dual
      - key: review
        name: {zh: 审查}
        role: dept_staff
        clock: {limits: [30d, 1mo]}
        outcomes:
          - {key: ok, name: {zh: 通过}}
          - {key: revise, name: {zh: 修改}, next: apply, comment: true}
      - key: permit
        name: {zh: 送电}
        role: field_staff
        level: company
        requires: [paid]
        clock: {limits: [5wd], starts_on: [paid]}
`

func TestProcessSectionParses(t *testing.T) {
	p, probs := Parse("mini.yaml", []byte(minimal+miniProcess))
	if p == nil {
		t.Fatalf("problems: %v", probs)
	}
	d, ok := p.Process("connection.mini")
	if !ok || len(d.Steps) != 4 {
		t.Fatalf("process: %+v", p.Processes)
	}
	if st, _, _ := d.Step("permit"); st.Clock.WarnPercent != DefaultWarnPercent {
		t.Errorf("warn percent %d, want the default %d", st.Clock.WarnPercent, DefaultWarnPercent)
	}
	if d.DefaultNext(3) != NextEnd || d.DefaultNext(0) != "dual_check" {
		t.Errorf("default next: %s, %s", d.DefaultNext(3), d.DefaultNext(0))
	}
}

// TestProcessSectionProblems: kefu policy check refuses unreachable steps,
// loops without exit and every dangling reference, with the field path.
func TestProcessSectionProblems(t *testing.T) {
	for _, c := range []struct {
		name, old, new, path, msg string
	}{
		{"unreachable step", "          - {key: ok, name: {zh: 通过}}", "          - {key: ok, name: {zh: 通过}, next: end}",
			"processes[0].steps[3].key", "unreachable"},
		{"loop without exit", "          - {key: ok, name: {zh: 通过}}", "          - {key: ok, name: {zh: 通过}, next: review}",
			"processes[0].steps[0].key", "loop without exit"},
		{"unknown next step", "next: apply, comment: true", "next: nowhere, comment: true",
			"processes[0].steps[2].outcomes[1].next", "no step"},
		{"undeclared fact", "requires: [paid]", "requires: [paid, signed]", "processes[0].steps[3].requires[1]", "undeclared fact"},
		{"undeclared attribute", "when: sources == dual", "when: voltage == hv", "processes[0].steps[1].when", "undeclared attribute"},
		{"bad condition", "when: sources == dual", "when: sources ==", "processes[0].steps[1].when", "invalid condition"},
		{"condition on the first step", "        role: cs_agent\n", "        role: cs_agent\n        when: sources == dual\n",
			"processes[0].steps[0].when", "first step"},
		{"unknown role", "role: field_staff", "role: electrician", "processes[0].steps[3].role", "no such role"},
		{"unknown level", "level: company", "level: province", "processes[0].steps[3].level", "upper_company"},
		{"clock waiting without limits", "clock: {limits: [5wd], starts_on: [paid]}", "clock: {starts_on: [paid]}",
			"processes[0].steps[3].clock.limits", "needs limits"},
		{"bad limit", "limits: [30d, 1mo]", "limits: [30d, 1month]", "processes[0].steps[2].clock.limits[1]", "invalid duration"},
		{"guard on a number", "from: from, to: to, days: 15", "from: capacity_kva, to: to, days: 15",
			"processes[0].guards[0].from", "date attribute"},
		{"guard without rule", "rule: PRC-032, message", "message", "processes[0].guards[0].rule", "required"},
		{"unknown guard", "kind: min_days", "kind: max_days", "processes[0].guards[0].kind", "must be one of"},
		{"duplicate step", "      - key: permit", "      - key: review", "processes[0].steps[3].key", "duplicate key"},
		{"unknown group", "group: connection", "group: magic", "processes[0].group", "must be one of"},
		{"choice without choices", "type: choice, choices: [{key: single, name: {zh: 单}}, {key: dual, name: {zh: 双}}]",
			"type: choice", "processes[0].attributes[0].choices", "needs choices"},
	} {
		t.Run(c.name, func(t *testing.T) {
			text := minimal + miniProcess
			if !strings.Contains(text, c.old) {
				t.Fatalf("the pack has no %q", c.old)
			}
			p, probs := Parse("mini.yaml", []byte(strings.Replace(text, c.old, c.new, 1)))
			if p != nil {
				t.Fatal("accepted")
			}
			for _, pr := range probs {
				if pr.Path == c.path && strings.Contains(pr.String(), c.msg) {
					if pr.Line == 0 {
						t.Errorf("%s: no line", pr)
					}
					return
				}
			}
			t.Errorf("problems %v, want %s: …%s…", probs, c.path, c.msg)
		})
	}
}

// TestBuiltinProcesses: the built-in packs' processes parse (Builtins
// fails otherwise) and the power pack carries the HV connection's
// branches of PRC-009 and the suspension quotas of PRC-032.
func TestBuiltinProcesses(t *testing.T) {
	packs, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range packs {
		if p.Key != "power" {
			continue
		}
		hv, ok := p.Process("connection.hv")
		if !ok {
			t.Fatal("power has no connection.hv")
		}
		single, _, _ := hv.Step("supply_plan_single")
		dual, _, _ := hv.Step("supply_plan_dual")
		if single.Clock.Limits[0].String() != "15wd" || dual.Clock.Limits[0].String() != "30wd" {
			t.Errorf("PRC-009 limits %v / %v", single.Clock.Limits, dual.Clock.Limits)
		}
		review, _, _ := hv.Step("design_review")
		if len(review.Clock.Limits) != 2 {
			t.Errorf("PRC-011: design review limits %v, want 30d and 1mo", review.Clock.Limits)
		}
		susp, ok := p.Process("change.suspension")
		if !ok {
			t.Fatal("power has no change.suspension")
		}
		kinds := map[string]int{}
		for _, g := range susp.Guards {
			kinds[g.Kind] = g.Days + g.Max
		}
		if kinds[GuardLeadDays] != 5 || kinds[GuardMinDays] != 15 || kinds[GuardPerYear] != 2 || kinds[GuardDaysPerYear] != 183 {
			t.Errorf("PRC-032 guards %v", kinds)
		}
		return
	}
	t.Fatal("no power pack")
}
