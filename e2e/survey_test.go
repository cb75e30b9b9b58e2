package e2e

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/internal/app"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/survey"
)

// forms lists a campaign's forms (path /surveys/<id>) by serial, as user
// sees them.
func forms(t *testing.T, ctx context.Context, a *app.App, user auth.User, path string) []*survey.Form {
	t.Helper()
	id, err := store.ParseID(strings.TrimPrefix(path, "/surveys/"))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := a.Surveys.Forms(ctx, user.Principal(), id, survey.FormFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// pick clicks, in every scale question of the sheet, the option at
// index i (0 = the best) — on its visible label, as a finger would.
func pick(t *testing.T, ctx context.Context, i int) {
	t.Helper()
	qs := evaluate[[]string](t, ctx, `Array.from(document.querySelectorAll("fieldset.sur-q"))
		.filter(function (f) { return f.querySelector(".sur-opts"); })
		.map(function (f) { return f.getAttribute("data-q"); })`)
	if len(qs) == 0 {
		t.Fatal("no question on the page")
	}
	var steps []chromedp.Action[chromedp.Void]
	for _, k := range qs {
		sel := "#q-" + k + " .sur-opt:nth-child(" + strconv.Itoa(i+1) + ") span"
		steps = append(steps, chromedp.ScrollIntoView(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
	}
	do(t, ctx, "choose the answers", steps...)
}

// deskTab opens a desktop tab in a browser context of its own: another
// person signs in there.
func deskTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1366, 768)); err != nil {
		t.Fatalf("desk tab: %v", err)
	}
	return tab
}

// TestSurveyJourney: (a) the CS supervisor plans a campaign on the property
// pack's owners' questionnaire, issues 3 forms — the plan's sampled rooms —
// and submits the plan, which a second supervisor reviews and the manager
// approves in their own browsers (SUR-002), answers the first by phone
// on its page (told first what is missing) and creates the customer's link
// of the second; (b) the customer opens the link on a phone, in a browser
// of their own without login, answers and is thanked — the link then says
// it is used; (c) the property assistant answers the third form in person
// on a phone with the customer's signature on the pad; (d) the supervisor
// draws the form to verify, records it genuine and opens the report with
// its rates and SVG charts, which prints without the navigation, after a
// corrective action (SUR-003) opened by the supervisor, done by the
// assistant on the phone and verified; (e) the report's .xlsx downloads.
// Screenshots: screenshots/sur-*.png.
func TestSurveyJourney(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tab := newBrowser(t, ctx) // skips first when there is no Chromium
	base, a := startKefu(t, ctx, adminPassword)
	co, cs := propertyCompany(t, ctx, a)
	butler := addUnit(t, ctx, a, org.CreateInput{ParentID: &co.ID, Kind: org.Department, Name: "管家部"})
	super := addUser(t, ctx, a, "super", "李娜", auth.RoleCSSupervisor, cs.ID)
	addUser(t, ctx, a, "assistant", "陈助理", auth.RoleFieldStaff, butler.ID)
	addUser(t, ctx, a, "reviewer", "周审", auth.RoleCSSupervisor, cs.ID)
	addUser(t, ctx, a, "manager", "张经理", auth.RoleManager, co.ID)
	wait := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.WaitVisible(chromedp.CSS(sel)) }
	submit := func(tab context.Context, step, sel, then string) {
		t.Helper()
		do(t, tab, step, mark(), chromedp.Click(chromedp.CSS(sel)), chromedp.WaitNotPresent(chromedp.CSS("body[data-old]")), wait(then))
	}

	// (a) the plan
	do(t, tab, "open 满意度调查", chromedp.Navigate(base+"/surveys"))
	login(t, tab, "super", agentPassword)
	do(t, tab, "see the list", wait("#surveys-table"))
	wantText(t, tab, `a.nav-item[data-nav="surveys"]`, "满意度调查")
	do(t, tab, "open the plan form", chromedp.Click(chromedp.CSS("#new-survey")), wait("#plan-form"),
		chromedp.SendKeys(chromedp.CSS("#f-title"), "2026 年下半年业主满意度调查"),
		chromedp.SetValue(chromedp.CSS("#f-channel"), "face_to_face"),
		chromedp.SetValue(chromedp.CSS("#f-households"), "10"),
		chromedp.SetValue(chromedp.CSS("#f-questionnaire"), "owner"),
		chromedp.SendKeys(chromedp.CSS("#f-purpose"), "了解业主对客服中心各项服务的满意程度"),
		chromedp.SendKeys(chromedp.CSS("#f-scope"), "幸福里小区 1 号楼入住业主"),
		chromedp.SendKeys(chromedp.CSS("#f-penalties"), "弄虚作假者扣当月绩效 200 元"))
	do(t, tab, "scroll up", top())
	shot(t, tab, "sur-01-plan")
	submit(tab, "plan the survey", "#plan-submit", "#issue-form")
	loc, err := chromedp.Run(tab, chromedp.Location())
	if err != nil || !strings.HasPrefix(loc, base+"/surveys/") {
		t.Fatalf("after the plan: %q %v", loc, err)
	}
	campaign := strings.TrimPrefix(loc, base)
	wantText(t, tab, "#survey-status", "计划中")
	wantText(t, tab, "#survey-badges", "面谈", "业主满意度调查表")
	do(t, tab, "type the households", chromedp.SendKeys(chromedp.CSS("#f-households"),
		"1-101,张三,13800000001\n1-102,李四,13800000002\n1-103,王五,13800000003"))
	submit(tab, "issue the forms", "#issue-submit", "#forms-table tr[data-form]")
	if n := evaluate[int](t, tab, `document.querySelectorAll("#forms-table tr[data-form]").length`); n != 3 {
		t.Fatalf("%d forms listed, want 3", n)
	}

	// (a') the plan's approval (SUR-002): 李娜 submits, 周审 reviews, 张经理 approves
	wantText(t, tab, "#plan-status", "草稿")
	submit(tab, "submit the plan", "#plan-submit-btn", "#plan-status")
	wantText(t, tab, "#plan-status", "待审核")
	rev := deskTab(t, tab)
	do(t, rev, "open the campaign", chromedp.Navigate(base+campaign))
	login(t, rev, "reviewer", agentPassword)
	do(t, rev, "write the review", wait("#opinion-form"), chromedp.SendKeys(chromedp.CSS("#o-opinion"), "抽样覆盖 1 号楼各户，同意"))
	submit(rev, "review the plan", "#review-btn", "#plan-status")
	wantText(t, rev, "#plan-status", "待批准")
	mgr := deskTab(t, tab)
	do(t, mgr, "open the campaign", chromedp.Navigate(base+campaign))
	login(t, mgr, "manager", agentPassword)
	do(t, mgr, "write the approval", wait("#approve-btn"), chromedp.SendKeys(chromedp.CSS("#o-opinion"), "同意实施"))
	do(t, mgr, "scroll up", top())
	shot(t, mgr, "sur-02a-plan-to-approve")
	submit(mgr, "approve the plan", "#approve-btn", "#plan-status")
	wantText(t, mgr, "#plan-status", "已批准")
	wantText(t, mgr, "#approval-block", "李娜", "周审", "张经理", "同意实施")
	do(t, tab, "reload the campaign", chromedp.Navigate(base+campaign), wait("#forms-table"))
	wantText(t, tab, "#survey-status", "进行中")
	wantText(t, tab, `#rates-table tr[data-k="distribution"]`, "30.00%", "未达标")
	do(t, tab, "scroll up", top())
	shot(t, tab, "sur-02-campaign-issued")

	submit(tab, "open form 1", `#forms-table tr[data-serial="1"] .sur-open`, "#record-form")
	wantText(t, tab, "#form-household", "1-101")
	submit(tab, "send it unanswered", "#answer-submit", "#q-overall-err")
	wantText(t, tab, "#q-overall-err", "须作答")
	do(t, tab, "scroll up", top())
	shot(t, tab, "sur-03-answer-errors")
	pick(t, tab, 0)
	do(t, tab, "overall: 满意", chromedp.Click(chromedp.CSS(`label:has(#q-overall-satisfied) span`)))
	submit(tab, "save the answers", "#answer-submit", "#answers")
	wantText(t, tab, "#form-status", "已回收")
	wantText(t, tab, "#form-channel", "电话调查")
	wantText(t, tab, "#answer-satisfied", "满意")
	wantText(t, tab, `#answers-list li[data-q="overall"]`, "满意")
	shot(t, tab, "sur-04-answered")

	submit(tab, "back to the campaign", "#campaign-link", "#forms-table")
	submit(tab, "open form 2", `#forms-table tr[data-serial="2"] .sur-open`, "#link-form")
	submit(tab, "create the customer's link", "#link-submit", "#link-url")
	link, err := chromedp.Run(tab, chromedp.Value(chromedp.CSS("#link-url")))
	if err != nil || !strings.HasPrefix(link, base+"/s/") {
		t.Fatalf("the link %q: %v", link, err)
	}
	wantText(t, tab, "#link-hint", "只显示这一次")
	shot(t, tab, "sur-05-link")

	// (b) the customer, on a phone, without login
	pub := phoneTab(t, tab)
	do(t, pub, "open the link", chromedp.Navigate(link), wait("#public-form"))
	wantText(t, pub, "#pub-title", "2026 年下半年业主满意度调查")
	wantText(t, pub, "#pub-sheet", "业主满意度调查表")
	if staff := evaluate[bool](t, pub, `!!document.querySelector(".sidebar, .topbar, [data-nav]")`); staff {
		t.Errorf("the customer's page shows the staff's navigation")
	}
	if wide := evaluate[bool](t, pub, `document.documentElement.scrollWidth > window.innerWidth`); wide {
		t.Errorf("the customer's page is wider than the phone")
	}
	if h := evaluate[float64](t, pub, `document.querySelector(".sur-opt span").getBoundingClientRect().height`); h < 44 {
		t.Errorf("an option is %.0f px high: too small a target for a finger", h)
	}
	shot(t, pub, "sur-06-public-phone")
	shotView(t, pub, "sur-06b-public-phone-screen")
	submit(pub, "send it unanswered", "#pub-submit", "#pub-errors")
	do(t, pub, "scroll up", top())
	shot(t, pub, "sur-07-public-errors")
	shotView(t, pub, "sur-07b-public-errors-screen")
	pick(t, pub, 0)
	do(t, pub, "write a comment", chromedp.SendKeys(chromedp.CSS("#q-suggestions-text"), "希望增加地下车位的照明"))
	submit(pub, "submit", "#pub-submit", "#public-thanks")
	wantText(t, pub, "#pub-heading", "感谢您的参与")
	shot(t, pub, "sur-08-public-thanks")
	do(t, pub, "open the link again", chromedp.Navigate(link), wait("#public-invalid"))
	wantText(t, pub, "#pub-heading", "链接无效或已使用")
	shot(t, pub, "sur-09-public-used")

	// (c) the assistant in person, on a phone, with the customer's signature
	field := phoneTab(t, tab)
	fs := forms(t, ctx, a, super, campaign)
	do(t, field, "open form 3", chromedp.Navigate(base+campaign+"/forms/"+fs[2].ID.String()))
	login(t, field, "assistant", agentPassword)
	do(t, field, "see the answer form", wait("#record-form"),
		chromedp.Click(chromedp.CSS(`label:has(#f-channel-face_to_face) span`)), wait("#sig-pad"))
	sign(t, field)
	if sig := evaluate[string](t, field, `document.getElementById("f-signature").value`); !strings.HasPrefix(sig, "data:image/png;base64,") {
		t.Fatalf("the pad put no PNG into the form: %.40q", sig)
	}
	pick(t, field, 1)
	if wide := evaluate[bool](t, field, `document.documentElement.scrollWidth > window.innerWidth`); wide {
		t.Errorf("the form page is wider than the phone")
	}
	do(t, field, "scroll up", top())
	shot(t, field, "sur-10-form-phone")
	do(t, field, "scroll to the answer form", chromedp.ScrollIntoView(chromedp.CSS("#answer")))
	shotView(t, field, "sur-10b-form-phone-screen")
	submit(field, "save the answers", "#answer-submit", "#answers")
	wantText(t, field, "#answer-signed", "客户已签名")
	wantText(t, field, "#form-channel", "当面")
	shot(t, field, "sur-11-answered-phone")
	submit(field, "back to the campaign", "#campaign-link", "#forms-table")
	if wide := evaluate[bool](t, field, `document.documentElement.scrollWidth > window.innerWidth`); wide {
		t.Errorf("the campaign page is wider than the phone")
	}
	shotView(t, field, "sur-11b-campaign-phone-screen")

	// (d) verification and the report
	do(t, tab, "open the campaign", chromedp.Navigate(base+campaign), wait("#forms-table"))
	wantText(t, tab, `#rates-table tr[data-k="return"]`, "100.00%", "达标")
	submit(tab, "draw forms to verify", "#draw-submit", "#drawn-list")
	wantText(t, tab, "#verification", "已抽取 1 份，待核实 1 份")
	do(t, tab, "genuine", chromedp.Click(chromedp.CSS(`#drawn-list label:has(input[value="genuine"])`)),
		chromedp.SendKeys(chromedp.CSS(`#drawn-list input[name="note"]`), "电话回访住户，确认本人填写"))
	submit(tab, "record the verification", "#drawn-list button[type=submit]", "#drawn-list .sur-vresult")
	wantText(t, tab, "#drawn-list .sur-vresult", "属实")
	wantText(t, tab, `#rates-table tr[data-k="verification"]`, "33.33%", "达标")
	wantText(t, tab, `#rates-table tr[data-k="satisfaction"]`, "100.00%", "达标")
	do(t, tab, "scroll up", top())
	shot(t, tab, "sur-12-campaign-verified")

	// (d') a corrective action (SUR-003): 李娜 opens it for 管家部, the
	// assistant records it done on the phone, 李娜 verifies it
	due := calendar.DateOf(time.Now().In(store.Zone)).AddDays(14).String()
	do(t, tab, "open a corrective action", chromedp.ScrollIntoView(chromedp.CSS("#action-form")),
		chromedp.SendKeys(chromedp.CSS("#a-issue"), "地下车库照明不足，业主夜间出行不便"),
		chromedp.SetValue(chromedp.CSS("#a-department_id"), butler.ID.String()),
		chromedp.SetValue(chromedp.CSS("#a-due_on"), due))
	submit(tab, "save the action", "#action-submit", "#actions-table")
	wantText(t, tab, "#actions-table", "地下车库照明不足", "管家部", due, "整改中")
	do(t, field, "open the campaign", chromedp.Navigate(base+campaign), wait(`#actions-table form[id^="done-"]`),
		chromedp.ScrollIntoView(chromedp.CSS(`#actions-table form[id^="done-"]`)),
		chromedp.SendKeys(chromedp.CSS(`#actions-table form[id^="done-"] textarea`), "已更换车库灯具 24 盏"))
	submit(field, "record it done", `#actions-table form[id^="done-"] button`, "#actions-table .sur-astatus")
	wantText(t, field, "#actions-table .sur-astatus", "待验证")
	do(t, tab, "reload the campaign", chromedp.Navigate(base+campaign), wait(`#actions-table form[id^="averify-"]`),
		chromedp.ScrollIntoView(chromedp.CSS("#actions")),
		chromedp.SendKeys(chromedp.CSS(`#actions-table form[id^="averify-"] input`), "夜间现场查看，照明正常"))
	if wide := evaluate[bool](t, tab, `document.documentElement.scrollWidth > window.innerWidth`); wide {
		t.Errorf("the campaign page with its actions is wider than the window")
	}
	do(t, tab, "scroll up", top())
	shot(t, tab, "sur-12b-action-done")
	submit(tab, "verify it", `#actions-table form[id^="averify-"] button`, "#actions-table .sur-astatus")
	wantText(t, tab, "#actions-table .sur-astatus", "已验证")
	wantText(t, tab, "#actions-tally", "共 1 项，已验证 1 项")
	submit(tab, "open the report", "#report-link", "svg.sur-chart")
	if n := evaluate[int](t, tab, `document.querySelectorAll("svg.sur-chart").length`); n != 12 {
		t.Errorf("%d charts, want one per scale question (12)", n)
	}
	if w := evaluate[float64](t, tab, `document.querySelector("#chart-overall rect.sur-bar").getBoundingClientRect().width`); w <= 0 {
		t.Errorf("the overall chart draws no bar")
	}
	wantText(t, tab, "#summary", "发放率", "30.00%", "回收率", "100.00%", "真实率")
	wantText(t, tab, "#comments", "希望增加地下车位的照明")
	wantText(t, tab, "#report-approval", "李娜", "周审", "张经理")
	wantText(t, tab, "#actions-table", "已更换车库灯具 24 盏", "已验证")
	shot(t, tab, "sur-13-report")
	do(t, tab, "print the report", media("print"))
	if !evaluate[bool](t, tab, `getComputedStyle(document.querySelector(".sidebar")).display === "none" &&
		getComputedStyle(document.querySelector(".topbar")).display === "none" &&
		getComputedStyle(document.getElementById("export-xlsx")).display === "none"`) {
		t.Errorf("the print stylesheet leaves the navigation or the buttons visible")
	}
	shot(t, tab, "sur-14-report-print")
	do(t, tab, "back to the screen", media(""))

	// (e) the .xlsx, through net/http with the supervisor's session
	res, _ := fetch(t, tab, base+campaign+"/report.xlsx")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("report.xlsx: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
}
