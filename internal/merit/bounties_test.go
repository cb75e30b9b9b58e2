package merit_test

import (
	"net/http"
	"strings"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/hazard"
	"kefu/internal/merit"
	"kefu/internal/money"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// hazardOf registers a hazard of the severity reported by a member of the
// public, as the company's auditor, and returns its id.
func (f *appealFix) hazardOf(severity, location string) store.ID {
	f.t.Helper()
	d, err := f.hazards.Register(f.ctx, f.auditor, hazard.Finding{Source: "public", Location: location,
		Description: "立管接头漏气", Severity: severity, Responsibility: "company",
		ReporterName: "王建国", ReporterPhone: "13912345678"})
	if err != nil {
		f.t.Fatal(err)
	}
	return d.ID
}

func TestBountyHazardBySeverity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newAppealFix(t, db)
		riser := f.hazardOf("larger", "3号楼公共立管")
		kitchen := f.hazardOf("serious", "举报人家中厨房")

		b := f.bounty(f.svc.RegisterBounty(f.ctx, f.auditor, merit.BountyInput{Kind: merit.BountyHazard, HazardID: riser,
			Verified: true, Verification: "2026-06-12 现场核实"}))
		if b.Amount != money.FromYuan(1000) || b.State != merit.BountyProposed || b.Severity != "larger" ||
			b.Number != "R-2026-01" || b.CompanyID != f.co.ID {
			t.Fatalf("verified larger hazard: %+v", b)
		}
		// The reporter comes from the hazard register when not given.
		if b.Reporter != "王建国" || b.ReporterPhone != "13912345678" || b.Protected {
			t.Fatalf("registrar sees %q %q protected=%v", b.Reporter, b.ReporterPhone, b.Protected)
		}
		if f.notified(f.manager, merit.EventBounty) != 1 {
			t.Fatal("the deciders were not told")
		}
		_, err := f.svc.RegisterBounty(f.ctx, f.auditor, merit.BountyInput{Kind: merit.BountyHazard, HazardID: riser,
			Verified: true, ReporterName: "李四"})
		apRefused(t, err, http.StatusConflict, "hazard_id")

		own := f.bounty(f.svc.RegisterBounty(f.ctx, f.auditor, merit.BountyInput{Kind: merit.BountyHazard, HazardID: kitchen,
			Verified: true, OwnHome: true, ReporterName: "赵六"}))
		if own.Amount != 0 || own.State != merit.BountyRejected || !strings.Contains(own.Note, "own home") ||
			own.Number != "R-2026-02" {
			t.Fatalf("own home: %+v", own)
		}
		// A rejected registration does not block a new one for the hazard.
		unverified := f.hazardOf("minor", "小区路灯杆旁调压箱")
		nv := f.bounty(f.svc.RegisterBounty(f.ctx, f.auditor, merit.BountyInput{Kind: merit.BountyHazard, HazardID: unverified}))
		if nv.Amount != 0 || nv.State != merit.BountyRejected || !strings.Contains(nv.Note, "not verified") {
			t.Fatalf("unverified: %+v", nv)
		}
		again := f.bounty(f.svc.RegisterBounty(f.ctx, f.auditor, merit.BountyInput{Kind: merit.BountyHazard, HazardID: unverified,
			Verified: true}))
		if again.Amount != money.FromYuan(200) || again.State != merit.BountyProposed {
			t.Fatalf("verified minor: %+v", again)
		}

		// Refusals name the field.
		for _, c := range []struct {
			in     merit.BountyInput
			status int
			field  string
		}{
			{merit.BountyInput{Kind: "tip"}, 422, "kind"},
			{merit.BountyInput{}, 422, "kind"},
			{merit.BountyInput{Kind: merit.BountyHazard}, 422, "hazard_id"},
			{merit.BountyInput{Kind: merit.BountyHazard, HazardID: 99999, Verified: true, ReporterName: "x"}, 422, "hazard_id"},
			{merit.BountyInput{Kind: merit.BountyHazard, HazardID: kitchen, Basis: "penalty"}, 422, "basis"},
		} {
			_, err := f.svc.RegisterBounty(f.ctx, f.auditor, c.in)
			apRefused(t, err, c.status, c.field)
		}
		// Another company's hazard is not in the outsider's scope; a
		// cs_agent may not register.
		_, err = f.svc.RegisterBounty(f.ctx, f.outsiderBoss, merit.BountyInput{Kind: merit.BountyHazard, HazardID: kitchen, Verified: true, ReporterName: "x"})
		apRefused(t, err, http.StatusUnprocessableEntity, "hazard_id")
		_, err = f.svc.RegisterBounty(f.ctx, f.agent, merit.BountyInput{Kind: merit.BountyHazard, HazardID: kitchen})
		apRefused(t, err, http.StatusForbidden, "")
	})
}

func TestBountyTheftPercent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newAppealFix(t, db)
		b := f.bounty(f.svc.RegisterBounty(f.ctx, f.auditor, merit.BountyInput{Kind: merit.BountyTheft, Basis: merit.BasisRecovered,
			BasisAmount: "18,400.00", Verified: true, Verification: "追缴气费收据 2026-06-10", ReporterName: "匿名群众甲", ReporterPhone: "13800001111"}))
		if b.Amount.String() != "920.00" || b.Percent != "5%" || b.BasisAmount != money.FromYuan(18400) ||
			b.State != merit.BountyProposed || b.Number != "R-2026-01" {
			t.Fatalf("theft bounty: %+v", b)
		}
		for _, c := range []struct {
			in    merit.BountyInput
			field string
		}{
			{merit.BountyInput{Kind: merit.BountyTheft, BasisAmount: "100", ReporterName: "x"}, "basis"},
			{merit.BountyInput{Kind: merit.BountyTheft, Basis: "fine", BasisAmount: "100", ReporterName: "x"}, "basis"},
			{merit.BountyInput{Kind: merit.BountyTheft, Basis: merit.BasisPenalty, ReporterName: "x"}, "basis_amount"},
			{merit.BountyInput{Kind: merit.BountyTheft, Basis: merit.BasisPenalty, BasisAmount: "abc", ReporterName: "x"}, "basis_amount"},
			{merit.BountyInput{Kind: merit.BountyTheft, Basis: merit.BasisPenalty, BasisAmount: "0", ReporterName: "x"}, "basis_amount"},
			{merit.BountyInput{Kind: merit.BountyTheft, Basis: merit.BasisPenalty, BasisAmount: "1.005", ReporterName: "x"}, "basis_amount"},
			{merit.BountyInput{Kind: merit.BountyTheft, Basis: merit.BasisPenalty, BasisAmount: "100", Verified: true}, "reporter_name"},
			{merit.BountyInput{Kind: merit.BountyTheft, Basis: merit.BasisPenalty, BasisAmount: "100", ReporterName: "x", UnitID: 99999}, "unit_id"},
		} {
			_, err := f.svc.RegisterBounty(f.ctx, f.auditor, c.in)
			apRefused(t, err, http.StatusUnprocessableEntity, c.field)
		}
		nv := f.bounty(f.svc.RegisterBounty(f.ctx, f.auditor, merit.BountyInput{Kind: merit.BountyTheft, Basis: merit.BasisPenalty,
			BasisAmount: "5000", ReporterName: "匿名群众乙"}))
		if nv.State != merit.BountyRejected || nv.Amount != 0 || nv.Number != "R-2026-02" {
			t.Fatalf("unverified theft: %+v", nv)
		}
	})
}

// TestBountyReporterProtected: SEC-007 — the registrar and the managers
// see the reporter; a supervisor who did not register sees "protected
// reporter R-2026-01"; the database and the audit log hold no name.
func TestBountyReporterProtected(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newAppealFix(t, db)
		b := f.bounty(f.svc.RegisterBounty(f.ctx, f.auditor, merit.BountyInput{Kind: merit.BountyTheft, Basis: merit.BasisPenalty,
			BasisAmount: "3000", Verified: true, ReporterName: "钱七", ReporterPhone: "13700002222"}))

		sup := f.bounty(f.svc.GetBounty(f.ctx, f.leader, b.ID))
		if !sup.Protected || sup.Reporter != "受保护的举报人 R-2026-01" || sup.ReporterPhone != "" {
			t.Fatalf("supervisor sees %q %q protected=%v", sup.Reporter, sup.ReporterPhone, sup.Protected)
		}
		list := f.bounties(f.svc.Bounties(f.ctx, f.leader, ""))
		if len(list) != 1 || !list[0].Protected || strings.Contains(list[0].Reporter, "钱七") {
			t.Fatalf("supervisor's list %+v", list)
		}
		for _, who := range []*auth.Principal{f.manager, f.auditor} {
			got := f.bounty(f.svc.GetBounty(f.ctx, who, b.ID))
			if got.Protected || got.Reporter != "钱七" || got.ReporterPhone != "13700002222" {
				t.Fatalf("%v sees %q %q protected=%v", who.Roles, got.Reporter, got.ReporterPhone, got.Protected)
			}
		}
		_, err := f.svc.GetBounty(f.ctx, f.outsider, b.ID)
		apRefused(t, err, http.StatusNotFound, "id")

		var sealed string
		if err := db.Reader().QueryRow(f.ctx, `SELECT reporter_sealed FROM merit_bounties WHERE id = ?`, b.ID).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(sealed, "v1:") || strings.Contains(sealed, "钱七") || strings.Contains(sealed, "13700002222") {
			t.Fatalf("reporter_sealed = %q", sealed)
		}
		f.bounty(f.svc.DecideBounty(f.ctx, f.manager, b.ID, merit.BountyApprove, merit.BountyDecision{Note: "核实"}))
		rows, err := store.QueryAll(f.ctx, db.Reader(), func(sc store.Scanner) (string, error) {
			var s string
			return s, sc.Scan(&s)
		}, `SELECT changes FROM audit_log WHERE object_type = 'merit_bounty'`)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 {
			t.Fatalf("%d audit rows", len(rows))
		}
		for _, r := range rows {
			if strings.Contains(r, "钱七") || strings.Contains(r, "13700002222") {
				t.Fatalf("the audit log names the reporter: %s", r)
			}
		}
		ns, err := f.notes.List(f.ctx, f.auditor.UserID, false, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range ns {
			if strings.Contains(n.TitleZH+n.TitleEN, "钱七") {
				t.Fatalf("a notification names the reporter: %+v", n)
			}
		}
	})
}

func TestBountyDecisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newAppealFix(t, db)
		reg := func(by *auth.Principal) *merit.Bounty {
			return f.bounty(f.svc.RegisterBounty(f.ctx, by, merit.BountyInput{Kind: merit.BountyTheft, Basis: merit.BasisRecovered,
				BasisAmount: "2000", Verified: true, ReporterName: "孙八"}))
		}
		b := reg(f.manager)
		_, err := f.svc.DecideBounty(f.ctx, f.manager, b.ID, merit.BountyApprove, merit.BountyDecision{})
		apRefused(t, err, http.StatusForbidden, "") // the registrar may not approve their own
		_, err = f.svc.DecideBounty(f.ctx, f.leader, b.ID, merit.BountyApprove, merit.BountyDecision{})
		apRefused(t, err, http.StatusForbidden, "")
		_, err = f.svc.DecideBounty(f.ctx, f.manager2, b.ID, merit.BountyPay, merit.BountyDecision{PaidOn: "2026-06-15", Voucher: "记-0615-03"})
		apRefused(t, err, http.StatusConflict, "state") // not approved yet
		_, err = f.svc.DecideBounty(f.ctx, f.manager2, b.ID, "waive", merit.BountyDecision{})
		apRefused(t, err, http.StatusUnprocessableEntity, "action")

		b = f.bounty(f.svc.DecideBounty(f.ctx, f.manager2, b.ID, merit.BountyApprove, merit.BountyDecision{}))
		if b.State != merit.BountyApproved || b.DecidedBy != f.manager2.UserID || b.DecidedAt == nil || b.Amount.String() != "100.00" {
			t.Fatalf("approved: %+v", b)
		}
		for _, c := range []struct {
			in    merit.BountyDecision
			field string
		}{
			{merit.BountyDecision{Voucher: "记-0615-03"}, "paid_on"},
			{merit.BountyDecision{PaidOn: "2026-06-31", Voucher: "记-0615-03"}, "paid_on"},
			{merit.BountyDecision{PaidOn: "2026-06-16", Voucher: "记-0615-03"}, "paid_on"}, // tomorrow
			{merit.BountyDecision{PaidOn: "2026-06-15"}, "voucher"},
		} {
			_, err := f.svc.DecideBounty(f.ctx, f.manager2, b.ID, merit.BountyPay, c.in)
			apRefused(t, err, http.StatusUnprocessableEntity, c.field)
		}
		b = f.bounty(f.svc.DecideBounty(f.ctx, f.manager, b.ID, merit.BountyPay, merit.BountyDecision{PaidOn: "2026-06-15", Voucher: "记-0615-03"}))
		if b.State != merit.BountyPaid || b.PaidOn != "2026-06-15" || b.Voucher != "记-0615-03" {
			t.Fatalf("paid: %+v", b)
		}
		_, err = f.svc.DecideBounty(f.ctx, f.manager, b.ID, merit.BountyReject, merit.BountyDecision{Note: "x"})
		apRefused(t, err, http.StatusConflict, "state")

		c := reg(f.auditor)
		_, err = f.svc.DecideBounty(f.ctx, f.manager, c.ID, merit.BountyReject, merit.BountyDecision{})
		apRefused(t, err, http.StatusUnprocessableEntity, "note")
		c = f.bounty(f.svc.DecideBounty(f.ctx, f.manager, c.ID, merit.BountyReject, merit.BountyDecision{Note: "举报不实"}))
		if c.State != merit.BountyRejected || c.DecisionNote != "举报不实" {
			t.Fatalf("rejected: %+v", c)
		}
		if got := f.bounties(f.svc.Bounties(f.ctx, f.manager, merit.BountyRejected)); len(got) != 1 || got[0].ID != c.ID {
			t.Fatalf("rejected list %+v", got)
		}
		if f.notified(f.auditor, merit.EventBounty) != 1 {
			t.Fatal("the registrar was not told of the rejection")
		}
	})
}
