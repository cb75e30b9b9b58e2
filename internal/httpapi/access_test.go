package httpapi_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/httpapi"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// fill replaces the path parameters of a route pattern with existing ids.
func fill(pattern string, ids map[string]string) string {
	id := "1"
	for prefix, v := range ids {
		if strings.HasPrefix(pattern, prefix) {
			id = v
		}
	}
	return pathParam.ReplaceAllString(pattern, id)
}

// TestAccessMatrix signs in one user per role (each holding only that role,
// in the root unit) and calls every route: a role without the route's
// permission is refused with 403 and nothing is written; a role with it is
// not refused; public routes never ask for a sign-in.
func TestAccessMatrix(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		target := e.user("target", e.root.ID, auth.RoleCSAgent)
		unit := e.unit(e.root.ID, org.Company, "目标公司")
		ids := map[string]string{"/api/v1/users/": target.ID.String(), "/api/v1/org-units/": unit.ID.String()}

		routes := e.api.Routes()
		if len(routes) < 15 {
			t.Fatalf("only %d routes", len(routes))
		}
		// Logout ends the caller's session, so it goes last.
		var ordered []httpapi.Route
		var last []httpapi.Route
		for _, rt := range routes {
			if rt.Path == "/api/v1/auth/logout" {
				last = append(last, rt)
			} else {
				ordered = append(ordered, rt)
			}
		}
		ordered = append(ordered, last...)

		state := func() [4]int {
			return [4]int{e.auditCount(), e.count("SELECT count(*) FROM users"), e.count("SELECT count(*) FROM org_units"),
				e.count("SELECT count(*) FROM sessions WHERE revoked_at = 0")}
		}
		var body = func(rt httpapi.Route) any {
			if rt.Method == "GET" {
				return nil
			}
			return `{}`
		}

		// Without a token: 401 for every non-public route, never for a public one.
		for _, rt := range routes {
			r := e.do(rt.Method, fill(rt.Path, ids), "", body(rt))
			if rt.Public {
				if r.Code == http.StatusUnauthorized || r.Code == http.StatusForbidden {
					t.Errorf("public %s %s answers %d without a token", rt.Method, rt.Path, r.Code)
				}
			} else {
				wantError(t, r, http.StatusUnauthorized, "unauthorized", "")
			}
		}

		denied := 0
		for _, info := range auth.Roles {
			role := info.Key
			name := "role-" + strings.ReplaceAll(string(role), "_", "-")
			e.user(name, e.root.ID, role)
			tok := e.login(name)
			for _, rt := range ordered {
				path := fill(rt.Path, ids)
				before := state()
				r := e.do(rt.Method, path, tok, body(rt))
				switch {
				case rt.Public:
					if r.Code == http.StatusUnauthorized || r.Code == http.StatusForbidden {
						t.Errorf("%s: public %s %s answers %d", role, rt.Method, rt.Path, r.Code)
					}
				case !auth.Grants([]auth.Role{role}, rt.Permission):
					denied++
					if r.Code != http.StatusForbidden {
						t.Errorf("%s lacks %s but %s %s answers %d: %s", role, rt.Permission, rt.Method, path, r.Code, r.Body)
						continue
					}
					if e := errorOf(t, r); e.Code != "forbidden" {
						t.Errorf("%s %s %s: 403 with code %s", role, rt.Method, path, e.Code)
					}
					if after := state(); after != before {
						t.Errorf("%s %s %s was refused but wrote: %v → %v", role, rt.Method, path, before, after)
					}
				default:
					if r.Code == http.StatusUnauthorized || r.Code == http.StatusForbidden || r.Code >= 500 {
						t.Errorf("%s holds %q but %s %s answers %d: %s", role, rt.Permission, rt.Method, path, r.Code, r.Body)
					}
				}
			}
		}
		if denied == 0 {
			t.Error("no role was refused anything: the matrix tests nothing")
		}
	})
}
