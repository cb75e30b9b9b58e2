package policy

import (
	"slices"
	"strings"
	"testing"
)

// TestSurveyDefaults: a pack without a surveys section gets the RULES.md
// values (SUR-001 12mo and a 30-day lead, SUR-004 to SUR-008, SUR-010).
func TestSurveyDefaults(t *testing.T) {
	p, probs := Parse("mini.yaml", []byte(minimal))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	s := p.Surveys
	want := DefaultSurveyRules()
	if s.Cadence.String() != "12mo" || s.PlanningLeadDays != 30 || s.DistributionPct != 80 || s.ReturnPct != 85 ||
		s.VerificationPct != 5 || s.AuthenticityPct != 95 || s.DeductionPerPoint != 1 ||
		s.DeductionFractions != DeductProportional || s.ScaleLevels != 5 || s.SatisfiedTopLevels != 2 ||
		s.SatisfiedMinScore != 85 || s.ItemTargetPct != 95 || s.MonthlyTargetPct != 90 {
		t.Errorf("defaults: %+v, want %+v", s, want)
	}
	// A section that sets some values keeps them and gets the rest.
	p, probs = Parse("mini.yaml", []byte(minimal+"surveys:\n  cadence: 6mo\n  return_pct: 90\n"))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if p.Surveys.Cadence.String() != "6mo" || p.Surveys.ReturnPct != 90 || p.Surveys.DistributionPct != 80 {
		t.Errorf("partial section: %+v", p.Surveys)
	}
}

// TestSurveySectionErrors: each broken field of the section is reported
// with its path and line.
func TestSurveySectionErrors(t *testing.T) {
	for _, c := range []struct{ yaml, path string }{
		{"surveys:\n  cadence: 3wd\n", "surveys.cadence"},
		{"surveys:\n  cadence: 12h\n", "surveys.cadence"},
		{"surveys:\n  planning_lead_days: 400\n", "surveys.planning_lead_days"},
		{"surveys:\n  distribution_pct: 101\n", "surveys.distribution_pct"},
		{"surveys:\n  return_pct: -5\n", "surveys.return_pct"},
		{"surveys:\n  verification_pct: 120\n", "surveys.verification_pct"},
		{"surveys:\n  authenticity_pct: 200\n", "surveys.authenticity_pct"},
		{"surveys:\n  deduction_per_point: -1\n", "surveys.deduction_per_point"},
		{"surveys:\n  deduction_fractions: rounded\n", "surveys.deduction_fractions"},
		{"surveys:\n  scale_levels: 11\n", "surveys.scale_levels"},
		{"surveys:\n  scale_levels: 5\n  satisfied_top_levels: 5\n", "surveys.satisfied_top_levels"},
		{"surveys:\n  satisfied_min_score: 101\n", "surveys.satisfied_min_score"},
		{"surveys:\n  item_target_pct: 150\n", "surveys.item_target_pct"},
		{"surveys:\n  monthly_target_pct: -90\n", "surveys.monthly_target_pct"},
		{"surveys:\n  return_pct: 85.5\n", "surveys.return_pct"},
		{"surveys:\n  rules: [SUR-1]\n", "surveys.rules[0]"},
		{"surveys:\n  target: 95\n", "surveys.target"},
	} {
		_, probs := Parse("mini.yaml", []byte(minimal+c.yaml))
		if !slices.ContainsFunc(probs, func(p Problem) bool { return p.Path == c.path && p.Line > 0 }) {
			t.Errorf("%q: problems %v, want one at %s", strings.TrimSpace(c.yaml), probs, c.path)
		}
	}
}

// TestBuiltinSurveySections: property surveys every six months, the other
// packs once a year (SUR-001, G-19); every built-in pack states the
// campaign targets of SUR-004 to SUR-007 and the SUR-010 targets.
func TestBuiltinSurveySections(t *testing.T) {
	packs, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	if len(packs) != len(BuiltinKeys) {
		t.Fatalf("%d built-in packs", len(packs))
	}
	for _, p := range packs {
		s := p.Surveys
		cadence := "12mo"
		if p.Key == "property" {
			cadence = "6mo"
		}
		if s.Cadence.String() != cadence {
			t.Errorf("%s: cadence %s, want %s", p.Key, s.Cadence, cadence)
		}
		if s.DistributionPct != 80 || s.ReturnPct != 85 || s.VerificationPct != 5 || s.AuthenticityPct != 95 ||
			s.DeductionPerPoint != 1 || s.DeductionFractions != DeductProportional || s.ItemTargetPct != 95 ||
			s.MonthlyTargetPct != 90 {
			t.Errorf("%s: surveys %+v", p.Key, s)
		}
		for _, id := range []string{"SUR-001", "SUR-004", "SUR-005", "SUR-006", "SUR-007", "SUR-010"} {
			if !slices.Contains(s.Rules, id) {
				t.Errorf("%s: surveys section does not cite %s", p.Key, id)
			}
		}
	}
}
