// Package survey owns satisfaction-survey campaigns (满意度调查, SUR) and
// their statistics: distribution, return, verification and authenticity
// rates against the targets of the policy pack, the raw satisfaction rate,
// the deduction for a return rate below its target and the reported
// satisfaction rate (SUR-004 to SUR-008, RPT-004).
package survey

import (
	"math/big"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/sample"
)

// ComputeInput are the counts of one survey campaign
// (POST /api/v1/surveys/compute).
type ComputeInput struct {
	// Pack is the policy pack whose survey targets apply; the caller
	// resolves it, Compute does not read it.
	Pack string `json:"pack"`
	// Households: occupied households (入住总户数), the base of the
	// distribution rate (SUR-004).
	Households int `json:"households"`
	// Distributed: forms distributed (发放), the base of the return rate (SUR-005).
	Distributed int `json:"distributed"`
	// Returned: forms returned (回收), the base of the verification rate (SUR-006).
	Returned int `json:"returned"`
	// Verified: returned forms checked with the household (核实), the base
	// of the authenticity rate (SUR-006).
	Verified int `json:"verified"`
	// Genuine: verified forms found authentic (属实).
	Genuine int `json:"genuine"`
	// Satisfied: valid responses whose overall answer is satisfied (SUR-008).
	Satisfied int `json:"satisfied"`
	// Answered: valid responses, i.e. returned forms without the invalid
	// and fake ones; the base of the satisfaction rate (SUR-008).
	Answered int `json:"answered"`
}

// Result are the statistics of a campaign. Every rate is a percentage
// rounded half up to two decimals; Meets compares the exact rates with the
// pack's targets.
type Result struct {
	DistributionRate float64 `json:"distribution_rate"` // distributed ÷ households (SUR-004)
	ReturnRate       float64 `json:"return_rate"`       // returned ÷ distributed (SUR-005)
	VerificationRate float64 `json:"verification_rate"` // verified ÷ returned (SUR-006)
	AuthenticityRate float64 `json:"authenticity_rate"` // genuine ÷ verified (SUR-006)
	RawSatisfaction  float64 `json:"raw_satisfaction"`  // satisfied ÷ answered (SUR-008)
	// Deduction: percentage points taken off the satisfaction rate for the
	// return rate below its target (SUR-007); never more than the raw rate.
	Deduction float64 `json:"deduction"`
	// Satisfaction: the reported rate, raw satisfaction minus the deduction.
	Satisfaction float64 `json:"satisfaction"`
	Meets        Meets   `json:"meets"`
}

// Meets says which campaign targets of the pack are met (each inclusive).
type Meets struct {
	Distribution bool `json:"distribution"` // SUR-004
	Return       bool `json:"return"`       // SUR-005
	Verification bool `json:"verification"` // SUR-006: verified ≥ ceil(5 % × returned)
	Authenticity bool `json:"authenticity"` // SUR-006
}

// count is one input field with its names.
type count struct {
	key, zh string
	n       int
}

// countFields are a campaign's counts with their names, for the checks
// Compute and the campaign's counts share.
type countFields struct {
	households, distributed, returned, verified, genuine, satisfied, answered count
}

func fieldsOf(c Counts) countFields {
	return countFields{
		households:  count{"households", "入住总户数", c.Households},
		distributed: count{"distributed", "发放份数", c.Distributed},
		returned:    count{"returned", "回收份数", c.Returned},
		verified:    count{"verified", "核实份数", c.Verified},
		genuine:     count{"genuine", "核实属实份数", c.Genuine},
		satisfied:   count{"satisfied", "满意份数", c.Satisfied},
		answered:    count{"answered", "有效答卷数", c.Answered},
	}
}

// negative refuses a negative count, naming it.
func (f countFields) negative() error {
	for _, c := range []count{f.households, f.distributed, f.returned, f.verified, f.genuine, f.satisfied, f.answered} {
		if c.n < 0 {
			return apperr.Validation(c.key, i18n.T("%[1]s不能为负数", "%[2]s must not be negative", c.zh, c.key))
		}
	}
	return nil
}

// exceeding refuses a count above its base (returned above distributed …),
// naming the part.
func (f countFields) exceeding() error {
	for _, r := range []struct{ part, whole count }{
		{f.distributed, f.households}, {f.returned, f.distributed}, {f.verified, f.returned}, {f.genuine, f.verified},
		{f.answered, f.returned}, {f.satisfied, f.answered},
	} {
		if r.part.n > r.whole.n {
			return apperr.Validation(r.part.key, i18n.T("%[1]s（%[5]d）不能大于%[2]s（%[6]d）",
				"%[3]s (%[5]d) must not exceed %[4]s (%[6]d)", r.part.zh, r.whole.zh, r.part.key, r.whole.key,
				r.part.n, r.whole.n))
		}
	}
	return nil
}

// rate is the name of a rate, for the messages about its base.
type rate struct{ zh, en string }

// Compute works out the statistics of a campaign under the pack's survey
// rules. Rates are computed exactly (big.Rat) and each reported figure is
// rounded half up to 0.01 once, at the end; the reported satisfaction is
// the exact raw rate minus the exact deduction, floored at zero. Bad
// counts are a 422 naming the field.
func Compute(rules policy.SurveyRules, in ComputeInput) (Result, error) {
	f := fieldsOf(Counts{Households: in.Households, Distributed: in.Distributed, Returned: in.Returned,
		Verified: in.Verified, Genuine: in.Genuine, Answered: in.Answered, Satisfied: in.Satisfied})
	if err := f.negative(); err != nil {
		return Result{}, err
	}
	for _, b := range []struct {
		c    count
		rate rate
	}{
		{f.households, rate{"发放率", "distribution rate"}},
		{f.distributed, rate{"回收率", "return rate"}},
		{f.returned, rate{"核实率", "verification rate"}},
		{f.verified, rate{"真实率", "authenticity rate"}},
		{f.answered, rate{"满意率", "satisfaction rate"}},
	} {
		if b.c.n == 0 {
			return Result{}, apperr.Validation(b.c.key, i18n.T("%[1]s须大于 0（%[3]s的分母）",
				"%[2]s must be greater than 0 (it is the base of the %[4]s)", b.c.zh, b.c.key, b.rate.zh, b.rate.en))
		}
	}
	if err := f.exceeding(); err != nil {
		return Result{}, err
	}

	dist := percent(in.Distributed, in.Households)
	ret := percent(in.Returned, in.Distributed)
	ver := percent(in.Verified, in.Returned)
	auth := percent(in.Genuine, in.Verified)
	raw := percent(in.Satisfied, in.Answered)

	deduction := deductionOf(rules, ret, raw)
	reported := new(big.Rat).Sub(raw, deduction)

	return Result{
		DistributionRate: round2(dist),
		ReturnRate:       round2(ret),
		VerificationRate: round2(ver),
		AuthenticityRate: round2(auth),
		RawSatisfaction:  round2(raw),
		Deduction:        round2(deduction),
		Satisfaction:     round2(reported),
		Meets: Meets{
			Distribution: dist.Cmp(whole(rules.DistributionPct)) >= 0,
			Return:       ret.Cmp(whole(rules.ReturnPct)) >= 0,
			Verification: ver.Cmp(whole(rules.VerificationPct)) >= 0,
			Authenticity: auth.Cmp(whole(rules.AuthenticityPct)) >= 0,
		},
	}, nil
}

// deductionOf is SUR-007: each percentage point of return rate below the
// target takes DeductionPerPoint points off; fractions count
// proportionally unless the pack counts whole points only; never more
// than the raw rate.
func deductionOf(rules policy.SurveyRules, ret, raw *big.Rat) *big.Rat {
	deduction := new(big.Rat)
	if short := new(big.Rat).Sub(whole(rules.ReturnPct), ret); short.Sign() > 0 {
		if rules.DeductionFractions == policy.DeductWholePoints {
			short.SetInt(new(big.Int).Quo(short.Num(), short.Denom())) // floor, short > 0
		}
		deduction.Mul(short, whole(rules.DeductionPerPoint))
		if deduction.Cmp(raw) > 0 {
			deduction.Set(raw) // the rate does not go below zero
		}
	}
	return deduction
}

// Live are a campaign's figures as far as its counts allow, while it
// runs: each rate once its base is above zero, the deduction and the
// reported satisfaction once forms have been distributed and answered
// (neither depends on the verification). Rounded and compared as Compute.
type Live struct {
	DistributionRate *float64 `json:"distribution_rate"`
	ReturnRate       *float64 `json:"return_rate"`
	VerificationRate *float64 `json:"verification_rate"`
	AuthenticityRate *float64 `json:"authenticity_rate"`
	RawSatisfaction  *float64 `json:"raw_satisfaction"`
	Deduction        *float64 `json:"deduction"`
	Satisfaction     *float64 `json:"satisfaction"`
	// VerificationQuota: forms to verify, ceil(verification_pct × returned).
	VerificationQuota int       `json:"verification_quota"`
	Meets             LiveMeets `json:"meets"`
}

// LiveMeets says which targets the live figures meet; nil while unknown.
// Verification is met by verifying the quota of forms (SUR-006);
// Satisfaction holds the reported rate against monthly_target_pct (SUR-010).
type LiveMeets struct {
	Distribution *bool `json:"distribution"`
	Return       *bool `json:"return"`
	Verification *bool `json:"verification"`
	Authenticity *bool `json:"authenticity"`
	Satisfaction *bool `json:"satisfaction"`
}

// LiveFigures works out the live figures of counts under the rules.
func LiveFigures(rules policy.SurveyRules, c Counts) Live {
	var l Live
	rate := func(part, base, target int) (*big.Rat, *float64, *bool) {
		if base <= 0 {
			return nil, nil, nil
		}
		r := percent(part, base)
		v := round2(r)
		if target <= 0 {
			return r, &v, nil
		}
		m := r.Cmp(whole(target)) >= 0
		return r, &v, &m
	}
	_, l.DistributionRate, l.Meets.Distribution = rate(c.Distributed, c.Households, rules.DistributionPct)
	ret, retV, retM := rate(c.Returned, c.Distributed, rules.ReturnPct)
	l.ReturnRate, l.Meets.Return = retV, retM
	_, l.VerificationRate, _ = rate(c.Verified, c.Returned, 0)
	_, l.AuthenticityRate, l.Meets.Authenticity = rate(c.Genuine, c.Verified, rules.AuthenticityPct)
	raw, rawV, _ := rate(c.Satisfied, c.Answered, 0)
	l.RawSatisfaction = rawV
	if c.Returned > 0 {
		l.VerificationQuota = sample.Quota(rules.VerificationPct, c.Returned) // SUR-006
		m := c.Verified >= l.VerificationQuota
		l.Meets.Verification = &m
	}
	if ret != nil && raw != nil {
		d := deductionOf(rules, ret, raw)
		reported := new(big.Rat).Sub(raw, d)
		dv, sv := round2(d), round2(reported)
		m := reported.Cmp(whole(rules.MonthlyTargetPct)) >= 0
		l.Deduction, l.Satisfaction, l.Meets.Satisfaction = &dv, &sv, &m
	}
	return l
}

var hundred = big.NewInt(100)

// percent is 100 × part ÷ base, exactly; base > 0.
func percent(part, base int) *big.Rat {
	num := new(big.Int).Mul(big.NewInt(int64(part)), hundred)
	return new(big.Rat).SetFrac(num, big.NewInt(int64(base)))
}

// whole is n percentage points.
func whole(n int) *big.Rat { return new(big.Rat).SetInt64(int64(n)) }

// round2 rounds a non-negative percentage half up to two decimals:
// floor(100 × r + ½) hundredths. The result is the float64 nearest that
// decimal, which JSON writes as the decimal itself (87.25, 5.01).
func round2(r *big.Rat) float64 {
	// (200·num + den) ÷ (2·den) = 100·r + ½, floored (num ≥ 0).
	num := new(big.Int).Mul(r.Num(), big.NewInt(200))
	num.Add(num, r.Denom())
	den := new(big.Int).Mul(r.Denom(), big.NewInt(2))
	h := new(big.Int).Quo(num, den)
	f, _ := new(big.Rat).SetFrac(h, hundred).Float64()
	return f
}
