package web

// The satisfaction-survey pages (满意度调查, SUR): the campaign list and
// the plan form (this file), the campaign page with its counts, forms,
// verification and closing (surveys_show.go, surveys_act.go), one form
// with the staff's answer form and the customer's link (surveys_forms.go),
// the report with its charts and the .xlsx (surveys_report.go), and the
// customer's page, without login (surveys_public.go). Handlers are a thin
// layer over internal/survey: the service decides who may do what, checks
// every input and names the field of a refusal; the pages show the figures
// against the pack's targets and only the actions the caller may take.

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/survey"
)

// surveyRoutes mounts the survey pages (with the survey service); the
// customer's page /s/{token} is outside the sign-in gate, like /login.
func (s *Server) surveyRoutes() {
	if s.surveys == nil || s.policy == nil {
		return
	}
	s.page("GET /surveys", auth.PermSurveysRead, s.surveysList)
	s.page("GET /surveys/new", auth.PermSurveysWrite, s.surveyNew)
	s.page("POST /surveys", auth.PermSurveysWrite, s.surveyCreate)
	s.page("GET /surveys/{id}", auth.PermSurveysRead, s.surveyShow)
	s.page("POST /surveys/{id}/counts", auth.PermSurveysWrite, s.surveyCounts)
	s.page("POST /surveys/{id}/close", auth.PermSurveysWrite, s.surveyClose)
	s.page("POST /surveys/{id}/forms", auth.PermSurveysWrite, s.surveyIssue)
	s.page("POST /surveys/{id}/verification", auth.PermSurveysWrite, s.surveyDraw)
	s.page("GET /surveys/{id}/forms/{form}", auth.PermSurveysRead, s.surveyFormShow)
	s.page("POST /surveys/{id}/forms/{form}/answers", auth.PermSurveysAnswer, s.surveyAnswer)
	s.page("POST /surveys/{id}/forms/{form}/link", auth.PermSurveysAnswer, s.surveyLink)
	s.page("POST /surveys/{id}/forms/{form}/verify", auth.PermSurveysWrite, s.surveyVerify)
	s.page("GET /surveys/{id}/report", auth.PermSurveysRead, s.surveyReport)
	s.page("GET /surveys/{id}/report.xlsx", auth.PermSurveysRead, s.surveyReportXLSX)
	// The plan's approval (SUR-002) and the corrective actions (SUR-003).
	s.page("POST /surveys/{id}/plan", auth.PermSurveysWrite, s.surveyEditPlan)
	s.page("POST /surveys/{id}/submit", auth.PermSurveysWrite, s.surveySubmit)
	s.page("POST /surveys/{id}/review", auth.PermSurveysWrite, s.surveyPlanStep("review"))
	s.page("POST /surveys/{id}/approve", auth.PermSurveysWrite, s.surveyPlanStep("approve"))
	s.page("POST /surveys/{id}/return", auth.PermSurveysWrite, s.surveyPlanStep("return"))
	s.page("POST /surveys/{id}/actions", auth.PermSurveysWrite, s.surveyOpenAction)
	s.page("POST /surveys/{id}/actions/{action}/done", auth.PermSurveysAnswer, s.surveyActionStep("done"))
	s.page("POST /surveys/{id}/actions/{action}/verify", auth.PermSurveysWrite, s.surveyActionStep("averify"))
	s.mux.HandleFunc("GET "+survey.LinkPath+"{token}", s.surveyPublic)
	s.mux.HandleFunc("POST "+survey.LinkPath+"{token}", s.surveyPublicSubmit)
}

// surveyRow is one line of the campaign list.
type surveyRow struct {
	C                               *survey.Campaign
	StatusName, StatusClass         string
	PlanName, PlanClass             string // the plan's approval (SUR-002)
	ChannelName, QuestionnaireName  string
	Distribution, Return, Satisfied *surveyRate // nil while the base is zero
}

// surveysData is the list page.
type surveysData struct {
	Rows              []surveyRow
	Statuses          []option
	NextURL, FirstURL string
	CanWrite          bool
}

// surveysList shows the campaigns, newest first, 50 a page, with a status
// filter and each campaign's live rates against its pack's targets.
func (s *Server) surveysList(w http.ResponseWriter, rq *request) error {
	q, l := rq.URL.Query(), rq.Lang
	form := newForm(q)
	f := survey.Filter{Status: survey.Status(q.Get("status")), Limit: 50}
	if v := q.Get("cursor"); v != "" {
		id, err := store.ParseID(v)
		if err != nil {
			form.Errors["cursor"] = label("sur.bad_cursor").In(l)
		}
		f.Before = id
	}
	var items []*survey.Campaign
	var err error
	if !form.HasErrors() {
		if items, err = s.surveys.List(rq.Context(), rq.P, f); err != nil && !form.fail(err, l, "status") {
			return err
		}
	}
	d := surveysData{CanWrite: rq.P.Can(auth.PermSurveysWrite)}
	for _, st := range []survey.Status{survey.StatusPlanned, survey.StatusRunning, survey.StatusClosed} {
		d.Statuses = append(d.Statuses, option{string(st), surveyStatusName(st, l)})
	}
	for _, c := range items {
		fig := s.surveyFigures(c, l)
		d.Rows = append(d.Rows, surveyRow{C: c, StatusName: surveyStatusName(c.Status, l), StatusClass: surveyStatusClass(c.Status),
			PlanName: labelOr("sur.plan_status."+string(c.PlanStatus), string(c.PlanStatus), l), PlanClass: surveyPlanClass(c.PlanStatus),
			ChannelName: surveyChannelName(c.Channel, l), QuestionnaireName: s.questionnaireName(c, l),
			Distribution: fig.Distribution, Return: fig.Return, Satisfied: fig.Satisfaction})
	}
	if len(items) == f.Limit {
		nq := cloneValues(q)
		nq.Set("cursor", items[len(items)-1].ID.String())
		d.NextURL = "/surveys?" + nq.Encode()
	}
	if f.Before != 0 {
		fq := cloneValues(q)
		fq.Del("cursor")
		d.FirstURL = "/surveys?" + fq.Encode()
	}
	pg := s.newPage(rq, "sur.title", "surveys")
	pg.Form = form
	pg.Data = d
	s.render(w, rq, statusOrOK(form), "surveys", pg)
	return nil
}

// surveyPlanFields are the inputs of the plan form, as the service names them.
var surveyPlanFields = []string{"title", "purpose", "scope", "channel", "starts_on", "ends_on", "households",
	"penalties", "questionnaire"}

// surveyNewData is the plan form.
type surveyNewData struct {
	Channels       []option
	Questionnaires []option
	PackName       string
}

// surveyNew shows the plan form (SUR-002): today to a month on, by paper.
func (s *Server) surveyNew(w http.ResponseWriter, rq *request) error {
	today := calendar.DateOf(s.now().In(shanghai))
	f := newForm(nil)
	f.Values.Set("starts_on", today.String())
	f.Values.Set("ends_on", today.AddMonths(1).String())
	f.Values.Set("channel", "paper")
	return s.renderSurveyNew(w, rq, http.StatusOK, f)
}

func (s *Server) renderSurveyNew(w http.ResponseWriter, rq *request, status int, f *Form) error {
	l := rq.Lang
	d := surveyNewData{}
	for _, ch := range survey.Channels {
		d.Channels = append(d.Channels, option{ch, surveyChannelName(ch, l)})
	}
	if pack, err := s.policy.ForUnit(rq.Context(), rq.P.OrgUnitID); err == nil {
		d.PackName = nameIn(pack.Name, l)
		for _, q := range pack.Surveys.Questionnaires {
			d.Questionnaires = append(d.Questionnaires, option{q.Key, nameIn(q.Name, l)})
		}
	}
	pg := s.newPage(rq, "sur.new", "surveys")
	pg.Form = f
	pg.Data = d
	s.render(w, rq, status, "survey_new", pg)
	return nil
}

// surveyCreate plans the campaign; a refusal shows the form again with
// the error under the field the service names.
func (s *Server) surveyCreate(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	in := survey.CampaignInput{Title: f.text("title"), Purpose: strings.TrimSpace(f.Get("purpose")),
		Scope: strings.TrimSpace(f.Get("scope")), Channel: f.text("channel"), StartsOn: f.text("starts_on"),
		EndsOn: f.text("ends_on"), Penalties: strings.TrimSpace(f.Get("penalties")), Questionnaire: f.text("questionnaire")}
	n, ok := surveyInt(f, "households", rq.Lang)
	if !ok {
		return s.renderSurveyNew(w, rq, http.StatusUnprocessableEntity, f)
	}
	in.Households = n
	c, err := s.surveys.Create(rq.Context(), rq.P, in)
	if err != nil {
		if !failOn(f, err, rq.Lang, surveyPlanFields) {
			return err
		}
		return s.renderSurveyNew(w, rq, statusOf(err), f)
	}
	s.seeOther(w, rq.Request, surveyPath(c.ID), "survey_created")
	return nil
}

// surveyInt reads a whole number typed into field k (empty is 0); a value
// that is no number is refused under the field.
func surveyInt(f *Form, k string, l i18n.Locale) (int, bool) {
	v := f.text(k)
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		f.Errors[k] = label("sur.not_int").In(l)
		return 0, false
	}
	return n, true
}

// surveyPath is the campaign page.
func surveyPath(id store.ID) string { return "/surveys/" + id.String() }

// surveyFormPath is the page of one form.
func surveyFormPath(id, form store.ID) string { return surveyPath(id) + "/forms/" + form.String() }

// surveyIDs parses the campaign (and form) ids of a path, or answers 404.
func surveyIDs(rq *request) (id, form store.ID, err error) {
	if id, err = idOf(rq); err != nil {
		return 0, 0, err
	}
	if v := rq.PathValue("form"); v != "" {
		if form, err = store.ParseID(v); err != nil {
			return 0, 0, notFound()
		}
	}
	return id, form, nil
}

// surveyRules are the survey rules of the pack version a campaign was
// created under (as the service reads them), else the defaults.
func (s *Server) surveyRules(c *survey.Campaign) policy.SurveyRules { return s.surveys.Rules(c) }

// questionnaireName is the name of a campaign's questionnaire, or "" for
// a campaign whose counts are entered by hand.
func (s *Server) questionnaireName(c *survey.Campaign, l i18n.Locale) string {
	if c.Questionnaire == "" {
		return ""
	}
	rules := s.surveyRules(c)
	if q, ok := rules.Questionnaire(c.Questionnaire); ok {
		return nameIn(q.Name, l)
	}
	return c.Questionnaire
}

func surveyStatusName(st survey.Status, l i18n.Locale) string {
	return labelOr("sur.status."+string(st), string(st), l)
}

// surveyStatusClass is the badge of a status: planned blue, running amber,
// closed grey.
func surveyStatusClass(st survey.Status) string {
	switch st {
	case survey.StatusPlanned:
		return "st st-new"
	case survey.StatusRunning:
		return "st st-in_progress"
	}
	return "st st-closed"
}

// surveyChannelName names a campaign's channel (SUR-001) or the way a form
// was answered.
func surveyChannelName(ch string, l i18n.Locale) string {
	return labelOr("sur.channel."+ch, ch, l)
}

// surveyRate is one rate of a campaign with its target: "87.25%", met or
// not (Met nil: the rate has no target).
type surveyRate struct {
	Key, Name   string
	Value       string // "87.25%"
	Target      string // "≥ 85%"
	Met         *bool
	Note        string // how it is counted
	Part, Base  int
	Unavailable bool // the base is still zero
}

// IsMet reports whether the rate meets its target.
func (r *surveyRate) IsMet() bool { return r != nil && r.Met != nil && *r.Met }

// Class is the badge class of the figure: green met, red not met.
func (r *surveyRate) Class() string {
	switch {
	case r == nil || r.Met == nil:
		return "badge-grey"
	case *r.Met:
		return "badge-green"
	}
	return "badge-red"
}

// surveyFigures are a campaign's live rates against its pack's targets.
type surveyFigures struct {
	Distribution, Return, Verification, Authenticity *surveyRate
	Raw, Deduction, Satisfaction                     *surveyRate
	Quota                                            int // forms to verify (SUR-006)
	Targets                                          survey.Targets
}

// Lines are the figures in the order of the report (RPT-004).
func (f surveyFigures) Lines() []*surveyRate {
	return []*surveyRate{f.Distribution, f.Return, f.Verification, f.Authenticity, f.Raw, f.Deduction, f.Satisfaction}
}

// surveyFigures shows a campaign's live figures (survey.LiveFigures) with
// their targets: each rate once its base is above zero, the deduction and
// the reported satisfaction once forms were distributed and answered.
func (s *Server) surveyFigures(c *survey.Campaign, l i18n.Locale) surveyFigures {
	t, live := survey.TargetsOf(s.surveyRules(c)), c.Live
	f := surveyFigures{Targets: t, Quota: live.VerificationQuota}
	f.Distribution = surveyRateOf("distribution", c.Distributed, c.Households, t.DistributionPct, live.DistributionRate, live.Meets.Distribution, l)
	f.Return = surveyRateOf("return", c.Returned, c.Distributed, t.ReturnPct, live.ReturnRate, live.Meets.Return, l)
	f.Verification = surveyRateOf("verification", c.Verified, c.Returned, t.VerificationPct, live.VerificationRate, live.Meets.Verification, l)
	f.Verification.Note = label("sur.rate.verification_need", f.Quota, t.VerificationPct, c.Verified).In(l)
	f.Authenticity = surveyRateOf("authenticity", c.Genuine, c.Verified, t.AuthenticityPct, live.AuthenticityRate, live.Meets.Authenticity, l)
	f.Raw = surveyRateOf("raw", c.Satisfied, c.Answered, 0, live.RawSatisfaction, nil, l)
	f.Deduction = &surveyRate{Key: "deduction", Name: label("sur.rate.deduction").In(l), Unavailable: live.Deduction == nil,
		Note: label("sur.rate.deduction_note", t.ReturnPct, t.DeductionPer).In(l)}
	f.Satisfaction = &surveyRate{Key: "satisfaction", Name: label("sur.rate.satisfaction").In(l), Unavailable: live.Satisfaction == nil,
		Target: "≥ " + strconv.Itoa(t.MonthlyTargetPct) + "%", Note: label("sur.rate.satisfaction_note").In(l),
		Part: c.Satisfied, Base: c.Answered, Met: live.Meets.Satisfaction}
	if live.Deduction != nil {
		none := *live.Deduction == 0
		f.Deduction.Met, f.Deduction.Value = &none, fmt.Sprintf("%.2f", *live.Deduction)
		f.Satisfaction.Value = fmt.Sprintf("%.2f%%", *live.Satisfaction)
	}
	return f
}

// surveyRateOf shows part ÷ base (the service's rounded value) against
// target (0: none); unavailable while the base is zero.
func surveyRateOf(key string, part, base, target int, value *float64, met *bool, l i18n.Locale) *surveyRate {
	r := &surveyRate{Key: key, Name: label("sur.rate." + key).In(l), Part: part, Base: base,
		Note: label("sur.rate." + key + "_note").In(l), Met: met}
	if target > 0 {
		r.Target = "≥ " + strconv.Itoa(target) + "%"
	}
	if value == nil {
		r.Unavailable = true
		return r
	}
	r.Value = fmt.Sprintf("%.2f%%", *value)
	return r
}

// surveyDate shows a date, "—" when unset.
func surveyDate(d *calendar.Date) string {
	if d == nil || d.IsZero() {
		return "—"
	}
	return d.String()
}

// surveyExact shows a time, "" when unset.
func surveyExact(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return exact(*t)
}
