// Package load is an HTTP load generator for a running kefu server (issue
// 6, `kefu bench load`). It signs in once, discovers the policy packs, org
// units and existing work orders, then runs each scenario (create, queues,
// search, ticket, action, counts, mixed) with N concurrent clients back to
// back for a fixed time, and reports throughput and exact latency
// percentiles per scenario.
package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"kefu/bench/custgen"
)

// Options say what to load and how hard.
type Options struct {
	URL      string        // base URL of the server, e.g. http://127.0.0.1:8080
	User     string        // user to sign in as; default admin
	Password string        // its password
	Clients  int           // concurrent clients; default 16
	Duration time.Duration // length of each scenario; default 10 s
	// Scenarios are run in this order; default Scenarios.
	Scenarios []string
	// Progress, when set, receives one line per second during a scenario.
	Progress io.Writer
	// Seed makes the generated requests repeatable; default 1.
	Seed uint64
}

func (o Options) withDefaults() Options {
	if o.User == "" {
		o.User = "admin"
	}
	if o.Clients <= 0 {
		o.Clients = 16
	}
	if o.Duration <= 0 {
		o.Duration = 10 * time.Second
	}
	if len(o.Scenarios) == 0 {
		o.Scenarios = Scenarios
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	o.URL = strings.TrimRight(o.URL, "/")
	return o
}

// Run signs in, discovers the server's data and runs every scenario of o.
// After an error (or a cancelled ctx) it returns the scenarios completed so
// far together with the error.
func Run(ctx context.Context, o Options) (*Report, error) {
	o = o.withDefaults()
	for _, name := range o.Scenarios {
		if _, ok := scenarios[name]; !ok {
			return nil, fmt.Errorf("unknown scenario %q", name)
		}
	}
	rep := &Report{URL: o.URL, Clients: o.Clients, StartedAt: time.Now()}
	r := &runner{base: o.URL, hc: newHTTPClient(o.Clients)}
	defer r.hc.CloseIdleConnections()
	if err := r.login(ctx, o.User, o.Password); err != nil {
		return rep, err
	}
	t, err := discover(ctx, r, o.Seed)
	if err != nil {
		return rep, fmt.Errorf("discover: %w", err)
	}
	for _, name := range o.Scenarios {
		res := r.scenario(ctx, t, name, o)
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		rep.Scenarios = append(rep.Scenarios, res)
	}
	return rep, nil
}

// newHTTPClient keeps at least one idle connection per client alive.
func newHTTPClient(clients int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 2 * clients
	tr.MaxIdleConnsPerHost = 2 * clients
	return &http.Client{Transport: tr, Timeout: time.Minute}
}

// runner sends requests to one server as one signed-in user.
type runner struct {
	base  string
	hc    *http.Client
	token string
}

// request is one HTTP request of a scenario.
type request struct {
	method, path string
	body         []byte
	created      bool // the answer is a new work order whose id joins the pool
}

// bodyPrefix is how much of an error answer the report keeps.
const bodyPrefix = 160

// send performs rq and reads the answer fully into buf. It returns the
// status code, or an error for a transport failure.
func (r *runner) send(ctx context.Context, rq request, buf *bytes.Buffer) (int, error) {
	var body io.Reader
	if rq.body != nil {
		body = bytes.NewReader(rq.body)
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, r.base+rq.path, body)
	if err != nil {
		return 0, err
	}
	if rq.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return resp.StatusCode, err
	}
	return resp.StatusCode, nil
}

// call sends rq outside the timed run and decodes a 2xx JSON answer into v.
func (r *runner) call(ctx context.Context, rq request, v any) error {
	var buf bytes.Buffer
	code, err := r.send(ctx, rq, &buf)
	if err != nil {
		return fmt.Errorf("%s %s: %w", rq.method, rq.path, err)
	}
	if code/100 != 2 {
		return fmt.Errorf("%s %s: %s", rq.method, rq.path, errorText(code, buf.Bytes()))
	}
	if v == nil {
		return nil
	}
	if err := json.Unmarshal(buf.Bytes(), v); err != nil {
		return fmt.Errorf("%s %s: %w", rq.method, rq.path, err)
	}
	return nil
}

// login signs in and keeps the bearer token.
func (r *runner) login(ctx context.Context, user, password string) error {
	body, _ := json.Marshal(map[string]string{"username": user, "password": password})
	var out struct {
		Token string `json:"token"`
	}
	if err := r.call(ctx, request{method: "POST", path: "/api/v1/auth/login", body: body}, &out); err != nil {
		return fmt.Errorf("sign in as %s: %w", user, err)
	}
	if out.Token == "" {
		return fmt.Errorf("sign in as %s: no token in the answer", user)
	}
	r.token = out.Token
	return nil
}

// errorText is an error answer as the report shows it: status and the
// start of the body.
func errorText(code int, body []byte) string {
	s := strings.TrimSpace(string(body))
	if len(s) > bodyPrefix {
		s = strings.ToValidUTF8(s[:bodyPrefix], "") + "…"
	}
	return fmt.Sprintf("%d %s %s", code, http.StatusText(code), s)
}

// errorSample keeps the first few distinct error messages of a scenario.
type errorSample struct {
	mu   sync.Mutex
	msgs []string
}

// maxErrorSamples is how many distinct messages a scenario keeps.
const maxErrorSamples = 3

func (e *errorSample) add(msg string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.msgs) < maxErrorSamples && !slices.Contains(e.msgs, msg) {
		e.msgs = append(e.msgs, msg)
	}
}

// scenario runs one scenario with o.Clients clients for o.Duration.
func (r *runner) scenario(ctx context.Context, t *target, name string, o Options) Result {
	next := scenarios[name]
	var requests, failures atomic.Int64
	var errs errorSample
	samples := make([][]time.Duration, o.Clients)
	start := time.Now()
	deadline := start.Add(o.Duration)
	stop := progress(name, start, &requests, &failures, o.Progress)
	var wg sync.WaitGroup
	for i := range o.Clients {
		c := &client{t: t, n: i, rng: rand.New(rand.NewPCG(o.Seed, uint64(i))), gen: custgen.New(o.Seed + uint64(i))}
		wg.Go(func() {
			var buf bytes.Buffer
			lat := make([]time.Duration, 0, 1024)
			for time.Now().Before(deadline) {
				rq := next(c)
				c.i++
				began := time.Now()
				code, err := r.send(ctx, rq, &buf)
				took := time.Since(began)
				if ctx.Err() != nil {
					break // interrupted: the request does not count
				}
				lat = append(lat, took)
				requests.Add(1)
				switch {
				case err != nil:
					failures.Add(1)
					errs.add(err.Error())
				case code/100 != 2:
					failures.Add(1)
					errs.add(errorText(code, buf.Bytes()))
				case rq.created:
					t.created(buf.Bytes())
				}
			}
			samples[i] = lat
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	stop()
	return summarize(name, o.Clients, elapsed, slices.Concat(samples...), int(failures.Load()), errs.msgs)
}

// progress prints a line per second to w until the returned func is called.
func progress(name string, start time.Time, requests, failures *atomic.Int64, w io.Writer) func() {
	if w == nil {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		last, lastAt := int64(0), start
		for {
			select {
			case <-done:
				return
			case now := <-tick.C:
				n := requests.Load()
				rate := float64(n-last) / now.Sub(lastAt).Seconds()
				fmt.Fprintf(w, "kefu: %-7s %4.0fs %9d requests %9.1f req/s %7d errors\n",
					name, now.Sub(start).Seconds(), n, rate, failures.Load())
				last, lastAt = n, now
			}
		}
	}()
	return func() { close(done); <-finished }
}
