package backup

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"kefu/internal/store"
)

// Schedule takes backups into Dir every Every and keeps the newest Keep
// (`kefu serve --backup-dir DIR --backup-every 168h --backup-keep 8`;
// seed 004-D asks for a weekly backup). The time of the newest file in Dir
// says when the next one is due, so restarts keep the rhythm.
type Schedule struct {
	DB    *store.DB
	Dir   string
	Every time.Duration
	Keep  int
	Now   func() time.Time
	Log   *slog.Logger
}

// filePrefix and fileSuffix frame the backup files the schedule owns:
// kefu-20261123-020000.db (UTC); other files in Dir are left alone.
const (
	filePrefix  = "kefu-"
	fileSuffix  = ".db"
	stampLayout = "20060102-150405"
)

// Files are the schedule's backups in Dir, oldest first, with their times.
func (s Schedule) Files() ([]string, []time.Time, error) {
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return nil, nil, err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(n, filePrefix) || !strings.HasSuffix(n, fileSuffix) {
			continue
		}
		if _, err := time.Parse(stampLayout, strings.TrimSuffix(strings.TrimPrefix(n, filePrefix), fileSuffix)); err == nil {
			names = append(names, n)
		}
	}
	slices.Sort(names) // the stamp sorts by time
	times := make([]time.Time, len(names))
	for i, n := range names {
		times[i], _ = time.Parse(stampLayout, strings.TrimSuffix(strings.TrimPrefix(n, filePrefix), fileSuffix))
	}
	return names, times, nil
}

// Due reports when the next backup is due: at once when there is none,
// else Every after the newest.
func (s Schedule) Due() (time.Time, error) {
	_, times, err := s.Files()
	if err != nil || len(times) == 0 {
		return time.Time{}, err
	}
	return times[len(times)-1].Add(s.Every), nil
}

// RunIfDue takes a backup when one is due and then removes the oldest
// beyond Keep. It returns the new backup, or a zero Info when none was due.
func (s Schedule) RunIfDue(ctx context.Context) (Info, error) {
	if err := os.MkdirAll(s.Dir, 0o750); err != nil {
		return Info{}, err
	}
	due, err := s.Due()
	if err != nil {
		return Info{}, err
	}
	now := s.Now().UTC()
	if now.Before(due) {
		return Info{}, nil
	}
	path := filepath.Join(s.Dir, filePrefix+now.Format(stampLayout)+fileSuffix)
	info, err := Take(ctx, s.DB, path, nil)
	if err != nil {
		return Info{}, err
	}
	names, _, err := s.Files()
	if err != nil {
		return info, err
	}
	for len(names) > max(s.Keep, 1) {
		if err := os.Remove(filepath.Join(s.Dir, names[0])); err != nil {
			return info, fmt.Errorf("remove old backup: %w", err)
		}
		names = names[1:]
	}
	return info, nil
}

// Run checks every minute until ctx ends and backs up when due; failures
// are logged and retried at the next check.
func (s Schedule) Run(ctx context.Context) {
	check := func() {
		info, err := s.RunIfDue(ctx)
		switch {
		case err != nil:
			s.Log.Error("scheduled backup failed; retrying in a minute", "dir", s.Dir, "error", err)
		case info.Path != "":
			s.Log.Info("scheduled backup taken", "file", info.Path, "bytes", info.Bytes, "took", info.Took.Round(time.Millisecond),
				"audit_seq", info.AuditSeq, "audit_hash", info.AuditHash)
		}
	}
	check()
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			check()
		}
	}
}
