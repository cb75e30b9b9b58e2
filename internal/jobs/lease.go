package jobs

import (
	"context"
	"fmt"
	"time"

	"kefu/internal/store"
)

// Lease takes or renews the lease row `name` for holder until now+ttl, and
// reports whether holder has it: it succeeds when nobody holds the lease,
// when holder already does, or when the other holder's lease has expired.
// Use it to elect one process of a cluster for work that must not run
// twice at the same time (a nightly report); due timers need no lease.
func Lease(ctx context.Context, db *store.DB, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	var held bool
	err := db.Tx(ctx, func(tx store.Conn) error {
		res, err := tx.Exec(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
			WHERE leases.holder = excluded.holder OR leases.expires_at <= ?`,
			name, holder, now.Add(ttl).UnixMicro(), now.UnixMicro())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		held = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("jobs: lease %s: %w", name, err)
	}
	return held, nil
}

// ReleaseLease gives up the lease if holder has it.
func ReleaseLease(ctx context.Context, db *store.DB, name, holder string) error {
	return db.Tx(ctx, func(tx store.Conn) error {
		_, err := tx.Exec(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder)
		return err
	})
}
