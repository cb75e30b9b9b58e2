package certificate_test

import (
	"context"
	"strings"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/certificate"
	"kefu/internal/i18n"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/ticket"
)

// TestTicketAssignGuard (STF-001): with the certificate guard registered on
// the work-order service, a gas pipeline-fault work order cannot be
// dispatched to a repair worker without a valid 职业资格证 (422 naming
// user_id, nothing changed); once the certificate is on file it can; a
// complaint needs no certificate; a revoked certificate refuses again.
func TestTicketAssignGuard(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "2026-03-02 09:00")
		ctx := context.Background()
		tickets := ticket.New(ticket.Options{DB: db, Calendars: e.b.Calendars, Policy: e.b.Packs, Org: e.b.Org,
			Logger: e.b.Log, Now: e.clk.Now})
		tickets.GuardAssign(e.svc.TicketGuard)
		tk, err := tickets.Create(ctx, e.agent, ticket.CreateInput{Category: "fault.network", Subject: "和平路燃气管网压力偏低"})
		if err != nil {
			t.Fatal(err)
		}
		dispatch := func(id store.ID, name string) (ticket.Ticket, error) {
			return tickets.Act(ctx, e.agent, id, ticket.Action{Name: name, UserID: &e.repair.UserID})
		}
		for _, act := range []string{ticket.ActDispatch, ticket.ActAssign} {
			_, err = dispatch(tk.ID, act)
			ae := wantErr(t, err, apperr.CodeValidation, "user_id")
			if zh := ae.Message.In(i18n.ZH); !strings.Contains(zh, "管网故障") || !strings.Contains(zh, "没有职业资格证（燃气维修）") {
				t.Errorf("%s refused with %q", act, zh)
			}
		}
		if got, _ := tickets.Get(ctx, e.agent, tk.ID); got.AssigneeID != 0 || got.Status != ticket.StatusNew {
			t.Fatalf("refused dispatch changed the work order: %+v", got)
		}
		// A complaint needs no certificate.
		cp, err := tickets.Create(ctx, e.agent, ticket.CreateInput{Category: "complaint", Subject: "抄表员未入户"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dispatch(cp.ID, ticket.ActAssign); err != nil {
			t.Fatalf("complaint: %v", err)
		}

		c := e.register(t, certificate.RegisterInput{UserID: e.repair.UserID, Kind: "repair_qualification", Number: "ZG-2024-118",
			IssuedOn: "2024-05-10"})
		got, err := dispatch(tk.ID, ticket.ActDispatch)
		if err != nil || got.AssigneeID != e.repair.UserID {
			t.Fatalf("with the certificate: %v %+v", err, got)
		}
		// Another work order after the certificate is revoked.
		if _, err := e.svc.Revoke(ctx, e.admin, c.ID, certificate.RevokeInput{Reason: "违章作业，吊销"}); err != nil {
			t.Fatal(err)
		}
		tk2, err := tickets.Create(ctx, e.agent, ticket.CreateInput{Category: "alarm.leak", Subject: "楼道内有燃气味"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = dispatch(tk2.ID, ticket.ActDispatch)
		if ae := wantErr(t, err, apperr.CodeValidation, "user_id"); !strings.Contains(ae.Message.In(i18n.ZH), "已吊销") {
			t.Errorf("after revocation: %s", ae.Message.In(i18n.ZH))
		}
	})
}

// TestRequireScope (INS-017): nobody works beyond the permit's scope — a
// low-voltage permit covers outage repairs but not the high-voltage
// grid-side checks; a high-voltage one added covers them. Work the pack
// lists no certificate for needs none, and a pack without the section
// needs nothing.
func TestRequireScope(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "2026-06-01 09:00")
		ctx := context.Background()
		pack, err := e.b.Packs.ForUnit(ctx, e.power.ID)
		if err != nil {
			t.Fatal(err)
		}
		now := e.clk.Now()
		req := func(work string) error { return e.svc.Require(ctx, db.Reader(), pack, work, e.elec.UserID, now) }
		c := e.register(t, certificate.RegisterInput{UserID: e.elec.UserID, Kind: "grid_permit", Number: "DW-1",
			Scopes: []string{"low_voltage"}, ScopeNote: "低压电气设备安装、维修", IssuedOn: "2024-03-01"})
		if err := req("fault.outage"); err != nil {
			t.Fatalf("LV outage: %v", err)
		}
		err = e.svc.RequireAs(ctx, db.Reader(), pack, "inspection.grid_dispatch", e.elec.UserID, now, "assignee_id")
		if ae := wantErr(t, err, apperr.CodeValidation, "assignee_id"); !strings.Contains(ae.Message.In(i18n.ZH), "作业范围不含高压类") {
			t.Errorf("HV check: %s", ae.Message.In(i18n.ZH))
		}
		// The permit is renewed with both classes.
		if _, err := e.svc.Renew(ctx, e.admin, c.ID, certificate.RenewInput{AppliedOn: "2026-05-20", Number: "DW-2",
			IssuedOn: "2026-05-30", Scopes: []string{"low_voltage", "high_voltage"}}); err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{"fault.outage", "fault.emergency", "inspection.grid_dispatch", "complaint.general"} {
			if err := req(w); err != nil {
				t.Errorf("%s: %v", w, err)
			}
		}
		// The power inspector's qualification is a different kind.
		wantErr(t, req("inspection.periodic"), apperr.CodeValidation, "user_id")
		general, err := e.b.Packs.Lookup("pack", "general")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Require(ctx, db.Reader(), general, "repair.general", e.agent.UserID, now); err != nil {
			t.Errorf("general pack: %v", err)
		}
	})
}
