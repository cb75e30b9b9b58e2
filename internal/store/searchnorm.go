package store

import (
	"database/sql/driver"
	"fmt"
	"strings"

	sqlite "modernc.org/sqlite"
)

// Narrow turns a full-width ASCII form (U+FF01..U+FF5E: ０-９, Ａ-Ｚ, －,
// （ …) into ASCII and the ideographic space U+3000 into a space, as
// Chinese input methods type them; other runes are returned unchanged.
func Narrow(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFEE0
	case r == 0x3000:
		return ' '
	}
	return r
}

// SearchNorm normalises a search document as the SQL function
// kefu_search_norm does on both dialects (SQLite: this function, registered
// below; PostgreSQL: migration 00008): Narrow every rune and lower-case
// ASCII letters. Line breaks and all other characters are kept; invalid
// UTF-8 becomes U+FFFD.
func SearchNorm(s string) string {
	return strings.Map(func(r rune) rune {
		r = Narrow(r)
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}, s)
}

// kefu_search_norm is registered for every SQLite connection the driver
// opens; the search views of migration 00014 call it.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("kefu_search_norm", 1,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			switch v := args[0].(type) {
			case nil:
				return nil, nil
			case string:
				return SearchNorm(v), nil
			case []byte:
				return SearchNorm(string(v)), nil
			default: // a number: its text, as SQLite's own string functions take it
				return SearchNorm(fmt.Sprint(v)), nil
			}
		})
}
