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
	"time"

	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/customer"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/services"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/web"
)

// inspEnv is the UI of a gas company (客户服务部 with two inspection
// teams) and a power company, on the real cn calendar and a test clock.
type inspEnv struct {
	*env
	clk          *testClock
	db           *store.DB
	teamA, teamB org.Unit
	power        org.Unit
	points       []store.ID
	important    store.ID
}

func newInspEnv(t *testing.T) *inspEnv {
	t.Helper()
	db := storetest.OpenSQLite(t)
	o := org.New(org.Options{DB: db})
	a := auth.New(auth.Options{DB: db, Org: o})
	ctx := audit.WithActor(context.Background(), audit.System)
	at, _ := time.ParseInLocation("2006-01-02 15:04", "2026-04-28 09:00", store.Zone)
	e := &inspEnv{env: &env{t: t, org: o, auth: a}, clk: &testClock{t: at}, db: db}
	mk := func(parent store.ID, kind org.Kind, name, pack string) org.Unit {
		u, err := o.Create(ctx, org.CreateInput{ParentID: &parent, Kind: kind, Name: name, Pack: pack})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	var err error
	if e.root, err = o.EnsureRoot(ctx, "集团总部"); err != nil {
		t.Fatal(err)
	}
	e.co = mk(e.root.ID, org.Company, "城东燃气", "gas")
	e.dept = mk(e.co.ID, org.Department, "客户服务部", "")
	e.teamA = mk(e.dept.ID, org.Team, "安检一班", "")
	e.teamB = mk(e.dept.ID, org.Team, "安检二班", "")
	e.power = mk(e.root.ID, org.Company, "城南供电", "power")
	e.user("admin", "系统管理员", e.root, auth.RoleAdmin)
	agent := e.user("agent", "王芳", e.dept, auth.RoleCSAgent).Principal()
	e.user("boss", "刘经理", e.dept, auth.RoleManager)
	e.user("leader", "班长甲", e.teamA, auth.RoleManager)
	e.user("liu", "刘安检", e.teamA, auth.RoleFieldStaff)
	e.user("viewer", "赵看", e.dept, auth.RoleViewer)
	pagent := e.user("pagent", "孙营销", e.power, auth.RoleCSAgent).Principal()
	e.user("pinsp", "钱检查", e.power, auth.RoleFieldStaff)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.cal = calendar.NewRegistry(calendar.RegistryOptions{DB: db, Logger: log, Now: e.clk.Now})
	if err := e.cal.Load(ctx); err != nil {
		t.Fatal(err)
	}
	pols := policy.NewRegistry(policy.Options{DB: db, Org: o, Calendars: e.cal, Logger: log, Now: e.clk.Now})
	if err := pols.Load(ctx); err != nil {
		t.Fatal(err)
	}
	custs := customer.New(customer.Options{DB: db, Policy: pols, Now: e.clk.Now})
	for i, name := range []string{"张一", "李二", "王三"} {
		c, _, err := custs.Create(ctx, agent, customer.Input{Kind: customer.Person, Name: name, Phone: "1390000000" + string(rune('1'+i)),
			Address: "城东小区1栋", Type: "residential", ServicePoints: []customer.ServicePointInput{{Kind: customer.GasAccount,
				AccountNo: "R00" + string(rune('1'+i)), Address: "城东小区1栋" + string(rune('1'+i)) + "01室"}}})
		if err != nil {
			t.Fatal(err)
		}
		e.points = append(e.points, c.ServicePoints[0].ID)
	}
	c, _, err := custs.Create(ctx, pagent, customer.Input{Kind: customer.Organisation, Name: "城南医院", Phone: "0571-86000001",
		Type: "hv_dual", ServicePoints: []customer.ServicePointInput{{Kind: customer.PowerSupplyPoint, AccountNo: "P001",
			Address: "城南路1号", Attributes: map[string]any{"voltage": "10kV"}}}})
	if err != nil {
		t.Fatal(err)
	}
	e.important = c.ServicePoints[0].ID
	if _, err := db.Writer().ExecContext(ctx, store.Rebind("UPDATE customers SET importance = 'grade1', importance_state = 'approved' WHERE id = ?"), c.ID); err != nil {
		t.Fatal(err)
	}
	e.srv = httptestServer(t, web.New(services.Set{DB: db, Auth: a, Org: o, Calendars: e.cal, Policy: pols, Customers: custs,
		Logger: log, Version: "test", Now: e.clk.Now}))
	return e
}

var planHref = regexp.MustCompile(`/inspections/plans/(\d+)`)

// TestInspectionPages: the department manager generates May's plan on the
// board (a bad period is shown under its field), breaks it down to team A
// and sees the team's progress bar; the inspector records an inspection of
// a plan item with the indoor-facility form — refused while the customer
// copy does not match the stub (INS-012), closed once it does — and the
// plan shows it done; the form prints in two copies with the signature
// lines; the overdue list shows the rest; the power company's important
// customer prints the 《重要电力客户用电检查工作单》 (INS-011).
func TestInspectionPages(t *testing.T) {
	e := newInspEnv(t)
	boss := e.signedIn("boss")
	boss.get("/inspections").want(t, http.StatusOK, "计划安检", "本月尚未生成安检计划", `id="generate-form"`, `href="/inspections"`)
	r := boss.post("/inspections/plans", url.Values{"period": {"2026-13"}, "month": {"2026-05"}})
	r.want(t, http.StatusUnprocessableEntity)
	if msg := fieldError(r.body, "f-period"); !strings.Contains(msg, "2026-Q2") {
		t.Errorf("period error %q", msg)
	}
	r = boss.post("/inspections/plans", url.Values{"period": {"2026-05"}})
	r.want(t, http.StatusSeeOther)
	m := planHref.FindStringSubmatch(r.location)
	if m == nil {
		t.Fatalf("redirect %q", r.location)
	}
	plan := "/inspections/plans/" + m[1]
	boss.get(plan).want(t, http.StatusOK, "城东燃气 · 2026年5月", "0 / 3", "0.0%", "从未检查，即时到期", `id="assign-form"`)
	r = boss.post(plan+"/assign", url.Values{"target": {"team"}, "team_id": {""}})
	r.want(t, http.StatusUnprocessableEntity, "请选择班组")
	boss.post(plan+"/assign", url.Values{"target": {"team"}, "team_id": {e.teamA.ID.String()}}).want(t, http.StatusSeeOther)
	boss.get("/inspections?month=2026-05").want(t, http.StatusOK, "各班组完成情况", "安检一班", `value="0.0"`)
	// The team leader may not give items to teams (INS-009).
	leader := e.signedIn("leader")
	r = leader.post(plan+"/assign", url.Values{"target": {"team"}, "team_id": {e.teamB.ID.String()}})
	r.want(t, http.StatusForbidden)

	liu := e.signedIn("liu")
	page := liu.get(plan)
	page.want(t, http.StatusOK, "登记")
	item := regexp.MustCompile(`/inspections/new\?item=(\d+)`).FindStringSubmatch(page.body)
	if item == nil {
		t.Fatalf("no record link:\n%s", page.body)
	}
	form := liu.get("/inspections/new?item=" + item[1])
	form.want(t, http.StatusOK, "户内设施检查", "管道燃气客户户内设施检查表", "存根联", "客户联", `name="answers.gas_indoor.facilities"`)
	point := regexp.MustCompile(`name="point" value="(\d+)"`).FindStringSubmatch(form.body)[1]
	vals := url.Values{"point": {point}, "track": {"periodic"}, "item": {item[1]}, "inspected_at": {"2026-04-28T08:30"},
		"signature_paper": {"1"}, "do": {"close"}, "hazards[0].description": {"灶具软管老化"}, "hazards[0].severity": {"general"},
		"hazards[0].responsibility": {"customer"}}
	for _, k := range []string{"facilities", "hazards", "rectification_notice", "safety_advice"} {
		vals.Set("answers.gas_indoor."+k, "正常")
		vals.Set("customer_copy.gas_indoor."+k, "正常")
	}
	vals.Set("answers.gas_indoor.facilities", "已更换软管")
	vals.Set("customer_copy.gas_indoor.facilities", "")
	r = liu.post("/inspections/records", vals)
	r.want(t, http.StatusUnprocessableEntity, "存根联与客户联不一致", "退回安检员")
	vals.Set("customer_copy.gas_indoor.facilities", "已更换软管")
	vals.Set("hazards[0].severity", "huge")
	r = liu.post("/inspections/records", vals)
	r.want(t, http.StatusUnprocessableEntity, "INS-018")
	vals.Set("hazards[0].severity", "general")
	r = liu.post("/inspections/records", vals)
	r.want(t, http.StatusSeeOther)
	rec := r.location
	liu.get(rec).want(t, http.StatusOK, "已结案", "已更换软管", "灶具软管老化", "已签字")
	liu.get(rec+"/print").want(t, http.StatusOK, "管道燃气客户户内设施检查表", `data-copy="customer"`, `data-copy="stub"`, "客户联", "存根联",
		"客户签字", "安检员签字", "本联由客户留存")
	boss.get(plan).want(t, http.StatusOK, "1 / 3", "33.3%", "已完成")
	// The other two are overdue: due at once, never inspected.
	e.clk.Set(e.clk.Now().Add(4 * 24 * time.Hour)) // 2 May: past the period's first day
	boss.get("/inspections/overdue").want(t, http.StatusOK, "逾期安检", "2026年5月")
	liu.get("/inspections/records?mine=1").want(t, http.StatusOK, "已结案")
	// Without inspections:read: refused; the navigation shows the module to those who have it.
	e.signedIn("viewer").get("/inspections").want(t, http.StatusForbidden)
	liu.get("/").want(t, http.StatusOK, `href="/inspections"`)

	// The power company's important customer: the work sheet (INS-011),
	// entered the same day.
	at, _ := time.ParseInLocation("2006-01-02 15:04", "2026-04-28 10:00", store.Zone)
	e.clk.Set(at)
	pinsp := e.signedIn("pinsp")
	form = pinsp.get("/inspections/new?point=" + e.important.String() + "&track=periodic")
	form.want(t, http.StatusOK, "重要电力客户用电检查工作单", "1个工作日", "检查人员未操作客户电气设备", `name="answers.power_safety.electrical_tests"`)
	pv := url.Values{"point": {e.important.String()}, "track": {"periodic"}, "inspected_at": {"2026-04-28T08:00"}, "do": {"close"},
		"acknowledgements.no_operation": {"1"}}
	for _, k := range []string{"backup_power", "interlocks", "receiving_equipment", "metering_protection", "parallel_sources", "anti_accident"} {
		pv.Set("answers.power_safety."+k, "正常")
	}
	r = pinsp.post("/inspections/records", pv)
	r.want(t, http.StatusUnprocessableEntity)
	if msg := fieldError(r.body, "f-answers-power_safety-electrical_tests"); !strings.Contains(msg, "（4）") {
		t.Errorf("item (4) error %q", msg)
	}
	pv.Set("answers.power_safety.electrical_tests", "试验合格")
	r = pinsp.post("/inspections/records", pv)
	r.want(t, http.StatusSeeOther)
	pinsp.get(r.location).want(t, http.StatusOK, "按时录入")
	pinsp.get(r.location+"/print").want(t, http.StatusOK, "重要电力客户用电检查工作单", "（4）", "试验合格", "☑ 检查人员未操作客户电气设备", "客户签字")
	// Another company's inspector does not see the gas record.
	pinsp.get(rec).want(t, http.StatusNotFound)
}

// httptestServer serves h for the test.
func httptestServer(t *testing.T, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
