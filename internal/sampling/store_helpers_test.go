package sampling_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/hazard"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/sampling"
	"kefu/internal/store"
	"kefu/internal/testkit"
)

// fakeHazards stands in for the hazard register (SMP-016).
type fakeHazards struct {
	mu    sync.Mutex
	found []hazard.Finding
}

func (h *fakeHazards) RegisterIn(_ context.Context, _ store.Conn, _ *auth.Principal, f hazard.Finding) (store.ID, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if f.Severity == "catastrophic" {
		return 0, apperr.Validation("severity", i18n.T("未知", "unknown"))
	}
	h.found = append(h.found, f)
	return store.ID(9000 + len(h.found)), nil
}

// fixture is a gas company with the people of the SMP-002 matrix.
type fixture struct {
	t       *testing.T
	ctx     context.Context
	db      *store.DB
	clk     *testkit.Clock
	base    testkit.Base
	svc     *sampling.Service
	sent    *testkit.Sent
	hazards *fakeHazards
	co      org.Unit
	// auditor checks at levels 1 (auditor, safety_dept); hotline is a
	// level-1 checker (cs_agent); leader a level-2 checker (cs_supervisor);
	// manager level 3; manager2 another; cm a customer manager and
	// inspector a safety inspector (field_staff).
	auditor, hotline, leader, manager, cm, field *auth.Principal
	// other is an auditor of another company.
	other *auth.Principal
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, store.Zone)
	if err != nil {
		panic(err)
	}
	return t
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), db: db, clk: testkit.NewClock(at("2026-05-04 09:00")), sent: &testkit.Sent{},
		hazards: &fakeHazards{}}
	f.base = testkit.NewBase(t, db, f.clk)
	root, err := f.base.Org.EnsureRoot(f.ctx, "集团")
	if err != nil {
		t.Fatal(err)
	}
	f.co = testkit.Unit(t, f.base.Org, root.ID, org.Company, "燃气公司", "gas")
	team := testkit.Unit(t, f.base.Org, f.co.ID, org.Department, "客服班", "")
	other := testkit.Unit(t, f.base.Org, root.ID, org.Company, "乙燃气公司", "gas")
	f.auditor = testkit.User(t, db, f.co, auth.RoleAuditor)
	f.hotline = testkit.User(t, db, team, auth.RoleCSAgent)
	f.leader = testkit.User(t, db, team, auth.RoleCSSupervisor)
	f.manager = testkit.User(t, db, f.co, auth.RoleManager)
	f.cm = testkit.User(t, db, team, auth.RoleFieldStaff)
	f.field = testkit.User(t, db, team, auth.RoleFieldStaff)
	f.other = testkit.User(t, db, other, auth.RoleAuditor)
	f.svc = sampling.New(sampling.Options{DB: db, Calendars: f.base.Calendars, Policy: f.base.Packs, Org: f.base.Org,
		Hazards: f.hazards, Notify: f.sent, Logger: f.base.Log, Now: f.clk.Now})
	f.svc.RegisterTimers(f.base.Engine)
	return f
}

// residential is a customer manager's month of readings: n households,
// the first indoor ones indoor and the rest outdoor, the first notSeen
// and notUsing of them in those strata too, and boilers with a boiler.
func residential(n, indoor, notSeen, notUsing, boilers int) []sampling.Item {
	var items []sampling.Item
	for i := range n {
		id := fmt.Sprintf("H%04d", i)
		st := "outdoor"
		if i < indoor {
			st = "indoor"
		}
		items = append(items, sampling.Item{ID: id, Stratum: st})
		if i < notSeen {
			items = append(items, sampling.Item{ID: id, Stratum: "not_seen"})
		}
		if i >= n-notUsing {
			items = append(items, sampling.Item{ID: id, Stratum: "not_using"})
		}
		if i%7 == 0 && i/7 < boilers {
			items = append(items, sampling.Item{ID: id, Stratum: "wall_hung_boiler"})
		}
	}
	return items
}

// plain is n items without strata.
func plain(prefix string, n int) []sampling.Item {
	out := make([]sampling.Item, n)
	for i := range out {
		out[i] = sampling.Item{ID: fmt.Sprintf("%s%05d", prefix, i)}
	}
	return out
}

// wantErr fails unless err is an apperr with the code and field.
func wantErr(t *testing.T, err error, code, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != code || (field != "" && e.Field != field) {
		t.Fatalf("got %v, want %s at %q", err, code, field)
	}
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.Reader().QueryRow(f.ctx, q, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// passAll scores every item of the task's checklist as passed.
func (f *fixture) passAll(rule string, t sampling.Task) []sampling.ItemResult {
	f.t.Helper()
	pack, ok := f.base.Packs.Get("gas")
	if !ok {
		f.t.Fatal("no gas pack")
	}
	r, _ := pack.Sampling.Rule(rule)
	var out []sampling.ItemResult
	for _, it := range sampling.Checklist(&pack.Sampling, r, t.Stratum) {
		out = append(out, sampling.ItemResult{Item: it.Key, Result: sampling.ResultPass})
	}
	return out
}
