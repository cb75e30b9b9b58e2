package httpapi_test

import (
	"log/slog"
	"net/http"
	"testing"
	"time"

	"kefu/internal/auth"
	"kefu/internal/jobs"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/visit"
)

// TestVisitsOverHTTP: a complaint closed over HTTP is drawn into a visit at
// the next midnight (VIS-002, VIS-016); the property assistant finds it in
// her queue and records it with the customer's signature (VIS-008), only
// the CS supervisor signs it off (VIS-009), the month's figures count it,
// and another company's staff learn nothing of it.
func TestVisitsOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		// The app closes work orders into visit candidates; here as there.
		visits := visit.New(visit.Options{DB: db, Calendars: e.cals, Policy: e.policy, Now: e.clk.Now,
			Logger: slog.New(slog.DiscardHandler)})
		e.tickets.OnClose(visits.OnTicketClosed)
		engine := jobs.NewEngine(jobs.Options{DB: db, Now: e.clk.Now, Logger: slog.New(slog.DiscardHandler)})
		visits.RegisterTimers(engine)
		mk := func(name string) org.Unit {
			u, err := e.org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: name, Pack: "property"})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		a, b := mk("甲物业"), mk("乙物业")
		e.user("agent", a.ID, auth.RoleCSAgent)
		e.user("assistant", a.ID, auth.RoleFieldStaff)
		e.user("supervisor", a.ID, auth.RoleCSSupervisor)
		e.user("other", b.ID, auth.RoleFieldStaff)
		e.user("sales", a.ID, auth.RoleSalesAgent)
		tok := map[string]string{}
		for _, u := range []string{"agent", "assistant", "supervisor", "other", "sales"} {
			tok[u] = e.login(u)
		}
		r := e.do("POST", "/api/v1/tickets", tok["agent"], map[string]any{"category": "complaint.other", "subject": "电梯噪音",
			"customer": map[string]string{"name": "王芳", "phone": "13800000001", "address": "3栋1单元502"}})
		var tk struct{ ID string }
		r.decode(t, &tk)
		if r.Code != http.StatusCreated {
			t.Fatalf("ticket: %d %s", r.Code, r.Body)
		}
		for _, a := range []string{"resolve", "reply", "close"} {
			if r := e.do("POST", "/api/v1/tickets/"+tk.ID+"/actions", tok["agent"], map[string]any{"action": a, "note": "已处理",
				"text": "已书面答复"}); r.Code != http.StatusOK {
				t.Fatalf("%s: %d %s", a, r.Code, r.Body)
			}
		}
		e.clk.t = e.clk.t.Add(24 * time.Hour)
		if _, err := engine.FireDue(t.Context()); err != nil {
			t.Fatal(err)
		}
		for u := range tok { // a day later: signed in again
			tok[u] = e.login(u)
		}
		r = e.do("GET", "/api/v1/visits?mine=true", tok["assistant"], nil)
		var l struct{ Items []visit.Visit }
		r.decode(t, &l)
		if len(l.Items) != 1 || l.Items[0].Rule != "complaint" {
			t.Fatalf("the assistant's visits: %s", r.Body)
		}
		path := "/api/v1/visits/" + l.Items[0].ID.String()
		wantError(t, e.do("GET", path, tok["other"], nil), http.StatusNotFound, "not_found", "visit")
		wantError(t, e.do("POST", path+"/record", tok["other"], map[string]any{"mode": "phone", "result": "satisfied"}),
			http.StatusNotFound, "not_found", "visit")
		wantError(t, e.do("GET", "/api/v1/visits", tok["sales"], nil), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", path+"/record", tok["assistant"], map[string]any{"mode": "in_person", "result": "satisfied"}),
			http.StatusUnprocessableEntity, "validation_failed", "signature")
		wantError(t, e.do("POST", path+"/record", tok["assistant"], map[string]any{"mode": "visit", "result": "satisfied"}),
			http.StatusUnprocessableEntity, "validation_failed", "mode")
		wantError(t, e.do("POST", path+"/record", tok["assistant"], map[string]any{"mode": "phone", "result": "ok"}),
			http.StatusUnprocessableEntity, "validation_failed", "result")
		wantError(t, e.do("POST", path+"/record", tok["agent"], map[string]any{"mode": "phone", "result": "satisfied"}),
			http.StatusForbidden, "forbidden", "")
		r = e.do("POST", path+"/record", tok["assistant"], map[string]any{"mode": "in_person", "result": "satisfied",
			"signature": "paper", "opinion": "满意"})
		if r.Code != http.StatusOK {
			t.Fatalf("record: %d %s", r.Code, r.Body)
		}
		wantError(t, e.do("POST", path+"/review", tok["assistant"], map[string]any{"opinion": "好"}), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", path+"/review", tok["supervisor"], map[string]any{}), http.StatusUnprocessableEntity, "validation_failed", "opinion")
		if r := e.do("POST", path+"/review", tok["supervisor"], map[string]any{"opinion": "已核实"}); r.Code != http.StatusOK {
			t.Fatalf("review: %d %s", r.Code, r.Body)
		}
		month := e.clk.Now().Format("2006-01")
		r = e.do("GET", "/api/v1/visits/stats?month="+month, tok["supervisor"], nil)
		var st []visit.RuleStats
		r.decode(t, &st)
		if len(st) != 1 || st[0].Population != 1 || st[0].Quota != 1 || st[0].SignedOff != 1 || st[0].Satisfaction != 100 {
			t.Fatalf("stats: %s", r.Body)
		}
		r = e.do("GET", "/api/v1/visits/stats?month="+month, tok["other"], nil)
		r.decode(t, &st)
		if len(st) != 0 {
			t.Fatalf("another company's stats: %s", r.Body)
		}
		wantError(t, e.do("GET", "/api/v1/visits/stats?month=2026-13", tok["supervisor"], nil), http.StatusUnprocessableEntity, "validation_failed", "month")

		// By visitor (RPT-001): the assistant's one visit, in person, signed off.
		var vs []visit.VisitorStats
		r = e.do("GET", "/api/v1/visits/stats/visitors?month="+month, tok["supervisor"], nil)
		r.decode(t, &vs)
		if r.Code != http.StatusOK || len(vs) != 1 || vs[0].Done != 1 || vs[0].SignedOff != 1 || vs[0].Phone != 0 || vs[0].Name == "" {
			t.Fatalf("by visitor: %d %s", r.Code, r.Body)
		}
		e.do("GET", "/api/v1/visits/stats/visitors?month="+month, tok["other"], nil).decode(t, &vs)
		if len(vs) != 0 {
			t.Fatalf("another company's visitors: %+v", vs)
		}
		wantError(t, e.do("GET", "/api/v1/visits/stats/visitors", tok["sales"], nil), http.StatusForbidden, "forbidden", "")
	})
}
