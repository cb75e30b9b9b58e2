package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

type processJSON struct {
	ID          store.ID `json:"id"`
	Number      string   `json:"number"`
	Status      string   `json:"status"`
	CurrentStep string   `json:"current_step"`
	Steps       []struct {
		Step   string     `json:"step"`
		Status string     `json:"status"`
		DueAt  *time.Time `json:"due_at"`
	} `json:"steps"`
	Checklist []struct {
		Item       string     `json:"item"`
		Step       string     `json:"step"`
		Required   bool       `json:"required"`
		ReceivedAt *time.Time `json:"received_at"`
	} `json:"checklist"`
}

// TestProcessesOverHTTP: a suspension started from a supply point, its
// guards refused with the rule ID (PRC-032), its gates and order enforced,
// and each role refused what it may not do.
func TestProcessesOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		co, err := e.org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "供电公司", Pack: "power"})
		if err != nil {
			t.Fatal(err)
		}
		mkt := e.unit(co.ID, org.Department, "营销部")
		other, err := e.org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "另一供电公司", Pack: "power"})
		if err != nil {
			t.Fatal(err)
		}
		e.user("agent", mkt.ID, auth.RoleCSAgent)
		e.user("field", co.ID, auth.RoleFieldStaff)
		e.user("viewer", mkt.ID, auth.RoleViewer)
		e.user("sales", mkt.ID, auth.RoleSalesAgent)
		e.user("outsider", other.ID, auth.RoleCSAgent)
		e.user("manager", co.ID, auth.RoleManager)
		agent, field, viewer, sales, outsider, manager := e.login("agent"), e.login("field"), e.login("viewer"),
			e.login("sales"), e.login("outsider"), e.login("manager")

		r := e.do("POST", "/api/v1/customers", e.adminTok, map[string]any{"kind": "organisation", "name": "城东机械厂",
			"phone": "0571-86001234", "address": "城东路1号", "type": "hv_single", "org_unit": mkt.ID,
			"service_points": []map[string]any{{"kind": "power_supply_point", "account_no": "P1000001", "address": "城东路1号",
				"attributes": map[string]any{"voltage": "10kV", "contracted_capacity_kva": 800}}}})
		if r.Code != http.StatusCreated {
			t.Fatalf("customer: %d %s", r.Code, r.Body)
		}
		var cust struct {
			ServicePoints []struct{ ID store.ID } `json:"service_points"`
		}
		r.decode(t, &cust)
		sp := cust.ServicePoints[0].ID

		r = e.do("GET", "/api/v1/processes/definitions?unit="+mkt.ID.String(), agent, nil)
		if r.Code != http.StatusOK {
			t.Fatalf("definitions: %d %s", r.Code, r.Body)
		}
		var defs struct {
			Pack  string
			Items []struct{ Key string }
		}
		r.decode(t, &defs)
		if defs.Pack != "power" || !slices.ContainsFunc(defs.Items, func(d struct{ Key string }) bool { return d.Key == "change.suspension" }) {
			t.Fatalf("definitions: %s", r.Body)
		}

		e.clk.t = time.Date(2026, 2, 20, 10, 0, 0, 0, store.Zone)
		start := func(from, to string) map[string]any {
			return map[string]any{"definition": "change.suspension", "service_point_id": sp,
				"attributes": map[string]any{"from": from, "to": to, "capacity_kva": 400}}
		}
		wantError(t, e.do("POST", "/api/v1/processes", viewer, start("2026-03-01", "2026-06-01")), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", "/api/v1/processes", sales, start("2026-03-01", "2026-06-01")), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", "/api/v1/processes", agent, `{"definition":`), http.StatusBadRequest, "malformed_request", "")
		wantError(t, e.do("POST", "/api/v1/processes", agent, map[string]any{"definition": "change.suspension", "colour": 1}),
			http.StatusUnprocessableEntity, "validation_failed", "colour")
		wantError(t, e.do("POST", "/api/v1/processes", agent, map[string]any{"definition": "change.nosuch", "service_point_id": sp}),
			http.StatusUnprocessableEntity, "validation_failed", "definition")
		wantError(t, e.do("POST", "/api/v1/processes", agent, map[string]any{"definition": "change.suspension", "service_point_id": sp,
			"attributes": map[string]any{"from": "2026-03-01", "to": "2026-06-01"}}), http.StatusUnprocessableEntity, "validation_failed", "attributes.capacity_kva")
		wantError(t, e.do("POST", "/api/v1/processes", agent, start("2026-02-31", "2026-06-01")),
			http.StatusUnprocessableEntity, "validation_failed", "attributes.from")
		// PRC-032: 5 days ahead; at least 15 days.
		ae := wantError(t, e.do("POST", "/api/v1/processes", agent, start("2026-02-23", "2026-06-01")),
			http.StatusUnprocessableEntity, "validation_failed", "attributes.from")
		if ae.Details["rule"] != "PRC-032" {
			t.Errorf("lead time refusal: details %v, want rule PRC-032", ae.Details)
		}
		wantError(t, e.do("POST", "/api/v1/processes", agent, start("2026-03-01", "2026-03-11")),
			http.StatusUnprocessableEntity, "validation_failed", "attributes.to")
		wantError(t, e.do("POST", "/api/v1/processes", outsider, start("2026-03-01", "2026-06-01")),
			http.StatusUnprocessableEntity, "validation_failed", "service_point_id")

		r = e.do("POST", "/api/v1/processes", agent, start("2026-03-01", "2026-06-01"))
		if r.Code != http.StatusCreated {
			t.Fatalf("start: %d %s", r.Code, r.Body)
		}
		var p processJSON
		r.decode(t, &p)
		if p.Status != "open" || p.CurrentStep != "application" || r.Header.Get("Location") != "/api/v1/processes/"+p.ID.String() {
			t.Fatalf("started: %s", r.Body)
		}
		path := "/api/v1/processes/" + p.ID.String()
		wantError(t, e.do("GET", path, outsider, nil), http.StatusNotFound, "not_found", "process")
		wantError(t, e.do("GET", path, sales, nil), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("GET", "/api/v1/processes/999999", agent, nil), http.StatusNotFound, "not_found", "process")

		// Gates, order and roles of the steps.
		ae = wantError(t, e.do("POST", path+"/actions", agent, map[string]any{"action": "complete"}),
			http.StatusUnprocessableEntity, "validation_failed", "checklist")
		if fmt.Sprint(ae.Details["missing"]) != "[suspension_application]" {
			t.Errorf("missing %v", ae.Details["missing"])
		}
		wantError(t, e.do("POST", path+"/actions", agent, map[string]any{"action": "complete", "step": "seal"}),
			http.StatusConflict, "conflict", "step")
		wantError(t, e.do("POST", path+"/actions", agent, map[string]any{"action": "fly"}),
			http.StatusUnprocessableEntity, "validation_failed", "action")
		wantError(t, e.do("POST", path+"/actions", viewer, map[string]any{"action": "receive", "item": "suspension_application"}),
			http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", path+"/actions", agent, map[string]any{"action": "receive", "item": "nosuch"}),
			http.StatusUnprocessableEntity, "validation_failed", "item")
		r = e.do("POST", path+"/actions", agent, map[string]any{"action": "receive", "item": "suspension_application"})
		if r.Code != http.StatusOK {
			t.Fatalf("receive: %d %s", r.Code, r.Body)
		}
		wantError(t, e.do("POST", path+"/actions", agent, map[string]any{"action": "receive", "item": "suspension_application"}),
			http.StatusConflict, "conflict", "item")
		wantError(t, e.do("POST", path+"/actions", field, map[string]any{"action": "complete"}), http.StatusForbidden, "forbidden", "")
		r = e.do("POST", path+"/actions", agent, map[string]any{"action": "complete", "step": "application"})
		r.decode(t, &p)
		if r.Code != http.StatusOK || p.CurrentStep != "seal" {
			t.Fatalf("complete: %d %s", r.Code, r.Body)
		}
		wantError(t, e.do("POST", path+"/actions", agent, map[string]any{"action": "complete"}), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", path+"/actions", field, map[string]any{"action": "cancel", "comment": "客户撤回"}),
			http.StatusForbidden, "forbidden", "")

		// Lists and queues.
		r = e.do("GET", "/api/v1/processes?queue=mine", field, nil)
		var l struct{ Items []processJSON }
		r.decode(t, &l)
		if len(l.Items) != 1 || l.Items[0].ID != p.ID {
			t.Fatalf("field staff's queue: %s", r.Body)
		}
		r = e.do("GET", "/api/v1/processes?queue=mine", agent, nil)
		r.decode(t, &l)
		if len(l.Items) != 0 {
			t.Fatalf("agent's queue after handing over: %s", r.Body)
		}
		r = e.do("GET", "/api/v1/processes?status=open&definition=change.suspension", viewer, nil)
		r.decode(t, &l)
		if len(l.Items) != 1 {
			t.Fatalf("viewer's list: %s", r.Body)
		}
		r = e.do("GET", "/api/v1/processes", outsider, nil)
		r.decode(t, &l)
		if len(l.Items) != 0 {
			t.Fatalf("another company sees %s", r.Body)
		}
		wantError(t, e.do("GET", "/api/v1/processes?queue=later", agent, nil), http.StatusUnprocessableEntity, "validation_failed", "queue")
		wantError(t, e.do("GET", "/api/v1/processes?status=done", agent, nil), http.StatusUnprocessableEntity, "validation_failed", "status")
		r = e.do("GET", "/api/v1/processes/board", manager, nil)
		var board []struct {
			Definition string
			Open       int
		}
		r.decode(t, &board)
		if len(board) != 1 || board[0].Definition != "change.suspension" || board[0].Open != 1 {
			t.Fatalf("board: %s", r.Body)
		}

		// A second suspension the same year that would pass 183 days.
		ae = wantError(t, e.do("POST", "/api/v1/processes", agent, start("2026-08-01", "2026-11-30")),
			http.StatusUnprocessableEntity, "validation_failed", "attributes.to")
		if ae.Details["rule"] != "PRC-032" || ae.Details["guard"] != "days_per_year" {
			t.Errorf("cumulative refusal: %v", ae.Details)
		}
		r = e.do("POST", path+"/actions", manager, map[string]any{"action": "cancel", "comment": "客户撤回申请"})
		r.decode(t, &p)
		if r.Code != http.StatusOK || p.Status != "cancelled" {
			t.Fatalf("cancel: %d %s", r.Code, r.Body)
		}
		wantError(t, e.do("POST", path+"/actions", field, map[string]any{"action": "complete"}), http.StatusConflict, "conflict", "action")
		// The cancelled one no longer counts.
		if r := e.do("POST", "/api/v1/processes", agent, start("2026-08-01", "2026-11-30")); r.Code != http.StatusCreated {
			t.Fatalf("after the cancellation: %d %s", r.Code, r.Body)
		}
	})
}
