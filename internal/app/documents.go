package app

import (
	"context"
	"database/sql"
	"errors"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/document"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// RegisterDocumentOwners lets documents attach to customers and service
// points. A document follows its owner: reading needs customers:read and
// the owner in the caller's row scope (404 otherwise, SEC-001); attaching
// and deleting need customers:write.
//
// The checks read the owner's org unit directly rather than through the
// customer service, whose Get also loads points and contacts and audits
// unmasked confidential fields — too much for an access check.
func RegisterDocumentOwners(docs *document.Service, db *store.DB) {
	docs.RegisterOwner("customer", scopedOwner(db, "customers"))
	docs.RegisterOwner("service_point", scopedOwner(db, "service_points"))
}

// scopedOwner checks the customers permissions and that the row of table
// lies in the caller's org subtree. table is a constant of the caller.
func scopedOwner(db *store.DB, table string) document.OwnerCheck {
	return func(ctx context.Context, p *auth.Principal, id store.ID, write bool) error {
		if p != nil && !p.Can(auth.PermCustomersRead) {
			return apperr.Forbidden(i18n.T("无权执行此操作（需要 %s 权限）", "permission %s is required",
				string(auth.PermCustomersRead)))
		}
		cond, args := p.Scope().SQL("org_unit_id")
		var one int
		err := db.Reader().QueryRow(ctx, "SELECT 1 FROM "+table+" WHERE id = ? AND "+cond,
			append([]any{id}, args...)...).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("owner_id")
		}
		if err != nil {
			return err
		}
		if write && p != nil && !p.Can(auth.PermCustomersWrite) {
			return apperr.Forbidden(i18n.T("无权执行此操作（需要 %s 权限）", "permission %s is required",
				string(auth.PermCustomersWrite)))
		}
		return nil
	}
}
