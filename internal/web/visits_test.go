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
	"kefu/internal/jobs"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/services"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/ticket"
	"kefu/internal/visit"
	"kefu/internal/web"
)

// pngSignature is what the signature pad sends: a PNG as a data URL.
const pngSignature = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

// visitEnv is the UI of a property company 幸福里物业 (pack property) with
// 客服中心 (an agent, the CS supervisor, a viewer and a sales agent), 管家部
// (the assistant, field_staff), the manager, and an assistant of another
// property company; closed complaints become visit candidates, drawn when
// the jobs engine fires after midnight (as in internal/visit).
type visitEnv struct {
	*env
	clk     *testClock
	tickets *ticket.Service
	visits  *visit.Service
	engine  *jobs.Engine
	agent   *auth.Principal
	admin   *auth.Principal
}

func vat(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, store.Zone)
	if err != nil {
		panic(err)
	}
	return t
}

func newVisitEnv(t *testing.T, db *store.DB) *visitEnv {
	t.Helper()
	o := org.New(org.Options{DB: db})
	a := auth.New(auth.Options{DB: db, Org: o})
	ctx := audit.WithActor(context.Background(), audit.System)
	e := &visitEnv{env: &env{t: t, org: o, auth: a}, clk: &testClock{t: vat("2026-09-14 09:00")}}
	var err error
	mk := func(parent store.ID, kind org.Kind, name, code, pack string) org.Unit {
		u, err := o.Create(ctx, org.CreateInput{ParentID: &parent, Kind: kind, Name: name, Code: code, Pack: pack})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	if e.root, err = o.EnsureRoot(ctx, "集团总部"); err != nil {
		t.Fatal(err)
	}
	e.co = mk(e.root.ID, org.Company, "幸福里物业", "XF", "property")
	e.dept = mk(e.co.ID, org.Department, "客服中心", "", "")
	butler := mk(e.co.ID, org.Department, "管家部", "", "")
	other := mk(e.root.ID, org.Company, "另一物业", "LY", "property")
	e.admin = e.user("admin", "系统管理员", e.root, auth.RoleAdmin).Principal()
	e.agent = e.user("agent", "王芳", e.dept, auth.RoleCSAgent).Principal()
	e.user("super", "李娜", e.dept, auth.RoleCSSupervisor)
	e.user("viewer", "赵看", e.dept, auth.RoleViewer)
	e.user("sales", "孙售", e.dept, auth.RoleSalesAgent)
	e.user("assistant", "陈助理", butler, auth.RoleFieldStaff)
	e.user("boss", "刘经理", e.co, auth.RoleManager)
	e.user("outsider", "外单位", other, auth.RoleFieldStaff)
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
	e.engine = jobs.NewEngine(jobs.Options{DB: db, Logger: log, Now: e.clk.Now})
	e.tickets = ticket.New(ticket.Options{DB: db, Calendars: e.cal, Policy: pols, Org: o, Customers: custs, Logger: log, Now: e.clk.Now})
	e.tickets.RegisterTimers(e.engine)
	e.visits = visit.New(visit.Options{DB: db, Calendars: e.cal, Policy: pols, Logger: log, Now: e.clk.Now})
	e.visits.RegisterTimers(e.engine)
	e.tickets.OnClose(e.visits.OnTicketClosed)
	e.srv = httptest.NewServer(web.New(services.Set{DB: db, Auth: a, Org: o, Calendars: e.cal, Policy: pols, Jobs: e.engine,
		Tickets: e.tickets, Customers: custs, Visits: e.visits, Logger: log, Version: "test", Now: e.clk.Now}))
	t.Cleanup(e.srv.Close)
	return e
}

// complaint registers a complaint at when, closes it an hour later, and
// draws the day's visits just after the next midnight (VIS-002, VIS-016).
func (e *visitEnv) complaint(when time.Time, subject string) ticket.Ticket {
	e.t.Helper()
	ctx := context.Background()
	e.clk.Set(when)
	tk, err := e.tickets.Create(ctx, e.agent, ticket.CreateInput{Category: "complaint.other", Subject: subject,
		Customer: &customer.Input{Name: "王女士", Phone: "13800000001", Address: "幸福里3栋1单元502"}})
	if err != nil {
		e.t.Fatal(err)
	}
	e.clk.Set(when.Add(time.Hour))
	for _, a := range []string{ticket.ActResolve, ticket.ActReply, ticket.ActClose} {
		if tk, err = e.tickets.Act(ctx, e.agent, tk.ID, ticket.Action{Name: a, Note: "已处理", Text: "已书面答复"}); err != nil {
			e.t.Fatalf("%s: %v", a, err)
		}
	}
	y, m, d := when.In(store.Zone).Date()
	e.clk.Set(time.Date(y, m, d+1, 0, 5, 0, 0, store.Zone))
	if _, err := e.engine.FireDue(ctx); err != nil {
		e.t.Fatal(err)
	}
	return tk
}

// visitsOf lists the visits of the work order, first round first.
func (e *visitEnv) visitsOf(number string) []*visit.Visit {
	e.t.Helper()
	all, err := e.visits.List(context.Background(), e.admin, visit.Filter{Limit: 500})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []*visit.Visit
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].RefNumber == number {
			out = append(out, all[i])
		}
	}
	return out
}

// record is a valid record form: in person, signed on the pad.
func record(result string, extra ...string) url.Values {
	f := url.Values{"mode": {"in_person"}, "result": {result}, "opinion": {"维修及时"}, "signature": {pngSignature}}
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	return f
}

func TestVisitPagesAndPermissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newVisitEnv(t, db)
		tk := e.complaint(vat("2026-09-14 10:00"), "电梯噪音扰民")
		vs := e.visitsOf(tk.Number)
		if len(vs) != 1 || vs[0].Role != "field_staff" {
			t.Fatalf("visits of %s: %+v", tk.Number, vs)
		}
		v := vs[0]
		path := "/visits/" + v.ID.String()
		assistant, agent, super := e.signedIn("assistant"), e.signedIn("agent"), e.signedIn("super")

		// the nav entry is a link now; the mine queue, due first, today highlighted
		agent.get("/").want(t, http.StatusOK, `href="/visits" data-nav="visits"`)
		e.clk.Set(time.Date(v.DueAt.Year(), v.DueAt.Month(), v.DueAt.Day(), 8, 0, 0, 0, store.Zone))
		mine := assistant.get("/visits")
		mine.want(t, http.StatusOK, `data-tab="mine" aria-current="page"`, tk.Number, "投诉回访", "第 1 轮", "待回访",
			`class="highlight vis-today"`, "今日到期", "待回访 1 件，今日到期 1 件，已超时 0 件", `href="`+path+`"`, "办理",
			`href="/tickets/`+tk.ID.String()+`"`)
		mine.lacks(t, `data-tab="signoff"`)
		e.clk.Set(vat("2026-09-15 10:00"))
		assistant.get("/visits").want(t, http.StatusOK, "待回访 1 件，今日到期 0 件，已超时 0 件")
		agent.get("/visits?tab=mine").want(t, http.StatusOK, "您没有待办的回访")
		super.get("/visits?tab=signoff").want(t, http.StatusOK, `data-tab="signoff" aria-current="page"`, "没有待签署的回访")
		agent.get("/visits?tab=all&rule=complaint&month=2026-09").want(t, http.StatusOK, tk.Number, `value="complaint" selected`)
		agent.get("/visits?tab=all&month=2026-08").want(t, http.StatusOK, "没有符合条件的回访")
		agent.get("/visits?tab=all&status=bogus").want(t, http.StatusUnprocessableEntity, `id="status"`)
		agent.get("/visits?tab=all&month=2026-9").want(t, http.StatusUnprocessableEntity, "YYYY-MM")
		agent.get("/visits?tab=all&cursor=x").want(t, http.StatusUnprocessableEntity, "游标无效")

		// who may see what
		for _, u := range []string{"sales", "viewer"} {
			c := e.signedIn(u)
			c.get("/visits").want(t, http.StatusForbidden, "visits:read")
			c.get(path).want(t, http.StatusForbidden)
			c.get("/visits/stats").want(t, http.StatusForbidden)
		}
		e.signedIn("viewer").post(path+"/record", record("satisfied")).want(t, http.StatusForbidden, "visits:act")
		outsider := e.signedIn("outsider")
		outsider.get(path).want(t, http.StatusNotFound)
		outsider.post(path+"/record", record("satisfied")).want(t, http.StatusNotFound)
		outsider.get("/visits?tab=all").lacks(t, tk.Number)
		e.user("auditor", "周稽查", e.co, auth.RoleAuditor)
		audit := e.signedIn("auditor") // reads visits, records none: no 我的回访
		audit.get("/visits").want(t, http.StatusOK, `data-tab="all" aria-current="page"`, tk.Number)
		audit.get("/visits?tab=mine").lacks(t, `data-tab="mine"`)
		agent.get("/visits/999999").want(t, http.StatusNotFound)
		agent.get("/visits/abc").want(t, http.StatusNotFound)
		e.client().get("/visits").want(t, http.StatusSeeOther)

		// the agent reads the visit but does not record it (VIS-004)
		page := agent.get(path)
		page.want(t, http.StatusOK, `id="visit-ref">`+tk.Number+`<`, `id="not-yours"`, "此回访由现场人员", "电梯噪音扰民",
			"王女士", "13800000001", "2026-09-14 11:00", `id="visit-due"`)
		page.lacks(t, `id="record-form"`, `id="review-form"`)
		res := agent.post(path+"/record", record("satisfied", "signature_paper", "1"))
		res.want(t, http.StatusForbidden, "此回访由现场人员")
		res.lacks(t, "%!")

		// the assistant's form: both modes of round 1, the pad, the times
		page = assistant.get(path)
		page.want(t, http.StatusOK, `id="record-form"`, `id="f-mode-in_person" checked`, `id="f-mode-phone"`, `<canvas id="sig-pad"`,
			`id="f-signature_paper"`, `name="reply_due_at" type="datetime-local"`, `name="next_visit_at" type="datetime-local"`,
			"客户已在纸质记录上签名", "visits.js")
		page.lacks(t, `id="f-result-satisfied" checked`)
		if !strings.Contains(page.body, `id="ref-hidden"`) && !strings.Contains(page.body, `id="ref-link"`) {
			t.Errorf("the work order is neither linked nor said to be out of scope")
		}
		wantErr := func(form url.Values, id, want string) {
			t.Helper()
			res := assistant.post(path+"/record", form)
			res.want(t, http.StatusUnprocessableEntity, `id="record-form"`)
			res.lacks(t, "%!")
			if msg := fieldError(res.body, id); !strings.Contains(msg, want) {
				t.Errorf("%s: error %q, want %q\n%s", id, msg, want, res.body)
			}
		}
		wantErr(url.Values{"mode": {"in_person"}, "signature": {pngSignature}}, "f-result", "请选择")
		wantErr(record("dissatisfied", "signature", ""), "f-signature", "签名")
		wantErr(record("dissatisfied", "signature", "javascript:alert(1)"), "f-signature", "签名")
		wantErr(record("dissatisfied", "signature", "", "signature_paper", "1"), "f-rectification", "整改")
		wantErr(record("dissatisfied", "rectification", "工程部复修"), "f-next_visit_at", "下次回访")
		wantErr(record("dissatisfied", "rectification", "工程部复修", "next_visit_at", "下周"), "f-next_visit_at", "日期")
		wantErr(record("dissatisfied", "rectification", "工程部复修", "next_visit_at", "2026-09-01T10:00"), "f-next_visit_at", "下次回访")
		wantErr(record("satisfied", "new_issue", "车库照明不足"), "f-reply_due_at", "答复时间")
		wantErr(record("satisfied", "mode", "visit"), "f-mode", "上门回访、电话回访")
		res = assistant.post(path+"/record", record("dissatisfied", "opinion", "漏水仍未修好"))
		res.want(t, http.StatusUnprocessableEntity, "漏水仍未修好", `id="f-result-dissatisfied" checked`, pngSignature)

		// recorded dissatisfied: round 2 opens at the time set (VIS-011)
		res = assistant.post(path+"/record", record("dissatisfied", "opinion", "漏水仍未修好", "rectification", "工程部维修班 3 日内复修",
			"next_visit_at", "2026-09-22T10:00", "new_issue", "车库照明不足", "reply_due_at", "2026-09-18T17:00"))
		if res.status != http.StatusSeeOther || res.location != path {
			t.Fatalf("record: %d %q\n%s", res.status, res.location, res.body)
		}
		page = assistant.get(path)
		page.want(t, http.StatusOK, "已按约定时间生成下一轮回访", `id="visit-status">已回访<`, `id="record-mode">上门回访<`,
			`id="record-signed"`, "客户已签名", `id="record-result">不满意<`, "工程部维修班 3 日内复修", "车库照明不足",
			"约定 2026-09-18 17:00 前答复", "陈助理", `id="next-round"`, "等待客服主管检查签署")
		page.lacks(t, `id="record-form"`, `id="review-form"`, `id="record-stamp"`)
		assistant.post(path+"/record", record("satisfied")).want(t, http.StatusConflict, "回访已办理")
		vs = e.visitsOf(tk.Number)
		if len(vs) != 2 || vs[1].Round != 2 {
			t.Fatalf("round 2: %+v", vs)
		}
		path2 := "/visits/" + vs[1].ID.String()
		if !strings.Contains(page.body, `href="`+path2+`" id="next-round"`) {
			t.Errorf("no link to round 2")
		}
		page = assistant.get(path2)
		page.want(t, http.StatusOK, `id="visit-round">第 2 轮<`, `href="`+path+`" id="previous-round"`, `id="f-mode-in_person" checked`, "2026-09-22 10:00")
		page.lacks(t, `id="f-mode-phone"`) // VIS-010: phone from round 3
		assistant.get("/visits").want(t, http.StatusOK, "第 2 轮")

		// the sign-off: the CS supervisor's only (VIS-009)
		assistant.post(path+"/review", url.Values{"opinion": {"已核实"}}).want(t, http.StatusForbidden, "客服主管")
		e.signedIn("boss").get(path).lacks(t, `id="review-form"`)
		stats := super.get("/visits/stats?month=2026-09")
		stats.want(t, http.StatusOK, `data-rule="complaint"`, "投诉回访", `data-k="population">1`, `data-k="quota">1`,
			`data-k="done">1`, `data-k="signed_off">0<`, `data-k="follow_ups">1<`, `vis-rate vis-short`, "0.00%", "已签署 0 件，少于应回访 1 件")
		super.get("/visits?tab=signoff").want(t, http.StatusOK, tk.Number, "签署")
		page = super.get(path)
		page.want(t, http.StatusOK, `id="review-form"`, "检查意见")
		res = super.post(path+"/review", url.Values{"opinion": {"  "}})
		res.want(t, http.StatusUnprocessableEntity, `id="review-form"`)
		if msg := fieldError(res.body, "r-opinion"); !strings.Contains(msg, "检查意见") {
			t.Errorf("sign-off without an opinion: %q", msg)
		}
		res = super.post(path+"/review", url.Values{"opinion": {"已电话核实，维修已安排"}})
		if res.status != http.StatusSeeOther || res.location != path {
			t.Fatalf("review: %d %q\n%s", res.status, res.location, res.body)
		}
		page = super.get(path)
		page.want(t, http.StatusOK, "回访已签署", `id="visit-status">已签署<`, `id="review-opinion">已电话核实，维修已安排<`, "李娜")
		page.lacks(t, `id="review-form"`)
		super.post(path+"/review", url.Values{"opinion": {"再签"}}).want(t, http.StatusConflict, "只有已办理的回访可以签署")
		stats = super.get("/visits/stats?month=2026-09")
		stats.want(t, http.StatusOK, `data-k="signed_off">1<`, "100.00%", `href="/visits?month=2026-09&amp;rule=complaint&amp;tab=all"`)
		stats.lacks(t, "vis-short")
		super.get("/visits/stats?month=2026-13").want(t, http.StatusUnprocessableEntity, `id="f-month-err"`)
		super.get("/visits/stats?month=2026-08").want(t, http.StatusOK, "本月没有回访样本", `href="/visits/stats?month=2026-07"`,
			`id="visitors-empty"`)

		// round 2 in person again, round 3 by phone: stamped 电话回访 (VIS-008)
		e.clk.Set(vat("2026-09-22 10:00"))
		res = assistant.post(path2+"/record", record("dissatisfied", "signature", "", "signature_paper", "1",
			"rectification", "更换阀门", "next_visit_at", "2026-09-29T10:00"))
		if res.status != http.StatusSeeOther {
			t.Fatalf("round 2: %d\n%s", res.status, res.body)
		}
		vs = e.visitsOf(tk.Number)
		path3 := "/visits/" + vs[2].ID.String()
		assistant.get(path3).want(t, http.StatusOK, `id="f-mode-phone"`)
		res = assistant.post(path3+"/record", url.Values{"mode": {"phone"}, "result": {"satisfied"}, "opinion": {"已修好"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("round 3: %d\n%s", res.status, res.body)
		}
		page = assistant.get(path3)
		page.want(t, http.StatusOK, `id="record-stamp">电话回访<`, `id="record-mode">电话回访<`, `id="record-result">满意<`)
		page.lacks(t, `id="record-signature"`)

		// the English pages render too
		super.get("/lang/en?next=" + url.QueryEscape(path))
		super.get(path).want(t, http.StatusOK, "Return visits", "Visit record", "Supervisor&#39;s sign-off", "In person")
		super.get("/visits?tab=all").want(t, http.StatusOK, "To sign off", "Complaint return visit")
		super.get("/visits/stats?month=2026-09").want(t, http.StatusOK, "Visit rate", "Follow-up rounds")
	})
}

// Opinions, issues and rectifications typed into the forms are shown
// escaped on the visit page and the list.
func TestXSSVisitPagesEscapeInput(t *testing.T) {
	e := newVisitEnv(t, storetest.OpenSQLite(t))
	tk := e.complaint(vat("2026-09-14 10:00"), xssScript)
	v := e.visitsOf(tk.Number)[0]
	path := "/visits/" + v.ID.String()
	assistant, super := e.signedIn("assistant"), e.signedIn("super")
	e.clk.Set(vat("2026-09-15 10:00"))
	// a refused form shows the typed text back, escaped
	res := assistant.post(path+"/record", record("dissatisfied", "opinion", xssScript, "rectification", xssBreak))
	res.status = http.StatusOK
	wantEscaped(t, "refused record form", res, escapedXSS...)
	res = assistant.post(path+"/record", record("dissatisfied", "opinion", xssScript, "rectification", xssBreak,
		"new_issue", xssURL, "reply_due_at", "2026-09-18T17:00", "next_visit_at", "2026-09-22T10:00"))
	if res.status != http.StatusSeeOther {
		t.Fatalf("record: %d\n%s", res.status, res.body)
	}
	res = super.post(path+"/review", url.Values{"opinion": {xssBreak + " " + xssScript}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("review: %d\n%s", res.status, res.body)
	}
	page := super.get(path)
	wantEscaped(t, "visit", page, escapedXSS...)
	if !strings.Contains(page.body, "javascript:alert(1)//3栋1单元502") {
		t.Errorf("visit page lacks the new issue text")
	}
	wantEscaped(t, "visit list", super.get("/visits?tab=all"))
	if regexp.MustCompile(`<script>`).MatchString(strings.ReplaceAll(page.body, `<script src=`, "")) {
		t.Errorf("a script element in the page")
	}
}
