package merit

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Get returns an entry with its decisions, the jointly liable entries that
// follow it, the entry that superseded it and its appeals.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id store.ID) (*EntryDetail, error) {
	c := s.db.Reader()
	e, err := s.visibleEntry(ctx, c, p, id)
	if err != nil {
		return nil, err
	}
	d := &EntryDetail{Entry: *e}
	d.Decisions, err = store.QueryAll(ctx, c, func(sc store.Scanner) (Decision, error) {
		var dc Decision
		var actor store.NullID
		var at int64
		err := sc.Scan(&dc.ID, &dc.Action, &actor, &dc.ActorName, &dc.Note, &dc.RefID, &at)
		dc.ActorID, dc.At = actor.ID, store.FromMicros(at)
		if !actor.Valid {
			dc.ActorName = "kefu"
		}
		return dc, err
	}, `SELECT m.id, m.action, m.actor_id, COALESCE(u.display_name, ''), m.note, m.ref_id, m.created_at
		FROM merit_decisions m LEFT JOIN users u ON u.id = m.actor_id WHERE m.entry_id = ? ORDER BY m.id`, id)
	if err != nil {
		return nil, err
	}
	d.Joint, err = store.QueryAll(ctx, c, scanEntry, "SELECT "+entryColumns+entryFrom+" WHERE e.joint_of = ? ORDER BY e.id", id)
	if err != nil {
		return nil, err
	}
	var next store.ID
	err = c.QueryRow(ctx, `SELECT id FROM merit_entries WHERE supersedes_id = ?`, id).Scan(&next)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	d.SupersededBy = next
	if d.Appeals, err = s.entryAppeals(ctx, c, id); err != nil {
		return nil, err
	}
	if d.Decisions == nil {
		d.Decisions = []Decision{}
	}
	if d.Joint == nil {
		d.Joint = []Entry{}
	}
	if d.Appeals == nil {
		d.Appeals = []Appeal{}
	}
	return d, nil
}

// entryStates are the states an entry may be in.
var entryStates = []string{StateProposed, StateConfirmed, StateRejected, StateWithdrawn, StateChanged}

// List lists entries, newest first, a page at a time (keyset on the id).
// Whoever may read only their own ledger sees only their own entries.
func (s *Service) List(ctx context.Context, p *auth.Principal, f Filter) (*Page, error) {
	limit, err := apperr.PageLimit(f.Limit)
	if err != nil {
		return nil, err
	}
	c := s.db.Reader()
	cond, args := rowScope(p, "e.company_id")
	if !readsOthers(p) {
		if f.UserID != 0 && f.UserID != p.UserID {
			return nil, apperr.Forbidden(i18n.T("只能查看自己的奖惩", "you may read only your own ledger"))
		}
		f.UserID = p.UserID
	}
	add := func(c string, a ...any) {
		cond += " AND " + c
		args = append(args, a...)
	}
	if f.UserID != 0 {
		add("e.user_id = ?", f.UserID)
	}
	if f.UnitID != 0 {
		u, err := org.GetUnit(ctx, c, f.UnitID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.Validation("unit_id", i18n.T("没有这个部门", "no such unit"))
		} else if err != nil {
			return nil, err
		}
		sc, sa := org.Scope{Path: u.Path}.SQL("e.unit_id")
		add(sc, sa...)
	}
	if f.Kind != "" {
		if !slices.Contains(policy.MeritKinds, f.Kind) {
			return nil, apperr.Validation("kind", i18n.T("未知的奖惩类别 %q", "unknown kind %q", f.Kind))
		}
		add("e.kind = ?", f.Kind)
	}
	if f.State != "" {
		if !slices.Contains(entryStates, f.State) {
			return nil, apperr.Validation("state", i18n.T("未知的状态 %q", "unknown state %q", f.State))
		}
		add("e.state = ?", f.State)
	}
	if f.SourceKind != "" {
		add("e.source_kind = ?", strings.TrimSpace(f.SourceKind))
	}
	for _, b := range []struct {
		field, value, op string
	}{{"from", f.From, ">="}, {"to", f.To, "<="}} {
		if b.value == "" {
			continue
		}
		d, err := calendar.ParseDate(b.value)
		if err != nil {
			return nil, apperr.Validation(b.field, i18n.T("日期格式应为 YYYY-MM-DD", "a date must be YYYY-MM-DD"))
		}
		add("e.occurred_on "+b.op+" ?", d.String())
	}
	if f.Unpublished {
		add("e.state = ? AND e.published_at = 0", StateConfirmed)
	}
	if f.After > 0 {
		add("e.id < ?", f.After)
	}
	items, err := store.QueryAll(ctx, c, scanEntry, "SELECT "+entryColumns+entryFrom+" WHERE "+cond+" ORDER BY e.id DESC LIMIT ?",
		append(args, limit+1)...)
	if err != nil {
		return nil, err
	}
	pg := &Page{Items: items}
	if len(items) > limit {
		pg.Items = items[:limit]
		pg.Next = pg.Items[limit-1].ID
	}
	if pg.Items == nil {
		pg.Items = []Entry{}
	}
	for i := range pg.Items {
		s.bounds(&pg.Items[i])
	}
	return pg, nil
}
