package web

// The survey report (调查报告, RPT-004): the counts and rates against the
// pack's targets with the deduction (SUR-004 to SUR-008), every question's
// satisfaction against the item target (SUR-010) with a bar chart of its
// answers drawn here as inline SVG (no script, prints as it shows), the
// customers' comments, the forms found fake with their distributors
// (SUR-006), the corrective actions (SUR-003) and the improvement plan
// (SUR-011), under the plan's approval block (SUR-002); the same report as
// an .xlsx workbook from survey.ExportReport.

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"

	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/survey"
)

// surveyCount is a named count (households, forms per channel).
type surveyCount struct {
	Key, Name string
	N         int
}

// surveyQuestionStat is one question of the report.
type surveyQuestionStat struct {
	Key, Text           string
	Item, Scale         bool
	Answered, Satisfied int
	Rate, Mean, Target  string
	Met                 *bool
	Chart               *surveyChart
}

// IsMet reports whether a service item meets its target.
func (q surveyQuestionStat) IsMet() bool { return q.Met != nil && *q.Met }

// Below reports whether a service item is below its target (flagged, SUR-010).
func (q surveyQuestionStat) Below() bool { return q.Met != nil && !*q.Met }

// surveyChart is a horizontal bar chart of a question's options, in the
// coordinates of its SVG viewBox.
type surveyChart struct {
	ID, Title string
	W, H      int
	LabelX    int // right edge of the option names
	BarH      int
	Bars      []surveyBar
}

// surveyBar is one option of a chart.
type surveyBar struct {
	Name      string
	Count     int
	Share     string // of the answers, "40.0%"
	X, Y, W   int    // the bar
	TextY     int    // baseline of its texts
	CountX    int    // where its count is written
	Satisfied bool   // a satisfied answer (SUR-008): green
}

// surveyComments are a text question's answers.
type surveyComments struct {
	Question string
	Items    []string
}

// surveyFake is a form found fake, with its distributor (SUR-006).
type surveyFake struct {
	Number, Household, Distributor, Note string
}

// surveyReportView is the report page.
type surveyReportView struct {
	C                              *survey.Campaign
	R                              *survey.Report
	StatusName, ChannelName        string
	QuestionnaireName, PackName    string
	Figures                        surveyFigures
	Lines                          []*surveyRate
	Counts, Channels               []surveyCount
	Questions                      []surveyQuestionStat
	ItemsBelow                     int
	Comments                       []surveyComments
	Fake                           []surveyFake
	XLSX, Generated                string
	ReportKeep, FormsKeep, PlanKep string
	// The plan's approval block in the header (SUR-002, ARC-018) and the
	// corrective actions (SUR-003).
	Approval surveyApproval
	Actions  []surveyActionRow
}

// Chart geometry (viewBox units).
const (
	chartW      = 440
	chartLabelW = 104 // the option names, right-aligned
	chartBarMax = 236
	chartRow    = 28
	chartBarH   = 18
)

// surveyReport is the report page.
func (s *Server) surveyReport(w http.ResponseWriter, rq *request) error {
	id, _, err := surveyIDs(rq)
	if err != nil {
		return err
	}
	ctx, l := rq.Context(), rq.Lang
	r, err := s.surveys.Report(ctx, rq.P, id)
	if err != nil {
		return err
	}
	c := r.Campaign
	v := &surveyReportView{C: c, R: r, StatusName: surveyStatusName(c.Status, l), ChannelName: surveyChannelName(c.Channel, l),
		QuestionnaireName: s.questionnaireName(c, l), PackName: packName(c.Pack, l), Figures: s.surveyFigures(c, l),
		XLSX: surveyPath(id) + "/report.xlsx", Generated: exact(s.now()), ReportKeep: surveyDate(c.ReportKeepUntil),
		FormsKeep: surveyDate(c.FormsKeepUntil), PlanKep: surveyDate(c.PlanKeepUntil)}
	if pk, ok := s.policy.Get(c.Pack); ok {
		v.PackName = nameIn(pk.Name, l)
	}
	v.Figures.Targets, v.Figures.Quota = r.Targets, r.VerificationQuota
	v.Lines = v.Figures.Lines()
	for _, k := range []struct {
		key string
		n   int
	}{{"households", c.Households}, {"distributed", c.Distributed}, {"returned", c.Returned}, {"verified", c.Verified},
		{"genuine", c.Genuine}, {"answered", c.Answered}, {"satisfied", c.Satisfied}} {
		v.Counts = append(v.Counts, surveyCount{k.key, label("sur.count." + k.key).In(l), k.n})
	}
	for _, ch := range append(append([]string{}, survey.StaffChannels...), survey.AnswerLink) {
		if n := r.Channels[ch]; n > 0 {
			v.Channels = append(v.Channels, surveyCount{ch, surveyAnswerName(ch, l), n})
		}
	}
	rules := s.surveyRules(c)
	qn, _ := rules.Questionnaire(c.Questionnaire)
	for _, q := range r.Questions {
		if q.Kind == policy.QuestionText {
			if len(q.Comments) > 0 {
				v.Comments = append(v.Comments, surveyComments{Question: nameIn(q.Text, l), Items: q.Comments})
			}
			continue
		}
		st := surveyQuestionStat{Key: q.Key, Text: nameIn(q.Text, l), Item: q.Item, Scale: true, Answered: q.Answered,
			Satisfied: q.Satisfied, Met: q.Meets}
		if q.Rate != nil {
			st.Rate = strconv.FormatFloat(*q.Rate, 'f', 2, 64) + "%"
		}
		if q.MeanScore != nil {
			st.Mean = surveyScore(*q.MeanScore)
		}
		if q.Item {
			st.Target = "≥ " + strconv.Itoa(r.Targets.ItemTargetPct) + "%"
		}
		if q.Meets != nil && !*q.Meets {
			v.ItemsBelow++
		}
		st.Chart = surveyBarChart(q, surveySatisfiedOptions(rules, qn, q), l)
		v.Questions = append(v.Questions, st)
	}
	users := map[store.ID]string{}
	v.Approval = s.surveyApprovalOf(rq, c, users)
	v.Actions = s.surveyActionRows(rq, c, r.Actions, users)
	for i := range v.Actions { // the report shows them; the campaign page acts on them
		v.Actions[i].CanDone, v.Actions[i].CanVerify = false, false
	}
	for _, f := range r.Fake {
		v.Fake = append(v.Fake, surveyFake{Number: f.Number, Household: f.Household, Note: f.Note,
			Distributor: s.userName(ctx, users, f.DistributorID, l)})
	}
	pg := s.newPage(rq, "sur.report_h1", "surveys")
	pg.Title = label("sur.report_h1").In(l) + " · " + c.Number
	pg.Data = v
	s.render(w, rq, http.StatusOK, "survey_report", pg)
	return nil
}

// surveySatisfiedOptions are the options of a question that count as
// satisfied under the rules (SUR-008).
func surveySatisfiedOptions(rules policy.SurveyRules, qn *policy.Questionnaire, q survey.QuestionStats) map[string]bool {
	out := map[string]bool{}
	if qn == nil {
		return out
	}
	qq, ok := qn.Question(q.Key)
	if !ok {
		return out
	}
	sc, ok := rules.Scale(qq.Sc)
	if !ok {
		return out
	}
	for _, o := range sc.Options {
		out[o.Key] = rules.Satisfied(sc, o.Key)
	}
	return out
}

// surveyBarChart lays a question's option counts out as horizontal bars,
// the longest bar for the most frequent answer.
func surveyBarChart(q survey.QuestionStats, satisfied map[string]bool, l i18n.Locale) *surveyChart {
	if len(q.Options) == 0 {
		return nil
	}
	c := &surveyChart{ID: "chart-" + q.Key, Title: label("sur.chart_title", nameIn(q.Text, l)).In(l), W: chartW,
		H: len(q.Options)*chartRow + 8, LabelX: chartLabelW - 8, BarH: chartBarH}
	top := 0
	for _, o := range q.Options {
		top = max(top, o.Count)
	}
	for i, o := range q.Options {
		b := surveyBar{Name: nameIn(o.Name, l), Count: o.Count, X: chartLabelW, Y: 4 + i*chartRow + (chartRow-chartBarH)/2,
			Satisfied: satisfied[o.Key]}
		if top > 0 {
			b.W = o.Count * chartBarMax / top
		}
		if o.Count > 0 && b.W < 2 {
			b.W = 2
		}
		b.TextY = b.Y + chartBarH - 5
		b.CountX = b.X + b.W + 6
		if q.Answered > 0 {
			b.Share = strconv.FormatFloat(float64(o.Count)*100/float64(q.Answered), 'f', 1, 64) + "%"
		}
		c.Bars = append(c.Bars, b)
	}
	return c
}

// surveyReportXLSX serves the report as an .xlsx workbook (ExportReport),
// named after the campaign, as the API does.
func (s *Server) surveyReportXLSX(w http.ResponseWriter, rq *request) error {
	id, _, err := surveyIDs(rq)
	if err != nil {
		return err
	}
	c, err := s.surveys.Get(rq.Context(), rq.P, id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer // a failure midway is still an error page
	if err := s.surveys.ExportReport(rq.Context(), rq.P, id, &buf); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", "attachment; filename=\"survey-"+c.Number+".xlsx\"; filename*=UTF-8''"+
		url.PathEscape("满意度调查报告-"+c.Number+".xlsx"))
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "private, no-store")
	_, _ = w.Write(buf.Bytes())
	return nil
}

// ActionForm is an empty form: the report shows the corrective actions
// without their forms (template "suractions").
func (v *surveyReportView) ActionForm(string, store.ID) *Form { return newForm(nil) }
