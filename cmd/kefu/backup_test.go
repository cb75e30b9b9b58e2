package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupWhileServingAndRestore: `kefu backup` copies the database of a
// running server (the demo loaded), `kefu restore` puts the copy into an
// empty data directory, and `kefu audit verify` finds its chain intact with
// the head the backup reported. Overwriting a backup, restoring over a
// database and restoring a PostgreSQL URL are refused.
func TestBackupWhileServingAndRestore(t *testing.T) {
	data := t.TempDir()
	env := []string{"KEFU_ADMIN_PASSWORD=backup-secret-1"}
	startServer(t, env, "--data", data, "--demo")
	file := filepath.Join(t.TempDir(), "kefu-backup.db")
	out, errOut, code := kefu(t, env, "backup", "--data", data, "--to", file)
	if code != 0 || !strings.Contains(out, "audit log head row") {
		t.Fatalf("backup: exit %d\n%s%s", code, out, errOut)
	}
	head := out[strings.Index(out, "hash ")+5:]
	if _, _, code := kefu(t, env, "backup", "--data", data, "--to", file); code != 1 {
		t.Errorf("backup over an existing file: exit %d, want 1", code)
	}
	restored := t.TempDir()
	out, errOut, code = kefu(t, env, "restore", "--from", file, "--data", restored)
	if code != 0 || !strings.Contains(out, "audit log verified") || !strings.Contains(out, strings.TrimSpace(head)) {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = kefu(t, env, "audit", "verify", "--data", restored)
	if code != 0 || !strings.Contains(out, strings.TrimSpace(head)) {
		t.Fatalf("audit verify of the restored database: exit %d\n%s%s", code, out, errOut)
	}
	if _, _, code := kefu(t, env, "restore", "--from", file, "--data", restored); code != 1 {
		t.Errorf("restore over a database: exit %d, want 1", code)
	}
	if _, _, code := kefu(t, env, "restore", "--from", file, "--db", "postgres://x/y"); code != 1 {
		t.Errorf("restore into PostgreSQL: exit %d, want 1", code)
	}
	if _, _, code := kefu(t, env, "backup"); code != 2 {
		t.Errorf("backup without --to: exit %d, want 2", code)
	}
}
