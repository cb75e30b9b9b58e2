package archive

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// wantDue compares a due instant with a Beijing wall time.
func wantDue(t *testing.T, h Handover, when string) {
	t.Helper()
	if want := at(t, when); !h.DueAt.Equal(want) {
		t.Fatalf("%s %s due %s, want %s", h.Schedule, h.Period, h.DueAt.In(shanghai), want)
	}
}

// item inserts a filed document of a file by SQL.
func (fx *fixture) item(t testing.TB, file store.ID, category, title string) {
	t.Helper()
	now := store.Micros(fx.clock.Now())
	fx.insert(t, `INSERT INTO archive_items (company_id, file_id, category, title, medium, holder_unit_id, received_at,
		filing_due_at, filed_at, state, created_at) SELECT company_id, id, ?, ?, 'paper', holder_unit_id, ?, ?, ?, 'filed', ?
		FROM archive_files WHERE id = ? RETURNING id`, category, title, now, now, now, now, file)
}

func TestHandoverEventDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := fx.ctx
		fx.set("2026-09-25 10:00")
		// ARC-006: subscription signed Thu 2026-09-24 → due 2026-10-10 00:00.
		h := must(fx.svc.CreateHandover(ctx, fx.archivist, HandoverInput{Schedule: "sales",
			EventOn: calendar.D(2026, 9, 24), EventNote: "认购书 2-1101"}))(t)
		wantDue(t, h, "2026-10-10 00:00")
		if h.Period != "2026-09-24" || h.Number != "YJ-2026-001" || h.State != HandoverPending || h.RuleID != "ARC-006" ||
			h.FromUnitID != fx.dept["sales_team"] || h.ToUnitID != fx.dept["customer_affairs"] || h.Overdue {
			t.Fatalf("sales batch: %+v", h)
		}
		// A second subscription the same day is its own batch.
		h2 := must(fx.svc.CreateHandover(ctx, fx.archivist, HandoverInput{Schedule: "sales",
			EventOn: calendar.D(2026, 9, 24), EventNote: "认购书 2-1102"}))(t)
		if h2.Period != "2026-09-24#2" || h2.Number != "YJ-2026-002" {
			t.Fatalf("second batch: %s %s", h2.Period, h2.Number)
		}
		wantDue(t, h2, "2026-10-10 00:00")
		// ARC-007: centralised move-in finished Tue 2026-06-30 → 2026-07-31 00:00.
		mv := must(fx.svc.CreateHandover(ctx, fx.archivist, HandoverInput{Schedule: "move_in", EventOn: calendar.D(2026, 6, 30)}))(t)
		wantDue(t, mv, "2026-07-31 00:00")
		// ARC-008: case closed Tue 2026-06-30 → 2026-07-31 00:00.
		lit := must(fx.svc.CreateHandover(ctx, fx.archivist, HandoverInput{Schedule: "litigation", EventOn: calendar.D(2026, 6, 30)}))(t)
		wantDue(t, lit, "2026-07-31 00:00")
		if lit.FromUnitID != fx.dept["legal"] || lit.ToUnitID != fx.dept["gmo"] {
			t.Fatalf("litigation units: %+v", lit)
		}

		_, err := fx.svc.CreateHandover(ctx, fx.archivist, HandoverInput{Schedule: "sales"})
		refused(t, err, http.StatusUnprocessableEntity, "event_on")
		_, err = fx.svc.CreateHandover(ctx, fx.archivist, HandoverInput{Schedule: "sales", EventOn: calendar.D(2026, 9, 26)})
		refused(t, err, http.StatusUnprocessableEntity, "event_on")
		_, err = fx.svc.CreateHandover(ctx, fx.archivist, HandoverInput{Schedule: "nope", EventOn: calendar.D(2026, 9, 24)})
		refused(t, err, http.StatusUnprocessableEntity, "schedule")
		_, err = fx.svc.CreateHandover(ctx, fx.archivist, HandoverInput{})
		refused(t, err, http.StatusUnprocessableEntity, "schedule")
		_, err = fx.svc.CreateHandover(ctx, fx.gm, HandoverInput{Schedule: "sales", EventOn: calendar.D(2026, 9, 24)})
		refused(t, err, http.StatusForbidden, "")
		_, err = fx.svc.CreateHandover(ctx, fx.outsider, HandoverInput{CompanyID: fx.company, Schedule: "sales",
			EventOn: calendar.D(2026, 9, 24)})
		refused(t, err, http.StatusNotFound, "company_id")
		_, err = fx.svc.GetHandover(ctx, fx.outsider, h.ID)
		refused(t, err, http.StatusNotFound, "handover")

		// An unbound department: the message says which one to bind.
		fx.exec("DELETE FROM archive_departments WHERE company_id = ? AND dept_key = 'sales_team'", fx.company)
		_, err = fx.svc.CreateHandover(ctx, fx.archivist, HandoverInput{Schedule: "sales", EventOn: calendar.D(2026, 9, 24)})
		refused(t, err, http.StatusUnprocessableEntity, "schedule")
		if !strings.Contains(err.Error(), "sales_team") && !strings.Contains(err.Error(), "项目销售组") {
			t.Fatalf("message does not name the department: %v", err)
		}
	})
}

func TestHandoverPeriodicDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := fx.ctx
		// ARC-009: produced Fri 2026-04-03 → Mon 04-06 is Qingming → end of Tue 04-07.
		fx.set("2026-04-03 15:00")
		h := must(fx.svc.CreateHandover(ctx, fx.archivist, HandoverInput{Schedule: "company_archive"}))(t)
		if h.Period != "2026-04-06" || h.EventOn != (calendar.Date{}) {
			t.Fatalf("weekly batch: %+v", h)
		}
		wantDue(t, h, "2026-04-08 00:00")
		_, err := fx.svc.CreateHandover(ctx, fx.archivist, HandoverInput{Schedule: "company_archive", EventOn: calendar.D(2026, 4, 3)})
		refused(t, err, http.StatusConflict, "period")
		// ARC-007: next quarterly handover due Wed 2026-09-30.
		fx.set("2026-08-10 09:00")
		q := must(fx.svc.CreateHandover(ctx, fx.archivist, HandoverInput{Schedule: "quarterly"}))(t)
		if q.Period != "2026-Q3" {
			t.Fatalf("quarter %s", q.Period)
		}
		wantDue(t, q, "2026-10-01 00:00")
		// ARC-008: CSC H1 2026 due Tue 2026-06-30; H2 31 December.
		c1 := must(fx.svc.CreateHandover(ctx, fx.archivist, HandoverInput{Schedule: "csc", EventOn: calendar.D(2026, 6, 1)}))(t)
		if c1.Period != "2026-H1" {
			t.Fatalf("half-year %s", c1.Period)
		}
		wantDue(t, c1, "2026-07-01 00:00")
		if !c1.Overdue { // pending, due 2026-06-30, now 08-10
			t.Fatal("the H1 batch is overdue")
		}
		c2 := must(fx.svc.CreateHandover(ctx, fx.archivist, HandoverInput{Schedule: "csc"}))(t)
		wantDue(t, c2, "2027-01-01 00:00")
		if c2.Period != "2026-H2" || c2.Overdue {
			t.Fatalf("H2: %+v", c2)
		}
	})
}

func TestHandoverListEnsuresCurrentBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := fx.ctx
		// Mon 2026-03-02 09:00: Monday's company-archive batch, Q1 and H1.
		page := must(fx.svc.ListHandovers(ctx, fx.archivist, HandoverFilter{}))(t)
		periods := func(p HandoverPage) []string {
			var out []string
			for _, h := range p.Items {
				out = append(out, h.Schedule+" "+h.Period)
			}
			return out
		}
		want := []string{"company_archive 2026-03-02", "quarterly 2026-Q1", "csc 2026-H1"}
		if got := periods(page); !slices.Equal(got, want) {
			t.Fatalf("ensured %v, want %v", got, want)
		}
		wantDue(t, page.Items[0], "2026-03-03 00:00")
		// Listing again opens nothing new.
		if got := periods(must(fx.svc.ListHandovers(ctx, fx.deptArchivist, HandoverFilter{}))(t)); !slices.Equal(got, want) {
			t.Fatalf("second list %v", got)
		}
		// Tue 03-03 10:00: Thursday's batch opens; Monday's is overdue.
		fx.set("2026-03-03 10:00")
		page = must(fx.svc.ListHandovers(ctx, fx.archivist, HandoverFilter{}))(t)
		want = []string{"company_archive 2026-03-02", "company_archive 2026-03-05", "quarterly 2026-Q1", "csc 2026-H1"}
		if got := periods(page); !slices.Equal(got, want) {
			t.Fatalf("Tuesday %v, want %v", got, want)
		}
		if !page.Items[0].Overdue || page.Items[1].Overdue {
			t.Fatalf("overdue marks: %v %v", page.Items[0].Overdue, page.Items[1].Overdue)
		}
		over := must(fx.svc.ListHandovers(ctx, fx.archivist, HandoverFilter{Overdue: true}))(t)
		if got := periods(over); !slices.Equal(got, []string{"company_archive 2026-03-02"}) {
			t.Fatalf("overdue list %v", got)
		}
		// Paging keeps the order.
		p1 := must(fx.svc.ListHandovers(ctx, fx.archivist, HandoverFilter{Limit: 2}))(t)
		p2 := must(fx.svc.ListHandovers(ctx, fx.archivist, HandoverFilter{Limit: 2, Cursor: p1.Next}))(t)
		if got := append(periods(p1), periods(p2)...); !slices.Equal(got, want) || p1.Next == "" {
			t.Fatalf("pages %v", got)
		}
		byWeek := must(fx.svc.ListHandovers(ctx, fx.archivist, HandoverFilter{Schedule: "csc"}))(t)
		if len(byWeek.Items) != 1 {
			t.Fatalf("schedule filter %v", periods(byWeek))
		}
		_, err := fx.svc.ListHandovers(ctx, fx.archivist, HandoverFilter{State: "lost"})
		refused(t, err, http.StatusUnprocessableEntity, "state")
		_, err = fx.svc.ListHandovers(ctx, fx.agent, HandoverFilter{})
		refused(t, err, http.StatusForbidden, "")
		_, err = fx.svc.ListHandovers(ctx, fx.outsider, HandoverFilter{CompanyID: fx.company})
		refused(t, err, http.StatusNotFound, "company_id")
	})
}

func TestHandoverFilesSubmitReceive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := fx.ctx
		team := fx.user(fx.units["sales_team"], "", auth.RoleArchivist)
		fx.set("2026-09-24 16:00")
		f1 := fx.file(t, KindUnit, "XD-02-1101", "sales_team")
		fx.item(t, f1, "3.1", "认购书（2-1101）")
		fx.item(t, f1, "3.1", "排号协议")
		fx.item(t, f1, "3.2", "客户身份证明") // another category: does not count for 3.1
		f2 := fx.file(t, KindUnit, "XD-02-1102", "sales_team")
		held := fx.file(t, KindUnit, "XD-02-1103", "csc")
		h := must(fx.svc.CreateHandover(ctx, team, HandoverInput{Schedule: "sales", EventOn: calendar.D(2026, 9, 24)}))(t)

		_, err := fx.svc.SubmitHandover(ctx, team, h.ID, "")
		refused(t, err, http.StatusUnprocessableEntity, "file_ids")
		_, err = fx.svc.AddHandoverFiles(ctx, team, h.ID, []store.ID{f1, held}, true)
		refused(t, err, http.StatusUnprocessableEntity, "file_ids[1]")
		now := store.Micros(fx.clock.Now())
		foreign := fx.insert(t, `INSERT INTO archive_files (company_id, number, kind, title, sort_key, level, holder_unit_id,
			created_at, updated_at) VALUES (?, 'YZ-01', 'unit', 'x', 'x', 'C', ?, ?, ?) RETURNING id`, fx.other.ID, fx.other.ID, now, now)
		_, err = fx.svc.AddHandoverFiles(ctx, team, h.ID, []store.ID{foreign}, true)
		refused(t, err, http.StatusUnprocessableEntity, "file_ids[0]")
		_, err = fx.svc.AddHandoverFiles(ctx, team, h.ID, []store.ID{99999}, true)
		refused(t, err, http.StatusUnprocessableEntity, "file_ids[0]")
		_, err = fx.svc.AddHandoverFiles(ctx, fx.agent, h.ID, []store.ID{f1}, true)
		refused(t, err, http.StatusForbidden, "")

		h = must(fx.svc.AddHandoverFiles(ctx, team, h.ID, []store.ID{f1, f2}, true))(t)
		if len(h.Files) != 2 {
			t.Fatalf("files %+v", h.Files)
		}
		// ARC-003: the 3.1 checklist is 排号协议, 认购书, 客户身份证明, 销售变更审批资料.
		if got := h.Files[0].Missing; !slices.Equal(got, []string{"3.1 客户身份证明", "3.1 销售变更审批资料"}) || !h.Files[0].CopyKept {
			t.Fatalf("missing of %s: %v", h.Files[0].Number, got)
		}
		if got := h.Files[1].Missing; len(got) != 4 {
			t.Fatalf("missing of an empty file: %v", got)
		}

		_, err = fx.svc.SubmitHandover(ctx, fx.deptArchivist, h.ID, "")
		refused(t, err, http.StatusForbidden, "")
		_, err = fx.svc.ReceiveHandover(ctx, fx.deptArchivist, h.ID, "")
		refused(t, err, http.StatusConflict, "state")
		h = must(fx.svc.SubmitHandover(ctx, team, h.ID, "留复印件"))(t)
		if h.State != HandoverSubmitted || h.Overdue || h.SubmittedBy != team.UserID {
			t.Fatalf("submitted: %+v", h)
		}
		_, err = fx.svc.AddHandoverFiles(ctx, team, h.ID, []store.ID{f1}, false)
		refused(t, err, http.StatusConflict, "state")
		_, err = fx.svc.ReceiveHandover(ctx, team, h.ID, "")
		refused(t, err, http.StatusForbidden, "")
		fx.set("2026-09-25 09:00")
		h = must(fx.svc.ReceiveHandover(ctx, fx.deptArchivist, h.ID, "已核对"))(t)
		if h.State != HandoverReceived || h.ReceivedBy != fx.deptArchivist.UserID {
			t.Fatalf("received: %+v", h)
		}
		// ARC-004: custody moved to Customer Affairs, documents too.
		var holder, items int64
		if err := db.Reader().QueryRow(ctx, `SELECT holder_unit_id, (SELECT COUNT(*) FROM archive_items WHERE file_id = ? AND holder_unit_id = ?)
			FROM archive_files WHERE id = ?`, f1, fx.dept["customer_affairs"], f1).Scan(&holder, &items); err != nil {
			t.Fatal(err)
		}
		if store.ID(holder) != fx.dept["customer_affairs"] || items != 3 {
			t.Fatalf("holder %d, items moved %d", holder, items)
		}
		var changes string
		if err := db.Reader().QueryRow(ctx, `SELECT changes FROM audit_log WHERE action = 'archive.handover.receive' AND object_id = ?`,
			h.ID.String()).Scan(&changes); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(changes, "XD-02-1101") || !strings.Contains(changes, "XD-02-1102") {
			t.Fatalf("audit %s", changes)
		}
		_, err = fx.svc.ReceiveHandover(ctx, fx.deptArchivist, h.ID, "")
		refused(t, err, http.StatusConflict, "state")
		// The receiving custodian was told of the submission.
		var told int64
		if err := db.Reader().QueryRow(ctx, "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND event = 'archive.handover.submitted'",
			fx.deptArchivist.UserID).Scan(&told); err != nil {
			t.Fatal(err)
		}
		if told != 1 {
			t.Fatalf("custodian told %d times", told)
		}
	})
}

func TestHandoverSubmittedLateStaysOverdue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := fx.ctx
		fx.set("2026-04-03 15:00")
		office := fx.user(fx.units["sales_office"], "", auth.RoleArchivist)
		f := fx.file(t, KindUnit, "XD-01-0101", "sales_office")
		h := must(fx.svc.CreateHandover(ctx, office, HandoverInput{Schedule: "company_archive", FileIDs: []store.ID{f}}))(t)
		if len(h.Files) != 1 {
			t.Fatalf("files on create: %+v", h.Files)
		}
		// Due at the end of Tue 04-07; submitted Wed 04-08 10:00.
		fx.set("2026-04-08 10:00")
		if h = must(fx.svc.GetHandover(ctx, office, h.ID))(t); !h.Overdue {
			t.Fatal("pending after due is overdue")
		}
		h = must(fx.svc.SubmitHandover(ctx, office, h.ID, ""))(t)
		if !h.Overdue || h.SubmittedAt.Before(h.DueAt) {
			t.Fatalf("a late submission stays overdue: %+v", h)
		}
		h = must(fx.svc.ReceiveHandover(ctx, fx.admin, h.ID, ""))(t)
		if !h.Overdue || h.State != HandoverReceived {
			t.Fatalf("received late batch: %+v", h)
		}
		over := must(fx.svc.ListHandovers(ctx, fx.archivist, HandoverFilter{Overdue: true, Schedule: "company_archive"}))(t)
		if len(over.Items) != 1 || over.Items[0].ID != h.ID {
			t.Fatalf("overdue list %+v", over.Items)
		}
	})
}
