package store

import "testing"

// TestClip: text stored in a column is valid UTF-8 without NUL and never
// cut inside a character.
func TestClip(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abcdef", 3, "abc"},
		{"工单超时", 7, "工单"}, // 3 bytes a character: 7 keeps two
		{"工单超时", 6, "工单"},
		{"a\x00b", 5, "ab"},
		{"a\xffb", 10, "a\uFFFDb"},
		{"工", 2, ""},
		{"浏览器", 4, "浏"}, // the cases of auth's former truncate (user agents)
		{"浏览器", 6, "浏览"},
		{"a\x00b", 10, "ab"},
	} {
		if got := Clip(c.in, c.n); got != c.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
