package hazard_test

import (
	"context"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/hazard"
	"kefu/internal/jobs"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/testkit"
)

// fixture is a power company 甲供电 and a gas company 乙燃气 under the
// group, with their people, an approved important customer of 甲 (a
// Grade-3A hospital) and an ordinary customer; the clock stands at Tue
// 2026-03-10 09:00.
type fixture struct {
	t          *testing.T
	ctx        context.Context
	db         *store.DB
	clk        *testkit.Clock
	base       testkit.Base
	svc        *hazard.Service
	power, gas org.Unit
	team       org.Unit // a team of 甲供电
	people     map[string]*auth.Principal
	hospital   store.ID // important customer of 甲 (grade 1, approved)
	shop       store.ID // ordinary customer of 甲
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), db: db, clk: testkit.NewClock(at(t, "2026-03-10 09:00"))}
	f.base = testkit.NewBase(t, db, f.clk)
	root, err := f.base.Org.EnsureRoot(f.ctx, "集团总部")
	if err != nil {
		t.Fatal(err)
	}
	f.power = testkit.Unit(t, f.base.Org, root.ID, org.Company, "甲供电", "power")
	f.gas = testkit.Unit(t, f.base.Org, root.ID, org.Company, "乙燃气", "gas")
	dept := testkit.Unit(t, f.base.Org, f.power.ID, org.Department, "营销部", "")
	f.team = testkit.Unit(t, f.base.Org, dept.ID, org.Team, "用电检查班", "")
	f.svc = hazard.New(hazard.Options{DB: db, Calendars: f.base.Calendars, Policy: f.base.Packs, Org: f.base.Org,
		Logger: f.base.Log, Now: f.clk.Now})
	f.svc.RegisterTimers(f.base.Engine)
	f.people = map[string]*auth.Principal{
		"inspector": testkit.User(t, db, f.team, auth.RoleFieldStaff),
		"auditor":   testkit.User(t, db, f.power, auth.RoleAuditor),
		"manager":   testkit.User(t, db, f.power, auth.RoleManager),
		"agent":     testkit.User(t, db, f.power, auth.RoleCSAgent),
		"viewer":    testkit.User(t, db, f.power, auth.RoleViewer),
		"gas":       testkit.User(t, db, f.gas, auth.RoleFieldStaff),
		"gasboss":   testkit.User(t, db, f.gas, auth.RoleManager),
		"admin":     {Username: "admin", Roles: []auth.Role{auth.RoleAdmin}},
	}
	f.hospital = f.customer("市第一人民医院", "1", "approved")
	f.shop = f.customer("便民超市", "", "")
	return f
}

// customer inserts a customer of 甲供电 with an importance grade and state.
func (f *fixture) customer(name, importance, state string) store.ID {
	f.t.Helper()
	var id store.ID
	err := f.db.Tx(f.ctx, func(tx store.Conn) error {
		var err error
		id, err = tx.InsertID(f.ctx, `INSERT INTO customers (name, address, org_unit_id, importance, importance_state,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, 0) RETURNING id`, name, "工业园1号", f.power.ID, importance, state)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

// register registers a finding as who and fails the test on refusal.
func (f *fixture) register(who string, in hazard.Finding) *hazard.Detail {
	f.t.Helper()
	d, err := f.svc.Register(f.ctx, f.people[who], in)
	if err != nil {
		f.t.Fatalf("register: %v", err)
	}
	return d
}

// serious is a serious hazard at the hospital, found by the inspector.
func (f *fixture) serious() *hazard.Detail {
	return f.register("inspector", hazard.Finding{Source: hazard.SourceInspection, SourceID: 77, CustomerID: f.hospital,
		Location: "配电室", Description: "双电源闭锁装置失效", Severity: "serious", Responsibility: hazard.ResponsibleCustomer,
		HandedTo: "用电检查班 张工"})
}

// fire runs the timers due at the clock's time.
func (f *fixture) fire() {
	f.t.Helper()
	if _, err := f.base.Engine.FireDue(f.ctx); err != nil {
		f.t.Fatal(err)
	}
}

// at parses "2026-03-18 00:00" in Asia/Shanghai.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, store.Zone)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// refusal is the status and field of a service refusal.
func refusal(t *testing.T, err error) (int, string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("want a refusal, got %v", err)
	}
	return e.Status, e.Field
}

// clock returns the hazard's clock of a kind.
func clock(h *hazard.Hazard, kind string) *hazard.Clock {
	for i := range h.Clocks {
		if h.Clocks[i].Kind == kind {
			return &h.Clocks[i]
		}
	}
	return nil
}

// timerAt is when the hazard's deadline timer fires, if it exists.
func (f *fixture) timerAt(id store.ID) (time.Time, bool) {
	tm, ok, err := jobs.Get(f.ctx, f.db.Reader(), hazard.TimerDeadline, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return tm.At, ok
}
