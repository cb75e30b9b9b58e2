package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"kefu/internal/store"
)

// Options configure an Engine.
type Options struct {
	DB     *store.DB
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Batch is how many timers one transaction claims (default 100).
	Batch int
	// MaxIdle is the longest the run loop sleeps without looking (default 5s);
	// it also bounds how late a timer scheduled by another process fires.
	MaxIdle time.Duration

	// after waits for d; tests replace it to drive the run loop.
	after func(d time.Duration) <-chan time.Time
}

// Engine fires due timers by calling the handler registered for their kind.
type Engine struct {
	db       *store.DB
	log      *slog.Logger
	now      func() time.Time
	batch    int
	maxIdle  time.Duration
	after    func(d time.Duration) <-chan time.Time
	poke     chan struct{}
	mu       sync.RWMutex
	handlers map[string]Handler
}

// NewEngine returns an engine with no handlers.
func NewEngine(o Options) *Engine {
	e := &Engine{db: o.DB, log: o.Logger, now: o.Now, batch: o.Batch, maxIdle: o.MaxIdle,
		after: o.after, poke: make(chan struct{}, 1), handlers: map[string]Handler{}}
	if e.log == nil {
		e.log = slog.Default()
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.batch <= 0 {
		e.batch = 100
	}
	if e.maxIdle <= 0 {
		e.maxIdle = 5 * time.Second
	}
	if e.after == nil {
		e.after = time.After
	}
	return e
}

// Handle registers the handler of a timer kind; call it before Run.
func (e *Engine) Handle(kind string, h Handler) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.handlers[kind] = h
}

// Poke tells the run loop that a timer was scheduled: it re-reads the next
// due time now. It never blocks.
func (e *Engine) Poke() {
	if e == nil {
		return
	}
	select {
	case e.poke <- struct{}{}:
	default:
	}
}

// Run fires timers as they fall due until ctx is done. It reads only the
// earliest due time (one index probe), sleeps until then, MaxIdle or a
// Poke, and fires what is due. It returns nil when ctx ends.
func (e *Engine) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		wait := e.maxIdle
		if _, err := e.FireDue(ctx); err != nil {
			if ctx.Err() != nil {
				break
			}
			e.log.Warn("jobs: firing due timers failed", "error", err)
		} else if next, ok, err := NextDue(ctx, e.db.Reader()); err != nil {
			if ctx.Err() != nil {
				break
			}
			e.log.Warn("jobs: reading next due timer failed", "error", err)
		} else if ok {
			wait = min(wait, max(next.Sub(e.now()), 0))
		}
		if wait <= 0 {
			continue // due already: a handler scheduled it in the past, or a batch cap was hit
		}
		select {
		case <-ctx.Done():
		case <-e.poke:
		case <-e.after(wait):
		}
	}
	return nil
}

// maxRounds bounds the batches of one FireDue call, so that handlers that
// keep rescheduling themselves into the past cannot hold it forever.
const maxRounds = 1000

// FireDue fires every timer due at Now(), one transaction per batch, and
// returns how many handlers succeeded. Run calls it; tests call it to fire
// timers at an injected instant.
func (e *Engine) FireDue(ctx context.Context) (int, error) {
	fired := 0
	for range maxRounds {
		n, claimed, err := e.fireBatch(ctx)
		fired += n
		if err != nil {
			return fired, err
		}
		if claimed < e.batch {
			return fired, nil
		}
	}
	return fired, nil
}

// fireBatch claims up to Batch due timers in one transaction and runs their
// handlers, each under a savepoint.
func (e *Engine) fireBatch(ctx context.Context) (fired, claimed int, err error) {
	var after []func()
	err = e.db.Tx(ctx, func(tx store.Conn) error {
		fired, claimed, after = 0, 0, after[:0]
		now := e.now()
		timers, err := claim(ctx, tx, now, e.batch)
		if err != nil {
			return err
		}
		claimed = len(timers)
		for _, t := range timers {
			ok, fns, err := e.fire(ctx, tx, now, t)
			if err != nil {
				return err
			}
			if ok {
				fired++
				after = append(after, fns...)
			}
		}
		return nil
	})
	if err != nil {
		return 0, claimed, err
	}
	for _, fn := range after {
		fn()
	}
	return fired, claimed, nil
}

// claim selects due timers; on PostgreSQL rows locked by another engine are
// skipped, so each timer goes to exactly one of them. On SQLite the single
// writer transaction already serialises engines.
func claim(ctx context.Context, tx store.Conn, now time.Time, limit int) ([]Timer, error) {
	q := `SELECT kind, ref, due_at, attempts FROM timers
		WHERE parked = 0 AND due_at <= ? ORDER BY due_at LIMIT ?`
	if tx.Dialect() == store.Postgres {
		q += ` FOR UPDATE SKIP LOCKED`
	}
	rows, err := tx.Query(ctx, q, now.UnixMicro(), limit)
	if err != nil {
		return nil, fmt.Errorf("jobs: claim due timers: %w", err)
	}
	defer rows.Close()
	var out []Timer
	for rows.Next() {
		var t Timer
		var us int64
		if err := rows.Scan(&t.Kind, &t.Ref, &us, &t.Attempts); err != nil {
			return nil, err
		}
		t.At = store.FromMicros(us)
		out = append(out, t)
	}
	return out, rows.Err()
}

// fire runs one claimed timer's handler under a savepoint. ok reports
// success (the timer row is gone, or replaced by the handler's own
// Schedule); on failure the handler's work is rolled back and the timer is
// put back with backoff, or parked. err is only for the database failing.
func (e *Engine) fire(ctx context.Context, tx store.Conn, now time.Time, t Timer) (ok bool, after []func(), err error) {
	e.mu.RLock()
	h := e.handlers[t.Kind]
	e.mu.RUnlock()
	if h == nil {
		e.log.Error("jobs: no handler for timer kind; parked", "kind", t.Kind, "ref", t.Ref)
		_, err := tx.Exec(ctx, `UPDATE timers SET parked = 1, last_error = ? WHERE kind = ? AND ref = ?`,
			"no handler for kind "+t.Kind, t.Kind, t.Ref)
		return false, nil, err
	}
	if _, err := tx.Exec(ctx, `SAVEPOINT jobs_fire`); err != nil {
		return false, nil, err
	}
	hctx := &afterCommit{}
	herr := func() (herr error) {
		defer func() {
			if p := recover(); p != nil {
				herr = fmt.Errorf("panic: %v", p)
			}
		}()
		// Delete first: a handler that schedules its own kind and ref again
		// creates a fresh row instead of having it removed afterwards.
		if _, err := tx.Exec(ctx, `DELETE FROM timers WHERE kind = ? AND ref = ?`, t.Kind, t.Ref); err != nil {
			return err
		}
		return h(context.WithValue(ctx, afterCommitKey{}, hctx), tx, t)
	}()
	if herr == nil {
		_, err := tx.Exec(ctx, `RELEASE SAVEPOINT jobs_fire`)
		return err == nil, hctx.fns, err
	}
	if _, err := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT jobs_fire`); err != nil {
		return false, nil, err
	}
	if _, err := tx.Exec(ctx, `RELEASE SAVEPOINT jobs_fire`); err != nil {
		return false, nil, err
	}
	if ctx.Err() != nil {
		return false, nil, ctx.Err() // shutting down: not the handler's fault
	}
	attempts := t.Attempts + 1
	parked := 0
	if attempts >= MaxAttempts {
		parked = 1
		e.log.Error("jobs: timer failed too often; parked", "kind", t.Kind, "ref", t.Ref, "attempts", attempts, "error", herr)
	} else {
		e.log.Warn("jobs: timer failed; will retry", "kind", t.Kind, "ref", t.Ref, "attempts", attempts, "error", herr)
	}
	_, err = tx.Exec(ctx, `UPDATE timers SET attempts = ?, due_at = ?, last_error = ?, parked = ? WHERE kind = ? AND ref = ?`,
		attempts, now.Add(Backoff(attempts)).UnixMicro(), store.Clip(herr.Error(), 1000), parked, t.Kind, t.Ref)
	return false, nil, err
}

// Backoff is how long a timer waits after its n-th failed attempt:
// 1s·2^n, at most an hour.
func Backoff(n int) time.Duration {
	if n >= 12 {
		return time.Hour
	}
	return min(time.Second<<n, time.Hour)
}

type afterCommitKey struct{}

type afterCommit struct{ fns []func() }

// AfterCommit registers fn to run once the transaction in which the current
// handler runs has committed, and only if the handler succeeded. Use it to
// start work outside the database (an HTTP call) without holding the
// transaction open; fn must not block. Outside a handler fn runs at once.
func AfterCommit(ctx context.Context, fn func()) {
	if a, ok := ctx.Value(afterCommitKey{}).(*afterCommit); ok {
		a.fns = append(a.fns, fn)
		return
	}
	fn()
}
