package sales

import (
	"net/http"
	"testing"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestShareGroupBonusSAL020: the pot, the agents and the receiving agent
// are checked; 1,000 among four with B receiving → B 275.00, the others
// 241.66, 0.02 left; agents see the bonuses they share in.
func TestShareGroupBonusSAL020(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		a, b, c, d := fx.a.UserID, fx.b.UserID, fx.c.UserID, fx.d.UserID
		in := GroupBonusInput{UnitID: fx.unit, Month: "2026-05", Pot: "1000", ReceivingAgentID: b, AgentIDs: []store.ID{a, b, c, d}}
		for _, c := range []struct {
			mod   func(*GroupBonusInput)
			field string
		}{
			{func(i *GroupBonusInput) { i.Pot = "0" }, "pot"},
			{func(i *GroupBonusInput) { i.Pot = "-1" }, "pot"},
			{func(i *GroupBonusInput) { i.Month = "2026-5" }, "month"},
			{func(i *GroupBonusInput) { i.AgentIDs = []store.ID{a, a, b} }, "agent_ids"},
			{func(i *GroupBonusInput) { i.AgentIDs = []store.ID{a, fx.outside.UserID, b} }, "agent_ids"},
			{func(i *GroupBonusInput) { i.ReceivingAgentID = fx.pm.UserID }, "receiving_agent_id"},
		} {
			bad := in
			c.mod(&bad)
			_, err := fx.svc.ShareGroupBonus(fx.ctx, fx.pm, bad)
			refused(t, err, http.StatusUnprocessableEntity, c.field)
		}
		_, err := fx.svc.ShareGroupBonus(fx.ctx, fx.a, in)
		refused(t, err, http.StatusForbidden, "")
		g := must(fx.svc.ShareGroupBonus(fx.ctx, fx.pm, in))(t)
		if g.UpliftPct != 10 || g.Remainder.String() != "0.02" || len(g.Shares) != 4 {
			t.Fatalf("bonus = %+v", g)
		}
		for _, s := range g.Shares {
			want := "241.66"
			if s.AgentID == b {
				want = "275.00"
			}
			if s.Amount.String() != want || s.Receiving != (s.AgentID == b) {
				t.Fatalf("share %+v, want %s", s, want)
			}
		}
		if list := must(fx.svc.GroupBonuses(fx.ctx, fx.c, fx.unit, "2026-05"))(t); len(list) != 1 {
			t.Fatalf("C sees %d bonuses", len(list))
		}
		rep := must(fx.svc.Commission(fx.ctx, fx.c, fx.unit, "2026-05"))(t)
		if len(rep.Lines) != 1 || rep.Lines[0].Group.String() != "241.66" || rep.Lines[0].Total.String() != "241.66" {
			t.Fatalf("C's report = %+v", rep.Lines)
		}
		_, err = fx.svc.Commission(fx.ctx, fx.c, fx.unit, "May")
		refused(t, err, http.StatusUnprocessableEntity, "month")
	})
}
