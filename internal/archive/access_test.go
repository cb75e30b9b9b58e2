package archive

import (
	"net/http"
	"strconv"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/ticket"
)

// lend inserts a loan of the file to the borrower in the state by SQL.
func (fx *fixture) lend(t *testing.T, file store.ID, borrower *auth.Principal, mode, state string) {
	t.Helper()
	fx.insert(t, `INSERT INTO archive_loans (company_id, number, file_id, borrower_id, purpose, mode, chain, state,
		requested_at, updated_at) VALUES (?, ?, ?, ?, '核对合同', ?, 'central', ?, 1, 1) RETURNING id`,
		fx.company, "JY-T-"+strconv.FormatInt(fixtureSeq.Add(1), 10), file, borrower.UserID, mode, state)
}

func TestContentAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		f := fx.file(t, KindUnit, "XD-03-0501", "gmo")
		must(fx.svc.CheckIn(fx.ctx, fx.archivist, ItemInput{FileID: f, Category: "3.2", Title: "买卖合同", Medium: "paper"}))(t)
		// SEC-009: the GMO's archivist sees the contents.
		got := must(fx.svc.GetFile(fx.ctx, fx.archivist, f))(t)
		if !got.CanViewContents || len(got.Items) != 1 {
			t.Fatalf("archivist: %v, %d items", got.CanViewContents, len(got.Items))
		}
		// Customer Affairs' archivist sees the file but not its contents.
		got = must(fx.svc.GetFile(fx.ctx, fx.deptArchivist, f))(t)
		if got.CanViewContents || got.Items != nil || len(got.Volumes) != 1 {
			t.Fatalf("department archivist: %+v", got)
		}
		if err := fx.svc.DocumentOwner(fx.ctx, fx.deptArchivist, f, false); err == nil {
			t.Fatal("department archivist reads the documents")
		} else {
			refused(t, err, http.StatusForbidden, "")
		}
		// The agent has no archives:read: the file is not found, nor its documents.
		_, err := fx.svc.GetFile(fx.ctx, fx.agent, f)
		refused(t, err, http.StatusNotFound, "id")
		refused(t, fx.svc.DocumentOwner(fx.ctx, fx.agent, f, false), http.StatusNotFound, "owner_id")
		// A loan approved but not lent opens nothing; a loan out does.
		fx.lend(t, f, fx.agent, ModeView, LoanApproved)
		refused(t, fx.svc.DocumentOwner(fx.ctx, fx.agent, f, false), http.StatusNotFound, "owner_id")
		fx.lend(t, f, fx.agent, ModeView, LoanLent)
		if err := fx.svc.DocumentOwner(fx.ctx, fx.agent, f, false); err != nil {
			t.Fatalf("borrower: %v", err)
		}
		// Attaching: archives:write in the holding or central department.
		if err := fx.svc.DocumentOwner(fx.ctx, fx.archivist, f, true); err != nil {
			t.Fatalf("archivist attaches: %v", err)
		}
		refused(t, fx.svc.DocumentOwner(fx.ctx, fx.deptArchivist, f, true), http.StatusForbidden, "")
		refused(t, fx.svc.DocumentOwner(fx.ctx, fx.outsider, f, false), http.StatusNotFound, "owner_id")
		// Every view is audited, and so is every refusal of contents.
		var views, refusals int64
		r := db.Reader()
		if err := r.QueryRow(fx.ctx, "SELECT count(*) FROM audit_log WHERE action = 'archive.file.view'").Scan(&views); err != nil {
			t.Fatal(err)
		}
		if err := r.QueryRow(fx.ctx, "SELECT count(*) FROM audit_log WHERE action = 'archive.file.contents_refused'").
			Scan(&refusals); err != nil {
			t.Fatal(err)
		}
		if views != 2 || refusals != 4 {
			t.Fatalf("views %d, refusals %d", views, refusals)
		}
	})
}

func TestRestrictedLevelAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		f := fx.file(t, KindLitigation, "L-2026-04", "legal")
		fx.exec("UPDATE archive_files SET level = 'B' WHERE id = ?", f)
		clerk := fx.user(fx.units["gmo"], "", auth.RoleArchivist)
		legalClerk := fx.user(fx.units["legal"], "", auth.RoleArchivist)
		cases := []struct {
			who  string
			p    *auth.Principal
			want bool
		}{
			{"GMO custodian", fx.archivist, true},
			{"GMO archivist, not custodian", clerk, false},
			{"legal archivist, not custodian", legalClerk, false},
			{"legal manager (archives:approve)", fx.legalManager, true},
			{"GMO manager", fx.gmoManager, true},
			{"general manager, another unit", fx.gm, false},
			{"admin", fx.admin, true},
		}
		for _, c := range cases {
			got := must(fx.svc.GetFile(fx.ctx, c.p, f))(t)
			if got.CanViewContents != c.want {
				t.Errorf("%s: can view = %v", c.who, got.CanViewContents)
			}
		}
		// The same clerk reads a level-C file of the GMO.
		c := fx.file(t, KindUnit, "XD-03-0501", "gmo")
		if got := must(fx.svc.GetFile(fx.ctx, clerk, c))(t); !got.CanViewContents {
			t.Fatal("GMO archivist cannot read a level-C file")
		}
	})
}

func TestComplaintClosureFilesIntoYearCase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		// ARC-017: closed 2027-01-05, received 2026-12-28 → the 2026 case file.
		fx.set("2027-01-05 16:00")
		closed := at(t, "2027-01-05 16:00")
		tk := ticket.Ticket{ID: 77, Number: "20261228-0003", Category: "complaint", ReceivingUnitID: fx.dept["csc"],
			ReceivedAt: at(t, "2026-12-28 10:00"), ClosedAt: &closed}
		close := func(tk ticket.Ticket) {
			t.Helper()
			if err := db.Tx(fx.ctx, func(tx store.Conn) error { return fx.svc.OnTicketClosed(fx.ctx, tx, tk) }); err != nil {
				t.Fatal(err)
			}
		}
		close(tk)
		close(tk) // reopened and closed again: nothing more
		close(ticket.Ticket{ID: 78, Number: "20261228-0004", Category: "inquiry.general", ReceivingUnitID: fx.dept["csc"],
			ReceivedAt: at(t, "2026-12-28 11:00"), ClosedAt: &closed})
		page := must(fx.svc.ListFiles(fx.ctx, fx.archivist, FileFilter{Kind: KindCaseYear}))(t)
		if len(page.Items) != 1 || page.Items[0].Number != "TS-2026" || page.Items[0].Year != 2026 ||
			page.Items[0].HolderUnitID != fx.dept["gmo"] {
			t.Fatalf("case files = %+v", page.Items)
		}
		tray := must(fx.svc.Tray(fx.ctx, fx.archivist, 0))(t)
		if len(tray) != 1 || tray[0].Title != "投诉材料 20261228-0003" || tray[0].Category != "complaint" ||
			tray[0].FileID != page.Items[0].ID || tray[0].SourceType != "ticket" || tray[0].SourceID != 77 ||
			!tray[0].FilingDueAt.Equal(at(t, "2027-01-06 00:00")) {
			t.Fatalf("tray = %+v", tray)
		}
		// The archivist files it the same day into the case file.
		it := must(fx.svc.FileItem(fx.ctx, fx.archivist, tray[0].ID, 0))(t)
		if it.State != "filed" || it.FiledLate {
			t.Fatalf("filed = %+v", it)
		}
		got := must(fx.svc.GetFile(fx.ctx, fx.archivist, it.FileID))(t)
		if len(got.Volumes) != 1 || got.Volumes[0].Number != "TS-2026-complaint" {
			t.Fatalf("volumes = %+v", got.Volumes)
		}
		// A company without bound departments: the company holds the case file.
		fx.exec("DELETE FROM archive_departments WHERE company_id = ?", fx.company)
		close(ticket.Ticket{ID: 79, Number: "20270105-0001", Category: "complaint", ReceivingUnitID: fx.dept["csc"],
			ReceivedAt: at(t, "2027-01-05 09:00"), ClosedAt: &closed})
		var holder store.ID
		if err := db.Reader().QueryRow(fx.ctx, "SELECT holder_unit_id FROM archive_files WHERE number = 'TS-2027'").
			Scan(&holder); err != nil || holder != fx.company {
			t.Fatalf("TS-2027 holder = %d, %v", holder, err)
		}
	})
}
