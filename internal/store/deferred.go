package store

import (
	"context"
	"database/sql"
	"fmt"
)

// deferredIndex is an FTS5 index whose triggers only note changed docs in
// a pending table (SQLite migration 00014); FlushDeferred indexes them.
type deferredIndex struct {
	pending, docs, key, fts string
}

// deferredIndexes are the search indexes of the schema (customers 00008,
// work orders 00012, both deferred by 00014).
var deferredIndexes = []deferredIndex{
	{pending: "customer_fts_pending", docs: "customer_search", key: "customer_id", fts: "customer_fts"},
	{pending: "ticket_fts_pending", docs: "ticket_search", key: "ticket_id", fts: "ticket_fts"},
}

// loadDeferred notes which deferred indexes the schema has.
func (db *DB) loadDeferred(ctx context.Context) error {
	if db.dialect != SQLite {
		return nil
	}
	var stmts []string
	for _, ix := range deferredIndexes {
		var n int
		if err := db.write.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
			ix.pending).Scan(&n); err != nil {
			return fmt.Errorf("look for %s: %w", ix.pending, err)
		}
		if n == 0 {
			continue
		}
		stmts = append(stmts,
			fmt.Sprintf("INSERT INTO %s (rowid, doc) SELECT d.%s, d.doc FROM %s p JOIN %s d ON d.%s = p.%s",
				ix.fts, ix.key, ix.pending, ix.docs, ix.key, ix.key),
			"DELETE FROM "+ix.pending)
	}
	db.flush.Store(&stmts)
	return nil
}

// Execer runs a statement; *sql.Tx is one.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// FlushDeferred indexes the search docs the transaction changed (see
// migration 00014). The group committer runs it before every commit; a
// bulk writer that bypasses Tx (bench seed) runs it before its own commit.
func (db *DB) FlushDeferred(ctx context.Context, tx Execer) error {
	p := db.flush.Load()
	if p == nil {
		return nil
	}
	for _, q := range *p {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("flush search index: %w", err)
		}
	}
	return nil
}
