package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/internal/i18n"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// t0 is the fixed instant the tests record at; row i is at t0 + i seconds.
var t0 = time.Date(2025, 3, 9, 9, 30, 0, 123456789, time.FixedZone("UTC-5", -5*3600))

// at returns the instant of the i-th recorded row.
func at(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) }

// record appends n rows in n transactions, as the actor and request of ctx,
// on object ("ticket", "T1"…); it fails the test on any error.
func record(t *testing.T, ctx context.Context, db *store.DB, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		err := db.Tx(ctx, func(tx store.Conn) error {
			return Record(ctx, tx, at(i), "ticket.update", "ticket", "T"+strconv.Itoa(i),
				map[string]any{"status": []string{"open", "closed"}, "n": i})
		})
		if err != nil {
			t.Fatalf("record row %d: %v", i, err)
		}
	}
}

// exec runs one statement in a write transaction and returns its error.
func exec(ctx context.Context, db *store.DB, q string, args ...any) error {
	return db.Tx(ctx, func(tx store.Conn) error {
		_, err := tx.Exec(ctx, q, args...)
		return err
	})
}

// mustExec is exec that fails the test on error.
func mustExec(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if err := exec(context.Background(), db, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// dropGuards removes the append-only triggers, as a tamperer with DDL
// rights would, so that rows can be changed behind the chain's back.
func dropGuards(t *testing.T, db *store.DB) {
	t.Helper()
	if db.Dialect() == store.Postgres {
		mustExec(t, db, "ALTER TABLE audit_log DISABLE TRIGGER USER")
		return
	}
	for _, name := range []string{"audit_log_no_update", "audit_log_no_delete", "audit_log_no_replace"} {
		mustExec(t, db, "DROP TRIGGER IF EXISTS "+name)
	}
}

// all returns every audit row, oldest first.
func all(t *testing.T, db *store.DB) []Entry {
	t.Helper()
	rows, next, err := List(context.Background(), db, Filter{Limit: 1 << 20})
	if err != nil || next != "" {
		t.Fatalf("List: %v (next %q)", err, next)
	}
	for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
		rows[i], rows[j] = rows[j], rows[i]
	}
	return rows
}

// verify runs Verify and fails the test on a read error.
func verify(t *testing.T, db *store.DB) Report {
	t.Helper()
	rep, err := Verify(context.Background(), db)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return rep
}

// checkChain asserts that rows are numbered 1…n and each links to the one
// before with a hash that matches its content.
func checkChain(t *testing.T, rows []Entry) {
	t.Helper()
	prev := Genesis
	for i, e := range rows {
		if e.Seq != int64(i+1) {
			t.Fatalf("row %d has seq %d", i+1, e.Seq)
		}
		if e.PrevHash != prev {
			t.Errorf("row %d: prev_hash %s, want %s", e.Seq, e.PrevHash, prev)
		}
		if len(e.Hash) != 64 || e.Hash != e.computeHash() {
			t.Errorf("row %d: hash %q does not match its content", e.Seq, e.Hash)
		}
		prev = e.Hash
	}
}

func TestContext(t *testing.T) {
	ctx := context.Background()
	if a := ActorFrom(ctx); a != System || a.ID != 0 || a.Name != "system" {
		t.Errorf("ActorFrom(empty) = %+v, want System", a)
	}
	if id := RequestIDFrom(ctx); id != "" {
		t.Errorf("RequestIDFrom(empty) = %q", id)
	}
	a := Actor{ID: 7, Name: "张三"}
	ctx = WithRequestID(WithActor(ctx, a), "req-1")
	if ActorFrom(ctx) != a || RequestIDFrom(ctx) != "req-1" {
		t.Errorf("context carries %+v %q", ActorFrom(ctx), RequestIDFrom(ctx))
	}
}

func TestRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		user := Actor{ID: 7, Name: "张三"}
		ctx := WithRequestID(WithActor(context.Background(), user), "req-42")
		record(t, ctx, db, 4)
		// A system change with no request and no changes.
		err := db.Tx(context.Background(), func(tx store.Conn) error {
			return Record(context.Background(), tx, at(5), "calendar.reload", "calendar", "", nil)
		})
		if err != nil {
			t.Fatal(err)
		}

		rows := all(t, db)
		if len(rows) != 5 {
			t.Fatalf("%d rows, want 5", len(rows))
		}
		checkChain(t, rows)
		if rows[0].PrevHash != Genesis {
			t.Errorf("first row links to %s, want Genesis", rows[0].PrevHash)
		}
		for i, e := range rows[:4] {
			want := at(i + 1).Truncate(time.Microsecond)
			if !e.At.Equal(want) || e.At.Location() != store.Zone {
				t.Errorf("row %d at %v, want %v in store.Zone", e.Seq, e.At, want)
			}
			if e.ActorID != 7 || e.Actor != "张三" || e.RequestID != "req-42" {
				t.Errorf("row %d: actor %d %q request %q", e.Seq, e.ActorID, e.Actor, e.RequestID)
			}
			if e.Action != "ticket.update" || e.ObjectType != "ticket" || e.ObjectID != "T"+strconv.Itoa(i+1) {
				t.Errorf("row %d: %s %s %s", e.Seq, e.Action, e.ObjectType, e.ObjectID)
			}
			var ch struct {
				Status []string `json:"status"`
				N      int      `json:"n"`
			}
			if err := json.Unmarshal(e.Changes, &ch); err != nil || ch.N != i+1 || len(ch.Status) != 2 {
				t.Errorf("row %d changes %s: %v", e.Seq, e.Changes, err)
			}
		}
		sys := rows[4]
		if sys.ActorID != 0 || sys.Actor != "system" || sys.RequestID != "" || string(sys.Changes) != "{}" {
			t.Errorf("system row: %+v", sys)
		}
		rep := verify(t, db)
		if rep.Verified != 5 || rep.Break != nil || !rep.Guarded {
			t.Errorf("Verify = %+v, want 5 verified, no break, guarded", rep)
		}
	})
}

func TestRecordRollsBackWithTheChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		record(t, ctx, db, 2)
		boom := errors.New("boom")
		err := db.Tx(ctx, func(tx store.Conn) error {
			if err := Record(ctx, tx, at(3), "ticket.create", "ticket", "T3", nil); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx = %v, want boom", err)
		}
		err = db.Tx(ctx, func(tx store.Conn) error {
			return Record(ctx, tx, at(3), "x", "y", "z", map[string]any{"bad": make(chan int)})
		})
		if err == nil || !strings.Contains(err.Error(), "marshal") {
			t.Fatalf("Record with unmarshallable changes = %v, want a marshal error", err)
		}
		record(t, ctx, db, 1)
		rows := all(t, db)
		if len(rows) != 3 {
			t.Fatalf("%d rows, want 3", len(rows))
		}
		checkChain(t, rows)
		if rep := verify(t, db); rep.Verified != 3 || rep.Break != nil {
			t.Errorf("Verify = %+v", rep)
		}
	})
}

func TestVerifyEmpty(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rep := verify(t, db)
		if rep.Verified != 0 || rep.Break != nil || !rep.Guarded {
			t.Errorf("Verify(empty) = %+v, want 0 verified, no break, guarded", rep)
		}
	})
}

func TestAppendOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		record(t, ctx, db, 5)
		refused := []string{
			"UPDATE audit_log SET action = 'forged' WHERE seq = 3",
			"UPDATE audit_log SET seq = seq + 100",
			"DELETE FROM audit_log WHERE seq = 3",
			"DELETE FROM audit_log",
		}
		if db.Dialect() == store.Postgres {
			refused = append(refused,
				"TRUNCATE audit_log",
				`INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, changes, request_id, prev_hash, hash)
					VALUES (3, 0, 'x', 'x', 'x', 'x', '{}', '', '', '')
					ON CONFLICT (seq) DO UPDATE SET action = 'forged'`)
		} else {
			refused = append(refused,
				// REPLACE deletes the old row without firing DELETE triggers.
				`INSERT OR REPLACE INTO audit_log (seq, at, actor, action, object_type, object_id, changes, request_id, prev_hash, hash)
					VALUES (3, 0, 'x', 'x', 'x', 'x', '{}', '', '', '')`,
				`REPLACE INTO audit_log (seq, at, actor, action, object_type, object_id, changes, request_id, prev_hash, hash)
					VALUES (3, 0, 'x', 'x', 'x', 'x', '{}', '', '', '')`,
				`INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, changes, request_id, prev_hash, hash)
					VALUES (3, 0, 'x', 'x', 'x', 'x', '{}', '', '', '')
					ON CONFLICT (seq) DO UPDATE SET action = 'forged'`,
				"UPDATE OR REPLACE audit_log SET seq = 2 WHERE seq = 3")
		}
		for _, q := range refused {
			err := exec(ctx, db, q)
			if err == nil {
				t.Errorf("%s: accepted", q)
			} else if !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want an append-only error", q, err)
			}
		}
		rows := all(t, db)
		if len(rows) != 5 {
			t.Fatalf("%d rows after refused changes, want 5", len(rows))
		}
		checkChain(t, rows)
		if rep := verify(t, db); rep.Verified != 5 || rep.Break != nil || !rep.Guarded {
			t.Errorf("Verify = %+v", rep)
		}
	})
}

func TestVerifyFindsTampering(t *testing.T) {
	const n = 6
	type tamper struct {
		name   string
		change func(t *testing.T, db *store.DB)
		seq    int64  // where Verify must report the break
		reason string // a word the reason must contain
		ok     int64  // rows verified before the break
	}
	var cases []tamper
	for col, val := range map[string]string{
		"at": "at + 1", "actor_id": "99", "actor": "'李四'", "action": "'ticket.delete'",
		"object_type": "'customer'", "object_id": "'T9'", "changes": `'{"n":3}'`,
		"request_id": "'req-x'", "hash": "prev_hash",
	} {
		cases = append(cases, tamper{
			name: "alter " + col,
			change: func(t *testing.T, db *store.DB) {
				mustExec(t, db, "UPDATE audit_log SET "+col+" = "+val+" WHERE seq = 3")
			},
			seq: 3, reason: "altered", ok: 2,
		})
	}
	cases = append(cases,
		tamper{
			name:   "delete a row",
			change: func(t *testing.T, db *store.DB) { mustExec(t, db, "DELETE FROM audit_log WHERE seq = 3") },
			seq:    4, reason: "deleted", ok: 2,
		},
		tamper{
			name:   "delete the first row",
			change: func(t *testing.T, db *store.DB) { mustExec(t, db, "DELETE FROM audit_log WHERE seq = 1") },
			seq:    2, reason: "deleted", ok: 0,
		},
		tamper{
			name: "relink a row",
			change: func(t *testing.T, db *store.DB) {
				mustExec(t, db, "UPDATE audit_log SET prev_hash = (SELECT hash FROM audit_log WHERE seq = 1) WHERE seq = 3")
			},
			seq: 3, reason: "link", ok: 2,
		},
		tamper{
			// The forged row is consistent in itself and links to row 2,
			// but row 4 still links to the original row 3.
			name: "replace a row with a self-consistent forgery",
			change: func(t *testing.T, db *store.DB) {
				rows := all(t, db)
				f := rows[2]
				f.Action, f.Changes = "ticket.delete", json.RawMessage(`{"forged":true}`)
				f.Hash = f.computeHash()
				mustExec(t, db, "DELETE FROM audit_log WHERE seq = 3")
				insertEntry(t, db, f)
			},
			seq: 4, reason: "link", ok: 3,
		},
		tamper{
			name: "insert a row in the middle",
			change: func(t *testing.T, db *store.DB) {
				// Make room at 4 by moving rows 4… up one, then insert a
				// forged row 4 linking to row 3.
				rows := all(t, db)
				mustExec(t, db, "UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 4")
				mustExec(t, db, "UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1000")
				f := rows[3]
				f.Action, f.PrevHash = "ticket.forged", rows[2].Hash
				f.Hash = f.computeHash()
				insertEntry(t, db, f)
			},
			seq: 5, reason: "link", ok: 4,
		},
		tamper{
			name: "append a row after a gap",
			change: func(t *testing.T, db *store.DB) {
				rows := all(t, db)
				f := rows[n-1]
				f.Seq, f.PrevHash = n+2, f.Hash
				f.Hash = f.computeHash()
				insertEntry(t, db, f)
			},
			seq: n + 2, reason: "inserted", ok: n,
		},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				record(t, WithActor(context.Background(), Actor{ID: 7, Name: "张三"}), db, n)
				dropGuards(t, db)
				tc.change(t, db)
				rep := verify(t, db)
				if rep.Break == nil {
					t.Fatalf("Verify found no break: %+v", rep)
				}
				if rep.Break.Seq != tc.seq || !strings.Contains(rep.Break.Reason.In(i18n.EN), tc.reason) {
					t.Errorf("Break = %v, want at row %d saying %q", rep.Break, tc.seq, tc.reason)
				}
				if rep.Verified != tc.ok {
					t.Errorf("Verified = %d, want %d", rep.Verified, tc.ok)
				}
				if rep.Guarded {
					t.Error("Guarded = true with the triggers gone")
				}
				if !strings.Contains(rep.Break.Error(), fmt.Sprintf("audit row %d", tc.seq)) {
					t.Errorf("Break.Error() = %q", rep.Break.Error())
				}
			})
		})
	}
}

// insertEntry writes e as it stands, bypassing Record.
func insertEntry(t *testing.T, db *store.DB, e Entry) {
	t.Helper()
	var actorID any
	if e.ActorID != 0 {
		actorID = e.ActorID
	}
	mustExec(t, db, `INSERT INTO audit_log
		(seq, at, actor_id, actor, action, object_type, object_id, changes, request_id, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, store.Micros(e.At), actorID, e.Actor, e.Action, e.ObjectType, e.ObjectID,
		string(e.Changes), e.RequestID, e.PrevHash, e.Hash)
}

func TestGuarded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		record(t, context.Background(), db, 2)
		if rep := verify(t, db); !rep.Guarded {
			t.Fatal("Guarded = false on a fresh database")
		}
		// Removing a single guard is enough to be reported.
		if db.Dialect() == store.Postgres {
			mustExec(t, db, "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_truncate")
		} else {
			mustExec(t, db, "DROP TRIGGER audit_log_no_delete")
		}
		rep := verify(t, db)
		if rep.Guarded {
			t.Error("Guarded = true with a trigger gone")
		}
		if rep.Verified != 2 || rep.Break != nil {
			t.Errorf("Verify = %+v, want the intact chain verified", rep)
		}
		dropGuards(t, db)
		if verify(t, db).Guarded {
			t.Error("Guarded = true with every trigger gone")
		}
	})
}

func TestList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		alice := WithActor(ctx, Actor{ID: 1, Name: "alice"})
		bob := WithActor(ctx, Actor{ID: 2, Name: "bob"})
		// 10 rows: odd seq by alice on tickets, even by bob on customers;
		// seq 9 and 10 are deletions.
		for i := 1; i <= 10; i++ {
			actx, typ, action := alice, "ticket", "update"
			if i%2 == 0 {
				actx, typ = bob, "customer"
			}
			if i >= 9 {
				action = "delete"
			}
			err := db.Tx(ctx, func(tx store.Conn) error {
				return Record(actx, tx, at(i), action, typ, strconv.Itoa(i%3), nil)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		seqs := func(rows []Entry) string {
			var s []string
			for _, e := range rows {
				s = append(s, strconv.FormatInt(e.Seq, 10))
			}
			return strings.Join(s, ",")
		}
		for _, tc := range []struct {
			name string
			f    Filter
			want string
		}{
			{"all", Filter{}, "10,9,8,7,6,5,4,3,2,1"},
			{"object type", Filter{ObjectType: "ticket"}, "9,7,5,3,1"},
			{"object", Filter{ObjectType: "ticket", ObjectID: "1"}, "7,1"},
			{"actor", Filter{ActorID: 2}, "10,8,6,4,2"},
			{"action", Filter{Action: "delete"}, "10,9"},
			{"actor and action", Filter{ActorID: 1, Action: "delete"}, "9"},
			{"before", Filter{BeforeSeq: 4}, "3,2,1"},
			{"none", Filter{ObjectType: "nothing"}, ""},
		} {
			rows, next, err := List(ctx, db, tc.f)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got := seqs(rows); got != tc.want || next != "" {
				t.Errorf("%s: got %s next %q, want %s and no next page", tc.name, got, next, tc.want)
			}
		}

		// Page through with a cursor.
		for _, tc := range []struct {
			f     Filter
			pages []string
		}{
			{Filter{Limit: 3}, []string{"10,9,8", "7,6,5", "4,3,2", "1"}},
			{Filter{Limit: 5}, []string{"10,9,8,7,6", "5,4,3,2,1"}},
			{Filter{Limit: 2, ActorID: 1}, []string{"9,7", "5,3", "1"}},
			{Filter{Limit: 10}, []string{"10,9,8,7,6,5,4,3,2,1"}},
		} {
			f := tc.f
			var got []string
			for {
				rows, next, err := List(ctx, db, f)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, seqs(rows))
				if next == "" {
					break
				}
				if len(got) > len(tc.pages) {
					t.Fatalf("%+v: too many pages: %v", tc.f, got)
				}
				if f.BeforeSeq, err = strconv.ParseInt(next, 10, 64); err != nil {
					t.Fatalf("cursor %q: %v", next, err)
				}
			}
			if strings.Join(got, "|") != strings.Join(tc.pages, "|") {
				t.Errorf("%+v: pages %v, want %v", tc.f, got, tc.pages)
			}
		}

		rows, _, err := List(ctx, db, Filter{ObjectType: "ticket", Limit: 1})
		if err != nil || len(rows) != 1 {
			t.Fatalf("List: %v", err)
		}
		if e := rows[0]; e.Actor != "alice" || e.ActorID != 1 || e.Action != "delete" || e.Hash != e.computeHash() {
			t.Errorf("listed row: %+v", e)
		}
	})
}

func TestListDefaultLimit(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	err := db.Tx(ctx, func(tx store.Conn) error {
		for i := 1; i <= 51; i++ {
			if err := Record(ctx, tx, at(i), "a", "b", "c", nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, next, err := List(ctx, db, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 50 || next != "2" {
		t.Errorf("default page: %d rows, next %q; want 50 and next 2", len(rows), next)
	}
}

// TestConcurrentRecord appends from many goroutines at once; on PostgreSQL
// the advisory lock must keep the chain linear across connections.
func TestConcurrentRecord(t *testing.T) {
	const workers, each = 8, 25
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := WithActor(context.Background(), Actor{ID: store.ID(w + 1), Name: "worker" + strconv.Itoa(w)})
				for i := 0; i < each; i++ {
					err := db.Tx(ctx, func(tx store.Conn) error {
						return Record(ctx, tx, at(w*each+i), "ticket.update", "ticket", strconv.Itoa(i), map[string]int{"i": i})
					})
					if err != nil {
						errs <- fmt.Errorf("worker %d, row %d: %w", w, i, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		rep := verify(t, db)
		if rep.Verified != workers*each || rep.Break != nil || !rep.Guarded {
			t.Errorf("Verify = %+v (break %v), want %d verified", rep, rep.Break, workers*each)
		}
		rows := all(t, db)
		if len(rows) != workers*each {
			t.Fatalf("%d rows, want %d", len(rows), workers*each)
		}
		checkChain(t, rows)
		perActor := map[store.ID]int{}
		for _, e := range rows {
			perActor[e.ActorID]++
		}
		for w := 1; w <= workers; w++ {
			if perActor[store.ID(w)] != each {
				t.Errorf("actor %d has %d rows, want %d", w, perActor[store.ID(w)], each)
			}
		}
	})
}
