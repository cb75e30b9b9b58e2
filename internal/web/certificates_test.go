package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/services"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/web"
)

// certEnv is the UI of a power company 城南供电公司 with an electrician
// (电工张三, field staff, who may not read certificates), a manager (reads
// them) and the administrator (records them), and a manager of another
// power company; the clock stands at 2026-11-10 09:00.
type certEnv struct {
	*env
	clk  *testClock
	elec auth.User
}

func newCertEnv(t *testing.T, db *store.DB) *certEnv {
	t.Helper()
	o := org.New(org.Options{DB: db})
	a := auth.New(auth.Options{DB: db, Org: o})
	ctx := audit.WithActor(context.Background(), audit.System)
	e := &certEnv{env: &env{t: t, org: o, auth: a}, clk: &testClock{t: vat("2026-11-10 09:00")}}
	var err error
	if e.root, err = o.EnsureRoot(ctx, "集团总部"); err != nil {
		t.Fatal(err)
	}
	mk := func(name, code string) org.Unit {
		u, err := o.Create(ctx, org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: name, Code: code, Pack: "power"})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	e.co = mk("城南供电公司", "CN")
	other := mk("城北供电公司", "CB")
	e.user("admin", "系统管理员", e.root, auth.RoleAdmin)
	e.elec = e.user("elec", "电工张三", e.co, auth.RoleFieldStaff)
	e.user("boss", "刘经理", e.co, auth.RoleManager)
	e.user("outsider", "城北经理", other, auth.RoleManager)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.cal = calendar.NewRegistry(calendar.RegistryOptions{DB: db, Logger: log, Now: e.clk.Now})
	if err := e.cal.Load(ctx); err != nil {
		t.Fatal(err)
	}
	pols := policy.NewRegistry(policy.Options{DB: db, Org: o, Calendars: e.cal, Logger: log, Now: e.clk.Now})
	if err := pols.Load(ctx); err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(web.New(services.Set{DB: db, Auth: a, Org: o, Calendars: e.cal, Policy: pols,
		Logger: log, Version: "test", Now: e.clk.Now}))
	t.Cleanup(e.srv.Close)
	return e
}

var certLink = regexp.MustCompile(`^/staff/certificates/(\d+)$`)

// TestCertificatePages: the administrator registers the electrician's
// permit through the form (errors inline, then the page with INS-017's
// renewal deadline), the list's "30 天内到期" tab shows the permits about to
// expire with their badges, the manager reads without the forms, another
// company's manager gets 404, and renewal and revocation refuse bad input
// next to the field.
func TestCertificatePages(t *testing.T) {
	t.Parallel()
	e := newCertEnv(t, storetest.OpenSQLite(t))
	admin := e.signedIn("admin")
	admin.get("/staff/certificates").want(t, http.StatusOK, "人员证书", `id="new-certificate"`, "30 天内到期", `id="certs-empty"`)
	admin.get("/staff/certificates/new").want(t, http.StatusOK, "电工进网作业许可证", "高压类", "电工张三")

	form := url.Values{"user_id": {e.elec.ID.String()}, "kind": {"grid_permit"}, "number": {""}, "scopes": {"low_voltage"},
		"issued_on": {"2021-01-01"}}
	r := admin.post("/staff/certificates/new", form)
	r.want(t, http.StatusUnprocessableEntity)
	if msg := fieldError(r.body, "f-number"); msg == "" {
		t.Errorf("no error under the number:\n%s", r.body)
	}
	form.Set("number", "DW-2021-0042")
	form.Del("scopes")
	r = admin.post("/staff/certificates/new", form)
	r.want(t, http.StatusUnprocessableEntity, "请选择证书的作业范围")
	form.Set("scopes", "low_voltage")
	r = admin.post("/staff/certificates/new", form)
	if r.status != http.StatusSeeOther || !certLink.MatchString(r.location) {
		t.Fatalf("register: %d %q\n%s", r.status, r.location, r.body)
	}
	permit := r.location
	admin.get(permit).want(t, http.StatusOK, "证书已登记", "DW-2021-0042", `id="cert-renew-by">2026-12-01<`,
		`id="cert-expires">2026-12-31<`, "续期提醒", "低压类", `id="renew-form"`, `id="revoke-form"`)
	// A driver's permit that expires in 20 days (2026-11-30).
	r = admin.post("/staff/certificates/new", url.Values{"user_id": {e.elec.ID.String()}, "kind": {"driver"}, "number": {"JS-7"},
		"issued_on": {"2025-12-01"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("driver: %d\n%s", r.status, r.body)
	}
	list := admin.get("/staff/certificates?tab=expiring")
	list.want(t, http.StatusOK, "JS-7", "还有 20 天")
	list.lacks(t, "DW-2021-0042") // 51 days left
	admin.get("/staff/certificates?status=renewal_due").want(t, http.StatusOK, "DW-2021-0042", "JS-7")

	// The manager reads, without the forms; writing is refused.
	boss := e.signedIn("boss")
	boss.get("/staff/certificates").want(t, http.StatusOK, "DW-2021-0042", `href="/staff/certificates"`)
	page := boss.get(permit)
	page.want(t, http.StatusOK, "DW-2021-0042")
	page.lacks(t, `id="renew-form"`, `id="revoke-form"`, `id="new-certificate"`)
	boss.post(permit+"/revoke", url.Values{"reason": {"越权"}}).want(t, http.StatusForbidden)
	// Another company's manager learns nothing; the electrician may not read.
	out := e.signedIn("outsider")
	out.get(permit).want(t, http.StatusNotFound)
	out.get("/staff/certificates").lacks(t, "DW-2021-0042")
	elec := e.signedIn("elec")
	elec.get("/staff/certificates").want(t, http.StatusForbidden)
	elec.get("/").lacks(t, `href="/staff/certificates"`)

	// Renewal: an application date in the future is refused under its field.
	r = admin.post(permit+"/renew", url.Values{"applied_on": {"2026-11-11"}, "number": {"DW-2026-0100"}, "issued_on": {"2026-11-10"},
		"scopes": {"low_voltage", "high_voltage"}})
	r.want(t, http.StatusUnprocessableEntity)
	if fieldError(r.body, "rn-applied_on") == "" {
		t.Errorf("no error under the application date:\n%s", r.body)
	}
	r = admin.post(permit+"/renew", url.Values{"applied_on": {"2026-11-10"}, "number": {"DW-2026-0100"}, "issued_on": {"2026-11-10"},
		"scopes": {"low_voltage", "high_voltage"}})
	if r.status != http.StatusSeeOther || r.location == permit || !certLink.MatchString(r.location) {
		t.Fatalf("renew: %d %q\n%s", r.status, r.location, r.body)
	}
	admin.get(r.location).want(t, http.StatusOK, "续期已登记", "DW-2026-0100", "低压类、高压类", `id="cert-previous"`, "续期换发")
	old := admin.get(permit)
	old.want(t, http.StatusOK, "已续期", `id="cert-next"`, `data-action="renewed"`)
	old.lacks(t, `id="renew-form"`)

	// Revocation needs a reason.
	r = admin.post(r.location+"/revoke", url.Values{"reason": {" "}})
	r.want(t, http.StatusUnprocessableEntity)
	if fieldError(r.body, "rv-reason") == "" {
		t.Errorf("no error under the reason:\n%s", r.body)
	}
	if !strings.Contains(admin.get("/staff/certificates?tab=expired").body, `id="certs-empty"`) {
		t.Error("the expired tab is not empty")
	}
}
