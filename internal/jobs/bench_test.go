package jobs

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// benchDue is how many timers fall due per measured tick.
const benchDue = 10

// BenchmarkTickWithMillionOpen measures one engine tick (FireDue then
// NextDue, as Run does) with many open clocks scheduled in the future:
// 10,000 and 100,000 open timers, and 1,000,000 with KEFU_BENCH_LARGE=1.
// "idle" is a tick with nothing due; "fire10" fires 10 due timers (no-op
// handler) in one transaction. The tick must not grow with the open
// timers: claim and NextDue read the head of the partial due_at index.
// Runs on SQLite and, when KEFU_TEST_POSTGRES is set, PostgreSQL.
func BenchmarkTickWithMillionOpen(b *testing.B) {
	sizes := []int{10_000, 100_000}
	if os.Getenv("KEFU_BENCH_LARGE") == "1" {
		sizes = append(sizes, 1_000_000)
	}
	for _, d := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.OpenSQLite}, {"postgres", storetest.OpenPostgres}} {
		for _, n := range sizes {
			b.Run(fmt.Sprintf("%s/open=%d", d.name, n), func(b *testing.B) {
				ctx := context.Background()
				db := d.open(b)
				now := time.Date(2025, 3, 3, 9, 0, 0, 0, store.Zone)
				start := time.Now()
				insertFuture(b, db, n, now)
				if db.Dialect() == store.Postgres { // the steady state: autovacuum has analysed the table
					if err := db.Tx(ctx, func(tx store.Conn) error { _, err := tx.Exec(ctx, "ANALYZE timers"); return err }); err != nil {
						b.Fatal(err)
					}
				}
				b.Logf("inserted %d future timers in %v", n, time.Since(start).Round(time.Millisecond))
				e := NewEngine(Options{DB: db, Logger: quiet, Now: func() time.Time { return now }})
				e.Handle("bench.due", func(context.Context, store.Conn, Timer) error { return nil })
				tick := func(b *testing.B, want int) {
					fired, err := e.FireDue(ctx)
					if err != nil {
						b.Fatal(err)
					}
					if fired != want {
						b.Fatalf("fired %d, want %d", fired, want)
					}
					if _, ok, err := NextDue(ctx, db.Reader()); err != nil || !ok {
						b.Fatalf("next due: ok=%v err=%v", ok, err)
					}
				}
				b.Run("idle", func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						tick(b, 0)
					}
				})
				b.Run(fmt.Sprintf("fire%d", benchDue), func(b *testing.B) {
					b.ReportAllocs()
					ref := store.ID(0)
					for b.Loop() {
						b.StopTimer()
						insertTimers(b, db, "bench.due", ref, benchDue, func(int) time.Time { return now.Add(-time.Second) })
						ref += benchDue
						b.StartTimer()
						tick(b, benchDue)
					}
				})
			})
		}
	}
}

// insertFuture inserts n timers due over the year after now, in one
// transaction of multi-row INSERTs.
func insertFuture(b *testing.B, db *store.DB, n int, now time.Time) {
	b.Helper()
	step := 365 * 24 * time.Hour / time.Duration(n)
	insertTimers(b, db, "bench.open", 0, n, func(i int) time.Time { return now.Add(time.Hour + time.Duration(i)*step) })
}

// insertTimers inserts n timers of kind with refs first+1… due at due(i).
func insertTimers(b *testing.B, db *store.DB, kind string, first store.ID, n int, due func(i int) time.Time) {
	b.Helper()
	const rows = 1000 // 4 parameters each: within both databases' limits
	ctx := context.Background()
	err := db.Tx(ctx, func(tx store.Conn) error {
		for lo := 0; lo < n; lo += rows {
			hi := min(lo+rows, n)
			var q strings.Builder
			q.WriteString("INSERT INTO timers (kind, ref, due_at, attempts, last_error, parked, created_at) VALUES ")
			args := make([]any, 0, 4*(hi-lo))
			for i := lo; i < hi; i++ {
				if i > lo {
					q.WriteString(", ")
				}
				q.WriteString("(?, ?, ?, 0, '', 0, ?)")
				args = append(args, kind, first+store.ID(i)+1, due(i).UnixMicro(), int64(0))
			}
			if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
