package sampling

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"kefu/internal/apperr"
)

// households makes n items of the stratum with IDs prefix-0 … prefix-(n-1).
func households(stratum, prefix string, n int) []Item {
	out := make([]Item, n)
	for i := range out {
		out[i] = Item{ID: fmt.Sprintf("%s-%04d", prefix, i), Stratum: stratum}
	}
	return out
}

// march is a residential customer manager's March: 3,600 households read
// (indoor and outdoor meters), with the not-seen, not-using and boiler
// households as further items; boilers optional.
func march(boilers int) []Item {
	var items []Item
	items = append(items, households("indoor", "in", 2000)...)
	items = append(items, households("outdoor", "out", 1600)...)
	items = append(items, households("not_seen", "ns", 40)...)
	items = append(items, households("not_using", "nu", 60)...)
	return append(items, households("wall_hung_boiler", "b", boilers)...)
}

func ids(s *Sample) []string {
	out := []string{}
	for _, it := range s.Items {
		out = append(out, it.Stratum+"/"+it.ID+"/"+it.Method)
	}
	return out
}

// TestDrawResidential: the draw of SMP-003 takes each stratum's share from
// its own items, distinct, and is the same for the same seed whatever the
// order of the items, different for another seed.
func TestDrawResidential(t *testing.T) {
	items := march(30)
	p := plan(t, "customer_manager.residential", Population{Base: 3600, Strata: Count(items)})
	seed := "gas|customer_manager.residential|unit-7|user-12|2026-03"
	s, err := Draw(p, items, seed)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Items) != 72 || s.Seed != seed {
		t.Fatalf("%d items drawn", len(s.Items))
	}
	population := map[Item]bool{}
	for _, it := range items {
		population[it] = true
	}
	per := map[string]int{}
	seen := map[string]bool{}
	for _, it := range s.Items {
		if !population[Item{ID: it.ID, Stratum: it.Stratum}] || seen[it.Stratum+it.ID] || it.Method != "" {
			t.Errorf("drawn %+v: not in the population, twice, or with a method", it)
		}
		seen[it.Stratum+it.ID] = true
		per[it.Stratum]++
	}
	for _, sp := range p.Strata {
		if per[sp.Key] != sp.Size {
			t.Errorf("stratum %s: %d drawn, plan %d", sp.Key, per[sp.Key], sp.Size)
		}
	}
	// The same seed, the items in another order: the same draw.
	shuffled := slices.Clone(items)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	again, err := Draw(p, shuffled, seed)
	if err != nil || !slices.Equal(ids(s), ids(again)) {
		t.Errorf("same seed, shuffled items: a different draw (%v)", err)
	}
	other, err := Draw(p, items, seed+"-redo")
	if err != nil || slices.Equal(ids(s), ids(other)) {
		t.Errorf("another seed drew the same items (%v)", err)
	}
	// No wall-hung boilers: nothing drawn from that stratum, 24/24/12/12.
	items = march(0)
	p = plan(t, "customer_manager.residential", Population{Base: 3600, Strata: Count(items)})
	s, err = Draw(p, items, seed)
	if err != nil {
		t.Fatal(err)
	}
	per = map[string]int{}
	for _, it := range s.Items {
		per[it.Stratum]++
	}
	if per["indoor"] != 24 || per["outdoor"] != 24 || per["not_seen"] != 12 || per["not_using"] != 12 || per["wall_hung_boiler"] != 0 {
		t.Errorf("no boilers: drawn %v", per)
	}
}

// TestDrawInspector: SMP-006, 1,530 households → 31 drawn, 16 to check on
// site and 15 by phone, reproducibly.
func TestDrawInspector(t *testing.T) {
	items := households("", "h", 1530)
	p := plan(t, "inspector", Population{Base: 1530})
	seed := "gas|inspector|unit-3|user-40|2026-04"
	s, err := Draw(p, items, seed)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]int{}
	for _, it := range s.Items {
		by[it.Method]++
	}
	if len(s.Items) != 31 || by["on_site"] != 16 || by["phone"] != 15 {
		t.Errorf("drawn %d: %v", len(s.Items), by)
	}
	again, _ := Draw(p, items, seed)
	if !slices.Equal(ids(s), ids(again)) {
		t.Error("same seed, different methods or items")
	}
	if other, _ := Draw(p, items, "gas|inspector|unit-3|user-40|2026-05"); slices.Equal(ids(s), ids(other)) {
		t.Error("another seed drew the same")
	}
}

// TestDrawRiser: every riser replacement is checked, on site (SMP-005).
func TestDrawRiser(t *testing.T) {
	items := households("", "wo", 2)
	s, err := Draw(plan(t, "repair.riser", Population{Base: 2}), items, "gas|repair.riser|u|w|2026-03")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(s), []string{"/wo-0000/on_site", "/wo-0001/on_site"}) {
		t.Errorf("risers: %v", ids(s))
	}
}

// TestDrawRefuses: a draw only runs on the population its plan counted.
func TestDrawRefuses(t *testing.T) {
	items := march(30)
	counted := plan(t, "customer_manager.residential", Population{Base: 3600, Strata: Count(items)})
	uncounted := plan(t, "customer_manager.residential", Population{Base: 3600})
	inspector := plan(t, "inspector", Population{Base: 650})
	for _, c := range []struct {
		name  string
		p     *SamplePlan
		items []Item
		seed  string
		field string
	}{
		{"no seed", counted, items, " ", "seed"},
		{"an item less", counted, items[1:], "s", "strata.indoor"},
		{"a duplicate", counted, append(slices.Clone(items), items[5]), "s", fmt.Sprintf("items[%d].id", len(items))},
		{"no id", counted, append(slices.Clone(items), Item{Stratum: "indoor"}), "s", fmt.Sprintf("items[%d].id", len(items))},
		{"unknown stratum", counted, append(slices.Clone(items), Item{ID: "x", Stratum: "garage"}), "s", "items"},
		{"no counts", uncounted, items, "s", "strata"},
		{"inspector short", inspector, households("", "h", 649), "s", "items"},
		{"inspector strata", inspector, households("indoor", "h", 650), "s", "items"},
	} {
		_, err := Draw(c.p, c.items, c.seed)
		if e, ok := apperr.As(err); !ok || e.Field != c.field {
			t.Errorf("%s: %v, want a problem at %s", c.name, err, c.field)
		}
	}
}

// TestRepeatWindow: SMP-017 counts repeats within the calendar year of the
// failure, in its location.
func TestRepeatWindow(t *testing.T) {
	cn := time.FixedZone("CST", 8*3600)
	from, to, ok := RepeatWindow("calendar_year", time.Date(2026, 9, 14, 10, 0, 0, 0, cn))
	if !ok || !from.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, cn)) || !to.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, cn)) {
		t.Errorf("2026-09-14: [%v, %v) %v", from, to, ok)
	}
	if _, _, ok := RepeatWindow("rolling_decade", time.Now()); ok {
		t.Error("an unknown window was accepted")
	}
}
