package customer_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// fixture is a customer service on a fresh database: a group with a gas,
// a power and a property company, each assigned its pack.
type fixture struct {
	t                    *testing.T
	ctx                  context.Context
	db                   *store.DB
	svc                  *customer.Service
	packs                *policy.Registry
	now                  time.Time
	root                 org.Unit
	gas, power, property org.Unit
	users                int
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), db: db, now: time.Date(2026, 3, 10, 9, 0, 0, 0, store.Zone)}
	orgs := org.New(org.Options{DB: db})
	var err error
	if f.root, err = orgs.EnsureRoot(f.ctx, "集团"); err != nil {
		t.Fatal(err)
	}
	unit := func(name, pack string) org.Unit {
		u, err := orgs.Create(f.ctx, org.CreateInput{ParentID: &f.root.ID, Kind: org.Company, Name: name, Pack: pack})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	f.gas, f.power, f.property = unit("燃气公司", "gas"), unit("供电公司", "power"), unit("物业公司", "property")
	f.packs = policy.NewRegistry(policy.Options{DB: db, Org: orgs, Logger: slog.New(slog.DiscardHandler)})
	if err := f.packs.Load(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.svc = customer.New(customer.Options{DB: db, Policy: f.packs, Now: func() time.Time { return f.now }})
	return f
}

// as is a principal holding one role in unit (no user row: audit rows
// name the id).
func (f *fixture) as(role auth.Role, u org.Unit) *auth.Principal {
	f.users++
	return &auth.Principal{UserID: store.ID(9000 + f.users), Username: string(role), DisplayName: string(role),
		Roles: []auth.Role{role}, OrgUnitID: u.ID, OrgPath: u.Path}
}

// user creates a real user (for references such as maintainer_id).
func (f *fixture) user(name string, u org.Unit) store.ID {
	f.t.Helper()
	var id store.ID
	err := f.db.Tx(f.ctx, func(tx store.Conn) error {
		var err error
		id, err = tx.InsertID(f.ctx, `INSERT INTO users (username, username_key, display_name, password_hash, org_unit_id,
			password_changed_at, created_at, updated_at) VALUES (?, ?, ?, 'x', ?, 0, 0, 0) RETURNING id`, name, name, name, u.ID)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *fixture) create(p *auth.Principal, in customer.Input) customer.Customer {
	f.t.Helper()
	c, _, err := f.svc.Create(f.ctx, p, in)
	if err != nil {
		f.t.Fatalf("create %s: %v", in.Name, err)
	}
	return c
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.Reader().QueryRow(f.ctx, q, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// wantErr checks that err is an apperr with the status and field.
func wantErr(t *testing.T, err error, status int, field string) *apperr.Error {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Status != status || e.Field != field {
		t.Fatalf("error %v, want %d naming %q", err, status, field)
	}
	if e.Message.ZH == "" || e.Message.EN == "" {
		t.Errorf("error %v lacks a message in both languages", err)
	}
	return e
}

func isNil(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		var e *apperr.Error
		if errors.As(err, &e) {
			t.Fatalf("%s: %s", e.Field, e.Message.In("en"))
		}
		t.Fatal(err)
	}
}
