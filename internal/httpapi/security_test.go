package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"kefu/internal/app"
	"kefu/internal/auth"
	"kefu/internal/config"
	"kefu/internal/httpapi"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// loginToken signs in through h with extra request headers and returns the
// token and the session cookie set.
func loginToken(t *testing.T, h http.Handler, username, password string, hdr ...string) (string, *http.Cookie) {
	t.Helper()
	r := serve(t, h, "POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": password}, hdr...)
	if r.Code != http.StatusOK {
		t.Fatalf("login %s: %d %s", username, r.Code, r.Body)
	}
	var out struct{ Token string }
	r.decode(t, &out)
	for _, c := range r.cookies() {
		if c.Name == auth.SessionCookie {
			return out.Token, c
		}
	}
	t.Fatalf("login %s set no session cookie: %v", username, r.Header["Set-Cookie"])
	return "", nil
}

// Session fixation and revocation (issue 7): every login issues a new
// random token whatever credential the client brought; tokens are stored
// only as their SHA-256; logout revokes the session server-side.
func TestLoginIssuesFreshTokensAndLogoutRevokes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.user("agent", e.root.ID, auth.RoleCSAgent)
		t1 := e.login("agent")
		t2 := e.login("agent")
		if t1 == t2 || len(t1) < 43 || len(t2) < 43 {
			t.Fatalf("two logins gave tokens %q and %q; want two different 256-bit tokens", t1, t2)
		}

		// A client bringing a session id of its choosing, or a live one,
		// gets a new token: the server never adopts the one it was sent.
		const fixed = "attacker-chosen-session-id-0123456789abcdef"
		for _, brought := range []string{fixed, t1} {
			tok, ck := loginToken(t, e.h, "agent", testPassword, "Cookie", auth.SessionCookie+"="+brought)
			if tok == brought || ck.Value != tok {
				t.Errorf("login bringing %q answered token %q, cookie %q", brought, tok, ck.Value)
			}
		}
		wantError(t, e.do("GET", "/api/v1/auth/me", fixed, nil), 401, "unauthorized", "")
		wantError(t, e.do("GET", "/api/v1/auth/me", "", nil, "Cookie", auth.SessionCookie+"="+fixed), 401, "unauthorized", "")

		// Only the hash of a token is stored.
		sum := sha256.Sum256([]byte(t1))
		if n := e.count("SELECT count(*) FROM sessions WHERE token_hash = ?", t1); n != 0 {
			t.Errorf("the raw token is stored: %d rows", n)
		}
		if n := e.count("SELECT count(*) FROM sessions WHERE token_hash = ? AND revoked_at = 0", hex.EncodeToString(sum[:])); n != 1 {
			t.Errorf("sessions with the token's hash: %d, want 1", n)
		}

		// Logout revokes the session in the database: the token no longer
		// reads or writes, a second logout is refused, other sessions live on.
		if r := e.do("POST", "/api/v1/auth/logout", t1, nil); r.Code != http.StatusNoContent {
			t.Fatalf("logout: %d %s", r.Code, r.Body)
		}
		if n := e.count("SELECT count(*) FROM sessions WHERE token_hash = ? AND revoked_at > 0", hex.EncodeToString(sum[:])); n != 1 {
			t.Errorf("revoked sessions with the token's hash: %d, want 1", n)
		}
		wantError(t, e.do("GET", "/api/v1/auth/me", t1, nil), 401, "unauthorized", "")
		wantError(t, e.do("POST", "/api/v1/auth/password", t1,
			map[string]string{"current_password": testPassword, "new_password": "another-pass-1"}), 401, "unauthorized", "")
		wantError(t, e.do("POST", "/api/v1/auth/logout", t1, nil), 401, "unauthorized", "")
		if r := e.do("GET", "/api/v1/auth/me", t2, nil); r.Code != http.StatusOK {
			t.Errorf("the other session ended too: %d %s", r.Code, r.Body)
		}
	})
}

// openApp runs the whole kefu handler (app.Handler: security headers,
// cross-origin protection, body limits) on a fresh SQLite database.
func openApp(t *testing.T, password string) http.Handler {
	t.Helper()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.AdminPassword = password
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.Bootstrap(ctx, nil); err != nil {
		t.Fatal(err)
	}
	return a.Handler()
}

// The headers every answer carries, JSON and HTML alike, through the
// handler app serves (issue 7).
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	h := openApp(t, testPassword)
	tok, ck := loginToken(t, h, "admin", testPassword)
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.MaxAge <= 0 || ck.Secure {
		t.Errorf("session cookie over HTTP = %+v", ck)
	}
	answers := map[string]res{
		"JSON":       serve(t, h, "GET", "/api/v1/auth/me", tok, nil),
		"JSON error": serve(t, h, "GET", "/api/v1/auth/me", "", nil),
		"HTML":       serve(t, h, "GET", "/login", "", nil),
	}
	for what, r := range answers {
		for k, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"X-Frame-Options":        "DENY",
			"Referrer-Policy":        "same-origin",
		} {
			if got := r.Header.Get(k); got != want {
				t.Errorf("%s: %s = %q, want %q", what, k, got, want)
			}
		}
		csp := r.Header.Get("Content-Security-Policy")
		for _, d := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, d) {
				t.Errorf("%s: Content-Security-Policy %q lacks %s", what, csp, d)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: Content-Security-Policy %q allows inline code", what, csp)
		}
		if hsts := r.Header.Get("Strict-Transport-Security"); hsts != "" {
			t.Errorf("%s: HSTS %q over plain HTTP", what, hsts)
		}
	}
	for _, what := range []string{"JSON", "JSON error"} {
		r := answers[what]
		if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", what, ct)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q", what, cc)
		}
	}

	// Over HTTPS: HSTS, and the session cookie is Secure.
	req := httptest.NewRequest("POST", "https://kefu.example/api/v1/auth/login",
		strings.NewReader(`{"username":"admin","password":"`+testPassword+`"}`))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Header().Get("Strict-Transport-Security") != "max-age=31536000" {
		t.Errorf("login over HTTPS: %d, HSTS %q", rec.Code, rec.Header().Get("Strict-Transport-Security"))
	}
	if cs := rec.Result().Cookies(); len(cs) != 1 || !cs[0].Secure || !cs[0].HttpOnly {
		t.Errorf("session cookie over HTTPS = %v", rec.Header()["Set-Cookie"])
	}
	// --secure-cookies marks it Secure behind a TLS-terminating proxy too.
	rec = httptest.NewRecorder()
	httpapi.SetSessionCookie(rec, httptest.NewRequest("GET", "/", nil), "t", 60, true)
	if cs := rec.Result().Cookies(); len(cs) != 1 || !cs[0].Secure {
		t.Errorf("SetSessionCookie with secure = %v", rec.Header()["Set-Cookie"])
	}
}

// Cross-origin protection (issue 7): a browser's state-changing request
// from another origin is refused, whether it would ride on the session
// cookie (API or UI form) or not; same-origin requests and non-browser
// clients with a bearer token (which a foreign page cannot attach) pass.
func TestCrossOriginRequestsRefused(t *testing.T) {
	t.Parallel()
	h := openApp(t, testPassword)
	tok, _ := loginToken(t, h, "admin", testPassword)
	cookie := []string{"Cookie", auth.SessionCookie + "=" + tok}
	form := url.Values{"username": {"admin"}, "password": {testPassword}}.Encode()

	for _, c := range []struct {
		what   string
		method string
		path   string
		body   any
		hdr    []string
	}{
		{"cookie logout, cross-site fetch", "POST", "/api/v1/auth/logout", nil, append([]string{"Sec-Fetch-Site", "cross-site"}, cookie...)},
		{"cookie logout, same-site sibling", "POST", "/api/v1/auth/logout", nil, append([]string{"Sec-Fetch-Site", "same-site"}, cookie...)},
		{"cookie logout, foreign Origin", "POST", "/api/v1/auth/logout", nil, append([]string{"Origin", "https://evil.example"}, cookie...)},
		{"UI logout form", "POST", "/logout", nil, append([]string{"Sec-Fetch-Site", "cross-site", "Content-Type", "application/x-www-form-urlencoded"}, cookie...)},
		{"login CSRF", "POST", "/login", form, []string{"Origin", "https://evil.example", "Content-Type", "application/x-www-form-urlencoded"}},
		{"API login from a foreign page", "POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": testPassword},
			[]string{"Sec-Fetch-Site", "cross-site"}},
	} {
		r := serve(t, h, c.method, c.path, "", c.body, c.hdr...)
		if r.Code != http.StatusForbidden || len(r.cookies()) != 0 {
			t.Errorf("%s: %d %v %s, want 403 and no cookie", c.what, r.Code, r.Header["Set-Cookie"], r.Body)
		}
	}
	if r := serve(t, h, "GET", "/api/v1/auth/me", tok, nil); r.Code != http.StatusOK {
		t.Fatalf("a refused cross-origin logout ended the session: %d", r.Code)
	}
	// Reads are not state-changing: a cross-site GET is answered.
	if r := serve(t, h, "GET", "/api/v1/auth/me", "", nil, append([]string{"Sec-Fetch-Site", "cross-site"}, cookie...)...); r.Code != http.StatusOK {
		t.Errorf("cross-site GET: %d", r.Code)
	}
	// Same origin (by Sec-Fetch-Site or by Origin) passes.
	if r := serve(t, h, "POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": testPassword},
		"Origin", "http://example.com"); r.Code != http.StatusOK {
		t.Errorf("same-origin login: %d %s", r.Code, r.Body)
	}
	// A bearer-token client (no browser headers) writes.
	if r := serve(t, h, "POST", "/api/v1/auth/logout", tok, nil); r.Code != http.StatusNoContent {
		t.Errorf("bearer logout: %d %s", r.Code, r.Body)
	}
	if r := serve(t, h, "GET", "/api/v1/auth/me", tok, nil); r.Code != http.StatusUnauthorized {
		t.Errorf("after logout: %d", r.Code)
	}
}

// TestTemporaryPasswordOpensOnlyAuthRoutes: after an administrator resets
// a password (temporary by default), the API answers 403
// password_change_required everywhere but /api/v1/auth/… until the user
// has changed it, as the web UI redirects to its password page.
func TestTemporaryPasswordOpensOnlyAuthRoutes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.user("temp.agent", e.root.ID, auth.RoleCSAgent)
		r := e.do("POST", "/api/v1/users/"+u.ID.String()+"/password", e.adminTok, map[string]any{"password": "temporary-pass-1"})
		if r.Code >= 300 {
			t.Fatalf("reset: %d %s", r.Code, r.Body)
		}
		r = e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "temp.agent", "password": "temporary-pass-1"})
		var login struct{ Token string }
		r.decode(t, &login)
		wantError(t, e.do("GET", "/api/v1/tickets", login.Token, nil), http.StatusForbidden, "password_change_required", "")
		if r := e.do("GET", "/api/v1/auth/me", login.Token, nil); r.Code != http.StatusOK {
			t.Errorf("me with a temporary password: %d", r.Code)
		}
		r = e.do("POST", "/api/v1/auth/password", login.Token, map[string]string{"current_password": "temporary-pass-1",
			"new_password": "my-own-pass-2026"})
		if r.Code >= 300 {
			t.Fatalf("change: %d %s", r.Code, r.Body)
		}
		if r := e.do("GET", "/api/v1/tickets", login.Token, nil); r.Code != http.StatusOK {
			t.Errorf("after the change: %d %s", r.Code, r.Body)
		}
	})
}
