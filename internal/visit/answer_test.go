package visit_test

import (
	"fmt"
	"net/http"
	"testing"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/visit"
)

// TestHandlingRate is VIS-012's worked example: 14 issues raised in a
// month's visits, 13 answered → handling rate 92.86 % (RULES prints 92.9),
// below the 100 % target: flagged; the open issue is listed with
// issues_open until it is answered, then the rate is 100 %. Only the
// visit's role or the owner role answers, with an outcome and a response,
// and only once.
func TestHandlingRate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.clk.Set(at("2026-10-12 09:00"))
		o := f.occasion("supervisor", "emergency", "地下车库进水", "2026-10-09 15:00", 15)
		vs := f.visitsOf(o)
		if len(vs) != 15 {
			t.Fatalf("%d visits", len(vs))
		}
		assistant, sup := f.people["assistant"], f.people["supervisor"]
		reply := at("2026-10-16 17:00")
		for i, v := range vs[:14] { // 14 visits raise an issue, the 15th none
			in := visit.RecordInput{Mode: "phone", Result: "satisfied", NewIssue: fmt.Sprintf("车位积水 %d", i), ReplyDueAt: &reply}
			if _, err := f.visits.Record(f.ctx, assistant, v.ID, in); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.visits.Record(f.ctx, assistant, vs[14].ID, visit.RecordInput{Mode: "phone", Result: "satisfied",
			NewIssue: "  "}); err != nil {
			t.Fatal(err)
		}
		stats := func() visit.RuleStats {
			t.Helper()
			st, err := f.visits.Stats(f.ctx, sup, "2026-10")
			if err != nil || len(st) != 1 {
				t.Fatalf("stats %+v %v", st, err)
			}
			return st[0]
		}
		if s := stats(); s.IssuesRaised != 14 || s.IssuesAnswered != 0 || s.HandlingRate != 0 || !s.HandlingFlag || s.HandlingTargetPct != 100 {
			t.Errorf("before answers: %+v", s)
		}
		// Refusals: the fields, who, which visit.
		answer := visit.AnswerInput{Outcome: "已疏通排水沟", Response: "已电话告知业主排水已恢复"}
		if s, field := refusal(t, ignore(f.visits.Answer(f.ctx, assistant, vs[0].ID, visit.AnswerInput{Response: "x"}))); s != 422 || field != "outcome" {
			t.Errorf("no outcome: %d %s", s, field)
		}
		if s, field := refusal(t, ignore(f.visits.Answer(f.ctx, assistant, vs[0].ID, visit.AnswerInput{Outcome: "x"}))); s != 422 || field != "response" {
			t.Errorf("no response: %d %s", s, field)
		}
		if s, _ := refusal(t, ignore(f.visits.Answer(f.ctx, f.people["agent"], vs[0].ID, answer))); s != http.StatusForbidden {
			t.Errorf("the agent answered: %d", s)
		}
		if s, field := refusal(t, ignore(f.visits.Answer(f.ctx, assistant, vs[14].ID, answer))); s != http.StatusConflict || field != "new_issue" {
			t.Errorf("a visit without issue answered: %d %s", s, field)
		}
		for i, v := range vs[:13] {
			who := assistant // the visit's role …
			if i%2 == 1 {
				who = sup // … or the owner role
			}
			got, err := f.visits.Answer(f.ctx, who, v.ID, answer)
			if err != nil {
				t.Fatal(err)
			}
			if got.IssueOpen || got.AnsweredAt == nil || got.AnsweredBy != who.UserID || got.IssueOutcome != answer.Outcome ||
				got.IssueResponse != answer.Response {
				t.Fatalf("answered: %+v", got)
			}
		}
		if s, field := refusal(t, ignore(f.visits.Answer(f.ctx, sup, vs[0].ID, answer))); s != http.StatusConflict || field != "answered_at" {
			t.Errorf("answered twice: %d %s", s, field)
		}
		if s := stats(); s.IssuesRaised != 14 || s.IssuesAnswered != 13 || s.HandlingRate != 92.86 || !s.HandlingFlag {
			t.Errorf("14 raised, 13 answered: %+v, want 92.86 %% flagged (VIS-012)", s)
		}
		open, err := f.visits.List(f.ctx, sup, visit.Filter{IssuesOpen: true})
		if err != nil || len(open) != 1 || open[0].ID != vs[13].ID || !open[0].IssueOpen {
			t.Fatalf("open issues: %+v %v", open, err)
		}
		if _, err := f.visits.Answer(f.ctx, assistant, vs[13].ID, answer); err != nil {
			t.Fatal(err)
		}
		if s := stats(); s.IssuesAnswered != 14 || s.HandlingRate != 100 || s.HandlingFlag {
			t.Errorf("every issue answered: %+v", s)
		}
		if open, _ := f.visits.List(f.ctx, sup, visit.Filter{IssuesOpen: true}); len(open) != 0 {
			t.Errorf("open issues after the answers: %d", len(open))
		}
	})
}
