package store_test

import (
	"context"
	"strconv"
	"testing"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestLockXactPerSchema: an advisory lock taken with LockXact is held
// until the transaction ends and is visible in pg_locks; a kefu database
// in another schema of the same PostgreSQL database takes the same key
// without waiting (pg_try_advisory_xact_lock on its own key succeeds while
// the first transaction holds it), so parallel test schemas — or tenants —
// never queue on each other's audit chain.
func TestLockXactPerSchema(t *testing.T) {
	a, b := storetest.OpenPostgres(t), storetest.OpenPostgres(t)
	ctx := context.Background()
	const key = 0x6b656675
	keyOf := func(db *store.DB) int64 {
		var k int64
		if err := db.Reader().QueryRow(ctx, "SELECT hashtextextended(current_schema() || ':' || ?, 0)", strconv.FormatInt(key, 10)).Scan(&k); err != nil {
			t.Fatal(err)
		}
		return k
	}
	ka, kb := keyOf(a), keyOf(b)
	if ka == kb {
		t.Fatalf("two schemas share the lock key %d", ka)
	}
	err := a.Tx(ctx, func(tx store.Conn) error {
		if err := store.LockXact(ctx, tx, key); err != nil {
			return err
		}
		var held int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
			AND ((classid::bigint << 32) | objid::bigint) = ?`, ka).Scan(&held); err != nil {
			return err
		}
		if held != 1 {
			t.Errorf("the lock of schema a is not held: %d", held)
		}
		// Schema b's key is free meanwhile; schema a's is not (from another connection).
		return b.Tx(ctx, func(tb store.Conn) error {
			var free, taken bool
			if err := tb.QueryRow(ctx, "SELECT pg_try_advisory_xact_lock(?), pg_try_advisory_xact_lock(?)", kb, ka).Scan(&free, &taken); err != nil {
				return err
			}
			if !free || taken {
				t.Errorf("schema b: own key free %v, schema a's key taken by b %v", free, taken)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
