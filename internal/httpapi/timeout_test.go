package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"kefu/internal/store/storetest"
)

// TestRequestTimeout: a request whose queries outlast the API's bound is
// answered 503 timeout with Retry-After (never a 500), and writes nothing.
func TestRequestTimeout(t *testing.T) {
	t.Parallel()
	db := storetest.OpenSQLite(t)
	e := newEnv(t, db)
	e.api.SetRequestTimeout(time.Nanosecond)
	before := e.auditCount()
	r := e.do("GET", "/api/v1/users", e.adminTok, nil)
	wantError(t, r, http.StatusServiceUnavailable, "timeout", "")
	if r.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	r = e.do("POST", "/api/v1/org-units", e.adminTok, map[string]any{"parent_id": e.root.ID.String(), "kind": "company", "name": "超时公司"})
	wantError(t, r, http.StatusServiceUnavailable, "timeout", "")
	if after := e.auditCount(); after != before {
		t.Errorf("a timed-out request wrote %d audit rows", after-before)
	}
}
