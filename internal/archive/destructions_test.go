package archive

import (
	"net/http"
	"strings"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/document"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestDestructionExample is ARC-014/ARC-015's example: customer archives
// filed 2026-03-15 become eligible from 2036-03-16; the list is reviewed by
// the holding department's head on 03-20, approved by the GM on 03-25 and
// executed on 2036-04-02 into record D-2036-01; a hold placed after the
// approval stops the execution until it is released.
func TestDestructionExample(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		a := fx.file(t, KindUnit, "XD-03-0501", "customer_affairs")
		b := fx.file(t, KindUnit, "XD-03-0502", "customer_affairs")
		c := fx.file(t, KindUnit, "XD-03-0503", "customer_affairs")
		a31 := fx.volume(t, a, "3.1", "archived", "2026-03-15", 10)
		a32 := fx.volume(t, a, "3.2", "archived", "2026-03-15", 10)
		b31 := fx.volume(t, b, "3.1", "archived", "2026-03-15", 10)
		b32 := fx.volume(t, b, "3.2", "open", "", 10)
		c31 := fx.volume(t, c, "3.1", "archived", "2026-04-01", 10)
		fx.volume(t, c, "3.7", "archived", "2026-04-01", 0)
		now := store.Micros(fx.clock.Now())
		item := fx.insert(t, `INSERT INTO archive_items (company_id, file_id, volume_id, category, title, medium, pages,
			holder_unit_id, received_at, filing_due_at, filed_at, state, created_at)
			VALUES (?, ?, ?, '3.1', '认购书', 'paper', 4, ?, ?, ?, ?, 'filed', ?) RETURNING id`,
			fx.company, a, a31, fx.dept["customer_affairs"], now, now, now, now)
		// Its electronic copy (a scan stored by the document service).
		scan := must(fx.docs.Upload(fx.ctx, fx.archivist, document.CreateInput{OwnerType: "archive_file", OwnerID: a,
			Category: "other"}, "认购书.pdf", strings.NewReader("%PDF-1.4\n%%EOF\n")))(t)
		fx.exec("UPDATE archive_items SET document_id = ? WHERE id = ?", scan.ID, item)

		fx.set("2036-03-15 12:00")
		vols, _ := must2(fx.svc.EligibleVolumes(fx.ctx, fx.archivist, 0, 0, ""))(t)
		if len(vols) != 0 {
			t.Fatalf("eligible on 03-15: %+v", vols)
		}
		fx.set("2036-03-16 09:00")
		vols, next := must2(fx.svc.EligibleVolumes(fx.ctx, fx.archivist, 0, 2, ""))(t)
		if len(vols) != 2 || vols[0].ID != a31 || vols[1].ID != a32 || next == "" ||
			vols[0].EligibleOn != (calendar.Date{Year: 2036, Month: 3, Day: 16}) {
			t.Fatalf("eligible page 1 = %+v next %q", vols, next)
		}
		vols, next = must2(fx.svc.EligibleVolumes(fx.ctx, fx.archivist, 0, 2, next))(t)
		if len(vols) != 1 || vols[0].ID != b31 || next != "" {
			t.Fatalf("eligible page 2 = %+v next %q", vols, next)
		}
		_, err := fx.svc.CreateDestruction(fx.ctx, fx.archivist, DestructionInput{VolumeIDs: []store.ID{a31, c31}})
		refused(t, err, http.StatusUnprocessableEntity, "volume_ids[1]")
		_, err = fx.svc.CreateDestruction(fx.ctx, fx.archivist, DestructionInput{VolumeIDs: []store.ID{b32}})
		refused(t, err, http.StatusUnprocessableEntity, "volume_ids[0]")
		_, err = fx.svc.CreateDestruction(fx.ctx, fx.archivist, DestructionInput{VolumeIDs: []store.ID{a31, a31}})
		refused(t, err, http.StatusUnprocessableEntity, "volume_ids[1]")
		_, err = fx.svc.CreateDestruction(fx.ctx, fx.archivist, DestructionInput{})
		refused(t, err, http.StatusUnprocessableEntity, "volume_ids")
		_, err = fx.svc.CreateDestruction(fx.ctx, fx.agent, DestructionInput{VolumeIDs: []store.ID{a31}})
		refused(t, err, http.StatusForbidden, "")
		_, err = fx.svc.CreateDestruction(fx.ctx, fx.outsider, DestructionInput{VolumeIDs: []store.ID{a31}})
		refused(t, err, http.StatusUnprocessableEntity, "volume_ids[0]")

		d := must(fx.svc.CreateDestruction(fx.ctx, fx.archivist, DestructionInput{VolumeIDs: []store.ID{a31, a32, b31},
			Note: "保管期限届满"}))(t)
		if d.Number != "D-2036-01" || d.State != DestructionPending || len(d.Volumes) != 3 || len(d.Steps) != 2 ||
			d.Steps[0].State != "current" || d.Volumes[0].Pages != 4 {
			t.Fatalf("list = %+v", d)
		}
		_, err = fx.svc.CreateDestruction(fx.ctx, fx.archivist, DestructionInput{VolumeIDs: []store.ID{b31}})
		refused(t, err, http.StatusUnprocessableEntity, "volume_ids[0]")
		if vols, _ = must2(fx.svc.EligibleVolumes(fx.ctx, fx.archivist, 0, 0, ""))(t); len(vols) != 0 {
			t.Fatalf("listed volumes still offered: %+v", vols)
		}
		_, err = fx.svc.GetDestruction(fx.ctx, fx.outsider, d.ID)
		refused(t, err, http.StatusNotFound, "id")
		_, err = fx.svc.ExecuteDestruction(fx.ctx, fx.archivist, d.ID, ExecuteInput{Method: "粉碎"})
		refused(t, err, http.StatusConflict, "state")

		// Head review: a manager of the holding department; the GM cannot
		// review, the archivist cannot approve at all.
		caHead := fx.user(fx.units["customer_affairs"], "总经理", auth.RoleManager)
		_, err = fx.svc.DecideDestruction(fx.ctx, fx.archivist, d.ID, true, "")
		refused(t, err, http.StatusForbidden, "")
		_, err = fx.svc.DecideDestruction(fx.ctx, fx.gm, d.ID, true, "")
		refused(t, err, http.StatusForbidden, "")
		_, err = fx.svc.DecideDestruction(fx.ctx, fx.legalManager, d.ID, true, "")
		refused(t, err, http.StatusForbidden, "")
		fx.set("2036-03-20 10:00")
		d = must(fx.svc.DecideDestruction(fx.ctx, caHead, d.ID, true, "审核同意"))(t)
		if d.State != DestructionPending || d.Steps[0].State != "approved" || d.Steps[1].State != "current" {
			t.Fatalf("reviewed = %+v", d.Steps)
		}
		// The same person never decides two steps of one list.
		_, err = fx.svc.DecideDestruction(fx.ctx, caHead, d.ID, true, "")
		refused(t, err, http.StatusForbidden, "")
		fx.set("2036-03-25 10:00")
		d = must(fx.svc.DecideDestruction(fx.ctx, fx.gm, d.ID, true, "批准销毁"))(t)
		if d.State != DestructionApproved || !d.ApprovedAt.Equal(at(t, "2036-03-25 10:00")) {
			t.Fatalf("approved = %+v", d)
		}

		// A hold placed after the approval stops the execution (ARC-015).
		fx.set("2036-03-28 10:00")
		must(fx.svc.SetHold(fx.ctx, fx.gmoManager, b, true, "诉讼保全"))(t)
		sum := must(fx.svc.Retention(fx.ctx, fx.archivist, 0))(t)
		if sum.OnList != 3 || sum.Eligible != 0 || sum.Open != 1 || sum.Archived != 5 || sum.Permanent != 1 {
			t.Fatalf("retention = %+v", sum)
		}
		fx.set("2036-04-02 15:00")
		_, err = fx.svc.ExecuteDestruction(fx.ctx, fx.archivist, d.ID, ExecuteInput{Method: "粉碎"})
		refused(t, err, http.StatusConflict, "volumes[2]")
		var destroyed int
		if err := db.Reader().QueryRow(fx.ctx, "SELECT count(*) FROM archive_volumes WHERE state = 'destroyed'").Scan(&destroyed); err != nil || destroyed != 0 {
			t.Fatalf("destroyed under hold: %d %v", destroyed, err)
		}
		must(fx.svc.SetHold(fx.ctx, fx.gmoManager, b, false, "结案"))(t)
		_, err = fx.svc.ExecuteDestruction(fx.ctx, fx.archivist, d.ID, ExecuteInput{})
		refused(t, err, http.StatusUnprocessableEntity, "method")
		_, err = fx.svc.ExecuteDestruction(fx.ctx, fx.archivist, d.ID, ExecuteInput{Method: "粉碎",
			ExecutedOn: calendar.Date{Year: 2036, Month: 4, Day: 3}})
		refused(t, err, http.StatusUnprocessableEntity, "executed_on")
		_, err = fx.svc.ExecuteDestruction(fx.ctx, fx.archivist, d.ID, ExecuteInput{Method: "粉碎",
			ExecutedOn: calendar.Date{Year: 2036, Month: 3, Day: 24}})
		refused(t, err, http.StatusUnprocessableEntity, "executed_on")
		_, err = fx.svc.ExecuteDestruction(fx.ctx, fx.gm, d.ID, ExecuteInput{Method: "粉碎"})
		refused(t, err, http.StatusForbidden, "")
		d = must(fx.svc.ExecuteDestruction(fx.ctx, fx.archivist, d.ID, ExecuteInput{Method: "碎纸机粉碎", Witness: "王监销"}))(t)
		if d.State != DestructionExecuted || !d.ExecutedAt.Equal(at(t, "2036-04-02 15:00")) || d.ExecutedBy != fx.archivist.UserID ||
			d.Executor == "" || d.Method != "碎纸机粉碎" || d.Witness != "王监销" || len(d.Approvals) != 2 || len(d.Volumes) != 3 {
			t.Fatalf("record = %+v", d)
		}
		state := func(q string, id store.ID) string {
			var s string
			if err := db.Reader().QueryRow(fx.ctx, q, id).Scan(&s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		if s := state("SELECT state FROM archive_files WHERE id = ?", a); s != "destroyed" {
			t.Fatalf("file a = %s", s)
		}
		if s := state("SELECT state FROM archive_files WHERE id = ?", b); s != "active" { // its 3.2 volume is still open
			t.Fatalf("file b = %s", s)
		}
		if s := state("SELECT state FROM archive_items WHERE id = ?", item); s != "destroyed" {
			t.Fatalf("item = %s", s)
		}
		// The electronic copy went with it: nobody downloads it any more.
		if _, _, err := fx.docs.Open(fx.ctx, fx.admin, scan.ID); err == nil {
			t.Fatal("the scan of a destroyed volume still opens")
		}
		_, err = fx.svc.ExecuteDestruction(fx.ctx, fx.archivist, d.ID, ExecuteInput{Method: "粉碎"})
		refused(t, err, http.StatusConflict, "state")
		// The record is kept permanently, on both databases.
		for _, q := range []string{"UPDATE archive_destructions SET method = 'x' WHERE id = ?",
			"DELETE FROM archive_destructions WHERE id = ?"} {
			err = db.Tx(fx.ctx, func(tx store.Conn) error {
				_, err := tx.Exec(fx.ctx, q, d.ID)
				return err
			})
			if err == nil {
				t.Fatalf("%s succeeded", q)
			}
		}
		sum = must(fx.svc.Retention(fx.ctx, fx.archivist, 0))(t)
		if sum.Destroyed != 3 || sum.OnList != 0 || sum.Archived != 2 || sum.Permanent != 1 || sum.Open != 1 ||
			len(sum.Upcoming) != 8 || sum.Upcoming[0].Period != "2036-Q2" || sum.Eligible != 1 { // c's 3.1 is eligible from 2036-04-02
			t.Fatalf("retention after = %+v", sum)
		}
		page := must(fx.svc.ListDestructions(fx.ctx, fx.archivist, 0, DestructionExecuted, 0, ""))(t)
		if len(page.Items) != 1 || page.Items[0].Number != "D-2036-01" {
			t.Fatalf("records = %+v", page)
		}
		var audits int
		if err := db.Reader().QueryRow(fx.ctx, `SELECT count(*) FROM audit_log WHERE object_type = 'archive_destruction'
			AND action = 'archive.destruction.execute'`).Scan(&audits); err != nil || audits != 1 {
			t.Fatalf("audits = %d %v", audits, err)
		}
	})
}

func TestRetentionDashboard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		f := fx.file(t, KindGeneral, "DA-2026-0001", "gmo")
		// Survey records of a survey closed 2026-07-20 (ARC-014).
		fx.volume(t, f, "survey_forms", "archived", "2026-07-20", 2)
		fx.volume(t, f, "survey_plan", "archived", "2026-07-20", 1)
		fx.volume(t, f, "survey_report", "archived", "2026-07-20", 2)
		fx.volume(t, f, "3.9", "open", "", 10)
		held := fx.file(t, KindGeneral, "DA-2026-0002", "gmo")
		fx.volume(t, held, "survey_forms", "archived", "2025-03-01", 1)
		fx.exec("UPDATE archive_files SET on_hold = 1 WHERE id = ?", held)
		fx.set("2026-09-01 09:00")
		sum := must(fx.svc.Retention(fx.ctx, fx.archivist, fx.company))(t)
		if sum.Archived != 4 || sum.Open != 1 || sum.OnHold != 1 || sum.Eligible != 0 || len(sum.Upcoming) != 8 {
			t.Fatalf("summary = %+v", sum)
		}
		// The plan from 2027-07-21 (2027-Q3); forms and report from
		// 2028-07-21, after the eight quarters: counted in 2028.
		want := map[string]int{"2027-Q3": 1}
		for _, b := range sum.Upcoming {
			if b.Count != want[b.Period] {
				t.Fatalf("upcoming %s = %d: %+v", b.Period, b.Count, sum.Upcoming)
			}
		}
		if sum.Upcoming[0].Period != "2026-Q3" || sum.Upcoming[7].Period != "2028-Q2" {
			t.Fatalf("periods = %+v", sum.Upcoming)
		}
		if len(sum.Later) != 1 || sum.Later[0].Period != "2028" || sum.Later[0].Count != 2 {
			t.Fatalf("later = %+v", sum.Later)
		}
		_, err := fx.svc.Retention(fx.ctx, fx.agent, fx.company)
		refused(t, err, http.StatusForbidden, "")
		_, err = fx.svc.Retention(fx.ctx, fx.outsider, fx.company)
		refused(t, err, http.StatusNotFound, "company_id")
	})
}

// must2 is must for two results.
func must2[A, B any](a A, b B, err error) func(testing.TB) (A, B) {
	return func(t testing.TB) (A, B) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}
}
