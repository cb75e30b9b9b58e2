package certificate_test

import (
	"context"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/certificate"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/testkit"
)

// env is a group with a gas company (燃气公司: a manager, a hotline agent,
// a repair worker, a safety inspector) and a power company (供电公司: a
// manager, an electrician), the certificate service on an injected clock
// with its daily timer registered, and the administrator who records
// certificates (staff:write).
type env struct {
	db      *store.DB
	b       testkit.Base
	clk     *testkit.Clock
	svc     *certificate.Service
	sent    *testkit.Sent
	gas     org.Unit
	power   org.Unit
	admin   *auth.Principal
	gasMgr  *auth.Principal
	agent   *auth.Principal
	repair  *auth.Principal
	checker *auth.Principal
	powMgr  *auth.Principal
	elec    *auth.Principal
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, store.Zone)
	if err != nil {
		panic(err)
	}
	return t
}

func newEnv(t *testing.T, db *store.DB, now string) *env {
	t.Helper()
	e := &env{db: db, clk: testkit.NewClock(at(now)), sent: &testkit.Sent{}}
	e.b = testkit.NewBase(t, db, e.clk)
	root, err := e.b.Org.EnsureRoot(audit.WithActor(context.Background(), audit.System), "集团")
	if err != nil {
		t.Fatal(err)
	}
	e.gas = testkit.Unit(t, e.b.Org, root.ID, org.Company, "燃气公司", "gas")
	e.power = testkit.Unit(t, e.b.Org, root.ID, org.Company, "供电公司", "power")
	repairTeam := testkit.Unit(t, e.b.Org, e.gas.ID, org.Department, "维修班", "")
	e.admin = testkit.User(t, db, root, auth.RoleAdmin)
	e.gasMgr = testkit.User(t, db, e.gas, auth.RoleManager)
	e.agent = testkit.User(t, db, e.gas, auth.RoleCSAgent)
	e.repair = testkit.User(t, db, repairTeam, auth.RoleFieldStaff)
	e.checker = testkit.User(t, db, repairTeam, auth.RoleFieldStaff)
	e.powMgr = testkit.User(t, db, e.power, auth.RoleManager)
	e.elec = testkit.User(t, db, e.power, auth.RoleFieldStaff)
	e.svc = certificate.New(certificate.Options{DB: db, Calendars: e.b.Calendars, Policy: e.b.Packs, Org: e.b.Org,
		Notify: e.sent, Logger: e.b.Log, Now: e.clk.Now})
	e.svc.RegisterTimers(e.b.Engine)
	return e
}

// fire moves the clock to when and fires the due timers.
func (e *env) fire(t *testing.T, when string) {
	t.Helper()
	e.clk.Set(at(when))
	if _, err := e.b.Engine.FireDue(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// register records a certificate as the administrator.
func (e *env) register(t *testing.T, in certificate.RegisterInput) *certificate.Certificate {
	t.Helper()
	c, err := e.svc.Register(context.Background(), e.admin, in)
	if err != nil {
		t.Fatalf("register %+v: %v", in, err)
	}
	return c
}

// wantErr checks that err is an apperr with the code and field.
func wantErr(t *testing.T, err error, code, field string) *apperr.Error {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok || ae.Code != code || ae.Field != field {
		t.Fatalf("error %v, want %s on %q", err, code, field)
	}
	return ae
}
