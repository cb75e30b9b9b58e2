package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	sqlite "modernc.org/sqlite"
)

// MaxAttempts is how often Tx runs a transaction that keeps failing with a
// transient conflict before giving up.
const MaxAttempts = 8

// Tx runs fn in a write transaction and commits it. It retries the whole
// function when SQLite reports the database busy (another process holds the
// write lock) or PostgreSQL reports a serialization failure or deadlock; fn
// must therefore have no effects outside the transaction. Any other error,
// or a panic, rolls back. On SQLite fn runs on the group committer's
// goroutine, possibly in one transaction with other callers' functions, each
// behind its own savepoint (groupcommit.go). Never call Tx from inside fn:
// the committer would wait for itself.
func (db *DB) Tx(ctx context.Context, fn func(tx Conn) error) error {
	backoff := 5 * time.Millisecond
	if db.writeStmts != nil {
		defer db.writeStmts.prepareWanted(context.WithoutCancel(ctx))
	}
	for attempt := 1; ; attempt++ {
		err := db.tryTx(ctx, fn)
		if err == nil || !IsRetryable(err) || attempt == MaxAttempts {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 500*time.Millisecond)
	}
}

func (db *DB) tryTx(ctx context.Context, fn func(tx Conn) error) (err error) {
	if db.group != nil {
		return db.group.submit(ctx, fn)
	}
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	if err = fn(Conn{q: sqlTx, dialect: db.dialect, tx: sqlTx, stmts: db.writeStmts}); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// IsRetryable reports whether err is a transient conflict worth retrying.
func IsRetryable(err error) bool {
	if errors.Is(err, errGroupAborted) {
		return true
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff { // primary result code
		case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED
			return true
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return false
}

// IsUniqueViolation reports whether err is a unique-constraint violation.
func IsUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == 2067 || se.Code() == 1555 // SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}
