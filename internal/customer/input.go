package customer

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Input is a customer as POST /api/v1/customers (API.md) and one import
// row give it; the work-order intake gives the first fields only.
type Input struct {
	Kind     Kind   `json:"kind,omitempty"`
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	IDNumber string `json:"id_number,omitempty"`
	Address  string `json:"address"`
	Email    string `json:"email,omitempty"`
	// Type is the industry type key of the pack (CUS-002); Grade is A|B|C|D (CUS-004).
	Type  string `json:"type,omitempty"`
	Grade string `json:"grade,omitempty"`
	// Importance: "" | special | grade1 | grade2 | temporary (CUS-005).
	Importance       string    `json:"importance,omitempty"`
	CreditGrade      string    `json:"credit_grade,omitempty"`
	CreditLimit      string    `json:"credit_limit,omitempty"`   // decimal yuan "500000.00" (CUS-017)
	SpecialGroups    []string  `json:"special_groups,omitempty"` // elderly|frail|sick|disabled (CUS-012)
	Flags            []string  `json:"flags,omitempty"`          // gas risk flags (CUS-019)
	KeyAccount       bool      `json:"key_account,omitempty"`
	KeyAccountTier   string    `json:"key_account_tier,omitempty"`
	AccountManagerID *store.ID `json:"account_manager_id,omitempty"`
	CarBrand         string    `json:"car_brand,omitempty"`
	CarPlate         string    `json:"car_plate,omitempty"`
	Note             string    `json:"note,omitempty"`
	// Profile is the confidential household profile (CUS-020).
	Profile map[string]string `json:"profile,omitempty"`
	// OutageContact and MaintainerID are an important customer's designated
	// persons (CUS-010); Supply its supply configuration (CUS-007).
	OutageContact string              `json:"outage_contact,omitempty"`
	MaintainerID  *store.ID           `json:"maintainer_id,omitempty"`
	Supply        *Supply             `json:"supply,omitempty"`
	ServicePoints []ServicePointInput `json:"service_points,omitempty"`
	// OrgUnit is the owning unit; default the caller's.
	OrgUnit *store.ID `json:"org_unit,omitempty"`
}

// ServicePointInput is a new service point (CUS-001). AccountNo may be left
// out for a property unit: it is built from building-unit-room.
type ServicePointInput struct {
	Kind       string         `json:"kind"` // gas_account | power_supply_point | property_unit
	AccountNo  string         `json:"account_no"`
	Address    string         `json:"address"`
	Attributes map[string]any `json:"attributes"`
}

// Field limits.
const (
	maxName    = 100
	maxAddress = 300
	maxPhone   = 40
	maxShort   = 40
	maxNote    = 2000
	maxProfile = 30  // entries
	maxProfVal = 500 // characters per entry
	maxPoints  = 50
)

// The grades of CUS-004, best first.
var Grades = []string{"A", "B", "C", "D"}

// The important-customer grades of CUS-005.
var ImportanceGrades = []string{"special", "grade1", "grade2", "temporary"}

// fold turns full-width ASCII forms (０-９, Ａ-Ｚ, －, （ …) into ASCII and
// the ideographic space into a space, as Chinese input methods type them.
func fold(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= 0xFF01 && r <= 0xFF5E || r == 0x3000 }) {
		return s
	}
	return strings.Map(store.Narrow, s)
}

// PhoneKey normalises a phone number to its digits: full-width digits
// (０-９) become ASCII, every other character is dropped (CUS-016).
func PhoneKey(phone string) string {
	var b strings.Builder
	for _, r := range phone {
		if r = store.Narrow(r); r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// NameKey normalises a full name for matching (CUS-016): full-width forms
// folded, spaces and middle dots dropped, Latin letters lower-cased.
func NameKey(name string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '·' || r == '•' || r == '.' {
			return -1
		}
		return unicode.ToLower(r)
	}, fold(name))
}

// PlateKey normalises a licence plate: folded, upper-case, without spaces,
// dots or hyphens ("粤b·12345" → "粤B12345").
func PlateKey(plate string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '·' || r == '•' || r == '-' || r == '.' {
			return -1
		}
		return unicode.ToUpper(r)
	}, fold(plate))
}

// addressKey normalises an address for the name + address key.
func addressKey(a string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == ',' || r == '，' {
			return -1
		}
		return unicode.ToLower(r)
	}, fold(a))
}

// surname is the first character of a (Chinese) name.
func surname(nameKey string) string {
	r, _ := utf8.DecodeRuneInString(nameKey)
	if r == utf8.RuneError {
		return ""
	}
	return string(r)
}

// Normalize trims every text, turns full-width digits and letters into
// ASCII in phone, account, identity and plate numbers, upper-cases the
// plate and the identity number, and drops repeated list entries.
func (in *Input) Normalize() {
	for _, p := range []*string{&in.Name, &in.Address, &in.Type, &in.Grade, &in.Importance, &in.CreditGrade,
		&in.KeyAccountTier, &in.CarBrand, &in.Note, &in.OutageContact} {
		*p = strings.TrimSpace(*p)
	}
	in.Phone = strings.TrimSpace(fold(in.Phone))
	in.IDNumber = strings.ToUpper(strings.TrimSpace(fold(in.IDNumber)))
	in.Email = strings.ToLower(strings.TrimSpace(fold(in.Email)))
	in.CreditLimit = strings.TrimSpace(fold(in.CreditLimit))
	in.Grade = strings.ToUpper(fold(in.Grade))
	in.CarPlate = PlateKey(in.CarPlate)
	if in.Kind == "" {
		in.Kind = Person
	}
	in.SpecialGroups = dedupe(in.SpecialGroups)
	in.Flags = dedupe(in.Flags)
	for k, v := range in.Profile {
		in.Profile[k] = strings.TrimSpace(v)
	}
	for i := range in.ServicePoints {
		in.ServicePoints[i].normalize()
	}
}

func (sp *ServicePointInput) normalize() {
	sp.Kind = strings.TrimSpace(sp.Kind)
	sp.AccountNo = strings.Join(strings.Fields(fold(sp.AccountNo)), "")
	sp.Address = strings.TrimSpace(sp.Address)
}

func dedupe(keys []string) []string {
	var out []string
	for _, k := range keys {
		k = strings.TrimSpace(k)
		if k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func tooLong(field string, n int) error {
	return apperr.Validation(field, i18n.T("不能超过%d个字符", "at most %d characters", n))
}

func longer(s string, n int) bool { return utf8.RuneCountInString(s) > n }

var (
	idNumberRE = regexp.MustCompile(`^[0-9A-Z-]{4,30}$`)
	moneyRE    = regexp.MustCompile(`^[0-9]{1,13}(\.[0-9]{1,2})?$`)
	profileKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
)

// Validate checks a normalised input against the pack p; the error is a
// 422 naming the field ("phone", "type", "service_points[0].account_no").
func (in Input) Validate(p *policy.Pack) error {
	rules := &p.Customers
	if in.Kind != Person && in.Kind != Organisation {
		return apperr.Validation("kind", i18n.T("须为 person 或 organisation", "must be person or organisation"))
	}
	if in.Name == "" {
		return apperr.Validation("name", i18n.T("请填写客户名称", "give the customer's name"))
	}
	if longer(in.Name, maxName) {
		return tooLong("name", maxName)
	}
	if err := validPhone("phone", in.Phone); err != nil {
		return err
	}
	if longer(in.Address, maxAddress) {
		return tooLong("address", maxAddress)
	}
	if in.IDNumber != "" && !idNumberRE.MatchString(in.IDNumber) {
		return apperr.Validation("id_number", i18n.T("证件号码格式不正确", "not an identity number"))
	}
	if in.Email != "" && (longer(in.Email, 100) || !strings.Contains(in.Email, "@") || strings.ContainsAny(in.Email, " ,;")) {
		return apperr.Validation("email", i18n.T("电子邮箱格式不正确", "not an e-mail address"))
	}
	if err := validType(rules, in.Type); err != nil {
		return err
	}
	if in.Grade != "" && !slices.Contains(Grades, in.Grade) {
		return apperr.Validation("grade", i18n.T("客户等级须为 A、B、C 或 D（CUS-004）", "grade must be A, B, C or D (CUS-004)"))
	}
	if err := validImportance(rules, in.Importance); err != nil {
		return err
	}
	if err := validCreditGrade(rules, in.CreditGrade); err != nil {
		return err
	}
	if in.CreditLimit != "" {
		if _, err := parseYuan(in.CreditLimit); err != nil {
			return apperr.Validation("credit_limit", i18n.T("信用限度须为金额，如 500000.00（元）", "credit limit must be an amount in yuan such as 500000.00"))
		}
	}
	if err := validKeys("special_groups", in.SpecialGroups, rules.SpecialGroups,
		i18n.T("未知的重点登记原因 %q（CUS-012）", "unknown special group %q (CUS-012)")); err != nil {
		return err
	}
	if err := validKeys("flags", in.Flags, rules.RiskFlags,
		i18n.T("未知的客户标记 %q（CUS-019）", "unknown customer flag %q (CUS-019)")); err != nil {
		return err
	}
	if in.KeyAccountTier != "" {
		if !in.KeyAccount {
			return apperr.Validation("key_account_tier", i18n.T("只有大客户才有客户经理层级", "only a key account has a manager tier"))
		}
		if !policy.HasKey(rules.KeyAccountTiers, in.KeyAccountTier) {
			return apperr.Validation("key_account_tier", i18n.T("未知的大客户层级 %q（CUS-013）", "unknown key-account tier %q (CUS-013)", in.KeyAccountTier))
		}
	}
	for f, v := range map[string]string{"car_brand": in.CarBrand, "car_plate": in.CarPlate, "credit_grade": in.CreditGrade} {
		if longer(v, maxShort) {
			return tooLong(f, maxShort)
		}
	}
	if longer(in.Note, maxNote) {
		return tooLong("note", maxNote)
	}
	if longer(in.OutageContact, maxName) {
		return tooLong("outage_contact", maxName)
	}
	if err := validProfile(in.Profile); err != nil {
		return err
	}
	if in.Supply != nil {
		if err := in.Supply.validate("supply"); err != nil {
			return err
		}
	}
	if len(in.ServicePoints) > maxPoints {
		return apperr.Validation("service_points", i18n.T("一次最多%d个服务点", "at most %d service points at once", maxPoints))
	}
	seen := map[string]int{}
	for i := range in.ServicePoints {
		sp := &in.ServicePoints[i]
		prefix := fmt.Sprintf("service_points[%d]", i)
		if err := sp.validate(prefix, rules); err != nil {
			return err
		}
		key := sp.Kind + "\x00" + sp.AccountNo
		if j, dup := seen[key]; dup {
			return apperr.Validation(prefix+".account_no", i18n.T("与第%d个服务点的账号相同", "same account number as service point %d", j+1))
		}
		seen[key] = i
	}
	return nil
}

func validPhone(field, phone string) error {
	if phone == "" {
		return nil
	}
	if longer(phone, maxPhone) || !phoneChars(phone) {
		return apperr.Validation(field, i18n.T("电话号码格式不正确", "not a phone number"))
	}
	if n := len(PhoneKey(phone)); n < 7 || n > 15 {
		return apperr.Validation(field, i18n.T("电话号码须为7至15位数字", "a phone number has 7 to 15 digits"))
	}
	return nil
}

func validType(rules *policy.CustomerRules, typ string) error {
	if typ == "" {
		if rules.TypeRequired {
			return apperr.Validation("type", i18n.T("请选择客户类型（CUS-002）", "choose the customer type (CUS-002)"))
		}
		return nil
	}
	if _, ok := rules.Type(typ); !ok {
		var keys []string
		for _, t := range rules.Types {
			keys = append(keys, t.Key)
		}
		return apperr.Validation("type", i18n.T("未知的客户类型 %q（可用：%s）", "unknown customer type %q (known: %s)", typ, strings.Join(keys, ", ")))
	}
	return nil
}

func validImportance(rules *policy.CustomerRules, v string) error {
	if v == "" {
		return nil
	}
	if !rules.ImportantCustomers {
		return apperr.Validation("importance", i18n.T("本政策包不设重要客户分级（CUS-005）", "the pack has no important-customer grades (CUS-005)"))
	}
	if !slices.Contains(ImportanceGrades, v) {
		return apperr.Validation("importance", i18n.T("重要客户等级须为 special、grade1、grade2 或 temporary（CUS-005）",
			"importance must be special, grade1, grade2 or temporary (CUS-005)"))
	}
	return nil
}

func validCreditGrade(rules *policy.CustomerRules, v string) error {
	if v != "" && len(rules.CreditGrades) > 0 && !policy.HasKey(rules.CreditGrades, v) {
		return apperr.Validation("credit_grade", i18n.T("未知的信用等级 %q（CUS-017）", "unknown credit grade %q (CUS-017)", v))
	}
	return nil
}

func validKeys(field string, keys []string, allowed []policy.Keyed, msg i18n.Text) error {
	for i, k := range keys {
		if !policy.HasKey(allowed, k) {
			msg.Args = []any{k}
			return apperr.Validation(fmt.Sprintf("%s[%d]", field, i), msg)
		}
	}
	return nil
}

func validProfile(p map[string]string) error {
	if len(p) > maxProfile {
		return apperr.Validation("profile", i18n.T("住户情况最多%d项", "at most %d profile entries", maxProfile))
	}
	for k, v := range p {
		if !profileKey.MatchString(k) {
			return apperr.Validation("profile."+k, i18n.T("项目名须为小写字母、数字和下划线", "entry names are lower-case letters, digits and _"))
		}
		if longer(v, maxProfVal) {
			return tooLong("profile."+k, maxProfVal)
		}
	}
	return nil
}

// ValidateIntake checks the few fields a work-order intake gives; errors
// name the field under prefix ("customer.phone"). It trims the input.
func (in *Input) ValidateIntake(prefix string) error {
	field := func(f string) string {
		if prefix == "" {
			return f
		}
		return prefix + "." + f
	}
	in.Name = strings.TrimSpace(in.Name)
	in.Phone = strings.TrimSpace(in.Phone)
	in.Address = strings.TrimSpace(in.Address)
	in.IDNumber = strings.TrimSpace(in.IDNumber)
	if in.Kind == "" {
		in.Kind = Person
	}
	if in.Kind != Person && in.Kind != Organisation {
		return apperr.Validation(field("kind"), i18n.T("须为 person 或 organisation", "must be person or organisation"))
	}
	if in.Name == "" && in.Phone == "" {
		return apperr.Validation(field("name"), i18n.T("请填写客户姓名或电话", "give the customer's name or phone"))
	}
	if longer(in.Name, maxName) {
		return tooLong(field("name"), maxName)
	}
	if longer(in.Address, maxAddress) {
		return tooLong(field("address"), maxAddress)
	}
	return validPhone(field("phone"), in.Phone)
}

// phoneChars allows digits (ASCII or full-width), spaces and + - ( ) and
// their full-width forms, as people write numbers.
func phoneChars(s string) bool {
	for _, r := range s {
		switch {
		case unicode.IsDigit(r), strings.ContainsRune(" +-()－（）＋—", r):
		default:
			return false
		}
	}
	return true
}

// parseYuan reads "500000.00" (yuan, at most two decimals) into cents.
func parseYuan(s string) (int64, error) {
	if !moneyRE.MatchString(s) {
		return 0, fmt.Errorf("not an amount: %q", s)
	}
	whole, frac, _ := strings.Cut(s, ".")
	for len(frac) < 2 {
		frac += "0"
	}
	return strconv.ParseInt(whole+frac, 10, 64)
}

// formatYuan writes cents as "500000.00".
func formatYuan(cents int64) string {
	return fmt.Sprintf("%d.%02d", cents/100, cents%100)
}
