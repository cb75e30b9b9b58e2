package ticket_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/customer"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/ticket"
)

// listPage is the list answer shape of API.md (httpapi's list[T]).
type listPage struct {
	Items      []ticket.Ticket `json:"items"`
	NextCursor string          `json:"next_cursor,omitempty"`
}

// benchPage is a first page as GET /tickets returns it: 50 work orders,
// each with a customer snapshot and two running clocks.
func benchPage() listPage {
	base := time.Date(2026, 11, 20, 9, 30, 0, 0, store.Zone)
	t := func(d time.Duration) *time.Time { v := base.Add(d); return &v }
	items := make([]ticket.Ticket, 50)
	for i := range items {
		id := store.ID(1_000_000 - i)
		rec := base.Add(-time.Duration(i) * 17 * time.Minute)
		mk := func(cid store.ID, kind string, d calendar.Duration, target time.Duration) ticket.Clock {
			return ticket.Clock{ID: cid, Kind: policy.ClockKind(kind), Duration: d, Calendar: "cn", PackVersion: 1,
				StartsOn: []policy.Event{policy.EventReceived}, StopsOn: policy.DefaultStop(policy.ClockKind(kind)),
				WarnPercent: 80, State: ticket.ClockRunning, StartedAt: &rec, TargetAt: t(target),
				OriginalTargetAt: t(target), WarnAt: t(target * 8 / 10), Provisional: false}
		}
		items[i] = ticket.Ticket{ID: id, Number: fmt.Sprintf("20261120-%06d", 50-i), Status: ticket.StatusAssigned,
			Pack: "property", PackVersion: 1, Category: "repair.other", Channel: "phone", Severity: "general",
			Subject:     "卫生间漏水，楼下天花板有水渍",
			Description: "业主来电反映：3栋1单元502卫生间地面漏水，楼下402天花板出现水渍并滴水，请尽快安排维修人员上门查看处理。",
			Customer: ticket.Party{ID: store.ID(50_000 + i), Name: "张先生", Phone: fmt.Sprintf("1380013%04d", i),
				Address: "幸福里小区3栋1单元502"},
			ReceivedAt: rec, ReceivingUnitID: 12, ReceivedBy: 345, HandlingUnitID: 17, AssigneeID: 678,
			WrittenReply: i%3 == 0,
			Clocks: []ticket.Clock{
				mk(2*id, "arrival", calendar.Duration{N: 30, Unit: calendar.Minutes}, 30*time.Minute),
				mk(2*id+1, "resolve", calendar.Duration{N: 3, Unit: calendar.WorkingDays}, 72*time.Hour),
			},
			Targets: []ticket.Clock{}, CreatedAt: rec, UpdatedAt: rec.Add(5 * time.Minute)}
	}
	return listPage{Items: items, NextCursor: "OTk5OTUx"}
}

// BenchmarkListPageJSON encodes a first page with the encoder httpapi's
// writeJSON uses (encoding/json, HTML escaping off).
func BenchmarkListPageJSON(b *testing.B) {
	page := benchPage()
	var buf bytes.Buffer
	enc := func() {
		buf.Reset()
		e := json.NewEncoder(&buf)
		e.SetEscapeHTML(false)
		if err := e.Encode(page); err != nil {
			b.Fatal(err)
		}
	}
	enc()
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		enc()
	}
}

// BenchmarkCreate registers one work order per op through the service on
// SQLite (synchronous=FULL: each op is one durable commit) and, when
// KEFU_TEST_POSTGRES is set, PostgreSQL: property repair.simple (one resolve
// clock of hd, so a warning and a breach timer), a customer out of a pool of
// 1000 (FindOrCreate, duplicate candidates). The commit sub-benchmark is
// the floor under it: one durable transaction inserting one row.
func BenchmarkCreate(b *testing.B) {
	for _, d := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.OpenSQLite}, {"postgres", storetest.OpenPostgres}} {
		b.Run(d.name, func(b *testing.B) {
			db := d.open(b)
			f := newFixture(b, db)
			p := f.user(f.units["property/cs"], auth.RoleCSAgent)
			b.Run("commit", func(b *testing.B) {
				if err := db.Tx(f.ctx, func(tx store.Conn) error {
					_, err := tx.Exec(f.ctx, "CREATE TABLE IF NOT EXISTS bench_commit (n BIGINT NOT NULL)")
					return err
				}); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					if err := db.Tx(f.ctx, func(tx store.Conn) error {
						_, err := tx.Exec(f.ctx, "INSERT INTO bench_commit (n) VALUES (?)", i)
						return err
					}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("create", func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					_, err := f.svc.Create(f.ctx, p, ticket.CreateInput{Pack: "property", Category: "repair.simple",
						Channel: "phone", Subject: "卫生间漏水", Description: "楼下天花板有水渍",
						Customer: &customer.Input{Name: "张先生", Phone: fmt.Sprintf("1380013%04d", i%1000), Address: "3栋1单元502"}})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
			// 16 callers at once, as HTTP requests arrive: on SQLite their
			// transactions share commits (store's group commit).
			b.Run("create-parallel", func(b *testing.B) {
				b.ReportAllocs()
				b.SetParallelism(8)
				var n atomic.Int64
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						// Seven callers in ten are new customers, as in
						// `kefu bench load --scenario create`.
						i := n.Add(1)
						phone := fmt.Sprintf("1380013%04d", i%1000)
						if i%10 >= 3 {
							phone = fmt.Sprintf("139%08d", i)
						}
						_, err := f.svc.Create(f.ctx, p, ticket.CreateInput{Pack: "property", Category: "repair.simple",
							Channel: "phone", Subject: "卫生间漏水", Description: "楼下天花板有水渍",
							Customer: &customer.Input{Name: "张先生", Phone: phone, Address: "3栋1单元502"}})
						if err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		})
	}
}
