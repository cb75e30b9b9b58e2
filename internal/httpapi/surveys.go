package httpapi

import (
	"net/http"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/policy"
	"kefu/internal/survey"
)

// surveyAPI serves /api/v1/surveys (satisfaction surveys, issue 9).
type surveyAPI struct{ reg *policy.Registry }

func (a *API) surveyRoutes(reg *policy.Registry) []Route {
	if reg == nil {
		return nil
	}
	h := surveyAPI{reg}
	return []Route{
		{Method: "POST", Path: "/api/v1/surveys/compute", Permission: auth.PermSurveysRead, Tag: "surveys",
			Summary: "满意度调查统计 Survey statistics of a campaign under a pack's targets: distribution, return, " +
				"verification and authenticity rates, raw satisfaction, return-shortfall deduction, reported satisfaction " +
				"(SUR-004 to SUR-008; percentages rounded half up to two decimals)",
			Request: survey.ComputeInput{}, Response: survey.Result{}, handle: h.compute},
	}
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
