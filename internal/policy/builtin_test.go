package policy

import (
	"slices"
	"testing"

	"kefu/internal/calendar"
)

// TestBuiltinTable asserts every row of API.md "Built-in category keys and
// clocks" (RULES.md TKT-003, G-06) against the embedded packs.
func TestBuiltinTable(t *testing.T) {
	packs, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]*Pack{}
	for _, p := range packs {
		byKey[p.Key] = p
	}
	type clk struct {
		kind, dur string
		starts    []Event
	}
	recv := []Event{EventReceived}
	rows := []struct {
		pack, category string
		clocks         []clk
	}{
		{"realestate", "complaint", []clk{{"forward", "24h", recv}, {"assign", "24h", []Event{EventForward}},
			{"result", "3d", recv}, {"reply", "2d", []Event{EventResult}}}}, // TKT-005, TKT-006
		{"realestate", "complaint.sales_office", []clk{{"resolve", "0d", recv}}},   // TKT-011
		{"property", "complaint.attitude.general", []clk{{"resolve", "hd", recv}}}, // TKT-022
		{"property", "complaint.attitude.serious", []clk{{"resolve", "2d", recv}}},
		{"property", "repair.urgent", []clk{{"arrival", "10m", recv}}}, // TKT-023
		{"property", "repair.simple", []clk{{"resolve", "hd", recv}}},
		{"property", "repair.other", []clk{{"resolve", "7wd", recv}}},
		{"property", "common.urgent", []clk{{"arrival", "10m", recv}}}, // TKT-024
		{"property", "common.other", []clk{{"resolve", "3wd", recv}}},
		{"property", "complaint.neighbour", []clk{{"arrival", "15m", recv}}}, // TKT-025
		{"property", "complaint.other", []clk{{"arrival", "8h", recv}}},
		{"property", "inquiry.general", []clk{{"reply", "30m", recv}}}, // TKT-026
		{"property", "inquiry.external", []clk{{"reply", "30m", recv}}},
		{"property", "inquiry.other_dept", []clk{{"reply", "2wd", recv}}},                 // TKT-027
		{"gas", "fault.network", []clk{{"handle", "6h", recv}, {"resolve", "24h", recv}}}, // TKT-028
		{"gas", "complaint", nil},                                         // TKT-031: no clock
		{"power", "appliance.damage", []clk{{"arrival", "24h", recv}}},    // UTL-010
		{"power", "test.commissioned", []clk{{"reply", "3wd", recv}}},     // PRC-034
		{"general", "complaint.general", []clk{{"resolve", "1wd", recv}}}, // TKT-014
		{"general", "complaint.major", []clk{{"resolve", "3wd", recv}}},
	}
	for _, r := range rows {
		p, ok := byKey[r.pack]
		if !ok {
			t.Fatalf("no built-in pack %q", r.pack)
		}
		c, ok := p.Category(r.category)
		if !ok {
			t.Errorf("%s: no category %s", r.pack, r.category)
			continue
		}
		if len(c.Clocks) != len(r.clocks) {
			t.Errorf("%s/%s: %d clocks, want %d", r.pack, r.category, len(c.Clocks), len(r.clocks))
			continue
		}
		for i, want := range r.clocks {
			got := c.Clocks[i]
			if string(got.Kind) != want.kind || got.Duration.String() != want.dur || !slices.Equal(got.StartsOn, want.starts) {
				t.Errorf("%s/%s clock %d = %s %s %v, want %s %s %v", r.pack, r.category, i,
					got.Kind, got.Duration, got.StartsOn, want.kind, want.dur, want.starts)
			}
			if got.StopsOn != DefaultStop(got.Kind) {
				t.Errorf("%s/%s %s stops on %s", r.pack, r.category, got.Kind, got.StopsOn)
			}
		}
	}
}

// TestBuiltinDetails checks the rules beyond the table's durations.
// builtinVersions are the versions the built-in files carry: 2 added the
// business processes (issue 8), 3 the questionnaires and the other visit
// triggers (issue 9), 4 (gas and power) the hazard, certificate,
// inspection and sampling rules of issue 10; the next (power excepted)
// the merit catalogues and triggers of issue 11.
var builtinVersions = map[string]int{"general": 4, "property": 4, "gas": 5, "power": 4, "realestate": 6}

func TestBuiltinDetails(t *testing.T) {
	packs, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, p := range packs {
		keys = append(keys, p.Key)
		want := "cn" // CAL-002
		if p.Key == "property" {
			want = "cn-office"
		}
		if p.Calendar != want || p.Version != builtinVersions[p.Key] || p.Source != SourceBuiltin {
			t.Errorf("%s: calendar %s version %d source %s", p.Key, p.Calendar, p.Version, p.Source)
		}
		if len(p.Channels) != 8 { // TKT-001
			t.Errorf("%s: %d channels", p.Key, len(p.Channels))
		}
		if s, ok := p.Severity("major"); !ok || s.HandlerRole != "manager" || s.EscalateTo != "company" {
			t.Errorf("%s: severity major = %+v", p.Key, s)
		}
		groups := map[string]bool{}
		for _, c := range p.Categories {
			groups[c.Group] = true
			if c.Group == "complaint" && c.Key != "appliance.damage" && !c.Respondent {
				t.Errorf("%s/%s: complaint without respondent (TKT-016)", p.Key, c.Key)
			}
		}
		for _, g := range []string{"inquiry", "complaint", "feedback", "letters"} { // TKT-003
			if !groups[g] {
				t.Errorf("%s: no %s category", p.Key, g)
			}
		}
	}
	if !slices.Equal(keys, BuiltinKeys) {
		t.Errorf("built-ins %v, want %v", keys, BuiltinKeys)
	}
	get := func(pack, cat string) *Category {
		t.Helper()
		for _, p := range packs {
			if p.Key == pack {
				if c, ok := p.Category(cat); ok {
					return c
				}
			}
		}
		t.Fatalf("%s/%s missing", pack, cat)
		return nil
	}
	// TKT-014, TKT-021: the major complaint may be extended to 7wd, never more.
	if c := get("general", "complaint.major"); c.Clocks[0].ExtensionCap != (calendar.Duration{N: 7, Unit: calendar.WorkingDays}) {
		t.Errorf("general/complaint.major extension cap %v", c.Clocks[0].ExtensionCap)
	}
	// CAL-012: agreed dates only shorten these.
	for _, k := range []string{"repair.other", "inquiry.other_dept"} {
		if c := get("property", k); c.Clocks[0].Agreed != AgreedShorten {
			t.Errorf("property/%s agreed %q", k, c.Clocks[0].Agreed)
		}
	}
	// TKT-026: the fee site visit starts on the owner's consent.
	fee := get("property", "fee.inquiry")
	if len(fee.Clocks) != 1 || fee.Clocks[0].Kind != "fee_site_visit" || fee.Clocks[0].Duration.String() != "30m" ||
		!slices.Equal(fee.Clocks[0].StartsOn, []Event{"consent"}) || fee.Clocks[0].StopsOn != EventArrive {
		t.Errorf("property/fee.inquiry clocks %+v", fee.Clocks)
	}
	// TKT-031, CAL-011: the gas complaint warns at 30m and 1wd, no clock.
	gc := get("gas", "complaint")
	if len(gc.Targets) != 2 || gc.Targets[0].Duration.String() != "30m" || gc.Targets[1].Duration.String() != "1wd" {
		t.Errorf("gas/complaint targets %+v", gc.Targets)
	}
	if !get("gas", "alarm.leak").Emergency { // TKT-030
		t.Error("gas/alarm.leak is not an emergency")
	}
	if ue := get("gas", "fault.user_equipment"); len(ue.Targets) != 1 || ue.Targets[0].Agreed != AgreedAny { // TKT-029
		t.Errorf("gas/fault.user_equipment targets %+v", ue.Targets)
	}
	if !get("general", "complaint.general").WrittenReply { // TKT-018
		t.Error("general/complaint.general needs a written reply")
	}
}
