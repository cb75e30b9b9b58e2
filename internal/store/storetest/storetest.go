// Package storetest runs storage tests on every database kefu supports:
// always on a fresh SQLite file, and on PostgreSQL when KEFU_TEST_POSTGRES
// holds a postgres:// URL. Each PostgreSQL test gets a schema of its own,
// dropped afterwards, so tests run in parallel on one server. In CI
// (CI=true) a missing KEFU_TEST_POSTGRES fails the test instead of skipping.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"kefu/internal/store"
)

// EnvPostgres names the variable holding the PostgreSQL test server URL.
const EnvPostgres = "KEFU_TEST_POSTGRES"

// Each runs fn as a subtest "sqlite" and, when configured, "postgres", each
// on a new migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, OpenSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, OpenPostgres(t)) })
}

// OpenSQLite opens a migrated SQLite database in a temporary directory.
func OpenSQLite(t testing.TB) *store.DB {
	t.Helper()
	return open(t, store.Options{DataDir: t.TempDir()})
}

// OpenPostgres opens a migrated database in a fresh PostgreSQL schema, or
// skips (fails in CI) when KEFU_TEST_POSTGRES is not set.
func OpenPostgres(t testing.TB) *store.DB {
	t.Helper()
	dsn := PostgresDSN(t)
	return open(t, store.Options{DSN: dsn})
}

// PostgresDSN creates a fresh schema on the test server and returns a URL
// whose search_path points at it; the schema is dropped when t ends.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set; CI must test on PostgreSQL", EnvPostgres)
		}
		t.Skipf("PostgreSQL test skipped: set %s=postgres://… to run it", EnvPostgres)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", EnvPostgres, err)
	}
	t.Cleanup(func() { admin.Close() })
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "kefu_test_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema on %s: %v", EnvPostgres, err)
	}
	t.Cleanup(func() {
		_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func open(t testing.TB, opts store.Options) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}
