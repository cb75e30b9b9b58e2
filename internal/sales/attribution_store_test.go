package sales

import (
	"net/http"
	"slices"
	"testing"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestFamilyAndConflictRuling: a wife linked to her husband's entry
// belongs to his agent within 30 days (SAL-016); a conflict's decision is
// ruled without shares, by a decider only, and a share on it is refused.
func TestFamilyAndConflictRuling(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.set("2026-05-04 10:00")
		liu := fx.entry(fx.a, "刘志远", "13800000011")
		fx.set("2026-05-11 10:00")
		wife := must(fx.svc.Register(fx.ctx, fx.b, RegistrationInput{UnitID: fx.unit, CustomerName: "张慧", Phone: "13800000012",
			FamilyOfID: liu.ID, Relation: "spouse"}))(t)
		deal := fx.deal(fx.b, wife.ID, "7-701", "10000", "2026-05-11")
		if deal.Attribution.Owner != fx.a.UserID || deal.Attribution.Class != ClassFamily || !slices.Contains(deal.Attribution.Rules, "SAL-016") {
			t.Fatalf("family deal = %+v", deal.Attribution)
		}

		fx.set("2026-05-12 10:00")
		again := fx.entry(fx.c, "刘志远", "13800000011")
		if len(again.Conflicts) != 1 {
			t.Fatalf("conflicts %+v", again.Conflicts)
		}
		hist := must(fx.svc.Attributions(fx.ctx, fx.pm, 0, again.Conflicts[0].ID))(t)
		if len(hist) != 1 || hist[0].Owner != fx.a.UserID {
			t.Fatalf("conflict history = %+v", hist)
		}
		_, err := fx.svc.Attributions(fx.ctx, fx.d, 0, again.Conflicts[0].ID)
		refused(t, err, http.StatusNotFound, "conflict_id")
		_, err = fx.svc.Rule(fx.ctx, fx.sm, hist[0].ID, RulingInput{OwnerAgentID: fx.c.UserID, Reason: "x",
			Shares: []ShareInput{{AgentID: fx.c.UserID, Percent: 100}}})
		refused(t, err, http.StatusUnprocessableEntity, "shares")
		_, err = fx.svc.Rule(fx.ctx, fx.sm, hist[0].ID, RulingInput{OwnerAgentID: fx.outside.UserID, Reason: "x"})
		refused(t, err, http.StatusUnprocessableEntity, "owner_agent_id")
		r := must(fx.svc.Rule(fx.ctx, fx.sm, hist[0].ID, RulingInput{OwnerAgentID: fx.c.UserID, Reason: "A 同意转给 C"}))(t)
		if r.Owner != fx.c.UserID || r.Kind != AttributionRuling {
			t.Fatalf("ruling = %+v", r)
		}
		k := must(fx.svc.GetConflict(fx.ctx, fx.sm, again.Conflicts[0].ID))(t)
		if k.State != "ruled" {
			t.Fatalf("conflict state %q, want ruled", k.State)
		}
	})
}
