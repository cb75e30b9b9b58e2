package policy

import (
	"errors"
	"testing"
)

// FuzzParseCondition checks that parsing never panics, that errors are
// *ConditionError within the source, and that a parsed condition re-parses
// from its String and evaluates without panicking.
func FuzzParseCondition(f *testing.F) {
	for _, s := range []string{
		"capacity_kva >= 3000",
		"sources == dual or capacity_kva >= 1000",
		"not important",
		`usage == "lighting" and voltage_kv <= 0.4`,
		"(a or b) and not c",
		"tenant",
		"a ===",
		`a == "x\"y\\"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		c, err := ParseCondition(src)
		if err != nil {
			var ce *ConditionError
			if !errors.As(err, &ce) {
				t.Fatalf("ParseCondition(%q) error %T is not a *ConditionError", src, err)
			}
			if ce.Offset < 0 || ce.Offset > len(src) {
				t.Fatalf("ParseCondition(%q): offset %d outside the source", src, ce.Offset)
			}
			_ = ce.Error()
			return
		}
		again, err := ParseCondition(c.String())
		if err != nil {
			t.Fatalf("re-parsing %q: %v", c.String(), err)
		}
		attrs := map[string]Value{}
		for _, a := range c.Attributes() {
			attrs[a] = Num(1)
		}
		if c.Eval(attrs) != again.Eval(attrs) || c.Eval(nil) != again.Eval(map[string]Value{}) {
			t.Fatalf("%q evaluates differently after re-parsing", src)
		}
	})
}
