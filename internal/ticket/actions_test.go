package ticket_test

import (
	"net/http"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/ticket"
)

// TestStateMachine tries every action in every status: an action the
// state machine does not allow answers 409 naming "action" and writes
// nothing; an allowed one is never refused for its state.
func TestStateMachine(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.user(f.units["property/cs"], auth.RoleCSSupervisor)
		handler := f.user(f.units["property/cs"], auth.RoleFieldStaff)
		recv := at("2026-11-20 16:00")
		other := f.create(p, ticket.CreateInput{Category: "repair.other", ReceivedAt: &recv})
		paths := map[ticket.Status][]ticket.Action{
			ticket.StatusNew:            nil,
			ticket.StatusForwarded:      {{Name: "forward"}},
			ticket.StatusAssigned:       {{Name: "assign", UserID: &handler.UserID}},
			ticket.StatusInProgress:     {{Name: "accept"}},
			ticket.StatusResultReturned: {{Name: "accept"}, {Name: "result"}},
			ticket.StatusResolved:       {{Name: "resolve"}},
			ticket.StatusReplied:        {{Name: "reply"}},
			ticket.StatusClosed:         {{Name: "resolve"}, {Name: "close"}},
			ticket.StatusMerged:         {{Name: "link_duplicate", TicketID: &other.ID}},
		}
		input := func(name string, tk ticket.Ticket) ticket.Action {
			a := ticket.Action{Name: name}
			switch name {
			case "assign":
				a.UserID = &handler.UserID
			case "dispatch":
				a.UserID = &handler.UserID
			case "request_extension":
				a.Until, a.Reason, a.Clock = ptr(at("2026-12-02 18:00")), "等待配件", "resolve"
			case "agree":
				a.Until, a.Clock = ptr(at("2026-11-27 18:00")), "resolve"
			case "flag_crisis":
				a.Party = "消费者协会"
			case "link_duplicate":
				a.TicketID = &other.ID
			case "note":
				a.Note = "备注"
			}
			return a
		}
		if len(paths) != len(ticket.Statuses()) {
			t.Fatalf("test covers %d statuses of %d", len(paths), len(ticket.Statuses()))
		}
		for st, path := range paths {
			for _, name := range ticket.Actions() {
				tk := f.create(p, ticket.CreateInput{Category: "repair.other", ReceivedAt: &recv})
				for _, a := range path {
					tk = f.act(p, tk.ID, a)
				}
				if tk.Status != st {
					t.Fatalf("path to %s ends in %s", st, tk.Status)
				}
				_, err := f.svc.Act(f.ctx, p, tk.ID, input(name, tk))
				e, _ := apperr.As(err)
				refused := e != nil && e.Status == http.StatusConflict && e.Field == "action"
				if want := ticket.Allowed(name, st); want == refused {
					t.Errorf("%s in %s: allowed=%v but got %v", name, st, want, err)
				}
				if err != nil && e == nil {
					t.Errorf("%s in %s: server error %v", name, st, err)
				}
			}
		}
	})
}

// TestRecusal: the person complained about cannot be assigned (409
// user_id), cannot see the work order (404, not listed) and cannot approve
// its extension (403) — TKT-016.
func TestRecusal(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.agent("general")
		li := f.user(f.units["general/cs"], auth.RoleManager, auth.RoleCSAgent)
		tk := f.create(p, ticket.CreateInput{Category: "complaint.major", RespondentUserID: &li.UserID,
			ReceivedAt: ptr(at("2026-11-20 16:00"))})
		_, err := f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "assign", UserID: &li.UserID})
		wantErr(t, err, http.StatusConflict, "user_id")
		_, err = f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "dispatch", UserID: &li.UserID})
		wantErr(t, err, http.StatusConflict, "user_id")
		_, err = f.svc.Get(f.ctx, li, tk.ID)
		wantErr(t, err, http.StatusNotFound, "ticket")
		page, err := f.svc.List(f.ctx, li, ticket.Filter{})
		if err != nil || len(page.Items) != 0 {
			t.Errorf("respondent lists %d work orders (%v)", len(page.Items), err)
		}
		if page, _ := f.svc.List(f.ctx, p, ticket.Filter{}); len(page.Items) != 1 {
			t.Errorf("agent lists %d work orders, want 1", len(page.Items))
		}
		f.act(p, tk.ID, ticket.Action{Name: "request_extension", Until: ptr(at("2026-12-02 00:00")), Reason: "需集体研究"})
		_, err = f.svc.Act(f.ctx, li, tk.ID, ticket.Action{Name: "approve_extension"})
		wantErr(t, err, http.StatusForbidden, "")
	})
}

// TestExtension: TKT-014 general complaint.major resolve 3wd, extension at
// most 7wd from receipt; approved only by the pack's approver role
// (TKT-021); the original target is kept.
func TestExtension(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.agent("general")
		sup := f.user(f.units["general/cs"], auth.RoleCSSupervisor) // tickets:approve but not the manager role
		mgr := f.user(f.units["general"], auth.RoleManager)
		tk := f.create(p, ticket.CreateInput{Category: "complaint.major", ReceivedAt: ptr(at("2026-11-20 16:00"))})
		wantTarget(t, tk, "resolve", "2026-11-26 00:00")
		_, err := f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "request_extension", Until: ptr(at("2026-12-03 00:00")), Reason: "需集体研究"})
		wantErr(t, err, http.StatusUnprocessableEntity, "until") // beyond 7wd
		_, err = f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "request_extension", Until: ptr(at("2026-12-02 00:00"))})
		wantErr(t, err, http.StatusUnprocessableEntity, "reason")
		f.act(p, tk.ID, ticket.Action{Name: "request_extension", Until: ptr(at("2026-12-02 00:00")), Reason: "需集体研究"})
		_, err = f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "approve_extension"})
		wantErr(t, err, http.StatusForbidden, "") // cs_agent lacks tickets:approve
		_, err = f.svc.Act(f.ctx, sup, tk.ID, ticket.Action{Name: "approve_extension"})
		wantErr(t, err, http.StatusForbidden, "") // not the approver role of the pack
		tk = f.act(mgr, tk.ID, ticket.Action{Name: "approve_extension"})
		c := clockOf(t, tk, "resolve")
		wantTarget(t, tk, "resolve", "2026-12-02 00:00")
		if !c.Extended || c.OriginalTargetAt == nil || !c.OriginalTargetAt.Equal(at("2026-11-26 00:00")) {
			t.Errorf("extended clock %+v: want extended with the original target kept", c)
		}
		_, err = f.svc.Act(f.ctx, mgr, tk.ID, ticket.Action{Name: "approve_extension"})
		wantErr(t, err, http.StatusConflict, "extension_id")

		// TKT-014 first example: the cap of a 2026-02-13 complaint is 2026-03-03 00:00.
		tk = f.create(p, ticket.CreateInput{Category: "complaint.major", ReceivedAt: ptr(at("2026-02-13 14:00"))})
		_, err = f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "request_extension", Until: ptr(at("2026-03-03 00:01")), Reason: "x"})
		wantErr(t, err, http.StatusUnprocessableEntity, "until")
		f.act(p, tk.ID, ticket.Action{Name: "request_extension", Until: ptr(at("2026-03-03 00:00")), Reason: "x"})
		tk = f.act(mgr, tk.ID, ticket.Action{Name: "reject_extension", Reason: "不同意"})
		wantTarget(t, tk, "resolve", "2026-02-26 00:00")

		// TKT-021: property management-centre manager approves 17:00.
		pp := f.agent("property")
		pm := f.user(f.units["property"], auth.RoleManager)
		tk = f.create(pp, ticket.CreateInput{Category: "complaint.attitude.general", ReceivedAt: ptr(at("2026-03-10 16:30"))})
		wantTarget(t, tk, "resolve", "2026-03-11 11:00")
		f.act(pp, tk.ID, ticket.Action{Name: "request_extension", At: ptr(at("2026-03-11 10:40")), Until: ptr(at("2026-03-11 17:00")), Reason: "当事人外出"})
		tk = f.act(pm, tk.ID, ticket.Action{Name: "approve_extension", At: ptr(at("2026-03-11 10:50"))})
		wantTarget(t, tk, "resolve", "2026-03-11 17:00")
	})
}

// TestAgreedDate: CAL-012 property repair.other reported 2026-09-23 10:00 →
// cap 2026-10-10 18:00; an agreed date after it is refused, one before it
// becomes the target.
func TestAgreedDate(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.agent("property")
		tk := f.create(p, ticket.CreateInput{Category: "repair.other", ReceivedAt: ptr(at("2026-09-23 10:00"))})
		wantTarget(t, tk, "resolve", "2026-10-10 18:00")
		_, err := f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "agree", Until: ptr(at("2026-10-12 18:00")), At: ptr(at("2026-09-23 10:30"))})
		wantErr(t, err, http.StatusUnprocessableEntity, "until")
		tk = f.act(p, tk.ID, ticket.Action{Name: "agree", Until: ptr(at("2026-09-29 12:00")), At: ptr(at("2026-09-23 10:30"))})
		wantTarget(t, tk, "resolve", "2026-09-29 12:00")
		if c := clockOf(t, tk, "resolve"); c.AgreedAt == nil || c.Extended {
			t.Errorf("agreed clock %+v", c)
		}
		// A clock without an agreed date refuses one.
		tk = f.create(p, ticket.CreateInput{Category: "repair.simple", ReceivedAt: ptr(at("2026-09-23 10:00"))})
		_, err = f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "agree", Until: ptr(at("2026-09-23 12:00")), At: ptr(at("2026-09-23 10:30"))})
		wantErr(t, err, http.StatusUnprocessableEntity, "clock")
	})
}

// TestEscalationAndCrisis: escalation goes one level at a time (TKT-017):
// general → important → major (raised to the company, manager told,
// TKT-013), then the parent unit only; a crisis forces major (TKT-034).
func TestEscalationAndCrisis(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		team := f.unit(f.units["property/cs"].ID, "team", "客服一班", "")
		p := f.user(team, auth.RoleCSAgent)
		mgr := f.user(f.units["property"], auth.RoleManager)
		tk := f.create(p, ticket.CreateInput{Category: "complaint.other", ReceivedAt: ptr(at("2026-11-20 10:00"))})
		if tk.Severity != "general" {
			t.Fatalf("severity %s", tk.Severity)
		}
		tk = f.act(p, tk.ID, ticket.Action{Name: "escalate"})
		if tk.Severity != "important" || tk.EscalatedUnitID != f.units["property/cs"].ID {
			t.Errorf("after one escalation: severity %s unit %d", tk.Severity, tk.EscalatedUnitID)
		}
		_, err := f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "escalate", OrgUnit: &f.root.ID})
		wantErr(t, err, http.StatusUnprocessableEntity, "org_unit")
		tk = f.act(p, tk.ID, ticket.Action{Name: "escalate"})
		if tk.Severity != "major" || tk.EscalatedUnitID != f.units["property"].ID {
			t.Errorf("after two escalations: severity %s unit %d", tk.Severity, tk.EscalatedUnitID)
		}
		if ms := f.sent.Events(ticket.EventEscalated); len(ms) == 0 || len(ms[len(ms)-1].Users) != 1 || ms[len(ms)-1].Users[0] != mgr.UserID {
			t.Errorf("major escalation told %+v, want the manager %d", ms, mgr.UserID)
		}
		if _, err := f.svc.Get(f.ctx, mgr, tk.ID); err != nil {
			t.Errorf("manager of the escalation unit cannot see it: %v", err)
		}
		_, err = f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "escalate", OrgUnit: ptr(f.units["property/cs"].ID)})
		wantErr(t, err, http.StatusUnprocessableEntity, "org_unit")
		tk = f.act(p, tk.ID, ticket.Action{Name: "escalate", OrgUnit: &f.root.ID})
		if tk.EscalatedUnitID != f.root.ID {
			t.Errorf("escalated to %d, want the group %d", tk.EscalatedUnitID, f.root.ID)
		}
		_, err = f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "escalate"})
		wantErr(t, err, http.StatusConflict, "action")

		c := f.create(p, ticket.CreateInput{Category: "complaint.attitude.general", ReceivedAt: ptr(at("2026-11-20 10:00"))})
		_, err = f.svc.Act(f.ctx, p, c.ID, ticket.Action{Name: "flag_crisis"})
		wantErr(t, err, http.StatusUnprocessableEntity, "party")
		c = f.act(p, c.ID, ticket.Action{Name: "flag_crisis", Party: "新闻媒体"})
		if !c.Crisis || c.Severity != "major" || len(f.sent.Events(ticket.EventCrisis)) != 1 {
			t.Errorf("crisis: %v severity %s", c.Crisis, c.Severity)
		}
		_, err = f.svc.Act(f.ctx, p, c.ID, ticket.Action{Name: "flag_crisis", Party: "x"})
		wantErr(t, err, http.StatusConflict, "action")
	})
}

// TestCloseAndDuplicates: closing needs a written reply where the category
// asks for one (TKT-018); a second intake of the same customer and
// category is offered as a duplicate and merged into the first (TKT-009).
func TestCloseAndDuplicates(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.agent("general")
		cust := &ticket.CreateInput{Category: "complaint.general", ReceivedAt: ptr(at("2026-11-20 10:00"))}
		tk := f.create(p, ticket.CreateInput{Category: cust.Category, ReceivedAt: cust.ReceivedAt,
			Customer: ptrCustomer("王芳", "138 0000 0000")})
		f.act(p, tk.ID, ticket.Action{Name: "resolve"})
		f.act(p, tk.ID, ticket.Action{Name: "reply", Text: "已电话告知"})
		_, err := f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "close"})
		wantErr(t, err, http.StatusConflict, "written_reply")
		f.act(p, tk.ID, ticket.Action{Name: "reply", Text: "书面答复函", Written: true})
		tk = f.act(p, tk.ID, ticket.Action{Name: "close"})
		if tk.Status != ticket.StatusClosed || tk.ClosedAt == nil {
			t.Errorf("closed: %s %v", tk.Status, tk.ClosedAt)
		}

		other := f.user(f.units["general"], auth.RoleCSAgent)
		dup := f.create(other, ticket.CreateInput{Pack: "general", Category: "complaint.general",
			Customer: ptrCustomer("王芳", "１３８００００００００")}) // full-width digits: the same phone
		if dup.Customer.ID != tk.Customer.ID || len(dup.Duplicates) != 1 || dup.Duplicates[0].ID != tk.ID {
			t.Fatalf("duplicate candidates %+v (customer %d vs %d)", dup.Duplicates, dup.Customer.ID, tk.Customer.ID)
		}
		dup = f.act(other, dup.ID, ticket.Action{Name: "link_duplicate", TicketID: &tk.ID})
		if dup.Status != ticket.StatusMerged || dup.MergedIntoID != tk.ID || clockOf(t, dup, "resolve").State != ticket.ClockCancelled {
			t.Errorf("merged duplicate %+v", dup)
		}
		first, err := f.svc.Get(f.ctx, p, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if last := first.Timeline[len(first.Timeline)-1]; last.Action != "duplicate_linked" {
			t.Errorf("first record's timeline ends with %s", last.Action)
		}
		// The events are append-only in the database itself.
		err = db.Tx(f.ctx, func(tx store.Conn) error {
			_, err := tx.Exec(f.ctx, "UPDATE ticket_events SET note = 'x' WHERE ticket_id = ?", tk.ID)
			return err
		})
		if err == nil {
			t.Error("ticket_events accepted an UPDATE")
		}
	})
}
