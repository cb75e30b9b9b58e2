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
