// Package inspection owns planned safety inspections (RULES.md INS-001 to
// INS-012) from the inspections section of a policy pack.
//
// The pure part computes which cycles apply to a customer's service point
// and which one governs it (INS-008: the shortest interval wins), when the
// next inspection falls due (a rolling interval from the last completion,
// CAL-010, counted by internal/calendar) and the inspections a period's
// plan lists (Planner, PlanYear): inspection.go, attributes.go, due.go,
// plan.go, checklist.go take the pack, the calendar, the points and their
// history, and touch no database and no clock.
//
// The stored part (Service) keeps the plans of a company per month,
// quarter and year, generated from its service points and their history
// (plans.go, plans_batch.go), broken down department → team → inspector
// with the certificate guard (assign.go) and tracked to completion
// (progress.go, items.go); and the inspection records with the pack's
// checklists, the two-copy form, the customer's signature, the hazards
// found and the work sheet's target (records*.go). A closed record is the
// track's new last completion: it completes the plans' items and moves
// the dates that follow (CAL-010). schedule.go answers one point's cycles
// and next due dates; households.go the points an inspector inspected
// (SMP-006 populations).
package inspection

import (
	"cmp"
	"fmt"
	"slices"

	"kefu/internal/customer"
	"kefu/internal/policy"
)

// Choice is the cycle that governs one track of a service point, with every
// cycle of the track that applies to it.
type Choice struct {
	Track string
	// Cycle is the winner: the shortest interval among Applicable, the
	// first in pack order on a tie (INS-008). Starting from the same last
	// completion on the same calendar, a shorter interval never gives a
	// later due date, so it is also the earliest due date INS-008 asks for.
	Cycle policy.InspectionCycle
	// Applicable are the cycles of the track whose selection holds, in
	// pack order.
	Applicable []policy.InspectionCycle
	// Rules are the rule IDs of every applicable cycle, sorted: an
	// inspection on this track satisfies them all (INS-008: the record
	// states which rules it satisfies).
	Rules []string
}

// Selection is what applies to one service point.
type Selection struct {
	// Tracks has one Choice per track with an applicable cycle, in the
	// order the tracks first appear in the pack.
	Tracks []Choice
	// Campaigns are the applicable special inspections (INS-002), in pack order.
	Campaigns []policy.InspectionCampaign
}

// Track returns the choice of a track.
func (s Selection) Track(track string) (Choice, bool) {
	for _, c := range s.Tracks {
		if c.Track == track {
			return c, true
		}
	}
	return Choice{}, false
}

// Empty reports whether nothing applies to the point.
func (s Selection) Empty() bool { return len(s.Tracks) == 0 && len(s.Campaigns) == 0 }

// Cycle selects the cycles and campaigns of the pack that apply to the
// customer's service point and, per track, the one that wins (INS-008). An
// error means a condition of the pack does not parse, which a validated
// pack never has.
func Cycle(p *policy.Pack, c *customer.Customer, sp *customer.ServicePoint) (Selection, error) {
	r, err := compile(p)
	if err != nil {
		return Selection{}, err
	}
	return r.selectFor(Attributes(p, c, sp)), nil
}

// rules is a pack's inspections section with its selections compiled.
type rules struct {
	pack      *policy.Pack
	cycles    []matcher
	campaigns []matcher
}

// matcher is a compiled selection: a service-point kind ("" any) and a
// condition (nil holds).
type matcher struct {
	kind string
	cond *policy.Condition
}

func (m matcher) holds(attrs map[string]policy.Value) bool {
	return (m.kind == "" || attrs["kind"] == policy.Str(m.kind)) && m.cond.Eval(attrs)
}

func compile(p *policy.Pack) (*rules, error) {
	if p == nil {
		return nil, fmt.Errorf("inspection: no pack")
	}
	r := &rules{pack: p}
	parse := func(what, key, kind, when string) (matcher, error) {
		m := matcher{kind: kind}
		if when == "" {
			return m, nil
		}
		cond, err := policy.ParseCondition(when)
		if err != nil {
			return m, fmt.Errorf("inspection: pack %s %s %s: %w", p.Key, what, key, err)
		}
		m.cond = cond
		return m, nil
	}
	for _, c := range p.Inspections.Cycles {
		m, err := parse("cycle", c.Key, c.ServicePoint, c.When)
		if err != nil {
			return nil, err
		}
		r.cycles = append(r.cycles, m)
	}
	for _, c := range p.Inspections.Campaigns {
		m, err := parse("campaign", c.Key, c.ServicePoint, c.When)
		if err != nil {
			return nil, err
		}
		r.campaigns = append(r.campaigns, m)
	}
	return r, nil
}

func (r *rules) selectFor(attrs map[string]policy.Value) Selection {
	var s Selection
	sec := &r.pack.Inspections
	for _, track := range sec.Tracks() {
		var ch Choice
		for i, c := range sec.Cycles {
			if c.TrackOf() != track || !r.cycles[i].holds(attrs) {
				continue
			}
			ch.Applicable = append(ch.Applicable, c)
			for _, id := range c.Rules {
				if !slices.Contains(ch.Rules, id) {
					ch.Rules = append(ch.Rules, id)
				}
			}
		}
		if len(ch.Applicable) == 0 {
			continue
		}
		ch.Track = track
		// MinFunc keeps the first of equal minima: pack order breaks ties.
		ch.Cycle = slices.MinFunc(ch.Applicable, func(a, b policy.InspectionCycle) int {
			return cmp.Compare(a.Interval.N, b.Interval.N)
		})
		slices.Sort(ch.Rules)
		s.Tracks = append(s.Tracks, ch)
	}
	for i, c := range sec.Campaigns {
		if r.campaigns[i].holds(attrs) {
			s.Campaigns = append(s.Campaigns, c)
		}
	}
	return s
}
