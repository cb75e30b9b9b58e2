package ticket_test

import (
	"net/http"
	"testing"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/ticket"
)

// TestPauseResume: a pausable clock (property repair.other resolve 7wd,
// TKT-023) paused while waiting for the owner does not count the pause:
// received Fri 2026-11-20 16:00 → due Tue 12-01 18:00; paused Wed 11-25
// 10:00 with four working days left, resumed Mon 11-30 → due Fri 12-04
// 18:00. No timer fires while it is paused.
func TestPauseResume(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.agent("property")
		f.clk.Set(at("2026-11-20 16:00"))
		tk := f.create(p, ticket.CreateInput{Category: "repair.other"})
		wantTarget(t, tk, "resolve", "2026-12-01 18:00")
		if !clockOf(t, tk, "resolve").Pausable {
			t.Fatal("repair.other resolve is not pausable")
		}
		simple := f.create(p, ticket.CreateInput{Category: "repair.simple"})

		f.clk.Set(at("2026-11-25 10:00"))
		_, err := f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "pause", Clock: "resolve"})
		wantErr(t, err, http.StatusUnprocessableEntity, "reason")
		_, err = f.svc.Act(f.ctx, p, simple.ID, ticket.Action{Name: "pause", Clock: "resolve", Reason: "等待业主"})
		wantErr(t, err, http.StatusConflict, "clock") // not pausable
		_, err = f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "resume", Clock: "resolve"})
		wantErr(t, err, http.StatusConflict, "clock") // not paused

		tk = f.act(p, tk.ID, ticket.Action{Name: "pause", Clock: "resolve", Reason: "等待业主确定上门时间"})
		c := clockOf(t, tk, "resolve")
		if c.State != ticket.ClockPaused || c.PausedAt == nil || !c.PausedAt.Equal(at("2026-11-25 10:00")) {
			t.Fatalf("paused clock %+v", c)
		}
		_, err = f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "pause", Clock: "resolve", Reason: "again"})
		wantErr(t, err, http.StatusConflict, "clock") // not running

		// Past the old target nothing fires for it: the clock is paused.
		f.clk.Set(at("2026-12-01 18:30"))
		if _, err := f.engine.FireDue(f.ctx); err != nil {
			t.Fatal(err)
		}
		for _, m := range append(f.sent.Events(ticket.EventClockBreached), f.sent.Events(ticket.EventClockWarning)...) {
			if m.ObjectID == tk.ID {
				t.Errorf("paused work order told %s", m.Event)
			}
		}
		if again, _ := f.svc.Get(f.ctx, p, tk.ID); clockOf(t, again, "resolve").State != ticket.ClockPaused {
			t.Errorf("after the old target: %s", clockOf(t, again, "resolve").State)
		}
		_, err = f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "resume", At: ptr(at("2026-11-25 09:00"))})
		wantErr(t, err, http.StatusUnprocessableEntity, "at")
		tk = f.act(p, tk.ID, ticket.Action{Name: "resume", At: ptr(at("2026-11-30 09:00"))})
		c = clockOf(t, tk, "resolve")
		wantTarget(t, tk, "resolve", "2026-12-04 18:00")
		if c.State != ticket.ClockRunning || c.PausedAt != nil || !c.OriginalTargetAt.Equal(at("2026-12-01 18:00")) {
			t.Errorf("resumed clock %s paused %v original %v", c.State, c.PausedAt, c.OriginalTargetAt)
		}
		// 80 % of the working time from the resume (Mon 7.5 h, Tue–Fri 32 h): Fri 08:36.
		if c.WarnAt == nil || !c.WarnAt.Equal(at("2026-12-04 08:36")) {
			t.Errorf("warning at %v, want 2026-12-04 08:36", c.WarnAt)
		}
		f.clk.Set(at("2026-12-04 17:59"))
		if _, err := f.engine.FireDue(f.ctx); err != nil {
			t.Fatal(err)
		}
		if tk, _ = f.svc.Get(f.ctx, p, tk.ID); clockOf(t, tk, "resolve").State != ticket.ClockRunning {
			t.Errorf("breached before the new target: %s", clockOf(t, tk, "resolve").State)
		}
		f.clk.Set(at("2026-12-04 18:00"))
		if _, err := f.engine.FireDue(f.ctx); err != nil {
			t.Fatal(err)
		}
		if tk, _ = f.svc.Get(f.ctx, p, tk.ID); clockOf(t, tk, "resolve").State != ticket.ClockBreached {
			t.Errorf("at the new target: %s", clockOf(t, tk, "resolve").State)
		}
		var pauses int
		for _, e := range tk.Timeline {
			if e.Action == "pause" && e.Detail["reason"] == "等待业主确定上门时间" {
				pauses++
			}
		}
		if pauses != 1 {
			t.Errorf("timeline %+v", tk.Timeline)
		}

		// A past deadline cannot be paused.
		f.clk.Set(at("2026-11-20 16:00"))
		late := f.create(p, ticket.CreateInput{Category: "repair.other"})
		f.clk.Set(at("2026-12-02 09:00"))
		_, err = f.svc.Act(f.ctx, p, late.ID, ticket.Action{Name: "pause", Reason: "等待业主"})
		wantErr(t, err, http.StatusConflict, "clock")
	})
}

// TestPauseWorkingDaysOverHolidays: power test.commissioned reply 3wd
// (PRC-034) received Wed 2026-09-30 16:00 → due 2026-10-11 00:00; paused
// at 17:00 with Oct 8, 9, 10 left, resumed Thu Oct 8 09:00 → Oct 9, Sat 10
// (make-up), Mon 12 → due 2026-10-13 00:00.
func TestPauseWorkingDaysOverHolidays(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.agent("power")
		f.clk.Set(at("2026-10-08 09:00"))
		tk := f.create(p, ticket.CreateInput{Category: "test.commissioned", ReceivedAt: ptr(at("2026-09-30 16:00"))})
		wantTarget(t, tk, "reply", "2026-10-11 00:00")
		f.act(p, tk.ID, ticket.Action{Name: "pause", At: ptr(at("2026-09-30 17:00")), Reason: "等待客户提供试验资料"})
		tk = f.act(p, tk.ID, ticket.Action{Name: "resume"})
		wantTarget(t, tk, "reply", "2026-10-13 00:00")
	})
}
