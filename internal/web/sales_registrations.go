package web

import (
	"net/http"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/sales"
	"kefu/internal/store"
)

// regFields are the inputs of the register form.
var regFields = []string{"book", "kind", "reception_id", "agent_id", "received_on", "customer_name", "phone",
	"employer_address", "car_brand", "car_plate", "intention", "info_source", "visitors", "named_agent_id",
	"referred_by_id", "family_of_id", "relation", "intent", "intermediary", "customer_id", "corrects_id",
	"correction_reason", "note"}

// regNewData is the register form (登记).
type regNewData struct {
	*salesCtx
	Reception *sales.Reception
	Corrects  *sales.Registration
	Books     []option
	Kinds     []option
	Sources   []option
	Agents    []option
	Leasing   bool
	Manage    bool
}

// salesRegistrationNew shows the register form: for a reception
// (?reception_id=), a correction (?corrects_id=) or a phone inquiry.
func (s *Server) salesRegistrationNew(w http.ResponseWriter, rq *request) error {
	q := rq.URL.Query()
	f := newForm(nil)
	for _, k := range []string{"reception_id", "book", "kind", "corrects_id"} {
		if v := q.Get(k); v != "" {
			f.Values.Set(k, v)
		}
	}
	if id := f.id("corrects_id"); id != 0 {
		old, err := s.sales.GetRegistration(rq.Context(), rq.P, id)
		if err != nil {
			return err
		}
		regPrefill(f, &old)
	}
	return s.renderRegNew(w, rq, http.StatusOK, f)
}

// regPrefill fills the form with an entry to correct.
func regPrefill(f *Form, r *sales.Registration) {
	v := f.Values
	v.Set("book", r.Book)
	v.Set("kind", r.Kind)
	if r.ReceptionID != 0 {
		v.Set("reception_id", r.ReceptionID.String())
	}
	v.Set("received_on", r.ReceivedOn.String())
	for k, x := range map[string]string{"customer_name": r.CustomerName, "phone": r.Phone, "employer_address": r.EmployerAddress,
		"car_brand": r.CarBrand, "car_plate": r.CarPlate, "intention": r.Intention, "info_source": r.InfoSource,
		"relation": r.Relation, "note": r.Note} {
		v.Set(k, x)
	}
	if r.Visitors != 0 {
		v.Set("visitors", itoa(r.Visitors))
	}
	if r.Intent {
		v.Set("intent", "1")
	}
	if r.Intermediary != nil {
		if *r.Intermediary {
			v.Set("intermediary", "yes")
		} else {
			v.Set("intermediary", "no")
		}
	}
}

func (s *Server) renderRegNew(w http.ResponseWriter, rq *request, status int, f *Form) error {
	ctx, p, l := rq.Context(), rq.P, rq.Lang
	unit := f.id("unit_id")
	d := &regNewData{Manage: p.Can(auth.PermSalesManage)}
	if id := f.id("reception_id"); id != 0 {
		r, err := s.sales.GetReception(ctx, p, id)
		if err != nil {
			if f.HasErrors() {
				f.Errors["reception_id"] = label("sal.bad_id").In(l)
			} else {
				return err
			}
		} else {
			d.Reception, unit = &r, r.UnitID
		}
	}
	if id := f.id("corrects_id"); id != 0 {
		if old, err := s.sales.GetRegistration(ctx, p, id); err == nil {
			d.Corrects, unit = &old, old.UnitID
		}
	}
	sc, err := s.salesCentre(rq, unit, "registrations")
	if err != nil {
		return err
	}
	if sc == nil {
		return notFound()
	}
	d.salesCtx = sc
	d.Leasing = sc.C.Mode == sales.ModeLeasing
	if f.Get("book") == "" {
		switch {
		case d.Leasing:
			f.Values.Set("book", sales.BookLeasing)
		default:
			f.Values.Set("book", sales.BookVisit)
		}
	}
	d.Books = salesOptions("book", sales.Books, l)
	d.Kinds = salesOptions("entry", sales.EntryKinds, l)
	d.Sources = packOptions(sc.Rules.InfoSources, l)
	d.Agents = s.salesAgents(rq, sc.C.UnitID)
	pg := s.newPage(rq, "sal.register_title", "sales")
	if d.Corrects != nil {
		pg.Title = label("sal.correct_title", d.Corrects.Number).In(l)
	}
	pg.Form, pg.Data = f, d
	s.render(w, rq, status, "sales_reg_new", pg)
	return nil
}

// salesRegister appends a register entry or a correction; conflicts found
// show on the entry's page at once (SAL-015).
func (s *Server) salesRegister(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	l := rq.Lang
	in := sales.RegistrationInput{UnitID: f.id("unit_id"), Book: f.text("book"), Kind: f.text("kind"), ReceptionID: f.id("reception_id"),
		AgentID: f.id("agent_id"), ReceivedOn: f.text("received_on"), CustomerName: f.text("customer_name"), Phone: f.text("phone"),
		EmployerAddress: f.text("employer_address"), CarBrand: f.text("car_brand"), CarPlate: f.text("car_plate"),
		Intention: f.text("intention"), InfoSource: f.text("info_source"), NamedAgentID: f.id("named_agent_id"),
		ReferredByID: f.id("referred_by_id"), FamilyOfID: f.id("family_of_id"), Relation: f.text("relation"),
		CompanyReferred: f.Checked("company_referred"), Intent: f.Checked("intent"), CorrectsID: f.id("corrects_id"),
		CorrectionReason: f.text("correction_reason"), Note: f.text("note")}
	if v := f.text("visitors"); v != "" {
		if in.Visitors = atoiOr(v, -1); in.Visitors < 0 {
			f.Errors["visitors"] = label("sal.bad_number").In(l)
		}
	}
	switch f.text("intermediary") {
	case "yes":
		in.Intermediary = new(true)
	case "no":
		in.Intermediary = new(false)
	}
	var r sales.Registration
	if !f.HasErrors() {
		if r, err = s.sales.Register(rq.Context(), rq.P, in); err != nil && !failOn(f, err, l, regFields) {
			return err
		}
	}
	if f.HasErrors() {
		if e, ok := apperr.As(err); ok && e.Status == http.StatusNotFound && e.Field == "" {
			return err
		}
		return s.renderRegNew(w, rq, statusOf(err), f)
	}
	flash := "sales_registered"
	if len(r.Conflicts) > 0 {
		flash = "sales_registered_conflict"
	}
	s.seeOther(w, rq.Request, "/sales/registrations/"+r.ID.String(), flash)
	return nil
}

// regRow is one register line.
type regRow struct {
	R                     *sales.Registration
	Book, Kind, Source    string
	Unverified, Corrected bool
}

func regRowOf(r *sales.Registration, rules *policy.SalesRules, l i18n.Locale) regRow {
	row := regRow{R: r, Book: salesName("book", r.Book, l), Kind: salesName("entry", r.Kind, l), Source: r.InfoSource,
		Unverified: r.VerifiedAt.IsZero() && r.Book != sales.BookPhone, Corrected: r.CorrectsID != 0}
	if rules != nil {
		for _, o := range rules.InfoSources {
			if o.Key == r.InfoSource {
				row.Source = nameIn(o.Name, l)
			}
		}
	}
	return row
}

// regsData is the register list.
type regsData struct {
	*salesCtx
	Rows          []regRow
	Books, Agents []option
	NextURL       string
}

// salesRegistrations is the register with its filters.
func (s *Server) salesRegistrations(w http.ResponseWriter, rq *request) error {
	q, l := rq.URL.Query(), rq.Lang
	sc, err := s.salesCentre(rq, 0, "registrations")
	if err != nil {
		return err
	}
	if sc == nil {
		return notFound()
	}
	form := newForm(q)
	f := sales.RegistrationFilter{UnitID: sc.C.UnitID, Book: q.Get("book"), Q: q.Get("q"), Unverified: q.Get("unverified") != "",
		Late: q.Get("late") != "", History: q.Get("history") != "", Limit: 50}
	f.AgentID = form.id("agent_id")
	f.After = form.id("after")
	for _, k := range []string{"from", "to"} {
		if v := q.Get(k); v != "" {
			d, perr := calendar.ParseDate(v)
			if perr != nil {
				form.Errors[k] = label("sal.bad_date").In(l)
			} else if k == "from" {
				f.From = d
			} else {
				f.To = d
			}
		}
	}
	d := &regsData{salesCtx: sc, Books: salesOptions("book", sales.Books, l), Agents: s.salesAgents(rq, sc.C.UnitID)}
	if !form.HasErrors() {
		rs, next, err := s.sales.Registrations(rq.Context(), rq.P, f)
		if err != nil && !failOn(form, err, l, []string{"book", "agent_id", "from", "to", "q"}) {
			return err
		}
		for i := range rs {
			d.Rows = append(d.Rows, regRowOf(&rs[i], sc.Rules, l))
		}
		if next != 0 {
			nq := cloneValues(q)
			nq.Set("after", next.String())
			d.NextURL = "/sales/registrations?" + nq.Encode()
		}
	}
	pg := s.newPage(rq, "sal.registrations", "sales")
	pg.Form, pg.Data = form, d
	s.render(w, rq, statusOrOK(form), "sales_regs", pg)
	return nil
}

// regView is an entry's page.
type regView struct {
	*salesCtx
	Row       regRow
	History   []regRow
	Conflicts []conflictRow
	FollowUps []sales.FollowUp
	Channels  []option
	Verify    bool // the custodian may verify it
	Own       bool
	Receive   bool
	Intermed  string
	refusedForm
	Alert string
	Today string
}

func (s *Server) regView(rq *request, id store.ID, failed string, f *Form) (*regView, error) {
	ctx, p, l := rq.Context(), rq.P, rq.Lang
	r, err := s.sales.GetRegistration(ctx, p, id)
	if err != nil {
		return nil, err
	}
	sc, err := s.salesCentre(rq, r.UnitID, "registrations")
	if err != nil {
		return nil, err
	}
	v := &regView{salesCtx: sc, Row: regRowOf(&r, sc.Rules, l), Own: r.AgentID == p.UserID, Receive: p.Can(auth.PermSalesReceive),
		refusedForm: refusedForm{Failed: failed, Form: f}, Today: s.salesToday().String(), Channels: salesOptions("channel", []string{"phone", "visit", "message", "other"}, l)}
	v.Verify = p.Can(auth.PermSalesManage) && r.VerifiedAt.IsZero() && r.CorrectedByID == 0
	if r.Intermediary != nil {
		v.Intermed = label("sal.intermediary_no").In(l)
		if *r.Intermediary {
			v.Intermed = label("sal.intermediary_yes").In(l)
		}
	}
	if hs, err := s.sales.History(ctx, p, id); err == nil && len(hs) > 1 {
		for i := range hs {
			v.History = append(v.History, regRowOf(&hs[i], sc.Rules, l))
		}
	}
	for i := range r.Conflicts {
		v.Conflicts = append(v.Conflicts, conflictRowOf(&r.Conflicts[i], l))
	}
	if fs, err := s.sales.FollowUps(ctx, p, id); err == nil {
		v.FollowUps = fs
	}
	return v, nil
}

// salesRegistrationShow is an entry with its history, conflicts and
// follow-ups.
func (s *Server) salesRegistrationShow(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	v, err := s.regView(rq, id, "", nil)
	if err != nil {
		return err
	}
	s.renderReg(w, rq, http.StatusOK, v)
	return nil
}

func (s *Server) renderReg(w http.ResponseWriter, rq *request, status int, v *regView) {
	pg := s.newPage(rq, "sal.registration", "sales")
	pg.Title = v.Row.R.Number + " · " + v.Row.R.CustomerName
	pg.Data = v
	s.render(w, rq, status, "sales_reg", pg)
}

// salesRegistrationAct verifies an entry, logs a follow-up or raises a
// claim on it.
func (s *Server) salesRegistrationAct(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	ctx, p, l := rq.Context(), rq.P, rq.Lang
	action := rq.PathValue("action")
	target := "/sales/registrations/" + id.String()
	var fields []string
	switch action {
	case "verify":
		fields = []string{"note"}
		_, err = s.sales.Verify(ctx, p, id, f.text("note"))
	case "followups":
		fields = []string{"on", "channel", "note"}
		_, err = s.sales.FollowUp(ctx, p, sales.FollowUpInput{RegistrationID: id, On: f.text("on"), Channel: f.text("channel"), Note: f.text("note")})
	case "claim":
		fields = []string{"prior_id", "note"}
		var c sales.Conflict
		c, err = s.sales.Claim(ctx, p, sales.ClaimInput{RegistrationID: id, PriorID: f.id("prior_id"), Referral: f.Checked("referral"), Note: f.text("note")})
		if err == nil {
			target = "/sales/conflicts/" + c.ID.String()
		}
	default:
		return notFound()
	}
	if err != nil {
		if !failOn(f, err, l, fields) {
			return err
		}
		if e, ok := apperr.As(err); ok && e.Status == http.StatusNotFound && e.Field == "" {
			return err
		}
		v, verr := s.regView(rq, id, action, f)
		if verr != nil {
			return verr
		}
		s.renderReg(w, rq, statusOf(err), v)
		return nil
	}
	s.seeOther(w, rq.Request, target, "sales_"+action)
	return nil
}
