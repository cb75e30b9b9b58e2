// Package backup owns kefu's backups of its SQLite database: `kefu backup`
// (a consistent copy taken while the server runs), `kefu restore` (into an
// empty data directory, checked before it is put in place) and the
// scheduled backups of `kefu serve --backup-dir` with their retention
// (seed 004-D: weekly). PostgreSQL is backed up with pg_dump
// (docs/operations.md); store.ErrBackupPostgres says so.
package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"kefu/internal/audit"
	"kefu/internal/store"
)

// Info describes a backup file.
type Info struct {
	Path  string
	Bytes int64
	// AuditSeq and AuditHash are the head of the audit chain in the copy:
	// record them to check later that nothing at the end was removed.
	AuditSeq  int64
	AuditHash string
	Took      time.Duration
}

// Take writes a consistent copy of db to path (which must not exist) and
// describes it. progress, when not nil, is called about once a second
// with the bytes written so far and the size of the live database.
func Take(ctx context.Context, db *store.DB, path string, progress func(done, total int64)) (Info, error) {
	start := time.Now()
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		if progress == nil {
			return
		}
		var total int64
		if fi, err := os.Stat(db.Path); err == nil {
			total = fi.Size()
		}
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if fi, err := os.Stat(path + ".partial"); err == nil {
					progress(fi.Size(), total)
				}
			}
		}
	}()
	err := db.BackupTo(ctx, path)
	close(stop)
	<-watched
	if err != nil {
		return Info{}, err
	}
	info, err := Inspect(ctx, path)
	info.Took = time.Since(start)
	return info, err
}

// Inspect opens a backup file read-only and checks it: SQLite's
// integrity_check passes and it holds a kefu schema. It reports the size
// and the head of the audit chain.
func Inspect(ctx context.Context, path string) (Info, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Info{}, err
	}
	info := Info{Path: path, Bytes: fi.Size()}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=query_only(1)")
	if err != nil {
		return info, err
	}
	defer db.Close()
	var check string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil {
		return info, fmt.Errorf("%s is not a SQLite database: %w", path, err)
	}
	if check != "ok" {
		return info, fmt.Errorf("%s fails SQLite's integrity check: %s", path, check)
	}
	var version int64
	if err := db.QueryRowContext(ctx, "SELECT max(version_id) FROM goose_db_version").Scan(&version); err != nil {
		return info, fmt.Errorf("%s is not a kefu database: %w", path, err)
	}
	err = db.QueryRowContext(ctx, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").Scan(&info.AuditSeq, &info.AuditHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return info, fmt.Errorf("%s has no audit log: %w", path, err)
	}
	return info, nil
}

// Restored is what Restore put in place.
type Restored struct {
	Info
	Migrations int          // schema migrations applied after the copy (an older backup)
	Audit      audit.Report // the audit chain of the restored database, verified
}

// Restore puts the backup at from into dataDir, which must hold no kefu
// database yet: the file is checked (Inspect), copied beside its final
// name, synced and renamed, then opened, migrated to this version's schema
// and its audit chain verified. A restore that fails removes what it wrote.
func Restore(ctx context.Context, from, dataDir string) (Restored, error) {
	var out Restored
	info, err := Inspect(ctx, from)
	if err != nil {
		return out, err
	}
	out.Info = info
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return out, err
	}
	dst := filepath.Join(dataDir, store.SQLiteFile)
	for _, p := range []string{dst, dst + "-wal"} {
		if _, err := os.Stat(p); err == nil {
			return out, fmt.Errorf("%s already holds a kefu database (%s); restore into an empty data directory", dataDir, filepath.Base(p))
		}
	}
	tmp := dst + ".restoring"
	if err := copyFile(from, tmp); err != nil {
		_ = os.Remove(tmp)
		return out, err
	}
	if err := os.Rename(tmp, dst); err != nil {
		_ = os.Remove(tmp)
		return out, err
	}
	db, err := store.Open(ctx, store.Options{DataDir: dataDir})
	if err == nil {
		defer db.Close()
		out.Migrations, err = db.Migrate(ctx)
	}
	if err == nil {
		out.Audit, err = audit.Verify(ctx, db)
	}
	switch {
	case err != nil:
	case out.Audit.Break != nil:
		err = fmt.Errorf("the restored audit chain is broken after %d good rows: %s", out.Audit.Verified, out.Audit.Break.Error())
	case out.Migrations == 0 && out.Audit.HeadHash != info.AuditHash:
		// Rows cut off the end leave no break in the chain: the head must
		// be the one the backup file holds.
		err = fmt.Errorf("the restored audit head %s differs from the backup's %s", out.Audit.HeadHash, info.AuditHash)
	}
	if err != nil {
		if db != nil {
			db.Close()
		}
		for _, p := range []string{dst, dst + "-wal", dst + "-shm"} {
			_ = os.Remove(p)
		}
		return out, err
	}
	return out, nil
}

// copyFile copies src to dst (created, never overwritten) and syncs it.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
