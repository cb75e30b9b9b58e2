package web

// The verification ledger (核查工作台帐, SMP-013): the list with filters,
// its printable page, one entry with its checklist results and the forms
// to escalate a problem to the next level and to record that level's
// decision.

import (
	"net/http"
	"slices"
	"strconv"

	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/sampling"
	"kefu/internal/store"
)

// samplingEntryRow is one ledger entry as the list and the print show it.
type samplingEntryRow struct {
	E                *sampling.Entry
	KindName         string
	RuleName         string
	Checker, Checked string
	Method, Stratum  string
	At               string
	State            string // escalated, decided, corrected …
	Failed           []string
}

// samplingLedgerData is the ledger list (and print).
type samplingLedgerData struct {
	Rows     []samplingEntryRow
	Kinds    []option
	Rules    []option
	People   []option
	Next     string
	PrintURL string
	Unit     string
	Printed  string
}

// samplingRow builds a ledger row.
func (s *Server) samplingEntryRow(e *sampling.Entry, l i18n.Locale) samplingEntryRow {
	r := samplingEntryRow{E: e, KindName: label("smp.kind." + e.Kind).In(l), RuleName: e.RuleName, Checker: e.Checker,
		Checked: e.CheckedUser, Method: methodLabel(e.Method, l), Stratum: e.Stratum, At: exact(e.CreatedAt)}
	if pack, rule, ok := s.sampler.Rule(e.Pack, e.PackVersion, e.Rule); ok {
		r.RuleName = nameIn(rule.Name, l)
		if e.CheckerPosition != "" {
			r.Checker += "（" + positionLabel(&pack.Sampling, e.CheckerPosition, l) + "）"
		}
		if st, ok := rule.Stratum(e.Stratum); ok {
			r.Stratum = nameIn(st.Name, l)
		}
	}
	switch {
	case e.CorrectedByID != 0:
		r.State = label("smp.state.corrected").In(l)
	case e.Kind == sampling.KindEscalation && e.DecisionID == 0:
		r.State = label("smp.state.pending", e.Level).In(l)
	case e.Kind == sampling.KindEscalation:
		r.State = label("smp.state.decided").In(l)
	case e.EscalationID != 0:
		r.State = label("smp.state.escalated").In(l)
	case e.Kind == sampling.KindVerification && !e.Passed:
		r.State = label("smp.state.problem").In(l)
	}
	for _, res := range e.Results {
		if res.Result == sampling.ResultFail {
			r.Failed = append(r.Failed, res.Name)
		}
	}
	return r
}

// samplingLedgerList reads the filtered ledger (q: kind, rule, checked,
// month, failed, pending, before) into d; a bad filter is the form's.
func (s *Server) samplingLedgerList(rq *request, f *Form, d *samplingLedgerData, limit int) error {
	l := rq.Lang
	lf := sampling.LedgerFilter{Kind: f.text("kind"), Rule: f.text("rule"), CheckedUserID: f.id("checked"),
		DrawID: f.id("draw"), Month: f.text("month"), Failed: f.Checked("failed"), Pending: f.Checked("pending"), Limit: limit}
	if c := f.text("before"); c != "" {
		lf.Before, _ = store.ParseID(c)
	}
	for _, k := range []string{sampling.KindVerification, sampling.KindEscalation, sampling.KindDecision} {
		d.Kinds = append(d.Kinds, option{k, label("smp.kind." + k).In(l)})
	}
	if pack, err := s.policy.ForUnit(rq.Context(), rq.P.OrgUnitID); err == nil {
		for _, r := range pack.Sampling.Rules {
			d.Rules = append(d.Rules, option{r.Key, nameIn(r.Name, l)})
		}
	}
	if people, err := s.sampler.Candidates(rq.Context(), rq.P); err == nil {
		for _, c := range people {
			d.People = append(d.People, option{c.ID.String(), c.Name})
		}
	}
	entries, err := s.sampler.ListEntries(rq.Context(), rq.P, lf)
	if err != nil {
		if !f.fail(err, l, "kind", "month", "limit") {
			return err
		}
		return nil
	}
	for _, e := range entries {
		d.Rows = append(d.Rows, s.samplingEntryRow(e, l))
	}
	if len(entries) == lf.Limit {
		v := rq.URL.Query()
		v.Set("before", entries[len(entries)-1].ID.String())
		d.Next = "/sampling/ledger?" + v.Encode()
	}
	v := rq.URL.Query()
	v.Del("before")
	d.PrintURL = "/sampling/ledger/print?" + v.Encode()
	return nil
}

func (s *Server) samplingLedger(w http.ResponseWriter, rq *request) error {
	f := newForm(rq.URL.Query())
	d := &samplingLedgerData{}
	if err := s.samplingLedgerList(rq, f, d, 50); err != nil {
		return err
	}
	pg := s.newPage(rq, "smp.ledger", "sampling")
	pg.Form, pg.Data = f, d
	s.render(w, rq, statusOrOK(f), "sampling_ledger", pg)
	return nil
}

// samplingLedgerPrint is the ledger as an A4 sheet with the signature
// columns (SMP-013), up to 500 entries of the filter.
func (s *Server) samplingLedgerPrint(w http.ResponseWriter, rq *request) error {
	f := newForm(rq.URL.Query())
	d := &samplingLedgerData{Printed: exact(s.now())}
	if err := s.samplingLedgerList(rq, f, d, 500); err != nil {
		return err
	}
	if u, err := s.org.CompanyOf(rq.Context(), rq.P.OrgUnitID); err == nil {
		d.Unit = u.Name
	}
	pg := s.newPage(rq, "smp.ledger_print", "sampling")
	pg.Form, pg.Data = f, d
	s.render(w, rq, statusOrOK(f), "sampling_ledger_print", pg)
	return nil
}

// samplingEntryView is one entry's page.
type samplingEntryView struct {
	R           samplingEntryRow
	CanEscalate bool
	CanDecide   bool
	NextLevel   int
	Escalate    *Form
	Decide      *Form
	Hazards     []string
}

func (s *Server) samplingEntryView(rq *request, id store.ID) (*samplingEntryView, error) {
	e, err := s.sampler.GetEntry(rq.Context(), rq.P, id)
	if err != nil {
		return nil, err
	}
	v := &samplingEntryView{R: s.samplingEntryRow(e, rq.Lang), Escalate: newForm(nil), Decide: newForm(nil)}
	for _, h := range e.HazardIDs {
		v.Hazards = append(v.Hazards, h.String())
	}
	problem := e.Kind == sampling.KindDecision || e.Kind == sampling.KindVerification && !e.Passed
	if pack, _, ok := s.sampler.Rule(e.Pack, e.PackVersion, e.Rule); ok {
		for _, lv := range pack.Sampling.Levels {
			if lv.Level > e.Level && (v.NextLevel == 0 || lv.Level < v.NextLevel) {
				v.NextLevel = lv.Level
			}
		}
		mine := rq.P.IsAdmin() || rq.P.UserID == e.CheckerID || rq.P.Can(auth.PermSamplingWrite)
		v.CanEscalate = problem && mine && e.EscalationID == 0 && e.CorrectedByID == 0 && v.NextLevel != 0
		v.CanDecide = e.Kind == sampling.KindEscalation && e.DecisionID == 0 && (rq.P.IsAdmin() || checksAt(&pack.Sampling, e.Level, rq.P))
	}
	return v, nil
}

// checksAt reports whether p holds a checker position of the level (SMP-002).
func checksAt(sr *policy.SamplingRules, level int, p *auth.Principal) bool {
	if lv, ok := sr.Level(level); ok {
		for _, c := range lv.Checkers {
			if pos, ok := sr.Position(c); ok && slices.Contains(p.Roles, pos.Role) {
				return true
			}
		}
	}
	return false
}

func (s *Server) renderEntry(w http.ResponseWriter, rq *request, status int, v *samplingEntryView) {
	pg := s.newPage(rq, "smp.entry", "sampling")
	pg.Title = label("smp.entry").In(rq.Lang) + " #" + v.R.E.ID.String()
	pg.Data = v
	s.render(w, rq, status, "sampling_entry", pg)
}

func (s *Server) samplingEntryShow(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	v, err := s.samplingEntryView(rq, id)
	if err != nil {
		return err
	}
	s.renderEntry(w, rq, http.StatusOK, v)
	return nil
}

// samplingEntryAct escalates an entry or decides an escalation.
func (s *Server) samplingEntryAct(w http.ResponseWriter, rq *request, decide bool) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	var e *sampling.Entry
	field := "note"
	if decide {
		field = "decision"
		e, err = s.sampler.Decide(rq.Context(), rq.P, id, f.text("decision"))
	} else {
		e, err = s.sampler.Escalate(rq.Context(), rq.P, id, f.text("note"))
	}
	if err != nil {
		if !failOn(f, err, rq.Lang, []string{field}) {
			return err
		}
		v, verr := s.samplingEntryView(rq, id)
		if verr != nil {
			return verr
		}
		if decide {
			v.Decide = f
		} else {
			v.Escalate = f
		}
		s.renderEntry(w, rq, statusOf(err), v)
		return nil
	}
	flash := "smp_escalated"
	if decide {
		flash = "smp_decided"
	}
	s.seeOther(w, rq.Request, "/sampling/ledger/"+e.ID.String(), flash)
	return nil
}

func (s *Server) samplingEscalate(w http.ResponseWriter, rq *request) error {
	return s.samplingEntryAct(w, rq, false)
}

func (s *Server) samplingDecide(w http.ResponseWriter, rq *request) error {
	return s.samplingEntryAct(w, rq, true)
}

// samplingFailuresData is the repeat-offence page of a year (SMP-017).
type samplingFailuresData struct {
	Report   *sampling.FailureReport
	Year     int
	Years    []int
	People   []option
	Kinds    []option
	CanWrite bool
	New      *Form
	Names    map[string]string // consequence → name
}

func (s *Server) samplingFailuresView(rq *request, q *Form) (*samplingFailuresData, error) {
	l := rq.Lang
	year, _ := strconv.Atoi(q.text("year"))
	now := s.now().In(store.Zone).Year()
	if year == 0 {
		year = now
	}
	d := &samplingFailuresData{Year: year, CanWrite: rq.P.Can(auth.PermSamplingWrite), New: newForm(nil),
		Names: map[string]string{}}
	for y := now; y >= now-4; y-- {
		d.Years = append(d.Years, y)
	}
	for _, c := range []string{"warning", "demotion"} {
		d.Names[c] = label("smp.consequence." + c).In(l)
	}
	if pack, err := s.policy.ForUnit(rq.Context(), rq.P.OrgUnitID); err == nil {
		for _, k := range pack.Sampling.RepeatOffences.Kinds {
			d.Kinds = append(d.Kinds, option{k.Key, nameIn(k.Name, l)})
		}
	}
	if people, err := s.sampler.Candidates(rq.Context(), rq.P); err == nil {
		for _, c := range people {
			d.People = append(d.People, option{c.ID.String(), c.Name})
		}
	}
	rep, err := s.sampler.Failures(rq.Context(), rq.P, q.id("user_id"), year)
	if err != nil {
		if !q.fail(err, l, "user_id", "year") {
			return nil, err
		}
		return d, nil
	}
	d.Report = rep
	return d, nil
}

func (s *Server) samplingFailures(w http.ResponseWriter, rq *request) error {
	q := newForm(rq.URL.Query())
	d, err := s.samplingFailuresView(rq, q)
	if err != nil {
		return err
	}
	pg := s.newPage(rq, "smp.failures", "sampling")
	pg.Form, pg.Data = q, d
	s.render(w, rq, statusOrOK(q), "sampling_failures", pg)
	return nil
}

// samplingFailureCreate records a failure from the form.
func (s *Server) samplingFailureCreate(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	in := sampling.FailureInput{UserID: f.id("user_id"), Kind: f.text("kind"), OccurredOn: f.text("occurred_on"), Note: f.text("note")}
	fl, err := s.sampler.RecordFailure(rq.Context(), rq.P, in)
	if err != nil {
		if !failOn(f, err, rq.Lang, []string{"user_id", "kind", "occurred_on", "note"}) {
			return err
		}
		q := newForm(nil)
		d, verr := s.samplingFailuresView(rq, q)
		if verr != nil {
			return verr
		}
		d.New = f
		pg := s.newPage(rq, "smp.failures", "sampling")
		pg.Form, pg.Data = q, d
		s.render(w, rq, statusOf(err), "sampling_failures", pg)
		return nil
	}
	year := fl.OccurredOn[:4]
	s.seeOther(w, rq.Request, "/sampling/failures?user_id="+fl.UserID.String()+"&year="+year, "smp_failure")
	return nil
}
