package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Background checkpoints (SQLite). In WAL mode every commit appends pages to
// the -wal file, and by default the committing connection copies them back
// into the database file (a checkpoint, with its own fsync) whenever the
// WAL passes 1,000 pages — on the single writer's time, stalling every
// queued write. kefu turns that off on the writer (wal_autocheckpoint=0)
// and checkpoints from a connection of its own after commits: PASSIVE
// checkpoints never block the writer or the readers. When readers keep the
// WAL from being recycled and it grows past walLimit, a TRUNCATE checkpoint
// (which waits for them) brings it back.

// walLimit is the WAL size beyond which the checkpointer waits for readers.
const walLimit = 256 << 20

// checkpointEvery spaces checkpoints under a steady stream of commits: each
// one copies all frames so far, so fewer, larger ones cost fewer fsyncs.
const checkpointEvery = 200 * time.Millisecond

// checkpointer runs the checkpoints of one SQLite database.
type checkpointer struct {
	conn    *sql.DB // one connection, not query_only
	walPath string
	wake    chan struct{}
	quit    chan struct{}
	done    sync.WaitGroup
	copied  atomic.Int64 // WAL frames copied into the database so far
	mu      sync.Mutex   // guards last: the loop and Checkpoint both run checkpoints
	last    int          // frames of the current WAL copied by the last checkpoint
}

func newCheckpointer(path string, dsn string) (*checkpointer, error) {
	conn, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite checkpointer: %w", err)
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxLifetime(0)
	c := &checkpointer{conn: conn, walPath: path + "-wal", wake: make(chan struct{}, 1),
		quit: make(chan struct{})}
	c.done.Add(1)
	go c.loop()
	return c, nil
}

// poke asks for a checkpoint soon; it never blocks.
func (c *checkpointer) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer c.done.Done()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-c.quit:
			return
		case <-c.wake:
		case <-tick.C:
		}
		pace := time.NewTimer(checkpointEvery)
		if err := c.checkpoint(context.Background()); err != nil {
			slog.Warn("sqlite checkpoint failed; retrying", "error", err)
		}
		select {
		case <-c.quit:
			pace.Stop()
			return
		case <-pace.C:
		}
	}
}

// checkpoint copies what it can of the WAL into the database; PASSIVE
// unless the WAL has grown past walLimit.
func (c *checkpointer) checkpoint(ctx context.Context) error {
	mode := "PASSIVE"
	if fi, err := os.Stat(c.walPath); err == nil && fi.Size() > walLimit {
		mode = "TRUNCATE"
	}
	_, err := c.run(ctx, mode)
	return err
}

// run runs one wal_checkpoint in mode, counts the frames it copied and
// reports whether it was stopped by a busy reader or writer.
func (c *checkpointer) run(ctx context.Context, mode string) (busy bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b, logPages, done int
	if err := c.conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&b, &logPages, &done); err != nil {
		return false, fmt.Errorf("wal checkpoint: %w", err)
	}
	// done counts the frames of the WAL since it was last restarted; a
	// smaller number than last time means the writer restarted it.
	if done < c.last {
		c.last = 0
	}
	c.copied.Add(int64(max(done-c.last, 0)))
	c.last = max(done, 0)
	return b != 0, nil
}

func (c *checkpointer) close() error {
	close(c.quit)
	c.done.Wait()
	return c.conn.Close()
}

// Checkpoint copies the whole WAL into the database file now, waiting for
// readers (a TRUNCATE checkpoint); a no-op on PostgreSQL.
func (db *DB) Checkpoint(ctx context.Context) error {
	if db.ckpt == nil {
		return nil
	}
	busy, err := db.ckpt.run(ctx, "TRUNCATE")
	if err == nil && busy {
		err = fmt.Errorf("wal checkpoint: the database was busy")
	}
	return err
}
