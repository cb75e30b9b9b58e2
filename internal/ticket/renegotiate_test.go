package ticket_test

import (
	"net/http"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/ticket"
)

// TestRenegotiation: TKT-007 — a realestate complaint received Mon
// 2026-09-28 10:00 (result due 2026-10-09 00:00) not quickly solvable: the
// customer agrees 2026-10-20 → due 2026-10-21 00:00; a second agreed date
// is free, the third needs an approved SLA exception (TKT-021), which
// counts as the third renegotiation.
func TestRenegotiation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.agent("realestate")
		mgr := f.user(f.units["realestate"], auth.RoleManager)
		f.clk.Set(at("2026-09-30 10:00"))
		tk := f.create(p, ticket.CreateInput{Category: "complaint", ReceivedAt: ptr(at("2026-09-28 10:00"))})
		wantTarget(t, tk, "result", "2026-10-09 00:00")
		tk = f.act(p, tk.ID, ticket.Action{Name: "agree", Clock: "result", Until: ptr(at("2026-10-21 00:00"))})
		wantTarget(t, tk, "result", "2026-10-21 00:00")
		tk = f.act(p, tk.ID, ticket.Action{Name: "agree", Clock: "result", Until: ptr(at("2026-10-24 00:00"))})
		if c := clockOf(t, tk, "result"); c.Renegotiations != 2 {
			t.Errorf("renegotiations %d, want 2", c.Renegotiations)
		}
		_, err := f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "agree", Clock: "result", Until: ptr(at("2026-10-28 00:00"))})
		wantErr(t, err, http.StatusUnprocessableEntity, "until")
		f.act(p, tk.ID, ticket.Action{Name: "request_extension", Clock: "result", Until: ptr(at("2026-10-28 00:00")), Reason: "第三次约定"})
		tk = f.act(mgr, tk.ID, ticket.Action{Name: "approve_extension"})
		wantTarget(t, tk, "result", "2026-10-28 00:00")
		if c := clockOf(t, tk, "result"); c.Renegotiations != 3 || !c.Extended || !c.OriginalTargetAt.Equal(at("2026-10-09 00:00")) {
			t.Errorf("after the approved renegotiation: %+v", c)
		}
	})
}

func scheduledReply(t *testing.T, tk ticket.Ticket, state ticket.ClockState) ticket.Clock {
	t.Helper()
	for _, c := range tk.Clocks {
		if c.Scheduled && c.State == state {
			return c
		}
	}
	t.Fatalf("no scheduled reply clock %s in %+v", state, tk.Clocks)
	return ticket.Clock{}
}

// TestScheduleReply: TKT-020 — unresolved on 2026-03-12, next reply time
// 2026-03-16 10:00 recorded; no contact by then → breach. A reply before
// it meets it; a new next reply time meets the one running.
func TestScheduleReply(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.agent("general")
		f.clk.Set(at("2026-03-12 15:00"))
		tk := f.create(p, ticket.CreateInput{Category: "complaint.general", ReceivedAt: ptr(at("2026-03-12 09:00"))})
		other := f.create(p, ticket.CreateInput{Category: "complaint.general", ReceivedAt: ptr(at("2026-03-12 09:00"))})
		_, err := f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "schedule_reply"})
		wantErr(t, err, http.StatusUnprocessableEntity, "until")
		_, err = f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "schedule_reply", Until: ptr(at("2026-03-12 14:00"))})
		wantErr(t, err, http.StatusUnprocessableEntity, "until")
		tk = f.act(p, tk.ID, ticket.Action{Name: "schedule_reply", Until: ptr(at("2026-03-16 10:00"))})
		c := scheduledReply(t, tk, ticket.ClockRunning)
		if !c.TargetAt.Equal(at("2026-03-16 10:00")) || c.Kind != "reply" || c.StopsOn != "reply" {
			t.Errorf("scheduled reply %+v", c)
		}
		other = f.act(p, other.ID, ticket.Action{Name: "schedule_reply", Until: ptr(at("2026-03-16 10:00"))})
		f.clk.Set(at("2026-03-14 11:00"))
		other = f.act(p, other.ID, ticket.Action{Name: "reply", Text: "进展告知"})
		if c := scheduledReply(t, other, ticket.ClockMet); !c.MetAt.Equal(at("2026-03-14 11:00")) {
			t.Errorf("met at %v", c.MetAt)
		}
		f.clk.Set(at("2026-03-16 10:00"))
		if _, err := f.engine.FireDue(f.ctx); err != nil {
			t.Fatal(err)
		}
		tk, _ = f.svc.Get(f.ctx, p, tk.ID)
		if c := scheduledReply(t, tk, ticket.ClockBreached); !c.BreachedAt.Equal(at("2026-03-16 10:00")) || !tk.Breached {
			t.Errorf("breached at %v, ticket %v", c.BreachedAt, tk.Breached)
		}
		if o, _ := f.svc.Get(f.ctx, p, other.ID); scheduledReply(t, o, ticket.ClockMet).BreachedAt != nil {
			t.Error("the replied next reply time breached")
		}
		// A new next reply time while one runs: the first is met by this contact.
		f.clk.Set(at("2026-03-17 09:00"))
		other = f.act(p, other.ID, ticket.Action{Name: "schedule_reply", Until: ptr(at("2026-03-18 10:00"))})
		other = f.act(p, other.ID, ticket.Action{Name: "schedule_reply", At: ptr(at("2026-03-17 09:00")), Until: ptr(at("2026-03-19 10:00"))})
		if c := scheduledReply(t, other, ticket.ClockRunning); !c.TargetAt.Equal(at("2026-03-19 10:00")) {
			t.Errorf("running: %v", c.TargetAt)
		}
		met := 0
		for _, c := range other.Clocks {
			if c.Scheduled && c.State == ticket.ClockMet {
				met++
			}
		}
		if met != 2 {
			t.Errorf("%d scheduled replies met, want 2", met)
		}
	})
}

// TestRespondentQueueGoesToSuperior: TKT-016 — a complaint handed to a
// unit whose only handler is the person complained about goes to the
// manager of that person's unit, else of the nearest ancestor unit; so
// does one the respondent registers.
func TestRespondentQueueGoesToSuperior(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.agent("property")
		team := f.unit(f.units["property/cs"].ID, "team", "物业助理组", "")
		li := f.user(team, auth.RoleFieldStaff)                                    // the team's only handler
		f.user(team, auth.RoleViewer)                                              // may not act: not an owner
		boss := f.user(f.units["property/cs"], auth.RoleManager, auth.RoleCSAgent) // nearest manager above the team
		top := f.user(f.units["property"], auth.RoleManager)                       // further up
		tk := f.create(p, ticket.CreateInput{Category: "complaint.attitude.general", RespondentUserID: &li.UserID,
			ReceivedAt: ptr(at("2026-11-20 10:00"))})
		tk = f.act(p, tk.ID, ticket.Action{Name: "assign", OrgUnit: &team.ID})
		if tk.AssigneeID != boss.UserID || tk.HandlingUnitID != team.ID {
			t.Fatalf("assignee %d (unit %d), want the manager %d", tk.AssigneeID, tk.HandlingUnitID, boss.UserID)
		}
		last := tk.Timeline[len(tk.Timeline)-1]
		if last.Action != "recused" || last.Note != "回避：转交上级" {
			t.Errorf("timeline ends with %s %q", last.Action, last.Note)
		}
		if _, err := f.svc.Get(f.ctx, li, tk.ID); err == nil {
			t.Error("the respondent sees the work order")
		}
		if ms := f.sent.Events(ticket.EventAssigned); len(ms) == 0 || ms[len(ms)-1].Users[0] != boss.UserID {
			t.Errorf("assigned notifications %+v", ms)
		}
		// A unit with another handler has no default owner: nothing moves.
		f.user(team, auth.RoleFieldStaff)
		tk2 := f.create(p, ticket.CreateInput{Category: "complaint.attitude.general", RespondentUserID: &li.UserID,
			ReceivedAt: ptr(at("2026-11-20 10:00"))})
		if tk2 = f.act(p, tk2.ID, ticket.Action{Name: "assign", OrgUnit: &team.ID}); tk2.AssigneeID != 0 {
			t.Errorf("assigned to %d with two handlers in the unit", tk2.AssigneeID)
		}
		// The respondent, a manager, registers a complaint against themself: it goes up past them.
		tk3 := f.create(boss, ticket.CreateInput{Category: "complaint.attitude.general", RespondentUserID: &boss.UserID,
			ReceivedAt: ptr(at("2026-11-20 10:00"))})
		if tk3.AssigneeID != top.UserID {
			t.Errorf("self-registered complaint assigned to %d, want %d", tk3.AssigneeID, top.UserID)
		}
		// Naming the respondent stays refused (API.md: 409).
		_, err := f.svc.Act(f.ctx, p, tk2.ID, ticket.Action{Name: "assign", UserID: &li.UserID})
		wantErr(t, err, http.StatusConflict, "user_id")
	})
}
