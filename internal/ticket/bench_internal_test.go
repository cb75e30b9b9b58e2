package ticket

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"kefu/internal/calendar"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// intakeCase is one registration: a pack, one of its categories and a
// receipt instant.
type intakeCase struct {
	pack, category string
	received       time.Time
}

// BenchmarkIntakePolicy is the pure part of intake (Create without the
// database): the pack from the registry, its category, channel and
// severity, the clocks and targets of the category, and for each its
// calendar deadline and warning point, as start and setTarget compute
// them. Cases cycle through every category of every built-in pack,
// received at instants spread over 2025–2026.
func BenchmarkIntakePolicy(b *testing.B) {
	ctx := context.Background()
	db := storetest.OpenSQLite(b)
	log := slog.New(slog.DiscardHandler)
	now := func() time.Time { return time.Date(2027, 1, 20, 9, 0, 0, 0, store.Zone) }
	cals := calendar.NewRegistry(calendar.RegistryOptions{DB: db, Now: now, Logger: log})
	if err := cals.Load(ctx); err != nil {
		b.Fatal(err)
	}
	packs := policy.NewRegistry(policy.Options{DB: db, Org: org.New(org.Options{DB: db, Now: now}), Calendars: cals, Logger: log, Now: now})
	if err := packs.Load(ctx); err != nil {
		b.Fatal(err)
	}
	var cats []intakeCase
	clocks := 0
	for _, key := range policy.BuiltinKeys {
		p, ok := packs.Get(key)
		if !ok {
			b.Fatalf("pack %s not loaded", key)
		}
		for _, c := range p.Categories {
			cats = append(cats, intakeCase{pack: key, category: c.Key})
			clocks += len(c.Clocks) + len(c.Targets)
		}
	}
	r := rand.New(rand.NewPCG(7, 7))
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, store.Zone)
	cases := make([]intakeCase, 4096)
	for i := range cases {
		cases[i] = cats[r.IntN(len(cats))]
		cases[i].received = base.Add(time.Duration(r.Int64N(int64(730 * 24 * time.Hour))))
	}
	b.Logf("%d categories in %d packs, %.1f clocks and targets per category", len(cats), len(policy.BuiltinKeys),
		float64(clocks)/float64(len(cats)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := intakePolicy(packs, cals, &cases[i&4095]); err != nil {
			b.Fatal(err)
		}
	}
}

// intakePolicy mirrors the in-memory steps of Create, applyEvent, start and
// setTarget for the received event.
func intakePolicy(packs *policy.Registry, cals *calendar.Registry, in *intakeCase) ([]*clock, error) {
	pack, err := packs.Lookup("pack", in.pack)
	if err != nil {
		return nil, err
	}
	cat, _ := pack.Category(in.category)
	channel := ""
	if len(pack.Channels) > 0 {
		channel = pack.Channels[0].Key
	}
	pack.Channel(channel)
	severity := cat.Severity
	if severity == "" && len(pack.Severities) > 0 {
		severity = pack.Severities[0].Key
	}
	pack.Severity(severity)
	clocks := packClocks(pack, cat, 1)
	for _, c := range clocks {
		if len(c.startsOn) != 1 || c.startsOn[0] != policy.EventReceived {
			continue // starts on a later event
		}
		cal, ok := cals.Get(c.cal)
		if !ok {
			continue
		}
		res, err := cal.Deadline(in.received, c.dur)
		if err != nil {
			return nil, err
		}
		c.state, c.started, c.provisional = ClockRunning, store.Micros(in.received), res.Provisional
		c.original, c.target = store.Micros(res.At), store.Micros(res.At)
		if c.isTarget {
			c.warnAt = c.target
			continue
		}
		w, err := cal.WarningAt(in.received, res.At, c.dur.Unit, c.warnPct)
		if err != nil {
			return nil, err
		}
		c.warnAt = store.Micros(w)
	}
	return clocks, nil
}
