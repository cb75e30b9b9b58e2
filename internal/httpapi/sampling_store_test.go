package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// samplingItems are n households without strata, as JSON items.
func samplingItems(prefix string, n int) []map[string]string {
	out := make([]map[string]string, n)
	for i := range out {
		out[i] = map[string]string{"id": fmt.Sprintf("%s%04d", prefix, i)}
	}
	return out
}

type samplingTask struct {
	ID      store.ID
	ItemID  string `json:"item_id"`
	Stratum string
	Method  string
	Status  string
}

type samplingDraw struct {
	ID     store.ID
	Seed   string
	Status string
	Plan   struct {
		Sample  int
		Methods []struct {
			Method string
			Size   int
		}
	}
	Verified int
	QuotaMet *bool `json:"quota_met"`
	Tasks    []samplingTask
}

// gasCompany is a gas company with its auditor, a safety inspector and a
// hotline operator.
func gasCompany(t *testing.T, e *env, name string) (co org.Unit, auditor, inspector, hotline auth.User) {
	t.Helper()
	co, err := e.org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: name, Pack: "gas"})
	if err != nil {
		t.Fatal(err)
	}
	slug := strings.ToLower(fmt.Sprintf("c%d", co.ID))
	auditor = e.user(slug+".auditor", co.ID, auth.RoleAuditor)
	inspector = e.user(slug+".inspector", co.ID, auth.RoleFieldStaff)
	hotline = e.user(slug+".hotline", co.ID, auth.RoleCSAgent)
	return co, auditor, inspector, hotline
}

// TestSamplingDrawsOverHTTP: the stored sampling over the API — SMP-006's
// inspector month drawn (650 households → 20, 10 on site and 10 by
// phone), listed with filters, a task verified by the assigned hotline
// operator, the failed check escalated and decided, the draw closed short
// with the missed quota counted (SMP-017), bad input as 422 naming the
// field, a second draw 409, roles refused 403.
func TestSamplingDrawsOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		co, auditor, inspector, hotline := gasCompany(t, e, "甲燃气公司")
		e.user("gas.leader", co.ID, auth.RoleCSSupervisor)
		e.user("gas.cm", co.ID, auth.RoleFieldStaff)
		aTok, hTok, lTok := e.login(auditor.Username), e.login(hotline.Username), e.login("gas.leader")
		body := map[string]any{"rule": "inspector", "checked_user_id": inspector.ID, "period": "2026-02",
			"checker_id": hotline.ID, "items": samplingItems("H", 650)}
		r := e.do("POST", "/api/v1/sampling/draws", aTok, body)
		if r.Code != http.StatusCreated {
			t.Fatalf("draw: %d %s", r.Code, r.Body)
		}
		var d samplingDraw
		r.decode(t, &d)
		by := map[string]int{}
		for _, task := range d.Tasks {
			by[task.Method]++
		}
		if d.Plan.Sample != 20 || len(d.Tasks) != 20 || by["on_site"] != 10 || by["phone"] != 10 ||
			d.Seed != fmt.Sprintf("gas|inspector|%d|%d|2026-02", co.ID, inspector.ID) {
			t.Errorf("draw %+v %v", d.Plan, by)
		}
		wantError(t, e.do("POST", "/api/v1/sampling/draws", aTok, body), http.StatusConflict, "conflict", "period")
		for _, c := range []struct {
			change map[string]any
			field  string
		}{
			{map[string]any{"rule": ""}, "rule"},
			{map[string]any{"rule": "counter_clerk"}, "rule"},
			{map[string]any{"period": "二月"}, "period"},
			{map[string]any{"checked_user_id": 0}, "checked_user_id"},
			{map[string]any{"checked_user_id": "x"}, "checked_user_id"},
			{map[string]any{"items": []map[string]string{{"id": ""}}}, "items[0].id"},
			{map[string]any{"period": "2026-01", "checker_id": e.admin.ID}, "checker_id"},
		} {
			b := map[string]any{}
			for k, v := range body {
				b[k] = v
			}
			for k, v := range c.change {
				b[k] = v
			}
			wantError(t, e.do("POST", "/api/v1/sampling/draws", aTok, b), http.StatusUnprocessableEntity, "validation_failed", c.field)
		}
		// A team leader is a level-2 checker: inspectors are level 1 (SMP-002).
		b := map[string]any{"rule": "inspector", "checked_user_id": inspector.ID, "period": "2026-01", "items": samplingItems("H", 30)}
		wantError(t, e.do("POST", "/api/v1/sampling/draws", lTok, b), http.StatusUnprocessableEntity, "validation_failed", "checker_position")
		wantError(t, e.do("POST", "/api/v1/sampling/draws", hTok, b), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("GET", "/api/v1/sampling/draws", e.login("gas.cm"), nil), http.StatusForbidden, "forbidden", "")

		var page struct{ Items []samplingDraw }
		e.do("GET", "/api/v1/sampling/draws?status=open&rule=inspector&checked_user_id="+inspector.ID.String(), hTok, nil).decode(t, &page)
		if len(page.Items) != 1 || page.Items[0].ID != d.ID {
			t.Errorf("listed %+v", page.Items)
		}
		e.do("GET", "/api/v1/sampling/draws?period=2026-03", hTok, nil).decode(t, &page)
		if len(page.Items) != 0 {
			t.Errorf("March: %d", len(page.Items))
		}
		wantError(t, e.do("GET", "/api/v1/sampling/draws?checker_id=abc", hTok, nil), http.StatusUnprocessableEntity, "validation_failed", "checker_id")

		// The hotline operator verifies a phone task; an item fails.
		var phone samplingTask
		for _, task := range d.Tasks {
			if task.Method == "phone" {
				phone = task
			}
		}
		results := []map[string]string{}
		for _, item := range []string{"plan_completed", "form_complete", "copies_match", "record_matches_site", "safety_advice",
			"rectification_notice", "rectification_followed", "tracking_record", "hazards_reported"} {
			results = append(results, map[string]string{"item": item, "result": "pass"})
		}
		results[4]["result"] = "fail"
		verify := "/api/v1/sampling/tasks/" + phone.ID.String() + "/verify"
		wantError(t, e.do("POST", verify, hTok, map[string]any{"results": results}), http.StatusUnprocessableEntity, "validation_failed", "proposal")
		r = e.do("POST", verify, hTok, map[string]any{"results": results, "findings": "客户称未告知隐患", "proposal": "安检员重新入户宣传"})
		if r.Code != http.StatusCreated {
			t.Fatalf("verify: %d %s", r.Code, r.Body)
		}
		var entry struct {
			ID     store.ID
			Passed bool
			Method string
			Level  int
		}
		r.decode(t, &entry)
		if entry.Passed || entry.Method != "phone" || entry.Level != 1 {
			t.Errorf("entry %+v", entry)
		}
		r = e.do("POST", fmt.Sprintf("/api/v1/sampling/ledger/%d/escalate", entry.ID), hTok, map[string]any{"note": "请班组长处理"})
		if r.Code != http.StatusCreated {
			t.Fatalf("escalate: %d %s", r.Code, r.Body)
		}
		var esc struct {
			ID    store.ID
			Level int
			Kind  string
		}
		r.decode(t, &esc)
		if esc.Level != 2 || esc.Kind != "escalation" {
			t.Errorf("escalation %+v", esc)
		}
		decide := fmt.Sprintf("/api/v1/sampling/ledger/%d/decide", esc.ID)
		wantError(t, e.do("POST", decide, hTok, map[string]any{"decision": "我来"}), http.StatusForbidden, "forbidden", "")
		if r := e.do("POST", decide, lTok, map[string]any{"decision": "约谈安检员"}); r.Code != http.StatusCreated {
			t.Errorf("decide: %d %s", r.Code, r.Body)
		}
		var ledger struct {
			Items []struct {
				ID   store.ID
				Kind string
			}
		}
		e.do("GET", "/api/v1/sampling/ledger?draw_id="+d.ID.String(), aTok, nil).decode(t, &ledger)
		if len(ledger.Items) != 3 || ledger.Items[0].Kind != "decision" {
			t.Errorf("ledger %+v", ledger.Items)
		}
		e.do("GET", "/api/v1/sampling/ledger?failed=true", aTok, nil).decode(t, &ledger)
		if len(ledger.Items) != 1 || ledger.Items[0].ID != entry.ID {
			t.Errorf("failed %+v", ledger.Items)
		}
		wantError(t, e.do("GET", "/api/v1/sampling/ledger?kind=gossip", aTok, nil), http.StatusUnprocessableEntity, "validation_failed", "kind")

		// Closed with 1 of 20: the hotline operator's quota missed.
		wantError(t, e.do("POST", "/api/v1/sampling/draws/"+d.ID.String()+"/close", hTok, nil), http.StatusForbidden, "forbidden", "")
		r = e.do("POST", "/api/v1/sampling/draws/"+d.ID.String()+"/close", aTok, nil)
		var closed samplingDraw
		r.decode(t, &closed)
		if r.Code != http.StatusOK || closed.Status != "closed" || closed.QuotaMet == nil || *closed.QuotaMet || closed.Verified != 1 {
			t.Errorf("close: %d %s", r.Code, r.Body)
		}
		var rep struct {
			Year   int
			People []struct {
				UserID store.ID `json:"user_id"`
				Kinds  []struct {
					Kind  string
					Count int
				}
			}
			Failures []struct {
				Kind       string
				OccurredOn string `json:"occurred_on"`
			}
		}
		e.do("GET", "/api/v1/sampling/failures?user_id="+hotline.ID.String()+"&year=2026", aTok, nil).decode(t, &rep)
		if rep.Year != 2026 || len(rep.Failures) != 1 || rep.Failures[0].Kind != "quota_missed" || rep.Failures[0].OccurredOn != "2026-02-28" {
			t.Errorf("failures %+v", rep)
		}
		r = e.do("POST", "/api/v1/sampling/failures", aTok, map[string]any{"user_id": hotline.ID, "kind": "no_proposal", "occurred_on": "2026-03-01"})
		if r.Code != http.StatusCreated {
			t.Errorf("record failure: %d %s", r.Code, r.Body)
		}
		wantError(t, e.do("POST", "/api/v1/sampling/failures", aTok, map[string]any{"user_id": hotline.ID, "kind": "napping"}),
			http.StatusUnprocessableEntity, "validation_failed", "kind")
		wantError(t, e.do("POST", "/api/v1/sampling/failures", hTok, map[string]any{"user_id": auditor.ID, "kind": "cover_up"}),
			http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("GET", "/api/v1/sampling/failures?year=twenty", aTok, nil), http.StatusUnprocessableEntity, "validation_failed", "year")
		// Cancel needs a reason; a closed draw is not cancelled.
		wantError(t, e.do("POST", "/api/v1/sampling/draws/"+d.ID.String()+"/cancel", aTok, map[string]any{}),
			http.StatusUnprocessableEntity, "validation_failed", "reason")
		wantError(t, e.do("POST", "/api/v1/sampling/draws/"+d.ID.String()+"/cancel", aTok, map[string]any{"reason": "重抽"}),
			http.StatusConflict, "conflict", "status")
	})
}

// TestSamplingScopeOverHTTP (SEC-001): a user of company B never reads or
// changes company A's draws, tasks or ledger entries — 404 as if they did
// not exist, nothing written — and B's lists do not show them.
func TestSamplingScopeOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, auditor, inspector, hotline := gasCompany(t, e, "甲燃气公司")
		bco, bAuditor, _, _ := gasCompany(t, e, "乙燃气公司")
		bManager := e.user("b.manager", bco.ID, auth.RoleManager)
		aTok := e.login(auditor.Username)
		r := e.do("POST", "/api/v1/sampling/draws", aTok, map[string]any{"rule": "inspector", "checked_user_id": inspector.ID,
			"period": "2026-02", "checker_id": hotline.ID, "items": samplingItems("甲H", 100)})
		if r.Code != http.StatusCreated {
			t.Fatalf("draw: %d %s", r.Code, r.Body)
		}
		var d samplingDraw
		r.decode(t, &d)
		var phone samplingTask
		for _, task := range d.Tasks {
			if task.Method == "phone" {
				phone = task
			}
		}
		results := []map[string]string{}
		for _, item := range []string{"plan_completed", "form_complete", "copies_match", "record_matches_site", "safety_advice",
			"rectification_notice", "rectification_followed", "tracking_record", "hazards_reported"} {
			results = append(results, map[string]string{"item": item, "result": "fail"})
		}
		r = e.do("POST", "/api/v1/sampling/tasks/"+phone.ID.String()+"/verify", e.login(hotline.Username),
			map[string]any{"results": results, "proposal": "甲公司的处理意见"})
		var entry struct{ ID store.ID }
		r.decode(t, &entry)
		if r.Code != http.StatusCreated {
			t.Fatalf("verify: %d %s", r.Code, r.Body)
		}
		var open samplingTask
		for _, task := range d.Tasks {
			if task.Status == "open" && task.Method == "phone" && task.ID != phone.ID {
				open = task
			}
		}
		draw, task, led := d.ID.String(), open.ID.String(), entry.ID.String()
		for _, tok := range []string{e.login(bAuditor.Username), e.login(bManager.Username)} {
			before := e.auditCount()
			for _, c := range []struct {
				method, path string
				body         any
			}{
				{"GET", "/api/v1/sampling/draws/" + draw, nil},
				{"GET", "/api/v1/sampling/draws/{id}", nil},
				{"POST", "/api/v1/sampling/draws/" + draw + "/close", nil},
				{"POST", "/api/v1/sampling/draws/{id}/close", nil},
				{"POST", "/api/v1/sampling/draws/" + draw + "/cancel", map[string]any{"reason": "越权"}},
				{"POST", "/api/v1/sampling/draws/{id}/cancel", map[string]any{"reason": "越权"}},
				{"POST", "/api/v1/sampling/draws/" + draw + "/verify", map[string]any{"tasks": []map[string]any{{"task_id": open.ID, "results": results, "proposal": "越权"}}}},
				{"POST", "/api/v1/sampling/draws/{id}/verify", map[string]any{"tasks": []map[string]any{{"task_id": open.ID, "results": results, "proposal": "越权"}}}},
				{"POST", "/api/v1/sampling/tasks/" + task + "/verify", map[string]any{"results": results, "proposal": "越权"}},
				{"POST", "/api/v1/sampling/tasks/{id}/verify", map[string]any{"results": results, "proposal": "越权"}},
				{"GET", "/api/v1/sampling/ledger/" + led, nil},
				{"GET", "/api/v1/sampling/ledger/{id}", nil},
				{"POST", "/api/v1/sampling/ledger/" + led + "/escalate", map[string]any{"note": "越权"}},
				{"POST", "/api/v1/sampling/ledger/{id}/escalate", map[string]any{"note": "越权"}},
				{"POST", "/api/v1/sampling/ledger/" + led + "/decide", map[string]any{"decision": "越权"}},
				{"POST", "/api/v1/sampling/ledger/{id}/decide", map[string]any{"decision": "越权"}},
			} {
				path := strings.ReplaceAll(c.path, "{id}", "987654321")
				r := e.do(c.method, path, tok, c.body)
				if r.Code != http.StatusNotFound {
					t.Errorf("%s %s: %d %s", c.method, c.path, r.Code, r.Body)
				}
				if strings.Contains(string(r.Body), "甲") {
					t.Errorf("%s %s leaks: %s", c.method, path, r.Body)
				}
			}
			if after := e.auditCount(); after != before {
				t.Errorf("refused requests wrote %d audit rows", after-before)
			}
			for _, list := range []string{"/api/v1/sampling/draws", "/api/v1/sampling/ledger", "/api/v1/sampling/failures?year=2026",
				"/api/v1/sampling/draws?checked_user_id=" + inspector.ID.String()} {
				r := e.do("GET", list, tok, nil)
				if r.Code != http.StatusOK || strings.Contains(string(r.Body), "甲") || strings.Contains(string(r.Body), d.Seed) {
					t.Errorf("GET %s: %d %s", list, r.Code, r.Body)
				}
			}
			// Company A's people are not B's to draw or to fault.
			wantError(t, e.do("POST", "/api/v1/sampling/draws", tok, map[string]any{"rule": "inspector", "checked_user_id": inspector.ID,
				"period": "2026-01", "items": samplingItems("H", 30)}), http.StatusUnprocessableEntity, "validation_failed", "checked_user_id")
			wantError(t, e.do("POST", "/api/v1/sampling/failures", tok, map[string]any{"user_id": hotline.ID, "kind": "cover_up"}),
				http.StatusUnprocessableEntity, "validation_failed", "user_id")
			wantError(t, e.do("GET", "/api/v1/sampling/failures?user_id="+hotline.ID.String(), tok, nil),
				http.StatusUnprocessableEntity, "validation_failed", "user_id")
		}
		if n := e.count("SELECT count(*) FROM sampling_ledger"); n != 1 {
			t.Errorf("%d ledger entries", n)
		}
	})
}
