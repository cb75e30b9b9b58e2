package policy

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"kefu/internal/i18n"
)

// Limits on a condition's source.
const (
	MaxConditionLen   = 1000 // bytes
	MaxConditionDepth = 32   // nested parentheses and nots
)

// Condition is a parsed branch condition of a process definition: a boolean
// expression over the process's attributes, such as
//
//	sources == dual or capacity_kva >= 1000
//
// The grammar (whitespace-insensitive, keywords lower-case):
//
//	expr    := or
//	or      := and ( "or" and )*
//	and     := unary ( "and" unary )*
//	unary   := "not" unary | primary
//	primary := "(" expr ")" | IDENT [ OP literal ] | "true" | "false"
//	OP      := "==" | "!=" | "<" | "<=" | ">" | ">="
//	literal := NUMBER (3000, 10.5, -2) | "quoted" (\" \\) | bareword | true | false
//
// IDENT and bareword are [a-z][a-z0-9_]*; a bareword is a string. An IDENT
// alone holds when the attribute is truthy: bool true, a non-zero number or
// a non-empty string. See Eval for comparisons.
type Condition struct {
	root  *node
	attrs []string
	src   string
}

// ConditionError reports where and why a condition does not parse.
type ConditionError struct {
	Offset int       // byte offset in the source where parsing failed
	Reason i18n.Text // what is wrong, in both languages, already formatted (no Args)
}

// Error renders the error in English, with the byte offset.
func (e *ConditionError) Error() string {
	return fmt.Sprintf("condition: at byte %d: %s", e.Offset, e.Reason.In(i18n.EN))
}

// ValueKind says which field of a Value is meaningful.
type ValueKind int

// Kinds of attribute value.
const (
	ValueNone   ValueKind = iota // the attribute is absent
	ValueNumber                  // Num
	ValueString                  // Str
	ValueBool                    // Bool
)

// Value is an attribute value: exactly one of the fields is meaningful
// according to Kind. The zero Value is an absent attribute.
type Value struct {
	Kind ValueKind
	Num  float64
	Str  string
	Bool bool
}

// Num is a number value.
func Num(f float64) Value { return Value{Kind: ValueNumber, Num: f} }

// Str is a string value.
func Str(s string) Value { return Value{Kind: ValueString, Str: s} }

// Bool is a bool value.
func Bool(b bool) Value { return Value{Kind: ValueBool, Bool: b} }

// ops maps a comparison operator to the three-way results for which it
// holds, as bits: 1 for less, 2 for equal, 4 for greater.
var ops = map[string]uint8{"<": 1, "<=": 3, "==": 2, "!=": 5, ">": 4, ">=": 6}

// node is the AST: op is "or", "and" or "not" over kids, "true" or "false",
// "" for a truthy attr, or a comparison of attr with lit.
type node struct {
	op   string
	attr string
	lit  Value
	kids []*node
}

// token is a lexeme: raw is its source text ("" at the end), lit the value
// of a number or quoted string.
type token struct {
	off int
	raw string
	lit Value
}

func (t token) word() bool       { return t.raw != "" && isLower(t.raw[0]) }
func (t token) is(s string) bool { return t.raw == s }

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isWord(c byte) bool  { return isLower(c) || c >= '0' && c <= '9' || c == '_' }

// parser lexes and then parses by recursive descent, without backtracking,
// so in linear time. The first error sticks: after it the parser sees only
// the end of the source, and unwinds.
type parser struct {
	src   string
	toks  []token
	pos   int
	depth int
	attrs map[string]bool
	err   *ConditionError
}

func (p *parser) fail(off int, reason i18n.Text) {
	if p.err == nil {
		p.err = &ConditionError{Offset: off, Reason: i18n.Text{ZH: reason.In(i18n.ZH), EN: reason.In(i18n.EN)}}
	}
}

// unexpected fails at t, saying what was expected instead.
func (p *parser) unexpected(t token, zh, en string) {
	fzh, fen := strconv.Quote(t.raw), strconv.Quote(t.raw)
	if t.raw == "" {
		fzh, fen = "条件结尾", "the end of the condition"
	}
	p.fail(t.off, i18n.T("此处应为%[1]s，实际为%[2]s", "expected %[3]s, found %[4]s", zh, fzh, en, fen))
}

// lex splits the source into tokens, ending with an empty one.
func (p *parser) lex() {
	src := p.src
	for i := 0; i < len(src) && p.err == nil; {
		c, t := src[i], token{off: i}
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case c == '(' || c == ')':
			i++
		case isLower(c):
			for i++; i < len(src) && isWord(src[i]); i++ {
			}
		case c >= '0' && c <= '9' || c == '-':
			t.lit, i = p.number(i)
		case c == '"':
			t.lit, i = p.quoted(i)
		case strings.IndexByte("=!<>", c) >= 0:
			if i++; i < len(src) && src[i] == '=' {
				i++
			}
			if _, ok := ops[src[t.off:i]]; !ok && c == '=' {
				p.fail(t.off, i18n.T("比较相等请用 ==", "use == to compare"))
			} else if !ok {
				p.fail(t.off, i18n.T("取反请用 not", "use not to negate"))
			}
		default:
			r, _ := utf8.DecodeRuneInString(src[i:])
			p.fail(i, i18n.T("意外的字符 %q（名称只能用小写字母、数字和下划线，其他文字请加引号）",
				"unexpected character %q (names are lower-case letters, digits and _; quote other text)", r))
		}
		t.raw = src[t.off:i]
		p.toks = append(p.toks, t)
	}
	p.toks = append(p.toks, token{off: len(src)})
}

// number reads -?[0-9]+(\.[0-9]+)? at i; it returns the value and its end.
func (p *parser) number(i int) (Value, int) {
	j := i + 1
	for j < len(p.src) && (isWord(p.src[j]) || p.src[j] == '.' || p.src[j] >= 'A' && p.src[j] <= 'Z') {
		j++
	}
	digits := func(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }
	f, err := strconv.ParseFloat(p.src[i:j], 64)
	if whole, frac, dot := strings.Cut(strings.TrimPrefix(p.src[i:j], "-"), "."); !digits(whole) || dot && !digits(frac) {
		p.fail(i, i18n.T("数字格式错误（例如 3000、10.5、-2）", "malformed number (write 3000, 10.5 or -2)"))
	} else if err != nil {
		p.fail(i, i18n.T("数字超出范围", "number out of range"))
	}
	return Num(f), j
}

// quoted reads a quoted string at i, with the escapes \" and \\; it returns
// the value and its end.
func (p *parser) quoted(i int) (Value, int) {
	var b strings.Builder
	for j := i + 1; j < len(p.src); j++ {
		switch c := p.src[j]; {
		case c == '"':
			return Str(b.String()), j + 1
		case c == '\\' && j+1 < len(p.src) && (p.src[j+1] == '"' || p.src[j+1] == '\\'):
			j++
			b.WriteByte(p.src[j])
		case c == '\\':
			p.fail(j, i18n.T(`字符串中只能用 \" 和 \\ 转义`, `only \" and \\ escapes are allowed in a string`))
			return Value{}, j
		default:
			b.WriteByte(c)
		}
	}
	p.fail(i, i18n.T("字符串缺少结尾的引号", "unterminated string"))
	return Value{}, len(p.src)
}

func (p *parser) peek() token {
	if p.err != nil {
		return token{off: len(p.src)}
	}
	return p.toks[p.pos]
}

func (p *parser) next() token {
	t := p.peek()
	if t.raw != "" {
		p.pos++
	}
	return t
}

// chain parses sub ( op sub )* into an op node, or the lone operand.
func (p *parser) chain(op string, sub func() *node) *node {
	n := sub()
	if !p.peek().is(op) {
		return n
	}
	list := &node{op: op, kids: []*node{n}}
	for p.peek().is(op) {
		p.next()
		list.kids = append(list.kids, sub())
	}
	return list
}

func (p *parser) or() *node  { return p.chain("or", p.and) }
func (p *parser) and() *node { return p.chain("and", p.unary) }

// nested parses sub one level deeper, refusing to go deeper than the limit.
func (p *parser) nested(off int, sub func() *node) *node {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > MaxConditionDepth {
		p.fail(off, i18n.T("嵌套超过 %d 层", "nested deeper than %d levels", MaxConditionDepth))
		return nil
	}
	return sub()
}

func (p *parser) unary() *node {
	if !p.peek().is("not") {
		return p.primary()
	}
	return &node{op: "not", kids: []*node{p.nested(p.next().off, p.unary)}}
}

func (p *parser) primary() *node {
	t := p.next()
	switch {
	case t.is("("):
		n := p.nested(t.off, p.or)
		if c := p.next(); !c.is(")") {
			p.unexpected(c, fmt.Sprintf("与第 %d 个字节处的 ( 配对的 )", t.off), fmt.Sprintf(") to close the ( at byte %d", t.off))
		}
		return n
	case t.is("true") || t.is("false"):
		return &node{op: t.raw}
	case t.word() && !t.is("and") && !t.is("or"):
		p.attrs[t.raw] = true
		if _, ok := ops[p.peek().raw]; !ok {
			return &node{attr: t.raw}
		}
		op := p.next().raw
		return &node{op: op, attr: t.raw, lit: p.literal(op)}
	}
	p.unexpected(t, "属性、true、false、not 或 (", "an attribute, true, false, not or (")
	return nil
}

// literal parses the value compared with op.
func (p *parser) literal(op string) Value {
	t := p.next()
	switch {
	case t.lit.Kind != ValueNone:
		return t.lit
	case t.is("true") || t.is("false"):
		if op != "==" && op != "!=" {
			p.fail(t.off, i18n.T("true 和 false 只能用 == 或 != 比较", "true and false can only be compared with == or !="))
		}
		return Bool(t.is("true"))
	case t.word() && !t.is("and") && !t.is("or") && !t.is("not"):
		return Str(t.raw)
	}
	p.unexpected(t, " "+op+" 之后的数字、字符串、true 或 false", "a number, string, true or false after "+op)
	return Value{}
}

// ParseCondition parses a condition; the error is a *ConditionError. An
// empty source, one longer than MaxConditionLen bytes or one nested deeper
// than MaxConditionDepth is an error. Parsing takes linear time.
func ParseCondition(src string) (*Condition, error) {
	p := &parser{src: src, attrs: map[string]bool{}}
	if len(src) > MaxConditionLen {
		p.fail(MaxConditionLen, i18n.T("条件超过 %d 个字节", "condition longer than %d bytes", MaxConditionLen))
	} else if p.lex(); p.peek().raw == "" {
		p.fail(0, i18n.T("条件为空", "empty condition"))
	}
	root := p.or()
	if t := p.peek(); t.raw != "" {
		p.unexpected(t, " and、or 或条件结尾", "and, or or the end of the condition")
	}
	if p.err != nil {
		return nil, p.err
	}
	return &Condition{root: root, attrs: slices.Sorted(maps.Keys(p.attrs)), src: src}, nil
}

// String returns the source text of the condition.
func (c *Condition) String() string {
	if c == nil {
		return ""
	}
	return c.src
}

// Attributes returns the attributes the condition reads, sorted and unique.
func (c *Condition) Attributes() []string {
	if c == nil {
		return nil
	}
	return slices.Clone(c.attrs)
}

// Eval reports whether the condition holds for the attributes; a nil
// Condition (no condition) holds. A comparison holds only when the attribute
// is present and its kind fits the literal: numbers compare numerically
// (so does a string attribute that reads as a number, against a number
// literal), strings compare as text (ordered byte-wise), bools with == and
// != only. An absent attribute, a NaN or a kind mismatch never matches, not
// even with !=: "a != 1" is false when a is absent, "not a == 1" is true.
func (c *Condition) Eval(attrs map[string]Value) bool {
	return c == nil || c.root == nil || c.root.eval(attrs)
}

func (n *node) eval(attrs map[string]Value) bool {
	switch n.op {
	case "true", "false":
		return n.op == "true"
	case "":
		return truthy(attrs[n.attr])
	case "not":
		return !n.kids[0].eval(attrs)
	case "and", "or":
		// and stops at the first false kid, or at the first true one.
		stop := n.op == "or"
		for _, k := range n.kids {
			if k.eval(attrs) == stop {
				return stop
			}
		}
		return !stop
	}
	c, ok := compare(attrs[n.attr], n.lit)
	return ok && ops[n.op]&(1<<(c+1)) != 0
}

// truthy: bool true, a non-zero number, a non-empty string.
func truthy(v Value) bool {
	return v.Kind == ValueBool && v.Bool || v.Kind == ValueString && v.Str != "" ||
		v.Kind == ValueNumber && v.Num != 0 && !math.IsNaN(v.Num)
}

// compare compares an attribute with a literal (-1, 0, 1); ok is false when
// they cannot be compared.
func compare(v, lit Value) (c int, ok bool) {
	switch {
	case v.Kind == ValueString && lit.Kind == ValueNumber:
		f, err := strconv.ParseFloat(strings.TrimSpace(v.Str), 64)
		if err != nil || math.IsInf(f, 0) {
			return 0, false
		}
		return compare(Num(f), lit)
	case v.Kind != lit.Kind:
		return 0, false
	case v.Kind == ValueNumber:
		return cmp.Compare(v.Num, lit.Num), !math.IsNaN(v.Num)
	case v.Kind == ValueString:
		return strings.Compare(v.Str, lit.Str), true
	case v.Kind == ValueBool && v.Bool == lit.Bool:
		return 0, true
	}
	return 1, v.Kind == ValueBool
}
