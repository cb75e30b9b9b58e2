package ticket_test

import (
	"context"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/customer"
	"kefu/internal/jobs"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/testkit"
	"kefu/internal/ticket"
)

// fixture is the work-order service on a fresh database with the built-in
// policy packs and calendars: a group root, a company per pack with a
// customer-service department under it.
type fixture struct {
	t      testing.TB
	ctx    context.Context
	db     *store.DB
	clk    *testkit.Clock
	org    *org.Service
	cals   *calendar.Registry
	packs  *policy.Registry
	svc    *ticket.Service
	engine *jobs.Engine
	sent   *testkit.Sent
	root   org.Unit
	units  map[string]org.Unit // pack key → company; pack key + "/cs" → its department
	n      int
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), db: db, clk: testkit.NewClock(time.Date(2027, 1, 20, 9, 0, 0, 0, store.Zone)),
		sent: &testkit.Sent{}, units: map[string]org.Unit{}}
	b := testkit.NewBase(t, db, f.clk)
	log := b.Log
	f.org, f.cals, f.packs, f.engine = b.Org, b.Calendars, b.Packs, b.Engine
	f.svc = ticket.New(ticket.Options{DB: db, Calendars: f.cals, Policy: f.packs, Org: f.org,
		Customers: customer.New(customer.Options{DB: db, Now: f.clk.Now}), Notify: f.sent, Logger: log, Now: f.clk.Now})
	f.svc.RegisterTimers(f.engine)
	f.cals.OnChange(f.svc.OnCalendarChange)
	var err error
	if f.root, err = f.org.EnsureRoot(f.ctx, "集团"); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"general", "property", "gas", "power", "realestate"} {
		co := f.unit(f.root.ID, org.Company, key+"公司", key)
		f.units[key] = co
		f.units[key+"/cs"] = f.unit(co.ID, org.Department, key+"客服部", "")
	}
	return f
}

// unit creates an org unit; user a user with roles in a unit.
func (f *fixture) unit(parent store.ID, kind org.Kind, name, pack string) org.Unit {
	return testkit.Unit(f.t, f.org, parent, kind, name, pack)
}

func (f *fixture) user(u org.Unit, roles ...auth.Role) *auth.Principal {
	f.n++
	return testkit.User(f.t, f.db, u, roles...)
}

// agent is a customer-service agent in the pack's company department.
func (f *fixture) agent(pack string) *auth.Principal {
	return f.user(f.units[pack+"/cs"], auth.RoleCSAgent)
}

func (f *fixture) create(p *auth.Principal, in ticket.CreateInput) ticket.Ticket {
	f.t.Helper()
	t, err := f.svc.Create(f.ctx, p, in)
	if err != nil {
		f.t.Fatalf("create %s/%s: %v", in.Pack, in.Category, err)
	}
	return t
}

func (f *fixture) act(p *auth.Principal, id store.ID, a ticket.Action) ticket.Ticket {
	f.t.Helper()
	t, err := f.svc.Act(f.ctx, p, id, a)
	if err != nil {
		f.t.Fatalf("%s on %d: %v", a.Name, id, err)
	}
	return t
}

// wantErr checks the status and field of a service error.
func wantErr(t *testing.T, err error, status int, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("error %v, want %d field %q", err, status, field)
	}
	if e.Status != status || e.Field != field {
		t.Fatalf("error %d field %q (%s), want %d field %q", e.Status, e.Field, e.Message.String(), status, field)
	}
}

// at parses "2006-01-02 15:04" in Asia/Shanghai.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, store.Zone)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

func clockOf(t *testing.T, tk ticket.Ticket, kind string) ticket.Clock {
	t.Helper()
	for _, c := range tk.Clocks {
		if string(c.Kind) == kind {
			return c
		}
	}
	t.Fatalf("work order %s has no %s clock: %+v", tk.Number, kind, tk.Clocks)
	return ticket.Clock{}
}

func wantTarget(t *testing.T, tk ticket.Ticket, kind, want string) {
	t.Helper()
	c := clockOf(t, tk, kind)
	if c.TargetAt == nil {
		t.Fatalf("%s/%s clock %s: no target (state %s), want %s", tk.Pack, tk.Category, kind, c.State, want)
	}
	if w := at(want); !c.TargetAt.Equal(w) {
		t.Errorf("%s/%s received %s: %s due %s, want %s", tk.Pack, tk.Category, tk.ReceivedAt.Format("2006-01-02 15:04"),
			kind, c.TargetAt.Format("2006-01-02 15:04 Mon"), w.Format("2006-01-02 15:04 Mon"))
	}
}

func ptrCustomer(name, phone string) *customer.Input {
	return &customer.Input{Name: name, Phone: phone, Address: "3栋1单元502"}
}
