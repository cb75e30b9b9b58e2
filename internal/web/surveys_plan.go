package web

// The survey plan's approval block (编制 / 审核 / 批准 / 日期, SUR-002,
// ARC-018) and the corrective actions after the report (整改措施, SUR-003)
// on the campaign page: the block with the buttons the caller may use
// (edit and submit a draft, review, approve, return with an opinion), and
// the actions' table with the forms to open one, record what was done and
// verify it. The service decides who may do what; a refusal shows the
// campaign page again with the error under its field.

import (
	"net/http"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/store"
	"kefu/internal/survey"
)

// surveyApproval is the approval block of a campaign (and of its report).
type surveyApproval struct {
	StatusName, StatusClass string
	// Who and when: prepared (submitted), reviewed, approved; Date is the
	// approval's date, the plan's date.
	Prepared, SubmittedAt          string
	Reviewed, ReviewedAt           string
	Approved, ApprovedAt           string
	ReviewOpinion, ApprovalOpinion string
	Date                           string
	// The last return to draft: shown while the plan is a draft.
	Returned, ReturnedAt, ReturnOpinion string
	ShowReturn                          bool
	Rights                              survey.PlanRights
}

// Shows reports whether the page shows the form of a plan action, where
// its refusal is then shown.
func (a surveyApproval) Shows(action string) bool {
	switch action {
	case "plan":
		return a.Rights.Edit
	case "submit":
		return a.Rights.Submit
	case "review", "return", "approve":
		return a.Rights.Review || a.Rights.Approve || a.Rights.Return
	}
	return false
}

// surveyApprovalOf prepares the approval block of c.
func (s *Server) surveyApprovalOf(rq *request, c *survey.Campaign, users map[store.ID]string) surveyApproval {
	ctx, l := rq.Context(), rq.Lang
	a := surveyApproval{StatusName: labelOr("sur.plan_status."+string(c.PlanStatus), string(c.PlanStatus), l),
		StatusClass: surveyPlanClass(c.PlanStatus), Prepared: s.userName(ctx, users, c.PreparedBy, l),
		SubmittedAt: surveyDay(c.SubmittedAt), Reviewed: s.userName(ctx, users, c.ReviewedBy, l), ReviewedAt: surveyDay(c.ReviewedAt),
		Approved: s.userName(ctx, users, c.ApprovedBy, l), ApprovedAt: surveyDay(c.ApprovedAt), Date: surveyDay(c.ApprovedAt),
		ReviewOpinion: c.ReviewOpinion, ApprovalOpinion: c.ApprovalOpinion, ReturnOpinion: c.ReturnOpinion,
		Returned: s.userName(ctx, users, c.ReturnedBy, l), ReturnedAt: surveyExact(c.ReturnedAt)}
	a.ShowReturn = c.PlanStatus == survey.PlanDraft && c.ReturnOpinion != ""
	a.Rights = s.surveys.Rights(rq.P, c)
	return a
}

// surveyPlanClass is the badge of a plan status: draft grey, under way
// amber, approved green.
func surveyPlanClass(st survey.PlanStatus) string {
	switch st {
	case survey.PlanApproved:
		return "badge-green"
	case survey.PlanSubmitted, survey.PlanReviewed:
		return "badge-amber"
	}
	return "badge-grey"
}

// surveyDay is an instant's date in Beijing, "" when unset.
func surveyDay(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(shanghai).Format(time.DateOnly)
}

// surveyActionRow is one corrective action of the campaign page and the
// report.
type surveyActionRow struct {
	A                       *survey.Action
	StatusName, StatusClass string
	DoneBy, DoneAt          string
	VerifiedBy, VerifiedAt  string
	CanDone, CanVerify      bool
}

// Short is the action's number within its campaign (Z01); the table's
// title holds the whole number.
func (r surveyActionRow) Short() string {
	if i := strings.LastIndex(r.A.Number, "-"); i >= 0 {
		return r.A.Number[i+1:]
	}
	return r.A.Number
}

// surveyActionRows prepares the corrective actions of c for p.
func (s *Server) surveyActionRows(rq *request, c *survey.Campaign, acts []*survey.Action, users map[store.ID]string) []surveyActionRow {
	ctx, l, p := rq.Context(), rq.Lang, rq.P
	open := c.Status != survey.StatusClosed
	var out []surveyActionRow
	for _, a := range acts {
		r := surveyActionRow{A: a, StatusName: labelOr("sur.action_status."+string(a.Status), string(a.Status), l),
			DoneBy: s.userName(ctx, users, a.DoneBy, l), DoneAt: surveyExact(a.DoneAt),
			VerifiedBy: s.userName(ctx, users, a.VerifiedBy, l), VerifiedAt: surveyExact(a.VerifiedAt)}
		switch {
		case a.Status == survey.ActionVerified:
			r.StatusClass = "badge-green"
		case a.Status == survey.ActionDone:
			r.StatusClass = "badge-blue"
		case a.Overdue:
			r.StatusClass = "badge-red"
		default:
			r.StatusClass = "badge-amber"
		}
		r.CanDone = open && a.Status == survey.ActionOpen && a.MayRecord(p)
		r.CanVerify = open && a.Status == survey.ActionDone && a.MayVerify(p)
		out = append(out, r)
	}
	return out
}

// surveyPlanParts adds the approval block, the plan form's channels and
// the corrective actions to the campaign page.
func (s *Server) surveyPlanParts(rq *request, v *surveyView, users map[store.ID]string) error {
	ctx, l, c := rq.Context(), rq.Lang, v.C
	v.Approval = s.surveyApprovalOf(rq, c, users)
	for _, ch := range survey.Channels {
		v.Channels = append(v.Channels, option{ch, surveyChannelName(ch, l)})
	}
	if v.Failed != "plan" {
		v.planForm = surveyPlanValues(c)
	}
	acts, err := s.surveys.Actions(ctx, rq.P, c.ID)
	if err != nil {
		return err
	}
	v.Actions = s.surveyActionRows(rq, c, acts, users)
	switch {
	case !v.CanWrite || !v.Open:
	case !v.Published:
		v.ActionsHint = label("sur.actions_unpublished").In(l)
	case c.Result == nil:
		v.ActionsHint = label("sur.actions_need_report").In(l)
	default:
		v.CanOpenAction = true
		units, err := s.org.Subtree(ctx, c.CompanyID)
		if err != nil {
			return err
		}
		base := -1
		for _, u := range units {
			if base < 0 {
				base = u.Depth
			}
			if u.Active {
				v.Departments = append(v.Departments, option{u.ID.String(), strings.Repeat("　", max(u.Depth-base, 0)) + u.Name})
			}
		}
	}
	return nil
}

// PlanForm is the plan's edit form: as refused, else the plan's values.
func (v *surveyView) PlanForm() *Form {
	if v.Failed == "plan" && v.Form != nil {
		return v.Form
	}
	if v.planForm != nil {
		return v.planForm
	}
	return newForm(nil)
}

// OpinionForm is the review / approval / return form: as refused, else empty.
func (v *surveyView) OpinionForm() *Form {
	switch v.Failed {
	case "review", "approve", "return":
		if v.Form != nil {
			return v.Form
		}
	}
	return newForm(nil)
}

// ActionForm is the form of kind (done, averify) of one action: as
// refused, else empty.
func (v *surveyView) ActionForm(kind string, id store.ID) *Form {
	if v.Failed == kind && v.FailedForm == id && v.Form != nil {
		return v.Form
	}
	return newForm(nil)
}

// actionFormShown reports whether the page shows the form kind of action id.
func (v *surveyView) actionFormShown(kind string, id store.ID) bool {
	for _, r := range v.Actions {
		if r.A.ID == id {
			return (kind == "done" && r.CanDone) || (kind == "averify" && r.CanVerify)
		}
	}
	return false
}

// surveyEditFields are the inputs of the plan's edit form.
var surveyEditFields = []string{"title", "purpose", "scope", "channel", "starts_on", "ends_on", "penalties"}

// surveyEditPlan changes the draft plan (SUR-002).
func (s *Server) surveyEditPlan(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	in := survey.PlanInput{}
	for k, dst := range map[string]**string{"title": &in.Title, "purpose": &in.Purpose, "scope": &in.Scope,
		"channel": &in.Channel, "starts_on": &in.StartsOn, "ends_on": &in.EndsOn, "penalties": &in.Penalties} {
		if _, ok := f.Values[k]; ok {
			v := f.Get(k)
			*dst = &v
		}
	}
	if _, err := s.surveys.EditPlan(rq.Context(), rq.P, id, in); err != nil {
		return s.surveyRefused(w, rq, id, "plan", f, err, surveyEditFields)
	}
	s.seeOther(w, rq.Request, surveyPath(id)+"#approval", "survey_plan_saved")
	return nil
}

// surveySubmit submits the plan for its approval. What it lacks is shown
// under its input: the purpose, scope or penalties in the plan's edit
// form, the sampled room numbers under the issue form's textarea.
func (s *Server) surveySubmit(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	_, err = s.surveys.Submit(rq.Context(), rq.P, id)
	if err == nil {
		s.seeOther(w, rq.Request, surveyPath(id)+"#approval", "survey_plan_submitted")
		return nil
	}
	if e, ok := apperr.As(err); ok && e.Status == http.StatusUnprocessableEntity {
		switch e.Field {
		case "purpose", "scope", "penalties":
			c, gerr := s.surveys.Get(rq.Context(), rq.P, id)
			if gerr != nil {
				return gerr
			}
			pf := surveyPlanValues(c)
			pf.Errors[e.Field] = e.Message.In(rq.Lang)
			return s.surveyAgain(w, rq, id, "plan", pf, e.Status)
		case "households":
			f.Errors["households"] = e.Message.In(rq.Lang)
			return s.surveyAgain(w, rq, id, "issue", f, e.Status)
		}
	}
	return s.surveyRefused(w, rq, id, "submit", f, err, nil)
}

// surveyPlanValues is the plan's edit form holding the plan's values.
func surveyPlanValues(c *survey.Campaign) *Form {
	f := newForm(nil)
	for k, val := range map[string]string{"title": c.Title, "purpose": c.Purpose, "scope": c.Scope, "channel": c.Channel,
		"starts_on": c.StartsOn.String(), "ends_on": c.EndsOn.String(), "penalties": c.Penalties} {
		f.Values.Set(k, val)
	}
	return f
}

// surveyPlanStep reviews, approves or returns the plan with the opinion.
func (s *Server) surveyPlanStep(action string) pageFunc {
	return func(w http.ResponseWriter, rq *request) error {
		id, f, err := postForm(rq)
		if err != nil {
			return err
		}
		in := survey.OpinionInput{Opinion: f.Get("opinion")}
		step := map[string]func() (*survey.Campaign, error){
			"review":  func() (*survey.Campaign, error) { return s.surveys.Review(rq.Context(), rq.P, id, in) },
			"approve": func() (*survey.Campaign, error) { return s.surveys.Approve(rq.Context(), rq.P, id, in) },
			"return":  func() (*survey.Campaign, error) { return s.surveys.Return(rq.Context(), rq.P, id, in) },
		}[action]
		if _, err := step(); err != nil {
			return s.surveyRefused(w, rq, id, action, f, err, []string{"opinion"})
		}
		s.seeOther(w, rq.Request, surveyPath(id)+"#approval", "survey_plan_"+action)
		return nil
	}
}

// surveyOpenAction opens a corrective action (SUR-003).
func (s *Server) surveyOpenAction(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	in := survey.ActionInput{Issue: f.Get("issue"), DepartmentID: f.id("department_id"), DueOn: f.text("due_on")}
	if _, err := s.surveys.OpenAction(rq.Context(), rq.P, id, in); err != nil {
		return s.surveyRefused(w, rq, id, "action", f, err, []string{"issue", "department_id", "due_on"})
	}
	s.seeOther(w, rq.Request, surveyPath(id)+"#actions", "survey_action_opened")
	return nil
}

// surveyActionStep records an action done or verified (kind done, averify).
func (s *Server) surveyActionStep(kind string) pageFunc {
	return func(w http.ResponseWriter, rq *request) error {
		id, err := idOf(rq)
		if err != nil {
			return err
		}
		aid, err := store.ParseID(rq.PathValue("action"))
		if err != nil {
			return notFound()
		}
		f, err := parsedForm(rq)
		if err != nil {
			return err
		}
		field := "result"
		if kind == "done" {
			_, err = s.surveys.ActionDone(rq.Context(), rq.P, id, aid, survey.ActionDoneInput{Result: f.Get("result")})
		} else {
			field = "opinion"
			_, err = s.surveys.VerifyAction(rq.Context(), rq.P, id, aid, survey.OpinionInput{Opinion: f.Get("opinion")})
		}
		if err != nil {
			if !failOn(f, err, rq.Lang, []string{field}) {
				return err
			}
			v, verr := s.surveyView(rq, id, kind, f)
			if verr != nil {
				return verr
			}
			v.FailedForm = aid
			s.renderSurvey(w, rq, statusOf(err), v)
			return nil
		}
		s.seeOther(w, rq.Request, surveyPath(id)+"#actions", "survey_action_"+kind)
		return nil
	}
}
