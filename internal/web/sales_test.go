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

// salesEnv is the UI of a real-estate company 滨江置业 (pack realestate)
// with a sales centre 滨江壹号案场: the Project Manager 孙经理 (custodian,
// a decider), four agents 王一 … 赵四 and a customer-service agent 周客服
// without sales:read, on Mon 2026-05-11 09:00.
type salesEnv struct {
	*env
	ids     map[string]store.ID
	centre  org.Unit
	leasing org.Unit
}

func newSalesEnv(t *testing.T) *salesEnv {
	t.Helper()
	db := storetest.OpenSQLite(t)
	o := org.New(org.Options{DB: db})
	a := auth.New(auth.Options{DB: db, Org: o})
	ctx := audit.WithActor(context.Background(), audit.System)
	e := &salesEnv{env: &env{t: t, org: o, auth: a}, ids: map[string]store.ID{}}
	clk := &testClock{t: vat("2026-05-11 09:00")}
	var err error
	if e.root, err = o.EnsureRoot(ctx, "集团总部"); err != nil {
		t.Fatal(err)
	}
	if e.co, err = o.Create(ctx, org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "滨江置业", Pack: "realestate"}); err != nil {
		t.Fatal(err)
	}
	if e.centre, err = o.Create(ctx, org.CreateInput{ParentID: &e.co.ID, Kind: org.Department, Name: "滨江壹号案场"}); err != nil {
		t.Fatal(err)
	}
	if e.leasing, err = o.Create(ctx, org.CreateInput{ParentID: &e.co.ID, Kind: org.Department, Name: "招商部"}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		username, name, position string
		role                     auth.Role
	}{{"pm", "孙经理", "项目经理", auth.RoleSalesManager}, {"wang", "王一", "", auth.RoleSalesAgent},
		{"li", "李二", "", auth.RoleSalesAgent}, {"zhang", "张三", "", auth.RoleSalesAgent},
		{"zhao", "赵四", "", auth.RoleSalesAgent}, {"zhou", "周客服", "", auth.RoleCSAgent}} {
		usr, err := a.Create(ctx, nil, auth.CreateUserInput{Username: u.username, Password: pw, DisplayName: u.name,
			Roles: []auth.Role{u.role}, OrgUnit: e.centre.ID, Position: u.position})
		if err != nil {
			t.Fatal(err)
		}
		e.ids[u.username] = usr.ID
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.cal = calendar.NewRegistry(calendar.RegistryOptions{DB: db, Logger: log, Now: clk.Now})
	if err := e.cal.Load(ctx); err != nil {
		t.Fatal(err)
	}
	pols := policy.NewRegistry(policy.Options{DB: db, Org: o, Calendars: e.cal, Logger: log, Now: clk.Now})
	if err := pols.Load(ctx); err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(web.New(services.Set{DB: db, Auth: a, Org: o, Calendars: e.cal, Policy: pols, Logger: log,
		Version: "test", Now: clk.Now}))
	t.Cleanup(e.srv.Close)
	return e
}

var (
	salesRegLink      = regexp.MustCompile(`^/sales/registrations/(\d+)$`)
	salesReceptionNew = regexp.MustCompile(`^/sales/registrations/new\?reception_id=(\d+)$`)
	salesConflictLink = regexp.MustCompile(`href="(/sales/conflicts/\d+)"`)
	salesDealLink     = regexp.MustCompile(`^/sales/deals/(\d+)$`)
)

// redirect checks a 303 to a path matching re and returns it.
func redirect(t *testing.T, r response, re *regexp.Regexp) string {
	t.Helper()
	if r.status != http.StatusSeeOther || !re.MatchString(r.location) {
		t.Fatalf("status %d → %q\n%s", r.status, r.location, r.body)
	}
	return r.location
}

// TestSalesPages sets the centre up through the forms, starts a rotation
// reception on the desk (the rotation's first agent, then 下一位 moves on),
// registers the customer (inline errors first), registers the same phone
// for a second agent: the conflict screen shows both entries, the matched
// phone and the SAL-022 step; a deal shows its shares on the commission
// report. Every role is refused what it may not do.
func TestSalesPages(t *testing.T) {
	e := newSalesEnv(t)
	pm, wang, li, zhou := e.signedIn("pm"), e.signedIn("wang"), e.signedIn("li"), e.signedIn("zhou")
	unit := e.centre.ID.String()

	zhou.get("/sales").want(t, http.StatusForbidden)
	wang.get("/sales").want(t, http.StatusOK, "案场接待", `id="no-centres"`)
	wang.get("/sales").lacks(t, `id="setup-form"`)
	wang.post("/sales/centres", url.Values{"unit_id": {unit}}).want(t, http.StatusForbidden)
	pm.get("/sales").want(t, http.StatusOK, `id="setup-form"`, "滨江壹号案场")
	pm.post("/sales/centres", url.Values{"mode": {"sales"}}).want(t, http.StatusUnprocessableEntity, "请选择单位")
	r := pm.post("/sales/centres", url.Values{"unit_id": {unit}, "mode": {"sales"}, "reason": {"开盘"}})
	if r.status != http.StatusSeeOther || r.location != "/sales/centres/"+unit {
		t.Fatalf("set-up: %d %q\n%s", r.status, r.location, r.body)
	}
	var ids []string
	for _, u := range []string{"wang", "li", "zhang", "zhao"} {
		ids = append(ids, e.ids[u].String())
	}
	pm.post("/sales/centres/"+unit+"/members", url.Values{"user_ids": {"x,1"}, "reason": {"初始轮排"}}).
		want(t, http.StatusUnprocessableEntity, "须为用户编号")
	pm.post("/sales/centres/"+unit+"/members", url.Values{"user_ids": {strings.Join(ids, ",")}, "reason": {"初始轮排"}}).
		want(t, http.StatusSeeOther)
	wang.post("/sales/centres/"+unit+"/members", url.Values{"user_ids": {strings.Join(ids, ",")}, "reason": {"我先"}}).
		want(t, http.StatusForbidden, `role="alert"`)

	desk := wang.get("/sales/centres/" + unit)
	desk.want(t, http.StatusOK, "下一位", `id="next-name">王一<`, `id="receive-new"`, `id="rotation-table"`, "初始轮排")
	desk.lacks(t, `id="members-form"`)
	pm.get("/sales/centres/"+unit).want(t, http.StatusOK, `id="members-form"`, `id="pointer-form"`, `id="credit-form"`)
	wang.get("/sales/centres/"+unit+"/floor").want(t, http.StatusOK, `data-refresh="5"`, "王一", "sales.js")
	zhou.get("/sales/centres/"+unit).want(t, http.StatusForbidden)
	zhou.post("/sales/centres/"+unit+"/receptions", url.Values{"kind": {"rotation"}}).want(t, http.StatusForbidden)

	// 王一 is next: her rotation reception goes straight to the form.
	form := redirect(t, wang.post("/sales/centres/"+unit+"/receptions", url.Values{"kind": {"rotation"}}), salesReceptionNew)
	wang.get("/sales/centres/"+unit).want(t, http.StatusOK, `id="next-name">李二<`, `id="my-reception"`, "接待中")
	page := wang.get(form)
	page.want(t, http.StatusOK, `id="reg-form"`, `autofocus`, `name="reception_id"`, "报纸广告")
	rid := salesReceptionNew.FindStringSubmatch(form)[1]
	reg := url.Values{"unit_id": {unit}, "reception_id": {rid}, "info_source": {"online"}}
	r = wang.post("/sales/registrations", reg)
	r.want(t, http.StatusUnprocessableEntity, `id="reg-form"`)
	if fieldError(r.body, "f-customer_name") == "" {
		t.Errorf("no inline error under the name:\n%s", r.body)
	}
	reg.Set("customer_name", "陈先生")
	reg.Set("phone", "13800138000")
	first := redirect(t, wang.post("/sales/registrations", reg), salesRegLink)
	wang.get(first).want(t, http.StatusOK, "陈先生", "13800138000", "待核实")
	wang.get("/sales/registrations?unit_id="+unit).want(t, http.StatusOK, "陈先生", `id="regs-table"`)
	pm.get(first).want(t, http.StatusOK, `id="verify-form"`)

	// 李二 receives the next new customer: the same phone.
	form = redirect(t, li.post("/sales/centres/"+unit+"/receptions", url.Values{"kind": {"rotation"}}), salesReceptionNew)
	rid = salesReceptionNew.FindStringSubmatch(form)[1]
	second := redirect(t, li.post("/sales/registrations", url.Values{"unit_id": {unit}, "reception_id": {rid},
		"customer_name": {"陈生"}, "phone": {"138 0013 8000"}}), salesRegLink)
	sp := li.get(second)
	sp.want(t, http.StatusOK, `id="conflicts"`, "该客户已有登记")
	m := salesConflictLink.FindStringSubmatch(sp.body)
	if m == nil {
		t.Fatalf("no conflict link:\n%s", sp.body)
	}
	pm.get(m[1]).want(t, http.StatusOK, `id="prior-entry"`, `id="this-entry"`, "王一", "李二", "sal-match", "SAL-022", `id="ruling-form"`)
	li.get(m[1]).want(t, http.StatusOK, `id="contact-form"`)
	li.get(m[1]).lacks(t, `id="ruling-form"`)
	pm.get("/sales/conflicts?unit_id="+unit).want(t, http.StatusOK, `id="conflicts-table"`)

	// A deal on 王一's entry: the commission report shows her share.
	regID := salesRegLink.FindStringSubmatch(first)[1]
	wang.get("/sales/deals/new?unit_id="+unit).want(t, http.StatusOK, `id="deal-form"`, "陈先生")
	deal := redirect(t, wang.post("/sales/deals", url.Values{"unit_id": {unit}, "registration_id": {regID},
		"closing_agent_id": {e.ids["wang"].String()}, "property_unit": {"3-1201"}, "subscriber_name": {"陈先生"},
		"price": {"1200000"}, "commission": {"12000"}, "deposit_on": {"2026-05-11"}, "subscribed_on": {"2026-05-11"}}), salesDealLink)
	wang.get(deal).want(t, http.StatusOK, "3-1201", `id="attribution"`, "王一")
	pm.get("/sales/commission?unit_id="+unit+"&month=2026-05").want(t, http.StatusOK, `id="commission-table"`, "王一", "12000.00", `id="group-bonus-form"`)
	wang.get("/sales/commission?unit_id="+unit+"&month=2026-13").want(t, http.StatusUnprocessableEntity, "月份格式")
	wang.get("/sales/applications?unit_id="+unit).want(t, http.StatusOK, `id="apply-form"`, "放盘")
	wang.get("/sales/followups/due?unit_id="+unit).want(t, http.StatusOK, `id="followups-table"`)
	zhou.get("/sales/registrations").want(t, http.StatusForbidden)

	// A leasing centre: the register asks 有/无中介 (SAL-027); its
	// submissions, archive forms and grants pages render.
	lu := e.leasing.ID.String()
	pm.post("/sales/centres", url.Values{"unit_id": {lu}, "mode": {"leasing"}, "reason": {"招商"}}).want(t, http.StatusSeeOther)
	pm.get("/sales/registrations/new?unit_id="+lu).want(t, http.StatusOK, `id="leasing-fields"`, "无中介")
	r = pm.post("/sales/registrations", url.Values{"unit_id": {lu}, "book": {"leasing"}, "kind": {"self"}, "customer_name": {"周总"},
		"phone": {"13900139000"}})
	r.want(t, http.StatusUnprocessableEntity)
	if fieldError(r.body, "f-intermediary") == "" {
		t.Errorf("no inline error under 有/无中介:\n%s", r.body)
	}
	for _, path := range []string{"/sales/submissions", "/sales/archive-forms", "/sales/grants"} {
		pm.get(path+"?unit_id="+lu).want(t, http.StatusOK, `id="tab-submissions"`)
	}
	wang.post("/sales/commission/group-bonus", url.Values{"unit_id": {unit}}).want(t, http.StatusForbidden)
}
