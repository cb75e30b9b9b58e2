package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"kefu/internal/visit"
)

// statsRow is one rule's figures for the month.
type statsRow struct {
	R                       visit.RuleStats
	RuleName, PackName      string
	VisitRate, Satisfaction string // "50.00%"
	Short                   bool   // signed off below the quota: the visit rate in red
	ShortTitle              string
	Handling                string // "92.86%", "—" when no issue was raised (VIS-012)
	HandlingTitle           string // below the target: why it is red
	ListURL                 string // the month's visits of the rule
}

// visitorRow is one visitor's figures for the month (RPT-001).
type visitorRow struct {
	V                      visit.VisitorStats
	Satisfaction, Handling string // "100.00%"; Handling "—" when nothing was raised
	HandlingShort          bool   // below 100 % (VIS-012)
}

// statsData is the statistics page.
type statsData struct {
	Month, Prev, Next string
	Rows              []statsRow
	Visitors          []visitorRow
}

// visitStats shows a month's figures by rule (VIS-009, VIS-012, VIS-016)
// and by visitor (RPT-001), the current month by default.
func (s *Server) visitStats(w http.ResponseWriter, rq *request) error {
	l := rq.Lang
	month := strings.TrimSpace(rq.URL.Query().Get("month"))
	if month == "" {
		month = s.now().In(shanghai).Format("2006-01")
	}
	form := newForm(url.Values{"month": {month}})
	d := statsData{Month: month}
	if m, err := time.Parse("2006-01", month); err == nil {
		d.Prev, d.Next = m.AddDate(0, -1, 0).Format("2006-01"), m.AddDate(0, 1, 0).Format("2006-01")
	}
	rows, err := s.visits.Stats(rq.Context(), rq.P, month)
	if err != nil && !form.fail(err, l, "month") {
		return err
	}
	for _, r := range rows {
		row := statsRow{R: r, RuleName: s.visitRuleName(r.Pack, r.Rule, l), PackName: packName(r.Pack, l),
			VisitRate: fmt.Sprintf("%.2f%%", r.VisitRate), Satisfaction: fmt.Sprintf("%.2f%%", r.Satisfaction),
			Short:   r.SignedOff < r.Quota,
			ListURL: "/visits?" + url.Values{"tab": {visitTabAll}, "rule": {r.Rule}, "month": {month}}.Encode()}
		if pk, ok := s.policy.Get(r.Pack); ok {
			row.PackName = nameIn(pk.Name, l)
		}
		if row.Short {
			row.ShortTitle = label("vis.st.short", r.SignedOff, r.Quota).In(l)
		}
		row.Handling = "—"
		if r.IssuesRaised > 0 {
			row.Handling = fmt.Sprintf("%.2f%%", r.HandlingRate)
		}
		if r.HandlingFlag {
			row.HandlingTitle = label("vis.st.handling_short", r.IssuesAnswered, r.IssuesRaised, r.HandlingTargetPct).In(l)
		}
		d.Rows = append(d.Rows, row)
	}
	if err == nil {
		visitors, err := s.visits.VisitorStats(rq.Context(), rq.P, month)
		if err != nil {
			return err
		}
		for _, v := range visitors {
			row := visitorRow{V: v, Satisfaction: fmt.Sprintf("%.2f%%", v.Satisfaction), Handling: "—",
				HandlingShort: v.IssuesAnswered < v.IssuesRaised}
			if v.IssuesRaised > 0 {
				row.Handling = fmt.Sprintf("%.2f%%", v.HandlingRate)
			}
			d.Visitors = append(d.Visitors, row)
		}
	}
	pg := s.newPage(rq, "vis.stats", "visits")
	pg.Form = form
	pg.Data = d
	s.render(w, rq, statusOrOK(form), "visit_stats", pg)
	return nil
}
