package org

import (
	"context"
	"strconv"
	"strings"

	"kefu/internal/store"
)

// CompanyOf is the nearest unit of kind company at or above unit, or the
// root when there is none (group-level units). Records that belong to "a
// company" — archive numbers unique per company (CUS-001), the staff
// directory, import checks — are keyed by it. c may be a transaction.
func CompanyOf(ctx context.Context, c store.Conn, unit store.ID) (Unit, error) {
	u, err := getUnit(ctx, c, unit)
	if err != nil || u.Kind == Company {
		return u, err
	}
	var ids []any
	for _, part := range strings.Split(strings.Trim(u.Path, "/"), "/") {
		if id, err := strconv.ParseInt(part, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	// The deepest company on the path, else the shallowest unit (the root).
	return scanUnit(c.QueryRow(ctx, "SELECT "+unitColumns+" FROM org_units WHERE id IN ("+store.Placeholders(len(ids))+
		") ORDER BY CASE WHEN kind = 'company' THEN 0 ELSE 1 END, CASE WHEN kind = 'company' THEN -depth ELSE depth END LIMIT 1", ids...))
}

// CompanyOf is CompanyOf on the service's database.
func (s *Service) CompanyOf(ctx context.Context, unit store.ID) (Unit, error) {
	return CompanyOf(ctx, s.db.Reader(), unit)
}
