package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// schemaKey is the advisory-lock number of a name within the current
// schema: two kefu databases in one PostgreSQL database, one per schema
// (as the tests run them, or two tenants), never wait for each other's
// locks, which PostgreSQL otherwise shares across the whole database.
const schemaKey = "hashtextextended(current_schema() || ':' || $1, 0)"

// LockXact takes the advisory lock of key until the transaction ends, on
// PostgreSQL (SQLite has one writer already): audit appends, quota checks
// and uploads of the same content wait for each other across processes.
func LockXact(ctx context.Context, tx Conn, key int64) error {
	if tx.Dialect() != Postgres {
		return nil
	}
	_, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock("+strings.ReplaceAll(schemaKey, "$1", "?")+")", strconv.FormatInt(key, 10))
	return err
}

// Exclusive runs fn while holding a lock named name across every kefu
// process on this database, so that start-up work (migrations, creating
// the root unit and the admin user) is done once when several processes
// start together on a new PostgreSQL database (docs/scale-out.md). On
// PostgreSQL it is a session advisory lock on a connection of its own; on
// SQLite fn simply runs (the store's one writer and goose's own locking
// suffice for the one process SQLite serves).
func (db *DB) Exclusive(ctx context.Context, name string, fn func() error) error {
	if db.dialect != Postgres {
		return fn()
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("lock %s: %w", name, err)
	}
	defer conn.Close()
	key := "kefu:" + name
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock("+schemaKey+")", key); err != nil {
		return fmt.Errorf("lock %s: %w", name, err)
	}
	defer func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock("+schemaKey+")", key)
	}()
	return fn()
}
