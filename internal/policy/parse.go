package policy

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/money"
)

// MaxFileSize is the largest pack file Parse reads.
const MaxFileSize = 1 << 20

// Problem is one error in a pack file, with the line and field path it
// concerns (PRODUCT.md §4: "prints every error with its line and field path").
type Problem struct {
	File    string
	Line    int    // 1-based; 0 when unknown
	Path    string // categories[3].clocks[0].duration; "" for the whole file
	Message i18n.Text
}

// String writes the problem as `FILE:LINE: field.path: message` (English).
func (p Problem) String() string { return p.In(i18n.EN) }

// In writes the problem in the locale.
func (p Problem) In(l i18n.Locale) string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		b.WriteString(":" + strconv.Itoa(p.Line))
	}
	b.WriteString(": ")
	if p.Path != "" {
		b.WriteString(p.Path + ": ")
	}
	b.WriteString(p.Message.In(l))
	return b.String()
}

// Option adjusts Parse.
type Option func(*parseOptions)

type parseOptions struct {
	calendars CalendarSet
}

// CalendarSet is where calendar ids are checked; *calendar.Registry is one.
type CalendarSet interface {
	Get(id string) (*calendar.Calendar, bool)
}

// WithCalendars makes Parse check that every calendar id exists in cals.
func WithCalendars(cals CalendarSet) Option {
	return func(o *parseOptions) { o.calendars = cals }
}

// Parse reads a pack file (YAML, field names as the json tags of Pack),
// applies the defaults and validates it strictly. name is the file name
// used in the problems. The pack is nil when there are problems.
func Parse(name string, data []byte, opts ...Option) (*Pack, []Problem) {
	var o parseOptions
	for _, opt := range opts {
		opt(&o)
	}
	d := &decoder{file: name, lines: map[string]int{}}
	if len(data) > MaxFileSize {
		return nil, []Problem{d.problem(0, "", i18n.T("文件超过 %d 字节上限", "file exceeds the %d-byte limit", MaxFileSize))}
	}
	if !utf8.Valid(data) {
		return nil, []Problem{d.problem(0, "", i18n.T("文件不是有效的 UTF-8 文本", "file is not valid UTF-8 text"))}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, []Problem{syntaxProblem(name, err)}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, []Problem{d.problem(1, "", i18n.T("文件为空", "the file is empty"))}
	}
	var p Pack
	d.value(doc.Content[0], reflect.ValueOf(&p).Elem(), "")
	if len(d.probs) > 0 {
		return nil, d.sorted()
	}
	applyDefaults(&p)
	v := &validator{d: d, p: &p}
	v.pack()
	if o.calendars != nil {
		for _, pr := range ValidateCalendars(&p, o.calendars) {
			d.probs = append(d.probs, d.problem(d.line(pr.Path), pr.Path, pr.Message))
		}
	}
	if len(d.probs) > 0 {
		return nil, d.sorted()
	}
	return &p, nil
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// syntaxProblem turns a YAML syntax error into a problem with its line.
func syntaxProblem(file string, err error) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(msg, m[0]), ":"))
	}
	return Problem{File: file, Line: line, Message: i18n.T("YAML 语法错误：%s", "YAML syntax error: %s", msg)}
}

// decoder copies a yaml.Node tree into a Pack, strictly: unknown keys,
// duplicate keys and wrong types are problems. It records the line of every
// field path for the validator.
type decoder struct {
	file  string
	lines map[string]int
	probs []Problem
	depth int
}

func (d *decoder) problem(line int, path string, msg i18n.Text) Problem {
	return Problem{File: d.file, Line: line, Path: path, Message: msg}
}

func (d *decoder) add(line int, path string, msg i18n.Text) {
	d.probs = append(d.probs, d.problem(line, path, msg))
}

// line is the line of path, or of its nearest recorded parent.
func (d *decoder) line(path string) int {
	for path != "" {
		if l, ok := d.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return d.lines[""]
}

func (d *decoder) sorted() []Problem {
	slices.SortStableFunc(d.probs, func(a, b Problem) int { return a.Line - b.Line })
	return d.probs
}

var (
	durationType = reflect.TypeFor[calendar.Duration]()
	yuanType     = reflect.TypeFor[money.Yuan]()
	// notInFile are fields kefu sets itself.
	notInFile = map[string]bool{"source": true}
)

func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	if n.Tag == "!!null" {
		return "empty"
	}
	return strings.TrimPrefix(n.Tag, "!!") + " " + strconv.Quote(n.Value)
}

func (d *decoder) wrongType(n *yaml.Node, path, want, wantZH string) {
	d.add(n.Line, path, i18n.T("应为%[1]s，实为 %[3]s", "must be %[2]s, not %[3]s", wantZH, want, kindName(n)))
}

// value decodes n into v.
func (d *decoder) value(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind == yaml.AliasNode {
		d.add(n.Line, path, i18n.T("不支持 YAML 别名", "YAML aliases are not supported"))
		return
	}
	if _, ok := d.lines[path]; !ok {
		d.lines[path] = n.Line
	}
	if v.Type() == durationType {
		if n.Kind != yaml.ScalarNode || n.Tag != "!!str" && n.Tag != "!!int" {
			d.wrongType(n, path, "a duration such as \"3wd\"", "时限（如 \"3wd\"）")
			return
		}
		dur, err := calendar.ParseDuration(n.Value)
		if err != nil {
			zh, en := err.Error(), err.Error()
			if de, ok := err.(*calendar.DurationError); ok {
				zh, en = de.ReasonZH, de.Reason
			}
			d.add(n.Line, path, i18n.T("时限 %[1]q 无效：%[2]s", "invalid duration %[1]q: %[3]s", n.Value, zh, en))
			return
		}
		v.Set(reflect.ValueOf(dur))
		return
	}
	if v.Type() == yuanType {
		y, err := money.Parse(n.Value)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!str" && n.Tag != "!!int" && n.Tag != "!!float" || err != nil {
			d.wrongType(n, path, "an amount in yuan such as 2000 or 0.50", "金额（元，如 2000 或 0.50）")
			return
		}
		v.Set(reflect.ValueOf(y))
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.mapping(n, v, path)
	case reflect.Map: // string keys: free keys such as hazard severities or payload fields
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return
		}
		if n.Kind != yaml.MappingNode {
			d.wrongType(n, path, "a mapping", "键值映射")
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			e := reflect.New(v.Type().Elem()).Elem()
			d.value(n.Content[i+1], e, path+"."+k)
			m.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), e)
		}
		v.Set(m)
	case reflect.Slice:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.wrongType(n, path, "a list", "列表")
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			d.value(c, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.String:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
			d.wrongType(n, path, "a string", "文本")
			return
		}
		v.SetString(n.Value)
	case reflect.Int:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			d.wrongType(n, path, "a whole number", "整数")
			return
		}
		i, err := strconv.ParseInt(n.Value, 0, 32)
		if err != nil {
			d.add(n.Line, path, i18n.T("整数超出范围：%s", "number out of range: %s", n.Value))
			return
		}
		v.SetInt(i)
	case reflect.Pointer: // an optional value: nil when left out or null
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return
		}
		e := reflect.New(v.Type().Elem())
		d.value(n, e.Elem(), path)
		v.Set(e)
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			d.wrongType(n, path, "true or false", "true 或 false")
			return
		}
		v.SetBool(n.Value == "true")
	default:
		panic("policy: cannot decode into " + v.Type().String())
	}
}

// mapping decodes a YAML mapping into a struct, by the fields' json tags.
func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.wrongType(n, path, "a mapping", "键值映射")
		return
	}
	fields := map[string]int{}
	var known []string
	t := v.Type()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" || path == "" && notInFile[name] {
			continue
		}
		fields[name] = i
		known = append(known, name)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.add(k.Line, path, i18n.T("键必须是文本", "keys must be plain text"))
			continue
		}
		fp := join(path, k.Value)
		idx, ok := fields[k.Value]
		switch {
		case !ok:
			d.add(k.Line, fp, i18n.T("未知字段 %q（可用字段：%s）", "unknown field %q (known: %s)",
				k.Value, strings.Join(known, ", ")))
			continue
		case seen[k.Value]:
			d.add(k.Line, fp, i18n.T("字段重复", "duplicate field"))
			continue
		}
		seen[k.Value] = true
		d.lines[fp] = k.Line
		d.value(val, v.Field(idx), fp)
	}
}
