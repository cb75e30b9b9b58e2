package web

// The customer's survey page (SUR-001: the customer answers without
// signing in): GET and POST /s/{token}, outside the sign-in gate like the
// login page, and like it protected against cross-site posts by the
// application's cross-origin protection (app.Handler). The page shows the
// campaign's title and the questionnaire, never the navigation nor any
// staff data; a used or unknown link is a friendly 404, an expired one or
// one of a closed survey a friendly 410.

import (
	"net/http"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/survey"
)

// Public page states.
const (
	publicForm    = "form"    // the questionnaire
	publicThanks  = "thanks"  // answered
	publicInvalid = "invalid" // unknown or used (404), or answered meanwhile (409)
	publicGone    = "gone"    // expired, or the survey is over (410)
	publicError   = "error"   // anything else
)

// surveyPublicView is the customer's page.
type surveyPublicView struct {
	State             string
	Title, SheetName  string
	Number, Household string
	Expires           string
	Questions         []surveyQuestion
	Status            int
	Heading, Message  string
}

// surveyPublic shows the questionnaire of a live link.
func (s *Server) surveyPublic(w http.ResponseWriter, r *http.Request) {
	rq := s.newRequest(r)
	ls, err := s.surveys.LinkSheet(r.Context(), r.PathValue("token"))
	if err != nil {
		s.surveyPublicFail(w, rq, err)
		return
	}
	s.renderSurveyPublic(w, rq, http.StatusOK, s.surveyPublicSheet(ls, rq.Lang), newForm(nil))
}

// surveyPublicSubmit records the customer's answers; a missing answer shows
// the questionnaire again with the error under the question, a success the
// thank-you page (the link is used up: opening it again is a 404).
func (s *Server) surveyPublicSubmit(w http.ResponseWriter, r *http.Request) {
	rq := s.newRequest(r)
	l, token := rq.Lang, r.PathValue("token")
	if err := r.ParseForm(); err != nil {
		s.surveyPublicFail(w, rq, apperr.Malformed(i18n.T("表单无法读取", "the form cannot be read")))
		return
	}
	f := newForm(cloneValues(r.PostForm))
	_, err := s.surveys.AnswerByLink(r.Context(), token, surveyAnswers(f))
	if err == nil {
		s.renderSurveyPublic(w, rq, http.StatusOK, &surveyPublicView{State: publicThanks, Status: http.StatusOK,
			Heading: label("sur.pub.thanks").In(l), Message: label("sur.pub.thanks_msg").In(l)}, f)
		return
	}
	if !apperr.Is(err, apperr.CodeValidation) {
		s.surveyPublicFail(w, rq, err)
		return
	}
	ls, lerr := s.surveys.LinkSheet(r.Context(), token)
	if lerr != nil {
		s.surveyPublicFail(w, rq, lerr)
		return
	}
	v := s.surveyPublicSheet(ls, l)
	fields := make([]string, 0, len(v.Questions))
	for _, q := range v.Questions {
		fields = append(fields, q.Field)
	}
	failOn(f, err, l, fields)
	s.renderSurveyPublic(w, rq, http.StatusUnprocessableEntity, v, f)
}

// surveyPublicSheet prepares the questionnaire of a link.
func (s *Server) surveyPublicSheet(ls *survey.LinkSheet, l i18n.Locale) *surveyPublicView {
	v := &surveyPublicView{State: publicForm, Status: http.StatusOK, Title: ls.Title, Number: ls.Number,
		Household: ls.Household, Expires: exact(ls.ExpiresAt)}
	if ls.Sheet != nil {
		v.SheetName = nameIn(ls.Sheet.Name, l)
		v.Questions = surveySheetQuestions(ls.Sheet, policy.SurveyRules{}, nil, l)
	}
	return v
}

// surveyPublicFail answers a link that does not work with a friendly page
// of the error's status: unknown or used 404, answered meanwhile 409,
// expired or survey over 410.
func (s *Server) surveyPublicFail(w http.ResponseWriter, rq *request, err error) {
	l := rq.Lang
	v := &surveyPublicView{State: publicError, Status: http.StatusInternalServerError,
		Heading: label("sur.pub.error").In(l), Message: label("sur.pub.error_msg").In(l)}
	e, ok := apperr.As(err)
	switch {
	case !ok:
		s.log.ErrorContext(rq.Context(), "web: survey link failed", "error", err)
	case e.Status == http.StatusNotFound || e.Status == http.StatusConflict:
		v.State, v.Status = publicInvalid, e.Status
		v.Heading, v.Message = label("sur.pub.invalid").In(l), label("sur.pub.invalid_msg").In(l)
	case e.Status == http.StatusGone:
		v.State, v.Status = publicGone, e.Status
		v.Heading, v.Message = label("sur.pub.gone").In(l), e.Message.In(l)
	default:
		v.Status, v.Message = e.Status, e.Message.In(l)
	}
	s.renderSurveyPublic(w, rq, v.Status, v, newForm(nil))
}

// renderSurveyPublic writes the customer's page: bare (no navigation, no
// user), not indexed, and sending no referrer that would carry the token.
func (s *Server) renderSurveyPublic(w http.ResponseWriter, rq *request, status int, v *surveyPublicView, f *Form) {
	pg := s.newPage(rq, "sur.pub.title", "")
	pg.P, pg.Nav, pg.Bare = nil, nil, true // never the staff's layout, even for a signed-in browser
	if v.Title != "" {
		pg.Title = v.Title
	}
	pg.Form = f
	pg.Data = v
	h := w.Header()
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	s.render(w, rq, status, "survey_public", pg)
}
