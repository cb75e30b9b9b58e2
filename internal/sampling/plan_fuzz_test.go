package sampling

import (
	"fmt"
	"slices"
	"testing"

	"kefu/internal/policy"
	"kefu/internal/sample"
)

// FuzzPlan checks the invariants of Plan, Allocate and Draw for any rule
// the validator accepts and any population:
//   - the quota is ceil(rate × base), raised to the floor, never above the base;
//   - the strata add up to the quota less the shortfall, none above its
//     count, an empty stratum gets nothing, and there is a shortfall only
//     when every stratum is checked whole; uncounted strata split by weight;
//   - the methods add up to the drawn items;
//   - Allocate keeps its invariants for any weights and caps, zero and
//     negative included;
//   - a draw picks exactly the plan's sizes, distinct items of the population.
//
// The seed corpus holds the regulation's worked examples.
func FuzzPlan(f *testing.F) {
	type args struct {
		base, rate, floor  int
		w0, w1, w2, w3, w4 uint8
		c0, c1, c2, c3, c4 int16
		counted, split     bool
	}
	for _, a := range []args{
		{3600, 2, 0, 30, 30, 15, 15, 10, -1, -1, -1, -1, -1, false, false},   // SMP-003: 72 → 22/21/11/11/7
		{3600, 2, 0, 30, 30, 15, 15, 10, 2000, 1600, 40, 60, 0, true, false}, // no boilers → 24/24/12/12
		{3600, 2, 0, 30, 30, 15, 15, 10, 20, 10, 3, 2, 1, true, false},       // shortfall
		{650, 2, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, true},              // SMP-006: 20 → 10/10
		{1530, 2, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, true},             // 31 → 16/15
		{61, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, false},               // SMP-005: 4
		{400, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, false},              // SMP-009: 12
		{15, 2, 20, 1, 1, 0, 0, 0, 7, 8, 0, 0, 0, true, true},                // fewer than the floor
		{0, 50, 5, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, true, false},                // nothing to sample
	} {
		f.Add(a.base, a.rate, a.floor, a.w0, a.w1, a.w2, a.w3, a.w4, a.c0, a.c1, a.c2, a.c3, a.c4, a.counted, a.split)
	}
	f.Fuzz(func(t *testing.T, base, rate, floor int, w0, w1, w2, w3, w4 uint8, c0, c1, c2, c3, c4 int16, counted, split bool) {
		base = abs(base) % 1_000_000
		rate = abs(rate)%100 + 1
		floor = abs(floor) % 1000
		weights := []int{int(w0), int(w1), int(w2), int(w3), int(w4)}
		counts := []int{int(c0), int(c1), int(c2), int(c3), int(c4)}

		// Allocate with raw weights and caps (a negative cap is no cap).
		sz, short := Allocate(base%500, weights, counts)
		checkAllocation(t, base%500, weights, counts, sz, short)

		// A rule the validator would accept: positive weights, caps ≥ 0.
		r := &policy.SamplingRule{Key: "fuzz", Population: "x", Period: "month", RatePct: rate, Floor: floor}
		for i, w := range weights {
			if w > 0 {
				r.Strata = append(r.Strata, policy.SamplingStratum{Key: fmt.Sprintf("s%d", i), Weight: w})
			}
		}
		if split {
			r.Methods, r.MethodShares = []string{"on_site", "phone"}, []int{int(w0)%99 + 1, 99 - int(w0)%99}
		}
		pop := Population{Base: base}
		if counted && len(r.Strata) > 0 {
			pop.Strata = map[string]int{}
			for i, s := range r.Strata {
				pop.Strata[s.Key] = abs(counts[i]) % 300
			}
		}
		p, err := Plan(r, pop)
		if err != nil {
			t.Fatalf("Plan: %v", err)
		}
		if p.Quota > base || p.Quota < min(floor, base) {
			t.Fatalf("quota %d outside [min(floor %d, base %d), base]", p.Quota, floor, base)
		}
		if p.Quota > floor && p.Quota < base && !((p.Quota-1)*100 < rate*base && rate*base <= p.Quota*100) {
			t.Fatalf("quota %d is not ceil(%d %% × %d)", p.Quota, rate, base)
		}
		if p.Quota < base && p.Quota*100 < rate*base {
			t.Fatalf("quota %d below %d %% of %d", p.Quota, rate, base)
		}
		if len(r.Strata) == 0 {
			if p.Shortfall != 0 || len(p.Strata) != 0 {
				t.Fatalf("no strata: %+v", p)
			}
		} else {
			w := make([]int, len(r.Strata))
			c := make([]int, len(r.Strata))
			got := make([]int, len(r.Strata))
			for i, s := range p.Strata {
				w[i], got[i], c[i] = s.Weight, s.Size, -1
				if pop.Strata != nil {
					c[i] = s.Population
				}
			}
			checkAllocation(t, p.Quota, w, c, got, p.Shortfall)
			if pop.Strata == nil && !slices.Equal(got, sample.Apportion(p.Quota, w)) {
				t.Fatalf("uncounted strata %v, want the weight split %v", got, sample.Apportion(p.Quota, w))
			}
		}
		if split {
			sum := 0
			for _, m := range p.Methods {
				sum += m.Size
			}
			if sum != p.Drawn() {
				t.Fatalf("methods %+v add up to %d, drawn %d", p.Methods, sum, p.Drawn())
			}
		}
		if pop.Strata != nil || len(r.Strata) == 0 && base <= 2000 {
			checkDraw(t, p, pop)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		if n == -n { // math.MinInt
			return 0
		}
		return -n
	}
	return n
}

// checkAllocation asserts Allocate's contract.
func checkAllocation(t *testing.T, total int, weights, caps, sizes []int, short int) {
	t.Helper()
	sum := 0
	allFull := true
	for i, n := range sizes {
		sum += n
		if n < 0 || caps[i] >= 0 && n > caps[i] {
			t.Fatalf("Allocate(%d, %v, %v) = %v: part %d outside [0, cap]", total, weights, caps, sizes, i)
		}
		if (weights[i] <= 0 || caps[i] == 0) && n != 0 {
			t.Fatalf("Allocate(%d, %v, %v) = %v: part %d has no weight or is empty", total, weights, caps, sizes, i)
		}
		if weights[i] > 0 && (caps[i] < 0 || n < caps[i]) {
			allFull = false
		}
	}
	if short < 0 || sum+short != max(total, 0) {
		t.Fatalf("Allocate(%d, %v, %v) = %v short %d: does not add up", total, weights, caps, sizes, short)
	}
	if short > 0 && !allFull {
		t.Fatalf("Allocate(%d, %v, %v) = %v: shortfall %d with room left", total, weights, caps, sizes, short)
	}
}

// checkDraw draws from a made-up population of the plan's counts.
func checkDraw(t *testing.T, p *SamplePlan, pop Population) {
	t.Helper()
	var items []Item
	if len(p.Strata) == 0 {
		items = households("", "i", pop.Base)
	}
	for _, s := range p.Strata {
		items = append(items, households(s.Key, s.Key, s.Population)...)
	}
	s, err := Draw(p, items, "fuzz")
	if err != nil {
		t.Fatalf("Draw: %v", err)
	}
	if len(s.Items) != p.Drawn() {
		t.Fatalf("drew %d, plan %d", len(s.Items), p.Drawn())
	}
	seen := map[string]bool{}
	per := map[string]int{}
	for _, it := range s.Items {
		if seen[it.Stratum+"/"+it.ID] {
			t.Fatalf("%s drawn twice", it.ID)
		}
		seen[it.Stratum+"/"+it.ID] = true
		per[it.Stratum]++
	}
	for _, sp := range p.Strata {
		if per[sp.Key] != sp.Size {
			t.Fatalf("stratum %s: drew %d, plan %d", sp.Key, per[sp.Key], sp.Size)
		}
	}
	for _, m := range p.Methods {
		n := 0
		for _, it := range s.Items {
			if it.Method == m.Method {
				n++
			}
		}
		if n != m.Size {
			t.Fatalf("method %s: %d, plan %d", m.Method, n, m.Size)
		}
	}
}
