package sales

import (
	"net/http"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// audits counts the audit records of an action by the actor.
func (fx *fixture) audits(who *auth.Principal, action string) int {
	fx.t.Helper()
	var n int
	if err := fx.db.Reader().QueryRow(fx.ctx, `SELECT COUNT(*) FROM audit_log WHERE actor_id = ? AND action = ?`,
		who.UserID, action).Scan(&n); err != nil {
		fx.t.Fatal(err)
	}
	return n
}

// TestRegisterSAL006Late: a reception on Sat 2026-05-09 16:00 is due by
// the end of that day; registered Sun 10:00 it is late, and waits for the
// Project Manager's verification.
func TestRegisterSAL006Late(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.set("2026-05-09 16:00")
		r := fx.receive(ReceptionRotation, nil)
		if r.AgentID != fx.a.UserID || !r.RegistrationDue.Equal(at(t, "2026-05-10 00:00")) {
			t.Fatalf("reception %+v: want A, due 2026-05-10 00:00", r)
		}
		fx.set("2026-05-10 10:00")
		bad := RegistrationInput{UnitID: fx.unit, ReceptionID: r.ID, EmployerAddress: "滨江路1号"}
		_, err := fx.svc.Register(fx.ctx, fx.a, bad)
		refused(t, err, http.StatusUnprocessableEntity, "customer_name")
		bad.CustomerName, bad.InfoSource = "王建国", "tv"
		_, err = fx.svc.Register(fx.ctx, fx.a, bad)
		refused(t, err, http.StatusUnprocessableEntity, "info_source")
		bad.InfoSource, bad.Book = "online", BookLeasing
		_, err = fx.svc.Register(fx.ctx, fx.a, bad)
		refused(t, err, http.StatusUnprocessableEntity, "book")
		bad.Book = ""
		_, err = fx.svc.Register(fx.ctx, fx.b, bad)
		refused(t, err, http.StatusUnprocessableEntity, "reception_id")
		_, err = fx.svc.Register(fx.ctx, fx.b, RegistrationInput{UnitID: fx.unit, AgentID: fx.a.UserID, CustomerName: "x"})
		refused(t, err, http.StatusForbidden, "")

		e := fx.register(fx.a, r.ID, "王建国", "138 0013 8000")
		if !e.Late || !e.DueAt.Equal(at(t, "2026-05-10 00:00")) || e.ReceivedOn.String() != "2026-05-09" ||
			e.Book != BookVisit || e.Kind != EntryVisit || e.AgentID != fx.a.UserID || !e.VerifiedAt.IsZero() {
			t.Fatalf("entry %+v: want late, due Sat midnight, received Sat, unverified", e)
		}
		if got := must(fx.svc.GetReception(fx.ctx, fx.a, r.ID))(t); got.RegistrationID != e.ID {
			t.Fatalf("reception's entry %d, want %d", got.RegistrationID, e.ID)
		}
		_, err = fx.svc.Register(fx.ctx, fx.a, RegistrationInput{UnitID: fx.unit, ReceptionID: r.ID, CustomerName: "王建国"})
		refused(t, err, http.StatusConflict, "reception_id")

		// The same day is in time.
		r2 := fx.receive(ReceptionRotation, nil)
		fx.set("2026-05-10 23:59")
		if e2 := fx.register(fx.b, r2.ID, "李", ""); e2.Late || e2.ReceivedOn.String() != "2026-05-10" {
			t.Fatalf("same-day entry %+v", e2)
		}

		unverified := must2(fx.svc.Registrations(fx.ctx, fx.pm, RegistrationFilter{UnitID: fx.unit, Unverified: true}))(t)
		if len(unverified) != 2 {
			t.Fatalf("unverified %d, want 2", len(unverified))
		}
		_, err = fx.svc.Verify(fx.ctx, fx.sm, e.ID, "")
		refused(t, err, http.StatusForbidden, "")
		v := must(fx.svc.Verify(fx.ctx, fx.pm, e.ID, "已核对来访登记表"))(t)
		if v.VerifiedAt.IsZero() || v.VerifiedBy != fx.pm.Username {
			t.Fatalf("verified %+v", v)
		}
		_, err = fx.svc.Verify(fx.ctx, fx.pm, e.ID, "")
		refused(t, err, http.StatusConflict, "id")
		late := must2(fx.svc.Registrations(fx.ctx, fx.pm, RegistrationFilter{UnitID: fx.unit, Late: true}))(t)
		if len(late) != 1 || late[0].ID != e.ID {
			t.Fatalf("late %+v", late)
		}
	})
}

// must2 is must for the three results of a list.
func must2[T any](v T, _ store.ID, err error) func(*testing.T) T { return must(v, err) }

// TestRegisterCorrectionSEC002: a correction is a new entry referencing
// the old one; the old row cannot be changed.
func TestRegisterCorrectionSEC002(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		r := fx.receive(ReceptionRotation, nil)
		e := fx.register(fx.a, r.ID, "王建国", "13800138000")
		fx.set("2026-05-11 15:00")
		fix := RegistrationInput{UnitID: fx.unit, ReceptionID: r.ID, CustomerName: "王建国", Phone: "13900139000",
			InfoSource: "online", CorrectsID: e.ID}
		_, err := fx.svc.Register(fx.ctx, fx.a, fix)
		refused(t, err, http.StatusUnprocessableEntity, "correction_reason")
		fix.CorrectionReason = "电话笔误，正确为139…"
		_, err = fx.svc.Register(fx.ctx, fx.b, fix)
		refused(t, err, http.StatusForbidden, "")
		c := must(fx.svc.Register(fx.ctx, fx.a, fix))(t)
		if c.CorrectsID != e.ID || c.Phone != "13900139000" || !c.RegisteredAt.Equal(e.RegisteredAt) || c.ID == e.ID {
			t.Fatalf("correction %+v", c)
		}
		_, err = fx.svc.Register(fx.ctx, fx.a, fix)
		refused(t, err, http.StatusConflict, "corrects_id")
		old := must(fx.svc.GetRegistration(fx.ctx, fx.a, e.ID))(t)
		if old.CorrectedByID != c.ID || old.Phone != "13800138000" {
			t.Fatalf("old entry %+v", old)
		}
		hist := must(fx.svc.History(fx.ctx, fx.a, c.ID))(t)
		if len(hist) != 2 || hist[0].ID != e.ID || hist[1].ID != c.ID {
			t.Fatalf("history %+v", hist)
		}
		cur := must2(fx.svc.Registrations(fx.ctx, fx.a, RegistrationFilter{UnitID: fx.unit}))(t)
		all := must2(fx.svc.Registrations(fx.ctx, fx.a, RegistrationFilter{UnitID: fx.unit, History: true}))(t)
		if len(cur) != 1 || cur[0].ID != c.ID || len(all) != 2 {
			t.Fatalf("current %d, with history %d", len(cur), len(all))
		}
		err = db.Tx(fx.ctx, func(tx store.Conn) error {
			_, err := tx.Exec(fx.ctx, `UPDATE sales_registrations SET phone = '13700137000' WHERE id = ?`, e.ID)
			return err
		})
		if err == nil {
			t.Fatal("a register entry was updated")
		}
		err = db.Tx(fx.ctx, func(tx store.Conn) error {
			_, err := tx.Exec(fx.ctx, `DELETE FROM sales_registrations WHERE id = ?`, e.ID)
			return err
		})
		if err == nil {
			t.Fatal("a register entry was deleted")
		}
	})
}

// TestRegisterSEC003Sight: agent B sees only her own entries, the Sales
// Department Manager all of them (audited), the plain Sales Manager is
// refused the book (and the attempt logged).
func TestRegisterSEC003Sight(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ra := fx.receive(ReceptionRotation, nil)
		rb := fx.receive(ReceptionRotation, nil)
		ea := fx.register(fx.a, ra.ID, "王建国", "13800138000")
		eb := fx.register(fx.b, rb.ID, "李四", "13600136000")
		phone := must(fx.svc.Register(fx.ctx, fx.b, RegistrationInput{UnitID: fx.unit, Book: BookPhone,
			CustomerName: "赵六", Phone: "13500135000"}))(t)
		if phone.Kind != EntryPhone || phone.Book != BookPhone {
			t.Fatalf("phone entry %+v", phone)
		}

		mine := must2(fx.svc.Registrations(fx.ctx, fx.b, RegistrationFilter{UnitID: fx.unit}))(t)
		if len(mine) != 2 || mine[0].ID != phone.ID || mine[1].ID != eb.ID {
			t.Fatalf("B sees %+v, want her two entries", mine)
		}
		_, _, err := fx.svc.Registrations(fx.ctx, fx.b, RegistrationFilter{UnitID: fx.unit, AgentID: fx.a.UserID})
		refused(t, err, http.StatusForbidden, "")
		_, err = fx.svc.GetRegistration(fx.ctx, fx.b, ea.ID)
		refused(t, err, http.StatusForbidden, "")

		all := must2(fx.svc.Registrations(fx.ctx, fx.sdm, RegistrationFilter{UnitID: fx.unit}))(t)
		if len(all) != 3 {
			t.Fatalf("the Sales Department Manager sees %d, want 3", len(all))
		}
		visits := must2(fx.svc.Registrations(fx.ctx, fx.sdm, RegistrationFilter{UnitID: fx.unit, Book: BookVisit, Q: "8001"}))(t)
		if len(visits) != 1 || visits[0].ID != ea.ID {
			t.Fatalf("search by phone fragment %+v", visits)
		}
		must(fx.svc.GetRegistration(fx.ctx, fx.sdm, ea.ID))(t)
		if n := fx.audits(fx.sdm, "sales.registration.view"); n != 3 {
			t.Fatalf("the manager's reads audited %d times, want 3", n)
		}
		if n := fx.audits(fx.b, "sales.registration.view"); n != 0 {
			t.Fatalf("B's own reads audited %d times", n)
		}
		if pm := must2(fx.svc.Registrations(fx.ctx, fx.pm, RegistrationFilter{UnitID: fx.unit}))(t); len(pm) != 3 {
			t.Fatalf("the custodian sees %d", len(pm))
		}

		_, _, err = fx.svc.Registrations(fx.ctx, fx.sm, RegistrationFilter{UnitID: fx.unit})
		refused(t, err, http.StatusForbidden, "")
		_, err = fx.svc.GetRegistration(fx.ctx, fx.sm, ea.ID)
		refused(t, err, http.StatusForbidden, "")
		if n := fx.audits(fx.sm, "sales.registration.denied"); n != 2 {
			t.Fatalf("the Sales Manager's attempts logged %d times, want 2", n)
		}
		_, _, err = fx.svc.Registrations(fx.ctx, fx.outside, RegistrationFilter{UnitID: fx.unit})
		refused(t, err, http.StatusNotFound, "unit_id")
	})
}
