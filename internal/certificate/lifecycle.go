package certificate

import (
	"context"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// The commands on a certificate on file: renewal, loss report, replacement
// and revocation (INS-017). Each runs in one transaction with its history
// entries and audit row; none rewrites a certificate — a renewal or a
// replacement is a new certificate linked to the old one.

// command runs fn on a certificate p may see and change, in one
// transaction with the audit row, and returns the certificate as changed.
func (s *Service) command(ctx context.Context, p *auth.Principal, id store.ID, action string,
	fn func(tx store.Conn, r *row, now time.Time, today calendar.Date) (map[string]any, error)) (*Certificate, error) {
	return s.commandTo(ctx, p, id, action, func(tx store.Conn, r *row, now time.Time, today calendar.Date) (map[string]any, store.ID, error) {
		changes, err := fn(tx, r, now, today)
		return changes, id, err
	})
}

// commandTo is command for a command that makes a new certificate: fn
// returns the id of the certificate to answer with.
func (s *Service) commandTo(ctx context.Context, p *auth.Principal, id store.ID, action string,
	fn func(tx store.Conn, r *row, now time.Time, today calendar.Date) (map[string]any, store.ID, error)) (*Certificate, error) {
	if err := mayWrite(p); err != nil {
		return nil, err
	}
	var out *Certificate
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		now := s.now()
		today := calendar.DateOf(now.In(store.Zone))
		r, err := s.load(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if tx.Dialect() == store.Postgres { // read again under the holder's lock
			if err := store.LockXact(ctx, tx, holderLock^int64(r.UserID)); err != nil {
				return err
			}
			if r, err = s.load(ctx, tx, p, id); err != nil {
				return err
			}
		}
		changes, answer, err := fn(tx, r, now, today)
		if err != nil {
			return err
		}
		if out, err = s.get(ctx, tx, p, answer); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "certificate."+action, "certificate", id.String(), changes)
	})
	if err != nil {
		return nil, err
	}
	s.poke()
	return out, nil
}

// isCurrent refuses a certificate that no longer counts.
func isCurrent(r *row, field string) error {
	switch r.Status {
	case StatusRevoked:
		return apperr.Conflict(field, i18n.T("证书已吊销", "the certificate is revoked"))
	case StatusRenewed, StatusReplaced:
		return apperr.Conflict(field, i18n.T("证书已由编号 %d 的新证书取代", "the certificate was superseded by certificate %d", int64(r.NextID)))
	case StatusLost:
		return apperr.Conflict(field, i18n.T("证书已登记遗失或损坏：请办理补发", "the certificate was reported lost or damaged: register its replacement"))
	}
	return nil
}

// Renew records the renewal of a certificate: the holder's application
// date and the new certificate, which supersedes the old one. An
// application later than RenewBy is accepted and marked late (INS-017);
// an expired certificate may still be renewed.
func (s *Service) Renew(ctx context.Context, p *auth.Principal, id store.ID, in RenewInput) (*Certificate, error) {
	in.Number = strings.TrimSpace(in.Number)
	if err := tooLong(map[string]string{"number": in.Number, "scope_note": in.ScopeNote, "issuer": in.Issuer, "note": in.Note}); err != nil {
		return nil, err
	}
	var newID store.ID
	return s.commandTo(ctx, p, id, "renew", func(tx store.Conn, r *row, now time.Time, today calendar.Date) (map[string]any, store.ID, error) {
		if err := isCurrent(r, "status"); err != nil {
			return nil, 0, err
		}
		applied, err := day("applied_on", in.AppliedOn, true)
		if err != nil {
			return nil, 0, err
		}
		if err := notAfter("applied_on", *applied, today); err != nil {
			return nil, 0, err
		}
		if applied.Before(r.IssuedOn) {
			return nil, 0, apperr.Validation("applied_on", i18n.T("不能早于原证发证日期 %s", "cannot be before the old certificate's issue date %s", r.IssuedOn.String()))
		}
		if in.Number == "" {
			return nil, 0, apperr.Required("number")
		}
		issued, err := day("issued_on", in.IssuedOn, true)
		if err != nil {
			return nil, 0, err
		}
		if issued.Before(*applied) {
			return nil, 0, apperr.Validation("issued_on", i18n.T("不能早于续期申请日期 %s", "cannot be before the renewal application, %s", applied.String()))
		}
		h, err := s.holderOf(ctx, tx, nil, r.UserID)
		if err != nil {
			return nil, 0, apperr.Conflict("user_id", i18n.T("持证人已停用", "the holder is no longer active"))
		}
		k, err := kindOf(h.pack, "kind", r.Kind)
		if err != nil {
			return nil, 0, err
		}
		scopes := r.Scopes
		if in.Scopes != nil {
			scopes = in.Scopes
		}
		if scopes, err = scopesOf(k, scopes); err != nil {
			return nil, 0, err
		}
		d, err := datesOf(k, *issued, in.ExpiresOn, today)
		if err != nil {
			return nil, 0, err
		}
		scopeNote, issuer := strings.TrimSpace(in.ScopeNote), strings.TrimSpace(in.Issuer)
		if scopeNote == "" {
			scopeNote = r.ScopeNote
		}
		if issuer == "" {
			issuer = r.Issuer
		}
		newID, err = s.insert(ctx, tx, p, newRow{h: h, pack: h.pack.Key, version: h.pack.Version, kind: r.Kind, number: in.Number, scopes: scopes, scopeNote: scopeNote,
			issuer: issuer, d: d, origin: OriginRenewal, appliedOn: applied.String(), previous: r.ID, note: strings.TrimSpace(in.Note)}, now)
		if err != nil {
			return nil, 0, err
		}
		late := r.RenewBy != nil && applied.After(*r.RenewBy)
		note := applied.String()
		if err := event(ctx, tx, p, r.ID, ActRenewed, note, newID, now); err != nil {
			return nil, 0, err
		}
		if err := event(ctx, tx, p, newID, ActRenewal, note, r.ID, now); err != nil {
			return nil, 0, err
		}
		if err := s.scheduleDaily(ctx, tx, d, today); err != nil {
			return nil, 0, err
		}
		return map[string]any{"new_id": newID, "applied_on": applied.String(), "late": late, "number": in.Number,
			"issued_on": d.issued.String(), "expires_on": d.expires}, newID, nil
	})
}

// ReportLoss records that a certificate was lost or damaged (INS-017): it
// no longer counts for work until its replacement is registered.
func (s *Service) ReportLoss(ctx context.Context, p *auth.Principal, id store.ID, in LossInput) (*Certificate, error) {
	if err := tooLong(map[string]string{"note": in.Note}); err != nil {
		return nil, err
	}
	return s.command(ctx, p, id, "report_loss", func(tx store.Conn, r *row, now time.Time, today calendar.Date) (map[string]any, error) {
		if err := isCurrent(r, "status"); err != nil {
			return nil, err
		}
		switch in.Kind {
		case LossLost, LossDamaged:
		case "":
			return nil, apperr.Required("kind")
		default:
			return nil, apperr.Validation("kind", i18n.T("须为 lost（遗失）或 damaged（损坏）", "must be lost or damaged"))
		}
		on, err := day("on", in.On, false)
		if err != nil {
			return nil, err
		}
		if on == nil {
			on = &today
		}
		if err := notAfter("on", *on, today); err != nil {
			return nil, err
		}
		if on.Before(r.IssuedOn) {
			return nil, apperr.Validation("on", i18n.T("不能早于发证日期 %s", "cannot be before the issue date %s", r.IssuedOn.String()))
		}
		note := strings.TrimSpace(in.Note)
		res, err := tx.Exec(ctx, `UPDATE certificates SET lost_kind = ?, lost_on = ?, lost_note = ?, lost_by = ?, lost_at = ?
			WHERE id = ? AND lost_kind = '' AND revoked_at = 0`, in.Kind, on.String(), note, actorID(p), store.Micros(now), r.ID)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil, apperr.Conflict("status", i18n.T("证书已登记遗失或已吊销", "the certificate is already reported lost or revoked"))
		}
		if err := event(ctx, tx, p, r.ID, ActLossReported, in.Kind+" "+on.String()+" "+note, 0, now); err != nil {
			return nil, err
		}
		return map[string]any{"kind": in.Kind, "on": on.String(), "note": note}, nil
	})
}

// Replace registers the replacement (补发) of a certificate reported lost
// or damaged: same kind, scopes and dates of validity, a new issue date.
func (s *Service) Replace(ctx context.Context, p *auth.Principal, id store.ID, in ReplaceInput) (*Certificate, error) {
	in.Number = strings.TrimSpace(in.Number)
	if err := tooLong(map[string]string{"number": in.Number, "note": in.Note}); err != nil {
		return nil, err
	}
	var newID store.ID
	return s.commandTo(ctx, p, id, "replace", func(tx store.Conn, r *row, now time.Time, today calendar.Date) (map[string]any, store.ID, error) {
		if r.Status != StatusLost {
			if err := isCurrent(r, "status"); err != nil {
				return nil, 0, err
			}
			return nil, 0, apperr.Conflict("status", i18n.T("须先登记遗失或损坏，才能补发", "report the loss or damage before the replacement"))
		}
		issued, err := day("issued_on", in.IssuedOn, true)
		if err != nil {
			return nil, 0, err
		}
		if err := notAfter("issued_on", *issued, today); err != nil {
			return nil, 0, err
		}
		if issued.Before(r.Loss.On) {
			return nil, 0, apperr.Validation("issued_on", i18n.T("不能早于遗失/损坏日期 %s", "cannot be before the loss, %s", r.Loss.On.String()))
		}
		number := in.Number
		if number == "" {
			number = r.Number
		}
		h, err := s.holderOf(ctx, tx, nil, r.UserID)
		if err != nil {
			return nil, 0, apperr.Conflict("user_id", i18n.T("持证人已停用", "the holder is no longer active"))
		}
		d := dates{issued: *issued}
		if r.ExpiresOn != nil {
			d.expires = r.ExpiresOn.String()
		}
		if r.RenewBy != nil {
			d.renewBy, d.remindOn = r.RenewBy.String(), r.RemindOn.String()
		}
		// The replacement keeps the old certificate's kind, scopes and dates.
		newID, err = s.insert(ctx, tx, p, newRow{h: h, pack: r.Pack, version: r.PackVersion, kind: r.Kind, number: number, scopes: r.Scopes, scopeNote: r.ScopeNote,
			issuer: r.Issuer, d: d, origin: OriginReplacement, previous: r.ID, note: strings.TrimSpace(in.Note)}, now)
		if err != nil {
			return nil, 0, err
		}
		if err := event(ctx, tx, p, r.ID, ActReplaced, "", newID, now); err != nil {
			return nil, 0, err
		}
		if err := event(ctx, tx, p, newID, ActReplacement, "", r.ID, now); err != nil {
			return nil, 0, err
		}
		if err := s.scheduleDaily(ctx, tx, d, today); err != nil {
			return nil, 0, err
		}
		return map[string]any{"new_id": newID, "number": number, "issued_on": issued.String()}, newID, nil
	})
}

// Revoke revokes a certificate with the reason; the revocation is kept
// with who did it and when, and the holder may no longer work with it.
func (s *Service) Revoke(ctx context.Context, p *auth.Principal, id store.ID, in RevokeInput) (*Certificate, error) {
	reason := strings.TrimSpace(in.Reason)
	if err := tooLong(map[string]string{"reason": reason}); err != nil {
		return nil, err
	}
	return s.command(ctx, p, id, "revoke", func(tx store.Conn, r *row, now time.Time, _ calendar.Date) (map[string]any, error) {
		if r.Status == StatusRevoked || r.Status == StatusRenewed || r.Status == StatusReplaced {
			return nil, isCurrent(r, "status")
		}
		if reason == "" {
			return nil, apperr.Required("reason")
		}
		if _, err := tx.Exec(ctx, `UPDATE certificates SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ? AND revoked_at = 0`,
			store.Micros(now), actorID(p), reason, r.ID); err != nil {
			return nil, err
		}
		if err := event(ctx, tx, p, r.ID, ActRevoked, reason, 0, now); err != nil {
			return nil, err
		}
		return map[string]any{"reason": reason}, nil
	})
}
