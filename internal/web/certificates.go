package web

// The staff certificate pages (人员证书, INS-017, STF-001): the list with
// its filters and expiry badges (this file), the registration form
// (certificates_new.go) and the certificate with its history and the
// renew, loss, replacement and revocation forms (certificates_show.go).
// internal/certificate checks, stores and derives the status; the pages
// only offer what the caller may do.

import (
	"net/http"
	"strconv"
	"strings"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/certificate"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// certificateRoutes mounts the certificates pages (issue 10).
func (s *Server) certificateRoutes() {
	if s.certificates == nil {
		return
	}
	s.page("GET /staff/certificates", auth.PermStaffRead, s.certificatesList)
	s.page("GET /staff/certificates/new", auth.PermStaffWrite, s.certificateNew)
	s.page("POST /staff/certificates/new", auth.PermStaffWrite, s.certificateCreate)
	s.page("GET /staff/certificates/{id}", auth.PermStaffRead, s.certificateShow)
	s.page("POST /staff/certificates/{id}/{action}", auth.PermStaffWrite, s.certificateAct)
}

// expiringDays is the list's "expiring soon" tab (issue 17: whose
// certificates expire within 30 days).
const expiringDays = 30

// certRow is one line of the list.
type certRow struct {
	C                 *certificate.Certificate
	StatusName, Class string
	Scopes, Expires   string
	DaysLeft          string // "还有 12 天", on current certificates that expire
	RenewBy           string
	RenewLate         bool // past the last day to apply (INS-017)
}

// certificatesData is the list page.
type certificatesData struct {
	Tab               string
	Tabs              []queueTab
	Rows              []certRow
	Kinds             []certKind
	Holders           []certificate.Holder
	Statuses          []option
	CanWrite          bool
	NextURL, FirstURL string
	Empty             string
}

// certificatesList is /staff/certificates: tabs all / expiring within 30
// days / expired, filters by holder, kind and status.
func (s *Server) certificatesList(w http.ResponseWriter, rq *request) error {
	ctx, q, l := rq.Context(), rq.URL.Query(), rq.Lang
	form := newForm(q)
	tab := q.Get("tab")
	if tab != "expiring" && tab != "expired" {
		tab = "all"
	}
	f := certificate.Filter{Kind: q.Get("kind"), Status: certificate.Status(q.Get("status")), Limit: 50}
	switch tab {
	case "expiring":
		f.ExpiringWithin, f.Status, f.Limit = expiringDays, "", 500
	case "expired":
		f.Status = certificate.StatusExpired
	}
	if v := q.Get("user_id"); v != "" {
		if id, err := store.ParseID(v); err == nil {
			f.UserID = id
		} else {
			form.Errors["user_id"] = label("crt.bad_holder").In(l)
		}
	}
	if v := q.Get("cursor"); v != "" && tab != "expiring" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			f.Before = store.ID(n)
		} else {
			form.Errors["cursor"] = label("crt.bad_cursor").In(l)
		}
	}
	d := certificatesData{Tab: tab, Kinds: s.certKinds(l), CanWrite: rq.P.Can(auth.PermStaffWrite)}
	var err error
	if d.Holders, err = s.certificates.Holders(ctx, rq.P); err != nil {
		return err
	}
	for _, st := range certificate.Statuses {
		d.Statuses = append(d.Statuses, option{string(st), label("crt.status." + string(st)).In(l)})
	}
	for _, k := range []string{"all", "expiring", "expired"} {
		name := label("crt.tab." + k)
		if k == "expiring" {
			name = label("crt.tab.expiring", expiringDays)
		}
		d.Tabs = append(d.Tabs, queueTab{Key: k, Label: name.In(l), Href: "/staff/certificates?tab=" + k, On: k == tab})
	}
	var list []*certificate.Certificate
	if len(form.Errors) == 0 {
		list, err = s.certificates.List(ctx, rq.P, f)
		if err != nil && !form.fail(err, l, "status", "kind", "user_id") {
			return err
		}
	}
	today := calendar.DateOf(s.now().In(store.Zone))
	for _, c := range list {
		d.Rows = append(d.Rows, s.certRowOf(c, today, l))
	}
	d.Empty = label("crt.empty." + tab).In(l)
	if tab != "expiring" && len(list) == f.Limit {
		next := cloneValues(q)
		next.Set("cursor", list[len(list)-1].ID.String())
		d.NextURL = "/staff/certificates?" + next.Encode()
	}
	if f.Before != 0 {
		first := cloneValues(q)
		first.Del("cursor")
		d.FirstURL = "/staff/certificates?" + first.Encode()
	}
	pg := s.newPage(rq, "crt.title", "staff")
	pg.Data, pg.Form = d, form
	s.render(w, rq, http.StatusOK, "certificates", pg)
	return nil
}

// certRowOf is the list line of c on today.
func (s *Server) certRowOf(c *certificate.Certificate, today calendar.Date, l i18n.Locale) certRow {
	r := certRow{C: c, StatusName: label("crt.status." + string(c.Status)).In(l), Class: certStatusClass(c.Status),
		Scopes: s.scopeNames(c, l), Expires: label("crt.no_expiry").In(l)}
	if c.ExpiresOn != nil {
		r.Expires = c.ExpiresOn.String()
		if c.Valid {
			switch n := calendar.DaysBetween(today, *c.ExpiresOn); {
			case n == 0:
				r.DaysLeft = label("crt.expires_today").In(l)
			case n <= expiringDays:
				r.DaysLeft = label("crt.days_left", n).In(l)
			}
		}
	}
	if c.RenewBy != nil {
		r.RenewBy = c.RenewBy.String()
		r.RenewLate = c.Valid && today.After(*c.RenewBy) // INS-017: the last day to apply has passed
	}
	return r
}

// certStatusClass is the badge class of a status: green valid, amber due
// for renewal or lost, red expired, grey no longer current.
func certStatusClass(st certificate.Status) string {
	switch st {
	case certificate.StatusValid:
		return "badge-green"
	case certificate.StatusRenewalDue, certificate.StatusLost:
		return "badge-amber"
	case certificate.StatusExpired:
		return "badge-red"
	}
	return "badge-grey"
}

// certKind is a certificate kind of the installed packs, for forms and
// filters; a key several packs share is shown once.
type certKind struct {
	Key, Name, Issuer string
	Scopes            []option
}

func (s *Server) certKinds(l i18n.Locale) []certKind {
	var out []certKind
	seen := map[string]bool{}
	for _, key := range s.policy.Keys() {
		p, ok := s.policy.Get(key)
		if !ok {
			continue
		}
		for _, k := range p.Certificates.Kinds {
			if seen[k.Key] {
				continue
			}
			seen[k.Key] = true
			ck := certKind{Key: k.Key, Name: nameIn(k.Name, l), Issuer: k.Issuer}
			for _, sc := range k.Scopes {
				ck.Scopes = append(ck.Scopes, option{sc.Key, nameIn(sc.Name, l)})
			}
			out = append(out, ck)
		}
	}
	return out
}

// scopeNames writes a certificate's scopes by their names in the pack
// ("低压类、高压类").
func (s *Server) scopeNames(c *certificate.Certificate, l i18n.Locale) string {
	var kind *policy.CertificateKind
	if p, ok := s.policy.Version(c.Pack, c.PackVersion); ok {
		kind, _ = p.Certificates.Kind(c.Kind)
	}
	var names []string
	for _, sc := range c.Scopes {
		name := sc
		if kind != nil {
			if k, ok := kind.Scope(sc); ok {
				name = nameIn(k.Name, l)
			}
		}
		names = append(names, name)
	}
	return strings.Join(names, label("crt.sep").In(l))
}
