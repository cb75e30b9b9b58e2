package document_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"kefu/internal/document"
)

// FuzzSanitizeName: whatever a client sends, the stored name is one
// non-empty path element of valid UTF-8 without control, format or
// Windows-forbidden characters, not hidden, within MaxNameBytes, and
// sanitising it again changes nothing.
func FuzzSanitizeName(f *testing.F) {
	for _, s := range []string{"", ".", "..", "../../etc/passwd", `C:\a\b.pdf`, "a\u202Efdp.exe", "CON", "com1.txt",
		"报告.pdf", strings.Repeat("长", 300) + ".pdf", "x\x00y", "\xff\xfe.pdf", " . .pdf. ", "a" + strings.Repeat(".", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := document.SanitizeName(in)
		switch {
		case out == "" || out == "." || out == "..":
			t.Fatalf("%q → %q", in, out)
		case !utf8.ValidString(out):
			t.Fatalf("%q → invalid UTF-8 %q", in, out)
		case len(out) > document.MaxNameBytes:
			t.Fatalf("%q → %d bytes", in, len(out))
		case strings.ContainsAny(out, `/\<>:"|?*`):
			t.Fatalf("%q → %q holds a forbidden character", in, out)
		case strings.HasPrefix(out, ".") || strings.HasSuffix(out, ".") || strings.HasPrefix(out, " ") || strings.HasSuffix(out, " "):
			t.Fatalf("%q → %q starts or ends with a dot or space", in, out)
		}
		for _, r := range out {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
				t.Fatalf("%q → %q holds %U", in, out, r)
			}
		}
		if again := document.SanitizeName(out); again != out {
			t.Fatalf("not idempotent: %q → %q → %q", in, out, again)
		}
	})
}
