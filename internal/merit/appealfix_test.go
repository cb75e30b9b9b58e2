package merit_test

import (
	"context"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/hazard"
	"kefu/internal/merit"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/testkit"
)

// appealFix is a gas company 燃气公司 (pack gas: deciders and reporter
// viewers are managers) with a customer-service team, and a second gas
// company; the clock stands at Mon 2026-06-15 10:00.
//
//   - agent, agent2: cs_agent in the team (agent is the usual appellant)
//   - leader: cs_supervisor in the team (mediates)
//   - manager, manager2: managers of the company (decide)
//   - auditor: auditor of the company (registers bounties, inspections:write)
//   - outsider, outsiderBoss: a cs_supervisor and a manager of the other company
type appealFix struct {
	t       *testing.T
	ctx     context.Context
	db      *store.DB
	clk     *testkit.Clock
	base    testkit.Base
	svc     *merit.Service
	notes   *notify.Service
	hazards *hazard.Service
	co      org.Unit
	team    org.Unit

	agent, agent2, leader, manager, manager2, auditor, outsider, outsiderBoss *auth.Principal
}

func newAppealFix(t *testing.T, db *store.DB) *appealFix {
	t.Helper()
	at, err := time.ParseInLocation("2006-01-02 15:04", "2026-06-15 10:00", store.Zone)
	if err != nil {
		t.Fatal(err)
	}
	f := &appealFix{t: t, ctx: context.Background(), db: db, clk: testkit.NewClock(at)}
	f.base = testkit.NewBase(t, db, f.clk)
	root, err := f.base.Org.EnsureRoot(f.ctx, "集团")
	if err != nil {
		t.Fatal(err)
	}
	f.co = testkit.Unit(t, f.base.Org, root.ID, org.Company, "燃气公司", "gas")
	f.team = testkit.Unit(t, f.base.Org, f.co.ID, org.Department, "客服班", "")
	other := testkit.Unit(t, f.base.Org, root.ID, org.Company, "乙燃气公司", "gas")
	f.agent = testkit.User(t, db, f.team, auth.RoleCSAgent)
	f.agent2 = testkit.User(t, db, f.team, auth.RoleCSAgent)
	f.leader = testkit.User(t, db, f.team, auth.RoleCSSupervisor)
	f.manager = testkit.User(t, db, f.co, auth.RoleManager)
	f.manager2 = testkit.User(t, db, f.co, auth.RoleManager)
	f.auditor = testkit.User(t, db, f.co, auth.RoleAuditor)
	f.outsider = testkit.User(t, db, other, auth.RoleCSSupervisor)
	f.outsiderBoss = testkit.User(t, db, other, auth.RoleManager)
	f.notes = notify.New(notify.Options{DB: db, Jobs: f.base.Engine, Logger: f.base.Log, Now: f.clk.Now})
	f.svc = merit.New(merit.Options{DB: db, Policy: f.base.Packs, Org: f.base.Org, Notify: f.notes,
		Logger: f.base.Log, Now: f.clk.Now})
	f.hazards = hazard.New(hazard.Options{DB: db, Calendars: f.base.Calendars, Policy: f.base.Packs, Org: f.base.Org,
		Logger: f.base.Log, Now: f.clk.Now})
	return f
}

// entry inserts a confirmed ledger entry of the person straight into the
// ledger (decided by the first manager) and returns its id.
func (f *appealFix) entry(who *auth.Principal, kind, on string, amountFen int64, points int) store.ID {
	f.t.Helper()
	pack, err := f.base.Packs.ForUnit(f.ctx, who.OrgUnitID)
	if err != nil {
		f.t.Fatal(err)
	}
	var id store.ID
	err = f.db.Tx(f.ctx, func(tx store.Conn) error {
		var err error
		id, err = tx.InsertID(f.ctx, `INSERT INTO merit_entries (company_id, unit_id, user_id, pack, pack_version, kind,
			occurred_on, amount_cents, points, reason, rule_id, source_kind, created_at, state, decided_by, decided_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, f.co.ID, who.OrgUnitID, who.UserID,
			pack.Key, pack.Version, kind, on, amountFen, points, "投诉处理超时", "MER-010", merit.SourceManual,
			store.Micros(f.clk.Now()), merit.StateConfirmed, f.manager.UserID, store.Micros(f.clk.Now()))
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

// apRow is what the tests read of a ledger row.
type apRow struct {
	ID         store.ID
	Kind       string
	Amount     int64
	Points     int
	State      string
	SourceKind string
	SourceID   store.ID
	Supersedes store.NullID
	On         string
	Reason     string
}

// row reads a ledger row.
func (f *appealFix) row(id store.ID) apRow {
	f.t.Helper()
	var r apRow
	err := f.db.Reader().QueryRow(f.ctx, `SELECT id, kind, amount_cents, points, state, source_kind, source_id,
		supersedes_id, occurred_on, reason FROM merit_entries WHERE id = ?`, id).Scan(&r.ID, &r.Kind, &r.Amount,
		&r.Points, &r.State, &r.SourceKind, &r.SourceID, &r.Supersedes, &r.On, &r.Reason)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// decisions are the actions of an entry's decisions with their refs, in
// order.
func (f *appealFix) decisions(id store.ID) []string {
	f.t.Helper()
	out, err := store.QueryAll(f.ctx, f.db.Reader(), func(sc store.Scanner) (string, error) {
		var a string
		var ref store.ID
		err := sc.Scan(&a, &ref)
		return a + ":" + ref.String(), err
	}, `SELECT action, ref_id FROM merit_decisions WHERE entry_id = ? ORDER BY id`, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// notified is how many unread notifications of the event the user has.
func (f *appealFix) notified(who *auth.Principal, event string) int {
	f.t.Helper()
	ns, err := f.notes.List(f.ctx, who.UserID, false, 100)
	if err != nil {
		f.t.Fatal(err)
	}
	n := 0
	for _, x := range ns {
		if x.Event == event {
			n++
		}
	}
	return n
}

// apRefused asserts a service refusal of the status naming the field ("" for
// none).
func apRefused(t *testing.T, err error, status int, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("want a %d refusal on %q, got %v", status, field, err)
	}
	if e.Status != status || e.Field != field {
		t.Fatalf("want %d on %q, got %d on %q: %v", status, field, e.Status, e.Field, err)
	}
}

// appeal fails the test on an error, else returns the appeal.
func (f *appealFix) appeal(a *merit.Appeal, err error) *merit.Appeal {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

// appeals fails the test on an error, else returns the appeals.
func (f *appealFix) appeals(as []merit.Appeal, err error) []merit.Appeal {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
	return as
}

// bounty fails the test on an error, else returns the bounty.
func (f *appealFix) bounty(b *merit.Bounty, err error) *merit.Bounty {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

// bounties fails the test on an error, else returns the bounties.
func (f *appealFix) bounties(bs []merit.Bounty, err error) []merit.Bounty {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
	return bs
}
