package ticket_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/ticket"
)

// TestCountsFollowEveryChange: after a random sequence of intakes (some
// back-entered days ago) and actions — forward, assign to units of other
// companies, accept, result, resolve, reply, close, reopen, link_duplicate,
// reclassify, escalate — with the clock moving on and breach timers
// firing, the counter tables equal a GROUP BY over tickets, and Counts
// equals the figures computed from the work orders themselves, for the
// administrator and for an agent of one company.
func TestCountsFollowEveryChange(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		r := rand.New(rand.NewPCG(6, 13))
		admin := f.user(f.root, auth.RoleAdmin)
		cats := map[string][]string{
			"property": {"repair.simple", "repair.other", "complaint.other", "inquiry.general", "common.other"},
			"general":  {"complaint.general", "complaint.major"},
			"gas":      {"fault.network", "complaint"},
		}
		agents := map[string]*auth.Principal{}
		for pack := range cats {
			agents[pack] = f.agent(pack)
		}
		packs := slices.Sorted(maps.Keys(cats))
		var units []store.ID
		for _, k := range slices.Sorted(maps.Keys(f.units)) {
			units = append(units, f.units[k].ID)
		}
		f.clk.Set(at("2027-01-20 08:00"))
		var ids []store.ID
		for i := range 240 {
			f.clk.Set(f.clk.Now().Add(time.Duration(r.IntN(90)) * time.Minute))
			if len(ids) < 10 || r.IntN(3) == 0 {
				pack := packs[r.IntN(len(packs))]
				in := ticket.CreateInput{Category: cats[pack][r.IntN(len(cats[pack]))],
					Customer: ptrCustomer("客户", fmt.Sprintf("1390000%04d", i))}
				if r.IntN(3) == 0 { // back-entered from a paper record
					in.ReceivedAt = ptr(f.clk.Now().Add(-time.Duration(r.IntN(72*60)) * time.Minute))
				}
				ids = append(ids, f.create(agents[pack], in).ID)
				continue
			}
			id := ids[r.IntN(len(ids))]
			a := ticket.Action{Name: []string{"forward", "assign", "assign", "accept", "result", "resolve", "resolve",
				"reply", "close", "close", "reopen", "link_duplicate", "reclassify", "escalate"}[r.IntN(14)]}
			switch a.Name {
			case "assign", "forward":
				a.OrgUnit = &units[r.IntN(len(units))]
			case "reply":
				a.Text, a.Written = "已答复", true
			case "link_duplicate":
				a.TicketID = &ids[r.IntN(len(ids))]
			case "reclassify":
				a.Category, a.Reason = cats["property"][r.IntN(len(cats["property"]))], "类别有误"
			case "close": // TKT-018: some categories close only with a written reply on file
				_, _ = f.svc.Act(f.ctx, admin, id, ticket.Action{Name: "reply", Written: true, Text: "书面答复"})
			}
			if _, err := f.svc.Act(f.ctx, admin, id, a); err != nil {
				if _, ok := apperr.As(err); !ok {
					t.Fatalf("%s on %d: %v", a.Name, id, err)
				}
			}
			if _, err := f.engine.FireDue(f.ctx); err != nil {
				t.Fatal(err)
			}
		}
		checkCounters(t, f)
		if n := len(rowsOf(t, f, "SELECT DISTINCT status FROM tickets")); n < len(ticket.Statuses())-1 {
			t.Errorf("the random sequence reached %d statuses", n)
		}
		agent := agents["property"]
		for _, p := range []*auth.Principal{admin, agent} {
			got, err := f.svc.Counts(f.ctx, p, ticket.CountsFilter{})
			if err != nil {
				t.Fatal(err)
			}
			want := expectedCounts(t, f, p.Scope(), f.clk.Now())
			got.AsOf = time.Time{}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s counts\n got %+v\nwant %+v", p.Roles[0], got, want)
			}
		}
		// An admin narrowing to the property company sees what its agent sees.
		narrow, err := f.svc.Counts(f.ctx, admin, ticket.CountsFilter{Unit: f.units["property"].ID})
		if err != nil {
			t.Fatal(err)
		}
		if want := expectedCounts(t, f, org.Scope{Path: f.units["property"].Path}, f.clk.Now()); narrow.Open != want.Open ||
			narrow.ReceivedThisMonth != want.ReceivedThisMonth {
			t.Errorf("unit filter: open %d received %d, want %d %d", narrow.Open, narrow.ReceivedThisMonth, want.Open,
				want.ReceivedThisMonth)
		}
		if narrow.Open == 0 || narrow.ReceivedThisMonth == 0 {
			t.Errorf("the property company counts nothing: %+v", narrow)
		}
	})
}

// TestCountsDays: received and closed today and this month follow the
// calendar day in Asia/Shanghai, not UTC: 00:10 on the 20th (16:10 UTC on
// the 19th) is today, 23:50 on the 19th is not; a reopen takes the close
// back, and closing again counts on the day of the new close.
func TestCountsDays(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.user(f.units["property/cs"], auth.RoleCSSupervisor)
		f.clk.Set(at("2027-01-20 09:00"))
		for _, rec := range []string{"2027-01-20 00:10", "2027-01-19 23:50", "2027-01-01 00:05", "2026-12-31 23:55"} {
			f.create(p, ticket.CreateInput{Category: "repair.other", ReceivedAt: ptr(at(rec))})
		}
		tk := f.create(p, ticket.CreateInput{Category: "repair.other"})
		counts := func() ticket.Counts {
			t.Helper()
			c, err := f.svc.Counts(f.ctx, p, ticket.CountsFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		c := counts()
		if c.ReceivedToday != 2 || c.ReceivedThisMonth != 4 || c.ClosedToday != 0 || c.Open != 5 {
			t.Errorf("after intake: %+v", c)
		}
		if !c.AsOf.Equal(at("2027-01-20 09:00")) || c.AsOf.Location() != store.Zone {
			t.Errorf("as_of %v", c.AsOf)
		}
		f.act(p, tk.ID, ticket.Action{Name: "resolve"})
		f.act(p, tk.ID, ticket.Action{Name: "close"})
		if c := counts(); c.ClosedToday != 1 || c.ClosedThisMonth != 1 || c.Open != 4 || c.ByStatus[ticket.StatusClosed] != 1 {
			t.Errorf("after close: %+v", c)
		}
		f.clk.Set(at("2027-01-21 10:00"))
		if c := counts(); c.ClosedToday != 0 || c.ReceivedToday != 0 || c.ClosedThisMonth != 1 {
			t.Errorf("next day: %+v", c)
		}
		f.act(p, tk.ID, ticket.Action{Name: "reopen"})
		if c := counts(); c.ClosedThisMonth != 0 || c.Open != 5 {
			t.Errorf("after reopen: %+v", c)
		}
		f.act(p, tk.ID, ticket.Action{Name: "resolve"})
		f.act(p, tk.ID, ticket.Action{Name: "close"})
		if c := counts(); c.ClosedToday != 1 || c.ClosedThisMonth != 1 {
			t.Errorf("closed again: %+v", c)
		}
		f.clk.Set(at("2027-02-01 00:01"))
		if c := counts(); c.ReceivedThisMonth != 0 || c.ClosedThisMonth != 0 || c.Open != 4 {
			t.Errorf("next month: %+v", c)
		}
		checkCounters(t, f)
	})
}

// TestCountsDueSoonAndBreached: a reply clock of 30 minutes is due soon
// from its warning point (80 %) to its target, then breached.
func TestCountsDueSoonAndBreached(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.agent("property")
		f.clk.Set(at("2026-11-20 10:05"))
		tk := f.create(p, ticket.CreateInput{Category: "inquiry.general"}) // reply 30m: warning 10:29, target 10:35
		check := func(when string, dueSoon, breached int64) {
			t.Helper()
			f.clk.Set(at(when))
			if _, err := f.engine.FireDue(f.ctx); err != nil {
				t.Fatal(err)
			}
			c, err := f.svc.Counts(f.ctx, p, ticket.CountsFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if c.DueSoon != dueSoon || c.Breached != breached || c.DueSoonCapped {
				t.Errorf("at %s: due soon %d, breached %d; want %d, %d", when, c.DueSoon, c.Breached, dueSoon, breached)
			}
			if len(c.ByCategory) != 1 || c.ByCategory[0] != (ticket.CategoryCount{Pack: "property", Category: "inquiry.general",
				Open: 1, Breached: breached}) {
				t.Errorf("at %s: by category %+v", when, c.ByCategory)
			}
		}
		check("2026-11-20 10:28", 0, 0)
		check("2026-11-20 10:29", 1, 0)
		check("2026-11-20 10:35", 0, 1)
		f.act(p, tk.ID, ticket.Action{Name: "reply", Text: "已答复"})
		check("2026-11-20 10:40", 0, 1)
	})
}

// TestCountsScope: an agent counts the work orders owned in their unit's
// subtree only — one handed to another company leaves their counts — may
// narrow to a unit inside it, and is refused (404 "unit") a unit outside
// it; a role without tickets:read is refused (403).
func TestCountsScope(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		prop, gas := f.agent("property"), f.agent("gas")
		for range 3 {
			f.create(prop, ticket.CreateInput{Category: "repair.other"})
		}
		moved := f.create(prop, ticket.CreateInput{Category: "repair.other"})
		f.create(gas, ticket.CreateInput{Category: "fault.network"})
		f.act(prop, moved.ID, ticket.Action{Name: "assign", OrgUnit: ptr(f.units["gas"].ID)})
		open := func(p *auth.Principal, unit store.ID) int64 {
			t.Helper()
			c, err := f.svc.Counts(f.ctx, p, ticket.CountsFilter{Unit: unit})
			if err != nil {
				t.Fatal(err)
			}
			return c.Open
		}
		if n := open(prop, 0); n != 3 {
			t.Errorf("property agent counts %d open, want 3", n)
		}
		if n := open(gas, 0); n != 1 { // the gas agent's unit is the gas company's department
			t.Errorf("gas agent counts %d open, want 1", n)
		}
		boss := f.user(f.units["gas"], auth.RoleManager)
		if n := open(boss, 0); n != 2 {
			t.Errorf("gas manager counts %d open, want 2", n)
		}
		if n := open(boss, f.units["gas/cs"].ID); n != 1 {
			t.Errorf("gas manager narrowed to the department counts %d, want 1", n)
		}
		_, err := f.svc.Counts(f.ctx, prop, ticket.CountsFilter{Unit: f.units["gas"].ID})
		wantErr(t, err, http.StatusNotFound, "unit")
		_, err = f.svc.Counts(f.ctx, prop, ticket.CountsFilter{Unit: 999999})
		wantErr(t, err, http.StatusNotFound, "unit")
		_, err = f.svc.Counts(f.ctx, f.user(f.units["property"], auth.RoleSalesAgent), ticket.CountsFilter{})
		wantErr(t, err, http.StatusForbidden, "")
		_, err = f.svc.Counts(context.Background(), nil, ticket.CountsFilter{})
		wantErr(t, err, http.StatusForbidden, "")
	})
}

// TestCountsZoneIsUTC8: the counters' triggers compute days at UTC+8
// fixed; store.Zone must agree for every instant kefu records.
func TestCountsZoneIsUTC8(t *testing.T) {
	for y := 1992; y <= 2100; y++ {
		for _, m := range []time.Month{1, 4, 7, 10} {
			if _, off := time.Date(y, m, 15, 12, 0, 0, 0, store.Zone).Zone(); off != 8*3600 {
				t.Fatalf("store.Zone is UTC%+d in %d-%02d; the counters assume +8", off/3600, y, m)
			}
		}
	}
}

// TestDueSoonListAgreesWithCount: the due-soon queue and the dashboard's
// due-soon figure share one definition — a running clock past its warning
// point and before its target; an overdue one is not due soon.
func TestDueSoonListAgreesWithCount(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.user(f.units["property/cs"], auth.RoleCSSupervisor)
		a := f.create(p, ticket.CreateInput{Category: "repair.simple", Subject: "楼道灯不亮"})
		warn, target := *a.Clocks[0].WarnAt, *a.Clocks[0].TargetAt
		f.clk.Set(warn.Add(time.Minute))
		b := f.create(p, ticket.CreateInput{Category: "repair.simple", Subject: "门禁坏了"})
		for _, now := range []time.Time{warn.Add(time.Minute), target.Add(-time.Minute), target.Add(time.Minute),
			b.Clocks[0].WarnAt.Add(time.Minute)} {
			f.clk.Set(now)
			var want []store.ID
			for _, tk := range []ticket.Ticket{b, a} { // newest first
				if c := tk.Clocks[0]; !c.WarnAt.After(now) && c.TargetAt.After(now) {
					want = append(want, tk.ID)
				}
			}
			page, err := f.svc.List(f.ctx, p, ticket.Filter{DueSoon: true})
			if err != nil {
				t.Fatal(err)
			}
			var got []store.ID
			for _, tk := range page.Items {
				got = append(got, tk.ID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("at %s: due-soon queue %v, want %v", now.Format(time.DateTime), got, want)
			}
			c, err := f.svc.Counts(f.ctx, p, ticket.CountsFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if c.DueSoon != int64(len(want)) {
				t.Errorf("at %s: due-soon count %d, want %d", now.Format(time.DateTime), c.DueSoon, len(want))
			}
		}
	})
}
