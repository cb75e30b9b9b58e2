package web_test

// The satisfaction-survey journey in headless Chromium (chromedp), as the
// browser tests of e2e/ run: /usr/bin/chromium or $KEFU_CHROMIUM; without
// it the test skips, except in CI (CI=true), where it fails. Screenshots go
// to e2e/screenshots/sur-*.png (gitignored) for people to look at.

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// surChromium finds the browser, or skips the test (fails it in CI).
func surChromium(t *testing.T) string {
	t.Helper()
	path := os.Getenv("KEFU_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium not found at %s (set KEFU_CHROMIUM); CI must run the browser tests: %v", path, err)
		}
		t.Skipf("browser test skipped: Chromium not found at %s (apt-get install chromium, or set KEFU_CHROMIUM)", path)
	}
	return path
}

// surBrowser starts headless Chromium with a fresh profile at 1366×768 and
// returns the context of its first tab.
func surBrowser(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(surChromium(t)), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1366, 768),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1366, 768)); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return tab
}

// surPhone opens a tab in a browser context of its own (no cookies) at
// phone width.
func surPhone(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(tab, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
		t.Fatalf("phone tab: %v", err)
	}
	return tab
}

// surDo runs browser steps with a deadline of their own (waits poll until
// then; nothing sleeps), failing the test with the step's name.
func surDo(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		lctx, lcancel := context.WithTimeout(ctx, 5*time.Second)
		defer lcancel()
		loc, _ := chromedp.Run(lctx, chromedp.Location())
		errs, _ := chromedp.Run(lctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll(".field-error, .alert"))
			.map(function (e) { return e.textContent.trim(); }).join(" | ")`))
		t.Fatalf("%s (at %s; page errors %q): %v", step, loc, errs, err)
	}
}

// surEval evaluates a JavaScript expression.
func surEval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// surWant checks the visible text of the first element matching sel.
func surWant(t *testing.T, ctx context.Context, sel string, want ...string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	got, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s shows %q, want it to contain %q", sel, got, w)
		}
	}
}

// surShot saves a full-page screenshot as e2e/screenshots/<name>.png.
func surShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "..", "e2e", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", path)
}

// surShotView saves what the viewport shows (a phone's first screen) as
// e2e/screenshots/<name>.png.
func surShotView(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join("..", "..", "e2e", "screenshots", name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", name)
}

// surLogin signs in on the login page the browser was sent to.
func surLogin(t *testing.T, ctx context.Context, username string) {
	t.Helper()
	surDo(t, ctx, "sign in as "+username,
		chromedp.WaitVisible(chromedp.CSS("#f-username")),
		chromedp.SetValue(chromedp.CSS("#f-username"), username),
		chromedp.SendKeys(chromedp.CSS("#f-password"), pw),
		chromedp.Click(chromedp.CSS("#login-form button[type=submit]")))
}

// surMark marks the page, so that a wait for its absence waits for the
// next page.
func surMark() chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](`document.body.dataset.old = "1", true`)(ctx, t)
		return chromedp.Void{}, err
	}
}

// surTop scrolls back up before a full-page screenshot.
func surTop() chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](`window.scrollTo(0, 0), true`)(ctx, t)
		return chromedp.Void{}, err
	}
}

// surMedia emulates a CSS media type ("print"; "" ends the emulation).
func surMedia(kind string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: kind})
		return chromedp.Void{}, err
	}
}

// surPick clicks, in every scale question of the sheet, the option at
// index i (0 = the best) — on its visible label, as a finger would.
func surPick(t *testing.T, ctx context.Context, i int) {
	t.Helper()
	keys := surEval[[]string](t, ctx, `Array.from(document.querySelectorAll("fieldset.sur-q"))
		.filter(function (f) { return f.querySelector(".sur-opts"); })
		.map(function (f) { return f.getAttribute("data-q"); })`)
	if len(keys) == 0 {
		t.Fatal("no question on the page")
	}
	var steps []chromedp.Action[chromedp.Void]
	for _, k := range keys {
		sel := "#q-" + k + " .sur-opt:nth-child(" + strconv.Itoa(i+1) + ") span"
		steps = append(steps, chromedp.ScrollIntoView(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
	}
	surDo(t, ctx, "choose the answers", steps...)
}

// surSign draws a signature on the pad with the mouse (pointer events).
func surSign(t *testing.T, ctx context.Context) {
	t.Helper()
	box := surEval[[]float64](t, ctx, `(function () {
		var c = document.getElementById("sig-pad");
		c.scrollIntoView({block: "center"});
		var r = c.getBoundingClientRect();
		return [r.left, r.top, r.width, r.height];
	})()`)
	if len(box) != 4 {
		t.Fatalf("the signature pad: %v", box)
	}
	var steps []chromedp.Action[chromedp.Void]
	for _, s := range [][][2]float64{{{0.15, 0.3}, {0.3, 0.3}}, {{0.12, 0.7}, {0.35, 0.7}}, {{0.22, 0.3}, {0.22, 0.7}},
		{{0.45, 0.7}, {0.55, 0.35}, {0.65, 0.7}, {0.8, 0.4}}} {
		at := func(p [2]float64) (float64, float64) { return box[0] + p[0]*box[2], box[1] + p[1]*box[3] }
		x, y := at(s[0])
		steps = append(steps, chromedp.MouseEvent(chromedp.MousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)))
		for _, p := range s[1:] {
			px, py := at(p)
			for i := 1; i <= 5; i++ {
				f := float64(i) / 5
				steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, x+(px-x)*f, y+(py-y)*f, chromedp.ButtonLeft))
			}
			x, y = px, py
		}
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	}
	surDo(t, ctx, "sign on the pad", steps...)
}

// TestSurveyJourney: (a) the CS supervisor plans a campaign on the property
// pack's owners' questionnaire, issues 3 forms, answers the first by phone
// on its page (told first what is missing) and creates the customer's link
// of the second; (b) the customer opens the link on a phone, in a browser
// of their own without login, answers and is thanked — the link then says
// it is used; (c) the property assistant answers the third form in person
// on a phone with the customer's signature on the pad; (d) the supervisor
// draws the form to verify, records it genuine and opens the report with
// its rates and SVG charts, which prints without the navigation; (e) the
// report's .xlsx downloads. Screenshots: e2e/screenshots/sur-*.png.
func TestSurveyJourney(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tab := surBrowser(t, ctx) // skips first when there is no Chromium
	e := newSurveyEnv(t)
	base := e.srv.URL
	wait := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.WaitVisible(chromedp.CSS(sel)) }
	submit := func(tab context.Context, step, sel, then string) {
		t.Helper()
		surDo(t, tab, step, surMark(), chromedp.Click(chromedp.CSS(sel)), chromedp.WaitNotPresent(chromedp.CSS("body[data-old]")), wait(then))
	}

	// (a) the plan
	surDo(t, tab, "open 满意度调查", chromedp.Navigate(base+"/surveys"))
	surLogin(t, tab, "super")
	surDo(t, tab, "see the list", wait("#surveys-table"))
	surWant(t, tab, `a.nav-item[data-nav="surveys"]`, "满意度调查")
	surDo(t, tab, "open the plan form", chromedp.Click(chromedp.CSS("#new-survey")), wait("#plan-form"),
		chromedp.SendKeys(chromedp.CSS("#f-title"), "2026 年下半年业主满意度调查"),
		chromedp.SetValue(chromedp.CSS("#f-channel"), "face_to_face"),
		chromedp.SetValue(chromedp.CSS("#f-households"), "10"),
		chromedp.SetValue(chromedp.CSS("#f-questionnaire"), "owner"),
		chromedp.SendKeys(chromedp.CSS("#f-purpose"), "了解业主对客服中心各项服务的满意程度"),
		chromedp.SendKeys(chromedp.CSS("#f-scope"), "幸福里小区 1 号楼入住业主"),
		chromedp.SendKeys(chromedp.CSS("#f-penalties"), "弄虚作假者扣当月绩效 200 元"))
	surDo(t, tab, "scroll up", surTop())
	surShot(t, tab, "sur-01-plan")
	submit(tab, "plan the survey", "#plan-submit", "#issue-form")
	loc, err := chromedp.Run(tab, chromedp.Location())
	if err != nil || !strings.HasPrefix(loc, base+"/surveys/") {
		t.Fatalf("after the plan: %q %v", loc, err)
	}
	campaign := strings.TrimPrefix(loc, base)
	surWant(t, tab, "#survey-status", "计划中")
	surWant(t, tab, "#survey-badges", "面谈", "业主满意度调查表")
	surDo(t, tab, "type the households", chromedp.SendKeys(chromedp.CSS("#f-households"),
		"1-101,张三,13800000001\n1-102,李四,13800000002\n1-103,王五,13800000003"))
	submit(tab, "issue the forms", "#issue-submit", "#forms-table tr[data-form]")
	if n := surEval[int](t, tab, `document.querySelectorAll("#forms-table tr[data-form]").length`); n != 3 {
		t.Fatalf("%d forms listed, want 3", n)
	}
	surWant(t, tab, "#survey-status", "进行中")
	surWant(t, tab, `#rates-table tr[data-k="distribution"]`, "30.00%", "未达标")
	surDo(t, tab, "scroll up", surTop())
	surShot(t, tab, "sur-02-campaign-issued")

	submit(tab, "open form 1", `#forms-table tr[data-serial="1"] .sur-open`, "#record-form")
	surWant(t, tab, "#form-household", "1-101")
	submit(tab, "send it unanswered", "#answer-submit", "#q-overall-err")
	surWant(t, tab, "#q-overall-err", "须作答")
	surDo(t, tab, "scroll up", surTop())
	surShot(t, tab, "sur-03-answer-errors")
	surPick(t, tab, 0)
	surDo(t, tab, "overall: 满意", chromedp.Click(chromedp.CSS(`label:has(#q-overall-satisfied) span`)))
	submit(tab, "save the answers", "#answer-submit", "#answers")
	surWant(t, tab, "#form-status", "已回收")
	surWant(t, tab, "#form-channel", "电话调查")
	surWant(t, tab, "#answer-satisfied", "满意")
	surWant(t, tab, `#answers-list li[data-q="overall"]`, "满意")
	surShot(t, tab, "sur-04-answered")

	submit(tab, "back to the campaign", "#campaign-link", "#forms-table")
	submit(tab, "open form 2", `#forms-table tr[data-serial="2"] .sur-open`, "#link-form")
	submit(tab, "create the customer's link", "#link-submit", "#link-url")
	link, err := chromedp.Run(tab, chromedp.Value(chromedp.CSS("#link-url")))
	if err != nil || !strings.HasPrefix(link, base+"/s/") {
		t.Fatalf("the link %q: %v", link, err)
	}
	surWant(t, tab, "#link-hint", "只显示这一次")
	surShot(t, tab, "sur-05-link")

	// (b) the customer, on a phone, without login
	pub := surPhone(t, tab)
	surDo(t, pub, "open the link", chromedp.Navigate(link), wait("#public-form"))
	surWant(t, pub, "#pub-title", "2026 年下半年业主满意度调查")
	surWant(t, pub, "#pub-sheet", "业主满意度调查表")
	if staff := surEval[bool](t, pub, `!!document.querySelector(".sidebar, .topbar, [data-nav]")`); staff {
		t.Errorf("the customer's page shows the staff's navigation")
	}
	if wide := surEval[bool](t, pub, `document.documentElement.scrollWidth > window.innerWidth`); wide {
		t.Errorf("the customer's page is wider than the phone")
	}
	if h := surEval[float64](t, pub, `document.querySelector(".sur-opt span").getBoundingClientRect().height`); h < 44 {
		t.Errorf("an option is %.0f px high: too small a target for a finger", h)
	}
	surShot(t, pub, "sur-06-public-phone")
	surShotView(t, pub, "sur-06b-public-phone-screen")
	submit(pub, "send it unanswered", "#pub-submit", "#pub-errors")
	surDo(t, pub, "scroll up", surTop())
	surShot(t, pub, "sur-07-public-errors")
	surShotView(t, pub, "sur-07b-public-errors-screen")
	surPick(t, pub, 0)
	surDo(t, pub, "write a comment", chromedp.SendKeys(chromedp.CSS("#q-suggestions-text"), "希望增加地下车位的照明"))
	submit(pub, "submit", "#pub-submit", "#public-thanks")
	surWant(t, pub, "#pub-heading", "感谢您的参与")
	surShot(t, pub, "sur-08-public-thanks")
	surDo(t, pub, "open the link again", chromedp.Navigate(link), wait("#public-invalid"))
	surWant(t, pub, "#pub-heading", "链接无效或已使用")
	surShot(t, pub, "sur-09-public-used")

	// (c) the assistant in person, on a phone, with the customer's signature
	field := surPhone(t, tab)
	fs := e.forms(campaign)
	surDo(t, field, "open form 3", chromedp.Navigate(base+campaign+"/forms/"+fs[2].ID.String()))
	surLogin(t, field, "assistant")
	surDo(t, field, "see the answer form", wait("#record-form"),
		chromedp.Click(chromedp.CSS(`label:has(#f-channel-face_to_face) span`)), wait("#sig-pad"))
	surSign(t, field)
	if sig := surEval[string](t, field, `document.getElementById("f-signature").value`); !strings.HasPrefix(sig, "data:image/png;base64,") {
		t.Fatalf("the pad put no PNG into the form: %.40q", sig)
	}
	surPick(t, field, 1)
	if wide := surEval[bool](t, field, `document.documentElement.scrollWidth > window.innerWidth`); wide {
		t.Errorf("the form page is wider than the phone")
	}
	surDo(t, field, "scroll up", surTop())
	surShot(t, field, "sur-10-form-phone")
	surDo(t, field, "scroll to the answer form", chromedp.ScrollIntoView(chromedp.CSS("#answer")))
	surShotView(t, field, "sur-10b-form-phone-screen")
	submit(field, "save the answers", "#answer-submit", "#answers")
	surWant(t, field, "#answer-signed", "客户已签名")
	surWant(t, field, "#form-channel", "当面")
	surShot(t, field, "sur-11-answered-phone")
	submit(field, "back to the campaign", "#campaign-link", "#forms-table")
	if wide := surEval[bool](t, field, `document.documentElement.scrollWidth > window.innerWidth`); wide {
		t.Errorf("the campaign page is wider than the phone")
	}
	surShotView(t, field, "sur-11b-campaign-phone-screen")

	// (d) verification and the report
	surDo(t, tab, "open the campaign", chromedp.Navigate(base+campaign), wait("#forms-table"))
	surWant(t, tab, `#rates-table tr[data-k="return"]`, "100.00%", "达标")
	submit(tab, "draw forms to verify", "#draw-submit", "#drawn-list")
	surWant(t, tab, "#verification", "已抽取 1 份，待核实 1 份")
	surDo(t, tab, "genuine", chromedp.Click(chromedp.CSS(`#drawn-list label:has(input[value="genuine"])`)),
		chromedp.SendKeys(chromedp.CSS(`#drawn-list input[name="note"]`), "电话回访住户，确认本人填写"))
	submit(tab, "record the verification", "#drawn-list button[type=submit]", "#drawn-list .sur-vresult")
	surWant(t, tab, "#drawn-list .sur-vresult", "属实")
	surWant(t, tab, `#rates-table tr[data-k="verification"]`, "33.33%", "达标")
	surWant(t, tab, `#rates-table tr[data-k="satisfaction"]`, "100.00%", "达标")
	surDo(t, tab, "scroll up", surTop())
	surShot(t, tab, "sur-12-campaign-verified")
	submit(tab, "open the report", "#report-link", "svg.sur-chart")
	if n := surEval[int](t, tab, `document.querySelectorAll("svg.sur-chart").length`); n != 12 {
		t.Errorf("%d charts, want one per scale question (12)", n)
	}
	if w := surEval[float64](t, tab, `document.querySelector("#chart-overall rect.sur-bar").getBoundingClientRect().width`); w <= 0 {
		t.Errorf("the overall chart draws no bar")
	}
	surWant(t, tab, "#summary", "发放率", "30.00%", "回收率", "100.00%", "真实率")
	surWant(t, tab, "#comments", "希望增加地下车位的照明")
	surShot(t, tab, "sur-13-report")
	surDo(t, tab, "print the report", surMedia("print"))
	if !surEval[bool](t, tab, `getComputedStyle(document.querySelector(".sidebar")).display === "none" &&
		getComputedStyle(document.querySelector(".topbar")).display === "none" &&
		getComputedStyle(document.getElementById("export-xlsx")).display === "none"`) {
		t.Errorf("the print stylesheet leaves the navigation or the buttons visible")
	}
	surShot(t, tab, "sur-14-report-print")
	surDo(t, tab, "back to the screen", surMedia(""))

	// (e) the .xlsx, through net/http with the supervisor's session
	res := e.signedIn("super").get(campaign + "/report.xlsx")
	if res.status != http.StatusOK || res.header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("report.xlsx: %d %q", res.status, res.header.Get("Content-Type"))
	}
}
