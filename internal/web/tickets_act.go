package web

import (
	"net/http"
	"time"

	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/ticket"
)

// actionSpec is what the form of one action asks for. Which actions are
// offered comes from the service's state machine (ticket.Allowed); the
// spec only shapes the form.
type actionSpec struct {
	Name    string
	Perm    auth.Permission
	Unit    bool // org_unit picker
	User    bool // user_id picker
	Text    bool // what was said (result, reply)
	Written bool // a written reply is on file (TKT-018)
	Until   bool // a date (extension, agreement)
	Clock   bool // which running clock
	Reason  bool
	Party   bool // the outside party of a crisis (TKT-034)
	At      bool // when it happened, for back-entry
	Cat     bool // category picker (reclassify)
	First   bool // the number of the first record (link_duplicate, TKT-009)
	Primary bool // the usual next steps, shown first and highlighted
	Danger  bool
}

// actionSpecs are the actions in the order offered.
var actionSpecs = []actionSpec{
	{Name: ticket.ActAccept, Perm: auth.PermTicketsAct, At: true, Primary: true},
	{Name: ticket.ActForward, Perm: auth.PermTicketsAct, Unit: true, At: true, Primary: true},
	{Name: ticket.ActAssign, Perm: auth.PermTicketsAct, Unit: true, User: true, At: true, Primary: true},
	{Name: ticket.ActDispatch, Perm: auth.PermTicketsAct, User: true, At: true},
	{Name: ticket.ActArrive, Perm: auth.PermTicketsAct, At: true, Primary: true},
	{Name: ticket.ActResult, Perm: auth.PermTicketsAct, Text: true, At: true, Primary: true},
	{Name: ticket.ActResolve, Perm: auth.PermTicketsAct, Text: true, At: true, Primary: true},
	{Name: ticket.ActReply, Perm: auth.PermTicketsAct, Text: true, Written: true, At: true, Primary: true},
	{Name: ticket.ActClose, Perm: auth.PermTicketsAct, At: true, Primary: true},
	{Name: ticket.ActReopen, Perm: auth.PermTicketsAct},
	{Name: ticket.ActEscalate, Perm: auth.PermTicketsAct},
	{Name: ticket.ActRequestExtension, Perm: auth.PermTicketsAct, Clock: true, Until: true, Reason: true},
	{Name: ticket.ActApproveExtension, Perm: auth.PermTicketsApprove, Reason: true},
	{Name: ticket.ActRejectExtension, Perm: auth.PermTicketsApprove, Reason: true, Danger: true},
	{Name: ticket.ActAgree, Perm: auth.PermTicketsAct, Clock: true, Until: true},
	{Name: ticket.ActScheduleReply, Perm: auth.PermTicketsAct, Until: true},
	{Name: ticket.ActPause, Perm: auth.PermTicketsAct, Clock: true, Reason: true},
	{Name: ticket.ActResume, Perm: auth.PermTicketsAct, Clock: true, At: true},
	{Name: ticket.ActReclassify, Perm: auth.PermTicketsAct, Cat: true, Reason: true},
	{Name: ticket.ActFlagCrisis, Perm: auth.PermTicketsAct, Party: true, Danger: true},
	{Name: ticket.ActLinkDuplicate, Perm: auth.PermTicketsAct, First: true, Danger: true},
	{Name: ticket.ActNote, Perm: auth.PermTicketsAct},
}

// actionFields are the inputs of an action form that can carry an error.
var actionFields = []string{"org_unit", "user_id", "text", "until", "clock", "reason", "party", "at", "note", "category",
	"ticket_number"}

// actionForm is one action offered on the work-order page.
type actionForm struct {
	actionSpec
	Label, Hint string
	Form        *Form
	Open        bool        // shown open: it was sent and refused
	V           *ticketView // the page, for the pickers
}

func specOf(name string) (actionSpec, bool) {
	for _, a := range actionSpecs {
		if a.Name == name {
			return a, true
		}
	}
	return actionSpec{}, false
}

// actionForms are the actions the state machine allows in the current
// status that the caller holds the permission for, with what the work
// order makes pointless left out (no running clock to extend, no request
// to decide, a crisis already flagged).
func (s *Server) actionForms(p *auth.Principal, t *ticket.Ticket, pack *policy.Pack, failed *actionForm, l i18n.Locale) []*actionForm {
	running, agreeable, pausable, paused := false, false, false, false
	for _, c := range t.Clocks {
		paused = paused || c.State == ticket.ClockPaused
		if c.State == ticket.ClockRunning {
			running = true
			pausable = pausable || c.Pausable
			if r, ok := pack.ClockRule(t.Category, c.Kind); ok && r.Agreed != "" && r.Agreed != "none" {
				agreeable = true
			}
		}
	}
	pending := pendingExtension(t)
	var out []*actionForm
	for _, a := range actionSpecs {
		if !ticket.Allowed(a.Name, t.Status) || !p.Can(a.Perm) {
			continue
		}
		switch a.Name {
		case ticket.ActRequestExtension:
			if !running {
				continue
			}
		case ticket.ActAgree:
			if !agreeable {
				continue
			}
		case ticket.ActApproveExtension, ticket.ActRejectExtension:
			if !pending {
				continue
			}
		case ticket.ActPause:
			if !pausable {
				continue
			}
		case ticket.ActResume:
			if !paused {
				continue
			}
		case ticket.ActFlagCrisis:
			if t.Crisis {
				continue
			}
		}
		af := &actionForm{actionSpec: a, Label: label("tkt.act." + a.Name).In(l),
			Hint: labelOr("tkt.act_hint."+a.Name, "", l), Form: newForm(nil)}
		if a.Name == ticket.ActAssign && t.HandlingUnitID != 0 {
			af.Form.Values.Set("org_unit", t.HandlingUnitID.String())
		}
		if failed != nil && failed.Name == a.Name {
			af.Form, af.Open = failed.Form, true
		}
		out = append(out, af)
	}
	return out
}

// ticketAct applies one action sent from the work-order page; a refusal
// shows the page again with the form open, its errors inline and a
// conflict (409) as the form's alert.
func (s *Server) ticketAct(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	spec, ok := specOf(f.text("action"))
	if !ok {
		return notFound()
	}
	a, err := actionOf(f, spec)
	if err == nil && spec.First {
		var first store.ID
		if first, err = s.ticketByNumber(rq, f.text("ticket_number")); err == nil {
			a.TicketID = &first
		}
	}
	if err == nil {
		_, err = s.tickets.Act(rq.Context(), rq.P, id, a)
	}
	if err != nil {
		if !failOn(f, err, rq.Lang, actionFields) {
			return err
		}
		v, verr := s.ticketView(rq, id, &actionForm{actionSpec: spec, Form: f})
		if verr != nil {
			return verr
		}
		// The form refused may no longer be offered (the status moved on
		// meanwhile): then its message is shown at the top of the page.
		shown := false
		for _, af := range v.Actions {
			shown = shown || af.Open
		}
		if !shown {
			v.Alert = firstMessage(f)
		}
		s.renderTicket(w, rq, statusOf(err), v)
		return nil
	}
	s.seeOther(w, rq.Request, "/tickets/"+id.String(), "ticket_acted")
	return nil
}

// firstMessage is the form's alert, else one of its field errors.
func firstMessage(f *Form) string {
	if f.Alert != "" {
		return f.Alert
	}
	for _, k := range actionFields {
		if m := f.Errors[k]; m != "" {
			return m
		}
	}
	return ""
}

// actionOf reads an action form.
func actionOf(f *Form, spec actionSpec) (ticket.Action, error) {
	a := ticket.Action{Name: spec.Name, Note: f.text("note"), Text: f.text("text"), Reason: f.text("reason"),
		Clock: f.text("clock"), Party: f.text("party"), Written: f.Checked("written"), Category: f.text("category")}
	ids := map[string]**store.ID{"org_unit": &a.OrgUnit, "user_id": &a.UserID, "extension_id": &a.ExtensionID}
	for k, dst := range ids {
		if id := f.id(k); id != 0 {
			*dst = &id
		}
	}
	times := map[string]**time.Time{"at": &a.At, "until": &a.Until}
	for _, k := range []string{"at", "until"} {
		if v := f.text(k); v != "" {
			t, err := parseWhen(k, v)
			if err != nil {
				return a, err
			}
			*times[k] = &t
		}
	}
	return a, nil
}
