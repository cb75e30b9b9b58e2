package web

import (
	"net/http"

	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/sales"
)

// appRow is one application.
type appRow struct {
	A                         *sales.Application
	Action, State, StateClass string
	Mine                      bool
}

// appsData is the applications page (SAL-021).
type appsData struct {
	*salesCtx
	Rows    []appRow
	Actions []option
	States  []option
	Receive bool
	Manage  bool
}

// salesApplications lists a centre's applications with the form to apply
// and, for the Sales Manager, the decide forms.
func (s *Server) salesApplications(w http.ResponseWriter, rq *request) error {
	return s.renderApplications(w, rq, http.StatusOK, newForm(nil))
}

func (s *Server) renderApplications(w http.ResponseWriter, rq *request, status int, f *Form) error {
	ctx, p, l := rq.Context(), rq.P, rq.Lang
	sc, err := s.salesCentre(rq, f.id("unit_id"), "applications")
	if err != nil || sc == nil {
		return cmpErr(err)
	}
	d := &appsData{salesCtx: sc, Receive: p.Can(auth.PermSalesReceive), Manage: p.Can(auth.PermSalesManage),
		States: salesOptions("astate", []string{sales.ApplicationPending, sales.ApplicationApproved, sales.ApplicationRejected}, l)}
	for _, a := range sc.Rules.RestrictedActions {
		d.Actions = append(d.Actions, option{a.Key, nameIn(a.Name, l)})
	}
	state := rq.URL.Query().Get("state")
	as, err := s.sales.Applications(ctx, p, sc.C.UnitID, state)
	if err != nil && !failOn(f, err, l, []string{"state"}) {
		return err
	}
	for i := range as {
		d.Rows = append(d.Rows, appRowOf(&as[i], d.Actions, p.UserID == as[i].ApplicantID, l))
	}
	pg := s.newPage(rq, "sal.applications", "sales")
	pg.Form, pg.Data = f, d
	if status == http.StatusOK {
		status = statusOrOK(f)
	}
	s.render(w, rq, status, "sales_applications", pg)
	return nil
}

func appRowOf(a *sales.Application, actions []option, mine bool, l i18n.Locale) appRow {
	r := appRow{A: a, Action: a.Action, State: salesName("astate", a.State, l), Mine: mine}
	for _, o := range actions {
		if o.Key == a.Action {
			r.Action = o.Name
		}
	}
	switch a.State {
	case sales.ApplicationPending:
		r.StateClass = "badge-amber"
	case sales.ApplicationApproved:
		r.StateClass = "badge-green"
	default:
		r.StateClass = "badge-red"
	}
	return r
}

// salesApply files an application.
func (s *Server) salesApply(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	in := sales.ApplicationInput{UnitID: f.id("unit_id"), Action: f.text("action"), PropertyUnit: f.text("property_unit"),
		CustomerName: f.text("customer_name"), RegistrationID: f.id("registration_id"), Detail: f.text("detail")}
	if _, err := s.sales.Apply(rq.Context(), rq.P, in); err != nil {
		if !failOn(f, err, rq.Lang, []string{"action", "property_unit", "customer_name", "registration_id", "detail"}) {
			return err
		}
		return s.renderApplications(w, rq, statusOf(err), f)
	}
	s.seeOther(w, rq.Request, withUnit("/sales/applications", in.UnitID), "sales_applied")
	return nil
}

// salesDecide approves or rejects an application.
func (s *Server) salesDecide(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	a, err := s.sales.DecideApplication(rq.Context(), rq.P, id, sales.DecisionInput{Approve: f.text("approve") == "yes", Note: f.text("note")})
	if err != nil {
		if !failOn(f, err, rq.Lang, nil) {
			return err
		}
		return s.renderApplications(w, rq, statusOf(err), f)
	}
	s.seeOther(w, rq.Request, withUnit("/sales/applications", a.UnitID), "sales_decided")
	return nil
}

// followUpsData is the follow-up alert list (SAL-024).
type followUpsData struct {
	*salesCtx
	Rows []sales.FollowUpDue
	Days int
}

// salesFollowUpsDue lists the customers with no follow-up for too long.
func (s *Server) salesFollowUpsDue(w http.ResponseWriter, rq *request) error {
	sc, err := s.salesCentre(rq, 0, "followups")
	if err != nil || sc == nil {
		return cmpErr(err)
	}
	f := newForm(rq.URL.Query())
	rows, err := s.sales.FollowUpsDue(rq.Context(), rq.P, sc.C.UnitID, f.id("agent_id"))
	if err != nil && !failOn(f, err, rq.Lang, []string{"agent_id"}) {
		return err
	}
	pg := s.newPage(rq, "sal.followups_due", "sales")
	pg.Form, pg.Data = f, &followUpsData{salesCtx: sc, Rows: rows, Days: sc.Rules.FollowUpAlertDays}
	s.render(w, rq, statusOrOK(f), "sales_followups", pg)
	return nil
}
