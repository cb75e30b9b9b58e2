// Package config reads kefu's settings from command-line flags, falling
// back to KEFU_* environment variables and then to defaults (API.md
// "Server and bootstrap").
package config

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"
)

// Config holds every setting of the kefu process.
type Config struct {
	Addr           string        // KEFU_ADDR, --addr
	DataDir        string        // KEFU_DATA, --data
	DSN            string        // KEFU_DB, --db (postgres://…)
	Demo           bool          // --demo
	AdminPassword  string        // KEFU_ADMIN_PASSWORD (environment only)
	SessionTTL     time.Duration // KEFU_SESSION_TTL, --session-ttl
	MaxBodyBytes   int64         // KEFU_MAX_BODY, --max-body
	MaxUploadBytes int64         // KEFU_MAX_UPLOAD, --max-upload: largest document file
	SecureCookies  bool          // KEFU_SECURE_COOKIES, --secure-cookies (set behind HTTPS)
	LogFormat      string        // KEFU_LOG_FORMAT, --log-format: text or json
	DebugAddr      string        // KEFU_DEBUG_ADDR, --debug-addr: profiling listener (empty: none)
	BackupDir      string        // KEFU_BACKUP_DIR, --backup-dir: scheduled SQLite backups (empty: none)
	BackupEvery    time.Duration // KEFU_BACKUP_EVERY, --backup-every: default weekly (seed 004-D)
	BackupKeep     int64         // KEFU_BACKUP_KEEP, --backup-keep: backups kept
}

// Defaults are the settings when nothing is given.
func Defaults() Config {
	return Config{Addr: "127.0.0.1:8080", DataDir: "data", SessionTTL: 12 * time.Hour,
		MaxBodyBytes: 10 << 20, MaxUploadBytes: 20 << 20, LogFormat: "text", BackupEvery: 7 * 24 * time.Hour, BackupKeep: 8}
}

// Database registers the flags of every subcommand that opens the database.
func (c *Config) Database(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data", env("KEFU_DATA", c.DataDir), "data directory for the SQLite database and stored files (KEFU_DATA)")
	fs.StringVar(&c.DSN, "db", env("KEFU_DB", c.DSN), "PostgreSQL URL postgres://… instead of SQLite (KEFU_DB)")
	// Any subcommand that opens the database may be the one that creates
	// it, and with it the admin user.
	c.AdminPassword = os.Getenv("KEFU_ADMIN_PASSWORD")
}

// Server registers the flags of `kefu serve`.
func (c *Config) Server(fs *flag.FlagSet) {
	c.Database(fs)
	fs.StringVar(&c.Addr, "addr", env("KEFU_ADDR", c.Addr), "listen address (KEFU_ADDR)")
	fs.BoolVar(&c.Demo, "demo", envBool("KEFU_DEMO", c.Demo), "load the demo organisation, staff and data on start (KEFU_DEMO)")
	fs.DurationVar(&c.SessionTTL, "session-ttl", envDuration("KEFU_SESSION_TTL", c.SessionTTL), "lifetime of a login session (KEFU_SESSION_TTL)")
	fs.Int64Var(&c.MaxBodyBytes, "max-body", envInt("KEFU_MAX_BODY", c.MaxBodyBytes), "largest request body in bytes (KEFU_MAX_BODY)")
	fs.Int64Var(&c.MaxUploadBytes, "max-upload", envInt("KEFU_MAX_UPLOAD", c.MaxUploadBytes), "largest uploaded document in bytes (KEFU_MAX_UPLOAD)")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", envBool("KEFU_SECURE_COOKIES", c.SecureCookies), "mark cookies Secure; set when served over HTTPS (KEFU_SECURE_COOKIES)")
	fs.StringVar(&c.LogFormat, "log-format", env("KEFU_LOG_FORMAT", c.LogFormat), "log format: text or json (KEFU_LOG_FORMAT)")
	fs.StringVar(&c.DebugAddr, "debug-addr", env("KEFU_DEBUG_ADDR", c.DebugAddr),
		"serve Go profiles (/debug/pprof/) and store statistics (/debug/store) on this address, e.g. 127.0.0.1:6060; never expose it (KEFU_DEBUG_ADDR)")
	fs.StringVar(&c.BackupDir, "backup-dir", env("KEFU_BACKUP_DIR", c.BackupDir), "take scheduled backups of the SQLite database into this directory (KEFU_BACKUP_DIR)")
	fs.DurationVar(&c.BackupEvery, "backup-every", envDuration("KEFU_BACKUP_EVERY", c.BackupEvery), "interval of scheduled backups (KEFU_BACKUP_EVERY)")
	fs.Int64Var(&c.BackupKeep, "backup-keep", envInt("KEFU_BACKUP_KEEP", c.BackupKeep), "scheduled backups to keep (KEFU_BACKUP_KEEP)")
}

func env(k, def string) string {
	if v, ok := os.LookupEnv(k); ok && v != "" {
		return v
	}
	return def
}

func envBool(k string, def bool) bool {
	switch os.Getenv(k) {
	case "1", "true", "yes", "on":
		return true
	case "0", "false", "no", "off":
		return false
	}
	return def
}

func envDuration(k string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(k)); err == nil && d > 0 {
		return d
	}
	return def
}

func envInt(k string, def int64) int64 {
	if n, err := strconv.ParseInt(os.Getenv(k), 10, 64); err == nil && n > 0 {
		return n
	}
	return def
}

// Validate refuses settings that cannot work, naming the flag.
func (c Config) Validate() error {
	switch {
	case c.MaxBodyBytes < 1024:
		return fmt.Errorf("--max-body must be at least 1024 bytes, got %d", c.MaxBodyBytes)
	case c.MaxUploadBytes < 1024:
		return fmt.Errorf("--max-upload must be at least 1024 bytes, got %d", c.MaxUploadBytes)
	case c.SessionTTL < time.Minute:
		return fmt.Errorf("--session-ttl must be at least 1m, got %s", c.SessionTTL)
	case c.LogFormat != "text" && c.LogFormat != "json":
		return fmt.Errorf("--log-format must be text or json, got %q", c.LogFormat)
	}
	return nil
}
