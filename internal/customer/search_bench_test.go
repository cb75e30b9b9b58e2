package customer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"kefu/bench/custgen"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// BenchmarkSearchLarge measures the first page of the customer search on
// 1,000,000 generated customers (KEFU_BENCH_N overrides) with ~1.25 service
// points each, on SQLite and PostgreSQL, per query class; it also reports
// the insert throughput with the search triggers (transactions of 100,000
// customers, as an import writes them) and the size of the search index.
// Skipped unless KEFU_BENCH_LARGE=1; loading takes minutes.
//
//	KEFU_BENCH_LARGE=1 go test -run '^$' -bench SearchLarge -benchtime 1x -timeout 2h ./internal/customer/
func BenchmarkSearchLarge(b *testing.B) {
	if os.Getenv("KEFU_BENCH_LARGE") != "1" {
		b.Skip("set KEFU_BENCH_LARGE=1 to run the 1,000,000-customer search benchmark")
	}
	n := 1_000_000
	if s := os.Getenv("KEFU_BENCH_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	b.Run("sqlite", func(b *testing.B) { benchSearch(b, storetest.OpenSQLite(b), n) })
	b.Run("postgres", func(b *testing.B) { benchSearch(b, storetest.OpenPostgres(b), n) })
}

const benchSeed = 20260501

func benchSearch(b *testing.B, db *store.DB, n int) {
	ctx := context.Background()
	t0 := time.Now()
	spn, err := loadCustomers(ctx, db, n, benchSeed, 100_000)
	if err != nil {
		b.Fatal(err)
	}
	el := time.Since(t0)
	b.Logf("%s: loaded %d customers and %d service points in %v: %.0f customers/s (%.0f rows/s)",
		db.Dialect(), n, spn, el.Round(time.Second), float64(n)/el.Seconds(), float64(n+spn)/el.Seconds())
	// 1 % merged away: the List leaves them out.
	err = db.Tx(ctx, func(tx store.Conn) error {
		_, err := tx.Exec(ctx, "UPDATE customers SET merged_into_id = id - 1 WHERE id % 100 = 0")
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	if db.Dialect() == store.Postgres {
		if _, err := db.Writer().ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%s: search index %s", db.Dialect(), indexSize(ctx, b, db))

	classes := benchQueries(n)
	for _, cl := range classes {
		b.Run(cl.name, func(b *testing.B) {
			var ds []time.Duration
			rows := 0
			for b.Loop() {
				for round := range 2 { // the first round warms the cache
					for _, q := range cl.qs {
						start := time.Now()
						k := firstPage(ctx, b, db, q)
						if round == 1 {
							ds = append(ds, time.Since(start))
							rows += k
						}
					}
				}
			}
			slices.Sort(ds)
			pct := func(p float64) float64 {
				return float64(ds[min(len(ds)-1, int(p*float64(len(ds))))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.5), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			b.ReportMetric(float64(ds[len(ds)-1].Microseconds())/1000, "max-ms")
			b.ReportMetric(float64(rows)/float64(len(ds)), "rows/query")
		})
	}
}

// firstPage runs the List's query: a page of 50 (+1), newest first.
func firstPage(ctx context.Context, b *testing.B, db *store.DB, q string) int {
	r := db.Reader()
	cond, args := searchCondition(r, q)
	rows, err := r.Query(ctx, "SELECT c.id, c.name, c.phone, c.address FROM customers c WHERE c.merged_into_id IS NULL AND "+
		cond+" ORDER BY c.id DESC LIMIT 51", args...)
	if err != nil {
		b.Fatalf("%q: %v", q, err)
	}
	defer rows.Close()
	k := 0
	for rows.Next() {
		var id int64
		var name, phone, address string
		if err := rows.Scan(&id, &name, &phone, &address); err != nil {
			b.Fatal(err)
		}
		k++
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return k
}

type queryClass struct {
	name string
	qs   []string
}

// benchQueries draws 200 queries per class from the generated customers.
func benchQueries(n int) []queryClass {
	g := custgen.New(benchSeed)
	r := rand.New(rand.NewPCG(1, 2))
	var sample []custgen.Customer
	for i := range n {
		c := g.Next()
		if r.IntN(n) < 400 || i == n-1 && len(sample) == 0 {
			sample = append(sample, c)
		}
	}
	runes := func(s string, from, k int) string {
		rs := []rune(s)
		from = max(0, min(from, len(rs)-k))
		return string(rs[from:min(len(rs), from+k)])
	}
	classes := map[string][]string{}
	add := func(class, q string) {
		if len(classes[class]) < 200 {
			classes[class] = append(classes[class], q)
		}
	}
	for i, c := range sample {
		rs := []rune(c.Address)
		// The estate (小区) name follows "号"; a 3-character piece of it.
		if k := strings.Index(c.Address, "号"); k > 0 && len(c.Address) > k+3*3 {
			add("cjk3_estate", runes(c.Address[k+3:], r.IntN(2), 3))
		}
		add("cjk3_district", runes(c.Address, 0, 3))
		if c.Kind == "person" {
			add("cjk2_name", runes(c.Name, 0, 2))
			add("cjk1_name", runes(c.Name, len([]rune(c.Name))-1, 1))
		}
		add("cjk2_street", runes(c.Address, len([]rune(custgen.Districts[0])), 2))
		add("cjk1_any", string(rs[r.IntN(len(rs))]))
		ph := PhoneKey(c.Phone)
		add("phone4_last", ph[len(ph)-4:])
		add("phone7", ph[3:10])
		acc := c.Points[r.IntN(len(c.Points))].AccountNo
		add("account6", acc[len(acc)-6:])
		add("miss", fmt.Sprintf("不存在%d号", i))
	}
	var out []queryClass
	for _, k := range []string{"cjk3_estate", "cjk3_district", "cjk2_name", "cjk2_street", "cjk1_name", "cjk1_any",
		"phone4_last", "phone7", "account6", "miss"} {
		out = append(out, queryClass{k, classes[k]})
	}
	return out
}

// loadCustomers inserts n generated customers with their service points,
// perTx customers per transaction, in multi-row INSERTs of 500; it returns
// the number of service points.
func loadCustomers(ctx context.Context, db *store.DB, n int, seed uint64, perTx int) (int, error) {
	err := db.Tx(ctx, func(tx store.Conn) error {
		_, err := tx.Exec(ctx, `INSERT INTO org_units (id, kind, name, path, depth, created_at, updated_at) VALUES (1, 'company', '燃气公司', '/1/', 0, 0, 0)`)
		return err
	})
	if err != nil {
		return 0, err
	}
	g := custgen.New(seed)
	now := time.Now().UnixMicro()
	sp := 0
	for start := 1; start <= n; start += perTx {
		end := min(n, start+perTx-1)
		err := db.Tx(ctx, func(tx store.Conn) error {
			for b := start; b <= end; b += 500 {
				var cs, ps []string
				var ca, pa []any
				for id := b; id < b+500 && id <= end; id++ {
					c := g.Next()
					cs = append(cs, "(?, ?, ?, ?, ?, ?, 1, ?, ?)")
					ca = append(ca, id, c.Kind, c.Name, c.Phone, PhoneKey(c.Phone), c.Address, now, now)
					for _, p := range c.Points {
						sp++
						ps = append(ps, "(?, ?, ?, ?, ?, 1, 1, ?, ?, ?)")
						pa = append(pa, sp, id, p.Kind, p.AccountNo, fmt.Sprintf("DA%09d", sp), p.Address, now, now)
					}
				}
				if _, err := tx.Exec(ctx, "INSERT INTO customers (id, kind, name, phone, phone_key, address, org_unit_id, created_at, updated_at) VALUES "+
					strings.Join(cs, ", "), ca...); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, "INSERT INTO service_points (id, customer_id, kind, account_no, archive_no, company_id, org_unit_id, address, created_at, updated_at) VALUES "+
					strings.Join(ps, ", "), pa...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return sp, err
		}
	}
	return sp, nil
}

// indexSize describes the space taken by the search tables and indexes.
func indexSize(ctx context.Context, b *testing.B, db *store.DB) string {
	q := `SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'customer_search%' OR name LIKE 'customer_fts%' GROUP BY name`
	if db.Dialect() == store.Postgres {
		q = `SELECT relname, pg_relation_size(oid) FROM pg_class WHERE relname LIKE 'customer_search%'
			AND relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())`
	}
	rows, err := db.Reader().Query(ctx, q)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var parts []string
	var total int64
	for rows.Next() {
		var name string
		var size int64
		if err := rows.Scan(&name, &size); err != nil {
			b.Fatal(err)
		}
		total += size
		parts = append(parts, fmt.Sprintf("%s %d MB", name, size>>20))
	}
	return fmt.Sprintf("%d MB (%s)", total>>20, strings.Join(parts, ", "))
}
