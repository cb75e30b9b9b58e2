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

// TestTicketClustersAndLetters drives the work-order rules of issue 4 part
// 5 over HTTP: warning-only targets under "targets" (CAL-011, TKT-031),
// reclassification (TKT-003), pause refusals, clusters with a joint
// explanation session (TKT-008), an open letter (TKT-010) and the cluster
// suggestion.
func TestTicketClustersAndLetters(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		co, err := e.org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "燃气公司", Pack: "gas"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := e.org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "物业公司", Pack: "property"})
		if err != nil {
			t.Fatal(err)
		}
		e.user("agent", co.ID, auth.RoleCSAgent)
		e.user("viewer", co.ID, auth.RoleViewer)
		e.user("stranger", other.ID, auth.RoleCSAgent)
		agent, viewer, stranger := e.login("agent"), e.login("viewer"), e.login("stranger")

		var ids []string
		for _, addr := range []string{"5栋1单元101", "5栋2单元202"} {
			r := e.do("POST", "/api/v1/tickets", agent, map[string]any{"category": "complaint", "received_at": "2026-03-02T08:00:00+08:00",
				"customer": map[string]string{"name": "李" + addr, "phone": "1390000" + addr[len(addr)-3:] + "1", "address": addr}})
			if r.Code != http.StatusCreated {
				t.Fatalf("create: %d %s", r.Code, r.Body)
			}
			var raw map[string]json.RawMessage
			r.decode(t, &raw)
			var tk ticketJSON
			r.decode(t, &tk)
			var targets []clockJSON
			_ = json.Unmarshal(raw["targets"], &targets)
			if len(tk.Clocks) != 0 || len(targets) != 2 || targets[0].Kind != "handle" || *targets[0].TargetAt != "2026-03-02T08:30:00+08:00" {
				t.Fatalf("gas complaint: clocks %s targets %s", raw["clocks"], raw["targets"])
			}
			ids = append(ids, tk.ID)
		}
		act := func(tok, id string, a map[string]any) res {
			t.Helper()
			return e.do("POST", "/api/v1/tickets/"+id+"/actions", tok, a)
		}
		wantError(t, act(agent, ids[0], map[string]any{"action": "reclassify", "category": "fault.network"}),
			http.StatusUnprocessableEntity, "validation_failed", "reason")
		wantError(t, act(agent, ids[0], map[string]any{"action": "pause", "clock": "handle", "reason": "等待"}),
			http.StatusUnprocessableEntity, "validation_failed", "clock") // a target is not a pausable clock
		r := act(agent, ids[0], map[string]any{"action": "reclassify", "category": "fault.network", "reason": "实为管网故障"})
		if r.Code != http.StatusOK {
			t.Fatalf("reclassify: %d %s", r.Code, r.Body)
		}
		var tk ticketJSON
		r.decode(t, &tk)
		if tk.Category != "fault.network" || tk.clock(t, "handle").State != "running" || *tk.clock(t, "resolve").TargetAt != "2026-03-03T08:00:00+08:00" {
			t.Errorf("reclassified: %s", r.Body)
		}
		wantError(t, act(agent, ids[0], map[string]any{"action": "pause", "clock": "resolve", "reason": "等待"}),
			http.StatusConflict, "conflict", "clock")

		body := map[string]any{"title": "5栋燃气异味", "location": "5栋", "ticket_ids": ids}
		wantError(t, e.do("POST", "/api/v1/ticket-clusters", viewer, body), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", "/api/v1/ticket-clusters", stranger, body), http.StatusUnprocessableEntity, "validation_failed", "ticket_ids")
		wantError(t, e.do("POST", "/api/v1/ticket-clusters", agent, map[string]any{"title": "x", "ticket_ids": []string{"abc"}}),
			http.StatusUnprocessableEntity, "validation_failed", "ticket_ids")
		r = e.do("POST", "/api/v1/ticket-clusters", agent, map[string]any{"title": "5栋燃气异味", "location": "5栋", "ticket_ids": ids[:1]})
		if r.Code != http.StatusCreated {
			t.Fatalf("cluster: %d %s", r.Code, r.Body)
		}
		var cl struct {
			ID       string `json:"id"`
			Tickets  []struct{ ID string }
			Sessions []struct {
				HeldAt string `json:"held_at"`
			}
		}
		r.decode(t, &cl)
		path := "/api/v1/ticket-clusters/" + cl.ID
		if r.Header.Get("Location") != path {
			t.Errorf("Location %q", r.Header.Get("Location"))
		}
		if r = e.do("POST", path+"/tickets", agent, map[string]any{"ticket_ids": ids}); r.Code != http.StatusOK {
			t.Fatalf("add: %d %s", r.Code, r.Body)
		}
		wantError(t, e.do("POST", path+"/sessions", agent, map[string]any{"held_at": "2026-03-02T08:40:00+08:00", "record": "x"}),
			http.StatusUnprocessableEntity, "validation_failed", "place")
		r = e.do("POST", path+"/sessions", agent, map[string]any{"held_at": "2026-03-02T08:40:00+08:00", "place": "5栋架空层", "record": "联合说明"})
		if r.Code != http.StatusCreated {
			t.Fatalf("session: %d %s", r.Code, r.Body)
		}
		r = e.do("GET", path, viewer, nil)
		r.decode(t, &cl)
		if r.Code != http.StatusOK || len(cl.Tickets) != 2 || len(cl.Sessions) != 1 || cl.Sessions[0].HeldAt != "2026-03-02T08:40:00+08:00" {
			t.Errorf("cluster: %d %s", r.Code, r.Body)
		}
		wantError(t, e.do("GET", path, stranger, nil), http.StatusNotFound, "not_found", "cluster")

		var sm struct {
			Count     int    `json:"count"`
			Suggest   bool   `json:"suggest"`
			ClusterID string `json:"cluster_id"`
			Location  string `json:"location"`
		}
		r = e.do("GET", "/api/v1/tickets/"+ids[1]+"/similar", viewer, nil)
		r.decode(t, &sm)
		if r.Code != http.StatusOK || sm.Count != 1 || sm.Suggest || sm.ClusterID != cl.ID || sm.Location != "5栋" {
			t.Errorf("similar: %d %s", r.Code, r.Body) // the other one is now fault.network
		}

		r = e.do("POST", "/api/v1/open-letters", agent, map[string]any{"title": "致5栋住户的公开信", "body": "……", "ticket_ids": ids[1:]})
		if r.Code != http.StatusCreated {
			t.Fatalf("letter: %d %s", r.Code, r.Body)
		}
		var l struct {
			ID, Number string
		}
		r.decode(t, &l)
		if l.Number != "OL-2026-01" {
			t.Errorf("letter number %s", l.Number)
		}
		r = e.do("GET", "/api/v1/open-letters/"+l.ID, viewer, nil)
		if r.Code != http.StatusOK {
			t.Errorf("get letter: %d %s", r.Code, r.Body)
		}
		r = e.do("GET", "/api/v1/tickets/"+ids[1], viewer, nil)
		r.decode(t, &tk)
		if tk.Status != "replied" || tk.Timeline[len(tk.Timeline)-1].Action != "reply" {
			t.Errorf("answered by the letter: %s", r.Body)
		}
		wantError(t, e.do("GET", "/api/v1/open-letters/x", viewer, nil), http.StatusNotFound, "not_found", "open_letter")
	})
}
