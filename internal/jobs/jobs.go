// Package jobs owns kefu's background timers: due items (work-order clocks,
// schedules, reminders, webhook deliveries) kept in the timers table and
// fired exactly once, even with several kefu processes on one PostgreSQL
// database (PRODUCT.md §5). A timer is identified by (Kind, Ref); its
// handler runs inside the transaction that claims it, and the timer row is
// deleted in that same transaction, so the work and the removal commit
// together.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"kefu/internal/store"
)

// Timer is one due item: (Kind, Ref) is unique; At is when it fires.
type Timer struct {
	Kind     string
	Ref      store.ID
	At       time.Time
	Attempts int
}

// Handler runs inside the transaction that claimed the timer; the timer row
// is deleted in that same transaction, so the work and the removal commit
// together (exactly once). A handler may Schedule further timers, including
// its own kind and ref again. Returning an error rolls back the handler's
// work and the timer is retried later with backoff (Attempts+1); after
// MaxAttempts it is parked and logged, never lost.
type Handler func(ctx context.Context, tx store.Conn, t Timer) error

// MaxAttempts is how often a failing timer is tried before it is parked.
const MaxAttempts = 10

// Schedule creates or moves the timer (kind, ref) to fire at `at`, inside
// the caller's transaction. Moving a timer resets its attempts and unparks it.
func Schedule(ctx context.Context, tx store.Conn, kind string, ref store.ID, at time.Time) error {
	if kind == "" {
		return errors.New("jobs: empty timer kind")
	}
	_, err := tx.Exec(ctx, `INSERT INTO timers (kind, ref, due_at, attempts, last_error, parked, created_at)
		VALUES (?, ?, ?, 0, '', 0, ?)
		ON CONFLICT (kind, ref) DO UPDATE SET due_at = excluded.due_at, attempts = 0, last_error = '', parked = 0`,
		kind, ref, at.UnixMicro(), time.Now().UnixMicro())
	if err != nil {
		return fmt.Errorf("jobs: schedule %s/%d: %w", kind, ref, err)
	}
	return nil
}

// Cancel removes the timer (kind, ref) if it exists.
func Cancel(ctx context.Context, tx store.Conn, kind string, ref store.ID) error {
	if _, err := tx.Exec(ctx, `DELETE FROM timers WHERE kind = ? AND ref = ?`, kind, ref); err != nil {
		return fmt.Errorf("jobs: cancel %s/%d: %w", kind, ref, err)
	}
	return nil
}

// NextDue returns when the earliest timer that is not parked fires; ok is
// false when there is none. It reads one row through the due_at index.
func NextDue(ctx context.Context, c store.Conn) (at time.Time, ok bool, err error) {
	var us int64
	err = c.QueryRow(ctx, `SELECT due_at FROM timers WHERE parked = 0 ORDER BY due_at LIMIT 1`).Scan(&us)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("jobs: next due: %w", err)
	}
	return store.FromMicros(us), true, nil
}

// Get returns the timer (kind, ref), for tests and diagnostics.
func Get(ctx context.Context, c store.Conn, kind string, ref store.ID) (Timer, bool, error) {
	var us int64
	t := Timer{Kind: kind, Ref: ref}
	err := c.QueryRow(ctx, `SELECT due_at, attempts FROM timers WHERE kind = ? AND ref = ?`, kind, ref).Scan(&us, &t.Attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return Timer{}, false, nil
	}
	if err != nil {
		return Timer{}, false, fmt.Errorf("jobs: get %s/%d: %w", kind, ref, err)
	}
	t.At = store.FromMicros(us)
	return t, true, nil
}
