package ticket_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/ticket"
)

// TestDeferredSearchIndex: on SQLite the search docs are indexed once per
// group commit (migration 00014). Under concurrent intakes, edits of
// indexed and of still-pending docs, and members that fail after writing,
// the FTS5 indexes stay exactly consistent with their docs (FTS5's own
// integrity-check), nothing is left pending, and search finds each work
// order by its current subject only.
func TestDeferredSearchIndex(t *testing.T) {
	t.Parallel()
	db := storetest.OpenSQLite(t)
	f := newFixture(t, db)
	p := f.user(f.units["property/cs"], auth.RoleCSSupervisor)
	first := f.create(p, ticket.CreateInput{Category: "repair.other", Subject: "旧标题甲乙丙",
		Customer: &customer.Input{Name: "王芳", Phone: "13812345678", Address: "幸福里小区3栋"}})

	refused := errors.New("refused")
	var wg sync.WaitGroup
	for i := range 24 {
		wg.Go(func() {
			switch i % 4 {
			case 0, 1: // intake, half of them by a returning customer
				_, err := f.svc.Create(f.ctx, p, ticket.CreateInput{Category: "repair.other", Subject: fmt.Sprintf("并发工单%02d号", i),
					Customer: &customer.Input{Name: "客户", Phone: fmt.Sprintf("1390000%04d", i%8), Address: fmt.Sprintf("%d栋", i)}})
				if err != nil {
					t.Error(err)
				}
			case 2: // a member that writes, edits its own pending doc, then fails
				err := db.Tx(f.ctx, func(tx store.Conn) error {
					if _, err := tx.Exec(f.ctx, `INSERT INTO tickets (number, pack, pack_version, category, channel, status,
						subject, received_at, receiving_unit_id, created_at, updated_at)
						VALUES (?, 'property', 1, 'repair.other', 'phone', 'new', '失败的工单', 1, ?, 1, 1)`,
						fmt.Sprint("FAIL-", i), p.OrgUnitID); err != nil {
						return err
					}
					if _, err := tx.Exec(f.ctx, "UPDATE tickets SET subject = '失败后改的' WHERE number = ?", fmt.Sprint("FAIL-", i)); err != nil {
						return err
					}
					return refused
				})
				if !errors.Is(err, refused) {
					t.Errorf("failing member: %v", err)
				}
			case 3: // an edit of an indexed doc
				err := db.Tx(f.ctx, func(tx store.Conn) error {
					_, err := tx.Exec(f.ctx, "UPDATE tickets SET subject = ? WHERE id = ?", fmt.Sprintf("新标题%02d", i), first.ID)
					return err
				})
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()

	for _, fts := range []string{"ticket_fts", "customer_fts"} {
		if _, err := db.Writer().ExecContext(f.ctx, fmt.Sprintf("INSERT INTO %[1]s (%[1]s) VALUES ('integrity-check')", fts)); err != nil {
			t.Errorf("%s integrity-check: %v", fts, err)
		}
	}
	for _, pending := range []string{"ticket_fts_pending", "customer_fts_pending"} {
		var n int
		if err := db.Reader().QueryRow(f.ctx, "SELECT count(*) FROM "+pending).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d rows left (%v)", pending, n, err)
		}
	}
	count := func(q string) int {
		t.Helper()
		pg, err := f.svc.List(f.ctx, p, ticket.Filter{Q: q, Limit: 100})
		if err != nil {
			t.Fatalf("q %q: %v", q, err)
		}
		return len(pg.Items)
	}
	if n := count("并发工单"); n != 12 {
		t.Errorf("并发工单: %d found, want the 12 intakes", n)
	}
	if n := count("甲乙丙"); n != 0 {
		t.Errorf("the old subject is still found (%d)", n)
	}
	if n := count("新标题"); n != 1 {
		t.Errorf("the edited subject: %d found, want 1", n)
	}
	if n := count("失败"); n != 0 {
		t.Errorf("failed members' work orders found (%d)", n)
	}
}
