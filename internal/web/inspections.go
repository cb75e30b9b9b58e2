package web

// The planned-inspection pages (安检, INS): the plan board by month with
// completion per team and inspector (this file), a plan's items with the
// breakdown form and the overdue list (inspections_plan.go), the records
// with the pack's checklist form (inspections_record.go, _form.go) and the
// printable forms (inspections_print.go). Handlers are a thin layer over
// internal/inspection: the service and the pack decide who plans, who
// breaks down, what a record needs; the pages offer what the caller may do.

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/inspection"
	"kefu/internal/org"
	"kefu/internal/store"
)

// inspectionRoutes mounts the inspections pages (issue 10).
func (s *Server) inspectionRoutes() {
	if s.inspections == nil {
		return
	}
	s.page("GET /inspections", auth.PermInspectionsRead, s.inspBoard)
	s.page("POST /inspections/plans", auth.PermInspectionsRead, s.inspGenerate)
	s.page("GET /inspections/plans/{id}", auth.PermInspectionsRead, s.inspPlan)
	s.page("POST /inspections/plans/{id}/assign", auth.PermInspectionsRead, s.inspAssign)
	s.page("GET /inspections/overdue", auth.PermInspectionsRead, s.inspOverdue)
	s.page("GET /inspections/records", auth.PermInspectionsRead, s.inspRecords)
	s.page("GET /inspections/new", auth.PermInspectionsWrite, s.inspNew)
	s.page("POST /inspections/records", auth.PermInspectionsWrite, s.inspCreate)
	s.page("GET /inspections/records/{id}", auth.PermInspectionsRead, s.inspShow)
	s.page("POST /inspections/records/{id}", auth.PermInspectionsWrite, s.inspUpdate)
	s.page("GET /inspections/records/{id}/print", auth.PermInspectionsRead, s.inspPrint)
}

// inspBar is one progress bar: a plan's, a team's or an inspector's share.
type inspBar struct {
	Name                 string
	Total, Done, Overdue int
	Percent              float64
	Pct                  string // "96.6"
	Href                 string
}

func barOf(name string, g inspection.Progress, href string) inspBar {
	return inspBar{Name: name, Total: g.Total, Done: g.Done, Overdue: g.Overdue, Percent: g.Percent,
		Pct: strconv.FormatFloat(g.Percent, 'f', 1, 64), Href: href}
}

// inspCard is a plan on the board.
type inspCard struct {
	P                 *inspection.StoredPlan
	Title, Href       string
	Overall           inspBar
	Teams, Inspectors []inspBar
}

// inspBoardData is the plan board of a month.
type inspBoardData struct {
	Month, MonthTitle string
	Prev, Next        string
	Months            []inspCard // the month's plans (one per company in scope)
	Others            []inspCard // the quarter's and year's plans around it
	CanPlan           bool
	Companies         []option // a caller above the companies names one
	Periods           []option
}

// periodTitle names a plan's period: 2026年4月, 2026年第2季度, 2026年.
func periodTitle(pl *inspection.StoredPlan, l i18n.Locale) string {
	switch pl.Period {
	case inspection.PeriodMonth:
		return label("insp.period.month_of", pl.StartsOn.Year, int(pl.StartsOn.Month)).In(l)
	case inspection.PeriodQuarter:
		return label("insp.period.quarter_of", pl.StartsOn.Year, (int(pl.StartsOn.Month)+2)/3).In(l)
	}
	return label("insp.period.year_of", pl.StartsOn.Year).In(l)
}

// mayPlanPage reports whether the caller may be offered the plan forms:
// the roles INS-009 names (the service checks the level).
func mayPlanPage(p *auth.Principal) bool {
	return p.IsAdmin() || slices.Contains(p.Roles, auth.RoleManager) || slices.Contains(p.Roles, auth.RoleAuditor)
}

// inspBoard is the plan board of a month (?month=2026-04, default this month).
func (s *Server) inspBoard(w http.ResponseWriter, rq *request) error {
	f := newForm(nil)
	month := rq.URL.Query().Get("month")
	f.Values.Set("period", month)
	return s.renderBoard(w, rq, month, f, http.StatusOK)
}

func (s *Server) renderBoard(w http.ResponseWriter, rq *request, month string, f *Form, status int) error {
	ctx, l, p := rq.Context(), rq.Lang, rq.P
	first, err := calendar.ParseDate(month + "-01")
	if err != nil || len(month) != 7 {
		first = calendar.DateOf(s.now().In(shanghai))
		first.Day = 1
		month = first.String()[:7]
	}
	if f.Get("period") == "" {
		f.Values.Set("period", month)
	}
	d := &inspBoardData{Month: month, MonthTitle: label("insp.period.month_of", first.Year, int(first.Month)).In(l),
		Prev: "/inspections?month=" + first.AddMonths(-1).String()[:7],
		Next: "/inspections?month=" + first.AddMonths(1).String()[:7], CanPlan: mayPlanPage(p)}
	for _, k := range []string{inspection.PeriodMonth, inspection.PeriodQuarter, inspection.PeriodYear} {
		d.Periods = append(d.Periods, option{k, label("insp.period." + k).In(l)})
	}
	plans, err := s.inspections.ListPlans(ctx, p, inspection.PlanFilter{Year: first.Year, Limit: 500})
	if err != nil {
		return err
	}
	q := fmt.Sprintf("%04d-Q%d", first.Year, (int(first.Month)+2)/3)
	for _, pl := range plans {
		switch pl.PeriodKey {
		case month:
			full, err := s.inspections.GetPlan(ctx, p, pl.ID)
			if err != nil {
				return err
			}
			d.Months = append(d.Months, s.inspCard(full, l))
		case q, strconv.Itoa(first.Year):
			d.Others = append(d.Others, s.inspCard(pl, l))
		}
	}
	if d.CanPlan {
		if co, err := org.CompanyOf(ctx, s.db.Reader(), p.OrgUnitID); err == nil && co.Kind != org.Company {
			units, err := s.org.Subtree(ctx, p.OrgUnitID)
			if err != nil {
				return err
			}
			for _, u := range units {
				if u.Kind == org.Company && u.Active {
					d.Companies = append(d.Companies, option{u.ID.String(), u.Name})
				}
			}
		}
	}
	pg := s.newPage(rq, "insp.title", "inspections")
	pg.Data, pg.Form = d, f
	s.render(w, rq, status, "inspections", pg)
	return nil
}

// inspCard prepares a plan's bars.
func (s *Server) inspCard(pl *inspection.StoredPlan, l i18n.Locale) inspCard {
	href := "/inspections/plans/" + pl.ID.String()
	c := inspCard{P: pl, Title: pl.CompanyName + " · " + periodTitle(pl, l), Href: href,
		Overall: barOf(label("insp.overall").In(l), pl.Progress, href)}
	for _, t := range pl.Teams {
		name, link := t.Name, href+"?team="+t.ID.String()
		if t.ID == 0 {
			name, link = label("insp.unassigned").In(l), href+"?unassigned=1"
		}
		c.Teams = append(c.Teams, barOf(name, t, link))
	}
	for _, in := range pl.Inspectors {
		name, link := in.Name, href+"?inspector="+in.ID.String()
		if in.ID == 0 {
			name, link = label("insp.no_inspector", teamName(pl, in.TeamID)).In(l), href+"?team="+in.TeamID.String()+"&no_inspector=1"
		}
		c.Inspectors = append(c.Inspectors, barOf(name, in, link))
	}
	return c
}

func teamName(pl *inspection.StoredPlan, id store.ID) string {
	for _, t := range pl.Teams {
		if t.ID == id {
			return t.Name
		}
	}
	return ""
}

// inspGenerate generates or regenerates a plan from the board's form.
func (s *Server) inspGenerate(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	in := inspection.PlanInput{Period: f.text("period"), CompanyID: f.id("company_id")}
	pl, created, err := s.inspections.GeneratePlan(rq.Context(), rq.P, in)
	if err != nil {
		if !failOn(f, err, rq.Lang, []string{"period", "company_id"}) {
			return err
		}
		month := f.text("month")
		return s.renderBoard(w, rq, month, f, statusOf(err))
	}
	flash := "insp_regenerated"
	if created {
		flash = "insp_generated"
	}
	s.seeOther(w, rq.Request, "/inspections/plans/"+pl.ID.String(), flash)
	return nil
}

// inspDue is the badge of an item's or a record's deadline.
func inspDue(at time.Time, done *calendar.Date, now time.Time, l i18n.Locale) *dueBadge {
	b := &dueBadge{Title: label("tkt.due.target", exact(at)).In(l)}
	switch left := at.Sub(now); {
	case done != nil:
		b.Class, b.Text = "met", label("insp.due.done", done.String()).In(l)
	case left <= 0:
		b.Class, b.Text = "over", label("insp.due.over", span(left, l)).In(l)
	case left < 7*24*time.Hour:
		b.Class, b.Text, b.Deadline = "warn", label("insp.due.left", span(left, l)).In(l), at.Format(time.RFC3339)
	default:
		b.Class, b.Text, b.Deadline = "ok", label("insp.due.left", span(left, l)).In(l), at.Format(time.RFC3339)
	}
	return b
}

// obligationName names a track's cycle or a campaign in the pack.
func (s *Server) obligationName(pack string, version int, cycle, campaign string, l i18n.Locale) string {
	p, ok := s.inspections.Pack(pack, version)
	if !ok {
		return cycle + campaign
	}
	for _, c := range p.Inspections.Cycles {
		if c.Key == cycle && campaign == "" {
			return nameIn(c.Name, l)
		}
	}
	var names []string
	for _, c := range p.Inspections.Cycles {
		if c.Key == cycle {
			names = append(names, nameIn(c.Name, l))
		}
	}
	for _, c := range p.Inspections.Campaigns {
		if c.Key == campaign {
			names = append(names, nameIn(c.Name, l))
		}
	}
	if len(names) == 0 {
		return cycle + campaign
	}
	out := names[0]
	for _, n := range names[1:] {
		out += " + " + n
	}
	return out
}

// withQuery is path?q with the values; "" values are left out.
func withQuery(path string, v url.Values) string {
	clean := url.Values{}
	for k, vs := range v {
		for _, x := range vs {
			if x != "" {
				clean.Add(k, x)
			}
		}
	}
	if len(clean) == 0 {
		return path
	}
	return path + "?" + clean.Encode()
}
