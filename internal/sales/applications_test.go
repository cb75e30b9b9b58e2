package sales

import (
	"net/http"
	"testing"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestApplicationsSAL021: an agent applies for a discount and a release;
// only the pack's actions; an agent cannot decide; the Sales Manager
// approves one and rejects the other, once; agents see their own.
func TestApplicationsSAL021(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		_, err := fx.svc.Apply(fx.ctx, fx.a, ApplicationInput{UnitID: fx.unit, Action: "set_price", Detail: "x"})
		refused(t, err, http.StatusUnprocessableEntity, "action")
		_, err = fx.svc.Apply(fx.ctx, fx.a, ApplicationInput{UnitID: fx.unit, Action: "discount"})
		refused(t, err, http.StatusUnprocessableEntity, "detail")
		disc := must(fx.svc.Apply(fx.ctx, fx.a, ApplicationInput{UnitID: fx.unit, Action: "discount", PropertyUnit: "8-1203",
			CustomerName: "周一", Detail: "客户要求 2% 折扣"}))(t)
		if disc.Number != "SQ-2026-0001" || disc.State != ApplicationPending || disc.ApplicantID != fx.a.UserID {
			t.Fatalf("application = %+v", disc)
		}
		rel := must(fx.svc.Apply(fx.ctx, fx.b, ApplicationInput{UnitID: fx.unit, Action: "release_unit", PropertyUnit: "8-1204",
			Detail: "客户放弃，申请放盘"}))(t)
		_, err = fx.svc.DecideApplication(fx.ctx, fx.b, disc.ID, DecisionInput{Approve: true})
		refused(t, err, http.StatusForbidden, "")
		ok := must(fx.svc.DecideApplication(fx.ctx, fx.sm, disc.ID, DecisionInput{Approve: true, Note: "同意 2%"}))(t)
		if ok.State != ApplicationApproved || ok.DecidedBy == "" || ok.DecidedAt.IsZero() {
			t.Fatalf("approved = %+v", ok)
		}
		_, err = fx.svc.DecideApplication(fx.ctx, fx.sm, disc.ID, DecisionInput{Approve: false})
		refused(t, err, http.StatusConflict, "state")
		no := must(fx.svc.DecideApplication(fx.ctx, fx.sm, rel.ID, DecisionInput{Note: "该房源不放盘"}))(t)
		if no.State != ApplicationRejected {
			t.Fatalf("rejected = %+v", no)
		}
		_, err = fx.svc.GetApplication(fx.ctx, fx.b, disc.ID)
		refused(t, err, http.StatusNotFound, "id")
		if list := must(fx.svc.Applications(fx.ctx, fx.a, fx.unit, ""))(t); len(list) != 1 || list[0].ID != disc.ID {
			t.Fatalf("A sees %+v", list)
		}
		if list := must(fx.svc.Applications(fx.ctx, fx.pm, fx.unit, ApplicationRejected))(t); len(list) != 1 || list[0].ID != rel.ID {
			t.Fatalf("the PM sees rejected %+v", list)
		}
		// A Sales Manager does not decide her own application.
		own := must(fx.svc.Apply(fx.ctx, fx.sm, ApplicationInput{UnitID: fx.unit, Action: "other", Detail: "自申请"}))(t)
		_, err = fx.svc.DecideApplication(fx.ctx, fx.sm, own.ID, DecisionInput{Approve: true})
		refused(t, err, http.StatusForbidden, "")
	})
}
