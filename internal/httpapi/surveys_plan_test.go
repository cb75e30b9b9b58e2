package httpapi_test

import (
	"net/http"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestSurveyPlanOverHTTP (SUR-002, ARC-018): the plan without its scope
// (the sampled rooms of a hand-counted survey) cannot be submitted (422
// naming the field); nothing is counted before the approval (409 plan);
// the preparer submits, may not review; an agent may not review; the
// approval waits for the review; the reviewer returns the plan with an
// opinion, the preparer edits (PATCH) and resubmits; a manager approves;
// the campaign's JSON carries the approval block.
func TestSurveyPlanOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		co, err := e.org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "甲物业", Pack: "property"})
		if err != nil {
			t.Fatal(err)
		}
		tok := map[string]string{}
		for name, role := range map[string]auth.Role{"sup": auth.RoleCSSupervisor, "rev": auth.RoleCSSupervisor,
			"mgr": auth.RoleManager, "agent": auth.RoleCSAgent} {
			e.user(name, co.ID, role)
			tok[name] = e.login(name)
		}
		r := e.do("POST", "/api/v1/surveys", tok["sup"], map[string]any{"title": "2026 年业主满意度调查", "purpose": "了解业主满意度",
			"channel": "paper", "starts_on": "2026-03-01", "ends_on": "2026-03-31", "households": 1000, "penalties": "弄虚作假扣罚"})
		var c struct {
			ID, Status      string
			PlanStatus      string `json:"plan_status"`
			PreparedBy      string `json:"prepared_by"`
			ReviewedBy      string `json:"reviewed_by"`
			ApprovedBy      string `json:"approved_by"`
			ApprovedAt      string `json:"approved_at"`
			ApprovalOpinion string `json:"approval_opinion"`
			ReturnOpinion   string `json:"return_opinion"`
		}
		r.decode(t, &c)
		if r.Code != http.StatusCreated || c.PlanStatus != "draft" || c.PreparedBy == "" {
			t.Fatalf("create: %d %s", r.Code, r.Body)
		}
		path := "/api/v1/surveys/" + c.ID

		wantError(t, e.do("POST", path+"/submit", tok["sup"], nil), http.StatusUnprocessableEntity, "validation_failed", "scope")
		wantError(t, e.do("POST", path+"/counts", tok["sup"], map[string]any{"distributed": 800}), http.StatusConflict, "conflict", "plan")
		wantError(t, e.do("PATCH", path, tok["sup"], map[string]any{"channel": "sms"}), http.StatusUnprocessableEntity,
			"validation_failed", "channel")
		r = e.do("PATCH", path, tok["sup"], map[string]any{"scope": "幸福里 1–3 号楼，按单元抽样"})
		if r.Code != http.StatusOK {
			t.Fatalf("patch: %d %s", r.Code, r.Body)
		}
		wantError(t, e.do("POST", path+"/review", tok["rev"], map[string]any{}), http.StatusConflict, "conflict", "plan_status")
		wantError(t, e.do("POST", path+"/submit", tok["rev"], nil), http.StatusForbidden, "forbidden", "")
		if r = e.do("POST", path+"/submit", tok["sup"], nil); r.Code != http.StatusOK {
			t.Fatalf("submit: %d %s", r.Code, r.Body)
		}
		wantError(t, e.do("POST", path+"/review", tok["sup"], map[string]any{}), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", path+"/review", tok["agent"], map[string]any{}), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", path+"/approve", tok["mgr"], map[string]any{}), http.StatusConflict, "conflict", "plan_status")
		wantError(t, e.do("POST", path+"/return", tok["rev"], map[string]any{}), http.StatusUnprocessableEntity,
			"validation_failed", "opinion")
		r = e.do("POST", path+"/return", tok["rev"], map[string]any{"opinion": "请写明抽样房号"})
		r.decode(t, &c)
		if r.Code != http.StatusOK || c.PlanStatus != "draft" || c.ReturnOpinion != "请写明抽样房号" {
			t.Fatalf("return: %d %s", r.Code, r.Body)
		}
		if a := e.lastAudit(); a.Action != "survey.plan.return" || a.ObjectID != c.ID {
			t.Fatalf("audit: %+v", a)
		}
		if r = e.do("PATCH", path, tok["sup"], map[string]any{"scope": "1-101、1-102、2-201 等 120 户"}); r.Code != http.StatusOK {
			t.Fatalf("patch: %d %s", r.Code, r.Body)
		}
		approvePlan(t, e, path, tok["sup"], tok["rev"], tok["mgr"])
		r = e.do("GET", path, tok["agent"], nil)
		r.decode(t, &c)
		if c.PlanStatus != "approved" || c.ReviewedBy == "" || c.ApprovedBy == "" || c.ApprovedAt == "" ||
			c.ApprovalOpinion != "同意" || c.Status != "planned" {
			t.Fatalf("approved: %s", r.Body)
		}
		wantError(t, e.do("PATCH", path, tok["sup"], map[string]any{"title": "改版"}), http.StatusConflict, "conflict", "plan_status")
		if r = e.do("POST", path+"/counts", tok["sup"], map[string]any{"distributed": 800}); r.Code != http.StatusOK {
			t.Fatalf("counts after the approval: %d %s", r.Code, r.Body)
		}
	})
}

// TestSurveyActionsOverHTTP (SUR-003): after the report the supervisor
// opens corrective actions (a unit of another company → 422
// department_id); the department records what it did; the recorder may
// not verify (403); the survey closes only once every action is verified;
// the actions show in GET …/actions and the report.
func TestSurveyActionsOverHTTP(t *testing.T) {
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
		eng := e.unit(a.ID, org.Department, "工程部")
		tok := map[string]string{}
		for name, u := range map[string]struct {
			unit store.ID
			role auth.Role
		}{"sup": {a.ID, auth.RoleCSSupervisor}, "rev": {a.ID, auth.RoleCSSupervisor}, "mgr": {a.ID, auth.RoleManager},
			"repairer": {eng.ID, auth.RoleFieldStaff}, "agent": {a.ID, auth.RoleCSAgent}} {
			e.user(name, u.unit, u.role)
			tok[name] = e.login(name)
		}
		r := e.do("POST", "/api/v1/surveys", tok["sup"], map[string]any{"title": "业主满意度调查", "purpose": "了解满意度",
			"scope": "全体入住户", "channel": "paper", "starts_on": "2026-03-01", "ends_on": "2026-03-31", "households": 1000,
			"penalties": "弄虚作假扣罚"})
		var c struct{ ID string }
		r.decode(t, &c)
		path := "/api/v1/surveys/" + c.ID
		approvePlan(t, e, path, tok["sup"], tok["rev"], tok["mgr"])
		if r = e.do("POST", path+"/counts", tok["sup"], map[string]any{"distributed": 800, "returned": 698, "verified": 35,
			"genuine": 34, "answered": 698, "satisfied": 640}); r.Code != http.StatusOK {
			t.Fatalf("counts: %d %s", r.Code, r.Body)
		}

		open := map[string]any{"issue": "报修响应慢", "department_id": eng.ID, "due_on": "2026-04-30"}
		wantError(t, e.do("POST", path+"/actions", tok["sup"], map[string]any{"department_id": eng.ID, "due_on": "2026-04-30"}),
			http.StatusUnprocessableEntity, "validation_failed", "issue")
		wantError(t, e.do("POST", path+"/actions", tok["sup"], map[string]any{"issue": "x", "department_id": b.ID, "due_on": "2026-04-30"}),
			http.StatusUnprocessableEntity, "validation_failed", "department_id")
		wantError(t, e.do("POST", path+"/actions", tok["sup"], map[string]any{"issue": "x", "department_id": eng.ID, "due_on": "2026-03-01"}),
			http.StatusUnprocessableEntity, "validation_failed", "due_on")
		wantError(t, e.do("POST", path+"/actions", tok["agent"], open), http.StatusForbidden, "forbidden", "")
		var ids []string
		for _, issue := range []string{"报修响应慢", "夜间巡逻不到位"} {
			open["issue"] = issue
			r = e.do("POST", path+"/actions", tok["sup"], open)
			var act struct{ ID, Number, Status string }
			r.decode(t, &act)
			if r.Code != http.StatusCreated || act.Status != "open" {
				t.Fatalf("open: %d %s", r.Code, r.Body)
			}
			ids = append(ids, act.ID)
		}
		close := map[string]any{"improvement_plan": "改进方案"}
		wantError(t, e.do("POST", path+"/close", tok["sup"], close), http.StatusConflict, "conflict", "actions")

		act := func(i int) string { return path + "/actions/" + ids[i] }
		wantError(t, e.do("POST", act(0)+"/done", tok["agent"], map[string]any{"result": "已整改"}), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", act(0)+"/done", tok["repairer"], map[string]any{}), http.StatusUnprocessableEntity,
			"validation_failed", "result")
		for i, who := range []string{"repairer", "sup"} {
			if r = e.do("POST", act(i)+"/done", tok[who], map[string]any{"result": "已整改"}); r.Code != http.StatusOK {
				t.Fatalf("done %d: %d %s", i, r.Code, r.Body)
			}
		}
		wantError(t, e.do("POST", act(1)+"/verify", tok["sup"], map[string]any{"opinion": "已核实"}), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", act(0)+"/verify", tok["repairer"], map[string]any{"opinion": "已核实"}), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", path+"/actions/987654/verify", tok["rev"], map[string]any{"opinion": "已核实"}),
			http.StatusNotFound, "not_found", "action")
		if r = e.do("POST", act(0)+"/verify", tok["rev"], map[string]any{"opinion": "已核实"}); r.Code != http.StatusOK {
			t.Fatalf("verify: %d %s", r.Code, r.Body)
		}
		wantError(t, e.do("POST", path+"/close", tok["sup"], close), http.StatusConflict, "conflict", "actions")
		if r = e.do("POST", act(1)+"/verify", tok["mgr"], map[string]any{"opinion": "已核实"}); r.Code != http.StatusOK {
			t.Fatalf("verify: %d %s", r.Code, r.Body)
		}

		var l struct {
			Items []struct {
				Status         string
				DepartmentName string `json:"department_name"`
			}
		}
		r = e.do("GET", path+"/actions", tok["agent"], nil)
		r.decode(t, &l)
		if r.Code != http.StatusOK || len(l.Items) != 2 || l.Items[1].Status != "verified" || l.Items[0].DepartmentName != "工程部" {
			t.Fatalf("actions: %d %s", r.Code, r.Body)
		}
		var rep struct {
			Actions  []struct{ Issue string }
			Campaign struct {
				Actions struct{ Total, Verified int }
			}
		}
		r = e.do("GET", path+"/report", tok["agent"], nil)
		r.decode(t, &rep)
		if len(rep.Actions) != 2 || rep.Campaign.Actions.Total != 2 || rep.Campaign.Actions.Verified != 2 {
			t.Fatalf("report: %s", r.Body)
		}
		if r = e.do("POST", path+"/close", tok["sup"], close); r.Code != http.StatusOK {
			t.Fatalf("close: %d %s", r.Code, r.Body)
		}
	})
}
