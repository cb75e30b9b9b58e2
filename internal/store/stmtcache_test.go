package store

import (
	"context"
	"fmt"
	"testing"
)

// TestStatementCache: on SQLite a query first seen inside a transaction is
// prepared after the transaction ends and reused by the next one; reader
// queries are prepared on first use; results are the same either way; the
// cache stops growing at its bound.
func TestStatementCache(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Tx(ctx, func(tx Conn) error {
		_, err := tx.Exec(ctx, "CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL)")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	const ins = "INSERT INTO kv (k, v) VALUES (?, ?)"
	for i := 1; i <= 3; i++ {
		if err := db.Tx(ctx, func(tx Conn) error {
			_, err := tx.Exec(ctx, ins, i, fmt.Sprint("v", i))
			return err
		}); err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
		if db.writeStmts.lookup(ins) == nil {
			t.Fatalf("after transaction %d the insert is not prepared", i)
		}
	}
	const sel = "SELECT v FROM kv WHERE k = ?"
	for i := 1; i <= 3; i++ {
		var v string
		if err := db.Reader().QueryRow(ctx, sel, i).Scan(&v); err != nil || v != fmt.Sprint("v", i) {
			t.Fatalf("read %d: %q %v", i, v, err)
		}
	}
	if db.readStmts.lookup(sel) == nil {
		t.Fatal("reader query was not prepared")
	}
	// A failing statement inside a transaction rolls back as before.
	err = db.Tx(ctx, func(tx Conn) error {
		if _, err := tx.Exec(ctx, ins, 4, "v4"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, ins, 1, "duplicate")
		return err
	})
	if !IsUniqueViolation(err) {
		t.Fatalf("duplicate key through a cached statement: %v", err)
	}
	var n int
	if err := db.Reader().QueryRow(ctx, "SELECT count(*) FROM kv").Scan(&n); err != nil || n != 3 {
		t.Fatalf("rows after rollback = %d (%v), want 3", n, err)
	}
	// The bound: once full, new queries run unprepared but still run.
	db.readStmts.n.Store(maxCachedStatements)
	const other = "SELECT count(*) FROM kv WHERE k > ?"
	if err := db.Reader().QueryRow(ctx, other, 1).Scan(&n); err != nil || n != 2 {
		t.Fatalf("query past the bound: %d %v", n, err)
	}
	if db.readStmts.lookup(other) != nil {
		t.Fatal("cache grew past its bound")
	}
}
