package web

// The return-visit pages (回访, VIS): the list with its queues (this
// file), the visit page with the record, sign-off, swap and answer forms
// (visits_show.go, visits_act.go), the occasions (visits_occasions.go) and
// the month's figures (visits_stats.go). Handlers are a
// thin layer over internal/visit: the service and the policy pack decide
// who records and who signs off, which rows the caller sees and what a
// record needs; the pages only offer the actions the caller may take.

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/ticket"
	"kefu/internal/visit"
)

// visitRoutes mounts the visit pages (with the visit service).
func (s *Server) visitRoutes() {
	if s.visits == nil || s.policy == nil {
		return
	}
	s.page("GET /visits", auth.PermVisitsRead, s.visitsList)
	s.page("GET /visits/stats", auth.PermVisitsRead, s.visitStats)
	s.page("GET /visits/{id}", auth.PermVisitsRead, s.visitShow)
	s.page("POST /visits/{id}/record", auth.PermVisitsAct, s.visitRecord)
	s.page("POST /visits/{id}/review", auth.PermVisitsAct, s.visitReview)
	s.page("POST /visits/{id}/swap", auth.PermVisitsAct, s.visitSwap)
	s.page("POST /visits/{id}/answer", auth.PermVisitsAct, s.visitAnswer)
	s.page("GET /visits/occasions", auth.PermVisitsRead, s.occasionsList)
	s.page("GET /visits/occasions/new", auth.PermVisitsAct, s.occasionNew)
	s.page("POST /visits/occasions", auth.PermVisitsAct, s.occasionCreate)
	s.page("GET /visits/occasions/{id}", auth.PermVisitsRead, s.occasionShow)
}

// Queues of the list page.
const (
	visitTabMine    = "mine"    // open visits of my roles, due first
	visitTabSignOff = "signoff" // recorded, for the pack's owner role
	visitTabIssues  = "issues"  // new issues awaiting their answer (VIS-012)
	visitTabAll     = "all"
)

// visitRow is one line of the list.
type visitRow struct {
	V                                *visit.Visit
	RuleName, SeverityName, RoleName string
	StatusName, StatusClass          string
	ResultName, ResultClass, ModeTag string
	Due                              *dueBadge
	Today, Overdue                   bool
	TicketLink                       bool   // the number links to the work order
	OccasionLink                     string // the number links to the occasion
	Action                           string
}

// visitsData is the list page.
type visitsData struct {
	Tab                   string
	Tabs                  []queueTab
	Hint                  string
	Rows                  []visitRow
	Statuses, Rules       []option
	Summary               string // the mine tab's counts
	Empty                 string
	NextURL, FirstURL     string
	StatsURL              string
	ShowStatus, CanTicket bool
	CanRegister           bool   // 登记回访事项: the owner role or a manager
	Occasion              string // the occasion filtered on
}

// visitsList shows a queue with its filters; the mine tab lists every open
// visit of the caller's roles (up to 200), the others 50 a page.
func (s *Server) visitsList(w http.ResponseWriter, rq *request) error {
	ctx, q, l, p := rq.Context(), rq.URL.Query(), rq.Lang, rq.P
	var tabs []string
	if p.Can(auth.PermVisitsAct) {
		tabs = append(tabs, visitTabMine)
	}
	if s.ownsVisits(p) {
		tabs = append(tabs, visitTabSignOff)
	}
	tabs = append(tabs, visitTabIssues, visitTabAll)
	tab := q.Get("tab")
	if !slices.Contains(tabs, tab) {
		tab = visitTabAll
		if tabs[0] == visitTabMine {
			tab = visitTabMine // mine for those who visit, else all
		}
	}
	form := newForm(q)
	f := visit.Filter{Status: visit.Status(q.Get("status")), Rule: q.Get("rule"), Month: q.Get("month"), Limit: 50}
	switch tab {
	case visitTabMine:
		f.Mine, f.Status, f.Limit = true, "", 200
	case visitTabSignOff:
		f.Status = visit.StatusDone
	case visitTabIssues:
		f.IssuesOpen = true
	}
	if v := q.Get("occasion"); v != "" {
		id, err := store.ParseID(v)
		if err != nil {
			form.Errors["occasion"] = label("vis.bad_cursor").In(l)
		}
		f.Occasion = id
	}
	if f.Month != "" {
		if _, err := time.Parse("2006-01", f.Month); err != nil {
			form.Errors["month"] = label("vis.bad_month").In(l)
		}
	}
	if v := q.Get("cursor"); v != "" && tab != visitTabMine {
		id, err := store.ParseID(v)
		if err != nil {
			form.Errors["cursor"] = label("vis.bad_cursor").In(l)
		}
		f.Before = id
	}
	d := visitsData{Tab: tab, ShowStatus: tab == visitTabAll, CanTicket: s.tickets != nil && p.Can(auth.PermTicketsRead),
		Empty: label("vis.none").In(l), StatsURL: "/visits/stats", CanRegister: s.mayRegister(rq), Occasion: q.Get("occasion")}
	if f.Month != "" {
		d.StatsURL += "?month=" + url.QueryEscape(f.Month)
	}
	var items []*visit.Visit
	var err error
	if !form.HasErrors() {
		if items, err = s.visits.List(ctx, p, f); err != nil && !form.fail(err, l, "status", "rule", "month") {
			return err
		}
	}
	for _, k := range tabs {
		d.Tabs = append(d.Tabs, queueTab{Key: k, Label: label("vis.tab." + k).In(l), Href: "/visits?tab=" + k, On: k == tab})
	}
	for _, st := range []visit.Status{visit.StatusOpen, visit.StatusDone, visit.StatusSignedOff, visit.StatusCancelled} {
		d.Statuses = append(d.Statuses, option{string(st), visitStatusName(st, l)})
	}
	d.Rules = s.visitRuleOptions(l, f.Rule)
	now := s.now()
	today, overdue := 0, 0
	for _, v := range items {
		row := s.visitRow(rq, v, now)
		if row.Today {
			today++
		}
		if row.Overdue {
			overdue++
		}
		d.Rows = append(d.Rows, row)
	}
	switch tab {
	case visitTabMine:
		d.Hint, d.Empty = label("vis.mine_hint").In(l), label("vis.none_mine").In(l)
		d.Summary = label("vis.summary", len(items), today, overdue).In(l)
	case visitTabSignOff:
		d.Hint, d.Empty = label("vis.signoff_hint").In(l), label("vis.none_signoff").In(l)
	case visitTabIssues:
		d.Hint, d.Empty = label("vis.issues_hint").In(l), label("vis.none_issues").In(l)
	}
	if tab != visitTabMine && len(items) == f.Limit {
		nq := cloneValues(q)
		nq.Set("tab", tab)
		nq.Set("cursor", items[len(items)-1].ID.String())
		d.NextURL = "/visits?" + nq.Encode()
	}
	if f.Before != 0 {
		fq := cloneValues(q)
		fq.Del("cursor")
		d.FirstURL = "/visits?" + fq.Encode()
	}
	pg := s.newPage(rq, "vis.title", "visits")
	pg.Form = form
	pg.Data = d
	s.render(w, rq, statusOrOK(form), "visits", pg)
	return nil
}

// visitRow prepares one line of the list: the due badge of an open visit,
// "今日到期" when it falls due today, the action the caller may take.
func (s *Server) visitRow(rq *request, v *visit.Visit, now time.Time) visitRow {
	l := rq.Lang
	r := visitRow{V: v, RuleName: s.visitRuleName(v.Pack, v.Rule, l), SeverityName: s.visitSeverity(v, l), RoleName: roleName(auth.Role(v.Role), l),
		StatusName: visitStatusName(v.Status, l), StatusClass: visitStatusClass(v.Status),
		Due: visitDue(v, now, l), TicketLink: v.RefType == "ticket" && s.tickets != nil && rq.P.Can(auth.PermTicketsRead),
		OccasionLink: occasionLink(v), Action: label("vis.view").In(l)}
	if v.Result != "" {
		r.ResultName, r.ResultClass = visitResultName(v.Result, l), visitResultClass(v.Result)
	}
	if v.PhoneLabel != "" {
		r.ModeTag = v.PhoneLabel
	}
	if v.Status == visit.StatusOpen {
		r.Today = calendar.DateOf(v.DueAt.In(shanghai)) == calendar.DateOf(now.In(shanghai))
		r.Overdue = v.DueAt.Before(now)
		if slices.Contains(rq.P.Roles, auth.Role(v.Role)) && rq.P.Can(auth.PermVisitsAct) {
			r.Action = label("vis.open").In(l)
		}
	}
	if v.Status == visit.StatusDone && s.ownsVisit(rq.P, v) {
		r.Action = label("vis.sign").In(l)
	}
	if v.IssueOpen && (s.ownsVisit(rq.P, v) || slices.Contains(rq.P.Roles, auth.Role(v.Role)) && rq.P.Can(auth.PermVisitsAct)) {
		r.Action = label("vis.answer").In(l)
	}
	return r
}

// visitDue is the badge of a visit's deadline: counting down while open
// (amber from the morning of the due day, red past it), met or late once
// recorded; nil when cancelled.
func visitDue(v *visit.Visit, now time.Time, l i18n.Locale) *dueBadge {
	due := v.DueAt
	c := ticket.Clock{TargetAt: &due}
	switch {
	case v.Status == visit.StatusOpen:
		warn := calendar.DateOf(due.In(shanghai)).Midnight(shanghai)
		c.State, c.WarnAt = ticket.ClockRunning, &warn
	case v.Status == visit.StatusCancelled:
		return nil
	case v.DoneAt != nil && v.DoneAt.After(due):
		c.State, c.MetAt = ticket.ClockBreached, v.DoneAt
	default:
		c.State = ticket.ClockMet
	}
	b := dueOf(c, now, l)
	return &b
}

// ownsVisits reports whether the caller signs visits off: an administrator
// or the holder of the owner role of an installed pack's visits (VIS-009).
func (s *Server) ownsVisits(p *auth.Principal) bool {
	if !p.Can(auth.PermVisitsAct) {
		return false
	}
	if p.IsAdmin() {
		return true
	}
	for _, k := range s.policy.Keys() {
		if pk, ok := s.policy.Get(k); ok && len(pk.Visits.Rules) > 0 && slices.Contains(p.Roles, pk.Visits.Owner) {
			return true
		}
	}
	return false
}

// ownsVisit reports whether the caller may sign the visit off: the owner
// role of its pack (the service's Review rule).
func (s *Server) ownsVisit(p *auth.Principal, v *visit.Visit) bool {
	if !p.Can(auth.PermVisitsAct) {
		return false
	}
	if p.IsAdmin() {
		return true
	}
	return slices.Contains(p.Roles, auth.Role(v.OwnerRole)) // by the visit's pack version
}

// visitPack is the pack of a visit's rule (nil when it is not loaded).
func (s *Server) visitPack(v *visit.Visit) *policy.Pack {
	if pk, ok := s.policy.Get(v.Pack); ok {
		return pk
	}
	return nil
}

// visitSeverity is the severity of the visited item by its pack's name.
func (s *Server) visitSeverity(v *visit.Visit, l i18n.Locale) string {
	if v.Severity == "" {
		return ""
	}
	return severityName(s.visitPack(v), v.Severity, l)
}

// visitRuleOptions are the visit rules of the installed packs (one per
// key), and the one filtered on.
func (s *Server) visitRuleOptions(l i18n.Locale, selected string) []option {
	var out []option
	for _, k := range s.policy.Keys() {
		pk, ok := s.policy.Get(k)
		if !ok {
			continue
		}
		for _, r := range pk.Visits.Rules {
			if !slices.ContainsFunc(out, func(o option) bool { return o.Key == r.Key }) {
				out = append(out, option{r.Key, nameIn(r.Name, l)})
			}
		}
	}
	if selected != "" && !slices.ContainsFunc(out, func(o option) bool { return o.Key == selected }) {
		out = append(out, option{selected, selected})
	}
	return out
}

// visitRuleName is a rule's name in the locale, from its pack.
func (s *Server) visitRuleName(pack, rule string, l i18n.Locale) string {
	if pk, ok := s.policy.Get(pack); ok {
		for _, r := range pk.Visits.Rules {
			if r.Key == rule {
				return nameIn(r.Name, l)
			}
		}
	}
	return rule
}

func visitStatusName(st visit.Status, l i18n.Locale) string {
	return labelOr("vis.status."+string(st), string(st), l)
}

// visitStatusClass is the badge class of a status in the colours of the
// work orders: to visit amber, recorded blue, signed off green.
func visitStatusClass(st visit.Status) string {
	switch st {
	case visit.StatusOpen:
		return "st st-in_progress"
	case visit.StatusDone:
		return "st st-new"
	case visit.StatusSignedOff:
		return "st st-resolved"
	}
	return "st st-closed"
}

func visitResultName(r string, l i18n.Locale) string { return labelOr("vis.result."+r, r, l) }

func visitResultClass(r string) string {
	if r == visit.ResultSatisfied {
		return "badge-green"
	}
	return "badge-red"
}

func visitModeName(m string, l i18n.Locale) string { return labelOr("vis.mode."+m, m, l) }
