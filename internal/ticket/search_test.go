package ticket_test

import (
	"slices"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/textsearch"
	"kefu/internal/ticket"
)

// TestListSearch: Filter.Q finds work orders by a fragment of the number,
// subject, customer name, phone (also written with separators) or address,
// from the doc of migration 00012, by either plan and on both databases,
// and finds nothing else; the triggers follow changes of the row, raw SQL
// included.
func TestListSearch(t *testing.T) {
	for _, plan := range []string{"index", "walk"} {
		t.Run(plan, func(t *testing.T) {
			w, h, m := textsearch.ProbeWindow, textsearch.ProbeHits, textsearch.MaxPrefixTerms
			t.Cleanup(func() { textsearch.ProbeWindow, textsearch.ProbeHits, textsearch.MaxPrefixTerms = w, h, m })
			if plan == "index" {
				textsearch.ProbeHits = 1 << 30
			} else {
				textsearch.ProbeHits, textsearch.MaxPrefixTerms = 0, 0
			}
			storetest.Each(t, testListSearch)
		})
	}
}

func testListSearch(t *testing.T, db *store.DB) {
	f := newFixture(t, db)
	p := f.user(f.units["property/cs"], auth.RoleCSSupervisor)
	mk := func(subject, name, phone, address string) ticket.Ticket {
		return f.create(p, ticket.CreateInput{Category: "repair.other", Subject: subject,
			Customer: &customer.Input{Name: name, Phone: phone, Address: address}})
	}
	a := mk("楼道灯不亮", "王芳", "13812345678", "朝阳区幸福里小区3栋2单元301室")
	b := mk("门禁坏了", "李小龙", "010-8765 4321", "海淀区中关村大街1号")
	c := mk("Water Leak 漏水", "张伟", "13900001111", "丰台区幸福大街8号")

	expect := func(q string, want ...ticket.Ticket) {
		t.Helper()
		pg, err := f.svc.List(f.ctx, p, ticket.Filter{Q: q, Limit: 100})
		if err != nil {
			t.Fatalf("q %q: %v", q, err)
		}
		got := []store.ID{}
		for _, tk := range pg.Items {
			got = append(got, tk.ID)
		}
		ids := []store.ID{}
		for _, tk := range want {
			ids = append(ids, tk.ID)
		}
		slices.SortFunc(ids, func(x, y store.ID) int { return int(y - x) })
		if !slices.Equal(got, ids) {
			t.Errorf("q %q = %v, want %v", q, got, ids)
		}
	}
	expect("幸福", a, c) // address
	expect("幸福里", a)
	expect("区幸", a, c)
	expect("灯不亮", a) // subject
	expect("楼道", a)
	expect("water leak", c) // ASCII letters folded
	expect("ＷＡＴＥＲ", c)      // full-width forms folded
	expect("芳", a)          // customer name
	expect("1381234", a)    // phone fragment
	expect("138-1234", a)   // phone fragment with separators: its digits
	expect("87654321", b)   // the digits of "010-8765 4321"
	expect("8765 4321", b)
	expect(a.Number[2:8], a, b, c) // number fragment shared by all
	expect(a.Number, a)            // a whole number
	expect(b.Number[len(b.Number)-5:], b)
	expect("不存在", nil...)
	expect("王芳1", nil...) // name and phone are separate fields
	expect("亮王", nil...)  // and subject and name
	expect("%", nil...)   // wildcards are literal
	expect("_", nil...)
	expect("幸福里小区3栋2单元301室北", nil...)

	// Raw updates and deletes are followed by the triggers.
	exec := func(q string, args ...any) {
		t.Helper()
		if err := db.Tx(f.ctx, func(tx store.Conn) error { _, err := tx.Exec(f.ctx, q, args...); return err }); err != nil {
			t.Fatal(err)
		}
	}
	exec("UPDATE tickets SET customer_address = ?, subject = ? WHERE id = ?", "石景山区八角路", "燃气泄漏", c.ID)
	expect("幸福", a)
	expect("八角", c)
	expect("泄漏", c)
	expect("漏水", nil...)
	exec("UPDATE tickets SET customer_phone = ? WHERE id = ?", "(021) 5555-0000", a.ID)
	expect("1381234", nil...)
	expect("02155550000", a)
	expect("5555-0000", a)
	exec("UPDATE tickets SET status = ? WHERE id = ?", "closed", b.ID) // other columns keep the doc
	expect("中关村", b)
}

// TestSearchNewestFirstBound: the index plan first reads only the newest
// textsearch.NewestFirst matches; when other filters discard those, the
// list still finds the older matches (the unbounded second run), and
// paging through a bounded plan misses nothing.
func TestSearchNewestFirstBound(t *testing.T) {
	w, h, n := textsearch.ProbeWindow, textsearch.ProbeHits, textsearch.NewestFirst
	t.Cleanup(func() { textsearch.ProbeWindow, textsearch.ProbeHits, textsearch.NewestFirst = w, h, n })
	textsearch.ProbeHits, textsearch.NewestFirst = 1<<30, 2 // always the index, bounded to 2
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := f.user(f.units["property/cs"], auth.RoleCSSupervisor)
		mk := func(cat, subject string) ticket.Ticket {
			return f.create(p, ticket.CreateInput{Category: cat, Subject: subject})
		}
		a := mk("repair.other", "卫生间漏水")
		b := mk("repair.simple", "厨房漏水")
		c := mk("repair.simple", "阳台漏水")
		mk("repair.simple", "门禁坏了")
		list := func(flt ticket.Filter) []store.ID {
			t.Helper()
			var out []store.ID
			for {
				pg, err := f.svc.List(f.ctx, p, flt)
				if err != nil {
					t.Fatal(err)
				}
				for _, tk := range pg.Items {
					out = append(out, tk.ID)
				}
				if pg.Next == "" {
					return out
				}
				flt.Cursor = pg.Next
			}
		}
		if got := list(ticket.Filter{Q: "漏水", Category: "repair.other"}); !slices.Equal(got, []store.ID{a.ID}) {
			t.Errorf("older match behind the bound: %v, want [%d]", got, a.ID)
		}
		if got := list(ticket.Filter{Q: "漏水", Limit: 1}); !slices.Equal(got, []store.ID{c.ID, b.ID, a.ID}) {
			t.Errorf("paging one by one: %v, want %v", got, []store.ID{c.ID, b.ID, a.ID})
		}
	})
}
