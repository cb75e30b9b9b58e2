package ticket_test

import (
	"testing"

	"kefu/internal/calendar"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/ticket"
)

// TestWarningAndBreachFireOnce: with an injected clock, the warning fires
// at 80 % of the span and the breach at the target, each exactly once
// however often FireDue runs; a met clock's timers are cancelled.
func TestWarningAndBreachFireOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.agent("property")
		f.clk.Set(at("2026-11-20 10:05"))
		tk := f.create(p, ticket.CreateInput{Category: "inquiry.general"}) // TKT-026: reply 30m
		met := f.create(p, ticket.CreateInput{Category: "inquiry.external"})
		wantTarget(t, tk, "reply", "2026-11-20 10:35")
		f.clk.Set(at("2026-11-20 10:20"))
		f.act(p, met.ID, ticket.Action{Name: "reply", Text: "已答复"})
		fire := func() int {
			n, err := f.engine.FireDue(f.ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		f.clk.Set(at("2026-11-20 10:28"))
		if n := fire(); n != 0 {
			t.Errorf("at 10:28 %d timers fired, want none before the warning (80%% of 30m = 10:29)", n)
		}
		f.clk.Set(at("2026-11-20 10:29"))
		if n := fire(); n != 1 || len(f.sent.Events(ticket.EventClockWarning)) != 1 {
			t.Errorf("at 10:29 %d timers fired, %d warnings", n, len(f.sent.Events(ticket.EventClockWarning)))
		}
		f.clk.Set(at("2026-11-20 10:35"))
		if n := fire(); n != 1 {
			t.Errorf("at 10:35 %d timers fired, want the breach", n)
		}
		if n := fire(); n != 0 {
			t.Errorf("second run fired %d", n)
		}
		f.clk.Set(at("2026-11-21 10:35"))
		if n := fire(); n != 0 {
			t.Errorf("a day later %d fired", n)
		}
		if got := f.sent.Events(ticket.EventClockBreached); len(got) != 1 || got[0].ObjectID != tk.ID {
			t.Errorf("breach notifications %+v", got)
		}
		tk, err := f.svc.Get(f.ctx, p, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		c := clockOf(t, tk, "reply")
		if c.State != ticket.ClockBreached || !c.BreachedAt.Equal(at("2026-11-20 10:35")) || !tk.Breached {
			t.Errorf("clock %s breached at %v; ticket breached %v", c.State, c.BreachedAt, tk.Breached)
		}
		page, err := f.svc.List(f.ctx, p, ticket.Filter{Breached: ptr(true)})
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != tk.ID {
			t.Errorf("breached queue: %v %+v", err, page.Items)
		}
		// Met after the breach: still breached, the meeting time recorded.
		tk = f.act(p, tk.ID, ticket.Action{Name: "reply"})
		if c := clockOf(t, tk, "reply"); c.State != ticket.ClockBreached || c.MetAt == nil {
			t.Errorf("late reply: %s met %v", c.State, c.MetAt)
		}
		if m, _ := f.svc.Get(f.ctx, p, met.ID); clockOf(t, m, "reply").State != ticket.ClockMet {
			t.Errorf("met clock %s", clockOf(t, m, "reply").State)
		}
	})
}

// TestCalendarChangeMovesClocks: making a day of the running clock's span a
// holiday moves its target and its breach timer (CAL-001).
func TestCalendarChangeMovesClocks(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.agent("property")
		f.clk.Set(at("2026-11-20 16:00"))
		tk := f.create(p, ticket.CreateInput{Category: "common.other"}) // TKT-024: 3wd → Wed 11-25 18:00
		wantTarget(t, tk, "resolve", "2026-11-25 18:00")
		if _, err := f.cals.SetDay(f.ctx, "cn", calendar.Override{Date: calendar.D(2026, 11, 24), Kind: calendar.Holiday, Name: "测试假日"}); err != nil {
			t.Fatal(err)
		}
		tk, err := f.svc.Get(f.ctx, p, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantTarget(t, tk, "resolve", "2026-11-26 18:00")
		f.clk.Set(at("2026-11-25 18:30"))
		// The breach moved, and so did the warning: 80 % of the 26 working
		// hours (Fri 2, Mon 8, Wed 8, Thu 8) is reached on Thu 11:18.
		if c := clockOf(t, tk, "resolve"); c.WarnAt == nil || !c.WarnAt.Equal(at("2026-11-26 11:18")) {
			t.Errorf("warning at %v, want 2026-11-26 11:18", c.WarnAt)
		}
		if n, err := f.engine.FireDue(f.ctx); err != nil || n != 0 {
			t.Errorf("at the old target %d fired (%v)", n, err)
		}
		tk, _ = f.svc.Get(f.ctx, p, tk.ID)
		if c := clockOf(t, tk, "resolve"); c.State != ticket.ClockRunning {
			t.Errorf("clock %s at the old target", c.State)
		}
		// An untouched clock (other calendar dates) stays.
		f.clk.Set(at("2026-11-25 19:00"))
		other := f.create(p, ticket.CreateInput{Category: "repair.other"})
		if _, err := f.cals.SetDay(f.ctx, "cn", calendar.Override{Date: calendar.D(2027, 3, 1), Kind: calendar.Holiday, Name: "远期"}); err != nil {
			t.Fatal(err)
		}
		again, _ := f.svc.Get(f.ctx, p, other.ID)
		if !clockOf(t, again, "resolve").TargetAt.Equal(*clockOf(t, other, "resolve").TargetAt) {
			t.Error("a clock whose span the change does not touch moved")
		}
	})
}
