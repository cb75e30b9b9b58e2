package backup_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kefu/internal/app"
	"kefu/internal/audit"
	"kefu/internal/backup"
	"kefu/internal/config"
	"kefu/internal/customer"
	"kefu/internal/demo"
	"kefu/internal/store"
	"kefu/internal/ticket"
)

// demoApp is a kefu on a fresh SQLite data directory with the demo
// organisation, staff and work orders, and its timers fired.
func demoApp(t *testing.T) *app.App {
	t.Helper()
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.AdminPassword = "backup-test-admin"
	a, err := app.Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.Bootstrap(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := demo.Load(ctx, a.Org, a.Auth, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := demo.LoadTickets(ctx, a.Org, a.Auth, a.Tickets, a.Now(), io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Jobs.FireDue(ctx); err != nil {
		t.Fatal(err)
	}
	return a
}

// tableDigests is every table of a SQLite file (FTS shadow tables and the
// counters included; virtual tables are read through their shadows) with
// its row count and a digest of its rows, independent of row order.
func tableDigests(t *testing.T, path string) map[string]string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	out := map[string]string{}
	for _, tb := range tables {
		rs, err := db.Query(`SELECT * FROM "` + tb + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rs.Columns()
		var lines []string
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, fmt.Sprintf("%q", vals))
		}
		rs.Close()
		slices.Sort(lines)
		sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
		out[tb] = fmt.Sprintf("%d rows %s", len(lines), hex.EncodeToString(sum[:8]))
	}
	return out
}

// TestBackupRestoreRoundTrip: a backup of a populated database, restored
// into an empty data directory, holds every table exactly as the source
// does, passes SQLite's integrity check, and its audit chain verifies to
// the same head.
func TestBackupRestoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	a := demoApp(t)
	file := filepath.Join(t.TempDir(), "kefu-backup.db")
	info, err := backup.Take(ctx, a.DB, file, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := audit.Verify(ctx, a.DB)
	if err != nil {
		t.Fatal(err)
	}
	if info.AuditSeq != rep.HeadSeq || info.AuditHash != rep.HeadHash || info.AuditSeq == 0 {
		t.Errorf("backup audit head %d %s, live %d %s", info.AuditSeq, info.AuditHash, rep.HeadSeq, rep.HeadHash)
	}
	if _, err := backup.Take(ctx, a.DB, file, nil); err == nil {
		t.Error("a second backup overwrote the first")
	}
	// The source as it is now, flushed into its file, against the copy.
	if err := a.DB.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	want := tableDigests(t, a.DB.Path)

	dir := t.TempDir()
	got, err := backup.Restore(ctx, file, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Migrations != 0 || got.Audit.HeadHash != rep.HeadHash || got.Audit.Break != nil {
		t.Errorf("restored: %d migrations, audit head %s (want %s), break %v", got.Migrations, got.Audit.HeadHash, rep.HeadHash, got.Audit.Break)
	}
	restored := tableDigests(t, filepath.Join(dir, store.SQLiteFile))
	if len(want) < 30 {
		t.Fatalf("only %d tables compared", len(want))
	}
	for tb, w := range want {
		if restored[tb] != w {
			t.Errorf("table %s: restored %q, source %q", tb, restored[tb], w)
		}
	}
	if len(restored) != len(want) {
		t.Errorf("%d tables restored, %d in the source", len(restored), len(want))
	}
	if _, err := backup.Restore(ctx, file, dir); err == nil || !strings.Contains(err.Error(), "already holds") {
		t.Errorf("restore over a database: %v", err)
	}
}

// TestBackupUnderWriteLoad: a backup taken while work orders are being
// registered is a consistent snapshot: it passes the integrity check, its
// audit chain verifies, and it holds every work order acknowledged before
// the backup began.
func TestBackupUnderWriteLoad(t *testing.T) {
	ctx := context.Background()
	a := demoApp(t)
	agent, err := a.Auth.ByUsername(ctx, "wy.agent")
	if err != nil {
		t.Fatal(err)
	}
	p := agent.Principal()
	var acked atomic.Int64
	var maxBefore atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				_, err := a.Tickets.Create(ctx, p, ticket.CreateInput{Category: "repair.simple", Subject: fmt.Sprintf("漏水 %d-%d", w, i),
					Customer: &customer.Input{Name: "王芳", Phone: fmt.Sprintf("1380000%04d", i%50), Address: "3栋"}})
				if err != nil {
					t.Error(err)
					return
				}
				acked.Add(1)
			}
		})
	}
	deadline := time.Now().Add(10 * time.Second)
	for acked.Load() < 20 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	var before int64
	if err := a.DB.Reader().QueryRow(ctx, "SELECT max(id) FROM tickets").Scan(&before); err != nil {
		t.Fatal(err)
	}
	maxBefore.Store(before)
	file := filepath.Join(t.TempDir(), "live.db")
	_, err = backup.Take(ctx, a.DB, file, nil)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	got, err := backup.Restore(ctx, file, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if got.Audit.Verified == 0 {
		t.Error("the restored audit chain is empty")
	}
	db, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var missing int64
	if err := db.QueryRow("SELECT ? - count(*) FROM tickets WHERE id <= ?", maxBefore.Load(), maxBefore.Load()).Scan(&missing); err != nil {
		t.Fatal(err)
	}
	if missing != 0 {
		t.Errorf("%d work orders committed before the backup began are missing from it", missing)
	}
}

// TestRestoreRefusesWhatIsNotABackup: a file that is not a kefu SQLite
// database is refused and nothing is left in the data directory.
func TestRestoreRefusesWhatIsNotABackup(t *testing.T) {
	ctx := context.Background()
	junk := filepath.Join(t.TempDir(), "junk.db")
	if err := os.WriteFile(junk, []byte("这不是数据库 not a database at all"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "empty.db")
	db, err := sql.Open("sqlite", "file:"+empty)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE x (a)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, f := range []string{junk, empty, filepath.Join(t.TempDir(), "missing.db")} {
		dir := t.TempDir()
		if _, err := backup.Restore(ctx, f, dir); err == nil {
			t.Errorf("%s restored", filepath.Base(f))
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("%s: restore left %d files behind", filepath.Base(f), len(entries))
		}
	}
}
