package process_test

import (
	"sync"
	"testing"

	"kefu/internal/process"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestQuotaUnderConcurrency: two applications for the second suspension
// of a year arrive at once (PRC-032: at most two a year); exactly one is
// accepted, on both databases.
func TestQuotaUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		sp := f.supplyPoint("城郊水厂")
		f.clk.Set(at("2026-02-20 10:00"))
		start := func(from, to string) error {
			_, err := f.svc.Start(f.ctx, f.people["agent"], process.StartInput{Definition: "change.suspension", ServicePointID: sp.ID,
				Attributes: map[string]any{"from": from, "to": to, "capacity_kva": 400.0}})
			return err
		}
		if err := start("2026-03-01", "2026-04-01"); err != nil {
			t.Fatal(err)
		}
		for round := range 5 {
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, span := range [][2]string{{"2026-05-01", "2026-06-01"}, {"2026-07-01", "2026-08-01"}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = start(span[0], span[1])
				}()
			}
			wg.Wait()
			accepted := 0
			for _, err := range errs {
				if err == nil {
					accepted++
				}
			}
			if want := map[bool]int{true: 1, false: 0}[round == 0]; accepted != want {
				t.Fatalf("round %d: %d of 2 accepted (%v), want %d", round, accepted, errs, want)
			}
		}
	})
}
