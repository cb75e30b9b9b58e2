package inspection

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"kefu/internal/calendar"
	"kefu/internal/customer"
	"kefu/internal/policy"
	"kefu/internal/store"
)

var (
	builtinOnce  sync.Once
	builtinPacks map[string]*policy.Pack
	builtinErr   error
)

// pack is a built-in pack as the binary embeds it.
func pack(t *testing.T, key string) *policy.Pack {
	t.Helper()
	builtinOnce.Do(func() {
		var packs []*policy.Pack
		packs, builtinErr = policy.Builtins()
		builtinPacks = map[string]*policy.Pack{}
		for _, p := range packs {
			builtinPacks[p.Key] = p
		}
	})
	if builtinErr != nil {
		t.Fatal(builtinErr)
	}
	p, ok := builtinPacks[key]
	if !ok {
		t.Fatalf("no built-in pack %s", key)
	}
	return p
}

// cn is the real built-in calendar with the official 2024–2026 notices.
func cn() *calendar.Calendar { return calendar.BuiltinCN() }

func date(t *testing.T, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// at parses "2026-09-11 00:00" in Asia/Shanghai.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, cn().Location())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// cycle returns a cycle of a built-in pack by key.
func cycle(t *testing.T, p *policy.Pack, key string) policy.InspectionCycle {
	t.Helper()
	for _, c := range p.Inspections.Cycles {
		if c.Key == key {
			return c
		}
	}
	t.Fatalf("%s: no cycle %s", p.Key, key)
	return policy.InspectionCycle{}
}

func campaign(t *testing.T, p *policy.Pack, key string) policy.InspectionCampaign {
	t.Helper()
	for _, c := range p.Inspections.Campaigns {
		if c.Key == key {
			return c
		}
	}
	t.Fatalf("%s: no campaign %s", p.Key, key)
	return policy.InspectionCampaign{}
}

// powerPoint is a power customer with one supply point at voltage; usage
// "power" or "lighting"; importance "" or a grade, approved.
func powerPoint(id int64, voltage, usage, importance string) (*customer.Customer, *customer.ServicePoint) {
	typ := "hv_single"
	if usage != "" {
		typ = "other_lv_industrial"
		if usage == "lighting" {
			typ = "residential_lv"
		}
	}
	c := &customer.Customer{ID: store.ID(id), Pack: "power", Type: typ, Importance: importance}
	if importance != "" {
		c.ImportanceState = customer.StateApproved
	}
	attrs := map[string]any{"voltage": voltage}
	if usage != "" {
		attrs["usage"] = usage
	}
	sp := &customer.ServicePoint{ID: store.ID(100 + id), CustomerID: c.ID, Kind: customer.PowerSupplyPoint,
		ArchiveNo: "P-" + pad(id), Attributes: attrs}
	return c, sp
}

// gasPoint is a gas customer of the type with one account read at freq ("" none).
func gasPoint(id int64, typ, freq string) (*customer.Customer, *customer.ServicePoint) {
	c := &customer.Customer{ID: store.ID(id), Pack: "gas", Type: typ}
	attrs := map[string]any{}
	if freq != "" {
		attrs["reading_frequency"] = freq
	}
	sp := &customer.ServicePoint{ID: store.ID(100 + id), CustomerID: c.ID, Kind: customer.GasAccount,
		ArchiveNo: "G-" + pad(id), Attributes: attrs}
	return c, sp
}

func pad(id int64) string { return fmt.Sprintf("%06d", id) }
