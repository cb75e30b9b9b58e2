package merit_test

import (
	"fmt"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/testkit"
)

// BenchmarkMonthly reads the monthly table of a company of 300 people with
// two years of ledger (24 confirmed entries each, 7,200 in all) — the page
// a manager opens before publishing — and a person's summary.
func BenchmarkMonthly(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchMonthly(b, storetest.OpenSQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchMonthly(b, storetest.OpenPostgres(b)) })
}

func benchMonthly(b *testing.B, db *store.DB) {
	l := newLedger(b, db)
	kinds := []string{policy.MeritCommendation, policy.MeritCriticism, policy.MeritWarning, policy.MeritFine,
		policy.MeritPointsCut, policy.MeritMinorDemerit}
	var people []*auth.Principal
	for range 300 {
		people = append(people, testkit.User(b, db, l.team, auth.RoleCSAgent))
	}
	err := db.Tx(l.ctx, func(tx store.Conn) error {
		for i, p := range people {
			for j := range 24 {
				kind := kinds[(i+j)%len(kinds)]
				var amount, points int
				switch kind {
				case policy.MeritFine:
					amount = 5000
				case policy.MeritPointsCut:
					points = 2
				}
				on := fmt.Sprintf("%d-%02d-%02d", 2025+j/12, 1+j%12, 1+(i+j)%28)
				if _, err := tx.Exec(l.ctx, `INSERT INTO merit_entries (company_id, unit_id, user_id, pack, pack_version, kind,
					occurred_on, amount_cents, points, reason, created_at, state, decided_by)
					VALUES (?, ?, ?, 'gas', 5, ?, ?, ?, ?, '基准', 0, 'confirmed', ?)`, l.gas.ID, l.team.ID, p.UserID, kind, on,
					amount, points, l.mgr.UserID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("monthly", func(b *testing.B) {
		for b.Loop() {
			t, err := l.svc.Monthly(l.ctx, l.mgr, l.gas.ID, "2026-06")
			if err != nil || len(t.Rows) != 300 {
				b.Fatalf("%v rows %d", err, len(t.Rows))
			}
		}
	})
	b.Run("summary", func(b *testing.B) {
		for b.Loop() {
			if _, err := l.svc.Summary(l.ctx, l.mgr, people[7].UserID, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
}
