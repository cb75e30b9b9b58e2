package process_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/customer"
	"kefu/internal/jobs"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/process"
	"kefu/internal/store"
	"kefu/internal/testkit"
)

// fixture is the process service on a fresh database with the built-in
// packs and calendars and a power utility: a city company (市供电公司)
// with its own marketing department, and under it a branch company
// (城区供电分公司) with marketing (营销部), production (生技部), safety
// (安监部) and the manager's office (经理室), one person per role.
type fixture struct {
	t       testing.TB
	ctx     context.Context
	db      *store.DB
	clk     *testkit.Clock
	org     *org.Service
	cals    *calendar.Registry
	packs   *policy.Registry
	svc     *process.Service
	engine  *jobs.Engine
	sent    *testkit.Sent
	units   map[string]org.Unit
	people  map[string]*auth.Principal
	admin   *auth.Principal
	n       int
	custSvc *customer.Service
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, store.Zone)
	if err != nil {
		panic(err)
	}
	return t
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), db: db, clk: testkit.NewClock(at("2026-01-05 09:00")), sent: &testkit.Sent{},
		units: map[string]org.Unit{}, people: map[string]*auth.Principal{}}
	b := testkit.NewBase(t, db, f.clk)
	log := b.Log
	f.org, f.cals, f.packs, f.engine = b.Org, b.Calendars, b.Packs, b.Engine
	f.svc = process.New(process.Options{DB: db, Calendars: f.cals, Policy: f.packs, Org: f.org, Notify: f.sent,
		Logger: log, Now: f.clk.Now})
	f.svc.RegisterTimers(f.engine)
	f.cals.OnChange(f.svc.OnCalendarChange)
	f.custSvc = customer.New(customer.Options{DB: db, Policy: f.packs, Now: f.clk.Now})
	root, err := f.org.EnsureRoot(f.ctx, "集团")
	if err != nil {
		t.Fatal(err)
	}
	f.admin = &auth.Principal{Username: "admin", Roles: []auth.Role{auth.RoleAdmin}, OrgUnitID: root.ID, OrgPath: root.Path}
	city := f.unit(root.ID, org.Company, "市供电公司", "power")
	branch := f.unit(city.ID, org.Company, "城区供电分公司", "")
	f.units["city"], f.units["branch"] = city, branch
	f.units["city/marketing"] = f.unit(city.ID, org.Department, "市公司营销部", "")
	for _, d := range []string{"marketing", "production", "safety", "office"} {
		f.units[d] = f.unit(branch.ID, org.Department, d, "")
	}
	f.people["agent"] = f.user(f.units["marketing"], auth.RoleCSAgent)
	f.people["marketing"] = f.user(f.units["marketing"], auth.RoleDeptStaff)
	f.people["city"] = f.user(f.units["city/marketing"], auth.RoleDeptStaff)
	f.people["field"] = f.user(f.units["production"], auth.RoleFieldStaff)
	f.people["safety"] = f.user(f.units["safety"], auth.RoleAuditor)
	f.people["manager"] = f.user(f.units["office"], auth.RoleManager)
	f.people["viewer"] = f.user(f.units["marketing"], auth.RoleViewer)
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

// supplyPoint creates a customer of the branch with a power supply point.
func (f *fixture) supplyPoint(name string) customer.ServicePoint {
	f.t.Helper()
	unit := f.units["marketing"].ID
	c, _, err := f.custSvc.Create(f.ctx, f.admin, customer.Input{Kind: customer.Organisation, Name: name,
		Phone: "0571-8" + strconv.Itoa(1000000+f.n), Address: "城区工业路" + strconv.Itoa(f.n) + "号", Type: "hv_dual",
		OrgUnit: &unit,
		ServicePoints: []customer.ServicePointInput{{Kind: "power_supply_point", AccountNo: "P" + strconv.Itoa(8000000+f.n), Address: "城区工业路" + strconv.Itoa(f.n) + "号",
			Attributes: map[string]any{"voltage": "10kV", "contracted_capacity_kva": 1250, "usage": "power"}}}})
	if err != nil {
		f.t.Fatal(err)
	}
	f.n++
	got, err := f.custSvc.Get(f.ctx, f.admin, c.ID)
	if err != nil || len(got.ServicePoints) == 0 {
		f.t.Fatalf("customer %d: %v", c.ID, err)
	}
	return got.ServicePoints[0]
}

// act runs an action at the given time as who, failing the test on error.
func (f *fixture) act(who string, when string, id store.ID, in process.ActionInput) *process.Process {
	f.t.Helper()
	f.clk.Set(at(when))
	p, err := f.svc.Act(f.ctx, f.people[who], id, in)
	if err != nil {
		f.t.Fatalf("%s %s at %s: %v", who, in.Action, when, err)
	}
	return p
}

// refused runs an action that must fail with the status; it returns the error.
func (f *fixture) refused(who string, id store.ID, in process.ActionInput, status int) *apperr.Error {
	f.t.Helper()
	_, err := f.svc.Act(f.ctx, f.people[who], id, in)
	e, ok := apperr.As(err)
	if !ok || e.Status != status {
		f.t.Fatalf("%s %s: %v, want status %d", who, in.Action, err, status)
	}
	return e
}

// receiveAll receives every required checklist item of the current step.
func (f *fixture) receiveAll(who, when string, p *process.Process) *process.Process {
	f.t.Helper()
	for _, c := range p.Checklist {
		if c.Step == p.CurrentStep && c.Required && c.ReceivedAt == nil {
			p = f.act(who, when, p.ID, process.ActionInput{Action: process.ActionReceive, Item: c.Item})
		}
	}
	return p
}

// current is the active round of a process.
func current(t testing.TB, p *process.Process) process.StepRun {
	t.Helper()
	for i := len(p.Steps) - 1; i >= 0; i-- {
		if p.Steps[i].Status == process.StepActive {
			return p.Steps[i]
		}
	}
	t.Fatalf("process %s has no active step (status %s)", p.Number, p.Status)
	return process.StepRun{}
}

// due checks the current round's deadline.
func due(t testing.TB, p *process.Process, step, want string) {
	t.Helper()
	sr := current(t, p)
	if sr.Step != step {
		t.Fatalf("current step %s, want %s", sr.Step, step)
	}
	if want == "" {
		if sr.DueAt != nil {
			t.Fatalf("%s: due %v, want no clock", step, sr.DueAt)
		}
		return
	}
	if sr.DueAt == nil || !sr.DueAt.Equal(at(want)) {
		t.Fatalf("%s round %d: due %v, want %s", step, sr.Round, sr.DueAt, want)
	}
}
