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
	"sync"
	"testing"
	"time"

	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/customer"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/process"
	"kefu/internal/services"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/web"
)

// processEnv is the UI of a power utility: 集团总部 → 供电公司 (pack power)
// with 营销部 (an agent and a viewer) and 生技部 (a field worker), a
// manager at the company, a sales agent (no process permission) and an
// agent of another power company; the clock stands at 2026-02-20 10:00.
type processEnv struct {
	*env
	point store.ID // the power supply point of 城东机械厂
	cust  store.ID
	clk   *testClock
	svc   *process.Service
	admin *auth.Principal
}

// testClock is the clock of the process pages and services.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func newProcessEnv(t *testing.T, db *store.DB) *processEnv {
	t.Helper()
	o := org.New(org.Options{DB: db})
	a := auth.New(auth.Options{DB: db, Org: o})
	ctx := audit.WithActor(context.Background(), audit.System)
	e := &processEnv{env: &env{t: t, org: o, auth: a},
		clk: &testClock{t: time.Date(2026, 2, 20, 10, 0, 0, 0, store.Zone)}}
	var err error
	if e.root, err = o.EnsureRoot(ctx, "集团总部"); err != nil {
		t.Fatal(err)
	}
	if e.co, err = o.Create(ctx, org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "供电公司", Code: "GD", Pack: "power"}); err != nil {
		t.Fatal(err)
	}
	if e.dept, err = o.Create(ctx, org.CreateInput{ParentID: &e.co.ID, Kind: org.Department, Name: "营销部"}); err != nil {
		t.Fatal(err)
	}
	prod, err := o.Create(ctx, org.CreateInput{ParentID: &e.co.ID, Kind: org.Department, Name: "生技部"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := o.Create(ctx, org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "另一供电公司", Code: "LY", Pack: "power"})
	if err != nil {
		t.Fatal(err)
	}
	admin := e.user("admin", "系统管理员", e.root, auth.RoleAdmin)
	e.user("agent", "王芳", e.dept, auth.RoleCSAgent)
	e.user("viewer", "赵看", e.dept, auth.RoleViewer)
	e.user("field", "张师傅", prod, auth.RoleFieldStaff)
	e.user("boss", "刘经理", e.co, auth.RoleManager)
	e.user("sales", "孙售", e.dept, auth.RoleSalesAgent)
	e.user("outsider", "外单位", other, auth.RoleCSAgent)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.cal = calendar.NewRegistry(calendar.RegistryOptions{DB: db, Logger: log})
	if err := e.cal.Load(ctx); err != nil {
		t.Fatal(err)
	}
	pols := policy.NewRegistry(policy.Options{DB: db, Org: o, Calendars: e.cal, Logger: log})
	if err := pols.Load(ctx); err != nil {
		t.Fatal(err)
	}
	set := services.Set{DB: db, Auth: a, Org: o, Calendars: e.cal, Policy: pols, Logger: log, Version: "test",
		Now: e.clk.Now}.WithDefaults()
	c, _, err := set.Customers.Create(ctx, admin.Principal(), customer.Input{Kind: customer.Organisation, Name: "城东机械厂",
		Phone: "0571-86001234", Address: "城东路1号", Type: "hv_single", OrgUnit: &e.dept.ID,
		ServicePoints: []customer.ServicePointInput{{Kind: "power_supply_point", AccountNo: "P1000001", Address: "城东路1号",
			Attributes: map[string]any{"voltage": "10kV", "contracted_capacity_kva": 800}}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := set.Customers.Get(ctx, admin.Principal(), c.ID)
	if err != nil || len(got.ServicePoints) != 1 {
		t.Fatalf("customer: %v %+v", err, got)
	}
	e.cust, e.point, e.svc, e.admin = c.ID, got.ServicePoints[0].ID, set.Processes, admin.Principal()
	e.srv = httptest.NewServer(web.New(set))
	t.Cleanup(e.srv.Close)
	return e
}

// suspension is a valid start form of change.suspension from the point.
func (e *processEnv) suspension(from, to string) url.Values {
	return url.Values{"definition": {"change.suspension"}, "service_point": {e.point.String()},
		"attr_from": {from}, "attr_to": {to}, "attr_capacity_kva": {"400"}}
}

// start starts a process as c and returns its page path.
func startProcess(t *testing.T, c *client, form url.Values) string {
	t.Helper()
	res := c.post("/processes/new", form)
	if res.status != http.StatusSeeOther || !regexp.MustCompile(`^/processes/\d+$`).MatchString(res.location) {
		t.Fatalf("start: status %d, location %q\n%s", res.status, res.location, res.body)
	}
	return res.location
}

// act posts an action form and wants the redirect back to the page.
func act(t *testing.T, c *client, path string, form url.Values) {
	t.Helper()
	res := c.post(path+"/act", form)
	if res.status != http.StatusSeeOther || res.location != path {
		t.Fatalf("%s: status %d, location %q\n%s", form.Get("action"), res.status, res.location, res.body)
	}
}

func TestProcessStartForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newProcessEnv(t, db)
		agent := e.signedIn("agent")
		agent.get("/").want(t, http.StatusOK, `href="/processes"`)
		agent.get("/customers/"+e.cust.String()).want(t, http.StatusOK,
			`href="/processes/new?service_point=`+e.point.String()+`"`, "发起业务流程")
		picker := agent.get("/processes/new?service_point=" + e.point.String())
		picker.want(t, http.StatusOK, `id="definition-list"`, "暂停用电", "城东机械厂", "P1000001",
			`href="/processes/new?definition=change.suspension&amp;service_point=`+e.point.String()+`"`)
		form := agent.get("/processes/new?definition=change.suspension&service_point=" + e.point.String())
		form.want(t, http.StatusOK, `id="start-form"`, `id="f-attr_from" name="attr_from" type="date"`,
			`name="attr_capacity_kva" type="number"`, "暂停容量（kVA）", `<select id="f-attr_billing"`, "按最大需量",
			"暂停须提前 5 天申请（PRC-032）", "暂停用电书面申请")
		// the picker without a point: definitions that need one say so
		agent.get("/processes/new").want(t, http.StatusOK, "须从客户档案的服务点发起")

		// a required attribute left out, a date that is no date: next to the field
		bad := e.suspension("2026-03-01", "2026-06-01")
		bad.Del("attr_capacity_kva")
		res := agent.post("/processes/new", bad)
		res.want(t, http.StatusUnprocessableEntity, `id="start-form"`, `value="2026-03-01"`)
		if msg := fieldError(res.body, "f-attr_capacity_kva"); msg == "" {
			t.Errorf("no inline error under the capacity\n%s", res.body)
		}
		res = agent.post("/processes/new", e.suspension("2026-02-31", "2026-06-01"))
		res.want(t, http.StatusUnprocessableEntity)
		if msg := fieldError(res.body, "f-attr_from"); !strings.Contains(msg, "日期") {
			t.Errorf("from error %q", msg)
		}
		// PRC-032: five days ahead; the refusal names the rule
		res = agent.post("/processes/new", e.suspension("2026-02-23", "2026-06-01"))
		res.want(t, http.StatusUnprocessableEntity, `id="guard-rule">PRC-032<`, "不予受理（PRC-032）")
		if msg := fieldError(res.body, "f-attr_from"); !strings.Contains(msg, "PRC-032") || !strings.Contains(msg, "提前 5 天") {
			t.Errorf("guard error %q", msg)
		}
		res = agent.post("/processes/new", e.suspension("2026-03-01", "2026-03-11"))
		res.want(t, http.StatusUnprocessableEntity)
		if msg := fieldError(res.body, "f-attr_to"); !strings.Contains(msg, "15 天") {
			t.Errorf("min-days error %q", msg)
		}
		path := startProcess(t, agent, e.suspension("2026-03-01", "2026-06-01"))
		page := agent.get(path)
		page.want(t, http.StatusOK, "业务流程已发起", `id="process-number">BG20260220-0001<`, "暂停用电", "暂停申请受理",
			"城东机械厂", "400 kVA", "2026-03-01", `id="receive-suspension_application"`, `id="outcome-done"`)

		// who may see and start what
		e.signedIn("viewer").get("/processes/new").want(t, http.StatusForbidden, "processes:act")
		e.signedIn("viewer").post("/processes/new", e.suspension("2026-03-01", "2026-06-01")).want(t, http.StatusForbidden)
		sales := e.signedIn("sales")
		sales.get("/processes").want(t, http.StatusForbidden, "processes:read")
		sales.get(path).want(t, http.StatusForbidden)
		sales.get("/customers/"+e.cust.String()).lacks(t, "/processes/new")
		outsider := e.signedIn("outsider")
		outsider.get(path).want(t, http.StatusNotFound)
		outsider.get("/processes/new?service_point="+e.point.String()).want(t, http.StatusNotFound)
		outsider.post("/processes/new", e.suspension("2026-03-01", "2026-06-01")).want(t, http.StatusNotFound)
		agent.get("/processes/999999").want(t, http.StatusNotFound)
		agent.get("/processes/abc").want(t, http.StatusNotFound)
		e.client().get("/processes").want(t, http.StatusSeeOther)
	})
}

func TestProcessActionsAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newProcessEnv(t, db)
		agent, field, viewer, boss := e.signedIn("agent"), e.signedIn("field"), e.signedIn("viewer"), e.signedIn("boss")
		path := startProcess(t, agent, e.suspension("2026-03-01", "2026-06-01"))

		// the viewer reads but is offered nothing, and may post nothing
		vp := viewer.get(path)
		vp.want(t, http.StatusOK, "暂停申请受理", `id="timeline"`, "发起流程")
		vp.lacks(t, `id="act-complete"`, `id="receive-`, `id="act-cancel"`)
		viewer.post(path+"/act", url.Values{"action": {"receive"}, "item": {"suspension_application"}}).want(t, http.StatusForbidden)

		// complete before the document is in: 422, the gate in Chinese in the form
		res := agent.post(path+"/act", url.Values{"action": {"complete"}, "step": {"application"}, "outcome": {"done"}})
		res.want(t, http.StatusUnprocessableEntity, `id="act-complete"`, "资料不全，缺少：暂停用电书面申请（依据 PRC-032）")
		res.lacks(t, "%!")
		agent.post(path+"/act", url.Values{"action": {"bogus"}}).want(t, http.StatusNotFound)
		act(t, agent, path, url.Values{"action": {"receive"}, "item": {"suspension_application"}})
		agent.get(path).want(t, http.StatusOK, "资料已收取", "已收", "收取资料")
		res = agent.post(path+"/act", url.Values{"action": {"receive"}, "item": {"suspension_application"}})
		res.want(t, http.StatusConflict, "此资料已收取")
		act(t, agent, path, url.Values{"action": {"complete"}, "step": {"application"}, "outcome": {"done"}})

		// the seal is the field staff's, at the company
		page := agent.get(path)
		page.want(t, http.StatusOK, `id="process-step">加封<`, `id="not-yours"`, "供电公司")
		page.lacks(t, `id="act-complete"`)
		res = agent.post(path+"/act", url.Values{"action": {"complete"}, "step": {"seal"}})
		res.want(t, http.StatusForbidden, "此步骤由现场人员")
		res.lacks(t, "%!")
		field.get("/processes?tab=mine").want(t, http.StatusOK, "BG20260220-0001", "加封")
		agent.get("/processes?tab=mine").want(t, http.StatusOK, "没有符合条件的业务流程")
		// the department queue: the company's steps, not the marketing department's
		agent.get("/processes?unit="+e.co.ID.String()).want(t, http.StatusOK, "BG20260220-0001", `<option value="`+e.co.ID.String()+`" selected>`)
		agent.get("/processes?unit="+e.dept.ID.String()).want(t, http.StatusOK, "没有符合条件的业务流程")
		agent.get("/processes?unit=x").want(t, http.StatusUnprocessableEntity, `id="unit"`)
		fp := field.get(path)
		fp.want(t, http.StatusOK, `id="act-complete"`, `id="outcome-done"`)
		// an action on a step the process has left: 409, shown at the top
		res = field.post(path+"/act", url.Values{"action": {"complete"}, "step": {"application"}})
		res.want(t, http.StatusConflict, `class="alert alert-error"`, "流程已进入「加封」")
		res.lacks(t, "%!")
		act(t, field, path, url.Values{"action": {"complete"}, "step": {"seal"}, "comment": {"已于现场加封，封印号 F-0012"}})

		// the suspension notice was printed at the seal
		page = field.get(path)
		page.want(t, http.StatusOK, "暂停用电通知", "已于现场加封", `id="process-step">恢复用电<`)
		doc := regexp.MustCompile(`href="(` + regexp.QuoteMeta(path) + `/documents/\d+/print)"`).FindStringSubmatch(page.body)
		if doc == nil {
			t.Fatalf("no link to the document\n%s", page.body)
		}
		sheet := viewer.get(doc[1])
		sheet.want(t, http.StatusOK, `id="process-sheet"`, "暂停用电通知", "BG20260220-0001", "城东机械厂", "加封",
			"已于现场加封，封印号 F-0012", "暂停容量：400 kVA", "客户签字（盖章）", "经办人", "PRC-033")
		viewer.get(path+"/documents/999999/print").want(t, http.StatusNotFound)
		e.signedIn("outsider").get(doc[1]).want(t, http.StatusNotFound)

		// lists, filters and the board
		agent.get("/processes?definition=change.suspension&step=resume").want(t, http.StatusOK, "BG20260220-0001", "恢复用电", `value="resume" selected`)
		agent.get("/processes?definition=change.suspension&step=seal").want(t, http.StatusOK, "没有符合条件的业务流程")
		agent.get("/processes?status=bogus").want(t, http.StatusUnprocessableEntity)
		agent.get("/processes?cursor=x").want(t, http.StatusUnprocessableEntity, "编号无效")
		agent.get("/processes?customer_id="+e.cust.String()).want(t, http.StatusOK, "客户：城东机械厂", "BG20260220-0001")
		board := boss.get("/processes/board")
		board.want(t, http.StatusOK, `data-definition="change.suspension"`, "暂停用电", "办理中 1 件", "暂停申请受理", "加封", "恢复用电",
			`href="/processes?definition=change.suspension&amp;status=open&amp;step=resume"`)

		// cancel: for processes:approve only, with a reason
		agent.get(path).lacks(t, `id="act-cancel"`)
		boss.get(path).want(t, http.StatusOK, `id="act-cancel"`)
		res = boss.post(path+"/act", url.Values{"action": {"cancel"}})
		res.want(t, http.StatusUnprocessableEntity, `id="act-cancel" open`)
		if msg := fieldError(res.body, "a-cancel-comment"); !strings.Contains(msg, "理由") {
			t.Errorf("cancel error %q", msg)
		}
		act(t, boss, path, url.Values{"action": {"cancel"}, "comment": {"客户撤回申请"}})
		page = boss.get(path)
		page.want(t, http.StatusOK, `id="process-status">已撤销<`, "客户撤回申请", "撤销流程")
		page.lacks(t, `id="act-cancel"`, `id="act-complete"`)
		res = field.post(path+"/act", url.Values{"action": {"complete"}, "step": {"resume"}})
		res.want(t, http.StatusConflict, "流程已撤销，不再办理")
		res.lacks(t, "%!")
		boss.get("/processes/board").want(t, http.StatusOK, `id="board-empty"`)
	})
}

// A residential connection: a required yes/no answered by an unticked box,
// a fact recorded with its time, the clock waiting for it.
func TestProcessFacts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newProcessEnv(t, db)
		agent := e.signedIn("agent")
		path := startProcess(t, agent, url.Values{"definition": {"connection.residential"}, "service_point": {e.point.String()},
			"attr_capacity_kw": {"8"}})
		page := agent.get(path)
		page.want(t, http.StatusOK, "租用场所", "否", `id="act-fact"`, "业务费用已交清", "未记录",
			"（「受电装置检验」办结时记录）", `<option value="fees_paid"`)
		page.lacks(t, `<option value="inspection_passed"`)
		page.lacks(t, "用电地址租赁协议") // not a tenant: not asked
		res := agent.post(path+"/act", url.Values{"action": {"fact"}, "fact": {"fees_paid"}, "at": {"2099-01-01T09:00"}})
		res.want(t, http.StatusUnprocessableEntity)
		if msg := fieldError(res.body, "a-fact-at"); msg == "" {
			t.Errorf("no inline error under the fact's time\n%s", res.body)
		}
		act(t, agent, path, url.Values{"action": {"fact"}, "fact": {"fees_paid"}, "at": {"2026-02-19T15:30"}})
		agent.get(path).want(t, http.StatusOK, "已记录", "2026-02-19 15:30", "记录事实")
		res = agent.post(path+"/act", url.Values{"action": {"fact"}, "fact": {"fees_paid"}})
		res.want(t, http.StatusConflict)

		// the English page renders too
		agent.get("/lang/en?next=" + url.QueryEscape(path))
		agent.get(path).want(t, http.StatusOK, "Residential LV new connection", "Checklist", "Facts")
	})
}

// Comments and attributes typed into the forms are shown escaped on the
// process page, the list and the printed document.
func TestXSSProcessPagesEscapeInput(t *testing.T) {
	e := newProcessEnv(t, storetest.OpenSQLite(t))
	agent, field := e.signedIn("agent"), e.signedIn("field")
	path := startProcess(t, agent, e.suspension("2026-03-01", "2026-06-01"))
	act(t, agent, path, url.Values{"action": {"receive"}, "item": {"suspension_application"}})
	act(t, agent, path, url.Values{"action": {"complete"}, "comment": {xssScript}})
	act(t, field, path, url.Values{"action": {"complete"}, "comment": {xssBreak}})
	page := field.get(path)
	wantEscaped(t, "process", page, escapedXSS...)
	doc := regexp.MustCompile(`href="(` + regexp.QuoteMeta(path) + `/documents/\d+/print)"`).FindStringSubmatch(page.body)
	if doc == nil {
		t.Fatal("no document link")
	}
	wantEscaped(t, "process document", field.get(doc[1]), escapedXSS[1])
	wantEscaped(t, "process list", field.get("/processes"))
	// a refused start form shows the typed text back, escaped
	bad := e.suspension(xssScript, "2026-06-01")
	res := agent.post("/processes/new", bad)
	res.status = http.StatusOK
	wantEscaped(t, "refused start form", res, escapedXSS[0])
}

// advance takes a process to the step as the administrator: it receives
// the current step's documents and completes it with its first outcome.
func (e *processEnv) advance(id store.ID, until string) {
	e.t.Helper()
	ctx := context.Background()
	for range 30 {
		p, err := e.svc.Get(ctx, e.admin, id)
		if err != nil {
			e.t.Fatal(err)
		}
		if p.CurrentStep == until {
			return
		}
		for _, c := range p.Checklist {
			if c.Step == p.CurrentStep && c.Required && c.ReceivedAt == nil {
				if _, err := e.svc.Act(ctx, e.admin, id, process.ActionInput{Action: process.ActionReceive, Item: c.Item}); err != nil {
					e.t.Fatal(err)
				}
			}
		}
		if _, err := e.svc.Act(ctx, e.admin, id, process.ActionInput{Action: process.ActionComplete,
			Outcome: e.firstOutcome(p)}); err != nil {
			e.t.Fatalf("complete %s: %v", p.CurrentStep, err)
		}
	}
	e.t.Fatalf("process %d never reached %s", id, until)
}

// firstOutcome is the first outcome of the process's current step (the
// one that goes on).
func (e *processEnv) firstOutcome(p *process.Process) string {
	defs, err := e.svc.Definitions(context.Background(), e.admin, e.dept.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, d := range defs.Items {
		if d.Key == p.Definition {
			if st, _, ok := d.Step(p.CurrentStep); ok {
				return st.StepOutcomes()[0].Key
			}
		}
	}
	return ""
}

// An important customer's high-voltage connection: the manager returns
// the supply-plan approval (PRC-042) with a reason; at the joint
// acceptance each party countersigns through its own role (PRC-019).
func TestProcessReturnAndCountersign(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newProcessEnv(t, db)
		p, err := e.svc.Start(context.Background(), e.admin, process.StartInput{Definition: "connection.hv",
			ServicePointID: e.point, UnitID: e.dept.ID, Attributes: map[string]any{"customer_type": "industrial",
				"capacity_kva": 800.0, "sources": "single", "important": true, "tenant": false, "entrusted": false}})
		if err != nil {
			t.Fatal(err)
		}
		path := "/processes/" + p.ID.String()
		e.advance(p.ID, "plan_approval")
		boss, field := e.signedIn("boss"), e.signedIn("field")
		page := boss.get(path)
		page.want(t, http.StatusOK, `id="act-return"`, `id="outcome-done"`, "供电方案评审批准")
		field.get(path).lacks(t, `id="act-return"`, `id="act-complete"`)
		res := boss.post(path+"/act", url.Values{"action": {"return"}, "step": {"plan_approval"}})
		res.want(t, http.StatusUnprocessableEntity, `id="act-return" open`)
		if msg := fieldError(res.body, "a-return-comment"); !strings.Contains(msg, "理由") {
			t.Errorf("return error %q", msg)
		}
		act(t, boss, path, url.Values{"action": {"return"}, "step": {"plan_approval"}, "comment": {"备用电源容量不足，请重新核定"}})
		page = boss.get(path)
		page.want(t, http.StatusOK, "已退回上一步骤", `id="process-step">供电方案答复（单电源）<`, "备用电源容量不足", "第 2 轮", "已退回")

		// PRC-025: a deadline rectification notice asks for its date and prints it.
		e.advance(p.ID, "intermediate_inspection")
		page = field.get(path)
		page.want(t, http.StatusOK, `id="a-complete-due"`, `id="outcome-deadline_rectify"`)
		res = field.post(path+"/act", url.Values{"action": {"complete"}, "step": {"intermediate_inspection"},
			"outcome": {"deadline_rectify"}, "comment": {"接地电阻不合格"}})
		res.want(t, http.StatusUnprocessableEntity)
		if msg := fieldError(res.body, "a-complete-due"); !strings.Contains(msg, "期限") {
			t.Errorf("a deadline notice without its date: %q", msg)
		}
		act(t, field, path, url.Values{"action": {"complete"}, "step": {"intermediate_inspection"},
			"outcome": {"deadline_rectify"}, "comment": {"接地电阻不合格"}, "due": {"2026-03-10"}})
		got, err := e.svc.Get(context.Background(), e.admin, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		doc := got.Documents[len(got.Documents)-1]
		if doc.Kind != "deadline_rectification" {
			t.Fatalf("last document %s", doc.Kind)
		}
		field.get(path+"/documents/"+doc.ID.String()+"/print").want(t, http.StatusOK, "限期整改告知书", `id="rectify-by"`, "2026-03-11 00:00")

		e.advance(p.ID, "completion_acceptance")
		page = field.get(path)
		page.want(t, http.StatusOK, `id="countersign"`, "营销部", "安监部", `id="sign-production"`, `id="act-complete"`)
		page.lacks(t, `id="sign-safety"`, `id="sign-marketing"`)
		act(t, field, path, url.Values{"action": {"sign"}, "step": {"completion_acceptance"}, "party": {"production"}})
		page = field.get(path)
		page.want(t, http.StatusOK, "已会签", "待会签")
		page.lacks(t, `id="sign-production"`)
		res = field.post(path+"/act", url.Values{"action": {"complete"}, "step": {"completion_acceptance"}, "outcome": {"passed"}})
		res.want(t, http.StatusUnprocessableEntity, "尚待会签：营销部、安监部、调度所、施工单位（依据 PRC-018, PRC-019, PRC-026）")
		res.lacks(t, "%!")
		res = field.post(path+"/act", url.Values{"action": {"complete"}, "step": {"completion_acceptance"}, "outcome": {"failed"}})
		res.want(t, http.StatusUnprocessableEntity)
		if msg := fieldError(res.body, "a-complete-comment"); !strings.Contains(msg, "意见") {
			t.Errorf("failed without a comment: %q", msg)
		}
		res = field.post(path+"/act", url.Values{"action": {"sign"}, "step": {"completion_acceptance"}, "party": {"safety"}})
		res.want(t, http.StatusForbidden, "安监部的会签须由稽查员/安监部办理")
		res.lacks(t, "%!")
	})
}

// The list pages by 50, newest first, with a link back to the first page.
func TestProcessListPaging(t *testing.T) {
	e := newProcessEnv(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	var last string
	for i := range 52 {
		p, err := e.svc.Start(ctx, e.admin, process.StartInput{Definition: "connection.residential", ServicePointID: e.point,
			UnitID: e.dept.ID, Attributes: map[string]any{"tenant": i%2 == 0}})
		if err != nil {
			t.Fatal(err)
		}
		last = p.Number
	}
	agent := e.signedIn("agent")
	first := agent.get("/processes?definition=connection.residential")
	first.want(t, http.StatusOK, last, `id="next-page"`, "居民低压新装", "业务受理")
	if n := strings.Count(first.body, `<tr data-id=`); n != 50 {
		t.Fatalf("first page: %d rows, want 50", n)
	}
	next := regexp.MustCompile(`href="([^"]+)" id="next-page"`).FindStringSubmatch(first.body)
	second := agent.get(strings.ReplaceAll(next[1], "&amp;", "&"))
	second.want(t, http.StatusOK, "YK20260220-0001", "YK20260220-0002", "首页")
	second.lacks(t, last, `id="next-page"`)
	if n := strings.Count(second.body, `<tr data-id=`); n != 2 {
		t.Fatalf("second page: %d rows, want 2", n)
	}
}
