package sales

import (
	"net/http"
	"testing"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestRotationSAL002Example plays the example of SAL-002 through the
// service: pointer at B, B receiving her own old customer → skipped with
// a credit; #1 → C; #2 while B is free → B (make-up); #3 → D.
func TestRotationStoreSAL002Example(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		first := fx.receive(ReceptionRotation, nil)
		if first.AgentID != fx.a.UserID || !first.UsesSlot || !first.ViaRotation {
			t.Fatalf("first customer: %+v, want A on a slot", first)
		}
		must(fx.svc.EndReception(fx.ctx, fx.a, first.ID))(t)
		rot := must(fx.svc.Rotation(fx.ctx, fx.b, fx.unit))(t)
		if rot.Next == nil || rot.Next.UserID != fx.b.UserID {
			t.Fatalf("pointer should be at B: %+v", rot.Next)
		}
		own := fx.receive(ReceptionOwnOld, fx.b)
		if own.UsesSlot || own.ViaRotation {
			t.Fatalf("an own old customer uses no slot: %+v", own)
		}
		one := fx.receive(ReceptionRotation, nil)
		if one.AgentID != fx.c.UserID {
			t.Fatalf("#1 went to %d, want C", one.AgentID)
		}
		if len(one.Pick.Skips) != 1 || one.Pick.Skips[0].UserID != fx.b.UserID || !one.Pick.Skips[0].Credit ||
			one.Pick.Skips[0].Reason != "busy:own_old" {
			t.Fatalf("#1 skips %+v, want B skipped with a credit", one.Pick.Skips)
		}
		rot = must(fx.svc.Rotation(fx.ctx, fx.pm, fx.unit))(t)
		if len(rot.Credits) != 1 || rot.Credits[0].UserID != fx.b.UserID || rot.Credits[0].Reason != "skip:busy:own_old" ||
			rot.Credits[0].Rule != "SAL-003" {
			t.Fatalf("credits %+v, want B's skip credit", rot.Credits)
		}
		must(fx.svc.EndReception(fx.ctx, fx.b, own.ID))(t)
		two := fx.receive(ReceptionRotation, nil)
		if two.AgentID != fx.b.UserID || two.Pick.CreditID != rot.Credits[0].ID {
			t.Fatalf("#2 went to %d (pick %+v), want B on her make-up turn", two.AgentID, two.Pick)
		}
		three := fx.receive(ReceptionRotation, nil)
		if three.AgentID != fx.d.UserID {
			t.Fatalf("#3 went to %d, want D", three.AgentID)
		}
		rot = must(fx.svc.Rotation(fx.ctx, fx.pm, fx.unit))(t)
		if len(rot.Credits) != 0 {
			t.Fatalf("the credit is used: %+v", rot.Credits)
		}
		// Everybody busy but A: the preview names A; then nobody is free.
		if rot.Next == nil || rot.Next.UserID != fx.a.UserID {
			t.Fatalf("next %+v, want A", rot.Next)
		}
		fx.receive(ReceptionRotation, nil)
		_, err := fx.svc.StartReception(fx.ctx, fx.pm, ReceptionInput{UnitID: fx.unit, Kind: ReceptionRotation})
		refused(t, err, http.StatusConflict, "agent_id")
		var actions []string
		for _, l := range must(fx.svc.Rotation(fx.ctx, fx.pm, fx.unit))(t).Log {
			actions = append(actions, l.Action)
		}
		// newest first: assign A, assign D, assign B, credit_used, assign C, skip B, assign A, reorder, join×4, policy
		want := []string{"assign", "assign", "assign", "credit_used", "assign", "skip", "assign", "reorder"}
		for i, w := range want {
			if i >= len(actions) || actions[i] != w {
				t.Fatalf("log %v, want it to start %v", actions, want)
			}
		}
	})
}

// TestRotationSAL003Absences: sick leave is skipped without a credit, a
// task of the project with one.
func TestRotationStoreSAL003Absences(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		must(fx.svc.SetAbsence(fx.ctx, fx.a, fx.unit, AbsenceInput{UserID: fx.a.UserID, Absence: AbsentSickLeave}))(t)
		must(fx.svc.SetAbsence(fx.ctx, fx.pm, fx.unit, AbsenceInput{UserID: fx.b.UserID, Absence: AbsentProjectTask,
			Reason: "项目例会"}))(t)
		_, err := fx.svc.SetAbsence(fx.ctx, fx.c, fx.unit, AbsenceInput{UserID: fx.d.UserID, Absence: AbsentDayOff})
		refused(t, err, http.StatusForbidden, "")
		_, err = fx.svc.SetAbsence(fx.ctx, fx.pm, fx.unit, AbsenceInput{UserID: fx.d.UserID, Absence: "holiday"})
		refused(t, err, http.StatusUnprocessableEntity, "absence")
		r := fx.receive(ReceptionRotation, nil)
		if r.AgentID != fx.c.UserID {
			t.Fatalf("went to %d, want C", r.AgentID)
		}
		if len(r.Pick.Skips) != 2 || r.Pick.Skips[0].Credit || !r.Pick.Skips[1].Credit {
			t.Fatalf("skips %+v: want A (sick) without, B (project task) with a credit", r.Pick.Skips)
		}
		rot := must(fx.svc.Rotation(fx.ctx, fx.pm, fx.unit))(t)
		if len(rot.Credits) != 1 || rot.Credits[0].UserID != fx.b.UserID || rot.Credits[0].Reason != "skip:project_task" {
			t.Fatalf("credits %+v", rot.Credits)
		}
		if rot.Members[0].Absence != AbsentSickLeave || rot.Members[1].Credits != 1 || rot.Members[2].Busy != ReceptionRotation {
			t.Fatalf("members %+v", rot.Members)
		}
		// The next day the absences are over.
		fx.set("2026-05-12 09:00")
		rot = must(fx.svc.Rotation(fx.ctx, fx.pm, fx.unit))(t)
		if rot.Members[0].Absence != "" || rot.Next == nil || rot.Next.UserID != fx.b.UserID {
			t.Fatalf("next day: members %+v next %+v, want everybody back and B's make-up first", rot.Members, rot.Next)
		}
	})
}
