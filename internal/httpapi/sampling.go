package httpapi

import (
	"net/http"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/sampling"
)

// samplingAPI serves /api/v1/sampling (supervision sampling, issue 10).
type samplingAPI struct{ reg *policy.Registry }

// samplingSizeInput asks for the sample a rule requires of a population
// (POST /api/v1/sampling/size).
type samplingSizeInput struct {
	// Pack: whose rule; default the caller's company pack, else the one
	// pack that has the rule (the gas rules of API.md).
	Pack       string `json:"pack"`
	Rule       string `json:"rule"`
	Population int    `json:"population"`
	// Strata: the population of each stratum, when known (an empty one's
	// share goes to the others, SMP-003).
	Strata map[string]int `json:"strata"`
	// RatePct: a company's higher rate within the rule's band (SMP-003).
	RatePct int `json:"rate_pct"`
}

func (a *API) samplingRoutes(reg *policy.Registry) []Route {
	if reg == nil {
		return nil
	}
	h := samplingAPI{reg}
	return []Route{
		{Method: "POST", Path: "/api/v1/sampling/size", Permission: auth.PermSamplingRead, Tag: "sampling",
			Summary: "抽查样本量 The sample a supervision rule requires of a population: ceil(rate × population), the " +
				"floor after rounding, never more than the population (SMP intro, SMP-003 to SMP-009); strata and method " +
				"splits by largest remainder, an empty stratum's share reallocated (G-22)",
			Request: samplingSizeInput{}, Response: sampling.SamplePlan{}, handle: h.size},
	}
}

func (h samplingAPI) size(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in samplingSizeInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Rule == "" {
		return apperr.Required("rule")
	}
	rule, err := h.rule(r, p, in)
	if err != nil {
		return err
	}
	plan, err := sampling.Plan(rule, sampling.Population{Base: in.Population, Strata: in.Strata, RatePct: in.RatePct})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, plan)
	return nil
}

// rule finds the rule: in the pack named, else the caller's company pack,
// else the one pack that has it.
func (h samplingAPI) rule(r *http.Request, p *auth.Principal, in samplingSizeInput) (*policy.SamplingRule, error) {
	if in.Pack != "" {
		pack, err := h.reg.Lookup("pack", in.Pack)
		if err != nil {
			return nil, err
		}
		if rule, ok := pack.Sampling.Rule(in.Rule); ok {
			return rule, nil
		}
		return nil, apperr.Validation("rule", i18n.T("政策包 %[1]s 没有抽查规则 %[2]q", "the pack %[1]s has no sampling rule %[2]q", in.Pack, in.Rule))
	}
	if pack, err := h.reg.ForUnit(r.Context(), p.OrgUnitID); err == nil {
		if rule, ok := pack.Sampling.Rule(in.Rule); ok {
			return rule, nil
		}
	}
	var found *policy.SamplingRule
	for _, key := range h.reg.Keys() {
		pack, ok := h.reg.Get(key)
		if !ok {
			continue
		}
		if rule, ok := pack.Sampling.Rule(in.Rule); ok {
			if found != nil {
				return nil, apperr.Validation("pack", i18n.T("多个政策包都有抽查规则 %q，请指定 pack", "several packs have the sampling rule %q: name the pack", in.Rule))
			}
			found = rule
		}
	}
	if found == nil {
		return nil, apperr.Validation("rule", i18n.T("没有抽查规则 %q", "no sampling rule %q", in.Rule))
	}
	return found, nil
}
