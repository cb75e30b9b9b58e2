package policy

import (
	"strconv"
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

// TestBuiltinOccasionRules: the property pack's occasion rules (VIS-006,
// VIS-007) and the handling target of VIS-012.
func TestBuiltinOccasionRules(t *testing.T) {
	packs, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range packs {
		if p.Visits.HandlingTargetPct != 100 {
			t.Errorf("%s: handling target %d %%, want 100 (VIS-012)", p.Key, p.Visits.HandlingTargetPct)
		}
		if p.Key != "property" {
			continue
		}
		want := map[string]string{"activity": "activity_ended 1mo 10 field_staff", "move_in": "move_in 1mo 100 field_staff",
			"emergency": "emergency_closed 3d 100 field_staff", "holiday": "holiday 0d 100 manager"}
		for _, r := range p.Visits.Rules {
			got := r.Trigger + " " + r.Window.String() + " " + strconv.Itoa(r.RatePct) + " " + string(r.Visitor)
			if w, ok := want[r.Key]; ok {
				if got != w || !r.IsOccasion() {
					t.Errorf("property/%s: %s, want %s", r.Key, got, w)
				}
				delete(want, r.Key)
			} else if r.IsOccasion() {
				t.Errorf("property/%s is an occasion rule", r.Key)
			}
		}
		if len(want) > 0 {
			t.Errorf("property lacks the occasion rules %v", want)
		}
	}
}

// TestOccasionRuleProblems: an occasion rule does not select work orders
// or processes, nor name severities or exemptions; the handling target is
// a percentage.
func TestOccasionRuleProblems(t *testing.T) {
	section := `
visits:
  handling_target_pct: 95
  rules:
    - key: activity
      name: {zh: 文体活动回访}
      trigger: activity_ended
      window: 1mo
      rate_pct: 10
      visitor: field_staff
`
	p, probs := Parse("v.yaml", []byte(minimal+section))
	if p == nil {
		t.Fatalf("the valid section: %v", probs)
	}
	if p.Visits.HandlingTargetPct != 95 || !p.Visits.Rules[0].IsOccasion() {
		t.Errorf("visits %+v", p.Visits)
	}
	for _, c := range []struct{ old, new, path string }{
		{"rate_pct: 10", "rate_pct: 10\n      groups: [complaint]", "visits.rules[0].groups"},
		{"rate_pct: 10", "rate_pct: 10\n      processes: [x.y]", "visits.rules[0].processes"},
		{"rate_pct: 10", "rate_pct: 10\n      mandatory: [general]", "visits.rules[0].mandatory"},
		{"rate_pct: 10", "rate_pct: 10\n      exempt: [anonymous]", "visits.rules[0].exempt"},
		{"trigger: activity_ended", "trigger: holiday\n      categories: [complaint.other]", "visits.rules[0].categories"},
		{"handling_target_pct: 95", "handling_target_pct: 120", "visits.handling_target_pct"},
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
}
