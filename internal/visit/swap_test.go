package visit_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/visit"
)

// live counts the first-round visits of a month that were not swapped out.
func (f *fixture) live(month string) []*visit.Visit {
	f.t.Helper()
	admin := &auth.Principal{Username: "admin", Roles: []auth.Role{auth.RoleAdmin}}
	all, err := f.visits.List(f.ctx, admin, visit.Filter{Month: month, Limit: 500})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []*visit.Visit
	for _, v := range all {
		if v.Round == 1 && v.Status != visit.StatusCancelled {
			out = append(out, v)
		}
	}
	return out
}

// TestSwapKeepsTheQuota (VIS-016): the CS supervisor swaps a drawn
// complaint for an undrawn one of the month with a reason; the visit is
// cancelled and names its replacement, the replacement is due by the same
// rule, and the month keeps exactly its quota — also after the next day's
// draw. A major complaint cannot be swapped out (VIS-003), nor a recorded
// visit; only the owner role swaps.
func TestSwapKeepsTheQuota(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for i := range 10 { // Mon 2026-09-14: 10 complaints, one major → 5 visits
			sev := ""
			if i == 4 {
				sev = "major"
			}
			f.complaint(at(fmt.Sprintf("2026-09-14 %02d:00", 8+i)), sev, i)
		}
		f.clk.Set(at("2026-09-15 00:05"))
		if _, err := f.engine.FireDue(f.ctx); err != nil {
			t.Fatal(err)
		}
		drawn := f.live("2026-09")
		if len(drawn) != 5 {
			t.Fatalf("%d visits drawn of 10 at 50 %%", len(drawn))
		}
		var out, major *visit.Visit
		for _, v := range drawn {
			if v.Mandatory {
				major = v
			} else if out == nil {
				out = v
			}
		}
		sup := f.people["supervisor"]
		f.clk.Set(at("2026-09-15 09:00"))
		if s, field := refusal(t, ignore(f.visits.Swap(f.ctx, sup, out.ID, visit.SwapInput{Reason: " "}))); s != 422 || field != "reason" {
			t.Errorf("no reason: %d %s", s, field)
		}
		if s, _ := refusal(t, ignore(f.visits.Swap(f.ctx, f.people["assistant"], out.ID, visit.SwapInput{Reason: "业主出差"}))); s != http.StatusForbidden {
			t.Errorf("the assistant swapped: %d", s)
		}
		if s, field := refusal(t, ignore(f.visits.Swap(f.ctx, sup, major.ID, visit.SwapInput{Reason: "业主出差"}))); s != http.StatusConflict || field != "mandatory" {
			t.Errorf("a major complaint swapped out: %d %s (VIS-003)", s, field)
		}
		if s, field := refusal(t, ignore(f.visits.Swap(f.ctx, sup, out.ID, visit.SwapInput{Reason: "业主出差", CandidateID: 987654}))); s != 422 || field != "candidate_id" {
			t.Errorf("a candidate of nothing: %d %s", s, field)
		}
		reps, err := f.visits.Replacements(f.ctx, sup, out.ID, 100)
		if err != nil || len(reps) != 5 {
			t.Fatalf("replacements %+v %v, want the 5 undrawn complaints", reps, err)
		}
		if s, _ := refusal(t, ignore(f.visits.Replacements(f.ctx, f.people["assistant"], out.ID, 100))); s != http.StatusForbidden {
			t.Errorf("the assistant listed the replacements: %d", s)
		}
		got, err := f.visits.Swap(f.ctx, sup, out.ID, visit.SwapInput{Reason: "业主出差一个月，无法回访"})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != visit.StatusCancelled || got.SwappedTo == 0 || got.SwapReason != "业主出差一个月，无法回访" {
			t.Fatalf("the swapped visit: %+v", got)
		}
		repl, err := f.visits.Get(f.ctx, sup, got.SwappedTo)
		if err != nil {
			t.Fatal(err)
		}
		if repl.SwappedFrom != out.ID || repl.Round != 1 || repl.Status != visit.StatusOpen || repl.Rule != "complaint" ||
			repl.RefID == out.RefID || !repl.DueAt.Equal(at("2026-09-17 18:00")) { // closed Mon 09-14 + 3d (VIS-002)
			t.Errorf("the replacement: %+v", repl)
		}
		if !slices.ContainsFunc(reps, func(r visit.Replacement) bool { return r.RefNumber == repl.RefNumber }) {
			t.Errorf("the replacement %s is not one of %+v", repl.RefNumber, reps)
		}
		for _, v := range drawn {
			if v.RefID == repl.RefID {
				t.Errorf("the replacement %s was already drawn", repl.RefNumber)
			}
		}
		if n := len(f.live("2026-09")); n != 5 {
			t.Errorf("after the swap the month holds %d visits, want its quota 5", n)
		}
		if _, err := f.visits.Swap(f.ctx, sup, out.ID, visit.SwapInput{Reason: "再换"}); err == nil {
			t.Error("a cancelled visit was swapped again")
		}
		// A recorded visit stays.
		if _, err := f.visits.Record(f.ctx, f.people["assistant"], repl.ID, visit.RecordInput{Mode: "phone", Result: "satisfied"}); err != nil {
			t.Fatal(err)
		}
		if s, field := refusal(t, ignore(f.visits.Swap(f.ctx, sup, repl.ID, visit.SwapInput{Reason: "换"}))); s != http.StatusConflict || field != "status" {
			t.Errorf("a recorded visit swapped: %d %s", s, field)
		}
		// The next day's draw counts the replacement, not the cancelled one:
		// 4 more complaints, population 14 → quota 7.
		for i := range 4 {
			f.complaint(at(fmt.Sprintf("2026-09-15 %02d:00", 10+i)), "", 20+i)
		}
		f.clk.Set(at("2026-09-16 00:05"))
		if _, err := f.engine.FireDue(f.ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(f.live("2026-09")); n != 7 {
			t.Errorf("after the next day the month holds %d visits, want its quota 7", n)
		}
		st, _ := f.visits.Stats(f.ctx, sup, "2026-09")
		if len(st) != 1 || st[0].Population != 14 || st[0].Quota != 7 || st[0].Drawn != 7 {
			t.Errorf("stats %+v", st)
		}
	})
}

// TestSwapInAnOccasion: an occasion's visit is swapped for another
// household of the same occasion, due at the same time; an occasion that
// visits every household has none left (409).
func TestSwapInAnOccasion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		o := f.occasion("supervisor", "activity", "中秋游园会", "2026-08-31 16:00", 120)
		f.occasion("supervisor", "activity", "社区乒乓球赛", "2026-08-31 11:00", 30)
		vs := f.visitsOf(o)
		sup := f.people["supervisor"]
		got, err := f.visits.Swap(f.ctx, sup, vs[0].ID, visit.SwapInput{Reason: "住户已搬走"})
		if err != nil {
			t.Fatal(err)
		}
		repl, _ := f.visits.Get(f.ctx, sup, got.SwappedTo)
		if repl.OccasionID != o.ID || !repl.DueAt.Equal(at("2026-09-30 18:00")) || repl.Role != "field_staff" {
			t.Errorf("the replacement %+v", repl)
		}
		live := 0
		for _, v := range f.visitsOf(o) {
			if v.Status != visit.StatusCancelled {
				live++
			}
		}
		if live != 12 {
			t.Errorf("the occasion holds %d visits after the swap, want 12", live)
		}
		e := f.occasion("supervisor", "emergency", "3栋爆管", "2026-08-31 10:00", 3)
		if s, field := refusal(t, ignore(f.visits.Swap(f.ctx, sup, f.visitsOf(e)[0].ID, visit.SwapInput{Reason: "换"}))); s != http.StatusConflict || field != "candidate_id" {
			t.Errorf("swap with every household visited: %d %s", s, field)
		}
	})
}
