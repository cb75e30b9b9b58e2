package customer

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/textsearch"
)

// searchFixture writes customers and service points with plain SQL, as an
// import or another module would, so that only the triggers index them.
type searchFixture struct {
	t   testing.TB
	db  *store.DB
	ctx context.Context
	sp  int64
}

func newSearchFixture(t testing.TB, db *store.DB) *searchFixture {
	f := &searchFixture{t: t, db: db, ctx: context.Background()}
	f.exec(`INSERT INTO org_units (id, kind, name, path, depth, created_at, updated_at) VALUES (1, 'company', '公司', '/1/', 0, 0, 0)`)
	return f
}

func (f *searchFixture) exec(q string, args ...any) {
	f.t.Helper()
	err := f.db.Tx(f.ctx, func(tx store.Conn) error {
		_, err := tx.Exec(f.ctx, q, args...)
		return err
	})
	if err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

func (f *searchFixture) customer(id int64, name, phone, address string) {
	f.t.Helper()
	f.exec(`INSERT INTO customers (id, name, phone, phone_key, address, org_unit_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 1, 0, 0)`, id, name, phone, PhoneKey(phone), address)
}

func (f *searchFixture) point(customer int64, account, address string) int64 {
	f.t.Helper()
	f.sp++
	f.exec(`INSERT INTO service_points (id, customer_id, kind, account_no, archive_no, company_id, org_unit_id, address, created_at, updated_at)
		VALUES (?, ?, 'gas_account', ?, ?, 1, 1, ?, 0, 0)`, f.sp, customer, account, fmt.Sprintf("DA%06d", f.sp), address)
	return f.sp
}

// search runs the List's query shape and returns the ids found.
func (f *searchFixture) search(q string) []int64 {
	f.t.Helper()
	r := f.db.Reader()
	cond, args := searchCondition(r, q)
	rows, err := r.Query(f.ctx, "SELECT c.id FROM customers c WHERE c.merged_into_id IS NULL AND "+cond+
		" ORDER BY c.id DESC LIMIT 100", args...)
	if err != nil {
		f.t.Fatalf("search %q: %s: %v", q, cond, err)
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			f.t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		f.t.Fatalf("search %q: %v", q, err)
	}
	return ids
}

func (f *searchFixture) expect(q string, want ...int64) {
	f.t.Helper()
	if want == nil {
		want = []int64{}
	}
	slices.SortFunc(want, func(a, b int64) int { return int(b - a) })
	if got := f.search(q); !slices.Equal(got, want) {
		f.t.Errorf("search %q = %v, want %v", q, got, want)
	}
}

// forcePlan makes searchCondition take the index ("index") or the walk
// ("walk") whatever the data, and restores the thresholds afterwards.
func forcePlan(t *testing.T, plan string) {
	w, h, m := textsearch.ProbeWindow, textsearch.ProbeHits, textsearch.MaxPrefixTerms
	t.Cleanup(func() { textsearch.ProbeWindow, textsearch.ProbeHits, textsearch.MaxPrefixTerms = w, h, m })
	switch plan {
	case "index":
		textsearch.ProbeHits = 1 << 30
	case "walk":
		textsearch.ProbeHits, textsearch.MaxPrefixTerms = 0, 0
	}
}

func TestSearch(t *testing.T) {
	for _, plan := range []string{"index", "walk"} {
		t.Run(plan, func(t *testing.T) {
			forcePlan(t, plan)
			storetest.Each(t, testSearch)
		})
	}
}

func testSearch(t *testing.T, db *store.DB) {
	f := newSearchFixture(t, db)
	f.customer(1, "王芳", "13812345678", "北京市朝阳区幸福里小区3栋2单元301室")
	f.point(1, "3100012345", "朝阳区幸福里小区3栋2单元301室")
	f.customer(2, "李小龙", "010-8765 4321", "海淀区中关村大街1号")
	sp2 := f.point(2, "GA-778899", "海淀区学院路5号")
	f.customer(3, "张伟", "13900001111", "丰台区幸福大街8号")
	f.customer(4, "ＡＢＣ商贸有限公司", "１３７００００２２２２", "西城区金融街Ｆ座")
	f.customer(5, "王芳芳", "13600003333", "朝阳区幸福里小区9栋")
	f.exec("UPDATE customers SET merged_into_id = 1 WHERE id = 5") // merged away
	f.customer(6, "O'Brien_100%", "", "")

	for _, c := range []struct {
		q    string
		want []int64
	}{
		{"幸福里", []int64{1}}, // 5 is merged into 1
		{"朝阳区幸福里小区", []int64{1}},
		{"幸福", []int64{1, 3}},
		{"王芳", []int64{1}},
		{"芳", []int64{1}},
		{"区幸", []int64{1, 3}},
		{"  幸福里\t", []int64{1}},
		{"5678", []int64{1}},
		{"1381234", []int64{1}},
		{"１３８", []int64{1}},
		{"138-1234", []int64{1}}, // digits of a phone written with separators
		{"87654321", []int64{2}}, // phone_key of "010-8765 4321"
		{"8765 4321", []int64{2}},
		{"00123", []int64{1}}, // account number of a service point
		{"ga-7788", []int64{2}},
		{"ＧＡ－７７８８", []int64{2}},
		{"da000002", []int64{2}}, // archive number
		{"学院路", []int64{2}},      // address of a service point
		{"abc", []int64{4}},
		{"ＡＢＣ", []int64{4}},
		{"f座", []int64{4}},
		{"0000222", []int64{4}},
		{"o'brien", []int64{6}},
		{"_100%", []int64{6}},
		{"%", []int64{6}},
		{"_", []int64{6}},
		{"不存在", nil},
		{"幸福里小区3栋2单元301室北", nil},
		{"王芳1", nil},   // name and phone are separate fields
		{"室3100", nil}, // address and account number too
		{"100%x", nil}, // wildcards are literal
		{"5%8", nil},
		{"王_", nil},
		{"\"", nil},
		{"幸福 里", nil},
		{"7", []int64{1, 2, 4}},
		{"区", []int64{1, 2, 3, 4}},
	} {
		f.expect(c.q, c.want...)
	}

	// Changes are indexed by the triggers.
	f.exec("UPDATE customers SET address = ? WHERE id = 3", "石景山区八角路")
	f.expect("幸福", 1)
	f.expect("八角", 3)
	f.exec("DELETE FROM service_points WHERE id = ?", sp2)
	f.expect("学院路")
	f.expect("ga-7788")
	f.expect("中关村", 2)
	sp := f.point(3, "9988776655", "石景山区鲁谷路")
	f.expect("887766", 3)
	f.expect("鲁谷", 3)
	f.exec("UPDATE service_points SET customer_id = 2 WHERE id = ?", sp)
	f.expect("887766", 2)
	f.exec("UPDATE service_points SET account_no = ? WHERE id = ?", "1122334455", sp)
	f.expect("887766")
	f.expect("223344", 2)
	f.exec("UPDATE customers SET merged_into_id = 1 WHERE id = 3")
	f.expect("八角")
	f.exec("DELETE FROM customers WHERE id = 6")
	f.expect("o'brien")
	f.exec("UPDATE customers SET name = ? WHERE id = 4", "新名字")
	f.expect("abc")
	f.expect("新名", 4)
}

// TestSearchNormalisationMatchesSQL: the migration's SQL normalises the
// stored doc exactly as NormalizeSearch normalises the query, for every
// character either of them maps.
func TestSearchNormalisationMatchesSQL(t *testing.T) {
	var b strings.Builder
	b.WriteString("x")
	for r := rune(0xFF01); r <= 0xFF5E; r++ {
		b.WriteRune(r)
	}
	b.WriteString("\u3000ABCXYZabcxyzÉéΣσ幸福里０x")
	name := b.String()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newSearchFixture(t, db)
		f.customer(1, name, "", "")
		var doc string
		if err := db.Reader().QueryRow(f.ctx, "SELECT doc FROM customer_search WHERE customer_id = 1").Scan(&doc); err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(doc, "\n")
		if want := NormalizeSearch(name); first != want {
			t.Errorf("stored doc %q\nNormalizeSearch %q", first, want)
		}
	})
}

func TestNormalizeSearch(t *testing.T) {
	for in, want := range map[string]string{
		"  幸福里 ":         "幸福里",
		"１３８":            "138",
		"ＡＢＣｄｅ":          "abcde",
		"GA-7788":        "ga-7788",
		"\u3000王芳\u3000": "王芳",
		"a\tb\nc":        "a b c",
		"ÉΣ":             "ÉΣ",
		"a\xffb":         "ab",
		"":               "",
	} {
		if got := NormalizeSearch(in); got != want {
			t.Errorf("NormalizeSearch(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzSearch: a customer is found by every fragment of its name and by
// nothing else, on SQLite, by either plan; NormalizeSearch is idempotent and
// leaves no control characters.
func FuzzSearch(f *testing.F) {
	for _, s := range []struct {
		name, q string
	}{
		{"王芳", "芳"}, {"朝阳区幸福里小区3栋", "幸福里"}, {"ＡＢＣ公司", "abc"}, {"O'Brien", "'b"},
		{"100%_x", "%_"}, {"a\"b", "\""}, {"幸福", "福里"}, {"Σσ", "σ"}, {"x", "xx"}, {"13812345678", "１３８"},
		{"a b", "a  b"}, {"🙂🙃", "🙃"}, {"x\uFFFDy", "\uFFFD"}, {"幸福", "幸福里"}, {"abc", "ABC"},
	} {
		f.Add(s.name, s.q, false)
		f.Add(s.name, s.q, true)
	}
	db := storetest.OpenSQLite(f)
	fx := newSearchFixture(f, db)
	id := int64(0)
	f.Fuzz(func(t *testing.T, name, q string, walk bool) {
		n := NormalizeSearch(q)
		if NormalizeSearch(n) != n {
			t.Fatalf("NormalizeSearch not idempotent: %q → %q → %q", q, n, NormalizeSearch(n))
		}
		if strings.ContainsFunc(n, func(r rune) bool { return r < 0x20 || r == 0x7F }) {
			t.Fatalf("NormalizeSearch(%q) = %q keeps a control character", q, n)
		}
		if !utf8.ValidString(name) || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7F }) ||
			utf8.RuneCountInString(name) > 100 || n == "" || utf8.RuneCountInString(q) > 100 {
			return
		}
		if walk {
			textsearch.ProbeHits = 0
		} else {
			textsearch.ProbeHits = 1 << 30
		}
		defer func() { textsearch.ProbeHits = 50 }()
		id++
		fx.t = t
		fx.customer(id, name, "", "")
		r := db.Reader()
		cond, args := searchCondition(r, q)
		var found int
		err := r.QueryRow(fx.ctx, "SELECT count(*) FROM customers c WHERE c.id = ? AND "+cond,
			append([]any{id}, args...)...).Scan(&found)
		if err != nil {
			t.Fatalf("search %q: %s: %v", q, cond, err)
		}
		want := false
		for _, a := range SearchAlternatives(n) {
			want = want || strings.Contains(textsearch.Fold(name), a)
		}
		if (found == 1) != want {
			t.Fatalf("name %q, q %q (normalised %q): found %v, want %v", name, q, n, found == 1, want)
		}
	})
}
