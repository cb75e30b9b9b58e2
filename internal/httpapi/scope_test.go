package httpapi_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// rowScope says, for the first path segment after /api/v1/ of every route
// with a path parameter, which record of another subsidiary fills it, or
// why the route's records are not scoped by org unit. A route the table
// does not know fails TestRowScopeMatrix, so a new route must say.
var rowScope = map[string]string{
	"users":           "user",
	"tickets":         "ticket",
	"ticket-clusters": "cluster",
	"open-letters":    "letter",
	"customers":       "customer",
	"processes":       "process",
	"surveys":         "survey",
	"visits":          "scoped to the company of the visit: TestVisitsOverHTTP",
	"org-units":       "shared: the org tree is the group's directory; writes need org:write (admin)",
	"calendars":       "shared: calendars are the group's; writes need calendars:write (admin)",
	"policy":          "shared: policy packs are the group's; writes need policy:write (admin)",
	"import-jobs":     "scoped to the user who started the job: TestCustomerImportAPI",
	"public":          "no sign-in: a one-use survey link's token is its credential: TestSurveyLinkOverHTTP",
	"sampling":        "scoped to the company of the draw or ledger entry: TestSamplingScopeOverHTTP",
	"inspections":     "scoped to the company of the plan or record: TestInspectionScopeOverHTTP",
	"hazards":         "scoped to the company of the hazard: TestHazardScopeOverHTTP",
	"staff":           "scoped to the company of the certificate holder: TestCertificateScopeOverHTTP",
	"merits":          "scoped to the company of the entry, appeal, flag or bounty: TestMeritScopeOverHTTP",
	"sales":           "scoped to the company of the sales centre: TestSalesScopeOverHTTP",
	"archives":        "scoped to the company of the file, item, volume, loan, destruction, handover or finding: TestArchiveScopeOverHTTP",
}

// scopeBody is a well-formed body for a state-changing route on a record,
// so that the request reaches the record's lookup.
func scopeBody(path, ticketID string) any {
	switch {
	case strings.HasSuffix(path, "/surveys/{id}/counts"):
		return map[string]any{"distributed": 1}
	case strings.HasSuffix(path, "/surveys/{id}/close"):
		return map[string]any{"improvement_plan": "越权"}
	case strings.HasSuffix(path, "/surveys/{id}/forms"):
		return map[string]any{"households": []map[string]any{{"household": "1-101"}}}
	case strings.HasSuffix(path, "/forms/{form}/answers"):
		return map[string]any{"channel": "phone", "answers": map[string]string{"overall": "satisfied"}}
	case strings.HasSuffix(path, "/forms/{form}/verify"):
		return map[string]any{"result": "genuine"}
	case strings.HasSuffix(path, "/surveys/{id}"): // PATCH: the draft plan (SUR-002)
		return map[string]any{"title": "越权"}
	case strings.HasSuffix(path, "/surveys/{id}/review"), strings.HasSuffix(path, "/surveys/{id}/approve"),
		strings.HasSuffix(path, "/surveys/{id}/return"), strings.HasSuffix(path, "/actions/{action}/verify"):
		return map[string]any{"opinion": "越权"}
	case strings.HasSuffix(path, "/surveys/{id}/actions"): // SUR-003
		return map[string]any{"issue": "越权", "department_id": 1, "due_on": "2099-12-31"}
	case strings.HasSuffix(path, "/actions/{action}/done"):
		return map[string]any{"result": "越权"}
	case strings.HasPrefix(path, "/api/v1/processes/"):
		return map[string]any{"action": "receive", "item": "suspension_application"}
	case strings.HasSuffix(path, "/actions"):
		return map[string]any{"action": "note", "note": "越权"}
	case strings.HasSuffix(path, "/tickets"):
		return map[string]any{"ticket_ids": []string{ticketID}}
	case strings.HasSuffix(path, "/password"):
		return map[string]any{"password": "yue-quan-2026-x"}
	case strings.HasSuffix(path, "/service-points"):
		return map[string]any{"kind": "property_unit", "address": "越权"}
	case strings.HasPrefix(path, "/api/v1/users/"):
		return map[string]any{"display_name": "越权"}
	case strings.HasPrefix(path, "/api/v1/customers/{id}") && !strings.Contains(path, "{id}/"):
		return map[string]any{"name": "越权"}
	}
	return map[string]any{}
}

// TestRowScopeMatrix (SEC-001, issue 7): a user of one subsidiary, in any
// role, never reads or changes a work order, customer, user, cluster or
// open letter of another subsidiary through any route: 404 (or 403), with
// nothing written; and the lists never show them.
func TestRowScopeMatrix(t *testing.T) {
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
		a, b := mk("甲物业公司"), mk("乙物业公司")
		e.user("b.agent", b.ID, auth.RoleCSAgent, auth.RoleCSSupervisor)
		bTok := e.login("b.agent")
		create := func(path string, body any) string {
			t.Helper()
			r := e.do("POST", path, bTok, body)
			if r.Code != http.StatusCreated {
				t.Fatalf("POST %s: %d %s", path, r.Code, r.Body)
			}
			var out struct{ ID string }
			r.decode(t, &out)
			return out.ID
		}
		tk := create("/api/v1/tickets", map[string]any{"category": "repair.simple", "subject": "乙公司的工单",
			"customer": map[string]string{"name": "乙公司的客户", "phone": "13912345678", "address": "乙小区1栋"}})
		other := create("/api/v1/tickets", map[string]any{"category": "repair.simple", "subject": "乙公司的第二张工单"})
		cust := create("/api/v1/customers", map[string]any{"kind": "person", "name": "乙公司的老客户", "phone": "13812345678"})
		cluster := create("/api/v1/ticket-clusters", map[string]any{"title": "乙公司的群诉", "location": "乙小区", "ticket_ids": []string{other}})
		letter := create("/api/v1/open-letters", map[string]any{"title": "乙公司的公开信", "body": "……", "ticket_ids": []string{tk}})
		// A satisfaction survey of 乙 (issue 9; b.agent is a CS supervisor: surveys:write).
		surv := create("/api/v1/surveys", map[string]any{"title": "乙公司的满意度调查", "channel": "paper",
			"starts_on": "2026-03-01", "ends_on": "2026-03-31", "households": 500})
		bUser := e.user("b.staff", b.ID, auth.RoleFieldStaff)
		// A business process of 乙's power subsidiary (issue 8).
		bp, err := e.org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "乙供电公司", Pack: "power"})
		if err != nil {
			t.Fatal(err)
		}
		e.user("b.power", bp.ID, auth.RoleCSAgent)
		bTok = e.login("b.power")
		r := e.do("POST", "/api/v1/customers", bTok, map[string]any{"kind": "organisation", "name": "乙公司的用电客户",
			"phone": "0571-86009999", "type": "hv_single", "service_points": []map[string]any{{"kind": "power_supply_point",
				"account_no": "P2000001", "address": "乙工业园", "attributes": map[string]any{"voltage": "10kV"}}}})
		var bc struct {
			ServicePoints []struct{ ID store.ID } `json:"service_points"`
		}
		r.decode(t, &bc)
		if r.Code != http.StatusCreated || len(bc.ServicePoints) != 1 {
			t.Fatalf("乙's power customer: %d %s", r.Code, r.Body)
		}
		proc := create("/api/v1/processes", map[string]any{"definition": "change.suspension", "service_point_id": bc.ServicePoints[0].ID,
			"attributes": map[string]any{"from": "2026-04-01", "to": "2026-05-01", "capacity_kva": 400}})
		records := map[string]string{"user": bUser.ID.String(), "ticket": tk, "customer": cust, "cluster": cluster, "letter": letter,
			"process": proc, "survey": surv}

		var scoped, shared int
		for _, info := range auth.Roles {
			if info.Key == auth.RoleAdmin {
				continue // the administrator's scope is the whole group
			}
			name := "a-" + strings.ReplaceAll(string(info.Key), "_", "-")
			e.user(name, a.ID, info.Key)
			tok := e.login(name)
			for _, rt := range e.api.Routes() {
				if rt.Path == "/api/v1/auth/logout" {
					continue
				}
				if !strings.Contains(rt.Path, "{") {
					if rt.Method == http.MethodGet && !rt.Public {
						r := e.do("GET", rt.Path, tok, nil)
						if strings.Contains(string(r.Body), "乙公司") {
							t.Errorf("%s: GET %s shows another subsidiary's records: %s", info.Key, rt.Path, r.Body)
						}
					}
					continue
				}
				seg := strings.SplitN(strings.TrimPrefix(rt.Path, "/api/v1/"), "/", 2)[0]
				kind, ok := rowScope[seg]
				if !ok {
					t.Errorf("%s %s: no row-scope entry for %q in rowScope", rt.Method, rt.Path, seg)
					continue
				}
				id, scopedRoute := records[kind]
				if !scopedRoute {
					shared++
					continue
				}
				scoped++
				path := pathParam.ReplaceAllString(rt.Path, id)
				var body any
				if rt.Method != http.MethodGet {
					body = scopeBody(rt.Path, other)
				}
				before := e.auditCount()
				r := e.do(rt.Method, path, tok, body)
				if after := e.auditCount(); after != before {
					t.Errorf("%s: %s %s on another subsidiary's %s wrote %d audit rows", info.Key, rt.Method, rt.Path, kind, after-before)
				}
				// Refused, and exactly as if the record did not exist: the
				// answer does not even tell that it does.
				none := e.do(rt.Method, pathParam.ReplaceAllString(rt.Path, "987654321"), tok, body)
				if r.Code < 400 || r.Code >= 500 || r.Code != none.Code || !reflect.DeepEqual(errorOf(t, r), errorOf(t, none)) {
					t.Errorf("%s: %s %s on another subsidiary's %s answers %d %s; for no record %d %s",
						info.Key, rt.Method, rt.Path, kind, r.Code, r.Body, none.Code, none.Body)
				}
				if strings.Contains(string(r.Body), "乙公司") {
					t.Errorf("%s: %s %s leaks another subsidiary's record: %s", info.Key, rt.Method, path, r.Body)
				}
			}
		}
		if scoped == 0 || shared == 0 {
			t.Fatalf("%d scoped and %d shared route checks: the matrix tests nothing", scoped, shared)
		}
	})
}
