package merit_test

import (
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/merit"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/testkit"
)

// breach is the payload the ticket service sends when a clock is breached.
func breach(ticket, assignee store.ID, category, clock string) map[string]any {
	return map[string]any{"ticket_id": ticket, "number": "TS20260612-0007", "clock": clock, "category": category,
		"pack": "realestate", "target_at": ledgerAt("2026-06-12 18:00"), "assignee_id": assignee, "receiving_unit_id": store.ID(1)}
}

// TestClockBreachProposesJointFines is MER-010: a sales-office complaint
// whose resolve clock is breached proposes 100 yuan for the handler and 50
// yuan each, jointly, for the Sales Director and the Director's Assistant
// found up the unit chain; delivering the event again proposes nothing
// more; another category, another clock or an unknown person nothing.
// The director confirms the handler's fine, not his own.
func TestClockBreachProposesJointFines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := newLedger(t, db)
		send := func(payload map[string]any) {
			t.Helper()
			err := db.Tx(l.ctx, func(tx store.Conn) error {
				return l.notify.Send(l.ctx, tx, notify.Message{Event: policy.EventClockBreached, Title: i18n.T("超时", "breached"),
					Object: "ticket", ObjectID: 7, Payload: payload})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		send(breach(7, l.seller.UserID, "complaint.sales_office", "resolve"))
		if n := l.count(`SELECT COUNT(*) FROM merit_entries WHERE state = ?`, merit.StateProposed); n != 3 {
			t.Fatalf("the listener proposed %d entries, want 3", n)
		}
		send(breach(7, l.seller.UserID, "complaint.sales_office", "resolve")) // delivered again
		l.propose(policy.EventClockBreached, breach(7, l.seller.UserID, "complaint.sales_office", "resolve"))
		send(breach(8, l.seller.UserID, "complaint.sales_office", "respond"))
		send(breach(9, l.seller.UserID, "repair.leak", "resolve"))
		send(breach(10, 99999, "complaint.sales_office", "resolve"))
		send(map[string]any{"ticket_id": "x"})

		pg, err := l.svc.List(l.ctx, l.director, merit.Filter{SourceKind: merit.SourceTicket})
		if err != nil || len(pg.Items) != 3 {
			t.Fatalf("proposals = %+v, %v; want 3", pg, err)
		}
		byUser := map[store.ID]merit.Entry{}
		for _, e := range pg.Items {
			byUser[e.UserID] = e
		}
		staff, dir, asst := byUser[l.seller.UserID], byUser[l.director.UserID], byUser[l.assistant.UserID]
		if staff.State != merit.StateProposed || staff.Kind != policy.MeritFine || staff.Amount.String() != "100.00" ||
			staff.Item != "complaint_late" || staff.SourceID != 7 || staff.SourceRef != "TS20260612-0007" ||
			staff.Trigger != "complaint_late" || staff.RuleID != "MER-010" || staff.At != "2026-06-12" || staff.ProposedBy != 0 {
			t.Fatalf("handler's proposal = %+v", staff)
		}
		for _, j := range []merit.Entry{dir, asst} {
			if j.Amount.String() != "50.00" || j.Item != "complaint_late_joint" || j.JointOf != staff.ID || j.State != merit.StateProposed {
				t.Fatalf("joint proposal = %+v", j)
			}
		}
		if n := l.count(`SELECT COUNT(*) FROM merit_decisions d JOIN merit_entries e ON e.id = d.entry_id WHERE e.source_kind = ?`,
			merit.SourceTicket); n != 3 {
			t.Fatalf("%d decisions for 3 proposals", n)
		}
		if n := l.count(`SELECT COUNT(*) FROM notifications WHERE user_id = ? AND event = ?`, l.director.UserID, merit.EventProposed); n != 1 {
			t.Fatalf("director told %d times", n)
		}
		d, err := l.svc.Get(l.ctx, l.director, staff.ID)
		if err != nil || len(d.Joint) != 2 || d.Decisions[0].ActorName != "kefu" {
			t.Fatalf("detail = %+v, %v", d, err)
		}
		_, err = l.svc.Confirm(l.ctx, l.director, dir.ID, merit.DecisionInput{})
		wantCode(t, err, apperr.CodeForbidden, "")
		if e, err := l.svc.Confirm(l.ctx, l.director, staff.ID, merit.DecisionInput{Note: "属实"}); err != nil || e.State != merit.StateConfirmed {
			t.Fatalf("confirm = %+v, %v", e, err)
		}
		if s, err := l.svc.Summary(l.ctx, l.seller, 0, ""); err != nil || s.FinesYuan.String() != "100.00" {
			t.Fatalf("seller's summary = %+v, %v", s, err)
		}

		// Joint liability stays inside the company: a sales office without a
		// director does not fine a sales manager of the group above it.
		root, err := l.base.Org.Root(l.ctx)
		if err != nil {
			t.Fatal(err)
		}
		testkit.User(t, db, root, auth.RoleSalesManager)
		lone := testkit.Unit(t, l.base.Org, root.ID, org.Company, "独立置业公司", "realestate")
		seller := testkit.User(t, db, lone, auth.RoleSalesAgent)
		send(breach(11, seller.UserID, "complaint.sales_office", "resolve"))
		if n := l.count(`SELECT COUNT(*) FROM merit_entries WHERE source_id = ? AND source_kind = ?`, 11, merit.SourceTicket); n != 1 {
			t.Fatalf("%d proposals for a company without a director, want the handler's only", n)
		}
	})
}

// TestGrabbedCustomerFineSetByTheDirector: SAL-015's fine is proposed at
// 200 yuan; the director sets 300 within 200–500, recorded as a new
// confirmed entry that supersedes the proposal (the facts never change).
func TestGrabbedCustomerFineSetByTheDirector(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := newLedger(t, db)
		l.propose(policy.EventCustomerGrabbed, map[string]any{"user_id": l.seller.UserID, "reception_id": 7, "deal_id": 41, "number": "CJ-2026-0041"})
		pg, err := l.svc.List(l.ctx, l.director, merit.Filter{State: merit.StateProposed})
		if err != nil || len(pg.Items) != 1 {
			t.Fatalf("proposals %+v, %v", pg, err)
		}
		p := pg.Items[0]
		if p.Amount.String() != "200.00" || p.AmountMin.String() != "200.00" || p.AmountMax.String() != "500.00" ||
			p.SourceKind != merit.SourceSalesDeal || p.SourceID != 41 || p.RuleID != "SAL-015" {
			t.Fatalf("proposal = %+v", p)
		}
		_, err = l.svc.Confirm(l.ctx, l.director, p.ID, merit.DecisionInput{Amount: "600"})
		wantCode(t, err, apperr.CodeValidation, "amount")
		e, err := l.svc.Confirm(l.ctx, l.director, p.ID, merit.DecisionInput{Amount: "300", Note: "情节较重"})
		if err != nil || e.ID == p.ID || e.Amount.String() != "300.00" || e.Supersedes != p.ID || e.State != merit.StateConfirmed ||
			e.SourceID != 41 || e.DecidedBy != l.director.UserID {
			t.Fatalf("confirmed = %+v, %v", e, err)
		}
		old, err := l.svc.Get(l.ctx, l.director, p.ID)
		if err != nil || old.State != merit.StateChanged || old.SupersededBy != e.ID || old.Amount.String() != "200.00" {
			t.Fatalf("proposal after = %+v, %v", old, err)
		}
		if s, err := l.svc.Summary(l.ctx, l.director, l.seller.UserID, ""); err != nil || s.FinesYuan.String() != "300.00" {
			t.Fatalf("summary %+v, %v", s, err)
		}
		// Delivered again: the trigger proposed it already.
		l.propose(policy.EventCustomerGrabbed, map[string]any{"user_id": l.seller.UserID, "reception_id": 7, "deal_id": 41, "number": "CJ-2026-0041"})
		if n := l.count(`SELECT COUNT(*) FROM merit_entries WHERE user_id = ?`, l.seller.UserID); n != 2 {
			t.Fatalf("%d entries after a repeat delivery, want 2", n)
		}
	})
}

// TestSamplingFailureProposesPoints is SMP-017 through the ledger: every
// failure proposes the points it costs; a repeat offence with a warning
// proposes the heavier deduction and the warning.
func TestSamplingFailureProposesPoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := newLedger(t, db)
		payload := map[string]any{"user_id": l.worker.UserID, "company_id": l.gas.ID, "kind": "quota_missed", "count": 3,
			"consequence": "warning", "rule_id": "SMP-017", "failure_ids": []store.ID{5, 6, 12}, "failure_id": store.ID(12),
			"occurred_on": "2026-05-31"}
		l.propose(policy.EventSamplingFailure, payload)
		l.propose(policy.EventRepeatOffence, payload)
		l.propose(policy.EventRepeatOffence, payload)
		pg, err := l.svc.List(l.ctx, l.mgr, merit.Filter{UserID: l.worker.UserID, SourceKind: merit.SourceSamplingFailure})
		if err != nil || len(pg.Items) != 3 {
			t.Fatalf("proposals %+v, %v", pg, err)
		}
		got := map[string]merit.Entry{}
		for _, e := range pg.Items {
			got[e.Item] = e
			if e.SourceID != 12 || e.At != "2026-05-31" || e.State != merit.StateProposed {
				t.Fatalf("proposal %+v", e)
			}
		}
		if got["sampling_failure"].Points != 2 || got["sampling_heavier"].Points != 5 || got["sampling_warning"].Kind != policy.MeritWarning {
			t.Fatalf("proposals by item %+v", got)
		}
		// A demotion trigger does not fire for a warning.
		if _, ok := got["sampling_demotion"]; ok {
			t.Fatal("demotion proposed for a warning")
		}
	})
}
