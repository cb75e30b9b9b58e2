package ticket

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/store"
)

// Dashboard counts (issue 6; PRODUCT.md §5: dashboards over 1,000,000 work
// orders within 200 ms). The figures come from the counter tables of
// migration 00013, which database triggers keep equal to a GROUP BY over
// tickets; a request sums counter rows (a few per unit, category and
// status) instead of counting work orders. Only the due-soon figure reads
// work orders, through an index bounded by the clocks whose warning has
// passed (see dueSoon).
//
// Row scope of the counts is the owning unit of a work order: its handling
// unit, else its receiving point (received today and this month: its
// receiving point). A work order counts for a caller when that unit lies
// in the caller's org subtree (SEC-001); the finer rules of List (visible
// through an escalation unit or a merged duplicate's receiving point, to
// its assignee, never to the person complained about, TKT-016) apply to
// rows, not to these totals.

// CountsFilter narrows Counts.
type CountsFilter struct {
	// Unit counts only the work orders owned within this unit's subtree,
	// which must lie in the caller's scope; 0 is the caller's whole scope.
	Unit store.ID
}

// Counts is the work-order summary of a dashboard (GET /api/v1/tickets/counts).
// Open work orders are those in any status but closed and merged.
type Counts struct {
	AsOf     time.Time `json:"as_of"`
	Open     int64     `json:"open"`
	Breached int64     `json:"breached"` // open, with a breached clock
	// DueSoon: open work orders with a running clock past its warning
	// point and before its target; counted up to DueSoonCap, and
	// DueSoonCapped says there are more.
	DueSoon           int64            `json:"due_soon"`
	DueSoonCapped     bool             `json:"due_soon_capped"`
	ReceivedToday     int64            `json:"received_today"`
	ClosedToday       int64            `json:"closed_today"`
	ReceivedThisMonth int64            `json:"received_this_month"`
	ClosedThisMonth   int64            `json:"closed_this_month"` // closed this month and still closed
	ByStatus          map[Status]int64 `json:"by_status"`         // every status, closed and merged included
	ByPack            map[string]int64 `json:"by_pack"`           // open work orders per policy pack
	ByCategory        []CategoryCount  `json:"by_category"`       // categories with open work orders, most first
}

// CategoryCount is the open and open-breached work orders of one category.
type CategoryCount struct {
	Pack     string `json:"pack"`
	Category string `json:"category"`
	Open     int64  `json:"open"`
	Breached int64  `json:"breached"`
}

// DueSoonCap is where the due-soon count stops (Counts.DueSoonCapped).
const DueSoonCap = 10_000

// Counts sums the work orders in the caller's scope (permission
// tickets:read), or in the subtree of f.Unit: by status, pack and
// category, breached and due soon, received and closed today and this
// month. Days are calendar days in store.Zone, the zone of the counters.
func (s *Service) Counts(ctx context.Context, p *auth.Principal, f CountsFilter) (Counts, error) {
	if p == nil || !p.Can(auth.PermTicketsRead) {
		return Counts{}, apperr.Forbidden(i18n.T("无权执行此操作（需要 %s 权限）", "permission %s is required",
			string(auth.PermTicketsRead)))
	}
	c := s.db.Reader()
	sc, err := countScope(ctx, c, p, f.Unit)
	if err != nil {
		return Counts{}, err
	}
	now := s.now().In(store.Zone)
	out := Counts{AsOf: now, ByStatus: map[Status]int64{}, ByPack: map[string]int64{}, ByCategory: []CategoryCount{}}
	for _, st := range everyone {
		out.ByStatus[st] = 0
	}
	totals, err := statusTotals(ctx, c, sc)
	if err != nil {
		return Counts{}, err
	}
	cats := map[[2]string]*CategoryCount{}
	for _, t := range totals {
		out.ByStatus[t.status] += t.n
		if !isOpen(t.status) {
			continue
		}
		out.Open += t.n
		out.ByPack[t.pack] += t.n
		k := [2]string{t.pack, t.category}
		cc := cats[k]
		if cc == nil {
			cc = &CategoryCount{Pack: t.pack, Category: t.category}
			cats[k] = cc
		}
		cc.Open += t.n
		if t.breached {
			out.Breached += t.n
			cc.Breached += t.n
		}
	}
	for _, cc := range cats {
		if cc.Open != 0 {
			out.ByCategory = append(out.ByCategory, *cc)
		}
	}
	slices.SortFunc(out.ByCategory, func(a, b CategoryCount) int {
		return cmp.Or(cmp.Compare(b.Open, a.Open), cmp.Compare(a.Pack, b.Pack), cmp.Compare(a.Category, b.Category))
	})
	today := calendar.DateOf(now)
	d, err := dailyTotals(ctx, c, sc, calendar.D(today.Year, today.Month, 1).String(), today.String())
	if err != nil {
		return Counts{}, err
	}
	out.ReceivedToday, out.ClosedToday = d.receivedDay, d.closedDay
	out.ReceivedThisMonth, out.ClosedThisMonth = d.received, d.closed
	if out.DueSoon, err = dueSoon(ctx, c, sc, now); err != nil {
		return Counts{}, err
	}
	if out.DueSoon > DueSoonCap {
		out.DueSoon, out.DueSoonCapped = DueSoonCap, true
	}
	return out, nil
}

// isOpen reports whether a work order in status st still needs work.
func isOpen(st Status) bool { return st != StatusClosed && st != StatusMerged }

// countScope is the org scope of a count: the caller's, or the subtree of
// unit when it lies in the caller's scope (else 404 naming "unit", so that
// units outside the scope are not revealed).
func countScope(ctx context.Context, c store.Conn, p *auth.Principal, unit store.ID) (org.Scope, error) {
	sc := p.Scope()
	if unit == 0 {
		return sc, nil
	}
	u, err := unitByID(ctx, c, unit)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !sc.Contains(u.Path)) {
		return org.Scope{}, apperr.NotFound("unit")
	}
	if err != nil {
		return org.Scope{}, err
	}
	return org.Scope{Path: u.Path}, nil
}

// statusTotal is one line of ticket_counts summed over units and slots.
type statusTotal struct {
	pack, category string
	status         Status
	breached       bool
	n              int64
}

// statusTotals sums ticket_counts in scope per pack, category, status and
// breached flag. It reads the counter rows of the units in scope only
// (primary key prefix unit_id): at most units × categories × statuses × 2
// × 8 slots, independent of the number of work orders.
func statusTotals(ctx context.Context, c store.Conn, sc org.Scope) ([]statusTotal, error) {
	cond, args := sc.SQL("c.unit_id")
	rows, err := c.Query(ctx, `SELECT c.pack, c.category, c.status, c.breached, CAST(sum(c.n) AS BIGINT)
		FROM ticket_counts c WHERE `+cond+` GROUP BY c.pack, c.category, c.status, c.breached HAVING sum(c.n) <> 0`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []statusTotal
	for rows.Next() {
		var t statusTotal
		if err := rows.Scan(&t.pack, &t.category, &t.status, &t.breached, &t.n); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// dailyTotal is received and closed over a range of days and on its last day.
type dailyTotal struct {
	received, closed, receivedDay, closedDay int64
}

// dailyTotals sums ticket_daily_counts in scope from day from to day to
// (YYYY-MM-DD, inclusive), and on day to alone. It reads the range of the
// primary key (day first): the counter rows of at most 31 days.
func dailyTotals(ctx context.Context, c store.Conn, sc org.Scope, from, to string) (dailyTotal, error) {
	cond, args := sc.SQL("c.unit_id")
	var d dailyTotal
	err := c.QueryRow(ctx, `SELECT CAST(coalesce(sum(c.received), 0) AS BIGINT), CAST(coalesce(sum(c.closed), 0) AS BIGINT),
		CAST(coalesce(sum(CASE WHEN c.day = ? THEN c.received ELSE 0 END), 0) AS BIGINT),
		CAST(coalesce(sum(CASE WHEN c.day = ? THEN c.closed ELSE 0 END), 0) AS BIGINT)
		FROM ticket_daily_counts c WHERE c.day >= ? AND c.day <= ? AND `+cond,
		append([]any{to, to, from, to}, args...)...).Scan(&d.received, &d.closed, &d.receivedDay, &d.closedDay)
	return d, err
}

// dueSoon counts the open work orders in scope with a running clock whose
// warning point has passed and whose target has not (a clock past its
// target is breached as soon as its timer fires). CAL-011 targets never
// count: their warning is their target. It walks the partial index
// ticket_clocks_running_warn (running clocks that are not targets, by
// warning point) up to now: the rows read are the clocks that are due soon
// plus those overdue by less than the breach timer's lag, not the work
// orders. It stops after DueSoonCap+1 work orders.
func dueSoon(ctx context.Context, c store.Conn, sc org.Scope, now time.Time) (int64, error) {
	cond, args := sc.SQL("coalesce(t.handling_unit_id, t.receiving_unit_id)")
	clocks, cargs := dueSoonClocks(c, now)
	var n int64
	err := c.QueryRow(ctx, `SELECT count(*) FROM (SELECT DISTINCT k.ticket_id FROM ticket_clocks k
		JOIN tickets t ON t.id = k.ticket_id
		WHERE `+clocks+` AND t.status NOT IN ('closed', 'merged') AND `+cond+` LIMIT ?) x`,
		append(append(cargs, args...), DueSoonCap+1)...).Scan(&n)
	return n, err
}

// dueSoonClocks is the condition on clocks k of "due soon": running, past
// the warning point, not yet at the target; CAL-011 targets never are. The
// dashboard count and the list filter share it, so their figures agree.
func dueSoonClocks(c store.Conn, now time.Time) (string, []any) {
	notTarget := "k.target = 0" // the index's predicate, literally: SQLite matches partial indexes by their terms
	if c.Dialect() == store.Postgres {
		notTarget = "NOT k.target"
	}
	us := store.Micros(now)
	return "k.state = 'running' AND " + notTarget + " AND k.warn_at > 0 AND k.warn_at <= ? AND k.target_at > ?", []any{us, us}
}
