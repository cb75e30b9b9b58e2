package web

import (
	"net/http"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
	"kefu/internal/sales"
	"kefu/internal/store"
)

// conflictRow is one conflict in a list.
type conflictRow struct {
	C                       *sales.Conflict
	State, StateClass, Keys string
	Contact                 string
}

func conflictRowOf(c *sales.Conflict, l i18n.Locale) conflictRow {
	r := conflictRow{C: c, State: salesName("cstate", c.State, l), StateClass: "badge-amber", Contact: salesName("contact", c.Contact, l)}
	if c.State != "open" {
		r.StateClass = "badge-grey"
	}
	for i, k := range c.Keys {
		if i > 0 {
			r.Keys += label("mer.sep").In(l)
		}
		r.Keys += salesName("key", k, l)
	}
	if c.Contact == "" {
		r.Contact = label("sal.contact_none").In(l)
	}
	return r
}

// attrView is an attribution in words: owner, class, shares, steps.
type attrView struct {
	A                  *sales.Attribution
	Owner, Class, Kind string
	Shares             []shareRow
	Steps              []stepRow
	Grabber            string
}

type shareRow struct {
	Agent, Role, Amount string
	Percent             int
	Cancelled           bool
	Rule                string
}

type stepRow struct{ Rule, Text string }

// attrViewOf writes an attribution out; names maps agent ids to names.
func attrViewOf(a *sales.Attribution, names map[store.ID]string, l i18n.Locale) *attrView {
	if a == nil {
		return nil
	}
	name := func(id store.ID) string {
		if n, ok := names[id]; ok {
			return n
		}
		return "#" + id.String()
	}
	v := &attrView{A: a, Class: salesName("class", a.Class, l), Kind: salesName("akind", a.Kind, l)}
	if a.Owner == 0 {
		v.Owner = label("sal.owner_department").In(l)
	} else {
		v.Owner = name(a.Owner)
	}
	if a.Grabber != 0 {
		v.Grabber = name(a.Grabber)
	}
	for _, sh := range a.Shares {
		v.Shares = append(v.Shares, shareRow{Agent: name(sh.AgentID), Role: salesName("share", sh.Role, l), Amount: sh.Amount.String(),
			Percent: sh.Percent, Cancelled: sh.Cancelled, Rule: sh.Rule})
	}
	for _, st := range a.Steps {
		t := st.ZH
		if l == i18n.EN && st.EN != "" {
			t = st.EN
		}
		v.Steps = append(v.Steps, stepRow{Rule: st.Rule, Text: t})
	}
	return v
}

// agentNames maps a centre's rotation members to their names.
func (s *Server) agentNames(rq *request, unit store.ID, extra ...*sales.Registration) map[store.ID]string {
	names := map[store.ID]string{}
	for _, o := range s.salesAgents(rq, unit) {
		if id, err := store.ParseID(o.Key); err == nil {
			names[id] = o.Name
		}
	}
	for _, r := range extra {
		if r != nil && r.Agent != "" {
			names[r.AgentID] = r.Agent
		}
	}
	return names
}

// conflictsData is the conflicts list.
type conflictsData struct {
	*salesCtx
	Rows   []conflictRow
	States []option
}

// salesConflicts lists a centre's conflicts, open first.
func (s *Server) salesConflicts(w http.ResponseWriter, rq *request) error {
	l := rq.Lang
	sc, err := s.salesCentre(rq, 0, "conflicts")
	if err != nil {
		return err
	}
	if sc == nil {
		return notFound()
	}
	form := newForm(rq.URL.Query())
	d := &conflictsData{salesCtx: sc, States: salesOptions("cstate", []string{"open", "decided", "ruled"}, l)}
	cs, err := s.sales.Conflicts(rq.Context(), rq.P, sc.C.UnitID, form.Get("state"))
	if err != nil && !failOn(form, err, l, []string{"state"}) {
		return err
	}
	for i := range cs {
		d.Rows = append(d.Rows, conflictRowOf(&cs[i], l))
	}
	pg := s.newPage(rq, "sal.conflicts", "sales")
	pg.Form, pg.Data = form, d
	s.render(w, rq, statusOrOK(form), "sales_conflicts", pg)
	return nil
}

// conflictView is the conflict screen.
type conflictView struct {
	*salesCtx
	Row          conflictRow
	Entry, Prior *regRow
	Match        map[string]bool // the fields the identity keys matched: name, phone, plate
	Attr         *attrView
	History      []*attrView
	Agents       []option
	Contacts     []option
	Decider      bool
	refusedForm
	Alert string
}

func (s *Server) conflictView(rq *request, id store.ID, failed string, f *Form) (*conflictView, error) {
	ctx, p, l := rq.Context(), rq.P, rq.Lang
	c, err := s.sales.GetConflict(ctx, p, id)
	if err != nil {
		return nil, err
	}
	sc, err := s.salesCentre(rq, c.UnitID, "conflicts")
	if err != nil {
		return nil, err
	}
	v := &conflictView{salesCtx: sc, Row: conflictRowOf(&c, l), Match: map[string]bool{}, refusedForm: refusedForm{Failed: failed, Form: f},
		Agents: s.salesAgents(rq, c.UnitID)}
	if c.Entry != nil {
		r := regRowOf(c.Entry, sc.Rules, l)
		v.Entry = &r
	}
	if c.Prior != nil {
		r := regRowOf(c.Prior, sc.Rules, l)
		v.Prior = &r
	}
	for _, k := range c.Keys {
		switch k {
		case "phone":
			v.Match["phone"] = true
		case "full_name":
			v.Match["name"] = true
		case "plate_surname":
			v.Match["plate"], v.Match["name"] = true, true
		}
	}
	names := s.agentNames(rq, c.UnitID, c.Entry, c.Prior)
	v.Attr = attrViewOf(c.Attribution, names, l)
	v.Decider = sales.IsDecider(p, sc.Rules)
	contacts := []string{sales.ContactConsent, sales.ContactUnreachable, sales.ContactHandedBack}
	if v.Decider {
		contacts = append(contacts, sales.ContactRefused)
	}
	v.Contacts = salesOptions("contact", contacts, l)
	v.History = s.attrHistory(rq, 0, id, names)
	return v, nil
}

// salesConflictShow is the conflict screen.
func (s *Server) salesConflictShow(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	v, err := s.conflictView(rq, id, "", nil)
	if err != nil {
		return err
	}
	s.renderConflict(w, rq, http.StatusOK, v)
	return nil
}

func (s *Server) renderConflict(w http.ResponseWriter, rq *request, status int, v *conflictView) {
	pg := s.newPage(rq, "sal.conflict", "sales")
	pg.Title = label("sal.conflict").In(rq.Lang) + " " + v.Row.C.Number
	pg.Data = v
	s.render(w, rq, status, "sales_conflict", pg)
}

// salesConflictAct records the contact or a ruling on the conflict.
func (s *Server) salesConflictAct(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	action := rq.PathValue("action")
	var fields []string
	switch action {
	case "contact":
		fields = []string{"contact", "note"}
		_, err = s.sales.RecordContact(rq.Context(), rq.P, id, sales.ContactInput{Contact: f.text("contact"), Note: f.text("note")})
	case "rule":
		fields = rulingFields
		err = s.rule(rq, f)
	default:
		return notFound()
	}
	if err != nil {
		if !failOn(f, err, rq.Lang, fields) {
			return err
		}
		v, verr := s.conflictView(rq, id, action, f)
		if verr != nil {
			return verr
		}
		s.renderConflict(w, rq, statusOf(err), v)
		return nil
	}
	s.seeOther(w, rq.Request, "/sales/conflicts/"+id.String(), "sales_"+action)
	return nil
}

// rulingFields are the inputs of the ruling form.
var rulingFields = []string{"attribution_id", "owner_agent_id", "shares", "reason"}

// rule overrules an attribution from the ruling form: the owner, up to
// three shares (agent, percent, cancelled) and the reason (SAL-022).
func (s *Server) rule(rq *request, f *Form) error {
	l := rq.Lang
	in := sales.RulingInput{OwnerAgentID: f.id("owner_agent_id"), Reason: f.text("reason")}
	for i := range 3 {
		k := itoa(i)
		agent := f.id("share_agent_" + k)
		pct := f.text("share_pct_" + k)
		if agent == 0 && pct == "" {
			continue
		}
		n := atoiOr(pct, -1)
		if agent == 0 || n < 0 || n > 100 {
			f.Errors["shares"] = label("sal.bad_share").In(l)
			return apperr.Validation("shares", label("sal.bad_share"))
		}
		in.Shares = append(in.Shares, sales.ShareInput{AgentID: agent, Percent: n, Cancelled: f.Checked("share_cancel_" + k)})
	}
	a := f.id("attribution_id")
	if a == 0 {
		return apperr.Validation("attribution_id", label("sal.no_attribution"))
	}
	_, err := s.sales.Rule(rq.Context(), rq.P, a, in)
	return err
}

// rulingData feeds the template "salruling".
type rulingData struct {
	Form   *Form
	Agents []option
	Rows   []int
}

// Ruling is the ruling form's data.
func (v *conflictView) Ruling() rulingData {
	return rulingData{Form: v.F("rule"), Agents: v.Agents, Rows: []int{0, 1, 2}}
}

// Ruling is the ruling form's data.
func (v *dealView) Ruling() rulingData {
	return rulingData{Form: v.F("rule"), Agents: v.Agents, Rows: []int{0, 1, 2}}
}

// entryView is one side of the conflict screen.
type entryView struct {
	Row   *regRow
	Match map[string]bool
}

// PriorView is the earlier entry with the matched fields.
func (v *conflictView) PriorView() entryView { return entryView{Row: v.Prior, Match: v.Match} }

// EntryView is the entry the conflict was found on.
func (v *conflictView) EntryView() entryView { return entryView{Row: v.Entry, Match: v.Match} }
