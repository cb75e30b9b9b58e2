package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"kefu/internal/app"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/customer"
	"kefu/internal/document"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/services"
	"kefu/internal/store/storetest"
	"kefu/internal/web"
)

// customerEnv is the UI with packs, customers and documents: 集团总部 →
// 燃气公司 (pack gas) → 客服中心, with an agent, a supervisor, an
// archivist, a manager and a viewer.
type customerEnv struct {
	*env
	cus   *customer.Service
	users map[string]*auth.Principal
}

func newCustomerEnv(t *testing.T) *customerEnv {
	t.Helper()
	db := storetest.OpenSQLite(t)
	o := org.New(org.Options{DB: db})
	a := auth.New(auth.Options{DB: db, Org: o})
	ctx := audit.WithActor(context.Background(), audit.System)
	e := &customerEnv{env: &env{t: t, org: o, auth: a}, users: map[string]*auth.Principal{}}
	var err error
	if e.root, err = o.EnsureRoot(ctx, "集团总部"); err != nil {
		t.Fatal(err)
	}
	if e.co, err = o.Create(ctx, org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "燃气公司", Code: "RQ", Pack: "gas"}); err != nil {
		t.Fatal(err)
	}
	if e.dept, err = o.Create(ctx, org.CreateInput{ParentID: &e.co.ID, Kind: org.Department, Name: "客服中心"}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		name string
		unit org.Unit
		role auth.Role
	}{{"agent", e.dept, auth.RoleCSAgent}, {"super", e.dept, auth.RoleCSSupervisor}, {"archivist", e.co, auth.RoleArchivist},
		{"boss", e.co, auth.RoleManager}, {"viewer", e.co, auth.RoleViewer}} {
		e.users[u.name] = e.user(u.name, u.name, u.unit, u.role).Principal()
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.cal = calendar.NewRegistry(calendar.RegistryOptions{DB: db, Logger: log})
	if err := e.cal.Load(ctx); err != nil {
		t.Fatal(err)
	}
	pols := policy.NewRegistry(policy.Options{DB: db, Org: o, Calendars: e.cal, Logger: log})
	if err := pols.Load(ctx); err != nil {
		t.Fatal(err)
	}
	docs := document.New(document.Options{DB: db, Dir: t.TempDir(), Logger: log})
	app.RegisterDocumentOwners(docs, db)
	set := services.Set{DB: db, Auth: a, Org: o, Calendars: e.cal, Policy: pols, Documents: docs, Logger: log, Version: "test"}.WithDefaults()
	e.cus = set.Customers
	e.srv = httptest.NewServer(web.New(set))
	t.Cleanup(e.srv.Close)
	return e
}

// principal reads a user's principal with its org path (for the services).
func (e *customerEnv) principal(name string) *auth.Principal {
	e.t.Helper()
	c := e.signedIn(name)
	tok := c.cookie(auth.SessionCookie)
	p, err := e.auth.Principal(context.Background(), tok.Value)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// wangCustomer files 王建国 of 幸福里 with an identity number and a gas account.
func (e *customerEnv) wangCustomer() customer.Customer {
	e.t.Helper()
	c, _, err := e.cus.Create(context.Background(), e.principal("archivist"), customer.Input{Name: "王建国", Phone: "13800138000",
		IDNumber: "110101199003071234", Address: "朝阳区幸福里小区3栋2单元501", Type: "residential", SpecialGroups: []string{"elderly"}, OrgUnit: &e.dept.ID,
		ServicePoints: []customer.ServicePointInput{{Kind: customer.GasAccount, AccountNo: "RQ-0001",
			Attributes: map[string]any{"meters": []any{"G2024000512"}, "reading_frequency": "bimonthly"}}}})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func TestCustomerPagesMaskPerRole(t *testing.T) {
	e := newCustomerEnv(t)
	c := e.wangCustomer()
	page := "/customers/" + c.ID.String()

	agent := e.signedIn("agent").get(page)
	agent.want(t, http.StatusOK, "王建国", "1101**********1234", "G-000001", "RQ-0001", "双月", "特殊群体", "已脱敏")
	agent.lacks(t, "110101199003071234", `id="archive-link"`) // no archives:read
	for _, who := range []string{"boss", "archivist"} {
		r := e.signedIn(who).get(page)
		r.want(t, http.StatusOK, "110101199003071234", `href="/archives?customer=`+c.ID.String()+`"`)
		r.lacks(t, "1101**********1234")
	}
	// The cover prints what the page shows: masked for the agent.
	e.signedIn("agent").get(page+"/print").want(t, http.StatusOK, "客 户 档 案", "G-000001", "1101**********1234")

	list := e.signedIn("agent").get("/customers?q=" + url.QueryEscape("幸福里"))
	list.want(t, http.StatusOK, "王建国", "G-000001", "13800138000")
	list.lacks(t, "110101199003071234")
	e.signedIn("agent").get("/customers?q="+url.QueryEscape("不存在的小区")).want(t, http.StatusOK, "没有符合条件的客户")
	e.signedIn("agent").get("/customers?special_group=elderly").want(t, http.StatusOK, "王建国")
	e.signedIn("agent").get("/customers?grade=A").lacks(t, `href="/customers/`+c.ID.String()+`"`)
}

func TestCustomerPermissions(t *testing.T) {
	e := newCustomerEnv(t)
	e.wangCustomer()
	viewer := e.signedIn("viewer")
	viewer.get("/customers/new").want(t, http.StatusForbidden, "customers:write")
	viewer.get("/customers").want(t, http.StatusOK, "王建国")
	viewer.get("/customers").lacks(t, `id="new-customer"`, `id="export-xlsx"`, `id="import-link"`)
	viewer.get("/customers/import").want(t, http.StatusForbidden)

	// Export only for roles with customers:export: the supervisor, not the agent.
	e.signedIn("agent").get("/customers").lacks(t, `id="export-xlsx"`, `id="export-csv"`)
	e.signedIn("agent").get("/customers/export?format=csv").want(t, http.StatusForbidden)
	sup := e.signedIn("super")
	sup.get("/customers?grade=B").want(t, http.StatusOK, `id="export-xlsx"`, `href="/customers/export?format=csv&amp;grade=B"`)
	res := sup.get("/customers/export?format=csv&q=" + url.QueryEscape("幸福里"))
	res.want(t, http.StatusOK, "王建国", "1101**********1234")
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("export Content-Type %q", ct)
	}
	res.lacks(t, "110101199003071234")
}

func TestCustomerFormErrorsAndVersion(t *testing.T) {
	e := newCustomerEnv(t)
	c := e.wangCustomer()
	arch := e.signedIn("archivist")
	arch.get("/customers/new").want(t, http.StatusOK, `name="sp0_account_no"`, `name="sp0_meters"`, "居民")

	// The gas pack needs a type (CUS-002); a second archive for an account
	// on file is refused next to the account input (CUS-001).
	form := url.Values{"kind": {"person"}, "name": {"李四"}, "phone": {"13900139000"}, "sp0_kind": {"gas_account"}, "sp0_account_no": {"RQ-0002"}}
	res := arch.post("/customers/new", form)
	res.want(t, http.StatusUnprocessableEntity)
	if fieldError(res.body, "f-type") == "" {
		t.Errorf("no error next to the type:\n%s", res.body)
	}
	form.Set("type", "residential")
	form.Set("sp0_account_no", "RQ-0001")
	res = arch.post("/customers/new", form)
	res.want(t, http.StatusConflict, `value="李四"`)
	if msg := fieldError(res.body, "f-sp0_account_no"); !strings.Contains(msg, "G-000001") {
		t.Errorf("account error %q, want it to name archive G-000001", msg)
	}
	// The duplicate check before saving finds 王建国 by phone (CUS-016).
	form.Set("phone", "138 0013 8000")
	form.Set("action", "check")
	arch.post("/customers/new", form).want(t, http.StatusOK, `id="candidates"`, "王建国", "电话相同")
	form.Del("action")
	form.Set("sp0_account_no", "RQ-0002")
	res = arch.post("/customers/new", form)
	if res.status != http.StatusSeeOther || !strings.HasSuffix(res.location, "?dup=1") {
		t.Fatalf("create: %d %q\n%s", res.status, res.location, res.body)
	}
	arch.get(res.location).want(t, http.StatusOK, "可能重复的客户", "王建国", "G-000002")

	// Edit with the version read; a second save with the old version is stale.
	edit := arch.get("/customers/" + c.ID.String() + "/edit")
	edit.want(t, http.StatusOK, `name="version" value="1"`, "110101199003071234")
	upd := customerForm(edit.body)
	upd.Set("address", "朝阳区幸福里小区3栋2单元502")
	arch.post("/customers/"+c.ID.String()+"/edit", upd).want(t, http.StatusSeeOther)
	upd.Set("note", "后改")
	res = arch.post("/customers/"+c.ID.String()+"/edit", upd)
	res.want(t, http.StatusConflict, `id="stale-alert"`, "已被他人修改", ">后改</textarea>")
	page := arch.get("/customers/" + c.ID.String())
	page.want(t, http.StatusOK, "2单元502", "2单元501") // the field history

	// The agent's edit form keeps the masked id number out of the inputs.
	e.signedIn("agent").get("/customers/"+c.ID.String()+"/edit").want(t, http.StatusOK, `placeholder="1101**********1234"`)
}

// customerForm reads the values of the edit form's text inputs, hidden
// inputs and selected options back from a page.
func customerForm(body string) url.Values {
	v := url.Values{}
	for _, m := range regexp.MustCompile(`<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		if !strings.Contains(m[0], `type="checkbox"`) && !strings.Contains(m[0], `type="radio"`) || strings.Contains(m[0], "checked") {
			v.Add(m[1], htmlUnescape(m[2]))
		}
	}
	for _, sel := range regexp.MustCompile(`(?s)<select[^>]*name="([^"]+)"(.*?)</select>`).FindAllStringSubmatch(body, -1) {
		if m := regexp.MustCompile(`<option value="([^"]*)" selected>`).FindStringSubmatch(sel[2]); m != nil {
			v.Set(sel[1], m[1])
		}
	}
	return v
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'").Replace(s)
}

func TestCustomerContactsAndClassification(t *testing.T) {
	e := newCustomerEnv(t)
	c := e.wangCustomer()
	page := "/customers/" + c.ID.String()
	agent := e.signedIn("agent")
	res := agent.post(page+"/contacts", url.Values{"channel": {"phone"}, "direction": {"in"}, "summary": {""}})
	res.want(t, http.StatusUnprocessableEntity, `id="add-contact" open`)
	if fieldError(res.body, "c-summary") == "" {
		t.Error("no error next to the summary")
	}
	agent.post(page+"/contacts", url.Values{"channel": {"phone"}, "direction": {"in"}, "summary": {"咨询燃气表读数"}}).want(t, http.StatusSeeOther)
	agent.get(page).want(t, http.StatusOK, "咨询燃气表读数", "客户来")
	agent.get(page).lacks(t, `id="change-class"`)
	agent.post(page+"/classification", url.Values{"change": {"grade=A"}, "reason": {"x"}}).want(t, http.StatusForbidden)

	boss := e.signedIn("boss")
	boss.get(page).want(t, http.StatusOK, `id="change-class"`)
	boss.post(page+"/classification", url.Values{"change": {"grade=A"}, "reason": {"年度大户"}}).want(t, http.StatusSeeOther)
	boss.get(page).want(t, http.StatusOK, "年度大户", `id="customer-grade">A<`)
}

func TestCustomerImportWizardDryRun(t *testing.T) {
	e := newCustomerEnv(t)
	arch := e.signedIn("archivist")
	arch.get("/customers/import").want(t, http.StatusOK, `enctype="multipart/form-data"`, "/customers/import/template?format=xlsx")
	csv := "\ufeff户名,联系电话,用户地址,户号,客户类型\n" +
		"王建国,１３８００１３８０００,朝阳区幸福里小区3栋2单元501,RQ-1001,居民\n" +
		"李秀英,13900139000,朝阳区幸福里小区3栋2单元502,RQ-1002,居民\n" +
		"李秀英,13900139000,朝阳区幸福里小区3栋2单元502,RQ-1002,居民\n"
	res := arch.upload("/customers/import", "ledger.csv", csv, nil)
	res.want(t, http.StatusOK, `id="row-errors"`, `data-row="4"`, `name="token"`, `name="map.A"`)
	if got := count(res.body, "rows-valid"); got != 2 {
		t.Errorf("valid rows %d, want 2 (the full-width phone is read)", got)
	}
	if got := count(res.body, "rows-invalid"); got != 1 {
		t.Errorf("invalid rows %d, want 1 (the repeated row)", got)
	}
	token := regexp.MustCompile(`name="token" value="([0-9a-f]+)"`).FindStringSubmatch(res.body)[1]

	// All or nothing with a bad row writes nothing.
	arch.post("/customers/import/start", url.Values{"token": {token}, "mode": {"all"}}).want(t, http.StatusUnprocessableEntity, `id="row-errors"`)
	e.signedIn("archivist").get("/customers").want(t, http.StatusOK, "还没有客户档案")
	// The valid rows: two customers.
	arch.post("/customers/import/start", url.Values{"token": {token}, "mode": {"valid"}}).want(t, http.StatusOK, `id="rows-written">2<`)
	arch.get("/customers?q="+url.QueryEscape("幸福里")).want(t, http.StatusOK, "王建国", "李秀英")
	// The token is spent.
	arch.post("/customers/import/start", url.Values{"token": {token}}).want(t, http.StatusUnprocessableEntity, "已过期")
}

// count reads the number in the element with id.
func count(body, id string) int {
	m := regexp.MustCompile(`id="` + id + `">(\d+)<`).FindStringSubmatch(body)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// upload posts a multipart form with one file.
func (c *client) upload(path, name, content string, fields map[string]string) response {
	c.e.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = io.WriteString(fw, content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

func TestCustomerDocuments(t *testing.T) {
	e := newCustomerEnv(t)
	c := e.wangCustomer()
	page := "/customers/" + c.ID.String()
	arch := e.signedIn("archivist")
	res := arch.upload(page+"/documents", "开户申请.txt", "开户申请表\n", map[string]string{"owner": "customer:" + c.ID.String(), "category": "other"})
	res.want(t, http.StatusSeeOther)
	body := arch.get(page).body
	m := regexp.MustCompile(`href="(/customers/\d+/documents/\d+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no download link:\n%s", body)
	}
	dl := e.signedIn("agent").get(m[1])
	dl.want(t, http.StatusOK, "开户申请表")
	if cd := dl.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("Content-Disposition %q", cd)
	}
	// The viewer may read but not attach.
	e.signedIn("viewer").upload(page+"/documents", "x.txt", "x", nil).want(t, http.StatusForbidden)
}
