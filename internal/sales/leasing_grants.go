package sales

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// Grant gives a user the General Manager's time-limited permission to view
// a leasing centre's registers (SEC-005): a grantor role of the pack.
func (s *Service) Grant(ctx context.Context, p *auth.Principal, in ViewGrantInput) (ViewGrant, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return ViewGrant{}, err
	}
	reason, err := cleanText("reason", in.Reason, 500, true)
	if err != nil {
		return ViewGrant{}, err
	}
	if in.GranteeID == 0 {
		return ViewGrant{}, apperr.Required("grantee_id")
	}
	now := s.now()
	var out ViewGrant
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		ce, err := s.leasingCentre(ctx, tx, p, in.UnitID)
		if err != nil {
			return err
		}
		if !isGrantor(p, ce) {
			return errNotGrantor()
		}
		var active bool
		err = tx.QueryRow(ctx, `SELECT active FROM users WHERE id = ?`, in.GranteeID).Scan(&active)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !active) {
			return apperr.NotFound("grantee_id")
		}
		if err != nil {
			return err
		}
		if p != nil && in.GranteeID == p.UserID && !p.IsAdmin() {
			return apperr.Validation("grantee_id", i18n.T("不能给自己授权", "cannot grant yourself"))
		}
		exp, err := ce.Calendar.Deadline(now, ce.Rules.Leasing.GrantValidity)
		if err != nil {
			return err
		}
		var grantor store.ID
		if p != nil {
			grantor = p.UserID
		}
		var id store.ID
		if err := tx.QueryRow(ctx, `INSERT INTO sales_view_grants (unit_id, company_id, grantee_id, granted_by, granted_at,
			expires_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, ce.UnitID, ce.CompanyID, in.GranteeID,
			store.OptionalID(grantor), store.Micros(now), store.Micros(exp.At), reason).Scan(&id); err != nil {
			return err
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "sales.grant.create", "sales_view_grant", id.String(),
			map[string]any{"unit_id": ce.UnitID, "grantee_id": in.GranteeID, "expires_at": exp.At, "reason": reason}); err != nil {
			return err
		}
		out, err = loadGrant(ctx, tx, id)
		return err
	})
	return out, err
}

// RevokeGrant ends a grant early.
func (s *Service) RevokeGrant(ctx context.Context, p *auth.Principal, id store.ID) (ViewGrant, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return ViewGrant{}, err
	}
	now := s.now()
	var out ViewGrant
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		g, err := loadGrant(ctx, tx, id)
		if err != nil {
			return err
		}
		ce, err := s.loadCentre(ctx, tx, p, g.UnitID)
		if err != nil {
			return apperr.NotFound("grant")
		}
		if !isGrantor(p, ce) {
			return errNotGrantor()
		}
		if !g.RevokedAt.IsZero() {
			return apperr.Conflict("grant", i18n.T("授权已撤销", "the grant has already been revoked"))
		}
		if !now.Before(g.ExpiresAt) {
			return apperr.Conflict("grant", i18n.T("授权已过期", "the grant has already expired"))
		}
		if _, err := tx.Exec(ctx, `UPDATE sales_view_grants SET revoked_at = ? WHERE id = ?`, store.Micros(now), id); err != nil {
			return err
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "sales.grant.revoke", "sales_view_grant", id.String(),
			map[string]any{"grantee_id": g.GranteeID}); err != nil {
			return err
		}
		out, err = loadGrant(ctx, tx, id)
		return err
	})
	return out, err
}

// Grants lists a centre's grants.
func (s *Service) Grants(ctx context.Context, p *auth.Principal, unit store.ID) ([]ViewGrant, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return nil, err
	}
	c := s.db.Reader()
	ce, err := s.leasingCentre(ctx, c, p, unit)
	if err != nil {
		return nil, err
	}
	q, args := grantColumns+` WHERE g.unit_id = ?`, []any{ce.UnitID}
	pos, err := positionOf(ctx, c, p)
	if err != nil {
		return nil, err
	}
	if !isGrantor(p, ce) && !isCustodian(p, pos, ce) {
		q, args = q+` AND g.grantee_id = ?`, append(args, p.UserID)
	}
	return store.QueryAll(ctx, c, scanGrant, q+` ORDER BY g.id DESC LIMIT 1000`, args...)
}

// isGrantor reports whether p gives the General Manager's permission
// (SEC-005): a grantor role of the pack, or an administrator.
func isGrantor(p *auth.Principal, ce *centre) bool {
	return p == nil || p.IsAdmin() || slices.ContainsFunc(ce.Rules.Leasing.GrantorRoles, p.HasRole)
}

func errNotGrantor() error {
	return apperr.Forbidden(i18n.T("只有总经理可以授权查阅招商登记和档案（SEC-005）",
		"only the General Manager grants viewing of the leasing registers and archives (SEC-005)"))
}

const grantColumns = `SELECT g.id, g.unit_id, g.grantee_id, ge.display_name, COALESCE(gr.display_name, ''), g.granted_at,
	g.expires_at, g.reason, g.revoked_at FROM sales_view_grants g JOIN users ge ON ge.id = g.grantee_id
	LEFT JOIN users gr ON gr.id = g.granted_by`

func scanGrant(r store.Scanner) (ViewGrant, error) {
	var g ViewGrant
	var at, exp, rev int64
	if err := r.Scan(&g.ID, &g.UnitID, &g.GranteeID, &g.Grantee, &g.GrantedBy, &at, &exp, &g.Reason, &rev); err != nil {
		return g, err
	}
	g.GrantedAt, g.ExpiresAt = store.FromMicros(at), store.FromMicros(exp)
	if rev != 0 {
		g.RevokedAt = store.FromMicros(rev)
	}
	return g, nil
}

func loadGrant(ctx context.Context, c store.Conn, id store.ID) (ViewGrant, error) {
	items, err := store.QueryAll(ctx, c, scanGrant, grantColumns+` WHERE g.id = ?`, id)
	if err != nil {
		return ViewGrant{}, err
	}
	if len(items) == 0 {
		return ViewGrant{}, apperr.NotFound("grant")
	}
	return items[0], nil
}
