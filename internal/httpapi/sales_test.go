package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/sales"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// salesEnv is the API with a real-estate company 甲置业 (pack realestate)
// holding a sales centre 滨江案场 and a leasing team 招商部, and another
// company 乙置业公司 with its own centre; the clock stands at Tue
// 2026-03-10 09:00.
type salesEnv struct {
	*env
	co, centre, team, other org.Unit
	tok                     map[string]string
	ids                     map[string]store.ID
}

func newSalesEnv(t *testing.T, db *store.DB) *salesEnv {
	e := newEnv(t, db)
	e.clk.mu.Lock()
	e.clk.t = time.Date(2026, 3, 10, 9, 0, 0, 0, store.Zone)
	e.clk.mu.Unlock()
	x := &salesEnv{env: e, tok: map[string]string{}, ids: map[string]store.ID{}}
	mk := func(name string) org.Unit {
		u, err := e.org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: name, Pack: "realestate"})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	x.co, x.other = mk("甲置业"), mk("乙置业公司")
	x.centre = e.unit(x.co.ID, org.Department, "滨江案场")
	x.team = e.unit(x.co.ID, org.Department, "招商部")
	otherCentre := e.unit(x.other.ID, org.Department, "乙公司案场")
	for _, u := range []struct {
		name, position string
		unit           store.ID
		role           auth.Role
	}{{"pm", "项目经理", x.centre.ID, auth.RoleSalesManager}, {"gm", "总经理", x.co.ID, auth.RoleManager},
		{"ann", "", x.centre.ID, auth.RoleSalesAgent}, {"bo", "", x.centre.ID, auth.RoleSalesAgent},
		{"lee", "", x.team.ID, auth.RoleSalesAgent}, {"aud", "", x.co.ID, auth.RoleAuditor},
		{"view", "", x.co.ID, auth.RoleViewer}, {"opm", "项目经理", otherCentre.ID, auth.RoleSalesManager}} {
		x.ids[u.name] = e.user(u.name, u.unit, u.role).ID
		if u.position != "" {
			if err := db.Tx(context.Background(), func(tx store.Conn) error {
				_, err := tx.Exec(context.Background(), `UPDATE users SET position = ? WHERE id = ?`, u.position, x.ids[u.name])
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		x.tok[u.name] = e.login(u.name)
	}
	x.want(x.call("POST", "/api/v1/sales/centres", "pm", map[string]any{"unit_id": x.centre.ID, "mode": "sales",
		"reason": "开盘"}), http.StatusCreated, nil)
	x.want(x.call("PUT", "/api/v1/sales/centres/"+x.centre.ID.String()+"/rotation/members", "pm", map[string]any{
		"user_ids": []store.ID{x.ids["ann"], x.ids["bo"]}, "reason": "初始轮排"}), http.StatusOK, nil)
	x.want(x.call("POST", "/api/v1/sales/centres", "pm", map[string]any{"unit_id": x.team.ID, "mode": "leasing",
		"reason": "招商"}), http.StatusCreated, nil)
	x.want(x.call("POST", "/api/v1/sales/centres", "opm", map[string]any{"unit_id": otherCentre.ID, "mode": "sales",
		"reason": "乙公司开盘"}), http.StatusCreated, nil)
	return x
}

func (x *salesEnv) call(method, path, who string, body any) res {
	x.t.Helper()
	return x.do(method, path, x.tok[who], body)
}

// want checks the status and decodes the answer into v (nil: skip).
func (x *salesEnv) want(r res, status int, v any) {
	x.t.Helper()
	if r.Code != status {
		x.t.Fatalf("status %d, want %d: %s", r.Code, status, r.Body)
	}
	if v != nil {
		r.decode(x.t, v)
	}
}

// TestSalesOverHTTP runs a rotation reception through registration and
// deal to the month's commission, the leasing day's submission, and the
// 4xx field names and role refusals of the routes.
func TestSalesOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		x := newSalesEnv(t, db)
		centre := x.centre.ID.String()

		var rot sales.Rotation
		x.want(x.call("GET", "/api/v1/sales/centres/"+centre+"/rotation", "ann", nil), http.StatusOK, &rot)
		if rot.Next == nil || len(rot.Members) != 2 {
			t.Fatalf("rotation: %+v", rot)
		}
		var rec sales.Reception
		x.want(x.call("POST", "/api/v1/sales/receptions", "pm", map[string]any{"unit_id": x.centre.ID, "kind": "rotation"}),
			http.StatusCreated, &rec)
		if rec.AgentID != x.ids["ann"] || !rec.UsesSlot {
			t.Fatalf("rotation reception: %+v", rec)
		}
		var reg sales.Registration
		x.want(x.call("POST", "/api/v1/sales/registrations", "ann", map[string]any{"unit_id": x.centre.ID,
			"reception_id": rec.ID, "customer_name": "周女士", "phone": "13912345678", "intention": "三房"}),
			http.StatusCreated, &reg)
		x.want(x.call("POST", "/api/v1/sales/receptions/"+rec.ID.String()+"/end", "ann", nil), http.StatusOK, nil)
		var deal sales.Deal
		x.want(x.call("POST", "/api/v1/sales/deals", "ann", map[string]any{"unit_id": x.centre.ID,
			"registration_id": reg.ID, "closing_agent_id": x.ids["ann"], "property_unit": "8-1203",
			"subscriber_name": "周女士", "subscriber_phone": "13912345678", "price": "1200000.00", "commission": "12000.00",
			"deposit_on": "2026-03-10", "subscribed_on": "2026-03-10"}), http.StatusCreated, &deal)
		if deal.State != sales.DealClosed {
			t.Fatalf("deal: %+v", deal)
		}
		var rep sales.CommissionReport
		x.want(x.call("GET", "/api/v1/sales/commission?unit_id="+centre+"&month=2026-03", "pm", nil), http.StatusOK, &rep)
		var ann *sales.CommissionLine
		for i := range rep.Lines {
			if rep.Lines[i].AgentID == x.ids["ann"] {
				ann = &rep.Lines[i]
			}
		}
		if ann == nil || ann.Total.String() != "12000.00" || rep.Total.String() != "12000.00" || len(rep.Held) != 0 {
			t.Fatalf("commission: %+v", rep)
		}
		var regs struct {
			Items []sales.Registration `json:"items"`
		}
		x.want(x.call("GET", "/api/v1/sales/registrations?unit_id="+centre, "bo", nil), http.StatusOK, &regs)
		if len(regs.Items) != 0 {
			t.Fatalf("agent bo reads ann's entries (SEC-003): %+v", regs.Items)
		}

		// 4xx naming the field.
		for _, c := range []struct {
			method, path, who string
			body              any
			status            int
			field             string
		}{
			{"POST", "/api/v1/sales/deals", "ann", map[string]any{"unit_id": x.centre.ID, "registration_id": reg.ID,
				"closing_agent_id": x.ids["ann"], "property_unit": "8-1204", "subscriber_name": "周女士",
				"price": "一百万", "commission": "100.00"}, http.StatusUnprocessableEntity, "price"},
			{"GET", "/api/v1/sales/receptions?unit_id=" + centre + "&day=2026-02-30", "pm", nil, http.StatusUnprocessableEntity, "day"},
			{"GET", "/api/v1/sales/receptions", "pm", nil, http.StatusUnprocessableEntity, "unit_id"},
			{"GET", "/api/v1/sales/registrations?unit_id=" + centre + "&late=maybe", "pm", nil, http.StatusUnprocessableEntity, "late"},
			{"POST", "/api/v1/sales/applications", "ann", map[string]any{"unit_id": x.centre.ID, "action": "fly_to_moon",
				"detail": "客户要求"}, http.StatusUnprocessableEntity, "action"},
			{"POST", "/api/v1/sales/submissions", "lee", map[string]any{"unit_id": x.team.ID, "day": "2026-03-11"},
				http.StatusUnprocessableEntity, "day"},
			{"POST", "/api/v1/sales/submissions", "lee", map[string]any{"unit_id": x.centre.ID, "day": "2026-03-10"},
				http.StatusUnprocessableEntity, "unit_id"},
			{"POST", "/api/v1/sales/grants", "gm", map[string]any{"unit_id": x.team.ID, "grantee_id": x.ids["aud"]},
				http.StatusUnprocessableEntity, "reason"},
			{"POST", "/api/v1/sales/archive-forms", "lee", map[string]any{"unit_id": x.team.ID, "customer_name": "王",
				"content": "x", "extra": 1}, http.StatusUnprocessableEntity, "extra"},
			{"GET", "/api/v1/sales/attributions", "pm", nil, http.StatusUnprocessableEntity, "deal_id"},
		} {
			wantError(t, x.call(c.method, c.path, c.who, c.body), c.status, "validation_failed", c.field)
		}

		// SAL-027: a leasing entry that does not say with or without an
		// intermediary cannot go to General Services.
		r := x.call("POST", "/api/v1/sales/registrations", "lee", map[string]any{"unit_id": x.team.ID, "book": "leasing",
			"kind": "self", "customer_name": "王先生", "phone": "13800001111", "intention": "商铺 200㎡"})
		if r.Code == http.StatusCreated {
			r = x.call("POST", "/api/v1/sales/submissions", "lee", map[string]any{"unit_id": x.team.ID, "day": "2026-03-10"})
		}
		wantError(t, r, http.StatusUnprocessableEntity, "validation_failed", "intermediary")
		x.want(x.call("POST", "/api/v1/sales/registrations", "lee", map[string]any{"unit_id": x.team.ID, "book": "leasing",
			"kind": "self", "customer_name": "赵女士", "phone": "13800002222", "intermediary": false}), http.StatusCreated, nil)
		var due struct{ Items []sales.SubmissionDue }
		x.want(x.call("GET", "/api/v1/sales/submissions/due?unit_id="+x.team.ID.String(), "lee", nil), http.StatusOK, &due)
		if len(due.Items) != 1 || due.Items[0].Overdue {
			t.Fatalf("due: %+v", due)
		}
		var sub sales.Submission
		x.want(x.call("POST", "/api/v1/sales/submissions", "lee", map[string]any{"unit_id": x.team.ID, "day": "2026-03-10"}),
			http.StatusCreated, &sub)
		if sub.Late || !sub.DueAt.Equal(time.Date(2026, 3, 10, 18, 0, 0, 0, store.Zone)) {
			t.Fatalf("submission: %+v", sub)
		}
		wantError(t, x.call("POST", "/api/v1/sales/submissions", "lee", map[string]any{"unit_id": x.team.ID, "day": "2026-03-10"}),
			http.StatusConflict, "conflict", "day")
		var g sales.ViewGrant
		x.want(x.call("POST", "/api/v1/sales/grants", "gm", map[string]any{"unit_id": x.team.ID, "grantee_id": x.ids["aud"],
			"reason": "稽查"}), http.StatusCreated, &g)
		if !g.ExpiresAt.Equal(time.Date(2026, 3, 18, 0, 0, 0, 0, store.Zone)) {
			t.Fatalf("grant: %+v", g)
		}
		x.want(x.call("POST", "/api/v1/sales/grants/"+g.ID.String()+"/revoke", "gm", nil), http.StatusOK, nil)

		// Role refusals: the route's permission, then the service's check.
		for _, c := range []struct {
			method, path, who string
			body              any
		}{
			{"GET", "/api/v1/sales/centres", "view", nil},
			{"POST", "/api/v1/sales/centres", "ann", map[string]any{"unit_id": x.centre.ID, "mode": "sales", "reason": "x"}},
			{"POST", "/api/v1/sales/receptions", "aud", map[string]any{"unit_id": x.centre.ID, "kind": "rotation"}},
			{"POST", "/api/v1/sales/deals/" + deal.ID.String() + "/void", "ann", map[string]any{"reason": "x"}},
			{"POST", "/api/v1/sales/group-bonuses", "bo", map[string]any{"unit_id": x.centre.ID}},
			{"POST", "/api/v1/sales/grants", "pm", map[string]any{"unit_id": x.team.ID, "grantee_id": x.ids["aud"], "reason": "x"}},
		} {
			wantError(t, x.call(c.method, c.path, c.who, c.body), http.StatusForbidden, "forbidden", "")
		}
	})
}

// TestSalesScopeOverHTTP: another company's sales centre, reception and
// deal are not found for a manager of this one, and its lists are refused
// the same way.
func TestSalesScopeOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		x := newSalesEnv(t, db)
		var centres struct{ Items []sales.Centre }
		x.want(x.call("GET", "/api/v1/sales/centres", "opm", nil), http.StatusOK, &centres)
		if len(centres.Items) != 1 {
			t.Fatalf("乙's manager sees %d centres", len(centres.Items))
		}
		var rec sales.Reception
		x.want(x.call("POST", "/api/v1/sales/receptions", "pm", map[string]any{"unit_id": x.centre.ID, "kind": "rotation"}),
			http.StatusCreated, &rec)
		centre := x.centre.ID.String()
		for _, path := range []string{"/api/v1/sales/centres/" + centre, "/api/v1/sales/centres/" + centre + "/rotation",
			"/api/v1/sales/receptions/" + rec.ID.String(), "/api/v1/sales/receptions?unit_id=" + centre,
			"/api/v1/sales/submissions?unit_id=" + x.team.ID.String(), "/api/v1/sales/grants?unit_id=" + x.team.ID.String()} {
			r := x.call("GET", path, "opm", nil)
			if r.Code != http.StatusNotFound {
				t.Errorf("GET %s by another company's manager: %d %s", path, r.Code, r.Body)
			}
		}
		before := x.auditCount()
		r := x.call("POST", "/api/v1/sales/receptions/"+rec.ID.String()+"/end", "opm", nil)
		if r.Code != http.StatusNotFound || x.auditCount() != before {
			t.Fatalf("ending another company's reception: %d %s", r.Code, r.Body)
		}
	})
}
