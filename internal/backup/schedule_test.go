package backup_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"kefu/internal/backup"
	"kefu/internal/store/storetest"
)

// TestScheduleWeeklyWithRetention: the first backup is taken at once, the
// next only a week after the newest file (restarts keep the rhythm), and
// only the newest Keep files stay; files that are not the schedule's are
// left alone.
func TestScheduleWeeklyWithRetention(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("运维记录"), 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	s := backup.Schedule{DB: db, Dir: dir, Every: 7 * 24 * time.Hour, Keep: 2,
		Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)}
	run := func(wantTaken bool) {
		t.Helper()
		info, err := s.RunIfDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if taken := info.Path != ""; taken != wantTaken {
			t.Fatalf("at %s: backup taken %v, want %v", now, taken, wantTaken)
		}
	}
	run(true)
	now = now.Add(6 * 24 * time.Hour) // six days later: not due
	run(false)
	now = now.Add(24 * time.Hour) // a week after the first
	run(true)
	now = now.Add(7 * 24 * time.Hour)
	run(true)
	names, times, err := s.Files()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"kefu-20261130-020000.db", "kefu-20261207-020000.db"}
	if len(names) != 2 || names[0] != want[0] || names[1] != want[1] {
		t.Errorf("kept %v, want %v", names, want)
	}
	if due, _ := s.Due(); !due.Equal(times[1].Add(s.Every)) {
		t.Errorf("next due %s", due)
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
		t.Errorf("a file that is not a backup was touched: %v", err)
	}
	for _, n := range names {
		if _, err := backup.Inspect(ctx, filepath.Join(dir, n)); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
}
