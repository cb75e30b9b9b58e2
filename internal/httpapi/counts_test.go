package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// countsJSON is the answer of GET /api/v1/tickets/counts.
type countsJSON struct {
	AsOf              string           `json:"as_of"`
	Open              int64            `json:"open"`
	Breached          int64            `json:"breached"`
	DueSoon           int64            `json:"due_soon"`
	DueSoonCapped     bool             `json:"due_soon_capped"`
	ReceivedToday     int64            `json:"received_today"`
	ClosedToday       int64            `json:"closed_today"`
	ReceivedThisMonth int64            `json:"received_this_month"`
	ClosedThisMonth   int64            `json:"closed_this_month"`
	ByStatus          map[string]int64 `json:"by_status"`
	ByPack            map[string]int64 `json:"by_pack"`
	ByCategory        []struct {
		Pack     string `json:"pack"`
		Category string `json:"category"`
		Open     int64  `json:"open"`
		Breached int64  `json:"breached"`
	} `json:"by_category"`
}

// TestTicketCounts: the dashboard counts over HTTP, for the administrator
// (whole tree), an agent (their unit's subtree), narrowed by ?unit=; a bad
// or foreign unit and a role without tickets:read are refused in the JSON
// error shape; the literal path is not taken for a work-order id.
func TestTicketCounts(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		prop, err := e.org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "物业公司", Pack: "property"})
		if err != nil {
			t.Fatal(err)
		}
		gas, err := e.org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "燃气公司", Pack: "gas"})
		if err != nil {
			t.Fatal(err)
		}
		desk := e.unit(prop.ID, org.Department, "客服中心")
		e.user("agent", desk.ID, auth.RoleCSAgent)
		e.user("gasagent", gas.ID, auth.RoleCSAgent)
		e.user("sales", prop.ID, auth.RoleSalesAgent)
		agent, gasAgent := e.login("agent"), e.login("gasagent")
		create := func(tok, category string) string {
			t.Helper()
			r := e.do("POST", "/api/v1/tickets", tok, map[string]any{"category": category, "channel": "phone",
				"customer": map[string]string{"name": "王芳", "phone": "13800000000", "address": "3栋1单元502"}})
			if r.Code != http.StatusCreated {
				t.Fatalf("create %s: %d %s", category, r.Code, r.Body)
			}
			var tk ticketJSON
			r.decode(t, &tk)
			return tk.ID
		}
		create(agent, "repair.simple")
		create(agent, "repair.simple")
		done := create(agent, "inquiry.general")
		create(gasAgent, "fault.network")
		for _, a := range []map[string]any{{"action": "reply", "text": "已答复"}, {"action": "close"}} {
			if r := e.do("POST", "/api/v1/tickets/"+done+"/actions", agent, a); r.Code != http.StatusOK {
				t.Fatalf("%v: %d %s", a["action"], r.Code, r.Body)
			}
		}
		counts := func(tok, query string) countsJSON {
			t.Helper()
			r := e.do("GET", "/api/v1/tickets/counts"+query, tok, nil)
			if r.Code != http.StatusOK {
				t.Fatalf("counts%s: %d %s", query, r.Code, r.Body)
			}
			var c countsJSON
			r.decode(t, &c)
			return c
		}
		c := counts(e.adminTok, "")
		if c.Open != 3 || c.ReceivedToday != 4 || c.ClosedToday != 1 || c.ReceivedThisMonth != 4 || c.ClosedThisMonth != 1 ||
			c.ByStatus["new"] != 3 || c.ByStatus["closed"] != 1 || len(c.ByStatus) != 9 ||
			c.ByPack["property"] != 2 || c.ByPack["gas"] != 1 || c.AsOf != "2026-03-02T09:00:00+08:00" {
			t.Errorf("admin counts %+v", c)
		}
		if len(c.ByCategory) != 2 || c.ByCategory[0].Category != "repair.simple" || c.ByCategory[0].Open != 2 {
			t.Errorf("by category %+v", c.ByCategory)
		}
		if c := counts(agent, ""); c.Open != 2 || c.ReceivedToday != 3 || c.ByPack["gas"] != 0 {
			t.Errorf("agent counts %+v", c)
		}
		if c := counts(e.adminTok, "?unit="+gas.ID.String()); c.Open != 1 || c.ByPack["gas"] != 1 || c.ByPack["property"] != 0 {
			t.Errorf("admin counts of the gas company %+v", c)
		}
		var raw map[string]json.RawMessage
		e.do("GET", "/api/v1/tickets/counts", agent, nil).decode(t, &raw)
		for _, k := range []string{"as_of", "open", "breached", "due_soon", "due_soon_capped", "received_today", "closed_today",
			"received_this_month", "closed_this_month", "by_status", "by_pack", "by_category"} {
			if _, ok := raw[k]; !ok {
				t.Errorf("answer has no %q", k)
			}
		}

		wantError(t, e.do("GET", "/api/v1/tickets/counts?unit=abc", agent, nil), http.StatusUnprocessableEntity, "validation_failed", "unit")
		wantError(t, e.do("GET", "/api/v1/tickets/counts?unit=-3", agent, nil), http.StatusUnprocessableEntity, "validation_failed", "unit")
		wantError(t, e.do("GET", "/api/v1/tickets/counts?unit="+gas.ID.String(), agent, nil), http.StatusNotFound, "not_found", "unit")
		wantError(t, e.do("GET", "/api/v1/tickets/counts?unit=999999", agent, nil), http.StatusNotFound, "not_found", "unit")
		wantError(t, e.do("GET", "/api/v1/tickets/counts", e.login("sales"), nil), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("GET", "/api/v1/tickets/counts", "", nil), http.StatusUnauthorized, "unauthorized", "")
		wantError(t, e.do("POST", "/api/v1/tickets/counts", agent, nil), http.StatusMethodNotAllowed, "method_not_allowed", "")
	})
}
