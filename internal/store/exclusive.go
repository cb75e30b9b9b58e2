package store

import (
	"context"
	"fmt"
	"hash/fnv"
)

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
	key := lockKey(name)
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return fmt.Errorf("lock %s: %w", name, err)
	}
	defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key) }()
	return fn()
}

// lockKey is the advisory-lock number of a name.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("kefu:" + name))
	return int64(h.Sum64())
}
