package policy

import (
	"slices"
	"strings"
	"testing"

	"kefu/internal/auth"
)

// hazardSection is a small valid hazards section; the tests below break
// one line of it at a time.
const hazardSection = `
hazards:
  severities:
    - {key: minor, name: {zh: 轻微}}
    - {key: general, name: {zh: 一般}}
    - {key: larger, name: {zh: 较大}}
    - {key: serious, name: {zh: 重大}}
  notice: opinion
  deadline_severities: [serious]
  deadline_important_only: true
  follow_up_interval: 7d
  on_deadline: escalate
  bodies:
    - {key: government, name: {zh: 政府电力管理部门}}
    - {key: regulator, name: {zh: 电力监管机构}}
  filing_bodies: [government, regulator]
  enforcement_roles: [manager]
  rule_ids: [INS-015]
`

// TestHazardDefaults: a pack without the section still keeps a register —
// the fixed scale (INS-018), the rectification notice, a 7-day follow-up
// (INS-013), escalation when a deadline passes (INS-016), manager and
// auditor as enforcement roles, numbers H-…
func TestHazardDefaults(t *testing.T) {
	p, probs := Parse("mini.yaml", []byte(minimal))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	h := p.Hazards
	var keys []string
	for _, s := range h.Severities {
		keys = append(keys, s.Key)
	}
	if !slices.Equal(keys, HazardSeverityKeys) || h.Notice != NoticeRectification || h.FollowUpInterval.String() != "7d" ||
		h.OnDeadline != OnDeadlineEscalate || h.NumberPrefix != "H" || h.DueSoonDays != 2 {
		t.Errorf("defaults: %+v", h)
	}
	if !h.MayEnforce([]auth.Role{auth.RoleManager}) || !h.MayEnforce([]auth.Role{auth.RoleAuditor}) ||
		!h.MayEnforce([]auth.Role{auth.RoleAdmin}) || h.MayEnforce([]auth.Role{auth.RoleFieldStaff}) {
		t.Errorf("enforcement roles: %v", h.EnforcementRoles)
	}
	if h.NeedsDeadlineNotice(HazardSerious, true) {
		t.Error("a pack without deadline severities asks for deadline notices")
	}
	p, probs = Parse("mini.yaml", []byte(minimal+hazardSection))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	h = p.Hazards
	// INS-015: serious hazards at important customers only.
	if !h.NeedsDeadlineNotice(HazardSerious, true) || h.NeedsDeadlineNotice(HazardSerious, false) || h.NeedsDeadlineNotice(HazardLarger, true) {
		t.Error("deadline notice selection")
	}
	if !slices.Equal(h.EscalationBodies, []string{"government", "regulator"}) {
		t.Errorf("escalation bodies default to every body: %v", h.EscalationBodies)
	}
	if h.MayEnforce([]auth.Role{auth.RoleAuditor}) {
		t.Error("the pack's enforcement roles replace the default")
	}
}

// TestHazardValidation: each broken line is reported at its path.
func TestHazardValidation(t *testing.T) {
	cases := []struct{ from, to, path string }{
		{"    - {key: serious, name: {zh: 重大}}", "    - {key: fatal, name: {zh: 特大}}", "hazards.severities[3].key"},
		{"    - {key: serious, name: {zh: 重大}}\n", "", "hazards.severities"},
		{"  notice: opinion", "  notice: deadline", "hazards.notice"},
		{"  deadline_severities: [serious]", "  deadline_severities: [grave]", "hazards.deadline_severities[0]"},
		{"  follow_up_interval: 7d", "  follow_up_interval: 4h", "hazards.follow_up_interval"},
		{"  follow_up_interval: 7d", "  follow_up_interval: 7x", "hazards.follow_up_interval"},
		{"  on_deadline: escalate", "  on_deadline: ignore", "hazards.on_deadline"},
		{"  filing_bodies: [government, regulator]", "  filing_bodies: [government, police]", "hazards.filing_bodies[1]"},
		{"  filing_bodies: [government, regulator]", "  filing_bodies: []", "hazards.filing_bodies"},
		{"  enforcement_roles: [manager]", "  enforcement_roles: [boss]", "hazards.enforcement_roles[0]"},
		{"  rule_ids: [INS-015]", "  rule_ids: [ins15]", "hazards.rule_ids[0]"},
		{"  rule_ids: [INS-015]", "  rule_ids: [INS-015]\n  number_prefix: h-", "hazards.number_prefix"},
	}
	for _, c := range cases {
		src := strings.Replace(minimal+hazardSection, c.from, c.to, 1)
		_, probs := Parse("mini.yaml", []byte(src))
		found := false
		for _, p := range probs {
			if p.Path == c.path {
				found = true
			}
		}
		if !found {
			t.Errorf("%q → %q: want a problem at %s, got %v", c.from, c.to, c.path, probs)
		}
	}
}

// TestHazardBuiltinPacks: gas issues the 《安全隐患整改通知书》, power the
// written opinion and, for serious hazards at important customers, the
// 《限期整改告知书》 filed with the three bodies of INS-015.
func TestHazardBuiltinPacks(t *testing.T) {
	all, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	packs := map[string]*Pack{}
	for _, p := range all {
		packs[p.Key] = p
	}
	gas, power := packs["gas"].Hazards, packs["power"].Hazards
	if gas.Notice != NoticeRectification || len(gas.DeadlineSeverities) != 0 || gas.FollowUpInterval.String() != "7d" {
		t.Errorf("gas: %+v", gas)
	}
	if power.Notice != NoticeOpinion || !power.NeedsDeadlineNotice(HazardSerious, true) ||
		!slices.Equal(power.FilingBodies, []string{"government", "safety_dept", "regulator"}) {
		t.Errorf("power: %+v", power)
	}
}
