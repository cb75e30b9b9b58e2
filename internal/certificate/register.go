package certificate

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// RegisterInput registers a certificate a person holds.
type RegisterInput struct {
	UserID store.ID `json:"user_id"` // the holder: an active user of the caller's company
	Kind   string   `json:"kind"`    // a kind of the holder's policy pack
	Number string   `json:"number"`
	// Scopes are the classes of work the certificate covers, keys of the
	// kind's scopes; required when the kind has scopes (INS-017).
	Scopes    []string `json:"scopes,omitempty"`
	ScopeNote string   `json:"scope_note,omitempty"`
	Issuer    string   `json:"issuer,omitempty"`     // default the kind's issuer
	IssuedOn  string   `json:"issued_on"`            // YYYY-MM-DD, not after today
	ExpiresOn string   `json:"expires_on,omitempty"` // YYYY-MM-DD; default issued_on + the kind's validity_years − 1 day
	Note      string   `json:"note,omitempty"`
}

// RenewInput records a renewal: the application date and the new
// certificate, which replaces the old one (INS-017).
type RenewInput struct {
	AppliedOn string   `json:"applied_on"` // when the holder applied for renewal
	Number    string   `json:"number"`
	IssuedOn  string   `json:"issued_on"`
	ExpiresOn string   `json:"expires_on,omitempty"`
	Scopes    []string `json:"scopes,omitempty"` // default the old certificate's
	ScopeNote string   `json:"scope_note,omitempty"`
	Issuer    string   `json:"issuer,omitempty"` // default the old certificate's
	Note      string   `json:"note,omitempty"`
}

// LossInput reports a certificate lost or damaged (INS-017).
type LossInput struct {
	Kind string `json:"kind"` // lost, damaged
	On   string `json:"on"`   // YYYY-MM-DD; default today
	Note string `json:"note,omitempty"`
}

// ReplaceInput registers the replacement of a lost or damaged certificate:
// same kind, scopes and expiry.
type ReplaceInput struct {
	Number   string `json:"number,omitempty"` // default the old number
	IssuedOn string `json:"issued_on"`
	Note     string `json:"note,omitempty"`
}

// RevokeInput revokes a certificate with the reason.
type RevokeInput struct {
	Reason string `json:"reason"`
}

// Text limits, in characters.
const (
	maxNumber = 64
	maxText   = 200
	maxNote   = 1000
)

// mayWrite refuses p without staff:write.
func mayWrite(p *auth.Principal) error {
	if !p.Can(auth.PermStaffWrite) {
		return apperr.Forbidden(i18n.T("无权登记人员证书", "you may not record staff certificates"))
	}
	return nil
}

func tooLong(fields map[string]string) error {
	for f, v := range fields {
		n := maxText
		switch f {
		case "number":
			n = maxNumber
		case "note", "reason":
			n = maxNote
		}
		if utf8.RuneCountInString(v) > n {
			return apperr.Validation(f, i18n.T("不能超过 %d 个字", "at most %d characters", n))
		}
	}
	return nil
}

// day parses a required or optional date field.
func day(field, v string, required bool) (*calendar.Date, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			return nil, apperr.Required(field)
		}
		return nil, nil
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		return nil, apperr.Validation(field, i18n.T("日期无效，须写作 YYYY-MM-DD", "invalid date: write YYYY-MM-DD"))
	}
	return &d, nil
}

// notAfter refuses a date after today.
func notAfter(field string, d, today calendar.Date) error {
	if d.After(today) {
		return apperr.Validation(field, i18n.T("不能晚于今天 %s", "cannot be after today, %s", today.String()))
	}
	return nil
}

// holder is a certificate holder as the commands need them.
type holder struct {
	id, unit, company store.ID
	pack              *policy.Pack
}

// holderOf reads the active user, refusing (422 user_id) one the caller
// may not see: the row scope of certificates is the holder's company.
func (s *Service) holderOf(ctx context.Context, tx store.Conn, p *auth.Principal, user store.ID) (*holder, error) {
	if user == 0 {
		return nil, apperr.Required("user_id")
	}
	h := &holder{id: user}
	err := tx.QueryRow(ctx, "SELECT org_unit_id FROM users WHERE id = ? AND active = ?", user, true).Scan(&h.unit)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, noUser()
	} else if err != nil {
		return nil, err
	}
	co, err := org.CompanyOf(ctx, tx, h.unit)
	if err != nil {
		return nil, err
	}
	h.company = co.ID
	if p != nil { // nil: the system, for a certificate already on file
		cond, args := org.CompanyRowsSQL(p.Scope(), p.OrgPath, p.OrgUnitID, "c.id")
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM org_units c WHERE c.id = ? AND "+cond,
			append([]any{h.company}, args...)...).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, noUser()
		}
	}
	if h.pack, err = s.packs.ForUnit(ctx, h.unit); err != nil {
		return nil, err
	}
	return h, nil
}

func noUser() error {
	return apperr.Validation("user_id", i18n.T("用户不存在或已停用", "no such active user"))
}

// kindOf is the kind in the pack, or a 422 naming field.
func kindOf(pack *policy.Pack, field, key string) (*policy.CertificateKind, error) {
	if key == "" {
		return nil, apperr.Required(field)
	}
	k, ok := pack.Certificates.Kind(key)
	if !ok {
		var known []string
		for _, k := range pack.Certificates.Kinds {
			known = append(known, k.Key)
		}
		return nil, apperr.Validation(field, i18n.T("政策包 %[1]s 没有证书种类 %[2]q（可用：%[3]s）",
			"pack %[1]s has no certificate kind %[2]q (known: %[3]s)", pack.Key, key, strings.Join(known, ", ")))
	}
	return k, nil
}

// scopesOf checks the scopes against the kind: each known, each once, at
// least one when the kind has scopes.
func scopesOf(k *policy.CertificateKind, in []string) ([]string, error) {
	var out []string
	for _, sc := range in {
		sc = strings.TrimSpace(sc)
		if sc == "" || slices.Contains(out, sc) {
			continue
		}
		if _, ok := k.Scope(sc); !ok {
			return nil, apperr.Validation("scopes", i18n.T("证书种类 %[1]s 没有作业范围 %[2]q", "certificate kind %[1]s has no scope %[2]q", k.Key, sc))
		}
		out = append(out, sc)
	}
	if len(k.Scopes) > 0 && len(out) == 0 {
		return nil, apperr.Validation("scopes", i18n.T("请选择证书的作业范围（INS-017）", "choose the certificate's scope of work (INS-017)"))
	}
	return out, nil
}

// dates are a new certificate's dates, computed from the kind.
type dates struct {
	issued                     calendar.Date
	expires, renewBy, remindOn string
}

// datesOf checks the issue and expiry dates and counts the renewal dates
// back from the expiry: RenewBy = expiry − renewal_lead, RemindOn = RenewBy
// − remind_before, lead times of CAL-015 (calendar days, not moved off
// holidays; INS-017: expiring 2026-12-31 → apply by 2026-12-01).
func datesOf(k *policy.CertificateKind, issued calendar.Date, expiresIn string, today calendar.Date) (dates, error) {
	d := dates{issued: issued}
	if err := notAfter("issued_on", issued, today); err != nil {
		return d, err
	}
	exp, err := day("expires_on", expiresIn, false)
	if err != nil {
		return d, err
	}
	if exp == nil && k.ValidityYears > 0 {
		e := issued.AddMonths(12 * k.ValidityYears).AddDays(-1)
		exp = &e
	}
	if exp == nil {
		return d, nil
	}
	if exp.Before(issued) {
		return d, apperr.Validation("expires_on", i18n.T("有效期至不能早于发证日期 %s", "cannot be before the issue date %s", issued.String()))
	}
	renewBy := policy.LeadBack(*exp, k.RenewalLead)
	d.expires, d.renewBy, d.remindOn = exp.String(), renewBy.String(), policy.LeadBack(renewBy, k.RemindBefore).String()
	return d, nil
}

// newRow is a certificate to insert.
type newRow struct {
	h                               *holder
	pack                            string // the pack and version whose kind it is
	version                         int
	kind, number, scopeNote, issuer string
	scopes                          []string
	d                               dates
	origin, appliedOn, note         string
	previous                        store.ID
}

func (s *Service) insert(ctx context.Context, tx store.Conn, p *auth.Principal, n newRow, now time.Time) (store.ID, error) {
	var prev any
	if n.previous != 0 {
		prev = n.previous
	}
	id, err := tx.InsertID(ctx, `INSERT INTO certificates (company_id, holder_id, pack, pack_version, kind, number, scopes,
		scope_note, issuer, issued_on, expires_on, renew_by, remind_on, origin, previous_id, applied_on, note, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		n.h.company, n.h.id, n.pack, n.version, n.kind, n.number, strings.Join(n.scopes, ","), n.scopeNote,
		n.issuer, n.d.issued.String(), n.d.expires, n.d.renewBy, n.d.remindOn, n.origin, prev, n.appliedOn, n.note,
		actorID(p), store.Micros(now))
	if store.IsUniqueViolation(err) {
		return 0, apperr.Conflict("status", i18n.T("该证书已办理续期或补发", "the certificate has already been renewed or replaced"))
	}
	return id, err
}

func actorID(p *auth.Principal) any {
	if p == nil || p.UserID == 0 {
		return nil
	}
	return p.UserID
}

func actorName(p *auth.Principal) string {
	switch {
	case p == nil:
		return "system"
	case p.DisplayName != "":
		return p.DisplayName
	}
	return p.Username
}

// event appends an entry to a certificate's history.
func event(ctx context.Context, tx store.Conn, p *auth.Principal, id store.ID, action, note string, other store.ID, now time.Time) error {
	var o any
	if other != 0 {
		o = other
	}
	_, err := tx.Exec(ctx, `INSERT INTO certificate_events (certificate_id, action, actor_id, actor, note, other_id, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, id, action, actorID(p), actorName(p), note, o, store.Micros(now))
	return err
}

// holderLock serialises the commands on one holder's certificates on
// PostgreSQL (one current certificate of a kind per holder).
const holderLock int64 = 0x63657274 << 24 // "cert"

// Register records a certificate a person holds (STF-001, INS-017). A
// holder has one current certificate of a kind: a later one is a renewal
// or, after a loss, a replacement (409 otherwise).
func (s *Service) Register(ctx context.Context, p *auth.Principal, in RegisterInput) (*Certificate, error) {
	if err := mayWrite(p); err != nil {
		return nil, err
	}
	in.Number, in.Kind = strings.TrimSpace(in.Number), strings.TrimSpace(in.Kind)
	if err := tooLong(map[string]string{"number": in.Number, "scope_note": in.ScopeNote, "issuer": in.Issuer, "note": in.Note}); err != nil {
		return nil, err
	}
	var out *Certificate
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		now := s.now()
		today := calendar.DateOf(now.In(store.Zone))
		h, err := s.holderOf(ctx, tx, p, in.UserID)
		if err != nil {
			return err
		}
		k, err := kindOf(h.pack, "kind", in.Kind)
		if err != nil {
			return err
		}
		if in.Number == "" {
			return apperr.Required("number")
		}
		scopes, err := scopesOf(k, in.Scopes)
		if err != nil {
			return err
		}
		issued, err := day("issued_on", in.IssuedOn, true)
		if err != nil {
			return err
		}
		d, err := datesOf(k, *issued, in.ExpiresOn, today)
		if err != nil {
			return err
		}
		if err := store.LockXact(ctx, tx, holderLock^int64(h.id)); err != nil {
			return err
		}
		var number string
		err = tx.QueryRow(ctx, "SELECT c.number FROM certificates c WHERE c.holder_id = ? AND c.kind = ? AND "+current+
			" ORDER BY c.id DESC LIMIT 1", h.id, k.Key).Scan(&number)
		if err == nil {
			return apperr.Conflict("kind", i18n.T("该人员已有有效的%[1]s（编号 %[2]s）：请办理续期，或遗失后补发",
				"the person already holds a %[3]s (number %[2]s): renew it, or replace it after a loss", k.Name.ZH, number, nameEN(k.Name)))
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		issuer := strings.TrimSpace(in.Issuer)
		if issuer == "" {
			issuer = k.Issuer
		}
		id, err := s.insert(ctx, tx, p, newRow{h: h, pack: h.pack.Key, version: h.pack.Version, kind: k.Key, number: in.Number, scopes: scopes,
			scopeNote: strings.TrimSpace(in.ScopeNote), issuer: issuer, d: d, origin: OriginNew, note: strings.TrimSpace(in.Note)}, now)
		if err != nil {
			return err
		}
		if err := event(ctx, tx, p, id, ActRegistered, "", 0, now); err != nil {
			return err
		}
		if err := s.scheduleDaily(ctx, tx, d, today); err != nil {
			return err
		}
		if out, err = s.get(ctx, tx, p, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "certificate.register", "certificate", id.String(), map[string]any{
			"user_id": h.id, "kind": k.Key, "number": in.Number, "scopes": scopes, "issued_on": d.issued.String(), "expires_on": d.expires})
	})
	if err != nil {
		return nil, err
	}
	s.poke()
	return out, nil
}

func nameEN(n policy.Name) string {
	if n.EN != "" {
		return n.EN
	}
	return n.ZH
}
