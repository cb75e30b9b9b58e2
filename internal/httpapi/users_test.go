package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestUsersAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		dept := e.unit(e.root.ID, org.Department, "客服部")
		body := map[string]any{"username": "wang", "password": testPassword, "display_name": "王芳",
			"roles": []string{"cs_agent"}, "org_unit": dept.ID.String()}

		r := e.do("POST", "/api/v1/users", e.adminTok, body)
		if r.Code != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Code, r.Body)
		}
		var u userJSON
		r.decode(t, &u)
		if u.Username != "wang" || u.DisplayName != "王芳" || u.OrgUnit != dept.ID.String() || !u.Active ||
			!slices.Equal(u.Roles, []string{"cs_agent"}) {
			t.Errorf("created = %s", r.Body)
		}
		if loc := r.Header.Get("Location"); loc != "/api/v1/users/"+u.ID {
			t.Errorf("Location = %q, want /api/v1/users/%s", loc, u.ID)
		}
		if bytes.Contains(r.Body, []byte("argon2")) || bytes.Contains(r.Body, []byte(testPassword)) {
			t.Errorf("answer leaks the password: %s", r.Body)
		}
		// The Location answers the same user; org_unit may also be a number.
		got := e.do("GET", r.Header.Get("Location"), e.adminTok, nil)
		var again userJSON
		got.decode(t, &again)
		if got.Code != http.StatusOK || again.ID != u.ID || again.Username != "wang" {
			t.Errorf("GET Location = %d %s", got.Code, got.Body)
		}

		body["username"] = "WANG"
		wantError(t, e.do("POST", "/api/v1/users", e.adminTok, body), 409, "conflict", "username")

		agentTok := e.login("wang")
		body["username"] = "li"
		rows := e.auditCount()
		wantError(t, e.do("POST", "/api/v1/users", agentTok, body), 403, "forbidden", "")
		wantError(t, e.do("POST", "/api/v1/users", "", body), 401, "unauthorized", "")
		wantError(t, e.do("POST", "/api/v1/users", "not-a-token", body), 401, "unauthorized", "")
		if e.auditCount() != rows || e.count("SELECT count(*) FROM users WHERE username_key = 'li'") != 0 {
			t.Error("refused create wrote something")
		}
		body["org_unit"] = 5.5
		wantError(t, e.do("POST", "/api/v1/users", e.adminTok, body), 422, "validation_failed", "org_unit")
		body["org_unit"] = dept.ID
		if r := e.do("POST", "/api/v1/users", e.adminTok, body); r.Code != http.StatusCreated {
			t.Errorf("org_unit as a number: %d %s", r.Code, r.Body)
		}

		// Update and reset through the API.
		pr := e.do("PATCH", "/api/v1/users/"+u.ID, e.adminTok, map[string]any{"display_name": "王芳芳", "roles": []string{"cs_supervisor"}})
		var upd userJSON
		pr.decode(t, &upd)
		if pr.Code != http.StatusOK || upd.DisplayName != "王芳芳" || !slices.Equal(upd.Roles, []string{"cs_supervisor"}) {
			t.Errorf("PATCH = %d %s", pr.Code, pr.Body)
		}
		wantError(t, e.do("PATCH", "/api/v1/users/"+e.admin.ID.String(), e.adminTok, map[string]any{"active": false}), 409, "conflict", "roles")
		wantError(t, e.do("POST", "/api/v1/users/"+u.ID+"/password", e.adminTok, map[string]any{"password": "short"}), 422, "validation_failed", "password")
		if r := e.do("POST", "/api/v1/users/"+u.ID+"/password", e.adminTok, map[string]any{"password": "reset-pass-1"}); r.Code != http.StatusNoContent {
			t.Fatalf("reset: %d %s", r.Code, r.Body)
		}
		wantError(t, e.do("GET", "/api/v1/auth/me", agentTok, nil), 401, "unauthorized", "")
		lr := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "wang", "password": "reset-pass-1"})
		var login struct{ User userJSON }
		lr.decode(t, &login)
		if lr.Code != http.StatusOK || !bytes.Contains(lr.Body, []byte(`"must_change_password":true`)) {
			t.Errorf("login after reset: %d %s", lr.Code, lr.Body)
		}

		// Roles, localised.
		for _, c := range []struct{ lang, admin string }{{"", "系统管理员"}, {"en", "Administrator"}} {
			var roles listJSON[struct {
				Key         string   `json:"key"`
				Name        string   `json:"name"`
				Permissions []string `json:"permissions"`
			}]
			e.do("GET", "/api/v1/roles", e.adminTok, nil, "Accept-Language", c.lang).decode(t, &roles)
			if len(roles.Items) != len(auth.Roles) || roles.Items[0].Key != "admin" || roles.Items[0].Name != c.admin {
				t.Errorf("roles (%q) = %+v", c.lang, roles.Items)
			}
		}

		// Org units through the API.
		var units listJSON[org.Unit]
		e.do("GET", "/api/v1/org-units", e.adminTok, nil).decode(t, &units)
		if len(units.Items) != 2 || units.Items[0].ID != e.root.ID || units.NextCursor != nil {
			t.Errorf("org-units = %+v", units)
		}
		cr := e.do("POST", "/api/v1/org-units", e.adminTok, map[string]any{"parent_id": dept.ID.String(), "kind": "team", "name": "一班"})
		var team org.Unit
		cr.decode(t, &team)
		if cr.Code != http.StatusCreated || cr.Header.Get("Location") != "/api/v1/org-units/"+team.ID.String() || team.Depth != 2 {
			t.Errorf("create unit = %d %s", cr.Code, cr.Body)
		}
		wantError(t, e.do("POST", "/api/v1/org-units", e.adminTok, map[string]any{"parent_id": team.ID, "kind": "team", "name": "x"}),
			422, "validation_failed", "kind")
		wantError(t, e.do("POST", "/api/v1/org-units", e.adminTok, map[string]any{"parent_id": dept.ID, "kind": "team", "name": "一班"}),
			409, "conflict", "name")
		var sub listJSON[org.Unit]
		e.do("GET", "/api/v1/org-units/"+dept.ID.String()+"/subtree", e.adminTok, nil).decode(t, &sub)
		if len(sub.Items) != 2 || sub.Items[0].ID != dept.ID || sub.Items[1].ID != team.ID {
			t.Errorf("subtree = %+v", sub.Items)
		}
		var one org.Unit
		e.do("PATCH", "/api/v1/org-units/"+team.ID.String(), e.adminTok, map[string]any{"name": "二班"}).decode(t, &one)
		if one.Name != "二班" {
			t.Errorf("PATCH unit = %+v", one)
		}
		e.do("GET", "/api/v1/org-units/"+team.ID.String(), e.adminTok, nil).decode(t, &one)
		if one.ID != team.ID || one.Name != "二班" {
			t.Errorf("GET unit = %+v", one)
		}
	})
}

// TestUsersScopeAPI: a supervisor sees their own subtree and nothing of a
// sibling unit, through the API.
func TestUsersScopeAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		a := e.unit(e.root.ID, org.Company, "A")
		b := e.unit(e.root.ID, org.Company, "B")
		e.user("sup", a.ID, auth.RoleCSSupervisor)
		inA := e.user("in-a", a.ID, auth.RoleCSAgent)
		inB := e.user("in-b", b.ID, auth.RoleCSAgent)
		tok := e.login("sup")
		if r := e.do("GET", "/api/v1/users/"+inA.ID.String(), tok, nil); r.Code != http.StatusOK {
			t.Errorf("own subtree: %d", r.Code)
		}
		wantError(t, e.do("GET", "/api/v1/users/"+inB.ID.String(), tok, nil), 404, "not_found", "user")
		var l listJSON[userJSON]
		e.do("GET", "/api/v1/users", tok, nil).decode(t, &l)
		var names []string
		for _, u := range l.Items {
			names = append(names, u.Username)
		}
		if !slices.Equal(names, []string{"sup", "in-a"}) {
			t.Errorf("supervisor lists %v", names)
		}
	})
}

// insertUsers adds n plain users directly (no password hashing: they never sign in).
func insertUsers(t *testing.T, db *store.DB, prefix string, n int, unit store.ID) {
	t.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, func(tx store.Conn) error {
		for i := range n {
			name := prefix + strconv.Itoa(i)
			id, err := tx.InsertID(ctx, `INSERT INTO users (username, username_key, display_name, password_hash,
				org_unit_id, password_changed_at, created_at, updated_at) VALUES (?, ?, ?, 'x', ?, 0, 0, 0) RETURNING id`,
				name, name, name, unit)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "INSERT INTO user_roles (user_id, role) VALUES (?, 'viewer')", id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestUsersList(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		a := e.unit(e.root.ID, org.Company, "A")
		ad := e.unit(a.ID, org.Department, "AD")
		b := e.unit(e.root.ID, org.Company, "B")
		e.user("wang.fang", a.ID, auth.RoleCSAgent)
		e.user("li.lei", ad.ID, auth.RoleCSAgent, auth.RoleViewer)
		e.user("zhao", ad.ID, auth.RoleFieldStaff)
		z := e.user("zhang", b.ID, auth.RoleViewer)
		if r := e.do("PATCH", "/api/v1/users/"+z.ID.String(), e.adminTok, map[string]any{"active": false}); r.Code != http.StatusOK {
			t.Fatalf("deactivate: %d %s", r.Code, r.Body)
		}
		list := func(query string) (names []string, next *string, raw []byte) {
			t.Helper()
			r := e.do("GET", "/api/v1/users?"+query, e.adminTok, nil)
			if r.Code != http.StatusOK {
				t.Fatalf("list ?%s: %d %s", query, r.Code, r.Body)
			}
			var l listJSON[userJSON]
			r.decode(t, &l)
			for _, u := range l.Items {
				names = append(names, u.Username)
			}
			return names, l.NextCursor, r.Body
		}
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"", []string{"admin", "wang.fang", "li.lei", "zhao", "zhang"}},
			{"q=ZHA", []string{"zhao", "zhang"}},
			{"q=" + url.QueryEscape("."), []string{"wang.fang", "li.lei"}},
			{"role=cs_agent", []string{"wang.fang", "li.lei"}},
			{"role=viewer", []string{"li.lei", "zhang"}},
			{"org_unit=" + a.ID.String(), []string{"wang.fang", "li.lei", "zhao"}},
			{"org_unit=" + ad.ID.String(), []string{"li.lei", "zhao"}},
			{"active=true", []string{"admin", "wang.fang", "li.lei", "zhao"}},
			{"active=false", []string{"zhang"}},
			{"role=cs_agent&org_unit=" + ad.ID.String() + "&active=true&q=li", []string{"li.lei"}},
			{"q=nobody", nil},
		} {
			names, next, raw := list(c.query)
			if !slices.Equal(names, c.want) || next != nil {
				t.Errorf("?%s = %v (next %v), want %v", c.query, names, next, c.want)
			}
			if !bytes.Contains(raw, []byte(`"items":[`)) {
				t.Errorf("?%s: items is not an array: %s", c.query, raw)
			}
		}

		// Cursor paging with limit=2 visits every user exactly once.
		var seen []string
		query := "limit=2"
		for page := 0; ; page++ {
			if page > 10 {
				t.Fatal("paging does not end")
			}
			names, next, raw := list(query)
			if len(names) > 2 {
				t.Fatalf("page of %d with limit=2", len(names))
			}
			seen = append(seen, names...)
			if next == nil {
				if bytes.Contains(raw, []byte("next_cursor")) {
					t.Errorf("last page names next_cursor: %s", raw)
				}
				break
			}
			if *next == "" {
				t.Fatal("empty next_cursor")
			}
			query = "limit=2&cursor=" + url.QueryEscape(*next)
		}
		if want := []string{"admin", "wang.fang", "li.lei", "zhao", "zhang"}; !slices.Equal(seen, want) {
			t.Errorf("paged through %v, want %v", seen, want)
		}
		// Paging composes with filters.
		names, next, _ := list("limit=1&role=cs_agent")
		if !slices.Equal(names, []string{"wang.fang"}) || next == nil {
			t.Fatalf("filtered first page = %v, %v", names, next)
		}
		names, next, _ = list("limit=1&role=cs_agent&cursor=" + url.QueryEscape(*next))
		if !slices.Equal(names, []string{"li.lei"}) || next != nil {
			t.Errorf("filtered last page = %v, %v", names, next)
		}

		for _, q := range []string{"limit=0", "limit=abc", "limit=-1", "limit=1.5"} {
			wantError(t, e.do("GET", "/api/v1/users?"+q, e.adminTok, nil), 422, "validation_failed", "limit")
		}
		for _, q := range []string{"cursor=!!!", "cursor=" + url.QueryEscape("YWJj")} { // "abc" is no user id
			wantError(t, e.do("GET", "/api/v1/users?"+q, e.adminTok, nil), 422, "validation_failed", "cursor")
		}

		// Default 50, maximum 500.
		insertUsers(t, db, "bulk", 501, b.ID)
		total := 5 + 501
		names, next, _ = list("")
		if len(names) != 50 || next == nil {
			t.Errorf("default page: %d users, next %v; want 50 and a cursor", len(names), next)
		}
		names, next, _ = list("limit=100000")
		if len(names) != 500 || next == nil {
			t.Fatalf("limit=100000: %d users, next %v; want 500 and a cursor", len(names), next)
		}
		rest, last, _ := list("limit=500&cursor=" + url.QueryEscape(*next))
		if len(rest) != total-500 || last != nil {
			t.Errorf("second page: %d users, next %v; want %d and none", len(rest), last, total-500)
		}
	})
}
