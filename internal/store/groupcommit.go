package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// Group commit (PRODUCT.md §5: creation over HTTP ≥ 5,000/s on SQLite with
// every acknowledged write durable). SQLite has one writer and every commit
// waits for an fsync; committing each request's transaction on its own caps
// the writes per second at the fsyncs per second. Instead, one committer
// goroutine owns the writer connection: it opens one transaction, runs the
// functions of all requests waiting at that moment — and of those that
// arrive while it runs them — each inside its own SAVEPOINT, then commits
// them together with one fsync and only then answers every caller. A
// function that fails is rolled back to its savepoint alone; the others
// still commit. Nothing is acknowledged before the commit is durable.

// maxGroup bounds the functions sharing one commit, so that a long queue
// does not hold the first caller's answer back for long.
const maxGroup = 128

// gatherSpins is how often the committer yields to other goroutines for a
// late member before it commits: no sleeping, no timer.
const gatherSpins = 2

// errGroupAborted is what a function that had succeeded learns when a later
// member of its group broke the whole transaction (SQLite rolls a
// transaction back by itself on some errors, an interrupted statement
// among them). Nothing of it was committed, so its caller runs it again.
var errGroupAborted = errors.New("store: the shared transaction was rolled back by another request; retrying")

// txRequest is one caller's transaction function waiting for the committer.
type txRequest struct {
	ctx  context.Context
	fn   func(tx Conn) error
	done chan txOutcome // buffered: the committer never waits for the caller
}

// txOutcome is the answer to a request: the function's error (or the
// commit's), or the value it panicked with.
type txOutcome struct {
	err      error
	panicked any
}

// committer runs the write transactions of one SQLite database.
type committer struct {
	db       *DB
	requests chan *txRequest
	quit     chan struct{}
	stopped  sync.WaitGroup
	once     sync.Once
	// closing guards requests: submit sends under the read lock while
	// closed is false, so every request sent is in the channel before
	// close sets closed and the loop drains it.
	closing sync.RWMutex
	closed  bool
	commits atomic.Int64 // transactions committed
	members atomic.Int64 // functions committed in them
}

// CommitStats counts the group commits of a SQLite database since it was
// opened: Members / Commits is the mean group size.
type CommitStats struct {
	Commits int64 `json:"commits"`
	Members int64 `json:"members"`
	// CheckpointedFrames counts WAL frames the background checkpointer
	// copied into the database file.
	CheckpointedFrames int64 `json:"checkpointed_frames"`
}

// CommitStats reports the group commits so far (zero on PostgreSQL, where
// every transaction commits on its own connection).
func (db *DB) CommitStats() CommitStats {
	if db.group == nil {
		return CommitStats{}
	}
	return CommitStats{Commits: db.group.commits.Load(), Members: db.group.members.Load(),
		CheckpointedFrames: db.ckpt.copied.Load()}
}

func newCommitter(db *DB) *committer {
	c := &committer{db: db, requests: make(chan *txRequest, maxGroup), quit: make(chan struct{})}
	c.stopped.Add(1)
	go c.loop()
	return c
}

// errClosed answers requests made after Close.
var errClosed = errors.New("store: database is closed")

// submit hands fn to the committer and waits for its outcome. It waits even
// when ctx ends meanwhile: the committer may be running fn, and the caller
// must not learn "cancelled" of a write that then commits.
func (c *committer) submit(ctx context.Context, fn func(tx Conn) error) error {
	r := &txRequest{ctx: ctx, fn: fn, done: make(chan txOutcome, 1)}
	c.closing.RLock()
	if c.closed {
		c.closing.RUnlock()
		return errClosed
	}
	select {
	case c.requests <- r:
		c.closing.RUnlock()
	case <-ctx.Done():
		c.closing.RUnlock()
		return ctx.Err()
	}
	out := <-r.done
	if out.panicked != nil {
		panic(out.panicked)
	}
	return out.err
}

// close stops the committer once the requests already handed over are done.
func (c *committer) close() {
	c.once.Do(func() {
		c.closing.Lock()
		c.closed = true
		c.closing.Unlock()
		close(c.quit)
	})
	c.stopped.Wait()
}

func (c *committer) loop() {
	defer c.stopped.Done()
	for {
		select {
		case r := <-c.requests:
			c.runGroup(r)
		case <-c.quit:
			// Answer whatever was handed over before the quit.
			for {
				select {
				case r := <-c.requests:
					r.done <- txOutcome{err: errClosed}
				default:
					return
				}
			}
		}
	}
}

// next returns a request that is already waiting, or nil.
func (c *committer) next() *txRequest {
	select {
	case r := <-c.requests:
		return r
	default:
		return nil
	}
}

// runGroup runs first and every request that is waiting, up to maxGroup, in
// one transaction, and answers them all.
func (c *committer) runGroup(first *txRequest) {
	if err := first.ctx.Err(); err != nil {
		first.done <- txOutcome{err: err}
		return
	}
	tx, err := c.db.write.BeginTx(context.Background(), nil)
	if err != nil {
		err = fmt.Errorf("begin: %w", err)
		first.done <- txOutcome{err: err}
		for r := c.next(); r != nil; r = c.next() {
			r.done <- txOutcome{err: err}
		}
		return
	}
	conn := Conn{q: tx, dialect: c.db.dialect, tx: tx, stmts: c.db.writeStmts, detached: true}
	var ok []*txRequest // succeeded, waiting for the commit
	// The first member runs without a savepoint: when it fails the whole
	// (empty) transaction is rolled back, which is cheaper.
	if out := run(first, conn); out.err != nil || out.panicked != nil {
		_ = tx.Rollback()
		first.done <- out
		return
	}
	ok = append(ok, first)
	for len(ok) < maxGroup {
		r := c.next()
		for spins := 0; r == nil && spins < gatherSpins; spins++ {
			// Let request goroutines that are about to submit run first:
			// one more member costs far less than one more commit.
			runtime.Gosched()
			r = c.next()
		}
		if r == nil {
			break
		}
		if err := r.ctx.Err(); err != nil {
			r.done <- txOutcome{err: err}
			continue
		}
		out, broken := runInSavepoint(r, tx, conn)
		if broken {
			_ = tx.Rollback()
			r.done <- out
			for _, m := range ok {
				m.done <- txOutcome{err: errGroupAborted}
			}
			return
		}
		if out.err != nil || out.panicked != nil {
			r.done <- out
			continue
		}
		ok = append(ok, r)
	}
	var outcome txOutcome
	if err := c.db.FlushDeferred(context.Background(), tx); err != nil {
		_ = tx.Rollback()
		outcome.err = err
	} else if err := tx.Commit(); err != nil {
		outcome.err = fmt.Errorf("commit: %w", err)
	} else {
		c.commits.Add(1)
		c.members.Add(int64(len(ok)))
		c.db.ckpt.poke()
	}
	for _, m := range ok {
		m.done <- outcome
	}
}

// run calls the request's function, catching a panic.
func run(r *txRequest, conn Conn) (out txOutcome) {
	defer func() {
		if p := recover(); p != nil {
			out = txOutcome{panicked: p}
		}
	}()
	return txOutcome{err: r.fn(conn)}
}

// runInSavepoint runs r inside a savepoint of the open group transaction and
// rolls back to it when r fails. broken reports that the transaction itself
// is gone (the rollback to the savepoint failed).
func runInSavepoint(r *txRequest, tx *sql.Tx, conn Conn) (out txOutcome, broken bool) {
	if _, err := tx.Exec("SAVEPOINT kefu_member"); err != nil {
		return txOutcome{err: fmt.Errorf("savepoint: %w", err)}, true
	}
	out = run(r, conn)
	if out.err == nil && out.panicked == nil {
		if _, err := tx.Exec("RELEASE kefu_member"); err != nil {
			return txOutcome{err: fmt.Errorf("release savepoint: %w", err)}, true
		}
		return out, false
	}
	if _, err := tx.Exec("ROLLBACK TO kefu_member"); err != nil {
		return out, true
	}
	if _, err := tx.Exec("RELEASE kefu_member"); err != nil {
		return out, true
	}
	return out, false
}
