package ticket_test

import (
	"net/http"
	"strings"
	"testing"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/ticket"
)

// TestReclassify: TKT-003 example — property inquiry.general received Fri
// 2026-11-20 10:00, reclassified at 10:20 as repair.urgent → arrival due
// 10:10, already breached; the reply clock is gone with its timers; the
// reason is on the timeline and in the audit log.
func TestReclassify(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.agent("property")
		f.clk.Set(at("2026-11-20 10:00"))
		tk := f.create(p, ticket.CreateInput{Category: "inquiry.general"})
		wantTarget(t, tk, "reply", "2026-11-20 10:30")
		f.clk.Set(at("2026-11-20 10:20"))
		_, err := f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "reclassify", Category: "repair.urgent"})
		wantErr(t, err, http.StatusUnprocessableEntity, "reason")
		_, err = f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "reclassify", Category: "repair.nosuch", Reason: "x"})
		wantErr(t, err, http.StatusUnprocessableEntity, "category")
		_, err = f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "reclassify", Category: "inquiry.general", Reason: "x"})
		wantErr(t, err, http.StatusUnprocessableEntity, "category")
		_, err = f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "reclassify", Reason: "x"})
		wantErr(t, err, http.StatusUnprocessableEntity, "category")

		tk = f.act(p, tk.ID, ticket.Action{Name: "reclassify", Category: "repair.urgent", Reason: "业主补充：卫生间漏水"})
		if tk.Category != "repair.urgent" || len(tk.Clocks) != 1 {
			t.Fatalf("reclassified: %s with clocks %+v", tk.Category, tk.Clocks)
		}
		c := clockOf(t, tk, "arrival")
		wantTarget(t, tk, "arrival", "2026-11-20 10:10")
		if c.State != ticket.ClockBreached || c.BreachedAt == nil || !c.BreachedAt.Equal(at("2026-11-20 10:10")) || !tk.Breached {
			t.Errorf("arrival clock %s breached at %v, ticket breached %v", c.State, c.BreachedAt, tk.Breached)
		}
		if !c.StartedAt.Equal(at("2026-11-20 10:00")) {
			t.Errorf("arrival counted from %v, want the original receipt", c.StartedAt)
		}
		var actions []string
		for _, e := range tk.Timeline {
			actions = append(actions, e.Action)
			if e.Action == "reclassify" && (e.Detail["reason"] != "业主补充：卫生间漏水" || e.Detail["from"] != "inquiry.general") {
				t.Errorf("reclassify entry %+v", e.Detail)
			}
		}
		if got := strings.Join(actions, ","); got != "received,reclassify,clock.breached" {
			t.Errorf("timeline %s", got)
		}
		if n := len(f.sent.Events(ticket.EventClockBreached)); n != 1 {
			t.Errorf("%d breach notifications, want 1", n)
		}
		var changes string
		if err := db.Reader().QueryRow(f.ctx, "SELECT changes FROM audit_log WHERE action = 'ticket.reclassify' AND object_id = ?",
			tk.ID.String()).Scan(&changes); err != nil || !strings.Contains(changes, "业主补充：卫生间漏水") {
			t.Errorf("audit: %q %v", changes, err)
		}
		// The replaced reply clock's timers are gone: nothing fires at its old target.
		f.clk.Set(at("2026-11-20 10:40"))
		if n, err := f.engine.FireDue(f.ctx); err != nil || n != 0 {
			t.Errorf("%d timers fired after the reclassification (%v)", n, err)
		}

		// Arrived at 10:15, reclassified at 10:20: met late, so breached with the meeting time kept.
		f.clk.Set(at("2026-11-20 10:00"))
		late := f.create(p, ticket.CreateInput{Category: "inquiry.general"})
		f.clk.Set(at("2026-11-20 10:20"))
		f.act(p, late.ID, ticket.Action{Name: "accept", At: ptr(at("2026-11-20 10:05"))})
		f.act(p, late.ID, ticket.Action{Name: "arrive", At: ptr(at("2026-11-20 10:15"))})
		late = f.act(p, late.ID, ticket.Action{Name: "reclassify", Category: "repair.urgent", Reason: "实为紧急维修"})
		if c := clockOf(t, late, "arrival"); c.State != ticket.ClockBreached || c.MetAt == nil || !c.MetAt.Equal(at("2026-11-20 10:15")) {
			t.Errorf("late arrival: %s met %v", c.State, c.MetAt)
		}
	})
}

// TestReclassifyReplaysEvents: clocks of the new category start at their
// start events already recorded (CAL-013) and are met by stop events
// already recorded; targets of the old category go too.
func TestReclassifyReplaysEvents(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.agent("realestate")
		f.clk.Set(at("2026-09-28 12:00"))
		tk := f.create(p, ticket.CreateInput{Category: "inquiry.general", ReceivedAt: ptr(at("2026-09-28 10:00"))})
		if len(tk.Clocks) != 0 || len(tk.Targets) != 1 {
			t.Fatalf("inquiry: clocks %+v targets %+v", tk.Clocks, tk.Targets)
		}
		f.act(p, tk.ID, ticket.Action{Name: "forward", At: ptr(at("2026-09-28 11:00"))})
		tk = f.act(p, tk.ID, ticket.Action{Name: "reclassify", Category: "complaint", Reason: "客户投诉销售承诺"})
		if len(tk.Targets) != 0 {
			t.Errorf("targets of the old category remain: %+v", tk.Targets)
		}
		if c := clockOf(t, tk, "forward"); c.State != ticket.ClockMet || !c.MetAt.Equal(at("2026-09-28 11:00")) {
			t.Errorf("forward clock %s met %v, want met at 11:00", c.State, c.MetAt)
		}
		wantTarget(t, tk, "forward", "2026-09-29 10:00")
		wantTarget(t, tk, "assign", "2026-09-29 11:00") // 24h from the forward
		wantTarget(t, tk, "result", "2026-10-09 00:00") // TKT-006: 3d from receipt, Oct 1 a holiday
		if c := clockOf(t, tk, "reply"); c.State != ticket.ClockPending || c.TargetAt != nil {
			t.Errorf("reply clock %s %v, want pending until the result", c.State, c.TargetAt)
		}
		if tk.Breached {
			t.Error("breached")
		}
	})
}
