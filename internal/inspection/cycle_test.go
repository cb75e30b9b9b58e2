package inspection

import (
	"slices"
	"testing"

	"kefu/internal/customer"
	"kefu/internal/policy"
)

// keys lists the keys of cycles.
func keys(cs []policy.InspectionCycle) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Key)
	}
	return out
}

func campaignKeys(cs []policy.InspectionCampaign) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Key)
	}
	return out
}

// TestPowerCycles: INS-001 by voltage class (35 kV also above it, G-58),
// INS-004 and INS-005 for important customers, INS-002 campaigns from
// 10 kV, and INS-008: an important 10 kV customer is inspected every 6
// months, not yearly, and the record cites both rules.
func TestPowerCycles(t *testing.T) {
	p := pack(t, "power")
	for _, c := range []struct {
		name, voltage, usage, importance string
		winner, interval                 string
		applicable, campaigns, tracks    []string
		rules                            []string
	}{
		{"LV power", "380V", "power", "", "lv_power", "24mo", []string{"lv_power"}, nil, []string{"periodic"}, []string{"CUS-003", "INS-001"}},
		{"10 kV", "10kV", "", "", "kv10", "12mo", []string{"kv10"}, []string{"spring", "autumn"}, []string{"periodic"}, []string{"CUS-003", "INS-001"}},
		{"6 kV, HV below 10 kV", "6kV", "", "", "kv10", "12mo", []string{"kv10"}, nil, []string{"periodic"}, []string{"CUS-003", "INS-001"}},
		{"35 kV", "35kV", "", "", "kv35", "6mo", []string{"kv35"}, []string{"spring", "autumn"}, []string{"periodic"}, []string{"G-58", "INS-001"}},
		{"110 kV uses the 35 kV cycle", "110kV", "", "", "kv35", "6mo", []string{"kv35"}, []string{"spring", "autumn"}, []string{"periodic"}, []string{"G-58", "INS-001"}},
		{"important 10 kV", "10kV", "", "grade2", "important", "6mo", []string{"kv10", "important"}, []string{"spring", "autumn"},
			[]string{"periodic", "grid_marketing", "grid_dispatch"}, []string{"CUS-003", "INS-001", "INS-004", "INS-008"}},
		{"important 35 kV: a tie goes to pack order", "35kV", "", "grade1", "kv35", "6mo", []string{"kv35", "important"}, []string{"spring", "autumn"},
			[]string{"periodic", "grid_marketing", "grid_dispatch"}, []string{"G-58", "INS-001", "INS-004", "INS-008"}},
	} {
		cu, sp := powerPoint(1, c.voltage, c.usage, c.importance)
		sel, err := Cycle(p, cu, sp)
		if err != nil {
			t.Fatal(err)
		}
		ch, ok := sel.Track(policy.TrackPeriodic)
		if !ok {
			t.Errorf("%s: no periodic cycle", c.name)
			continue
		}
		var tracks []string
		for _, tr := range sel.Tracks {
			tracks = append(tracks, tr.Track)
		}
		if ch.Cycle.Key != c.winner || ch.Cycle.Interval.String() != c.interval || !slices.Equal(keys(ch.Applicable), c.applicable) ||
			!slices.Equal(ch.Rules, c.rules) || !slices.Equal(campaignKeys(sel.Campaigns), c.campaigns) || !slices.Equal(tracks, c.tracks) {
			t.Errorf("%s: winner %s %s of %v, rules %v, campaigns %v, tracks %v", c.name, ch.Cycle.Key, ch.Cycle.Interval,
				keys(ch.Applicable), ch.Rules, campaignKeys(sel.Campaigns), tracks)
		}
	}
	// INS-005: each grid-side track is its own 6-month obligation.
	cu, sp := powerPoint(2, "10kV", "", "special")
	sel, err := Cycle(p, cu, sp)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range []string{"grid_marketing", "grid_dispatch"} {
		if ch, ok := sel.Track(tr); !ok || ch.Cycle.Interval.String() != "6mo" || !slices.Equal(ch.Rules[:1], []string{"INS-005"}) {
			t.Errorf("%s: %+v", tr, ch)
		}
	}
	// CUS-006: a grade that is only proposed is not yet an important
	// customer: the 10 kV yearly cycle applies.
	cu.ImportanceState = customer.StateProposed
	sel, _ = Cycle(p, cu, sp)
	if ch, _ := sel.Track(policy.TrackPeriodic); ch.Cycle.Key != "kv10" || len(sel.Tracks) != 1 {
		t.Errorf("proposed important customer: %+v", sel.Tracks)
	}
	// A filed customer stays important.
	cu.ImportanceState = customer.StateFiled
	if sel, _ = Cycle(p, cu, sp); len(sel.Tracks) != 3 {
		t.Errorf("filed important customer: %d tracks", len(sel.Tracks))
	}
	// Residential LV lighting: the seeds give no periodic cycle.
	cu, sp = powerPoint(3, "220V", "lighting", "")
	if sel, _ = Cycle(p, cu, sp); !sel.Empty() {
		t.Errorf("LV lighting: %+v", sel)
	}
}

// TestGasCycles: INS-006 by user class; INS-007 by meter-reading
// frequency, where the shortest interval wins (INS-008): a weekly-read
// restaurant is inspected quarterly, not yearly.
func TestGasCycles(t *testing.T) {
	p := pack(t, "gas")
	for _, c := range []struct {
		name, typ, freq  string
		winner, interval string
		applicable       []string
		rules            []string
	}{
		{"residential", "residential", "", "residential", "24mo", []string{"residential"}, []string{"INS-006"}},
		{"residential read monthly", "residential", "monthly", "residential", "24mo", []string{"residential"}, []string{"INS-006"}},
		{"heating", "heating", "", "non_residential", "12mo", []string{"non_residential"}, []string{"INS-006"}},
		{"heating read daily: INS-007 names C&I and public welfare only", "heating", "daily", "non_residential", "12mo",
			[]string{"non_residential"}, []string{"INS-006"}},
		{"industrial read daily", "industrial", "daily", "ci_daily", "1mo", []string{"ci_daily", "non_residential"},
			[]string{"INS-006", "INS-007", "INS-008"}},
		{"restaurant read weekly", "commercial", "weekly", "ci_weekly", "3mo", []string{"ci_weekly", "non_residential"},
			[]string{"INS-006", "INS-007", "INS-008"}},
		{"school read 3 times a month", "public_welfare", "thrice_monthly", "ci_thrice_monthly", "6mo",
			[]string{"ci_thrice_monthly", "non_residential"}, []string{"INS-006", "INS-007", "INS-008"}},
		{"shop read twice a month: tie, the full inspection listed first", "commercial", "twice_monthly", "ci_twice_monthly", "12mo",
			[]string{"ci_twice_monthly", "non_residential"}, []string{"INS-006", "INS-007", "INS-008"}},
		{"shop without a reading frequency", "commercial", "", "non_residential", "12mo", []string{"non_residential"}, []string{"INS-006"}},
	} {
		cu, sp := gasPoint(1, c.typ, c.freq)
		sel, err := Cycle(p, cu, sp)
		if err != nil {
			t.Fatal(err)
		}
		ch, _ := sel.Track(policy.TrackPeriodic)
		if ch.Cycle.Key != c.winner || ch.Cycle.Interval.String() != c.interval || !slices.Equal(keys(ch.Applicable), c.applicable) ||
			!slices.Equal(ch.Rules, c.rules) || len(sel.Tracks) != 1 || len(sel.Campaigns) != 0 {
			t.Errorf("%s: winner %s %s of %v, rules %v, %d tracks", c.name, ch.Cycle.Key, ch.Cycle.Interval, keys(ch.Applicable),
				ch.Rules, len(sel.Tracks))
		}
	}
	// The class comes from the customer record when it carries one.
	cu, sp := gasPoint(2, "residential", "")
	cu.TypeClass = "non_residential"
	if sel, _ := Cycle(p, cu, sp); sel.Tracks[0].Cycle.Key != "non_residential" {
		t.Errorf("TypeClass ignored: %+v", sel.Tracks[0])
	}
	// A cycle of one kind never applies to another kind of point.
	cu, sp = gasPoint(3, "residential", "")
	sp.Kind = customer.PowerSupplyPoint
	if sel, _ := Cycle(p, cu, sp); !sel.Empty() {
		t.Errorf("gas cycles on a power point: %+v", sel)
	}
}

// TestAttributes: the attributes supplied are exactly the ones a pack's
// conditions may read (policy.InspectionAttributes), with voltage_kv and hv
// derived from the voltage (CUS-003).
func TestAttributes(t *testing.T) {
	p := pack(t, "power")
	cu := &customer.Customer{Type: "hv_dual", Importance: "grade1", ImportanceState: customer.StateApproved, KeyAccount: true,
		Grade: "A", Supply: &customer.Supply{Sources: make([]customer.Source, 2)}}
	sp := &customer.ServicePoint{Kind: customer.PowerSupplyPoint, Attributes: map[string]any{
		"voltage": "0.4 kV", "hv": true, "contracted_capacity_kva": 630.0, "tariff": "大工业", "usage": "power",
		"reading_frequency": "daily", "gas_use": "cooking", "building": "3", "unit": "2", "room": "501", "area_m2": 88.5,
		"meters": []any{"M1"},
	}}
	got := Attributes(p, cu, sp)
	var names []string
	for k := range got {
		names = append(names, k)
	}
	slices.Sort(names)
	want := slices.Sorted(slices.Values(policy.InspectionAttributes))
	if !slices.Equal(names, want) {
		t.Errorf("attributes %v, want %v", names, want)
	}
	if got["voltage_kv"] != policy.Num(0.4) || got["hv"] != policy.Bool(false) || got["class"] != policy.Str("non_residential") ||
		got["important"] != policy.Bool(true) || got["sources"] != policy.Num(2) || got["contracted_capacity_kva"] != policy.Num(630) {
		t.Errorf("attributes %v", got)
	}
	if a := Attributes(p, nil, nil); len(a) != 0 {
		t.Errorf("nothing: %v", a)
	}
}

// TestCycleBrokenPack: a pack built in code with a condition that does not
// parse is an error, not a silent miss.
func TestCycleBrokenPack(t *testing.T) {
	p := *pack(t, "gas")
	p.Inspections.Cycles = []policy.InspectionCycle{{Key: "x", When: "class = residential"}}
	cu, sp := gasPoint(1, "residential", "")
	if _, err := Cycle(&p, cu, sp); err == nil {
		t.Error("broken condition accepted")
	}
	if _, err := Cycle(nil, cu, sp); err == nil {
		t.Error("nil pack accepted")
	}
}
