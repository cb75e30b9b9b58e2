package org

import (
	"context"

	"kefu/internal/store"
)

// UsersWithRoles are the active users holding any of the roles in the
// unit's subtree, by id: who is told when a work order escalates to the
// unit (TKT-017) or a company's survey is due for planning (SUR-001).
// Role is auth.Role, which imports this package.
func UsersWithRoles[Role ~string](ctx context.Context, c store.Conn, unit store.ID, roles []Role) ([]store.ID, error) {
	u, err := getUnit(ctx, c, unit)
	if err != nil {
		return nil, err
	}
	cond, args := Scope{Path: u.Path}.SQL("u.org_unit_id")
	q := "SELECT DISTINCT u.id FROM users u JOIN user_roles r ON r.user_id = u.id WHERE u.active = ? AND " + cond +
		" AND r.role IN (" + store.Placeholders(len(roles)) + ") ORDER BY u.id"
	all := append([]any{true}, args...)
	for _, r := range roles {
		all = append(all, string(r))
	}
	return store.QueryAll(ctx, c, func(sc store.Scanner) (store.ID, error) {
		var id store.ID
		return id, sc.Scan(&id)
	}, q, all...)
}
