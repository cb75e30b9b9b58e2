package sampling

import (
	"fmt"
	"slices"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
	"kefu/internal/sample"
)

// Item is one piece of the checked person's work a draw may pick: a meter
// reading, a household inspected, a work order. Stratum is the rule's
// stratum the item belongs to ("" for a rule without strata). The same
// household may stand in two strata as two items (its indoor reading and
// its boiler), but an ID appears once per stratum.
type Item struct {
	ID      string `json:"id"`
	Stratum string `json:"stratum,omitempty"`
}

// Sampled is a drawn item with the method it is checked by; Method is ""
// when the rule has several methods and no split (the checker chooses).
type Sampled struct {
	ID      string `json:"id"`
	Stratum string `json:"stratum,omitempty"`
	Method  string `json:"method,omitempty"`
}

// Sample is the result of a draw: the seed it was drawn with and the items
// in the plan's stratum order, each stratum's items in ID order.
type Sample struct {
	Seed  string    `json:"seed"`
	Items []Sampled `json:"items"`
}

// Count returns the number of items in each stratum, the Population.Strata
// of a plan that Draw accepts for these items.
func Count(items []Item) map[string]int {
	out := map[string]int{}
	for _, it := range items {
		out[it.Stratum]++
	}
	return out
}

// Draw picks the plan's sample from the items, reproducibly: the same
// plan, items and seed pick the same items whatever the order the items
// come in. Each stratum is drawn on its own with sample.Pick, seeded by
// seed|stratum, from its items sorted by ID; the drawn items are then
// split between the methods of the plan's split, each method's share
// picked in the listed order (seed|method|key) from those not yet taken,
// the last method taking the rest. The items must be the population the
// plan was made for: without strata, Base items; with strata, the counted
// sizes of each stratum (Count). The seed names the draw — pack, rule,
// company, checked person and period — and is stored with it.
func Draw(p *SamplePlan, items []Item, seed string) (*Sample, error) {
	if strings.TrimSpace(seed) == "" {
		return nil, apperr.Required("seed")
	}
	byStratum := map[string][]string{}
	seen := map[Item]bool{}
	for i, it := range items {
		if it.ID == "" {
			return nil, apperr.Required(fmt.Sprintf("items[%d].id", i))
		}
		if seen[it] {
			return nil, apperr.Validation(fmt.Sprintf("items[%d].id", i), i18n.T("条目 %q 重复", "item %q appears twice", it.ID))
		}
		seen[it] = true
		byStratum[it.Stratum] = append(byStratum[it.Stratum], it.ID)
	}
	if err := p.matches(byStratum, len(items)); err != nil {
		return nil, err
	}
	out := &Sample{Seed: seed, Items: []Sampled{}}
	draw := func(key string, size int) {
		ids := byStratum[key]
		slices.Sort(ids)
		for _, i := range sample.Pick(seed+"|"+key, len(ids), size) {
			out.Items = append(out.Items, Sampled{ID: ids[i], Stratum: key})
		}
	}
	if len(p.Strata) == 0 {
		draw("", p.Quota)
	}
	for _, s := range p.Strata {
		draw(s.Key, s.Size)
	}
	p.assignMethods(out)
	return out, nil
}

// matches checks that the items are the plan's population.
func (p *SamplePlan) matches(byStratum map[string][]string, n int) error {
	changed := func(field string, want, got int) error {
		return apperr.Validation(field, i18n.T("抽查对象已变化：计划为 %d 个，现有 %d 个，请重新计算", "the population changed: the plan counted %d, there are %d; plan again", want, got))
	}
	if len(p.Strata) == 0 {
		if len(byStratum) > 1 || len(byStratum) == 1 && byStratum[""] == nil {
			return apperr.Validation("items", i18n.T("规则 %q 不分类抽查，条目不应带分类", "rule %q has no strata; items carry none", p.Rule))
		}
		if n != p.Base {
			return changed("items", p.Base, n)
		}
		return nil
	}
	if !p.StrataCounted {
		return apperr.Validation("strata", i18n.T("计划未按分类计数，请用条目的分类数重新计算", "the plan has no stratum counts; plan with the items' counts"))
	}
	for k := range byStratum {
		if !slices.ContainsFunc(p.Strata, func(s StratumPlan) bool { return s.Key == k }) {
			return apperr.Validation("items", i18n.T("规则 %q 没有分类 %q", "rule %q has no stratum %q", p.Rule, k))
		}
	}
	for _, s := range p.Strata {
		if got := len(byStratum[s.Key]); got != s.Population {
			return changed("strata."+s.Key, s.Population, got)
		}
	}
	return nil
}

// assignMethods gives each drawn item its method: by the plan's split, or
// the only allowed method.
func (p *SamplePlan) assignMethods(s *Sample) {
	if len(p.Methods) == 0 {
		if len(p.AllowedMethods) == 1 {
			for i := range s.Items {
				s.Items[i].Method = p.AllowedMethods[0]
			}
		}
		return
	}
	rest := make([]int, len(s.Items)) // indexes of s.Items without a method
	for i := range rest {
		rest[i] = i
	}
	for j, m := range p.Methods {
		chosen := rest
		if j < len(p.Methods)-1 {
			chosen = nil
			for _, k := range sample.Pick(s.Seed+"|method|"+m.Method, len(rest), m.Size) {
				chosen = append(chosen, rest[k])
			}
		}
		for _, i := range chosen {
			s.Items[i].Method = m.Method
		}
		rest = slices.DeleteFunc(rest, func(i int) bool { return s.Items[i].Method != "" })
	}
}
