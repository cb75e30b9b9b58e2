package web

// One survey form (调查表): the household and where the form stands; for
// an issued form the staff's answer form — the questionnaire's questions
// with the customer's choices, on the phone, in person (the customer signs
// on the pad of visits.js) or from a paper form — and the customer's link;
// for a returned form the answers, the score and whether it is satisfied.

import (
	"net/http"
	"strconv"
	"strings"

	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/survey"
)

// surveyQuestion is one question of the form page and the customer's page.
type surveyQuestion struct {
	N               int // its number on the sheet, from 1
	Key, Text       string
	Scale           bool // answered with an option; else text
	Item, Optional  bool
	Options         []option
	Field           string // the input's name: answers.<key>
	Answer          string // a returned form's answer, as its option's name
	AnswerSatisfied bool   // the answer is a satisfied one (SUR-008)
}

// surveyQuestionInput is a question with its input's value and error
// (template "surquestion"); Staff shows the staff's marks.
type surveyQuestionInput struct {
	Q          surveyQuestion
	Value, Err string
	Staff      bool
}

// With is the question as an input of the form f.
func (q surveyQuestion) With(f *Form, staff bool) surveyQuestionInput {
	return surveyQuestionInput{Q: q, Value: f.Get(q.Field), Err: f.Err(q.Field), Staff: staff}
}

// surveyFormView is the page of one form.
type surveyFormView struct {
	C                      *survey.Campaign
	Row                    surveyFormRow
	SheetName              string
	Questions              []surveyQuestion
	CanAnswer, CanLink     bool
	Closed                 bool
	Answer                 *Form    // the answer form: values and errors
	Channels               []option // the staff's ways of answering
	FaceToFace             bool     // chosen: the pad is shown
	LinkURL, LinkExpires   string   // a link just issued, shown once
	LinkPending            string   // an unused link's expiry
	Created                string
	AnsweredAt, AnsweredBy string
	VerifiedAt, VerifiedBy string
	Alert                  string
}

// F is the form itself.
func (v *surveyFormView) F() *survey.Form { return v.Row.F }

// Fields are the inputs of the answer form that can carry an error.
func (v *surveyFormView) Fields() []string {
	out := []string{"channel", "signature"}
	for _, q := range v.Questions {
		out = append(out, q.Field)
	}
	return out
}

// surveyFormShow is the page of one form.
func (s *Server) surveyFormShow(w http.ResponseWriter, rq *request) error {
	id, form, err := surveyIDs(rq)
	if err != nil {
		return err
	}
	v, err := s.surveyFormView(rq, id, form, nil)
	if err != nil {
		return err
	}
	s.renderSurveyForm(w, rq, http.StatusOK, v)
	return nil
}

func (s *Server) renderSurveyForm(w http.ResponseWriter, rq *request, status int, v *surveyFormView) {
	pg := s.newPage(rq, "sur.title", "surveys")
	pg.Title = v.F().Number + " · " + v.F().Household
	pg.Data = v
	s.render(w, rq, status, "survey_form", pg)
}

// surveyFormView reads a form with its campaign and questionnaire; f is the
// answer form as sent (nil: a fresh one, by phone).
func (s *Server) surveyFormView(rq *request, id, formID store.ID, f *Form) (*surveyFormView, error) {
	ctx, l, p := rq.Context(), rq.Lang, rq.P
	c, err := s.surveys.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	fm, err := s.surveys.Form(ctx, p, id, formID)
	if err != nil {
		return nil, err
	}
	users := map[store.ID]string{}
	v := &surveyFormView{C: c, Row: s.surveyFormRow(rq, c, fm, users), Closed: c.Status == survey.StatusClosed,
		Created: exact(fm.CreatedAt), AnsweredAt: surveyExact(fm.AnsweredAt), VerifiedAt: surveyExact(fm.VerifiedAt),
		AnsweredBy: s.userName(ctx, users, fm.AnsweredBy, l), VerifiedBy: s.userName(ctx, users, fm.VerifiedBy, l),
		LinkPending: surveyExact(fm.LinkExpiresAt), Answer: f}
	if fm.Status == survey.FormReturned && fm.AnsweredBy == 0 && fm.Channel == survey.AnswerLink {
		v.AnsweredBy = label("sur.by_customer").In(l)
	}
	open := fm.Status == survey.FormIssued && !v.Closed && c.Approved() // SUR-002: published
	v.CanAnswer = open && p.Can(auth.PermSurveysAnswer)
	v.CanLink = v.CanAnswer
	sheet, err := s.surveys.SheetOf(c)
	if err != nil {
		return nil, err
	}
	v.SheetName = nameIn(sheet.Name, l)
	v.Questions = surveySheetQuestions(sheet, s.surveyRules(c), fm.Answers, l)
	for _, ch := range survey.StaffChannels {
		v.Channels = append(v.Channels, option{ch, surveyAnswerName(ch, l)})
	}
	if v.Answer == nil {
		v.Answer = newForm(nil)
		v.Answer.Values.Set("channel", survey.AnswerPhone)
	}
	v.FaceToFace = v.Answer.Get("channel") == survey.AnswerFaceToFace
	return v, nil
}

// surveySheetQuestions are a questionnaire's questions as the pages show them,
// with the answers of a returned form (nil: none).
func surveySheetQuestions(sh *survey.Sheet, rules policy.SurveyRules, answers map[string]string, l i18n.Locale) []surveyQuestion {
	qn, _ := rules.Questionnaire(sh.Key)
	var out []surveyQuestion
	for i, q := range sh.Questions {
		sq := surveyQuestion{N: i + 1, Key: q.Key, Text: nameIn(q.Text, l), Scale: q.Kind != policy.QuestionText, Item: q.Item,
			Optional: q.Optional, Field: "answers." + q.Key}
		for _, o := range q.Options {
			sq.Options = append(sq.Options, option{o.Key, nameIn(o.Name, l)})
		}
		if a, ok := answers[q.Key]; ok {
			sq.Answer = a
			for _, o := range sq.Options {
				if o.Key == a {
					sq.Answer = o.Name
				}
			}
			if qn != nil && sq.Scale {
				if qq, ok := qn.Question(q.Key); ok {
					if sc, ok := rules.Scale(qq.Sc); ok {
						sq.AnswerSatisfied = rules.Satisfied(sc, a)
					}
				}
			}
		}
		out = append(out, sq)
	}
	return out
}

// surveyAnswers are the answers of a posted form: the non-empty answers.<key>
// inputs.
func surveyAnswers(f *Form) map[string]string {
	out := map[string]string{}
	for k := range f.Values {
		if key, ok := strings.CutPrefix(k, "answers."); ok && key != "" {
			if v := strings.TrimSpace(f.Get(k)); v != "" {
				out[key] = v
			}
		}
	}
	return out
}

// surveyAnswer records the answers given to staff; a refusal shows the
// form again with the error under the question (or channel, signature) the
// service names.
func (s *Server) surveyAnswer(w http.ResponseWriter, rq *request) error {
	id, form, err := surveyIDs(rq)
	if err != nil {
		return err
	}
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	in := survey.AnswerInput{Channel: f.text("channel"), Answers: surveyAnswers(f)}
	if sig := f.text("signature"); strings.HasPrefix(sig, survey.SignaturePrefix) {
		in.Signature = sig
	}
	if _, err := s.surveys.Answer(rq.Context(), rq.P, id, form, in); err != nil {
		v, verr := s.surveyFormView(rq, id, form, f)
		if verr != nil {
			return verr
		}
		if !failOn(f, err, rq.Lang, v.Fields()) {
			return err
		}
		if !v.CanAnswer {
			v.Alert = f.Alert
		}
		s.renderSurveyForm(w, rq, statusOf(err), v)
		return nil
	}
	s.seeOther(w, rq.Request, surveyFormPath(id, form), "survey_answered")
	return nil
}

// surveyLink issues the customer's link and shows it once, as an absolute
// address on the host the page was asked for (the token is not kept).
func (s *Server) surveyLink(w http.ResponseWriter, rq *request) error {
	id, form, err := surveyIDs(rq)
	if err != nil {
		return err
	}
	link, err := s.surveys.IssueLink(rq.Context(), rq.P, id, form)
	v, verr := s.surveyFormView(rq, id, form, nil)
	if verr != nil {
		return verr
	}
	if err != nil {
		f := newForm(nil)
		if !failOn(f, err, rq.Lang, nil) {
			return err
		}
		v.Alert = f.Alert
		s.renderSurveyForm(w, rq, statusOf(err), v)
		return nil
	}
	v.LinkURL, v.LinkExpires, v.LinkPending = s.absoluteURL(rq, link.Path), exact(link.ExpiresAt), ""
	s.renderSurveyForm(w, rq, http.StatusOK, v)
	return nil
}

// absoluteURL is path on the scheme and host of the request.
func (s *Server) absoluteURL(rq *request, path string) string {
	scheme := "http"
	if rq.TLS != nil || s.secure {
		scheme = "https"
	}
	return scheme + "://" + rq.Host + path
}

// surveyScore shows a score with two decimals.
func surveyScore(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
