package sampling

import (
	"slices"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/policy"
	"kefu/internal/sample"
)

// gasRule is a sampling rule of the built-in gas pack: the worked examples
// below run on the pack's data, so they test the YAML as well.
func gasRule(t testing.TB, key string) *policy.SamplingRule {
	t.Helper()
	packs, err := policy.Builtins()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range packs {
		if p.Key == "gas" {
			if r, ok := p.Sampling.Rule(key); ok {
				return r
			}
		}
	}
	t.Fatalf("gas pack has no sampling rule %s", key)
	return nil
}

func plan(t *testing.T, key string, pop Population) *SamplePlan {
	t.Helper()
	p, err := Plan(gasRule(t, key), pop)
	if err != nil {
		t.Fatalf("Plan(%s, %+v): %v", key, pop, err)
	}
	return p
}

func sizes(p *SamplePlan) []int {
	out := []int{}
	for _, s := range p.Strata {
		out = append(out, s.Size)
	}
	return out
}

func methods(p *SamplePlan) []int {
	out := []int{}
	for _, m := range p.Methods {
		out = append(out, m.Size)
	}
	return out
}

// TestResidentialCustomerManager: SMP-003's worked example. 3,600
// households read in March → 72 → 22 indoor, 21 outdoor, 11 not seen, 11
// not using, 7 boiler; with no boiler customers → 24/24/12/12.
func TestResidentialCustomerManager(t *testing.T) {
	p := plan(t, "customer_manager.residential", Population{Base: 3600})
	if p.Quota != 72 || !slices.Equal(sizes(p), []int{22, 21, 11, 11, 7}) || p.StrataCounted || p.Shortfall != 0 {
		t.Errorf("3,600 by weight alone: quota %d strata %v", p.Quota, sizes(p))
	}
	// The same with every stratum counted and large enough.
	full := map[string]int{"indoor": 2000, "outdoor": 1600, "not_seen": 40, "not_using": 60, "wall_hung_boiler": 30}
	p = plan(t, "customer_manager.residential", Population{Base: 3600, Strata: full})
	if p.Quota != 72 || !slices.Equal(sizes(p), []int{22, 21, 11, 11, 7}) || !p.StrataCounted {
		t.Errorf("3,600 counted: quota %d strata %v", p.Quota, sizes(p))
	}
	// No wall-hung boilers: the stratum left out, or counted as 0.
	noBoiler := map[string]int{"indoor": 2000, "outdoor": 1600, "not_seen": 40, "not_using": 60}
	for _, counts := range []map[string]int{noBoiler, with(noBoiler, "wall_hung_boiler", 0)} {
		p = plan(t, "customer_manager.residential", Population{Base: 3600, Strata: counts})
		if p.Quota != 72 || !slices.Equal(sizes(p), []int{24, 24, 12, 12, 0}) {
			t.Errorf("no boilers %v: strata %v", counts, sizes(p))
		}
	}
	if len(p.Methods) != 0 || !slices.Equal(p.AllowedMethods, []string{"phone", "ledger", "on_site"}) {
		t.Errorf("methods %v allowed %v", p.Methods, p.AllowedMethods)
	}
}

func with(m map[string]int, k string, v int) map[string]int {
	out := map[string]int{k: v}
	for a, b := range m {
		out[a] = b
	}
	return out
}

// TestStratumCapped: a stratum with fewer items than its share is checked
// whole, and the rest goes to the other strata in proportion to their
// weights (G-22, reading SMP-003's reallocation for a partly empty stratum).
func TestStratumCapped(t *testing.T) {
	counts := map[string]int{"indoor": 2000, "outdoor": 1600, "not_seen": 4, "not_using": 60, "wall_hung_boiler": 30}
	p := plan(t, "customer_manager.residential", Population{Base: 3600, Strata: counts})
	got := sizes(p)
	if p.Quota != 72 || got[2] != 4 || p.Shortfall != 0 {
		t.Fatalf("not_seen capped: quota %d strata %v shortfall %d", p.Quota, got, p.Shortfall)
	}
	rest := sample.Apportion(72-4, []int{30, 30, 0, 15, 10})
	if !slices.Equal(got, []int{rest[0], rest[1], 4, rest[3], rest[4]}) {
		t.Errorf("strata %v, want the 68 left split 30/30/15/10: %v", got, rest)
	}
	// Strata holding fewer items than the quota: each is checked whole and
	// the rest is a shortfall, never drawn.
	small := map[string]int{"indoor": 20, "outdoor": 10, "not_seen": 3, "not_using": 2, "wall_hung_boiler": 1}
	p = plan(t, "customer_manager.residential", Population{Base: 3600, Strata: small})
	if !slices.Equal(sizes(p), []int{20, 10, 3, 2, 1}) || p.Shortfall != 72-36 || p.Drawn() != 36 {
		t.Errorf("small strata: %v shortfall %d", sizes(p), p.Shortfall)
	}
}

// TestSafetyInspector: SMP-006's worked examples: 650 households → 13 →
// floor 20 → 10 on site, 10 by phone; 1,530 → 31 → 16 on site, 15 by
// phone (the odd one on site, G-58).
func TestSafetyInspector(t *testing.T) {
	p := plan(t, "inspector", Population{Base: 650})
	if p.Quota != 20 || !p.FloorApplied || !slices.Equal(methods(p), []int{10, 10}) || p.Methods[0].Method != "on_site" {
		t.Errorf("650: quota %d floor %v methods %+v", p.Quota, p.FloorApplied, p.Methods)
	}
	p = plan(t, "inspector", Population{Base: 1530})
	if p.Quota != 31 || p.FloorApplied || !slices.Equal(methods(p), []int{16, 15}) {
		t.Errorf("1,530: quota %d methods %+v", p.Quota, p.Methods)
	}
	// Fewer households than the floor: all of them.
	if p := plan(t, "inspector", Population{Base: 15}); p.Quota != 15 {
		t.Errorf("15 households: quota %d", p.Quota)
	}
}

// TestRepairWorker: SMP-005's worked example for March: 140 meter
// replacements → 7; 61 gas-ons → 4 (3.05 rounded up); 9 exposed-pipe
// changes → 5; 3 concealed → 3; 2 riser replacements → 2 on-site checks.
func TestRepairWorker(t *testing.T) {
	for _, c := range []struct {
		key        string
		base, want int
	}{
		{"repair.meter_change", 140, 7},
		{"repair.ignition", 61, 4},
		{"repair.pipe_exposed", 9, 5},
		{"repair.pipe_concealed", 3, 3},
		{"repair.riser", 2, 2},
	} {
		if p := plan(t, c.key, Population{Base: c.base}); p.Quota != c.want {
			t.Errorf("%s of %d: quota %d, want %d", c.key, c.base, p.Quota, c.want)
		}
	}
	riser := plan(t, "repair.riser", Population{Base: 2})
	if !riser.Every || !slices.Equal(riser.AllowedMethods, []string{"on_site"}) {
		t.Errorf("riser plan %+v", riser)
	}
}

// TestAuditor: SMP-009's worked example: 400 households in May → quota 12
// (range 12–20); a session of 8 households is refused, 10 accepted.
func TestAuditor(t *testing.T) {
	r := gasRule(t, "auditor")
	p := plan(t, "auditor", Population{Base: 400})
	if p.Quota != 12 || p.Max != 20 || p.SessionMin != 10 {
		t.Errorf("400: quota %d max %d session %d", p.Quota, p.Max, p.SessionMin)
	}
	if err := CheckSession(r, 8, 400); !apperr.Is(err, apperr.CodeValidation) {
		t.Errorf("a session of 8: %v", err)
	}
	if err := CheckSession(r, 10, 400); err != nil {
		t.Errorf("a session of 10: %v", err)
	}
	// An auditor with 6 households: a session covering all 6 is enough.
	if err := CheckSession(r, 6, 6); err != nil {
		t.Errorf("the whole population of 6: %v", err)
	}
	// The company sets 5 % (SMP-009 band) — or tries 6 %.
	if p := plan(t, "auditor", Population{Base: 400, RatePct: 5}); p.Quota != 20 || p.RatePct != 5 {
		t.Errorf("5 %%: %+v", p)
	}
	for _, bad := range []int{2, 6, -1} {
		if _, err := Plan(r, Population{Base: 400, RatePct: bad}); !apperr.Is(err, apperr.CodeValidation) {
			t.Errorf("rate %d: %v", bad, err)
		}
	}
}

// TestCommercialCustomerManager: SMP-004: every reading re-checked; 148
// readings and 147 re-checked do not meet the quota.
func TestCommercialCustomerManager(t *testing.T) {
	p := plan(t, "customer_manager.commercial", Population{Base: 148})
	if p.Quota != 148 || p.Met(147) || !p.Met(148) {
		t.Errorf("148 readings: quota %d", p.Quota)
	}
}

// TestRateOverride: a small company raises the residential rate (SMP-003,
// G-22); the inspector's and the riser's rates cannot be changed.
func TestRateOverride(t *testing.T) {
	if p := plan(t, "customer_manager.residential", Population{Base: 3600, RatePct: 4}); p.Quota != 144 {
		t.Errorf("4 %% of 3,600: %d", p.Quota)
	}
	for _, c := range []struct {
		key  string
		rate int
	}{{"customer_manager.residential", 1}, {"inspector", 3}, {"repair.riser", 50}} {
		if _, err := Plan(gasRule(t, c.key), Population{Base: 100, RatePct: c.rate}); !apperr.Is(err, apperr.CodeValidation) {
			t.Errorf("%s at %d %%: %v", c.key, c.rate, err)
		}
	}
}

// TestPlanRefuses: what Plan refuses, naming the field.
func TestPlanRefuses(t *testing.T) {
	res := gasRule(t, "customer_manager.residential")
	for _, c := range []struct {
		rule  *policy.SamplingRule
		pop   Population
		field string
	}{
		{gasRule(t, "counter_clerk"), Population{Base: 10}, "rule"},
		{res, Population{Base: -1}, "population"},
		{res, Population{Base: 100, Strata: map[string]int{"garage": 3}}, "strata.garage"},
		{res, Population{Base: 100, Strata: map[string]int{"indoor": -3}}, "strata.indoor"},
		{gasRule(t, "inspector"), Population{Base: 100, Strata: map[string]int{"indoor": 3}}, "strata"},
	} {
		_, err := Plan(c.rule, c.pop)
		if e, ok := apperr.As(err); !ok || e.Field != c.field {
			t.Errorf("%s %+v: %v, want a problem at %s", c.rule.Key, c.pop, err, c.field)
		}
	}
}

// TestEscalation: SMP-017: the third missed quota of the year brings a
// warning, the second cover-up demotion; the sixth miss another warning.
func TestEscalation(t *testing.T) {
	quota := &policy.RepeatOffence{Key: "quota_missed", Threshold: 3, Consequence: policy.ConsequenceWarning}
	cover := &policy.RepeatOffence{Key: "cover_up", Threshold: 2, Consequence: policy.ConsequenceDemotion}
	var got []string
	for n := 1; n <= 6; n++ {
		got = append(got, Escalation(quota, n))
	}
	if !slices.Equal(got, []string{"", "", "warning", "", "", "warning"}) {
		t.Errorf("missed quotas: %q", got)
	}
	if Escalation(cover, 1) != "" || Escalation(cover, 2) != "demotion" || Escalation(cover, 0) != "" {
		t.Error("cover-ups")
	}
}
