// Package sampling computes supervision-sampling plans and draws (稽查/抽查,
// RULES.md SMP): how many items of a checked person's work a rule of the
// policy pack's sampling section requires, how that quota splits over the
// rule's strata and check methods, and which items are drawn, reproducibly,
// for a seed. It is pure: no database, no clock. The stored draws,
// verification tasks, ledger and escalation build on it.
//
// The arithmetic is the SMP intro's (G-22): quota = ceil(rate × base); a
// floor applies after rounding and never exceeds the base; splits go by
// largest remainder with ties in the listed order (internal/sample). A
// stratum with fewer items than its share is checked whole and the rest of
// its share goes to the other strata in proportion to their weights; an
// empty stratum gets nothing (SMP-003: no wall-hung boilers → 24/24/12/12).
package sampling

import (
	"slices"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/sample"
)

// Population is what a rule's quota is computed from, for one checked
// person and period.
type Population struct {
	// Base is the count the rate applies to: the month's meter-reading
	// households, the inspector's households, the meter replacements.
	Base int `json:"population"`
	// Strata are the items available in each stratum of the rule, by
	// stratum key; a stratum left out has none (it is empty). Nil when the
	// sizes are not known: the quota is then split by weight alone, with
	// no stratum capped or emptied (POST /api/v1/sampling/size).
	Strata map[string]int `json:"strata,omitempty"`
	// RatePct overrides the rule's rate for the company, between the
	// rule's rate and its highest rate (SMP-003 small companies, SMP-009
	// 3–5 %); 0 keeps the rule's rate.
	RatePct int `json:"rate_pct,omitempty"`
}

// SamplePlan is the sample a rule requires of one population: the quota,
// its split over the strata and methods, and what a check session needs.
type SamplePlan struct {
	Rule   string `json:"rule"`
	Period string `json:"period"`
	Base   int    `json:"population"`
	// RatePct is the rate applied (the rule's or the company's override).
	RatePct int `json:"rate_pct"`
	// Quota is the number of items to check: ceil(rate × base), at least
	// the floor, at most the base; the whole base for an every-job rule.
	// API.md calls it "sample".
	Quota int `json:"sample"`
	// Max is the quota at the rule's highest rate (SMP-009: 3–5 % of 400
	// → 12 to 20); equal to Quota when the rule allows no override.
	Max int `json:"max"`
	// FloorApplied: the floor raised the quota (SMP-006: 13 → 20).
	FloorApplied bool `json:"floor_applied,omitempty"`
	// Every: each item is checked as it happens (SMP-005 risers).
	Every bool `json:"every,omitempty"`
	// SessionMin is the least a check session covers (SMP-009: 10).
	SessionMin int `json:"session_min,omitempty"`
	// Strata split the quota (in the rule's order); StrataCounted says
	// whether each stratum's available items were known and capped.
	Strata        []StratumPlan `json:"strata"`
	StrataCounted bool          `json:"strata_counted"`
	// Shortfall is the part of the quota no stratum could take because
	// every stratum is checked whole: the strata hold fewer items than the
	// base asks for. It is reported, never drawn.
	Shortfall int `json:"shortfall,omitempty"`
	// Methods split the drawn items between the check methods when the
	// rule has shares (SMP-006: 50/50, the odd one to the first listed);
	// AllowedMethods are the rule's methods.
	Methods        []MethodPlan `json:"methods,omitempty"`
	AllowedMethods []string     `json:"allowed_methods"`
}

// StratumPlan is one stratum's part of the quota.
type StratumPlan struct {
	Key    string `json:"key"`
	Weight int    `json:"weight"`
	// Population is the stratum's available items; 0 when not counted.
	Population int `json:"population"`
	Size       int `json:"size"`
}

// MethodPlan is one check method's part of the drawn items.
type MethodPlan struct {
	Method string `json:"method"`
	Size   int    `json:"size"`
}

// Drawn is the number of items the plan draws: the quota less the
// shortfall.
func (p *SamplePlan) Drawn() int { return p.Quota - p.Shortfall }

// Met reports whether checked items meet the quota (SMP-004: 148 readings,
// 147 re-checked → not met; SMP-017 counts the miss).
func (p *SamplePlan) Met(checked int) bool { return checked >= p.Quota }

// Plan computes the sample the rule requires of the population. A rule
// without a population (periodic checks only), a negative count, a rate
// override outside the rule's band or a stratum the rule does not have is
// a validation error naming the field.
func Plan(r *policy.SamplingRule, pop Population) (*SamplePlan, error) {
	if !r.HasQuota() {
		return nil, apperr.Validation("rule", i18n.T("规则 %q 没有抽查对象，只有定期检查", "rule %q has no population, only periodic checks", r.Key))
	}
	if pop.Base < 0 {
		return nil, apperr.Validation("population", i18n.T("不能为负数", "must not be negative"))
	}
	rate, err := rateOf(r, pop.RatePct)
	if err != nil {
		return nil, err
	}
	p := &SamplePlan{Rule: r.Key, Period: r.Period, Base: pop.Base, RatePct: rate, Every: r.Every,
		SessionMin: r.SessionMin, Strata: []StratumPlan{}, AllowedMethods: slices.Clone(r.Methods)}
	if p.AllowedMethods == nil {
		p.AllowedMethods = []string{}
	}
	if r.Every {
		p.Quota, p.Max = pop.Base, pop.Base
	} else {
		p.Quota = sample.QuotaAtLeast(rate, pop.Base, r.Floor)
		p.Max = sample.QuotaAtLeast(max(r.MaxRatePct, rate), pop.Base, r.Floor)
		p.FloorApplied = p.Quota > sample.Quota(rate, pop.Base)
	}
	if err := p.splitStrata(r, pop.Strata); err != nil {
		return nil, err
	}
	if r.HasMethodSplit() {
		parts := sample.Apportion(p.Drawn(), r.MethodShares)
		for i, m := range r.Methods {
			p.Methods = append(p.Methods, MethodPlan{Method: m, Size: parts[i]})
		}
	}
	return p, nil
}

// rateOf is the rate applied: the rule's, or the company's override within
// [rate, max rate].
func rateOf(r *policy.SamplingRule, override int) (int, error) {
	if override == 0 {
		return r.RatePct, nil
	}
	hi := max(r.MaxRatePct, r.RatePct)
	if r.Every || override < r.RatePct || override > hi {
		if r.Every || hi == r.RatePct {
			return 0, apperr.Validation("rate_pct", i18n.T("规则 %q 的比例不可调整", "the rate of rule %q cannot be changed", r.Key))
		}
		return 0, apperr.Validation("rate_pct", i18n.T("须在 %d 到 %d 之间", "must be between %d and %d", r.RatePct, hi))
	}
	return override, nil
}

// splitStrata fills the strata of the plan from the counts (nil: unknown).
func (p *SamplePlan) splitStrata(r *policy.SamplingRule, counts map[string]int) error {
	if len(r.Strata) == 0 {
		if len(counts) > 0 {
			return apperr.Validation("strata", i18n.T("规则 %q 不分类抽查", "rule %q has no strata", r.Key))
		}
		return nil
	}
	for k, n := range counts {
		if !slices.ContainsFunc(r.Strata, func(s policy.SamplingStratum) bool { return s.Key == k }) {
			return apperr.Validation("strata."+k, i18n.T("规则 %q 没有此分类", "rule %q has no such stratum", r.Key))
		}
		if n < 0 {
			return apperr.Validation("strata."+k, i18n.T("不能为负数", "must not be negative"))
		}
	}
	p.StrataCounted = counts != nil
	weights := make([]int, len(r.Strata))
	caps := make([]int, len(r.Strata))
	for i, s := range r.Strata {
		weights[i] = s.Weight
		caps[i] = -1
		if p.StrataCounted {
			caps[i] = counts[s.Key]
		}
	}
	sizes, short := Allocate(p.Quota, weights, caps)
	for i, s := range r.Strata {
		sp := StratumPlan{Key: s.Key, Weight: s.Weight, Size: sizes[i]}
		if p.StrataCounted {
			sp.Population = caps[i]
		}
		p.Strata = append(p.Strata, sp)
	}
	p.Shortfall = short
	return nil
}

// Allocate splits total over parts by weight with the largest-remainder
// method (sample.Apportion), no part above its cap (a negative cap is no
// cap). A part with a zero cap or a non-positive weight gets nothing. When
// a part's share exceeds its cap it gets its cap — it is checked whole —
// and the rest is apportioned again over the parts still open, in
// proportion to their weights, until every share fits; what no open part
// can take is returned as the shortfall. So the parts add up to
// total − shortfall, and the shortfall is positive only when every part
// with a weight is at its cap.
//
// Capping all the parts that overflow in a round is sound: apportioning
// the rest again only gives the other parts more, so a part that overflows
// would overflow again. (Largest remainder is not strictly monotone — the
// Alabama paradox — but the invariants above hold whatever the rounding.)
func Allocate(total int, weights, caps []int) (sizes []int, shortfall int) {
	n := len(weights)
	sizes = make([]int, n)
	open := make([]bool, n)
	for i := range n {
		open[i] = weights[i] > 0 && caps[i] != 0
	}
	left := max(total, 0)
	for left > 0 {
		w := make([]int, n)
		anyOpen := false
		for i := range n {
			if open[i] {
				w[i], anyOpen = weights[i], true
			}
		}
		if !anyOpen {
			break
		}
		parts := sample.Apportion(left, w)
		capped := false
		for i := range n {
			if open[i] && caps[i] >= 0 && parts[i] > caps[i] {
				sizes[i], open[i], capped = caps[i], false, true
				left -= caps[i]
			}
		}
		if !capped {
			for i := range n {
				if open[i] {
					sizes[i] = parts[i]
				}
			}
			left = 0
		}
	}
	return sizes, left
}
