package customer

// Substring search over customers (API.md "Customers", q=…): name, phone,
// address, and the account numbers and addresses of service points,
// Chinese included, as the user types.
//
// Migration 00008 keeps one normalised text per customer in customer_search
// (the "doc", see the migration for its layout) and indexes it: on SQLite
// with an FTS5 trigram index, on PostgreSQL with pg_trgm plus a GIN index of
// the doc's characters and character pairs. Triggers keep it current.
// Package textsearch chooses between walking the customers newest first and
// reading the index (see there); the work-order search shares it.

import (
	"kefu/internal/store"
	"kefu/internal/textsearch"
)

// searchIndex names the tables of migration 00008.
var searchIndex = textsearch.Index{Docs: "customer_search", Key: "customer_id", FTS: "customer_fts", Vocab: "customer_fts_vocab"}

// NormalizeSearch normalises text for substring search, exactly as migration
// 00008 normalises the searched doc (textsearch.Normalize): full-width ASCII
// forms (U+FF01..U+FF5E) become ASCII and the ideographic space U+3000 a
// space; ASCII letters are lower-cased (other scripts keep their case:
// SQLite has no Unicode case folding); control characters become spaces;
// invalid UTF-8 is dropped; the result is trimmed.
func NormalizeSearch(s string) string {
	return textsearch.Normalize(s)
}

// SearchAlternatives returns the texts a search for q looks for in a doc:
// q normalised, and for a phone number written with separators ("138-1234",
// "(010) 2336") also its digits, which the docs hold as the phone's key.
// It returns nil when q is blank.
func SearchAlternatives(q string) []string {
	q = NormalizeSearch(q)
	if q == "" {
		return nil
	}
	if !phoneChars(q) {
		return []string{q}
	}
	if d := PhoneKey(q); len(d) >= 3 && d != q {
		return []string{q, d}
	}
	return []string{q}
}

// searchCondition returns a WHERE fragment on alias c (customers) that
// matches customers whose name, phone, address or any service point's
// account number or address contains q (after NormalizeSearch), and its
// args. q may be a single character.
func searchCondition(c store.Conn, q string) (cond string, args []any) {
	alts := SearchAlternatives(q)
	if alts == nil {
		return "1 = 1", nil
	}
	return searchIndex.Condition(c, "c.id", alts)
}
