package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"kefu/internal/backup"
	"kefu/internal/config"
	"kefu/internal/store"
)

// backupCmd is `kefu backup --to FILE`: a consistent copy of the SQLite
// database, safe while the server runs (issue 7).
func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Defaults()
	var to string
	if err := flags("backup", args, stderr, func(fs *flag.FlagSet) {
		cfg.Database(fs)
		fs.StringVar(&to, "to", "", "the backup file to write (must not exist)")
	}); err != nil {
		return err
	}
	if to == "" {
		return exitError{2, "usage: kefu backup --to FILE [--data DIR]"}
	}
	db, err := store.Open(ctx, store.Options{DSN: cfg.DSN, DataDir: cfg.DataDir})
	if err != nil {
		return err
	}
	defer db.Close()
	if db.Dialect() == store.Postgres {
		return exitError{1, store.ErrBackupPostgres.Error()}
	}
	info, err := backup.Take(ctx, db, to, func(done, total int64) {
		fmt.Fprintf(stderr, "kefu: backup: %s written of a %s database\n", mb(done), mb(total))
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "kefu: backup %s: %s in %s; audit log head row %d hash %s\n",
		info.Path, mb(info.Bytes), info.Took.Round(time.Millisecond), info.AuditSeq, info.AuditHash)
	return nil
}

// restoreCmd is `kefu restore --from FILE`: a backup into an empty data
// directory, checked, migrated and its audit chain verified.
func restoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Defaults()
	var from string
	if err := flags("restore", args, stderr, func(fs *flag.FlagSet) {
		cfg.Database(fs)
		fs.StringVar(&from, "from", "", "the backup file written by kefu backup")
	}); err != nil {
		return err
	}
	if from == "" {
		return exitError{2, "usage: kefu restore --from FILE [--data DIR]"}
	}
	if cfg.DSN != "" {
		return exitError{1, "kefu restore writes a SQLite data directory; restore PostgreSQL with pg_restore (docs/operations.md)"}
	}
	r, err := backup.Restore(ctx, from, cfg.DataDir)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "kefu: restored %s into %s: %s, %d migrations applied; audit log verified: %d rows, head row %d hash %s\n",
		from, cfg.DataDir, mb(r.Bytes), r.Migrations, r.Audit.Verified, r.Audit.HeadSeq, r.Audit.HeadHash)
	return nil
}

// mb is a byte count in MB with one decimal.
func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }
