package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/config"
	"kefu/internal/org"
	"kefu/internal/store/storetest"
)

// scaleNode is one kefu process of the test cluster: its App and its URL.
type scaleNode struct {
	app *App
	url string
}

// openNode opens (migrating) and bootstraps a kefu on dsn, as `kefu serve
// --db dsn` does before it listens.
func openNode(t *testing.T, dsn, adminPassword string) (*App, error) {
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir() // uploads are per process here; the test uploads none
	cfg.DSN = dsn
	cfg.AdminPassword = adminPassword
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := Open(ctx, cfg, log)
	if err != nil {
		return nil, fmt.Errorf("open kefu: %w", err)
	}
	if err := a.Bootstrap(ctx, io.Discard); err != nil {
		a.Close()
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	return a, nil
}

// serveNode serves a at a free 127.0.0.1 port until the test ends.
func serveNode(t *testing.T, a *App) scaleNode {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		a.Close()
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(sctx, ln) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
		a.Close()
	})
	return scaleNode{app: a, url: "http://" + ln.Addr().String()}
}

// apiCall sends a JSON request with an optional bearer token and decodes
// the JSON answer into out (when not nil); it returns the status code.
func apiCall(client *http.Client, method, url, token string, in, out any) (int, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("decode %s: %w", b, err)
		}
	} else if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, b)
	}
	return resp.StatusCode, nil
}

// TestScaleOutTwoProcessesOnePostgres runs two complete kefu servers on one
// PostgreSQL schema (issue 6) and checks that the cluster behaves as one
// kefu: a session made on one server works on the other, work orders
// created concurrently through both get unique numbers, and every clock
// that falls due is breached exactly once although both servers' timer
// engines claim due timers at the same time (FOR UPDATE SKIP LOCKED). The
// audit chain, written by both processes, must still verify.
//
// PostgreSQL only: it skips without KEFU_TEST_POSTGRES, and fails in CI.
func TestScaleOutTwoProcessesOnePostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	ctx := context.Background()
	const password = "scale-out-secret-1"

	// Both processes start at once on the new database: one migrates and
	// bootstraps, the other waits for the lock and finds it all done.
	apps := make([]*App, 2)
	startErrs := make([]error, 2)
	var starting sync.WaitGroup
	for i := range apps {
		starting.Go(func() { apps[i], startErrs[i] = openNode(t, dsn, password) })
	}
	starting.Wait()
	for i, err := range startErrs {
		if err != nil {
			for _, a := range apps {
				if a != nil {
					a.Close()
				}
			}
			t.Fatalf("process %d: %v", i+1, err)
		}
	}
	n1, n2 := serveNode(t, apps[0]), serveNode(t, apps[1])
	nodes := []scaleNode{n1, n2}
	var roots, admins int
	if err := n1.app.DB.Reader().QueryRow(ctx, "SELECT count(*) FROM org_units WHERE parent_id IS NULL").Scan(&roots); err != nil {
		t.Fatal(err)
	}
	if err := n1.app.DB.Reader().QueryRow(ctx, "SELECT count(*) FROM users WHERE username = 'admin'").Scan(&admins); err != nil {
		t.Fatal(err)
	}
	if roots != 1 || admins != 1 {
		t.Fatalf("%d root units and %d admin users after two processes started together, want 1 and 1", roots, admins)
	}

	// A property company whose hotline agent registers the work orders.
	actx := audit.WithActor(ctx, audit.System)
	root, err := n1.app.Org.Root(actx)
	if err != nil {
		t.Fatal(err)
	}
	co, err := n1.app.Org.Create(actx, org.CreateInput{ParentID: &root.ID, Kind: org.Company, Name: "锦绣物业公司", Code: "JX", Pack: "property"})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := n1.app.Org.Create(actx, org.CreateInput{ParentID: &co.ID, Kind: org.Department, Name: "客服中心"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n1.app.Auth.Create(actx, nil, auth.CreateUserInput{Username: "hotline", Password: password,
		DisplayName: "王芳", Roles: []auth.Role{auth.RoleCSAgent}, OrgUnit: cs.ID}); err != nil {
		t.Fatal(err)
	}

	// Stateless HTTP: sign in on each server and use the session on the other.
	client := &http.Client{Timeout: 30 * time.Second}
	tokens := make([]string, len(nodes))
	for i, n := range nodes {
		var login struct {
			Token string `json:"token"`
		}
		if _, err := apiCall(client, "POST", n.url+"/api/v1/auth/login", "",
			map[string]string{"username": "hotline", "password": password}, &login); err != nil {
			t.Fatalf("login on server %d: %v", i+1, err)
		}
		tokens[i] = login.Token
	}
	for i, tok := range tokens {
		other := nodes[(i+1)%len(nodes)]
		var me map[string]any
		if _, err := apiCall(client, "GET", other.url+"/api/v1/auth/me", tok, nil, &me); err != nil {
			t.Fatalf("session of server %d on server %d: %v", i+1, (i+1)%len(nodes)+1, err)
		}
	}

	// Work orders received an hour ago with a 10-minute arrival clock: each
	// breach timer is due as soon as the work order exists.
	const total = 200
	const workers = 16
	received := time.Now().Add(-time.Hour).Truncate(time.Second)
	type created struct {
		ID     json.Number `json:"id"`
		Number string      `json:"number"`
	}
	results := make([]created, total)
	errs := make(chan error, total)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				// Alternate servers, and sessions made on the other server.
				n, tok := nodes[i%2], tokens[(i/2)%2]
				in := map[string]any{"category": "repair.urgent", "received_at": received,
					"subject": fmt.Sprintf("厨房漏水 %d", i), "description": "scale-out test"}
				if _, err := apiCall(client, "POST", n.url+"/api/v1/tickets", tok, in, &results[i]); err != nil {
					errs <- fmt.Errorf("work order %d: %w", i, err)
				}
			}
		})
	}
	for i := range total {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}

	db := n1.app.DB.Reader()
	// Every work order exists once, with a number of its own.
	seen := map[string]bool{}
	for i, r := range results {
		if r.Number == "" || seen[r.Number] {
			t.Fatalf("work order %d: number %q missing or repeated", i, r.Number)
		}
		seen[r.Number] = true
	}
	var tickets, numbers int
	if err := db.QueryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT number) FROM tickets`).Scan(&tickets, &numbers); err != nil {
		t.Fatal(err)
	}
	if tickets != total || numbers != total {
		t.Fatalf("database holds %d work orders with %d numbers, want %d of each", tickets, numbers, total)
	}

	// Poll, with a deadline, until no clock is running and no timer is due.
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	timeout := time.After(60 * time.Second)
	for {
		var running, due int
		if err := db.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM ticket_clocks WHERE state = 'running'),
			(SELECT COUNT(*) FROM timers WHERE due_at <= ?)`, time.Now().UnixMicro()).Scan(&running, &due); err != nil {
			t.Fatal(err)
		}
		if running == 0 && due == 0 {
			break
		}
		select {
		case <-tick.C:
		case <-timeout:
			t.Fatalf("after 60 s: %d clocks still running, %d timers still due", running, due)
		}
	}

	// Every clock breached, and each breach on the timeline exactly once.
	var clocks, breached int
	if err := db.QueryRow(ctx, `SELECT COUNT(*), COUNT(*) FILTER (WHERE state = 'breached') FROM ticket_clocks`).
		Scan(&clocks, &breached); err != nil {
		t.Fatal(err)
	}
	if clocks < total || breached != clocks {
		t.Fatalf("%d of %d clocks breached (want all, at least one per work order)", breached, clocks)
	}
	var events, distinct int
	if err := db.QueryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT (ticket_id, detail)) FROM ticket_events
		WHERE action = 'clock.breached'`).Scan(&events, &distinct); err != nil {
		t.Fatal(err)
	}
	if events != clocks || distinct != clocks {
		t.Fatalf("%d clock.breached events (%d distinct) for %d breached clocks: a clock fired twice or not at all",
			events, distinct, clocks)
	}
	var left int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM timers WHERE kind IN ('ticket.clock.warn', 'ticket.clock.breach')`).
		Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Fatalf("%d clock timers left after every clock breached", left)
	}

	// The audit chain written concurrently by both processes still holds.
	rep, err := audit.Verify(ctx, n2.app.DB)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Break != nil || rep.Verified == 0 || !rep.Guarded {
		t.Fatalf("audit chain after concurrent writes: verified %d, guarded %v, break %v", rep.Verified, rep.Guarded, rep.Break)
	}
}
