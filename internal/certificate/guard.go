package certificate

import (
	"context"
	"slices"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Require refuses (a 4xx apperr naming user_id) when the user holds no
// valid certificate, at time at, of a kind the pack says the work needs
// (work is a key of the pack's certificates section, e.g. a ticket category
// or "inspection.power"); nil when the work needs none.
func (s *Service) Require(ctx context.Context, tx store.Conn, pack *policy.Pack, work string, user store.ID, at time.Time) error {
	return s.RequireAs(ctx, tx, pack, work, user, at, "user_id")
}

// TicketGuard is the work-order assignment guard (ticket.AssignGuard): a
// person is assigned or dispatched a work order only with the valid
// certificates its category needs (STF-001, INS-017).
func (s *Service) TicketGuard(ctx context.Context, tx store.Conn, pack *policy.Pack, category string, user store.ID, at time.Time) error {
	return s.Require(ctx, tx, pack, category, user, at)
}

// RequireAs is Require with the error naming field (e.g. "assignee_id").
// A certificate counts when, on the day of at, it is issued, not expired
// (an expired one is "unregistered", INS-017), not revoked, not reported
// lost and not superseded, and covers the scope the work needs (nobody
// works beyond the permit's scope, INS-017). The 422 lists every missing
// certificate with the reason.
func (s *Service) RequireAs(ctx context.Context, tx store.Conn, pack *policy.Pack, work string, user store.ID, at time.Time, field string) error {
	if pack == nil {
		return nil
	}
	needs := pack.Certificates.Needs(work)
	if len(needs) == 0 {
		return nil
	}
	today := calendar.DateOf(at.In(s.zone(pack)))
	kinds := make([]any, 0, len(needs))
	for _, n := range needs {
		kinds = append(kinds, n.Kind)
	}
	held, err := store.QueryAll(ctx, tx, s.scanner(today), "SELECT "+columns+from+" WHERE c.holder_id = ? AND c.kind IN ("+
		store.Placeholders(len(kinds))+") ORDER BY c.id DESC", append([]any{user}, kinds...)...)
	if err != nil {
		return err
	}
	var zh, en []string
	for _, n := range needs {
		if r := lacking(pack, n, held, today); r != nil {
			zh, en = append(zh, r.ZH), append(en, r.EN)
		}
	}
	if zh == nil {
		return nil
	}
	w := workName(pack, work)
	return apperr.Validation(field, i18n.T("该人员不能从事「%[1]s」：%[2]s（STF-001、INS-017）",
		"the person may not be put on %[3]s: %[4]s (STF-001, INS-017)", w.ZH, strings.Join(zh, "；"), w.EN, strings.Join(en, "; ")))
}

// lacking says why none of the held certificates meets the need, or nil
// when one does. held is newest first.
func lacking(pack *policy.Pack, n policy.CertificateNeed, held []*row, today calendar.Date) *i18n.Text {
	kind := i18n.Text{ZH: n.Kind, EN: n.Kind}
	scope := i18n.Text{ZH: n.Scope, EN: n.Scope}
	if k, ok := pack.Certificates.Kind(n.Kind); ok {
		kind = i18n.Text{ZH: k.Name.ZH, EN: nameEN(k.Name)}
		if sc, ok := k.Scope(n.Scope); ok {
			scope = i18n.Text{ZH: sc.Name.ZH, EN: nameEN(sc.Name)}
		}
	}
	var newest *row
	for _, r := range held {
		if r.Kind != n.Kind {
			continue
		}
		if validOn(r, today) && (n.Scope == "" || slices.Contains(r.Scopes, n.Scope)) {
			return nil
		}
		if newest == nil {
			newest = r
		}
	}
	var t i18n.Text
	switch {
	case newest == nil:
		t = i18n.T("没有%[1]s", "no %[2]s", kind.ZH, kind.EN)
	case validOn(newest, today):
		t = i18n.T("%[1]s的作业范围不含%[2]s", "the %[3]s does not cover %[4]s", kind.ZH, scope.ZH, kind.EN, scope.EN)
	case newest.Status == StatusExpired:
		t = i18n.T("%[1]s（编号 %[2]s）已于 %[3]s 过期，视为未注册", "the %[4]s (number %[2]s) expired on %[3]s and counts as unregistered",
			kind.ZH, newest.Number, newest.ExpiresOn.String(), kind.EN)
	case newest.Status == StatusRevoked:
		t = i18n.T("%[1]s（编号 %[2]s）已吊销", "the %[3]s (number %[2]s) is revoked", kind.ZH, newest.Number, kind.EN)
	case newest.Status == StatusLost:
		t = i18n.T("%[1]s（编号 %[2]s）已登记遗失或损坏，尚未补发", "the %[3]s (number %[2]s) was reported lost or damaged and not yet replaced",
			kind.ZH, newest.Number, kind.EN)
	default:
		t = i18n.T("%[1]s（编号 %[2]s）尚未生效", "the %[3]s (number %[2]s) is not yet in force", kind.ZH, newest.Number, kind.EN)
	}
	out := i18n.Text{ZH: t.In(i18n.ZH), EN: t.In(i18n.EN)}
	return &out
}

// workName names a work key of the pack: a category's name, an inspection
// track, driving.
func workName(pack *policy.Pack, work string) i18n.Text {
	if c, ok := pack.Category(work); ok {
		return i18n.Text{ZH: c.Name.ZH, EN: nameEN(c.Name)}
	}
	switch {
	case work == policy.WorkVehicleDriver:
		return i18n.Text{ZH: "驾驶车辆", EN: "driving a company vehicle"}
	case strings.HasPrefix(work, policy.WorkInspection):
		track := strings.TrimPrefix(work, policy.WorkInspection)
		for _, c := range pack.Inspections.Cycles {
			if c.TrackOf() == track {
				return i18n.Text{ZH: "安全检查（" + c.Name.ZH + "）", EN: "inspection (" + nameEN(c.Name) + ")"}
			}
		}
		return i18n.Text{ZH: "安全检查（" + track + "）", EN: "inspection (" + track + ")"}
	}
	return i18n.Text{ZH: work, EN: work}
}

// zone is the location of the pack's calendar (the store's zone without it).
func (s *Service) zone(pack *policy.Pack) *time.Location {
	if s.cals != nil {
		if c, ok := s.cals.Get(pack.Calendar); ok {
			return c.Location()
		}
	}
	return store.Zone
}
