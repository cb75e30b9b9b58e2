package archive

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/document"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/testkit"
)

// fixture is a real-estate company 置业公司 (pack realestate, calendar cn)
// with its archive departments bound to org units; the clock stands at
// Mon 2026-03-02 09:00 Beijing time (fx.set moves it).
//
// Departments (fx.dept[key] is the unit id, fx.units[key] the unit): gmo
// (central), customer_affairs, sales_team, sales_office, csc, legal,
// commercial, general_services — all bound in archive_departments.
//
//   - archivist: archivist in the GMO, custodian of gmo
//   - deptArchivist: archivist in customer_affairs, its custodian
//   - gm: manager, position 总经理, in the company unit
//   - head: manager, position 招商部负责人, in general_services
//   - director: sales_manager (the Sales Director), in sales_office
//   - agent: sales_agent, in sales_office
//   - legalManager: manager in legal
//   - gmoManager: manager in the GMO
//   - outsider: archivist of another company (乙置业公司)
//   - admin: an administrator of the company
type fixture struct {
	t       testing.TB
	ctx     context.Context
	db      *store.DB
	clock   *testkit.Clock
	base    testkit.Base
	svc     *Service
	docs    *document.Service
	notify  *notify.Service
	co      org.Unit // the company
	company store.ID // its id
	other   org.Unit // another company
	dept    map[string]store.ID
	units   map[string]org.Unit

	archivist     *auth.Principal
	deptArchivist *auth.Principal
	gm            *auth.Principal
	head          *auth.Principal
	director      *auth.Principal
	agent         *auth.Principal
	legalManager  *auth.Principal
	gmoManager    *auth.Principal
	outsider      *auth.Principal
	admin         *auth.Principal
}

// fixtureDepts are the archive departments the fixture binds, in order.
var fixtureDepts = []struct{ key, name string }{
	{"gmo", "总经理办公室"}, {"customer_affairs", "客户事务组"}, {"sales_team", "项目销售组"},
	{"sales_office", "售楼处客服部"}, {"csc", "客户服务中心"}, {"legal", "法律室"},
	{"commercial", "商业组"}, {"general_services", "综合服务部"},
}

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

// at is a wall time in Beijing: "2026-04-03 15:00".
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// newFixture builds the company, its archive departments and the people.
func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	fx := &fixture{t: t, ctx: context.Background(), db: db, clock: testkit.NewClock(at(t, "2026-03-02 09:00")),
		dept: map[string]store.ID{}, units: map[string]org.Unit{}}
	fx.base = testkit.NewBase(t, db, fx.clock)
	root, err := fx.base.Org.EnsureRoot(fx.ctx, "集团")
	if err != nil {
		t.Fatal(err)
	}
	fx.co = testkit.Unit(t, fx.base.Org, root.ID, org.Company, "置业公司", "realestate")
	fx.company = fx.co.ID
	fx.other = testkit.Unit(t, fx.base.Org, root.ID, org.Company, "乙置业公司", "realestate")
	for _, d := range fixtureDepts {
		u := testkit.Unit(t, fx.base.Org, fx.co.ID, org.Department, d.name, "")
		fx.units[d.key], fx.dept[d.key] = u, u.ID
	}
	fx.archivist = fx.user(fx.units["gmo"], "", auth.RoleArchivist)
	fx.deptArchivist = fx.user(fx.units["customer_affairs"], "", auth.RoleArchivist)
	fx.gm = fx.user(fx.co, "总经理", auth.RoleManager)
	fx.head = fx.user(fx.units["general_services"], "招商部负责人", auth.RoleManager)
	fx.director = fx.user(fx.units["sales_office"], "", auth.RoleSalesManager)
	fx.agent = fx.user(fx.units["sales_office"], "", auth.RoleSalesAgent)
	fx.legalManager = fx.user(fx.units["legal"], "", auth.RoleManager)
	fx.gmoManager = fx.user(fx.units["gmo"], "", auth.RoleManager)
	fx.outsider = fx.user(fx.other, "", auth.RoleArchivist)
	fx.admin = fx.user(fx.co, "", auth.RoleAdmin)
	now := store.Micros(fx.clock.Now())
	fx.exec(`INSERT INTO archive_departments (company_id, dept_key, unit_id, custodian_id, updated_at) VALUES (?, ?, ?, ?, ?)`,
		fx.company, "gmo", fx.dept["gmo"], fx.archivist.UserID, now)
	fx.exec(`INSERT INTO archive_departments (company_id, dept_key, unit_id, custodian_id, updated_at) VALUES (?, ?, ?, ?, ?)`,
		fx.company, "customer_affairs", fx.dept["customer_affairs"], fx.deptArchivist.UserID, now)
	for _, d := range fixtureDepts[2:] {
		fx.exec(`INSERT INTO archive_departments (company_id, dept_key, unit_id, updated_at) VALUES (?, ?, ?, ?)`,
			fx.company, d.key, fx.dept[d.key], now)
	}
	fx.notify = notify.New(notify.Options{DB: db, Jobs: fx.base.Engine, Logger: fx.base.Log, Now: fx.clock.Now})
	fx.docs = document.New(document.Options{DB: db, Dir: t.TempDir(), Now: fx.clock.Now, Logger: fx.base.Log})
	fx.svc = New(Options{DB: db, Policy: fx.base.Packs, Calendars: fx.base.Calendars, Org: fx.base.Org,
		Documents: fx.docs, Notify: fx.notify, Logger: fx.base.Log, Now: fx.clock.Now})
	fx.docs.RegisterOwner("archive_file", fx.svc.DocumentOwner)
	return fx
}

// user inserts a user of the unit with a job position and roles.
func (fx *fixture) user(u org.Unit, position string, roles ...auth.Role) *auth.Principal {
	fx.t.Helper()
	p := testkit.User(fx.t, fx.db, u, roles...)
	if position != "" {
		fx.exec(`UPDATE users SET position = ? WHERE id = ?`, position, p.UserID)
	}
	return p
}

// exec runs one statement in its own transaction, failing the test on an
// error.
func (fx *fixture) exec(query string, args ...any) {
	fx.t.Helper()
	if err := fx.db.Tx(fx.ctx, func(tx store.Conn) error {
		_, err := tx.Exec(fx.ctx, query, args...)
		return err
	}); err != nil {
		fx.t.Fatal(err)
	}
}

// insert runs an INSERT … RETURNING id, failing the test on an error.
func (fx *fixture) insert(t testing.TB, query string, args ...any) store.ID {
	t.Helper()
	var id store.ID
	if err := fx.db.Tx(fx.ctx, func(tx store.Conn) error {
		var err error
		id, err = tx.InsertID(fx.ctx, query, args...)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return id
}

// set moves the clock to "2006-01-02 15:04" Beijing time.
func (fx *fixture) set(when string) time.Time {
	fx.t.Helper()
	tm := at(fx.t, when)
	fx.clock.Set(tm)
	return tm
}

// file inserts an active file of the company by SQL (level C, the pack's
// default chain), held by the archive department holderDeptKey; its title
// is "档案 <number>".
func (fx *fixture) file(t testing.TB, kind, number, holderDeptKey string) store.ID {
	t.Helper()
	now := store.Micros(fx.clock.Now())
	return fx.insert(t, `INSERT INTO archive_files (company_id, number, kind, title, sort_key, level, holder_unit_id,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'C', ?, ?, ?) RETURNING id`,
		fx.company, number, kind, "档案 "+number, SortKey(kind, "", "", "", number), fx.dept[holderDeptKey], now, now)
}

// volume inserts a volume of the file by SQL numbered "<file>-<category>":
// state open, archived or destroyed; archivedOn "YYYY-MM-DD" or "";
// eligible_on computed by EligibleOn when archived (0 years: permanent).
func (fx *fixture) volume(t testing.TB, fileID store.ID, category, state, archivedOn string, retentionYears int) store.ID {
	t.Helper()
	var number string
	if err := fx.db.Reader().QueryRow(fx.ctx, "SELECT number FROM archive_files WHERE id = ?", fileID).Scan(&number); err != nil {
		t.Fatal(err)
	}
	eligible := ""
	if archivedOn != "" {
		d, err := calendar.ParseDate(archivedOn)
		if err != nil {
			t.Fatal(err)
		}
		if e, ok := EligibleOn(d, retentionYears); ok {
			eligible = e.String()
		}
	}
	now := store.Micros(fx.clock.Now())
	return fx.insert(t, `INSERT INTO archive_volumes (file_id, company_id, category, number, state, archived_on,
		retention_months, eligible_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		fileID, fx.company, category, number+"-"+category, state, archivedOn, 12*retentionYears, eligible, now, now)
}

var fixtureSeq atomic.Int64

// customer inserts a customer of the company by SQL.
func (fx *fixture) customer(t testing.TB, name string) store.ID {
	t.Helper()
	now := store.Micros(fx.clock.Now())
	return fx.insert(t, `INSERT INTO customers (name, org_unit_id, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id`,
		name, fx.company, now, now)
}

// point inserts a property-unit service point of the customer by SQL.
func (fx *fixture) point(t testing.TB, customer store.ID, company store.ID) store.ID {
	t.Helper()
	n := strconv.FormatInt(fixtureSeq.Add(1), 10)
	now := store.Micros(fx.clock.Now())
	return fx.insert(t, `INSERT INTO service_points (customer_id, kind, account_no, archive_no, company_id, org_unit_id,
		created_at, updated_at) VALUES (?, 'property_unit', ?, ?, ?, ?, ?, ?) RETURNING id`,
		customer, "P"+n, "FX-"+n, company, company, now, now)
}

// must fails the test on an error, else returns v:
// must(fx.svc.GetFile(ctx, p, id))(t).
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// refused asserts a service refusal of the status naming the field (""
// for none).
func refused(t testing.TB, err error, status int, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("want a %d refusal on %q, got %v", status, field, err)
	}
	if e.Status != status || e.Field != field {
		t.Fatalf("want %d on %q, got %d on %q: %v", status, field, e.Status, e.Field, err)
	}
}
