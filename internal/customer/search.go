package customer

// Substring search over customers (API.md "Customers", q=…): name, phone,
// address, and the account numbers and addresses of service points,
// Chinese included, as the user types.
//
// Migration 00008 keeps one normalised text per customer in customer_search
// (the "doc", see the migration for its layout) and indexes it: on SQLite
// with an FTS5 trigram index, on PostgreSQL with pg_trgm plus a GIN index of
// the doc's characters and character pairs. Triggers keep it current.
//
// The List shows the newest matches first (ORDER BY c.id DESC LIMIT n), and
// no single plan is fast for both kinds of query:
//   - a frequent fragment ("朝阳区", "小区", "310", "5") is found fastest by
//     walking customers newest first and testing each doc: 50 matches come
//     within a few thousand rows, whereas collecting every match from the
//     index first costs 200–600 ms for a fragment in all 1,000,000 docs;
//   - a rare fragment ("幸福里", "王芳", "1381234") is found fastest from the
//     index: the walk would read all docs (100–500 ms).
// searchCondition therefore first counts matches among the newest
// probeWindow docs (one short index range, ~1–3 ms) and picks the walk when
// they already hold a page, the index otherwise.

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"kefu/internal/store"
)

// Plan thresholds (variables so that tests can force either plan).
var (
	// probeWindow newest docs are tested by the probe; when probeHits of
	// them match, the fragment is frequent (≥ 1 %) and the walk finds a page
	// of 50 within probeWindow rows.
	probeWindow = 5000
	probeHits   = 50
	// maxPrefixTerms bounds the trigram expansion of a one- or two-character
	// fragment on SQLite; beyond it the walk is used (a fragment that starts
	// that many different trigrams is frequent anyway).
	maxPrefixTerms = 400
)

// NormalizeSearch normalises text for substring search, exactly as migration
// 00008 normalises the searched doc: full-width ASCII forms (U+FF01..U+FF5E)
// become ASCII and the ideographic space U+3000 a space; ASCII letters are
// lower-cased (other scripts keep their case: SQLite has no Unicode case
// folding); control characters become spaces; invalid UTF-8 is dropped; the
// result is trimmed.
func NormalizeSearch(s string) string {
	return strings.TrimSpace(foldSearch(s))
}

// foldSearch is NormalizeSearch without the trimming.
func foldSearch(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000, r < 0x20, r == 0x7F:
			r = ' '
		}
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}, strings.ToValidUTF8(s, ""))
}

// searchCondition returns a WHERE fragment on alias c (customers) that
// matches customers whose name, phone, address or any service point's
// account number or address contains q (after NormalizeSearch), and its
// args. q may be a single character. It reads the database to choose the
// plan (see the file comment); if that read fails it falls back to the walk,
// which is always correct.
func searchCondition(c store.Conn, q string) (cond string, args []any) {
	q = NormalizeSearch(q)
	if q == "" {
		return "1 = 1", nil
	}
	alts := alternatives(q)
	ctx := context.Background()
	walk, walkArgs := walkCondition(c, alts)
	if frequent(ctx, c, alts) {
		return walk, walkArgs
	}
	if c.Dialect() == store.Postgres {
		return postgresIndexCondition(alts)
	}
	var matches []string
	for _, a := range alts {
		m, ok := sqliteMatch(ctx, c, a)
		if !ok {
			return walk, walkArgs
		}
		if m != "" {
			matches = append(matches, m)
		}
	}
	if len(matches) == 0 {
		return "1 = 0", nil // no trigram starts with q: nothing contains it
	}
	// The rowids of customer_fts are customer ids.
	return "c.id IN (SELECT rowid FROM customer_fts WHERE customer_fts MATCH ?)", []any{strings.Join(matches, " OR ")}
}

// alternatives returns the texts to look for: q, and for a phone number
// written with separators ("138-1234", "(010) 2336") also its digits, which
// match phone_key in the doc.
func alternatives(q string) []string {
	if !phoneChars(q) {
		return []string{q}
	}
	if d := PhoneKey(q); len(d) >= 3 && d != q {
		return []string{q, d}
	}
	return []string{q}
}

// contains is the dialect's test "doc contains one of alts" on column col,
// with its args.
func contains(c store.Conn, col string, alts []string) (string, []any) {
	fn := "instr"
	if c.Dialect() == store.Postgres {
		fn = "strpos"
	}
	parts := make([]string, len(alts))
	args := make([]any, len(alts))
	for i, a := range alts {
		parts[i], args[i] = fn+"("+col+", ?) > 0", a
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// walkCondition tests each customer's doc; the planner walks customers
// newest first and stops after a page.
func walkCondition(c store.Conn, alts []string) (string, []any) {
	test, args := contains(c, "s.doc", alts)
	return "EXISTS (SELECT 1 FROM customer_search s WHERE s.customer_id = c.id AND " + test + ")", args
}

// frequent reports whether probeHits of the newest probeWindow docs
// contain one of alts (or the probe fails: the walk is always correct).
func frequent(ctx context.Context, c store.Conn, alts []string) bool {
	test, args := contains(c, "w.doc", alts)
	args = append([]any{probeWindow}, append(args, probeHits)...)
	var n int
	err := c.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM (SELECT doc FROM customer_search
		ORDER BY customer_id DESC LIMIT ?) w WHERE `+test+` LIMIT ?) h`, args...).Scan(&n)
	return err != nil || n >= probeHits
}

// sqliteMatch returns the FTS5 query for q: the phrase q itself when it has
// three characters or more (the trigram tokenizer then matches exactly the
// docs containing q), else the trigrams that start with q, OR-ed ("" when
// there is none). ok is false when there are more than maxPrefixTerms or
// the vocabulary cannot be read.
func sqliteMatch(ctx context.Context, c store.Conn, q string) (match string, ok bool) {
	n := utf8.RuneCountInString(q)
	if n >= 3 {
		return ftsString(q), true
	}
	// Every character of a doc is followed by at least two more (the
	// trailing separators), so each occurrence of q starts some trigram.
	// Trigrams compare bytewise, and UTF-8 keeps code point order.
	hi := q + strings.Repeat(string(unicode.MaxRune), 3-n)
	rows, err := c.Query(ctx, "SELECT term FROM customer_fts_vocab WHERE term >= ? AND term <= ? LIMIT ?",
		q, hi, maxPrefixTerms+1)
	if err != nil {
		return "", false
	}
	defer rows.Close()
	var terms []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return "", false
		}
		terms = append(terms, ftsString(t))
	}
	if rows.Err() != nil || len(terms) > maxPrefixTerms {
		return "", false
	}
	return strings.Join(terms, " OR "), true
}

// ftsString quotes s as an FTS5 string (a phrase of its trigrams).
func ftsString(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// postgresIndexCondition finds the ids of the matching docs from an index
// first: with pg_trgm when a text has a run of three letters or digits
// (pg_trgm takes trigrams only from such runs; LIKE rechecks the doc), else
// from the index of its characters and pairs (kefu_search_grams), rechecked
// by strpos. ARRAY(…) makes it an InitPlan evaluated once, whatever plan the
// statement cache settles on; the ids are then fetched by primary key,
// newest first.
func postgresIndexCondition(alts []string) (string, []any) {
	var parts []string
	var args []any
	for _, q := range alts {
		if longestWordRun(q) >= 3 {
			parts = append(parts, "doc LIKE ?")
			args = append(args, "%"+likeEscaper.Replace(q)+"%")
		} else {
			parts = append(parts, `(kefu_search_grams(doc) @> string_to_array(?, E'\n') AND strpos(doc, ?) > 0)`)
			args = append(args, strings.Join(grams(q), "\n"), q)
		}
	}
	return "c.id = ANY (ARRAY(SELECT customer_id FROM customer_search WHERE " + strings.Join(parts, " OR ") + "))", args
}

// likeEscaper escapes LIKE wildcards for PostgreSQL's default escape '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// longestWordRun is the length in characters of the longest run of letters
// and digits in s.
func longestWordRun(s string) int {
	best, run := 0, 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

// grams returns what kefu_search_grams holds for every doc containing q:
// q's single character, or its pairs of characters.
func grams(q string) []string {
	rs := []rune(q)
	if len(rs) == 1 {
		return []string{q}
	}
	out := make([]string, 0, len(rs)-1)
	for i := 0; i+1 < len(rs); i++ {
		out = append(out, string(rs[i:i+2]))
	}
	return out
}
