package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestBenchLoadUsage: bad `kefu bench` and `kefu bench load` arguments
// exit 2 with one line on stderr.
func TestBenchLoadUsage(t *testing.T) {
	noPassword := []string{"KEFU_BENCH_PASSWORD=", "KEFU_ADMIN_PASSWORD="}
	withPassword := []string{"KEFU_BENCH_PASSWORD=x", "KEFU_ADMIN_PASSWORD="}
	cases := []struct {
		env  []string
		args []string
		want string
	}{
		{nil, []string{"bench"}, "kefu bench load"},
		{nil, []string{"bench", "frob"}, "kefu bench seed"},
		{withPassword, []string{"bench", "load", "--bogus"}, "flag provided but not defined"},
		{withPassword, []string{"bench", "load", "--clients", "0"}, "--clients"},
		{withPassword, []string{"bench", "load", "--duration", "0s"}, "--duration"},
		{withPassword, []string{"bench", "load", "--duration", "soon"}, "invalid value"},
		{withPassword, []string{"bench", "load", "--scenario", "queues,nope"}, `unknown scenario "nope"`},
		{withPassword, []string{"bench", "load", "extra"}, "unexpected argument"},
		{noPassword, []string{"bench", "load"}, "--password"},
	}
	for _, c := range cases {
		_, errOut, code := kefu(t, c.env, c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("kefu %v: exit %d, stderr %q; want exit 2 mentioning %q", c.args, code, errOut, c.want)
		}
	}
}

// TestBenchLoad runs `kefu bench load` against `kefu serve`: the table on
// stdout with the server's RSS and a JSON file, then JSON on stdout.
func TestBenchLoad(t *testing.T) {
	env := []string{"KEFU_ADMIN_PASSWORD=admin-secret-1", "KEFU_BENCH_PASSWORD="}
	s := startServer(t, env, "--data", t.TempDir())
	pid := strconv.Itoa(s.cmd.Process.Pid)
	file := filepath.Join(t.TempDir(), "load.json")
	out, errOut, code := kefu(t, env, "bench", "load", "--url", s.url, "--clients", "2", "--duration", "300ms",
		"--scenario", "queues,ticket", "--json", file, "--server-pid", pid)
	if code != 0 || !strings.HasPrefix(out, "scenario") || !strings.Contains(out, "\nqueues ") ||
		!strings.Contains(out, "\nticket ") || !strings.Contains(out, "server RSS: peak") {
		t.Fatalf("bench load: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if runtime.GOOS == "linux" && strings.Contains(out, "n/a") {
		t.Errorf("no server RSS on Linux:\n%s", out)
	}
	type report struct {
		URL       string `json:"url"`
		Scenarios []struct {
			Name     string `json:"name"`
			Requests int    `json:"requests"`
			Errors   int    `json:"errors"`
		} `json:"scenarios"`
		RSS *struct {
			Peak *float64 `json:"peak"`
		} `json:"server_rss_mb"`
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var rep report
	if err := json.Unmarshal(data, &rep); err != nil || rep.URL != s.url || len(rep.Scenarios) != 2 ||
		rep.Scenarios[0].Requests == 0 || rep.Scenarios[0].Errors != 0 || rep.RSS == nil {
		t.Fatalf("JSON file: %v\n%s", err, data)
	}

	out, errOut, code = kefu(t, env, "bench", "load", "--url", s.url, "--clients", "1", "--duration", "100ms",
		"--scenario", "search", "--json", "-")
	rep = report{}
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || len(rep.Scenarios) != 1 ||
		rep.Scenarios[0].Name != "search" || rep.RSS != nil {
		t.Fatalf("--json -: exit %d, %v\nstdout:\n%s\nstderr:\n%s", code, err, out, errOut)
	}
}
