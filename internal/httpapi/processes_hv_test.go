package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestHVConnectionOverHTTP drives a 1,250 kVA dual-source HV connection
// from application to archive through the API alone (issue 8 "done
// means"), on the 2026 calendar: each step's deadline is the RULES.md
// worked example (PRC-009, PRC-021, PRC-023), the steps routed to the city
// company are refused to the branch, the design review loops once.
func TestHVConnectionOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		city, err := e.org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "市供电公司", Pack: "power"})
		if err != nil {
			t.Fatal(err)
		}
		branch, err := e.org.Create(t.Context(), org.CreateInput{ParentID: &city.ID, Kind: org.Company, Name: "城区供电分公司"})
		if err != nil {
			t.Fatal(err)
		}
		cityMkt, mkt := e.unit(city.ID, org.Department, "市公司营销部"), e.unit(branch.ID, org.Department, "营销部")
		e.user("agent", mkt.ID, auth.RoleCSAgent)
		e.user("mkt", mkt.ID, auth.RoleDeptStaff)
		e.user("city", cityMkt.ID, auth.RoleDeptStaff)
		e.user("field", e.unit(branch.ID, org.Department, "生技部").ID, auth.RoleFieldStaff)
		e.user("safety", e.unit(branch.ID, org.Department, "安监部").ID, auth.RoleAuditor)
		// Sessions expire as the clock jumps: a user signs in again on
		// each new day of the test.
		tok, day := map[string]string{}, map[string]string{}
		login := func(who string) string {
			if d := e.clk.Now().Format("2006-01-02"); day[who] != d {
				tok[who], day[who] = e.login(who), d
			}
			return tok[who]
		}
		r := e.do("POST", "/api/v1/customers", e.adminTok, map[string]any{"kind": "organisation", "name": "城东机械厂",
			"phone": "0571-86001111", "address": "城东路9号", "type": "hv_dual", "org_unit": mkt.ID,
			"service_points": []map[string]any{{"kind": "power_supply_point", "account_no": "P3000001", "address": "城东路9号",
				"attributes": map[string]any{"voltage": "10kV"}}}})
		var cust struct {
			ServicePoints []struct{ ID store.ID } `json:"service_points"`
		}
		r.decode(t, &cust)
		if r.Code != http.StatusCreated {
			t.Fatalf("customer: %d %s", r.Code, r.Body)
		}
		set := func(s string) {
			var err error
			if e.clk.t, err = time.ParseInLocation("2006-01-02 15:04", s, store.Zone); err != nil {
				t.Fatal(err)
			}
		}
		set("2026-09-14 09:30")
		r = e.do("POST", "/api/v1/processes", login("agent"), map[string]any{"definition": "connection.hv",
			"service_point_id": cust.ServicePoints[0].ID, "attributes": map[string]any{"customer_type": "industrial",
				"capacity_kva": 1250, "sources": "dual"}})
		var p processJSON
		r.decode(t, &p)
		if r.Code != http.StatusCreated {
			t.Fatalf("start: %d %s", r.Code, r.Body)
		}
		path := "/api/v1/processes/" + p.ID.String()
		act := func(who, when string, body map[string]any) {
			t.Helper()
			set(when)
			r := e.do("POST", path+"/actions", login(who), body)
			if r.Code != http.StatusOK {
				t.Fatalf("%s %v at %s: %d %s", who, body, when, r.Code, r.Body)
			}
			r.decode(t, &p)
		}
		// advance receives the current step's documents and completes it.
		advance := func(who, when, outcome, comment string) {
			t.Helper()
			for _, c := range p.Checklist {
				if c.Step == p.CurrentStep && c.Required && c.ReceivedAt == nil {
					act(who, when, map[string]any{"action": "receive", "item": c.Item})
				}
			}
			act(who, when, map[string]any{"action": "complete", "step": p.CurrentStep, "outcome": outcome, "comment": comment})
		}
		due := func(step, want string) {
			t.Helper()
			last := p.Steps[len(p.Steps)-1]
			w, _ := time.ParseInLocation("2006-01-02 15:04", want, store.Zone)
			if p.CurrentStep != step || last.DueAt == nil || !last.DueAt.Equal(w) {
				t.Fatalf("at %s due %v, want %s due %s", p.CurrentStep, last.DueAt, step, want)
			}
		}
		advance("agent", "2026-09-14 10:00", "", "")
		due("supply_plan_dual", "2026-10-31 00:00") // PRC-009: 30wd
		wantError(t, e.do("POST", path+"/actions", login("mkt"), map[string]any{"action": "complete"}), http.StatusForbidden, "forbidden", "")
		advance("city", "2026-09-18 15:00", "", "")
		advance("mkt", "2026-09-21 10:00", "", "")
		due("design_review", "2026-10-22 00:00") // PRC-011: 30d and 1mo both end Wed 10-21
		advance("city", "2026-09-22 16:00", "revise", "自备电源切换装置未设机械联锁。")
		advance("mkt", "2026-09-23 10:00", "", "")
		advance("city", "2026-09-25 11:00", "approved", "")
		advance("mkt", "2026-09-26 09:30", "", "")
		advance("field", "2026-09-29 10:00", "passed", "")
		advance("mkt", "2026-09-30 09:30", "", "")
		for who, parties := range map[string][]string{"mkt": {"marketing", "dispatch", "construction"}, "safety": {"safety"}, "field": {"production"}} {
			for _, party := range parties {
				act(who, "2026-10-08 10:00", map[string]any{"action": "sign", "party": party})
			}
		}
		advance("field", "2026-10-08 10:30", "passed", "")
		advance("mkt", "2026-10-08 11:30", "", "")
		wantError(t, e.do("POST", path+"/actions", login("field"), map[string]any{"action": "complete"}),
			http.StatusUnprocessableEntity, "validation_failed", "checklist")
		act("mkt", "2026-10-08 16:00", map[string]any{"action": "fact", "fact": "fees_paid"})
		due("energise", "2026-10-15 00:00") // PRC-021 example: 5wd from Thu 10-08
		advance("field", "2026-10-13 10:00", "", "")
		due("post_check", "2026-11-14 00:00") // PRC-023: 1mo
		advance("field", "2026-11-10 10:00", "", "")
		if p.Status != "completed" {
			t.Fatalf("at the end: %s", p.Status)
		}
	})
}
