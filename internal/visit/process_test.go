package visit_test

import (
	"testing"

	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/org"
	"kefu/internal/process"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/testkit"
	"kefu/internal/visit"
	"kefu/policies"
)

// TestProcessCompletedVisits: a pack version whose visit rule names a
// process definition (trigger process_completed) gets a visit for every
// such process that completes, due on the pack calendar, drawn at the next
// midnight like the work orders' visits.
func TestProcessCompletedVisits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := testkit.NewClock(at("2026-03-02 09:00"))
		b := testkit.NewBase(t, db, clk)
		admin := &auth.Principal{Username: "admin", Roles: []auth.Role{auth.RoleAdmin}}
		base, err := policies.FS.ReadFile("power.yaml")
		if err != nil {
			t.Fatal(err)
		}
		text := string(base) + `
visits:
  rules:
    - key: suspension
      name: {zh: 暂停用电回访}
      trigger: process_completed
      processes: [change.suspension]
      window: 3d
      rate_pct: 100
      visitor: cs_agent
`
		if _, err := b.Packs.Install(t.Context(), admin, "file:power-visits.yaml", []byte(text)); err != nil {
			t.Fatal(err)
		}
		visits := visit.New(visit.Options{DB: db, Calendars: b.Calendars, Policy: b.Packs, Logger: b.Log, Now: clk.Now})
		visits.RegisterTimers(b.Engine)
		procs := process.New(process.Options{DB: db, Calendars: b.Calendars, Policy: b.Packs, Org: b.Org, Logger: b.Log, Now: clk.Now})
		procs.OnComplete(visits.OnProcessCompleted)
		root, err := b.Org.EnsureRoot(t.Context(), "集团")
		if err != nil {
			t.Fatal(err)
		}
		co := testkit.Unit(t, b.Org, root.ID, org.Company, "供电公司", "power")
		agent := testkit.User(t, db, co, auth.RoleCSAgent)
		field := testkit.User(t, db, co, auth.RoleFieldStaff)
		unit := co.ID
		c, _, err := customer.New(customer.Options{DB: db, Policy: b.Packs, Now: clk.Now}).Create(t.Context(), admin,
			customer.Input{Kind: customer.Organisation, Name: "城北商场", Phone: "0571-86002222", Address: "城北路1号", Type: "hv_single",
				OrgUnit: &unit, ServicePoints: []customer.ServicePointInput{{Kind: "power_supply_point", AccountNo: "P9000001",
					Address: "城北路1号", Attributes: map[string]any{"voltage": "10kV"}}}})
		if err != nil {
			t.Fatal(err)
		}
		full, err := customer.New(customer.Options{DB: db, Policy: b.Packs, Now: clk.Now}).Get(t.Context(), admin, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		p, err := procs.Start(t.Context(), agent, process.StartInput{Definition: "change.suspension",
			ServicePointID: full.ServicePoints[0].ID, Attributes: map[string]any{"from": "2026-04-01", "to": "2026-05-01", "capacity_kva": 400.0}})
		if err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			who *auth.Principal
			in  process.ActionInput
		}{
			{agent, process.ActionInput{Action: process.ActionReceive, Item: "suspension_application"}},
			{agent, process.ActionInput{Action: process.ActionComplete, Step: "application"}},
			{field, process.ActionInput{Action: process.ActionComplete, Step: "seal"}},
			{field, process.ActionInput{Action: process.ActionComplete, Step: "resume"}},
		}
		for _, s := range steps {
			if p, err = procs.Act(t.Context(), s.who, p.ID, s.in); err != nil {
				t.Fatalf("%s %s: %v", s.in.Action, s.in.Step, err)
			}
		}
		if p.Status != process.StatusCompleted {
			t.Fatalf("status %s", p.Status)
		}
		clk.Set(at("2026-03-03 00:05"))
		if _, err := b.Engine.FireDue(t.Context()); err != nil {
			t.Fatal(err)
		}
		got, err := visits.List(t.Context(), admin, visit.Filter{})
		if err != nil || len(got) != 1 {
			t.Fatalf("visits %v %v", got, err)
		}
		v := got[0]
		// Completed Mon 2026-03-02 09:00 + 3d → end of Thu 03-05 (cn).
		if v.RefType != "process" || v.RefNumber != p.Number || v.Role != "cs_agent" || v.Customer.Name != "城北商场" ||
			!v.DueAt.Equal(at("2026-03-06 00:00")) {
			t.Fatalf("visit %+v", v)
		}
	})
}
