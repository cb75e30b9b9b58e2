package seed_test

import (
	"context"
	"log/slog"
	"regexp"
	"testing"
	"time"

	"kefu/bench/seed"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/customer"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/ticket"
)

// TestSeed seeds a small database and reads it back through the services.
func TestSeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 20, 15, 0, 0, 0, store.Zone)
		clock := func() time.Time { return now }
		st, err := seed.Run(ctx, db, seed.Options{Customers: 2000, Tickets: 5000, Seed: 7, Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		if st.Customers != 2000 || st.Tickets != 5000 || st.ServicePoints < 2000 || st.Events < 5000 || st.Clocks == 0 {
			t.Fatalf("stats %+v", st)
		}
		t.Logf("%d rows, %.0f rows/s", st.Rows(), st.RowsPerSecond())

		log := slog.New(slog.DiscardHandler)
		orgs := org.New(org.Options{DB: db, Now: clock})
		cals := calendar.NewRegistry(calendar.RegistryOptions{DB: db, Now: clock, Logger: log})
		if err := cals.Load(ctx); err != nil {
			t.Fatal(err)
		}
		packs := policy.NewRegistry(policy.Options{DB: db, Org: orgs, Calendars: cals, Logger: log, Now: clock})
		if err := packs.Load(ctx); err != nil {
			t.Fatal(err)
		}
		customers := customer.New(customer.Options{DB: db, Policy: packs, Now: clock})
		tickets := ticket.New(ticket.Options{DB: db, Calendars: cals, Policy: packs, Org: orgs, Customers: customers,
			Logger: log, Now: clock})
		root, err := orgs.Root(ctx)
		if err != nil {
			t.Fatal(err)
		}
		admin := &auth.Principal{UserID: 1, Username: "admin", Roles: []auth.Role{auth.RoleAdmin}, OrgUnitID: root.ID,
			OrgPath: root.Path}

		// Every status of the brief, some breached work orders, and whole pages.
		for _, s := range []ticket.Status{ticket.StatusNew, ticket.StatusAssigned, ticket.StatusInProgress,
			ticket.StatusResolved, ticket.StatusClosed} {
			pg, err := tickets.List(ctx, admin, ticket.Filter{Status: s, Limit: 5})
			if err != nil {
				t.Fatal(err)
			}
			if len(pg.Items) == 0 {
				t.Errorf("no work order in status %s", s)
			}
		}
		yes := true
		if pg, err := tickets.List(ctx, admin, ticket.Filter{Breached: &yes, Limit: 5}); err != nil || len(pg.Items) == 0 {
			t.Errorf("breached work orders: %d, %v", len(pg.Items), err)
		}
		pg, err := tickets.List(ctx, admin, ticket.Filter{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if len(pg.Items) != 500 || pg.Next == "" {
			t.Fatalf("first page: %d items, next %q", len(pg.Items), pg.Next)
		}
		number := regexp.MustCompile(`^\d{8}-\d{6}$`)
		packSeen := map[string]bool{}
		for _, sm := range pg.Items {
			tk, err := tickets.Get(ctx, admin, sm.ID)
			if err != nil {
				t.Fatalf("get %d: %v", sm.ID, err)
			}
			packSeen[tk.Pack] = true
			if !number.MatchString(tk.Number) {
				t.Errorf("%d: number %q", tk.ID, tk.Number)
			}
			if len(tk.Timeline) == 0 || tk.Timeline[0].Action != "received" {
				t.Fatalf("%s: timeline %+v", tk.Number, tk.Timeline)
			}
			status := ticket.StatusNew
			for _, e := range tk.Timeline {
				if e.ToStatus != "" {
					if e.FromStatus != "" && e.FromStatus != status {
						t.Errorf("%s: %s from %s, but status was %s", tk.Number, e.Action, e.FromStatus, status)
					}
					status = e.ToStatus
				}
				if e.At.After(now) || e.At.Before(tk.ReceivedAt) {
					t.Errorf("%s: event %s at %s", tk.Number, e.Action, e.At)
				}
			}
			if status != tk.Status {
				t.Errorf("%s: status %s, timeline ends at %s", tk.Number, tk.Status, status)
			}
			if (tk.Status == ticket.StatusClosed) != (tk.ClosedAt != nil) {
				t.Errorf("%s: status %s, closed_at %v", tk.Number, tk.Status, tk.ClosedAt)
			}
			breached := false
			for _, c := range append(tk.Clocks, tk.Targets...) {
				if c.State == ticket.ClockPending {
					if c.StartedAt != nil || c.TargetAt != nil {
						t.Errorf("%s: pending clock %s started", tk.Number, c.Kind)
					}
					continue
				}
				cal, ok := cals.Get(c.Calendar)
				if !ok || c.StartedAt == nil || c.TargetAt == nil {
					t.Fatalf("%s: clock %s: calendar %q, started %v, target %v", tk.Number, c.Kind, c.Calendar, c.StartedAt, c.TargetAt)
				}
				want, err := cal.Deadline(*c.StartedAt, c.Duration)
				if err != nil || !want.At.Equal(*c.TargetAt) {
					t.Errorf("%s: clock %s from %s + %s: target %s, calendar says %s (%v)", tk.Number, c.Kind,
						c.StartedAt, c.Duration, c.TargetAt, want.At, err)
				}
				switch c.State {
				case ticket.ClockMet:
					if c.MetAt == nil || (!c.Target && c.MetAt.After(*c.TargetAt)) {
						t.Errorf("%s: met clock %s met at %v, target %s", tk.Number, c.Kind, c.MetAt, c.TargetAt)
					}
				case ticket.ClockBreached:
					breached = true
					if c.BreachedAt == nil || !c.BreachedAt.Equal(*c.TargetAt) || c.Target {
						t.Errorf("%s: breached clock %s: %+v", tk.Number, c.Kind, c)
					}
				case ticket.ClockRunning:
					if !c.Target && !c.TargetAt.After(now) {
						t.Errorf("%s: clock %s running past its target", tk.Number, c.Kind)
					}
				}
			}
			if breached != tk.Breached {
				t.Errorf("%s: breached %v, clocks say %v", tk.Number, tk.Breached, breached)
			}
			if tk.Customer.ID != 0 {
				c, err := customers.Get(ctx, admin, tk.Customer.ID)
				if err != nil {
					t.Fatalf("customer %d: %v", tk.Customer.ID, err)
				}
				if c.Name != tk.Customer.Name || c.Pack != tk.Pack || len(c.ServicePoints) == 0 {
					t.Errorf("customer %d: %s/%s, %d points; work order says %s/%s", c.ID, c.Name, c.Pack,
						len(c.ServicePoints), tk.Customer.Name, tk.Pack)
				}
			}
		}
		if len(packSeen) != 5 {
			t.Errorf("packs on the first page: %v", packSeen)
		}

		// Search finds a customer by a fragment of a service point's address.
		c, err := customers.Get(ctx, admin, pg.Items[0].Customer.ID)
		if err != nil {
			t.Fatal(err)
		}
		addr := []rune(c.ServicePoints[len(c.ServicePoints)-1].Address)
		frag := string(addr[len(addr)/2:])
		found, err := customers.List(ctx, admin, customer.Filter{Q: frag, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		ok := false
		for _, it := range found.Items {
			ok = ok || it.ID == c.ID
		}
		if !ok {
			t.Errorf("search %q: customer %d not among %d results", frag, c.ID, len(found.Items))
		}
		if !regexp.MustCompile(`^[GPH]-\d{6}$`).MatchString(c.ServicePoints[0].ArchiveNo) {
			t.Errorf("archive number %q", c.ServicePoints[0].ArchiveNo)
		}
	})
}
