package ticket_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"kefu/internal/customer"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/ticket"
)

// TestClusterAndSession: TKT-008 example — 23 complaints about lift noise
// in building 7 → the fifth suggests a cluster (5 in 7 days, G-48); the
// cluster is created; one session on Sat 2026-03-14 15:00 explains all 23.
func TestClusterAndSession(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.agent("property")
		outsider := f.agent("gas")
		f.clk.Set(at("2026-03-13 18:00"))
		complaint := func(received, addr string) ticket.Ticket {
			f.n++
			return f.create(p, ticket.CreateInput{Category: "complaint.other", ReceivedAt: ptr(at(received)),
				Customer: &customer.Input{Name: fmt.Sprintf("业主%d", f.n), Phone: fmt.Sprintf("139%08d", f.n), Address: addr}})
		}
		// Not similar: another building, another category, outside the 7-day window.
		complaint("2026-03-10 09:00", "8栋1单元101")
		f.create(p, ticket.CreateInput{Category: "repair.other", ReceivedAt: ptr(at("2026-03-10 09:00")),
			Customer: &customer.Input{Name: "业主x", Phone: "13700000000", Address: "7栋2单元"}})
		complaint("2026-03-01 09:00", "7栋3单元301")
		var ids []store.ID
		for i := range 23 {
			tk := complaint(fmt.Sprintf("2026-03-%02d %02d:00", 9+i%5, 8+i/5), fmt.Sprintf("7栋%d单元%d", 1+i%3, 101+i))
			ids = append(ids, tk.ID)
			if i == 3 || i == 4 {
				sm, err := f.svc.Similar(f.ctx, p, tk.ID)
				if err != nil {
					t.Fatal(err)
				}
				if sm.Location != "7栋" || sm.Count != i+1 || sm.Suggest != (i == 4) || sm.Threshold != 5 || sm.WindowDays != 7 {
					t.Errorf("similar to the %d-th: %+v", i+1, sm)
				}
			}
		}
		_, err := f.svc.CreateCluster(f.ctx, p, ticket.ClusterInput{Location: "7栋", TicketIDs: ids})
		wantErr(t, err, http.StatusUnprocessableEntity, "title")
		_, err = f.svc.CreateCluster(f.ctx, p, ticket.ClusterInput{Title: "7栋电梯噪音"})
		wantErr(t, err, http.StatusUnprocessableEntity, "ticket_ids")
		_, err = f.svc.CreateCluster(f.ctx, outsider, ticket.ClusterInput{Title: "7栋电梯噪音", TicketIDs: ids[:1]})
		wantErr(t, err, http.StatusUnprocessableEntity, "ticket_ids") // row scope
		cl, err := f.svc.CreateCluster(f.ctx, p, ticket.ClusterInput{Title: "7栋电梯噪音", Location: "7栋", TicketIDs: ids[:20]})
		if err != nil {
			t.Fatal(err)
		}
		cl, err = f.svc.AddToCluster(f.ctx, p, cl.ID, ticket.ClusterTicketsInput{TicketIDs: ids[18:]})
		if err != nil || len(cl.Tickets) != 23 || cl.Pack != "property" {
			t.Fatalf("cluster %+v (%v)", cl, err)
		}
		_, err = f.svc.CreateCluster(f.ctx, p, ticket.ClusterInput{Title: "重复", TicketIDs: ids[:1]})
		wantErr(t, err, http.StatusConflict, "ticket_ids")
		if sm, _ := f.svc.Similar(f.ctx, p, ids[0]); sm.ClusterID != cl.ID || sm.Suggest {
			t.Errorf("similar in a cluster: %+v", sm)
		}
		_, err = f.svc.GetCluster(f.ctx, outsider, cl.ID)
		wantErr(t, err, http.StatusNotFound, "cluster")

		f.clk.Set(at("2026-03-14 17:00"))
		_, err = f.svc.HoldSession(f.ctx, p, cl.ID, ticket.SessionInput{HeldAt: ptr(at("2026-03-14 18:00")), Place: "7栋大堂", Record: "x"})
		wantErr(t, err, http.StatusUnprocessableEntity, "held_at")
		_, err = f.svc.HoldSession(f.ctx, p, cl.ID, ticket.SessionInput{HeldAt: ptr(at("2026-03-14 15:00")), Record: "x"})
		wantErr(t, err, http.StatusUnprocessableEntity, "place")
		cl, err = f.svc.HoldSession(f.ctx, p, cl.ID, ticket.SessionInput{HeldAt: ptr(at("2026-03-14 15:00")),
			Place: "7栋大堂", Record: "工程部、物业中心、电梯维保单位联合说明噪音原因及整改计划"})
		if err != nil || len(cl.Sessions) != 1 || !cl.Sessions[0].HeldAt.Equal(at("2026-03-14 15:00")) {
			t.Fatalf("session: %+v (%v)", cl.Sessions, err)
		}
		for _, id := range ids {
			tk, err := f.svc.Get(f.ctx, p, id)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range tk.Timeline {
				if e.Action == ticket.EventClustered || e.Action == ticket.EventExplained {
					got = append(got, e.Action+"@"+e.At.In(store.Zone).Format("01-02 15:04")+e.Note)
				}
			}
			if len(got) != 2 || got[1] != "explained@03-14 15:00联合解释" {
				t.Errorf("%s: %v", tk.Number, got)
			}
		}
	})
}

// TestOpenLetter: TKT-010 example — 40 households complained about a
// delayed gate repair; the third open letter of 2026, issued 2026-04-15,
// answers all 40: each timeline shows "answered by open letter
// OL-2026-03", the letter is their (written) reply and meets their reply
// clocks. All or nothing; row scope applies.
func TestOpenLetter(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.agent("realestate")
		outsider := f.agent("gas")
		f.clk.Set(at("2026-02-10 10:00"))
		for range 2 { // the first two letters of 2026
			tk := f.create(p, ticket.CreateInput{Category: "complaint"})
			if _, err := f.svc.IssueOpenLetter(f.ctx, p, ticket.OpenLetterInput{Title: "通知", Body: "…", TicketIDs: []store.ID{tk.ID}}); err != nil {
				t.Fatal(err)
			}
		}
		f.clk.Set(at("2026-04-12 10:00"))
		var ids []store.ID
		for i := range 40 {
			tk := f.create(p, ticket.CreateInput{Category: "complaint", ReceivedAt: ptr(at("2026-04-10 09:00"))})
			if i < 38 {
				f.act(p, tk.ID, ticket.Action{Name: "accept"})
				tk = f.act(p, tk.ID, ticket.Action{Name: "result", Text: "配件延迟到货"})
				wantTarget(t, tk, "reply", "2026-04-15 00:00") // TKT-006: 2d from the result
			}
			ids = append(ids, tk.ID)
		}
		closed := f.create(p, ticket.CreateInput{Category: "complaint", ReceivedAt: ptr(at("2026-04-10 09:00"))})
		f.act(p, closed.ID, ticket.Action{Name: "resolve"})
		f.act(p, closed.ID, ticket.Action{Name: "close"})

		f.clk.Set(at("2026-04-14 16:00"))
		in := ticket.OpenLetterInput{Title: "关于小区大门维修延期的公开信", Body: "各位业主：……", TicketIDs: append(ids[:40:40], closed.ID)}
		_, err := f.svc.IssueOpenLetter(f.ctx, p, in)
		wantErr(t, err, http.StatusConflict, "ticket_ids")
		_, err = f.svc.IssueOpenLetter(f.ctx, outsider, ticket.OpenLetterInput{Title: "x", Body: "y", TicketIDs: ids[:1]})
		wantErr(t, err, http.StatusUnprocessableEntity, "ticket_ids")
		_, err = f.svc.IssueOpenLetter(f.ctx, p, ticket.OpenLetterInput{Title: "x", TicketIDs: ids})
		wantErr(t, err, http.StatusUnprocessableEntity, "body")
		if tk, _ := f.svc.Get(f.ctx, p, ids[0]); tk.Status != ticket.StatusResultReturned {
			t.Fatalf("a refused letter changed a work order: %s", tk.Status)
		}
		in.TicketIDs, in.IssuedAt = ids, ptr(at("2026-04-14 15:00"))
		l, err := f.svc.IssueOpenLetter(f.ctx, p, in)
		if err != nil {
			t.Fatal(err)
		}
		if l.Number != "OL-2026-03" || len(l.Tickets) != 40 || !l.IssuedAt.Equal(at("2026-04-14 15:00")) {
			t.Errorf("letter %s with %d work orders at %v", l.Number, len(l.Tickets), l.IssuedAt)
		}
		for i, id := range ids {
			tk, _ := f.svc.Get(f.ctx, p, id)
			last := tk.Timeline[len(tk.Timeline)-1]
			if tk.Status != ticket.StatusReplied || !tk.WrittenReply || last.Action != "reply" ||
				last.Detail["open_letter"] != "OL-2026-03" || !strings.Contains(last.Note, "answered by open letter OL-2026-03") {
				t.Fatalf("%s: %s written %v, last %s %v %q", tk.Number, tk.Status, tk.WrittenReply, last.Action, last.Detail, last.Note)
			}
			if c := clockOf(t, tk, "reply"); i < 38 && (c.State != ticket.ClockMet || !c.MetAt.Equal(at("2026-04-14 15:00"))) {
				t.Errorf("%s reply clock %s met %v", tk.Number, c.State, c.MetAt)
			}
		}
		got, err := f.svc.GetOpenLetter(f.ctx, p, l.ID)
		if err != nil || got.Number != l.Number || got.Body != "各位业主：……" {
			t.Errorf("get: %+v %v", got, err)
		}
		_, err = f.svc.GetOpenLetter(f.ctx, outsider, l.ID)
		wantErr(t, err, http.StatusNotFound, "open_letter")
	})
}
