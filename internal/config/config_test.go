package config

import (
	"flag"
	"io"
	"testing"
	"time"
)

var allVars = []string{"KEFU_ADDR", "KEFU_DATA", "KEFU_DB", "KEFU_DEMO", "KEFU_ADMIN_PASSWORD", "KEFU_SESSION_TTL",
	"KEFU_MAX_BODY", "KEFU_MAX_UPLOAD", "KEFU_SECURE_COOKIES", "KEFU_LOG_FORMAT", "KEFU_DEBUG_ADDR", "KEFU_BACKUP_DIR", "KEFU_BACKUP_EVERY", "KEFU_BACKUP_KEEP"}

// parse registers the serve flags on a fresh FlagSet and parses args.
func parse(t *testing.T, args ...string) Config {
	t.Helper()
	c := Defaults()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.Server(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse %v: %v", args, err)
	}
	return c
}

// clearEnv unsets every KEFU_ variable for the test (restored afterwards).
func clearEnv(t *testing.T) {
	for _, k := range allVars {
		t.Setenv(k, "")
	}
}

func TestDefaults(t *testing.T) {
	clearEnv(t)
	c := parse(t)
	want := Config{Addr: "127.0.0.1:8080", DataDir: "data", SessionTTL: 12 * time.Hour, MaxBodyBytes: 10 << 20,
		MaxUploadBytes: 20 << 20, LogFormat: "text", BackupEvery: 7 * 24 * time.Hour, BackupKeep: 8}
	if c != want {
		t.Errorf("defaults = %+v, want %+v", c, want)
	}
}

func TestEnvOverridesDefaults(t *testing.T) {
	clearEnv(t)
	t.Setenv("KEFU_ADDR", "0.0.0.0:9000")
	t.Setenv("KEFU_DATA", "/srv/kefu")
	t.Setenv("KEFU_DB", "postgres://db/kefu")
	t.Setenv("KEFU_DEMO", "true")
	t.Setenv("KEFU_ADMIN_PASSWORD", "from-env-1")
	t.Setenv("KEFU_SESSION_TTL", "30m")
	t.Setenv("KEFU_MAX_BODY", "2048")
	t.Setenv("KEFU_MAX_UPLOAD", "4096")
	t.Setenv("KEFU_SECURE_COOKIES", "1")
	t.Setenv("KEFU_LOG_FORMAT", "json")
	t.Setenv("KEFU_DEBUG_ADDR", "127.0.0.1:6060")
	t.Setenv("KEFU_BACKUP_DIR", "/srv/backup")
	t.Setenv("KEFU_BACKUP_EVERY", "24h")
	t.Setenv("KEFU_BACKUP_KEEP", "30")
	c := parse(t)
	want := Config{Addr: "0.0.0.0:9000", DataDir: "/srv/kefu", DSN: "postgres://db/kefu", Demo: true,
		AdminPassword: "from-env-1", SessionTTL: 30 * time.Minute, MaxBodyBytes: 2048, MaxUploadBytes: 4096, SecureCookies: true, LogFormat: "json",
		DebugAddr: "127.0.0.1:6060", BackupDir: "/srv/backup", BackupEvery: 24 * time.Hour, BackupKeep: 30}
	if c != want {
		t.Errorf("from env = %+v, want %+v", c, want)
	}
}

func TestFlagsOverrideEnv(t *testing.T) {
	clearEnv(t)
	t.Setenv("KEFU_ADDR", "0.0.0.0:9000")
	t.Setenv("KEFU_DATA", "/srv/kefu")
	t.Setenv("KEFU_DB", "postgres://db/kefu")
	t.Setenv("KEFU_DEMO", "true")
	t.Setenv("KEFU_SESSION_TTL", "30m")
	t.Setenv("KEFU_MAX_BODY", "2048")
	t.Setenv("KEFU_MAX_UPLOAD", "4096")
	t.Setenv("KEFU_SECURE_COOKIES", "yes")
	t.Setenv("KEFU_LOG_FORMAT", "json")
	c := parse(t, "--addr", ":7000", "--data", "./d", "--db", "postgres://other/x", "--demo=false",
		"--session-ttl", "2h", "--max-body", "99", "--max-upload", "5000", "--secure-cookies=false", "--log-format", "text",
		"--backup-dir", "./b", "--backup-every", "12h", "--backup-keep", "3")
	want := Config{Addr: ":7000", DataDir: "./d", DSN: "postgres://other/x", SessionTTL: 2 * time.Hour,
		MaxBodyBytes: 99, MaxUploadBytes: 5000, LogFormat: "text", BackupDir: "./b", BackupEvery: 12 * time.Hour, BackupKeep: 3}
	if c != want {
		t.Errorf("flags over env = %+v, want %+v", c, want)
	}
	// A flag given for one setting leaves the others to the environment.
	c = parse(t, "--addr", ":7001")
	if c.Addr != ":7001" || c.DataDir != "/srv/kefu" || c.SessionTTL != 30*time.Minute || !c.Demo {
		t.Errorf("mixed = %+v", c)
	}
}

func TestBadEnvFallsBack(t *testing.T) {
	clearEnv(t)
	for _, c := range []struct{ k, v string }{
		{"KEFU_SESSION_TTL", "forever"}, {"KEFU_MAX_BODY", "10MB"}, {"KEFU_DEMO", "perhaps"}, {"KEFU_SECURE_COOKIES", "maybe"},
	} {
		t.Setenv(c.k, c.v)
	}
	t.Setenv("KEFU_ADDR", "") // empty means unset
	c := parse(t)
	if c.SessionTTL != 12*time.Hour || c.MaxBodyBytes != 10<<20 || c.Demo || c.SecureCookies || c.Addr != "127.0.0.1:8080" {
		t.Errorf("unreadable variables did not fall back to defaults: %+v", c)
	}
	t.Setenv("KEFU_SESSION_TTL", "-5m")
	if c := parse(t); c.SessionTTL != 12*time.Hour {
		t.Errorf("negative TTL accepted: %v", c.SessionTTL)
	}
	for _, v := range []string{"0", "false", "no", "off"} {
		t.Setenv("KEFU_DEMO", v)
		if c := parse(t, "--demo"); !c.Demo {
			t.Errorf("--demo with KEFU_DEMO=%s is off", v)
		}
		if c := parse(t); c.Demo {
			t.Errorf("KEFU_DEMO=%s turns the demo on", v)
		}
	}
}

func TestDatabaseFlagsOnly(t *testing.T) {
	clearEnv(t)
	t.Setenv("KEFU_DATA", "/env/data")
	t.Setenv("KEFU_ADMIN_PASSWORD", "chosen-admin-pass")
	c := Defaults()
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.Database(fs)
	if err := fs.Parse([]string{"--db", "postgres://x/y"}); err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/env/data" || c.DSN != "postgres://x/y" {
		t.Errorf("database flags = %+v", c)
	}
	// A subcommand that creates the database (import, migrate …) creates
	// the admin with the chosen password too.
	if c.AdminPassword != "chosen-admin-pass" {
		t.Errorf("admin password from the environment not read by a database subcommand")
	}
	if fs.Lookup("addr") != nil {
		t.Error("migrate takes --addr")
	}
	if err := fs.Parse([]string{"--addr", "x"}); err == nil {
		t.Error("unknown flag accepted")
	}
}
