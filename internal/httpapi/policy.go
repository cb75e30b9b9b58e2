package httpapi

import (
	"io"
	"mime"
	"net/http"
	"strconv"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/policy"
)

// PackInput is the JSON body of POST /api/v1/policy/packs; the body may also
// be the YAML text itself with Content-Type application/yaml.
type PackInput struct {
	YAML string `json:"yaml"`
}

// policyAPI serves the policy pack routes (PRODUCT.md §4, TKT-041).
type policyAPI struct {
	reg *policy.Registry
}

func (a *API) policyRoutes(reg *policy.Registry) []Route {
	if reg == nil {
		return nil
	}
	h := policyAPI{reg: reg}
	read, write := auth.PermPolicyRead, auth.PermPolicyWrite
	return []Route{
		{Method: "GET", Path: "/api/v1/policy/packs", Permission: read, Tag: "policy",
			Summary:  "政策包 The latest version of every policy pack",
			Response: list[policy.Summary]{}, handle: h.list},
		{Method: "GET", Path: "/api/v1/policy/packs/{key}", Permission: read, Tag: "policy",
			Summary:  "政策包详情 A pack with its categories, clocks, severities and rules",
			Query:    []Param{{"version", "a version number; default the latest"}},
			Response: policy.Pack{}, handle: h.get},
		{Method: "POST", Path: "/api/v1/policy/packs", Permission: write, Tag: "policy",
			Summary: "安装政策包 Validate a pack (YAML body, or JSON {\"yaml\":…}) and store it as the next version of its key",
			Request: PackInput{}, Response: policy.Pack{}, Status: http.StatusCreated, handle: h.install},
	}
}

func (h policyAPI) list(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	writeJSON(w, http.StatusOK, newList(h.reg.List(), ""))
	return nil
}

func (h policyAPI) get(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	key := r.PathValue("key")
	if _, ok := h.reg.Get(key); !ok {
		return apperr.NotFound("key")
	}
	var p *policy.Pack
	if s := r.URL.Query().Get("version"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			return apperr.Validation("version", i18n.T("版本须为正整数", "version must be a positive number"))
		}
		var ok bool
		if p, ok = h.reg.Version(key, v); !ok {
			return apperr.NotFound("version")
		}
	} else {
		p, _ = h.reg.Get(key)
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// isYAML reports whether the request body is YAML text.
func isYAML(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml":
		return true
	}
	return false
}

func (h policyAPI) install(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var data []byte
	if isYAML(r) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return err // too large: 413
		}
		data = b
	} else {
		var in PackInput
		if err := decode(r, &in); err != nil {
			return err
		}
		data = []byte(in.YAML)
	}
	if len(data) == 0 {
		return apperr.Required("yaml")
	}
	pack, err := h.reg.Install(r.Context(), p, "api", data)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/policy/packs/"+pack.Key+"?version="+strconv.Itoa(pack.Version))
	writeJSON(w, http.StatusCreated, pack)
	return nil
}
