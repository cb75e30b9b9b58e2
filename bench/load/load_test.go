package load_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/bench/load"
	"kefu/bench/seed"
	"kefu/internal/app"
	"kefu/internal/config"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	cases := []struct {
		samples []time.Duration
		p       float64
		want    time.Duration
	}{
		{nil, 50, 0},
		{ms(7), 50, 7 * time.Millisecond},
		{ms(7), 99, 7 * time.Millisecond},
		// The nearest-rank textbook example.
		{ms(15, 20, 35, 40, 50), 5, 15 * time.Millisecond},
		{ms(15, 20, 35, 40, 50), 30, 20 * time.Millisecond},
		{ms(15, 20, 35, 40, 50), 40, 20 * time.Millisecond},
		{ms(15, 20, 35, 40, 50), 50, 35 * time.Millisecond},
		{ms(15, 20, 35, 40, 50), 100, 50 * time.Millisecond},
		{ms(hundred...), 50, 50 * time.Millisecond},
		{ms(hundred...), 95, 95 * time.Millisecond},
		{ms(hundred...), 99, 99 * time.Millisecond},
		{ms(hundred...), 99.5, 100 * time.Millisecond},
		{ms(hundred[:10]...), 95, 10 * time.Millisecond},
	}
	for _, c := range cases {
		if got := load.Percentile(c.samples, c.p); got != c.want {
			t.Errorf("p%v of %d samples = %v, want %v", c.p, len(c.samples), got, c.want)
		}
	}
}

func TestParseScenarios(t *testing.T) {
	for in, want := range map[string][]string{
		"":               load.Scenarios,
		"all":            load.Scenarios,
		"create, mixed":  {"create", "mixed"},
		"counts,ticket":  {"counts", "ticket"},
		"all,mixed":      append(slices.Clone(load.Scenarios), "mixed"),
		"queues,,search": nil,
		"bogus":          nil,
	} {
		got, err := load.ParseScenarios(in)
		if want == nil {
			if err == nil {
				t.Errorf("ParseScenarios(%q) = %v, want an error", in, got)
			}
			continue
		}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("ParseScenarios(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestReadRSS(t *testing.T) {
	if rss := load.ReadRSS(1 << 30); rss.Peak != nil || rss.Current != nil {
		t.Errorf("RSS of a process that does not exist: %+v", rss)
	}
	if runtime.GOOS != "linux" {
		t.Skip("/proc/PID/status is Linux only")
	}
	rss := load.ReadRSS(os.Getpid())
	if rss.Peak == nil || rss.Current == nil || *rss.Current <= 0 || *rss.Peak < *rss.Current {
		t.Fatalf("own RSS: %+v", rss)
	}
}

const adminPassword = "load-admin-1"

// server starts kefu in-process on a temporary SQLite database with the
// given number of seeded work orders and answers its URL.
func server(t *testing.T, tickets int) string {
	t.Helper()
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.AdminPassword = adminPassword
	a, err := app.Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.Bootstrap(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	if tickets > 0 {
		if _, err := seed.Run(ctx, a.DB, seed.Options{Customers: 300, Tickets: tickets, Seed: 5}); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestRunEveryScenario runs every scenario briefly against a real server
// with seeded work orders.
func TestRunEveryScenario(t *testing.T) {
	url := server(t, 600)
	names := append(slices.Clone(load.Scenarios), load.Mixed)
	var progress bytes.Buffer
	rep, err := load.Run(context.Background(), load.Options{URL: url, Password: adminPassword, Clients: 2,
		Duration: 300 * time.Millisecond, Scenarios: names, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Scenarios) != len(names) {
		t.Fatalf("%d results for %d scenarios", len(rep.Scenarios), len(names))
	}
	for i, r := range rep.Scenarios {
		if r.Name != names[i] || r.Clients != 2 || r.Requests == 0 || r.PerSecond <= 0 {
			t.Errorf("result %d: %+v", i, r)
		}
		// counts answers 404 until GET /api/v1/tickets/counts exists; the mix
		// sends a few of those too.
		if r.Name != "counts" && r.Name != load.Mixed && r.Errors != 0 {
			t.Errorf("%s: %d errors of %d requests: %q", r.Name, r.Errors, r.Requests, r.ErrorsSample)
		}
		if r.Errors > 0 && (len(r.ErrorsSample) == 0 || len(r.ErrorsSample) > 3) {
			t.Errorf("%s: %d errors, sample %q", r.Name, r.Errors, r.ErrorsSample)
		}
		if r.Errors > r.Requests {
			t.Errorf("%s: %d errors of %d requests", r.Name, r.Errors, r.Requests)
		}
		if !(0 < r.Max && r.P50 <= r.P95 && r.P95 <= r.P99 && r.P99 <= r.Max) {
			t.Errorf("%s: percentiles out of order: p50 %v p95 %v p99 %v max %v", r.Name, r.P50, r.P95, r.P99, r.Max)
		}
	}
	if r := rep.Scenarios[slices.Index(names, load.Mixed)]; r.Errors > r.Requests/4 {
		t.Errorf("mixed: %d errors of %d requests: %q", r.Errors, r.Requests, r.ErrorsSample)
	}

	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back struct {
		URL       string    `json:"url"`
		Clients   int       `json:"clients"`
		StartedAt time.Time `json:"started_at"`
		Scenarios []struct {
			Name         string   `json:"name"`
			Requests     int      `json:"requests"`
			P50          *float64 `json:"p50_ms"`
			P99          *float64 `json:"p99_ms"`
			Max          *float64 `json:"max_ms"`
			ErrorsSample []string `json:"errors_sample"`
		} `json:"scenarios"`
	}
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatalf("JSON report: %v\n%s", err, js.String())
	}
	if back.URL != url || back.Clients != 2 || back.StartedAt.IsZero() || len(back.Scenarios) != len(names) ||
		back.Scenarios[0].Name != "create" || back.Scenarios[0].P50 == nil || back.Scenarios[0].Max == nil ||
		back.Scenarios[0].ErrorsSample == nil {
		t.Errorf("JSON report decodes to %+v\n%s", back, js.String())
	}
	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", table.String())
	if lines := strings.Split(table.String(), "\n"); !strings.HasPrefix(lines[0], "scenario") ||
		!strings.HasPrefix(lines[1], "create ") {
		t.Errorf("table:\n%s", table.String())
	}
}

// TestRunOnEmptyServer: without work orders, discovery registers a few so
// that reading and acting on work orders has something to work on.
func TestRunOnEmptyServer(t *testing.T) {
	url := server(t, 0)
	rep, err := load.Run(context.Background(), load.Options{URL: url, Password: adminPassword, Clients: 2,
		Duration: 200 * time.Millisecond, Scenarios: []string{"ticket", "action", "search"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Scenarios {
		if r.Requests == 0 || r.Errors != 0 {
			t.Errorf("%s: %d requests, %d errors %q", r.Name, r.Requests, r.Errors, r.ErrorsSample)
		}
	}
}

func TestRunWrongPassword(t *testing.T) {
	url := server(t, 0)
	_, err := load.Run(context.Background(), load.Options{URL: url, Password: "wrong-password", Clients: 1,
		Duration: time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("wrong password: %v, want a 401", err)
	}
}
