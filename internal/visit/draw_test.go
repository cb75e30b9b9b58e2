package visit

import (
	"fmt"
	"slices"
	"testing"
)

// month simulates a month of completions, n items spread over days with
// the mandatory ones at the given positions, drawn day by day; it returns
// the refs drawn and checks after each day that the month never falls
// behind its quota, and goes beyond it only by mandatory items (which the
// following days then absorb).
func month(t *testing.T, rate, n int, mandatory map[int]bool, perDay []int, seed string) []string {
	t.Helper()
	var drawn []string
	seen, next := 0, 0
	for day := 0; next < n; day++ {
		size := min(perDay[day%len(perDay)], n-next)
		batch := make([]Candidate, size)
		for i := range batch {
			batch[i] = Candidate{Ref: fmt.Sprintf("ticket:%d", next+i), Mandatory: mandatory[next+i]}
		}
		others := 0
		for _, i := range Draw(rate, seen, len(drawn), batch, fmt.Sprintf("%s|%d", seed, day)) {
			drawn = append(drawn, batch[i].Ref)
			if !batch[i].Mandatory {
				others++
			}
		}
		seen += size
		next += size
		quota := Quota(rate, seen)
		if len(drawn) < quota {
			t.Fatalf("after day %d (%d items): %d drawn, behind the quota %d", day, seen, len(drawn), quota)
		}
		if len(drawn) > quota && others > 0 {
			t.Fatalf("after day %d (%d items): %d drawn, over the quota %d with %d items drawn at random", day, seen,
				len(drawn), quota, others)
		}
	}
	return drawn
}

// TestDrawMeetsTheRateExactly: closing 100 complaints in a month (5 of
// them major) draws exactly 50 visits, the majors among them (VIS-002,
// VIS-003, VIS-016), and the month holds its quota after every day.
func TestDrawMeetsTheRateExactly(t *testing.T) {
	majors := map[int]bool{3: true, 17: true, 40: true, 41: true, 99: true}
	got := month(t, 50, 100, majors, []int{3, 5, 2, 4, 0, 6, 1}, "complaint|2026-09")
	if len(got) != 50 {
		t.Fatalf("%d visits, want 50", len(got))
	}
	for i := range majors {
		if !slices.Contains(got, fmt.Sprintf("ticket:%d", i)) {
			t.Errorf("major complaint %d was not drawn", i)
		}
	}
	// Reproducible: the same seed draws the same visits; another month's
	// seed draws others.
	if again := month(t, 50, 100, majors, []int{3, 5, 2, 4, 0, 6, 1}, "complaint|2026-09"); !slices.Equal(got, again) {
		t.Error("the same seed drew different visits")
	}
	if other := month(t, 50, 100, majors, []int{3, 5, 2, 4, 0, 6, 1}, "complaint|2026-10"); slices.Equal(got, other) {
		t.Error("another month's seed drew the very same visits")
	}
}

// TestDrawRulesExamples: the worked examples of RULES.md.
func TestDrawRulesExamples(t *testing.T) {
	// VIS-002/VIS-003: 38 complaints, 3 major → 19 visits, the 3 among them.
	got := month(t, 50, 38, map[int]bool{0: true, 20: true, 37: true}, []int{2, 1, 3}, "complaint|2026-09")
	if len(got) != 19 || !slices.Contains(got, "ticket:37") {
		t.Errorf("38 complaints: %d visits %v", len(got), got)
	}
	// VIS-005/VIS-016: 47 repairs at 30 % → 14.1 → 15.
	if got := month(t, 30, 47, nil, []int{4, 2, 5}, "repair|2026-01"); len(got) != 15 {
		t.Errorf("47 repairs: %d visits, want 15", len(got))
	}
	// VIS-014: every gas repair order.
	if got := month(t, 100, 312, nil, []int{11, 9}, "repair_phone|2026-03"); len(got) != 312 {
		t.Errorf("gas repairs: %d visits, want 312", len(got))
	}
	// Mandatory items beyond the quota are all visited.
	all := map[int]bool{0: true, 1: true, 2: true, 3: true}
	if got := month(t, 50, 4, all, []int{4}, "complaint|2026-11"); len(got) != 4 {
		t.Errorf("4 majors: %d visits", len(got))
	}
}

func TestQuota(t *testing.T) {
	for _, c := range []struct{ rate, n, want int }{{50, 38, 19}, {30, 47, 15}, {10, 120, 12}, {50, 0, 0}, {30, 1, 1}, {100, 7, 7}, {50, 99, 50}} {
		if got := Quota(c.rate, c.n); got != c.want {
			t.Errorf("Quota(%d%%, %d) = %d, want %d", c.rate, c.n, got, c.want)
		}
	}
}
