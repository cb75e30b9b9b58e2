package inspection

import (
	"context"

	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
)

// Person is someone a plan's items may be given to.
type Person struct {
	ID       store.ID `json:"id"`
	Name     string   `json:"name"`
	TeamID   store.ID `json:"team_id"`
	TeamName string   `json:"team_name"`
}

// Breakdown lists what a plan may be broken down to (INS-009): the teams
// and departments of its company, and the active holders of the inspector
// level's role in them with their unit.
func (s *Service) Breakdown(ctx context.Context, p *auth.Principal, planID store.ID) ([]org.Unit, []Person, error) {
	if err := mayRead(p); err != nil {
		return nil, nil, err
	}
	r := s.db.Reader()
	pl, err := loadPlan(ctx, r, p, planID)
	if err != nil {
		return nil, nil, err
	}
	co, err := org.GetUnit(ctx, r, pl.CompanyID)
	if err != nil {
		return nil, nil, err
	}
	cond, args := org.Scope{Path: co.Path}.SQL("id")
	units, err := store.QueryAll(ctx, r, func(sc store.Scanner) (org.Unit, error) {
		var u org.Unit
		return u, sc.Scan(&u.ID, &u.Name, &u.Kind, &u.Path, &u.Depth)
	}, "SELECT id, name, kind, path, depth FROM org_units WHERE kind IN ('team', 'department') AND active = ? AND "+cond+
		" ORDER BY path", append([]any{true}, args...)...)
	if err != nil {
		return nil, nil, err
	}
	role := auth.RoleFieldStaff
	if pack, ok := s.packs.Version(pl.Pack, pl.PackVersion); ok {
		role = levelRole(pack, "inspector")
	}
	ucond, uargs := org.Scope{Path: co.Path}.SQL("u.org_unit_id")
	people, err := store.QueryAll(ctx, r, func(sc store.Scanner) (Person, error) {
		var x Person
		return x, sc.Scan(&x.ID, &x.Name, &x.TeamID, &x.TeamName)
	}, `SELECT DISTINCT u.id, u.display_name, u.org_unit_id, t.name FROM users u JOIN user_roles ur ON ur.user_id = u.id
		JOIN org_units t ON t.id = u.org_unit_id WHERE u.active = ? AND ur.role = ? AND `+ucond+" ORDER BY t.name, u.display_name, u.id",
		append([]any{true, string(role)}, uargs...)...)
	return units, people, err
}

// GetItem returns a plan item p may see.
func (s *Service) GetItem(ctx context.Context, p *auth.Principal, id store.ID) (*PlanItem, error) {
	if err := mayRead(p); err != nil {
		return nil, err
	}
	cond, args := visible(p, "i.company_id")
	items, err := store.QueryAll(ctx, s.db.Reader(), scanItem(s.now()), "SELECT "+itemColumns+itemFrom+" WHERE i.id = ? AND "+cond,
		append([]any{id}, args...)...)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, notFound("item")
	}
	return items[0], nil
}
