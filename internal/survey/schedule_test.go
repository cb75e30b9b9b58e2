package survey_test

import (
	"context"
	"slices"
	"testing"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/survey"
)

// TestSurveySchedule is SUR-001's example on the real 2026 calendar: a
// property company whose last survey closed Thu 2026-01-15 has the next
// one due Wed 2026-07-15 18:00 (6mo on cn-office); the planning notice
// goes to the survey owners on 2026-06-15, 30 days before, and not when a
// campaign is already under way.
func TestSurveySchedule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newSurveyEnv(t, db)
		sc, err := e.svc.Schedule(ctx, e.agent)
		if err != nil || sc.State != survey.ScheduleDue || sc.DueAt != nil || sc.Cadence != "6mo" {
			t.Fatalf("never surveyed: %+v %v", sc, err)
		}
		e.clk.Set(at("2026-01-05 09:00"))
		c, err := e.svc.Create(ctx, e.sup, survey.CampaignInput{Title: "2025 年下半年调查", Channel: "paper",
			StartsOn: "2026-01-05", EndsOn: "2026-01-14", Households: 100, Purpose: "了解满意度", Scope: "全体入住户",
			Penalties: "弄虚作假扣罚"})
		if err != nil {
			t.Fatal(err)
		}
		e.approve(t, c) // SUR-002
		if sc, _ := e.svc.Schedule(ctx, e.agent); sc.State != survey.ScheduleUnderWay || sc.Current != c.Number {
			t.Fatalf("under way: %+v", sc)
		}
		if _, err := e.svc.UpdateCounts(ctx, e.sup, c.ID, survey.CountsInput{Distributed: 90, Returned: 80, Verified: 4,
			Genuine: 4, Answered: 80, Satisfied: 75}); err != nil {
			t.Fatal(err)
		}
		e.clk.Set(at("2026-01-15 16:20"))
		if _, err := e.svc.Close(ctx, e.sup, c.ID, survey.CloseInput{ImprovementPlan: "改进方案"}); err != nil {
			t.Fatal(err)
		}
		sc, err = e.svc.Schedule(ctx, e.agent)
		if err != nil || sc.LastNumber != c.Number || sc.LastClosedOn.String() != "2026-01-15" ||
			!sc.DueAt.Equal(at("2026-07-15 18:00")) || sc.PlanningOpensOn.String() != "2026-06-15" ||
			sc.State != survey.ScheduleScheduled {
			t.Fatalf("after the close: %+v %v", sc, err)
		}
		// The notice fires at 2026-06-15 00:00, to the supervisor (and
		// any manager), not to the agent.
		e.clk.Set(at("2026-06-14 23:59"))
		if n, err := e.base.Engine.FireDue(ctx); err != nil || e.sent.Count(survey.EventPlanning) != 0 {
			t.Fatalf("before the day: fired %d, %d notices, %v", n, e.sent.Count(survey.EventPlanning), err)
		}
		e.clk.Set(at("2026-06-15 00:00"))
		if _, err := e.base.Engine.FireDue(ctx); err != nil {
			t.Fatal(err)
		}
		msgs := e.sent.Events(survey.EventPlanning)
		// The survey owners: both supervisors (one reviews plans, SUR-002)
		// and the manager.
		owners := []store.ID{e.sup.UserID, e.rev.UserID, e.mgr.UserID}
		if len(msgs) != 1 || !slices.Equal(msgs[0].Users, owners) || msgs[0].Link != "/surveys/new" {
			t.Fatalf("planning notice: %+v", msgs)
		}
		if sc, _ := e.svc.Schedule(ctx, e.agent); sc.State != survey.SchedulePlanning {
			t.Fatalf("planning: %+v", sc)
		}
		e.clk.Set(at("2026-07-15 18:00"))
		if sc, _ := e.svc.Schedule(ctx, e.agent); sc.State != survey.ScheduleDue {
			t.Fatalf("due: %+v", sc)
		}
	})
}
