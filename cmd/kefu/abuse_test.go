package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestAbuseKeepsServingOthers (issue 7): on loopback, clients that send
// oversized bodies, broken JSON, absurd paging, huge query strings, no
// credentials and a password-guessing run share the server with two
// ordinary agents for three seconds. Every abusive request gets a 4xx
// (never a 5xx), the guessing is cut off with 429, and every ordinary
// request succeeds.
func TestAbuseKeepsServingOthers(t *testing.T) {
	s := startServer(t, []string{"KEFU_ADMIN_PASSWORD=abuse-secret-1"}, "--data", t.TempDir(), "--demo")
	token := login(t, s.url, "wy.agent", "kefu-demo-2026")
	client := &http.Client{Timeout: 20 * time.Second}
	send := func(method, path, tok string, body io.Reader) (int, error) {
		req, err := http.NewRequest(method, s.url+path, body)
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil
	}
	huge := bytes.Repeat([]byte("漏"), 4<<20) // 12 MB, over the 10 MB body limit
	abuses := []struct {
		name string
		do   func() (int, error)
		want func(int) bool
	}{
		{"oversized body", func() (int, error) {
			return send("POST", "/api/v1/tickets", token, bytes.NewReader(append([]byte(`{"subject":"`), huge...)))
		}, func(c int) bool { return c == http.StatusRequestEntityTooLarge }},
		{"broken JSON", func() (int, error) { return send("POST", "/api/v1/tickets", token, strings.NewReader(`{"category":`)) },
			func(c int) bool { return c == http.StatusBadRequest }},
		{"absurd paging (capped at 500)", func() (int, error) { return send("GET", "/api/v1/tickets?limit=100000000", token, nil) },
			func(c int) bool { return c < 500 }},
		{"huge query", func() (int, error) {
			return send("GET", "/api/v1/tickets?q="+strings.Repeat("%E6%BC%8F", 3000), token, nil)
		}, func(c int) bool { return c < 500 }},
		{"no credentials", func() (int, error) { return send("GET", "/api/v1/customers", "", nil) },
			func(c int) bool { return c == http.StatusUnauthorized }},
		{"password guessing", func() (int, error) {
			return send("POST", "/api/v1/auth/login", "", strings.NewReader(`{"username":"wy.supervisor","password":"guess-123456"}`))
		}, func(c int) bool { return c == http.StatusUnauthorized || c == http.StatusTooManyRequests }},
	}
	var stop atomic.Bool
	var mu sync.Mutex
	var problems []string
	var throttled, served atomic.Int64
	report := func(format string, args ...any) {
		mu.Lock()
		if len(problems) < 20 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for _, a := range abuses {
		wg.Go(func() {
			for !stop.Load() {
				code, err := a.do()
				switch {
				case err != nil:
					report("%s: %v", a.name, err)
					return
				case !a.want(code):
					report("%s answered %d", a.name, code)
				case code == http.StatusTooManyRequests:
					throttled.Add(1)
				}
			}
		})
	}
	for w := range 2 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				for _, c := range []struct{ method, path, body string }{
					{"POST", "/api/v1/tickets", fmt.Sprintf(`{"category":"repair.simple","subject":"正常报修 %d-%d"}`, w, i)},
					{"GET", "/api/v1/tickets?limit=20", ""},
					{"GET", "/api/v1/tickets?q=" + "%E6%AD%A3%E5%B8%B8", ""},
				} {
					var body io.Reader
					if c.body != "" {
						body = strings.NewReader(c.body)
					}
					code, err := send(c.method, c.path, token, body)
					if err != nil || code >= 300 {
						report("ordinary %s %s: %d %v", c.method, c.path, code, err)
						continue
					}
					served.Add(1)
				}
			}
		})
	}
	deadline := time.NewTimer(3 * time.Second)
	<-deadline.C
	stop.Store(true)
	wg.Wait()
	for _, p := range problems {
		t.Error(p)
	}
	if throttled.Load() == 0 {
		t.Error("password guessing was never answered 429")
	}
	if served.Load() < 10 {
		t.Errorf("only %d ordinary requests served", served.Load())
	}
	if code, _ := call(t, "GET", s.url+"/api/v1/health", "", ""); code != http.StatusOK {
		t.Errorf("health after the abuse: %d", code)
	}
}
