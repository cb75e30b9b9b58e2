package httpapi_test

import (
	"strings"
	"testing"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestBadText: text PostgreSQL cannot store (NUL, invalid UTF-8) anywhere in
// a request is bad input, answered with 4xx on both databases, never 500.
func TestBadText(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		login := `{"username":"admin","password":"` + testPassword + `"}`
		for _, c := range []struct {
			name, method, path, body string
			hdr                      []string
			admin                    bool
			status                   int
			field                    string
		}{
			{"NUL in login username", "POST", "/api/v1/auth/login", `{"username":"a\u0000b","password":"x"}`, nil, false, 422, "username"},
			{"NUL in display_name", "POST", "/api/v1/users", `{"username":"abc","password":"` + testPassword + `","display_name":"a\u0000","roles":["viewer"]}`, nil, true, 422, "display_name"},
			{"NUL in a role", "POST", "/api/v1/users", `{"username":"abc","password":"` + testPassword + `","roles":["viewer\u0000"]}`, nil, true, 422, "roles"},
			{"NUL in unit name", "POST", "/api/v1/org-units", `{"parent_id":1,"kind":"company","name":"a\u0000"}`, nil, true, 422, "name"},
			{"NUL in unit code", "PATCH", "/api/v1/org-units/1", `{"code":"\u0000"}`, nil, true, 422, "code"},
			{"NUL in q", "GET", "/api/v1/users?q=%00", ``, nil, true, 422, "q"},
			{"invalid UTF-8 in q", "GET", "/api/v1/users?q=%FF", ``, nil, true, 422, "q"},
			{"invalid UTF-8 in audit filter", "GET", "/api/v1/audit?action=%FF", ``, nil, true, 422, "action"},
			{"invalid UTF-8 key", "POST", "/api/v1/users", `{}`, []string{"Idempotency-Key", "\xff"}, true, 422, "Idempotency-Key"},
			{"control character in key", "POST", "/api/v1/users", `{}`, []string{"Idempotency-Key", "a\x01"}, true, 422, "Idempotency-Key"},
		} {
			t.Run(c.name, func(t *testing.T) {
				tok := ""
				if c.admin {
					tok = e.adminTok
				}
				var body any
				if c.body != "" {
					body = c.body
				}
				wantError(t, e.do(c.method, c.path, tok, body, c.hdr...), c.status, "validation_failed", c.field)
			})
		}
		// A long or broken User-Agent is stored cleaned up, not refused.
		for _, ua := range []string{strings.Repeat("浏", 100), "\xff\xfe", "a\x00b"} {
			if r := e.do("POST", "/api/v1/auth/login", "", login, "User-Agent", ua); r.Code != 200 {
				t.Errorf("login with User-Agent %q: %d %s", ua, r.Code, r.Body)
			}
		}
	})
}
