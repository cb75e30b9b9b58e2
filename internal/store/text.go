package store

import (
	"strings"
	"unicode/utf8"
)

// Clip makes s fit a text column of n bytes: invalid UTF-8 becomes U+FFFD,
// NUL bytes are dropped (PostgreSQL refuses both in text), and a string
// longer than n is cut at the last whole character within n bytes.
func Clip(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
