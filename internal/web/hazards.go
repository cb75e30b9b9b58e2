package web

// The hazard pages (隐患, INS-013 to INS-018): the register with its
// filters and deadline badges (this file), the registration form and the
// hazard page with its timeline and a form for each step
// (hazards_show.go), and the printable notices and tracking record
// (hazards_print.go). Handlers are a thin layer over internal/hazard: the
// service and the pack decide who may take a step and what it needs.

import (
	"net/http"

	"kefu/internal/auth"
	"kefu/internal/hazard"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// hazardRoutes mounts the hazards pages (issue 10).
func (s *Server) hazardRoutes() {
	if s.hazards == nil || s.policy == nil {
		return
	}
	s.page("GET /hazards", auth.PermInspectionsRead, s.hazardsList)
	s.page("GET /hazards/new", auth.PermInspectionsWrite, s.hazardNew)
	s.page("POST /hazards", auth.PermInspectionsWrite, s.hazardCreate)
	s.page("GET /hazards/{id}", auth.PermInspectionsRead, s.hazardShow)
	// The service refuses the steps the caller may not take (the
	// enforcement steps need a role of the pack, not a permission).
	s.page("POST /hazards/{id}/{step}", auth.PermInspectionsRead, s.hazardStep)
	s.page("GET /hazards/{id}/notices/{notice}/print", auth.PermInspectionsRead, s.hazardNoticePrint)
	s.page("GET /hazards/{id}/tracking/print", auth.PermInspectionsRead, s.hazardTrackingPrint)
}

// hazardRow is one line of the register.
type hazardRow struct {
	H                      *hazard.Hazard
	SeverityName, SevClass string
	StatusName, StatusCls  string
	SourceName, Found      string
	Clocks                 []dueBadge
}

// hazardsData is the register page.
type hazardsData struct {
	Rows                          []hazardRow
	Statuses, Severities, Sources []option
	Overdue                       bool
	CanRegister                   bool
	NextURL, FirstURL             string
	Total                         int
}

// hazardsList is the register: filters by status, severity, source,
// overdue and text; 50 a page, newest first.
func (s *Server) hazardsList(w http.ResponseWriter, rq *request) error {
	q, l := rq.URL.Query(), rq.Lang
	form := newForm(q)
	f := hazard.Filter{Status: hazard.Status(q.Get("status")), Severity: q.Get("severity"), Source: q.Get("source"),
		Q: q.Get("q"), Overdue: q.Get("overdue") != "", Limit: 50}
	if v := q.Get("customer"); v != "" {
		f.CustomerID, _ = store.ParseID(v)
	}
	if v := q.Get("cursor"); v != "" {
		id, err := store.ParseID(v)
		if err != nil {
			form.Errors["cursor"] = label("hz.bad_cursor").In(l)
		}
		f.Before = id
	}
	d := hazardsData{Overdue: f.Overdue, CanRegister: rq.P.Can(auth.PermInspectionsWrite)}
	var items []*hazard.Hazard
	var err error
	if !form.HasErrors() {
		if items, err = s.hazards.List(rq.Context(), rq.P, f); err != nil && !form.fail(err, l, "status", "severity", "source") {
			return err
		}
	}
	for _, st := range hazard.Statuses {
		d.Statuses = append(d.Statuses, option{string(st), hazardStatusName(st, l)})
	}
	for _, k := range policy.HazardSeverityKeys {
		d.Severities = append(d.Severities, option{k, labelOr("hz.sev."+k, k, l)})
	}
	for _, k := range hazard.Sources {
		d.Sources = append(d.Sources, option{k, labelOr("hz.source."+k, k, l)})
	}
	for _, h := range items {
		d.Rows = append(d.Rows, s.hazardRow(h, l))
	}
	d.Total = len(items)
	if len(items) == f.Limit {
		nq := cloneValues(q)
		nq.Set("cursor", items[len(items)-1].ID.String())
		d.NextURL = "/hazards?" + nq.Encode()
	}
	if f.Before != 0 {
		fq := cloneValues(q)
		fq.Del("cursor")
		d.FirstURL = "/hazards?" + fq.Encode()
	}
	pg := s.newPage(rq, "hz.title", "hazards")
	pg.Form = form
	pg.Data = d
	s.render(w, rq, statusOrOK(form), "hazards", pg)
	return nil
}

func (s *Server) hazardRow(h *hazard.Hazard, l i18n.Locale) hazardRow {
	r := hazardRow{H: h, SeverityName: s.hazardSeverityName(h, l), SevClass: hazardSevClass(h.Severity),
		StatusName: hazardStatusName(h.Status, l), StatusCls: hazardStatusClass(h.Status),
		SourceName: labelOr("hz.source."+h.Source, h.Source, l), Found: exact(h.FoundAt)}
	for _, c := range h.Clocks {
		r.Clocks = append(r.Clocks, hazardBadge(c, l))
	}
	return r
}

// hazardBadge is a clock as a badge: on time green, due soon amber, overdue
// red; met or late once verified (the badges of the work orders).
func hazardBadge(c hazard.Clock, l i18n.Locale) dueBadge {
	b := dueBadge{Prefix: labelOr("hz.clock."+c.Kind, c.Kind, l), Title: label("hz.clock.due_at", exact(c.DueAt)).In(l)}
	switch c.State {
	case hazard.ClockOnTime:
		b.Class = "ok"
	case hazard.ClockDueSoon:
		b.Class = "warn"
	case hazard.ClockOverdue:
		b.Class = "over"
	case hazard.ClockMet:
		b.Class = "met"
	default:
		b.Class = "late"
	}
	b.Text = label("hz.badge."+c.State, exact(c.DueAt)).In(l)
	return b
}

// hazardPack is the pack version of a hazard (nil when gone).
func (s *Server) hazardPack(h *hazard.Hazard) *policy.Pack {
	if pk, ok := s.policy.Version(h.Pack, h.PackVersion); ok {
		return pk
	}
	return nil
}

// hazardSeverityName is the severity in the words of the hazard's pack.
func (s *Server) hazardSeverityName(h *hazard.Hazard, l i18n.Locale) string {
	if pk := s.hazardPack(h); pk != nil {
		if sev, ok := pk.Hazards.Severity(h.Severity); ok {
			return nameIn(sev.Name, l)
		}
	}
	return labelOr("hz.sev."+h.Severity, h.Severity, l)
}

func hazardStatusName(st hazard.Status, l i18n.Locale) string {
	return labelOr("hz.status."+string(st), string(st), l)
}

// hazardStatusClass colours a status like the work orders: open amber,
// with the authorities red, verified blue, closed grey.
func hazardStatusClass(st hazard.Status) string {
	switch st {
	case hazard.StatusFound, hazard.StatusNotified, hazard.StatusRectifying:
		return "st st-in_progress"
	case hazard.StatusRefusedToSign, hazard.StatusEscalated, hazard.StatusDisconnectionOrdered, hazard.StatusDisconnected:
		return "badge-red"
	case hazard.StatusVerified, hazard.StatusRestored:
		return "st st-resolved"
	}
	return "st st-closed"
}

func hazardSevClass(sev string) string {
	switch sev {
	case policy.HazardSerious:
		return "badge-red"
	case policy.HazardLarger:
		return "badge-amber"
	case policy.HazardGeneral:
		return "badge-blue"
	}
	return "badge-grey"
}

// mayEnforceHazard reports whether the caller takes the enforcement steps
// of the hazard's pack (INS-016), as the service decides.
func (s *Server) mayEnforceHazard(p *auth.Principal, h *hazard.Hazard) bool {
	pk := s.hazardPack(h)
	return pk != nil && pk.Hazards.MayEnforce(p.Roles)
}
