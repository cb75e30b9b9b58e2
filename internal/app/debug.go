package app

import (
	"context"
	"encoding/json"
	"fmt"
	"kefu/internal/backup"
	"kefu/internal/store"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"time"
)

// serveDebug answers, on its own listener, the Go profiles (for `go tool
// pprof http://ADDR/debug/pprof/profile`) and /debug/store: the group
// commits so far and the heap. Nothing here needs a session, so the
// address must stay private (127.0.0.1); it stops with ctx.
func (a *App) serveDebug(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("--debug-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/store", func(w http.ResponseWriter, _ *http.Request) {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"dialect": a.DB.Dialect(), "commits": a.DB.CommitStats(),
			"heap_mb": m.HeapAlloc >> 20, "sys_mb": m.Sys >> 20, "goroutines": runtime.NumGoroutine()})
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	a.Log.Warn("debug listener open: profiles and statistics without sign-in", "addr", ln.Addr().String())
	return nil
}

// scheduleBackups starts the scheduled backups of --backup-dir (SQLite;
// PostgreSQL is backed up with pg_dump).
func (a *App) scheduleBackups(ctx context.Context) {
	if a.Config.BackupDir == "" {
		return
	}
	if a.DB.Dialect() != store.SQLite {
		a.Log.Warn("--backup-dir is for SQLite; back up PostgreSQL with pg_dump (docs/operations.md)")
		return
	}
	s := backup.Schedule{DB: a.DB, Dir: a.Config.BackupDir, Every: a.Config.BackupEvery, Keep: int(a.Config.BackupKeep),
		Now: a.Now, Log: a.Log}
	go s.Run(ctx)
}
