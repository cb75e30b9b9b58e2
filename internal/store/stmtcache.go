package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// maxCachedStatements bounds the cache; queries beyond it (built from many
// filter combinations, say) are simply parsed each time.
const maxCachedStatements = 2000

// stmtCache keeps prepared statements of one pool, so that SQLite does not
// parse the same SQL on every call (parsing was a quarter of the CPU time of
// an audited write). A statement is prepared on the pool, never inside a
// transaction: on SQLite the one writer connection belongs to the open
// transaction, so a miss inside a transaction is noted and prepared right
// after it ends.
type stmtCache struct {
	pool  *sql.DB
	stmts sync.Map // query → *sql.Stmt
	n     atomic.Int64

	mu     sync.Mutex
	wanted map[string]bool
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, wanted: map[string]bool{}}
}

// lookup returns the prepared statement of q, or nil.
func (c *stmtCache) lookup(q string) *sql.Stmt {
	if s, ok := c.stmts.Load(q); ok {
		return s.(*sql.Stmt)
	}
	return nil
}

// prepare returns the statement of q, preparing it on the pool if needed;
// nil when the cache is full or preparing fails (the caller then runs q plainly).
func (c *stmtCache) prepare(ctx context.Context, q string) *sql.Stmt {
	if s := c.lookup(q); s != nil {
		return s
	}
	if c.n.Load() >= maxCachedStatements {
		return nil
	}
	s, err := c.pool.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	if prev, loaded := c.stmts.LoadOrStore(q, s); loaded {
		s.Close()
		return prev.(*sql.Stmt)
	}
	c.n.Add(1)
	return s
}

// want notes a query missed inside a transaction.
func (c *stmtCache) want(q string) {
	if c.n.Load() >= maxCachedStatements {
		return
	}
	c.mu.Lock()
	if len(c.wanted) < 100 {
		c.wanted[q] = true
	}
	c.mu.Unlock()
}

// prepareWanted prepares the queries noted by want; call it with no
// transaction open on this goroutine.
func (c *stmtCache) prepareWanted(ctx context.Context) {
	c.mu.Lock()
	if len(c.wanted) == 0 {
		c.mu.Unlock()
		return
	}
	qs := make([]string, 0, len(c.wanted))
	for q := range c.wanted {
		qs = append(qs, q)
	}
	clear(c.wanted)
	c.mu.Unlock()
	for _, q := range qs {
		c.prepare(ctx, q)
	}
}

func (c *stmtCache) close() {
	c.stmts.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
}
