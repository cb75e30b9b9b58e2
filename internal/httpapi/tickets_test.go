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

type clockJSON struct {
	Kind        string  `json:"kind"`
	Duration    string  `json:"duration"`
	Calendar    string  `json:"calendar"`
	TargetAt    *string `json:"target_at"`
	State       string  `json:"state"`
	Provisional *bool   `json:"provisional"`
}

type ticketJSON struct {
	ID         string      `json:"id"`
	Number     string      `json:"number"`
	Status     string      `json:"status"`
	Pack       string      `json:"pack"`
	Category   string      `json:"category"`
	Severity   string      `json:"severity"`
	ReceivedAt string      `json:"received_at"`
	Clocks     []clockJSON `json:"clocks"`
	Timeline   []struct {
		Action string `json:"action"`
		At     string `json:"at"`
	} `json:"timeline"`
}

func (tk ticketJSON) clock(t *testing.T, kind string) clockJSON {
	t.Helper()
	for _, c := range tk.Clocks {
		if c.Kind == kind {
			return c
		}
	}
	t.Fatalf("no %s clock in %+v", kind, tk.Clocks)
	return clockJSON{}
}

// TestTicketLifecycle runs a realestate complaint from intake to closed
// over HTTP (API.md "Work orders"; TKT-005, TKT-006, TKT-016).
func TestTicketLifecycle(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		co, err := e.org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "置业公司", Pack: "realestate"})
		if err != nil {
			t.Fatal(err)
		}
		dept := e.unit(co.ID, org.Department, "工程部")
		e.user("agent", co.ID, auth.RoleCSAgent)
		li := e.user("li", co.ID, auth.RoleDeptStaff)
		e.user("viewer", co.ID, auth.RoleViewer)
		e.user("field", co.ID, auth.RoleFieldStaff)
		agent, viewer, field := e.login("agent"), e.login("viewer"), e.login("field")

		body := map[string]any{"category": "complaint", "channel": "phone", "received_at": "2026-03-01T10:00:00+08:00",
			"customer": map[string]string{"name": "王芳", "phone": "13800000000", "address": "3栋1单元502"},
			"subject":  "销售承诺不兑现", "description": "…", "respondent_user_id": li.ID.String()}
		wantError(t, e.do("POST", "/api/v1/tickets", viewer, body), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", "/api/v1/tickets", field, body), http.StatusForbidden, "forbidden", "")
		bad := map[string]any{"category": "complaint.nosuch"}
		wantError(t, e.do("POST", "/api/v1/tickets", agent, bad), http.StatusUnprocessableEntity, "validation_failed", "category")
		bad = map[string]any{"category": "complaint", "customer": map[string]string{"name": "王芳", "phone": "12"}}
		wantError(t, e.do("POST", "/api/v1/tickets", agent, bad), http.StatusUnprocessableEntity, "validation_failed", "customer.phone")
		bad = map[string]any{"category": "complaint", "received_at": "2026-03-03T10:00:00+08:00"}
		wantError(t, e.do("POST", "/api/v1/tickets", agent, bad), http.StatusUnprocessableEntity, "validation_failed", "received_at")

		r := e.do("POST", "/api/v1/tickets", agent, body)
		if r.Code != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Code, r.Body)
		}
		var tk ticketJSON
		r.decode(t, &tk)
		if tk.Pack != "realestate" || tk.Status != "new" || tk.Severity != "general" || tk.Number == "" ||
			tk.ReceivedAt != "2026-03-01T10:00:00+08:00" {
			t.Errorf("created %+v", tk)
		}
		if c := tk.clock(t, "forward"); c.TargetAt == nil || *c.TargetAt != "2026-03-02T10:00:00+08:00" || c.State != "running" ||
			c.Duration != "24h" || c.Calendar != "cn" || c.Provisional == nil {
			t.Errorf("forward clock %+v", c)
		}
		var raw struct {
			Clocks []map[string]json.RawMessage `json:"clocks"`
		}
		_ = json.Unmarshal(r.Body, &raw)
		for _, c := range raw.Clocks {
			if string(c["state"]) == `"pending"` {
				if _, ok := c["target_at"]; ok {
					t.Errorf("pending clock with target_at: %v", c)
				}
			}
		}
		path := "/api/v1/tickets/" + tk.ID
		act := func(tok string, a map[string]any) res {
			t.Helper()
			return e.do("POST", path+"/actions", tok, a)
		}
		wantError(t, act(agent, map[string]any{"action": "close"}), http.StatusConflict, "conflict", "action")
		wantError(t, act(agent, map[string]any{"action": "assign", "user_id": li.ID.String()}), http.StatusConflict, "conflict", "user_id")
		wantError(t, act(viewer, map[string]any{"action": "forward"}), http.StatusForbidden, "forbidden", "")
		wantError(t, act(agent, map[string]any{"action": "approve_extension"}), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("GET", path, e.login("li"), nil), http.StatusNotFound, "not_found", "ticket")

		steps := []struct {
			body   map[string]any
			status string
		}{
			{map[string]any{"action": "forward", "at": "2026-03-01T15:00:00+08:00"}, "forwarded"},
			{map[string]any{"action": "assign", "org_unit": dept.ID.String(), "at": "2026-03-01T16:00:00+08:00"}, "assigned"},
			{map[string]any{"action": "result", "text": "已核实，按合同兑现", "at": "2026-03-02T08:00:00+08:00"}, "result_returned"},
			{map[string]any{"action": "reply", "text": "已电话告知客户", "written": true}, "replied"},
			{map[string]any{"action": "close"}, "closed"},
		}
		for _, s := range steps {
			r := act(agent, s.body)
			if r.Code != http.StatusOK {
				t.Fatalf("%v: %d %s", s.body["action"], r.Code, r.Body)
			}
			r.decode(t, &tk)
			if tk.Status != s.status {
				t.Fatalf("after %v: status %s, want %s", s.body["action"], tk.Status, s.status)
			}
		}
		for kind, state := range map[string]string{"forward": "met", "assign": "met", "result": "met", "reply": "met"} {
			if c := tk.clock(t, kind); c.State != state {
				t.Errorf("%s clock %s, want %s", kind, c.State, state)
			}
		}
		r = e.do("GET", path, viewer, nil)
		if r.Code != http.StatusOK {
			t.Fatalf("get: %d %s", r.Code, r.Body)
		}
		r.decode(t, &tk)
		if len(tk.Timeline) != 6 || tk.Timeline[0].Action != "received" || tk.Timeline[5].Action != "close" {
			t.Errorf("timeline %+v", tk.Timeline)
		}
		var page listJSON[ticketJSON]
		r = e.do("GET", "/api/v1/tickets?status=closed&category=complaint&limit=1", viewer, nil)
		r.decode(t, &page)
		if len(page.Items) != 1 || page.Items[0].ID != tk.ID || page.NextCursor != nil {
			t.Errorf("list: %s", r.Body)
		}
		wantError(t, e.do("GET", "/api/v1/tickets?breached=maybe", viewer, nil), http.StatusUnprocessableEntity, "validation_failed", "breached")
		wantError(t, e.do("GET", "/api/v1/tickets?status=lost", viewer, nil), http.StatusUnprocessableEntity, "validation_failed", "status")
		wantError(t, e.do("GET", "/api/v1/tickets/abc", viewer, nil), http.StatusNotFound, "not_found", "ticket")
	})
}
