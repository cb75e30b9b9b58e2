package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/httpapi"
	"kefu/internal/httpkit"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/services"
	"kefu/internal/store"
	"kefu/internal/ticket"
)

const testPassword = "s3cret-pass"

// clock is an injectable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is the API on a fresh database with a root unit and a signed-in
// administrator, served behind the request-id middleware as in app.Handler.
type env struct {
	t        *testing.T
	db       *store.DB
	clk      *clock
	org      *org.Service
	auth     *auth.Service
	cals     *calendar.Registry
	policy   *policy.Registry
	tickets  *ticket.Service
	api      *httpapi.API
	h        http.Handler
	root     org.Unit
	admin    auth.User
	adminTok string
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	e := &env{t: t, db: db, clk: &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, store.Zone)}}
	e.org = org.New(org.Options{DB: db, Now: e.clk.Now})
	// A generous limiter: tests log in often from one address.
	e.auth = auth.New(auth.Options{DB: db, Org: e.org, Now: e.clk.Now,
		Limiter: auth.NewLoginLimiter(1000, time.Minute, e.clk.Now)})
	e.cals = calendar.NewRegistry(calendar.RegistryOptions{DB: db, Now: e.clk.Now, Logger: slog.New(slog.DiscardHandler)})
	if err := e.cals.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.policy = policy.NewRegistry(policy.Options{DB: db, Org: e.org, Calendars: e.cals, Now: e.clk.Now,
		Logger: slog.New(slog.DiscardHandler)})
	if err := e.policy.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.tickets = ticket.New(ticket.Options{DB: db, Calendars: e.cals, Policy: e.policy, Org: e.org, Now: e.clk.Now,
		Logger: slog.New(slog.DiscardHandler)})
	e.api = httpapi.New(services.Set{DB: db, Auth: e.auth, Org: e.org, Calendars: e.cals, Policy: e.policy, Tickets: e.tickets, Version: "test", Now: e.clk.Now,
		Logger: slog.New(slog.DiscardHandler)})
	e.h = httpkit.RequestID(httpkit.LimitBody(1<<20, e.api))
	var err error
	if e.root, err = e.org.EnsureRoot(context.Background(), "集团总部"); err != nil {
		t.Fatal(err)
	}
	e.admin = e.user("admin", e.root.ID, auth.RoleAdmin)
	e.adminTok = e.login("admin")
	return e
}

// user creates a user (as the system) with the test password.
func (e *env) user(name string, unit store.ID, roles ...auth.Role) auth.User {
	e.t.Helper()
	u, err := e.auth.Create(context.Background(), nil, auth.CreateUserInput{Username: name, Password: testPassword,
		Roles: roles, OrgUnit: unit})
	if err != nil {
		e.t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

func (e *env) unit(parent store.ID, kind org.Kind, name string) org.Unit {
	e.t.Helper()
	u, err := e.org.Create(context.Background(), org.CreateInput{ParentID: &parent, Kind: kind, Name: name})
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// login signs in through the API and returns the token.
func (e *env) login(name string) string {
	e.t.Helper()
	r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": name, "password": testPassword})
	if r.Code != http.StatusOK {
		e.t.Fatalf("login %s: %d %s", name, r.Code, r.Body)
	}
	var out struct{ Token string }
	r.decode(e.t, &out)
	if out.Token == "" {
		e.t.Fatalf("login %s: no token in %s", name, r.Body)
	}
	return out.Token
}

// res is a recorded answer.
type res struct {
	Code   int
	Header http.Header
	Body   []byte
}

func (r res) decode(t *testing.T, v any) {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON (status %d, body %s)", ct, r.Code, r.Body)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("answer is not JSON: %v: %s", err, r.Body)
	}
}

func (r res) cookies() []*http.Cookie { return (&http.Response{Header: r.Header}).Cookies() }

// apiError is the error shape of API.md.
type apiError struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Field   string         `json:"field"`
	Details map[string]any `json:"details"`
}

// errorOf checks that r is exactly the JSON error shape and returns it.
func errorOf(t *testing.T, r res) apiError {
	t.Helper()
	var top map[string]json.RawMessage
	r.decode(t, &top)
	raw, ok := top["error"]
	if !ok || len(top) != 1 {
		t.Fatalf("error answer %s is not {\"error\":{…}}", r.Body)
	}
	var detail map[string]any
	if err := json.Unmarshal(raw, &detail); err != nil {
		t.Fatalf("error detail: %v: %s", err, raw)
	}
	for k := range detail {
		if k != "code" && k != "message" && k != "field" && k != "details" {
			t.Errorf("error detail has unexpected key %q: %s", k, raw)
		}
	}
	var e apiError
	_ = json.Unmarshal(raw, &e)
	if e.Code == "" || e.Message == "" {
		t.Fatalf("error without code or message: %s", r.Body)
	}
	// A format verb without its argument, or an argument without its verb.
	if strings.Contains(e.Message, "%!") {
		t.Errorf("error message is misformatted: %s", e.Message)
	}
	return e
}

// wantError checks status, code and field of an error answer.
func wantError(t *testing.T, r res, status int, code, field string) apiError {
	t.Helper()
	if r.Code != status {
		t.Fatalf("status %d, want %d: %s", r.Code, status, r.Body)
	}
	e := errorOf(t, r)
	if e.Code != code || e.Field != field {
		t.Fatalf("error %s field %q (%s), want %s field %q", e.Code, e.Field, e.Message, code, field)
	}
	return e
}

// do sends a request through the handler. body is nil (none), a string or
// []byte (sent as is) or a value sent as JSON; hdr are header name/value
// pairs ("Cookie" adds a cookie line).
func (e *env) do(method, path, token string, body any, hdr ...string) res {
	e.t.Helper()
	return serve(e.t, e.h, method, path, token, body, hdr...)
}

func serve(t *testing.T, h http.Handler, method, path, token string, body any, hdr ...string) res {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return res{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

func (e *env) auditCount() int {
	e.t.Helper()
	return e.count("SELECT count(*) FROM audit_log")
}

func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.Reader().QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// lastAudit returns the newest audit row.
func (e *env) lastAudit() audit.Entry {
	e.t.Helper()
	es, _, err := audit.List(context.Background(), e.db, audit.Filter{Limit: 1})
	if err != nil || len(es) != 1 {
		e.t.Fatalf("newest audit row: %v (%d rows)", err, len(es))
	}
	return es[0]
}

// userJSON is a user as the API answers it.
type userJSON struct {
	ID          string   `json:"id"`
	Username    string   `json:"username"`
	DisplayName string   `json:"display_name"`
	Roles       []string `json:"roles"`
	OrgUnit     string   `json:"org_unit"`
	Active      bool     `json:"active"`
}

type listJSON[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}
