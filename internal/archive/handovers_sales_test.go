package archive

import (
	"strings"
	"testing"

	"kefu/internal/calendar"
	"kefu/internal/sales"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// ARC-006: a subscription signed Thu 2026-09-24 opens the sales team's
// handover to Customer Affairs, due 2026-10-10 00:00 (Mid-Autumn and the
// National Day holidays passed over); a company whose departments are not
// bound gets none, and the sale is not refused.
func TestSubscriptionOpensSalesHandover(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.set("2026-09-24 16:00")
		sub := sales.Subscription{CompanyID: fx.company, DealID: 7, Number: "CJ-2026-0007", PropertyUnit: "3-0501",
			Subscriber: "陈先生", SignedOn: calendar.D(2026, 9, 24)}
		for _, company := range []store.ID{fx.company, fx.other.ID} {
			sub.CompanyID = company
			if err := db.Tx(fx.ctx, func(tx store.Conn) error { return fx.svc.OnSubscriptionSigned(fx.ctx, tx, sub) }); err != nil {
				t.Fatal(err)
			}
		}
		page := must(fx.svc.ListHandovers(fx.ctx, fx.archivist, HandoverFilter{Schedule: "sales"}))(t)
		if len(page.Items) != 1 {
			t.Fatalf("batches = %+v", page.Items)
		}
		h := page.Items[0]
		if !h.DueAt.Equal(at(t, "2026-10-10 00:00")) || h.FromUnitID != fx.dept["sales_team"] ||
			h.ToUnitID != fx.dept["customer_affairs"] || h.EventOn != calendar.D(2026, 9, 24) ||
			!strings.Contains(h.EventNote, "CJ-2026-0007") || h.State != HandoverPending {
			t.Fatalf("batch = %+v", h)
		}
		var others int
		if err := db.Reader().QueryRow(fx.ctx, "SELECT count(*) FROM archive_handovers WHERE company_id = ?", fx.other.ID).
			Scan(&others); err != nil || others != 0 {
			t.Fatalf("the unbound company got %d batches (%v)", others, err)
		}
	})
}
