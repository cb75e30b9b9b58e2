package customerio

import (
	"encoding/json"
	"sort"
	"strings"

	"golang.org/x/text/width"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
)

// FieldKind says how a cell of a field is read.
type FieldKind int

// How cells are read.
const (
	KindText  FieldKind = iota // trimmed text
	KindCode                   // numbers and codes: full-width folded, no spaces
	KindPhone                  // a phone number: full-width folded
	KindDate                   // a date: Excel serial or text, normalised to YYYY-MM-DD
	KindBool                   // 是/否, Y/N, √, 1/0
	KindList                   // several keys separated by 、,，;；/
)

// Field is one column a ledger may have: its key (as in the API and the
// mapping JSON), its Chinese header in templates and exports, and the
// headers of real ledgers that mean it.
type Field struct {
	Key      string
	Header   string // zh-CN header written by kefu
	HeaderEN string
	Aliases  []string // headers that map to it automatically
	Kind     FieldKind
	// Attrs names the service-point attribute the field is stored in, per
	// service-point kind; a field with Attrs but none for the pack's kind
	// is not imported (the mapping says so).
	Attrs   map[string]string
	Help    string // one line for the template's 说明 sheet
	Example [2]string
}

// Fields is the catalogue, in template and export order.
var Fields = []Field{
	{Key: "name", Header: "客户名称", HeaderEN: "name", Kind: KindText,
		Aliases: []string{"客户名称", "用户名称", "户名", "客户姓名", "用户姓名", "姓名", "用户名", "单位名称", "客户", "户主", "户主姓名", "业主姓名", "name"},
		Help:    "必填。个人写姓名，单位写全称。", Example: [2]string{"王建国", "幸福里物业服务有限公司"}},
	{Key: "kind", Header: "客户类别", HeaderEN: "kind", Kind: KindText,
		Aliases: []string{"客户类别", "主体类型", "个人/单位", "kind"},
		Help:    "个人 或 单位；不填为个人。", Example: [2]string{"个人", "单位"}},
	{Key: "phone", Header: "联系电话", HeaderEN: "phone", Kind: KindPhone,
		Aliases: []string{"联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "电话号码", "联系人电话", "移动电话", "phone"},
		Help:    "手机或座机，7至15位数字；全角数字会自动转换。请把该列设为文本，以免 Excel 改成科学计数法。", Example: [2]string{"13800138000", "010-65881234"}},
	{Key: "id_number", Header: "身份证号", HeaderEN: "id_number", Kind: KindCode,
		Aliases: []string{"身份证号", "身份证号码", "证件号码", "证件号", "统一社会信用代码", "id_number"},
		Help:    "保密字段，仅有权限的人员可见。请设为文本列。", Example: [2]string{"110101199001011234", ""}},
	{Key: "address", Header: "用户地址", HeaderEN: "address", Kind: KindText,
		Aliases: []string{"地址", "用户地址", "安装地址", "住址", "用气地址", "用电地址", "详细地址", "联系地址", "客户地址", "address"},
		Help:    "用气/用电/房屋地址。", Example: [2]string{"朝阳区幸福里小区3栋2单元501", "朝阳区幸福里小区物业楼1层"}},
	{Key: "account_no", Header: "户号", HeaderEN: "account_no", Kind: KindCode,
		Aliases: []string{"户号", "用户编号", "燃气户号", "用电户号", "用户号", "客户编号", "户编号", "账户号", "account_no"},
		Help:    "一户一档：同一户号只能建一个档案（CUS-001）。", Example: [2]string{"3-2-501", "WY-0001"}},
	{Key: "meter_no", Header: "表号", HeaderEN: "meter_no", Kind: KindCode, Attrs: map[string]string{gas: "meters"},
		Aliases: []string{"表号", "燃气表号", "电表号", "表具编号", "表编号", "meter_no"},
		Help:    "燃气表或电能表编号。", Example: [2]string{"G2024000512", ""}},
	{Key: "type", Header: "客户类型", HeaderEN: "type", Kind: KindText,
		Aliases: []string{"客户类型", "用户性质", "用户类型", "用气性质", "用电类别", "客户性质", "type"},
		Help:    "按本单位行业包的分类填写，如 居民、商业、工业、采暖、公福。", Example: [2]string{"居民", "商业"}},
	{Key: "grade", Header: "客户等级", HeaderEN: "grade", Kind: KindText,
		Aliases: []string{"客户等级", "等级", "grade"},
		Help:    "如 A、B、C。", Example: [2]string{"B", "A"}},
	{Key: "importance", Header: "重要程度", HeaderEN: "importance", Kind: KindText,
		Aliases: []string{"重要程度", "重要性", "importance"}, Help: "可不填。"},
	{Key: "credit_grade", Header: "信用等级", HeaderEN: "credit_grade", Kind: KindText,
		Aliases: []string{"信用等级", "credit_grade"}, Help: "可不填。"},
	{Key: "credit_limit", Header: "信用额度", HeaderEN: "credit_limit", Kind: KindCode,
		Aliases: []string{"信用额度", "信用限度", "信用限度额", "credit_limit"}, Help: "单位：元，可带两位小数。"},
	{Key: "key_account", Header: "重点客户", HeaderEN: "key_account", Kind: KindBool,
		Aliases: []string{"重点客户", "是否重点客户", "大客户", "key_account"},
		Help:    "是 或 否。", Example: [2]string{"否", "是"}},
	{Key: "special_groups", Header: "特殊群体", HeaderEN: "special_groups", Kind: KindList,
		Aliases: []string{"特殊群体", "特殊人群", "special_groups"}, Help: "多个用顿号分隔。"},
	{Key: "flags", Header: "风险标记", HeaderEN: "flags", Kind: KindList,
		Aliases: []string{"风险标记", "用户标记", "异常标记", "flags"}, Help: "多个用顿号分隔。"},
	{Key: "reading_frequency", Header: "抄表周期", HeaderEN: "reading_frequency", Kind: KindText, Attrs: map[string]string{gas: "reading_frequency"},
		Aliases: []string{"抄表周期", "抄表频率", "reading_frequency"}, Help: "燃气户填写：每月、双月、季度、半年 或 每年。", Example: [2]string{"双月", "每月"}},
	{Key: "voltage", Header: "电压等级", HeaderEN: "voltage", Kind: KindText, Attrs: map[string]string{power: "voltage"},
		Aliases: []string{"电压等级", "供电电压", "voltage"}, Help: "供电客户必填，如 220V、10kV。"},
	{Key: "capacity", Header: "合同容量", HeaderEN: "capacity", Kind: KindText, Attrs: map[string]string{power: "contracted_capacity_kva"},
		Aliases: []string{"合同容量", "报装容量", "容量", "capacity"}, Help: "供电客户填写，单位 kVA，如 315。"},
	{Key: "tariff", Header: "电价类别", HeaderEN: "tariff", Kind: KindText, Attrs: map[string]string{power: "tariff"},
		Aliases: []string{"电价类别", "电价", "tariff"}, Help: "供电客户填写。"},
	{Key: "building", Header: "楼栋", HeaderEN: "building", Kind: KindCode, Attrs: map[string]string{property: "building"},
		Aliases: []string{"楼栋", "楼号", "栋号", "building"}, Help: "物业房屋填写。"},
	{Key: "unit", Header: "单元", HeaderEN: "unit", Kind: KindCode, Attrs: map[string]string{property: "unit"},
		Aliases: []string{"单元", "单元号", "unit"}, Help: "物业房屋填写。"},
	{Key: "room", Header: "房号", HeaderEN: "room", Kind: KindCode, Attrs: map[string]string{property: "room"},
		Aliases: []string{"房号", "房间号", "室号", "room"}, Help: "物业房屋填写；无户号时按 楼栋-单元-房号 生成户号。"},
	{Key: "area", Header: "建筑面积", HeaderEN: "area_m2", Kind: KindCode, Attrs: map[string]string{property: "area_m2"},
		Aliases: []string{"建筑面积", "面积", "area_m2"}, Help: "物业房屋填写，单位平方米。"},
	{Key: "opened_on", Header: "开户日期", HeaderEN: "opened_on", Kind: KindDate,
		Aliases: []string{"开户日期", "立户日期", "建档日期", "通气日期", "开户时间", "opened_on"},
		Help:    "日期，如 2024-03-05、2024/3/5、2024年3月5日 或 Excel 日期；记入备注（开户日期：2024-03-05）。", Example: [2]string{"2024-03-05", "2019-11-20"}},
	{Key: "email", Header: "电子邮箱", HeaderEN: "email", Kind: KindText,
		Aliases: []string{"电子邮箱", "邮箱", "电子邮件", "email"}, Help: "可不填。"},
	{Key: "car_brand", Header: "车辆品牌", HeaderEN: "car_brand", Kind: KindText,
		Aliases: []string{"车辆品牌", "车辆品牌型号", "car_brand"}, Help: "售楼客户识别要素（CUS-016），可不填。"},
	{Key: "car_plate", Header: "车牌号", HeaderEN: "car_plate", Kind: KindCode,
		Aliases: []string{"车牌号", "车牌", "车牌号码", "car_plate"}, Help: "可不填。"},
	{Key: "note", Header: "备注", HeaderEN: "note", Kind: KindText,
		Aliases: []string{"备注", "说明", "note"}, Help: "可不填。"},
}

// Service-point kinds (as the customer service names them).
const (
	gas      = "gas_account"
	power    = "power_supply_point"
	property = "property_unit"
)

// Required are the fields a ledger must have a column for.
var Required = []string{"name"}

// Ignore is the mapping value that leaves a column out.
const Ignore = "ignore"

var fieldByKey = func() map[string]*Field {
	m := make(map[string]*Field, len(Fields))
	for i := range Fields {
		m[Fields[i].Key] = &Fields[i]
	}
	return m
}()

var fieldByAlias = func() map[string]*Field {
	m := map[string]*Field{}
	for i := range Fields {
		for _, a := range Fields[i].Aliases {
			m[headerKey(a)] = &Fields[i]
		}
	}
	return m
}()

// LookupField returns the field of a key.
func LookupField(key string) (*Field, bool) {
	f, ok := fieldByKey[key]
	return f, ok
}

// headerKey is a header as compared: full-width folded, lower case, without
// spaces, line breaks, required-markers (*, （必填）) or a trailing colon.
func headerKey(h string) string {
	h = width.Fold.String(h)
	h = strings.ToLower(h)
	h = strings.NewReplacer("(必填)", "", "(选填)", "", "*", "", ":", "", "\u3000", "").Replace(h)
	return strings.Join(strings.Fields(h), "")
}

// Column is one column of the sheet and the field it is read into.
type Column struct {
	Index  int    `json:"-"`
	Letter string `json:"column"`          // A, B, … AA
	Header string `json:"header"`          // as in the file
	Field  string `json:"field,omitempty"` // "" = not imported
	Source string `json:"source"`          // auto, mapping or none
}

// Mapping is the column-mapping step: which column of the ledger feeds
// which field. The dry run answers it so that the UI can show and change it.
type Mapping struct {
	HeaderRow int      `json:"header_row"`
	Columns   []Column `json:"columns"`
	Unmapped  []string `json:"unmapped"` // headers that are not imported
	Missing   []string `json:"missing"`  // required fields without a column
	Fields    []string `json:"fields"`   // every field a column may map to
}

// Overrides is the user's mapping: header text (or column letter) → field
// key, or "ignore"/"" to leave the column out.
type Overrides map[string]string

// ParseOverrides reads the `mapping` form field; unknown fields are a 422
// naming "mapping".
func ParseOverrides(s string) (Overrides, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var o Overrides
	if err := json.Unmarshal([]byte(s), &o); err != nil {
		return nil, apperr.Validation("mapping", i18n.T(`列映射须为 JSON 对象，如 {"联系方式":"phone"}`,
			`mapping must be a JSON object such as {"联系方式":"phone"}`))
	}
	for col, f := range o {
		if f == "" || f == Ignore {
			continue
		}
		if _, ok := fieldByKey[f]; !ok {
			return nil, apperr.Validation("mapping", i18n.T("列“%[1]s”映射到未知字段“%[2]s”；可用字段：%[3]s",
				"column %[1]q maps to unknown field %[2]q; fields: %[3]s", col, f, strings.Join(FieldKeys(), ", ")))
		}
	}
	return o, nil
}

// FieldKeys lists the field keys in catalogue order.
func FieldKeys() []string {
	out := make([]string, len(Fields))
	for i, f := range Fields {
		out[i] = f.Key
	}
	return out
}

// ColumnLetter names column i (0-based) as a spreadsheet does: A … Z, AA ….
func ColumnLetter(i int) string {
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append([]byte{byte('A' + (i-1)%26)}, b...)
	}
	return string(b)
}

// resolve maps one header cell: an override by header or letter first,
// then the aliases. It returns the field key ("" = none) and the source.
func (o Overrides) resolve(header, letter string) (string, string) {
	for _, k := range []string{header, strings.TrimSpace(header), letter} {
		if f, ok := o[k]; ok {
			if f == Ignore {
				f = ""
			}
			return f, "mapping"
		}
	}
	if f, ok := fieldByAlias[headerKey(header)]; ok {
		return f.Key, "auto"
	}
	return "", "none"
}

// score counts the cells of a row that resolve to a field: a header row
// has at least two (or one that a mapping names).
func (o Overrides) score(cells []string) int {
	n := 0
	for i, c := range cells {
		if strings.TrimSpace(c) == "" {
			continue
		}
		if f, src := o.resolve(c, ColumnLetter(i)); f != "" || src == "mapping" {
			n++
		}
	}
	return n
}

// build makes the mapping of a header row; a field claimed twice keeps
// its first column (a mapping override wins over an automatic match).
func (o Overrides) build(rowNum int, cells []string) Mapping {
	m := Mapping{HeaderRow: rowNum, Unmapped: []string{}, Missing: []string{}, Fields: FieldKeys()}
	taken := map[string]int{} // field → index in m.Columns
	for i, c := range cells {
		col := Column{Index: i, Letter: ColumnLetter(i), Header: strings.TrimSpace(c)}
		if col.Header == "" {
			continue
		}
		col.Field, col.Source = o.resolve(c, col.Letter)
		if j, dup := taken[col.Field]; dup && col.Field != "" {
			if col.Source == "mapping" && m.Columns[j].Source == "auto" {
				m.Columns[j].Field, m.Columns[j].Source = "", "none"
				m.Unmapped = append(m.Unmapped, m.Columns[j].Header)
			} else {
				col.Field, col.Source = "", "none"
			}
		}
		if col.Field == "" {
			m.Unmapped = append(m.Unmapped, col.Header)
		} else {
			taken[col.Field] = len(m.Columns)
		}
		m.Columns = append(m.Columns, col)
	}
	for _, r := range Required {
		if _, ok := taken[r]; !ok {
			m.Missing = append(m.Missing, r)
		}
	}
	return m
}

// unknownOverrides lists override keys that name no header and no column
// letter of the header row.
func (o Overrides) unknownOverrides(cells []string) []string {
	known := map[string]bool{}
	for i, c := range cells {
		known[c], known[strings.TrimSpace(c)], known[ColumnLetter(i)] = true, true, true
	}
	var out []string
	for k := range o {
		if !known[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// column returns the index of a field's column, or -1.
func (m *Mapping) column(field string) *Column {
	for i := range m.Columns {
		if m.Columns[i].Field == field {
			return &m.Columns[i]
		}
	}
	return nil
}
