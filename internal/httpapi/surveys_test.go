package httpapi_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/org"
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

// TestSurveyCampaignsOverHTTP (issue 9): the CS supervisor plans a
// campaign (201, DC number), records the API.md example counts and reads
// the statistics back, is refused inconsistent counts naming the field,
// closes with the improvement plan (SUR-011) and gets the ARC-014
// retention dates; the closed campaign refuses counts (409); an agent
// reads but may not write (403); another company's staff get 404 and an
// empty list.
func TestSurveyCampaignsOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		mk := func(name string) org.Unit {
			u, err := e.org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: name, Pack: "property"})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		a, b := mk("甲物业"), mk("乙物业")
		e.user("supervisor", a.ID, auth.RoleCSSupervisor)
		e.user("agent", a.ID, auth.RoleCSAgent)
		e.user("other", b.ID, auth.RoleManager)
		e.user("reviewer", a.ID, auth.RoleCSSupervisor)
		e.user("manager", a.ID, auth.RoleManager)
		tok := map[string]string{}
		for _, u := range []string{"supervisor", "agent", "other", "reviewer", "manager"} {
			tok[u] = e.login(u)
		}
		plan := map[string]any{"title": "2026 年业主满意度调查", "purpose": "了解业主满意度", "scope": "全体入住户",
			"channel": "paper", "starts_on": "2026-03-01", "ends_on": "2026-03-31", "households": 1000, "penalties": "弄虚作假扣罚"}
		r := e.do("POST", "/api/v1/surveys", tok["supervisor"], plan)
		if r.Code != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Code, r.Body)
		}
		var c struct {
			ID, Number, Status string
			Result             map[string]any
			FormsKeepUntil     string `json:"forms_keep_until"`
			ReportKeepUntil    string `json:"report_keep_until"`
			PlanKeepUntil      string `json:"plan_keep_until"`
		}
		r.decode(t, &c)
		if c.Number != "DC2026-0001" || c.Status != "planned" || c.Result != nil {
			t.Fatalf("created: %s", r.Body)
		}
		path := "/api/v1/surveys/" + c.ID
		wantError(t, e.do("POST", "/api/v1/surveys", tok["supervisor"], map[string]any{"title": "x", "channel": "sms"}),
			http.StatusUnprocessableEntity, "validation_failed", "channel")
		wantError(t, e.do("POST", "/api/v1/surveys", tok["agent"], plan), http.StatusForbidden, "forbidden", "")

		// The plan is approved first (SUR-002).
		approvePlan(t, e, path, tok["supervisor"], tok["reviewer"], tok["manager"])
		counts := map[string]any{"distributed": 800, "returned": 698, "verified": 35, "genuine": 34, "answered": 698, "satisfied": 640}
		r = e.do("POST", path+"/counts", tok["supervisor"], counts)
		if r.Code != http.StatusOK {
			t.Fatalf("counts: %d %s", r.Code, r.Body)
		}
		r = e.do("GET", path, tok["agent"], nil)
		r.decode(t, &c)
		if r.Code != http.StatusOK || c.Status != "running" || c.Result["return_rate"] != 87.25 || c.Result["satisfaction"] != 91.69 {
			t.Fatalf("get: %d %s", r.Code, r.Body)
		}
		wantError(t, e.do("POST", path+"/counts", tok["supervisor"], map[string]any{"distributed": 800, "returned": 801}),
			http.StatusUnprocessableEntity, "validation_failed", "returned")
		wantError(t, e.do("POST", path+"/counts", tok["agent"], counts), http.StatusForbidden, "forbidden", "")

		// Another company: nothing.
		wantError(t, e.do("GET", path, tok["other"], nil), http.StatusNotFound, "not_found", "survey")
		wantError(t, e.do("POST", path+"/close", tok["other"], map[string]any{"improvement_plan": "越权"}),
			http.StatusNotFound, "not_found", "survey")
		var l struct{ Items []map[string]any }
		e.do("GET", "/api/v1/surveys", tok["other"], nil).decode(t, &l)
		if len(l.Items) != 0 {
			t.Fatalf("other's list: %v", l.Items)
		}
		r = e.do("GET", "/api/v1/surveys?status=running", tok["agent"], nil)
		r.decode(t, &l)
		if r.Code != http.StatusOK || len(l.Items) != 1 {
			t.Fatalf("list: %d %s", r.Code, r.Body)
		}
		wantError(t, e.do("GET", "/api/v1/surveys?status=open", tok["agent"], nil), http.StatusUnprocessableEntity,
			"validation_failed", "status")

		// Close (SUR-011, ARC-014): the clock stands at 2026-03-02.
		wantError(t, e.do("POST", path+"/close", tok["supervisor"], map[string]any{}), http.StatusUnprocessableEntity,
			"validation_failed", "improvement_plan")
		r = e.do("POST", path+"/close", tok["supervisor"], map[string]any{"improvement_plan": "维修及时性改进方案"})
		r.decode(t, &c)
		if r.Code != http.StatusOK || c.Status != "closed" || c.FormsKeepUntil != "2028-03-02" || c.ReportKeepUntil != "2028-03-02" ||
			c.PlanKeepUntil != "2027-03-02" {
			t.Fatalf("close: %d %s", r.Code, r.Body)
		}
		if a := e.lastAudit(); a.Action != "survey.close" || a.ObjectID != c.ID {
			t.Fatalf("audit: %+v", a)
		}
		wantError(t, e.do("POST", path+"/counts", tok["supervisor"], counts), http.StatusConflict, "conflict", "status")
	})
}

// approvePlan takes a campaign's plan through its approval over HTTP
// (SUR-002): submitted by its preparer, reviewed, approved by a manager.
func approvePlan(t *testing.T, e *env, path, preparer, reviewer, manager string) {
	t.Helper()
	for _, step := range []struct {
		path, tok, want string
	}{{path + "/submit", preparer, "submitted"}, {path + "/review", reviewer, "reviewed"}, {path + "/approve", manager, "approved"}} {
		r := e.do("POST", step.path, step.tok, map[string]any{"opinion": "同意"})
		var c struct {
			PlanStatus string `json:"plan_status"`
		}
		r.decode(t, &c)
		if r.Code != http.StatusOK || c.PlanStatus != step.want {
			t.Fatalf("POST %s: %d %s", step.path, r.Code, r.Body)
		}
	}
}
