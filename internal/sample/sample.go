// Package sample owns the seeded random sampling the regulations ask for:
// quotas rounded up (VIS-016, SUR-006, the SMP intro: quota = ceil(rate ×
// base)) and reproducible draws — the same seed picks the same items, so
// a draw can be repeated and checked.
package sample

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"
)

// Quota is ceil(ratePct × base / 100) for non-negative arguments.
func Quota(ratePct, base int) int {
	return (ratePct*base + 99) / 100
}

// Pick returns k of the indexes 0 … n-1 (all of them when k ≥ n), chosen
// at random with the seed, in ascending order.
func Pick(seed string, n, k int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if k >= n {
		return idx
	}
	if k <= 0 {
		return []int{}
	}
	h := fnv.New64a()
	h.Write([]byte(seed))
	sum := h.Sum64()
	r := rand.New(rand.NewPCG(sum, sum^0x9e3779b97f4a7c15))
	r.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	out := idx[:k]
	slices.Sort(out)
	return out
}
