package inspection_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"kefu/internal/inspection"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// BenchmarkGeneratePlan generates (and regenerates) a gas company's plan
// for 2026 over 20,000 service points (KEFU_BENCH_N overrides, e.g.
// 100000): 90 % households, 10 % commercial and industrial accounts read
// daily to monthly, two thirds of them with an inspection in 2024–2025.
//
//	KEFU_BENCH_N=100000 go test -run '^$' -bench GeneratePlan -benchtime 1x ./internal/inspection/
func BenchmarkGeneratePlan(b *testing.B) {
	n := 20_000
	if s := os.Getenv("KEFU_BENCH_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	b.Run("sqlite", func(b *testing.B) { benchPlan(b, storetest.OpenSQLite(b), n) })
	b.Run("postgres", func(b *testing.B) { benchPlan(b, storetest.OpenPostgres(b), n) })
}

func benchPlan(b *testing.B, db *store.DB, n int) {
	e := newEnv(b, db, "gas", "2026-01-05 09:00")
	ctx := e.ctx
	inspector := e.people["liu"].UserID
	now := store.Micros(time.Now())
	freqs := []string{"daily", "weekly", "thrice_monthly", "twice_monthly", "monthly"}
	start := time.Now()
	for lo := 1; lo <= n; lo += 500 {
		err := db.Tx(ctx, func(tx store.Conn) error {
			var cs, ps, rs []string
			var ca, pa, ra []any
			for i := lo; i < lo+500 && i <= n; i++ {
				typ, attrs := "residential", "{}"
				if i%10 == 0 {
					typ, attrs = "commercial", fmt.Sprintf(`{"reading_frequency":%q}`, freqs[i/10%len(freqs)])
				}
				id := 1_000_000 + i
				cs = append(cs, "(?, 'person', ?, ?, '', ?, ?, 'gas', ?, ?, ?)")
				ca = append(ca, id, fmt.Sprintf("住户%d", i), fmt.Sprintf("139%08d", i), fmt.Sprintf("城东小区%d栋", i%400), e.co.ID, typ, now, now)
				ps = append(ps, "(?, ?, 'gas_account', ?, ?, ?, ?, ?, ?, ?, ?)")
				pa = append(pa, id, id, fmt.Sprintf("B%08d", i), fmt.Sprintf("G-B%08d", i), e.co.ID, e.co.ID,
					fmt.Sprintf("城东小区%d栋%d室", i%400, i), attrs, now, now)
				if i%3 != 0 {
					day := time.Date(2024+i%2, time.Month(1+i%12), 1+i%28, 10, 0, 0, 0, store.Zone)
					rs = append(rs, "(?, 'gas', 1, ?, ?, ?, 'periodic', ?, ?, ?, 'closed', ?, ?, ?)")
					ra = append(ra, e.co.ID, id, id, fmt.Sprintf("G-B%08d", i), inspector, store.Micros(day), day.Format("2006-01-02"),
						store.Micros(day), now, now)
				}
			}
			if _, err := tx.Exec(ctx, `INSERT INTO customers (id, kind, name, phone, phone_key, address, org_unit_id, pack, type,
				created_at, updated_at) VALUES `+strings.Join(cs, ", "), ca...); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO service_points (id, customer_id, kind, account_no, archive_no, company_id,
				org_unit_id, address, attributes, created_at, updated_at) VALUES `+strings.Join(ps, ", "), pa...); err != nil {
				return err
			}
			if len(rs) == 0 {
				return nil
			}
			_, err := tx.Exec(ctx, `INSERT INTO inspection_records (company_id, pack, pack_version, customer_id, service_point_id,
				archive_no, track, inspector_id, inspected_at, inspected_on, status, closed_at, created_at, updated_at) VALUES `+
				strings.Join(rs, ", "), ra...)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%s: loaded %d points in %v", db.Dialect(), n, time.Since(start).Round(time.Millisecond))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		pl, created, err := e.svc.GeneratePlan(ctx, e.people["manager"], inspection.PlanInput{Period: "2026"})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: generated=%v points=%d items=%d in %v", db.Dialect(), created, pl.Points, pl.Progress.Total,
			time.Since(t0).Round(time.Millisecond))
		t0 = time.Now()
		if _, _, err := e.svc.GeneratePlan(ctx, e.people["manager"], inspection.PlanInput{Period: "2026"}); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: regenerated in %v", db.Dialect(), time.Since(t0).Round(time.Millisecond))
	}
}
