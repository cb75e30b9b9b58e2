package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
)

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Conn runs SQL written with `?` placeholders on either dialect. It is a
// reader (DB.Reader) or a transaction (DB.Tx).
type Conn struct {
	q       querier
	dialect Dialect
	tx      *sql.Tx    // set inside a transaction
	stmts   *stmtCache // prepared statements of the pool (SQLite only)
	// detached: the statements ignore their context's end. Set in a group
	// commit, whose members share one transaction: an interrupted statement
	// would roll back the others' work too, and a context that can end
	// costs the SQLite driver a watcher goroutine per statement.
	detached bool
}

// context is ctx, or ctx without its end when c is detached.
func (c Conn) context(ctx context.Context) context.Context {
	if c.detached {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// Dialect reports which database the statements go to.
func (c Conn) Dialect() Dialect { return c.dialect }

// Exec runs a statement.
func (c Conn) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = c.context(ctx)
	if s := c.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return c.q.ExecContext(ctx, c.rebind(query), args...)
}

// Query runs a query returning rows.
func (c Conn) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = c.context(ctx)
	if s := c.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return c.q.QueryContext(ctx, c.rebind(query), args...)
}

// QueryRow runs a query returning at most one row.
func (c Conn) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = c.context(ctx)
	if s := c.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return c.q.QueryRowContext(ctx, c.rebind(query), args...)
}

// stmt returns a cached prepared statement for query, bound to the
// transaction when there is one, or nil to run the query plainly.
func (c Conn) stmt(ctx context.Context, query string) *sql.Stmt {
	if c.stmts == nil {
		return nil
	}
	if c.tx == nil {
		return c.stmts.prepare(ctx, query)
	}
	s := c.stmts.lookup(query)
	if s == nil {
		c.stmts.want(query)
		return nil
	}
	// Prepared on the writer pool's one connection, which the transaction
	// holds: StmtContext reuses it without preparing again.
	return c.tx.StmtContext(ctx, s)
}

// InsertID runs an INSERT … RETURNING id and returns the new id.
func (c Conn) InsertID(ctx context.Context, query string, args ...any) (ID, error) {
	var id ID
	err := c.QueryRow(ctx, query, args...).Scan(&id)
	return id, err
}

var rebound sync.Map // query text → PostgreSQL text

func (c Conn) rebind(q string) string {
	if c.dialect != Postgres {
		return q
	}
	if v, ok := rebound.Load(q); ok {
		return v.(string)
	}
	out := Rebind(q)
	rebound.Store(q, out)
	return out
}

// Rebind turns `?` placeholders into PostgreSQL's `$1, $2 …`, leaving
// question marks inside quoted strings and identifiers, and inside `--` and
// `/* */` comments, alone. An unterminated quote or comment runs to the end.
func Rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); {
		end := -1 // end of an opaque run (quote or comment) starting at i
		switch ch := q[i]; {
		case ch == '\'' || ch == '"':
			end = closeAfter(q, i+1, q[i:i+1])
		case ch == '-' && strings.HasPrefix(q[i:], "--"):
			end = closeAfter(q, i+2, "\n")
		case ch == '/' && strings.HasPrefix(q[i:], "/*"):
			end = closeAfter(q, i+2, "*/")
		case ch == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			i++
			continue
		}
		if end < 0 {
			end = i + 1
		}
		b.WriteString(q[i:end])
		i = end
	}
	return b.String()
}

// closeAfter returns the index just past the first stop in q at or after
// from, or len(q) when there is none.
func closeAfter(q string, from int, stop string) int {
	if j := strings.Index(q[from:], stop); j >= 0 {
		return from + j + len(stop)
	}
	return len(q)
}

// Placeholders returns "?, ?, …" with n marks, for IN lists.
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// Scanner is a row being read: *sql.Row or *sql.Rows.
type Scanner interface{ Scan(dest ...any) error }

// QueryAll runs a query and scans every row with scan.
func QueryAll[T any](ctx context.Context, c Conn, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := c.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
