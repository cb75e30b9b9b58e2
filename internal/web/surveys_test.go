package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"kefu/internal/app"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/config"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/survey"
)

// surveyEnv is kefu as it runs — app.Open on a fresh SQLite data
// directory, served through app.Handler with its cross-origin protection
// and Content-Security-Policy — with the property company 幸福里物业 (pack
// property): 客服中心 with the CS supervisor 李娜 (super) and the agent 王芳
// (agent), 管家部 with the assistant 陈助理 (field_staff, assistant).
type surveyEnv struct {
	*env
	app    *app.App
	butler org.Unit
}

func newSurveyEnv(t *testing.T) *surveyEnv {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.System)
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	e := &surveyEnv{env: &env{t: t, org: a.Org, auth: a.Auth, cal: a.Calendars}, app: a}
	if e.root, err = a.Org.EnsureRoot(ctx, "集团总部"); err != nil {
		t.Fatal(err)
	}
	mk := func(parent store.ID, kind org.Kind, name, code, pack string) org.Unit {
		u, err := a.Org.Create(ctx, org.CreateInput{ParentID: &parent, Kind: kind, Name: name, Code: code, Pack: pack})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	e.co = mk(e.root.ID, org.Company, "幸福里物业", "XF", "property")
	e.dept = mk(e.co.ID, org.Department, "客服中心", "", "")
	butler := mk(e.co.ID, org.Department, "管家部", "", "")
	e.user("super", "李娜", e.dept, auth.RoleCSSupervisor)
	e.user("agent", "王芳", e.dept, auth.RoleCSAgent)
	e.user("assistant", "陈助理", butler, auth.RoleFieldStaff)
	e.user("reviewer", "周审", e.dept, auth.RoleCSSupervisor)
	e.user("manager", "张经理", e.co, auth.RoleManager)
	e.butler = butler
	e.srv = httptest.NewServer(a.Handler())
	t.Cleanup(e.srv.Close)
	return e
}

// today is the date in Beijing.
func surveyToday() calendar.Date { return calendar.DateOf(time.Now().In(store.Zone)) }

// surveyPlan is a valid plan form on the owners' questionnaire (or by hand
// when questionnaire is ""), running from today for a month.
func surveyPlan(title, questionnaire string, households int, extra ...string) url.Values {
	d := surveyToday()
	f := url.Values{"title": {title}, "purpose": {"了解业主对物业服务的满意程度"}, "scope": {"幸福里小区全体入住业主"},
		"channel": {"paper"}, "starts_on": {d.String()}, "ends_on": {d.AddMonths(1).String()},
		"households": {strconv.Itoa(households)}, "penalties": {"弄虚作假者扣当月绩效 200 元"}, "questionnaire": {questionnaire}}
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	return f
}

// plan creates a campaign through the plan form and returns its page.
func (e *surveyEnv) plan(c *client, form url.Values) string {
	e.t.Helper()
	res := c.post("/surveys", form)
	if res.status != http.StatusSeeOther || !regexp.MustCompile(`^/surveys/\d+$`).MatchString(res.location) {
		e.t.Fatalf("plan: %d %q\n%s", res.status, res.location, res.body)
	}
	return res.location
}

// approvePlan takes the plan of the campaign at path through its approval
// on the campaign page (SUR-002): 李娜 submits it, 周审 reviews it, 张经理
// approves it.
func (e *surveyEnv) approvePlan(path string) {
	e.t.Helper()
	for _, step := range []struct{ user, action string }{{"super", "submit"}, {"reviewer", "review"}, {"manager", "approve"}} {
		res := e.signedIn(step.user).post(path+"/"+step.action, url.Values{"opinion": {"同意"}})
		if res.status != http.StatusSeeOther {
			e.t.Fatalf("%s %s: %d\n%s", step.user, step.action, res.status, res.body)
		}
	}
}

// forms lists a campaign's forms, by serial.
func (e *surveyEnv) forms(path string) []*survey.Form {
	e.t.Helper()
	id, err := store.ParseID(strings.TrimPrefix(path, "/surveys/"))
	if err != nil {
		e.t.Fatal(err)
	}
	admin := &auth.Principal{Username: "system", Roles: []auth.Role{auth.RoleAdmin}}
	fs, err := e.app.Surveys.Forms(context.Background(), admin, id, survey.FormFilter{Limit: 500})
	if err != nil {
		e.t.Fatal(err)
	}
	return fs
}

// ownerAnswers answers every scale question of the owners' questionnaire
// with option, and the comment.
func ownerAnswers(option, comment string) url.Values {
	f := url.Values{}
	for _, q := range []string{"overall", "inquiry", "phone", "reception", "customer_reception", "repair_intake",
		"consultation", "complaints", "activities", "return_visits", "special_services", "notices"} {
		f.Set("answers."+q, option)
	}
	if comment != "" {
		f.Set("answers.suggestions", comment)
	}
	return f
}

func with(f url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// TestSurveyPlanAndIssueForms: the supervisor finds 满意度调查 in the
// navigation, is refused a bad plan field by field, plans a campaign on
// the owners' questionnaire and issues forms from the households textarea;
// an error of one household is shown under the textarea naming its line.
func TestSurveyPlanAndIssueForms(t *testing.T) {
	e := newSurveyEnv(t)
	super := e.signedIn("super")
	super.get("/").want(t, http.StatusOK, `href="/surveys" data-nav="surveys"`)
	super.get("/surveys").want(t, http.StatusOK, "满意度调查", `id="new-survey"`, "没有符合条件的调查")
	page := super.get("/surveys/new")
	page.want(t, http.StatusOK, `id="plan-form"`, `<option value="owner">业主满意度调查表</option>`, "不用问卷，手工登记份数",
		">电话<", ">电子邮件<", ">传真<", ">面谈<", `value="paper" selected>纸质问卷<`, `name="starts_on" type="date" value="`+surveyToday().String()+`"`)

	// refusals name the field, the form keeps what was typed
	res := super.post("/surveys", surveyPlan("", "owner", 10))
	res.want(t, http.StatusUnprocessableEntity, `id="plan-form"`, "了解业主对物业服务的满意程度")
	if msg := fieldError(res.body, "f-title"); msg != "必填项" {
		t.Errorf("no title: %q", msg)
	}
	res = super.post("/surveys", surveyPlan("2026 业主满意度调查", "owner", 10, "ends_on", "2020-01-01"))
	if msg := fieldError(res.body, "f-ends_on"); !strings.Contains(msg, "不能早于开始日期") {
		t.Errorf("ends before it starts: %q\n%s", msg, res.body)
	}
	res = super.post("/surveys", surveyPlan("2026 业主满意度调查", "owner", 10, "households", "十户"))
	res.want(t, http.StatusUnprocessableEntity)
	if msg := fieldError(res.body, "f-households"); msg != "请填写整数" {
		t.Errorf("households not a number: %q", msg)
	}
	res = super.post("/surveys", surveyPlan("2026 业主满意度调查", "visit_report", 10))
	if msg := fieldError(res.body, "f-questionnaire"); !strings.Contains(msg, "没有问卷") {
		t.Errorf("unknown questionnaire: %q", msg)
	}

	path := e.plan(super, surveyPlan("2026 年上半年业主满意度调查", "owner", 10))
	page = super.get(path)
	page.want(t, http.StatusOK, "调查已创建", `id="survey-status">计划中<`, "业主满意度调查表", `id="issue-form"`,
		`id="rates-table"`, "数据不足", "弄虚作假者扣当月绩效 200 元", `id="close-form"`)

	// one household a line; the errors name the line
	issue := func(text string) response {
		t.Helper()
		return super.post(path+"/forms", url.Values{"households": {text}})
	}
	lineErr := func(text, want string, status int) {
		t.Helper()
		res := issue(text)
		res.want(t, status, `id="issue-form"`)
		if msg := fieldError(res.body, "f-households"); !strings.Contains(msg, want) {
			t.Errorf("%q: error %q, want %q", text, msg, want)
		}
		if !strings.Contains(res.body, ">"+text+"</textarea>") {
			t.Errorf("%q: the textarea lost its text", text)
		}
	}
	lineErr("1-101,张三,13800000001\n,李四,13800000002", "第 2 行（房号）：必填项", http.StatusUnprocessableEntity)
	lineErr("1-101,张三\n1-102\n1-101，李四", "第 3 行（房号）：房号 1-101 与第 1 行重复", http.StatusUnprocessableEntity)
	lineErr("1-101,张三,138,备注", "第 1 行（格式）：每行最多三项", http.StatusUnprocessableEntity)
	lineErr("1-101\n1-102\n1-103\n1-104\n1-105\n1-106\n1-107\n1-108\n1-109\n1-110\n1-111", "不能超过入住总户数", http.StatusUnprocessableEntity)
	if msg := fieldError(issue("").body, "f-households"); msg != "必填项" {
		t.Errorf("empty textarea: %q", msg)
	}

	res = issue("1-101,张三,13800000001\r\n1-102,李四,13800000002\r\n1-103\t王五\t13800000003\r\n")
	if res.status != http.StatusSeeOther {
		t.Fatalf("issue: %d\n%s", res.status, res.body)
	}
	// Before approval the list says the plan is a draft (SUR-002).
	super.get("/surveys").want(t, http.StatusOK, `data-plan="draft"`, "策划书：草稿")
	e.approvePlan(path) // the forms are the plan's sample (SUR-002)
	super.get("/surveys").lacks(t, `data-plan=`)
	page = super.get(path)
	page.want(t, http.StatusOK, `id="survey-status">进行中<`, "已发放 3 份，已回收 0 份", "1-101", "张三", "1-103", "王五")
	if n := strings.Count(page.body, `<tr data-form="`); n != 3 {
		t.Errorf("forms listed: %d, want 3", n)
	}
	lineErr("1-104\n1-102,李四", "第 2 行（房号）：房号 1-102 已发放调查表", http.StatusConflict)
	super.get(path+"?forms=returned").want(t, http.StatusOK, "还没有调查表")
	super.get(path+"?forms=bogus").want(t, http.StatusOK, "1-101")

	// the list: the new campaign, distribution 30 % below the 80 % target
	list := super.get("/surveys?status=running")
	list.want(t, http.StatusOK, "2026 年上半年业主满意度调查", `badge sur-rate badge-red" title="目标 ≥ 80%">30.00%`)
	super.get("/surveys?status=closed").want(t, http.StatusOK, "没有符合条件的调查")
	super.get("/surveys?status=bogus").want(t, http.StatusUnprocessableEntity)
	super.get("/surveys/999999").want(t, http.StatusNotFound)
	super.get("/surveys/abc/forms/1").want(t, http.StatusNotFound)
}

// TestSurveyFieldStaffAnswers: the property assistant (field_staff) opens a
// form and answers it with the customer, but may not plan a survey, issue
// forms or draw them for verification; the agent is refused the
// verification too.
func TestSurveyFieldStaffAnswers(t *testing.T) {
	e := newSurveyEnv(t)
	super, assistant, agent := e.signedIn("super"), e.signedIn("assistant"), e.signedIn("agent")
	path := e.plan(super, surveyPlan("业主满意度调查", "owner", 10))
	super.post(path+"/forms", url.Values{"households": {"3-1-502,王女士,13800000001\n3-1-601"}}).want(t, http.StatusSeeOther)
	e.approvePlan(path)
	fs := e.forms(path)
	form := path + "/forms/" + fs[0].ID.String()

	assistant.get("/surveys/new").want(t, http.StatusForbidden, "surveys:write")
	assistant.post("/surveys", surveyPlan("越权", "", 10)).want(t, http.StatusForbidden)
	list := assistant.get("/surveys")
	list.want(t, http.StatusOK, "业主满意度调查")
	list.lacks(t, `id="new-survey"`)
	camp := assistant.get(path)
	camp.want(t, http.StatusOK, "3-1-502", "填写")
	camp.lacks(t, `id="issue-form"`, `id="draw-form"`, `id="close-form"`, `id="counts-form"`)

	page := assistant.get(form)
	page.want(t, http.StatusOK, `id="record-form"`, "visits.js", "surveys.js", `<canvas id="sig-pad"`, `id="f-channel-phone" checked`,
		`id="f-channel-face_to_face"`, `id="f-channel-paper"`, "电话调查", "当面", "纸质表录入", "您对物业服务的总体评价",
		`name="answers.overall" value="very_satisfied"`, "非常满意", `name="answers.suggestions"`, `id="link-form"`,
		"王女士", "13800000001")
	if !regexp.MustCompile(`id="signature-field" data-when-channel="face_to_face" hidden`).MatchString(page.body) {
		t.Errorf("the signature pad shows for a phone answer")
	}
	// a question left out, the signature missing in person: named inline
	res := assistant.post(form+"/answers", with(ownerAnswers("satisfied", ""), "channel", "phone", "answers.overall", ""))
	res.want(t, http.StatusUnprocessableEntity, `id="record-form"`, `id="q-inquiry-satisfied" checked`)
	if msg := fieldError(res.body, "q-overall"); !strings.Contains(msg, "须作答") {
		t.Errorf("overall left out: %q", msg)
	}
	res = assistant.post(form+"/answers", with(ownerAnswers("satisfied", ""), "channel", "face_to_face"))
	res.want(t, http.StatusUnprocessableEntity, `id="f-channel-face_to_face" checked`)
	if msg := fieldError(res.body, "f-signature"); !strings.Contains(msg, "签名") {
		t.Errorf("in person without a signature: %q", msg)
	}
	res = assistant.post(form+"/answers", with(ownerAnswers("satisfied", ""), "channel", "visit"))
	if msg := fieldError(res.body, "f-channel"); msg == "" {
		t.Errorf("a bad channel is not named")
	}
	res = assistant.post(form+"/answers", with(ownerAnswers("satisfied", "电梯等候时间长"), "channel", "face_to_face",
		"signature", pngSignature))
	if res.status != http.StatusSeeOther || res.location != form {
		t.Fatalf("answer: %d %q\n%s", res.status, res.location, res.body)
	}
	page = assistant.get(form)
	page.want(t, http.StatusOK, "调查表已回收", `id="form-status">已回收<`, `id="answer-satisfied">满意<`, `id="answer-signed"`,
		`id="form-channel">当面<`, "电梯等候时间长", "陈助理")
	page.lacks(t, `id="record-form"`, `id="link-form"`)
	assistant.post(form+"/answers", with(ownerAnswers("satisfied", ""), "channel", "phone")).want(t, http.StatusConflict, "已回收")

	// planning, issuing and verification are the supervisor's
	assistant.post(path+"/verification", nil).want(t, http.StatusForbidden, "surveys:write")
	agent.post(path+"/verification", nil).want(t, http.StatusForbidden, "surveys:write")
	agent.post(path+"/forms/"+fs[0].ID.String()+"/verify", url.Values{"result": {"genuine"}}).want(t, http.StatusForbidden)
	agent.post(path+"/forms", url.Values{"households": {"9-9-909"}}).want(t, http.StatusForbidden)
	agent.get(path).lacks(t, `id="draw-form"`, `id="verify-`)
	e.client().get(path).want(t, http.StatusSeeOther)
}

// TestSurveyCountsByHand: a paper campaign without a questionnaire gets its
// counts typed in; an inconsistent count is refused under its input; the
// rates of RPT-004's example come out with the SUR-007 deduction.
func TestSurveyCountsByHand(t *testing.T) {
	e := newSurveyEnv(t)
	super := e.signedIn("super")
	path := e.plan(super, surveyPlan("纸质问卷调查", "", 1200))
	page := super.get(path)
	page.want(t, http.StatusOK, `id="counts-form"`, "不用问卷，手工登记份数")
	page.lacks(t, `id="issue-form"`, `id="forms-table"`)
	super.post(path+"/forms", url.Values{"households": {"1-101"}}).want(t, http.StatusConflict, `id="top-alert">本调查未选用问卷`)
	e.approvePlan(path)
	counts := url.Values{"households": {"1200"}, "distributed": {"960"}, "returned": {"773"}, "verified": {"39"},
		"genuine": {"39"}, "answered": {"773"}, "satisfied": {"711"}}
	res := super.post(path+"/counts", with(counts, "returned", "990"))
	res.want(t, http.StatusUnprocessableEntity, `id="counts-form"`)
	if msg := fieldError(res.body, "c-returned"); !strings.Contains(msg, "不能大于发放份数") {
		t.Errorf("returned above distributed: %q", msg)
	}
	res = super.post(path+"/counts", with(counts, "genuine", "x"))
	if msg := fieldError(res.body, "c-genuine"); msg != "请填写整数" {
		t.Errorf("genuine not a number: %q", msg)
	}
	super.post(path+"/counts", counts).want(t, http.StatusSeeOther)
	page = super.get(path)
	page.want(t, http.StatusOK, "调查数据已登记", `id="survey-status">进行中<`)
	for k, want := range map[string]string{"distribution": "80.00%", "return": "80.52%", "verification": "5.05%",
		"authenticity": "100.00%", "raw": "91.98%", "deduction": "4.48", "satisfaction": "87.50%"} {
		if !regexp.MustCompile(`data-k="` + k + `">\s*<td><b>[^<]*</b></td>\s*<td class="num sur-value">` + regexp.QuoteMeta(want) + `<`).MatchString(page.body) {
			t.Errorf("rate %s: want %s", k, want)
		}
	}
	if !strings.Contains(page.body, "须核实至少 39 份（回收份数的 5%，向上取整），已核实 39 份") {
		t.Errorf("the verification quota is not shown")
	}
	report := super.get(path + "/report")
	report.want(t, http.StatusOK, "满意度调查报告", `id="export-xlsx"`, "87.50%", "已扣减", "未达标")
	report.lacks(t, `class="sur-chart"`) // no questionnaire, no charts
}

// TestSurveyVerificationReportAndClose: forms come back, one is drawn for
// verification and found fake (a note required); the report names its
// distributor and charts the answers; the campaign closes only with the
// improvement plan, then shows the retention dates, and its customers'
// links are gone (410).
func TestSurveyVerificationReportAndClose(t *testing.T) {
	e := newSurveyEnv(t)
	super := e.signedIn("super")
	path := e.plan(super, surveyPlan("业主满意度调查", "owner", 4))
	super.post(path+"/forms", url.Values{"households": {"1-101\n1-102\n1-103"}, "distributor_id": {e.userID("assistant")}}).want(t, http.StatusSeeOther)
	e.approvePlan(path)
	fs := e.forms(path)
	for i, opt := range []string{"very_satisfied", "neutral"} {
		res := super.post(path+"/forms/"+fs[i].ID.String()+"/answers", with(ownerAnswers(opt, "绿化要加强"), "channel", "paper"))
		if res.status != http.StatusSeeOther {
			t.Fatalf("answer %d: %d\n%s", i, res.status, res.body)
		}
	}
	// a link for the third form, before the close
	res := super.post(path+"/forms/"+fs[2].ID.String()+"/link", nil)
	res.want(t, http.StatusOK, `id="link-url"`, "链接只显示这一次")
	token := regexp.MustCompile(`id="link-url" value="http://[^/]+/s/([A-Za-z0-9_-]+)"`).FindStringSubmatch(res.body)
	if token == nil {
		t.Fatalf("no link shown\n%s", res.body)
	}
	super.get(path+"/forms/"+fs[2].ID.String()).want(t, http.StatusOK, `id="link-pending"`)

	super.post(path+"/verification", nil).want(t, http.StatusSeeOther)
	page := super.get(path)
	page.want(t, http.StatusOK, "已抽取待核实的调查表", "已抽取 1 份，待核实 1 份", `id="drawn-list"`)
	drawn := regexp.MustCompile(`<li class="sur-drawn-item" data-form="(\d+)">`).FindStringSubmatch(page.body)
	if drawn == nil {
		t.Fatalf("no drawn form\n%s", page.body)
	}
	verify := path + "/forms/" + drawn[1] + "/verify"
	res = super.post(verify, url.Values{"result": {"fake"}, "note": {" "}})
	res.want(t, http.StatusUnprocessableEntity, `id="v-`+drawn[1]+`-fake" checked`)
	if msg := fieldError(res.body, "v-"+drawn[1]+"-note"); !strings.Contains(msg, "虚假调查表须写明核实情况") {
		t.Errorf("fake without a note: %q", msg)
	}
	super.post(verify, url.Values{"result": {"fake"}, "note": {"住户称未填写过调查表"}}).want(t, http.StatusSeeOther)
	page = super.get(path)
	page.want(t, http.StatusOK, "核实结果已登记", `sur-vresult">虚假<`, "住户称未填写过调查表")
	res = super.post(verify, url.Values{"result": {"genuine"}})
	res.want(t, http.StatusConflict)
	if !regexp.MustCompile(`role="alert">调查表 DC\d{4}-\d{4}-\d{4} 已核实<`).MatchString(res.body) {
		t.Errorf("verifying twice: no alert\n%s", res.body)
	}

	report := super.get(path + "/report")
	report.want(t, http.StatusOK, `<svg class="sur-chart" id="chart-overall"`, `class="sur-bar ok"`, "非常满意", "绿化要加强",
		`id="fake-table"`, "住户称未填写过调查表", "陈助理", `id="questions-table"`, "服务项目", "弄虚作假者扣当月绩效 200 元")
	x := super.get(path + "/report.xlsx")
	x.want(t, http.StatusOK)
	if ct := x.header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("xlsx content type %q", ct)
	}
	if cd := x.header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="survey-DC`) || !strings.Contains(cd, "filename*=UTF-8''") {
		t.Errorf("xlsx disposition %q", cd)
	}
	if !strings.HasPrefix(x.body, "PK") {
		t.Errorf("the .xlsx is no zip")
	}

	// closing needs the plan (SUR-011)
	res = super.post(path+"/close", url.Values{"improvement_plan": {"  "}})
	res.want(t, http.StatusUnprocessableEntity, `id="close-form"`)
	if msg := fieldError(res.body, "f-improvement_plan"); !strings.Contains(msg, "服务改进方案") {
		t.Errorf("close without a plan: %q", msg)
	}
	super.post(path+"/close", url.Values{"improvement_plan": {"加强绿化养护，每月巡查一次"}}).want(t, http.StatusSeeOther)
	keep := surveyToday().AddMonths(24).String()
	page = super.get(path)
	page.want(t, http.StatusOK, "调查已关闭", `id="survey-status">已关闭<`, "加强绿化养护", `id="keep-forms">`+keep+`<`,
		`id="keep-plan">`+surveyToday().AddMonths(12).String()+`<`)
	page.lacks(t, `id="issue-form"`, `id="close-form"`, `id="draw-form"`)
	res = super.post(path+"/forms", url.Values{"households": {"1-104"}})
	res.want(t, http.StatusConflict, `id="top-alert">调查已关闭<`)
	super.post(path+"/close", url.Values{"improvement_plan": {"再关一次"}}).want(t, http.StatusConflict, `id="top-alert">调查已关闭<`)
	super.get(path+"/report").want(t, http.StatusOK, "加强绿化养护", "原始调查表保存至 "+keep)

	// the customer's link of a closed survey: 410, a friendly page
	pub := e.client().get("/s/" + token[1])
	pub.want(t, http.StatusGone, `id="public-gone"`, "链接已失效", "调查已结束")
	pub.lacks(t, "sidebar", "data-nav", "李娜")
}

// TestSurveyPublicPage: the customer's page works without login, refuses a
// missing answer inline, thanks the customer once, then says the link is
// used (404); an unknown link is a 404 too, a cross-site post is refused
// as on the login form, and nothing of the staff's UI shows.
func TestSurveyPublicPage(t *testing.T) {
	e := newSurveyEnv(t)
	super := e.signedIn("super")
	path := e.plan(super, surveyPlan("业主满意度调查", "owner", 10))
	super.post(path+"/forms", url.Values{"households": {"2-1-301,赵先生,13900000009"}}).want(t, http.StatusSeeOther)
	e.approvePlan(path)
	fs := e.forms(path)
	res := super.post(path+"/forms/"+fs[0].ID.String()+"/link", nil)
	m := regexp.MustCompile(`id="link-url" value="(http://[^"]+)"`).FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("no link\n%s", res.body)
	}
	u, err := url.Parse(m[1])
	if err != nil || u.Host != strings.TrimPrefix(e.srv.URL, "http://") || !strings.HasPrefix(u.Path, survey.LinkPath) {
		t.Fatalf("link %q: not on the server's host (%v)", m[1], err)
	}
	customer := e.client()
	page := customer.get(u.Path)
	page.want(t, http.StatusOK, `id="public-form"`, "业主满意度调查", "业主满意度调查表", "2-1-301", "您对物业服务的总体评价",
		`name="answers.overall" value="very_satisfied"`, "其它意见和建议")
	page.lacks(t, "sidebar", "data-nav", "赵先生", "13900000009", "李娜", "退出", "服务项目")
	if page.header.Get("Referrer-Policy") != "no-referrer" || !strings.Contains(page.header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Errorf("headers: %v", page.header)
	}

	// cross-site posts are refused, as on /login
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+u.Path, strings.NewReader(ownerAnswers("satisfied", "").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	customer.do(req).want(t, http.StatusForbidden)

	res = customer.post(u.Path, with(ownerAnswers("satisfied", ""), "answers.notices", ""))
	res.want(t, http.StatusUnprocessableEntity, `id="pub-errors"`, `id="q-overall-satisfied" checked`)
	if msg := fieldError(res.body, "q-notices"); !strings.Contains(msg, "须作答") {
		t.Errorf("a question left out: %q", msg)
	}
	res = customer.post(u.Path, with(ownerAnswers("satisfied", ""), "answers.overall", "bogus"))
	if msg := fieldError(res.body, "q-overall"); !strings.Contains(msg, "须为") {
		t.Errorf("a bad option: %q", msg)
	}
	res = customer.post(u.Path, ownerAnswers("very_satisfied", "<script>alert(1)</script>希望增加停车位"))
	res.want(t, http.StatusOK, `id="public-thanks"`, "感谢您的参与")
	again := customer.get(u.Path)
	again.want(t, http.StatusNotFound, `id="public-invalid"`, "链接无效或已使用")
	again.lacks(t, "sidebar")
	customer.post(u.Path, ownerAnswers("satisfied", "")).want(t, http.StatusNotFound, "链接无效或已使用")
	customer.get("/s/not-a-token").want(t, http.StatusNotFound, "链接无效或已使用")

	form := super.get(path + "/forms/" + fs[0].ID.String())
	form.want(t, http.StatusOK, `id="form-channel">客户链接<`, "客户本人", "&lt;script&gt;alert(1)&lt;/script&gt;希望增加停车位")
	form.lacks(t, "<script>alert(1)")
	// the English page renders too
	customer.get("/lang/en?next=/")
	customer.get("/s/not-a-token").want(t, http.StatusNotFound, "This link does not work")
	pages := []string{"/surveys", "/surveys/new", path, path + "/report", path + "/forms/" + fs[0].ID.String()}
	for _, p := range pages {
		super.get(p).lacks(t, "%!", "sur.")
	}
	super.get("/lang/en?next=/")
	super.get(path).want(t, http.StatusOK, "Satisfaction surveys", "Return rate", "Verification")
	super.get(path+"/report").want(t, http.StatusOK, "Satisfaction survey report", "Per question", "Overall rating of the property services")
	for _, p := range pages {
		super.get(p).lacks(t, "%!", "sur.")
	}
}

// userID is the id of a user, as a form value.
func (e *surveyEnv) userID(username string) string {
	e.t.Helper()
	u, err := e.auth.ByUsername(context.Background(), username)
	if err != nil {
		e.t.Fatal(err)
	}
	return u.ID.String()
}
