package process_test

import (
	"testing"

	"kefu/internal/calendar"
	"kefu/internal/process"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// startSingleSource starts an 800 kVA single-source HV connection on
// Mon 2026-09-14 and hands it to the supply plan step at 10:00.
func startSingleSource(f *fixture) *process.Process {
	f.t.Helper()
	sp := f.supplyPoint("城西纺织厂")
	f.clk.Set(at("2026-09-14 09:00"))
	p, err := f.svc.Start(f.ctx, f.people["agent"], process.StartInput{Definition: "connection.hv", ServicePointID: sp.ID,
		Attributes: map[string]any{"customer_type": "commercial", "capacity_kva": 800.0, "sources": "single", "tenant": true}})
	if err != nil {
		f.t.Fatal(err)
	}
	p = f.receiveAll("agent", "2026-09-14 09:30", p)
	return f.act("agent", "2026-09-14 10:00", p.ID, process.ActionInput{Action: process.ActionComplete})
}

// TestStepClockWarnsAndBreaches: the supply plan clock (PRC-009: single
// source 15wd from Mon 2026-09-14 → end of Sat 10-10, a make-up workday)
// warns at 80 % and breaches once, by the timers; the late completion
// still counts as breached.
func TestStepClockWarnsAndBreaches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := startSingleSource(f)
		due(t, p, "supply_plan_single", "2026-10-11 00:00")
		if sr := current(t, p); sr.UnitID != f.units["marketing"].ID {
			t.Fatalf("800 kVA supply plan at unit %d, want the branch marketing department (PRC-013)", sr.UnitID)
		}
		sr := current(t, p)
		f.clk.Set(*sr.WarnAt)
		if n, err := f.engine.FireDue(f.ctx); err != nil || n != 1 {
			t.Fatalf("at the warning: %d fired (%v)", n, err)
		}
		if f.sent.Count(process.EventStepWarning) != 1 {
			t.Fatalf("%d warnings sent", f.sent.Count(process.EventStepWarning))
		}
		f.clk.Set(at("2026-10-11 00:00"))
		if n, err := f.engine.FireDue(f.ctx); err != nil || n != 1 {
			t.Fatalf("at the deadline: %d fired (%v)", n, err)
		}
		if n, err := f.engine.FireDue(f.ctx); err != nil || n != 0 {
			t.Fatalf("again: %d fired (%v)", n, err)
		}
		p, err := f.svc.Get(f.ctx, f.admin, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sr := current(t, p); !p.Breached || sr.BreachedAt == nil || !sr.BreachedAt.Equal(at("2026-10-11 00:00")) {
			t.Fatalf("breached %v at %v", p.Breached, sr.BreachedAt)
		}
		if f.sent.Count(process.EventStepBreached) != 1 {
			t.Fatalf("%d breach notices", f.sent.Count(process.EventStepBreached))
		}
		page, err := f.svc.List(f.ctx, f.people["marketing"], process.Filter{Queue: process.QueueBreached})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("breached queue: %v %v", page, err)
		}
		p = f.act("marketing", "2026-10-12 09:00", p.ID, process.ActionInput{Action: process.ActionComplete})
		if p.Steps[len(p.Steps)-2].BreachedAt == nil {
			t.Fatal("the late round lost its breach")
		}
	})
}

// TestCalendarChangeMovesStepClocks: a holiday added on Wed 2026-09-30
// moves the running supply plan clock one working day, to the end of
// Mon 10-12 (Sun 10-11 is a rest day), and the old deadline fires nothing.
func TestCalendarChangeMovesStepClocks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := startSingleSource(f)
		if _, err := f.cals.SetDay(f.ctx, "cn", calendar.Override{Date: calendar.D(2026, 9, 30), Kind: calendar.Holiday, Name: "测试假日"}); err != nil {
			t.Fatal(err)
		}
		p, err := f.svc.Get(f.ctx, f.admin, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		due(t, p, "supply_plan_single", "2026-10-13 00:00")
		if p.NextDueAt == nil || !p.NextDueAt.Equal(at("2026-10-13 00:00")) {
			t.Fatalf("list deadline %v", p.NextDueAt)
		}
		f.clk.Set(at("2026-10-11 00:30"))
		if _, err := f.engine.FireDue(f.ctx); err != nil {
			t.Fatal(err)
		}
		if p, _ = f.svc.Get(f.ctx, f.admin, p.ID); p.Breached {
			t.Fatal("breached at the old deadline")
		}
		if !hasEvent(p, "clock.recomputed") {
			t.Fatal("no clock.recomputed on the timeline")
		}
	})
}

func hasEvent(p *process.Process, action string) bool {
	for _, e := range p.Timeline {
		if e.Action == action {
			return true
		}
	}
	return false
}
