package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// holdWriter starts a write transaction that waits until release is closed,
// and returns once the committer runs it; its result arrives on the channel.
func holdWriter(t *testing.T, db *store.DB, release <-chan struct{}, key string) <-chan error {
	t.Helper()
	running := make(chan struct{})
	var once sync.Once // the function runs again when its group is retried
	done := make(chan error, 1)
	go func() {
		done <- db.Tx(context.Background(), func(tx store.Conn) error {
			once.Do(func() { close(running) })
			<-release
			_, err := tx.Exec(context.Background(), "INSERT INTO kv (k, v) VALUES (?, 0)", key)
			return err
		})
	}()
	<-running
	return done
}

// waitQueued polls until n write transactions wait behind the committer.
func waitQueued(t *testing.T, db *store.DB, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for store.QueuedWrites(db) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued, want %d", store.QueuedWrites(db), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestGroupCommitSharesOneCommit: requests that wait while the writer is
// busy commit together, each acknowledged only with its row durable, and a
// failing or panicking member is rolled back alone.
func TestGroupCommitSharesOneCommit(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	createKV(t, db)
	before := db.CommitStats()

	release := make(chan struct{})
	first := holdWriter(t, db, release, "first")
	const n = 20
	results := make([]error, n)
	panics := make([]any, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			defer func() { panics[i] = recover() }()
			results[i] = db.Tx(ctx, func(tx store.Conn) error {
				if _, err := tx.Exec(ctx, "INSERT INTO kv (k, v) VALUES (?, ?)", fmt.Sprint("k", i), i); err != nil {
					return err
				}
				switch i % 5 {
				case 1:
					return errors.New("refused") // its row must be rolled back
				case 2:
					panic("member panicked")
				}
				return nil
			})
		})
	}
	waitQueued(t, db, n)
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("first: %v", err)
	}
	wg.Wait()

	want := 1 // "first"
	for i := range n {
		switch i % 5 {
		case 1:
			if results[i] == nil || results[i].Error() != "refused" {
				t.Errorf("member %d: err %v, want its own error", i, results[i])
			}
		case 2:
			if panics[i] != "member panicked" {
				t.Errorf("member %d: panic %v, want it re-raised in the caller", i, panics[i])
			}
		default:
			if results[i] != nil || panics[i] != nil {
				t.Errorf("member %d: %v %v", i, results[i], panics[i])
			}
			want++
		}
	}
	if got := countKV(t, db); got != want {
		t.Errorf("%d rows, want %d (the succeeded members only)", got, want)
	}
	var bad int
	if err := db.Reader().QueryRow(ctx, "SELECT count(*) FROM kv WHERE v % 5 IN (1, 2) AND k <> 'first'").Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("%d rows of failed members committed", bad)
	}
	after := db.CommitStats()
	commits, members := after.Commits-before.Commits, after.Members-before.Members
	if commits != 1 || members != int64(want) {
		t.Errorf("%d commits of %d members, want 1 of %d (one group)", commits, members, want)
	}
}

// TestGroupCommitBrokenTransaction: a member that ends the shared
// transaction (as SQLite does itself on an interrupted statement) fails
// alone; the members before it learn nothing was committed and run again.
func TestGroupCommitBrokenTransaction(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	createKV(t, db)

	release := make(chan struct{})
	first := holdWriter(t, db, release, "first")
	breaker := make(chan error, 1)
	go func() {
		breaker <- db.Tx(ctx, func(tx store.Conn) error {
			if _, err := tx.Exec(ctx, "ROLLBACK"); err != nil {
				return err
			}
			return errors.New("broke the transaction")
		})
	}()
	waitQueued(t, db, 1)
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("first member: %v, want it retried and committed", err)
	}
	if err := <-breaker; err == nil || err.Error() != "broke the transaction" {
		t.Errorf("breaker: %v", err)
	}
	if got := countKV(t, db); got != 1 {
		t.Errorf("%d rows, want 1 (first, committed on retry)", got)
	}
	// The writer works on afterwards.
	if err := db.Tx(ctx, func(tx store.Conn) error {
		_, err := tx.Exec(ctx, "INSERT INTO kv (k, v) VALUES ('after', 1)")
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// TestGroupCommitCancelledWhileQueued: a request whose context ends before
// the committer reaches it is not run.
func TestGroupCommitCancelledWhileQueued(t *testing.T) {
	db := storetest.OpenSQLite(t)
	createKV(t, db)
	release := make(chan struct{})
	first := holdWriter(t, db, release, "first")
	cctx, cancel := context.WithCancel(context.Background())
	ran := make(chan bool, 1)
	res := make(chan error, 1)
	go func() {
		res <- db.Tx(cctx, func(tx store.Conn) error { ran <- true; return nil })
	}()
	waitQueued(t, db, 1)
	cancel()
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-res; !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
	select {
	case <-ran:
		t.Error("the cancelled request's function ran")
	default:
	}
}

// TestGroupCommitConcurrentWriters: many writers at once, every
// acknowledged row present, and the commits fewer than the writes.
func TestGroupCommitConcurrentWriters(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	createKV(t, db)
	before := db.CommitStats()
	const writers, each = 16, 50
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				errs <- db.Tx(ctx, func(tx store.Conn) error {
					_, err := tx.Exec(ctx, "INSERT INTO kv (k, v) VALUES (?, ?)", fmt.Sprint(w, "/", i), i)
					return err
				})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := countKV(t, db); got != writers*each {
		t.Errorf("%d rows, want %d", got, writers*each)
	}
	st := db.CommitStats()
	if m := st.Members - before.Members; m != writers*each {
		t.Errorf("%d members committed, want %d", m, writers*each)
	}
	t.Logf("%d commits for %d writes", st.Commits-before.Commits, writers*each)
}

// TestTxAfterClose: the committer answers after Close instead of hanging.
func TestTxAfterClose(t *testing.T) {
	db, err := store.Open(context.Background(), store.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Tx(context.Background(), func(store.Conn) error { return nil }); err == nil {
		t.Error("Tx after Close succeeded")
	}
}

// TestBackgroundCheckpoint: commits leave the WAL to the background
// checkpointer, which copies it into the database file.
func TestBackgroundCheckpoint(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	createKV(t, db)
	for i := range 200 {
		if err := db.Tx(ctx, func(tx store.Conn) error {
			_, err := tx.Exec(ctx, "INSERT INTO kv (k, v) VALUES (?, ?)", fmt.Sprint("c", i), i)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for db.CommitStats().CheckpointedFrames == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no WAL frame was checkpointed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	var autocheckpoint int
	if err := db.Tx(ctx, func(tx store.Conn) error {
		return tx.QueryRow(ctx, "PRAGMA wal_autocheckpoint").Scan(&autocheckpoint)
	}); err != nil {
		t.Fatal(err)
	}
	if autocheckpoint != 0 {
		t.Errorf("the writer checkpoints itself every %d pages, want 0 (background)", autocheckpoint)
	}
}
