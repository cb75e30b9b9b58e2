package archive

import (
	"net/http"
	"slices"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/jobs"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// events lists the notification events of a user.
func (fx *fixture) events(t *testing.T, user store.ID) []string {
	t.Helper()
	list, err := fx.notify.List(fx.ctx, user, false, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range list {
		out = append(out, n.Event)
	}
	return out
}

// fire runs the due timers at the clock's time.
func (fx *fixture) fire(t *testing.T) {
	t.Helper()
	if _, err := fx.base.Engine.FireDue(fx.ctx); err != nil {
		t.Fatal(err)
	}
}

// TestLoanLeasingChainExample is ARC-012's example: an agent requests a
// leasing customer's archive on 2026-03-10, the head of the investment
// department reviews it that day, the GM approves on 03-11, the archivist
// registers it on 03-11 and the file is lent.
func TestLoanLeasingChainExample(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		file := fx.file(t, KindCustomer, "ZS-0001", "commercial")
		fx.exec("UPDATE archive_files SET chain = 'leasing' WHERE id = ?", file)
		fx.set("2026-03-10 10:00")
		l := must(fx.svc.RequestLoan(fx.ctx, fx.agent, LoanInput{FileID: file, Purpose: "核对租赁合同"}))(t)
		if l.Number != "JY-2026-0001" || l.State != LoanPending || l.Chain != "leasing" || l.Mode != ModeTakeOut ||
			len(l.Steps) != 2 || l.Steps[0].State != "current" || l.Steps[0].CanDecide || l.Steps[1].State != "waiting" {
			t.Fatalf("requested = %+v", l)
		}
		if !slices.Contains(fx.events(t, fx.head.UserID), "archive.loan.requested") {
			t.Fatal("the head was not told")
		}
		// The borrower sees the head's step; the head may decide it.
		if got := must(fx.svc.GetLoan(fx.ctx, fx.head, l.ID))(t); !got.Steps[0].CanDecide {
			t.Fatalf("head view = %+v", got.Steps)
		}
		// The procedure is incomplete: the custodian refuses (ARC-011).
		_, err := fx.svc.LendLoan(fx.ctx, fx.archivist, l.ID)
		refused(t, err, http.StatusConflict, "state")
		// The GM cannot skip the head's review.
		_, err = fx.svc.DecideLoan(fx.ctx, fx.gm, l.ID, true, "")
		refused(t, err, http.StatusForbidden, "")
		l = must(fx.svc.DecideLoan(fx.ctx, fx.head, l.ID, true, "同意"))(t)
		if l.State != LoanPending || l.Steps[0].State != "approved" || l.Steps[1].State != "current" {
			t.Fatalf("reviewed = %+v", l.Steps)
		}
		_, err = fx.svc.LendLoan(fx.ctx, fx.archivist, l.ID)
		refused(t, err, http.StatusConflict, "state")
		fx.set("2026-03-11 09:30")
		l = must(fx.svc.DecideLoan(fx.ctx, fx.gm, l.ID, true, "批准"))(t)
		if l.State != LoanApproved || !l.ApprovedAt.Equal(at(t, "2026-03-11 09:30")) || len(l.Approvals) != 2 {
			t.Fatalf("approved = %+v", l)
		}
		_, err = fx.svc.DecideLoan(fx.ctx, fx.gm, l.ID, true, "")
		refused(t, err, http.StatusConflict, "state")
		// Only the archive side registers the loan.
		_, err = fx.svc.LendLoan(fx.ctx, fx.agent, l.ID)
		refused(t, err, http.StatusForbidden, "")
		fx.set("2026-03-11 10:00")
		l = must(fx.svc.LendLoan(fx.ctx, fx.archivist, l.ID))(t)
		if l.State != LoanLent || l.LentBy != fx.archivist.UserID || !l.DueAt.Equal(at(t, "2026-03-19 00:00")) || l.Overdue {
			t.Fatalf("lent = %+v", l)
		}
		f := must(fx.svc.GetFile(fx.ctx, fx.archivist, file))(t)
		if !f.Lent {
			t.Fatal("the file is not marked lent")
		}
		// A second take-out of the same file waits for the return.
		l2 := must(fx.svc.RequestLoan(fx.ctx, fx.director, LoanInput{FileNumber: "ZS-0001", Purpose: "查阅"}))(t)
		must(fx.svc.DecideLoan(fx.ctx, fx.head, l2.ID, true, ""))(t)
		must(fx.svc.DecideLoan(fx.ctx, fx.gm, l2.ID, true, ""))(t)
		_, err = fx.svc.LendLoan(fx.ctx, fx.archivist, l2.ID)
		refused(t, err, http.StatusConflict, "file_id")
		var audits int
		if err := db.Reader().QueryRow(fx.ctx, `SELECT count(*) FROM audit_log WHERE object_type = 'archive_loan' AND object_id = ?
			AND action IN ('archive.loan.request', 'archive.loan.decide', 'archive.loan.lend')`, l.ID.String()).Scan(&audits); err != nil {
			t.Fatal(err)
		}
		if audits != 4 {
			t.Fatalf("audit entries = %d", audits)
		}
	})
}

func TestLoanChainsQualify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		// Sales-office customer file: the Sales Director signs (ARC-012).
		sales := fx.file(t, KindCustomer, "SO-0001", "sales_office")
		fx.exec("UPDATE archive_files SET chain = 'sales_office' WHERE id = ?", sales)
		l := must(fx.svc.RequestLoan(fx.ctx, fx.agent, LoanInput{FileID: sales, Purpose: "客户回访", Mode: ModeView, Days: 3}))(t)
		_, err := fx.svc.DecideLoan(fx.ctx, fx.archivist, l.ID, true, "")
		refused(t, err, http.StatusForbidden, "")
		_, err = fx.svc.DecideLoan(fx.ctx, fx.gm, l.ID, true, "")
		refused(t, err, http.StatusForbidden, "")
		l = must(fx.svc.DecideLoan(fx.ctx, fx.director, l.ID, true, "签批"))(t)
		if l.State != LoanApproved {
			t.Fatalf("sales loan = %+v", l)
		}
		// Registered by the central office, not by another department's custodian.
		_, err = fx.svc.LendLoan(fx.ctx, fx.deptArchivist, l.ID)
		refused(t, err, http.StatusForbidden, "")
		l = must(fx.svc.LendLoan(fx.ctx, fx.archivist, l.ID))(t)
		if !l.DueAt.Equal(at(t, "2026-03-06 00:00")) || l.Mode != ModeView {
			t.Fatalf("view loan = %+v", l)
		}

		// Centralised file: only the GMO approves (G-58), never the borrower.
		central := fx.file(t, KindUnit, "XD-03-0501", "gmo")
		l = must(fx.svc.RequestLoan(fx.ctx, fx.agent, LoanInput{FileID: central, Purpose: "办证"}))(t)
		if l.Chain != "central" {
			t.Fatalf("chain = %q", l.Chain)
		}
		for _, p := range []*auth.Principal{fx.deptArchivist, fx.gm, fx.agent} {
			_, err = fx.svc.DecideLoan(fx.ctx, p, l.ID, true, "")
			refused(t, err, http.StatusForbidden, "")
		}
		// The Sales Director neither qualifies nor reads the archive: not even seen.
		_, err = fx.svc.DecideLoan(fx.ctx, fx.director, l.ID, true, "")
		refused(t, err, http.StatusNotFound, "id")
		// A GMO manager borrowing is not their own approver.
		own := must(fx.svc.RequestLoan(fx.ctx, fx.gmoManager, LoanInput{FileID: central, Purpose: "自查"}))(t)
		_, err = fx.svc.DecideLoan(fx.ctx, fx.gmoManager, own.ID, true, "")
		refused(t, err, http.StatusForbidden, "")
		l = must(fx.svc.DecideLoan(fx.ctx, fx.archivist, l.ID, false, "用途不明"))(t)
		if l.State != LoanRejected || l.Steps[0].State != "rejected" {
			t.Fatalf("rejected = %+v", l)
		}
		_, err = fx.svc.LendLoan(fx.ctx, fx.archivist, l.ID)
		refused(t, err, http.StatusConflict, "state")
		if !slices.Contains(fx.events(t, fx.agent.UserID), "archive.loan.rejected") {
			t.Fatal("the borrower was not told of the refusal")
		}
		// The borrower withdraws; nobody else can.
		_, err = fx.svc.CancelLoan(fx.ctx, fx.archivist, own.ID)
		refused(t, err, http.StatusForbidden, "")
		own = must(fx.svc.CancelLoan(fx.ctx, fx.gmoManager, own.ID))(t)
		if own.State != LoanCancelled {
			t.Fatalf("cancelled = %+v", own)
		}
		_, err = fx.svc.CancelLoan(fx.ctx, fx.gmoManager, own.ID)
		refused(t, err, http.StatusConflict, "state")
	})
}

func TestLoanRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		file := fx.file(t, KindUnit, "XD-03-0502", "customer_affairs")
		viewer := fx.user(fx.co, "", auth.RoleViewer)
		_, err := fx.svc.RequestLoan(fx.ctx, viewer, LoanInput{FileID: file, Purpose: "x"})
		refused(t, err, http.StatusForbidden, "")
		_, err = fx.svc.RequestLoan(fx.ctx, fx.outsider, LoanInput{FileID: file, Purpose: "x"})
		refused(t, err, http.StatusNotFound, "file_id")
		_, err = fx.svc.RequestLoan(fx.ctx, fx.outsider, LoanInput{FileNumber: "XD-03-0502", Purpose: "x"})
		refused(t, err, http.StatusNotFound, "file_number")
		_, err = fx.svc.RequestLoan(fx.ctx, fx.agent, LoanInput{FileID: file})
		refused(t, err, http.StatusUnprocessableEntity, "purpose")
		_, err = fx.svc.RequestLoan(fx.ctx, fx.agent, LoanInput{FileID: file, Purpose: "x", Days: 91})
		refused(t, err, http.StatusUnprocessableEntity, "days")
		_, err = fx.svc.RequestLoan(fx.ctx, fx.agent, LoanInput{FileID: file, Purpose: "x", Mode: "copy"})
		refused(t, err, http.StatusUnprocessableEntity, "mode")
		gone := fx.file(t, KindUnit, "XD-03-0503", "customer_affairs")
		fx.exec("UPDATE archive_files SET state = 'destroyed' WHERE id = ?", gone)
		_, err = fx.svc.RequestLoan(fx.ctx, fx.agent, LoanInput{FileID: gone, Purpose: "x"})
		refused(t, err, http.StatusGone, "file_id")

		l := must(fx.svc.RequestLoan(fx.ctx, fx.agent, LoanInput{FileID: file, Purpose: "查阅"}))(t)
		// Seen by the borrower, the approvers and archive readers only.
		_, err = fx.svc.GetLoan(fx.ctx, fx.outsider, l.ID)
		refused(t, err, http.StatusNotFound, "id")
		_, err = fx.svc.GetLoan(fx.ctx, fx.director, l.ID)
		refused(t, err, http.StatusNotFound, "id")
		must(fx.svc.GetLoan(fx.ctx, fx.gmoManager, l.ID))(t)
		page := must(fx.svc.ListLoans(fx.ctx, fx.director, LoanFilter{}))(t)
		if len(page.Items) != 0 {
			t.Fatalf("director sees %d loans", len(page.Items))
		}
		page = must(fx.svc.ListLoans(fx.ctx, fx.archivist, LoanFilter{ToDecide: true}))(t)
		if len(page.Items) != 1 || page.Items[0].ID != l.ID {
			t.Fatalf("to decide = %+v", page.Items)
		}
		page = must(fx.svc.ListLoans(fx.ctx, fx.deptArchivist, LoanFilter{ToDecide: true}))(t)
		if len(page.Items) != 0 {
			t.Fatalf("dept archivist to decide = %+v", page.Items)
		}
		page = must(fx.svc.ListLoans(fx.ctx, fx.agent, LoanFilter{Mine: true}))(t)
		if len(page.Items) != 1 {
			t.Fatalf("mine = %+v", page.Items)
		}
		// The borrower cannot approve, register or chase.
		_, err = fx.svc.DecideLoan(fx.ctx, fx.agent, l.ID, true, "")
		refused(t, err, http.StatusForbidden, "")
		_, err = fx.svc.ChaseLoan(fx.ctx, fx.agent, l.ID, "")
		refused(t, err, http.StatusForbidden, "")
		_, err = fx.svc.ChaseLoan(fx.ctx, fx.archivist, l.ID, "")
		refused(t, err, http.StatusConflict, "state")
		_, err = fx.svc.ReturnLoan(fx.ctx, fx.archivist, l.ID, "")
		refused(t, err, http.StatusConflict, "state")
	})
}

// TestLoanOverdueReminders is ARC-011's example: lent Mon 2026-03-02, due
// 2026-03-10 00:00; not returned → reminders on 03-10 and daily until the
// return; the custodian chases.
func TestLoanOverdueReminders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.svc.RegisterTimers(fx.base.Engine)
		file := fx.file(t, KindUnit, "XD-03-0601", "customer_affairs")
		l := must(fx.svc.RequestLoan(fx.ctx, fx.agent, LoanInput{FileID: file, Purpose: "办理按揭"}))(t)
		must(fx.svc.DecideLoan(fx.ctx, fx.archivist, l.ID, true, ""))(t)
		// The custodian of the holding department registers it.
		l = must(fx.svc.LendLoan(fx.ctx, fx.deptArchivist, l.ID))(t)
		if !l.DueAt.Equal(at(t, "2026-03-10 00:00")) {
			t.Fatalf("due = %v", l.DueAt)
		}
		fx.set("2026-03-09 23:59")
		fx.fire(t)
		l = must(fx.svc.GetLoan(fx.ctx, fx.agent, l.ID))(t)
		if l.Reminders != 0 || l.Overdue {
			t.Fatalf("before due = %+v", l)
		}
		fx.set("2026-03-10 00:00")
		fx.fire(t)
		fx.fire(t)
		l = must(fx.svc.GetLoan(fx.ctx, fx.agent, l.ID))(t)
		if l.Reminders != 1 || len(l.Chases) != 1 || l.Chases[0].Kind != "reminder" || !l.Overdue || l.DaysOverdue != 1 {
			t.Fatalf("03-10 = %+v", l)
		}
		for _, u := range []store.ID{fx.agent.UserID, fx.deptArchivist.UserID} {
			if !slices.Contains(fx.events(t, u), "archive.loan.overdue") {
				t.Fatalf("user %d was not reminded", u)
			}
		}
		timer, ok, err := jobs.Get(fx.ctx, db.Reader(), TimerLoanOverdue, l.ID)
		if err != nil || !ok || !timer.At.Equal(at(t, "2026-03-11 00:00")) {
			t.Fatalf("next reminder = %+v %v %v", timer, ok, err)
		}
		fx.set("2026-03-11 08:00")
		fx.fire(t)
		page := must(fx.svc.ListLoans(fx.ctx, fx.archivist, LoanFilter{Overdue: true}))(t)
		if len(page.Items) != 1 || page.Items[0].Reminders != 2 || page.Items[0].DaysOverdue != 2 {
			t.Fatalf("overdue = %+v", page.Items)
		}
		l = must(fx.svc.ChaseLoan(fx.ctx, fx.archivist, l.ID, "电话催还"))(t)
		if len(l.Chases) != 3 || l.Chases[2].Kind != "chase" || l.Chases[2].By != fx.archivist.UserID || l.Chases[2].Note != "电话催还" {
			t.Fatalf("chases = %+v", l.Chases)
		}
		if !slices.Contains(fx.events(t, fx.agent.UserID), "archive.loan.chased") {
			t.Fatal("the borrower was not chased")
		}
		fx.set("2026-03-11 15:00")
		l = must(fx.svc.ReturnLoan(fx.ctx, fx.deptArchivist, l.ID, "完好"))(t)
		if l.State != LoanReturned || l.ReturnedTo != fx.deptArchivist.UserID || l.Overdue || l.ReturnNote != "完好" {
			t.Fatalf("returned = %+v", l)
		}
		if _, ok, _ := jobs.Get(fx.ctx, db.Reader(), TimerLoanOverdue, l.ID); ok {
			t.Fatal("the reminder timer survived the return")
		}
		fx.set("2026-03-13 09:00")
		fx.fire(t)
		if l = must(fx.svc.GetLoan(fx.ctx, fx.agent, l.ID))(t); l.Reminders != 2 {
			t.Fatalf("reminded after return: %d", l.Reminders)
		}
		// Reminders are evidence: append-only.
		err = db.Tx(fx.ctx, func(tx store.Conn) error {
			_, err := tx.Exec(fx.ctx, "DELETE FROM archive_chases WHERE loan_id = ?", l.ID)
			return err
		})
		if err == nil {
			t.Fatal("a chase was deleted")
		}
	})
}
