package survey

import (
	"encoding/json"
	"math"
	"math/big"
	"net/http"
	"slices"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
	"kefu/internal/policy"
)

// packRules returns the survey rules of a built-in pack.
func packRules(t testing.TB, key string) policy.SurveyRules {
	t.Helper()
	packs, err := policy.Builtins()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range packs {
		if p.Key == key {
			return p.Surveys
		}
	}
	t.Fatalf("no built-in pack %s", key)
	return policy.SurveyRules{}
}

// TestComputeAPIExample is the example of API.md, to the byte of every
// number: POST /api/v1/surveys/compute on the property pack.
func TestComputeAPIExample(t *testing.T) {
	in := ComputeInput{Pack: "property", Households: 1000, Distributed: 800, Returned: 698, Verified: 35, Genuine: 34,
		Satisfied: 640, Answered: 698}
	got, err := Compute(packRules(t, "property"), in)
	if err != nil {
		t.Fatal(err)
	}
	want := Result{DistributionRate: 80.0, ReturnRate: 87.25, VerificationRate: 5.01, AuthenticityRate: 97.14,
		RawSatisfaction: 91.69, Deduction: 0, Satisfaction: 91.69,
		Meets: Meets{Distribution: true, Return: true, Verification: true, Authenticity: true}}
	if got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	// The JSON is the contract's, key for key and number for number.
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	const contract = `{"distribution_rate":80.0,"return_rate":87.25,"verification_rate":5.01,"authenticity_rate":97.14,` +
		`"raw_satisfaction":91.69,"deduction":0,"satisfaction":91.69,` +
		`"meets":{"distribution":true,"return":true,"verification":true,"authenticity":true}}`
	var a, c map[string]any
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(contract), &c); err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(a)
	jc, _ := json.Marshal(c)
	if string(ja) != string(jc) {
		t.Errorf("JSON %s\nwant %s", b, contract)
	}
}

// TestComputeRuleExamples are the worked examples of RULES.md SUR-004 to
// SUR-008 and RPT-004.
func TestComputeRuleExamples(t *testing.T) {
	rules := packRules(t, "property")
	all := Meets{true, true, true, true}
	for _, c := range []struct {
		name string
		in   ComputeInput
		want Result
	}{
		// SUR-004: 1,200 occupied households → at least 960 forms.
		{"SUR-004 960 of 1200", ComputeInput{Households: 1200, Distributed: 960, Returned: 816, Verified: 41, Genuine: 40,
			Satisfied: 750, Answered: 815},
			Result{80, 85, 5.02, 97.56, 92.02, 0, 92.02, all}},
		{"SUR-004 959 of 1200", ComputeInput{Households: 1200, Distributed: 959, Returned: 816, Verified: 41, Genuine: 40,
			Satisfied: 750, Answered: 815},
			Result{79.92, 85.09, 5.02, 97.56, 92.02, 0, 92.02, Meets{false, true, true, true}}},
		// SUR-005: 960 distributed → at least 816 returned; 815 is short
		// by 0.104… points, deducted (SUR-007).
		{"SUR-005 815 of 960", ComputeInput{Households: 1200, Distributed: 960, Returned: 815, Verified: 41, Genuine: 40,
			Satisfied: 750, Answered: 815},
			Result{80, 84.9, 5.03, 97.56, 92.02, 0.1, 91.92, Meets{true, false, true, true}}},
		// SUR-006: 816 returned → verify at least 41 (ceil 40.8); 40 authentic
		// of 41 → 97.6 % (pass); 40 verified is not enough.
		{"SUR-006 40 of 816 verified", ComputeInput{Households: 1200, Distributed: 960, Returned: 816, Verified: 40, Genuine: 40,
			Satisfied: 750, Answered: 815},
			Result{80, 85, 4.9, 100, 92.02, 0, 92.02, Meets{true, true, false, true}}},
		{"SUR-006 authenticity below 95", ComputeInput{Households: 1200, Distributed: 960, Returned: 816, Verified: 41, Genuine: 38,
			Satisfied: 750, Answered: 815},
			Result{80, 85, 5.02, 92.68, 92.02, 0, 92.02, Meets{true, true, true, false}}},
		// SUR-007: return 80.5 % (4.5 points short), raw 92.0 % → 87.5 %.
		{"SUR-007 80.5 %", ComputeInput{Households: 1250, Distributed: 1000, Returned: 805, Verified: 41, Genuine: 40,
			Satisfied: 690, Answered: 750},
			Result{80, 80.5, 5.09, 97.56, 92, 4.5, 87.5, Meets{true, false, true, true}}},
		// SUR-008: 816 returned, 1 fake → 815 valid; 750 satisfied → 92.0 %.
		{"SUR-008 750 of 815", ComputeInput{Households: 1020, Distributed: 960, Returned: 816, Verified: 41, Genuine: 40,
			Satisfied: 750, Answered: 815},
			Result{94.12, 85, 5.02, 97.56, 92.02, 0, 92.02, all}},
		// RPT-004: 1,200 households, 960 distributed (80.0 %), 773 returned
		// (80.5 %), raw 92.0 % → reported 87.5 %; with two decimals the
		// return rate is 80.52 % and the shortfall 4.479… points.
		{"RPT-004", ComputeInput{Households: 1200, Distributed: 960, Returned: 773, Verified: 39, Genuine: 38,
			Satisfied: 690, Answered: 750},
			Result{80, 80.52, 5.05, 97.44, 92, 4.48, 87.52, Meets{true, false, true, true}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Compute(rules, c.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
	// The one-decimal figures of the RULES.md examples.
	got, _ := Compute(rules, ComputeInput{Households: 1200, Distributed: 960, Returned: 773, Verified: 39, Genuine: 38,
		Satisfied: 690, Answered: 750})
	if oneDecimal(got.ReturnRate) != 80.5 || oneDecimal(got.Satisfaction) != 87.5 {
		t.Errorf("RPT-004 to one decimal: return %v, reported %v", got.ReturnRate, got.Satisfaction)
	}
}

func oneDecimal(f float64) float64 { return math.Round(f*10) / 10 }

// base is a valid campaign the deduction and rounding tests vary.
func base(distributed, returned int) ComputeInput {
	verified := (returned + 19) / 20
	return ComputeInput{Households: distributed, Distributed: distributed, Returned: returned, Verified: verified,
		Genuine: verified, Satisfied: returned * 9 / 10, Answered: returned}
}

// TestDeductionBoundary: no deduction at or above the return target
// (85 % inclusive), a proportional one just below it, and the whole-point
// reading of seed 000 art.10 when a pack asks for it (SUR-007).
func TestDeductionBoundary(t *testing.T) {
	rules := packRules(t, "property")
	wholePoints := rules
	wholePoints.DeductionFractions = policy.DeductWholePoints
	double := rules
	double.DeductionPerPoint = 2
	for _, c := range []struct {
		name       string
		rules      policy.SurveyRules
		in         ComputeInput
		ret, deduc float64
		meets      bool
	}{
		{"exactly 85 %", rules, base(10000, 8500), 85, 0, true},
		{"85.01 %", rules, base(10000, 8501), 85.01, 0, true},
		{"84.99 %", rules, base(10000, 8499), 84.99, 0.01, false},
		{"84.995 %: shown as 85.00, still short", rules, base(20000, 16999), 85, 0.01, false},
		{"84 %", rules, base(100, 84), 84, 1, false},
		{"80.5 %", rules, base(1000, 805), 80.5, 4.5, false},
		{"whole points: 84.99 %", wholePoints, base(10000, 8499), 84.99, 0, false},
		{"whole points: 84.5 %", wholePoints, base(1000, 845), 84.5, 0, false},
		{"whole points: 84 %", wholePoints, base(100, 84), 84, 1, false},
		{"whole points: 83.99 %", wholePoints, base(10000, 8399), 83.99, 1, false},
		{"whole points: 80.5 %", wholePoints, base(1000, 805), 80.5, 4, false},
		{"two points per point: 84.5 %", double, base(1000, 845), 84.5, 1, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Compute(c.rules, c.in)
			if err != nil {
				t.Fatal(err)
			}
			raw := got.RawSatisfaction
			if got.ReturnRate != c.ret || got.Deduction != c.deduc || got.Meets.Return != c.meets {
				t.Errorf("return %v deduction %v meets %v, want %v %v %v", got.ReturnRate, got.Deduction, got.Meets.Return,
					c.ret, c.deduc, c.meets)
			}
			if want := math.Round((raw-c.deduc)*100) / 100; math.Abs(got.Satisfaction-want) > 0.0100001 {
				t.Errorf("satisfaction %v, raw %v − deduction %v", got.Satisfaction, raw, c.deduc)
			}
		})
	}
	// A deduction larger than the raw rate stops at zero.
	got, err := Compute(rules, ComputeInput{Households: 100, Distributed: 100, Returned: 10, Verified: 1, Genuine: 1,
		Satisfied: 5, Answered: 10})
	if err != nil {
		t.Fatal(err)
	}
	if got.ReturnRate != 10 || got.RawSatisfaction != 50 || got.Deduction != 50 || got.Satisfaction != 0 {
		t.Errorf("large shortfall: %+v", got)
	}
}

// TestRoundingHalfUp: rates are exact fractions rounded half up once
// (0.025 → 0.03, 91.525 → 91.53, 1.005 → 1.01), never float surprises.
func TestRoundingHalfUp(t *testing.T) {
	rules := packRules(t, "general")
	for _, c := range []struct {
		satisfied, answered int
		want                float64
	}{
		{1, 4000, 0.03},     // 0.025 (half-even would give 0.02)
		{3661, 4000, 91.53}, // 91.525 (half-even: 91.52)
		{201, 20000, 1.01},  // 1.005 (1.005*100 in float64 is 100.49999…)
		{2, 3, 66.67},       // 66.666…
		{1, 3, 33.33},       // 33.333…
		{1, 20000, 0.01},    // 0.005
		{0, 4000, 0},        // nobody satisfied
		{4000, 4000, 100},   // everybody
		{19999, 20000, 100}, // 99.995 rounds half up to 100.00
	} {
		in := base(20000, 20000)
		in.Satisfied, in.Answered = c.satisfied, c.answered
		got, err := Compute(rules, in)
		if err != nil {
			t.Fatal(err)
		}
		if got.RawSatisfaction != c.want {
			t.Errorf("%d/%d = %v, want %v", c.satisfied, c.answered, got.RawSatisfaction, c.want)
		}
	}
}

// TestComputeValidation: every bad count is a 422 naming its field.
func TestComputeValidation(t *testing.T) {
	rules := packRules(t, "property")
	ok := ComputeInput{Households: 1000, Distributed: 800, Returned: 698, Verified: 35, Genuine: 34, Satisfied: 640, Answered: 698}
	for _, c := range []struct {
		name  string
		edit  func(*ComputeInput)
		field string
	}{
		{"negative households", func(in *ComputeInput) { in.Households = -1 }, "households"},
		{"negative distributed", func(in *ComputeInput) { in.Distributed = -800 }, "distributed"},
		{"negative returned", func(in *ComputeInput) { in.Returned = -1 }, "returned"},
		{"negative verified", func(in *ComputeInput) { in.Verified = -1 }, "verified"},
		{"negative genuine", func(in *ComputeInput) { in.Genuine = -1 }, "genuine"},
		{"negative satisfied", func(in *ComputeInput) { in.Satisfied = -1 }, "satisfied"},
		{"negative answered", func(in *ComputeInput) { in.Answered = -1 }, "answered"},
		{"zero households", func(in *ComputeInput) { *in = ComputeInput{} }, "households"},
		{"zero distributed", func(in *ComputeInput) {
			in.Distributed, in.Returned, in.Verified, in.Genuine, in.Satisfied, in.Answered = 0, 0, 0, 0, 0, 0
		}, "distributed"},
		{"zero returned", func(in *ComputeInput) {
			in.Returned, in.Verified, in.Genuine, in.Satisfied, in.Answered = 0, 0, 0, 0, 0
		}, "returned"},
		{"zero verified", func(in *ComputeInput) { in.Verified, in.Genuine = 0, 0 }, "verified"},
		{"zero answered", func(in *ComputeInput) { in.Satisfied, in.Answered = 0, 0 }, "answered"},
		{"distributed > households", func(in *ComputeInput) { in.Distributed = 1001 }, "distributed"},
		{"returned > distributed", func(in *ComputeInput) { in.Returned = 801 }, "returned"},
		{"verified > returned", func(in *ComputeInput) { in.Returned, in.Answered, in.Verified = 30, 30, 35 }, "verified"},
		{"genuine > verified", func(in *ComputeInput) { in.Genuine = 36 }, "genuine"},
		{"answered > returned", func(in *ComputeInput) { in.Answered = 699 }, "answered"},
		{"satisfied > answered", func(in *ComputeInput) { in.Satisfied = 699 }, "satisfied"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := ok
			c.edit(&in)
			_, err := Compute(rules, in)
			e, isApp := apperr.As(err)
			if !isApp || e.Status != http.StatusUnprocessableEntity || e.Code != apperr.CodeValidation || e.Field != c.field {
				t.Fatalf("error %#v, want 422 on %s", err, c.field)
			}
			for _, l := range []i18n.Locale{i18n.ZH, i18n.EN} {
				if msg := e.Message.In(l); msg == "" || containsBadVerb(msg) {
					t.Errorf("%s message %q", l, msg)
				}
			}
		})
	}
	if _, err := Compute(rules, ok); err != nil {
		t.Fatalf("the valid input is refused: %v", err)
	}
}

func containsBadVerb(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '%' && s[i+1] == '!' {
			return true
		}
	}
	return false
}

// FuzzCompute: any counts and targets give either a 422 naming one of the
// input fields or rates within 0..100 whose meets and deduction agree
// with the exact arithmetic; never a panic. Each input is also folded into
// a valid campaign, which must compute, so the arithmetic is explored and
// not only the validation.
func FuzzCompute(f *testing.F) {
	f.Add(int64(1000), int64(800), int64(698), int64(35), int64(34), int64(640), int64(698), uint8(85), uint8(1), false)
	f.Add(int64(1200), int64(960), int64(773), int64(39), int64(38), int64(690), int64(750), uint8(85), uint8(1), true)
	f.Add(int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), uint8(0), uint8(0), false)
	f.Add(int64(math.MaxInt64), int64(math.MaxInt64), int64(1), int64(1), int64(1), int64(1), int64(1), uint8(100), uint8(100), false)
	f.Fuzz(func(t *testing.T, households, distributed, returned, verified, genuine, satisfied, answered int64,
		returnPct, perPoint uint8, wholePoints bool) {
		rules := policy.DefaultSurveyRules()
		rules.ReturnPct = 1 + int(returnPct)%100
		rules.DeductionPerPoint = 1 + int(perPoint)%100
		if wholePoints {
			rules.DeductionFractions = policy.DeductWholePoints
		}
		raw := ComputeInput{Households: int(households), Distributed: int(distributed), Returned: int(returned),
			Verified: int(verified), Genuine: int(genuine), Satisfied: int(satisfied), Answered: int(answered)}
		checkCompute(t, rules, raw, false)

		// The same numbers folded into a valid campaign.
		mod := func(x, m int64) int64 { return (x%m + m) % m }
		h := 1 + mod(households, 1_000_000_000_000)
		d := 1 + mod(distributed, h)
		r := 1 + mod(returned, d)
		v := 1 + mod(verified, r)
		a := 1 + mod(answered, r)
		valid := ComputeInput{Households: int(h), Distributed: int(d), Returned: int(r), Verified: int(v),
			Genuine: int(mod(genuine, v+1)), Satisfied: int(mod(satisfied, a+1)), Answered: int(a)}
		checkCompute(t, rules, valid, true)
	})
}

var inputFields = []string{"households", "distributed", "returned", "verified", "genuine", "satisfied", "answered"}

// checkCompute checks the invariants of one computation.
func checkCompute(t *testing.T, rules policy.SurveyRules, in ComputeInput, mustSucceed bool) {
	t.Helper()
	got, err := Compute(rules, in)
	if err != nil {
		e, ok := apperr.As(err)
		if mustSucceed || !ok || e.Status != http.StatusUnprocessableEntity || !slices.Contains(inputFields, e.Field) {
			t.Fatalf("%+v: error %#v", in, err)
		}
		return
	}
	for name, v := range map[string]float64{"distribution": got.DistributionRate, "return": got.ReturnRate,
		"verification": got.VerificationRate, "authenticity": got.AuthenticityRate, "raw": got.RawSatisfaction,
		"deduction": got.Deduction, "satisfaction": got.Satisfaction} {
		if !(v >= 0 && v <= 100) || v != math.Round(v*100)/100 {
			t.Fatalf("%s rate %v out of 0..100 or not two decimals: %+v", name, v, got)
		}
	}
	if got.Deduction > got.RawSatisfaction || got.Satisfaction > got.RawSatisfaction ||
		math.Abs(got.Satisfaction-(got.RawSatisfaction-got.Deduction)) > 0.0100001 {
		t.Fatalf("raw %v − deduction %v ≠ satisfaction %v", got.RawSatisfaction, got.Deduction, got.Satisfaction)
	}
	n := func(x int) *big.Int { return big.NewInt(int64(x)) }
	// meets.return is the exact comparison returned ≥ pct % × distributed.
	lhs := new(big.Int).Mul(n(in.Returned), big.NewInt(100))
	rhs := new(big.Int).Mul(n(rules.ReturnPct), n(in.Distributed))
	if meets := lhs.Cmp(rhs) >= 0; meets != got.Meets.Return || meets && got.Deduction != 0 {
		t.Fatalf("return %d/%d target %d: meets %v deduction %v", in.Returned, in.Distributed, rules.ReturnPct,
			got.Meets.Return, got.Deduction)
	}
	// meets.verification is verified ≥ ceil(pct % × returned) (SUR-006).
	need := new(big.Int).Mul(n(rules.VerificationPct), n(in.Returned))
	need.Add(need, big.NewInt(99))
	need.Quo(need, big.NewInt(100))
	if meets := n(in.Verified).Cmp(need) >= 0; meets != got.Meets.Verification {
		t.Fatalf("verified %d of %d: meets %v, need %v", in.Verified, in.Returned, got.Meets.Verification, need)
	}
}
