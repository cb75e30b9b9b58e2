package ticket

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/i18n"
	"kefu/internal/store"
	"kefu/internal/textsearch"
)

// Get returns a work order with its clocks and timeline. It is visible when
// one of its units (receiving point, handling unit, escalation unit, merged
// receiving points) lies in the caller's subtree or the caller is the
// assignee; never to the person complained about (TKT-016). Otherwise 404.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id store.ID) (Ticket, error) {
	if p == nil {
		return Ticket{}, apperr.NotFound("ticket")
	}
	return s.read(ctx, s.db.Reader(), p, id, true)
}

func (s *Service) read(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID, timeline bool) (Ticket, error) {
	r, err := load(ctx, c, p, id)
	if err != nil {
		return Ticket{}, err
	}
	clocks, err := loadClocks(ctx, c, id)
	if err != nil {
		return Ticket{}, err
	}
	t := r.view(clocks)
	if timeline {
		if t.Timeline, err = loadTimeline(ctx, c, id); err != nil {
			return Ticket{}, err
		}
	}
	return t, nil
}

// searchIndex names the tables of migration 00012 (Filter.Q).
var searchIndex = textsearch.Index{Docs: "ticket_search", Key: "ticket_id", FTS: "ticket_fts", Vocab: "ticket_fts_vocab"}

// Filter selects work orders for List.
type Filter struct {
	Status   Status
	Category string
	Breached *bool
	Q        string   // number, subject, customer name, phone (or its digits) or address fragment
	Mine     bool     // assigned to the caller
	Unit     store.ID // handled by this unit
	Customer store.ID // of this customer (the customer archive's page, CUS-001)
	DueSoon  bool     // a running clock has passed its warning point, not yet its target
	Open     bool     // not closed or merged
	Limit    int
	Cursor   string // from Page.Next
}

// Page is one page of a list.
type Page struct {
	Items []Ticket
	Next  string // cursor of the next page; "" on the last
}

// List returns work orders the caller may see, newest first, by keyset
// pagination on the id (PRODUCT.md §5: a million rows).
func (s *Service) List(ctx context.Context, p *auth.Principal, f Filter) (Page, error) {
	if p == nil {
		return Page{}, apperr.Forbidden(i18n.T("需要登录", "sign-in required"))
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 500)
	cond, args := visible(s.db.Dialect(), p)
	where := []string{cond}
	if f.Cursor != "" {
		id, err := strconv.ParseInt(f.Cursor, 10, 64)
		if err != nil || id <= 0 {
			return Page{}, apperr.Validation("cursor", i18n.T("cursor 无效", "cursor is not valid"))
		}
		where, args = append(where, "t.id < ?"), append(args, id)
	}
	if f.Status != "" {
		if !validStatus(f.Status) {
			return Page{}, apperr.Validation("status", i18n.T("未知的状态：%s", "unknown status: %s", string(f.Status)))
		}
		where, args = append(where, "t.status = ?"), append(args, string(f.Status))
	}
	if f.Category != "" {
		where, args = append(where, "t.category = ?"), append(args, f.Category)
	}
	if f.Breached != nil {
		where, args = append(where, "t.breached = ?"), append(args, *f.Breached)
	}
	c := s.db.Reader()
	if f.Mine {
		where, args = append(where, "t.assignee_id = ?"), append(args, p.UserID)
	}
	if f.Unit != 0 {
		where, args = append(where, "t.handling_unit_id = ?"), append(args, f.Unit)
	}
	if f.Customer != 0 {
		where, args = append(where, "t.customer_id = ?"), append(args, f.Customer)
	}
	if f.DueSoon {
		// Few clocks are due soon: collect them from their partial index.
		clocks, cargs := dueSoonClocks(c, s.now())
		where, args = append(where, "t.id IN (SELECT k.ticket_id FROM ticket_clocks k WHERE "+clocks+")"), append(args, cargs...)
	}
	if f.Open {
		where = append(where, "t.status NOT IN ('closed', 'merged')")
	}
	var list []*row
	run := func(search string, sargs []any) (n int, err error) {
		list, err = store.QueryAll(ctx, c, scanRow, "SELECT "+ticketColumns+" FROM tickets t WHERE "+
			strings.Join(append(where, search), " AND ")+" ORDER BY t.id DESC LIMIT ?",
			slices.Concat(args, sargs, []any{f.Limit + 1})...)
		return len(list), err
	}
	var err error
	if alts := customer.SearchAlternatives(f.Q); alts != nil {
		// Substring search over the doc of migration 00012 (number,
		// subject, the customer's name, phone, phone digits and address);
		// textsearch picks the newest-first walk or the trigram index.
		err = searchIndex.Page(c, "t.id", alts, f.Limit, run)
	} else {
		_, err = run("1 = 1", nil)
	}
	if err != nil {
		return Page{}, err
	}
	var pg Page
	if len(list) > f.Limit {
		list = list[:f.Limit]
		pg.Next = list[len(list)-1].id.String()
	}
	clocks, err := clocksFor(ctx, c, list)
	if err != nil {
		return Page{}, err
	}
	pg.Items = make([]Ticket, 0, len(list))
	for _, r := range list {
		pg.Items = append(pg.Items, r.view(clocks[r.id]))
	}
	return pg, nil
}

// clocksFor reads the clocks of a page of work orders in one query.
func clocksFor(ctx context.Context, c store.Conn, list []*row) (map[store.ID][]*clock, error) {
	out := map[store.ID][]*clock{}
	if len(list) == 0 {
		return out, nil
	}
	ids := make([]any, len(list))
	for i, r := range list {
		ids[i] = r.id
	}
	rows, err := c.Query(ctx, "SELECT "+clockColumns+" FROM ticket_clocks WHERE ticket_id IN ("+store.Placeholders(len(ids))+") AND replaced_at = 0 ORDER BY id", ids...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		cl, err := scanClock(rows)
		if err != nil {
			return nil, err
		}
		out[cl.ticketID] = append(out[cl.ticketID], cl)
	}
	return out, rows.Err()
}

func validStatus(s Status) bool {
	switch s {
	case StatusNew, StatusForwarded, StatusAssigned, StatusInProgress, StatusResultReturned, StatusResolved,
		StatusReplied, StatusClosed, StatusMerged:
		return true
	}
	return false
}

// timeOrNow is the time an action happened: given, or now.
func timeOrNow(t *time.Time, now time.Time) time.Time {
	if t == nil {
		return now
	}
	return *t
}
