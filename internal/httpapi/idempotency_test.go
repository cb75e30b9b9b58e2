package httpapi_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		newUser := func(name string) map[string]any {
			return map[string]any{"username": name, "password": testPassword, "roles": []string{"cs_agent"}}
		}
		users := func() int { return e.count("SELECT count(*) FROM users") }
		key := func(k string) []string { return []string{"Idempotency-Key", k} }

		n0, rows0 := users(), e.auditCount()
		first := e.do("POST", "/api/v1/users", e.adminTok, newUser("idem1"), key("k1")...)
		if first.Code != http.StatusCreated || first.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("first: %d %v %s", first.Code, first.Header, first.Body)
		}
		second := e.do("POST", "/api/v1/users", e.adminTok, newUser("idem1"), key("k1")...)
		if second.Code != http.StatusCreated || !bytes.Equal(second.Body, first.Body) ||
			second.Header.Get("Idempotent-Replayed") != "true" ||
			second.Header.Get("Location") == "" || second.Header.Get("Location") != first.Header.Get("Location") ||
			!strings.HasPrefix(second.Header.Get("Content-Type"), "application/json") {
			t.Errorf("repeat: %d replayed=%q %s, want the first answer %s",
				second.Code, second.Header.Get("Idempotent-Replayed"), second.Body, first.Body)
		}
		if users() != n0+1 || e.auditCount() != rows0+1 {
			t.Errorf("after a repeat: %d users and %d audit rows written, want 1 and 1", users()-n0, e.auditCount()-rows0)
		}

		// Same key, different body: refused, nothing written.
		wantError(t, e.do("POST", "/api/v1/users", e.adminTok, newUser("idem2"), key("k1")...), 409, "conflict", "Idempotency-Key")
		// Same key, same body, other path: a different request too.
		wantError(t, e.do("POST", "/api/v1/org-units", e.adminTok, newUser("idem1"), key("k1")...), 409, "conflict", "Idempotency-Key")
		if users() != n0+1 {
			t.Error("a conflicting key wrote a user")
		}

		// Keys belong to their user: another admin's k1 is a new request.
		e.user("admin2", e.root.ID, auth.RoleAdmin)
		tok2 := e.login("admin2")
		r := e.do("POST", "/api/v1/users", tok2, newUser("idem2"), key("k1")...)
		if r.Code != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "" {
			t.Errorf("other user's k1: %d %s", r.Code, r.Body)
		}
		if again := e.do("POST", "/api/v1/users", tok2, newUser("idem2"), key("k1")...); !bytes.Equal(again.Body, r.Body) ||
			again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("other user's repeat: %d %s", again.Code, again.Body)
		}

		// A 4xx answer is replayed as well, even once the request would succeed.
		closed := e.unit(e.root.ID, org.Company, "停用公司")
		off := false
		if _, err := e.org.Update(t.Context(), closed.ID, org.UpdateInput{Active: &off}); err != nil {
			t.Fatal(err)
		}
		body := newUser("idem4")
		body["org_unit"] = closed.ID.String()
		refused := e.do("POST", "/api/v1/users", e.adminTok, body, key("k4")...)
		wantError(t, refused, 422, "validation_failed", "org_unit")
		if r := e.do("PATCH", "/api/v1/org-units/"+closed.ID.String(), e.adminTok, map[string]any{"active": true}); r.Code != http.StatusOK {
			t.Fatalf("reactivate: %d %s", r.Code, r.Body)
		}
		replay := e.do("POST", "/api/v1/users", e.adminTok, body, key("k4")...)
		if replay.Code != 422 || !bytes.Equal(replay.Body, refused.Body) || replay.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("4xx replay: %d %s", replay.Code, replay.Body)
		}
		if e.count("SELECT count(*) FROM users WHERE username_key = 'idem4'") != 0 {
			t.Error("the replayed request ran again")
		}
		if r := e.do("POST", "/api/v1/users", e.adminTok, body, key("k5")...); r.Code != http.StatusCreated {
			t.Errorf("same body, fresh key: %d %s", r.Code, r.Body)
		}

		// A 204 without a body replays too.
		tgt := e.user("target", e.root.ID, auth.RoleViewer)
		reset := map[string]any{"password": "another-pass-1"}
		p1 := e.do("POST", "/api/v1/users/"+tgt.ID.String()+"/password", e.adminTok, reset, key("k6")...)
		rows := e.auditCount()
		p2 := e.do("POST", "/api/v1/users/"+tgt.ID.String()+"/password", e.adminTok, reset, key("k6")...)
		if p1.Code != http.StatusNoContent || p2.Code != http.StatusNoContent || p2.Header.Get("Idempotent-Replayed") != "true" ||
			len(p2.Body) != 0 || e.auditCount() != rows {
			t.Errorf("204 replay: %d/%d replayed=%q body %q, %d new audit rows", p1.Code, p2.Code,
				p2.Header.Get("Idempotent-Replayed"), p2.Body, e.auditCount()-rows)
		}

		// Overlong keys are refused.
		wantError(t, e.do("POST", "/api/v1/users", e.adminTok, newUser("idem7"), key(strings.Repeat("k", 256))...),
			422, "validation_failed", "Idempotency-Key")
	})
}
