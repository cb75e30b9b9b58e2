package demo_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"kefu/internal/app"
	"kefu/internal/config"
	"kefu/internal/demo"
	"kefu/internal/merit"
	"kefu/internal/process"
	"kefu/internal/ticket"
)

// TestDemoLoads: `serve --demo` loads the organisation, staff and work
// orders of every pack, in the states a desk sees on a normal day, and a
// second start loads nothing twice.
func TestDemoLoads(t *testing.T) {
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
	for range 2 {
		if err := demo.Load(ctx, a.Org, a.Auth, &out); err != nil {
			t.Fatal(err)
		}
		if err := demo.LoadTickets(ctx, a.Org, a.Auth, a.Tickets, a.Now(), &out); err != nil {
			t.Fatal(err)
		}
		if err := demo.LoadProcesses(ctx, a.Auth, a.Customers, a.Processes, a.Now(), &out); err != nil {
			t.Fatal(err)
		}
		if err := demo.LoadMerits(ctx, a.Auth, a.Merits, a.Now(), &out); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Jobs.FireDue(ctx); err != nil {
		t.Fatal(err)
	}
	admin, err := a.Auth.ByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	page, err := a.Tickets.List(ctx, admin.Principal(), ticket.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	packs, statuses, breached := map[string]int{}, map[ticket.Status]int{}, 0
	for _, tk := range page.Items {
		packs[tk.Pack]++
		statuses[tk.Status]++
		if tk.Breached {
			breached++
		}
	}
	if len(page.Items) != 13 {
		t.Fatalf("%d demo work orders, want 13 (loaded once)", len(page.Items))
	}
	for _, p := range []string{"property", "gas", "power", "realestate", "general"} {
		if packs[p] == 0 {
			t.Errorf("no demo work order of pack %s", p)
		}
	}
	if statuses[ticket.StatusClosed] != 2 || breached == 0 {
		t.Errorf("statuses %v, %d breached: want 2 closed and some breached", statuses, breached)
	}
	procs, err := a.Processes.List(ctx, admin.Principal(), process.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	steps := map[string]string{}
	for _, p := range procs.Items {
		steps[p.Definition] = p.CurrentStep
	}
	if len(procs.Items) != 2 || steps["connection.hv"] != "design_review" || steps["change.suspension"] != "seal" {
		t.Errorf("demo processes at %v, want an HV connection in design review and a suspension to seal (loaded once)", steps)
	}
	agent, err := a.Auth.ByUsername(ctx, "rq.agent")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := a.Merits.Summary(ctx, admin.Principal(), agent.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	// Two criticisms rolled up (MER-002); the later commendation stands.
	if sum.Net.MinorDemerit != 1 || sum.Net.Commendation != 1 || sum.Net.Criticism != 0 {
		t.Errorf("demo operator's ledger nets to %+v, want a minor demerit and a commendation", sum.Net)
	}
	entries, err := a.Merits.List(ctx, admin.Principal(), merit.Filter{Limit: 100, State: merit.StateProposed})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries.Items) == 0 {
		t.Error("no demo proposal waits for a decider")
	}
}
