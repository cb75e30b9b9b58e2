package ticket_test

import (
	"testing"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/ticket"
)

func targetOf(t *testing.T, tk ticket.Ticket, kind string) ticket.Clock {
	t.Helper()
	for _, c := range tk.Targets {
		if string(c.Kind) == kind {
			return c
		}
	}
	t.Fatalf("work order %s has no %s target: %+v", tk.Number, kind, tk.Targets)
	return ticket.Clock{}
}

func passedFor(f *fixture, id store.ID) int {
	n := 0
	for _, m := range f.sent.Events(ticket.EventTargetPassed) {
		if m.ObjectID == id {
			n++
		}
	}
	return n
}

// TestGasComplaintTargets: TKT-031 / CAL-011 — a gas complaint call at
// 10:00 has no clock but two warning-only targets: investigation (handle)
// by 10:30 and reply within 1wd. Met by accept and reply; one left to pass
// warns once and never breaches.
func TestGasComplaintTargets(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.agent("gas")
		f.clk.Set(at("2026-11-20 10:00"))
		tk := f.create(p, ticket.CreateInput{Category: "complaint"})
		late := f.create(p, ticket.CreateInput{Category: "complaint"})
		if len(tk.Clocks) != 0 || len(tk.Targets) != 2 {
			t.Fatalf("clocks %+v targets %+v", tk.Clocks, tk.Targets)
		}
		handle, reply := targetOf(t, tk, "handle"), targetOf(t, tk, "reply")
		if !handle.Target || !handle.TargetAt.Equal(at("2026-11-20 10:30")) || !reply.TargetAt.Equal(at("2026-11-24 00:00")) {
			t.Errorf("targets: handle %v, reply %v", handle.TargetAt, reply.TargetAt)
		}
		f.clk.Set(at("2026-11-20 10:20"))
		tk = f.act(p, tk.ID, ticket.Action{Name: "accept"}) // investigation started within the target
		f.clk.Set(at("2026-11-20 10:30"))
		if _, err := f.engine.FireDue(f.ctx); err != nil {
			t.Fatal(err)
		}
		if passedFor(f, tk.ID) != 0 || passedFor(f, late.ID) != 1 {
			t.Errorf("passed notifications: met %d, late %d", passedFor(f, tk.ID), passedFor(f, late.ID))
		}
		f.clk.Set(at("2026-11-20 11:05"))
		tk = f.act(p, tk.ID, ticket.Action{Name: "reply", Text: "已答复"})
		if h, r := targetOf(t, tk, "handle"), targetOf(t, tk, "reply"); h.State != ticket.ClockMet || r.State != ticket.ClockMet ||
			!h.MetAt.Equal(at("2026-11-20 10:20")) || h.PassedAt != nil {
			t.Errorf("met targets: handle %s %v passed %v, reply %s", h.State, h.MetAt, h.PassedAt, r.State)
		}
		late, _ = f.svc.Get(f.ctx, p, late.ID)
		h := targetOf(t, late, "handle")
		if h.State != ticket.ClockRunning || h.PassedAt == nil || !h.PassedAt.Equal(at("2026-11-20 10:30")) || late.Breached {
			t.Errorf("passed target %s passed %v, breached %v", h.State, h.PassedAt, late.Breached)
		}
		found := false
		for _, e := range late.Timeline {
			found = found || e.Action == "target.passed"
		}
		if !found {
			t.Error("no target.passed on the timeline")
		}
		f.clk.Set(at("2026-11-25 10:00"))
		if _, err := f.engine.FireDue(f.ctx); err != nil {
			t.Fatal(err)
		}
		if passedFor(f, late.ID) != 2 || len(f.sent.Events(ticket.EventClockBreached)) != 0 {
			t.Errorf("after the reply target: %d passed, %d breaches", passedFor(f, late.ID), len(f.sent.Events(ticket.EventClockBreached)))
		}
		late = f.act(p, late.ID, ticket.Action{Name: "accept"})
		if h := targetOf(t, late, "handle"); h.State != ticket.ClockMet || late.Breached {
			t.Errorf("late accept: %s, breached %v", h.State, late.Breached)
		}
	})
}

// TestAgreedTarget: TKT-029 — a water-heater fault reported 19:00; the
// user asks for tomorrow 09:00: the agreed time replaces the 30m target,
// nothing warns at 19:30. Without agreement the warning fires at 19:30.
func TestAgreedTarget(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.agent("gas")
		f.clk.Set(at("2026-11-20 19:00"))
		agreed := f.create(p, ticket.CreateInput{Category: "fault.user_equipment"})
		plain := f.create(p, ticket.CreateInput{Category: "fault.user_equipment"})
		f.clk.Set(at("2026-11-20 19:05"))
		agreed = f.act(p, agreed.ID, ticket.Action{Name: "agree", Clock: "arrival", Until: ptr(at("2026-11-21 09:00"))})
		if c := targetOf(t, agreed, "arrival"); !c.TargetAt.Equal(at("2026-11-21 09:00")) || c.AgreedAt == nil {
			t.Errorf("agreed target %+v", c)
		}
		f.clk.Set(at("2026-11-20 19:30"))
		if _, err := f.engine.FireDue(f.ctx); err != nil {
			t.Fatal(err)
		}
		if passedFor(f, agreed.ID) != 0 || passedFor(f, plain.ID) != 1 {
			t.Errorf("passed: agreed %d, plain %d", passedFor(f, agreed.ID), passedFor(f, plain.ID))
		}
		f.clk.Set(at("2026-11-21 08:55"))
		f.act(p, agreed.ID, ticket.Action{Name: "accept"})
		agreed = f.act(p, agreed.ID, ticket.Action{Name: "arrive"})
		if c := targetOf(t, agreed, "arrival"); c.State != ticket.ClockMet || agreed.Breached {
			t.Errorf("arrived: %s", c.State)
		}
	})
}
