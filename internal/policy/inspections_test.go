package policy

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// inspectionSection is a small valid inspections section for minimal.
const inspectionSection = `inspections:
  cycles:
    - key: residential
      name: {zh: 居民安检}
      service_point: gas_account
      when: class == residential
      interval: 24mo
      checklist: indoor
      rules: [INS-006]
  campaigns:
    - key: spring
      name: {zh: 春检}
      when: voltage_kv >= 10
      from: "03-01"
      to: "05-31"
  checklists:
    - key: indoor
      name: {zh: 户内设施检查}
      copies: [stub, customer]
      items:
        - {key: hazards, name: {zh: 隐患}}
`

// TestInspectionDefaults: a pack without the section has no cycles and no
// plan settings; a section with cycles gets the periodic track and the
// INS-009 plans (year, quarter, month; department → team → inspector).
func TestInspectionDefaults(t *testing.T) {
	p, probs := Parse("mini.yaml", []byte(minimal))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if s := p.Inspections; len(s.Cycles)+len(s.Campaigns)+len(s.Checklists)+len(s.PlanPeriods)+len(s.PlanLevels) != 0 {
		t.Errorf("empty section: %+v", s)
	}
	p, probs = Parse("mini.yaml", []byte(minimal+inspectionSection))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	s := p.Inspections
	if s.Cycles[0].Track != TrackPeriodic || s.Cycles[0].Interval.String() != "24mo" {
		t.Errorf("cycle: %+v", s.Cycles[0])
	}
	if !slices.Equal(s.PlanPeriods, []string{"year", "quarter", "month"}) || len(s.PlanLevels) != 3 ||
		s.PlanLevels[0].Level != "department" || s.PlanLevels[2].Level != "inspector" || s.PlanLevels[2].Role != "field_staff" {
		t.Errorf("plan defaults: %v %+v", s.PlanPeriods, s.PlanLevels)
	}
	if from, to, ok := s.Campaigns[0].Window(2026); !ok || from.String() != "2026-03-01" || to.String() != "2026-05-31" {
		t.Errorf("window %v %v %v", from, to, ok)
	}
	if got := s.Tracks(); !slices.Equal(got, []string{TrackPeriodic}) {
		t.Errorf("tracks %v", got)
	}
}

// TestInspectionSectionErrors: each broken value of the section is
// reported with its field path and line.
func TestInspectionSectionErrors(t *testing.T) {
	for _, c := range []struct{ old, new, path string }{
		{"    - key: residential", "    - key: Residential", "inspections.cycles[0].key"},
		{"      name: {zh: 居民安检}", "      name: {en: Residential}", "inspections.cycles[0].name.zh"},
		{"      service_point: gas_account", "      service_point: water_meter", "inspections.cycles[0].service_point"},
		{"      when: class == residential", "      when: class = residential", "inspections.cycles[0].when"},
		{"      when: class == residential", "      when: colour == red", "inspections.cycles[0].when"},
		{"      interval: 24mo", "      interval: 2y", "inspections.cycles[0].interval"},
		{"      interval: 24mo", "      interval: 730d", "inspections.cycles[0].interval"},
		{"      interval: 24mo", "      interval: 0d", "inspections.cycles[0].interval"},
		{"      interval: 24mo", "      interval: 200mo", "inspections.cycles[0].interval"},
		{"      interval: 24mo", "      interval: 24mo\n      track: Grid", "inspections.cycles[0].track"},
		{"      checklist: indoor", "      checklist: outdoor", "inspections.cycles[0].checklist"},
		{"      rules: [INS-006]", "      rules: [INS6]", "inspections.cycles[0].rules[0]"},
		{"      rules: [INS-006]", "      rules: [INS-006]\n      every: 2", "inspections.cycles[0].every"},
		{"      from: \"03-01\"", "      from: \"3-1\"", "inspections.campaigns[0].from"},
		{"      from: \"03-01\"", "      from: \"02-29\"", "inspections.campaigns[0].from"},
		{"      to: \"05-31\"", "      to: \"04-31\"", "inspections.campaigns[0].to"},
		{"      to: \"05-31\"", "      to: \"02-01\"", "inspections.campaigns[0].to"},
		{"      from: \"03-01\"", "      from: 0301", "inspections.campaigns[0].from"},
		{"      when: voltage_kv >= 10", "      when: voltage_kv >=", "inspections.campaigns[0].when"},
		{"      copies: [stub, customer]", "      copies: [stub, stub]", "inspections.checklists[0].copies[1]"},
		{"      copies: [stub, customer]", "      copies: [carbon]", "inspections.checklists[0].copies[0]"},
		{"        - {key: hazards, name: {zh: 隐患}}", "        - {key: hazards, name: {zh: 隐患}}\n        - {key: hazards, name: {zh: 重复}}",
			"inspections.checklists[0].items[1].key"},
		{"      items:\n        - {key: hazards, name: {zh: 隐患}}", "      items: []", "inspections.checklists[0].items"},
		{"      name: {zh: 户内设施检查}", "      name: {zh: 户内设施检查}\n      form: {en: Form}", "inspections.checklists[0].form.zh"},
		{"  checklists:", "  plan_periods: [month, week]\n  checklists:", "inspections.plan_periods[1]"},
		{"  checklists:", "  plan_periods: [month, month]\n  checklists:", "inspections.plan_periods[1]"},
		{"  checklists:", "  plan_levels:\n    - {level: team, name: {zh: 班组}, role: manager}\n    - {level: department, name: {zh: 部门}, role: manager}\n    - {level: inspector, name: {zh: 安检员}, role: field_staff}\n  checklists:",
			"inspections.plan_levels[1].level"},
		{"  checklists:", "  plan_levels:\n    - {level: department, name: {zh: 部门}, role: manager}\n    - {level: team, name: {zh: 班组}, role: manager}\n  checklists:",
			"inspections.plan_levels[1].level"},
		{"  checklists:", "  plan_levels:\n    - {level: inspector, name: {zh: 安检员}, role: chief}\n  checklists:", "inspections.plan_levels[0].role"},
		{"  checklists:", "  plan_levels:\n    - {level: crew, name: {zh: 组}, role: manager}\n  checklists:", "inspections.plan_levels[0].level"},
	} {
		src := minimal + inspectionSection
		if !strings.Contains(src, c.old) {
			t.Fatalf("%q not in the section", c.old)
		}
		_, probs := Parse("mini.yaml", []byte(strings.Replace(src, c.old, c.new, 1)))
		if !slices.ContainsFunc(probs, func(p Problem) bool { return p.Path == c.path && p.Line > 0 }) {
			t.Errorf("%q: problems %v, want one at %s with a line", c.new, probs, c.path)
		}
	}
	// A duplicate cycle key points at the first one's line.
	dup := strings.Replace(minimal+inspectionSection, "  campaigns:", `    - key: residential
      name: {zh: 重复}
      interval: 12mo
  campaigns:`, 1)
	_, probs := Parse("mini.yaml", []byte(dup))
	if !slices.ContainsFunc(probs, func(p Problem) bool {
		return p.Path == "inspections.cycles[1].key" && strings.Contains(p.String(), "first on line")
	}) {
		t.Errorf("duplicate cycle: %v", probs)
	}
}

// TestParseMonthDay: MM-DD of a day every year has.
func TestParseMonthDay(t *testing.T) {
	for s, want := range map[string]bool{"03-01": true, "12-31": true, "02-28": true, "02-29": false, "13-01": false,
		"00-10": false, "3-01": false, "03/01": false, "+3-01": false, "03-+1": false, "": false, "04-31": false} {
		m, d, ok := ParseMonthDay(s)
		if ok != want {
			t.Errorf("%q: ok %v", s, ok)
		}
		if s == "12-31" && (m != time.December || d != 31) {
			t.Errorf("12-31 = %v %d", m, d)
		}
	}
}

// TestBuiltinInspectionSections: the gas and power cycles of INS-001 to
// INS-007 with their rule IDs, the INS-002 campaigns, the INS-010 7-item
// checklist and the INS-012 two-copy form; the other packs have none.
func TestBuiltinInspectionSections(t *testing.T) {
	packs, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	type cyc struct{ key, track, interval, rule string }
	want := map[string][]cyc{
		"power": {{"lv_power", "periodic", "24mo", "INS-001"}, {"kv10", "periodic", "12mo", "INS-001"},
			{"kv35", "periodic", "6mo", "INS-001"}, {"important", "periodic", "6mo", "INS-004"},
			{"grid_marketing", "grid_marketing", "6mo", "INS-005"}, {"grid_dispatch", "grid_dispatch", "6mo", "INS-005"}},
		"gas": {{"residential", "periodic", "24mo", "INS-006"}, {"ci_daily", "periodic", "1mo", "INS-007"},
			{"ci_weekly", "periodic", "3mo", "INS-007"}, {"ci_thrice_monthly", "periodic", "6mo", "INS-007"},
			{"ci_twice_monthly", "periodic", "12mo", "INS-007"}, {"non_residential", "periodic", "12mo", "INS-006"}},
	}
	for _, p := range packs {
		s := p.Inspections
		w, has := want[p.Key]
		if !has {
			if len(s.Cycles)+len(s.Campaigns)+len(s.Checklists) != 0 {
				t.Errorf("%s: unexpected inspections %+v", p.Key, s)
			}
			continue
		}
		if len(s.Cycles) != len(w) {
			t.Fatalf("%s: %d cycles, want %d", p.Key, len(s.Cycles), len(w))
		}
		for i, c := range s.Cycles {
			if c.Key != w[i].key || c.Track != w[i].track || c.Interval.String() != w[i].interval || !slices.Contains(c.Rules, w[i].rule) {
				t.Errorf("%s: cycle %d = %s %s %s %v, want %+v", p.Key, i, c.Key, c.Track, c.Interval, c.Rules, w[i])
			}
			if _, ok := s.Checklist(c.Checklist); !ok {
				t.Errorf("%s/%s: checklist %q", p.Key, c.Key, c.Checklist)
			}
		}
		if !slices.Equal(s.PlanPeriods, []string{"year", "quarter", "month"}) || len(s.PlanLevels) != 3 ||
			s.PlanLevels[1].Level != "team" || s.PlanLevels[2].Level != "inspector" || !slices.Contains(s.Rules, "INS-009") {
			t.Errorf("%s: plans %v %+v rules %v", p.Key, s.PlanPeriods, s.PlanLevels, s.Rules)
		}
	}
	power, gas := packs[3], packs[2]
	if power.Key != "power" || gas.Key != "gas" {
		t.Fatalf("pack order %s %s", power.Key, gas.Key)
	}
	// INS-002: spring 1 Mar–31 May and autumn 1 Sep–30 Nov for ≥ 10 kV.
	camps := power.Inspections.Campaigns
	if len(camps) != 2 || camps[0].Key != "spring" || camps[0].From != "03-01" || camps[0].To != "05-31" ||
		camps[1].Key != "autumn" || camps[1].From != "09-01" || camps[1].To != "11-30" ||
		camps[0].When != "voltage_kv >= 10" || !slices.Contains(camps[1].Rules, "INS-002") {
		t.Errorf("power campaigns %+v", camps)
	}
	// INS-010: 7 items and the no-operation acknowledgement.
	ps, ok := power.Inspections.Checklist("power_safety")
	if !ok || len(ps.Items) != 7 || ps.Items[3].Key != "electrical_tests" || len(ps.Acknowledgements) != 1 {
		t.Errorf("power_safety %+v", ps)
	}
	// INS-012: the indoor-facility form in two copies, signed by the customer.
	gi, ok := gas.Inspections.Checklist("gas_indoor")
	if !ok || gi.Form == nil || gi.Form.ZH != "管道燃气客户户内设施检查表" || !slices.Equal(gi.Copies, []string{"stub", "customer"}) ||
		!gi.CustomerSignature {
		t.Errorf("gas_indoor %+v", gi)
	}
	// INS-007: the C&I full inspection records three things.
	if ci, ok := gas.Inspections.Checklist("gas_ci_full"); !ok || len(ci.Items) != 3 || ci.Items[2].Key != "meter_flow" {
		t.Errorf("gas_ci_full %+v", ci)
	}
}

// TestWorkSheets: the power pack expects the important customer's work
// sheet within 1 working day (INS-011); a broken work sheet is reported
// with its field path.
func TestWorkSheets(t *testing.T) {
	packs, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range packs {
		ws := p.Inspections.WorkSheets
		if p.Key != "power" {
			if len(ws) != 0 {
				t.Errorf("%s: work sheets %+v", p.Key, ws)
			}
			continue
		}
		if len(ws) != 1 || ws[0].When != "important" || ws[0].Within.String() != "1wd" || !slices.Contains(ws[0].Rules, "INS-011") ||
			ws[0].Name.ZH != "重要电力客户用电检查工作单" {
			t.Errorf("power work sheets %+v", ws)
		}
	}
	section := minimal + inspectionSection + `  work_sheets:
    - key: sheet
      name: {zh: 工作单}
      when: important
      within: 1wd
      rules: [INS-011]
`
	if _, probs := Parse("mini.yaml", []byte(section)); len(probs) > 0 {
		t.Fatal(probs)
	}
	for _, c := range []struct{ old, new, path string }{
		{"      within: 1wd", "      within: 1 day", "inspections.work_sheets[0].within"},
		{"      within: 1wd\n", "", "inspections.work_sheets[0].within"},
		{"      when: important", "      when: vip", "inspections.work_sheets[0].when"},
		{"    - key: sheet", "    - key: Sheet", "inspections.work_sheets[0].key"},
	} {
		_, probs := Parse("mini.yaml", []byte(strings.Replace(section, c.old, c.new, 1)))
		if !slices.ContainsFunc(probs, func(p Problem) bool { return p.Path == c.path }) {
			t.Errorf("%q: problems %v, want one at %s", c.new, probs, c.path)
		}
	}
}
