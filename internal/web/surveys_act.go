package web

// The actions of the campaign page: the counts of a hand-counted campaign,
// issuing forms to the sampled households, drawing and recording the
// verification (SUR-006), and closing with the improvement plan (SUR-011).
// Each refusal shows the campaign page again with the error under the
// field the service names.

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
	"kefu/internal/store"
	"kefu/internal/survey"
)

// surveyCountFields are the inputs of the counts form.
var surveyCountFields = []string{"households", "distributed", "returned", "verified", "genuine", "answered", "satisfied"}

// surveyCounts records the counts of a hand-counted campaign, or the
// occupied households of one run on forms.
func (s *Server) surveyCounts(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	n := map[string]int{}
	valid := true
	for _, k := range surveyCountFields {
		v, ok := surveyInt(f, k, rq.Lang)
		n[k], valid = v, valid && ok
	}
	if !valid {
		return s.surveyAgain(w, rq, id, "counts", f, http.StatusUnprocessableEntity)
	}
	if _, err := s.surveys.UpdateCounts(rq.Context(), rq.P, id, survey.CountsInput{Households: n["households"],
		Distributed: n["distributed"], Returned: n["returned"], Verified: n["verified"], Genuine: n["genuine"],
		Answered: n["answered"], Satisfied: n["satisfied"]}); err != nil {
		return s.surveyRefused(w, rq, id, "counts", f, err, surveyCountFields)
	}
	s.seeOther(w, rq.Request, surveyPath(id), "survey_counts")
	return nil
}

// surveyClose closes the campaign with its improvement plan (SUR-011).
func (s *Server) surveyClose(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	if _, err := s.surveys.Close(rq.Context(), rq.P, id, survey.CloseInput{ImprovementPlan: f.Get("improvement_plan")}); err != nil {
		return s.surveyRefused(w, rq, id, "close", f, err, []string{"improvement_plan"})
	}
	s.seeOther(w, rq.Request, surveyPath(id), "survey_closed")
	return nil
}

// surveyHouseholdField is a field of one household the service names.
var surveyHouseholdField = regexp.MustCompile(`^households\[(\d+)\]\.(household|name|phone)$`)

// surveyHouseholdSep separates the columns of a line: comma (either width) or tab.
var surveyHouseholdSep = regexp.MustCompile(`[,，\t]`)

// surveyParseHouseholds reads the households textarea, one household a line,
// "房号,姓名,电话" (name and phone optional). Line i is households[i-1], so
// the service's errors name the line; a line of more than three columns is
// refused here (ok false, the error set under the textarea).
func surveyParseHouseholds(f *Form, l i18n.Locale) ([]survey.Household, bool) {
	text := strings.TrimRight(strings.ReplaceAll(f.Get("households"), "\r\n", "\n"), " \t\n")
	if strings.TrimSpace(text) == "" {
		return nil, true
	}
	var out []survey.Household
	for i, line := range strings.Split(text, "\n") {
		cols := surveyHouseholdSep.Split(line, -1)
		if len(cols) > 3 {
			f.Errors["households"] = label("sur.line_err", i+1, label("sur.hh.line").In(l), label("sur.too_many_cols").In(l)).In(l)
			return nil, false
		}
		h := survey.Household{Household: strings.TrimSpace(cols[0])}
		if len(cols) > 1 {
			h.Name = strings.TrimSpace(cols[1])
		}
		if len(cols) > 2 {
			h.Phone = strings.TrimSpace(cols[2])
		}
		out = append(out, h)
	}
	return out, true
}

// surveyIssue issues forms to the households of the textarea; an error of
// one household is shown under the textarea naming its line.
func (s *Server) surveyIssue(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	l := rq.Lang
	hs, ok := surveyParseHouseholds(f, l)
	if !ok {
		return s.surveyAgain(w, rq, id, "issue", f, http.StatusUnprocessableEntity)
	}
	if _, err := s.surveys.Issue(rq.Context(), rq.P, id, survey.IssueInput{Households: hs,
		DistributorID: f.id("distributor_id")}); err != nil {
		if e, ok := apperr.As(err); ok {
			if m := surveyHouseholdField.FindStringSubmatch(e.Field); m != nil {
				i, _ := strconv.Atoi(m[1])
				f.Errors["households"] = label("sur.line_err", i+1, label("sur.hh."+m[2]).In(l), e.Message.In(l)).In(l)
				return s.surveyAgain(w, rq, id, "issue", f, e.Status)
			}
		}
		return s.surveyRefused(w, rq, id, "issue", f, err, []string{"households", "distributor_id"})
	}
	s.seeOther(w, rq.Request, surveyPath(id)+"?forms="+string(survey.FormIssued)+"#forms", "survey_issued")
	return nil
}

// surveyDraw draws the returned forms to verify (SUR-006).
func (s *Server) surveyDraw(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	d, err := s.surveys.DrawVerification(rq.Context(), rq.P, id)
	if err != nil {
		return s.surveyRefused(w, rq, id, "draw", f, err, nil)
	}
	flash := "survey_drawn"
	if d.Picked == 0 {
		flash = "survey_drawn_none"
	}
	s.seeOther(w, rq.Request, surveyPath(id)+"#verification", flash)
	return nil
}

// surveyVerify records a drawn form as genuine or fake; a fake form needs
// the note (SUR-006).
func (s *Server) surveyVerify(w http.ResponseWriter, rq *request) error {
	id, form, err := surveyIDs(rq)
	if err != nil {
		return err
	}
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	if _, err := s.surveys.Verify(rq.Context(), rq.P, id, form, survey.VerifyInput{Result: f.text("result"),
		Note: f.Get("note")}); err != nil {
		if !failOn(f, err, rq.Lang, []string{"result", "note"}) {
			return err
		}
		v, verr := s.surveyView(rq, id, "verify", f)
		if verr != nil {
			return verr
		}
		v.FailedForm = form
		s.renderSurvey(w, rq, statusOf(err), v)
		return nil
	}
	s.seeOther(w, rq.Request, surveyPath(id)+"#verification", "survey_verified")
	return nil
}

// surveyRefused shows the campaign page again after err refused the form
// f of action: the error under its field (one of fields), else as the
// form's alert. An error that is not the caller's is returned (a 500).
func (s *Server) surveyRefused(w http.ResponseWriter, rq *request, id store.ID, action string, f *Form, err error,
	fields []string) error {
	if !failOn(f, err, rq.Lang, fields) {
		return err
	}
	return s.surveyAgain(w, rq, id, action, f, statusOf(err))
}

// surveyAgain shows the campaign page with the refused form f of action.
func (s *Server) surveyAgain(w http.ResponseWriter, rq *request, id store.ID, action string, f *Form, status int) error {
	v, err := s.surveyView(rq, id, action, f)
	if err != nil {
		return err
	}
	s.renderSurvey(w, rq, status, v)
	return nil
}
