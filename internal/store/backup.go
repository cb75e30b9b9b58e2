package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrBackupPostgres is returned by BackupTo on PostgreSQL, whose backups
// are taken with pg_dump (docs/operations.md).
var ErrBackupPostgres = errors.New("kefu backup copies SQLite databases; back up PostgreSQL with pg_dump -Fc (docs/operations.md)")

// BackupTo writes a consistent copy of the SQLite database to path, which
// must not exist, while the database stays in use: VACUUM INTO reads one
// snapshot (a read transaction in WAL mode never blocks the writer, nor
// the writer it), into a temporary file beside path that is synced and
// then renamed, so a crash never leaves a partial file under path.
func (db *DB) BackupTo(ctx context.Context, path string) error {
	if db.dialect != SQLite {
		return ErrBackupPostgres
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s already exists", path)
	}
	tmp := path + ".partial"
	_ = os.Remove(tmp)
	conn, err := sql.Open("sqlite", "file:"+db.Path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	return syncFile(filepath.Dir(path))
}

// syncFile flushes a file or directory to disk (VACUUM INTO does not).
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
