package visit_test

import (
	"testing"

	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/testkit"
	"kefu/internal/visit"
)

// TestVisitorStats: a month's visits by the visitor who recorded them
// (RPT-001): two assistants share an emergency's 5 visits; the one who
// recorded 3 — one by phone, one after the due time, one raising an issue
// still open — comes first; the other recorded 2, the late one by phone
// with its issue answered; sign-offs, satisfaction and the handling rate
// (VIS-012) are each visitor's own; another company sees none of it.
func TestVisitorStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		second := testkit.User(t, db, testkit.Unit(t, f.org, f.co.ID, org.Department, "二区管家部", ""), auth.RoleFieldStaff)
		first, sup := f.people["assistant"], f.people["supervisor"]
		f.clk.Set(at("2026-03-10 09:00"))
		o := f.occasion("supervisor", "emergency", "3栋爆管", "2026-03-09 15:00", 5) // due Thu 2026-03-12 18:00 (VIS-007)
		vs := f.visitsOf(o)
		if len(vs) != 5 {
			t.Fatalf("%d visits", len(vs))
		}
		reply := at("2026-03-20 17:00")
		sig := "data:image/png;base64,iVBORw0KGgo="
		record := func(who *auth.Principal, v *visit.Visit, in visit.RecordInput) {
			t.Helper()
			if _, err := f.visits.Record(f.ctx, who, v.ID, in); err != nil {
				t.Fatal(err)
			}
		}
		record(first, vs[0], visit.RecordInput{Mode: "phone", Result: "satisfied"})
		record(first, vs[1], visit.RecordInput{Mode: "in_person", Result: "satisfied", Signature: sig, NewIssue: "楼道墙面返潮", ReplyDueAt: &reply})
		record(second, vs[2], visit.RecordInput{Mode: "in_person", Result: "satisfied", Signature: sig})
		f.clk.Set(at("2026-03-13 10:00")) // past the due time
		record(first, vs[3], visit.RecordInput{Mode: "in_person", Result: "satisfied", Signature: sig})
		record(second, vs[4], visit.RecordInput{Mode: "phone", Result: "satisfied", NewIssue: "电梯异响", ReplyDueAt: &reply})
		for _, v := range []*visit.Visit{vs[0], vs[1], vs[4]} {
			if _, err := f.visits.Review(f.ctx, sup, v.ID, "已核查"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.visits.Answer(f.ctx, second, vs[4].ID, visit.AnswerInput{Outcome: "已维保", Response: "已电话告知"}); err != nil {
			t.Fatal(err)
		}
		st, err := f.visits.VisitorStats(f.ctx, sup, "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		want := []visit.VisitorStats{
			{UserID: first.UserID, Done: 3, SignedOff: 2, Satisfied: 2, Phone: 1, Late: 1, IssuesRaised: 1, Satisfaction: 100, HandlingRate: 0},
			{UserID: second.UserID, Done: 2, SignedOff: 1, Satisfied: 1, Phone: 1, Late: 1, IssuesRaised: 1, IssuesAnswered: 1, Satisfaction: 100, HandlingRate: 100},
		}
		if len(st) != 2 {
			t.Fatalf("stats %+v", st)
		}
		for i := range want {
			want[i].Name = st[i].Name
			if st[i] != want[i] || st[i].Name == "" {
				t.Errorf("visitor %d: %+v, want %+v", i, st[i], want[i])
			}
		}
		if st, err := f.visits.VisitorStats(f.ctx, sup, "2026-02"); err != nil || len(st) != 0 {
			t.Errorf("another month: %+v %v", st, err)
		}
		other := testkit.Unit(t, f.org, f.root.ID, org.Company, "乙物业", "property")
		if st, err := f.visits.VisitorStats(f.ctx, testkit.User(t, db, other, auth.RoleManager), "2026-03"); err != nil || len(st) != 0 {
			t.Errorf("another company sees %+v %v", st, err)
		}
		if s, field := refusal(t, ignore(f.visits.VisitorStats(f.ctx, sup, "2026-13"))); s != 422 || field != "month" {
			t.Errorf("bad month: %d %s", s, field)
		}
		viewer := testkit.User(t, db, f.co, auth.RoleViewer)
		if s, _ := refusal(t, ignore(f.visits.VisitorStats(f.ctx, viewer, "2026-03"))); s != 403 {
			t.Errorf("viewer: %d", s)
		}
	})
}
