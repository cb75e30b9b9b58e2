package sales

import (
	"context"
	"sync"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/testkit"
)

// fixture is a real-estate company 置业公司 (pack realestate, calendar cn)
// with a sales centre 案场 set up as a sales-mode centre; the clock stands
// at Mon 2026-05-11 09:00 (fx.set moves it).
//
//   - pm: the Project Manager (sales_manager, position 项目经理): custodian
//     of the register, and a decider
//   - sdm: the Sales Department Manager (manager, position 销售部经理):
//     reads the whole register (SEC-003)
//   - sm: a plain Sales Manager (sales_manager, no position): a decider
//     who does not read the book
//   - a, b, c, d: sales agents, the rotation in that order
//   - admin: an administrator
//   - outsider: a sales agent of another real-estate company
type fixture struct {
	t       *testing.T
	ctx     context.Context
	db      *store.DB
	clock   *testkit.Clock
	base    testkit.Base
	svc     *Service
	merits  *proposals
	co      org.Unit
	centre  org.Unit
	unit    store.ID // the centre's unit id
	other   org.Unit // another company
	pm      *auth.Principal
	sdm     *auth.Principal
	sm      *auth.Principal
	a, b    *auth.Principal
	c, d    *auth.Principal
	admin   *auth.Principal
	outside *auth.Principal
}

// proposals records the merit proposals the service makes.
type proposals struct {
	mu     sync.Mutex
	events []string
	loads  []any
}

// Propose records the event.
func (p *proposals) Propose(_ context.Context, _ store.Conn, event string, payload any) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events = append(p.events, event)
	p.loads = append(p.loads, payload)
	return nil
}

// count is how many proposals of the event were made.
func (p *proposals) count(event string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, e := range p.events {
		if e == event {
			n++
		}
	}
	return n
}

// newFixture builds the company, the centre, the people and the rotation
// A, B, C, D.
func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	fx := &fixture{t: t, ctx: context.Background(), db: db, clock: testkit.NewClock(at(t, "2026-05-11 09:00")),
		merits: &proposals{}}
	fx.base = testkit.NewBase(t, db, fx.clock)
	root, err := fx.base.Org.EnsureRoot(fx.ctx, "集团")
	if err != nil {
		t.Fatal(err)
	}
	fx.co = testkit.Unit(t, fx.base.Org, root.ID, org.Company, "置业公司", "realestate")
	fx.centre = testkit.Unit(t, fx.base.Org, fx.co.ID, org.Department, "滨江案场", "")
	fx.unit = fx.centre.ID
	fx.other = testkit.Unit(t, fx.base.Org, root.ID, org.Company, "乙置业公司", "realestate")
	fx.pm = fx.user(fx.centre, "项目经理", auth.RoleSalesManager)
	fx.sdm = fx.user(fx.co, "销售部经理", auth.RoleManager)
	fx.sm = fx.user(fx.centre, "", auth.RoleSalesManager)
	fx.a = fx.user(fx.centre, "", auth.RoleSalesAgent)
	fx.b = fx.user(fx.centre, "", auth.RoleSalesAgent)
	fx.c = fx.user(fx.centre, "", auth.RoleSalesAgent)
	fx.d = fx.user(fx.centre, "", auth.RoleSalesAgent)
	fx.admin = fx.user(fx.co, "", auth.RoleAdmin)
	fx.outside = fx.user(fx.other, "", auth.RoleSalesAgent)
	fx.svc = New(Options{DB: db, Policy: fx.base.Packs, Calendars: fx.base.Calendars, Org: fx.base.Org,
		Merits: fx.merits, Logger: fx.base.Log, Now: fx.clock.Now})
	if _, err := fx.svc.SetupCentre(fx.ctx, fx.pm, CentreInput{UnitID: fx.unit, Mode: ModeSales,
		Reason: "开盘"}); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.SetMembers(fx.ctx, fx.pm, fx.unit, MembersInput{
		UserIDs: []store.ID{fx.a.UserID, fx.b.UserID, fx.c.UserID, fx.d.UserID}, Reason: "初始轮排"}); err != nil {
		t.Fatal(err)
	}
	return fx
}

// user inserts a user of the unit with a job position and roles.
func (fx *fixture) user(u org.Unit, position string, roles ...auth.Role) *auth.Principal {
	fx.t.Helper()
	p := testkit.User(fx.t, fx.db, u, roles...)
	if position != "" {
		err := fx.db.Tx(fx.ctx, func(tx store.Conn) error {
			_, err := tx.Exec(fx.ctx, `UPDATE users SET position = ? WHERE id = ?`, position, p.UserID)
			return err
		})
		if err != nil {
			fx.t.Fatal(err)
		}
	}
	return p
}

// set moves the clock to "2006-01-02 15:04" in the store's zone.
func (fx *fixture) set(when string) time.Time {
	fx.t.Helper()
	tm := at(fx.t, when)
	fx.clock.Set(tm)
	return tm
}

// must fails the test on an error, else returns v:
// must(fx.svc.Rotation(ctx, p, unit))(t).
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// refused asserts a service refusal of the status naming the field (""
// for none).
func refused(t *testing.T, err error, status int, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("want a %d refusal on %q, got %v", status, field, err)
	}
	if e.Status != status || e.Field != field {
		t.Fatalf("want %d on %q, got %d on %q: %v", status, field, e.Status, e.Field, err)
	}
}

// receive starts a reception of the kind for the agent (0 for rotation)
// and fails the test on an error.
func (fx *fixture) receive(kind string, agent *auth.Principal) Reception {
	fx.t.Helper()
	in := ReceptionInput{UnitID: fx.unit, Kind: kind}
	if agent != nil {
		in.AgentID = agent.UserID
	}
	return must(fx.svc.StartReception(fx.ctx, fx.pm, in))(fx.t)
}

// register enters a visit of the reception by its agent with name and
// phone, failing the test on an error.
func (fx *fixture) register(who *auth.Principal, reception store.ID, name, phone string) Registration {
	fx.t.Helper()
	return must(fx.svc.Register(fx.ctx, who, RegistrationInput{UnitID: fx.unit, ReceptionID: reception,
		CustomerName: name, Phone: phone, InfoSource: "online"}))(fx.t)
}
