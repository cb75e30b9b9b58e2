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

// certCompany makes a power company under the root.
func certCompany(t *testing.T, e *env, name string) org.Unit {
	t.Helper()
	u, err := e.org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: name, Pack: "power"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// certOut is a certificate as the API answers it.
type certOut struct {
	ID          string   `json:"id"`
	UserID      string   `json:"user_id"`
	Number      string   `json:"number"`
	Status      string   `json:"status"`
	Valid       bool     `json:"valid"`
	ExpiresOn   string   `json:"expires_on"`
	RenewBy     string   `json:"renew_by"`
	RemindOn    string   `json:"remind_on"`
	Scopes      []string `json:"scopes"`
	PreviousID  string   `json:"previous_id"`
	LateRenewal bool     `json:"late_renewal"`
	History     []struct {
		Action string `json:"action"`
	} `json:"history"`
}

// TestCertificateScopeOverHTTP (SEC-001, INS-017): a certificate belongs to
// its holder's company: another company's manager gets 404 on it, exactly
// as for no certificate, on every route, and the lists do not show it;
// the holder's company's manager reads it with its renewal dates.
func TestCertificateScopeOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		a, b := certCompany(t, e, "甲供电公司"), certCompany(t, e, "乙供电公司")
		elec := e.user("a.elec", a.ID, auth.RoleFieldStaff)
		e.user("a.mgr", a.ID, auth.RoleManager)
		e.user("b.mgr", b.ID, auth.RoleManager)
		r := e.do("POST", "/api/v1/staff/certificates", e.adminTok, map[string]any{"user_id": elec.ID, "kind": "grid_permit",
			"number": "甲DW-2021-0042", "scopes": []string{"low_voltage"}, "issued_on": "2021-01-01"})
		if r.Code != http.StatusCreated {
			t.Fatalf("register: %d %s", r.Code, r.Body)
		}
		var c certOut
		r.decode(t, &c)
		if c.ExpiresOn != "2026-12-31" || c.RenewBy != "2026-12-01" || c.RemindOn != "2026-11-01" || c.Status != "valid" || !c.Valid {
			t.Fatalf("registered: %s", r.Body)
		}
		aTok, bTok := e.login("a.mgr"), e.login("b.mgr")
		if r := e.do("GET", "/api/v1/staff/certificates/"+c.ID, aTok, nil); r.Code != http.StatusOK || !strings.Contains(string(r.Body), "甲DW-2021-0042") {
			t.Fatalf("own company: %d %s", r.Code, r.Body)
		}
		for _, q := range []string{"", "?status=valid", "?expiring_within=400", "?user_id=" + elec.ID.String(), "?kind=grid_permit"} {
			if r := e.do("GET", "/api/v1/staff/certificates"+q, bTok, nil); r.Code != http.StatusOK || strings.Contains(string(r.Body), "甲DW") {
				t.Errorf("b's list %s: %d %s", q, r.Code, r.Body)
			}
			if r := e.do("GET", "/api/v1/staff/certificates"+q, aTok, nil); r.Code != http.StatusOK || !strings.Contains(string(r.Body), "甲DW") {
				t.Errorf("a's list %s: %d %s", q, r.Code, r.Body)
			}
		}
		for _, path := range []string{"", "/renew", "/report-loss", "/replace", "/revoke"} {
			method := "POST"
			if path == "" {
				method = "GET"
			}
			got := e.do(method, "/api/v1/staff/certificates/"+c.ID+path, bTok, map[string]any{})
			none := e.do(method, "/api/v1/staff/certificates/987654321"+path, bTok, map[string]any{})
			if got.Code != none.Code || !reflect.DeepEqual(errorOf(t, got), errorOf(t, none)) || strings.Contains(string(got.Body), "甲") {
				t.Errorf("%s %s by b: %d %s; none %d %s", method, path, got.Code, got.Body, none.Code, none.Body)
			}
		}
		wantError(t, e.do("GET", "/api/v1/staff/certificates/"+c.ID, bTok, nil), http.StatusNotFound, "not_found", "certificate")
	})
}

// TestCertificatesOverHTTP: who may do what (staff:read to read,
// staff:write — the administrator — to record), bad input as a 4xx naming
// the field with nothing written, and the renewal and loss lifecycle.
func TestCertificatesOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // 2026-03-02
		co := certCompany(t, e, "城南供电公司")
		elec := e.user("elec", co.ID, auth.RoleFieldStaff)
		e.user("mgr", co.ID, auth.RoleManager)
		e.user("sup", co.ID, auth.RoleCSSupervisor)
		e.user("agent", co.ID, auth.RoleCSAgent)
		body := map[string]any{"user_id": elec.ID, "kind": "grid_permit", "number": "DW-1", "scopes": []string{"high_voltage"},
			"issued_on": "2020-03-01", "expires_on": "2026-03-31"}
		for _, bad := range []struct {
			key   string
			value any
			field string
		}{
			{"kind", "driver_license", "kind"}, {"issued_on", "2026-13-01", "issued_on"}, {"issued_on", "2026-03-03", "issued_on"},
			{"scopes", []string{}, "scopes"}, {"number", "", "number"}, {"user_id", 987654, "user_id"},
		} {
			in := map[string]any{}
			for k, v := range body {
				in[k] = v
			}
			in[bad.key] = bad.value
			wantError(t, e.do("POST", "/api/v1/staff/certificates", e.adminTok, in), http.StatusUnprocessableEntity, "validation_failed", bad.field)
		}
		if n := e.count("SELECT count(*) FROM certificates"); n != 0 {
			t.Fatalf("refused registrations wrote %d rows", n)
		}
		for _, name := range []string{"mgr", "sup", "agent", "elec"} {
			tok := e.login(name)
			r := e.do("POST", "/api/v1/staff/certificates", tok, body)
			wantError(t, r, http.StatusForbidden, "forbidden", "")
			list := e.do("GET", "/api/v1/staff/certificates", tok, nil)
			if canRead := name == "mgr" || name == "sup"; canRead != (list.Code == http.StatusOK) {
				t.Errorf("%s lists certificates: %d", name, list.Code)
			}
		}
		r := e.do("POST", "/api/v1/staff/certificates", e.adminTok, body)
		var c certOut
		r.decode(t, &c)
		if r.Code != http.StatusCreated || c.Status != "renewal_due" || c.RenewBy != "2026-03-01" {
			t.Fatalf("register: %d %s", r.Code, r.Body)
		}
		wantError(t, e.do("POST", "/api/v1/staff/certificates", e.adminTok, body), http.StatusConflict, "conflict", "kind")
		mgr := e.login("mgr")
		due := e.do("GET", "/api/v1/staff/certificates?expiring_within=30", mgr, nil)
		if !strings.Contains(string(due.Body), `"DW-1"`) {
			t.Errorf("expiring within 30 days: %s", due.Body)
		}
		wantError(t, e.do("GET", "/api/v1/staff/certificates?expiring_within=x", mgr, nil), http.StatusUnprocessableEntity, "validation_failed", "expiring_within")
		wantError(t, e.do("GET", "/api/v1/staff/certificates?status=gone", mgr, nil), http.StatusUnprocessableEntity, "validation_failed", "status")

		// Renewed on 2026-03-02: after the 2026-03-01 deadline, so late.
		wantError(t, e.do("POST", "/api/v1/staff/certificates/"+c.ID+"/renew", e.adminTok, map[string]any{"number": "DW-2", "issued_on": "2026-03-02"}),
			http.StatusUnprocessableEntity, "validation_failed", "applied_on")
		r = e.do("POST", "/api/v1/staff/certificates/"+c.ID+"/renew", e.adminTok, map[string]any{"applied_on": "2026-03-02",
			"number": "DW-2", "issued_on": "2026-03-02"})
		var n certOut
		r.decode(t, &n)
		if r.Code != http.StatusCreated || !n.LateRenewal || n.PreviousID != c.ID || n.ExpiresOn != "2032-03-01" || n.Scopes[0] != "high_voltage" {
			t.Fatalf("renew: %d %s", r.Code, r.Body)
		}
		r = e.do("POST", "/api/v1/staff/certificates/"+n.ID+"/report-loss", e.adminTok, map[string]any{"kind": "damaged", "note": "被雨水浸泡"})
		var l certOut
		r.decode(t, &l)
		if r.Code != http.StatusOK || l.Status != "lost" || l.Valid {
			t.Fatalf("report loss: %d %s", r.Code, r.Body)
		}
		r = e.do("POST", "/api/v1/staff/certificates/"+n.ID+"/replace", e.adminTok, map[string]any{"issued_on": "2026-03-02"})
		var rp certOut
		r.decode(t, &rp)
		if r.Code != http.StatusCreated || rp.Number != "DW-2" || rp.ExpiresOn != "2032-03-01" || rp.Status != "valid" {
			t.Fatalf("replace: %d %s", r.Code, r.Body)
		}
		wantError(t, e.do("POST", "/api/v1/staff/certificates/"+rp.ID+"/revoke", e.adminTok, map[string]any{}),
			http.StatusUnprocessableEntity, "validation_failed", "reason")
		wantError(t, e.do("POST", "/api/v1/staff/certificates/"+rp.ID+"/revoke", e.adminTok, map[string]any{"reason": "x", "extra": 1}),
			http.StatusUnprocessableEntity, "validation_failed", "extra")
		r = e.do("POST", "/api/v1/staff/certificates/"+rp.ID+"/revoke", e.adminTok, map[string]any{"reason": "离职注销"})
		var rv certOut
		r.decode(t, &rv)
		if r.Code != http.StatusOK || rv.Status != "revoked" || rv.History[len(rv.History)-1].Action != "revoked" {
			t.Fatalf("revoke: %d %s", r.Code, r.Body)
		}
		old := e.do("GET", "/api/v1/staff/certificates/"+c.ID, mgr, nil)
		if !strings.Contains(string(old.Body), `"status":"renewed"`) {
			t.Errorf("the first permit: %s", old.Body)
		}
	})
}
