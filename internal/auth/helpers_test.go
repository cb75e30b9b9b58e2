package auth

import (
	"context"
	"net/http"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/org"
	"kefu/internal/store"
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
