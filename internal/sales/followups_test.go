package sales

import (
	"net/http"
	"testing"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestFollowUpsDueSAL024: last follow-up 2026-05-06 → not overdue on
// 05-20 (14 days), overdue on 05-21 (15 > 14); a customer who bought is
// never overdue; an agent sees her own, the PM every agent's.
func TestFollowUpsDueSAL024(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.set("2026-05-04 10:00")
		sun := fx.entry(fx.a, "孙丽", "13500000001")
		bought := fx.entry(fx.a, "钟强", "13500000002")
		fx.deal(fx.a, bought.ID, "6-601", "9000", "2026-05-04")
		fx.set("2026-05-06 10:00")
		_, err := fx.svc.FollowUp(fx.ctx, fx.a, FollowUpInput{RegistrationID: sun.ID})
		refused(t, err, http.StatusUnprocessableEntity, "note")
		_, err = fx.svc.FollowUp(fx.ctx, fx.a, FollowUpInput{RegistrationID: sun.ID, On: "2026-05-07", Note: "x"})
		refused(t, err, http.StatusUnprocessableEntity, "on")
		_, err = fx.svc.FollowUp(fx.ctx, fx.b, FollowUpInput{RegistrationID: sun.ID, Note: "x"})
		refused(t, err, http.StatusNotFound, "registration_id")
		f := must(fx.svc.FollowUp(fx.ctx, fx.a, FollowUpInput{RegistrationID: sun.ID, Channel: "phone", Note: "电话回访，周末再来"}))(t)
		if f.On.String() != "2026-05-06" || f.AgentID != fx.a.UserID {
			t.Fatalf("follow-up = %+v", f)
		}
		fx.set("2026-05-20 09:00")
		if due := must(fx.svc.FollowUpsDue(fx.ctx, fx.a, fx.unit, 0))(t); len(due) != 0 {
			t.Fatalf("day 14: %+v", due)
		}
		fx.set("2026-05-21 09:00")
		due := must(fx.svc.FollowUpsDue(fx.ctx, fx.a, fx.unit, 0))(t)
		if len(due) != 1 || due[0].RegistrationID != sun.ID || due[0].Days != 15 || due[0].LastOn.String() != "2026-05-06" {
			t.Fatalf("day 15: %+v", due)
		}
		if pm := must(fx.svc.FollowUpsDue(fx.ctx, fx.pm, fx.unit, 0))(t); len(pm) != 1 {
			t.Fatalf("the PM sees %+v", pm)
		}
		if other := must(fx.svc.FollowUpsDue(fx.ctx, fx.b, fx.unit, 0))(t); len(other) != 0 {
			t.Fatalf("B sees %+v", other)
		}
		_, err = fx.svc.FollowUpsDue(fx.ctx, fx.b, fx.unit, fx.a.UserID)
		refused(t, err, http.StatusForbidden, "")
		if list := must(fx.svc.FollowUps(fx.ctx, fx.a, sun.ID))(t); len(list) != 1 {
			t.Fatalf("follow-ups %+v", list)
		}
	})
}
