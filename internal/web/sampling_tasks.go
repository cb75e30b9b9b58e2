package web

// The verification form of one sampling task (SMP-013): the checklist
// scored pass/fail with notes, the method, findings, the handling proposal
// (required when anything failed), the signatures of an on-site check
// (the customer's unless the meter hangs outdoors), a hazard found
// (SMP-016); a verified task verified again is a correction with a reason.

import (
	"net/http"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/sampling"
	"kefu/internal/store"
)

// samplingTaskView is the verification page.
type samplingTaskView struct {
	T                *sampling.Task
	D                *sampling.DrawRecord
	RuleName         string
	Stratum          string
	Method           string // the drawn method's name, "" when the checker chooses
	Methods          []option
	Items            []policy.SamplingCheckItem
	Outdoor          bool // the stratum's meters hang outdoors (SMP-013)
	Verified         bool
	Open             bool // the draw is open
	SessionMin       int
	Severities       []option
	Form             *Form
	Checked, Checker string
	Fields           smpVerifyFields
}

// smpVerifyFields feed the template "smpverifyfields" (the task form and
// the session form).
type smpVerifyFields struct {
	Form       *Form
	Items      []policy.SamplingCheckItem
	Methods    []option
	Drawn      string // the drawn method's name; "" offers Methods
	Correction bool
	Outdoor    bool
	Severities []option
}

// severityOptions are the hazard severities of INS-018.
func severityOptions(l i18n.Locale) []option {
	var out []option
	for _, sev := range []string{"minor", "general", "larger", "serious"} {
		out = append(out, option{sev, label("smp.severity." + sev).In(l)})
	}
	return out
}

// samplingTaskFields are the inputs of the verification form.
func samplingTaskFields(items []policy.SamplingCheckItem) []string {
	out := []string{"method", "results", "findings", "proposal", "employee_signature", "customer_signature",
		"correction_reason", "session", "hazards[0].description", "hazards[0].severity", "checker_position"}
	for _, it := range items {
		out = append(out, "r."+it.Key)
	}
	return out
}

func (s *Server) samplingTaskView(rq *request, id store.ID, f *Form) (*samplingTaskView, error) {
	t, d, err := s.sampler.GetTask(rq.Context(), rq.P, id)
	if err != nil {
		return nil, err
	}
	l := rq.Lang
	if f == nil {
		f = newForm(nil)
	}
	v := &samplingTaskView{T: t, D: d, RuleName: d.RuleName, Stratum: t.Stratum, Verified: t.Status == sampling.TaskVerified,
		Open: d.Status == sampling.DrawOpen, Form: f, Checked: d.CheckedUser, Checker: d.Checker}
	if t.Method != "" {
		v.Method = methodLabel(t.Method, l)
	}
	if pack, rule, ok := s.sampler.Rule(d.Pack, d.PackVersion, d.Rule); ok {
		v.RuleName = nameIn(rule.Name, l)
		v.Items = sampling.Checklist(&pack.Sampling, rule, t.Stratum)
		v.SessionMin = rule.SessionMin
		if st, ok := rule.Stratum(t.Stratum); ok {
			v.Stratum, v.Outdoor = nameIn(st.Name, l), st.OutdoorMeter
		}
		for _, m := range rule.Methods {
			v.Methods = append(v.Methods, option{m, methodLabel(m, l)})
		}
	}
	v.Severities = severityOptions(l)
	v.Fields = smpVerifyFields{Form: f, Items: v.Items, Methods: v.Methods, Drawn: v.Method, Correction: v.Verified,
		Outdoor: v.Outdoor, Severities: v.Severities}
	return v, nil
}

func (s *Server) renderTask(w http.ResponseWriter, rq *request, status int, v *samplingTaskView) {
	pg := s.newPage(rq, "smp.verify", "sampling")
	pg.Data = v
	pg.Form = v.Form
	s.render(w, rq, status, "sampling_task", pg)
}

func (s *Server) samplingTaskShow(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	v, err := s.samplingTaskView(rq, id, nil)
	if err != nil {
		return err
	}
	s.renderTask(w, rq, http.StatusOK, v)
	return nil
}

// samplingTaskVerify saves the verification; a refusal shows the form
// again with the error under its field.
func (s *Server) samplingTaskVerify(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	v, err := s.samplingTaskView(rq, id, f)
	if err != nil {
		return err
	}
	in := verifyInputOf(f, v.Items)
	e, err := s.sampler.Verify(rq.Context(), rq.P, id, in)
	if err != nil {
		err = itemField(err, in)
		if ae, ok := apperr.As(err); ok && strings.HasPrefix(ae.Field, "r.") {
			f.Errors[ae.Field] = label("smp.score_item").In(rq.Lang)
		} else if !failOn(f, err, rq.Lang, samplingTaskFields(v.Items)) {
			return err
		}
		s.renderTask(w, rq, statusOf(err), v)
		return nil
	}
	s.seeOther(w, rq.Request, "/sampling/ledger/"+e.ID.String(), "smp_verified")
	return nil
}
