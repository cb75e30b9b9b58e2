package httpapi

import (
	"net/http"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/survey"
)

// surveyAPI serves /api/v1/surveys (satisfaction surveys, issue 9).
type surveyAPI struct {
	reg *policy.Registry
	svc *survey.Service
}

func (a *API) surveyRoutes(reg *policy.Registry, svc *survey.Service) []Route {
	if reg == nil {
		return nil
	}
	h := surveyAPI{reg, svc}
	routes := []Route{
		{Method: "POST", Path: "/api/v1/surveys/compute", Permission: auth.PermSurveysRead, Tag: "surveys",
			Summary: "满意度调查统计 Survey statistics of a campaign under a pack's targets: distribution, return, " +
				"verification and authenticity rates, raw satisfaction, return-shortfall deduction, reported satisfaction " +
				"(SUR-004 to SUR-008; percentages rounded half up to two decimals)",
			Request: survey.ComputeInput{}, Response: survey.Result{}, handle: h.compute},
	}
	if svc == nil {
		return routes
	}
	routes = append(routes, h.formRoutes()...)
	routes = append(routes, h.planRoutes()...) // SUR-002, SUR-003
	return append(routes,
		Route{Method: "POST", Path: "/api/v1/surveys", Permission: auth.PermSurveysWrite, Tag: "surveys",
			Summary: "新建满意度调查 Plan a survey campaign for the caller's company: title, purpose, scope, channel " +
				"(phone, email, fax, face_to_face, paper; SUR-001), dates, occupied households, cheating penalties (SUR-002)",
			Request: survey.CampaignInput{}, Response: survey.Campaign{}, handle: h.create},
		Route{Method: "GET", Path: "/api/v1/surveys", Permission: auth.PermSurveysRead, Tag: "surveys",
			Summary: "满意度调查列表 Survey campaigns in the caller's scope, newest first",
			Query: []Param{{"status", "planned, running, closed"}, {"limit", "1–500, default 50"},
				{"cursor", "next_cursor of the previous page"}},
			Response: list[survey.Campaign]{}, handle: h.list},
		Route{Method: "GET", Path: "/api/v1/surveys/{id}", Permission: auth.PermSurveysRead, Tag: "surveys",
			Summary:  "满意度调查详情 One campaign with its statistics (SUR-004 to SUR-008)",
			Response: survey.Campaign{}, handle: h.get},
		Route{Method: "POST", Path: "/api/v1/surveys/{id}/counts", Permission: auth.PermSurveysWrite, Tag: "surveys",
			Summary: "登记调查数据 The campaign's counts (consistent: each at most its base); refused once closed (409); " +
				"before the plan's approval only the households (409 plan, SUR-002)",
			Request: survey.CountsInput{}, Response: survey.Campaign{}, handle: h.counts},
		Route{Method: "POST", Path: "/api/v1/surveys/{id}/close", Permission: auth.PermSurveysWrite, Tag: "surveys",
			Summary: "关闭满意度调查 Close with the service improvement plan (SUR-011) once every corrective action is " +
				"verified (409 actions, SUR-003); sets the retention of report, forms (2 years) and plan (1 year) from the " +
				"closing date (ARC-014)",
			Request: survey.CloseInput{}, Response: survey.Campaign{}, handle: h.close},
	)
}

func (h surveyAPI) create(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in survey.CampaignInput
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := h.svc.Create(r.Context(), p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (h surveyAPI) list(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	f := survey.Filter{Status: survey.Status(r.URL.Query().Get("status")), Limit: pg.Limit}
	if f.Before, err = pg.before(); err != nil {
		return err
	}
	items, err := h.svc.List(r.Context(), p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, keysetNext(items, f.Limit, func(c *survey.Campaign) store.ID { return c.ID })))
	return nil
}

func (h surveyAPI) get(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "survey")
	if err != nil {
		return err
	}
	c, err := h.svc.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (h surveyAPI) counts(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "survey", http.StatusOK, h.svc.UpdateCounts)
}

func (h surveyAPI) close(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "survey", http.StatusOK, h.svc.Close)
}

// compute answers the statistics; it reads and writes nothing but the pack.
func (h surveyAPI) compute(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	var in survey.ComputeInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Pack == "" {
		return apperr.Required("pack")
	}
	pack, err := h.reg.Lookup("pack", in.Pack)
	if err != nil {
		return err
	}
	res, err := survey.Compute(pack.Surveys, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
