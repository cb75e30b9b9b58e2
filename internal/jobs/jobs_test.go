package jobs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 3, 9, 0, 0, 0, store.Zone)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func schedule(t testing.TB, db *store.DB, kind string, ref store.ID, at time.Time) {
	t.Helper()
	if err := db.Tx(context.Background(), func(tx store.Conn) error {
		return Schedule(context.Background(), tx, kind, ref, at)
	}); err != nil {
		t.Fatal(err)
	}
}

func createFired(t testing.TB, db *store.DB) {
	t.Helper()
	if err := db.Tx(context.Background(), func(tx store.Conn) error {
		_, err := tx.Exec(context.Background(), `CREATE TABLE fired (ref BIGINT NOT NULL UNIQUE, kind TEXT NOT NULL DEFAULT '')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func countFired(t testing.TB, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRow(context.Background(), `SELECT count(*) FROM fired`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// insertFired is a handler whose work is one row per ref.
func insertFired(ctx context.Context, tx store.Conn, t Timer) error {
	_, err := tx.Exec(ctx, `INSERT INTO fired (ref, kind) VALUES (?, ?)`, t.Ref, t.Kind)
	return err
}

func TestScheduleCancelNextDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := newClock()
		if _, ok, err := NextDue(ctx, db.Reader()); err != nil || ok {
			t.Fatalf("empty: ok=%v err=%v", ok, err)
		}
		schedule(t, db, "a", 1, c.Now().Add(time.Hour))
		schedule(t, db, "a", 2, c.Now().Add(time.Minute))
		schedule(t, db, "b", 1, c.Now().Add(2*time.Minute))
		next, ok, err := NextDue(ctx, db.Reader())
		if err != nil || !ok || !next.Equal(c.Now().Add(time.Minute)) {
			t.Fatalf("next = %v %v %v, want +1m", next, ok, err)
		}
		// Moving a timer replaces it: (kind, ref) is unique.
		schedule(t, db, "a", 2, c.Now().Add(3*time.Hour))
		if next, _, _ = NextDue(ctx, db.Reader()); !next.Equal(c.Now().Add(2 * time.Minute)) {
			t.Fatalf("after move next = %v, want +2m", next)
		}
		if tm, ok, _ := Get(ctx, db.Reader(), "a", 2); !ok || !tm.At.Equal(c.Now().Add(3*time.Hour)) {
			t.Fatalf("moved timer = %+v %v", tm, ok)
		}
		if err := db.Tx(ctx, func(tx store.Conn) error { return Cancel(ctx, tx, "b", 1) }); err != nil {
			t.Fatal(err)
		}
		if next, _, _ = NextDue(ctx, db.Reader()); !next.Equal(c.Now().Add(time.Hour)) {
			t.Fatalf("after cancel next = %v, want +1h", next)
		}
		if _, ok, _ := Get(ctx, db.Reader(), "b", 1); ok {
			t.Fatal("cancelled timer still there")
		}
		// Cancelling what does not exist is no error.
		if err := db.Tx(ctx, func(tx store.Conn) error { return Cancel(ctx, tx, "b", 1) }); err != nil {
			t.Fatal(err)
		}
	})
}

func TestFireDueFiresOnlyDueTimersOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := newClock()
		createFired(t, db)
		e := NewEngine(Options{DB: db, Logger: quiet, Now: c.Now, Batch: 3})
		e.Handle("k", insertFired)
		for i := 1; i <= 10; i++ {
			schedule(t, db, "k", store.ID(i), c.Now().Add(time.Duration(i)*time.Minute))
		}
		c.Advance(7 * time.Minute) // refs 1‥7 are due: more than two batches
		n, err := e.FireDue(ctx)
		if err != nil || n != 7 {
			t.Fatalf("FireDue = %d, %v; want 7", n, err)
		}
		if got := countFired(t, db); got != 7 {
			t.Fatalf("fired rows = %d, want 7", got)
		}
		if n, err := e.FireDue(ctx); err != nil || n != 0 {
			t.Fatalf("second FireDue = %d, %v; want 0", n, err)
		}
		next, _, _ := NextDue(ctx, db.Reader())
		if !next.Equal(c.Now().Add(time.Minute)) {
			t.Fatalf("next = %v, want ref 8 at +1m", next)
		}
	})
}

func TestFailingHandlerRetriesWithBackoffAndParks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := newClock()
		createFired(t, db)
		e := NewEngine(Options{DB: db, Logger: quiet, Now: c.Now})
		e.Handle("ok", insertFired)
		e.Handle("bad", func(ctx context.Context, tx store.Conn, tm Timer) error {
			if err := insertFired(ctx, tx, tm); err != nil { // work that must be rolled back
				return err
			}
			return errors.New("boom")
		})
		schedule(t, db, "ok", 1, c.Now())
		schedule(t, db, "bad", 2, c.Now())
		schedule(t, db, "ok", 3, c.Now())
		if n, err := e.FireDue(ctx); err != nil || n != 2 {
			t.Fatalf("FireDue = %d, %v; want the two good ones", n, err)
		}
		if got := countFired(t, db); got != 2 {
			t.Fatalf("fired rows = %d, want 2 (the failing handler's insert rolled back)", got)
		}
		tm, ok, _ := Get(ctx, db.Reader(), "bad", 2)
		if !ok || tm.Attempts != 1 || !tm.At.Equal(c.Now().Add(Backoff(1))) {
			t.Fatalf("failed timer = %+v %v; want attempts 1 due at +%v", tm, ok, Backoff(1))
		}
		var lastErr string
		_ = db.Reader().QueryRow(ctx, `SELECT last_error FROM timers WHERE kind = 'bad'`).Scan(&lastErr)
		if lastErr != "boom" {
			t.Fatalf("last_error = %q", lastErr)
		}
		if n, _ := e.FireDue(ctx); n != 0 {
			t.Fatal("retried before its backoff")
		}
		for i := 2; i <= MaxAttempts; i++ {
			c.Advance(time.Hour)
			if _, err := e.FireDue(ctx); err != nil {
				t.Fatal(err)
			}
		}
		var attempts, parked int
		if err := db.Reader().QueryRow(ctx, `SELECT attempts, parked FROM timers WHERE kind = 'bad' AND ref = 2`).Scan(&attempts, &parked); err != nil {
			t.Fatal("parked timer lost:", err)
		}
		if attempts != MaxAttempts || parked != 1 {
			t.Fatalf("attempts=%d parked=%d; want %d, 1", attempts, parked, MaxAttempts)
		}
		if _, ok, _ := NextDue(ctx, db.Reader()); ok {
			t.Fatal("a parked timer is still due")
		}
		// Scheduling it again unparks it.
		schedule(t, db, "bad", 2, c.Now())
		if tm, _, _ := Get(ctx, db.Reader(), "bad", 2); tm.Attempts != 0 {
			t.Fatalf("rescheduled timer attempts = %d", tm.Attempts)
		}
	})
}

func TestUnknownKindIsParkedAndPanicIsAFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := newClock()
		e := NewEngine(Options{DB: db, Logger: quiet, Now: c.Now})
		e.Handle("panics", func(context.Context, store.Conn, Timer) error { panic("oops") })
		schedule(t, db, "nobody", 1, c.Now())
		schedule(t, db, "panics", 1, c.Now())
		if n, err := e.FireDue(ctx); err != nil || n != 0 {
			t.Fatalf("FireDue = %d, %v", n, err)
		}
		var parked int
		var lastErr string
		if err := db.Reader().QueryRow(ctx, `SELECT parked, last_error FROM timers WHERE kind = 'nobody'`).Scan(&parked, &lastErr); err != nil || parked != 1 {
			t.Fatalf("unknown kind: parked=%d err=%v", parked, err)
		}
		if tm, ok, _ := Get(ctx, db.Reader(), "panics", 1); !ok || tm.Attempts != 1 {
			t.Fatalf("panicking timer = %+v %v; want a retry", tm, ok)
		}
	})
}

func TestHandlerReschedulesItselfAndAfterCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := newClock()
		e := NewEngine(Options{DB: db, Logger: quiet, Now: c.Now})
		var ran, committed atomic.Int32
		e.Handle("tick", func(ctx context.Context, tx store.Conn, tm Timer) error {
			ran.Add(1)
			AfterCommit(ctx, func() { committed.Add(1) })
			return Schedule(ctx, tx, tm.Kind, tm.Ref, tm.At.Add(time.Minute))
		})
		e.Handle("fails", func(ctx context.Context, tx store.Conn, tm Timer) error {
			AfterCommit(ctx, func() { t.Error("after-commit hook of a failed handler ran") })
			return errors.New("no")
		})
		schedule(t, db, "tick", 9, c.Now())
		schedule(t, db, "fails", 9, c.Now())
		if n, err := e.FireDue(ctx); err != nil || n != 1 {
			t.Fatalf("FireDue = %d, %v", n, err)
		}
		tm, ok, _ := Get(ctx, db.Reader(), "tick", 9)
		if !ok || !tm.At.Equal(c.Now().Add(time.Minute)) || tm.Attempts != 0 {
			t.Fatalf("rescheduled timer = %+v %v", tm, ok)
		}
		if ran.Load() != 1 || committed.Load() != 1 {
			t.Fatalf("ran=%d committed=%d", ran.Load(), committed.Load())
		}
		c.Advance(time.Minute)
		if n, _ := e.FireDue(ctx); n != 1 {
			t.Fatal("rescheduled timer did not fire")
		}
	})
}

// TestRunSleepsUntilNextDueAndWakesOnPoke drives the run loop through an
// injected sleep: it must ask to sleep exactly until the next timer.
func TestRunSleepsUntilNextDueAndWakesOnPoke(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClock()
		waits := make(chan time.Duration)
		wake := make(chan time.Time)
		var fired atomic.Int32
		e := NewEngine(Options{DB: db, Logger: quiet, Now: c.Now, MaxIdle: time.Hour,
			after: func(d time.Duration) <-chan time.Time { waits <- d; return wake }})
		e.Handle("k", func(context.Context, store.Conn, Timer) error { fired.Add(1); return nil })
		schedule(t, db, "k", 1, c.Now().Add(30*time.Second))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- e.Run(ctx) }()
		expectWait := func(want time.Duration) {
			t.Helper()
			select {
			case d := <-waits:
				if d != want {
					t.Fatalf("run loop sleeps %v, want %v", d, want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("run loop did not sleep")
			}
		}
		expectWait(30 * time.Second)
		c.Advance(30 * time.Second)
		wake <- c.Now()
		expectWait(time.Hour) // fired; nothing left: MaxIdle
		if fired.Load() != 1 {
			t.Fatalf("fired = %d, want 1", fired.Load())
		}
		// A timer scheduled now, then Poke: the loop fires it without waiting.
		schedule(t, db, "k", 2, c.Now())
		e.Poke()
		expectWait(time.Hour)
		if fired.Load() != 2 {
			t.Fatalf("after poke fired = %d, want 2", fired.Load())
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

// TestEnginesFireEachTimerExactlyOnce is PRODUCT.md §5 scale-out: two
// engines (two processes) on one database fire 2,000 timers concurrently;
// a UNIQUE(ref) table proves that none fired twice, the count that none
// was lost.
func TestEnginesFireEachTimerExactlyOnce(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		enginesExactlyOnce(t, openMigrated(t, store.Options{DataDir: dir}), openMigrated(t, store.Options{DataDir: dir}))
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := storetest.PostgresDSN(t)
		enginesExactlyOnce(t, openMigrated(t, store.Options{DSN: dsn}), openMigrated(t, store.Options{DSN: dsn}))
	})
}

// openMigrated opens a database handle, as one kefu process does.
func openMigrated(t testing.TB, opts store.Options) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func enginesExactlyOnce(t *testing.T, db, other *store.DB) {
	{
		const n = 2000
		ctx := context.Background()
		c := newClock()
		createFired(t, db)
		if err := db.Tx(ctx, func(tx store.Conn) error {
			for i := 1; i <= n; i++ {
				if err := Schedule(ctx, tx, "k", store.ID(i), c.Now()); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		var counts [2]atomic.Int32
		engines := make([]*Engine, 2)
		for i, d := range []*store.DB{db, other} {
			engines[i] = NewEngine(Options{DB: d, Logger: quiet, Now: c.Now, Batch: 50})
			engines[i].Handle("k", func(ctx context.Context, tx store.Conn, tm Timer) error {
				counts[i].Add(1)
				return insertFired(ctx, tx, tm)
			})
		}
		var wg sync.WaitGroup
		results := make([]int, 2)
		errs := make([]error, 2)
		for i := range engines {
			wg.Go(func() { results[i], errs[i] = engines[i].FireDue(ctx) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("engine %d: %v", i, err)
			}
		}
		if results[0]+results[1] != n || countFired(t, db) != n {
			t.Fatalf("fired %d + %d, rows %d; want %d exactly once", results[0], results[1], countFired(t, db), n)
		}
		// Handlers that ran and were rolled back would count here too.
		if int(counts[0].Load()+counts[1].Load()) != n {
			t.Fatalf("handlers ran %d + %d times; want %d", counts[0].Load(), counts[1].Load(), n)
		}
		if _, ok, _ := NextDue(ctx, db.Reader()); ok {
			t.Fatal("timers left over")
		}
		t.Logf("engine A fired %d, engine B fired %d", results[0], results[1])
	}
}

func TestLease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := newClock()
		take := func(holder string) bool {
			t.Helper()
			ok, err := Lease(ctx, db, "scheduler", holder, c.Now(), time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !take("a") || take("b") || !take("a") {
			t.Fatal("a takes and renews; b must wait")
		}
		c.Advance(2 * time.Minute)
		if !take("b") || take("a") {
			t.Fatal("after expiry b takes over")
		}
		if err := ReleaseLease(ctx, db, "scheduler", "b"); err != nil {
			t.Fatal(err)
		}
		if !take("a") {
			t.Fatal("released lease not free")
		}
	})
}

func BenchmarkFireDue(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			db := storetest.OpenSQLite(b)
			if dialect == "postgres" {
				db = storetest.OpenPostgres(b)
			}
			ctx := context.Background()
			c := newClock()
			e := NewEngine(Options{DB: db, Logger: quiet, Now: c.Now})
			e.Handle("k", func(context.Context, store.Conn, Timer) error { return nil })
			const perRound = 2000
			fired := 0
			for b.Loop() {
				b.StopTimer()
				if err := db.Tx(ctx, func(tx store.Conn) error {
					for i := 1; i <= perRound; i++ {
						if err := Schedule(ctx, tx, "k", store.ID(i), c.Now()); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				n, err := e.FireDue(ctx)
				if err != nil || n != perRound {
					b.Fatalf("FireDue = %d, %v", n, err)
				}
				fired += n
			}
			b.ReportMetric(float64(fired)/b.Elapsed().Seconds(), "timers/s")
		})
	}
}
