// Package textsearch finds rows whose search document contains a fragment,
// Chinese included, as the user types. It is shared by the customer search
// (migration 00008, customer_search) and the work-order search (migration
// 00012, ticket_search); each keeps one normalised text per row (the "doc")
// in a table of its own, indexed on SQLite by an FTS5 trigram table (with an
// fts5vocab table over it) and on PostgreSQL by pg_trgm plus a GIN index of
// kefu_search_grams(doc), the doc's characters and character pairs.
//
// The lists show the newest matches first (ORDER BY id DESC LIMIT n), and no
// single plan is fast for both kinds of query:
//   - a frequent fragment ("朝阳区", "小区", "310", "5") is found fastest by
//     walking rows newest first and testing each doc: 50 matches come within
//     a few thousand rows, whereas collecting every match from the index
//     first costs 200–600 ms for a fragment in all 1,000,000 docs;
//   - a rare fragment ("幸福里", "王芳", "1381234") is found fastest from the
//     index: the walk would read all docs (100–500 ms).
//
// Index.Condition therefore first counts matches among the newest
// ProbeWindow docs (one short index range, ~1–3 ms) and picks the walk when
// they already hold a page, the index otherwise.
package textsearch

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"kefu/internal/store"
)

// Plan thresholds (variables so that tests can force either plan).
var (
	// ProbeWindow newest docs are tested by the probe; when ProbeHits of
	// them match, the fragment is frequent (≥ 1 %) and the walk finds a page
	// of 50 within ProbeWindow rows.
	ProbeWindow = 5000
	ProbeHits   = 50
	// MaxPrefixTerms bounds the trigram expansion of a one- or two-character
	// fragment on SQLite; beyond it the walk is used (a fragment that starts
	// that many different trigrams is frequent anyway).
	MaxPrefixTerms = 400
)

// Index names the tables of one search document. The docs must be
// normalised as Normalize normalises the query, separate fields by line
// breaks and end with two of them, so that every character starts a
// trigram (a one- or two-character query is then a prefix of the trigrams
// that contain it).
type Index struct {
	Docs  string // table of the docs: (Key, doc)
	Key   string // its key column, the searched row's id (= the FTS rowid)
	FTS   string // SQLite: FTS5 trigram table over Docs (case_sensitive 1)
	Vocab string // SQLite: fts5vocab 'row' table over FTS
}

// Normalize normalises text for substring search, exactly as migrations
// 00008, 00012 and 00014 normalise the searched docs: full-width ASCII forms
// (U+FF01..U+FF5E) become ASCII and the ideographic space U+3000 a space;
// ASCII letters are lower-cased (other scripts keep their case: SQLite has
// no Unicode case folding); control characters become spaces; invalid
// UTF-8 is dropped; the result is trimmed.
func Normalize(s string) string {
	return strings.TrimSpace(Fold(s))
}

// Fold is Normalize without the trimming: store.SearchNorm (the docs'
// kefu_search_norm), with control characters as spaces and invalid UTF-8
// dropped.
func Fold(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7F {
			return ' '
		}
		return r
	}, store.SearchNorm(strings.ToValidUTF8(s, "")))
}

// Condition returns a WHERE fragment that matches the rows whose id (the
// SQL expression id, e.g. "c.id") has a doc containing one of alts, and
// its args. alts are normalised, non-empty texts (a query and, say, its
// digits); none means nothing matches. It reads the database to choose the
// plan (see the package comment); if that read fails it falls back to the
// walk, which is always correct.
func (ix Index) Condition(c store.Conn, id string, alts []string) (cond string, args []any) {
	p := ix.condition(c, id, alts, 0)
	return p.cond, p.args
}

// NewestFirst is how many of the newest matches the index plan of Page
// reads first. A fragment in 18 % of 1,000,000 docs but in none of the
// newest ProbeWindow (the probe then picks the index) made the index plan
// collect 181,000 ids to show 50: 35 ms. FTS5 and the GIN scan give the
// newest NewestFirst matches in a few ms.
var NewestFirst = 2000

// Page runs a list query whose search condition is Condition's, with an
// index plan bounded to the NewestFirst newest matches first: run gets the
// condition and its args and reports how many rows it found. More than
// limit rows means the page is exact: every match outside the bound is
// older than every match within it. Fewer, when the bound cut matches off,
// means other conditions discarded the newest ones, and Page runs the
// query once more unbounded.
func (ix Index) Page(c store.Conn, id string, alts []string, limit int,
	run func(cond string, args []any) (int, error)) error {
	p := ix.condition(c, id, alts, NewestFirst)
	n, err := run(p.cond, p.args)
	if err != nil || p.newest == "" || n > limit {
		return err
	}
	var matches int
	if err := c.QueryRow(context.Background(), "SELECT count(*) FROM ("+p.newest+") m", p.newestArgs...).Scan(&matches); err != nil {
		return err
	}
	if matches < NewestFirst {
		return nil // the bound cut nothing off
	}
	p = ix.condition(c, id, alts, 0)
	_, err = run(p.cond, p.args)
	return err
}

// plan is a search condition with its args; newest, when set, is the
// bounded query of the newest match ids the condition takes them from.
type plan struct {
	cond       string
	args       []any
	newest     string
	newestArgs []any
}

// condition is Condition; bound > 0 limits an index plan to the newest
// bound matches.
func (ix Index) condition(c store.Conn, id string, alts []string, bound int) plan {
	if len(alts) == 0 {
		return plan{cond: "1 = 0"}
	}
	ctx := context.Background()
	walk, walkArgs := ix.walkCondition(c, id, alts)
	if ix.frequent(ctx, c, alts) {
		return plan{cond: walk, args: walkArgs}
	}
	var sub string
	var args []any
	if c.Dialect() == store.Postgres {
		sub, args = ix.postgresMatches(alts)
	} else {
		var matches []string
		for _, a := range alts {
			m, ok := ix.sqliteMatch(ctx, c, a)
			if !ok {
				return plan{cond: walk, args: walkArgs}
			}
			if m != "" {
				matches = append(matches, m)
			}
		}
		if len(matches) == 0 {
			return plan{cond: "1 = 0"} // no trigram starts with q: nothing contains it
		}
		// The rowids of the FTS table are the row ids; FTS5 walks its
		// doclists backwards for ORDER BY rowid DESC and stops at a LIMIT.
		sub, args = "SELECT rowid AS id FROM "+ix.FTS+" WHERE "+ix.FTS+" MATCH ?", []any{strings.Join(matches, " OR ")}
	}
	p := plan{}
	if bound > 0 {
		sub += " ORDER BY id DESC LIMIT ?"
		args = append(args, bound)
		p.newest, p.newestArgs = sub, args
	}
	if c.Dialect() == store.Postgres {
		// ARRAY(…) makes it an InitPlan evaluated once, whatever plan the
		// statement cache settles on; the ids are then fetched by primary
		// key, newest first.
		p.cond, p.args = id+" = ANY (ARRAY("+sub+"))", args
	} else {
		p.cond, p.args = id+" IN ("+sub+")", args
	}
	return p
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

// walkCondition tests each row's doc; the planner walks the rows newest
// first and stops after a page.
func (ix Index) walkCondition(c store.Conn, id string, alts []string) (string, []any) {
	test, args := contains(c, "s.doc", alts)
	return "EXISTS (SELECT 1 FROM " + ix.Docs + " s WHERE s." + ix.Key + " = " + id + " AND " + test + ")", args
}

// frequent reports whether ProbeHits of the newest ProbeWindow docs
// contain one of alts (or the probe fails: the walk is always correct).
func (ix Index) frequent(ctx context.Context, c store.Conn, alts []string) bool {
	test, args := contains(c, "w.doc", alts)
	args = append([]any{ProbeWindow}, append(args, ProbeHits)...)
	var n int
	err := c.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM (SELECT doc FROM `+ix.Docs+`
		ORDER BY `+ix.Key+` DESC LIMIT ?) w WHERE `+test+` LIMIT ?) h`, args...).Scan(&n)
	return err != nil || n >= ProbeHits
}

// sqliteMatch returns the FTS5 query for q: the phrase q itself when it has
// three characters or more (the trigram tokenizer then matches exactly the
// docs containing q), else the trigrams that start with q, OR-ed ("" when
// there is none). ok is false when there are more than MaxPrefixTerms or
// the vocabulary cannot be read.
func (ix Index) sqliteMatch(ctx context.Context, c store.Conn, q string) (match string, ok bool) {
	n := utf8.RuneCountInString(q)
	if n >= 3 {
		return ftsString(q), true
	}
	// Every character of a doc is followed by at least two more (the
	// trailing separators), so each occurrence of q starts some trigram.
	// Trigrams compare bytewise, and UTF-8 keeps code point order.
	hi := q + strings.Repeat(string(unicode.MaxRune), 3-n)
	rows, err := c.Query(ctx, "SELECT term FROM "+ix.Vocab+" WHERE term >= ? AND term <= ? LIMIT ?",
		q, hi, MaxPrefixTerms+1)
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
	if rows.Err() != nil || len(terms) > MaxPrefixTerms {
		return "", false
	}
	return strings.Join(terms, " OR "), true
}

// ftsString quotes s as an FTS5 string (a phrase of its trigrams).
func ftsString(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// postgresMatches selects the ids of the matching docs (as id) from an
// index: with pg_trgm when a text has a run of three letters or digits
// (pg_trgm takes trigrams only from such runs; LIKE rechecks the doc), else
// from the index of its characters and pairs (kefu_search_grams), rechecked
// by strpos.
func (ix Index) postgresMatches(alts []string) (string, []any) {
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
	return "SELECT " + ix.Key + " AS id FROM " + ix.Docs + " WHERE " + strings.Join(parts, " OR "), args
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
