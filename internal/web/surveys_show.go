package web

import (
	"net/http"
	"net/url"
	"strconv"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
	"kefu/internal/survey"
)

// surveyFormsPage is how many forms the campaign page lists at a time.
const surveyFormsPage = 100

// surveyFormRow is one form of a campaign's lists.
type surveyFormRow struct {
	F                          *survey.Form
	StatusName, StatusClass    string
	ChannelName                string
	SatisfiedName, SatisfiedCl string // once returned
	Score                      string
	VerifyName, VerifyClass    string
	Distributor                string
	Link                       string // the form's page
}

// surveyView is the campaign page.
type surveyView struct {
	C                             *survey.Campaign
	StatusName, StatusClass       string
	ChannelName, PackName         string
	QuestionnaireName             string
	Created, CreatedBy, ClosedAt  string
	Figures                       surveyFigures
	Lines                         []*surveyRate
	CanWrite, CanAnswer, Open     bool
	HandCounted                   bool
	ReportKeep, FormsKeep, PlanKp string
	// The forms of a questionnaire campaign: a page of them (filtered by
	// status), and every form drawn for verification (SUR-006).
	Forms             []surveyFormRow
	FormStatus        string
	FormStatuses      []option
	NextURL, FirstURL string
	Drawn             []surveyFormRow
	DrawnLeft         int // drawn forms not verified yet
	Distributors      []option
	// Published: the plan is approved (SUR-002); until then the page
	// offers the sample and the plan's approval, not answers or counts.
	Published bool
	Approval  surveyApproval
	Channels  []option // the plan form's
	// The corrective actions (SUR-003) and the departments of the company
	// they may be opened for.
	Actions       []surveyActionRow
	CanOpenAction bool
	ActionsHint   string // why no action can be opened now
	Departments   []option
	// Failed names the form refused (counts, issue, close, draw, verify,
	// plan, submit, review, approve, return, action, done, averify),
	// FailedForm the survey form or corrective action whose form was
	// refused; Form holds its values and errors.
	Failed     string
	FailedForm store.ID
	planForm   *Form // the plan's values for its edit form
	Form       *Form
	Counts     *Form
	Issue      *Form
	Close      *Form
}

// F returns the form of an action: the refused one as sent, else empty.
func (v *surveyView) F(action string) *Form {
	if v.Failed == action && v.Form != nil {
		return v.Form
	}
	return newForm(nil)
}

// VerifyForm is the verification form of one drawn form.
func (v *surveyView) VerifyForm(id store.ID) *Form {
	if v.Failed == "verify" && v.FailedForm == id && v.Form != nil {
		return v.Form
	}
	return newForm(nil)
}

// Alert is the refusal of the verification card's actions (drawing,
// recording a result) that names no input of it.
func (v *surveyView) Alert() string {
	if (v.Failed == "draw" || v.Failed == "verify") && v.Form != nil {
		return v.Form.Alert
	}
	return ""
}

// TopAlert is a refusal whose form the page does not show (the campaign
// closed meanwhile, a hand-counted campaign has no forms to issue, the
// caller may not write): it is shown at the top of the page.
func (v *surveyView) TopAlert() string {
	if v.Form == nil || v.Form.Alert == "" {
		return ""
	}
	shown := v.CanWrite && v.Open
	switch v.Failed {
	case "issue", "draw", "verify":
		shown = shown && !v.HandCounted && (v.Published || v.Failed == "issue")
	case "plan", "submit", "review", "approve", "return":
		shown = v.Approval.Shows(v.Failed)
	case "action":
		shown = v.CanOpenAction
	case "done", "averify":
		shown = v.actionFormShown(v.Failed, v.FailedForm)
	}
	if shown {
		return ""
	}
	return v.Form.Alert
}

// surveyShow is the campaign page.
func (s *Server) surveyShow(w http.ResponseWriter, rq *request) error {
	id, _, err := surveyIDs(rq)
	if err != nil {
		return err
	}
	v, err := s.surveyView(rq, id, "", nil)
	if err != nil {
		return err
	}
	s.renderSurvey(w, rq, http.StatusOK, v)
	return nil
}

func (s *Server) renderSurvey(w http.ResponseWriter, rq *request, status int, v *surveyView) {
	pg := s.newPage(rq, "sur.title", "surveys")
	pg.Title = v.C.Number + " · " + v.C.Title
	pg.Data = v
	s.render(w, rq, status, "survey", pg)
}

// surveyView reads a campaign with its forms and prepares its page;
// failed names the form f that was refused.
func (s *Server) surveyView(rq *request, id store.ID, failed string, f *Form) (*surveyView, error) {
	ctx, l, p := rq.Context(), rq.Lang, rq.P
	c, err := s.surveys.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	v := &surveyView{C: c, StatusName: surveyStatusName(c.Status, l), StatusClass: surveyStatusClass(c.Status),
		ChannelName: surveyChannelName(c.Channel, l), PackName: packName(c.Pack, l),
		QuestionnaireName: s.questionnaireName(c, l), Created: exact(c.CreatedAt), ClosedAt: surveyExact(c.ClosedAt),
		Figures: s.surveyFigures(c, l), CanWrite: p.Can(auth.PermSurveysWrite), CanAnswer: p.Can(auth.PermSurveysAnswer),
		Open: c.Status != survey.StatusClosed, HandCounted: c.Questionnaire == "", Failed: failed, Form: f,
		Published:  c.Approved(),
		ReportKeep: surveyDate(c.ReportKeepUntil), FormsKeep: surveyDate(c.FormsKeepUntil), PlanKp: surveyDate(c.PlanKeepUntil)}
	if pk, ok := s.policy.Get(c.Pack); ok {
		v.PackName = nameIn(pk.Name, l)
	}
	v.Lines = v.Figures.Lines()
	users := map[store.ID]string{}
	v.CreatedBy = s.userName(ctx, users, c.CreatedBy, l)
	v.Counts, v.Issue, v.Close = v.F("counts"), v.F("issue"), v.F("close")
	if err := s.surveyPlanParts(rq, v, users); err != nil { // SUR-002, SUR-003
		return nil, err
	}
	if failed != "counts" {
		for k, n := range map[string]int{"households": c.Households, "distributed": c.Distributed, "returned": c.Returned,
			"verified": c.Verified, "genuine": c.Genuine, "answered": c.Answered, "satisfied": c.Satisfied} {
			v.Counts.Values.Set(k, strconv.Itoa(n))
		}
	}
	if v.HandCounted {
		return v, nil
	}
	q := rq.URL.Query()
	v.FormStatus = q.Get("forms")
	for _, st := range []survey.FormStatus{survey.FormIssued, survey.FormReturned} {
		v.FormStatuses = append(v.FormStatuses, option{string(st), surveyFormStatusName(st, l)})
	}
	ff := survey.FormFilter{Status: survey.FormStatus(v.FormStatus), Limit: surveyFormsPage}
	if a, err := strconv.Atoi(q.Get("after")); err == nil && a > 0 {
		ff.After = a
	}
	forms, err := s.surveys.Forms(ctx, p, id, ff)
	if err != nil {
		if !apperr.Is(err, apperr.CodeValidation) {
			return nil, err
		}
		v.FormStatus, ff.Status = "", "" // an unknown status filter: all forms
		if forms, err = s.surveys.Forms(ctx, p, id, ff); err != nil {
			return nil, err
		}
	}
	for _, fm := range forms {
		v.Forms = append(v.Forms, s.surveyFormRow(rq, c, fm, users))
	}
	if len(forms) == ff.Limit {
		nq := url.Values{"after": {strconv.Itoa(forms[len(forms)-1].Serial)}}
		if v.FormStatus != "" {
			nq.Set("forms", v.FormStatus)
		}
		v.NextURL = surveyPath(id) + "?" + nq.Encode() + "#forms"
	}
	if ff.After > 0 {
		v.FirstURL = surveyPath(id) + "#forms"
		if v.FormStatus != "" {
			v.FirstURL = surveyPath(id) + "?forms=" + url.QueryEscape(v.FormStatus) + "#forms"
		}
	}
	drawn, err := s.surveys.Forms(ctx, p, id, survey.FormFilter{Drawn: true, Limit: survey.MaxIssue})
	if err != nil {
		return nil, err
	}
	for _, fm := range drawn {
		v.Drawn = append(v.Drawn, s.surveyFormRow(rq, c, fm, users))
		if fm.VerifyResult == "" {
			v.DrawnLeft++
		}
	}
	if v.CanWrite && v.Open {
		if cs, err := s.auth.Colleagues(ctx, p, 500); err == nil {
			for _, k := range cs {
				name := k.DisplayName
				if k.OrgUnitName != "" {
					name += "（" + k.OrgUnitName + "）"
				}
				v.Distributors = append(v.Distributors, option{k.ID.String(), name})
			}
		}
	}
	return v, nil
}

// surveyFormRow prepares one form of the lists.
func (s *Server) surveyFormRow(rq *request, c *survey.Campaign, f *survey.Form, users map[store.ID]string) surveyFormRow {
	l := rq.Lang
	r := surveyFormRow{F: f, StatusName: surveyFormStatusName(f.Status, l), StatusClass: surveyFormStatusClass(f.Status),
		Link: surveyFormPath(c.ID, f.ID)}
	if f.Channel != "" {
		r.ChannelName = surveyAnswerName(f.Channel, l)
	}
	if f.Status == survey.FormReturned {
		r.SatisfiedName, r.SatisfiedCl = label("sur.dissatisfied").In(l), "badge-red"
		if f.Satisfied {
			r.SatisfiedName, r.SatisfiedCl = label("sur.satisfied").In(l), "badge-green"
		}
		if f.Score != nil {
			r.Score = strconv.FormatFloat(*f.Score, 'f', 2, 64)
		}
	}
	if f.VerifyResult != "" {
		r.VerifyName = labelOr("sur.verify."+f.VerifyResult, f.VerifyResult, l)
		r.VerifyClass = "badge-green"
		if f.VerifyResult == survey.VerifyFake {
			r.VerifyClass = "badge-red"
		}
	} else if f.VerifyDrawn {
		r.VerifyName, r.VerifyClass = label("sur.verify.drawn").In(l), "badge-amber"
	}
	if f.DistributorID != 0 {
		r.Distributor = s.userName(rq.Context(), users, f.DistributorID, l)
	}
	return r
}

func surveyFormStatusName(st survey.FormStatus, l i18n.Locale) string {
	return labelOr("sur.form_status."+string(st), string(st), l)
}

// surveyFormStatusClass: issued amber (waiting for the answer), returned green.
func surveyFormStatusClass(st survey.FormStatus) string {
	if st == survey.FormReturned {
		return "st st-resolved"
	}
	return "st st-in_progress"
}

// surveyAnswerName names the way a form was answered (电话调查, 当面…).
func surveyAnswerName(ch string, l i18n.Locale) string {
	return labelOr("sur.answer."+ch, ch, l)
}
