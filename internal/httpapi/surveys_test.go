package httpapi_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// surveyExample is the request of API.md "POST /api/v1/surveys/compute".
const surveyExample = `{"pack":"property","households":1000,"distributed":800,"returned":698,"verified":35,"genuine":34,"satisfied":640,"answered":698}`

// TestSurveyComputeOverHTTP: the API.md example answered exactly, bad
// counts and packs refused with 422 naming the field, malformed JSON 400,
// and a role without surveys:read refused with 403 (SUR-004 to SUR-008).
func TestSurveyComputeOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.user("agent", e.root.ID, auth.RoleCSAgent)
		e.user("viewer", e.root.ID, auth.RoleViewer)
		agent, viewer := e.login("agent"), e.login("viewer")
		const path = "/api/v1/surveys/compute"

		// API.md, number for number and key for key.
		r := e.do("POST", path, agent, surveyExample)
		if r.Code != http.StatusOK {
			t.Fatalf("example: %d %s", r.Code, r.Body)
		}
		var got, want map[string]any
		r.decode(t, &got)
		if err := json.Unmarshal([]byte(`{"distribution_rate":80.0,"return_rate":87.25,"verification_rate":5.01,`+
			`"authenticity_rate":97.14,"raw_satisfaction":91.69,"deduction":0,"satisfaction":91.69,`+
			`"meets":{"distribution":true,"return":true,"verification":true,"authenticity":true}}`), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("example answers %s", r.Body)
		}

		// RULES.md SUR-007: return 80.5 %, raw 92.0 % → 87.5 % on any
		// pack with the default targets (general).
		r = e.do("POST", path, agent, map[string]any{"pack": "general", "households": 1250, "distributed": 1000,
			"returned": 805, "verified": 41, "genuine": 40, "satisfied": 690, "answered": 750})
		var short struct {
			ReturnRate   float64 `json:"return_rate"`
			Deduction    float64 `json:"deduction"`
			Satisfaction float64 `json:"satisfaction"`
			Meets        struct {
				Return bool `json:"return"`
			} `json:"meets"`
		}
		r.decode(t, &short)
		if r.Code != http.StatusOK || short.ReturnRate != 80.5 || short.Deduction != 4.5 || short.Satisfaction != 87.5 || short.Meets.Return {
			t.Errorf("SUR-007 example: %d %s", r.Code, r.Body)
		}

		// Bad input: 422 naming the field.
		for _, c := range []struct{ body, field string }{
			{`{}`, "pack"},
			{`{"pack":"water","households":1000,"distributed":800,"returned":698,"verified":35,"genuine":34,"satisfied":640,"answered":698}`, "pack"},
			{`{"pack":"property","households":1000,"distributed":800,"returned":801,"verified":35,"genuine":34,"satisfied":640,"answered":698}`, "returned"},
			{`{"pack":"property","households":700,"distributed":800,"returned":698,"verified":35,"genuine":34,"satisfied":640,"answered":698}`, "distributed"},
			{`{"pack":"property","households":1000,"distributed":800,"returned":698,"verified":35,"genuine":36,"satisfied":640,"answered":698}`, "genuine"},
			{`{"pack":"property","households":1000,"distributed":800,"returned":698,"verified":35,"genuine":34,"satisfied":699,"answered":698}`, "satisfied"},
			{`{"pack":"property","households":1000,"distributed":800,"returned":698,"verified":35,"genuine":34,"satisfied":640,"answered":699}`, "answered"},
			{`{"pack":"property","households":1000,"distributed":800,"returned":698,"verified":-1,"genuine":34,"satisfied":640,"answered":698}`, "verified"},
			{`{"pack":"property","households":1000,"distributed":800,"returned":698,"verified":0,"genuine":0,"satisfied":640,"answered":698}`, "verified"},
			{`{"pack":"property","households":0}`, "households"},
			{`{"pack":"property","households":1000.5,"distributed":800,"returned":698,"verified":35,"genuine":34,"satisfied":640,"answered":698}`, "households"},
			{`{"pack":"property","households":"1000"}`, "households"},
		} {
			wantError(t, e.do("POST", path, agent, c.body), http.StatusUnprocessableEntity, "validation_failed", c.field)
		}
		// Malformed JSON: 400.
		for _, body := range []string{`{"pack":"property",`, `not json`, surveyExample + `{}`} {
			wantError(t, e.do("POST", path, agent, body), http.StatusBadRequest, "malformed_request", "")
		}
		// A role without surveys:read: 403, whatever the body.
		if auth.Grants([]auth.Role{auth.RoleViewer}, auth.PermSurveysRead) {
			t.Fatal("the viewer role holds surveys:read; pick another role")
		}
		wantError(t, e.do("POST", path, viewer, surveyExample), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", path, "", surveyExample), http.StatusUnauthorized, "unauthorized", "")
	})
}
