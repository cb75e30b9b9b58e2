package httpapi_test

import (
	"net/http"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestSamplingSizeOverHTTP is API.md's POST /api/v1/sampling/size on the
// gas pack's rules with the worked examples of SMP-003 to SMP-009: the
// sample and its strata, bad input as 422 naming the field, and a role
// without sampling:read refused.
func TestSamplingSizeOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.user("field", e.root.ID, auth.RoleFieldStaff)
		e.user("auditor", e.root.ID, auth.RoleAuditor)
		auditor := e.login("auditor")
		const path = "/api/v1/sampling/size"
		type stratum struct {
			Key  string
			Size int
		}
		var got struct {
			Sample  int
			Strata  []stratum
			Methods []struct {
				Method string
				Size   int
			}
		}
		size := func(body map[string]any) {
			t.Helper()
			got.Strata, got.Methods = nil, nil
			r := e.do("POST", path, auditor, body)
			if r.Code != http.StatusOK {
				t.Fatalf("%v: %d %s", body, r.Code, r.Body)
			}
			r.decode(t, &got)
		}
		// SMP-006: 2 % of 850 = 17 → at least 20, half on site.
		size(map[string]any{"rule": "inspector", "population": 850})
		if got.Sample != 20 || len(got.Strata) != 0 || len(got.Methods) != 2 || got.Methods[0].Size != 10 || got.Methods[1].Size != 10 {
			t.Errorf("inspector 850: %+v", got)
		}
		// SMP-003: 3,600 → 72 → 22/21/11/11/7; no boilers → 24/24/12/12/0.
		size(map[string]any{"rule": "customer_manager.residential", "population": 3600})
		want := []stratum{{"indoor", 22}, {"outdoor", 21}, {"not_seen", 11}, {"not_using", 11}, {"wall_hung_boiler", 7}}
		if got.Sample != 72 || len(got.Strata) != 5 {
			t.Fatalf("residential 3,600: %+v", got)
		}
		for i, s := range want {
			if got.Strata[i] != s {
				t.Errorf("stratum %d: %+v, want %+v", i, got.Strata[i], s)
			}
		}
		size(map[string]any{"pack": "gas", "rule": "customer_manager.residential", "population": 3600,
			"strata": map[string]int{"indoor": 2000, "outdoor": 1200, "not_seen": 200, "not_using": 200, "wall_hung_boiler": 0}})
		if got.Sample != 72 || got.Strata[0].Size != 24 || got.Strata[1].Size != 24 || got.Strata[2].Size != 12 ||
			got.Strata[3].Size != 12 || got.Strata[4].Size != 0 {
			t.Errorf("no boilers: %+v", got)
		}
		for _, c := range []struct {
			rule       string
			population int
			sample     int
		}{{"repair.meter_change", 140, 7}, {"repair.ignition", 61, 4}, {"repair.pipe_exposed", 9, 5},
			{"repair.pipe_concealed", 3, 3}, {"auditor", 400, 12}, {"customer_manager.commercial", 148, 148}, {"inspector", 1530, 31}} {
			size(map[string]any{"rule": c.rule, "population": c.population})
			if got.Sample != c.sample {
				t.Errorf("%s of %d: sample %d, want %d", c.rule, c.population, got.Sample, c.sample)
			}
		}

		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"population": 100}, "rule"},
			{map[string]any{"rule": "nope", "population": 100}, "rule"},
			{map[string]any{"rule": "inspector", "population": -1}, "population"},
			{map[string]any{"pack": "water", "rule": "inspector", "population": 1}, "pack"},
			{map[string]any{"pack": "power", "rule": "inspector", "population": 1}, "rule"},
			{map[string]any{"rule": "inspector", "population": "many"}, "population"},
		} {
			wantError(t, e.do("POST", path, auditor, c.body), http.StatusUnprocessableEntity, "validation_failed", c.field)
		}
		wantError(t, e.do("POST", path, auditor, `{"rule":`), http.StatusBadRequest, "malformed_request", "")
		if auth.Grants([]auth.Role{auth.RoleFieldStaff}, auth.PermSamplingRead) {
			t.Fatal("field staff hold sampling:read; pick another role")
		}
		wantError(t, e.do("POST", path, e.login("field"), map[string]any{"rule": "inspector", "population": 850}),
			http.StatusForbidden, "forbidden", "")
	})
}
