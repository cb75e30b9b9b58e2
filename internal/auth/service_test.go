package auth

import (
	"context"
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

const testPassword = "s3cret-pass"

// fixture is a database with a small tree: root → A → AD, root → B, and an
// administrator in the root unit.
type fixture struct {
	t     *testing.T
	db    *store.DB
	clk   *fakeClock
	org   *org.Service
	svc   *Service
	root  org.Unit
	a, ad org.Unit
	b     org.Unit
	admin User
	ctx   context.Context
}

func newFixture(t *testing.T, db *store.DB, opts ...func(*Options)) *fixture {
	t.Helper()
	f := &fixture{t: t, db: db, clk: newFakeClock(), ctx: context.Background()}
	f.org = org.New(org.Options{DB: db, Now: f.clk.Now})
	o := Options{DB: db, Org: f.org, Now: f.clk.Now}
	for _, fn := range opts {
		fn(&o)
	}
	f.svc = New(o)
	var err error
	if f.root, err = f.org.EnsureRoot(f.ctx, "集团"); err != nil {
		t.Fatal(err)
	}
	f.a = f.unit(f.root.ID, org.Company, "A")
	f.ad = f.unit(f.a.ID, org.Department, "AD")
	f.b = f.unit(f.root.ID, org.Company, "B")
	f.admin = f.user(nil, "admin", f.root.ID, RoleAdmin)
	return f
}

func (f *fixture) unit(parent store.ID, kind org.Kind, name string) org.Unit {
	f.t.Helper()
	u, err := f.org.Create(f.ctx, org.CreateInput{ParentID: &parent, Kind: kind, Name: name})
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

func (f *fixture) user(actor *Principal, name string, unit store.ID, roles ...Role) User {
	f.t.Helper()
	u, err := f.svc.Create(f.ctx, actor, CreateUserInput{Username: name, Password: testPassword, Roles: roles, OrgUnit: unit})
	if err != nil {
		f.t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

// principal is u as a signed-in principal, without a session.
func principal(u User) *Principal {
	return &Principal{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Roles: u.Roles,
		OrgUnitID: u.OrgUnit, OrgPath: u.orgPath}
}

func (f *fixture) login(username, password string) (string, *Principal) {
	f.t.Helper()
	token, _, err := f.svc.Login(f.ctx, username, password, "192.0.2.1", "test")
	if err != nil {
		f.t.Fatalf("login %s: %v", username, err)
	}
	p, err := f.svc.Principal(f.ctx, token)
	if err != nil {
		f.t.Fatalf("principal of %s: %v", username, err)
	}
	return token, p
}

func (f *fixture) wantSession(token string, valid bool) {
	f.t.Helper()
	p, err := f.svc.Principal(f.ctx, token)
	if valid {
		if err != nil || p == nil {
			f.t.Fatalf("session should be valid: %v", err)
		}
		return
	}
	wantErr(f.t, err, http.StatusUnauthorized, apperr.CodeUnauthorized, "")
}

func wantErr(t *testing.T, err error, status int, code, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("error = %v, want %d %s (field %q)", err, status, code, field)
	}
	if e.Status != status || e.Code != code || e.Field != field {
		t.Fatalf("error = %d %s field %q (%v), want %d %s field %q", e.Status, e.Code, e.Field, e, status, code, field)
	}
}

func auditRows(t *testing.T, db *store.DB, f audit.Filter) []audit.Entry {
	t.Helper()
	f.Limit = 500
	es, _, err := audit.List(context.Background(), db, f)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestLogin(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		alice := f.user(nil, "Alice", f.a.ID, RoleCSAgent)

		token, u, err := f.svc.Login(f.ctx, " alice ", testPassword, "192.0.2.1", "ua")
		if err != nil {
			t.Fatal(err)
		}
		if token == "" || u.ID != alice.ID || u.Username != "Alice" || !slices.Equal(u.Roles, []Role{RoleCSAgent}) {
			t.Errorf("login = %q, %+v", token, u)
		}
		p, err := f.svc.Principal(f.ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if p.UserID != alice.ID || p.OrgUnitID != f.a.ID || p.OrgPath != f.a.Path || !slices.Equal(p.Roles, []Role{RoleCSAgent}) || p.SessionID == 0 {
			t.Errorf("principal = %+v", p)
		}
		rows := auditRows(t, db, audit.Filter{Action: "auth.login"})
		if len(rows) != 1 || rows[0].ActorID != alice.ID || rows[0].Actor != "Alice" {
			t.Errorf("login audit rows = %+v", rows)
		}

		// Wrong password, unknown user and a disabled user: one answer.
		_, _, wrongPw := f.svc.Login(f.ctx, "alice", "wrong-password", "192.0.2.2", "")
		_, _, unknown := f.svc.Login(f.ctx, "nobody", testPassword, "192.0.2.3", "")
		bob := f.user(nil, "bob", f.a.ID, RoleCSAgent)
		off := false
		if _, err := f.svc.Update(f.ctx, principal(f.admin), bob.ID, UpdateUserInput{Active: &off}); err != nil {
			t.Fatal(err)
		}
		_, _, inactive := f.svc.Login(f.ctx, "bob", testPassword, "192.0.2.4", "")
		for name, err := range map[string]error{"wrong password": wrongPw, "unknown user": unknown, "inactive user": inactive} {
			wantErr(t, err, http.StatusUnauthorized, "invalid_credentials", "password")
			if err.Error() != wrongPw.Error() {
				t.Errorf("%s: %v differs from wrong password's %v", name, err, wrongPw)
			}
		}
		if n := len(auditRows(t, db, audit.Filter{Action: "auth.login"})); n != 1 {
			t.Errorf("failed logins wrote audit rows: %d", n)
		}
	})
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.user(nil, "carol", f.a.ID, RoleCSAgent)
		for range 5 {
			_, _, err := f.svc.Login(f.ctx, "carol", "wrong-password", "192.0.2.9", "")
			wantErr(t, err, http.StatusUnauthorized, "invalid_credentials", "password")
		}
		// Locked: even the right password is refused with 429.
		_, _, err := f.svc.Login(f.ctx, "carol", testPassword, "192.0.2.10", "")
		wantErr(t, err, http.StatusTooManyRequests, apperr.CodeTooMany, "")
		f.clk.Advance(15 * time.Minute)
		if _, _, err := f.svc.Login(f.ctx, "carol", testPassword, "192.0.2.10", ""); err != nil {
			t.Fatalf("login after the window: %v", err)
		}
	})
}

func TestSessionLifetime(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, func(o *Options) { o.SessionTTL = time.Hour })
		if f.svc.SessionTTL() != time.Hour {
			t.Fatalf("SessionTTL = %v", f.svc.SessionTTL())
		}
		f.user(nil, "dave", f.a.ID, RoleViewer)
		t1, p1 := f.login("dave", testPassword)
		t2, _ := f.login("dave", testPassword)
		f.wantSession("", false)
		f.wantSession("not-a-token", false)
		f.wantSession(t1+"x", false)

		// Logout ends only that session.
		if err := f.svc.Logout(f.ctx, p1); err != nil {
			t.Fatal(err)
		}
		f.wantSession(t1, false)
		f.wantSession(t2, true)
		if rows := auditRows(t, db, audit.Filter{Action: "auth.logout"}); len(rows) != 1 || rows[0].ObjectID != p1.SessionID.String() {
			t.Errorf("logout audit = %+v", rows)
		}

		f.clk.Advance(time.Hour - time.Second)
		f.wantSession(t2, true)
		f.clk.Advance(time.Second)
		f.wantSession(t2, false)
	})
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		erin := f.user(nil, "erin", f.a.ID, RoleCSAgent)
		t1, p1 := f.login("erin", testPassword)
		t2, _ := f.login("erin", testPassword)
		const next = "new-passw0rd"

		err := f.svc.ChangePassword(f.ctx, p1, "wrong-current", next)
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "current_password")
		err = f.svc.ChangePassword(f.ctx, p1, testPassword, "short")
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "new_password")
		err = f.svc.ChangePassword(f.ctx, p1, testPassword, testPassword)
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "new_password")
		f.wantSession(t2, true) // refusals end nothing

		if err := f.svc.ChangePassword(f.ctx, p1, testPassword, next); err != nil {
			t.Fatal(err)
		}
		f.wantSession(t1, true)
		f.wantSession(t2, false)
		if _, _, err := f.svc.Login(f.ctx, "erin", testPassword, "192.0.2.1", ""); err == nil {
			t.Error("old password still works")
		}
		f.login("erin", next)
		rows := auditRows(t, db, audit.Filter{Action: "user.change_password", ObjectID: erin.ID.String()})
		if len(rows) != 1 || strings.Contains(string(rows[0].Changes), "argon2") {
			t.Errorf("change_password audit = %+v", rows)
		}
	})
}

func TestResetPassword(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		frank := f.user(nil, "frank", f.b.ID, RoleCSAgent)
		t1, _ := f.login("frank", testPassword)
		t2, _ := f.login("frank", testPassword)
		adminP := principal(f.admin)

		err := f.svc.ResetPassword(f.ctx, adminP, frank.ID, "short", true)
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "password")
		err = f.svc.ResetPassword(f.ctx, adminP, 987654, "long-enough-1", true)
		wantErr(t, err, http.StatusNotFound, apperr.CodeNotFound, "user")
		// Out of scope: a supervisor of A cannot reset a user of B.
		sup := f.user(nil, "sup-a", f.a.ID, RoleCSSupervisor)
		err = f.svc.ResetPassword(f.ctx, principal(sup), frank.ID, "long-enough-1", true)
		wantErr(t, err, http.StatusNotFound, apperr.CodeNotFound, "user")
		f.wantSession(t1, true)

		if err := f.svc.ResetPassword(f.ctx, adminP, frank.ID, "long-enough-1", true); err != nil {
			t.Fatal(err)
		}
		f.wantSession(t1, false)
		f.wantSession(t2, false)
		_, u, err := f.svc.Login(f.ctx, "frank", "long-enough-1", "192.0.2.1", "")
		if err != nil || !u.MustChangePassword {
			t.Errorf("login after reset = %+v, %v; want must_change_password", u, err)
		}
		// The system (CLI) may reset without an actor.
		if err := f.svc.ResetPassword(f.ctx, nil, frank.ID, "long-enough-2", false); err != nil {
			t.Fatal(err)
		}
		if _, u, err := f.svc.Login(f.ctx, "frank", "long-enough-2", "192.0.2.1", ""); err != nil || u.MustChangePassword {
			t.Errorf("login after CLI reset = %+v, %v", u, err)
		}
	})
}

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

func TestTruncate(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abcdef", 3, "abc"},
		{"浏览器", 4, "浏"}, // never cut inside a character
		{"浏览器", 6, "浏览"},
		{"a\xffb", 10, "a\uFFFDb"},
		{"a\x00b", 10, "ab"},
	} {
		if got := truncate(c.in, c.n); got != c.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
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
