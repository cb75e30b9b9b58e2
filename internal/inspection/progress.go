package inspection

import (
	"cmp"
	"context"
	"slices"

	"kefu/internal/store"
)

// Progress is the completion of a plan, or of one team's or one
// inspector's share of it (INS-009, RPT-006): done ÷ planned. Withdrawn
// items are not counted.
type Progress struct {
	// ID is the team or the inspector; 0 for the items not yet assigned.
	ID   store.ID `json:"id,omitempty"`
	Name string   `json:"name,omitempty"`
	// TeamID is an inspector's team.
	TeamID  store.ID `json:"team_id,omitempty"`
	Total   int      `json:"total"`
	Done    int      `json:"done"`
	Overdue int      `json:"overdue"` // open past their deadline
	// Percent is Done ÷ Total in per cent with one decimal, rounded half
	// up (INS-009: 1,198 of 1,240 → 96.6); 0 for an empty share.
	Percent float64 `json:"percent"`
}

// Percent is done ÷ total in per cent, one decimal, rounded half up.
func Percent(done, total int) float64 {
	if total <= 0 {
		return 0
	}
	tenths := (int64(done)*2000 + int64(total)) / (2 * int64(total))
	return float64(tenths) / 10
}

func (g *Progress) add(total, done, overdue int) {
	g.Total += total
	g.Done += done
	g.Overdue += overdue
	g.Percent = Percent(g.Done, g.Total)
}

// progress fills a plan's completion overall, per team and per inspector.
func (s *Service) progress(ctx context.Context, pl *StoredPlan) error {
	type share struct {
		team, inspector         store.NullID
		teamName, inspectorName string
		total, done, overdue    int
	}
	rows, err := store.QueryAll(ctx, s.db.Reader(), func(sc store.Scanner) (share, error) {
		var r share
		err := sc.Scan(&r.team, &r.teamName, &r.inspector, &r.inspectorName, &r.total, &r.done, &r.overdue)
		return r, err
	}, `SELECT i.team_id, coalesce(t.name, ''), i.inspector_id, coalesce(u.display_name, ''), count(*),
		sum(CASE WHEN i.status = 'done' THEN 1 ELSE 0 END), sum(CASE WHEN i.status = 'open' AND i.due_at <= ? THEN 1 ELSE 0 END)
		FROM inspection_plan_items i LEFT JOIN org_units t ON t.id = i.team_id LEFT JOIN users u ON u.id = i.inspector_id
		WHERE i.plan_id = ? AND i.status <> 'withdrawn' GROUP BY i.team_id, t.name, i.inspector_id, u.display_name`,
		store.Micros(s.now()), pl.ID)
	if err != nil {
		return err
	}
	pl.Progress, pl.Teams, pl.Inspectors = Progress{}, []Progress{}, []Progress{}
	teams := map[store.ID]*Progress{}
	for _, r := range rows {
		pl.Progress.add(r.total, r.done, r.overdue)
		t := teams[r.team.ID]
		if t == nil {
			t = &Progress{ID: r.team.ID, Name: r.teamName}
			teams[r.team.ID] = t
		}
		t.add(r.total, r.done, r.overdue)
		if r.team.Valid {
			in := Progress{ID: r.inspector.ID, Name: r.inspectorName, TeamID: r.team.ID}
			in.add(r.total, r.done, r.overdue)
			pl.Inspectors = append(pl.Inspectors, in)
		}
	}
	for _, t := range teams {
		pl.Teams = append(pl.Teams, *t)
	}
	// Assigned shares first, by name; the unassigned last.
	order := func(a, b Progress) int {
		return cmp.Or(cmp.Compare(boolInt(a.ID == 0), boolInt(b.ID == 0)), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	}
	slices.SortFunc(pl.Teams, order)
	slices.SortFunc(pl.Inspectors, func(a, b Progress) int {
		return cmp.Or(cmp.Compare(a.TeamID, b.TeamID), order(a, b))
	})
	return nil
}

// totals fills the overall completion of plans.
func (s *Service) totals(ctx context.Context, plans []*StoredPlan) error {
	if len(plans) == 0 {
		return nil
	}
	byID := map[store.ID]*StoredPlan{}
	args := []any{store.Micros(s.now())}
	for _, pl := range plans {
		byID[pl.ID] = pl
		args = append(args, pl.ID)
	}
	type total struct {
		plan                 store.ID
		total, done, overdue int
	}
	rows, err := store.QueryAll(ctx, s.db.Reader(), func(sc store.Scanner) (total, error) {
		var r total
		err := sc.Scan(&r.plan, &r.total, &r.done, &r.overdue)
		return r, err
	}, `SELECT plan_id, count(*), sum(CASE WHEN status = 'done' THEN 1 ELSE 0 END),
		sum(CASE WHEN status = 'open' AND due_at <= ? THEN 1 ELSE 0 END) FROM inspection_plan_items
		WHERE plan_id IN (`+store.Placeholders(len(plans))+") AND status <> 'withdrawn' GROUP BY plan_id", args...)
	for _, r := range rows {
		byID[r.plan].Progress.add(r.total, r.done, r.overdue)
	}
	return err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
