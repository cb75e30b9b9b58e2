package inspection_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/certificate"
	"kefu/internal/customer"
	"kefu/internal/hazard"
	"kefu/internal/inspection"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/testkit"
)

// env is a gas or power company with its customer service department, two
// inspection teams and their people, on the services wired as the app
// wires them, on the real cn calendar.
type env struct {
	t      testing.TB
	ctx    context.Context
	db     *store.DB
	clk    *testkit.Clock
	svc    *inspection.Service
	cust   *customer.Service
	certs  *certificate.Service
	packs  *policy.Registry
	org    *org.Service
	root   org.Unit
	co     org.Unit
	dept   org.Unit
	teamA  org.Unit
	teamB  org.Unit
	people map[string]*auth.Principal
	seq    int
}

// at parses "2026-04-03 10:00" in Asia/Shanghai.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, store.Zone)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// newEnv builds a company of the pack ("gas" or "power") with the clock at now.
func newEnv(t testing.TB, db *store.DB, pack, now string) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), db: db, clk: testkit.NewClock(at(t, now)), people: map[string]*auth.Principal{}}
	b := testkit.NewBase(t, db, e.clk)
	e.org, e.packs = b.Org, b.Packs
	e.cust = customer.New(customer.Options{DB: db, Policy: b.Packs, Now: e.clk.Now})
	hz := hazard.New(hazard.Options{DB: db, Calendars: b.Calendars, Policy: b.Packs, Org: b.Org, Logger: b.Log, Now: e.clk.Now})
	e.certs = certificate.New(certificate.Options{DB: db, Calendars: b.Calendars, Policy: b.Packs, Org: b.Org, Logger: b.Log, Now: e.clk.Now})
	e.svc = inspection.New(inspection.Options{DB: db, Calendars: b.Calendars, Policy: b.Packs, Org: b.Org, Customers: e.cust,
		Hazards: hz, Certificates: e.certs, Logger: b.Log, Now: e.clk.Now})
	root, err := b.Org.EnsureRoot(e.ctx, "集团")
	if err != nil {
		t.Fatal(err)
	}
	name := map[string]string{"gas": "城东燃气公司", "power": "城南供电公司"}[pack]
	e.root = root
	e.co = testkit.Unit(t, b.Org, root.ID, org.Company, name, pack)
	e.dept = testkit.Unit(t, b.Org, e.co.ID, org.Department, "客户服务部", "")
	e.teamA = testkit.Unit(t, b.Org, e.dept.ID, org.Team, "安检一班", "")
	e.teamB = testkit.Unit(t, b.Org, e.dept.ID, org.Team, "安检二班", "")
	e.people["agent"] = testkit.User(t, db, e.dept, auth.RoleCSAgent)
	e.people["manager"] = testkit.User(t, db, e.dept, auth.RoleManager)
	e.people["auditor"] = testkit.User(t, db, e.co, auth.RoleAuditor)
	e.people["leaderA"] = testkit.User(t, db, e.teamA, auth.RoleManager)
	e.people["leaderB"] = testkit.User(t, db, e.teamB, auth.RoleManager)
	for _, n := range []string{"liu", "ma", "he"} {
		e.people[n] = testkit.User(t, db, e.teamA, auth.RoleFieldStaff)
	}
	e.people["zhao"] = testkit.User(t, db, e.teamB, auth.RoleFieldStaff)
	e.people["admin"] = testkit.User(t, db, root, auth.RoleAdmin)
	return e
}

// certify registers the gas inspector permit of the people (INS-017, STF-001).
func (e *env) certify(names ...string) {
	e.t.Helper()
	for _, n := range names {
		e.seq++
		if _, err := e.certs.Register(e.ctx, e.people["admin"], certificate.RegisterInput{UserID: e.people[n].UserID,
			Kind: "safety_inspector", Number: fmt.Sprintf("AJ-%04d", e.seq), IssuedOn: "2025-01-02"}); err != nil {
			e.t.Fatal(err)
		}
	}
}

// point creates a customer of the type with one service point and returns
// the point's id; attrs are the point's attributes.
func (e *env) point(name, typ string, attrs map[string]any) store.ID {
	e.t.Helper()
	e.seq++
	kind := customer.GasAccount
	if e.co.Pack == "power" {
		kind = customer.PowerSupplyPoint
	}
	c, _, err := e.cust.Create(e.ctx, e.people["agent"], customer.Input{Kind: customer.Organisation, Name: name,
		Phone: fmt.Sprintf("0571-8%07d", e.seq), Address: fmt.Sprintf("城东路%d号", e.seq), Type: typ,
		ServicePoints: []customer.ServicePointInput{{Kind: kind, AccountNo: fmt.Sprintf("A%06d", e.seq),
			Address: fmt.Sprintf("城东路%d号", e.seq), Attributes: attrs}}})
	if err != nil {
		e.t.Fatalf("customer %s: %v", name, err)
	}
	return c.ServicePoints[0].ID
}

// important makes the point's customer an approved important customer of
// the grade (CUS-005, CUS-006; set straight in the archive).
func (e *env) important(point store.ID, grade string) {
	e.t.Helper()
	if _, err := e.db.Writer().ExecContext(e.ctx, store.Rebind(`UPDATE customers SET importance = ?, importance_state = 'approved'
		WHERE id = (SELECT customer_id FROM service_points WHERE id = ?)`), grade, point); err != nil {
		e.t.Fatal(err)
	}
}

// fill is a complete form of the checklists: every item "正常" on both
// copies, every statement confirmed, signed on paper.
func (e *env) fill(lists []string) inspection.Form {
	e.t.Helper()
	pack, ok := e.packs.Get(e.co.Pack)
	if !ok {
		e.t.Fatal("no pack")
	}
	f := inspection.Form{Answers: map[string]map[string]string{}, CustomerCopy: map[string]map[string]string{},
		Acknowledgements: map[string]bool{}, Signature: "paper"}
	for _, key := range lists {
		c, _ := pack.Inspections.Checklist(key)
		f.Answers[key] = map[string]string{}
		for _, it := range c.Items {
			f.Answers[key][it.Key] = "正常"
		}
		if slices.Contains(c.Copies, policy.CopyCustomer) {
			f.CustomerCopy[key] = f.Answers[key]
		}
		for _, a := range c.Acknowledgements {
			f.Acknowledgements[a.Key] = true
		}
	}
	return f
}

// inspect records and closes a complete inspection of the point by the
// person at when ("2025-06-10 10:00").
func (e *env) inspect(who string, point store.ID, track, campaign, when string) *inspection.Record {
	e.t.Helper()
	t := at(e.t, when)
	p := e.people[who]
	r, err := e.svc.CreateRecord(e.ctx, p, inspection.RecordInput{ServicePointID: point, Track: track, Campaign: campaign, InspectedAt: &t})
	if err != nil {
		e.t.Fatalf("record %d %s%s on %s: %v", point, track, campaign, when, err)
	}
	f := e.fill(r.Checklists)
	if _, err := e.svc.UpdateRecord(e.ctx, p, r.ID, inspection.RecordUpdate{Form: f}); err != nil {
		e.t.Fatal(err)
	}
	r, err = e.svc.CloseRecord(e.ctx, p, r.ID)
	if err != nil {
		e.t.Fatalf("close %d: %v", r.ID, err)
	}
	return r
}

// plan generates the company's plan of a period as the department manager.
func (e *env) plan(period string) *inspection.StoredPlan {
	e.t.Helper()
	pl, _, err := e.svc.GeneratePlan(e.ctx, e.people["manager"], inspection.PlanInput{Period: period})
	if err != nil {
		e.t.Fatalf("plan %s: %v", period, err)
	}
	return pl
}

// items lists a plan's items, up to 500.
func (e *env) items(plan store.ID, f inspection.ItemFilter) []*inspection.PlanItem {
	e.t.Helper()
	f.Limit = 500
	items, err := e.svc.ListItems(e.ctx, e.people["manager"], plan, f)
	if err != nil {
		e.t.Fatal(err)
	}
	return items
}

// lines writes items as "archive/key due_on[!]", "!" marking an item
// overdue at the period's start and "✓" a done one, sorted.
func lines(items []*inspection.PlanItem) []string {
	var out []string
	for _, it := range items {
		key := it.Cycle
		if it.Campaign != "" {
			key = it.Campaign
		}
		s := fmt.Sprintf("%s/%s %s", it.ArchiveNo, key, it.DueOn)
		if it.OverdueAtStart {
			s += "!"
		}
		if it.Status == "done" {
			s += "✓"
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// wantErr checks an apperr's status and field.
func wantErr(t *testing.T, err error, status int, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Status != status || e.Field != field {
		t.Fatalf("error %v, want %d naming %q", err, status, field)
	}
}

// archive is the archive number of a point.
func (e *env) archive(point store.ID) string {
	e.t.Helper()
	var s string
	if err := e.db.Reader().QueryRow(e.ctx, "SELECT archive_no FROM service_points WHERE id = ?", point).Scan(&s); err != nil {
		e.t.Fatal(err)
	}
	return s
}

// apperrOf is apperr.As.
func apperrOf(err error) (*apperr.Error, bool) { return apperr.As(err) }

// builtin is a built-in pack as the binary embeds it.
func builtin(t *testing.T, key string) *policy.Pack {
	t.Helper()
	packs, err := policy.Builtins()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range packs {
		if p.Key == key {
			return p
		}
	}
	t.Fatalf("no pack %s", key)
	return nil
}

func orgInput(parent store.ID, name string) org.CreateInput {
	return org.CreateInput{ParentID: &parent, Kind: org.Company, Name: name, Pack: "power"}
}

// userIn is a manager of another company (every inspection permission to read).
func userIn(t *testing.T, db *store.DB, u org.Unit) *auth.Principal {
	return testkit.User(t, db, u, auth.RoleManager, auth.RoleAuditor)
}
