package sampling

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

const drawColumns = `d.id, d.company_id, d.pack, d.pack_version, d.rule, d.level, d.checked_user_id,
	coalesce((SELECT display_name FROM users WHERE id = d.checked_user_id), ''), d.checked_position, d.checker_id,
	coalesce((SELECT display_name FROM users WHERE id = d.checker_id), ''), d.checker_position, d.period, d.period_from,
	d.period_to, d.due_at, d.seed, d.plan, d.status, d.quota_met, d.closed_at, d.cancel_reason, d.cancelled_at,
	d.created_by, d.created_at,
	(SELECT count(*) FROM sampling_tasks t WHERE t.draw_id = d.id),
	(SELECT count(*) FROM sampling_tasks t WHERE t.draw_id = d.id AND t.status = 'verified')`

func (s *Service) scanDraw(sc store.Scanner) (*DrawRecord, error) {
	var d DrawRecord
	var from, to, due, closed, cancelled, created int64
	var plan string
	var met sql.NullBool
	var by store.NullID
	err := sc.Scan(&d.ID, &d.CompanyID, &d.Pack, &d.PackVersion, &d.Rule, &d.Level, &d.CheckedUserID, &d.CheckedUser,
		&d.CheckedPosition, &d.CheckerID, &d.Checker, &d.CheckerPosition, &d.Period, &from, &to, &due, &d.Seed, &plan,
		&d.Status, &met, &closed, &d.CancelReason, &cancelled, &by, &created, &d.TaskCount, &d.Verified)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(plan), &d.Plan); err != nil {
		return nil, err
	}
	d.PeriodFrom, d.PeriodTo, d.DueAt, d.CreatedAt = store.FromMicros(from), store.FromMicros(to), store.FromMicros(due), store.FromMicros(created)
	d.ClosedAt, d.CancelledAt, d.CreatedBy = instant(closed), instant(cancelled), by.ID
	if met.Valid {
		d.QuotaMet = &met.Bool
	}
	if pack, ok := s.packs.Version(d.Pack, d.PackVersion); ok {
		if r, ok := pack.Sampling.Rule(d.Rule); ok {
			d.RuleName = r.Name.ZH
		}
	}
	return &d, nil
}

// instant is a stored instant, nil for 0 (not yet).
func instant(us int64) *time.Time {
	if us == 0 {
		return nil
	}
	t := store.FromMicros(us)
	return &t
}

// loadDraw reads a draw p may see (p nil: any), or 404.
func (s *Service) loadDraw(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) (*DrawRecord, error) {
	cond, args := "1=1", []any(nil)
	if p != nil {
		cond, args = visible(p, "d.company_id")
	}
	d, err := s.scanDraw(c.QueryRow(ctx, "SELECT "+drawColumns+" FROM sampling_draws d WHERE d.id = ? AND "+cond,
		append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("draw")
	}
	return d, err
}

// GetDraw returns a draw p may see with its tasks.
func (s *Service) GetDraw(ctx context.Context, p *auth.Principal, id store.ID) (*DrawRecord, error) {
	if err := mayRead(p); err != nil {
		return nil, err
	}
	r := s.db.Reader()
	d, err := s.loadDraw(ctx, r, p, id)
	if err != nil {
		return nil, err
	}
	d.Tasks, err = tasksOf(ctx, r, "t.draw_id = ?", id)
	return d, err
}

const taskColumns = `t.id, t.draw_id, t.seq, t.item_id, t.stratum, t.method, t.status, t.entry_id, t.verified_at`

func scanTask(sc store.Scanner) (Task, error) {
	var t Task
	var entry store.NullID
	var verified int64
	err := sc.Scan(&t.ID, &t.DrawID, &t.Seq, &t.ItemID, &t.Stratum, &t.Method, &t.Status, &entry, &verified)
	t.EntryID, t.VerifiedAt = entry.ID, instant(verified)
	return t, err
}

func tasksOf(ctx context.Context, c store.Conn, cond string, args ...any) ([]Task, error) {
	return store.QueryAll(ctx, c, scanTask, "SELECT "+taskColumns+" FROM sampling_tasks t WHERE "+cond+" ORDER BY t.draw_id, t.seq", args...)
}

// DrawFilter selects draws; zero fields do not filter.
type DrawFilter struct {
	Rule          string
	CheckedUserID store.ID
	CheckerID     store.ID
	Period        string
	Status        DrawStatus
	Limit         int // default 50, at most 500
	Before        store.ID
}

// ListDraws returns the draws p may see, newest first.
func (s *Service) ListDraws(ctx context.Context, p *auth.Principal, f DrawFilter) ([]*DrawRecord, error) {
	err := mayRead(p)
	if err != nil {
		return nil, err
	}
	if f.Limit, err = apperr.PageLimit(f.Limit); err != nil {
		return nil, err
	}
	if f.Status != "" && !slices.Contains([]DrawStatus{DrawOpen, DrawClosed, DrawCancelled}, f.Status) {
		return nil, apperr.Validation("status", i18n.T("须为 open、closed 或 cancelled", "must be open, closed or cancelled"))
	}
	cond, args := visible(p, "d.company_id")
	where := []string{cond}
	add := func(c string, a ...any) { where, args = append(where, c), append(args, a...) }
	if f.Rule != "" {
		add("d.rule = ?", f.Rule)
	}
	if f.CheckedUserID != 0 {
		add("d.checked_user_id = ?", f.CheckedUserID)
	}
	if f.CheckerID != 0 {
		add("d.checker_id = ?", f.CheckerID)
	}
	if f.Period != "" {
		add("d.period = ?", strings.TrimSpace(f.Period))
	}
	if f.Status != "" {
		add("d.status = ?", string(f.Status))
	}
	if f.Before != 0 {
		add("d.id < ?", f.Before)
	}
	return store.QueryAll(ctx, s.db.Reader(), s.scanDraw, "SELECT "+drawColumns+" FROM sampling_draws d WHERE "+
		strings.Join(where, " AND ")+" ORDER BY d.id DESC LIMIT ?", append(args, f.Limit)...)
}

// sortItems orders items by stratum, then ID.
func sortItems(items []Item) {
	slices.SortFunc(items, func(a, b Item) int {
		return cmp.Or(cmp.Compare(a.Stratum, b.Stratum), cmp.Compare(a.ID, b.ID))
	})
}

// GetTask returns a task p may see with its draw (without the draw's tasks).
func (s *Service) GetTask(ctx context.Context, p *auth.Principal, id store.ID) (*Task, *DrawRecord, error) {
	if err := mayRead(p); err != nil {
		return nil, nil, err
	}
	return s.loadTask(ctx, s.db.Reader(), p, id)
}

// Rule returns the rule of a stored draw or entry (its pack version).
func (s *Service) Rule(pack string, version int, key string) (*policy.Pack, *policy.SamplingRule, bool) {
	p, ok := s.packs.Version(pack, version)
	if !ok {
		return nil, nil, false
	}
	r, ok := p.Sampling.Rule(key)
	return p, r, ok
}
