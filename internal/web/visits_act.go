package web

import (
	"net/http"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
	"kefu/internal/visit"
)

// signaturePrefix starts the PNG data URL the signature pad (visits.js)
// puts into the form; anything else sent as a signature is ignored.
const signaturePrefix = "data:image/png;base64,"

// visitRecordFields are the inputs of the record form that can carry an
// error; any other refusal (recorded meanwhile, another role's visit) is
// the form's alert.
var visitRecordFields = []string{"mode", "result", "opinion", "signature", "new_issue", "reply_due_at",
	"rectification", "next_visit_at"}

// visitRecord saves the visit's result from the record form; a refusal
// shows the page again with the error under the field the service names.
func (s *Server) visitRecord(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	l := rq.Lang
	in := visit.RecordInput{Mode: f.text("mode"), Result: f.text("result"), Opinion: strings.TrimSpace(f.Get("opinion")),
		NewIssue: strings.TrimSpace(f.Get("new_issue")), Rectification: strings.TrimSpace(f.Get("rectification"))}
	switch sig := f.text("signature"); {
	case f.Checked("signature_paper"):
		in.Signature = "paper"
	case strings.HasPrefix(sig, signaturePrefix) && len(sig) > len(signaturePrefix):
		in.Signature = sig
	}
	// The times are read only where they count: a reply time with a new
	// issue, the next visit of a dissatisfied customer.
	var perr error
	when := func(field string, dst **time.Time) {
		if v := f.text(field); v != "" && perr == nil {
			t, err := parseWhen(field, v)
			perr = err
			*dst = &t
		}
	}
	if in.NewIssue != "" {
		when("reply_due_at", &in.ReplyDueAt)
	}
	if in.Result == visit.ResultDissatisfied {
		when("next_visit_at", &in.NextVisitAt)
	}
	var v *visit.Visit
	if err = perr; err == nil {
		v, err = s.visits.Record(rq.Context(), rq.P, id, in)
	}
	if err != nil {
		if !failOn(f, err, l, visitRecordFields) {
			return err
		}
		vv, verr := s.visitView(rq, id, "record", f)
		if verr != nil {
			return verr
		}
		if e, ok := apperr.As(err); ok && e.Field == "mode" {
			f.Errors["mode"] = modesMessage(vv, l)
		} else if ok && e.Field == "result" {
			f.Errors["result"] = label("vis.result_required").In(l)
		}
		if msg := visitMessage(err, vv, l); msg != "" {
			f.Alert = msg
		}
		if !vv.CanRecord {
			vv.Alert = visitFirstMessage(f, visitRecordFields)
		}
		s.renderVisit(w, rq, statusOf(err), vv)
		return nil
	}
	flash := "visit_recorded"
	if v.Result == visit.ResultDissatisfied {
		flash = "visit_next_round"
	}
	s.seeOther(w, rq.Request, "/visits/"+id.String(), flash)
	return nil
}

// visitReview is the supervisor's sign-off with an opinion (VIS-009).
func (s *Server) visitReview(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	if _, err = s.visits.Review(rq.Context(), rq.P, id, strings.TrimSpace(f.Get("opinion"))); err != nil {
		fields := []string{"opinion"}
		if !failOn(f, err, rq.Lang, fields) {
			return err
		}
		vv, verr := s.visitView(rq, id, "review", f)
		if verr != nil {
			return verr
		}
		if !vv.CanReview {
			vv.Alert = visitFirstMessage(f, fields)
		}
		s.renderVisit(w, rq, statusOf(err), vv)
		return nil
	}
	s.seeOther(w, rq.Request, "/visits/"+id.String(), "visit_signed_off")
	return nil
}

// visitSwap is the owner role's swap of the drawn item with a reason
// (VIS-016); it shows the replacement's visit.
func (s *Server) visitSwap(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	in := visit.SwapInput{Reason: f.text("reason"), CandidateID: f.id("candidate_id")}
	v, err := s.visits.Swap(rq.Context(), rq.P, id, in)
	if err != nil {
		fields := []string{"reason", "candidate_id"}
		if !failOn(f, err, rq.Lang, fields) {
			return err
		}
		vv, verr := s.visitView(rq, id, "swap", f)
		if verr != nil {
			return verr
		}
		if !vv.CanSwap {
			vv.Alert = visitFirstMessage(f, fields)
		}
		s.renderVisit(w, rq, statusOf(err), vv)
		return nil
	}
	s.seeOther(w, rq.Request, "/visits/"+v.SwappedTo.String(), "visit_swapped")
	return nil
}

// visitAnswer records the outcome of the visit's new issue and the
// response to the customer (VIS-012).
func (s *Server) visitAnswer(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	in := visit.AnswerInput{Outcome: f.text("outcome"), Response: f.text("response")}
	if _, err = s.visits.Answer(rq.Context(), rq.P, id, in); err != nil {
		fields := []string{"outcome", "response"}
		if !failOn(f, err, rq.Lang, fields) {
			return err
		}
		vv, verr := s.visitView(rq, id, "answer", f)
		if verr != nil {
			return verr
		}
		if !vv.CanAnswer {
			vv.Alert = visitFirstMessage(f, fields)
		}
		s.renderVisit(w, rq, statusOf(err), vv)
		return nil
	}
	s.seeOther(w, rq.Request, "/visits/"+id.String(), "visit_answered")
	return nil
}

// modesMessage names the modes of the round in words (the service lists
// their keys).
func modesMessage(v *visitView, l i18n.Locale) string {
	names := make([]string, 0, len(v.Modes))
	for _, m := range v.Modes {
		names = append(names, m.Name)
	}
	sep := "、"
	if l == i18n.EN {
		sep = " or "
	}
	return label("vis.mode_must", strings.Join(names, sep)).In(l)
}

// visitFirstMessage is the form's alert, else its first field error in
// the order of fields.
func visitFirstMessage(f *Form, fields []string) string {
	if f.Alert != "" {
		return f.Alert
	}
	for _, k := range fields {
		if m := f.Errors[k]; m != "" {
			return m
		}
	}
	return ""
}
