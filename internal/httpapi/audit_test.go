package httpapi_test

import (
	"net/http"
	"strconv"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/httpkit"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestAuditTrail: every state-changing success writes exactly one audit row
// naming the actor and the request id the client sent; failures write none.
func TestAuditTrail(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		agent := e.user("agent", e.root.ID, auth.RoleCSAgent)
		agentTok := e.login("agent")
		var created struct{ ID string }

		steps := []struct {
			name         string
			method, path func() string
			token        func() string
			body         any
			status       int
			action       string
			actor        func() store.ID
			after        func(r res)
		}{
			{name: "create unit", method: s("POST"), path: s("/api/v1/org-units"), token: func() string { return e.adminTok },
				body:   map[string]any{"parent_id": e.root.ID, "kind": "company", "name": "分公司"},
				status: 201, action: "org_unit.create", actor: id(e.admin.ID), after: func(r res) { r.decode(t, &created) }},
			{name: "update unit", method: s("PATCH"), path: func() string { return "/api/v1/org-units/" + created.ID },
				token: func() string { return e.adminTok }, body: map[string]any{"code": "FGS"},
				status: 200, action: "org_unit.update", actor: id(e.admin.ID)},
			{name: "create user", method: s("POST"), path: s("/api/v1/users"), token: func() string { return e.adminTok },
				body:   map[string]any{"username": "new", "password": testPassword, "roles": []string{"viewer"}},
				status: 201, action: "user.create", actor: id(e.admin.ID), after: func(r res) { r.decode(t, &created) }},
			{name: "update user", method: s("PATCH"), path: func() string { return "/api/v1/users/" + created.ID },
				token: func() string { return e.adminTok }, body: map[string]any{"phone": "12345"},
				status: 200, action: "user.update", actor: id(e.admin.ID)},
			{name: "reset password", method: s("POST"), path: func() string { return "/api/v1/users/" + created.ID + "/password" },
				token: func() string { return e.adminTok }, body: map[string]any{"password": "another-pass"},
				status: 204, action: "user.reset_password", actor: id(e.admin.ID)},
			{name: "change password", method: s("POST"), path: s("/api/v1/auth/password"), token: func() string { return agentTok },
				body:   map[string]any{"current_password": testPassword, "new_password": "agent-pass-2"},
				status: 204, action: "user.change_password", actor: id(agent.ID)},
			{name: "login", method: s("POST"), path: s("/api/v1/auth/login"), token: s(""),
				body:   map[string]any{"username": "agent", "password": "agent-pass-2"},
				status: 200, action: "auth.login", actor: id(agent.ID)},
			{name: "logout", method: s("POST"), path: s("/api/v1/auth/logout"), token: func() string { return agentTok },
				status: 204, action: "auth.logout", actor: id(agent.ID)},
		}
		for i, c := range steps {
			reqID := "req-" + strconv.Itoa(i) + "-abcdef"
			before := e.auditCount()
			r := e.do(c.method(), c.path(), c.token(), c.body, httpkit.RequestIDHeader, reqID)
			if r.Code != c.status {
				t.Fatalf("%s: %d %s", c.name, r.Code, r.Body)
			}
			if got := r.Header.Get(httpkit.RequestIDHeader); got != reqID {
				t.Errorf("%s: X-Request-Id echoed %q, want %q", c.name, got, reqID)
			}
			if n := e.auditCount() - before; n != 1 {
				t.Fatalf("%s wrote %d audit rows, want 1", c.name, n)
			}
			row := e.lastAudit()
			if row.Action != c.action || row.ActorID != c.actor() || row.RequestID != reqID || !row.At.Equal(e.clk.Now()) {
				t.Errorf("%s: audit row %s actor %d request %q at %v; want %s actor %d request %q at %v",
					c.name, row.Action, row.ActorID, row.RequestID, row.At, c.action, c.actor(), reqID, e.clk.Now())
			}
			if c.after != nil {
				c.after(r)
			}
		}

		// Failures write nothing.
		before := e.auditCount()
		for _, c := range []struct {
			method, path, token string
			body                any
		}{
			{"POST", "/api/v1/users", e.adminTok, map[string]any{"username": "new", "password": testPassword, "roles": []string{"viewer"}}},
			{"POST", "/api/v1/org-units", e.adminTok, map[string]any{"parent_id": e.root.ID, "kind": "company", "name": "分公司"}},
			{"PATCH", "/api/v1/users/" + e.admin.ID.String(), e.adminTok, map[string]any{"roles": []string{"viewer"}}},
			{"POST", "/api/v1/auth/login", "", map[string]any{"username": "agent", "password": "wrong-pass"}},
		} {
			if r := e.do(c.method, c.path, c.token, c.body); r.Code < 400 {
				t.Errorf("%s %s succeeded: %d", c.method, c.path, r.Code)
			}
		}
		if n := e.auditCount(); n != before {
			t.Errorf("refused requests wrote %d audit rows", n-before)
		}

		// An id that is not sane is replaced, and the replacement is stored.
		r := e.do("PATCH", "/api/v1/users/"+agent.ID.String(), e.adminTok, map[string]any{"position": "班长"},
			httpkit.RequestIDHeader, "bad id<script>")
		got := r.Header.Get(httpkit.RequestIDHeader)
		if r.Code != http.StatusOK || got == "" || got == "bad id<script>" {
			t.Fatalf("insane request id: %d, echoed %q", r.Code, got)
		}
		if row := e.lastAudit(); row.RequestID != got {
			t.Errorf("stored request id %q, answered %q", row.RequestID, got)
		}
	})
}

func s(v string) func() string      { return func() string { return v } }
func id(v store.ID) func() store.ID { return func() store.ID { return v } }
