package sample

import (
	"slices"
	"testing"
)

// TestQuota checks the ceiling of the worked examples.
func TestQuota(t *testing.T) {
	for _, c := range []struct{ rate, base, want int }{
		{30, 47, 15}, // VIS-016: 14.1 → 15
		{50, 100, 50},
		{10, 120, 12}, // VIS-006
		{5, 816, 41},  // SUR-006: 40.8 → 41
		{5, 0, 0},
		{100, 7, 7},
	} {
		if got := Quota(c.rate, c.base); got != c.want {
			t.Errorf("Quota(%d, %d) = %d, want %d", c.rate, c.base, got, c.want)
		}
	}
}

// TestPick checks that a draw has k distinct indexes in range, ascending,
// the same for the same seed and (almost always) different for another.
func TestPick(t *testing.T) {
	a := Pick("survey|1|816", 816, 41)
	if len(a) != 41 || !slices.IsSorted(a) || a[0] < 0 || a[40] >= 816 {
		t.Fatalf("pick %v", a)
	}
	if len(slices.Compact(slices.Clone(a))) != 41 {
		t.Fatalf("duplicates in %v", a)
	}
	if b := Pick("survey|1|816", 816, 41); !slices.Equal(a, b) {
		t.Errorf("same seed, different draws: %v %v", a, b)
	}
	if c := Pick("survey|2|816", 816, 41); slices.Equal(a, c) {
		t.Errorf("another seed drew the same: %v", c)
	}
	if all := Pick("x", 3, 5); !slices.Equal(all, []int{0, 1, 2}) {
		t.Errorf("k ≥ n: %v", all)
	}
	if none := Pick("x", 3, 0); len(none) != 0 {
		t.Errorf("k = 0: %v", none)
	}
}

// TestQuotaAtLeast: the floor applies after rounding, and never beyond the
// population (SMP-006, SMP-009).
func TestQuotaAtLeast(t *testing.T) {
	for _, c := range []struct{ rate, base, floor, want int }{
		{2, 650, 20, 20},  // 13 → at least 20
		{2, 1530, 20, 31}, // 30.6 → 31
		{3, 400, 10, 12},  // SMP-009: 12
		{2, 15, 20, 15},   // fewer households than the floor: all of them
		{5, 0, 10, 0},
	} {
		if got := QuotaAtLeast(c.rate, c.base, c.floor); got != c.want {
			t.Errorf("QuotaAtLeast(%d, %d, %d) = %d, want %d", c.rate, c.base, c.floor, got, c.want)
		}
	}
}

// TestApportion: the worked examples of SMP-003 and SMP-006, ties in the
// listed order, an empty stratum reallocated, and the parts always adding
// up to the total.
func TestApportion(t *testing.T) {
	for _, c := range []struct {
		total   int
		weights []int
		want    []int
	}{
		{72, []int{30, 30, 15, 15, 10}, []int{22, 21, 11, 11, 7}}, // SMP-003
		{72, []int{30, 30, 15, 15, 0}, []int{24, 24, 12, 12, 0}},  // no wall-hung boilers
		{20, []int{50, 50}, []int{10, 10}},                        // SMP-006: 650 households
		{31, []int{50, 50}, []int{16, 15}},                        // the odd one on site
		{1, []int{1, 1, 1}, []int{1, 0, 0}},
		{5, []int{0, 0}, []int{0, 0}},
		{0, []int{3, 1}, []int{0, 0}},
	} {
		got := Apportion(c.total, c.weights)
		if !slices.Equal(got, c.want) {
			t.Errorf("Apportion(%d, %v) = %v, want %v", c.total, c.weights, got, c.want)
		}
	}
	for total := 0; total < 200; total++ {
		w := []int{total % 7, 3, total % 5, 11}
		sum := 0
		for _, n := range Apportion(total, w) {
			sum += n
		}
		if sum != total {
			t.Fatalf("Apportion(%d, %v) adds up to %d", total, w, sum)
		}
	}
}
