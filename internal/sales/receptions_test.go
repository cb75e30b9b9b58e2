package sales

import (
	"net/http"
	"testing"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestReceptionSAL004: a second reception for a busy agent is refused; the
// Project Manager's adjustments need a reason and are logged.
func TestReceptionSAL004(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		r := fx.receive(ReceptionOwnOld, fx.c)
		_, err := fx.svc.StartReception(fx.ctx, fx.pm, ReceptionInput{UnitID: fx.unit, Kind: ReceptionNamed,
			AgentID: fx.c.UserID})
		refused(t, err, http.StatusConflict, "agent_id")
		must(fx.svc.EndReception(fx.ctx, fx.c, r.ID))(t)
		_, err = fx.svc.EndReception(fx.ctx, fx.c, r.ID)
		refused(t, err, http.StatusConflict, "id")
		fx.receive(ReceptionNamed, fx.c)

		order := []store.ID{fx.d.UserID, fx.c.UserID, fx.b.UserID, fx.a.UserID}
		_, err = fx.svc.SetMembers(fx.ctx, fx.pm, fx.unit, MembersInput{UserIDs: order})
		refused(t, err, http.StatusUnprocessableEntity, "reason")
		_, err = fx.svc.SetMembers(fx.ctx, fx.a, fx.unit, MembersInput{UserIDs: order, Reason: "x"})
		refused(t, err, http.StatusForbidden, "")
		_, err = fx.svc.SetMembers(fx.ctx, fx.pm, fx.unit, MembersInput{UserIDs: []store.ID{fx.a.UserID, fx.sdm.UserID},
			Reason: "x"})
		refused(t, err, http.StatusUnprocessableEntity, "user_ids")
		_, err = fx.svc.SetMembers(fx.ctx, fx.pm, fx.unit, MembersInput{UserIDs: []store.ID{fx.a.UserID, fx.outside.UserID},
			Reason: "x"})
		refused(t, err, http.StatusUnprocessableEntity, "user_ids")
		rot := must(fx.svc.SetMembers(fx.ctx, fx.pm, fx.unit, MembersInput{UserIDs: order, Reason: "新人先接，保证公平"}))(t)
		if rot.Members[0].UserID != fx.d.UserID || rot.Members[3].UserID != fx.a.UserID {
			t.Fatalf("members %+v", rot.Members)
		}
		l := rot.Log[0]
		if l.Action != "reorder" || l.Reason != "新人先接，保证公平" || l.Actor != fx.pm.Username {
			t.Fatalf("log %+v, want the reorder with its reason and actor", l)
		}
		rot = must(fx.svc.SetPointer(fx.ctx, fx.pm, fx.unit, fx.b.UserID, "补偿B"))(t)
		if rot.Next.UserID != fx.b.UserID || rot.Log[0].Action != "pointer" {
			t.Fatalf("pointer: %+v %+v", rot.Next, rot.Log[0])
		}
		rot = must(fx.svc.GrantCredit(fx.ctx, fx.pm, fx.unit, fx.a.UserID, "接待同事老客户已确认"))(t)
		if len(rot.Credits) != 1 || rot.Next.UserID != fx.a.UserID {
			t.Fatalf("manual credit: %+v next %+v", rot.Credits, rot.Next)
		}
		rot = must(fx.svc.ClearCredit(fx.ctx, fx.pm, fx.unit, rot.Credits[0].ID, "误发"))(t)
		if len(rot.Credits) != 0 || rot.Log[0].Action != "credit_cleared" || rot.Log[0].Reason != "误发" {
			t.Fatalf("cleared: %+v %+v", rot.Credits, rot.Log[0])
		}
	})
}

// TestReceptionReclassifySAL013: a rotation reception whose customer named an
// agent during the first visit gives the rotation agent her slot back.
func TestReceptionReclassifySAL013(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		r := fx.receive(ReceptionRotation, nil)
		if r.AgentID != fx.a.UserID {
			t.Fatalf("went to %d", r.AgentID)
		}
		_, err := fx.svc.Reclassify(fx.ctx, fx.a, r.ID, ReclassifyInput{Kind: ReceptionNamed, NamedAgentID: fx.c.UserID})
		refused(t, err, http.StatusUnprocessableEntity, "reason")
		_, err = fx.svc.Reclassify(fx.ctx, fx.b, r.ID, ReclassifyInput{Kind: ReceptionPublic, PublicReason: PublicPeer,
			Reason: "同行"})
		refused(t, err, http.StatusForbidden, "")
		got := must(fx.svc.Reclassify(fx.ctx, fx.a, r.ID, ReclassifyInput{Kind: ReceptionNamed,
			NamedAgentID: fx.c.UserID, Reason: "客户首次来访时指名C"}))(t)
		if got.Kind != ReceptionNamed || got.UsesSlot || got.AgentID != fx.a.UserID || got.NamedAgentID != fx.c.UserID {
			t.Fatalf("reclassified %+v", got)
		}
		rot := must(fx.svc.Rotation(fx.ctx, fx.pm, fx.unit))(t)
		if len(rot.Credits) != 1 || rot.Credits[0].UserID != fx.a.UserID || rot.Credits[0].Reason != "restored:named" ||
			rot.Credits[0].Rule != "SAL-013" {
			t.Fatalf("credits %+v, want A's slot restored", rot.Credits)
		}
		// A public customer taken by rotation gives the slot back at once (SAL-010).
		pub := must(fx.svc.StartReception(fx.ctx, fx.pm, ReceptionInput{UnitID: fx.unit, Kind: ReceptionPublic,
			PublicReason: PublicServices}))(t)
		if pub.AgentID != fx.b.UserID || !pub.ViaRotation || pub.UsesSlot {
			t.Fatalf("public %+v", pub)
		}
		rot = must(fx.svc.Rotation(fx.ctx, fx.pm, fx.unit))(t)
		if len(rot.Credits) != 2 || rot.Credits[1].UserID != fx.b.UserID || rot.Credits[1].Rule != "SAL-010" {
			t.Fatalf("credits %+v", rot.Credits)
		}
	})
}
