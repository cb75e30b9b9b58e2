package policy

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestParseConditionOK(t *testing.T) {
	for _, tc := range []struct {
		src   string
		attrs []string
	}{
		{"capacity_kva >= 3000", []string{"capacity_kva"}},
		{"sources == dual or capacity_kva >= 1000", []string{"capacity_kva", "sources"}},
		{"not important", []string{"important"}},
		{`usage == "lighting" and voltage_kv <= 0.4`, []string{"usage", "voltage_kv"}},
		{"(a or b) and not c", []string{"a", "b", "c"}},
		{"tenant", []string{"tenant"}},
		{"true", []string{}},
		{"false or true", []string{}},
		{"a==1", []string{"a"}},
		{"a>=-2", []string{"a"}},
		{"a != 10.5", []string{"a"}},
		{"a < b9_x", []string{"a"}},
		{"a == true and b != false", []string{"a", "b"}},
		{`a == "say \"hi\" \\ 照明"`, []string{"a"}},
		{"\t( a )\n and\r\n((b))", []string{"a", "b"}},
		{"b and a and b", []string{"a", "b"}},
		{"not not not x", []string{"x"}},
		{"andy or order or note", []string{"andy", "note", "order"}},
		{"a == 007", []string{"a"}},
		{strings.Repeat("(", 32) + "a" + strings.Repeat(")", 32), []string{"a"}},
		{strings.Repeat("not ", 32) + "a", []string{"a"}},
		{"a" + strings.Repeat(" or a", 199), []string{"a"}}, // 999 bytes
	} {
		c, err := ParseCondition(tc.src)
		if err != nil {
			t.Errorf("ParseCondition(%q): %v", tc.src, err)
			continue
		}
		if c.String() != tc.src {
			t.Errorf("String() = %q, want %q", c.String(), tc.src)
		}
		if got := c.Attributes(); !slices.Equal(got, tc.attrs) {
			t.Errorf("%q: Attributes() = %q, want %q", tc.src, got, tc.attrs)
		}
	}
}

func TestParseConditionErrors(t *testing.T) {
	for _, tc := range []struct {
		src    string
		offset int
		want   string // part of the English reason
	}{
		{"", 0, "empty"},
		{" \t\n", 0, "empty"},
		{"a >=", 4, "after >="},
		{"a == ", 5, "found the end"},
		{"(a", 2, ") to close the ( at byte 0"},
		{"(a or (b)", 9, ") to close the ( at byte 0"},
		{"a b", 2, `found "b"`},
		{"and", 0, "expected an attribute"},
		{"a and or b", 6, `found "or"`},
		{"a === 1", 4, "use =="},
		{"a = 1", 2, "use =="},
		{"!a", 0, "use not"},
		{"a == and", 5, `found "and"`},
		{"a == not", 5, `found "not"`},
		{"a < true", 4, "only be compared with == or !="},
		{"a == 1.", 5, "malformed number"},
		{"a == 1.2.3", 5, "malformed number"},
		{"a == -", 5, "malformed number"},
		{"a == 3kva", 5, "malformed number"},
		{"a == " + strings.Repeat("9", 400), 5, "out of range"},
		{`a == "abc`, 5, "unterminated"},
		{`a == "a\nb"`, 7, "escapes"},
		{"Capacity > 1", 0, "unexpected character 'C'"},
		{"a == 照明", 5, "unexpected character '照'"},
		{"a )", 2, `found ")"`},
		{"()", 1, `found ")"`},
		{"1 == a", 0, "expected an attribute"},
		{"true == a", 5, `found "=="`},
		{"not", 3, "found the end"},
		{"a and", 5, "found the end"},
		{strings.Repeat("(", 33) + "a" + strings.Repeat(")", 33), 32, "nested deeper than 32"},
		{strings.Repeat("not ", 33) + "a", 128, "nested deeper than 32"},
		{strings.Repeat("(", 1000), 32, "nested deeper"},
		{"a" + strings.Repeat(" or a", 200), 1000, "longer than 1000 bytes"},
	} {
		_, err := ParseCondition(tc.src)
		var ce *ConditionError
		if !errors.As(err, &ce) {
			t.Errorf("ParseCondition(%q) = %v, want a *ConditionError", tc.src, err)
			continue
		}
		if ce.Offset != tc.offset || !strings.Contains(ce.Reason.EN, tc.want) {
			t.Errorf("ParseCondition(%q): offset %d, %q; want offset %d, %q", tc.src, ce.Offset, ce.Reason.EN, tc.offset, tc.want)
		}
		if ce.Reason.ZH == "" || len(ce.Reason.Args) != 0 || strings.Contains(ce.Reason.ZH+ce.Reason.EN, "%!") {
			t.Errorf("ParseCondition(%q): badly formed reason %#v", tc.src, ce.Reason)
		}
		if msg := ce.Error(); !strings.Contains(msg, "byte ") || !strings.Contains(msg, ce.Reason.EN) {
			t.Errorf("Error() = %q", msg)
		}
	}
}

func TestConditionEval(t *testing.T) {
	attrs := map[string]Value{
		"capacity_kva": Num(3000),
		"voltage_kv":   Num(0.4),
		"sources":      Str("dual"),
		"usage":        Str("lighting"),
		"text_num":     Str(" 1500 "),
		"text_word":    Str("abc"),
		"important":    Bool(true),
		"tenant":       Bool(false),
		"zero":         Num(0),
		"empty":        Str(""),
		"nan":          Num(math.NaN()),
		"none":         {},
		"t":            Bool(true),
		"f":            Bool(false),
	}
	for _, tc := range []struct {
		src  string
		want bool
	}{
		// numbers
		{"capacity_kva >= 3000", true},
		{"capacity_kva > 3000", false},
		{"capacity_kva == 3000.0", true},
		{"capacity_kva != 3000", false},
		{"capacity_kva < -2", false},
		{"voltage_kv <= 0.4", true},
		{"voltage_kv < 0.4", false},
		// strings, quoted and bare
		{"sources == dual", true},
		{`sources == "dual"`, true},
		{"sources != single", true},
		{"sources < e", true},
		{`usage >= "lighting"`, true},
		{`usage > "lighting"`, false},
		// a string attribute against a number literal compares numerically
		{"text_num > 1000", true},
		{"text_num == 1500", true},
		{"text_num < 200", false},
		{"text_word > 1", false},
		{"text_word != 1", false},
		// a number attribute against a string literal is a mismatch
		{`capacity_kva == "3000"`, false},
		{`capacity_kva != "3000"`, false},
		// bools
		{"important == true", true},
		{"important != true", false},
		{"tenant == false", true},
		{"tenant != false", false},
		{"important == yes", false},
		{"important == 1", false},
		{`sources == true`, false},
		// truthiness
		{"important", true},
		{"tenant", false},
		{"capacity_kva", true},
		{"zero", false},
		{"sources", true},
		{"empty", false},
		{"nan", false},
		{"none", false},
		{"missing", false},
		// absent attributes never match, whatever the operator
		{"missing == 1", false},
		{"missing != 1", false},
		{"none != dual", false},
		{"missing != true", false},
		{"not missing == 1", true},
		{"not missing", true},
		{"nan == 1", false},
		{"nan != 1", false},
		// not, precedence and grouping
		{"not important", false},
		{"not tenant", true},
		{"not not important", true},
		{"t or t and f", true}, // t or (t and f)
		{"(t or t) and f", false},
		{"f and t or t", true}, // (f and t) or t
		{"f and (t or t)", false},
		{"not t or t", true}, // (not t) or t
		{"not (t or t)", false},
		{"not f and f", false}, // (not f) and f
		{"true", true},
		{"false", false},
		{"false or not false", true},
		{"sources == dual or capacity_kva >= 1000", true},
		{`usage == "lighting" and voltage_kv <= 0.4`, true},
	} {
		c, err := ParseCondition(tc.src)
		if err != nil {
			t.Errorf("ParseCondition(%q): %v", tc.src, err)
			continue
		}
		if got := c.Eval(attrs); got != tc.want {
			t.Errorf("Eval(%q) = %v, want %v", tc.src, got, tc.want)
		}
	}
}

// TestConditionTruthTable checks and, or and not against Go's operators
// over every assignment of three bool attributes.
func TestConditionTruthTable(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want func(a, b, c bool) bool
	}{
		{"a or b and c", func(a, b, c bool) bool { return a || b && c }},
		{"a and b or c", func(a, b, c bool) bool { return a && b || c }},
		{"(a or b) and not c", func(a, b, c bool) bool { return (a || b) && !c }},
		{"not a and b", func(a, b, c bool) bool { return !a && b }},
		{"not (a and b) or c", func(a, b, c bool) bool { return !(a && b) || c }},
		{"a == true or c == false", func(a, b, c bool) bool { return a || !c }},
		{"a and b and c", func(a, b, c bool) bool { return a && b && c }},
		{"a or b or not c", func(a, b, c bool) bool { return a || b || !c }},
		{"not (not a or not b)", func(a, b, c bool) bool { return a && b }},
	} {
		cond, err := ParseCondition(tc.src)
		if err != nil {
			t.Fatalf("ParseCondition(%q): %v", tc.src, err)
		}
		for i := range 8 {
			a, b, c := i&1 != 0, i&2 != 0, i&4 != 0
			attrs := map[string]Value{"a": Bool(a), "b": Bool(b), "c": Bool(c)}
			if got, want := cond.Eval(attrs), tc.want(a, b, c); got != want {
				t.Errorf("Eval(%q) with a=%v b=%v c=%v = %v, want %v", tc.src, a, b, c, got, want)
			}
		}
	}
}

func TestConditionNil(t *testing.T) {
	var c *Condition
	if !c.Eval(nil) || !c.Eval(map[string]Value{"a": Bool(false)}) {
		t.Error("a nil condition must hold")
	}
	if c.String() != "" || c.Attributes() != nil {
		t.Error("a nil condition has no source and no attributes")
	}
	c, err := ParseCondition("a or not b")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Eval(nil) { // not b holds when b is absent
		t.Error("Eval(nil map) of \"a or not b\" = false")
	}
	attrs := c.Attributes()
	attrs[0] = "changed"
	if c.Attributes()[0] != "a" {
		t.Error("Attributes() shares its slice")
	}
}

func TestConditionValues(t *testing.T) {
	if v := Num(2); v.Kind != ValueNumber || v.Num != 2 {
		t.Errorf("Num(2) = %+v", v)
	}
	if v := Str("x"); v.Kind != ValueString || v.Str != "x" {
		t.Errorf("Str(x) = %+v", v)
	}
	if v := Bool(true); v.Kind != ValueBool || !v.Bool {
		t.Errorf("Bool(true) = %+v", v)
	}
	if (Value{}).Kind != ValueNone {
		t.Error("the zero Value is not absent")
	}
}
