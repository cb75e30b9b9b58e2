package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/process"
)

// processActionFields are the inputs of each action form that can carry an
// error; any other error of the service (a gate of documents, facts or
// countersignatures, a conflict, a refusal) is the form's alert.
var processActionFields = map[string][]string{
	process.ActionComplete: {"comment", "due"},
	process.ActionReturn:   {"comment"},
	process.ActionCancel:   {"comment"},
	process.ActionFact:     {"fact", "at"},
	process.ActionSign:     {"comment"},
	process.ActionReceive:  {},
}

// processAct runs one action sent from the process page; a refusal shows
// the page again with that form's errors inline (a missing document, fact
// or countersignature as its alert), 422, 409 or 403 as the service said.
func (s *Server) processAct(w http.ResponseWriter, rq *request) error {
	if !rq.P.Can(auth.PermProcessesAct) && !rq.P.Can(auth.PermProcessesApprove) {
		s.forbidden(w, rq, auth.PermProcessesAct)
		return nil
	}
	id, err := processID(rq)
	if err != nil {
		return err
	}
	if err := rq.ParseForm(); err != nil {
		return err
	}
	f := newForm(cloneValues(rq.PostForm))
	in := process.ActionInput{Action: f.text("action"), Step: f.text("step"), Outcome: f.text("outcome"),
		Comment: strings.TrimSpace(f.Get("comment")), Party: f.text("party"), Item: f.text("item"), Fact: f.text("fact"),
		Due: f.text("due")}
	fields, ok := processActionFields[in.Action]
	if !ok {
		return notFound()
	}
	if v := f.text("at"); v != "" {
		var at time.Time
		if at, err = parseWhen("at", v); err == nil {
			in.At = &at
		}
	}
	var pr *process.Process
	if err == nil {
		pr, err = s.processes.Act(rq.Context(), rq.P, id, in)
	}
	if err != nil {
		if !failOn(f, err, rq.Lang, fields) {
			return err
		}
		v, verr := s.processView(rq, id, in.Action, f)
		if verr != nil {
			return verr
		}
		if msg := refusalMessage(err, in, v, rq.Lang); msg != "" {
			f.Alert = msg
		}
		if !v.shows(in.Action) {
			v.Alert = f.Alert
			if v.Alert == "" {
				for _, k := range fields {
					v.Alert = f.Errors[k]
				}
			}
		}
		s.renderProcess(w, rq, statusOf(err), v)
		return nil
	}
	flash := "process_" + in.Action
	if in.Action == process.ActionComplete && pr.Status != process.StatusOpen {
		flash = "process_" + string(pr.Status) // the last step: the process is done
	}
	s.seeOther(w, rq.Request, "/processes/"+id.String(), flash)
	return nil
}

// refusalMessage writes the refusals the page can say best by itself, with
// the names it shows: the process moved on or closed meanwhile, the step or
// the countersignature is another role's, and the gates of the current step
// (gateMessage). "" leaves the service's message.
func refusalMessage(err error, in process.ActionInput, v *processView, l i18n.Locale) string {
	e, ok := apperr.As(err)
	if !ok {
		return ""
	}
	switch {
	case e.Status == http.StatusConflict && !v.Open:
		return label("prc.closed", v.StatusName).In(l)
	case e.Status == http.StatusConflict && e.Field == "step":
		return label("prc.moved_on", v.StepName).In(l)
	case e.Status == http.StatusForbidden && v.Current != nil && (in.Action == process.ActionComplete || in.Action == process.ActionReturn):
		return label("prc.not_yours_short", v.Current.Role, v.Current.Unit).In(l)
	case e.Status == http.StatusForbidden && in.Action == process.ActionSign:
		for _, p := range v.Parties {
			if p.Key == in.Party {
				return label("prc.sign_role", p.Name, p.Role).In(l)
			}
		}
	}
	return gateMessage(e, v, l)
}

// gateMessage writes a refusal at a gate of the current step — documents
// not received, facts not recorded, countersignatures missing — from the
// items the service lists (Details["missing"]), by their names on the page.
func gateMessage(e *apperr.Error, v *processView, l i18n.Locale) string {
	if v.Current == nil {
		return ""
	}
	missing, _ := e.Details["missing"].([]string)
	if len(missing) == 0 {
		return ""
	}
	var names []string
	for _, k := range missing {
		name := k
		switch e.Field {
		case "checklist":
			for _, c := range v.Checklist {
				if c.E.Item == k {
					name = c.Name
				}
			}
		case "requires":
			for _, f := range v.Pending {
				if f.Key == k {
					name = f.Name
				}
			}
		case "countersign":
			for _, p := range v.Parties {
				if p.Key == k {
					name = p.Name
				}
			}
		default:
			return ""
		}
		names = append(names, name)
	}
	sep := "、"
	if l == i18n.EN {
		sep = ", "
	}
	msg := label("prc.gate."+e.Field, strings.Join(names, sep)).In(l)
	if rules, _ := e.Details["rules"].([]string); len(rules) > 0 {
		msg += label("prc.gate.rules", strings.Join(rules, ", ")).In(l)
	}
	return msg
}

// shows reports whether the page offers the form of an action (where a
// refusal of it is shown).
func (v *processView) shows(action string) bool {
	switch action {
	case process.ActionComplete:
		return v.CanComplete
	case process.ActionReturn:
		return v.CanReturn
	case process.ActionCancel:
		return v.CanCancel && v.Open
	case process.ActionSign:
		return slices.ContainsFunc(v.Parties, func(p partyView) bool { return p.CanSign })
	case process.ActionReceive, process.ActionFact:
		return v.CanAct && v.Open
	}
	return false
}
