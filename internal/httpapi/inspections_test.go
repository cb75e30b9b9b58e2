package httpapi_test

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// inspEnv is a power company with a customer service department, an
// inspection team and its people, signed in, and one 10 kV customer.
type inspEnv struct {
	*env
	co, dept, team org.Unit
	tok            map[string]string
	point          string
}

func newInspEnv(t *testing.T, db *store.DB, key, name string) *inspEnv {
	e := &inspEnv{env: newEnv(t, db), tok: map[string]string{}}
	var err error
	e.co, err = e.org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: name, Pack: "power"})
	if err != nil {
		t.Fatal(err)
	}
	e.dept = e.unit(e.co.ID, org.Department, name+"营销部")
	e.team = e.unit(e.dept.ID, org.Team, name+"用电检查班")
	for _, u := range []struct {
		name string
		unit store.ID
		role auth.Role
	}{{"mgr", e.dept.ID, auth.RoleManager}, {"leader", e.team.ID, auth.RoleManager}, {"insp", e.team.ID, auth.RoleFieldStaff},
		{"auditor", e.co.ID, auth.RoleAuditor}, {"agent", e.dept.ID, auth.RoleCSAgent}, {"viewer", e.dept.ID, auth.RoleViewer}} {
		login := key + "-" + u.name
		e.user(login, u.unit, u.role)
		e.tok[u.name] = e.login(login)
	}
	r := e.do("POST", "/api/v1/customers", e.tok["agent"], map[string]any{"kind": "organisation", "name": name + "的化工厂",
		"phone": "0571-86001234", "type": "hv_single", "service_points": []map[string]any{{"kind": "power_supply_point",
			"account_no": "P" + fmt.Sprint(e.co.ID) + "01", "address": name + "工业园1号", "attributes": map[string]any{"voltage": "10kV"}}}})
	var c struct {
		ServicePoints []struct{ ID store.ID } `json:"service_points"`
	}
	r.decode(t, &c)
	if r.Code != http.StatusCreated || len(c.ServicePoints) != 1 {
		t.Fatalf("customer: %d %s", r.Code, r.Body)
	}
	e.point = c.ServicePoints[0].ID.String()
	return e
}

// form is a complete power_safety form (INS-010) with item (4) as given.
func powerForm(item4 string) map[string]any {
	items := map[string]string{}
	for _, k := range []string{"backup_power", "interlocks", "receiving_equipment", "electrical_tests", "metering_protection",
		"parallel_sources", "anti_accident"} {
		items[k] = "正常"
	}
	items["electrical_tests"] = item4
	return map[string]any{"answers": map[string]any{"power_safety": items}, "acknowledgements": map[string]bool{"no_operation": true}}
}

// TestInspectionsOverHTTP: the department manager generates the year's
// plan (201, then 200 on regenerating), breaks it down to the team; the
// team leader cannot give it to an inspector without the certificate
// (INS-017); the inspector records the inspection, cannot close it with
// item (4) blank (INS-010), then closes it: the plan's item is done and
// the point's next due date follows (CAL-010). Roles without the
// permission or the plan level are refused.
func TestInspectionsOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newInspEnv(t, db, "jia", "甲供电")
		// Who may generate: not the inspector (403), not the agent (no inspections:read).
		wantError(t, e.do("POST", "/api/v1/inspections/plans", e.tok["insp"], map[string]any{"period": "2026"}), 403, "forbidden", "")
		wantError(t, e.do("POST", "/api/v1/inspections/plans", e.tok["agent"], map[string]any{"period": "2026"}), 403, "forbidden", "")
		wantError(t, e.do("POST", "/api/v1/inspections/plans", e.tok["mgr"], map[string]any{"period": "2026-Q9"}), 422, "validation_failed", "period")
		wantError(t, e.do("POST", "/api/v1/inspections/plans", e.tok["mgr"], map[string]any{"period": 2026}), 422, "validation_failed", "period")
		r := e.do("POST", "/api/v1/inspections/plans", e.tok["mgr"], map[string]any{"period": "2026"})
		var plan struct {
			ID        string
			PeriodKey string `json:"period_key"`
			Progress  struct{ Total, Done int }
			Teams     []struct {
				ID    store.ID
				Total int
			}
		}
		r.decode(t, &plan)
		// Never inspected: due at once; spring and autumn (INS-002).
		if r.Code != http.StatusCreated || plan.PeriodKey != "2026" || plan.Progress.Total != 3 {
			t.Fatalf("plan: %d %s", r.Code, r.Body)
		}
		if r := e.do("POST", "/api/v1/inspections/plans", e.tok["auditor"], map[string]any{"period": "2026"}); r.Code != http.StatusOK {
			t.Fatalf("regenerate: %d %s", r.Code, r.Body)
		}
		base := "/api/v1/inspections/plans/" + plan.ID
		// Breakdown: the team leader may not give the plan to teams.
		wantError(t, e.do("POST", base+"/assign", e.tok["leader"], map[string]any{"team_id": e.team.ID, "filter": map[string]any{}}),
			403, "forbidden", "")
		wantError(t, e.do("POST", base+"/assign", e.tok["mgr"], map[string]any{"team_id": e.team.ID}), 422, "validation_failed", "item_ids")
		r = e.do("POST", base+"/assign", e.tok["mgr"], map[string]any{"team_id": e.team.ID, "filter": map[string]any{"track": "periodic"}})
		if r.Code != http.StatusOK || !strings.Contains(string(r.Body), `"assigned":1`) {
			t.Fatalf("to the team: %d %s", r.Code, r.Body)
		}
		var items struct {
			Items []struct {
				ID     store.ID
				Status string
				Team   store.ID `json:"team_id"`
			}
		}
		r = e.do("GET", base+"/items?track=periodic", e.tok["insp"], nil)
		r.decode(t, &items)
		if len(items.Items) != 1 || items.Items[0].Team != e.team.ID {
			t.Fatalf("items: %s", r.Body)
		}
		var inspID store.ID
		if err := db.Reader().QueryRow(t.Context(), "SELECT id FROM users WHERE username = ?", "jia-insp").Scan(&inspID); err != nil {
			t.Fatal(err)
		}
		// INS-017: the power pack needs the inspector's certificate.
		wantError(t, e.do("POST", base+"/assign", e.tok["leader"], map[string]any{"item_ids": []store.ID{items.Items[0].ID},
			"inspector_id": inspID}), 422, "validation_failed", "inspector_id")
		wantError(t, e.do("GET", base+"/items?status=late", e.tok["insp"], nil), 422, "validation_failed", "status")
		wantError(t, e.do("GET", base+"/items?team=x", e.tok["insp"], nil), 422, "validation_failed", "team")
		// The overdue list: the periodic item is due now.
		r = e.do("GET", "/api/v1/inspections/overdue", e.tok["mgr"], nil)
		if r.Code != http.StatusOK || !strings.Contains(string(r.Body), `"track":"periodic"`) {
			t.Fatalf("overdue: %d %s", r.Code, r.Body)
		}
		// The record.
		wantError(t, e.do("POST", "/api/v1/inspections", e.tok["mgr"], map[string]any{"service_point_id": e.point}), 403, "forbidden", "")
		wantError(t, e.do("POST", "/api/v1/inspections", e.tok["insp"], map[string]any{"track": "periodic"}), 422, "validation_failed", "service_point_id")
		in := powerForm("")
		in["service_point_id"], in["track"], in["inspected_at"] = e.point, "periodic", "2026-03-02T08:30:00+08:00"
		r = e.do("POST", "/api/v1/inspections", e.tok["insp"], in)
		var rec struct {
			ID         string
			Status     string
			Checklists []string
			PlanItems  []store.ID `json:"plan_items"`
		}
		r.decode(t, &rec)
		if r.Code != http.StatusCreated || rec.Status != "open" || len(rec.Checklists) != 1 {
			t.Fatalf("record: %d %s", r.Code, r.Body)
		}
		e2 := wantError(t, e.do("POST", "/api/v1/inspections/"+rec.ID+"/close", e.tok["insp"], nil), 422, "validation_failed",
			"answers.power_safety.electrical_tests")
		if !strings.Contains(e2.Message, "（4）") {
			t.Errorf("message %q", e2.Message)
		}
		if r := e.do("PUT", "/api/v1/inspections/"+rec.ID, e.tok["insp"], powerForm("2025-11 试验合格")); r.Code != http.StatusOK {
			t.Fatalf("update: %d %s", r.Code, r.Body)
		}
		r = e.do("POST", "/api/v1/inspections/"+rec.ID+"/close", e.tok["insp"], nil)
		r.decode(t, &rec)
		if r.Code != http.StatusOK || rec.Status != "closed" || len(rec.PlanItems) != 1 {
			t.Fatalf("close: %d %s", r.Code, r.Body)
		}
		wantError(t, e.do("PUT", "/api/v1/inspections/"+rec.ID, e.tok["insp"], powerForm("x")), 409, "conflict", "status")
		// 10 kV yearly from Mon 2026-03-02 → Tue 2027-03-02 (provisional).
		r = e.do("GET", "/api/v1/inspections/points/"+e.point+"/schedule", e.tok["viewer"], nil)
		wantError(t, r, 403, "forbidden", "") // the viewer has no inspections:read
		r = e.do("GET", "/api/v1/inspections/points/"+e.point+"/schedule", e.tok["insp"], nil)
		if r.Code != http.StatusOK || !strings.Contains(string(r.Body), `"day":"2027-03-02"`) || !strings.Contains(string(r.Body), `"last":"2026-03-02"`) {
			t.Fatalf("schedule: %d %s", r.Code, r.Body)
		}
		r = e.do("GET", base, e.tok["mgr"], nil)
		r.decode(t, &plan)
		if plan.Progress.Done != 1 || len(plan.Teams) != 2 {
			t.Errorf("plan progress %s", r.Body)
		}
		if r := e.do("GET", "/api/v1/inspections?mine=true", e.tok["insp"], nil); !strings.Contains(string(r.Body), `"id":"`+rec.ID+`"`) {
			t.Errorf("my records: %s", r.Body)
		}
		if r := e.do("GET", "/api/v1/inspections/plans?year=2026&period=year", e.tok["insp"], nil); !strings.Contains(string(r.Body), `"id":"`+plan.ID+`"`) {
			t.Errorf("plans: %s", r.Body)
		}
	})
}

// TestInspectionScopeOverHTTP (SEC-001): a user of another company, in any
// role, gets 404 for every plan, item list, record and schedule of the
// first company — as for one that does not exist — changes nothing, and
// never sees them in a list.
func TestInspectionScopeOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := newInspEnv(t, db, "yi", "乙供电公司")
		r := b.do("POST", "/api/v1/inspections/plans", b.tok["mgr"], map[string]any{"period": "2026-03"})
		var plan struct{ ID string }
		r.decode(t, &plan)
		in := powerForm("合格")
		in["service_point_id"], in["track"], in["close"] = b.point, "periodic", true
		r = b.do("POST", "/api/v1/inspections", b.tok["insp"], in)
		var rec struct{ ID string }
		r.decode(t, &rec)
		if r.Code != http.StatusCreated || plan.ID == "" {
			t.Fatalf("乙's record: %d %s", r.Code, r.Body)
		}
		a, err := b.org.Create(t.Context(), org.CreateInput{ParentID: &b.root.ID, Kind: org.Company, Name: "甲供电公司", Pack: "power"})
		if err != nil {
			t.Fatal(err)
		}
		var teamB store.ID = b.team.ID
		for _, info := range auth.Roles {
			if info.Key == auth.RoleAdmin {
				continue
			}
			name := "a-" + string(info.Key)
			b.user(name, a.ID, info.Key)
			tok := b.login(name)
			for _, c := range []struct {
				method, path string
				body         any
			}{
				{"GET", "/api/v1/inspections/plans/%s", nil},
				{"POST", "/api/v1/inspections/plans/%s/assign", map[string]any{"team_id": teamB, "filter": map[string]any{}}},
				{"GET", "/api/v1/inspections/plans/%s/items", nil},
				{"GET", "/api/v1/inspections/%s", nil},
				{"PUT", "/api/v1/inspections/%s", powerForm("越权")},
				{"POST", "/api/v1/inspections/%s/close", nil},
				{"GET", "/api/v1/inspections/points/%s/schedule", nil},
				{"POST", "/api/v1/inspections", map[string]any{"service_point_id": "%s", "track": "periodic"}},
			} {
				id := rec.ID
				switch {
				case strings.Contains(c.path, "plans/"):
					id = plan.ID
				case strings.Contains(c.path, "points/") || c.path == "/api/v1/inspections":
					id = b.point
				}
				body := c.body
				if m, ok := body.(map[string]any); ok && m["service_point_id"] == "%s" {
					body = map[string]any{"service_point_id": id, "track": "periodic"}
				}
				path := c.path
				if strings.Contains(path, "%s") {
					path = fmt.Sprintf(path, id)
				}
				before := b.auditCount()
				got := b.do(c.method, path, tok, body)
				if got.Code != http.StatusNotFound && got.Code != http.StatusForbidden {
					t.Errorf("%s: %s %s on 乙's record: %d %s", info.Key, c.method, path, got.Code, got.Body)
				}
				if b.auditCount() != before {
					t.Errorf("%s: %s %s wrote", info.Key, c.method, path)
				}
				if strings.Contains(string(got.Body), "乙供电") {
					t.Errorf("%s: %s %s leaks: %s", info.Key, c.method, path, got.Body)
				}
				// Exactly as for a record that does not exist.
				if got.Code == http.StatusNotFound && c.path != "/api/v1/inspections" {
					none := b.do(c.method, fmt.Sprintf(c.path, "987654321"), tok, body)
					if none.Code != got.Code || !reflect.DeepEqual(errorOf(t, none), errorOf(t, got)) {
						t.Errorf("%s: %s %s: %s, for none %s", info.Key, c.method, path, got.Body, none.Body)
					}
				}
			}
			for _, path := range []string{"/api/v1/inspections/plans", "/api/v1/inspections", "/api/v1/inspections/overdue"} {
				if got := b.do("GET", path, tok, nil); got.Code == http.StatusOK && (strings.Contains(string(got.Body), "乙供电") ||
					!strings.Contains(string(got.Body), `"items":[]`)) {
					t.Errorf("%s: GET %s shows 乙's: %s", info.Key, path, got.Body)
				}
			}
		}
	})
}
