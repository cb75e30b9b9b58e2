package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// Migrations are embedded, one folder per dialect; files are numbered and
// named after the module that owns the tables (00001_foundation.sql …).
//
//go:embed migrations
var migrations embed.FS

func (db *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.dialect))
	if err != nil {
		return nil, err
	}
	d := goose.DialectSQLite3
	if db.dialect == Postgres {
		d = goose.DialectPostgres
	}
	return goose.NewProvider(d, db.write, sub)
}

// Migrate brings the schema to the newest version and returns how many
// migrations it applied.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	p, err := db.provider()
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	// Several processes starting together on a new PostgreSQL database
	// migrate one after the other; the later ones find nothing to do.
	var res []*goose.MigrationResult
	err = db.Exclusive(ctx, "migrate", func() error {
		var err error
		res, err = p.Up(ctx)
		return err
	})
	if err != nil {
		return len(res), fmt.Errorf("migrate: %w", err)
	}
	if err := db.loadDeferred(ctx); err != nil {
		return len(res), err
	}
	// Index what a bulk writer or an older kefu left pending (00014).
	if err := db.Tx(ctx, func(Conn) error { return nil }); err != nil {
		return len(res), fmt.Errorf("flush search indexes: %w", err)
	}
	return len(res), nil
}

// SchemaVersion reports the applied and the newest known schema versions.
func (db *DB) SchemaVersion(ctx context.Context) (current, latest int64, err error) {
	p, err := db.provider()
	if err != nil {
		return 0, 0, err
	}
	current, err = p.GetDBVersion(ctx)
	if err != nil {
		return 0, 0, err
	}
	srcs := p.ListSources()
	if len(srcs) > 0 {
		latest = srcs[len(srcs)-1].Version
	}
	return current, latest, nil
}
