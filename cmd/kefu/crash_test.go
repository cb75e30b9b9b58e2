package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/ticket"
)

// TestCrashLosesNoAcknowledgedWrite (issue 7; PRODUCT.md §5 "Nothing
// lost"): clients register work orders and add notes to them over HTTP
// while the server is killed with SIGKILL at a random moment, three times
// over; after each restart every work order and every note whose request
// was answered 2xx is there, every running clock still has its breach
// timer, no two work orders share a number, and the audit chain verifies.
// SQLite (group commit, synchronous=FULL) and, with KEFU_TEST_POSTGRES,
// PostgreSQL.
func TestCrashLosesNoAcknowledgedWrite(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		crashCycles(t, []string{"--data", dir}, func() (*store.DB, error) {
			return store.Open(context.Background(), store.Options{DataDir: dir})
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := storetest.PostgresDSN(t)
		crashCycles(t, []string{"--db", dsn}, func() (*store.DB, error) {
			return store.Open(context.Background(), store.Options{DSN: dsn})
		})
	})
}

// acked is what the clients were told was written.
type acked struct {
	mu      sync.Mutex
	tickets map[string][]string // work-order id → notes acknowledged on it
}

func (a *acked) ids() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]string, 0, len(a.tickets))
	for id := range a.tickets {
		out = append(out, id)
	}
	return out
}

func crashCycles(t *testing.T, db []string, open func() (*store.DB, error)) {
	env := []string{"KEFU_ADMIN_PASSWORD=crash-secret-1"}
	args := append([]string{"--demo"}, db...)
	got := &acked{tickets: map[string][]string{}}
	rng := rand.New(rand.NewPCG(7, 11))
	for cycle := range 3 {
		s := startServer(t, env, args...)
		token := login(t, s.url, "wy.agent", "kefu-demo-2026")
		checkAcked(t, s.url, token, got)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 6 {
			wg.Go(func() { crashClient(s.url, token, cycle, w, got, stop) })
		}
		// Let writes flow, then kill at a random moment mid-stream.
		kill := time.NewTimer(time.Duration(300+rng.IntN(900)) * time.Millisecond)
		<-kill.C
		if err := s.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		<-s.done
		close(stop)
		wg.Wait()
	}
	if n := len(got.ids()); n < 20 {
		t.Fatalf("only %d work orders acknowledged over three cycles: the test wrote too little to mean anything", n)
	}
	s := startServer(t, env, args...)
	checkAcked(t, s.url, login(t, s.url, "wy.agent", "kefu-demo-2026"), got)
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-s.done

	d, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	var orphans, dupNumbers int
	if err := d.Reader().QueryRow(ctx, `SELECT count(*) FROM ticket_clocks c WHERE c.state = 'running' AND c.target_at > 0
		AND NOT EXISTS (SELECT 1 FROM timers m WHERE m.kind IN (?, ?) AND m.ref = c.id)`,
		ticket.TimerBreach, ticket.TimerTarget).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans != 0 {
		t.Errorf("%d running clocks without their breach timer after the crashes", orphans)
	}
	if err := d.Reader().QueryRow(ctx, "SELECT count(*) - count(DISTINCT number) FROM tickets").Scan(&dupNumbers); err != nil {
		t.Fatal(err)
	}
	if dupNumbers != 0 {
		t.Errorf("%d duplicate work-order numbers", dupNumbers)
	}
	if out, errOut, code := kefu(t, nil, append([]string{"audit", "verify"}, db...)...); code != 0 {
		t.Errorf("audit verify after the crashes: exit %d\n%s%s", code, out, errOut)
	}
}

// crashClient registers work orders and notes them until the server dies
// or stop is closed, recording every 2xx answer in got.
func crashClient(base, token string, cycle, worker int, got *acked, stop <-chan struct{}) {
	client := &http.Client{Timeout: 10 * time.Second}
	post := func(path, body string) (int, map[string]any, error) {
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		var out map[string]any
		err = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out, err
	}
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		code, out, err := post("/api/v1/tickets", fmt.Sprintf(`{"category":"repair.simple","subject":"崩溃测试 %d-%d-%d",
			"customer":{"name":"王芳","phone":"1380013%04d","address":"3栋1单元502"}}`, cycle, worker, i, i%100))
		if err != nil {
			return // the server is gone
		}
		if code != http.StatusCreated {
			continue
		}
		id, _ := out["id"].(string)
		got.mu.Lock()
		got.tickets[id] = nil
		got.mu.Unlock()
		note := fmt.Sprintf("催办 %d-%d-%d", cycle, worker, i)
		code, _, err = post("/api/v1/tickets/"+id+"/actions", `{"action":"note","note":"`+note+`"}`)
		if err != nil {
			return
		}
		if code == http.StatusOK {
			got.mu.Lock()
			got.tickets[id] = append(got.tickets[id], note)
			got.mu.Unlock()
		}
	}
}

// checkAcked fetches every acknowledged work order and looks for its
// acknowledged notes in the timeline.
func checkAcked(t *testing.T, base, token string, got *acked) {
	t.Helper()
	for _, id := range got.ids() {
		code, body := call(t, "GET", base+"/api/v1/tickets/"+id, token, "")
		if code != http.StatusOK {
			t.Errorf("acknowledged work order %s: %d after restart", id, code)
			continue
		}
		raw, _ := json.Marshal(body["timeline"])
		got.mu.Lock()
		notes := got.tickets[id]
		got.mu.Unlock()
		for _, n := range notes {
			if !strings.Contains(string(raw), n) {
				t.Errorf("work order %s: acknowledged note %q lost", id, n)
			}
		}
	}
}
