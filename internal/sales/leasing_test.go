package sales

import (
	"net/http"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/testkit"
)

// leasingFix is the fixture with a leasing team 招商部 of the same company
// (mode leasing) and a General Manager gm (manager, position 总经理).
type leasingFix struct {
	*fixture
	team store.ID
	gm   *auth.Principal
	n    int
}

func newLeasingFix(t *testing.T, db *store.DB) *leasingFix {
	t.Helper()
	fx := newFixture(t, db)
	team := testkit.Unit(t, fx.base.Org, fx.co.ID, org.Department, "招商部", "")
	lf := &leasingFix{fixture: fx, team: team.ID, gm: fx.user(fx.co, "总经理", auth.RoleManager)}
	lf.exec(`INSERT INTO sales_centres (unit_id, company_id, mode, updated_at) VALUES (?, ?, ?, ?)`,
		team.ID, fx.co.ID, ModeLeasing, store.Micros(fx.clock.Now()))
	return lf
}

func (lf *leasingFix) exec(q string, args ...any) {
	lf.t.Helper()
	if err := lf.db.Tx(lf.ctx, func(tx store.Conn) error {
		_, err := tx.Exec(lf.ctx, q, args...)
		return err
	}); err != nil {
		lf.t.Fatal(err)
	}
}

// entry writes a leasing register entry of the agent's day straight into
// the book; intermediary nil leaves the SAL-027 field blank; corrects
// names the entry it corrects.
func (lf *leasingFix) entry(agent *auth.Principal, day string, intermediary *bool, corrects store.ID) store.ID {
	lf.t.Helper()
	lf.n++
	var inter any
	if intermediary != nil {
		inter = flag01(*intermediary)
	}
	var id store.ID
	err := lf.db.Tx(lf.ctx, func(tx store.Conn) error {
		return tx.QueryRow(lf.ctx, `INSERT INTO sales_registrations (number, unit_id, company_id, book, kind, agent_id,
			received_on, registered_at, customer_name, intermediary, corrects_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, "DJ-T-"+string(rune('A'+lf.n)), lf.team, lf.co.ID,
			BookLeasing, EntrySelf, agent.UserID, day, store.Micros(lf.clock.Now()), "客户", inter,
			store.OptionalID(corrects), store.Micros(lf.clock.Now())).Scan(&id)
	})
	if err != nil {
		lf.t.Fatal(err)
	}
	return id
}

func leasePtr[T any](v T) *T { return &v }

// got fails the test on an error, else returns v: leaseGot(call())(t).
func leaseGot[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// TestLeasingSubmit is SAL-025 and SAL-027: the day's form is due at the
// end of work (18:00 on cn-office), 10:00 the next morning in a special
// case; late proposes MER-013; an entry without the intermediary field
// blocks it.
func TestLeasingSubmit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		lf := newLeasingFix(t, db)
		lf.set("2026-03-10 09:00")
		blank := lf.entry(lf.a, "2026-03-10", nil, 0)
		lf.entry(lf.a, "2026-03-10", leasePtr(true), 0)
		lf.entry(lf.b, "2026-03-10", leasePtr(false), 0)
		lf.entry(lf.c, "2026-03-10", leasePtr(false), 0)

		due := leaseGot(lf.svc.SubmissionsDue(lf.ctx, lf.pm, lf.team))(t)
		if len(due) != 3 || due[0].Overdue || !due[0].DueAt.Equal(at(t, "2026-03-10 18:00")) {
			t.Fatalf("due before 18:00: %+v", due)
		}
		if own := leaseGot(lf.svc.SubmissionsDue(lf.ctx, lf.a, lf.team))(t); len(own) != 1 || own[0].Entries != 2 {
			t.Fatalf("agent a's own due days: %+v", own)
		}

		lf.set("2026-03-10 17:00")
		_, err := lf.svc.Submit(lf.ctx, lf.a, SubmissionInput{UnitID: lf.team, Day: "2026-03-10"})
		refused(t, err, http.StatusUnprocessableEntity, "intermediary")
		// The blank is corrected by a new entry (SEC-002); the day goes.
		lf.entry(lf.a, "2026-03-10", leasePtr(false), blank)
		sub := leaseGot(lf.svc.Submit(lf.ctx, lf.a, SubmissionInput{UnitID: lf.team, Day: "2026-03-10"}))(t)
		if sub.Entries != 2 || sub.Late || !sub.DueAt.Equal(at(t, "2026-03-10 18:00")) || sub.Day.String() != "2026-03-10" {
			t.Fatalf("submission: %+v", sub)
		}
		_, err = lf.svc.Submit(lf.ctx, lf.a, SubmissionInput{UnitID: lf.team, Day: "2026-03-10"})
		refused(t, err, http.StatusConflict, "day")

		lf.set("2026-03-11 09:30")
		special := leaseGot(lf.svc.Submit(lf.ctx, lf.b, SubmissionInput{UnitID: lf.team, Day: "2026-03-10",
			SpecialReason: "外出带看至晚"}))(t)
		if special.Late || !special.DueAt.Equal(at(t, "2026-03-11 10:00")) {
			t.Fatalf("special case: %+v", special)
		}
		if lf.merits.count(policy.EventSalesFormLate) != 0 {
			t.Fatal("nothing is late yet")
		}
		late := leaseGot(lf.svc.Submit(lf.ctx, lf.c, SubmissionInput{UnitID: lf.team, Day: "2026-03-10"}))(t)
		if !late.Late || lf.merits.count(policy.EventSalesFormLate) != 1 {
			t.Fatalf("late submission: %+v, %d proposals", late, lf.merits.count(policy.EventSalesFormLate))
		}
		if m := lf.merits.loads[0].(map[string]any); m["user_id"] != lf.c.UserID || m["submission_id"] != late.ID {
			t.Fatalf("proposal payload %v", m)
		}

		for _, bad := range []struct {
			in    SubmissionInput
			field string
		}{
			{SubmissionInput{UnitID: lf.team, Day: "2026-03-12"}, "day"},
			{SubmissionInput{UnitID: lf.team, Day: "10/03/2026"}, "day"},
			{SubmissionInput{UnitID: lf.team}, "day"},
			{SubmissionInput{UnitID: lf.unit, Day: "2026-03-10"}, "unit_id"},
		} {
			_, err := lf.svc.Submit(lf.ctx, lf.d, bad.in)
			refused(t, err, http.StatusUnprocessableEntity, bad.field)
		}
		_, err = lf.svc.Submit(lf.ctx, lf.outside, SubmissionInput{UnitID: lf.team, Day: "2026-03-10"})
		refused(t, err, http.StatusNotFound, "unit_id")

		if n := len(leaseGot(lf.svc.SubmissionsDue(lf.ctx, lf.pm, lf.team))(t)); n != 0 {
			t.Fatalf("%d days still due", n)
		}
		day := calendar.Date{Year: 2026, Month: 3, Day: 10}
		if n := len(leaseGot(lf.svc.Submissions(lf.ctx, lf.pm, lf.team, day, day))(t)); n != 3 {
			t.Fatalf("custodian sees %d submissions", n)
		}
		if own := leaseGot(lf.svc.Submissions(lf.ctx, lf.a, lf.team, day, day))(t); len(own) != 1 || own[0].AgentID != lf.a.UserID {
			t.Fatalf("agent sees %+v", own)
		}
		// The Sales Department Manager reads registers, but a leasing
		// centre's need the General Manager's grant (SEC-005).
		if n := len(leaseGot(lf.svc.Submissions(lf.ctx, lf.sdm, lf.team, day, day))(t)); n != 0 {
			t.Fatalf("viewer without a grant sees %d", n)
		}
		leaseGot(lf.svc.Grant(lf.ctx, lf.gm, ViewGrantInput{UnitID: lf.team, GranteeID: lf.sdm.UserID, Reason: "月度检查"}))(t)
		if n := len(leaseGot(lf.svc.Submissions(lf.ctx, lf.sdm, lf.team, day, day))(t)); n != 3 {
			t.Fatalf("viewer with a grant sees %d", n)
		}
	})
}

// TestLeasingArchiveForms is SAL-028: the monthly update is due on the
// month's last day (a fixed date), late proposes MER-013; a lost customer
// goes to the unclosed archive, kept ten years; others read it only with a
// grant (SEC-005), and the read is audited.
func TestLeasingArchiveForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		lf := newLeasingFix(t, db)
		lf.set("2026-02-10 10:00")
		reg := lf.entry(lf.a, "2026-02-10", leasePtr(false), 0)
		f := leaseGot(lf.svc.CreateArchiveForm(lf.ctx, lf.a, ArchiveFormInput{UnitID: lf.team, RegistrationID: reg,
			Content: "基本信息：意向 200㎡ 商铺"}))(t)
		if f.Number != "DA-2026-0001" || f.State != FormFollowing || f.CustomerName != "客户" || len(f.Updates) != 1 ||
			f.Updates[0].Month != "" || f.NextDue == nil || f.NextDue.String() != "2026-02-28" {
			t.Fatalf("new form: %+v", f)
		}
		_, err := lf.svc.CreateArchiveForm(lf.ctx, lf.b, ArchiveFormInput{UnitID: lf.team, RegistrationID: reg, Content: "x"})
		refused(t, err, http.StatusNotFound, "registration_id")
		_, err = lf.svc.CreateArchiveForm(lf.ctx, lf.b, ArchiveFormInput{UnitID: lf.team, CustomerName: "王"})
		refused(t, err, http.StatusUnprocessableEntity, "content")

		lf.set("2026-02-28 23:00") // Sat: a fixed date is not moved (CAL-015)
		f = leaseGot(lf.svc.SendArchiveUpdate(lf.ctx, lf.a, f.ID, ArchiveFormInput{Month: "2026-02", Content: "二月跟进"}))(t)
		if u := f.Updates[1]; u.Late || u.DueOn == nil || u.DueOn.String() != "2026-02-28" || f.NextDue.String() != "2026-03-31" {
			t.Fatalf("February update: %+v next %v", u, f.NextDue)
		}
		_, err = lf.svc.SendArchiveUpdate(lf.ctx, lf.a, f.ID, ArchiveFormInput{Month: "2026-02", Content: "again"})
		refused(t, err, http.StatusConflict, "month")
		_, err = lf.svc.SendArchiveUpdate(lf.ctx, lf.a, f.ID, ArchiveFormInput{Month: "2026-03", Content: "x"})
		refused(t, err, http.StatusUnprocessableEntity, "month")
		_, err = lf.svc.SendArchiveUpdate(lf.ctx, lf.a, f.ID, ArchiveFormInput{Month: "2026-3", Content: "x"})
		refused(t, err, http.StatusUnprocessableEntity, "month")
		_, err = lf.svc.SendArchiveUpdate(lf.ctx, lf.b, f.ID, ArchiveFormInput{Month: "2026-02", Content: "x"})
		refused(t, err, http.StatusNotFound, "archive_form")

		lf.set("2026-04-01 09:00")
		f = leaseGot(lf.svc.SendArchiveUpdate(lf.ctx, lf.a, f.ID, ArchiveFormInput{Month: "2026-03", Content: "三月跟进"}))(t)
		if !f.Updates[2].Late || lf.merits.count(policy.EventSalesFormLate) != 1 {
			t.Fatalf("March update sent in April: %+v", f.Updates[2])
		}

		lf.set("2026-04-02 15:00")
		_, err = lf.svc.CloseArchiveForm(lf.ctx, lf.a, f.ID, ArchiveFormInput{Outcome: "lost"})
		refused(t, err, http.StatusUnprocessableEntity, "outcome")
		f = leaseGot(lf.svc.CloseArchiveForm(lf.ctx, lf.a, f.ID, ArchiveFormInput{Outcome: FormUnclosed, Content: "客户另租他处"}))(t)
		if f.State != FormUnclosed || f.ClosedOn.String() != "2026-04-02" || f.RetainUntil.String() != "2036-04-02" ||
			f.NextDue != nil {
			t.Fatalf("closed form: %+v", f)
		}
		_, err = lf.svc.SendArchiveUpdate(lf.ctx, lf.a, f.ID, ArchiveFormInput{Month: "2026-04", Content: "x"})
		refused(t, err, http.StatusConflict, "state")

		if got := leaseGot(lf.svc.ArchiveForms(lf.ctx, lf.a, lf.team, FormUnclosed))(t); len(got) != 1 {
			t.Fatalf("own unclosed archive: %d", len(got))
		}
		if got := leaseGot(lf.svc.ArchiveForms(lf.ctx, lf.b, lf.team, ""))(t); len(got) != 0 {
			t.Fatalf("b sees %d forms of a", len(got))
		}
		_, err = lf.svc.ArchiveForms(lf.ctx, lf.a, lf.team, "lost")
		refused(t, err, http.StatusUnprocessableEntity, "state")
		_, err = lf.svc.GetArchiveForm(lf.ctx, lf.sdm, f.ID)
		refused(t, err, http.StatusNotFound, "archive_form")
		leaseGot(lf.svc.Grant(lf.ctx, lf.gm, ViewGrantInput{UnitID: lf.team, GranteeID: lf.sdm.UserID, Reason: "审计"}))(t)
		if got := leaseGot(lf.svc.GetArchiveForm(lf.ctx, lf.sdm, f.ID))(t); got.ID != f.ID || len(got.Updates) != 4 {
			t.Fatalf("granted read: %+v", got)
		}
		var views int
		if err := db.Reader().QueryRow(lf.ctx, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor_id = ?`,
			"sales.archive_form.view", lf.sdm.UserID).Scan(&views); err != nil || views != 1 {
			t.Fatalf("audited views %d, %v", views, err)
		}
		if err := db.Tx(lf.ctx, func(tx store.Conn) error {
			_, err := tx.Exec(lf.ctx, `UPDATE sales_archive_updates SET content = '' WHERE form_id = ?`, f.ID)
			return err
		}); err == nil {
			t.Fatal("archive updates must be append-only (SEC-002)")
		}
	})
}

// TestLeasingGrants is SEC-005: the General Manager's grant lasts 7d
// (Tue 2026-03-10 → 2026-03-18 00:00), may be revoked, and nobody else
// grants.
func TestLeasingGrants(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		lf := newLeasingFix(t, db)
		lf.set("2026-03-10 10:00")
		_, err := lf.svc.Grant(lf.ctx, lf.pm, ViewGrantInput{UnitID: lf.team, GranteeID: lf.sdm.UserID, Reason: "x"})
		refused(t, err, http.StatusForbidden, "")
		_, err = lf.svc.Grant(lf.ctx, lf.gm, ViewGrantInput{UnitID: lf.team, GranteeID: lf.sdm.UserID})
		refused(t, err, http.StatusUnprocessableEntity, "reason")
		_, err = lf.svc.Grant(lf.ctx, lf.gm, ViewGrantInput{UnitID: lf.team, GranteeID: 999999, Reason: "x"})
		refused(t, err, http.StatusNotFound, "grantee_id")
		_, err = lf.svc.Grant(lf.ctx, lf.gm, ViewGrantInput{UnitID: lf.unit, GranteeID: lf.sdm.UserID, Reason: "x"})
		refused(t, err, http.StatusUnprocessableEntity, "unit_id")

		g := leaseGot(lf.svc.Grant(lf.ctx, lf.gm, ViewGrantInput{UnitID: lf.team, GranteeID: lf.sdm.UserID, Reason: "月度检查"}))(t)
		if !g.ExpiresAt.Equal(at(t, "2026-03-18 00:00")) || g.Grantee == "" || g.GrantedBy == "" {
			t.Fatalf("grant: %+v", g)
		}
		has := func() bool {
			ok, err := lf.svc.hasGrant(lf.ctx, db.Reader(), lf.sdm, lf.team)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		lf.set("2026-03-17 23:59")
		if !has() {
			t.Fatal("grant holds on its last day")
		}
		lf.set("2026-03-18 00:00")
		if has() {
			t.Fatal("grant expired at 2026-03-18 00:00")
		}
		_, err = lf.svc.RevokeGrant(lf.ctx, lf.gm, g.ID)
		refused(t, err, http.StatusConflict, "grant")

		lf.set("2026-03-20 09:00")
		g2 := leaseGot(lf.svc.Grant(lf.ctx, lf.gm, ViewGrantInput{UnitID: lf.team, GranteeID: lf.sdm.UserID, Reason: "复查"}))(t)
		_, err = lf.svc.RevokeGrant(lf.ctx, lf.pm, g2.ID)
		refused(t, err, http.StatusForbidden, "")
		r := leaseGot(lf.svc.RevokeGrant(lf.ctx, lf.gm, g2.ID))(t)
		if r.RevokedAt.IsZero() || has() {
			t.Fatalf("revoked: %+v", r)
		}
		if n := len(leaseGot(lf.svc.Grants(lf.ctx, lf.gm, lf.team))(t)); n != 2 {
			t.Fatalf("gm sees %d grants", n)
		}
		if n := len(leaseGot(lf.svc.Grants(lf.ctx, lf.sdm, lf.team))(t)); n != 2 {
			t.Fatalf("grantee sees %d of her grants", n)
		}
		if n := len(leaseGot(lf.svc.Grants(lf.ctx, lf.a, lf.team))(t)); n != 0 {
			t.Fatalf("agent sees %d grants", n)
		}
	})
}
