package ticket_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/ticket"
)

// Helpers of counts_test.go: the dashboard counts recomputed from the work
// orders themselves.

// checkCounters compares the counter tables of migration 00013 with a
// GROUP BY over tickets; days are computed in Go in store.Zone.
func checkCounters(t *testing.T, f *fixture) {
	t.Helper()
	counted := rowsOf(t, f, `SELECT unit_id, pack, category, status, breached, CAST(sum(n) AS BIGINT) FROM ticket_counts
		GROUP BY unit_id, pack, category, status, breached HAVING sum(n) <> 0`)
	grouped := rowsOf(t, f, `SELECT coalesce(handling_unit_id, receiving_unit_id), pack, category, status, breached, count(*)
		FROM tickets GROUP BY coalesce(handling_unit_id, receiving_unit_id), pack, category, status, breached`)
	if !slices.Equal(counted, grouped) {
		t.Errorf("ticket_counts\n%s\nGROUP BY tickets\n%s", strings.Join(counted, "\n"), strings.Join(grouped, "\n"))
	}
	daily := rowsOf(t, f, `SELECT day, unit_id, pack, category, CAST(sum(received) AS BIGINT), CAST(sum(closed) AS BIGINT)
		FROM ticket_daily_counts GROUP BY day, unit_id, pack, category HAVING sum(received) <> 0 OR sum(closed) <> 0`)
	want := map[string][2]int{}
	for _, tk := range ticketsOf(t, f) {
		want[fmt.Sprint(day(tk.receivedAt), tk.receiving, tk.pack, tk.category)] = add(want[fmt.Sprint(day(tk.receivedAt),
			tk.receiving, tk.pack, tk.category)], 1, 0)
		if tk.status == ticket.StatusClosed {
			k := fmt.Sprint(day(tk.closedAt), tk.owner, tk.pack, tk.category)
			want[k] = add(want[k], 0, 1)
		}
	}
	var fromTickets []string
	for k, v := range want {
		fromTickets = append(fromTickets, fmt.Sprint(k, v[0], v[1]))
	}
	slices.Sort(fromTickets)
	for i, l := range daily {
		daily[i] = strings.Join(strings.Fields(l), " ")
	}
	if !slices.Equal(daily, fromTickets) {
		t.Errorf("ticket_daily_counts\n%s\nfrom tickets\n%s", strings.Join(daily, "\n"), strings.Join(fromTickets, "\n"))
	}
}

func add(v [2]int, r, c int) [2]int { return [2]int{v[0] + r, v[1] + c} }

func day(us int64) string { return store.FromMicros(us).Format(time.DateOnly) }

// rowsOf runs a query and returns its rows as sorted lines.
func rowsOf(t *testing.T, f *fixture, q string) []string {
	t.Helper()
	rows, err := f.db.Reader().Query(f.ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			switch x := v.(type) {
			case bool: // PostgreSQL; SQLite stores 0/1
				vals[i] = map[bool]int{false: 0, true: 1}[x]
			case []byte:
				vals[i] = string(x)
			}
		}
		out = append(out, fmt.Sprint(vals...))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// counted is a work order as the counters see it.
type counted struct {
	id                   store.ID
	pack, category       string
	status               ticket.Status
	breached             bool
	receiving, owner     store.ID
	receivedAt, closedAt int64
	ownerPath            string
	dueSoon              bool
}

func ticketsOf(t *testing.T, f *fixture) []counted {
	t.Helper()
	rows, err := f.db.Reader().Query(f.ctx, `SELECT t.id, t.pack, t.category, t.status, t.breached, t.receiving_unit_id,
		coalesce(t.handling_unit_id, t.receiving_unit_id), t.received_at, t.closed_at, u.path,
		EXISTS (SELECT 1 FROM ticket_clocks k WHERE k.ticket_id = t.id AND k.state = 'running' AND k.warn_at > 0
			AND k.warn_at <= ? AND k.target_at > ?)
		FROM tickets t JOIN org_units u ON u.id = coalesce(t.handling_unit_id, t.receiving_unit_id) ORDER BY t.id`,
		store.Micros(f.clk.Now()), store.Micros(f.clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []counted
	for rows.Next() {
		var c counted
		if err := rows.Scan(&c.id, &c.pack, &c.category, &c.status, &c.breached, &c.receiving, &c.owner, &c.receivedAt,
			&c.closedAt, &c.ownerPath, &c.dueSoon); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// expectedCounts computes Counts from the work orders themselves.
func expectedCounts(t *testing.T, f *fixture, sc org.Scope, now time.Time) ticket.Counts {
	t.Helper()
	paths := map[store.ID]string{}
	units, err := f.org.List(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range units {
		paths[u.ID] = u.Path
	}
	today, month := now.In(store.Zone).Format(time.DateOnly), now.In(store.Zone).Format("2006-01")
	want := ticket.Counts{ByStatus: map[ticket.Status]int64{}, ByPack: map[string]int64{}, ByCategory: []ticket.CategoryCount{}}
	for _, st := range ticket.Statuses() {
		want.ByStatus[st] = 0
	}
	cats := map[string]*ticket.CategoryCount{}
	for _, tk := range ticketsOf(t, f) {
		if sc.Contains(paths[tk.receiving]) {
			want.ReceivedToday += b2i(day(tk.receivedAt) == today)
			want.ReceivedThisMonth += b2i(strings.HasPrefix(day(tk.receivedAt), month))
		}
		if !sc.Contains(tk.ownerPath) {
			continue
		}
		want.ByStatus[tk.status]++
		if tk.status == ticket.StatusClosed {
			want.ClosedToday += b2i(day(tk.closedAt) == today)
			want.ClosedThisMonth += b2i(strings.HasPrefix(day(tk.closedAt), month))
		}
		if tk.status == ticket.StatusClosed || tk.status == ticket.StatusMerged {
			continue
		}
		want.Open++
		want.ByPack[tk.pack]++
		want.Breached += b2i(tk.breached)
		want.DueSoon += b2i(tk.dueSoon)
		k := tk.pack + "/" + tk.category
		if cats[k] == nil {
			cats[k] = &ticket.CategoryCount{Pack: tk.pack, Category: tk.category}
		}
		cats[k].Open++
		cats[k].Breached += b2i(tk.breached)
	}
	for _, k := range slices.Sorted(maps.Keys(cats)) {
		want.ByCategory = append(want.ByCategory, *cats[k])
	}
	slices.SortStableFunc(want.ByCategory, func(a, b ticket.CategoryCount) int { return int(b.Open - a.Open) })
	return want
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
