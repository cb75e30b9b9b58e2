// Package store owns the database connection: it opens SQLite (the embedded
// default) or PostgreSQL, applies the embedded migrations, and runs write
// transactions with retry. Every module writes its SQL with `?` placeholders;
// Conn rebinds them for PostgreSQL.
//
// Conventions for every table in kefu:
//   - primary keys are 64-bit integers (ID), shown to API clients as strings;
//   - instants are BIGINT Unix microseconds in UTC (see Micros / FromMicros);
//     wall-clock meaning is given only by internal/calendar;
//   - booleans are INTEGER 0/1 on SQLite and BOOLEAN on PostgreSQL.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // SQLite driver "sqlite", pure Go
)

// Dialect names the SQL database kefu runs on.
type Dialect string

// The two supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Options say which database to open.
type Options struct {
	// DSN is a postgres:// (or postgresql://) URL; empty means SQLite in DataDir.
	DSN string
	// DataDir holds kefu.db when DSN is empty.
	DataDir string
	// ReadConns is the size of the SQLite reader pool (default: 2×CPUs, at least 4).
	ReadConns int
}

// DB is an open kefu database: one writer and a pool of readers on SQLite,
// one pool for both on PostgreSQL.
type DB struct {
	dialect    Dialect
	write      *sql.DB
	read       *sql.DB
	writeStmts *stmtCache // SQLite only: PostgreSQL's driver caches statements itself
	readStmts  *stmtCache
	group      *committer    // SQLite only: runs every write transaction
	ckpt       *checkpointer // SQLite only: copies the WAL into the database
	// flush: the statements of FlushDeferred for the pending tables the
	// schema has (SQLite from migration 00014; nil otherwise).
	flush atomic.Pointer[[]string]
	// Path is the SQLite file (empty on PostgreSQL).
	Path string
}

// SQLiteFile is the name of the database file inside the data directory.
const SQLiteFile = "kefu.db"

// Open opens the database named by opts. It does not migrate; call Migrate.
func Open(ctx context.Context, opts Options) (*DB, error) {
	if opts.DSN != "" {
		if !strings.HasPrefix(opts.DSN, "postgres://") && !strings.HasPrefix(opts.DSN, "postgresql://") {
			return nil, fmt.Errorf("--db must be a postgres:// URL (SQLite is chosen with --data)")
		}
		return openPostgres(ctx, opts.DSN)
	}
	return openSQLite(ctx, opts)
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	pool.SetMaxOpenConns(4 * runtime.NumCPU())
	pool.SetMaxIdleConns(4 * runtime.NumCPU())
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	return &DB{dialect: Postgres, write: pool, read: pool}, nil
}

func openSQLite(ctx context.Context, opts Options) (*DB, error) {
	dir := opts.DataDir
	if dir == "" {
		dir = "data"
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(dir, SQLiteFile)
	// synchronous(FULL): a commit is on disk before it is acknowledged, so no
	// acknowledged write is lost even on power failure (PRODUCT.md §5).
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"
	// temp_store(MEMORY): the savepoint journals of group commit stay in memory.
	// wal_autocheckpoint(0): checkpoints run in the background (checkpoint.go).
	writeDSN := "file:" + path + "?" + common +
		"&_pragma=journal_mode(WAL)&_pragma=temp_store(2)&_pragma=wal_autocheckpoint(0)&_txlock=immediate"
	w, err := sql.Open("sqlite", writeDSN)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	// One writer: SQLite serialises writes anyway; one connection avoids
	// SQLITE_BUSY between our own goroutines and keeps BEGIN IMMEDIATE cheap.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	n := opts.ReadConns
	if n <= 0 {
		n = max(4, 2*runtime.NumCPU())
	}
	r, err := sql.Open("sqlite", "file:"+path+"?"+common+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite readers: %w", err)
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxLifetime(0)
	db := &DB{dialect: SQLite, write: w, read: r, Path: path,
		writeStmts: newStmtCache(w), readStmts: newStmtCache(r)}
	if err := db.loadDeferred(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.ckpt, err = newCheckpointer(path, "file:"+path+"?"+common); err != nil {
		db.Close()
		return nil, err
	}
	db.group = newCommitter(db)
	return db, nil
}

// Dialect reports which database this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close closes all connections.
func (db *DB) Close() error {
	if db.group != nil {
		db.group.close()
	}
	if db.ckpt != nil {
		_ = db.ckpt.close()
	}
	if db.writeStmts != nil {
		db.writeStmts.close()
		db.readStmts.close()
	}
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Reader returns a Conn for queries outside a transaction. On SQLite it uses
// the reader pool, which never blocks behind the writer.
func (db *DB) Reader() Conn { return Conn{q: db.read, dialect: db.dialect, stmts: db.readStmts} }

// Writer exposes the raw write pool for tools (migrations, backup).
func (db *DB) Writer() *sql.DB { return db.write }
