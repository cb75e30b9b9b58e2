package policy

import (
	"slices"
	"strings"
	"testing"

	"kefu/internal/calendar"
)

// certificateSection is a small valid certificates section for minimal
// (with inspectionSection for the inspection track).
const certificateSection = `certificates:
  kinds:
    - key: grid_permit
      name: {zh: 电工进网作业许可证}
      renewal_lead: "30d"
      validity_years: 6
      scopes:
        - {key: low_voltage, name: {zh: 低压类}}
        - {key: high_voltage, name: {zh: 高压类}}
      rules: [INS-017]
    - key: driver
      name: {zh: 驾驶员上岗证}
  required_for:
    - work: complaint
      needs: [{kind: grid_permit, scope: low_voltage}]
    - work: inspection.periodic
      needs: [{kind: grid_permit, scope: high_voltage}, {kind: driver}]
    - work: vehicle.driver
      needs: [{kind: driver}]
`

// TestCertificateDefaults: a kind that names no lead times gets INS-017's
// 30 days for both the renewal lead and the reminder; a pack without the
// section needs nothing for any work.
func TestCertificateDefaults(t *testing.T) {
	p, probs := Parse("mini.yaml", []byte(minimal))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if len(p.Certificates.Kinds) != 0 || p.Certificates.Needs("complaint.general") != nil {
		t.Errorf("empty section: %+v", p.Certificates)
	}
	p, probs = Parse("mini.yaml", []byte(minimal+inspectionSection+certificateSection))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	d, ok := p.Certificates.Kind("driver")
	if !ok || d.RenewalLead.String() != "30d" || d.RemindBefore.String() != "30d" || d.ValidityYears != 0 {
		t.Errorf("driver defaults: %+v", d)
	}
	g, _ := p.Certificates.Kind("grid_permit")
	if s, ok := g.Scope("high_voltage"); !ok || s.Name.ZH != "高压类" {
		t.Errorf("scope: %v %v", s, ok)
	}
}

// TestCertificateNeeds: a requirement for a dotted prefix applies to every
// category under it; the work's own and its prefixes' needs add up, each
// once; work nobody lists needs nothing.
func TestCertificateNeeds(t *testing.T) {
	p, probs := Parse("mini.yaml", []byte(minimal+inspectionSection+certificateSection))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	r := &p.Certificates
	if got := r.Needs("complaint.general"); !slices.Equal(got, []CertificateNeed{{Kind: "grid_permit", Scope: "low_voltage"}}) {
		t.Errorf("complaint.general needs %v", got)
	}
	if got := r.Needs("complaints"); got != nil {
		t.Errorf("a key that only starts like one needs %v", got)
	}
	if got := r.Needs("inspection.periodic"); len(got) != 2 || got[1].Kind != "driver" {
		t.Errorf("inspection needs %v", got)
	}
	if got := r.Needs("fee.visit"); got != nil {
		t.Errorf("fee.visit needs %v", got)
	}
}

// TestLeadBack (INS-017, CAL-015): a lead time counts back in calendar
// days and is not moved off rest days or holidays.
func TestLeadBack(t *testing.T) {
	for _, c := range []struct {
		expires string
		lead    calendar.Duration
		want    string
	}{
		{"2026-12-31", DefaultRenewalLead, "2026-12-01"}, // INS-017's example: a Tuesday
		{"2026-10-31", DefaultRenewalLead, "2026-10-01"}, // National Day: not moved
		{"2027-03-01", DefaultRenewalLead, "2027-01-30"}, // across February
		{"2026-03-31", calendar.Duration{N: 1, Unit: calendar.Months}, "2026-02-28"},
	} {
		d, err := calendar.ParseDate(c.expires)
		if err != nil {
			t.Fatal(err)
		}
		if got := LeadBack(d, c.lead).String(); got != c.want {
			t.Errorf("%s − %s = %s, want %s", c.expires, c.lead, got, c.want)
		}
	}
}

// TestCertificateSectionErrors: each broken value of the section is
// reported with its field path and line.
func TestCertificateSectionErrors(t *testing.T) {
	for _, c := range []struct{ old, new, path string }{
		{"    - key: driver", "    - key: grid_permit", "certificates.kinds[1].key"},
		{"    - key: driver", "    - key: Driver", "certificates.kinds[1].key"},
		{"      name: {zh: 驾驶员上岗证}", "      name: {en: Driver}", "certificates.kinds[1].name.zh"},
		{`      renewal_lead: "30d"`, `      renewal_lead: "3wd"`, "certificates.kinds[0].renewal_lead"},
		{`      renewal_lead: "30d"`, `      renewal_lead: "48h"`, "certificates.kinds[0].renewal_lead"},
		{`      renewal_lead: "30d"`, `      renewal_lead: "thirty days"`, "certificates.kinds[0].renewal_lead"},
		{`      renewal_lead: "30d"`, `      renewal_lead: "30d"` + "\n      remind_before: 2wd", "certificates.kinds[0].remind_before"},
		{"      validity_years: 6", "      validity_years: -1", "certificates.kinds[0].validity_years"},
		{"        - {key: high_voltage, name: {zh: 高压类}}", "        - {key: low_voltage, name: {zh: 高压类}}", "certificates.kinds[0].scopes[1].key"},
		{"      rules: [INS-017]", "      rules: [INS17]", "certificates.kinds[0].rules[0]"},
		{"    - work: complaint\n", "    - work: repair\n", "certificates.required_for[0].work"},
		{"    - work: complaint\n", "    - work: Complaint\n", "certificates.required_for[0].work"},
		{"    - work: inspection.periodic", "    - work: inspection.grid", "certificates.required_for[1].work"},
		{"    - work: vehicle.driver", "    - work: vehicle.pilot", "certificates.required_for[2].work"},
		{"    - work: vehicle.driver", "    - work: complaint", "certificates.required_for[2].work"},
		{"      needs: [{kind: driver}]\n", "      needs: []\n", "certificates.required_for[2].needs"},
		{"      needs: [{kind: driver}]\n", "      needs: [{kind: pilot}]\n", "certificates.required_for[2].needs[0].kind"},
		{"      needs: [{kind: grid_permit, scope: low_voltage}]", "      needs: [{kind: grid_permit, scope: medium}]",
			"certificates.required_for[0].needs[0].scope"},
		{"      needs: [{kind: driver}]\n", "      needs: [{scope: low_voltage}]\n", "certificates.required_for[2].needs[0].kind"},
	} {
		src := minimal + inspectionSection + certificateSection
		if !strings.Contains(src, c.old) {
			t.Fatalf("%q not in the section", c.old)
		}
		_, probs := Parse("mini.yaml", []byte(strings.Replace(src, c.old, c.new, 1)))
		if !slices.ContainsFunc(probs, func(p Problem) bool { return p.Path == c.path && p.Line > 0 }) {
			t.Errorf("%q: problems %v, want one at %s with a line", c.new, probs, c.path)
		}
	}
	// Without an inspections section there are no inspection tracks.
	_, probs := Parse("mini.yaml", []byte(minimal+certificateSection))
	if !slices.ContainsFunc(probs, func(p Problem) bool { return p.Path == "certificates.required_for[1].work" }) {
		t.Errorf("inspection work without inspections: %v", probs)
	}
}

// TestBuiltinCertificates (INS-017, STF-001): the gas pack needs the
// repair worker's vocational qualification for repairs and the safety
// inspector's permit for inspections; the power pack needs the low-voltage
// electrician permit for faults and the high-voltage one for grid-side
// checks, with INS-017's 30-day renewal lead; both need the driver's
// permit for vehicle duty.
func TestBuiltinCertificates(t *testing.T) {
	packs, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]*Pack{}
	for _, p := range packs {
		byKey[p.Key] = p
	}
	gas, power := byKey["gas"].Certificates, byKey["power"].Certificates
	for _, c := range []struct {
		r    *CertificateRules
		work string
		want []CertificateNeed
	}{
		{&gas, "fault.network", []CertificateNeed{{Kind: "repair_qualification"}}},
		{&gas, "fault.user_equipment", []CertificateNeed{{Kind: "repair_qualification"}}},
		{&gas, "alarm.leak", []CertificateNeed{{Kind: "repair_qualification"}}},
		{&gas, "complaint", nil},
		{&gas, "inspection.periodic", []CertificateNeed{{Kind: "safety_inspector"}}},
		{&gas, WorkVehicleDriver, []CertificateNeed{{Kind: "driver"}}},
		{&power, "fault.outage", []CertificateNeed{{Kind: "grid_permit", Scope: "low_voltage"}}},
		{&power, "inspection.grid_dispatch", []CertificateNeed{{Kind: "grid_permit", Scope: "high_voltage"}}},
		{&power, "inspection.periodic", []CertificateNeed{{Kind: "power_inspector"}}},
		{&power, WorkVehicleDriver, []CertificateNeed{{Kind: "driver"}}},
	} {
		if got := c.r.Needs(c.work); !slices.Equal(got, c.want) {
			t.Errorf("%s needs %v, want %v", c.work, got, c.want)
		}
	}
	g, ok := power.Kind("grid_permit")
	if !ok || g.RenewalLead.String() != "30d" || g.Name.ZH != "电工进网作业许可证" || len(g.Scopes) != 3 {
		t.Errorf("grid permit: %+v", g)
	}
}
