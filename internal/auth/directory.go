package auth

import (
	"context"

	"kefu/internal/org"
	"kefu/internal/store"
)

// Colleague is a member of staff as assignment pickers show them: name,
// position, unit and roles — no contact details, no account state.
type Colleague struct {
	ID          store.ID `json:"id"`
	Username    string   `json:"username"`
	DisplayName string   `json:"display_name"`
	Position    string   `json:"position"`
	OrgUnit     store.ID `json:"org_unit"`
	OrgUnitName string   `json:"org_unit_name"`
	Roles       []Role   `json:"roles"`
}

// Colleagues lists the active staff of the principal's company — the
// subtree of the nearest company unit above the principal's own unit (the
// whole group for group-level staff) — for pickers such as "assign to".
// A work order crosses departments (TKT-002, TKT-005), so an agent must be
// able to name the engineering department's repairman, though the users
// admin pages stay scoped to the agent's own unit. At most limit people
// (default 500), by unit then name.
func (s *Service) Colleagues(ctx context.Context, p *Principal, limit int) ([]Colleague, error) {
	if p == nil {
		return nil, nil
	}
	company, err := s.org.CompanyOf(ctx, p.OrgUnitID)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 500
	}
	cond, args := org.Scope{Path: company.Path}.SQL("u.org_unit_id")
	c := s.db.Reader()
	rows, err := c.Query(ctx, "SELECT"+" u.id, u.username, u.display_name, u.position, u.org_unit_id, o.name"+userFrom+
		" WHERE u.active = ? AND "+cond+" ORDER BY o.path, u.display_name, u.id LIMIT ?", append(append([]any{true}, args...), limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Colleague
	for rows.Next() {
		var k Colleague
		if err := rows.Scan(&k.ID, &k.Username, &k.DisplayName, &k.Position, &k.OrgUnit, &k.OrgUnitName); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	users := make([]User, len(out))
	for i := range out {
		users[i].ID = out[i].ID
	}
	if err := loadRoles(ctx, c, users); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Roles = users[i].Roles
	}
	return out, nil
}

// DisplayName is the name of a user, for showing who acted on a record the
// caller may already see; it reveals nothing else of the account.
func (s *Service) DisplayName(ctx context.Context, id store.ID) (string, error) {
	var name string
	err := s.db.Reader().QueryRow(ctx, "SELECT display_name FROM users WHERE id = ?", id).Scan(&name)
	return name, err
}
