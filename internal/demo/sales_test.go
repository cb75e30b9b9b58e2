package demo_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"kefu/internal/app"
	"kefu/internal/calendar"
	"kefu/internal/config"
	"kefu/internal/demo"
	"kefu/internal/sales"
	"kefu/internal/store"
)

// TestDemoSalesLoads loads the demo sales centre twice (idempotent) and
// reads last month's commission report: the deals are attributed, the
// grab is cancelled and the company-referred deal is held.
func TestDemoSalesLoads(t *testing.T) {
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.AdminPassword = "demo-test-admin"
	a, err := app.Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var out bytes.Buffer
	if err := a.Bootstrap(ctx, &out); err != nil {
		t.Fatal(err)
	}
	if err := demo.Load(ctx, a.Org, a.Auth, &out); err != nil {
		t.Fatal(err)
	}
	opts := sales.Options{DB: a.DB, Policy: a.Policy, Calendars: a.Calendars, Org: a.Org, Merits: a.Merits, Logger: a.Log}
	for range 2 {
		if err := demo.LoadSales(ctx, a.Org, a.Auth, opts, a.Now(), &out); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
	}
	pm, err := a.Auth.ByUsername(ctx, "zy.pm")
	if err != nil {
		t.Fatal(err)
	}
	month := calendar.DateOf(a.Now().In(store.Zone)).AddMonths(-1).String()[:7]
	rep, err := a.Sales.Commission(ctx, pm.Principal(), pm.OrgUnit, month)
	if err != nil {
		t.Fatal(err)
	}
	var cancelled int64
	for _, l := range rep.Lines {
		cancelled += l.Cancelled.Fen()
	}
	if len(rep.Deals) != 3 || len(rep.Held) != 1 || cancelled != 200000 || rep.Total.Fen() <= 0 {
		t.Fatalf("demo month %s: %d deals, %d held, cancelled %d, total %s", month, len(rep.Deals), len(rep.Held), cancelled, rep.Total)
	}
}
