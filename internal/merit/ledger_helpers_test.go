package merit_test

import (
	"context"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/merit"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/testkit"
)

// ledger is a group with a gas company (a customer-service team) and a
// real-estate company (a sales office), and the merit service on them.
type ledger struct {
	t      testing.TB
	ctx    context.Context
	db     *store.DB
	clk    *testkit.Clock
	base   testkit.Base
	notify *notify.Service
	svc    *merit.Service
	gas    org.Unit
	team   org.Unit
	// Gas: agent (cs_agent) and worker (field_staff) in the team, sup
	// (cs_supervisor) leading it, mgr (manager) of the company, auditor;
	// stranger a manager of another company.
	agent, worker, sup, mgr, auditor, stranger *auth.Principal
	// Real estate: seller (sales_agent) in the sales office, director
	// (sales_manager) and assistant (position 总监助理) of the company.
	estate, office              org.Unit
	seller, director, assistant *auth.Principal
}

func ledgerAt(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, store.Zone)
	if err != nil {
		panic(err)
	}
	return t
}

func newLedger(t testing.TB, db *store.DB) *ledger {
	t.Helper()
	l := &ledger{t: t, ctx: context.Background(), db: db, clk: testkit.NewClock(ledgerAt("2026-06-15 09:00"))}
	l.base = testkit.NewBase(t, db, l.clk)
	root, err := l.base.Org.EnsureRoot(l.ctx, "集团")
	if err != nil {
		t.Fatal(err)
	}
	l.gas = testkit.Unit(t, l.base.Org, root.ID, org.Company, "燃气公司", "gas")
	l.team = testkit.Unit(t, l.base.Org, l.gas.ID, org.Department, "客服班", "")
	other := testkit.Unit(t, l.base.Org, root.ID, org.Company, "乙燃气公司", "gas")
	l.agent = testkit.User(t, db, l.team, auth.RoleCSAgent)
	l.worker = testkit.User(t, db, l.team, auth.RoleFieldStaff)
	l.sup = testkit.User(t, db, l.team, auth.RoleCSSupervisor)
	l.mgr = testkit.User(t, db, l.gas, auth.RoleManager)
	l.auditor = testkit.User(t, db, l.gas, auth.RoleAuditor)
	l.stranger = testkit.User(t, db, other, auth.RoleManager)
	l.estate = testkit.Unit(t, l.base.Org, root.ID, org.Company, "置业公司", "realestate")
	l.office = testkit.Unit(t, l.base.Org, l.estate.ID, org.Department, "售楼处", "")
	l.seller = testkit.User(t, db, l.office, auth.RoleSalesAgent)
	l.director = testkit.User(t, db, l.estate, auth.RoleSalesManager)
	l.assistant = testkit.User(t, db, l.estate, auth.RoleSalesAgent)
	if err := l.exec(`UPDATE users SET position = '总监助理' WHERE id = ?`, l.assistant.UserID); err != nil {
		t.Fatal(err)
	}
	l.notify = notify.New(notify.Options{DB: db, Jobs: l.base.Engine, Logger: l.base.Log, Now: l.clk.Now})
	l.svc = merit.New(merit.Options{DB: db, Policy: l.base.Packs, Org: l.base.Org, Notify: l.notify, Logger: l.base.Log,
		Now: l.clk.Now})
	return l
}

// record records an entry and fails on error.
func (l *ledger) record(p *auth.Principal, in merit.EntryInput) *merit.Entry {
	l.t.Helper()
	e, err := l.svc.Record(l.ctx, p, in)
	if err != nil {
		l.t.Fatalf("record %+v: %v", in, err)
	}
	return e
}

// summary is the person's summary at a date, as the manager reads it.
func (l *ledger) summary(user store.ID, at string) *merit.PersonSummary {
	l.t.Helper()
	s, err := l.svc.Summary(l.ctx, l.mgr, user, at)
	if err != nil {
		l.t.Fatal(err)
	}
	return s
}

// exec runs a statement in a transaction of its own.
func (l *ledger) exec(q string, args ...any) error {
	return l.db.Tx(l.ctx, func(tx store.Conn) error {
		_, err := tx.Exec(l.ctx, q, args...)
		return err
	})
}

func (l *ledger) count(q string, args ...any) int {
	l.t.Helper()
	var n int
	if err := l.db.Reader().QueryRow(l.ctx, q, args...).Scan(&n); err != nil {
		l.t.Fatal(err)
	}
	return n
}

// propose sends an event's payload through Propose in a transaction.
func (l *ledger) propose(event string, payload any) {
	l.t.Helper()
	if err := l.db.Tx(l.ctx, func(tx store.Conn) error { return l.svc.Propose(l.ctx, tx, event, payload) }); err != nil {
		l.t.Fatal(err)
	}
}

// wantCode fails unless err is an apperr with the code and field ("" any).
func wantCode(t *testing.T, err error, code, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != code || field != "" && e.Field != field {
		t.Fatalf("got %v, want %s at %q", err, code, field)
	}
}
