package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/visit"
)

// households are n rows of an occasion body.
func households(n int) []map[string]string {
	out := make([]map[string]string, n)
	for i := range out {
		out[i] = map[string]string{"name": fmt.Sprintf("住户%d", i+1), "phone": fmt.Sprintf("1360000%04d", i+1),
			"address": fmt.Sprintf("3栋%d室", 101+i)}
	}
	return out
}

// TestVisitOccasionsOverHTTP (VIS-006, VIS-007, VIS-012, VIS-016): the CS
// supervisor registers a burst-pipe incident closed Mon 2026-03-09 with
// its households; every household is drawn (100 %), due Thu 2026-03-12
// 18:00 on cn-office. An activity's visit is swapped with a reason; an
// issue raised in a visit is answered and the month's handling rate
// follows. Each new route refuses the roles it is not for, bad input is a
// 422 naming the field, and another company learns nothing.
func TestVisitOccasionsOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.clk.t = time.Date(2026, 3, 10, 9, 0, 0, 0, store.Zone)
		mk := func(name string) org.Unit {
			u, err := e.org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: name, Pack: "property"})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		a, b := mk("甲物业"), mk("乙物业")
		e.user("supervisor", a.ID, auth.RoleCSSupervisor)
		e.user("manager", a.ID, auth.RoleManager)
		e.user("agent", a.ID, auth.RoleCSAgent)
		e.user("assistant", a.ID, auth.RoleFieldStaff)
		e.user("sales", a.ID, auth.RoleSalesAgent)
		e.user("other", b.ID, auth.RoleCSSupervisor)
		tok := map[string]string{}
		for _, u := range []string{"supervisor", "manager", "agent", "assistant", "sales", "other"} {
			tok[u] = e.login(u)
		}
		body := map[string]any{"rule": "emergency", "title": "3栋爆管", "happened_at": "2026-03-09T15:30:00+08:00",
			"households": households(4)}

		// Who may register: the owner role or a manager (VIS-001).
		wantError(t, e.do("POST", "/api/v1/visits/occasions", tok["sales"], body), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", "/api/v1/visits/occasions", tok["agent"], body), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", "/api/v1/visits/occasions", tok["assistant"], body), http.StatusForbidden, "forbidden", "")
		bad := func(field string, change func(map[string]any)) {
			t.Helper()
			in := map[string]any{"rule": "emergency", "title": "3栋爆管", "happened_at": "2026-03-09 15:30", "households": households(4)}
			change(in)
			wantError(t, e.do("POST", "/api/v1/visits/occasions", tok["supervisor"], in), http.StatusUnprocessableEntity,
				"validation_failed", field)
		}
		bad("rule", func(in map[string]any) { in["rule"] = "repair" })
		bad("title", func(in map[string]any) { delete(in, "title") })
		bad("happened_at", func(in map[string]any) { in["happened_at"] = "09.03.2026" })
		bad("households", func(in map[string]any) { in["households"] = []any{} })
		bad("households[1].phone", func(in map[string]any) { in["households"].([]map[string]string)[1]["phone"] = "电话" })
		bad("households[3].name", func(in map[string]any) {
			in["households"].([]map[string]string)[3] = map[string]string{"address": "3栋"}
		})
		if n := e.count("SELECT count(*) FROM visit_occasions"); n != 0 {
			t.Fatalf("refused occasions stored: %d", n)
		}

		r := e.do("POST", "/api/v1/visits/occasions", tok["supervisor"], body)
		if r.Code != http.StatusCreated {
			t.Fatalf("occasion: %d %s", r.Code, r.Body)
		}
		var o visit.Occasion
		r.decode(t, &o)
		if o.Draw == nil || o.Draw.Population != 4 || o.Draw.Quota != 4 || o.Draw.Drawn != 4 || o.Trigger != "emergency_closed" ||
			!o.DueAt.Equal(time.Date(2026, 3, 12, 18, 0, 0, 0, store.Zone)) {
			t.Fatalf("occasion %s", r.Body)
		}
		path := "/api/v1/visits/occasions/" + o.ID.String()
		wantError(t, e.do("GET", path, tok["sales"], nil), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("GET", "/api/v1/visits/occasions", tok["sales"], nil), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("GET", path, tok["other"], nil), http.StatusNotFound, "not_found", "occasion")
		var ol struct{ Items []visit.Occasion }
		e.do("GET", "/api/v1/visits/occasions", tok["other"], nil).decode(t, &ol)
		if len(ol.Items) != 0 {
			t.Fatalf("another company lists %d occasions", len(ol.Items))
		}
		e.do("GET", "/api/v1/visits/occasions?limit=1", tok["assistant"], nil).decode(t, &ol)
		if len(ol.Items) != 1 || ol.Items[0].ID != o.ID {
			t.Fatalf("the assistant's occasions: %+v", ol.Items)
		}
		if r := e.do("GET", path, tok["assistant"], nil); r.Code != http.StatusOK {
			t.Fatalf("get occasion: %d %s", r.Code, r.Body)
		}
		var vl struct{ Items []visit.Visit }
		e.do("GET", "/api/v1/visits?occasion="+o.ID.String(), tok["assistant"], nil).decode(t, &vl)
		if len(vl.Items) != 4 || vl.Items[0].RefType != "occasion" || vl.Items[0].OccasionID != o.ID {
			t.Fatalf("the occasion's visits: %+v", vl.Items)
		}
		wantError(t, e.do("GET", "/api/v1/visits?occasion=x", tok["assistant"], nil), http.StatusUnprocessableEntity, "validation_failed", "occasion")

		// The swap (VIS-016): owner role only, with a reason; none left at 100 %.
		emergency := "/api/v1/visits/" + vl.Items[0].ID.String()
		wantError(t, e.do("POST", emergency+"/swap", tok["sales"], map[string]any{"reason": "业主不在"}), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", emergency+"/swap", tok["assistant"], map[string]any{"reason": "业主不在"}), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", emergency+"/swap", tok["supervisor"], map[string]any{}), http.StatusUnprocessableEntity, "validation_failed", "reason")
		wantError(t, e.do("POST", emergency+"/swap", tok["other"], map[string]any{"reason": "业主不在"}), http.StatusNotFound, "not_found", "visit")
		wantError(t, e.do("POST", emergency+"/swap", tok["supervisor"], map[string]any{"reason": "业主不在"}), http.StatusConflict, "conflict", "candidate_id")
		r = e.do("POST", "/api/v1/visits/occasions", tok["manager"], map[string]any{"rule": "activity", "title": "元宵灯谜会",
			"happened_at": "2026-03-03 21:00", "households": households(20)})
		var act visit.Occasion
		r.decode(t, &act)
		if r.Code != http.StatusCreated || act.Draw.Drawn != 2 {
			t.Fatalf("activity: %d %s", r.Code, r.Body)
		}
		e.do("GET", "/api/v1/visits?occasion="+act.ID.String(), tok["supervisor"], nil).decode(t, &vl)
		r = e.do("POST", "/api/v1/visits/"+vl.Items[0].ID.String()+"/swap", tok["supervisor"], map[string]any{"reason": "住户已搬离"})
		var swapped visit.Visit
		r.decode(t, &swapped)
		if r.Code != http.StatusOK || swapped.Status != visit.StatusCancelled || swapped.SwappedTo == 0 || swapped.SwapReason != "住户已搬离" {
			t.Fatalf("swap: %d %s", r.Code, r.Body)
		}
		e.do("GET", "/api/v1/visits?occasion="+act.ID.String()+"&status=open", tok["supervisor"], nil).decode(t, &vl)
		if len(vl.Items) != 2 {
			t.Errorf("after the swap the activity has %d open visits, want 2", len(vl.Items))
		}

		// The answer (VIS-012): the visit's role or the owner role.
		reply := e.clk.Now().Add(48 * time.Hour).Format(time.RFC3339)
		if r := e.do("POST", emergency+"/record", tok["assistant"], map[string]any{"mode": "phone", "result": "satisfied",
			"new_issue": "地下室仍有积水", "reply_due_at": reply}); r.Code != http.StatusOK {
			t.Fatalf("record: %d %s", r.Code, r.Body)
		}
		stats := func() visit.RuleStats {
			t.Helper()
			var st []visit.RuleStats
			e.do("GET", "/api/v1/visits/stats?month=2026-03", tok["supervisor"], nil).decode(t, &st)
			for _, s := range st {
				if s.Rule == "emergency" {
					return s
				}
			}
			t.Fatalf("no emergency row in %+v", st)
			return visit.RuleStats{}
		}
		if s := stats(); s.IssuesRaised != 1 || s.IssuesAnswered != 0 || s.HandlingRate != 0 || !s.HandlingFlag {
			t.Errorf("before the answer: %+v", s)
		}
		e.do("GET", "/api/v1/visits?issues_open=true", tok["supervisor"], nil).decode(t, &vl)
		if len(vl.Items) != 1 || !vl.Items[0].IssueOpen {
			t.Fatalf("open issues: %+v", vl.Items)
		}
		answer := map[string]any{"outcome": "已抽水并清理", "response": "已电话告知业主"}
		wantError(t, e.do("POST", emergency+"/answer", tok["sales"], answer), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", emergency+"/answer", tok["agent"], answer), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", emergency+"/answer", tok["assistant"], map[string]any{"response": "已告知"}),
			http.StatusUnprocessableEntity, "validation_failed", "outcome")
		wantError(t, e.do("POST", emergency+"/answer", tok["other"], answer), http.StatusNotFound, "not_found", "visit")
		r = e.do("POST", emergency+"/answer", tok["assistant"], answer)
		var answered visit.Visit
		r.decode(t, &answered)
		if r.Code != http.StatusOK || answered.AnsweredAt == nil || answered.IssueOpen || answered.IssueResponse != "已电话告知业主" {
			t.Fatalf("answer: %d %s", r.Code, r.Body)
		}
		wantError(t, e.do("POST", emergency+"/answer", tok["supervisor"], answer), http.StatusConflict, "conflict", "answered_at")
		if s := stats(); s.IssuesRaised != 1 || s.IssuesAnswered != 1 || s.HandlingRate != 100 || s.HandlingFlag || s.HandlingTargetPct != 100 {
			t.Errorf("after the answer: %+v", s)
		}
	})
}
