package httpapi

import (
	"net/http"

	"kefu/internal/auth"
	"kefu/internal/store"
	"kefu/internal/survey"
)

// planRoutes serve the survey plan's approval (SUR-002, ARC-018) and the
// corrective actions after the report (SUR-003). Each service call checks
// the body first, then finds the campaign in the caller's scope (404),
// then whether the caller may take the step (403): a route's permission
// is the least any step needs.
func (h surveyAPI) planRoutes() []Route {
	return []Route{
		{Method: "PATCH", Path: "/api/v1/surveys/{id}", Permission: auth.PermSurveysWrite, Tag: "surveys",
			Summary: "修改调查策划书 Edit a draft plan: title, purpose, scope, channel, dates, penalties (absent fields " +
				"kept); a plan under review or approved does not change (409 plan_status, SUR-002)",
			Request: survey.PlanInput{}, Response: survey.Campaign{}, handle: h.editPlan},
		{Method: "POST", Path: "/api/v1/surveys/{id}/submit", Permission: auth.PermSurveysWrite, Tag: "surveys",
			Summary: "提交策划书审批 The preparer submits the draft plan (SUR-002): it needs purpose, scope, penalties " +
				"and the sampled room numbers — issued forms, or the scope of a hand-counted survey (422 naming the field)",
			Response: survey.Campaign{}, handle: h.submitPlan},
		{Method: "POST", Path: "/api/v1/surveys/{id}/review", Permission: auth.PermSurveysWrite, Tag: "surveys",
			Summary: "审核策划书 Review a submitted plan: a holder of surveys:write other than the preparer (ARC-018)",
			Request: survey.OpinionInput{}, Response: survey.Campaign{}, handle: h.reviewPlan},
		{Method: "POST", Path: "/api/v1/surveys/{id}/approve", Permission: auth.PermSurveysWrite, Tag: "surveys",
			Summary: "批准策划书 Approve a reviewed plan: a company manager (or admin) other than the preparer; the " +
				"survey is then published (SUR-002)",
			Request: survey.OpinionInput{}, Response: survey.Campaign{}, handle: h.approvePlan},
		{Method: "POST", Path: "/api/v1/surveys/{id}/return", Permission: auth.PermSurveysWrite, Tag: "surveys",
			Summary: "退回策划书 Return a submitted plan (its reviewer) or a reviewed one (its approver) to draft with " +
				"the opinion (required)",
			Request: survey.OpinionInput{}, Response: survey.Campaign{}, handle: h.returnPlan},
		{Method: "GET", Path: "/api/v1/surveys/{id}/actions", Permission: auth.PermSurveysRead, Tag: "surveys",
			Summary:  "整改措施列表 The corrective actions of the issues found (SUR-003), by number, overdue ones flagged",
			Response: list[survey.Action]{}, handle: h.actions},
		{Method: "POST", Path: "/api/v1/surveys/{id}/actions", Permission: auth.PermSurveysWrite, Tag: "surveys",
			Status: http.StatusCreated,
			Summary: "制定整改措施 Open a corrective action after the report (SUR-003): the issue, a department of the " +
				"survey's company, the due date (not before today)",
			Request: survey.ActionInput{}, Response: survey.Action{}, handle: h.openAction},
		{Method: "POST", Path: "/api/v1/surveys/{id}/actions/{action}/done", Permission: auth.PermSurveysAnswer, Tag: "surveys",
			Summary: "登记整改结果 The department records what was done: someone of its subtree with surveys:answer or " +
				"surveys:write, or the CS supervisor (SUR-003)",
			Request: survey.ActionDoneInput{}, Response: survey.Action{}, handle: h.actionDone},
		{Method: "POST", Path: "/api/v1/surveys/{id}/actions/{action}/verify", Permission: auth.PermSurveysWrite, Tag: "surveys",
			Summary: "验证整改 The CS centre verifies a done action, not whoever recorded it (SUR-003); the survey closes " +
				"only when every action is verified",
			Request: survey.OpinionInput{}, Response: survey.Action{}, handle: h.verifyAction},
	}
}

func (h surveyAPI) reviewPlan(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "survey", http.StatusOK, h.svc.Review)
}

func (h surveyAPI) approvePlan(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "survey", http.StatusOK, h.svc.Approve)
}

func (h surveyAPI) returnPlan(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "survey", http.StatusOK, h.svc.Return)
}

func (h surveyAPI) submitPlan(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "survey")
	if err != nil {
		return err
	}
	c, err := h.svc.Submit(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (h surveyAPI) editPlan(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "survey", http.StatusOK, h.svc.EditPlan)
}

func (h surveyAPI) actions(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "survey")
	if err != nil {
		return err
	}
	items, err := h.svc.Actions(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, ""))
	return nil
}

func (h surveyAPI) openAction(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "survey", http.StatusCreated, h.svc.OpenAction)
}

// actionIDs reads the campaign's and the action's ids of the path.
func (h surveyAPI) actionIDs(r *http.Request) (id, action store.ID, err error) {
	if id, err = recordID(r, "survey"); err != nil {
		return 0, 0, err
	}
	action, err = pathID(r, "action")
	return id, action, err
}

func (h surveyAPI) actionDone(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in survey.ActionDoneInput
	if err := decode(r, &in); err != nil {
		return err
	}
	id, aid, err := h.actionIDs(r)
	if err != nil {
		return err
	}
	a, err := h.svc.ActionDone(r.Context(), p, id, aid, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (h surveyAPI) verifyAction(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in survey.OpinionInput
	if err := decode(r, &in); err != nil {
		return err
	}
	id, aid, err := h.actionIDs(r)
	if err != nil {
		return err
	}
	a, err := h.svc.VerifyAction(r.Context(), p, id, aid, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}
