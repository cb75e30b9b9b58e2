package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestRebind(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"no placeholders", "SELECT 1", "SELECT 1"},
		{"two", "a = ? AND b = ?", "a = $1 AND b = $2"},
		{"adjacent", "??", "$1$2"},
		{"in list", "id IN (?, ?, ?)", "id IN ($1, $2, $3)"},
		{"ten and more", strings.Repeat("?,", 11) + "?",
			"$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12"},
		{"single-quoted string", "x = '?' AND y = ?", "x = '?' AND y = $1"},
		{"doubled quote inside string", "x = 'it''s ?' || ?", "x = 'it''s ?' || $1"},
		{"double-quoted identifier", `"we?rd" = ?`, `"we?rd" = $1`},
		{"single quote inside identifier", `"o'k" = ? AND '"' = ?`, `"o'k" = $1 AND '"' = $2`},
		{"unterminated string", "x = ? AND y = 'abc ?", "x = $1 AND y = 'abc ?"},
		{"line comment", "x = ? -- why?\nAND y = ?", "x = $1 -- why?\nAND y = $2"},
		{"apostrophe in line comment", "x = ? -- the user's\nAND y = ?", "x = $1 -- the user's\nAND y = $2"},
		{"line comment at end", "x = ? -- what?", "x = $1 -- what?"},
		{"block comment", "x = /* ? 'a */ ? AND y = ?", "x = /* ? 'a */ $1 AND y = $2"},
		{"unterminated block comment", "x = ? /* ?", "x = $1 /* ?"},
		{"single minus and slash", "a-? AND b/?", "a-$1 AND b/$2"},
		{"existing dollar", "a = $1 AND b = ?", "a = $1 AND b = $1"},
		{"multibyte text", "name = '客服?' AND note = ?", "name = '客服?' AND note = $1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := store.Rebind(tt.in); got != tt.want {
				t.Errorf("Rebind(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPlaceholders(t *testing.T) {
	for n, want := range map[int]string{-1: "", 0: "", 1: "?", 2: "?, ?", 4: "?, ?, ?, ?"} {
		if got := store.Placeholders(n); got != want {
			t.Errorf("Placeholders(%d) = %q, want %q", n, got, want)
		}
	}
	if got := store.Rebind("IN (" + store.Placeholders(3) + ")"); got != "IN ($1, $2, $3)" {
		t.Errorf("rebound placeholders = %q", got)
	}
}

func TestIDJSON(t *testing.T) {
	b, err := json.Marshal(struct {
		ID store.ID `json:"id"`
	}{42})
	if err != nil || string(b) != `{"id":"42"}` {
		t.Fatalf("Marshal = %s, %v; want {\"id\":\"42\"}", b, err)
	}
	for _, in := range []string{`"42"`, `42`} {
		var id store.ID
		if err := json.Unmarshal([]byte(in), &id); err != nil || id != 42 {
			t.Errorf("Unmarshal(%s) = %d, %v; want 42", in, id, err)
		}
	}
	var big store.ID
	if err := json.Unmarshal([]byte(`"9223372036854775807"`), &big); err != nil || big != 1<<63-1 {
		t.Errorf("max int64 id: %d, %v", big, err)
	}
	var round store.ID
	if err := json.Unmarshal(b[len(`{"id":`):len(b)-1], &round); err != nil || round != 42 {
		t.Errorf("round trip = %d, %v", round, err)
	}
	for _, in := range []string{`"abc"`, `""`, `"0"`, `0`, `-3`, `"-3"`, `1.5`, `1e3`,
		`"9223372036854775808"`, `true`, `{}`, `[]`, `"4 2"`} {
		var id store.ID
		if err := json.Unmarshal([]byte(in), &id); err == nil {
			t.Errorf("Unmarshal(%s) = %d, want an error", in, id)
		}
	}
	// A bad id is a type error, so that encoding/json names the field.
	var v struct {
		Parent store.ID `json:"parent_id"`
	}
	err = json.Unmarshal([]byte(`{"parent_id":"x"}`), &v)
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || te.Field != "parent_id" {
		t.Errorf("bad id error = %#v, want an UnmarshalTypeError naming parent_id", err)
	}
	if id, err := store.ParseID("17"); err != nil || id != 17 {
		t.Errorf("ParseID(17) = %d, %v", id, err)
	}
	for _, s := range []string{"", "0", "-1", "x", "1.0", "9223372036854775808"} {
		if _, err := store.ParseID(s); !errors.Is(err, store.ErrBadID) {
			t.Errorf("ParseID(%q) = %v, want ErrBadID", s, err)
		}
	}
}

func TestMicros(t *testing.T) {
	at := time.Date(2025, 3, 9, 8, 30, 15, 123456789, time.FixedZone("UTC-5", -5*3600))
	us := store.Micros(at)
	back := store.FromMicros(us)
	if !back.Equal(at.Truncate(time.Microsecond)) || back.Location() != store.Zone {
		t.Errorf("FromMicros(Micros(%v)) = %v", at, back)
	}
	if store.Micros(time.Time{}) != 0 || !store.FromMicros(0).IsZero() {
		t.Error("zero time must be stored as 0 and read back as zero")
	}
}

func TestNullID(t *testing.T) {
	var n store.NullID
	if err := n.Scan(int64(7)); err != nil || n != (store.NullID{ID: 7, Valid: true}) {
		t.Errorf("Scan(7) = %+v, %v", n, err)
	}
	if err := n.Scan(nil); err != nil || n.Valid {
		t.Errorf("Scan(nil) = %+v, %v", n, err)
	}
	if err := n.Scan("7"); err == nil {
		t.Error("Scan(string) must fail")
	}
	if v, _ := (store.NullID{}).Value(); v != nil {
		t.Errorf("invalid NullID Value = %v, want nil", v)
	}
	if v, _ := (store.NullID{ID: 3, Valid: true}).Value(); v != int64(3) {
		t.Errorf("NullID Value = %v, want 3", v)
	}
}

func TestOpenRejectsOtherURLs(t *testing.T) {
	_, err := store.Open(context.Background(), store.Options{DSN: "mysql://x"})
	if err == nil {
		t.Fatal("Open(mysql://) must fail")
	}
}

func TestMigrateIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// storetest has migrated once already.
		for i := 0; i < 2; i++ {
			n, err := db.Migrate(ctx)
			if err != nil {
				t.Fatalf("Migrate again: %v", err)
			}
			if n != 0 {
				t.Errorf("Migrate on a current schema applied %d migrations, want 0", n)
			}
		}
		if err := db.Ping(ctx); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})
}

func TestMigrateFresh(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cur, latest, err := db.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cur != 0 || latest < 1 {
		t.Errorf("fresh database: version %d of %d, want 0 of ≥1", cur, latest)
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if int64(n) != latest {
		t.Errorf("first Migrate applied %d, want %d", n, latest)
	}
	if n, err := db.Migrate(ctx); err != nil || n != 0 {
		t.Errorf("second Migrate applied %d, %v; want 0", n, err)
	}
}

func TestSchemaVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		cur, latest, err := db.SchemaVersion(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if cur != latest || latest < 1 {
			t.Errorf("SchemaVersion = %d, %d; want current == latest ≥ 1", cur, latest)
		}
	})
}

func TestDialect(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		want := store.SQLite
		if db.Path == "" {
			want = store.Postgres
		}
		if db.Dialect() != want || db.Reader().Dialect() != want {
			t.Errorf("Dialect = %s, want %s", db.Dialect(), want)
		}
	})
}

// createKV makes a scratch key/value table for transaction tests.
func createKV(t *testing.T, db *store.DB) {
	t.Helper()
	err := db.Tx(context.Background(), func(tx store.Conn) error {
		_, err := tx.Exec(context.Background(),
			"CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL, name TEXT UNIQUE)")
		return err
	})
	if err != nil {
		t.Fatalf("create kv: %v", err)
	}
}

// countKV returns how many kv rows the reader sees.
func countKV(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRow(context.Background(), "SELECT count(*) FROM kv").Scan(&n); err != nil {
		t.Fatalf("count kv: %v", err)
	}
	return n
}

func TestConnRebinds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var s string
		q := "SELECT /* why? */ CAST(? AS TEXT) || '?' || CAST(? AS TEXT) -- it's?"
		for i := 0; i < 2; i++ { // the second run uses the cached rebinding
			if err := db.Reader().QueryRow(ctx, q, "a", "b").Scan(&s); err != nil {
				t.Fatalf("query: %v", err)
			}
			if s != "a?b" {
				t.Errorf("got %q, want a?b", s)
			}
		}
	})
}

func TestTx(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		createKV(t, db)
		insert := func(tx store.Conn, k string) error {
			_, err := tx.Exec(ctx, "INSERT INTO kv (k, v) VALUES (?, ?)", k, 1)
			return err
		}

		t.Run("commit", func(t *testing.T) {
			if err := db.Tx(ctx, func(tx store.Conn) error { return insert(tx, "a") }); err != nil {
				t.Fatal(err)
			}
			if n := countKV(t, db); n != 1 {
				t.Errorf("rows after commit = %d, want 1", n)
			}
		})

		t.Run("rollback on error", func(t *testing.T) {
			boom := errors.New("boom")
			calls := 0
			err := db.Tx(ctx, func(tx store.Conn) error {
				calls++
				if err := insert(tx, "b"); err != nil {
					return err
				}
				return fmt.Errorf("wrapped: %w", boom)
			})
			if !errors.Is(err, boom) {
				t.Fatalf("Tx error = %v, want boom", err)
			}
			if calls != 1 {
				t.Errorf("fn ran %d times, want 1 (not retryable)", calls)
			}
			if n := countKV(t, db); n != 1 {
				t.Errorf("rows after rollback = %d, want 1", n)
			}
		})

		t.Run("rollback on panic", func(t *testing.T) {
			var recovered any
			func() {
				defer func() { recovered = recover() }()
				_ = db.Tx(ctx, func(tx store.Conn) error {
					if err := insert(tx, "c"); err != nil {
						return err
					}
					panic("kaboom")
				})
			}()
			if recovered != "kaboom" {
				t.Fatalf("recovered %v, want the panic to propagate", recovered)
			}
			if n := countKV(t, db); n != 1 {
				t.Errorf("rows after panic = %d, want 1", n)
			}
			// The writer is usable again.
			if err := db.Tx(ctx, func(tx store.Conn) error { return insert(tx, "d") }); err != nil {
				t.Fatalf("Tx after panic: %v", err)
			}
			if n := countKV(t, db); n != 2 {
				t.Errorf("rows = %d, want 2", n)
			}
		})

		t.Run("retries a retryable error", func(t *testing.T) {
			calls := 0
			err := db.Tx(ctx, func(tx store.Conn) error {
				calls++
				if err := insert(tx, "e"); err != nil {
					return err
				}
				if calls == 1 {
					return fmt.Errorf("update: %w", &pgconn.PgError{Code: "40001", Message: "could not serialize access"})
				}
				return nil
			})
			if err != nil {
				t.Fatalf("Tx: %v", err)
			}
			if calls != 2 {
				t.Errorf("fn ran %d times, want 2", calls)
			}
			var v int
			if err := db.Reader().QueryRow(ctx, "SELECT v FROM kv WHERE k = ?", "e").Scan(&v); err != nil || v != 1 {
				t.Errorf("committed row e: v=%d, %v", v, err)
			}
			if n := countKV(t, db); n != 3 {
				t.Errorf("rows = %d, want 3 (the first attempt rolled back)", n)
			}
		})

		t.Run("gives up after MaxAttempts", func(t *testing.T) {
			calls := 0
			deadlock := &pgconn.PgError{Code: "40P01"}
			err := db.Tx(ctx, func(tx store.Conn) error {
				calls++
				return deadlock
			})
			if !errors.Is(err, deadlock) {
				t.Errorf("Tx error = %v, want the deadlock", err)
			}
			if calls != store.MaxAttempts {
				t.Errorf("fn ran %d times, want %d", calls, store.MaxAttempts)
			}
		})

		t.Run("stops retrying when the context ends", func(t *testing.T) {
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			calls := 0
			err := db.Tx(cctx, func(tx store.Conn) error {
				calls++
				cancel()
				return &pgconn.PgError{Code: "40001"}
			})
			if !errors.Is(err, context.Canceled) || !store.IsRetryable(err) {
				t.Errorf("Tx error = %v, want context.Canceled joined with the conflict", err)
			}
			if calls != 1 {
				t.Errorf("fn ran %d times, want 1", calls)
			}
		})
	})
}

func TestIsUniqueViolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		createKV(t, db)
		exec := func(q string, args ...any) error {
			return db.Tx(ctx, func(tx store.Conn) error {
				_, err := tx.Exec(ctx, q, args...)
				return err
			})
		}
		if err := exec("CREATE TABLE uq (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)"); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			"INSERT INTO kv (k, v, name) VALUES ('a', 1, 'x')",
			"INSERT INTO uq (id, name) VALUES (1, 'x')",
		} {
			if err := exec(q); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			what   string
			q      string
			args   []any
			unique bool
		}{
			{"text primary key", "INSERT INTO kv (k, v) VALUES (?, ?)", []any{"a", 2}, true},
			{"unique column", "INSERT INTO kv (k, v, name) VALUES (?, ?, ?)", []any{"b", 2, "x"}, true},
			{"integer primary key", "INSERT INTO uq (id, name) VALUES (?, ?)", []any{1, "y"}, true},
			{"unique column beside integer key", "INSERT INTO uq (id, name) VALUES (?, ?)", []any{2, "x"}, true},
			{"not null", "INSERT INTO kv (k, v) VALUES (?, NULL)", []any{"c"}, false},
			{"no such table", "INSERT INTO nowhere VALUES (1)", nil, false},
		} {
			err := exec(tc.q, tc.args...)
			if err == nil {
				t.Errorf("%s: no error", tc.what)
				continue
			}
			if got := store.IsUniqueViolation(err); got != tc.unique {
				t.Errorf("%s: IsUniqueViolation(%v) = %v, want %v", tc.what, err, got, tc.unique)
			}
			if store.IsRetryable(err) {
				t.Errorf("%s: IsRetryable(%v) = true", tc.what, err)
			}
		}
		if n := countKV(t, db); n != 1 {
			t.Errorf("rows = %d, want 1", n)
		}
	})
}

func TestIsRetryable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("plain"), false},
		{sql.ErrNoRows, false},
		{context.Canceled, false},
		{&pgconn.PgError{Code: "40001"}, true},
		{&pgconn.PgError{Code: "40P01"}, true},
		{fmt.Errorf("commit: %w", &pgconn.PgError{Code: "40001"}), true},
		{errors.Join(errors.New("x"), &pgconn.PgError{Code: "40P01"}), true},
		{&pgconn.PgError{Code: "23505"}, false},
		{&pgconn.PgError{Code: "42601"}, false},
	} {
		if got := store.IsRetryable(tc.err); got != tc.want {
			t.Errorf("IsRetryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	if !store.IsUniqueViolation(fmt.Errorf("x: %w", &pgconn.PgError{Code: "23505"})) {
		t.Error("wrapped 23505 must be a unique violation")
	}
	if store.IsUniqueViolation(&pgconn.PgError{Code: "40001"}) || store.IsUniqueViolation(nil) {
		t.Error("only 23505 is a unique violation")
	}
}

// TestIsRetryableSQLiteBusy provokes a real SQLITE_BUSY: while kefu's
// writer holds the write lock, a second connection to the same file with no
// busy timeout tries to begin a write transaction.
func TestIsRetryableSQLiteBusy(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	other, err := sql.Open("sqlite", "file:"+db.Path+"?_pragma=busy_timeout(0)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var busy error
	err = db.Tx(ctx, func(tx store.Conn) error {
		otx, err := other.BeginTx(ctx, nil)
		if err == nil {
			otx.Rollback()
			return errors.New("second writer got the lock")
		}
		busy = err
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !store.IsRetryable(busy) {
		t.Errorf("IsRetryable(%v) = false, want true", busy)
	}
	if !store.IsRetryable(fmt.Errorf("begin: %w", busy)) {
		t.Errorf("wrapped busy error is not retryable")
	}
	if store.IsUniqueViolation(busy) {
		t.Errorf("busy is not a unique violation")
	}
}

func TestReaderIsReadOnlyOnSQLite(t *testing.T) {
	db := storetest.OpenSQLite(t)
	_, err := db.Reader().Exec(context.Background(), "CREATE TABLE nope (x INTEGER)")
	if err == nil {
		t.Fatal("the SQLite reader pool accepted a write")
	}
}
