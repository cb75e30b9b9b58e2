package ticket_test

import (
	"encoding/json"
	"testing"
	"time"

	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/ticket"
)

// TestCreateAnswersWhatIsStored: Create builds its answer in memory (the
// work order and its clocks are written once, issue 6); for every category
// of every built-in pack, and for intakes that raise, route around the
// respondent or flag a crisis, the answer is exactly what a fresh read of
// the stored record gives, and the queue columns agree with the clocks.
func TestCreateAnswersWhatIsStored(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		type intake struct {
			pack string
			in   ticket.CreateInput
		}
		var cases []intake
		for _, key := range []string{"general", "property", "gas", "power", "realestate"} {
			pack, err := f.packs.Lookup("pack", key)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range pack.Categories {
				cases = append(cases, intake{key, ticket.CreateInput{Category: c.Key, Subject: "测试 " + c.Key,
					Customer: &customer.Input{Name: "王芳", Phone: "13800000000", Address: "幸福里3栋1单元502"}}})
			}
		}
		manager := f.user(f.units["general/cs"], auth.RoleManager, auth.RoleCSAgent)
		cases = append(cases,
			// back-entered long ago: the clocks are already past their targets
			intake{"property", ticket.CreateInput{Category: "repair.simple", ReceivedAt: ptr(at("2026-11-20 16:00"))}},
			intake{"general", ticket.CreateInput{Category: "complaint.major", CrisisParty: "电视台"}},
			intake{"general", ticket.CreateInput{Category: "complaint.major", RespondentUserID: &manager.UserID}},
		)
		agents := map[string]*auth.Principal{}
		for i, c := range cases {
			p := agents[c.pack]
			if p == nil {
				p = f.agent(c.pack)
				agents[c.pack] = p
			}
			f.clk.Set(f.clk.Now().Add(7 * time.Minute))
			got := f.create(p, c.in)
			stored, err := f.svc.Get(f.ctx, p, got.ID)
			if err != nil {
				t.Fatalf("%s/%s: get: %v", c.pack, c.in.Category, err)
			}
			if i > 0 && len(got.Duplicates) == 0 && c.in.Customer != nil && cases[i-1].in.Customer != nil &&
				cases[i-1].pack == c.pack && cases[i-1].in.Category == c.in.Category {
				t.Errorf("%s/%s: no duplicate candidates", c.pack, c.in.Category)
			}
			got.Duplicates, stored.Timeline = nil, nil
			a, _ := json.Marshal(got)
			b, _ := json.Marshal(stored)
			if string(a) != string(b) {
				t.Errorf("%s/%s: answer differs from the stored record\nanswer: %s\nstored: %s", c.pack, c.in.Category, a, b)
			}
			var breached bool
			var nextDue int64
			if err := db.Reader().QueryRow(f.ctx, "SELECT breached, next_due_at FROM tickets WHERE id = ?", got.ID).
				Scan(&breached, &nextDue); err != nil {
				t.Fatal(err)
			}
			var want int64
			for _, ck := range append(stored.Clocks, stored.Targets...) {
				if ck.State == ticket.ClockRunning && (want == 0 || store.Micros(*ck.TargetAt) < want) {
					want = store.Micros(*ck.TargetAt)
				}
			}
			if breached != stored.Breached || nextDue != want {
				t.Errorf("%s/%s: queue columns breached=%v next_due=%d, clocks say %v %d",
					c.pack, c.in.Category, breached, nextDue, stored.Breached, want)
			}
		}
	})
}
