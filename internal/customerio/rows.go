package customerio

import (
	"regexp"
	"slices"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/customer"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// RowError is one reason a row cannot be imported, with its spreadsheet
// row number (the header is row 1 when the sheet starts with it).
type RowError struct {
	Row     int       `json:"row"`
	Field   string    `json:"field,omitempty"`  // field key: phone, account_no …
	Column  string    `json:"column,omitempty"` // the column letter in the file
	Message string    `json:"message"`          // in the reader's language
	Text    i18n.Text `json:"-"`
}

// localize fills Message in locale l.
func (e *RowError) localize(l i18n.Locale) { e.Message = e.Text.In(l) }

// row is one data row read into a customer input.
type row struct {
	Num   int
	Input customer.Input
	Errs  []RowError
	Cells string // the row's cells joined, for exact-duplicate detection
}

// builder turns data rows into customer inputs for one pack and unit.
type builder struct {
	m       *Mapping
	pack    *policy.Pack
	unit    store.ID
	spKind  string               // the pack's first service-point kind
	merges  map[int][]mergeRange // row → merged ranges
	fields  []*Field             // per column index, nil = not imported
	colOf   map[string]string    // field → column letter
	seen    map[string]int       // duplicate key → first row
	exactly map[string]int       // whole-row text → first row
}

func newBuilder(m *Mapping, pack *policy.Pack, unit store.ID, merges map[int][]mergeRange) *builder {
	b := &builder{m: m, pack: pack, unit: unit, merges: merges, colOf: map[string]string{},
		seen: map[string]int{}, exactly: map[string]int{}}
	if len(pack.Customers.ServicePoints) > 0 {
		b.spKind = pack.Customers.ServicePoints[0].Kind
	}
	for i := range m.Columns {
		c := &m.Columns[i]
		for len(b.fields) <= c.Index {
			b.fields = append(b.fields, nil)
		}
		if f := fieldByKey[c.Field]; f != nil && f.Attrs != nil && f.Attrs[b.spKind] == "" {
			// e.g. a meter number in a power ledger: the pack's accounts have no such attribute
			c.Field, c.Source = "", "not_applicable"
			m.Unmapped = append(m.Unmapped, c.Header)
		}
		if c.Field != "" {
			b.fields[c.Index] = fieldByKey[c.Field]
			b.colOf[c.Field] = c.Letter
		}
	}
	return b
}

func (b *builder) fail(r *row, field string, msg i18n.Text) {
	r.Errs = append(r.Errs, RowError{Row: r.Num, Field: field, Column: b.colOf[field], Text: msg})
}

// build reads one data row: each cell normalised by its field, then the
// whole input normalised and validated against the pack, then checked for
// a duplicate of an earlier row of the file.
func (b *builder) build(num int, cells []string) row {
	r := row{Num: num}
	for _, mr := range b.merges[num] {
		for c := mr.Col1; c <= mr.Col2; c++ {
			if c-1 < len(b.fields) && b.fields[c-1] != nil {
				b.fail(&r, b.fields[c-1].Key, i18n.T("合并单元格 %s：请取消合并，并在每一行分别填写",
					"merged cells %s: unmerge them and fill in every row", mr.Ref))
			}
		}
	}
	vals := map[string]string{}
	for i, raw := range cells {
		if i >= len(b.fields) || b.fields[i] == nil {
			continue
		}
		f := b.fields[i]
		v, err := normalizeCell(f, raw)
		if err != nil {
			b.fail(&r, f.Key, err.(*cellError).msg)
			continue
		}
		vals[f.Key] = v
	}
	r.Cells = strings.Join(cells, "\x1f")
	if len(r.Errs) > 0 {
		return r
	}
	in, field, err := b.input(vals)
	if err != nil {
		b.fail(&r, field, err.(*cellError).msg)
		return r
	}
	in.Normalize()
	if err := in.Validate(b.pack); err != nil {
		e, ok := apperr.As(err)
		if !ok {
			b.fail(&r, "", i18n.T("%s", "%s", err.Error()))
			return r
		}
		b.fail(&r, fieldOf(e.Field), e.Message)
		return r
	}
	r.Input = in
	b.duplicate(&r)
	return r
}

// input assembles the customer input of one row's values.
func (b *builder) input(v map[string]string) (customer.Input, string, error) {
	rules := &b.pack.Customers
	in := customer.Input{Name: v["name"], Phone: v["phone"], IDNumber: v["id_number"], Address: v["address"],
		Email: v["email"], Grade: gradeKey(v["grade"]), CreditLimit: strings.ReplaceAll(v["credit_limit"], ",", ""),
		CarBrand: v["car_brand"], CarPlate: v["car_plate"], Note: v["note"], OrgUnit: &b.unit}
	kind, err := personKind(v["kind"])
	if err != nil {
		return in, "kind", err
	}
	in.Kind = customer.Kind(kind)
	in.Type = typeKey(rules, v["type"])
	in.Importance = importanceKey(v["importance"])
	in.CreditGrade = keyOf(rules.CreditGrades, v["credit_grade"])
	in.KeyAccount = v["key_account"] == "true"
	for _, s := range splitList(v["special_groups"]) {
		in.SpecialGroups = append(in.SpecialGroups, keyOf(rules.SpecialGroups, s))
	}
	for _, s := range splitList(v["flags"]) {
		in.Flags = append(in.Flags, keyOf(rules.RiskFlags, s))
	}
	if total.MatchString(in.Name) && v["phone"] == "" && v["account_no"] == "" {
		return in, "name", badCell("这一行像是合计行（“%s”）：请删除后再导入", "this looks like a totals row (%q): delete it", in.Name)
	}
	attrs := map[string]any{}
	for _, f := range Fields {
		name := f.Attrs[b.spKind]
		if name == "" || v[f.Key] == "" {
			continue
		}
		val, err := attrValue(name, v[f.Key])
		if err != nil {
			return in, f.Key, err
		}
		attrs[name] = val
	}
	if d := v["opened_on"]; d != "" {
		in.Note = strings.TrimSpace("开户日期：" + d + "；" + in.Note)
		in.Note = strings.TrimSuffix(in.Note, "；")
	}
	if v["account_no"] != "" || len(attrs) > 0 {
		if b.spKind == "" {
			return in, "account_no", badCell("本单位的行业包（%s）不建户号档案：请删除户号、表号等列，或选择燃气/供电/物业单位",
				"the unit's pack (%s) keeps no accounts: drop the account columns or import into a gas, power or property unit", b.pack.Key)
		}
		in.ServicePoints = []customer.ServicePointInput{{Kind: b.spKind, AccountNo: v["account_no"],
			Address: v["address"], Attributes: attrs}}
	}
	return in, "", nil
}

// attrValue converts a cell into the service-point attribute the customer
// service expects: a list of meters, a reading-frequency key, a number
// without its unit.
func attrValue(name, v string) (any, error) {
	switch name {
	case "meters":
		return []any{v}, nil
	case "reading_frequency":
		switch v {
		case "每日", "日", "每天", "日抄", "daily":
			return "daily", nil
		case "每周", "周", "周抄", "weekly":
			return "weekly", nil
		case "每旬", "旬", "每月三次", "thrice_monthly":
			return "thrice_monthly", nil
		case "半月", "每半月", "每月两次", "twice_monthly":
			return "twice_monthly", nil
		case "每月", "月", "单月", "monthly":
			return "monthly", nil
		case "双月", "两月", "隔月", "bimonthly":
			return "bimonthly", nil
		case "季度", "每季", "季", "每季度", "quarterly":
			return "quarterly", nil
		case "半年", "每半年", "half_yearly":
			return "half_yearly", nil
		case "每年", "年", "一年", "yearly":
			return "yearly", nil
		}
		return nil, badCell("抄表周期须为 每日、每周、每旬、半月、每月、双月、季度、半年 或 每年（读到“%s”）",
			"reading frequency must be daily, weekly, thrice monthly, twice monthly, monthly, bimonthly, quarterly, half-yearly or yearly, got %q", v)
	case "contracted_capacity_kva", "area_m2":
		n := strings.TrimSpace(strings.NewReplacer("kVA", "", "KVA", "", "kva", "", "千伏安", "", "㎡", "", "平方米", "", "m2", "", "m²", "", ",", "").Replace(v))
		return n, nil
	}
	return v, nil
}

// total matches the name cell of a totals row.
var total = regexp.MustCompile(`^(合计|总计|小计|共计)`)

// duplicate reports a row that repeats an earlier one: the same account
// number (CUS-001), or without accounts the same name and phone (CUS-016),
// or the very same cells.
func (b *builder) duplicate(r *row) {
	if first, ok := b.exactly[r.Cells]; ok {
		b.fail(r, "", i18n.T("与第%d行完全相同（重复行）", "repeats row %d exactly (duplicated row)", first))
		return
	}
	b.exactly[r.Cells] = r.Num
	var key, field string
	var msg i18n.Text
	if len(r.Input.ServicePoints) > 0 && r.Input.ServicePoints[0].AccountNo != "" {
		key, field = "a\x00"+r.Input.ServicePoints[0].AccountNo, "account_no"
		msg = i18n.T("户号 %[2]s 与第%[1]d行重复：一户只建一个档案（CUS-001）", "account %[2]s repeats row %[1]d: one archive per account (CUS-001)")
	} else if pk := customer.PhoneKey(r.Input.Phone); pk != "" {
		key, field = "p\x00"+pk+"\x00"+customer.NameKey(r.Input.Name), "phone"
		msg = i18n.T("与第%[1]d行的客户名称和电话相同（重复客户，CUS-016）", "same name and phone as row %[1]d (duplicate customer, CUS-016)")
	} else {
		return
	}
	if first, ok := b.seen[key]; ok {
		acct := ""
		if field == "account_no" {
			acct = r.Input.ServicePoints[0].AccountNo
		}
		msg.Args = []any{first, acct}
		b.fail(r, field, msg)
		return
	}
	b.seen[key] = r.Num
}

// fieldOf turns a validation field path into a ledger field key:
// service_points[0].account_no → account_no, service_points[0].attributes.meter_no
// → meter_no, flags[1] → flags.
func fieldOf(path string) string {
	if rest, ok := strings.CutPrefix(path, "service_points[0]."); ok {
		path = rest
		if a, ok := strings.CutPrefix(path, "attributes."); ok {
			if i := strings.IndexByte(a, '['); i > 0 {
				a = a[:i]
			}
			for _, f := range Fields {
				for _, name := range f.Attrs {
					if name == a {
						return f.Key
					}
				}
			}
			return a
		}
		if path == "address" {
			return "address"
		}
	}
	if i := strings.IndexByte(path, '['); i > 0 {
		path = path[:i]
	}
	return path
}

// keyOf maps a value to the key of the list entry it names (by key, or by
// its Chinese or English name); an unknown value stays as it is, for the
// validation to report.
func keyOf(list []policy.Keyed, v string) string {
	for _, k := range list {
		if strings.EqualFold(v, k.Key) || v == k.Name.ZH || (k.Name.EN != "" && strings.EqualFold(v, k.Name.EN)) ||
			slices.Contains(k.Aliases, v) {
			return k.Key
		}
	}
	return v
}

func typeKey(rules *policy.CustomerRules, v string) string {
	for _, t := range rules.Types {
		if strings.EqualFold(v, t.Key) || v == t.Name.ZH || strings.TrimSuffix(v, "用户") == t.Name.ZH ||
			(t.Name.EN != "" && strings.EqualFold(v, t.Name.EN)) {
			return t.Key
		}
	}
	return v
}

// gradeKey reads "A", "A级", "A类" as A.
func gradeKey(v string) string {
	v = strings.TrimSpace(v)
	for _, suffix := range []string{"级", "类", "级客户", "类客户"} {
		if s, ok := strings.CutSuffix(v, suffix); ok && len(s) == 1 {
			return s
		}
	}
	return v
}

// importanceNames are the ledger names of the important-customer grades
// (CUS-005); the export writes the first, the import reads them all.
var importanceNames = map[string][]string{
	"special":   {"特级", "特级重要客户"},
	"grade1":    {"一级", "一级重要客户"},
	"grade2":    {"二级", "二级重要客户"},
	"temporary": {"临时", "临时性重要客户", "临时重要客户"},
}

func importanceKey(v string) string {
	for k, names := range importanceNames {
		if slices.Contains(names, v) {
			return k
		}
	}
	return v
}

// rowsError is the message of a ledger with bad rows.
func rowsError(bad, total int) *apperr.Error {
	return apperr.Validation("file", i18n.T("%d 行有误（共 %d 行），按“全部成功才导入”的要求，未导入任何数据",
		"%d of %d rows are invalid; as all-or-nothing was asked, nothing was imported", bad, total))
}
