package policy

import (
	"slices"
	"strings"
	"testing"

	"kefu/internal/auth"
)

// TestCustomerDefaults: a pack without a customers section still grades
// (CUS-004 10/20/30/40, 12 months), flags HV above 1 kV (CUS-003) and
// numbers archives.
func TestCustomerDefaults(t *testing.T) {
	p, probs := Parse("mini.yaml", []byte(minimal))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	c := p.Customers
	if !slices.Equal(c.GradeCuts, []int{10, 20, 30, 40}) || c.RegradeIntervalMonths != 12 || c.HVThresholdVolts != 1000 ||
		len(c.ServicePoints) != 3 || !slices.Equal(c.IdentityKeys, DefaultIdentityKeys) || c.TypeRequired {
		t.Errorf("defaults: %+v", c)
	}
}

// TestCustomerSectionErrors: each broken field of the section is reported
// with its path.
func TestCustomerSectionErrors(t *testing.T) {
	for _, c := range []struct{ yaml, path string }{
		{"customers:\n  grade_cuts: [10, 20, 30, 30]\n", "customers.grade_cuts"},
		{"customers:\n  confidential_roles: {profile: [concierge]}\n", "customers.confidential_roles.profile[0]"},
		{"customers:\n  type_required: true\n", "customers.types"},
		{"customers:\n  types: [{key: x, name: {zh: 甲}, class: rich}]\n", "customers.types[0].class"},
		{"customers:\n  service_points: [{kind: water_meter, prefix: W, name: {zh: 水}}]\n", "customers.service_points[0].kind"},
		{"customers:\n  service_points: [{kind: gas_account, prefix: g1, name: {zh: 气}}]\n", "customers.service_points[0].prefix"},
		{"customers:\n  identity_keys: [email]\n", "customers.identity_keys[0]"},
		{"customers:\n  special_groups: [{key: elderly, name: {zh: 老}}, {key: elderly, name: {zh: 老}}]\n", "customers.special_groups[1].key"},
		{"customers:\n  colour: red\n", "customers.colour"},
	} {
		_, probs := Parse("mini.yaml", []byte(minimal+c.yaml))
		if !slices.ContainsFunc(probs, func(p Problem) bool { return p.Path == c.path && p.Line > 0 }) {
			t.Errorf("%q: problems %v, want one at %s", strings.TrimSpace(c.yaml), probs, c.path)
		}
	}
}

// TestBuiltinCustomerSections: the type dimensions of CUS-002, the
// confidential roles of SEC-007/SEC-010 and the archive prefixes.
func TestBuiltinCustomerSections(t *testing.T) {
	packs, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"gas":        {"residential", "commercial", "industrial", "heating", "public_welfare"},
		"power":      {"residential_lv", "other_lv_industrial", "other_lv_commercial", "hv_single", "hv_dual"},
		"realestate": {"target", "intent", "closed", "not_closed"},
	}
	for _, p := range packs {
		c := p.Customers
		var keys []string
		for _, t := range c.Types {
			keys = append(keys, t.Key)
		}
		if w, ok := want[p.Key]; ok && (!slices.Equal(keys, w) || !c.TypeRequired) {
			t.Errorf("%s types %v (required %v), want %v required", p.Key, keys, c.TypeRequired, w)
		}
		if len(c.Types) == 0 || len(c.ServicePoints) == 0 || len(c.SpecialGroups) != 4 {
			t.Errorf("%s: incomplete customers section %+v", p.Key, c)
		}
		for _, group := range []string{FieldIDNumber, FieldProfile, FieldReporter} {
			for _, r := range c.RolesFor(group) {
				if !auth.Grants([]auth.Role{r}, auth.PermCustomersConfidential) {
					t.Errorf("%s names %s for %s, but the role lacks customers:confidential", p.Key, r, group)
				}
			}
			// SEC-007: the auditor sees "protected reporter".
			if group == FieldReporter && slices.Contains(c.RolesFor(group), auth.RoleAuditor) {
				t.Errorf("%s shows reporters to auditors", p.Key)
			}
		}
		if c.ImportantCustomers != (p.Key == "power") {
			t.Errorf("%s: important customers %v", p.Key, c.ImportantCustomers)
		}
	}
	gas := packs[slices.IndexFunc(packs, func(p *Pack) bool { return p.Key == "gas" })]
	if sp, ok := gas.Customers.ServicePoint("gas_account"); !ok || sp.Prefix != "G" || len(gas.Customers.RiskFlags) == 0 {
		t.Errorf("gas: %+v", gas.Customers)
	}
}
