package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"kefu/internal/httpkit"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestHealth(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		r := e.do("GET", "/api/v1/health", "", nil)
		var h struct{ Status, DB, Version string }
		r.decode(t, &h)
		if r.Code != http.StatusOK || h.Status != "ok" || h.DB != string(db.Dialect()) || h.Version != "test" {
			t.Errorf("health = %d %+v", r.Code, h)
		}
	})
}

func TestErrorShape(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		users := e.count("SELECT count(*) FROM users")
		rows := e.auditCount()
		for _, c := range []struct {
			name         string
			method, path string
			body         any
			status       int
			code, field  string
		}{
			{"truncated JSON", "POST", "/api/v1/users", `{"username":`, 400, "malformed_request", ""},
			{"syntax error", "POST", "/api/v1/users", `{username: "x"}`, 400, "malformed_request", ""},
			{"empty body", "POST", "/api/v1/users", ``, 400, "malformed_request", ""},
			{"no body", "POST", "/api/v1/users", nil, 400, "malformed_request", ""},
			{"array body", "POST", "/api/v1/users", `[]`, 400, "malformed_request", ""},
			{"string body", "POST", "/api/v1/users", `"x"`, 400, "malformed_request", ""},
			{"trailing data", "POST", "/api/v1/users", `{} {}`, 400, "malformed_request", ""},
			{"unknown field", "POST", "/api/v1/users", `{"username":"u1","nickname":"x"}`, 422, "validation_failed", "nickname"},
			{"number for username", "POST", "/api/v1/users", `{"username":5}`, 422, "validation_failed", "username"},
			{"abc for org_unit", "POST", "/api/v1/users", `{"username":"u1","org_unit":"abc"}`, 422, "validation_failed", "org_unit"},
			{"negative org_unit", "POST", "/api/v1/users", `{"org_unit":-3}`, 422, "validation_failed", "org_unit"},
			{"string for roles", "POST", "/api/v1/users", `{"roles":"admin"}`, 422, "validation_failed", "roles"},
			{"string for active", "PATCH", "/api/v1/users/" + e.admin.ID.String(), `{"active":"no"}`, 422, "validation_failed", "active"},
			{"object for kind", "POST", "/api/v1/org-units", `{"kind":{}}`, 422, "validation_failed", "kind"},
			{"missing username", "POST", "/api/v1/users", `{}`, 422, "validation_failed", "username"},
			{"bad id in path", "GET", "/api/v1/users/abc", nil, 404, "not_found", "id"},
			{"zero id in path", "PATCH", "/api/v1/org-units/0", `{}`, 404, "not_found", "id"},
			{"no such user", "GET", "/api/v1/users/987654", nil, 404, "not_found", "user"},
			{"no such unit", "GET", "/api/v1/org-units/987654", nil, 404, "not_found", "org_unit"},
			{"unknown route", "GET", "/api/v1/nope", nil, 404, "not_found", ""},
			{"unknown nested route", "POST", "/api/v1/users/1/nope", `{}`, 404, "not_found", ""},
			{"bad role filter", "GET", "/api/v1/users?role=root", nil, 422, "validation_failed", "role"},
			{"bad active filter", "GET", "/api/v1/users?active=maybe", nil, 422, "validation_failed", "active"},
			{"bad unit filter", "GET", "/api/v1/users?org_unit=abc", nil, 422, "validation_failed", "org_unit"},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := e.do(c.method, c.path, e.adminTok, c.body)
				wantError(t, r, c.status, c.code, c.field)
				if r.Code >= 500 {
					t.Errorf("bad input answered %d", r.Code)
				}
			})
		}
		if n := e.count("SELECT count(*) FROM users"); n != users {
			t.Errorf("bad requests created %d users", n-users)
		}
		if n := e.auditCount(); n != rows {
			t.Errorf("bad requests wrote %d audit rows", n-rows)
		}

		t.Run("wrong method", func(t *testing.T) {
			r := e.do("DELETE", "/api/v1/users", e.adminTok, nil)
			wantError(t, r, http.StatusMethodNotAllowed, "method_not_allowed", "")
			allow := r.Header.Get("Allow")
			if !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
				t.Errorf("Allow = %q, want GET and POST", allow)
			}
			r = e.do("PUT", "/api/v1/org-units/1", e.adminTok, `{}`)
			wantError(t, r, http.StatusMethodNotAllowed, "method_not_allowed", "")
			if allow := r.Header.Get("Allow"); !strings.Contains(allow, "PATCH") {
				t.Errorf("Allow = %q, want PATCH", allow)
			}
		})

		t.Run("too large", func(t *testing.T) {
			small := httpkit.RequestID(httpkit.LimitBody(1024, e.api))
			long := `{"username":"` + strings.Repeat("a", 2000) + `","password":"` + testPassword + `"}`
			for _, c := range []struct {
				name, path string
				hdr        []string
			}{
				{"create user", "/api/v1/users", nil},
				{"with idempotency key", "/api/v1/users", []string{"Idempotency-Key", "big-1"}},
				{"login", "/api/v1/auth/login", nil},
			} {
				r := serve(t, small, "POST", c.path, e.adminTok, long, c.hdr...)
				if r.Code != http.StatusRequestEntityTooLarge {
					t.Fatalf("%s: status %d, want 413: %s", c.name, r.Code, r.Body)
				}
				wantError(t, r, http.StatusRequestEntityTooLarge, "too_large", "")
			}
			// Just under the limit is fine.
			ok := `{"username":"` + strings.Repeat("a", 10) + `","password":"` + testPassword + `","roles":["viewer"]}`
			if r := serve(t, small, "POST", "/api/v1/users", e.adminTok, ok); r.Code != http.StatusCreated {
				t.Errorf("small body: %d %s", r.Code, r.Body)
			}
		})

		t.Run("language", func(t *testing.T) {
			body := `{"username":"u1","nickname":"x"}`
			for _, c := range []struct {
				hdr  []string
				want string
			}{
				{nil, "未知字段"},
				{[]string{"Accept-Language", "en-US,en;q=0.9"}, "unknown field"},
				{[]string{"Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8"}, "未知字段"},
				{[]string{"Accept-Language", "fr-FR, en;q=0.5, zh;q=0.4"}, "unknown field"},
				{[]string{"Accept-Language", "de"}, "未知字段"},
				{[]string{"Accept-Language", "zh", "Cookie", "kefu_lang=en"}, "unknown field"},
			} {
				r := e.do("POST", "/api/v1/users", e.adminTok, body, c.hdr...)
				if got := wantError(t, r, 422, "validation_failed", "nickname"); got.Message != c.want {
					t.Errorf("%v: message %q, want %q", c.hdr, got.Message, c.want)
				}
			}
			r := e.do("GET", "/api/v1/nope", "", nil, "Accept-Language", "en")
			if got := wantError(t, r, 404, "not_found", ""); !strings.HasPrefix(got.Message, "no such endpoint") {
				t.Errorf("unknown route in English: %q", got.Message)
			}
			r = e.do("GET", "/api/v1/auth/me", "", nil)
			if got := wantError(t, r, 401, "unauthorized", ""); got.Message != "请先登录" {
				t.Errorf("401 in Chinese: %q", got.Message)
			}
		})
	})
}
