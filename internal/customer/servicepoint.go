package customer

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Service-point kinds (CUS-001).
const (
	GasAccount       = "gas_account"
	PowerSupplyPoint = "power_supply_point"
	PropertyUnit     = "property_unit"
)

// ReadingFrequencies are the meter-reading frequencies of a gas account,
// most frequent first; the C&I full safety inspection follows them
// (INS-007: daily → monthly … twice a month → yearly). bimonthly is every
// two months (双月), twice_monthly twice a month (半月).
var ReadingFrequencies = []string{"daily", "weekly", "thrice_monthly", "twice_monthly", "monthly", "bimonthly",
	"quarterly", "half_yearly", "yearly"}

// Usages of a power supply point (CUS-003: power 动力 / lighting 照明).
var Usages = []string{"power", "lighting"}

// AddServicePoint adds a service point to a customer the caller may see
// and write, as its own archive with its own archive number (CUS-001). A
// second archive for an account number the company already holds is
// refused with 409 naming account_no and the existing archive number.
func (s *Service) AddServicePoint(ctx context.Context, p *auth.Principal, customerID store.ID, in ServicePointInput) (ServicePoint, error) {
	if err := need(p, auth.PermCustomersWrite); err != nil {
		return ServicePoint{}, err
	}
	c, err := s.visible(ctx, s.db.Reader(), p, customerID)
	if err != nil {
		return ServicePoint{}, err
	}
	pack, err := s.packOf(ctx, c)
	if err != nil {
		return ServicePoint{}, err
	}
	in.normalize()
	if err := in.validate("", &pack.Customers); err != nil {
		return ServicePoint{}, err
	}
	ctx = withActor(ctx, p)
	var out ServicePoint
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		points, err := s.addPoints(ctx, tx, p, pack, c.ID, c.OrgUnitID, []ServicePointInput{in}, func(int) string { return "" })
		if err != nil {
			return err
		}
		out = points[0]
		return audit.Record(ctx, tx, s.now(), "customer.add_service_point", "customer", c.ID.String(),
			map[string]any{"archive_no": out.ArchiveNo, "kind": out.Kind, "account_no": out.AccountNo})
	})
	if err != nil {
		return ServicePoint{}, err
	}
	all, err := pointsOf(ctx, s.db.Reader(), c.ID)
	for _, sp := range all {
		if sp.ID == out.ID {
			return sp, err
		}
	}
	return out, err
}

// addPoints stores validated service points of customer id (owning unit
// unit): company, archive number, duplicate check. field names the input
// of point i ("service_points[0]" or "").
func (s *Service) addPoints(ctx context.Context, tx store.Conn, p *auth.Principal, pack *policy.Pack, id, unit store.ID,
	points []ServicePointInput, field func(int) string) ([]ServicePoint, error) {
	if len(points) == 0 {
		return nil, nil
	}
	companyUnit, err := org.CompanyOf(ctx, tx, unit)
	if err != nil {
		return nil, err
	}
	company := companyUnit.ID
	now := store.Micros(s.now())
	var out []ServicePoint
	for i, in := range points {
		at := join(field(i), "account_no")
		var existing string
		err := tx.QueryRow(ctx, "SELECT archive_no FROM service_points WHERE company_id = ? AND kind = ? AND account_no = ?",
			company, in.Kind, in.AccountNo).Scan(&existing)
		switch {
		case err == nil:
			return nil, duplicateArchive(at, in.AccountNo, existing)
		case !errors.Is(err, sql.ErrNoRows):
			return nil, err
		}
		kind, _ := pack.Customers.ServicePoint(in.Kind) // validated
		archive, err := nextArchiveNo(ctx, tx, kind.Prefix)
		if err != nil {
			return nil, err
		}
		attrs, err := json.Marshal(in.Attributes)
		if err != nil {
			return nil, err
		}
		spID, err := tx.InsertID(ctx, `INSERT INTO service_points (customer_id, kind, account_no, archive_no, company_id,
			org_unit_id, address, attributes, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			id, in.Kind, in.AccountNo, archive, company, unit, in.Address, string(attrs), byUser(p), now, now)
		if store.IsUniqueViolation(err) {
			// A concurrent archive for the same account won the race.
			return nil, duplicateArchive(at, in.AccountNo, "")
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ServicePoint{ID: spID, CustomerID: id, Kind: in.Kind, AccountNo: in.AccountNo, ArchiveNo: archive,
			CompanyID: company, OrgUnitID: unit, Address: in.Address, Attributes: in.Attributes, Status: "active",
			CreatedAt: store.FromMicros(now)})
	}
	return out, nil
}

func join(prefix, field string) string {
	if prefix == "" {
		return field
	}
	return prefix + "." + field
}

// duplicateArchive is CUS-001's refusal: the account already has an archive.
func duplicateArchive(field, account, archive string) error {
	if archive == "" {
		return apperr.Conflict(field, i18n.T("账号 %s 已有档案，不能重复建档（一户一档，CUS-001）",
			"account %s already has an archive; a second one cannot be created (CUS-001)", account))
	}
	return apperr.Conflict(field, i18n.T("账号 %[1]s 已有档案 %[2]s，不能重复建档（一户一档，CUS-001）",
		"account %[1]s already has archive %[2]s; a second one cannot be created (CUS-001)", account, archive))
}

// nextArchiveNo numbers archives per prefix: G-000001, G-000002 …
func nextArchiveNo(ctx context.Context, tx store.Conn, prefix string) (string, error) {
	n, err := nextSequence(ctx, tx, "archive:"+prefix)
	return fmt.Sprintf("%s-%06d", prefix, n), err
}

// nextSequence advances a register counter and returns its new value.
func nextSequence(ctx context.Context, tx store.Conn, name string) (int64, error) {
	var n int64
	err := tx.QueryRow(ctx, `INSERT INTO register_sequences (name, last) VALUES (?, 1)
		ON CONFLICT (name) DO UPDATE SET last = register_sequences.last + 1 RETURNING last`, name).Scan(&n)
	return n, err
}

const spColumns = `id, customer_id, kind, account_no, archive_no, company_id, org_unit_id, address, attributes, status, created_at`

func scanPoint(s interface{ Scan(...any) error }) (ServicePoint, error) {
	var sp ServicePoint
	var attrs string
	var created int64
	err := s.Scan(&sp.ID, &sp.CustomerID, &sp.Kind, &sp.AccountNo, &sp.ArchiveNo, &sp.CompanyID, &sp.OrgUnitID,
		&sp.Address, &attrs, &sp.Status, &created)
	if err != nil {
		return sp, err
	}
	sp.CreatedAt = store.FromMicros(created)
	sp.Attributes = map[string]any{}
	if attrs != "" {
		err = json.Unmarshal([]byte(attrs), &sp.Attributes)
	}
	return sp, err
}

// pointsOf returns a customer's service points, each listing the others
// as "same owner" cross-references (ARC-002).
func pointsOf(ctx context.Context, c store.Conn, id store.ID) ([]ServicePoint, error) {
	m, err := pointsOfMany(ctx, c, []store.ID{id})
	if m[id] == nil {
		return []ServicePoint{}, err
	}
	return m[id], err
}

func pointsOfMany(ctx context.Context, c store.Conn, ids []store.ID) (map[store.ID][]ServicePoint, error) {
	out := map[store.ID][]ServicePoint{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := c.Query(ctx, "SELECT "+spColumns+" FROM service_points WHERE customer_id IN ("+
		store.Placeholders(len(args))+") ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		sp, err := scanPoint(rows)
		if err != nil {
			return nil, err
		}
		out[sp.CustomerID] = append(out[sp.CustomerID], sp)
	}
	for _, list := range out {
		for i := range list {
			list[i].Related = []Reference{}
			for j, o := range list {
				if i != j {
					list[i].Related = append(list[i].Related, Reference{ServicePointID: o.ID, ArchiveNo: o.ArchiveNo,
						AccountNo: o.AccountNo, Relation: "same_owner"})
				}
			}
		}
	}
	return out, rows.Err()
}

var voltageRE = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)\s*([kK]?)[vV]$`)

// ParseVoltage reads a supply voltage ("10kV", "380V", "0.4 kV") into volts
// and its canonical text (CUS-003).
func ParseVoltage(s string) (volts float64, text string, ok bool) {
	m := voltageRE.FindStringSubmatch(strings.TrimSpace(fold(s)))
	if m == nil {
		return 0, "", false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil || v <= 0 || v > 2000 && m[2] != "" || v > 2_000_000 {
		return 0, "", false
	}
	if m[2] != "" {
		return v * 1000, m[1] + "kV", true
	}
	return v, m[1] + "V", true
}

// validate checks a normalised service point against the pack; prefix
// names it ("service_points[0]" or "").
func (sp *ServicePointInput) validate(prefix string, rules *policy.CustomerRules) error {
	f := func(name string) string { return join(prefix, name) }
	if _, ok := rules.ServicePoint(sp.Kind); !ok {
		var kinds []string
		for _, k := range rules.ServicePoints {
			kinds = append(kinds, k.Kind)
		}
		return apperr.Validation(f("kind"), i18n.T("本政策包的服务点种类为：%s", "service point kinds of the pack: %s", strings.Join(kinds, ", ")))
	}
	if longer(sp.Address, maxAddress) {
		return tooLong(f("address"), maxAddress)
	}
	// Through JSON once, so that Go values of an import row ([]string, int)
	// are checked like the JSON values of a request.
	b, err := json.Marshal(sp.Attributes)
	if err != nil {
		return apperr.Validation(f("attributes"), i18n.T("属性无法读取", "unreadable attributes"))
	}
	sp.Attributes = map[string]any{}
	if err := json.Unmarshal(b, &sp.Attributes); err != nil && string(b) != "null" {
		return apperr.Validation(f("attributes"), i18n.T("属性须为对象", "attributes must be an object"))
	}
	switch sp.Kind {
	case GasAccount:
		err = sp.gas(f)
	case PowerSupplyPoint:
		err = sp.power(f, rules)
	case PropertyUnit:
		err = sp.property(f)
	}
	if err != nil {
		return err
	}
	if sp.AccountNo == "" {
		return apperr.Validation(f("account_no"), i18n.T("请填写户号/账号（CUS-001）", "give the account number (CUS-001)"))
	}
	if longer(sp.AccountNo, maxShort) || strings.ContainsAny(sp.AccountNo, ",;\"'") {
		return apperr.Validation(f("account_no"), i18n.T("户号/账号格式不正确（最多%d个字符）", "not an account number (at most %d characters)", maxShort))
	}
	return nil
}

// attrs checks that only the known attributes are given.
func (sp *ServicePointInput) attrs(f func(string) string, known ...string) error {
	for k := range sp.Attributes {
		if !slices.Contains(known, k) {
			return apperr.Validation(f("attributes."+k), i18n.T("未知属性（可用：%s）", "unknown attribute (known: %s)", strings.Join(known, ", ")))
		}
	}
	return nil
}

// text reads an optional text attribute, folded and trimmed.
func (sp *ServicePointInput) text(f func(string) string, key string, max int) (string, error) {
	v, ok := sp.Attributes[key]
	if !ok || v == nil {
		delete(sp.Attributes, key)
		return "", nil
	}
	s, isText := v.(string)
	if n, isNum := v.(float64); isNum && n == math.Trunc(n) && math.Abs(n) < 1e15 {
		s, isText = strconv.FormatFloat(n, 'f', -1, 64), true // building 3, room 501
	}
	if !isText {
		return "", apperr.Validation(f("attributes."+key), i18n.T("须为文本", "must be text"))
	}
	s = strings.TrimSpace(fold(s))
	if longer(s, max) {
		return "", tooLong(f("attributes."+key), max)
	}
	if s == "" {
		delete(sp.Attributes, key)
	} else {
		sp.Attributes[key] = s
	}
	return s, nil
}

// number reads an optional non-negative number attribute (a JSON number or
// a decimal text).
func (sp *ServicePointInput) number(f func(string) string, key string) error {
	v, ok := sp.Attributes[key]
	if !ok || v == nil {
		delete(sp.Attributes, key)
		return nil
	}
	var n float64
	switch x := v.(type) {
	case float64:
		n = x
	case string:
		var err error
		if n, err = strconv.ParseFloat(strings.TrimSpace(fold(x)), 64); err != nil {
			return apperr.Validation(f("attributes."+key), i18n.T("须为数字", "must be a number"))
		}
	default:
		return apperr.Validation(f("attributes."+key), i18n.T("须为数字", "must be a number"))
	}
	if n < 0 || n > 1e9 || math.IsNaN(n) {
		return apperr.Validation(f("attributes."+key), i18n.T("须为 0 至 1000000000 之间的数", "must be between 0 and 1000000000"))
	}
	sp.Attributes[key] = n
	return nil
}

// gas: meter numbers and reading frequency.
func (sp *ServicePointInput) gas(f func(string) string) error {
	if err := sp.attrs(f, "meters", "reading_frequency", "gas_use"); err != nil {
		return err
	}
	if v, ok := sp.Attributes["meters"]; ok && v != nil {
		list, isList := v.([]any)
		if !isList || len(list) > 20 {
			return apperr.Validation(f("attributes.meters"), i18n.T("须为表号列表（最多20个）", "must be a list of meter numbers (at most 20)"))
		}
		meters := make([]any, 0, len(list))
		for i, m := range list {
			s, isText := m.(string)
			s = strings.Join(strings.Fields(fold(s)), "")
			if !isText || s == "" || longer(s, maxShort) {
				return apperr.Validation(fmt.Sprintf("%s[%d]", f("attributes.meters"), i), i18n.T("表号须为文本（最多%d个字符）", "a meter number is text (at most %d characters)", maxShort))
			}
			meters = append(meters, s)
		}
		sp.Attributes["meters"] = meters
	}
	freq, err := sp.text(f, "reading_frequency", maxShort)
	if err != nil {
		return err
	}
	if freq != "" && !slices.Contains(ReadingFrequencies, freq) {
		return apperr.Validation(f("attributes.reading_frequency"), i18n.T("抄表周期须为：%s", "reading frequency must be one of: %s", strings.Join(ReadingFrequencies, ", ")))
	}
	_, err = sp.text(f, "gas_use", maxShort)
	return err
}

// power: voltage class with the derived HV flag (CUS-003), contracted
// capacity, tariff category, usage.
func (sp *ServicePointInput) power(f func(string) string, rules *policy.CustomerRules) error {
	if err := sp.attrs(f, "voltage", "contracted_capacity_kva", "tariff", "usage", "hv"); err != nil {
		return err
	}
	delete(sp.Attributes, "hv") // derived, never taken from the input
	v, err := sp.text(f, "voltage", maxShort)
	if err != nil {
		return err
	}
	if v == "" {
		return apperr.Validation(f("attributes.voltage"), i18n.T("请填写供电电压，如 10kV、380V（CUS-003）", "give the supply voltage, e.g. 10kV or 380V (CUS-003)"))
	}
	volts, text, ok := ParseVoltage(v)
	if !ok {
		return apperr.Validation(f("attributes.voltage"), i18n.T("供电电压格式不正确，如 10kV、380V", "not a voltage such as 10kV or 380V"))
	}
	sp.Attributes["voltage"] = text
	sp.Attributes["hv"] = volts > float64(rules.HVThresholdVolts) // CUS-003: above 1 kV
	if err := sp.number(f, "contracted_capacity_kva"); err != nil {
		return err
	}
	if _, err := sp.text(f, "tariff", maxShort); err != nil {
		return err
	}
	usage, err := sp.text(f, "usage", maxShort)
	if err == nil && usage != "" && !slices.Contains(Usages, usage) {
		return apperr.Validation(f("attributes.usage"), i18n.T("用电类别须为 power（动力）或 lighting（照明）", "usage must be power or lighting"))
	}
	return err
}

// property: building, unit and room; the account number defaults to
// "building-unit-room" ("3-2-501", ARC-002).
func (sp *ServicePointInput) property(f func(string) string) error {
	if err := sp.attrs(f, "building", "unit", "room", "area_m2", "usage"); err != nil {
		return err
	}
	var parts []string
	for _, k := range []string{"building", "unit", "room"} {
		s, err := sp.text(f, k, 20)
		if err != nil {
			return err
		}
		if s != "" {
			parts = append(parts, s)
		}
	}
	if sp.AccountNo == "" {
		if len(parts) < 2 || sp.Attributes["room"] == nil {
			return apperr.Validation(f("account_no"), i18n.T("请填写房号（楼栋-单元-房间）或楼栋、房间", "give the unit code (building-unit-room) or building and room"))
		}
		sp.AccountNo = strings.Join(parts, "-")
	}
	if err := sp.number(f, "area_m2"); err != nil {
		return err
	}
	_, err := sp.text(f, "usage", maxShort)
	return err
}

// PointOf reads one service point (for another module's transaction, e.g.
// a business process started from it); the caller checks the row scope on
// its OrgUnitID. An unknown id is a 422 naming field.
func PointOf(ctx context.Context, c store.Conn, id store.ID, field string) (ServicePoint, error) {
	sp, err := scanPoint(c.QueryRow(ctx, "SELECT "+spColumns+" FROM service_points WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return sp, apperr.Validation(field, i18n.T("服务点 %d 不存在", "no service point %d", int64(id)))
	}
	return sp, err
}
