// Package auth owns users, roles and permissions, passwords (argon2id),
// sessions and bearer tokens, and login rate limiting. A signed-in request
// carries a Principal: who it is, what it may do, and the org subtree whose
// rows it may see (SEC-001).
package auth

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"kefu/internal/audit"
	"kefu/internal/org"
	"kefu/internal/store"
)

// Principal is the signed-in user behind a request.
type Principal struct {
	UserID             store.ID
	Username           string
	DisplayName        string
	Roles              []Role
	OrgUnitID          store.ID
	OrgPath            string
	MustChangePassword bool
	SessionID          store.ID
}

// Can reports whether the principal holds permission p.
func (p *Principal) Can(perm Permission) bool { return p != nil && Grants(p.Roles, perm) }

// HasRole reports whether the principal holds role r.
func (p *Principal) HasRole(r Role) bool { return p != nil && slices.Contains(p.Roles, r) }

// IsAdmin reports whether the principal has the admin role.
func (p *Principal) IsAdmin() bool { return p != nil && slices.Contains(p.Roles, RoleAdmin) }

// Scope is the org subtree whose rows the principal may see: everything for
// an administrator and for the system (a nil principal: CLI, bootstrap,
// jobs), otherwise the subtree of their own unit.
func (p *Principal) Scope() org.Scope {
	if p == nil || p.IsAdmin() {
		return org.Scope{All: true}
	}
	return org.Scope{Path: p.OrgPath}
}

// Actor is the principal as the audit log names it; the system (a nil
// principal: timers, CLI, bootstrap) is audit.System.
func (p *Principal) Actor() audit.Actor {
	if p == nil {
		return audit.System
	}
	return audit.Actor{ID: p.UserID, Name: p.Username}
}

// UserRef is the principal's user as a nullable column value: NULL for the
// system (a nil principal).
func (p *Principal) UserRef() store.NullID {
	if p == nil {
		return store.NullID{}
	}
	return store.OptionalID(p.UserID)
}

type principalKey struct{}

// WithPrincipal stores the signed-in principal in the request context.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal stored by WithPrincipal, or nil.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// TokenFromRequest returns the bearer token, or else the session cookie.
func TokenFromRequest(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t)
		}
		return ""
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// SessionTTL is how long a new session lasts.
func (s *Service) SessionTTL() time.Duration { return s.sessionTTL }

// Principal is the user acting outside a signed-in session: demo data,
// command-line imports. Permissions and row scope are the user's own.
func (u User) Principal() *Principal {
	return &Principal{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Roles: u.Roles,
		OrgUnitID: u.OrgUnit, OrgPath: u.orgPath, MustChangePassword: u.MustChangePassword}
}

// SeesCompany reports whether the principal sees the records of a company
// (SEC-001): their own company's, or a company inside their scope; the
// system and an administrator see every company.
func (p *Principal) SeesCompany(ctx context.Context, c store.Conn, company store.ID) (bool, error) {
	if p == nil || p.IsAdmin() {
		return true, nil
	}
	co, err := org.CompanyOf(ctx, c, p.OrgUnitID)
	if err != nil {
		return false, err
	}
	if co.ID == company {
		return true, nil
	}
	u, err := org.GetUnit(ctx, c, company)
	if err != nil {
		return false, err
	}
	return p.Scope().Contains(u.Path), nil
}
