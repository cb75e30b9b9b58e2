package certificate

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/store"
)

// columns are a certificate's columns, c the certificates table and u the
// holder; the successor comes from the one row naming c as its previous.
const columns = `c.id, c.company_id, c.holder_id, coalesce(nullif(u.display_name, ''), u.username), c.pack, c.pack_version,
	c.kind, c.number, c.scopes, c.scope_note, c.issuer, c.issued_on, c.expires_on, c.renew_by, c.remind_on, c.origin,
	c.previous_id, (SELECT n.id FROM certificates n WHERE n.previous_id = c.id), (SELECT n.origin FROM certificates n WHERE n.previous_id = c.id),
	c.applied_on, coalesce((SELECT p.renew_by FROM certificates p WHERE p.id = c.previous_id), ''), c.note,
	c.lost_kind, c.lost_on, c.lost_note, c.lost_by, c.lost_at, c.revoked_at, c.revoked_by, c.revoke_reason,
	c.created_by, c.created_at`

const from = ` FROM certificates c JOIN users u ON u.id = c.holder_id`

// row is a certificate as read, with what the status needs.
type row struct {
	Certificate
	nextOrigin string
}

// scanner scans a row; today is the day the status is derived for.
func (s *Service) scanner(today calendar.Date) func(sc store.Scanner) (*row, error) {
	return func(sc store.Scanner) (*row, error) {
		var r row
		var scopes, issued, expires, renewBy, remindOn, applied, prevRenewBy, lostOn string
		var previous, next, lostBy, revokedBy, createdBy store.NullID
		var nextOrigin sql.NullString
		var lostAt, revokedAt, created int64
		var lossKind, lostNote, revokeReason string
		err := sc.Scan(&r.ID, &r.CompanyID, &r.UserID, &r.HolderName, &r.Pack, &r.PackVersion, &r.Kind, &r.Number, &scopes,
			&r.ScopeNote, &r.Issuer, &issued, &expires, &renewBy, &remindOn, &r.Origin, &previous, &next, &nextOrigin,
			&applied, &prevRenewBy, &r.Note, &lossKind, &lostOn, &lostNote, &lostBy, &lostAt, &revokedAt, &revokedBy,
			&revokeReason, &createdBy, &created)
		if err != nil {
			return nil, err
		}
		r.Scopes = splitScopes(scopes)
		r.IssuedOn, _ = calendar.ParseDate(issued)
		r.ExpiresOn, r.RenewBy, r.RemindOn, r.AppliedOn = date(expires), date(renewBy), date(remindOn), date(applied)
		if pr := date(prevRenewBy); pr != nil && r.AppliedOn != nil && r.AppliedOn.After(*pr) {
			r.LateRenewal = true // INS-017: applied later than 30 days before expiry
		}
		r.PreviousID, r.NextID, r.nextOrigin = previous.ID, next.ID, nextOrigin.String
		r.CreatedBy, r.CreatedAt = createdBy.ID, store.FromMicros(created)
		if lossKind != "" {
			on, _ := calendar.ParseDate(lostOn)
			r.Loss = &Loss{Kind: lossKind, On: on, Note: lostNote, ReportedBy: lostBy.ID, ReportedAt: store.FromMicros(lostAt)}
		}
		if revokedAt != 0 {
			r.Revocation = &Revocation{Reason: revokeReason, RevokedBy: revokedBy.ID, RevokedAt: store.FromMicros(revokedAt)}
		}
		if p, ok := s.packs.Version(r.Pack, r.PackVersion); ok {
			if k, ok := p.Certificates.Kind(r.Kind); ok {
				r.KindName = k.Name.ZH
			}
		}
		if r.KindName == "" {
			r.KindName = r.Kind
		}
		r.Status = statusOn(&r, today)
		r.Valid = validOn(&r, today)
		return &r, nil
	}
}

// statusOn derives the status on a day: what happened to the certificate
// first, then its dates (INS-017).
func statusOn(r *row, day calendar.Date) Status {
	switch {
	case r.Revocation != nil:
		return StatusRevoked
	case r.NextID != 0 && r.nextOrigin == OriginReplacement:
		return StatusReplaced
	case r.NextID != 0:
		return StatusRenewed
	case r.Loss != nil:
		return StatusLost
	case r.ExpiresOn != nil && day.After(*r.ExpiresOn):
		return StatusExpired
	case r.RemindOn != nil && !day.Before(*r.RemindOn):
		return StatusRenewalDue
	}
	return StatusValid
}

// validOn reports whether the holder may be put on work with it on day:
// valid or due for renewal, and already issued.
func validOn(r *row, day calendar.Date) bool {
	st := statusOn(r, day)
	return (st == StatusValid || st == StatusRenewalDue) && !day.Before(r.IssuedOn)
}

func date(s string) *calendar.Date {
	if s == "" {
		return nil
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		return nil
	}
	return &d
}

func splitScopes(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// mayRead refuses p without staff:read.
func mayRead(p *auth.Principal) error {
	if !p.Can(auth.PermStaffRead) {
		return apperr.Forbidden(i18n.T("无权查看人员证书", "you may not read staff certificates"))
	}
	return nil
}

// visible is the row scope of certificates: the holder's company's, seen
// by the people of its subtree and of the company itself.
func visible(p *auth.Principal) (string, []any) {
	return org.CompanyRowsSQL(p.Scope(), p.OrgPath, p.OrgUnitID, "c.company_id")
}

// load reads a certificate p may see, or 404.
func (s *Service) load(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) (*row, error) {
	cond, args := visible(p)
	r, err := s.scanner(s.today())(c.QueryRow(ctx, "SELECT "+columns+from+" WHERE c.id = ? AND "+cond,
		append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("certificate")
	}
	return r, err
}

// Get returns a certificate p may see, with its history.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id store.ID) (*Certificate, error) {
	if err := mayRead(p); err != nil {
		return nil, err
	}
	return s.get(ctx, s.db.Reader(), p, id)
}

func (s *Service) get(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) (*Certificate, error) {
	r, err := s.load(ctx, c, p, id)
	if err != nil {
		return nil, err
	}
	r.History, err = store.QueryAll(ctx, c, func(sc store.Scanner) (Event, error) {
		var e Event
		var actor, other store.NullID
		var at int64
		err := sc.Scan(&e.ID, &e.Action, &actor, &e.Actor, &e.Note, &other, &at)
		e.ActorID, e.OtherID, e.At = actor.ID, other.ID, store.FromMicros(at)
		return e, err
	}, `SELECT id, action, actor_id, actor, note, other_id, at FROM certificate_events WHERE certificate_id = ? ORDER BY id`, id)
	return &r.Certificate, err
}

// Filter selects certificates; zero fields do not filter.
type Filter struct {
	UserID store.ID // the holder
	Kind   string
	Status Status
	// ExpiringWithin: current certificates (valid or due for renewal)
	// expiring within this many days of today, today included (a
	// day-difference test, CAL-015; issue 17's "expire within 30 days").
	ExpiringWithin int
	Limit          int // default 50, at most 500
	Before         store.ID
}

// current is the SQL of a certificate that still counts: not revoked,
// lost or followed by a renewal or replacement.
const current = `c.revoked_at = 0 AND c.lost_kind = '' AND NOT EXISTS (SELECT 1 FROM certificates n WHERE n.previous_id = c.id)`

// List returns the certificates p may see, newest first (by expiry, soonest
// first, with ExpiringWithin).
func (s *Service) List(ctx context.Context, p *auth.Principal, f Filter) ([]*Certificate, error) {
	if err := mayRead(p); err != nil {
		return nil, err
	}
	var err error
	if f.Limit, err = apperr.PageLimit(f.Limit); err != nil {
		return nil, err
	}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		return nil, apperr.Validation("status", i18n.T("未知的证书状态 %q", "unknown certificate status %q", string(f.Status)))
	}
	if f.ExpiringWithin < 0 || f.ExpiringWithin > 3660 {
		return nil, apperr.Validation("expiring_within", i18n.T("须为 0 到 3660 天", "must be 0 to 3660 days"))
	}
	today := s.today()
	t := today.String()
	cond, args := visible(p)
	where := []string{cond}
	add := func(c string, a ...any) { where, args = append(where, c), append(args, a...) }
	if f.UserID != 0 {
		add("c.holder_id = ?", f.UserID)
	}
	if f.Kind != "" {
		add("c.kind = ?", f.Kind)
	}
	switch f.Status {
	case StatusValid:
		add(current+" AND (c.remind_on = '' OR c.remind_on > ?)", t)
	case StatusRenewalDue:
		add(current+" AND c.expires_on <> '' AND c.remind_on <> '' AND c.remind_on <= ? AND c.expires_on >= ?", t, t)
	case StatusExpired:
		add(current+" AND c.expires_on <> '' AND c.expires_on < ?", t)
	case StatusRevoked:
		add("c.revoked_at <> 0")
	case StatusLost:
		add("c.revoked_at = 0 AND c.lost_kind <> '' AND NOT EXISTS (SELECT 1 FROM certificates n WHERE n.previous_id = c.id)")
	case StatusRenewed, StatusReplaced:
		origin := OriginRenewal
		if f.Status == StatusReplaced {
			origin = OriginReplacement
		}
		add("c.revoked_at = 0 AND EXISTS (SELECT 1 FROM certificates n WHERE n.previous_id = c.id AND n.origin = ?)", origin)
	}
	order := "c.id DESC"
	if f.ExpiringWithin > 0 {
		add(current+" AND c.expires_on <> '' AND c.expires_on >= ? AND c.expires_on <= ?", t, today.AddDays(f.ExpiringWithin).String())
		order = "c.expires_on, c.id"
	} else if f.Before != 0 {
		add("c.id < ?", f.Before)
	}
	rows, err := store.QueryAll(ctx, s.db.Reader(), s.scanner(today), "SELECT "+columns+from+" WHERE "+
		strings.Join(where, " AND ")+" ORDER BY "+order+" LIMIT ?", append(args, f.Limit)...)
	out := make([]*Certificate, len(rows))
	for i, r := range rows {
		out[i] = &r.Certificate
	}
	return out, err
}

// Holder is a person who may hold certificates, as forms offer them.
type Holder struct {
	ID   store.ID `json:"id"`
	Name string   `json:"name"`
	Unit string   `json:"unit"` // the org unit they work in
}

// Holders are the active users whose certificates p may see (the users
// of p's subtree; every user for an administrator), by unit and name, at
// most 1000.
func (s *Service) Holders(ctx context.Context, p *auth.Principal) ([]Holder, error) {
	if err := mayRead(p); err != nil {
		return nil, err
	}
	cond, args := p.Scope().SQL("u.org_unit_id")
	return store.QueryAll(ctx, s.db.Reader(), func(sc store.Scanner) (Holder, error) {
		var h Holder
		return h, sc.Scan(&h.ID, &h.Name, &h.Unit)
	}, `SELECT u.id, coalesce(nullif(u.display_name, ''), u.username), o.name FROM users u JOIN org_units o ON o.id = u.org_unit_id
		WHERE u.active = ? AND `+cond+` ORDER BY o.path, u.username LIMIT 1000`, append([]any{true}, args...)...)
}
