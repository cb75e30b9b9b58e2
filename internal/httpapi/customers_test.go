package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// customerJSON is a customer as the API answers it.
type customerJSON struct {
	ID            string            `json:"id"`
	Name          string            `json:"name"`
	Phone         string            `json:"phone"`
	IDNumber      string            `json:"id_number"`
	Profile       map[string]string `json:"profile"`
	Masked        []string          `json:"masked"`
	Version       int               `json:"version"`
	MergedIDs     []string          `json:"merged_ids"`
	ServicePoints []struct {
		ArchiveNo string `json:"archive_no"`
		AccountNo string `json:"account_no"`
	} `json:"service_points"`
	Contacts   []struct{ Summary string } `json:"contacts"`
	WorkOrders []struct {
		ID string `json:"id"`
	} `json:"work_orders"`
	Candidates []struct {
		ID   string   `json:"id"`
		Keys []string `json:"keys"`
	} `json:"candidates"`
}

// TestCustomersAPI: the "done" — a household created by an agent
// is seen unmasked by the manager (audited) and masked by the agent; bad
// input is a 4xx naming the field; roles are refused what they may not do;
// a merge re-points the duplicate's work orders.
func TestCustomersAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		unit, err := e.org.Create(context.Background(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "物业公司", Pack: "property"})
		if err != nil {
			t.Fatal(err)
		}
		tok := map[auth.Role]string{}
		for _, r := range []auth.Role{auth.RoleCSAgent, auth.RoleManager, auth.RoleViewer, auth.RoleCSSupervisor, auth.RoleFieldStaff} {
			name := "c-" + strings.ReplaceAll(string(r), "_", "-")
			e.user(name, unit.ID, r)
			tok[r] = e.login(name)
		}
		body := map[string]any{"kind": "person", "name": "钱业主", "phone": "１３８００００１２３４", "id_number": "110101199003071234",
			"address": "朝阳区幸福里小区5栋", "profile": map[string]string{"health": "心脏病"},
			"service_points": []map[string]any{{"kind": "property_unit", "attributes": map[string]any{"building": "5", "unit": "1", "room": "1202"}}}}
		wantError(t, e.do("POST", "/api/v1/customers", tok[auth.RoleViewer], body), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", "/api/v1/customers", tok[auth.RoleFieldStaff], body), http.StatusForbidden, "forbidden", "")
		r := e.do("POST", "/api/v1/customers", tok[auth.RoleCSAgent], body)
		if r.Code != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Code, r.Body)
		}
		var c customerJSON
		r.decode(t, &c)
		if c.ID == "" || c.Phone != "13800001234" || c.IDNumber != "1101**********1234" || c.Candidates == nil ||
			len(c.ServicePoints) != 1 || c.ServicePoints[0].AccountNo != "5-1-1202" {
			t.Fatalf("created: %s", r.Body)
		}
		if r.Header.Get("Location") != "/api/v1/customers/"+c.ID {
			t.Errorf("Location %q", r.Header.Get("Location"))
		}
		// CUS-001: a second archive for the same unit is a 409 naming the field.
		body["name"], body["phone"] = "孙租客", "13900000000"
		er := wantError(t, e.do("POST", "/api/v1/customers", tok[auth.RoleCSAgent], body, "Accept-Language", "en"),
			http.StatusConflict, "conflict", "service_points[0].account_no")
		if !strings.Contains(er.Message, c.ServicePoints[0].ArchiveNo) {
			t.Errorf("409 message %q does not name %s", er.Message, c.ServicePoints[0].ArchiveNo)
		}
		wantError(t, e.do("POST", "/api/v1/customers", tok[auth.RoleCSAgent], map[string]any{"name": "x", "phone": "12"}),
			http.StatusUnprocessableEntity, "validation_failed", "phone")
		wantError(t, e.do("POST", "/api/v1/customers", tok[auth.RoleCSAgent], map[string]any{"name": "x", "colour": "red"}),
			http.StatusUnprocessableEntity, "validation_failed", "colour")

		get := func(role auth.Role, id string) customerJSON {
			t.Helper()
			r := e.do("GET", "/api/v1/customers/"+id, tok[role], nil)
			if r.Code != http.StatusOK {
				t.Fatalf("get as %s: %d %s", role, r.Code, r.Body)
			}
			var out customerJSON
			r.decode(t, &out)
			return out
		}
		audits := func() int {
			return e.count("SELECT count(*) FROM audit_log WHERE action = 'customer.view_confidential'")
		}
		before := audits()
		if a := get(auth.RoleCSAgent, c.ID); a.IDNumber != "1101**********1234" || a.Profile != nil || len(a.Masked) != 2 {
			t.Errorf("agent sees %q %v masked %v", a.IDNumber, a.Profile, a.Masked)
		}
		if v := get(auth.RoleViewer, c.ID); v.IDNumber != "1101**********1234" || v.Profile != nil {
			t.Errorf("viewer sees %q %v", v.IDNumber, v.Profile)
		}
		if audits() != before {
			t.Error("masked views were audited")
		}
		if m := get(auth.RoleManager, c.ID); m.IDNumber != "110101199003071234" || m.Profile["health"] != "心脏病" {
			t.Errorf("manager sees %q %v", m.IDNumber, m.Profile)
		}
		if audits() != before+1 {
			t.Errorf("the manager's view wrote %d audit rows, want 1", audits()-before)
		}
		if a := e.lastAudit(); a.ObjectID != c.ID || a.Actor != "c-manager" || !strings.Contains(string(a.Changes), "id_number") {
			t.Errorf("audit row %+v %s", a, a.Changes)
		}

		// A duplicate with a work order, merged by the supervisor.
		r = e.do("POST", "/api/v1/customers", tok[auth.RoleCSAgent], map[string]any{"name": "钱业主", "phone": "13800001234"})
		var dup customerJSON
		r.decode(t, &dup)
		if len(dup.Candidates) != 1 || dup.Candidates[0].ID != c.ID {
			t.Errorf("candidates %s", r.Body)
		}
		r = e.do("POST", "/api/v1/tickets", tok[auth.RoleCSAgent], map[string]any{"category": "repair.simple", "customer_id": dup.ID,
			"subject": "水龙头漏水"})
		if r.Code != http.StatusCreated {
			t.Fatalf("ticket: %d %s", r.Code, r.Body)
		}
		var tk struct{ ID string }
		r.decode(t, &tk)
		r = e.do("POST", "/api/v1/customers/"+dup.ID+"/contacts", tok[auth.RoleFieldStaff], map[string]any{"channel": "visit", "summary": "上门维修"})
		if r.Code != http.StatusCreated {
			t.Fatalf("contact by field staff: %d %s", r.Code, r.Body)
		}
		merge := map[string]any{"merge_id": dup.ID, "reason": "同一业主"}
		wantError(t, e.do("POST", "/api/v1/customers/"+c.ID+"/merge", tok[auth.RoleCSAgent], merge), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", "/api/v1/customers/regrade", tok[auth.RoleCSAgent], map[string]any{}), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", "/api/v1/customers/"+c.ID+"/merge", tok[auth.RoleCSSupervisor], map[string]any{"reason": "x"}),
			http.StatusUnprocessableEntity, "validation_failed", "merge_id")
		if r := e.do("POST", "/api/v1/customers/"+c.ID+"/merge", tok[auth.RoleCSSupervisor], merge); r.Code != http.StatusOK {
			t.Fatalf("merge: %d %s", r.Code, r.Body)
		}
		if n := e.count("SELECT count(*) FROM tickets WHERE customer_id = ?", c.ID); n != 1 {
			t.Errorf("%d work orders re-pointed", n)
		}
		r = e.do("GET", "/api/v1/customers/"+dup.ID, tok[auth.RoleCSAgent], nil)
		var kept customerJSON
		r.decode(t, &kept)
		if kept.ID != c.ID || r.Header.Get("Content-Location") != "/api/v1/customers/"+c.ID || len(kept.WorkOrders) != 1 ||
			kept.WorkOrders[0].ID != tk.ID || len(kept.Contacts) != 1 {
			t.Errorf("merged id answers %s", r.Body)
		}
		// Stale version → 409; the list finds by a Chinese substring.
		wantError(t, e.do("PATCH", "/api/v1/customers/"+c.ID, tok[auth.RoleCSAgent], map[string]any{"version": 1, "note": "x"}),
			http.StatusConflict, "conflict", "version")
		r = e.do("GET", "/api/v1/customers?q=幸福里", tok[auth.RoleViewer], nil)
		var l listJSON[customerJSON]
		r.decode(t, &l)
		if len(l.Items) != 1 || l.Items[0].ID != c.ID || l.Items[0].IDNumber != "1101**********1234" {
			t.Errorf("list: %s", r.Body)
		}
		r = e.do("POST", "/api/v1/customers/supply-check", tok[auth.RoleViewer], map[string]any{"grade": "grade1",
			"supply": map[string]any{"sources": []map[string]any{{"substation": "S1", "bus": "I", "can_supply_alone": true},
				{"substation": "S1", "bus": "II", "can_supply_alone": true}}}})
		var chk struct {
			Valid    bool
			Problems []struct{ Code, Message string }
		}
		r.decode(t, &chk)
		if chk.Valid || len(chk.Problems) == 0 || chk.Problems[0].Code != "substations" || chk.Problems[0].Message == "" {
			t.Errorf("supply check: %s", r.Body)
		}
		r = e.do("GET", "/api/v1/customers/"+c.ID+"/history", tok[auth.RoleCSAgent], nil)
		if r.Code != http.StatusOK || !strings.Contains(string(r.Body), "merged_from") {
			t.Errorf("history: %d %s", r.Code, r.Body)
		}
	})
}
