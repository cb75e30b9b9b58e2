package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// kefuBin is the binary under test, built once by TestMain.
var kefuBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kefu-bin")
	if err != nil {
		panic(err)
	}
	kefuBin = filepath.Join(dir, "kefu")
	cmd := exec.Command("go", "build", "-o", kefuBin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// kefu runs a command to completion and returns its output and exit status.
func kefu(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(kefuBin, args...)
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run kefu %v: %v", args, err)
	}
	return o.String(), e.String(), code
}

// server is a running `kefu serve`.
type server struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
	done   chan error
}

var listening = regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)/`)

// startServer starts `kefu serve` on a free port and waits until it listens.
func startServer(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(kefuBin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan error, 1)}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			s.stderr.WriteString(line + "\n")
			if m := listening.FindStringSubmatch(line); m != nil {
				urlc <- m[1]
			}
		}
	}()
	go func() { s.done <- cmd.Wait(); pw.Close() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-s.done
		}
	})
	select {
	case s.url = <-urlc:
	case err := <-s.done:
		t.Fatalf("kefu serve exited early: %v\n%s", err, s.stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("kefu serve did not start within 30 s\n%s", s.stderr)
	}
	return s
}

func call(t *testing.T, method, url, token, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if resp.StatusCode != http.StatusNoContent {
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("%s %s: answer is not JSON: %v", method, url, err)
		}
	}
	return resp.StatusCode, out
}

func login(t *testing.T, base, user, pw string) string {
	t.Helper()
	code, body := call(t, "POST", base+"/api/v1/auth/login", "", `{"username":"`+user+`","password":"`+pw+`"}`)
	if code != 200 {
		t.Fatalf("login %s: %d %v", user, code, body)
	}
	tok, _ := body["token"].(string)
	if tok == "" {
		t.Fatalf("login %s: no token in %v", user, body)
	}
	return tok
}

// TestServeLifecycle is the "done" check from outside: health,
// admin bootstrap from KEFU_ADMIN_PASSWORD, login, user creation, a 403 for
// a cs_agent, JSON errors, audit verify, and a clean exit on SIGTERM.
func TestServeLifecycle(t *testing.T) {
	data := t.TempDir()
	env := []string{"KEFU_ADMIN_PASSWORD=admin-secret-1"}
	s := startServer(t, env, "--data", data)

	code, health := call(t, "GET", s.url+"/api/v1/health", "", "")
	if code != 200 || health["status"] != "ok" || health["db"] != "sqlite" || health["version"] == "" {
		t.Fatalf("health: %d %v", code, health)
	}
	admin := login(t, s.url, "admin", "admin-secret-1")
	code, _ = call(t, "POST", s.url+"/api/v1/users", admin,
		`{"username":"agent7","password":"agent-secret-7","display_name":"热线员七","roles":["cs_agent"]}`)
	if code != 201 {
		t.Fatalf("admin creates cs_agent: %d", code)
	}
	agent := login(t, s.url, "agent7", "agent-secret-7")
	code, body := call(t, "POST", s.url+"/api/v1/users", agent,
		`{"username":"agent8","password":"agent-secret-8","roles":["cs_agent"]}`)
	if code != 403 || body["error"].(map[string]any)["code"] != "forbidden" {
		t.Fatalf("cs_agent creating a user: %d %v", code, body)
	}
	code, body = call(t, "POST", s.url+"/api/v1/auth/login", "", `{"username":"nobody","password":"x"}`)
	if code != 401 || body["error"] == nil {
		t.Fatalf("unknown user login: %d %v", code, body)
	}

	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("SIGTERM: kefu exited with %v, want status 0\n%s", err, s.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("kefu did not exit within 30 s of SIGTERM")
	}

	out, _, code := kefu(t, nil, "audit", "verify", "--data", data)
	if code != 0 || !regexp.MustCompile(`verified: \d+ rows`).MatchString(out) {
		t.Fatalf("audit verify on a used database: exit %d, %q", code, out)
	}
}

// TestAuditVerifyDetectsTampering alters one audit row directly in the
// SQLite file (after dropping the trigger that refuses it) and expects
// `kefu audit verify` to name that row and exit 1.
func TestAuditVerifyDetectsTampering(t *testing.T) {
	data := t.TempDir()
	env := []string{"KEFU_ADMIN_PASSWORD=admin-secret-1"}
	for _, u := range []string{"alice01", "bob0001", "carol01"} {
		if _, errOut, code := kefu(t, env, "user", "create", "--data", data, "--username", u,
			"--password", "secret-pass-1", "--role", "viewer"); code != 0 {
			t.Fatalf("user create %s: exit %d: %s", u, code, errOut)
		}
	}
	if out, _, code := kefu(t, nil, "audit", "verify", "--data", data); code != 0 {
		t.Fatalf("verify before tampering: exit %d %s", code, out)
	}
	db, err := sql.Open("sqlite", filepath.Join(data, store.SQLiteFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE audit_log SET actor = 'mallory' WHERE seq = 3`); err == nil {
		t.Fatal("the append-only trigger let an UPDATE of audit_log through")
	}
	for _, q := range []string{`DROP TRIGGER audit_log_no_update`, `UPDATE audit_log SET actor = 'mallory' WHERE seq = 3`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	_, errOut, code := kefu(t, nil, "audit", "verify", "--data", data)
	if code != 1 || !strings.Contains(errOut, "audit row 3") || !strings.Contains(errOut, "altered") {
		t.Fatalf("verify after tampering: exit %d, stderr %q; want exit 1 naming row 3", code, errOut)
	}
}

// TestGeneratedAdminPassword: without KEFU_ADMIN_PASSWORD the admin password
// is random, printed once, and works.
func TestGeneratedAdminPassword(t *testing.T) {
	s := startServer(t, []string{"KEFU_ADMIN_PASSWORD="}, "--data", t.TempDir())
	m := regexp.MustCompile(`created user admin with password (\S+)`).FindStringSubmatch(s.stderr.String())
	if m == nil {
		t.Fatalf("no generated password on stderr:\n%s", s.stderr)
	}
	login(t, s.url, "admin", m[1])
}

// TestServeOnPostgres: the same binary serves with --db postgres://….
func TestServeOnPostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	s := startServer(t, []string{"KEFU_ADMIN_PASSWORD=admin-secret-1"}, "--db", dsn)
	code, health := call(t, "GET", s.url+"/api/v1/health", "", "")
	if code != 200 || health["db"] != "postgres" {
		t.Fatalf("health on postgres: %d %v", code, health)
	}
	login(t, s.url, "admin", "admin-secret-1")
	if out, errOut, code := kefu(t, nil, "audit", "verify", "--db", dsn); code != 0 {
		t.Fatalf("audit verify on postgres: exit %d %s %s", code, out, errOut)
	}
}

// TestCommandErrors: usage errors exit 2, failures exit 1, with one line on stderr.
func TestCommandErrors(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "no command"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"serve", "--bogus"}, 2, "flag provided but not defined"},
		{[]string{"user", "create", "--data", t.TempDir(), "--username", "x1"}, 2, "--password"},
		{[]string{"user", "create", "--data", t.TempDir(), "--username", "zz9", "--password", "short", "--role", "viewer"}, 1, "password"},
		{[]string{"user", "create", "--data", t.TempDir(), "--username", "zz9", "--password", "long-enough-1", "--role", "boss"}, 1, "unknown role"},
		{[]string{"serve", "--db", "mysql://x"}, 1, "postgres://"},
	}
	for _, c := range cases {
		_, errOut, code := kefu(t, []string{"KEFU_ADMIN_PASSWORD=admin-secret-1"}, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("kefu %v: exit %d, stderr %q; want exit %d mentioning %q", c.args, code, errOut, c.code, c.want)
		}
	}
	out, _, code := kefu(t, nil, "version")
	if code != 0 || !strings.HasPrefix(out, "kefu ") {
		t.Errorf("version: %d %q", code, out)
	}
	out, _, code = kefu(t, nil, "migrate", "--data", t.TempDir())
	if code != 0 || !strings.Contains(out, "schema version") {
		t.Errorf("migrate: %d %q", code, out)
	}
}
