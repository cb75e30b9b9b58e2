package store_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"kefu/internal/store"
)

// opaque matches the runs Rebind must copy verbatim: quoted strings and
// identifiers, line comments and block comments, each running to the end of
// the text when unterminated. It is an independent statement of the lexing
// rules that Rebind implements by hand.
var opaque = regexp.MustCompile(`'[^']*(?:'|\z)|"[^"]*(?:"|\z)|--[^\n]*(?:\n|\z)|/\*(?s:.*?)(?:\*/|\z)`)

var dollarN = regexp.MustCompile(`\$[0-9]+`)

// split cuts q into the plain text between opaque runs and the opaque runs.
func split(q string) (plain, quoted []string) {
	last := 0
	for _, m := range opaque.FindAllStringIndex(q, -1) {
		plain = append(plain, q[last:m[0]])
		quoted = append(quoted, q[m[0]:m[1]])
		last = m[1]
	}
	return append(plain, q[last:]), quoted
}

func FuzzRebind(f *testing.F) {
	for _, s := range []string{
		"", "?", "??", "SELECT 1", "a = ? AND b = ?",
		"x = '?' AND y = ?", "x = 'it''s ?' || ?", `"we?rd" = ?`, `"o'k" = ?`,
		"y = 'abc ?", "x = ? -- why?\nAND y = ?", "/* ? */ ?", "/* ?", "-- ?",
		"a-? b/? c*?", "$1 = ?", "?5 $?", "'\"?'\"?\"", "名字 = ? AND 备注 = '？?'",
		"INSERT INTO t (a, b, c) VALUES (?, ?, ?)", "--\n?", "/**/?", "'''?'?",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		out := store.Rebind(q)
		inPlain, inQuoted := split(q)
		outPlain, outQuoted := split(out)

		// Text within quotes and comments is unchanged, and no quote or
		// comment appears or disappears.
		if len(outQuoted) != len(inQuoted) {
			t.Fatalf("Rebind(%q) = %q: %d quoted runs, want %d", q, out, len(outQuoted), len(inQuoted))
		}
		for i := range inQuoted {
			if outQuoted[i] != inQuoted[i] {
				t.Fatalf("Rebind(%q) = %q: quoted run %q became %q", q, out, inQuoted[i], outQuoted[i])
			}
		}

		// No `?` is left outside quotes, and there is one new $N for each
		// one that was there, numbered 1, 2, … in order.
		n := 0
		for i, p := range inPlain {
			if strings.Contains(outPlain[i], "?") {
				t.Fatalf("Rebind(%q) = %q: a ? is left outside quotes", q, out)
			}
			marks := strings.Count(p, "?")
			if got := len(dollarN.FindAllString(outPlain[i], -1)) - len(dollarN.FindAllString(p, -1)); got != marks {
				t.Fatalf("Rebind(%q) = %q: %d new $N for %d ?", q, out, got, marks)
			}
			// Rebuild the expected plain text to check the numbering.
			var want strings.Builder
			for j := 0; j < len(p); j++ {
				if p[j] == '?' {
					n++
					want.WriteString("$" + strconv.Itoa(n))
				} else {
					want.WriteByte(p[j])
				}
			}
			if outPlain[i] != want.String() {
				t.Fatalf("Rebind(%q) = %q: plain text %q became %q, want %q", q, out, p, outPlain[i], want.String())
			}
		}
		if !strings.Contains(q, "?") && out != q {
			t.Fatalf("Rebind(%q) = %q: text without ? must come back unchanged", q, out)
		}
	})
}
