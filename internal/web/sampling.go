package web

// The supervision-sampling page (稽查抽查, issue 10, SMP): the draw form
// (rule, checked person, period, the population pasted as id,stratum
// lines) and the list of draws with filters (sampling_draws.go), the
// calculator of a period's sample — the quota, its strata and its split
// between methods, as internal/sampling plans it — and the pack's
// four-level matrix and sampling rules. The draw, verification, ledger and
// failure pages are sampling_*.go.

import (
	"net/http"
	"strconv"
	"strings"

	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/sampling"
)

// samplingRow is one rule of the pack as the page lists it.
type samplingRow struct {
	R        policy.SamplingRule
	Name     string
	Checked  string // the checked positions' names
	Quota    string // "2 %，至少 20 户" …
	Strata   string // "户内表 30 · 户外表 30 …"
	Methods  string
	Selected bool
}

// samplingLevel is one level of the SMP-002 matrix.
type samplingLevel struct {
	Level             int
	Name              string
	Checkers, Checked string
}

// samplingStratumRow is one stratum of the selected rule: its population
// as entered and its share of the computed sample.
type samplingStratumRow struct {
	Key, Name, Count string
	Size             int
}

// samplingData is the page.
type samplingData struct {
	PackName string
	Levels   []samplingLevel
	Rules    []samplingRow
	Plan     *sampling.SamplePlan
	Strata   []samplingStratumRow // of the selected rule
	Methods  []string             // "现场 10"
	RuleName string
	Empty    bool // the pack has no sampling rules
	Draws    samplingDraws
}

func (s *Server) samplingRoutes() {
	if s.policy == nil {
		return
	}
	s.page("GET /sampling", auth.PermSamplingRead, s.samplingPage)
	s.samplingStoreRoutes()
}

// samplingPage lists the caller's company pack's rules and computes a
// sample when a rule and a population are given (GET, so a result can be
// linked and printed).
func (s *Server) samplingPage(w http.ResponseWriter, rq *request) error {
	return s.samplingPageWith(w, rq, nil)
}

// samplingPageWith shows the page, with the draw form drawForm refused
// (nil: a fresh form).
func (s *Server) samplingPageWith(w http.ResponseWriter, rq *request, drawForm *Form) error {
	q, l := rq.URL.Query(), rq.Lang
	form := newForm(q)
	pack, err := s.policy.ForUnit(rq.Context(), rq.P.OrgUnitID)
	if err != nil {
		return err
	}
	sr := &pack.Sampling
	d := samplingData{PackName: nameIn(pack.Name, l), Empty: len(sr.Rules) == 0}
	posName := func(keys []string) string {
		names := make([]string, len(keys))
		for i, k := range keys {
			names[i] = k
			if p, ok := sr.Position(k); ok {
				names[i] = nameIn(p.Name, l)
			}
		}
		return strings.Join(names, "、")
	}
	for _, lv := range sr.Levels {
		d.Levels = append(d.Levels, samplingLevel{Level: lv.Level, Name: nameIn(lv.Name, l), Checkers: posName(lv.Checkers),
			Checked: posName(lv.Checked)})
	}
	selected := q.Get("rule")
	var rule *policy.SamplingRule
	for i := range sr.Rules {
		r := sr.Rules[i]
		row := samplingRow{R: r, Name: nameIn(r.Name, l), Checked: posName(r.Checked), Selected: r.Key == selected}
		switch {
		case r.Every:
			row.Quota = label("smp.every").In(l)
		case r.HasQuota() && r.Floor > 0:
			row.Quota = label("smp.rate_floor", r.RatePct, r.Floor).In(l)
		case r.HasQuota():
			row.Quota = label("smp.rate", r.RatePct).In(l)
		default:
			row.Quota = label("smp.periodic").In(l)
		}
		var parts []string
		for _, st := range r.Strata {
			parts = append(parts, nameIn(st.Name, l)+" "+strconv.Itoa(st.Weight))
		}
		row.Strata = strings.Join(parts, " · ")
		parts = nil
		for i, m := range r.Methods {
			name := m
			for _, sm := range policy.SamplingMethods {
				if sm.Key == m {
					name = nameIn(sm.Name, l)
				}
			}
			if i < len(r.MethodShares) {
				name += " " + strconv.Itoa(r.MethodShares[i]) + "%"
			}
			parts = append(parts, name)
		}
		row.Methods = strings.Join(parts, "、")
		if row.Selected {
			rule, d.RuleName = &sr.Rules[i], row.Name
		}
		d.Rules = append(d.Rules, row)
	}
	if rule != nil {
		for _, st := range rule.Strata {
			d.Strata = append(d.Strata, samplingStratumRow{Key: st.Key, Name: nameIn(st.Name, l),
				Count: strings.TrimSpace(q.Get("s." + st.Key))})
		}
	}
	if rule != nil && q.Get("population") != "" {
		d.plan(rule, q, form, l)
	} else if selected != "" && rule == nil {
		form.Errors["rule"] = label("smp.no_rule").In(l)
	}
	if err := s.samplingDrawsPart(rq, pack, &d.Draws, drawForm); err != nil {
		return err
	}
	pg := s.newPage(rq, "smp.title", "sampling")
	pg.Form = form
	pg.Data = d
	status := statusOrOK(form)
	if drawForm != nil && drawForm.HasErrors() {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, rq, status, "sampling", pg)
	return nil
}

// plan computes the sample of the form's population (and the strata's
// counts, when given) under rule.
func (d *samplingData) plan(rule *policy.SamplingRule, q map[string][]string, form *Form, l i18n.Locale) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	pop := sampling.Population{}
	n, err := strconv.Atoi(get("population"))
	if err != nil {
		form.Errors["population"] = label("smp.bad_number").In(l)
		return
	}
	pop.Base = n
	for _, st := range rule.Strata {
		if v := get("s." + st.Key); v != "" {
			c, err := strconv.Atoi(v)
			if err != nil {
				form.Errors["s."+st.Key] = label("smp.bad_number").In(l)
				return
			}
			if pop.Strata == nil {
				pop.Strata = map[string]int{}
			}
			pop.Strata[st.Key] = c
		}
	}
	plan, err := sampling.Plan(rule, pop)
	if err != nil {
		form.fail(err, l, "population", "rule")
		return
	}
	d.Plan = plan
	for _, st := range plan.Strata {
		for i := range d.Strata {
			if d.Strata[i].Key == st.Key {
				d.Strata[i].Size = st.Size
			}
		}
	}
	for _, m := range plan.Methods {
		name := m.Method
		for _, sm := range policy.SamplingMethods {
			if sm.Key == m.Method {
				name = nameIn(sm.Name, l)
			}
		}
		d.Methods = append(d.Methods, name+" "+strconv.Itoa(m.Size))
	}
}
