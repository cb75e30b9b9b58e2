package httpapi_test

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/internal/auth"
	"kefu/internal/hazard"
	"kefu/internal/httpapi"
	"kefu/internal/httpkit"
	"kefu/internal/jobs"
	"kefu/internal/org"
	"kefu/internal/services"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// hazardEnv is the API with a hazard service whose deadline timer runs on
// the test clock, two power companies 甲供电 and 乙供电 with their people,
// and an approved important customer of 甲 (a Grade-3A hospital).
type hazardEnv struct {
	*env
	h        http.Handler
	engine   *jobs.Engine
	a, b     org.Unit
	tok      map[string]string
	hospital store.ID
}

func newHazardEnv(t *testing.T, db *store.DB) *hazardEnv {
	e := newEnv(t, db)
	log := slog.New(slog.DiscardHandler)
	svc := hazard.New(hazard.Options{DB: db, Calendars: e.cals, Policy: e.policy, Org: e.org, Logger: log, Now: e.clk.Now})
	engine := jobs.NewEngine(jobs.Options{DB: db, Logger: log, Now: e.clk.Now})
	svc.RegisterTimers(engine)
	api := httpapi.New(services.Set{DB: db, Auth: e.auth, Org: e.org, Calendars: e.cals, Policy: e.policy, Tickets: e.tickets,
		Hazards: svc, Version: "test", Now: e.clk.Now, Logger: log})
	x := &hazardEnv{env: e, h: httpkit.RequestID(httpkit.LimitBody(1<<20, api)), engine: engine, tok: map[string]string{}}
	mk := func(name string) org.Unit {
		u, err := e.org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: name, Pack: "power"})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	x.a, x.b = mk("甲供电"), mk("乙供电公司")
	for name, u := range map[string]struct {
		unit store.ID
		role auth.Role
	}{"inspector": {x.a.ID, auth.RoleFieldStaff}, "manager": {x.a.ID, auth.RoleManager}, "agent": {x.a.ID, auth.RoleCSAgent},
		"other": {x.b.ID, auth.RoleFieldStaff}, "otherboss": {x.b.ID, auth.RoleManager}} {
		e.user(name, u.unit, u.role)
	}
	x.login()
	err := db.Tx(t.Context(), func(tx store.Conn) error {
		var err error
		x.hospital, err = tx.InsertID(t.Context(), `INSERT INTO customers (name, address, org_unit_id, importance, importance_state,
			created_at, updated_at) VALUES ('市第一人民医院', '健康路1号', ?, '1', 'approved', 0, 0) RETURNING id`, x.a.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// login signs everybody in again (after the clock moved on).
func (x *hazardEnv) login() {
	for _, u := range []string{"inspector", "manager", "agent", "other", "otherboss"} {
		x.tok[u] = x.env.login(u)
	}
}

func (x *hazardEnv) call(method, path, who string, body any) res {
	x.t.Helper()
	return serve(x.t, x.h, method, path, x.tok[who], body)
}

// at moves the clock, fires the due timers and signs everybody in again.
func (x *hazardEnv) at(s string) {
	x.t.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", s, store.Zone)
	if err != nil {
		x.t.Fatal(err)
	}
	x.clk.mu.Lock()
	x.clk.t = t
	x.clk.mu.Unlock()
	if _, err := x.engine.FireDue(x.t.Context()); err != nil {
		x.t.Fatal(err)
	}
	x.login()
}

// ok checks a success status and decodes the hazard.
func (x *hazardEnv) ok(r res, status int) hazard.Detail {
	x.t.Helper()
	if r.Code != status {
		x.t.Fatalf("status %d, want %d: %s", r.Code, status, r.Body)
	}
	var d hazard.Detail
	r.decode(x.t, &d)
	return d
}

// TestHazardsOverHTTP runs INS-016's example over HTTP: a serious hazard at
// an important customer gets the 限期整改告知书 with deadline 2026-05-20,
// filed with the three bodies (INS-015); the customer signs, the follow-up
// is due 7 days on (INS-013); at 2026-05-21 00:00 the case is reported to
// government; restoring supply is refused (409 naming verification) until
// the verification record; field staff may not take the manager's steps.
func TestHazardsOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		x := newHazardEnv(t, db)
		x.at("2026-05-06 10:00")
		wantError(t, x.call("POST", "/api/v1/hazards", "inspector", map[string]any{"source": "inspection", "location": "配电室",
			"description": "闭锁失效", "responsibility": "customer"}), http.StatusUnprocessableEntity, "validation_failed", "severity")
		wantError(t, x.call("POST", "/api/v1/hazards", "inspector", map[string]any{"source": "inspection", "location": "配电室",
			"description": "闭锁失效", "severity": "serious", "responsibility": "customer", "colour": "red"}), http.StatusUnprocessableEntity, "validation_failed", "colour")
		wantError(t, x.call("POST", "/api/v1/hazards", "manager", map[string]any{}), http.StatusForbidden, "forbidden", "")
		wantError(t, x.call("GET", "/api/v1/hazards", "agent", nil), http.StatusForbidden, "forbidden", "")
		d := x.ok(x.call("POST", "/api/v1/hazards", "inspector", map[string]any{"source": "inspection", "source_id": "77",
			"customer_id": x.hospital.String(), "location": "配电室", "description": "双电源闭锁装置失效", "severity": "serious",
			"responsibility": "customer", "handed_to": "用电检查班"}), http.StatusCreated)
		if d.Number != "H-2026-0001" || !d.Important || d.Status != hazard.StatusFound {
			t.Fatalf("registered %+v", d.Hazard)
		}
		path := "/api/v1/hazards/" + d.ID.String()
		wantError(t, x.call("POST", path+"/notices", "inspector", map[string]any{"kind": "opinion", "risk": "人身伤亡",
			"deadline_on": "2026-05-20"}), http.StatusUnprocessableEntity, "validation_failed", "kind")
		wantError(t, x.call("POST", path+"/notices", "inspector", map[string]any{"risk": "人身伤亡", "deadline_on": "20.5.2026"}),
			http.StatusUnprocessableEntity, "validation_failed", "deadline_on")
		wantError(t, x.call("POST", path+"/notices", "inspector", map[string]any{"risk": "人身伤亡", "deadline_on": "2026-05-20",
			"filings": []map[string]any{{"body": "police", "filed_on": "2026-05-06"}}}), http.StatusUnprocessableEntity, "validation_failed", "filings[0].body")
		d = x.ok(x.call("POST", path+"/notices", "inspector", map[string]any{"risk": "闭锁失效可能造成人身伤亡", "measures": "修复闭锁",
			"deadline_on": "2026-05-20", "filings": []map[string]any{{"body": "government", "filed_on": "2026-05-06"}}}), http.StatusCreated)
		if len(d.Notices) != 1 || d.Notices[0].Kind != "deadline" || d.DeadlineOn != "2026-05-20" {
			t.Fatalf("notice %+v", d.Notices)
		}
		d = x.ok(x.call("POST", path+"/filings", "inspector", map[string]any{"filings": []map[string]any{
			{"body": "safety_dept", "filed_on": "2026-05-06"}, {"body": "regulator", "filed_on": "2026-05-06"}}}), http.StatusOK)
		if len(d.Filings) != 3 {
			t.Errorf("filings %+v", d.Filings)
		}
		d = x.ok(x.call("POST", path+"/sign", "inspector", map[string]any{"signer": "院办 陈主任"}), http.StatusOK)
		if d.Status != hazard.StatusRectifying || !d.FollowUpDueAt.Equal(time.Date(2026, 5, 14, 0, 0, 0, 0, store.Zone)) {
			t.Errorf("signed Wed 2026-05-06: %s, follow-up %v, want 2026-05-14 00:00", d.Status, d.FollowUpDueAt)
		}
		x.at("2026-05-13 10:00")
		x.ok(x.call("POST", path+"/follow-ups", "inspector", map[string]any{"method": "phone", "found": "配件在途"}), http.StatusCreated)
		wantError(t, x.call("POST", path+"/follow-ups", "inspector", map[string]any{"method": "letter", "found": "x"}),
			http.StatusUnprocessableEntity, "validation_failed", "method")
		x.at("2026-05-21 00:00")
		d = x.ok(x.call("GET", path, "inspector", nil), http.StatusOK)
		if d.Status != hazard.StatusEscalated || !d.Overdue {
			t.Fatalf("2026-05-21 00:00: %s", d.Status)
		}
		var l struct{ Items []hazard.Hazard }
		x.call("GET", "/api/v1/hazards?overdue=true&severity=serious", "manager", nil).decode(t, &l)
		if len(l.Items) != 1 || l.Items[0].ID != d.ID {
			t.Errorf("overdue list %+v", l.Items)
		}
		esc := map[string]any{"reason": "逾期未整改", "filings": []map[string]any{{"body": "government", "filed_on": "2026-05-21"}}}
		wantError(t, x.call("POST", path+"/escalate", "inspector", esc), http.StatusForbidden, "forbidden", "")
		x.ok(x.call("POST", path+"/escalate", "manager", esc), http.StatusOK)
		wantError(t, x.call("POST", path+"/disconnect", "inspector", map[string]any{"stage": "ordered", "basis": "合同"}),
			http.StatusForbidden, "forbidden", "")
		wantError(t, x.call("POST", path+"/disconnect", "manager", map[string]any{"stage": "later", "basis": "合同"}),
			http.StatusUnprocessableEntity, "validation_failed", "stage")
		x.ok(x.call("POST", path+"/disconnect", "manager", map[string]any{"stage": "ordered", "basis": "政府组织停电"}), http.StatusOK)
		x.ok(x.call("POST", path+"/disconnect", "inspector", map[string]any{"stage": "done", "basis": "进线开关已断开"}), http.StatusOK)
		wantError(t, x.call("POST", path+"/restore", "manager", map[string]any{"note": "申请复电"}), http.StatusConflict, "conflict", "verification")
		wantError(t, x.call("POST", path+"/close", "inspector", map[string]any{}), http.StatusConflict, "conflict", "verification")
		x.at("2026-05-25 10:00")
		wantError(t, x.call("POST", path+"/verify", "inspector", map[string]any{"verifier": "张工", "method": "现场检查"}),
			http.StatusUnprocessableEntity, "validation_failed", "result")
		d = x.ok(x.call("POST", path+"/verify", "inspector", map[string]any{"verifier": "张工", "method": "现场检查并传动试验",
			"result": "闭锁已修复"}), http.StatusOK)
		if !slices.Equal(d.NextSteps, []string{hazard.StepRestore}) {
			t.Errorf("after verification: %v", d.NextSteps)
		}
		wantError(t, x.call("POST", path+"/restore", "inspector", map[string]any{}), http.StatusForbidden, "forbidden", "")
		x.ok(x.call("POST", path+"/restore", "manager", map[string]any{"note": "验收合格"}), http.StatusOK)
		d = x.ok(x.call("POST", path+"/close", "inspector", map[string]any{"note": "销号"}), http.StatusOK)
		if d.Status != hazard.StatusClosed || len(d.Events) < 12 {
			t.Errorf("closed: %s with %d events", d.Status, len(d.Events))
		}
		wantError(t, x.call("GET", "/api/v1/hazards?status=lost", "inspector", nil), http.StatusUnprocessableEntity, "validation_failed", "status")
		wantError(t, x.call("GET", "/api/v1/hazards?overdue=maybe", "inspector", nil), http.StatusUnprocessableEntity, "validation_failed", "overdue")
	})
}

// TestHazardScopeOverHTTP: the staff of 乙供电 get 404 on every {id} route
// of 甲供电's hazard, exactly as for a hazard that does not exist, nothing
// is written, and their list does not show it (the rowScope entry of
// scope_test.go).
func TestHazardScopeOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		x := newHazardEnv(t, db)
		d := x.ok(x.call("POST", "/api/v1/hazards", "inspector", map[string]any{"source": "staff", "customer_id": x.hospital.String(),
			"location": "配电室", "description": "甲供电的隐患", "severity": "general", "responsibility": "customer"}), http.StatusCreated)
		x.ok(x.call("POST", "/api/v1/hazards/"+d.ID.String()+"/notices", "inspector", map[string]any{"risk": "触电",
			"deadline_on": "2026-04-01"}), http.StatusCreated)
		bodies := map[string]any{
			"notices":    map[string]any{"risk": "越权", "deadline_on": "2026-04-01"},
			"sign":       map[string]any{"signer": "越权"},
			"filings":    map[string]any{"filings": []map[string]any{{"body": "government", "filed_on": "2026-03-01"}}},
			"follow-ups": map[string]any{"method": "phone", "found": "越权"},
			"verify":     map[string]any{"verifier": "越权", "method": "越权", "result": "越权"},
			"escalate":   map[string]any{"reason": "越权", "filings": []map[string]any{{"body": "government", "filed_on": "2026-03-01"}}},
			"disconnect": map[string]any{"stage": "ordered", "basis": "越权"},
			"restore":    map[string]any{"note": "越权"},
			"close":      map[string]any{"note": "越权"},
		}
		checked := 0
		for _, rt := range x.env.api.Routes() {
			if !strings.HasPrefix(rt.Path, "/api/v1/hazards/{id}") {
				continue
			}
			step := strings.TrimPrefix(strings.TrimPrefix(rt.Path, "/api/v1/hazards/{id}"), "/")
			var body any
			if rt.Method == "POST" {
				body = bodies[step]
			}
			for _, who := range []string{"other", "otherboss"} {
				if !auth.Grants([]auth.Role{map[string]auth.Role{"other": auth.RoleFieldStaff, "otherboss": auth.RoleManager}[who]}, rt.Permission) {
					continue
				}
				before := x.auditCount()
				r := x.call(rt.Method, strings.Replace(rt.Path, "{id}", d.ID.String(), 1), who, body)
				none := x.call(rt.Method, strings.Replace(rt.Path, "{id}", "987654321", 1), who, body)
				e := wantError(t, r, http.StatusNotFound, "not_found", "hazard")
				if n := errorOf(t, none); none.Code != r.Code || n.Code != e.Code || n.Field != e.Field || n.Message != e.Message {
					t.Errorf("%s %s: %d %v; no hazard: %d %v", who, rt.Path, r.Code, e, none.Code, n)
				}
				if x.auditCount() != before {
					t.Errorf("%s %s wrote", who, rt.Path)
				}
				checked++
			}
		}
		if checked < 12 {
			t.Fatalf("only %d route checks: the hazard routes are not mounted", checked)
		}
		var l struct{ Items []hazard.Hazard }
		x.call("GET", "/api/v1/hazards", "other", nil).decode(t, &l)
		if len(l.Items) != 0 {
			t.Errorf("乙供电 lists 甲供电's hazards: %+v", l.Items)
		}
		x.call("GET", "/api/v1/hazards?q=甲供电", "otherboss", nil).decode(t, &l)
		if len(l.Items) != 0 {
			t.Errorf("乙供电's manager finds 甲供电's hazard")
		}
		wantError(t, x.call("POST", "/api/v1/hazards", "other", map[string]any{"source": "staff", "company_id": x.a.ID.String(),
			"location": "x", "description": "x", "severity": "minor", "responsibility": "company"}), http.StatusUnprocessableEntity,
			"validation_failed", "company_id")
	})
}
