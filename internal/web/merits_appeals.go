package web

import (
	"net/http"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/merit"
	"kefu/internal/store"
)

// meritAppealRow is one appeal in a list.
type meritAppealRow struct {
	A                     *merit.Appeal
	StateName, StateClass string
	OutcomeName, Filed    string
}

func meritAppealRowOf(a *merit.Appeal, l i18n.Locale) meritAppealRow {
	r := meritAppealRow{A: a, StateName: labelOr("mer.appeal_state."+a.State, a.State, l), StateClass: "badge-amber",
		Filed: exact(a.FiledAt)}
	if a.Outcome != "" {
		r.OutcomeName = labelOr("mer.outcome."+a.Outcome, a.Outcome, l)
	}
	if a.State == merit.AppealResolved {
		r.StateClass = "badge-grey"
	}
	return r
}

// meritAppealStates are the appeal states in the order of the filter.
var meritAppealStates = []string{merit.AppealMediation, merit.AppealMediated, merit.AppealInvestigation, merit.AppealResolved}

// meritAppealsData is the appeals list.
type meritAppealsData struct {
	Rows   []meritAppealRow
	States []option
}

// meritAppeals lists appeals: the caller's own, or the company's with
// merits:write (the service decides).
func (s *Server) meritAppeals(w http.ResponseWriter, rq *request) error {
	q, l := rq.URL.Query(), rq.Lang
	form := newForm(q)
	f := merit.AppealFilter{State: q.Get("state")}
	if v := q.Get("user_id"); v != "" {
		if f.UserID = form.id("user_id"); f.UserID == 0 {
			form.Errors["user_id"] = label("mer.bad_id").In(l)
		}
	}
	d := meritAppealsData{}
	for _, st := range meritAppealStates {
		d.States = append(d.States, option{st, labelOr("mer.appeal_state."+st, st, l)})
	}
	if !form.HasErrors() {
		items, err := s.merits.Appeals(rq.Context(), rq.P, f)
		if err != nil && !failOn(form, err, l, []string{"state", "user_id"}) {
			return err
		}
		for i := range items {
			d.Rows = append(d.Rows, meritAppealRowOf(&items[i], l))
		}
	}
	pg := s.newPage(rq, "mer.appeals", "merits")
	pg.Form, pg.Data = form, d
	s.render(w, rq, statusOrOK(form), "merit_appeals", pg)
	return nil
}

// meritAppealView is an appeal's page.
type meritAppealView struct {
	meritAppealRow
	Steps    []meritAppealStepRow
	Show     map[string]bool // mediate, accept, escalate, resolve
	Kinds    []option
	Outcomes []option
	Failed   string
	Form     *Form
	Alert    string
}

type meritAppealStepRow struct{ At, Step, Outcome, Actor, Note string }

// F returns the form of a step: the refused one as sent, else empty.
func (v *meritAppealView) F(step string) *Form {
	if v.Failed == step && v.Form != nil {
		return v.Form
	}
	return newForm(nil)
}

// meritOutcomeForm feeds template "meroutcome": the outcome form of a step.
type meritOutcomeForm struct {
	V           *meritAppealView
	Step, Title string
}

// Outcome is the outcome form of step (mediate, resolve) under the label
// title.
func (v *meritAppealView) Outcome(step, title string) meritOutcomeForm {
	return meritOutcomeForm{V: v, Step: step, Title: title}
}

func (s *Server) meritAppealShow(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	v, err := s.meritAppealView(rq, id, "", nil)
	if err != nil {
		return err
	}
	s.renderMeritAppeal(w, rq, http.StatusOK, v)
	return nil
}

func (s *Server) renderMeritAppeal(w http.ResponseWriter, rq *request, status int, v *meritAppealView) {
	pg := s.newPage(rq, "mer.appeal", "merits")
	pg.Data = v
	s.render(w, rq, status, "merit_appeal", pg)
}

func (s *Server) meritAppealView(rq *request, id store.ID, failed string, f *Form) (*meritAppealView, error) {
	l, p := rq.Lang, rq.P
	a, err := s.merits.GetAppeal(rq.Context(), p, id)
	if err != nil {
		return nil, err
	}
	v := &meritAppealView{meritAppealRow: meritAppealRowOf(a, l), Show: map[string]bool{}, Kinds: meritKindOptions(l),
		Failed: failed, Form: f}
	for _, k := range []string{merit.OutcomeUpheld, merit.OutcomeChanged, merit.OutcomeWithdrawn} {
		v.Outcomes = append(v.Outcomes, option{k, labelOr("mer.outcome."+k, k, l)})
	}
	for _, st := range a.Steps {
		r := meritAppealStepRow{At: exact(st.At), Step: labelOr("mer.appeal_step."+st.Step, st.Step, l), Actor: st.ActorName, Note: st.Note}
		if st.Outcome != "" {
			r.Outcome = labelOr("mer.outcome."+st.Outcome, st.Outcome, l)
		}
		v.Steps = append(v.Steps, r)
	}
	own := a.UserID == p.UserID
	v.Show["mediate"] = a.State == merit.AppealMediation && !own && p.Can(auth.PermMeritsWrite)
	v.Show["accept"] = a.State == merit.AppealMediated && own
	v.Show["escalate"] = v.Show["accept"]
	v.Show["resolve"] = a.State == merit.AppealInvestigation && !own && p.Can(auth.PermMeritsApprove)
	return v, nil
}

// meritAppealFields are the inputs of each appeal step form.
var meritAppealFields = map[string][]string{
	"mediate":  {"outcome", "note", "kind", "amount", "points"},
	"accept":   {"note"},
	"escalate": {"note"},
	"resolve":  {"outcome", "note", "kind", "amount", "points"},
}

// meritAppealStep takes one step of an appeal from its form.
func (s *Server) meritAppealStep(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	step := rq.PathValue("step")
	fields, ok := meritAppealFields[step]
	if !ok {
		return notFound()
	}
	ctx, p, l := rq.Context(), rq.P, rq.Lang
	outcome := merit.OutcomeInput{Outcome: f.text("outcome"), Note: f.text("note"), Kind: f.text("kind"), Amount: f.text("amount")}
	if v := f.text("points"); v != "" {
		if outcome.Points = atoiOr(v, -1); outcome.Points < 0 {
			err = apperr.Validation("points", label("mer.bad_points"))
		}
	}
	if err == nil {
		switch step {
		case "mediate":
			_, err = s.merits.Mediate(ctx, p, id, outcome)
		case "accept":
			_, err = s.merits.AcceptMediation(ctx, p, id, f.text("note"))
		case "escalate":
			_, err = s.merits.Escalate(ctx, p, id, f.text("note"))
		case "resolve":
			_, err = s.merits.Resolve(ctx, p, id, outcome)
		}
	}
	if err != nil {
		if !failOn(f, err, l, fields) {
			return err
		}
		if e, ok := apperr.As(err); ok && e.Status == http.StatusNotFound {
			return err
		}
		v, verr := s.meritAppealView(rq, id, step, f)
		if verr != nil {
			return verr
		}
		if !v.Show[step] {
			v.Alert = meritFirstMessage(f, fields)
		}
		s.renderMeritAppeal(w, rq, statusOf(err), v)
		return nil
	}
	s.seeOther(w, rq.Request, "/merits/appeals/"+id.String(), "merit_appeal_"+step)
	return nil
}
