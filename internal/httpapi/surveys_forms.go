package httpapi

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
	"kefu/internal/survey"
)

// surveyFormRoutes serve a campaign's forms, its verification, its report
// and the customer's one-use link (SUR-002 to SUR-009, RPT-004).
func (h surveyAPI) formRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/surveys/schedule", Permission: auth.PermSurveysRead, Tag: "surveys",
			Summary: "调查周期 The caller's company's survey cadence (SUR-001): the last closed survey, when the next is due " +
				"(the pack's cadence on its calendar), the day planning opens (30 days before) and the state: due, planning, " +
				"under_way or scheduled",
			Response: survey.Schedule{}, handle: h.schedule},
		{Method: "GET", Path: "/api/v1/surveys/{id}/report", Permission: auth.PermSurveysRead, Tag: "surveys",
			Summary: "满意度调查报告 The campaign's report: rates against the pack's targets, the deducted satisfaction, each " +
				"question's answers and satisfaction (items against 95 %, SUR-010), mean scores (SUR-009), fake forms (RPT-004)",
			Response: survey.Report{}, handle: h.report},
		{Method: "GET", Path: "/api/v1/surveys/{id}/report.xlsx", Permission: auth.PermSurveysRead, Tag: "surveys",
			Summary: "导出调查报告 The report as an .xlsx workbook: summary, per question, one row per form",
			handle:  h.exportReport},
		{Method: "GET", Path: "/api/v1/surveys/{id}/sheet", Permission: auth.PermSurveysRead, Tag: "surveys",
			Summary:  "调查问卷 The campaign's questionnaire with the options of every question",
			Response: survey.Sheet{}, handle: h.sheet},
		{Method: "POST", Path: "/api/v1/surveys/{id}/forms", Permission: auth.PermSurveysWrite, Tag: "surveys", Status: http.StatusCreated,
			Summary: "发放调查表 Issue forms to the sampled households (抽样房号, SUR-002), at most 5,000 a call; room numbers " +
				"unique in the campaign, forms never more than the occupied households (SUR-004)",
			Request: survey.IssueInput{}, Response: list[survey.Form]{}, handle: h.issue},
		{Method: "GET", Path: "/api/v1/surveys/{id}/forms", Permission: auth.PermSurveysRead, Tag: "surveys",
			Summary: "调查表列表 The campaign's forms by number",
			Query: []Param{{"status", "issued or returned"}, {"drawn", "true: drawn for verification"},
				{"limit", "1–500, default 50"}, {"cursor", "next_cursor of the previous page (a serial)"}},
			Response: list[survey.Form]{}, handle: h.forms},
		{Method: "GET", Path: "/api/v1/surveys/{id}/forms/{form}", Permission: auth.PermSurveysRead, Tag: "surveys",
			Summary: "调查表 One form", Response: survey.Form{}, handle: h.form},
		{Method: "POST", Path: "/api/v1/surveys/{id}/forms/{form}/answers", Permission: auth.PermSurveysAnswer, Tag: "surveys",
			Summary: "填写调查表 Record the customer's answers: on the phone (phone), in person with the customer's on-screen " +
				"signature (face_to_face, a PNG data URL) or from a paper form (paper); checked against the questionnaire, " +
				"scored (SUR-008, SUR-009); once only (409); not before the plan's approval (409 plan, SUR-002)",
			Request: survey.AnswerInput{}, Response: survey.Form{}, handle: h.answer},
		{Method: "POST", Path: "/api/v1/surveys/{id}/forms/{form}/link", Permission: auth.PermSurveysAnswer, Tag: "surveys",
			Summary: "客户调查链接 Issue the customer's link to an issued form: no login, one use, expires after the pack's " +
				"link_valid_hours and at the campaign's end; a new link kills the old one. The token is shown only here; " +
				"not before the plan's approval (409 plan, SUR-002)",
			Response: survey.Link{}, handle: h.link},
		{Method: "POST", Path: "/api/v1/surveys/{id}/verification", Permission: auth.PermSurveysWrite, Tag: "surveys",
			Summary: "抽取核实 Draw returned forms at random (seeded, reproducible) until ceil(5 % × returned) are drawn " +
				"for verification with the household (SUR-006); not before the plan's approval (409 plan, SUR-002)",
			Response: survey.Draw{}, handle: h.drawVerification},
		{Method: "POST", Path: "/api/v1/surveys/{id}/forms/{form}/verify", Permission: auth.PermSurveysWrite, Tag: "surveys",
			Summary: "核实调查表 Record a returned form as genuine or fake (a note required); fake forms leave the " +
				"statistics and name their distributor (SUR-006); once only (409)",
			Request: survey.VerifyInput{}, Response: survey.Form{}, handle: h.verify},
		{Method: "GET", Path: "/api/v1/public/surveys/{token}", Public: true, Tag: "surveys",
			Summary:  "客户填写调查（无需登录）The questionnaire of a live customer link; 404 unknown or used, 410 expired",
			Response: survey.LinkSheet{}, handle: h.linkSheet},
		{Method: "POST", Path: "/api/v1/public/surveys/{token}", Public: true, Tag: "surveys",
			Summary: "客户提交调查（无需登录）The customer's answers through a live link; the link is used up",
			Request: publicAnswer{}, Response: publicAnswered{}, handle: h.linkAnswer},
	}
}

// publicAnswer is the customer's submission.
type publicAnswer struct {
	Answers map[string]string `json:"answers"`
}

// publicAnswered thanks the customer without showing the form's record.
type publicAnswered struct {
	Number string `json:"number"`
	Thanks string `json:"thanks"`
}

// ids reads the campaign's and the form's ids of the path.
func (h surveyAPI) ids(r *http.Request) (id, form store.ID, err error) {
	if id, err = recordID(r, "survey"); err != nil {
		return 0, 0, err
	}
	form, err = pathID(r, "form")
	return id, form, err
}

func (h surveyAPI) schedule(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	sc, err := h.svc.Schedule(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sc)
	return nil
}

func (h surveyAPI) report(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "survey")
	if err != nil {
		return err
	}
	rep, err := h.svc.Report(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (h surveyAPI) exportReport(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "survey")
	if err != nil {
		return err
	}
	c, err := h.svc.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer // a failure midway is still a JSON error
	if err := h.svc.ExportReport(r.Context(), p, id, &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"survey-"+c.Number+".xlsx\"; filename*=UTF-8''"+
		url.PathEscape("满意度调查报告-"+c.Number+".xlsx"))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, _ = w.Write(buf.Bytes())
	return nil
}

func (h surveyAPI) sheet(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "survey")
	if err != nil {
		return err
	}
	c, err := h.svc.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	if c.Questionnaire == "" {
		return apperr.NotFound("questionnaire")
	}
	sh, err := h.svc.SheetOf(c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sh)
	return nil
}

func (h surveyAPI) issue(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in survey.IssueInput
	if err := decode(r, &in); err != nil {
		return err
	}
	id, err := recordID(r, "survey")
	if err != nil {
		return err
	}
	forms, err := h.svc.Issue(r.Context(), p, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, newList(forms, ""))
	return nil
}

func (h surveyAPI) forms(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	id, err := recordID(r, "survey")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := survey.FormFilter{Status: survey.FormStatus(q.Get("status")), Limit: pg.Limit, Drawn: q.Get("drawn") == "true"}
	if pg.Cursor != "" {
		if f.After, err = strconv.Atoi(pg.Cursor); err != nil || f.After < 0 {
			return apperr.Validation("cursor", i18n.T("游标无效", "invalid cursor"))
		}
	}
	items, err := h.svc.Forms(r.Context(), p, id, f)
	if err != nil {
		return err
	}
	next := ""
	if len(items) == f.Limit {
		next = strconv.Itoa(items[len(items)-1].Serial)
	}
	writeJSON(w, http.StatusOK, newList(items, next))
	return nil
}

func (h surveyAPI) form(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, fid, err := h.ids(r)
	if err != nil {
		return err
	}
	f, err := h.svc.Form(r.Context(), p, id, fid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

func (h surveyAPI) answer(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in survey.AnswerInput
	if err := decode(r, &in); err != nil {
		return err
	}
	id, fid, err := h.ids(r)
	if err != nil {
		return err
	}
	f, err := h.svc.Answer(r.Context(), p, id, fid, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

func (h surveyAPI) link(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, fid, err := h.ids(r)
	if err != nil {
		return err
	}
	l, err := h.svc.IssueLink(r.Context(), p, id, fid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (h surveyAPI) drawVerification(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "survey")
	if err != nil {
		return err
	}
	d, err := h.svc.DrawVerification(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (h surveyAPI) verify(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in survey.VerifyInput
	if err := decode(r, &in); err != nil {
		return err
	}
	id, fid, err := h.ids(r)
	if err != nil {
		return err
	}
	f, err := h.svc.Verify(r.Context(), p, id, fid, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

func (h surveyAPI) linkSheet(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	sh, err := h.svc.LinkSheet(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sh)
	return nil
}

func (h surveyAPI) linkAnswer(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	var in publicAnswer
	if err := decode(r, &in); err != nil {
		return err
	}
	f, err := h.svc.AnswerByLink(r.Context(), r.PathValue("token"), in.Answers)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, publicAnswered{Number: f.Number, Thanks: i18n.T("感谢您的参与！", "Thank you for taking part!").String()})
	return nil
}
