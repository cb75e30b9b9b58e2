package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/org"
	"kefu/internal/services"
	"kefu/internal/store/storetest"
	"kefu/internal/web"
)

const pw = "test-pass-2026"

// env is a UI over a fresh migrated SQLite database with a small tree:
// 集团总部 → 燃气公司 → 客服中心, and users admin (root), agent and
// super (客服中心).
type env struct {
	t    *testing.T
	srv  *httptest.Server
	org  *org.Service
	auth *auth.Service
	cal  *calendar.Registry
	root org.Unit
	co   org.Unit
	dept org.Unit
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := storetest.OpenSQLite(t)
	o := org.New(org.Options{DB: db})
	a := auth.New(auth.Options{DB: db, Org: o})
	ctx := audit.WithActor(context.Background(), audit.System)
	e := &env{t: t, org: o, auth: a}
	var err error
	if e.root, err = o.EnsureRoot(ctx, "集团总部"); err != nil {
		t.Fatal(err)
	}
	if e.co, err = o.Create(ctx, org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "燃气公司", Code: "RQ", Pack: "gas"}); err != nil {
		t.Fatal(err)
	}
	if e.dept, err = o.Create(ctx, org.CreateInput{ParentID: &e.co.ID, Kind: org.Department, Name: "客服中心"}); err != nil {
		t.Fatal(err)
	}
	e.user("admin", "系统管理员", e.root, auth.RoleAdmin)
	e.user("agent", "王芳", e.dept, auth.RoleCSAgent)
	e.user("super", "李娜", e.dept, auth.RoleCSSupervisor)
	e.cal = calendar.NewRegistry(calendar.RegistryOptions{DB: db})
	if err := e.cal.Load(ctx); err != nil {
		t.Fatal(err)
	}
	h := web.New(services.Set{DB: db, Auth: a, Org: o, Calendars: e.cal, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test"})
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	return e
}

func (e *env) user(username, name string, unit org.Unit, roles ...auth.Role) auth.User {
	e.t.Helper()
	u, err := e.auth.Create(context.Background(), nil, auth.CreateUserInput{Username: username, Password: pw,
		DisplayName: name, Roles: roles, OrgUnit: unit.ID})
	if err != nil {
		e.t.Fatalf("create %s: %v", username, err)
	}
	return u
}

// client is a browser: a cookie jar, and redirects not followed so that
// tests see them.
type client struct {
	e *env
	c *http.Client
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// signedIn returns a client signed in as username.
func (e *env) signedIn(username string) *client {
	e.t.Helper()
	c := e.client()
	res := c.post("/login", url.Values{"username": {username}, "password": {pw}})
	if res.status != http.StatusSeeOther {
		e.t.Fatalf("login %s: status %d\n%s", username, res.status, res.body)
	}
	return c
}

type response struct {
	status   int
	location string
	body     string
	header   http.Header
}

func (c *client) do(req *http.Request) response {
	c.e.t.Helper()
	res, err := c.c.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, location: res.Header.Get("Location"), body: string(b), header: res.Header}
}

func (c *client) get(path string) response {
	c.e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.e.srv.URL+path, nil)
	if err != nil {
		c.e.t.Fatal(err)
	}
	return c.do(req)
}

func (c *client) post(path string, form url.Values) response {
	c.e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *client) cookie(name string) *http.Cookie {
	u, _ := url.Parse(c.e.srv.URL)
	for _, ck := range c.c.Jar.Cookies(u) {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

func (r response) want(t *testing.T, status int, contains ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d (location %q)\n%s", r.status, status, r.location, r.body)
	}
	for _, s := range contains {
		if !strings.Contains(r.body, s) {
			t.Errorf("page lacks %q\n%s", s, r.body)
		}
	}
}

func (r response) lacks(t *testing.T, s ...string) {
	t.Helper()
	for _, x := range s {
		if strings.Contains(r.body, x) {
			t.Errorf("page should not contain %q", x)
		}
	}
}

// fieldError returns the message shown under the input with id.
func fieldError(body, id string) string {
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `-err">([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}
