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

// QuotaAtLeast is Quota with a floor applied after rounding (SMP intro,
// SMP-006: 2 % of 650 = 13 → at least 20), never more than the base: a
// population smaller than the floor is checked whole.
func QuotaAtLeast(ratePct, base, floor int) int {
	return min(max(Quota(ratePct, base), floor), base)
}

// Apportion splits total by the weights with the largest-remainder method
// (G-22): each part gets the floor of its exact share, and the units left
// go to the largest remainders, ties in the listed order. A zero weight
// gets nothing, so an empty stratum's share is spread over the others in
// proportion to theirs (SMP-003: 72 by 30/30/15/15/10 → 22/21/11/11/7; with
// no wall-hung boilers, 30/30/15/15/0 → 24/24/12/12/0). All weights zero:
// all zero.
func Apportion(total int, weights []int) []int {
	out := make([]int, len(weights))
	sum := 0
	for _, w := range weights {
		sum += max(w, 0)
	}
	if sum == 0 || total <= 0 {
		return out
	}
	rem := make([]int, len(weights)) // remainders in units of 1/sum
	given := 0
	for i, w := range weights {
		w = max(w, 0)
		out[i], rem[i] = total*w/sum, total*w%sum
		given += out[i]
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return rem[b] - rem[a] })
	for _, i := range order[:total-given] {
		out[i]++
	}
	return out
}
