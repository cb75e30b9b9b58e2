// Package visit owns return visits (回访, VIS): the tasks that the pack's
// visit rules create when work orders or processes complete, the sampling
// that draws them at the rate the regulations ask, the visit records with
// their evidence, follow-up rounds and the supervisor's sign-off.
//
// This file is the draw (VIS-016). The population of a rule is the items
// completed in a calendar month, less exemptions; the quota is ceil(rate ×
// population). Visits are due days after completion, so the draw cannot
// wait for the month to end: it runs once a day over that day's
// completions (a batch). A batch takes its mandatory items (major
// complaints, VIS-003) and then, at random, as many others as bring the
// month's visits up to ceil(rate × the month's population so far). After
// every batch — the month's last one included — the month has exactly the
// quota (more only when mandatory items alone exceed it). The random choice
// is seeded by the rule, the month and the day, so a draw can be repeated
// and checked; every draw is recorded with its seed.
package visit

import (
	"slices"

	"kefu/internal/sample"
)

// Candidate is one completed item of a batch.
type Candidate struct {
	Ref       string // what is visited: "ticket:123", "process:7"
	Mandatory bool   // always visited (VIS-003)
}

// Quota is ceil(ratePct × population / 100) (VIS-016: rounding up).
func Quota(ratePct, population int) int { return sample.Quota(ratePct, population) }

// Draw returns the indexes (ascending) of the batch's candidates to visit:
// every mandatory one, then others chosen at random with the seed until the
// month's visits reach the quota of its population so far. seen is the
// month's population before the batch, drawn the visits drawn before it.
func Draw(ratePct, seen, drawn int, batch []Candidate, seed string) []int {
	var picked, others []int
	for i, c := range batch {
		if c.Mandatory {
			picked = append(picked, i)
		} else {
			others = append(others, i)
		}
	}
	if need := Quota(ratePct, seen+len(batch)) - drawn - len(picked); need > 0 {
		for _, i := range sample.Pick(seed, len(others), need) {
			picked = append(picked, others[i])
		}
	}
	slices.Sort(picked)
	return picked
}
