package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/policies"
)

type packJSON struct {
	Key        string `json:"key"`
	Version    int    `json:"version"`
	Calendar   string `json:"calendar"`
	Source     string `json:"source"`
	Categories []struct {
		Key    string `json:"key"`
		Clocks []struct {
			Kind     string   `json:"kind"`
			Duration string   `json:"duration"`
			StartsOn []string `json:"starts_on"`
		} `json:"clocks"`
	} `json:"categories"`
}

// TestPolicyPacksAPI: list, get, versions and install (PRODUCT.md §4, TKT-041).
func TestPolicyPacksAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		agent := e.user("agent", e.root.ID, auth.RoleCSAgent)
		tok := e.login(agent.Username)

		r := e.do("GET", "/api/v1/policy/packs", tok, nil)
		var l listJSON[struct {
			Key      string `json:"key"`
			Version  int    `json:"version"`
			Calendar string `json:"calendar"`
			Name     struct{ ZH string }
		}]
		r.decode(t, &l)
		cals := map[string]string{}
		for _, it := range l.Items {
			cals[it.Key] = it.Calendar
			if want := map[string]int{"general": 4, "property": 4, "gas": 5, "power": 4, "realestate": 6}[it.Key]; it.Version != max(want, 1) || it.Name.ZH == "" {
				t.Errorf("item %+v", it)
			}
		}
		want := map[string]string{"general": "cn", "property": "cn-office", "gas": "cn", "power": "cn", "realestate": "cn"}
		if len(cals) != len(want) {
			t.Fatalf("packs %v", cals)
		}
		for k, c := range want {
			if cals[k] != c {
				t.Errorf("%s calendar %q, want %q (CAL-002)", k, cals[k], c)
			}
		}

		// TKT-005: the realestate complaint's assign clock starts on forward.
		r = e.do("GET", "/api/v1/policy/packs/realestate", tok, nil)
		var p packJSON
		r.decode(t, &p)
		if p.Key != "realestate" || len(p.Categories) == 0 || p.Categories[0].Key != "complaint" ||
			p.Categories[0].Clocks[1].Kind != "assign" || p.Categories[0].Clocks[1].Duration != "24h" ||
			p.Categories[0].Clocks[1].StartsOn[0] != "forward" {
			t.Fatalf("realestate pack %s", r.Body)
		}
		wantError(t, e.do("GET", "/api/v1/policy/packs/nope", tok, nil), http.StatusNotFound, "not_found", "key")
		wantError(t, e.do("GET", "/api/v1/policy/packs/gas?version=6", tok, nil), http.StatusNotFound, "not_found", "version")
		wantError(t, e.do("GET", "/api/v1/policy/packs/gas?version=x", tok, nil), http.StatusUnprocessableEntity, "validation_failed", "version")

		// Installing needs policy:write.
		gas, _ := policies.FS.ReadFile("gas.yaml")
		wantError(t, e.do("POST", "/api/v1/policy/packs", tok, map[string]string{"yaml": string(gas)}), http.StatusForbidden, "forbidden", "")
		before := e.auditCount()
		r = e.postYAML(string(gas), "")
		if r.Code != http.StatusCreated {
			t.Fatalf("install: %d %s", r.Code, r.Body)
		}
		r.decode(t, &p)
		if p.Key != "gas" || p.Version != 6 || p.Source != "api" || e.auditCount() != before+1 {
			t.Fatalf("installed %+v", p)
		}
		if a := e.lastAudit(); a.Action != "policy.install" || a.ObjectID != "gas@6" || a.Actor != "admin" {
			t.Errorf("audit %+v", a)
		}
		r = e.do("GET", "/api/v1/policy/packs/gas?version=5", tok, nil)
		r.decode(t, &p)
		if p.Version != 5 || p.Source != "builtin" {
			t.Errorf("gas v5: %+v", p)
		}
		// JSON body; a new key.
		mine := strings.Replace(string(gas), "key: gas", "key: gas_north", 1)
		r = e.do("POST", "/api/v1/policy/packs", e.adminTok, map[string]string{"yaml": mine})
		if r.Code != http.StatusCreated {
			t.Fatalf("install JSON: %d %s", r.Code, r.Body)
		}
		r.decode(t, &p)
		if p.Key != "gas_north" || p.Version != 1 {
			t.Errorf("gas_north %+v", p)
		}
	})
}

// TestPolicyInstallInvalid: 422 naming the field path, with the line in the
// message; nothing stored.
func TestPolicyInstallInvalid(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		gas, _ := policies.FS.ReadFile("gas.yaml")
		bad := strings.Replace(string(gas), `duration: "6h"`, `duration: "6x"`, 1)
		line := strings.Count(bad[:strings.Index(bad, `"6x"`)], "\n") + 1
		before := e.auditCount()
		r := e.postYAML(bad, "en")
		ae := wantError(t, r, http.StatusUnprocessableEntity, "validation_failed", "categories[0].clocks[0].duration")
		if want := "api:" + itoa(line) + ": categories[0].clocks[0].duration: invalid duration"; !strings.Contains(ae.Message, want) {
			t.Errorf("message %q lacks %q", ae.Message, want)
		}
		r = e.postYAML(bad, "zh-CN")
		if ae := errorOf(t, r); !strings.Contains(ae.Message, "时限") {
			t.Errorf("Chinese message %q", ae.Message)
		}
		wantError(t, e.do("POST", "/api/v1/policy/packs", e.adminTok, map[string]string{"yaml": ""}),
			http.StatusUnprocessableEntity, "validation_failed", "yaml")
		wantError(t, e.do("POST", "/api/v1/policy/packs", e.adminTok, map[string]any{"yaml": 3}),
			http.StatusUnprocessableEntity, "validation_failed", "yaml")
		if e.auditCount() != before || e.count("SELECT count(*) FROM policy_packs WHERE source <> 'builtin'") != 0 {
			t.Error("a refused pack was stored")
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

// postYAML installs a pack sent as YAML text, as the administrator.
func (e *env) postYAML(text, lang string) res {
	e.t.Helper()
	req := httptest.NewRequest("POST", "/api/v1/policy/packs", strings.NewReader(text))
	req.Header.Set("Content-Type", "application/yaml; charset=utf-8")
	req.Header.Set("Authorization", "Bearer "+e.adminTok)
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return res{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}
