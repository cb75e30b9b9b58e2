package archive

import (
	"net/http"
	"testing"

	"kefu/internal/calendar"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestSameDayFilingClock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		li := fx.customer(t, "李明")
		f := fx.unitFile(t, li, 0, "3", "0501")
		// ARC-009: received Fri 2026-04-03 15:00 → filed by 24:00 that day.
		fx.set("2026-04-03 15:00")
		it := must(fx.svc.CheckIn(fx.ctx, fx.deptArchivist, ItemInput{Category: "3.1", Title: "认购书", Medium: "paper",
			Pages: 3, ReceivedFrom: "售楼处"}))(t)
		if !it.FilingDueAt.Equal(at(t, "2026-04-04 00:00")) || it.State != "received" || it.FileID != 0 || it.Overdue ||
			it.HolderUnitID != fx.dept["customer_affairs"] {
			t.Fatalf("item = %+v", it)
		}
		tray := must(fx.svc.Tray(fx.ctx, fx.archivist, 0))(t)
		if len(tray) != 1 || tray[0].Overdue {
			t.Fatalf("tray = %+v", tray)
		}
		fx.set("2026-04-04 10:00")
		tray = must(fx.svc.Tray(fx.ctx, fx.archivist, 0))(t)
		if len(tray) != 1 || !tray[0].Overdue {
			t.Fatalf("tray on Saturday = %+v", tray)
		}
		filed := must(fx.svc.FileItem(fx.ctx, fx.archivist, it.ID, f.ID))(t)
		if filed.State != "filed" || !filed.FiledLate || filed.FileID != f.ID || filed.VolumeID == 0 ||
			filed.HolderUnitID != fx.dept["gmo"] || filed.FileNumber != "XD-03-0501" {
			t.Fatalf("filed = %+v", filed)
		}
		_, err := fx.svc.FileItem(fx.ctx, fx.archivist, it.ID, f.ID)
		refused(t, err, http.StatusConflict, "state")
		if tray = must(fx.svc.Tray(fx.ctx, fx.archivist, 0))(t); len(tray) != 0 {
			t.Fatalf("tray after filing = %+v", tray)
		}
		// Filed with its file at once: on time.
		now := must(fx.svc.CheckIn(fx.ctx, fx.archivist, ItemInput{FileID: f.ID, Category: "3.1", Title: "排号协议",
			Medium: "electronic"}))(t)
		if now.State != "filed" || now.FiledLate || now.VolumeID != filed.VolumeID {
			t.Fatalf("checked in with the file = %+v", now)
		}
	})
}

func TestCheckInRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		f := fx.file(t, KindUnit, "XD-03-0501", "gmo")
		in := ItemInput{FileID: f, Category: "3.2", Title: "买卖合同", Medium: "paper"}
		bad := func(mod func(*ItemInput), status int, field string) {
			t.Helper()
			x := in
			mod(&x)
			_, err := fx.svc.CheckIn(fx.ctx, fx.archivist, x)
			refused(t, err, status, field)
		}
		bad(func(x *ItemInput) { x.Category = "9.9" }, http.StatusUnprocessableEntity, "category")
		bad(func(x *ItemInput) { x.Medium = "fax" }, http.StatusUnprocessableEntity, "medium")
		bad(func(x *ItemInput) { x.Title = " " }, http.StatusUnprocessableEntity, "title")
		bad(func(x *ItemInput) { x.Pages = -1 }, http.StatusUnprocessableEntity, "pages")
		bad(func(x *ItemInput) { x.ReceivedAt = at(t, "2026-03-02 09:01") }, http.StatusUnprocessableEntity, "received_at")
		bad(func(x *ItemInput) { x.DocumentID = 999 }, http.StatusUnprocessableEntity, "document_id")
		bad(func(x *ItemInput) { x.FileID = 999 }, http.StatusNotFound, "file_id")
		_, err := fx.svc.CheckIn(fx.ctx, fx.agent, in)
		refused(t, err, http.StatusForbidden, "")
		_, err = fx.svc.CheckIn(fx.ctx, fx.outsider, in)
		refused(t, err, http.StatusNotFound, "file_id")
		var n int64
		if err := db.Reader().QueryRow(fx.ctx, "SELECT count(*) FROM archive_items").Scan(&n); err != nil || n != 0 {
			t.Fatalf("items = %d, %v", n, err)
		}
		fx.exec("UPDATE archive_files SET state = 'destroyed' WHERE id = ?", f)
		_, err = fx.svc.CheckIn(fx.ctx, fx.archivist, in)
		refused(t, err, http.StatusGone, "file_id")
	})
}

func TestArchiveVolume(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		li := fx.customer(t, "李明")
		f := fx.unitFile(t, li, 0, "3", "0501")
		fx.set("2026-03-10 10:00")
		it := must(fx.svc.CheckIn(fx.ctx, fx.archivist, ItemInput{FileID: f.ID, Category: "3.2", Title: "商品房买卖合同",
			Medium: "paper", Pages: 20}))(t)
		fx.set("2026-03-16 09:00")
		_, err := fx.svc.ArchiveVolume(fx.ctx, fx.archivist, it.VolumeID, calendar.D(2026, 3, 17))
		refused(t, err, http.StatusUnprocessableEntity, "archived_on")
		_, err = fx.svc.ArchiveVolume(fx.ctx, fx.archivist, it.VolumeID, calendar.D(2026, 3, 9))
		refused(t, err, http.StatusUnprocessableEntity, "archived_on")
		_, err = fx.svc.ArchiveVolume(fx.ctx, fx.gm, it.VolumeID, calendar.D(2026, 3, 15))
		refused(t, err, http.StatusForbidden, "")
		// ARC-014: archived 2026-03-15, 10 years → may be destroyed from 2036-03-16.
		v := must(fx.svc.ArchiveVolume(fx.ctx, fx.archivist, it.VolumeID, calendar.D(2026, 3, 15)))(t)
		if v.State != "archived" || v.ArchivedOn != calendar.D(2026, 3, 15) || v.EligibleOn != calendar.D(2036, 3, 16) ||
			v.Number != "XD-03-0501-3.2" || v.Pages != 20 {
			t.Fatalf("volume = %+v", v)
		}
		_, err = fx.svc.ArchiveVolume(fx.ctx, fx.archivist, it.VolumeID, calendar.Date{})
		refused(t, err, http.StatusConflict, "state")
		// An archived volume is closed.
		_, err = fx.svc.CheckIn(fx.ctx, fx.archivist, ItemInput{FileID: f.ID, Category: "3.2", Title: "补充协议", Medium: "paper"})
		refused(t, err, http.StatusConflict, "volume")
		// An empty volume cannot be archived.
		empty := fx.volume(t, f.ID, "3.3", "open", "", 10)
		_, err = fx.svc.ArchiveVolume(fx.ctx, fx.archivist, empty, calendar.Date{})
		refused(t, err, http.StatusUnprocessableEntity, "items")
		var n int64
		if err := db.Reader().QueryRow(fx.ctx, "SELECT count(*) FROM audit_log WHERE action = 'archive.volume.archive'").
			Scan(&n); err != nil || n != 1 {
			t.Fatalf("archive audits = %d, %v", n, err)
		}
	})
}
