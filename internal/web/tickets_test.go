package web_test

import (
	"context"
	"encoding/json"
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
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/services"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/web"
)

// ticketEnv is the UI with policy packs and notifications: 集团总部 →
// 物业公司 (pack property) → 客服中心 and 工程部, with an agent, a
// supervisor, a field worker, a viewer and a manager.
type ticketEnv struct {
	*env
	ntf  *notify.Service
	eng  org.Unit
	ids  map[string]store.ID
	pols *policy.Registry
}

func newTicketEnv(t *testing.T) *ticketEnv {
	t.Helper()
	db := storetest.OpenSQLite(t)
	o := org.New(org.Options{DB: db})
	a := auth.New(auth.Options{DB: db, Org: o})
	ctx := audit.WithActor(context.Background(), audit.System)
	e := &ticketEnv{env: &env{t: t, org: o, auth: a}, ids: map[string]store.ID{}}
	var err error
	if e.root, err = o.EnsureRoot(ctx, "集团总部"); err != nil {
		t.Fatal(err)
	}
	if e.co, err = o.Create(ctx, org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "物业公司", Code: "WY", Pack: "property"}); err != nil {
		t.Fatal(err)
	}
	if e.dept, err = o.Create(ctx, org.CreateInput{ParentID: &e.co.ID, Kind: org.Department, Name: "客服中心"}); err != nil {
		t.Fatal(err)
	}
	if e.eng, err = o.Create(ctx, org.CreateInput{ParentID: &e.co.ID, Kind: org.Department, Name: "工程部"}); err != nil {
		t.Fatal(err)
	}
	e.ids["admin"] = e.user("admin", "系统管理员", e.root, auth.RoleAdmin).ID
	e.ids["agent"] = e.user("agent", "王芳", e.dept, auth.RoleCSAgent).ID
	e.ids["fixer"] = e.user("fixer", "张师傅", e.eng, auth.RoleFieldStaff).ID
	e.ids["viewer"] = e.user("viewer", "赵看", e.co, auth.RoleViewer).ID
	e.ids["boss"] = e.user("boss", "刘经理", e.co, auth.RoleManager).ID
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.cal = calendar.NewRegistry(calendar.RegistryOptions{DB: db, Logger: log})
	if err := e.cal.Load(ctx); err != nil {
		t.Fatal(err)
	}
	e.pols = policy.NewRegistry(policy.Options{DB: db, Org: o, Calendars: e.cal, Logger: log})
	if err := e.pols.Load(ctx); err != nil {
		t.Fatal(err)
	}
	e.ntf = notify.New(notify.Options{DB: db, Logger: log})
	h := web.New(services.Set{DB: db, Auth: a, Org: o, Calendars: e.cal, Policy: e.pols, Notify: e.ntf, Logger: log, Version: "test"})
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	return e
}

// intake is a valid intake form for property / repair.simple.
func intake(subject string) url.Values {
	return url.Values{"phone": {"138 0013 8000"}, "name": {"陈先生"}, "address": {"3栋1单元502"},
		"category": {"repair.simple"}, "subject": {subject}, "channel": {"phone"}}
}

// create registers a work order as c and returns its page path.
func create(t *testing.T, c *client, form url.Values) string {
	t.Helper()
	res := c.post("/tickets/new", form)
	if res.status != http.StatusSeeOther || !regexp.MustCompile(`^/tickets/\d+(\?dup=[\d,]+)?$`).MatchString(res.location) {
		t.Fatalf("create: status %d, location %q\n%s", res.status, res.location, res.body)
	}
	path, _, _ := strings.Cut(res.location, "?")
	return path
}

func TestTicketPagesPermissions(t *testing.T) {
	e := newTicketEnv(t)
	agent := e.signedIn("agent")
	home := agent.get("/")
	home.want(t, http.StatusOK, `href="/tickets"`, `id="bell"`)
	form := agent.get("/tickets/new")
	form.want(t, http.StatusOK, `id="ticket-form"`, `name="phone"`, "autofocus", `<optgroup label="报修">`,
		`value="repair.simple"`, `value="phone" selected`, `id="f-received_at"`, "物业")
	path := create(t, agent, intake("卫生间灯泡不亮"))

	viewer := e.signedIn("viewer")
	viewer.get("/tickets").want(t, http.StatusOK, "卫生间灯泡不亮")
	viewer.get(path).want(t, http.StatusOK, "卫生间灯泡不亮")
	viewer.get(path).lacks(t, `id="actions"`)
	viewer.get("/tickets/new").want(t, http.StatusForbidden, "tickets:create")
	viewer.post("/tickets/new", intake("x")).want(t, http.StatusForbidden)
	viewer.post(path+"/act", url.Values{"action": {"accept"}}).want(t, http.StatusForbidden, "tickets:act")
	viewer.get("/tickets/customers?phone=138").want(t, http.StatusForbidden)

	// field staff may act but not register; they see the work order once it is their unit's
	fixer := e.signedIn("fixer")
	fixer.get("/tickets/new").want(t, http.StatusForbidden)
	fixer.get(path).want(t, http.StatusNotFound)
	agent.post(path+"/act", url.Values{"action": {"assign"}, "org_unit": {e.eng.ID.String()}}).want(t, http.StatusSeeOther)
	page := fixer.get(path)
	page.want(t, http.StatusOK, `id="act-accept"`, `id="act-resolve"`)
	page.lacks(t, `id="act-close"`, `id="act-approve_extension"`)
	res := fixer.post(path+"/act", url.Values{"action": {"accept"}, "note": {"马上到"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("accept: %d\n%s", res.status, res.body)
	}
	fixer.get(path).want(t, http.StatusOK, "处理中", "接单", "马上到", "张师傅")

	// signed out: to the login page
	e.client().get("/tickets").want(t, http.StatusSeeOther)
}

func TestTicketIntakeErrorsInline(t *testing.T) {
	e := newTicketEnv(t)
	agent := e.signedIn("agent")
	bad := intake("漏水")
	bad.Del("category")
	bad.Set("phone", "12ab")
	res := agent.post("/tickets/new", bad)
	res.want(t, http.StatusUnprocessableEntity, `id="ticket-form"`, "漏水", "陈先生")
	if msg := fieldError(res.body, "f-category"); msg == "" {
		t.Errorf("no inline error under the category\n%s", res.body)
	}
	bad.Set("category", "repair.simple")
	res = agent.post("/tickets/new", bad)
	res.want(t, http.StatusUnprocessableEntity)
	if msg := fieldError(res.body, "f-phone"); !strings.Contains(msg, "电话") {
		t.Errorf("phone error %q", msg)
	}
	future := intake("补录")
	future.Set("received_at", "2099-01-01T09:00")
	res = agent.post("/tickets/new", future)
	res.want(t, http.StatusUnprocessableEntity)
	if msg := fieldError(res.body, "f-received_at"); msg == "" {
		t.Errorf("no inline error under received_at")
	}
	garbled := intake("补录")
	garbled.Set("received_at", "昨天")
	res = agent.post("/tickets/new", garbled)
	res.want(t, http.StatusUnprocessableEntity)
	if msg := fieldError(res.body, "f-received_at"); !strings.Contains(msg, "有效的日期") {
		t.Errorf("received_at error %q", msg)
	}
}

func TestTicketQueueAndPage(t *testing.T) {
	e := newTicketEnv(t)
	agent := e.signedIn("agent")
	back := intake("楼道灯不亮")
	back.Set("received_at", "2026-03-10T16:30")
	back.Set("received_default", "2026-11-20T09:00")
	path := create(t, agent, back)
	create(t, agent, intake("门禁坏了"))

	list := agent.get("/tickets")
	list.want(t, http.StatusOK, `id="tickets-table"`, "楼道灯不亮", "门禁坏了", "陈先生", "简单维修", "已受理", `class="due due-`)
	agent.get("/tickets?q="+url.QueryEscape("门禁")).lacks(t, "楼道灯不亮")
	// the back-entered one is overdue, not due soon; the new one not yet due
	agent.get("/tickets?tab=due").want(t, http.StatusOK, "没有符合条件的工单")
	agent.get("/tickets?tab=open").want(t, http.StatusOK, "楼道灯不亮", "门禁坏了")
	agent.get("/tickets?tab=mine").want(t, http.StatusOK, "没有符合条件的工单")
	agent.get("/tickets?status=bogus").want(t, http.StatusUnprocessableEntity)

	// the back-entered work order: received 2026-03-10 16:30, resolve hd on cn-office → 03-11 11:00 (TKT-021 example)
	page := agent.get(path)
	page.want(t, http.StatusOK, "2026-03-11 11:00", "超时", `id="timeline"`, "受理登记", `id="act-assign"`)
	page.lacks(t, `id="act-close"`)

	// the customer lookup finds the caller by a fragment of the number
	res := agent.get("/tickets/customers?phone=0013")
	res.want(t, http.StatusOK)
	var got []struct {
		Name    string `json:"name"`
		Tickets int    `json:"tickets"`
	}
	if err := json.Unmarshal([]byte(res.body), &got); err != nil || len(got) != 1 || got[0].Name != "陈先生" || got[0].Tickets != 2 {
		t.Errorf("lookup: %v %+v\n%s", err, got, res.body)
	}
	agent.get("/tickets/customers?phone=99").want(t, http.StatusOK, "[]")

	// an action the state does not allow (close a new work order) is shown as an alert
	res = agent.post(path+"/act", url.Values{"action": {"close"}})
	res.want(t, http.StatusConflict, `class="alert alert-error"`)
	// an error of a field is shown under it in the open form
	res = agent.post(path+"/act", url.Values{"action": {"assign"}})
	res.want(t, http.StatusUnprocessableEntity, `id="act-assign" open`)
	if msg := fieldError(res.body, "a-assign-org_unit"); msg == "" {
		t.Errorf("no inline error under the unit picker\n%s", res.body)
	}
	res = agent.post(path+"/act", url.Values{"action": {"assign"}, "org_unit": {e.eng.ID.String()}, "user_id": {e.ids["fixer"].String()}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("assign: %d\n%s", res.status, res.body)
	}
	agent.get(path).want(t, http.StatusOK, "已派单", "工程部", "张师傅")

	// the fixer was told: the bell counts it, the page lists it, read-all clears it
	fixer := e.signedIn("fixer")
	fixer.get("/").want(t, http.StatusOK, `id="bell-count">1<`)
	fixer.get("/notifications").want(t, http.StatusOK, "已派给您", `id="read-all"`)
	fixer.post("/notifications/read-all", nil).want(t, http.StatusSeeOther)
	fixer.get("/").lacks(t, `id="bell-count"`)

	sheet := agent.get(path + "/print")
	sheet.want(t, http.StatusOK, `id="ticket-sheet"`, "工　单", "经办人签字", "客户意见", "客户签字", "处理过程", "处理结果", "备　　注", "陈先生", "楼道灯不亮")
}
