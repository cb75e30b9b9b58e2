package policy

import (
	"fmt"
	"regexp"
	"slices"

	"kefu/internal/auth"
	"kefu/internal/i18n"
)

// CustomerRules is the pack's section for the customer archive (CUS): the
// type taxonomy, grading, who sees confidential fields, special groups, risk
// flags, the service-point kinds with their archive prefixes, identity keys.
type CustomerRules struct {
	// TypeRequired: a customer cannot be saved without a type (CUS-002).
	TypeRequired bool `json:"type_required"`
	// Types are the industry types of the pack (CUS-002).
	Types []CustomerType `json:"types"`
	// GradeCuts are the shares (%) of A, B, C and D in a regrading run,
	// summing to 100 (CUS-004: 10/20/30/40).
	GradeCuts []int `json:"grade_cuts"`
	// RegradeIntervalMonths: every customer is regraded at least this often (CUS-004: 12).
	RegradeIntervalMonths int `json:"regrade_interval_months"`
	// ConfidentialRoles name, per field group, the roles that see the
	// group unmasked; the user must also hold customers:confidential
	// (SEC-007, SEC-009, SEC-010, CUS-020).
	ConfidentialRoles ConfidentialRoles `json:"confidential_roles"`
	// SpecialGroups are the priority-service reasons (CUS-012).
	SpecialGroups []Keyed `json:"special_groups"`
	// RiskFlags are the gas customer flags (CUS-019); empty elsewhere.
	RiskFlags []Keyed `json:"risk_flags"`
	// KeyAccountTiers are the key-account manager tiers (CUS-013), optional.
	KeyAccountTiers []Keyed `json:"key_account_tiers"`
	// CreditGrades are the credit grades (CUS-017); empty: free text.
	CreditGrades []Keyed `json:"credit_grades"`
	// ImportantCustomers enables the important-customer grades and their
	// supply validation (CUS-005 to CUS-010).
	ImportantCustomers bool `json:"important_customers"`
	// HVThresholdVolts: a supply voltage above it is high voltage (CUS-003: 1000).
	HVThresholdVolts int `json:"hv_threshold_volts"`
	// ServicePoints are the kinds of service point the pack keeps, each
	// with its archive-number prefix (CUS-001, ARC-002).
	ServicePoints []ServicePointKind `json:"service_points"`
	// IdentityKeys are the keys that make two records duplicate candidates
	// (CUS-016): phone, full_name, name_address, plate_surname.
	IdentityKeys []string `json:"identity_keys"`
	// Rules cites the RULES.md rule IDs of the section.
	Rules []string `json:"rules,omitempty"`
}

// CustomerType is one industry type of a pack (CUS-002).
type CustomerType struct {
	Key  string `json:"key"`
	Name Name   `json:"name"`
	// Class is the derived class other rules use: residential or
	// non_residential (CUS-002 example: heating → non-residential).
	Class string `json:"class"`
}

// Keyed is a key with its name.
type Keyed struct {
	Key  string `json:"key"`
	Name Name   `json:"name"`
	// Aliases are other words ledgers use for it ("老" for 老年人).
	Aliases []string `json:"aliases,omitempty"`
}

// ConfidentialRoles are the roles that see each confidential field group.
type ConfidentialRoles struct {
	IDNumber []auth.Role `json:"id_number"` // identity numbers
	Profile  []auth.Role `json:"profile"`   // household profile (CUS-020, SEC-010)
	Reporter []auth.Role `json:"reporter"`  // identity of hazard/theft reporters (SEC-007)
}

// ServicePointKind is a kind of service point the pack keeps.
type ServicePointKind struct {
	Kind   string `json:"kind"`   // gas_account, power_supply_point, property_unit
	Prefix string `json:"prefix"` // archive number prefix: G → G-000812
	Name   Name   `json:"name"`
}

// The confidential field groups (API and audit names).
const (
	FieldIDNumber = "id_number"
	FieldProfile  = "profile"
	FieldReporter = "reporter"
)

// ServicePointKinds are the kinds of service point kefu knows.
var ServicePointKinds = []string{"gas_account", "power_supply_point", "property_unit"}

// IdentityKeys are the duplicate-matching keys kefu knows (CUS-016).
var IdentityKeys = []string{"phone", "full_name", "name_address", "plate_surname"}

// CustomerClasses are the derived classes of a customer type.
var CustomerClasses = []string{"residential", "non_residential"}

// Customer-section defaults (CUS-003, CUS-004, CUS-012, CUS-016).
var (
	DefaultGradeCuts     = []int{10, 20, 30, 40}
	DefaultRegradeMonths = 12
	DefaultHVVolts       = 1000
	DefaultIdentityKeys  = []string{"phone", "name_address", "plate_surname"}
)

var prefixRE = regexp.MustCompile(`^[A-Z]{1,4}$`)

// RolesFor returns the roles that see a confidential field group.
func (c *CustomerRules) RolesFor(group string) []auth.Role {
	switch group {
	case FieldIDNumber:
		return c.ConfidentialRoles.IDNumber
	case FieldProfile:
		return c.ConfidentialRoles.Profile
	case FieldReporter:
		return c.ConfidentialRoles.Reporter
	}
	return nil
}

// Type returns the customer type with the key.
func (c *CustomerRules) Type(key string) (*CustomerType, bool) {
	for i := range c.Types {
		if c.Types[i].Key == key {
			return &c.Types[i], true
		}
	}
	return nil, false
}

// ServicePoint returns the service-point kind of the pack.
func (c *CustomerRules) ServicePoint(kind string) (*ServicePointKind, bool) {
	for i := range c.ServicePoints {
		if c.ServicePoints[i].Kind == kind {
			return &c.ServicePoints[i], true
		}
	}
	return nil, false
}

// HasKey reports whether list holds an entry with the key.
func HasKey(list []Keyed, key string) bool {
	return slices.ContainsFunc(list, func(k Keyed) bool { return k.Key == key })
}

// customerDefaults fills what the customers section may leave out, so a
// pack stored before the section existed still grades and numbers archives.
func customerDefaults(c *CustomerRules) {
	if len(c.GradeCuts) == 0 {
		c.GradeCuts = slices.Clone(DefaultGradeCuts)
	}
	if c.RegradeIntervalMonths == 0 {
		c.RegradeIntervalMonths = DefaultRegradeMonths
	}
	if c.HVThresholdVolts == 0 {
		c.HVThresholdVolts = DefaultHVVolts
	}
	if len(c.IdentityKeys) == 0 {
		c.IdentityKeys = slices.Clone(DefaultIdentityKeys)
	}
	if len(c.ServicePoints) == 0 {
		c.ServicePoints = []ServicePointKind{
			{Kind: "gas_account", Prefix: "G", Name: Name{ZH: "燃气户", EN: "Gas account"}},
			{Kind: "power_supply_point", Prefix: "P", Name: Name{ZH: "供电点", EN: "Power supply point"}},
			{Kind: "property_unit", Prefix: "H", Name: Name{ZH: "房屋单元", EN: "Property unit"}},
		}
	}
}

func (v *validator) customers(path string, c *CustomerRules) {
	if c.TypeRequired && len(c.Types) == 0 {
		v.add(path+".types", i18n.T("type_required 为 true 时至少需要一个客户类型（CUS-002）",
			"type_required needs at least one type (CUS-002)"))
	}
	for i, t := range c.Types {
		p := fmt.Sprintf("%s.types[%d]", path, i)
		v.key(p+".key", t.Key, simpleKeyRE)
		v.name(p+".name", t.Name)
		if v.required(p+".class", t.Class) && !slices.Contains(CustomerClasses, t.Class) {
			v.add(p+".class", i18n.T("须为 residential 或 non_residential", "must be residential or non_residential"))
		}
	}
	unique(v, path+".types", c.Types, func(t CustomerType) string { return t.Key })
	sum := 0
	for i, n := range c.GradeCuts {
		if n < 0 || n > 100 {
			v.add(fmt.Sprintf("%s.grade_cuts[%d]", path, i), i18n.T("须在 0 到 100 之间", "must be between 0 and 100"))
		}
		sum += n
	}
	if len(c.GradeCuts) != 4 || sum != 100 {
		v.add(path+".grade_cuts", i18n.T("须为 A、B、C、D 四档百分比且合计 100（CUS-004）",
			"must be four shares for A, B, C and D adding up to 100 (CUS-004)"))
	}
	if c.RegradeIntervalMonths < 1 || c.RegradeIntervalMonths > 120 {
		v.add(path+".regrade_interval_months", i18n.T("须在 1 到 120 之间", "must be between 1 and 120"))
	}
	if c.HVThresholdVolts < 1 {
		v.add(path+".hv_threshold_volts", i18n.T("须为正整数（CUS-003）", "must be a positive number (CUS-003)"))
	}
	for group, roles := range map[string][]auth.Role{FieldIDNumber: c.ConfidentialRoles.IDNumber,
		FieldProfile: c.ConfidentialRoles.Profile, FieldReporter: c.ConfidentialRoles.Reporter} {
		for i, r := range roles {
			v.role(fmt.Sprintf("%s.confidential_roles.%s[%d]", path, group, i), r)
		}
	}
	for _, l := range []struct {
		field string
		list  []Keyed
	}{{"special_groups", c.SpecialGroups}, {"risk_flags", c.RiskFlags}, {"key_account_tiers", c.KeyAccountTiers},
		{"credit_grades", c.CreditGrades}} {
		for i, k := range l.list {
			p := fmt.Sprintf("%s.%s[%d]", path, l.field, i)
			if l.field == "credit_grades" {
				v.key(p+".key", k.Key, creditRE)
			} else {
				v.key(p+".key", k.Key, simpleKeyRE)
			}
			v.name(p+".name", k.Name)
		}
		unique(v, path+"."+l.field, l.list, func(k Keyed) string { return k.Key })
	}
	for i, sp := range c.ServicePoints {
		p := fmt.Sprintf("%s.service_points[%d]", path, i)
		if v.required(p+".kind", sp.Kind) && !slices.Contains(ServicePointKinds, sp.Kind) {
			v.add(p+".kind", i18n.T("未知的服务点种类 %q（可用：%v）", "unknown service point kind %q (known: %v)", sp.Kind, ServicePointKinds))
		}
		if v.required(p+".prefix", sp.Prefix) && !prefixRE.MatchString(sp.Prefix) {
			v.add(p+".prefix", i18n.T("须为 1 至 4 个大写字母", "must be 1 to 4 capital letters"))
		}
		v.name(p+".name", sp.Name)
	}
	unique(v, path+".service_points", c.ServicePoints, func(s ServicePointKind) string { return s.Kind })
	for i, k := range c.IdentityKeys {
		if !slices.Contains(IdentityKeys, k) {
			v.add(fmt.Sprintf("%s.identity_keys[%d]", path, i), i18n.T("未知的识别要素 %q（可用：%v）",
				"unknown identity key %q (known: %v)", k, IdentityKeys))
		}
	}
	v.rules(path+".rules", c.Rules)
}

var creditRE = regexp.MustCompile(`^[A-Za-z0-9+_-]{1,10}$`)
