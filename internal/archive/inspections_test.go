package archive

import (
	"net/http"
	"testing"

	"kefu/internal/calendar"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestInspectionsFindingsToClosure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := fx.ctx
		// ARC-019: GMO inspection 2026-06-15 finds 4 files missing ID copies.
		fx.set("2026-06-16 10:00")
		var findings []FindingInput
		for _, n := range []string{"XD-02-1101", "XD-02-1102", "XD-02-1103", "XD-02-1104"} {
			findings = append(findings, FindingInput{FileID: fx.file(t, KindUnit, n, "customer_affairs"),
				Finding: "缺身份证复印件", DueOn: calendar.D(2026, 6, 30)})
		}
		in := InspectionInput{UnitID: fx.dept["customer_affairs"], InspectedOn: calendar.D(2026, 6, 15),
			Summary: "总经理办公室半年度档案检查", Findings: findings}
		ins := must(fx.svc.CreateInspection(ctx, fx.archivist, in))(t)
		if len(ins.Findings) != 4 || ins.Findings[0].FileNumber != "XD-02-1101" || ins.Unit != "客户事务组" ||
			ins.InspectorID != fx.archivist.UserID || ins.NextDue != calendar.D(2026, 12, 15) {
			t.Fatalf("inspection %+v", ins)
		}
		// The inspected department's custodian hears of the findings.
		var told int64
		if err := db.Reader().QueryRow(ctx, "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND event = 'archive.inspection.findings'",
			fx.deptArchivist.UserID).Scan(&told); err != nil || told != 1 {
			t.Fatalf("custodian told %d times (%v)", told, err)
		}

		bad := func(mut func(*InspectionInput), status int, field string) {
			t.Helper()
			c := in
			c.Findings = append([]FindingInput(nil), in.Findings...)
			mut(&c)
			_, err := fx.svc.CreateInspection(ctx, fx.archivist, c)
			refused(t, err, status, field)
		}
		bad(func(c *InspectionInput) { c.InspectedOn = calendar.D(2026, 6, 17) }, http.StatusUnprocessableEntity, "inspected_on")
		bad(func(c *InspectionInput) { c.UnitID = fx.other.ID }, http.StatusUnprocessableEntity, "unit_id")
		bad(func(c *InspectionInput) { c.UnitID = 0 }, http.StatusUnprocessableEntity, "unit_id")
		bad(func(c *InspectionInput) { c.Findings[0].DueOn = calendar.D(2026, 6, 14) }, http.StatusUnprocessableEntity, "findings[0].due_on")
		bad(func(c *InspectionInput) { c.Findings[2].Finding = " " }, http.StatusUnprocessableEntity, "findings[2].finding")
		now := store.Micros(fx.clock.Now())
		foreign := fx.insert(t, `INSERT INTO archive_files (company_id, number, kind, title, sort_key, level, holder_unit_id,
			created_at, updated_at) VALUES (?, 'YZ-01', 'unit', 'x', 'x', 'C', ?, ?, ?) RETURNING id`, fx.other.ID, fx.other.ID, now, now)
		bad(func(c *InspectionInput) { c.Findings[1].FileID = foreign }, http.StatusUnprocessableEntity, "findings[1].file_id")

		// A manager (archives:approve) may record one too; an agent may not.
		later := must(fx.svc.CreateInspection(ctx, fx.gmoManager, InspectionInput{UnitID: fx.dept["csc"],
			InspectedOn: calendar.D(2026, 6, 16)}))(t)
		_, err := fx.svc.CreateInspection(ctx, fx.agent, InspectionInput{UnitID: fx.dept["csc"]})
		refused(t, err, http.StatusForbidden, "")

		// 2026-07-01: the findings due 06-30 are overdue; newest first.
		fx.set("2026-07-01 09:00")
		list := must(fx.svc.ListInspections(ctx, fx.archivist, 0))(t)
		if len(list) != 2 || list[0].ID != later.ID || list[1].ID != ins.ID {
			t.Fatalf("list order %+v", list)
		}
		if !list[1].Findings[0].Overdue || list[0].NextDue != calendar.D(2026, 12, 16) {
			t.Fatalf("overdue finding %+v, next %s", list[1].Findings[0], list[0].NextDue)
		}
		id := list[1].Findings[0].ID
		_, err = fx.svc.CloseFinding(ctx, fx.archivist, id, " ")
		refused(t, err, http.StatusUnprocessableEntity, "note")
		_, err = fx.svc.CloseFinding(ctx, fx.outsider, id, "补齐")
		refused(t, err, http.StatusNotFound, "finding")
		_, err = fx.svc.CloseFinding(ctx, fx.gm, id, "补齐")
		refused(t, err, http.StatusForbidden, "")
		f := must(fx.svc.CloseFinding(ctx, fx.deptArchivist, id, "已补齐身份证复印件"))(t)
		if f.ClosedAt.IsZero() || f.Overdue || f.ClosedBy != fx.deptArchivist.UserID {
			t.Fatalf("closed %+v", f)
		}
		_, err = fx.svc.CloseFinding(ctx, fx.archivist, id, "again")
		refused(t, err, http.StatusConflict, "state")
		_, err = fx.svc.ListInspections(ctx, fx.outsider, fx.company)
		refused(t, err, http.StatusNotFound, "company_id")
		_, err = fx.svc.ListInspections(ctx, fx.agent, 0)
		refused(t, err, http.StatusForbidden, "")
	})
}
