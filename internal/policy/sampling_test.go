package policy

import (
	"slices"
	"strings"
	"testing"
)

// samplingSection is a small valid sampling section; the tests below break
// one line of it at a time.
const samplingSection = `
sampling:
  positions:
    - {key: hotline_operator, name: {zh: 热线员}, role: cs_agent}
    - {key: inspector, name: {zh: 安检员}, role: field_staff}
    - {key: team_leader, name: {zh: 班组长}, role: cs_supervisor}
  levels:
    - level: 1
      name: {zh: 一级监督}
      checkers: [hotline_operator]
      checked: [inspector]
    - level: 2
      name: {zh: 二级监督}
      checkers: [team_leader]
      checked: [hotline_operator]
  populations:
    - {key: inspections, name: {zh: 安检户数}}
  checklists:
    - key: inspector
      name: {zh: 安检员检查内容}
      items:
        - {key: form_signed, name: {zh: 检查表有客户签名}, rules: [INS-013]}
  rules:
    - key: inspector
      name: {zh: 安检员抽查}
      level: 1
      checked: [inspector]
      population: inspections
      rate_pct: 2
      floor: 20
      strata:
        - {key: indoor, name: {zh: 户内}, weight: 60}
        - {key: outdoor, name: {zh: 户外}, weight: 40}
      methods: [on_site, phone]
      method_shares: [50, 50]
      checklist: inspector
      rules: [SMP-006]
    - key: hotline
      name: {zh: 热线员检查}
      level: 2
      checked: [hotline_operator]
      checks:
        - {key: ledger, name: {zh: 台帐检查}, method: ledger, count: 1, period: week}
        - {key: spot, name: {zh: 电话抽查}, method: phone, count: 1, period: week, when: without_recordings}
  repeat_offences:
    kinds:
      - {key: quota_missed, name: {zh: 未完成抽查}, threshold: 3, consequence: warning}
`

// TestSamplingDefaults: a pack without the section samples nothing; a rule
// with a population counts per month and allows no override by default,
// and repeats are counted per calendar year (SMP-017 [default]).
func TestSamplingDefaults(t *testing.T) {
	p, probs := Parse("mini.yaml", []byte(minimal))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if s := p.Sampling; len(s.Rules)+len(s.Levels)+len(s.Positions) != 0 || s.RepeatOffences.Window != "" {
		t.Errorf("empty section: %+v", s)
	}
	p, probs = Parse("mini.yaml", []byte(minimal+samplingSection))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	r, ok := p.Sampling.Rule("inspector")
	if !ok || r.Period != SamplingPerMonth || r.MaxRatePct != 2 || !r.HasQuota() || !r.HasMethodSplit() {
		t.Errorf("rule defaults: %+v", r)
	}
	if h, _ := p.Sampling.Rule("hotline"); h.Period != "" || h.HasQuota() {
		t.Errorf("a rule of periodic checks got a period: %+v", h)
	}
	if p.Sampling.RepeatOffences.Window != WindowCalendarYear {
		t.Errorf("window %q", p.Sampling.RepeatOffences.Window)
	}
}

// TestSamplingSectionErrors: each broken value of the section is reported
// with its path and line.
func TestSamplingSectionErrors(t *testing.T) {
	for _, c := range []struct{ old, new, path string }{
		{"role: cs_agent", "role: janitor", "sampling.positions[0].role"},
		{"{key: inspector, name: {zh: 安检员}, role: field_staff}", "{key: hotline_operator, name: {zh: 安检员}, role: field_staff}", "sampling.positions[1].key"},
		{"{key: team_leader, name: {zh: 班组长}, role: cs_supervisor}", "{key: team_leader, name: {zh: 班组长}}", "sampling.positions[2].role"},
		{"checkers: [hotline_operator]", "checkers: [hotline]", "sampling.levels[0].checkers[0]"},
		{"checked: [inspector]\n    - level: 2", "checked: [inspector, inspector]\n    - level: 2", "sampling.levels[0].checked[1]"},
		{"checkers: [team_leader]", "checkers: [team_leader, hotline_operator]", "sampling.levels[1].checked[0]"},
		{"checkers: [team_leader]", "checkers: []", "sampling.levels[1].checkers"},
		{"- level: 2", "- level: 1", "sampling.levels[1].level"},
		{"- level: 2", "- level: 0", "sampling.levels[1].level"},
		{"{key: inspections, name: {zh: 安检户数}}", "{key: Inspections, name: {zh: 安检户数}}", "sampling.populations[0].key"},
		{"- {key: form_signed, name: {zh: 检查表有客户签名}, rules: [INS-013]}", "- {key: form_signed, name: {zh: 检查表有客户签名}, rules: [INS13]}", "sampling.checklists[0].items[0].rules[0]"},
		{"- key: hotline", "- key: inspector", "sampling.rules[1].key"},
		{"- key: hotline", "- key: Hotline", "sampling.rules[1].key"},
		{"      level: 1\n      checked: [inspector]", "      level: 3\n      checked: [inspector]", "sampling.rules[0].level"},
		{"checked: [hotline_operator]\n      checks", "checked: [inspector]\n      checks", "sampling.rules[1].checked[0]"},
		{"checked: [hotline_operator]\n      checks", "checked: [ghost]\n      checks", "sampling.rules[1].checked[0]"},
		{"population: inspections", "population: readings", "sampling.rules[0].population"},
		{"rate_pct: 2", "rate_pct: 0", "sampling.rules[0].rate_pct"},
		{"rate_pct: 2", "rate_pct: 101", "sampling.rules[0].rate_pct"},
		{"rate_pct: 2", "rate_pct: 2\n      max_rate_pct: 1", "sampling.rules[0].max_rate_pct"},
		{"rate_pct: 2", "rate_pct: 2\n      period: year", "sampling.rules[0].period"},
		{"rate_pct: 2", "every: true", "sampling.rules[0].floor"},
		{"floor: 20", "floor: 20\n      every: true", "sampling.rules[0].rate_pct"},
		{"floor: 20", "floor: -1", "sampling.rules[0].floor"},
		{"floor: 20", "session_min: -10", "sampling.rules[0].session_min"},
		{"weight: 40", "weight: 0", "sampling.rules[0].strata[1].weight"},
		{"weight: 40", "weight: -40", "sampling.rules[0].strata[1].weight"},
		{"{key: outdoor, name: {zh: 户外}, weight: 40}", "{key: indoor, name: {zh: 户外}, weight: 40}", "sampling.rules[0].strata[1].key"},
		{"methods: [on_site, phone]", "methods: [on_site, telepathy]", "sampling.rules[0].methods[1]"},
		{"methods: [on_site, phone]", "methods: [on_site, on_site]", "sampling.rules[0].methods[1]"},
		{"method_shares: [50, 50]", "method_shares: [50, 40]", "sampling.rules[0].method_shares"},
		{"method_shares: [50, 50]", "method_shares: [100]", "sampling.rules[0].method_shares"},
		{"method_shares: [50, 50]", "method_shares: [110, -10]", "sampling.rules[0].method_shares[1]"},
		{"checklist: inspector", "checklist: nobody", "sampling.rules[0].checklist"},
		{"rules: [SMP-006]", "rules: [SMP-6]", "sampling.rules[0].rules[0]"},
		{"checked: [hotline_operator]\n      checks:", "checked: [hotline_operator]\n      rate_pct: 5\n      checks:", "sampling.rules[1].rate_pct"},
		{"checked: [hotline_operator]\n      checks:", "checked: [hotline_operator]\n      method_shares: [100]\n      methods: [phone]\n      checks:", "sampling.rules[1].method_shares"},
		{"method: ledger, count: 1", "method: gossip, count: 1", "sampling.rules[1].checks[0].method"},
		{"method: ledger, count: 1", "method: ledger, count: 0", "sampling.rules[1].checks[0].count"},
		{"count: 1, period: week}", "count: 1, period: session}", "sampling.rules[1].checks[0].period"},
		{"when: without_recordings", "when: sometimes", "sampling.rules[1].checks[1].when"},
		{"{key: spot, name: {zh: 电话抽查}", "{key: ledger, name: {zh: 电话抽查}", "sampling.rules[1].checks[1].key"},
		{"threshold: 3", "threshold: 0", "sampling.repeat_offences.kinds[0].threshold"},
		{"consequence: warning", "consequence: flogging", "sampling.repeat_offences.kinds[0].consequence"},
		{"  repeat_offences:\n", "  repeat_offences:\n    window: rolling_decade\n", "sampling.repeat_offences.window"},
		{"  repeat_offences:\n", "  rule_ids: [smp-1]\n  repeat_offences:\n", "sampling.rule_ids[0]"},
		{"  repeat_offences:\n", "  cadence: 1mo\n  repeat_offences:\n", "sampling.cadence"},
		{"rate_pct: 2", "rate_pct: 2.5", "sampling.rules[0].rate_pct"},
	} {
		if !strings.Contains(samplingSection, c.old) {
			t.Fatalf("the section has no %q", c.old)
		}
		text := minimal + strings.Replace(samplingSection, c.old, c.new, 1)
		p, probs := Parse("s.yaml", []byte(text))
		if p != nil {
			t.Errorf("%q: accepted", c.new)
			continue
		}
		if !slices.ContainsFunc(probs, func(pr Problem) bool { return pr.Path == c.path && pr.Line > 0 }) {
			t.Errorf("%q: problems %v, want one at %s", c.new, probs, c.path)
		}
	}
	// A rule with neither a population nor checks.
	text := minimal + strings.Replace(samplingSection, "      checks:\n", "      unused:\n", 1)
	text = text[:strings.Index(text, "      unused:")] + text[strings.Index(text, "  repeat_offences:"):]
	_, probs := Parse("s.yaml", []byte(text))
	if !slices.ContainsFunc(probs, func(pr Problem) bool { return pr.Path == "sampling.rules[1].population" }) {
		t.Errorf("a rule without population or checks: %v", probs)
	}
}

// gasSampling is the sampling section of the built-in gas pack.
func gasSampling(t *testing.T) *SamplingRules {
	t.Helper()
	packs, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range packs {
		if p.Key == "gas" {
			return &p.Sampling
		}
	}
	t.Fatal("no gas pack")
	return nil
}

// TestSupervisionLevels: the SMP-002 matrix of the gas pack decides who may
// check whom, and at which level.
func TestSupervisionLevels(t *testing.T) {
	s := gasSampling(t)
	for _, c := range []struct {
		checker, checked string
		level            int
	}{
		{"hotline_operator", "customer_manager", 1},
		{"auditor", "counter_clerk", 1},
		{"safety_dept", "repair_worker", 1},
		{"team_leader", "hotline_operator", 2},
		{"supervisor", "auditor", 2},
		{"safety_dept", "auditor", 2},
		{"manager", "team_leader", 3},
		{"safety_dept", "supervisor", 3},
		{"dept_leader", "manager", 4},
		{"general_manager", "deputy_manager", 4},
		{"hotline_operator", "team_leader", 0}, // the SMP-002 example: refused
		{"auditor", "auditor", 0},
		{"customer_manager", "counter_clerk", 0},
		{"safety_dept", "manager", 0}, // level 4 is for the leaders only
		{"team_leader", "customer_manager", 0},
	} {
		level, ok := s.CheckLevel(c.checker, c.checked)
		if level != c.level || ok != (c.level > 0) {
			t.Errorf("CheckLevel(%s, %s) = %d %v, want %d", c.checker, c.checked, level, ok, c.level)
		}
	}
	inspector, _ := s.Rule("inspector")
	if !s.MayCheck("hotline_operator", inspector, "safety_inspector") ||
		s.MayCheck("team_leader", inspector, "safety_inspector") ||
		s.MayCheck("hotline_operator", inspector, "repair_worker") {
		t.Error("MayCheck does not follow the rule's level and positions")
	}
	for _, p := range s.Positions {
		if p.Role == "" {
			t.Errorf("position %s has no role", p.Key)
		}
	}
}

// TestBuiltinSamplingRules: the gas pack carries the rules of seed 000
// art.4 under the rule keys of API.md; the other packs sample nothing.
func TestBuiltinSamplingRules(t *testing.T) {
	s := gasSampling(t)
	for _, c := range []struct {
		key, population   string
		rate, max, floor  int
		every             bool
		sessionMin, level int
		rule              string
	}{
		{"customer_manager.residential", "meter_readings", 2, 100, 0, false, 0, 1, "SMP-003"},
		{"customer_manager.commercial", "ci_meter_readings", 100, 100, 0, false, 0, 1, "SMP-004"},
		{"repair.riser", "riser_replacements", 0, 0, 0, true, 0, 1, "SMP-005"},
		{"repair.meter_change", "meter_replacements", 5, 5, 0, false, 0, 1, "SMP-005"},
		{"repair.ignition", "gas_on", 5, 5, 0, false, 0, 1, "SMP-005"},
		{"repair.pipe_exposed", "exposed_pipe_changes", 50, 50, 0, false, 0, 1, "SMP-005"},
		{"repair.pipe_concealed", "concealed_pipe_changes", 100, 100, 0, false, 0, 1, "SMP-005"},
		{"inspector", "inspections", 2, 2, 20, false, 0, 1, "SMP-006"},
		{"auditor", "auditor_households", 3, 5, 0, false, 10, 2, "SMP-009"},
	} {
		r, ok := s.Rule(c.key)
		if !ok {
			t.Errorf("no rule %s", c.key)
			continue
		}
		if r.Population != c.population || r.RatePct != c.rate || r.MaxRatePct != c.max || r.Floor != c.floor ||
			r.Every != c.every || r.SessionMin != c.sessionMin || r.Level != c.level || r.Period != SamplingPerMonth ||
			!slices.Contains(r.Rules, c.rule) {
			t.Errorf("%s: %+v", c.key, r)
		}
	}
	res, _ := s.Rule("customer_manager.residential")
	var weights []int
	for _, st := range res.Strata {
		weights = append(weights, st.Weight)
	}
	if !slices.Equal(weights, []int{30, 30, 15, 15, 10}) || res.Strata[4].Key != "wall_hung_boiler" {
		t.Errorf("SMP-003 strata %+v", res.Strata)
	}
	// SMP-013: an on-site check of an outdoor-hung meter needs no customer
	// signature; only the outdoor stratum says so.
	for _, st := range res.Strata {
		if st.OutdoorMeter != (st.Key == "outdoor") {
			t.Errorf("stratum %s: outdoor_meter %v", st.Key, st.OutdoorMeter)
		}
	}
	if st, ok := res.Stratum("outdoor"); !ok || !st.OutdoorMeter {
		t.Error("Stratum(outdoor) not found")
	}
	if in, _ := s.Rule("inspector"); !slices.Equal(in.Methods, []string{SampleOnSite, SampleByPhone}) || !slices.Equal(in.MethodShares, []int{50, 50}) {
		t.Errorf("SMP-006 methods %v %v", in.Methods, in.MethodShares)
	}
	// SMP-004 and SMP-007 to SMP-012: the periodic checks.
	checks := func(key string, rec bool) (out []string) {
		r, ok := s.Rule(key)
		if !ok {
			t.Fatalf("no rule %s", key)
		}
		for _, c := range r.ChecksFor(rec) {
			out = append(out, c.Key+"/"+c.Method+"/"+c.Period)
		}
		return out
	}
	for _, c := range []struct {
		key  string
		rec  bool
		want []string
	}{
		{"customer_manager.commercial", false, []string{"ledger/ledger/month", "ic_roots_records/records/month"}},
		{"counter_clerk", true, []string{"ledger/ledger/week", "recordings/recording/day"}},
		{"counter_clerk", false, []string{"ledger/ledger/week", "phone_spot_check/phone/week"}},
		{"hotline_operator", false, []string{"ledger/ledger/week", "phone_spot_check/phone/week"}},
		{"level3.team", false, []string{"weekly/talk/week"}},
		{"level4.department", true, []string{"monthly/talk/month"}},
	} {
		if got := checks(c.key, c.rec); !slices.Equal(got, c.want) {
			t.Errorf("%s (recordings %v): checks %v, want %v", c.key, c.rec, got, c.want)
		}
	}
	// SMP-017 thresholds.
	want := map[string]struct {
		n int
		c string
	}{"quota_missed": {3, "warning"}, "ledger_missing": {3, "warning"}, "signatures_missing": {3, "warning"},
		"no_proposal": {3, "warning"}, "team_report_missing": {2, "warning"}, "cover_up": {2, "demotion"}}
	if len(s.RepeatOffences.Kinds) != len(want) || s.RepeatOffences.Window != WindowCalendarYear {
		t.Errorf("repeat offences %+v", s.RepeatOffences)
	}
	for k, w := range want {
		if o, ok := s.RepeatOffence(k); !ok || o.Threshold != w.n || o.Consequence != w.c {
			t.Errorf("repeat offence %s: %+v", k, o)
		}
	}
	packs, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range packs {
		if p.Key != "gas" && len(p.Sampling.Rules) > 0 {
			t.Errorf("%s has sampling rules; only seed 000 art.4 (gas) sets them", p.Key)
		}
	}
}
