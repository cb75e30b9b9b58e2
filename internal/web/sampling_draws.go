package web

// The stored draws of supervision sampling (issue 10, SMP-003 to SMP-009):
// the draw form and list on /sampling, one draw's plan figures and tasks
// on /sampling/draws/{id}, closing and cancelling it, and a check session
// of several tasks at once for rules with a session minimum (SMP-009).

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/sampling"
	"kefu/internal/store"
)

// samplingDraws is the draw form and the draw list of /sampling.
type samplingDraws struct {
	On       bool // the sampling service runs
	CanDraw  bool
	Form     *Form
	Rules    []option // rules with a population
	People   []option // who may be checked
	Checkers []option // who may check
	Filter   *Form    // f_rule, f_user, f_period, f_status
	Statuses []option
	Rows     []samplingDrawRow
	Next     string
}

// samplingDrawRow is one draw of the list.
type samplingDrawRow struct {
	D                       *sampling.DrawRecord
	Checked, Checker        string
	StatusName, StatusClass string
	Due                     string
}

func (s *Server) samplingStoreRoutes() {
	if s.sampler == nil {
		return
	}
	s.page("POST /sampling/draws", auth.PermSamplingWrite, s.samplingDrawCreate)
	s.page("GET /sampling/draws/{id}", auth.PermSamplingRead, s.samplingDrawShow)
	s.page("POST /sampling/draws/{id}/close", auth.PermSamplingWrite, s.samplingDrawClose)
	s.page("POST /sampling/draws/{id}/cancel", auth.PermSamplingWrite, s.samplingDrawCancel)
	s.page("POST /sampling/draws/{id}/verify", auth.PermSamplingRead, s.samplingSessionVerify)
	s.page("GET /sampling/tasks/{id}", auth.PermSamplingRead, s.samplingTaskShow)
	s.page("POST /sampling/tasks/{id}", auth.PermSamplingRead, s.samplingTaskVerify)
	s.page("GET /sampling/ledger", auth.PermSamplingRead, s.samplingLedger)
	s.page("GET /sampling/ledger/print", auth.PermSamplingRead, s.samplingLedgerPrint)
	s.page("GET /sampling/ledger/{id}", auth.PermSamplingRead, s.samplingEntryShow)
	s.page("POST /sampling/ledger/{id}/escalate", auth.PermSamplingRead, s.samplingEscalate)
	s.page("POST /sampling/ledger/{id}/decide", auth.PermSamplingRead, s.samplingDecide)
	s.page("GET /sampling/failures", auth.PermSamplingRead, s.samplingFailures)
	s.page("POST /sampling/failures", auth.PermSamplingWrite, s.samplingFailureCreate)
}

// samplingDrawFields are the inputs of the draw form that carry errors.
var samplingDrawFields = []string{"rule", "checked_user_id", "checked_position", "checker_id", "checker_position",
	"period", "population", "rate_pct", "items"}

// drawStatusClass is the badge of a draw status.
func drawStatusClass(st sampling.DrawStatus) string {
	switch st {
	case sampling.DrawOpen:
		return "badge-blue"
	case sampling.DrawClosed:
		return "badge-green"
	}
	return "badge-grey"
}

// samplingDrawsPart fills the draw form's choices and the filtered list.
func (s *Server) samplingDrawsPart(rq *request, pack *policy.Pack, dd *samplingDraws, form *Form) error {
	if s.sampler == nil {
		return nil
	}
	l, sr := rq.Lang, &pack.Sampling
	dd.On, dd.CanDraw = true, rq.P.Can(auth.PermSamplingWrite)
	if form == nil {
		form = newForm(nil)
	}
	dd.Form = form
	for _, r := range sr.Rules {
		if r.HasQuota() {
			dd.Rules = append(dd.Rules, option{r.Key, nameIn(r.Name, l)})
		}
	}
	checked, checkers := map[string]bool{}, map[string]bool{}
	for _, lv := range sr.Levels {
		for _, c := range lv.Checked {
			checked[c] = true
		}
		for _, c := range lv.Checkers {
			checkers[c] = true
		}
	}
	people, err := s.sampler.Candidates(rq.Context(), rq.P)
	if err != nil {
		return err
	}
	names := map[store.ID]string{}
	for _, c := range people {
		names[c.ID] = c.Name
		var as, bs []string
		for _, pos := range c.Positions {
			n := positionLabel(sr, pos, l)
			if checked[pos] {
				as = append(as, n)
			}
			if checkers[pos] {
				bs = append(bs, n)
			}
		}
		if len(as) > 0 {
			dd.People = append(dd.People, option{c.ID.String(), c.Name + "（" + strings.Join(as, "、") + "）"})
		}
		if len(bs) > 0 {
			dd.Checkers = append(dd.Checkers, option{c.ID.String(), c.Name + "（" + strings.Join(bs, "、") + "）"})
		}
	}
	q := rq.URL.Query()
	dd.Filter = newForm(q)
	for _, st := range []sampling.DrawStatus{sampling.DrawOpen, sampling.DrawClosed, sampling.DrawCancelled} {
		dd.Statuses = append(dd.Statuses, option{string(st), label("smp.draw_status." + string(st)).In(l)})
	}
	f := sampling.DrawFilter{Rule: q.Get("f_rule"), Period: q.Get("f_period"), Status: sampling.DrawStatus(q.Get("f_status")),
		CheckedUserID: dd.Filter.id("f_user"), Limit: 50}
	if c := q.Get("before"); c != "" {
		f.Before, _ = store.ParseID(c)
	}
	rows, err := s.sampler.ListDraws(rq.Context(), rq.P, f)
	if err != nil {
		if !dd.Filter.fail(err, l) {
			return err
		}
		return nil
	}
	for _, d := range rows {
		dd.Rows = append(dd.Rows, samplingDrawRow{D: d, Checked: d.CheckedUser, Checker: d.Checker,
			StatusName: label("smp.draw_status." + string(d.Status)).In(l), StatusClass: drawStatusClass(d.Status),
			Due: exact(d.DueAt)})
	}
	if len(rows) == f.Limit {
		v := rq.URL.Query()
		v.Set("before", rows[len(rows)-1].ID.String())
		dd.Next = "/sampling?" + v.Encode()
	}
	return nil
}

// positionLabel is a position's name.
func positionLabel(sr *policy.SamplingRules, key string, l i18n.Locale) string {
	if p, ok := sr.Position(key); ok {
		return nameIn(p.Name, l)
	}
	return key
}

// methodLabel is a check method's name.
func methodLabel(m string, l i18n.Locale) string {
	for _, sm := range policy.SamplingMethods {
		if sm.Key == m {
			return nameIn(sm.Name, l)
		}
	}
	return m
}

// parseItems reads the pasted population: one item a line, "id,stratum"
// (comma, tab or spaces), the stratum left out for rules without strata;
// a header line "id,stratum" and blank lines are skipped.
func parseItems(text string) ([]sampling.Item, error) {
	var out []sampling.Item
	for n, line := range strings.Split(text, "\n") {
		fields := strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == '，' || r == '\t' || r == ' ' || r == '\r' })
		if len(fields) == 0 {
			continue
		}
		if k := strings.ToLower(fields[0]); n == 0 && (k == "id" || k == "编号") {
			continue
		}
		if len(fields) > 2 {
			return nil, apperr.Validation("items", label("smp.items_line", n+1))
		}
		it := sampling.Item{ID: fields[0]}
		if len(fields) == 2 {
			it.Stratum = fields[1]
		}
		out = append(out, it)
	}
	return out, nil
}

// samplingDrawCreate draws from the form; a refusal shows the page again
// with the error under its field.
func (s *Server) samplingDrawCreate(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	in := sampling.DrawInput{Rule: f.text("rule"), CheckedUserID: f.id("checked_user_id"), CheckerID: f.id("checker_id"),
		Period: f.text("period")}
	for field, dst := range map[string]*int{"population": &in.Population, "rate_pct": &in.RatePct} {
		if v := f.text(field); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				f.Errors[field] = label("smp.bad_number").In(rq.Lang)
			}
			*dst = n
		}
	}
	if !f.HasErrors() {
		in.Items, err = parseItems(f.Get("items"))
	}
	var d *sampling.DrawRecord
	if err == nil && !f.HasErrors() {
		d, err = s.sampler.CreateDraw(rq.Context(), rq.P, in)
	}
	if err != nil || f.HasErrors() {
		if err != nil {
			if e, ok := apperr.As(err); ok && (strings.HasPrefix(e.Field, "items[") || strings.HasPrefix(e.Field, "strata.")) {
				e2 := *e
				e2.Field = "items"
				err = &e2
			}
			if !failOn(f, err, rq.Lang, samplingDrawFields) {
				return err
			}
		}
		return s.samplingPageWith(w, rq, f)
	}
	s.seeOther(w, rq.Request, "/sampling/draws/"+d.ID.String(), "smp_drawn")
	return nil
}

// samplingDrawView is one draw's page.
type samplingDrawView struct {
	D                       *sampling.DrawRecord
	RuleName, PackName      string
	Checked, Checker        string
	StatusName, StatusClass string
	Strata                  []samplingStratumRow
	Methods                 []string
	Tasks                   []samplingTaskRow
	Open                    int
	CanWrite                bool
	Session                 *samplingSessionForm // rules with a session minimum (SMP-009)
	Close, Cancel           *Form
	Alert                   string
	Closed, QuotaMet        bool // closed: whether the quota was met
}

// samplingTaskRow is one task of a draw.
type samplingTaskRow struct {
	T                     sampling.Task
	Stratum, Method       string
	StatusName, EntryLink string
}

// samplingSessionForm verifies several open tasks in one session: the
// same checklist results for each (SMP-009).
type samplingSessionForm struct {
	Min     int
	Items   []policy.SamplingCheckItem
	Methods []option
	Form    *Form
	Fields  smpVerifyFields
}

func (s *Server) samplingDrawView(rq *request, id store.ID) (*samplingDrawView, error) {
	d, err := s.sampler.GetDraw(rq.Context(), rq.P, id)
	if err != nil {
		return nil, err
	}
	l := rq.Lang
	v := &samplingDrawView{D: d, RuleName: d.RuleName, Checked: d.CheckedUser, Checker: d.Checker,
		StatusName: label("smp.draw_status." + string(d.Status)).In(l), StatusClass: drawStatusClass(d.Status),
		CanWrite: rq.P.Can(auth.PermSamplingWrite) && d.Status == sampling.DrawOpen, Close: newForm(nil), Cancel: newForm(nil)}
	if d.QuotaMet != nil {
		v.Closed, v.QuotaMet = true, *d.QuotaMet
	}
	pack, rule, ok := s.sampler.Rule(d.Pack, d.PackVersion, d.Rule)
	if ok {
		v.RuleName, v.PackName = nameIn(rule.Name, l), nameIn(pack.Name, l)
		v.Checked += "（" + positionLabel(&pack.Sampling, d.CheckedPosition, l) + "）"
		v.Checker += "（" + positionLabel(&pack.Sampling, d.CheckerPosition, l) + "）"
	}
	stratumName := func(key string) string {
		if ok {
			if st, found := rule.Stratum(key); found {
				return nameIn(st.Name, l)
			}
		}
		return key
	}
	for _, st := range d.Plan.Strata {
		v.Strata = append(v.Strata, samplingStratumRow{Key: st.Key, Name: stratumName(st.Key), Count: strconv.Itoa(st.Population), Size: st.Size})
	}
	for _, m := range d.Plan.Methods {
		v.Methods = append(v.Methods, methodLabel(m.Method, l)+" "+strconv.Itoa(m.Size))
	}
	for _, t := range d.Tasks {
		row := samplingTaskRow{T: t, Stratum: stratumName(t.Stratum), Method: methodLabel(t.Method, l),
			StatusName: label("smp.task_status." + t.Status).In(l)}
		if t.Method == "" {
			row.Method = label("smp.method_free").In(l)
		}
		if t.EntryID != 0 {
			row.EntryLink = "/sampling/ledger/" + t.EntryID.String()
		}
		if t.Status == sampling.TaskOpen {
			v.Open++
		}
		v.Tasks = append(v.Tasks, row)
	}
	if ok && rule.SessionMin > 0 && d.Status == sampling.DrawOpen && v.Open > 0 {
		v.Session = &samplingSessionForm{Min: rule.SessionMin, Items: sampling.Checklist(&pack.Sampling, rule, ""), Form: newForm(nil)}
		for _, m := range rule.Methods {
			v.Session.Methods = append(v.Session.Methods, option{m, methodLabel(m, l)})
		}
		v.Session.setForm(newForm(nil), l)
	}
	return v, nil
}

// setForm shows the session form with f.
func (sf *samplingSessionForm) setForm(f *Form, l i18n.Locale) {
	sf.Form = f
	sf.Fields = smpVerifyFields{Form: f, Items: sf.Items, Methods: sf.Methods, Severities: severityOptions(l)}
}

func (s *Server) renderDraw(w http.ResponseWriter, rq *request, status int, v *samplingDrawView) {
	pg := s.newPage(rq, "smp.draw", "sampling")
	pg.Title = v.RuleName + " · " + v.D.Period
	pg.Data = v
	s.render(w, rq, status, "sampling_draw", pg)
}

func (s *Server) samplingDrawShow(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	v, err := s.samplingDrawView(rq, id)
	if err != nil {
		return err
	}
	s.renderDraw(w, rq, http.StatusOK, v)
	return nil
}

// samplingDrawAct closes or cancels a draw.
func (s *Server) samplingDrawAct(w http.ResponseWriter, rq *request, cancel bool) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	flash := "smp_closed"
	if cancel {
		flash = "smp_cancelled"
		_, err = s.sampler.CancelDraw(rq.Context(), rq.P, id, f.text("reason"))
	} else {
		_, err = s.sampler.CloseDraw(rq.Context(), rq.P, id)
	}
	if err != nil {
		if !failOn(f, err, rq.Lang, []string{"reason"}) {
			return err
		}
		v, verr := s.samplingDrawView(rq, id)
		if verr != nil {
			return verr
		}
		if cancel {
			v.Cancel = f
		} else {
			v.Close = f
		}
		s.renderDraw(w, rq, statusOf(err), v)
		return nil
	}
	s.seeOther(w, rq.Request, "/sampling/draws/"+id.String(), flash)
	return nil
}

func (s *Server) samplingDrawClose(w http.ResponseWriter, rq *request) error {
	return s.samplingDrawAct(w, rq, false)
}

func (s *Server) samplingDrawCancel(w http.ResponseWriter, rq *request) error {
	return s.samplingDrawAct(w, rq, true)
}

// samplingSessionVerify verifies the ticked tasks in one session with the
// same results (SMP-009).
func (s *Server) samplingSessionVerify(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	v, err := s.samplingDrawView(rq, id)
	if err != nil {
		return err
	}
	if v.Session == nil {
		return apperr.Conflict("status", i18n.T("此抽样不按批次核查", "this draw is not checked in sessions"))
	}
	base := verifyInputOf(f, v.Session.Items)
	var in sampling.SessionInput
	for _, raw := range f.Values["task"] {
		tid, err := store.ParseID(raw)
		if err != nil {
			continue
		}
		in.Tasks = append(in.Tasks, sampling.SessionTask{TaskID: tid, VerifyInput: base})
	}
	if _, err := s.sampler.VerifySession(rq.Context(), rq.P, id, in); err != nil {
		if e, ok := apperr.As(err); ok {
			if i := strings.Index(e.Field, "]."); strings.HasPrefix(e.Field, "tasks[") && i > 0 {
				e2 := *e
				e2.Field = e.Field[i+2:]
				err = itemField(&e2, base)
			}
		}
		if e, ok := apperr.As(err); ok && strings.HasPrefix(e.Field, "r.") {
			f.Errors[e.Field] = label("smp.score_item").In(rq.Lang)
		}
		fields := []string{"session", "tasks", "method", "results", "proposal", "employee_signature", "customer_signature"}
		for _, it := range v.Session.Items {
			fields = append(fields, "r."+it.Key)
		}
		if !failOn(f, err, rq.Lang, fields) {
			return err
		}
		if msg, ok := f.Errors["tasks"]; ok {
			f.Errors["session"] = msg
		}
		v.Session.setForm(f, rq.Lang)
		s.renderDraw(w, rq, statusOf(err), v)
		return nil
	}
	s.seeOther(w, rq.Request, "/sampling/draws/"+id.String(), "smp_verified")
	return nil
}

// verifyInputOf reads the verification fields of a form: r.<item> =
// pass/fail, n.<item> the note, the method, findings, proposal, the
// signatures ticked as signed on paper, the outdoor-meter flag, a hazard.
func verifyInputOf(f *Form, items []policy.SamplingCheckItem) sampling.VerifyInput {
	in := sampling.VerifyInput{Method: f.text("method"), Findings: f.text("findings"), Proposal: f.text("proposal"),
		CorrectionReason: f.text("correction_reason")}
	for _, it := range items {
		if r := f.text("r." + it.Key); r != "" {
			in.Results = append(in.Results, sampling.ItemResult{Item: it.Key, Result: r, Note: f.text("n." + it.Key)})
		}
	}
	if len(in.Results) < len(items) && len(in.Results) > 0 {
		// an item left unscored: the service names it
		for _, it := range items {
			if f.text("r."+it.Key) == "" {
				in.Results = append(in.Results, sampling.ItemResult{Item: it.Key})
				break
			}
		}
	}
	if f.Checked("employee_signed") {
		in.EmployeeSignature = "paper"
	}
	if f.Checked("customer_signed") {
		in.CustomerSignature = "paper"
	}
	if v := f.text("outdoor_meter"); v != "" {
		b := v == "yes"
		in.OutdoorMeter = &b
	}
	if d := f.text("hazard"); d != "" {
		in.Hazards = []sampling.HazardInput{{Description: d, Location: f.text("hazard_location"), Severity: f.text("hazard_severity")}}
	}
	return in
}

// itemField is the form field of a result's item ("results[2].result" → "r.<key>").
func itemField(err error, in sampling.VerifyInput) error {
	e, ok := apperr.As(err)
	if !ok || !strings.HasPrefix(e.Field, "results[") {
		return err
	}
	var i int
	if _, serr := fmt.Sscanf(e.Field, "results[%d]", &i); serr != nil || i < 0 || i >= len(in.Results) {
		return err
	}
	e2 := *e
	e2.Field = "r." + in.Results[i].Item
	return &e2
}
