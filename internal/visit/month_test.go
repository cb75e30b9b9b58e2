package visit_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/jobs"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/testkit"
	"kefu/internal/ticket"
	"kefu/internal/visit"
)

type fixture struct {
	t       *testing.T
	ctx     context.Context
	db      *store.DB
	clk     *testkit.Clock
	tickets *ticket.Service
	visits  *visit.Service
	engine  *jobs.Engine
	org     *org.Service
	root    org.Unit
	co      org.Unit
	people  map[string]*auth.Principal
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, store.Zone)
	if err != nil {
		panic(err)
	}
	return t
}

// newFixture is a property company (pack property, calendar cn-office)
// with an agent, an assistant (field_staff), the CS supervisor and the
// manager, on the ticket and visit services wired as the app wires them.
func newFixture(t *testing.T, db *store.DB) *fixture {
	f := &fixture{t: t, ctx: context.Background(), db: db, clk: testkit.NewClock(at("2026-09-01 08:00")),
		people: map[string]*auth.Principal{}}
	b := testkit.NewBase(t, db, f.clk)
	log, o, cals, packs := b.Log, b.Org, b.Calendars, b.Packs
	f.engine = b.Engine
	f.tickets = ticket.New(ticket.Options{DB: db, Calendars: cals, Policy: packs, Org: o,
		Customers: customer.New(customer.Options{DB: db, Policy: packs, Now: f.clk.Now}), Logger: log, Now: f.clk.Now})
	f.tickets.RegisterTimers(f.engine)
	f.visits = visit.New(visit.Options{DB: db, Calendars: cals, Policy: packs, Logger: log, Now: f.clk.Now})
	f.visits.RegisterTimers(f.engine)
	f.tickets.OnClose(f.visits.OnTicketClosed)
	root, err := o.EnsureRoot(f.ctx, "集团")
	if err != nil {
		t.Fatal(err)
	}
	f.org, f.root = o, root
	f.co = testkit.Unit(t, o, root.ID, org.Company, "幸福里物业", "property")
	cs := testkit.Unit(t, o, f.co.ID, org.Department, "客服中心", "")
	f.people["agent"] = testkit.User(t, db, cs, auth.RoleCSAgent)
	f.people["assistant"] = testkit.User(t, db, testkit.Unit(t, o, f.co.ID, org.Department, "管家部", ""), auth.RoleFieldStaff)
	f.people["supervisor"] = testkit.User(t, db, cs, auth.RoleCSSupervisor)
	f.people["manager"] = testkit.User(t, db, f.co, auth.RoleManager)
	return f
}

// complaint registers a complaint at when and closes it an hour later.
func (f *fixture) complaint(when time.Time, severity string, i int) ticket.Ticket {
	f.t.Helper()
	f.clk.Set(when)
	in := ticket.CreateInput{Category: "complaint.other", Subject: fmt.Sprintf("投诉 %d", i), Severity: severity,
		Customer: &customer.Input{Name: fmt.Sprintf("业主%d", i), Phone: fmt.Sprintf("1390000%04d", i), Address: "幸福里3栋"}}
	tk, err := f.tickets.Create(f.ctx, f.people["agent"], in)
	if err != nil {
		f.t.Fatal(err)
	}
	f.clk.Set(when.Add(time.Hour))
	for _, a := range []string{ticket.ActResolve, ticket.ActReply, ticket.ActClose} {
		if tk, err = f.tickets.Act(f.ctx, f.people["agent"], tk.ID, ticket.Action{Name: a, Note: "已处理", Text: "已书面答复"}); err != nil {
			f.t.Fatalf("%s: %v", a, err)
		}
	}
	return tk
}

// TestMonthOfComplaints is issue 9's "done means": 100 property complaints
// closed in September 2026 (5 of them major) give exactly 50 visits once
// the days are drawn — the majors among them, for the company manager
// (VIS-003, VIS-004), the important ones for the CS supervisor, the others
// for the property assistant — each due 3 days after closing on cn-office
// (VIS-002: closed Wed 09-30 15:00 → Thu 10-08 18:00).
func TestMonthOfComplaints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		severity := map[int]string{7: "major", 33: "major", 50: "major", 51: "major", 98: "major", 12: "important", 60: "important"}
		for i := range 100 {
			day := 1 + i*30/100 // spread over 1..30 September
			hour := 9 + i%6
			if i == 99 {
				day, hour = 30, 14 // closed 15:00 on Wed 09-30
			}
			f.complaint(at(fmt.Sprintf("2026-09-%02d %02d:00", day, hour)), severity[i], i)
		}
		f.clk.Set(at("2026-10-01 00:10"))
		if _, err := f.engine.FireDue(f.ctx); err != nil {
			t.Fatal(err)
		}
		admin := &auth.Principal{Username: "admin", Roles: []auth.Role{auth.RoleAdmin}}
		all, err := f.visits.List(f.ctx, admin, visit.Filter{Month: "2026-09", Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		roles := map[string]int{}
		majors := 0
		for _, v := range all {
			roles[v.Role]++
			if v.Severity == "major" {
				majors++
				if v.Role != "manager" {
					t.Errorf("major complaint %s visited by %s, want the company manager (VIS-004)", v.RefNumber, v.Role)
				}
			}
			if v.RefNumber == "" || v.Round != 1 || v.Status != visit.StatusOpen {
				t.Errorf("visit %+v", v)
			}
			if v.CompletedAt.Equal(at("2026-09-30 15:00")) && !v.DueAt.Equal(at("2026-10-08 18:00")) {
				t.Errorf("closed 09-30 15:00: due %v, want 2026-10-08 18:00 (VIS-002)", v.DueAt)
			}
		}
		if len(all) != 50 || majors != 5 {
			t.Fatalf("%d visits (%d major) for 100 complaints, want 50 with the 5 majors; roles %v", len(all), majors, roles)
		}
		stats, err := f.visits.Stats(f.ctx, admin, "2026-09")
		if err != nil || len(stats) != 1 {
			t.Fatalf("stats %v %v", stats, err)
		}
		if s := stats[0]; s.Population != 100 || s.Quota != 50 || s.Drawn != 50 || s.RatePct != 50 {
			t.Errorf("stats %+v", s)
		}
		// A second run draws nothing again.
		if _, err := f.engine.FireDue(f.ctx); err != nil {
			t.Fatal(err)
		}
		if again, _ := f.visits.List(f.ctx, admin, visit.Filter{Month: "2026-09", Limit: 500}); len(again) != 50 {
			t.Errorf("after a second run: %d visits", len(again))
		}
	})
}

// TestVisitRecordAndSignOff: evidence by mode (VIS-008), a dissatisfied
// customer opens round 2 with a rectification (VIS-011), the visit counts
// once the CS supervisor signs it off (VIS-009), and nobody but the
// visit's role records it (VIS-004).
func TestVisitRecordAndSignOff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.complaint(at("2026-09-14 10:00"), "", 1)
		f.clk.Set(at("2026-09-15 00:05"))
		if _, err := f.engine.FireDue(f.ctx); err != nil {
			t.Fatal(err)
		}
		mine, err := f.visits.List(f.ctx, f.people["assistant"], visit.Filter{Mine: true})
		if err != nil || len(mine) != 1 {
			t.Fatalf("the assistant's visits: %v %v", mine, err)
		}
		v := mine[0]
		if v.Customer.Name != "业主1" || v.Customer.Phone == "" || v.OwnerRole != "cs_supervisor" {
			t.Errorf("the visitor cannot tell whom to call on: %+v", v)
		}
		if v.Role != "field_staff" || v.Modes[0] != "in_person" {
			t.Fatalf("visit %+v", v)
		}
		status := func(_ *visit.Visit, err error) (int, string) {
			t.Helper()
			e, ok := apperr.As(err)
			if !ok {
				t.Fatalf("unexpected %v", err)
			}
			return e.Status, e.Field
		}
		f.clk.Set(at("2026-09-15 10:00"))
		next := at("2026-09-22 10:00")
		in := visit.RecordInput{Mode: "in_person", Result: "dissatisfied", Opinion: "漏水仍未修好"}
		if s, field := status(f.visits.Record(f.ctx, f.people["agent"], v.ID, in)); s != http.StatusForbidden {
			t.Errorf("the agent recorded the assistant's visit: %d %s", s, field)
		}
		if _, field := status(f.visits.Record(f.ctx, f.people["assistant"], v.ID, in)); field != "signature" {
			t.Errorf("in person without signature: field %s (VIS-008)", field)
		}
		in.Signature = "paper"
		if _, field := status(f.visits.Record(f.ctx, f.people["assistant"], v.ID, in)); field != "rectification" {
			t.Errorf("dissatisfied without rectification: field %s (VIS-011)", field)
		}
		in.Rectification, in.NextVisitAt = "工程部维修班 3 日内复修", &next
		got, err := f.visits.Record(f.ctx, f.people["assistant"], v.ID, in)
		if err != nil || got.Status != visit.StatusDone || !got.Signed {
			t.Fatalf("recorded: %+v %v", got, err)
		}
		if _, err := f.visits.Record(f.ctx, f.people["assistant"], v.ID, in); err == nil {
			t.Error("recorded twice")
		}
		round2, _ := f.visits.List(f.ctx, f.people["assistant"], visit.Filter{Mine: true})
		if len(round2) != 1 || round2[0].Round != 2 || !round2[0].DueAt.Equal(next) || round2[0].PreviousID != v.ID {
			t.Fatalf("round 2: %+v", round2)
		}
		if first, _ := f.visits.Get(f.ctx, f.people["supervisor"], v.ID); first.NextID != round2[0].ID {
			t.Errorf("round 1 does not point to round 2: %d", first.NextID)
		}
		if _, field := status(f.visits.Record(f.ctx, f.people["assistant"], round2[0].ID,
			visit.RecordInput{Mode: "phone", Result: "satisfied"})); field != "mode" {
			t.Errorf("round 2 by phone: field %s, want mode (VIS-010: phone from round 3)", field)
		}
		if s, _ := status(f.visits.Review(f.ctx, f.people["assistant"], v.ID, "已核实")); s != http.StatusForbidden {
			t.Errorf("the assistant signed off: %d", s)
		}
		if _, field := status(f.visits.Review(f.ctx, f.people["supervisor"], v.ID, "")); field != "opinion" {
			t.Errorf("sign-off without opinion: %s", field)
		}
		if got, err = f.visits.Review(f.ctx, f.people["supervisor"], v.ID, "已电话核实，维修已安排"); err != nil || got.Status != visit.StatusSignedOff {
			t.Fatalf("signed off: %+v %v", got, err)
		}
		stats, _ := f.visits.Stats(f.ctx, f.people["supervisor"], "2026-09")
		if len(stats) != 1 || stats[0].SignedOff != 1 || stats[0].Satisfied != 0 || stats[0].VisitRate != 100 || stats[0].FollowUps != 1 {
			t.Errorf("stats %+v", stats)
		}
		// Round 3 may be by phone (VIS-010), stamped 电话回访 (VIS-008).
		third := at("2026-09-29 10:00")
		f.clk.Set(at("2026-09-22 10:00"))
		if _, err := f.visits.Record(f.ctx, f.people["assistant"], round2[0].ID, visit.RecordInput{Mode: "in_person",
			Result: "dissatisfied", Signature: "paper", Rectification: "更换阀门", NextVisitAt: &third}); err != nil {
			t.Fatal(err)
		}
		r3, _ := f.visits.List(f.ctx, f.people["assistant"], visit.Filter{Mine: true})
		f.clk.Set(at("2026-09-29 10:00"))
		got, err = f.visits.Record(f.ctx, f.people["assistant"], r3[0].ID, visit.RecordInput{Mode: "phone", Result: "satisfied",
			Signature: "ignored"})
		if err != nil || got.PhoneLabel != "电话回访" || got.Signed || got.Round != 3 {
			t.Fatalf("round 3 by phone: %+v %v", got, err)
		}
	})
}
