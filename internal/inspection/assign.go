package inspection

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
	"time"
)

// AssignInput breaks a plan down (INS-009): the department manager gives
// items to a team, the team leader gives the team's items to inspectors.
// The items are the listed ones (ItemIDs) or those the filter selects;
// only open items are assigned.
type AssignInput struct {
	ItemIDs []store.ID  `json:"item_ids,omitempty"`
	Filter  *ItemFilter `json:"filter,omitempty"`
	// TeamID gives the items to a team (an org unit of the plan's
	// company); an item moved to another team loses its inspector.
	TeamID store.ID `json:"team_id,omitempty"`
	// InspectorID gives the items to an inspector of their team.
	InspectorID store.ID `json:"inspector_id,omitempty"`
	// Split spreads the team's items evenly over its inspectors (or those
	// listed in Inspectors): contiguous runs by address and archive number,
	// sizes differing by at most one (INS-009: 420 → 140, 140, 140). Without
	// items or a filter, the team's open items with no inspector are split.
	Split      bool       `json:"split,omitempty"`
	Inspectors []store.ID `json:"inspectors,omitempty"`
}

// AssignResult is what a breakdown did.
type AssignResult struct {
	Assigned int `json:"assigned"`
	// PerInspector counts the items each inspector got (a split).
	PerInspector map[string]int `json:"per_inspector,omitempty"`
	Plan         *StoredPlan    `json:"plan"`
}

// maxAssign bounds the items one request assigns.
const maxAssign = 20000

// Assign breaks a plan's items down to a team or an inspector (INS-009).
// Giving items to a team takes the department level's role (not a team's
// manager); giving them to inspectors takes the team level's role in the
// team or above it. An inspector must hold the inspector level's role in
// the item's team and the certificate the work needs (certificate.Require,
// work "inspection.<track>" or "inspection.<campaign>").
func (s *Service) Assign(ctx context.Context, p *auth.Principal, planID store.ID, in AssignInput) (*AssignResult, error) {
	if err := mayRead(p); err != nil {
		return nil, err
	}
	switch {
	case in.TeamID == 0 && in.InspectorID == 0:
		return nil, apperr.Validation("team_id", i18n.T("请指定班组或安检员", "name the team or the inspector"))
	case in.Split && in.TeamID == 0:
		return nil, apperr.Validation("team_id", i18n.T("均分须指定班组", "a split needs the team"))
	case in.Split && in.InspectorID != 0:
		return nil, apperr.Validation("inspector_id", i18n.T("均分时不指定单个安检员", "a split names no single inspector"))
	case len(in.ItemIDs) == 0 && in.Filter == nil && !in.Split:
		return nil, apperr.Validation("item_ids", i18n.T("请选择计划项目或筛选条件", "list the items or give a filter"))
	case len(in.ItemIDs) > maxAssign:
		return nil, apperr.Validation("item_ids", i18n.T("一次最多 %d 项", "at most %d items at a time", maxAssign))
	}
	now := s.now()
	res := &AssignResult{}
	err := s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		pl, err := loadPlan(ctx, tx, p, planID)
		if err != nil {
			return err
		}
		pack, ok := s.packs.Version(pl.Pack, pl.PackVersion)
		if !ok {
			return apperr.Conflict("plan", i18n.T("计划的政策包版本已不存在，请重新生成", "the plan's pack version is gone: regenerate the plan"))
		}
		me, err := org.GetUnit(ctx, tx, p.OrgUnitID)
		if err != nil {
			return err
		}
		var team org.Unit
		if in.TeamID != 0 {
			if team, err = s.teamOf(ctx, tx, pl.CompanyID, in.TeamID); err != nil {
				return err
			}
		}
		ids, err := s.selectItems(ctx, tx, pl.ID, in)
		if err != nil {
			return err
		}
		if in.TeamID != 0 && !in.Split {
			// INS-009: the department manager breaks the plan down to teams.
			if !hasRole(p, levelRole(pack, "department")) || me.Kind == org.Team && !p.IsAdmin() {
				return apperr.Forbidden(i18n.T("计划由部门经理分解到班组（INS-009）", "the department manager breaks the plan down to teams (INS-009)"))
			}
			n, err := s.toTeam(ctx, tx, p, ids, team.ID, now)
			if err != nil {
				return err
			}
			res.Assigned = n
		}
		if in.InspectorID == 0 && !in.Split {
			return audit.Record(ctx, tx, now, "inspection.plan.assign", "inspection_plan", pl.ID.String(),
				map[string]any{"team_id": in.TeamID, "items": res.Assigned})
		}
		// INS-009: the team leader breaks the team's items down to inspectors.
		if !hasRole(p, levelRole(pack, "team")) {
			return apperr.Forbidden(i18n.T("班组的计划由班组长分解到安检员（INS-009）", "the team leader breaks the team's plan down to inspectors (INS-009)"))
		}
		inspectors := in.Inspectors
		if in.InspectorID != 0 {
			inspectors = []store.ID{in.InspectorID}
		}
		field := "inspector_id"
		if in.Split {
			field = "inspectors"
			if len(inspectors) == 0 {
				if inspectors, err = org.UsersWithRoles(ctx, tx, team.ID, []auth.Role{levelRole(pack, "inspector")}); err != nil {
					return err
				}
				if len(inspectors) == 0 {
					return apperr.Validation("team_id", i18n.T("班组没有安检员", "the team has no inspectors"))
				}
			}
		}
		items, err := s.teamItems(ctx, tx, ids, in.Split, team.ID)
		if err != nil {
			return err
		}
		per, err := s.toInspectors(ctx, tx, p, pack, me, items, inspectors, field, now)
		if err != nil {
			return err
		}
		res.PerInspector = map[string]int{}
		for id, n := range per {
			res.PerInspector[id.String()] = n
			res.Assigned += n
		}
		return audit.Record(ctx, tx, now, "inspection.plan.assign", "inspection_plan", pl.ID.String(),
			map[string]any{"team_id": in.TeamID, "inspectors": res.PerInspector})
	})
	if err != nil {
		return nil, err
	}
	if res.Plan, err = s.GetPlan(ctx, p, planID); err != nil {
		return nil, err
	}
	return res, nil
}

// teamOf checks that id is an active team or department of the company.
func (s *Service) teamOf(ctx context.Context, tx store.Conn, company, id store.ID) (org.Unit, error) {
	u, err := org.GetUnit(ctx, tx, id)
	if err != nil || !u.Active || u.Kind != org.Team && u.Kind != org.Department || !slices.Contains(org.AncestorIDs(u.Path), company) {
		return org.Unit{}, apperr.Validation("team_id", i18n.T("须为本公司的班组或部门", "must be a team or department of the plan's company"))
	}
	return u, nil
}

// selectItems returns the ids of the plan's open items the input selects.
func (s *Service) selectItems(ctx context.Context, tx store.Conn, plan store.ID, in AssignInput) ([]store.ID, error) {
	where := []string{"i.plan_id = ?", "i.status = 'open'"}
	args := []any{plan}
	switch {
	case len(in.ItemIDs) > 0:
		list := make([]any, len(in.ItemIDs))
		for i, id := range in.ItemIDs {
			list[i] = id
		}
		where, args = append(where, "i.id IN ("+store.Placeholders(len(list))+")"), append(args, list...)
	case in.Filter != nil:
		f := *in.Filter
		f.Status = statusOpen
		w, a, err := f.where(s.now())
		if err != nil {
			if e, ok := apperr.As(err); ok {
				e.Field = "filter." + e.Field
			}
			return nil, err
		}
		where, args = append(where, w...), append(args, a...)
	case in.Split:
		where, args = append(where, "i.team_id = ?", "i.inspector_id IS NULL"), append(args, in.TeamID)
	}
	ids, err := store.QueryAll(ctx, tx, func(sc store.Scanner) (store.ID, error) {
		var id store.ID
		return id, sc.Scan(&id)
	}, "SELECT i.id FROM inspection_plan_items i WHERE "+strings.Join(where, " AND ")+" ORDER BY i.id LIMIT ?",
		append(args, maxAssign+1)...)
	switch {
	case err != nil:
		return nil, err
	case len(ids) > maxAssign:
		return nil, apperr.Validation("filter", i18n.T("一次最多 %d 项，请缩小范围", "at most %d items at a time: narrow the filter", maxAssign))
	case len(in.ItemIDs) > 0 && len(ids) != len(uniqueIDs(in.ItemIDs)):
		return nil, apperr.Validation("item_ids", i18n.T("含有不属于本计划或已完成的项目", "some items are not open items of this plan"))
	}
	return ids, nil
}

func uniqueIDs(ids []store.ID) []store.ID {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// toTeam gives items to a team; an item moved to another team loses its
// inspector.
func (s *Service) toTeam(ctx context.Context, tx store.Conn, p *auth.Principal, ids []store.ID, team store.ID, now time.Time) (int, error) {
	n := 0
	for len(ids) > 0 {
		k := min(len(ids), 500)
		args := []any{team, p.UserRef(), store.Micros(now), team}
		for _, id := range ids[:k] {
			args = append(args, id)
		}
		if _, err := tx.Exec(ctx, `UPDATE inspection_plan_items SET inspector_id = CASE WHEN team_id = ? THEN inspector_id END,
			inspector_by = CASE WHEN inspector_id IS NULL THEN NULL ELSE inspector_by END, team_by = ?, team_at = ?, team_id = ?
			WHERE id IN (`+store.Placeholders(k)+")", args...); err != nil {
			return 0, err
		}
		n += k
		ids = ids[k:]
	}
	return n, nil
}

// teamItem is an item being given to an inspector.
type teamItem struct {
	id, team         store.ID
	track, campaign  string
	address, archive string
	path             string // the team's path
}

// teamItems reads the selected items with their teams, in the order a
// split deals them out: by address and archive number.
func (s *Service) teamItems(ctx context.Context, tx store.Conn, ids []store.ID, split bool, team store.ID) ([]teamItem, error) {
	var out []teamItem
	for len(ids) > 0 {
		k := min(len(ids), 500)
		args := make([]any, k)
		for i, id := range ids[:k] {
			args[i] = id
		}
		rows, err := store.QueryAll(ctx, tx, func(sc store.Scanner) (teamItem, error) {
			var it teamItem
			var t store.NullID
			var path *string
			err := sc.Scan(&it.id, &t, &it.track, &it.campaign, &it.address, &it.archive, &path)
			it.team = t.ID
			if path != nil {
				it.path = *path
			}
			return it, err
		}, `SELECT i.id, i.team_id, i.track, i.campaign, i.address, i.archive_no, u.path FROM inspection_plan_items i LEFT JOIN org_units u ON u.id = i.team_id
			WHERE i.id IN (`+store.Placeholders(k)+") ORDER BY i.address, i.archive_no, i.id", args...)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
		ids = ids[k:]
	}
	if split {
		slices.SortFunc(out, func(a, b teamItem) int {
			return cmp.Or(cmp.Compare(a.address, b.address), cmp.Compare(a.archive, b.archive), cmp.Compare(a.id, b.id))
		})
	}
	for _, it := range out {
		switch {
		case it.team == 0:
			return nil, apperr.Validation("team_id", i18n.T("项目须先分解到班组（INS-009）", "give the items to a team first (INS-009)"))
		case team != 0 && it.team != team:
			return nil, apperr.Validation("team_id", i18n.T("所选项目不属于该班组", "the items do not belong to the team"))
		}
	}
	return out, nil
}

// toInspectors gives the items to the inspectors: all to the one, or a
// split in contiguous runs. The caller must hold the team's level in the
// item's team or above it; each inspector must work in the item's team,
// hold the inspector level's role and the certificate the work needs.
func (s *Service) toInspectors(ctx context.Context, tx store.Conn, p *auth.Principal, pack *policy.Pack, me org.Unit,
	items []teamItem, inspectors []store.ID, field string, now time.Time) (map[store.ID]int, error) {
	if len(items) == 0 {
		return map[store.ID]int{}, nil
	}
	role := levelRole(pack, "inspector")
	type who struct {
		path   string
		active bool
		role   bool
	}
	people := map[store.ID]who{}
	for i, id := range inspectors {
		f := field
		if field == "inspectors" {
			f = fmt.Sprintf("inspectors[%d]", i)
		}
		var w who
		var n int
		err := tx.QueryRow(ctx, `SELECT u.path, us.active, (SELECT count(*) FROM user_roles r WHERE r.user_id = us.id AND r.role = ?)
			FROM users us JOIN org_units u ON u.id = us.org_unit_id WHERE us.id = ?`, string(role), id).Scan(&w.path, &w.active, &n)
		if err != nil || !w.active || n == 0 {
			return nil, apperr.Validation(f, i18n.T("须为在岗的%[1]s", "must be an active %[2]s", role.Label().ZH, string(role)))
		}
		people[id] = w
	}
	per := map[store.ID]int{}
	required := map[string]bool{}
	// Contiguous runs: the first len%k inspectors get one more.
	k := len(inspectors)
	size := func(j int) int {
		if j < len(items)%k {
			return len(items)/k + 1
		}
		return len(items) / k
	}
	j, left := 0, size(0)
	for _, it := range items {
		if !p.IsAdmin() && !strings.HasPrefix(it.path, me.Path) {
			return nil, apperr.Forbidden(i18n.T("只能分解本班组的计划（INS-009）", "you break down your own team's items only (INS-009)"))
		}
		for left == 0 {
			j++
			left = size(j)
		}
		left--
		id := inspectors[j]
		if !strings.HasPrefix(people[id].path, it.path) {
			f := field
			if field == "inspectors" {
				f = fmt.Sprintf("inspectors[%d]", j)
			}
			return nil, apperr.Validation(f, i18n.T("安检员须属于该项目的班组", "the inspector must work in the item's team"))
		}
		// The customer-side campaigns need what the periodic inspection
		// needs (the pack's certificates: inspection.<track>).
		work := policy.WorkInspection + it.track
		if it.campaign != "" {
			work = policy.WorkInspection + policy.TrackPeriodic
		}
		if key := fmt.Sprintf("%d/%s", id, work); !required[key] && s.require != nil {
			required[key] = true
			f := field
			if field == "inspectors" {
				f = fmt.Sprintf("inspectors[%d]", j)
			}
			if err := s.require(ctx, tx, pack, work, id, now, f); err != nil {
				return nil, err
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE inspection_plan_items SET inspector_id = ?, inspector_by = ?, inspector_at = ? WHERE id = ?",
			id, p.UserRef(), store.Micros(now), it.id); err != nil {
			return nil, err
		}
		per[id]++
	}
	return per, nil
}
