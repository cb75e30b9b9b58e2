package ticket_test

import (
	"net/http"
	"testing"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/ticket"
)

// TestCategoryClocks creates a work order of every built-in category of
// API.md on the worked examples of RULES.md and checks every target
// (24:00 is written 00:00 of the next day).
func TestCategoryClocks(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule, pack, category, received string
		due                            map[string]string // clock kind → target
		pending                        []string          // clocks that wait for a later event
	}{
		{"TKT-005", "realestate", "complaint", "2026-09-25 15:00",
			map[string]string{"forward": "2026-09-26 15:00", "result": "2026-09-29 00:00"}, []string{"assign", "reply"}},
		{"TKT-006", "realestate", "complaint", "2026-09-28 10:00",
			map[string]string{"forward": "2026-09-29 10:00", "result": "2026-10-09 00:00"}, []string{"assign", "reply"}},
		{"TKT-005/006", "realestate", "complaint", "2026-09-30 16:00",
			map[string]string{"forward": "2026-10-01 16:00", "result": "2026-10-09 00:00"}, []string{"assign", "reply"}},
		{"TKT-011", "realestate", "complaint.sales_office", "2026-05-09 15:00", map[string]string{"resolve": "2026-05-10 00:00"}, nil},
		{"TKT-022", "property", "complaint.attitude.general", "2026-03-10 16:30", map[string]string{"resolve": "2026-03-11 11:00"}, nil},
		{"TKT-022", "property", "complaint.attitude.serious", "2026-03-10 16:30", map[string]string{"resolve": "2026-03-12 18:00"}, nil},
		{"TKT-022", "property", "complaint.attitude.general", "2026-11-20 16:00", map[string]string{"resolve": "2026-11-23 10:30"}, nil},
		{"TKT-022", "property", "complaint.attitude.serious", "2026-11-20 16:00", map[string]string{"resolve": "2026-11-23 18:00"}, nil},
		{"TKT-023", "property", "repair.urgent", "2026-06-21 03:12", map[string]string{"arrival": "2026-06-21 03:22"}, nil},
		{"TKT-023", "property", "repair.simple", "2026-06-22 11:00", map[string]string{"resolve": "2026-06-22 16:30"}, nil},
		{"TKT-023", "property", "repair.other", "2026-06-18 10:00", map[string]string{"resolve": "2026-06-30 18:00"}, nil},
		{"TKT-023", "property", "repair.simple", "2026-11-20 16:00", map[string]string{"resolve": "2026-11-23 10:30"}, nil},
		{"TKT-023", "property", "repair.other", "2026-11-20 16:00", map[string]string{"resolve": "2026-12-01 18:00"}, nil},
		{"TKT-024", "property", "common.urgent", "2026-07-04 20:05", map[string]string{"arrival": "2026-07-04 20:15"}, nil},
		{"TKT-024", "property", "common.other", "2026-04-03 10:00", map[string]string{"resolve": "2026-04-09 18:00"}, nil},
		{"TKT-024", "property", "common.other", "2026-11-20 16:00", map[string]string{"resolve": "2026-11-25 18:00"}, nil},
		{"TKT-025", "property", "complaint.neighbour", "2026-11-20 22:40", map[string]string{"arrival": "2026-11-20 22:55"}, nil},
		{"TKT-025", "property", "complaint.other", "2026-05-01 09:30", map[string]string{"arrival": "2026-05-01 17:30"}, nil},
		{"TKT-026", "property", "inquiry.general", "2026-11-20 10:05", map[string]string{"reply": "2026-11-20 10:35"}, nil},
		{"TKT-026", "property", "inquiry.external", "2026-11-20 10:05", map[string]string{"reply": "2026-11-20 10:35"}, nil},
		{"TKT-027", "property", "inquiry.other_dept", "2026-04-30 10:00", map[string]string{"reply": "2026-05-07 18:00"}, nil},
		{"TKT-027", "property", "inquiry.other_dept", "2026-11-20 16:00", map[string]string{"reply": "2026-11-24 18:00"}, nil},
		{"TKT-028", "gas", "fault.network", "2026-02-14 21:00",
			map[string]string{"handle": "2026-02-15 03:00", "resolve": "2026-02-15 21:00"}, nil},
		{"TKT-028", "gas", "fault.network", "2026-11-23 10:00",
			map[string]string{"handle": "2026-11-23 16:00", "resolve": "2026-11-24 10:00"}, nil},
		{"TKT-031", "gas", "complaint", "2026-11-23 10:00", map[string]string{}, nil},
		{"TKT-003", "power", "appliance.damage", "2026-09-30 16:00", map[string]string{"arrival": "2026-10-01 16:00"}, nil},
		{"TKT-003", "power", "test.commissioned", "2026-09-30 16:00", map[string]string{"reply": "2026-10-11 00:00"}, nil},
		{"TKT-014", "general", "complaint.general", "2026-02-13 14:00", map[string]string{"resolve": "2026-02-15 00:00"}, nil},
		{"TKT-014", "general", "complaint.major", "2026-02-13 14:00", map[string]string{"resolve": "2026-02-26 00:00"}, nil},
		{"TKT-014", "general", "complaint.general", "2026-11-20 16:00", map[string]string{"resolve": "2026-11-24 00:00"}, nil},
		{"TKT-014", "general", "complaint.major", "2026-11-20 16:00", map[string]string{"resolve": "2026-11-26 00:00"}, nil},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for _, c := range cases {
			p := f.agent(c.pack)
			tk := f.create(p, ticket.CreateInput{Pack: c.pack, Category: c.category, Channel: "phone",
				ReceivedAt: ptr(at(c.received)), Customer: nil, Subject: c.rule})
			if tk.Status != ticket.StatusNew || tk.Number == "" || tk.PackVersion < 1 {
				t.Errorf("%s: new work order %+v", c.rule, tk)
			}
			if n := len(c.due) + len(c.pending); len(tk.Clocks) != n {
				t.Errorf("%s %s/%s: %d clocks, want %d: %+v", c.rule, c.pack, c.category, len(tk.Clocks), n, tk.Clocks)
			}
			for kind, due := range c.due {
				wantTarget(t, tk, kind, due)
				if cl := clockOf(t, tk, kind); cl.State != ticket.ClockRunning || cl.Provisional {
					t.Errorf("%s %s: state %s provisional %v", c.rule, kind, cl.State, cl.Provisional)
				}
			}
			for _, kind := range c.pending {
				if cl := clockOf(t, tk, kind); cl.State != ticket.ClockPending || cl.TargetAt != nil {
					t.Errorf("%s %s: %s clock %s with target %v, want pending without target", c.rule, c.category, kind, cl.State, cl.TargetAt)
				}
			}
		}
	})
}

// TestChainedClocks: the realestate complaint's assign clock waits for the
// forward and its reply clock for the result (TKT-005, TKT-006, CAL-013);
// each event meets its own clock.
func TestChainedClocks(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.agent("realestate")
		tk := f.create(p, ticket.CreateInput{Pack: "realestate", Category: "complaint", ReceivedAt: ptr(at("2026-09-28 10:00"))})
		tk = f.act(p, tk.ID, ticket.Action{Name: "forward", At: ptr(at("2026-09-29 09:00"))})
		if c := clockOf(t, tk, "forward"); c.State != ticket.ClockMet || !c.MetAt.Equal(at("2026-09-29 09:00")) {
			t.Errorf("forward clock %s met %v", c.State, c.MetAt)
		}
		wantTarget(t, tk, "assign", "2026-09-30 09:00") // 24h from the forward
		if c := clockOf(t, tk, "reply"); c.State != ticket.ClockPending {
			t.Errorf("reply clock %s before the result", c.State)
		}
		dept := f.unit(f.units["realestate"].ID, "department", "工程部", "")
		tk = f.act(p, tk.ID, ticket.Action{Name: "assign", OrgUnit: &dept.ID, At: ptr(at("2026-09-29 15:00"))})
		if c := clockOf(t, tk, "assign"); c.State != ticket.ClockMet {
			t.Errorf("assign clock %s after assign", c.State)
		}
		tk = f.act(p, tk.ID, ticket.Action{Name: "result", At: ptr(at("2026-09-30 16:00")), Text: "已维修"})
		wantTarget(t, tk, "reply", "2026-10-09 00:00") // TKT-006: last day Oct 2 is a holiday
		if c := clockOf(t, tk, "result"); c.State != ticket.ClockMet {
			t.Errorf("result clock %s", c.State)
		}
		if tk.Status != ticket.StatusResultReturned {
			t.Errorf("status %s", tk.Status)
		}
	})
}

// TestClockTimes refuses action times in the future or before receipt and
// a receipt in the future.
func TestClockTimes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.agent("property")
		_, err := f.svc.Create(f.ctx, p, ticket.CreateInput{Pack: "property", Category: "repair.simple", ReceivedAt: ptr(f.clk.Now().Add(60e9))})
		wantErr(t, err, http.StatusUnprocessableEntity, "received_at")
		for field, in := range map[string]ticket.CreateInput{
			"pack":     {Pack: "nosuch", Category: "repair.simple"},
			"category": {Pack: "property", Category: "complaint.sales_office"},
			"channel":  {Pack: "property", Category: "repair.simple", Channel: "pigeon"},
			"severity": {Pack: "property", Category: "repair.simple", Severity: "apocalyptic"},
		} {
			_, err := f.svc.Create(f.ctx, p, in)
			wantErr(t, err, http.StatusUnprocessableEntity, field)
		}
		tk := f.create(p, ticket.CreateInput{Category: "repair.simple", ReceivedAt: ptr(at("2026-06-22 11:00"))})
		if tk.Pack != "property" {
			t.Errorf("pack %s, want the pack of the caller's unit", tk.Pack)
		}
		_, err = f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "accept", At: ptr(at("2026-06-22 10:59"))})
		wantErr(t, err, http.StatusUnprocessableEntity, "at")
		_, err = f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "accept", At: ptr(f.clk.Now().Add(60e9))})
		wantErr(t, err, http.StatusUnprocessableEntity, "at")
		_, err = f.svc.Act(f.ctx, p, tk.ID, ticket.Action{Name: "refuse"}) // TKT-002: there is no refusal
		wantErr(t, err, http.StatusUnprocessableEntity, "action")
	})
}
