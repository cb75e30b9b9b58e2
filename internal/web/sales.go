package web

// The sales-centre pages (案场接待, SAL-001 to SAL-028, SEC-002 to SEC-005):
// the centres and their set-up (this file), the reception desk, the live
// floor screen and the Project Manager's rotation controls
// (sales_reception.go), the registers (sales_registrations.go), conflicts
// and rulings (sales_conflicts.go), deals and the commission report
// (sales_deals.go), applications and follow-ups (sales_applications.go)
// and the leasing variant (sales_leasing.go). Handlers are a thin layer
// over internal/sales: the service decides who may read or do what.

import (
	"net/http"
	"net/url"
	"strconv"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/sales"
	"kefu/internal/store"
)

// salesRoutes mounts the sales pages (issue 12).
func (s *Server) salesRoutes() {
	if s.sales == nil || s.policy == nil {
		return
	}
	read, receive, manage := auth.PermSalesRead, auth.PermSalesReceive, auth.PermSalesManage
	s.page("GET /sales", read, s.salesHome)
	s.page("POST /sales/centres", manage, s.salesSetup)
	s.page("GET /sales/centres/{unit}", read, s.salesDesk)
	s.page("GET /sales/centres/{unit}/floor", read, s.salesFloor)
	s.page("POST /sales/centres/{unit}/receptions", receive, s.salesStart)
	s.page("POST /sales/centres/{unit}/{action}", read, s.salesRotationAct)
	s.page("POST /sales/receptions/{id}/{action}", receive, s.salesReceptionAct)

	s.page("GET /sales/registrations", read, s.salesRegistrations)
	s.page("GET /sales/registrations/new", receive, s.salesRegistrationNew)
	s.page("POST /sales/registrations", receive, s.salesRegister)
	s.page("GET /sales/registrations/{id}", read, s.salesRegistrationShow)
	s.page("POST /sales/registrations/{id}/{action}", read, s.salesRegistrationAct)

	s.page("GET /sales/conflicts", read, s.salesConflicts)
	s.page("GET /sales/conflicts/{id}", read, s.salesConflictShow)
	s.page("POST /sales/conflicts/{id}/{action}", read, s.salesConflictAct)

	s.page("GET /sales/deals", read, s.salesDeals)
	s.page("GET /sales/deals/new", receive, s.salesDealNew)
	s.page("POST /sales/deals", receive, s.salesDealCreate)
	s.page("GET /sales/deals/{id}", read, s.salesDealShow)
	s.page("POST /sales/deals/{id}/{action}", read, s.salesDealAct)
	s.page("GET /sales/commission", read, s.salesCommission)
	s.page("POST /sales/commission/group-bonus", manage, s.salesGroupBonus)

	s.page("GET /sales/applications", read, s.salesApplications)
	s.page("POST /sales/applications", receive, s.salesApply)
	s.page("POST /sales/applications/{id}/decide", manage, s.salesDecide)
	s.page("GET /sales/followups/due", read, s.salesFollowUpsDue)

	s.page("GET /sales/submissions", read, s.salesSubmissions)
	s.page("POST /sales/submissions", receive, s.salesSubmit)
	s.page("GET /sales/archive-forms", read, s.salesArchiveForms)
	s.page("POST /sales/archive-forms", receive, s.salesArchiveCreate)
	s.page("GET /sales/archive-forms/{id}", read, s.salesArchiveShow)
	s.page("POST /sales/archive-forms/{id}/{action}", receive, s.salesArchiveAct)
	s.page("GET /sales/grants", read, s.salesGrants)
	s.page("POST /sales/grants", read, s.salesGrant)
	s.page("POST /sales/grants/{id}/revoke", read, s.salesRevoke)
}

// salesTabs is the sub-navigation of the sales pages for a centre.
type salesTabs struct {
	Unit    store.ID
	Active  string
	Leasing bool
	Manage  bool
	Centres []option // the other centres, for the switcher
}

// salesCtx is the centre a page is about (?unit_id=, else the first in
// sight) with the centres in sight and the pack's sales rules.
type salesCtx struct {
	C       sales.Centre
	Centres []sales.Centre
	Rules   *policy.SalesRules
	Tabs    salesTabs
}

// salesCentre picks the centre of a page: the unit given (path or
// ?unit_id=), else the first centre the caller sees; nil without any.
func (s *Server) salesCentre(rq *request, unit store.ID, tab string) (*salesCtx, error) {
	all, err := s.sales.Centres(rq.Context(), rq.P)
	if err != nil {
		return nil, err
	}
	if unit == 0 {
		if v := rq.URL.Query().Get("unit_id"); v != "" {
			if unit, err = store.ParseID(v); err != nil {
				return nil, notFound()
			}
		}
	}
	sc := &salesCtx{Centres: all}
	switch {
	case unit != 0:
		if sc.C, err = s.sales.GetCentre(rq.Context(), rq.P, unit); err != nil {
			return nil, err
		}
	case len(all) > 0:
		sc.C = all[0]
	default:
		return nil, nil
	}
	if pk, err := s.policy.ForUnit(rq.Context(), sc.C.UnitID); err == nil && pk != nil {
		sc.Rules = &pk.Sales
	} else {
		sc.Rules = &policy.SalesRules{}
	}
	sc.Tabs = salesTabs{Unit: sc.C.UnitID, Active: tab, Leasing: sc.C.Mode == sales.ModeLeasing,
		Manage: rq.P.Can(auth.PermSalesManage)}
	for _, c := range all {
		sc.Tabs.Centres = append(sc.Tabs.Centres, option{c.UnitID.String(), c.Unit})
	}
	return sc, nil
}

// salesAgents are the members of a centre's rotation, for agent selects.
func (s *Server) salesAgents(rq *request, unit store.ID) []option {
	rot, err := s.sales.Rotation(rq.Context(), rq.P, unit)
	if err != nil {
		return nil
	}
	var out []option
	for _, m := range rot.Members {
		out = append(out, option{m.UserID.String(), m.Name})
	}
	return out
}

// salesToday is today in Beijing.
func (s *Server) salesToday() calendar.Date { return calendar.DateOf(s.now().In(shanghai)) }

// salesMonth is this month, YYYY-MM.
func (s *Server) salesMonth() string { return s.now().In(shanghai).Format("2006-01") }

// salesName is a label under prefix+key, or the key.
func salesName(prefix, key string, l i18n.Locale) string {
	return labelOr("sal."+prefix+"."+key, key, l)
}

// salesOptions are keys with their labels.
func salesOptions(prefix string, keys []string, l i18n.Locale) []option {
	var out []option
	for _, k := range keys {
		out = append(out, option{k, salesName(prefix, k, l)})
	}
	return out
}

// packOptions are the pack's named choices.
func packOptions(opts []policy.SalesOption, l i18n.Locale) []option {
	var out []option
	for _, o := range opts {
		out = append(out, option{o.Key, nameIn(o.Name, l)})
	}
	return out
}

// withUnit is path?unit_id=unit.
func withUnit(path string, unit store.ID, more ...string) string {
	q := url.Values{"unit_id": {unit.String()}}
	for i := 0; i+1 < len(more); i += 2 {
		if more[i+1] != "" {
			q.Set(more[i], more[i+1])
		}
	}
	return path + "?" + q.Encode()
}

// salesHomeData is the centres page.
type salesHomeData struct {
	Centres    []salesCentreRow
	CanSetup   bool
	Units      []option
	Modes      []option
	Policies   []option
	PackMakeUp string
}

type salesCentreRow struct {
	C                sales.Centre
	ModeName, MakeUp string
	Inherited        bool
}

// salesHome lists the centres and, for sales:manage, the set-up form.
func (s *Server) salesHome(w http.ResponseWriter, rq *request) error {
	s.renderSalesHome(w, rq, http.StatusOK, newForm(nil))
	return nil
}

func (s *Server) renderSalesHome(w http.ResponseWriter, rq *request, status int, f *Form) {
	l := rq.Lang
	d := salesHomeData{CanSetup: rq.P.Can(auth.PermSalesManage)}
	cs, err := s.sales.Centres(rq.Context(), rq.P)
	if err != nil && !f.fail(err, l) {
		s.fail(w, rq, err)
		return
	}
	for _, c := range cs {
		d.Centres = append(d.Centres, salesCentreRow{C: c, ModeName: salesName("mode", c.Mode, l),
			MakeUp: salesName("makeup", c.Effective, l), Inherited: c.MakeUpPolicy == ""})
	}
	if d.CanSetup {
		d.Units = s.meritUnits(rq)
		d.Modes = salesOptions("mode", []string{sales.ModeSales, sales.ModeLeasing}, l)
		d.Policies = salesOptions("makeup", policy.MakeUpPolicies, l)
	}
	pg := s.newPage(rq, "sal.title", "sales")
	pg.Form, pg.Data = f, d
	s.render(w, rq, status, "sales", pg)
}

// salesSetup sets a unit up as a sales centre, or changes it.
func (s *Server) salesSetup(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	l := rq.Lang
	in := sales.CentreInput{UnitID: f.id("unit_id"), Mode: f.text("mode"), MakeUpPolicy: f.text("makeup_policy"),
		Reason: f.text("reason")}
	if in.UnitID == 0 {
		f.Errors["unit_id"] = label("sal.pick_unit").In(l)
	}
	var c sales.Centre
	if !f.HasErrors() {
		if c, err = s.sales.SetupCentre(rq.Context(), rq.P, in); err != nil &&
			!failOn(f, err, l, []string{"unit_id", "mode", "makeup_policy", "reason"}) {
			return err
		}
	}
	if f.HasErrors() {
		s.renderSalesHome(w, rq, statusOf(err), f)
		return nil
	}
	s.seeOther(w, rq.Request, "/sales/centres/"+c.UnitID.String(), "sales_centre_saved")
	return nil
}

// pathUnit parses {unit}.
func pathUnit(rq *request) (store.ID, error) {
	id, err := store.ParseID(rq.PathValue("unit"))
	if err != nil {
		return 0, notFound()
	}
	return id, nil
}

// itoa writes an int.
func itoa(n int) string { return strconv.Itoa(n) }

// refusedForm is the form of a page's refused action, shown again with its
// errors; the page's other action forms start empty.
type refusedForm struct {
	Failed string
	Form   *Form
}

// F is the form of an action: the refused one as sent, else empty.
func (a refusedForm) F(action string) *Form {
	if a.Failed == action && a.Form != nil {
		return a.Form
	}
	return newForm(nil)
}
