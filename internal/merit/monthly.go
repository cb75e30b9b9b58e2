package merit

import (
	"cmp"
	"context"
	"slices"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/money"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Monthly is a unit's monthly table of rewards and penalties: a row per
// person of the unit's subtree with entries that month or a proposal
// waiting — the confirmed entries of the month by kind, their points,
// fines and rewards, the net counts at the month's end, the flags reached
// that month, the proposals waiting and the entries still to publish —
// and the unit's publications of the month (SEC-011).
func (s *Service) Monthly(ctx context.Context, p *auth.Principal, unit store.ID, month string) (*MonthTable, error) {
	if !readsOthers(p) {
		return nil, apperr.Forbidden(i18n.T("无权查看部门的奖惩", "you may not read a unit's ledger"))
	}
	c := s.db.Reader()
	u, err := s.visibleUnit(ctx, c, p, unit)
	if err != nil {
		return nil, err
	}
	from, to, err := monthOf(month)
	if err != nil {
		return nil, err
	}
	last := to.AddDays(-1)
	sc, sa := org.Scope{Path: u.Path}.SQL("e.unit_id")
	type row struct {
		user              store.ID
		kind, on, state   string
		amount            int64
		points, published int64
	}
	rows, err := store.QueryAll(ctx, c, func(r store.Scanner) (row, error) {
		var x row
		return x, r.Scan(&x.user, &x.kind, &x.on, &x.state, &x.amount, &x.points, &x.published)
	}, `SELECT e.user_id, e.kind, e.occurred_on, e.state, e.amount_cents, e.points, e.published_at FROM merit_entries e
		WHERE `+sc+` AND (e.state = ? OR e.occurred_on >= ? AND e.occurred_on < ?) ORDER BY e.id`,
		append(sa, StateProposed, from.String(), to.String())...)
	if err != nil {
		return nil, err
	}
	byUser := map[store.ID]*MonthRow{}
	var order []store.ID
	for _, x := range rows {
		r := byUser[x.user]
		if r == nil {
			r = &MonthRow{UserID: x.user, Recorded: map[string]int{}, Flags: []string{}}
			byUser[x.user] = r
			order = append(order, x.user)
		}
		if x.state == StateProposed {
			r.Pending++
		}
		inMonth := x.on >= from.String() && x.on < to.String()
		if !inMonth || x.state != StateConfirmed {
			continue
		}
		r.Recorded[x.kind]++
		if x.published == 0 {
			r.Unpublished++
		}
		switch x.kind {
		case policy.MeritPointsAdded:
			r.Points += int(x.points)
		case policy.MeritPointsCut:
			r.Points -= int(x.points)
		case policy.MeritFine:
			r.Fines += money.Yuan(x.amount)
		case policy.MeritBonus, policy.MeritSpecialAward:
			r.Rewards += money.Yuan(x.amount)
		}
	}
	out := &MonthTable{UnitID: u.ID, Unit: u.Name, Month: month, Rows: []MonthRow{}}
	// Names, units and ledgers of the whole table in a few queries, not a
	// few per person (BenchmarkMonthly).
	people, err := monthPeople(ctx, c, order)
	if err != nil {
		return nil, err
	}
	facts, err := factsOfMany(ctx, c, order)
	if err != nil {
		return nil, err
	}
	packs := map[store.ID]*policy.Pack{}
	for _, id := range order {
		r, who := byUser[id], people[id]
		r.User, r.Unit = who.name, who.unit
		pack := packs[who.unitID]
		if pack == nil {
			if pack, err = s.packs.ForUnit(ctx, who.unitID); err != nil {
				return nil, err
			}
			packs[who.unitID] = pack
		}
		sum := Derive(facts[id], &pack.Merits, last)
		r.Net = sum.Net
		for _, f := range sum.Flags {
			if !f.On.Before(from) && !slices.Contains(r.Flags, f.Flag) {
				r.Flags = append(r.Flags, f.Flag)
			}
		}
		out.Rows = append(out.Rows, *r)
	}
	slices.SortFunc(out.Rows, func(a, b MonthRow) int {
		return cmp.Or(cmp.Compare(a.Unit, b.Unit), cmp.Compare(a.User, b.User), cmp.Compare(a.UserID, b.UserID))
	})
	if out.Publications, err = publications(ctx, c, "p.unit_id = ? AND p.month = ?", u.ID, month); err != nil {
		return nil, err
	}
	return out, nil
}

// monthPerson is what a monthly row shows of a person.
type monthPerson struct {
	name, unit string
	unitID     store.ID
}

// monthChunk bounds the ids of one IN list.
const monthChunk = 500

// monthPeople reads the names and units of the people, by id.
func monthPeople(ctx context.Context, c store.Conn, ids []store.ID) (map[store.ID]monthPerson, error) {
	out := make(map[store.ID]monthPerson, len(ids))
	for chunk := range slices.Chunk(ids, monthChunk) {
		type row struct {
			id store.ID
			m  monthPerson
		}
		rows, err := store.QueryAll(ctx, c, func(sc store.Scanner) (row, error) {
			var r row
			return r, sc.Scan(&r.id, &r.m.name, &r.m.unitID, &r.m.unit)
		}, `SELECT u.id, u.display_name, u.org_unit_id, o.name FROM users u
			JOIN org_units o ON o.id = u.org_unit_id WHERE u.id IN (`+store.Placeholders(len(chunk))+`)`, anys(chunk)...)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.id] = r.m
		}
	}
	return out, nil
}

// factsOfMany are the effective entries of each of the people (factsOf).
func factsOfMany(ctx context.Context, c store.Conn, ids []store.ID) (map[store.ID][]Fact, error) {
	out := make(map[store.ID][]Fact, len(ids))
	for chunk := range slices.Chunk(ids, monthChunk) {
		type owned struct {
			user store.ID
			fact Fact
		}
		rows, err := store.QueryAll(ctx, c, func(sc store.Scanner) (owned, error) {
			var o owned
			var on string
			var amount int64
			if err := sc.Scan(&o.user, &o.fact.ID, &o.fact.Kind, &on, &amount, &o.fact.Points, &o.fact.NoOffset); err != nil {
				return o, err
			}
			o.fact.Amount = money.Yuan(amount)
			var err error
			o.fact.On, err = calendar.ParseDate(on)
			return o, err
		}, `SELECT user_id, id, kind, occurred_on, amount_cents, points, no_offset FROM merit_entries
			WHERE state = ? AND user_id IN (`+store.Placeholders(len(chunk))+`) ORDER BY occurred_on, id`,
			append([]any{StateConfirmed}, anys(chunk)...)...)
		if err != nil {
			return nil, err
		}
		for _, o := range rows {
			out[o.user] = append(out[o.user], o.fact)
		}
	}
	return out, nil
}

func anys(ids []store.ID) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
