package auth

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestCreateUser(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		adminP := principal(f.admin)
		u, err := f.svc.Create(f.ctx, adminP, CreateUserInput{Username: " gina ", Password: testPassword,
			DisplayName: " 李娜 ", Roles: []Role{RoleCSAgent, RoleViewer}, OrgUnit: f.ad.ID, Phone: "010-12345678",
			Email: "gina@example.com", Position: "热线员"})
		if err != nil {
			t.Fatal(err)
		}
		if u.Username != "gina" || u.DisplayName != "李娜" || u.OrgUnit != f.ad.ID || u.OrgUnitName != "AD" ||
			!slices.Equal(u.Roles, []Role{RoleCSAgent, RoleViewer}) || !u.Active || !u.CreatedAt.Equal(f.clk.Now()) {
			t.Errorf("created = %+v", u)
		}
		got, err := f.svc.Get(f.ctx, adminP, u.ID)
		if err != nil || got.Username != "gina" || got.Phone != "010-12345678" {
			t.Errorf("Get = %+v, %v", got, err)
		}
		rows := auditRows(t, db, audit.Filter{Action: "user.create", ObjectID: u.ID.String()})
		if len(rows) != 1 || strings.Contains(string(rows[0].Changes), "argon2") || strings.Contains(string(rows[0].Changes), testPassword) {
			t.Errorf("user.create audit = %+v", rows)
		}
		if n, err := f.svc.Count(f.ctx); err != nil || n != 2 {
			t.Errorf("Count = %d, %v", n, err)
		}

		for _, c := range []struct {
			name  string
			in    CreateUserInput
			code  string
			field string
		}{
			{"taken", CreateUserInput{Username: "GINA", Password: testPassword, Roles: []Role{RoleViewer}}, apperr.CodeConflict, "username"},
			{"no username", CreateUserInput{Password: testPassword, Roles: []Role{RoleViewer}}, apperr.CodeValidation, "username"},
			{"bad username", CreateUserInput{Username: "-x", Password: testPassword, Roles: []Role{RoleViewer}}, apperr.CodeValidation, "username"},
			{"one letter", CreateUserInput{Username: "x", Password: testPassword, Roles: []Role{RoleViewer}}, apperr.CodeValidation, "username"},
			{"space inside", CreateUserInput{Username: "a b", Password: testPassword, Roles: []Role{RoleViewer}}, apperr.CodeValidation, "username"},
			{"short password", CreateUserInput{Username: "hank", Password: "short", Roles: []Role{RoleViewer}}, apperr.CodeValidation, "password"},
			{"no roles", CreateUserInput{Username: "hank", Password: testPassword}, apperr.CodeValidation, "roles"},
			{"unknown role", CreateUserInput{Username: "hank", Password: testPassword, Roles: []Role{"root"}}, apperr.CodeValidation, "roles"},
			{"duplicate role", CreateUserInput{Username: "hank", Password: testPassword, Roles: []Role{RoleViewer, RoleViewer}}, apperr.CodeValidation, "roles"},
			{"unknown unit", CreateUserInput{Username: "hank", Password: testPassword, Roles: []Role{RoleViewer}, OrgUnit: 987654}, apperr.CodeValidation, "org_unit"},
			{"bad phone", CreateUserInput{Username: "hank", Password: testPassword, Roles: []Role{RoleViewer}, Phone: "call me"}, apperr.CodeValidation, "phone"},
			{"bad email", CreateUserInput{Username: "hank", Password: testPassword, Roles: []Role{RoleViewer}, Email: "nobody"}, apperr.CodeValidation, "email"},
			{"long name", CreateUserInput{Username: "hank", Password: testPassword, Roles: []Role{RoleViewer}, DisplayName: strings.Repeat("名", 65)}, apperr.CodeValidation, "display_name"},
		} {
			_, err := f.svc.Create(f.ctx, adminP, c.in)
			e, ok := apperr.As(err)
			if !ok || e.Code != c.code || e.Field != c.field {
				t.Errorf("%s: err = %v, want %s on %s", c.name, err, c.code, c.field)
			}
		}
		// The system must name a unit; a user defaults to the actor's unit.
		_, err = f.svc.Create(f.ctx, nil, CreateUserInput{Username: "ivan", Password: testPassword, Roles: []Role{RoleViewer}})
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "org_unit")
		sup := f.user(nil, "sup-ad", f.ad.ID, RoleCSSupervisor)
		if u, err := f.svc.Create(f.ctx, principal(sup), CreateUserInput{Username: "ivan", Password: testPassword,
			Roles: []Role{RoleViewer}}); err != nil || u.OrgUnit != f.ad.ID {
			t.Errorf("default unit = %+v, %v; want AD", u, err)
		}
		// Inactive units take no new users.
		off := false
		if _, err := f.org.Update(f.ctx, f.b.ID, org.UpdateInput{Active: &off}); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Create(f.ctx, adminP, CreateUserInput{Username: "jack", Password: testPassword, Roles: []Role{RoleViewer}, OrgUnit: f.b.ID})
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "org_unit")
		if n, _ := f.svc.Count(f.ctx); n != 4 {
			t.Errorf("refused creates wrote users: count %d, want 4", n)
		}
	})
}

func TestUpdateUser(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		adminP := principal(f.admin)
		kate := f.user(nil, "kate", f.a.ID, RoleCSAgent)
		tok, _ := f.login("kate", testPassword)

		name, phone := " Kate Li ", "13800000000"
		roles := []Role{RoleCSSupervisor}
		f.clk.Advance(time.Minute)
		u, err := f.svc.Update(f.ctx, adminP, kate.ID, UpdateUserInput{DisplayName: &name, Phone: &phone, Roles: &roles, OrgUnit: &f.ad.ID})
		if err != nil {
			t.Fatal(err)
		}
		if u.DisplayName != "Kate Li" || u.Phone != "13800000000" || !slices.Equal(u.Roles, roles) || u.OrgUnit != f.ad.ID ||
			!u.UpdatedAt.Equal(f.clk.Now()) {
			t.Errorf("updated = %+v", u)
		}
		f.wantSession(tok, true) // an ordinary change ends no session
		p, _ := f.svc.Principal(f.ctx, tok)
		if !slices.Equal(p.Roles, roles) || p.OrgPath != f.ad.Path {
			t.Errorf("principal after update = %+v; roles and unit apply at once", p)
		}
		rows := auditRows(t, db, audit.Filter{Action: "user.update", ObjectID: kate.ID.String()})
		if len(rows) != 1 || !strings.Contains(string(rows[0].Changes), `"before"`) {
			t.Errorf("user.update audit = %+v", rows)
		}

		// Deactivating ends every session; reactivating does not revive them.
		off, on := false, true
		if _, err := f.svc.Update(f.ctx, adminP, kate.ID, UpdateUserInput{Active: &off}); err != nil {
			t.Fatal(err)
		}
		f.wantSession(tok, false)
		if _, err := f.svc.Update(f.ctx, adminP, kate.ID, UpdateUserInput{Active: &on}); err != nil {
			t.Fatal(err)
		}
		f.wantSession(tok, false)
		f.login("kate", testPassword)

		empty := ""
		_, err = f.svc.Update(f.ctx, adminP, kate.ID, UpdateUserInput{DisplayName: &empty})
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "display_name")
		none := []Role{}
		_, err = f.svc.Update(f.ctx, adminP, kate.ID, UpdateUserInput{Roles: &none})
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "roles")
		bad := store.ID(987654)
		_, err = f.svc.Update(f.ctx, adminP, kate.ID, UpdateUserInput{OrgUnit: &bad})
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "org_unit")
		_, err = f.svc.Update(f.ctx, adminP, 987654, UpdateUserInput{DisplayName: &name})
		wantErr(t, err, http.StatusNotFound, apperr.CodeNotFound, "user")
	})
}

func TestLastAdmin(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		adminP := principal(f.admin)
		off, on := false, true
		demote := []Role{RoleCSAgent}
		keep := []Role{RoleAdmin, RoleViewer}

		_, err := f.svc.Update(f.ctx, adminP, f.admin.ID, UpdateUserInput{Active: &off})
		wantErr(t, err, http.StatusConflict, apperr.CodeConflict, "roles")
		_, err = f.svc.Update(f.ctx, adminP, f.admin.ID, UpdateUserInput{Roles: &demote})
		wantErr(t, err, http.StatusConflict, apperr.CodeConflict, "roles")
		if _, err := f.svc.Update(f.ctx, adminP, f.admin.ID, UpdateUserInput{Roles: &keep}); err != nil {
			t.Errorf("adding a role to the last admin: %v", err)
		}
		// An inactive second admin does not count.
		other := f.user(adminP, "admin2", f.root.ID, RoleAdmin)
		if _, err := f.svc.Update(f.ctx, adminP, other.ID, UpdateUserInput{Active: &off}); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Update(f.ctx, adminP, f.admin.ID, UpdateUserInput{Roles: &demote})
		wantErr(t, err, http.StatusConflict, apperr.CodeConflict, "roles")
		// An active one does.
		if _, err := f.svc.Update(f.ctx, adminP, other.ID, UpdateUserInput{Active: &on}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Update(f.ctx, adminP, f.admin.ID, UpdateUserInput{Roles: &demote}); err != nil {
			t.Fatalf("demoting one of two admins: %v", err)
		}
		otherP := principal(other)
		_, err = f.svc.Update(f.ctx, otherP, other.ID, UpdateUserInput{Active: &off})
		wantErr(t, err, http.StatusConflict, apperr.CodeConflict, "roles")
		u, err := f.svc.Get(f.ctx, otherP, other.ID)
		if err != nil || !u.Active || !slices.Contains(u.Roles, RoleAdmin) {
			t.Errorf("last admin after refusals = %+v, %v", u, err)
		}
	})
}

func TestGrantAdmin(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		sup := f.user(nil, "sup", f.root.ID, RoleCSSupervisor)
		supP := principal(sup)
		agent := f.user(nil, "agent", f.root.ID, RoleCSAgent)

		_, err := f.svc.Create(f.ctx, supP, CreateUserInput{Username: "evil", Password: testPassword, Roles: []Role{RoleAdmin}})
		wantErr(t, err, http.StatusForbidden, apperr.CodeForbidden, "")
		grant := []Role{RoleCSAgent, RoleAdmin}
		_, err = f.svc.Update(f.ctx, supP, agent.ID, UpdateUserInput{Roles: &grant})
		wantErr(t, err, http.StatusForbidden, apperr.CodeForbidden, "")
		_, err = f.svc.Update(f.ctx, supP, sup.ID, UpdateUserInput{Roles: &grant})
		wantErr(t, err, http.StatusForbidden, apperr.CodeForbidden, "")
		// Nor take it away.
		strip := []Role{RoleViewer}
		_, err = f.svc.Update(f.ctx, supP, f.admin.ID, UpdateUserInput{Roles: &strip})
		wantErr(t, err, http.StatusForbidden, apperr.CodeForbidden, "")
		if u, _ := f.svc.Get(f.ctx, principal(f.admin), agent.ID); !slices.Equal(u.Roles, []Role{RoleCSAgent}) {
			t.Errorf("agent roles = %v", u.Roles)
		}
		// An administrator may.
		if _, err := f.svc.Update(f.ctx, principal(f.admin), agent.ID, UpdateUserInput{Roles: &grant}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRowScope(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		supA := f.user(nil, "sup-a", f.a.ID, RoleCSSupervisor)
		inA := f.user(nil, "in-a", f.a.ID, RoleCSAgent)
		inAD := f.user(nil, "in-ad", f.ad.ID, RoleCSAgent)
		inB := f.user(nil, "in-b", f.b.ID, RoleCSAgent)
		p := principal(supA)

		for _, c := range []struct {
			u    User
			seen bool
		}{{supA, true}, {inA, true}, {inAD, true}, {inB, false}, {f.admin, false}} {
			got, err := f.svc.Get(f.ctx, p, c.u.ID)
			if c.seen {
				if err != nil || got.ID != c.u.ID {
					t.Errorf("supervisor of A cannot Get %s: %v", c.u.Username, err)
				}
			} else {
				wantErr(t, err, http.StatusNotFound, apperr.CodeNotFound, "user")
			}
		}
		users, more, err := f.svc.List(f.ctx, p, ListFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, u := range users {
			names = append(names, u.Username)
		}
		if more || strings.Join(names, ",") != "sup-a,in-a,in-ad" {
			t.Errorf("supervisor of A lists %v", names)
		}
		// Filtering by a unit outside the scope finds nothing.
		if users, _, err := f.svc.List(f.ctx, p, ListFilter{OrgUnit: f.b.ID}); err != nil || len(users) != 0 {
			t.Errorf("List in B for supervisor of A = %d users, %v", len(users), err)
		}
		name := "hijacked"
		_, err = f.svc.Update(f.ctx, p, inB.ID, UpdateUserInput{DisplayName: &name})
		wantErr(t, err, http.StatusNotFound, apperr.CodeNotFound, "user")
		// Nor move a user of theirs out of the subtree, nor create one outside it.
		_, err = f.svc.Update(f.ctx, p, inA.ID, UpdateUserInput{OrgUnit: &f.b.ID})
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "org_unit")
		_, err = f.svc.Create(f.ctx, p, CreateUserInput{Username: "outsider", Password: testPassword, Roles: []Role{RoleViewer}, OrgUnit: f.b.ID})
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "org_unit")
		if u, _ := f.svc.Get(f.ctx, principal(f.admin), inB.ID); u.DisplayName != "in-b" {
			t.Errorf("out-of-scope update was written: %+v", u)
		}
		// A supervisor of AD sees AD only, not its parent A.
		pAD := principal(inAD)
		pAD.Roles = []Role{RoleCSSupervisor}
		if _, err := f.svc.Get(f.ctx, pAD, inA.ID); !apperr.Is(err, apperr.CodeNotFound) {
			t.Errorf("supervisor of AD sees a user of A: %v", err)
		}
	})
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		adminP := principal(f.admin)
		mk := func(name, display string, unit store.ID, roles ...Role) User {
			u, err := f.svc.Create(f.ctx, nil, CreateUserInput{Username: name, DisplayName: display, Password: testPassword, Roles: roles, OrgUnit: unit})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		mk("wang.fang", "王芳", f.a.ID, RoleCSAgent)
		mk("li_lei", "李雷", f.ad.ID, RoleCSAgent, RoleViewer)
		z := mk("zhang", "张三 100%", f.b.ID, RoleFieldStaff)
		off := false
		if _, err := f.svc.Update(f.ctx, adminP, z.ID, UpdateUserInput{Active: &off}); err != nil {
			t.Fatal(err)
		}
		yes, no := true, false
		for _, c := range []struct {
			name string
			f    ListFilter
			want string
		}{
			{"all", ListFilter{}, "admin,wang.fang,li_lei,zhang"},
			{"q username", ListFilter{Q: "WANG"}, "wang.fang"},
			{"q display name", ListFilter{Q: "李"}, "li_lei"},
			{"q underscore is literal", ListFilter{Q: "_"}, "li_lei"},
			{"q percent is literal", ListFilter{Q: "%"}, "zhang"},
			{"q dot", ListFilter{Q: "."}, "wang.fang"},
			{"role", ListFilter{Role: RoleCSAgent}, "wang.fang,li_lei"},
			{"role viewer", ListFilter{Role: RoleViewer}, "li_lei"},
			{"unit subtree", ListFilter{OrgUnit: f.a.ID}, "wang.fang,li_lei"},
			{"unit leaf", ListFilter{OrgUnit: f.ad.ID}, "li_lei"},
			{"active", ListFilter{Active: &yes}, "admin,wang.fang,li_lei"},
			{"inactive", ListFilter{Active: &no}, "zhang"},
			{"combined", ListFilter{Role: RoleCSAgent, OrgUnit: f.a.ID, Q: "fang"}, "wang.fang"},
			{"limit", ListFilter{Limit: 2}, "admin,wang.fang+"},
		} {
			users, more, err := f.svc.List(f.ctx, adminP, c.f)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			var names []string
			for _, u := range users {
				names = append(names, u.Username)
				if len(u.Roles) == 0 {
					t.Errorf("%s: %s listed without roles", c.name, u.Username)
				}
			}
			got := strings.Join(names, ",")
			if more {
				got += "+"
			}
			if got != c.want {
				t.Errorf("%s: got %s, want %s", c.name, got, c.want)
			}
		}
		_, _, err := f.svc.List(f.ctx, adminP, ListFilter{OrgUnit: 987654})
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "org_unit") // a filter naming no unit is bad input

		// Paging with After visits every user once.
		var seen []store.ID
		after := store.ID(0)
		for page := 0; ; page++ {
			users, more, err := f.svc.List(f.ctx, adminP, ListFilter{After: after, Limit: 3})
			if err != nil || page > 5 {
				t.Fatalf("page %d: %v", page, err)
			}
			for _, u := range users {
				seen = append(seen, u.ID)
			}
			if !more {
				break
			}
			after = users[len(users)-1].ID
		}
		if len(seen) != 4 || !slices.IsSorted(seen) || len(slices.Compact(slices.Clone(seen))) != 4 {
			t.Errorf("paged ids = %v", seen)
		}
	})
}

func TestBadTextIsRefused(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		// A username no user can have is "wrong credentials", not a database error.
		for _, name := range []string{"a\x00b", "a\xffb", "", "x"} {
			_, _, err := f.svc.Login(f.ctx, name, testPassword, "192.0.2.1", "")
			wantErr(t, err, http.StatusUnauthorized, "invalid_credentials", "password")
		}
		// The session keeps a cleaned-up user agent.
		if _, _, err := f.svc.Login(f.ctx, "admin", testPassword, "192.0.2.1", strings.Repeat("浏", 100)+"\xff"); err != nil {
			t.Fatalf("login with a long Chinese user agent: %v", err)
		}
		for _, c := range []struct {
			in    CreateUserInput
			field string
		}{
			{CreateUserInput{Username: "nul1", DisplayName: "a\x00"}, "display_name"},
			{CreateUserInput{Username: "nul2", Position: "a\x00"}, "position"},
			{CreateUserInput{Username: "nul3", Email: "a@b\x00"}, "email"},
		} {
			c.in.Password, c.in.Roles, c.in.OrgUnit = testPassword, []Role{RoleViewer}, f.root.ID
			_, err := f.svc.Create(f.ctx, principal(f.admin), c.in)
			wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, c.field)
		}
	})
}
