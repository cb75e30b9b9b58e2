package policy

import (
	"strings"
	"testing"
)

// TestBuiltinVisitRules: the property pack carries VIS-002..VIS-005 and
// the gas pack VIS-014, with the visitor by severity of VIS-004.
func TestBuiltinVisitRules(t *testing.T) {
	packs, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]VisitRule{}
	for _, p := range packs {
		for _, r := range p.Visits.Rules {
			rules[p.Key+"/"+r.Key] = r
		}
	}
	c := rules["property/complaint"]
	if c.RatePct != 50 || c.Window.String() != "3d" || !c.IsMandatory("major") || c.IsMandatory("general") ||
		c.VisitorFor("general") != "field_staff" || c.VisitorFor("important") != "cs_supervisor" || c.VisitorFor("major") != "manager" {
		t.Errorf("property complaint visits: %+v", c)
	}
	if r := rules["property/repair"]; r.RatePct != 30 || r.Window.String() != "1mo" {
		t.Errorf("property repair visits: %+v", r)
	}
	if r := rules["gas/repair_phone"]; r.RatePct != 100 || len(r.Modes) != 1 || r.Modes[0] != ModePhone {
		t.Errorf("gas repair visits: %+v", r)
	}
}

// TestVisitSectionProblems: bad visit rules are refused with their path.
func TestVisitSectionProblems(t *testing.T) {
	section := `
visits:
  rules:
    - key: complaint
      name: {zh: 投诉回访}
      trigger: ticket_closed
      groups: [complaint]
      window: 3d
      rate_pct: 50
      mandatory: [general]
      visitor: field_staff
`
	for _, c := range []struct{ old, new, path string }{
		{"rate_pct: 50", "rate_pct: 0", "visits.rules[0].rate_pct"},
		{"window: 3d", "window: 3days", "visits.rules[0].window"},
		{"trigger: ticket_closed", "trigger: sunrise", "visits.rules[0].trigger"},
		{"groups: [complaint]", "groups: [complaints]", "visits.rules[0].groups[0]"},
		{"mandatory: [general]", "mandatory: [critical]", "visits.rules[0].mandatory[0]"},
		{"visitor: field_staff", "visitor: janitor", "visits.rules[0].visitor"},
	} {
		text := minimal + strings.Replace(section, c.old, c.new, 1)
		p, probs := Parse("v.yaml", []byte(text))
		if p != nil {
			t.Errorf("%s: accepted", c.new)
			continue
		}
		found := false
		for _, pr := range probs {
			found = found || pr.Path == c.path
		}
		if !found {
			t.Errorf("%s: problems %v, want one at %s", c.new, probs, c.path)
		}
	}
	if p, probs := Parse("v.yaml", []byte(minimal+section)); p == nil {
		t.Fatalf("the valid section: %v", probs)
	}
}
