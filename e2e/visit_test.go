package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/internal/app"
	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/org"
	"kefu/internal/ticket"
	"kefu/internal/visit"
)

// closedYesterday registers a property complaint received yesterday at
// 10:00 and closes it at 11:00 (both back-entered), then fires the jobs
// engine: yesterday's batch is drawn at once (VIS-016: 1 of 1 at 50 %),
// a visit for the property assistant (VIS-004). It returns the work order.
func closedYesterday(t *testing.T, ctx context.Context, a *app.App, agent *auth.Principal) ticket.Ticket {
	t.Helper()
	y := time.Now().In(visitZone).AddDate(0, 0, -1)
	received := time.Date(y.Year(), y.Month(), y.Day(), 10, 0, 0, 0, visitZone)
	tk, err := a.Tickets.Create(ctx, agent, ticket.CreateInput{Category: "complaint.other", Subject: "楼上漏水至卫生间",
		ReceivedAt: &received, Customer: &customer.Input{Name: "王女士", Phone: "13800000001", Address: "锦绣花园3栋1单元502"}})
	if err != nil {
		t.Fatal(err)
	}
	closed := received.Add(time.Hour)
	for _, act := range []string{ticket.ActResolve, ticket.ActReply, ticket.ActClose} {
		if tk, err = a.Tickets.Act(ctx, agent, tk.ID, ticket.Action{Name: act, At: &closed, Note: "已处理",
			Text: "已上门维修并书面答复"}); err != nil {
			t.Fatalf("%s: %v", act, err)
		}
	}
	admin := &auth.Principal{Username: "system", Roles: []auth.Role{auth.RoleAdmin}}
	for range 50 { // the running engine may draw first; FireDue does it now
		if _, err := a.Jobs.FireDue(ctx); err != nil {
			t.Fatal(err)
		}
		if vs, err := a.Visits.List(ctx, admin, visit.Filter{Limit: 10}); err == nil && len(vs) == 1 {
			return tk
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("no visit was drawn for the closed complaint")
	return tk
}

// visitZone is Beijing time, where the days of the draw are counted.
var visitZone = time.FixedZone("CST", 8*3600)

// sign draws a signature on the pad with the mouse: pointer events
// (pressed, moved, released) at the canvas's place in the viewport.
func sign(t *testing.T, tab context.Context) {
	t.Helper()
	box, err := chromedp.Run(tab, chromedp.Evaluate[[]float64](`(function () {
		var c = document.getElementById("sig-pad");
		c.scrollIntoView({block: "center"});
		var r = c.getBoundingClientRect();
		return [r.left, r.top, r.width, r.height];
	})()`))
	if err != nil || len(box) != 4 {
		t.Fatalf("the signature pad: %v %v", box, err)
	}
	x0, y0, w, h := box[0], box[1], box[2], box[3]
	// 王 written as three strokes and a stroke down, then a flourish.
	strokes := [][][2]float64{
		{{0.12, 0.30}, {0.30, 0.30}},
		{{0.14, 0.52}, {0.28, 0.52}},
		{{0.10, 0.76}, {0.32, 0.76}},
		{{0.21, 0.30}, {0.21, 0.76}},
		{{0.40, 0.70}, {0.48, 0.35}, {0.55, 0.72}, {0.62, 0.38}, {0.70, 0.70}, {0.80, 0.45}, {0.90, 0.60}},
	}
	var steps []chromedp.Action[chromedp.Void]
	for _, s := range strokes {
		at := func(p [2]float64) (float64, float64) { return x0 + p[0]*w, y0 + p[1]*h }
		x, y := at(s[0])
		steps = append(steps, chromedp.MouseEvent(chromedp.MousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)))
		for _, p := range s[1:] {
			px, py := at(p)
			for i := 1; i <= 6; i++ { // a few moves per segment
				f := float64(i) / 6
				steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, x+(px-x)*f, y+(py-y)*f, chromedp.ButtonLeft))
			}
			x, y = px, py
		}
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	}
	do(t, tab, "sign on the pad", steps...)
}

// top scrolls the page back up (the sticky bars of a scrolled page land
// mid-page in a full-page screenshot).
func top() chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](`window.scrollTo(0, 0), true`)(ctx, t)
		return chromedp.Void{}, err
	}
}

// TestVisitJourney is issue 9 in the browser: a complaint of a property
// company, closed yesterday, is drawn for a return visit; the property
// assistant finds it in 我的回访, is told the signature is missing, draws
// the customer's signature on the pad and records a dissatisfied result
// with the rectification and the next visit — round 2 appears in her
// queue; the CS supervisor signs round 1 off, and the month's figures count
// it. Screenshots: screenshots/vis-*.png.
func TestVisitJourney(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tab := newBrowser(t, ctx)
	base, a := startKefu(t, ctx, adminPassword)
	co, cs := propertyCompany(t, ctx, a)
	butler := addUnit(t, ctx, a, org.CreateInput{ParentID: &co.ID, Kind: org.Department, Name: "管家部"})
	addUser(t, ctx, a, "butler", "陈助理", auth.RoleFieldStaff, butler.ID)
	addUser(t, ctx, a, "cssuper", "李娜", auth.RoleCSSupervisor, cs.ID)
	hotline, err := a.Auth.ByUsername(ctx, "hotline")
	if err != nil {
		t.Fatal(err)
	}
	tk := closedYesterday(t, ctx, a, hotline.Principal())
	month := time.Now().In(visitZone).AddDate(0, 0, -1).Format("2006-01")

	wait := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.WaitVisible(chromedp.CSS(sel)) }
	submit := func(step, sel, then string) {
		t.Helper()
		do(t, tab, step, mark(), chromedp.Click(chromedp.CSS(sel)), chromedp.WaitNotPresent(chromedp.CSS("body[data-old]")), wait(then))
	}

	// 我的回访: the assistant's queue.
	do(t, tab, "open 回访", chromedp.Navigate(base+"/visits"))
	login(t, tab, "butler", agentPassword)
	do(t, tab, "see my visits", wait("#visits-table"))
	wantText(t, tab, ".sidebar", "回访")
	wantText(t, tab, "#queue-tabs", "我的回访", "全部")
	wantText(t, tab, "#visits-table", tk.Number, "投诉回访", "第 1 轮", "待回访", "办理")
	wantText(t, tab, "#visit-summary", "待回访 1 件")
	shot(t, tab, "vis-01-mine")

	do(t, tab, "open the visit", chromedp.Click(chromedp.CSS("#visits-table .vis-act")), wait("#record-form"))
	wantText(t, tab, "#visit-info", tk.Number, "投诉回访", "第 1 轮")
	if hidden, _ := chromedp.Run(tab, chromedp.Evaluate[bool](`document.getElementById("dissatisfied-fields").hidden`)); !hidden {
		t.Errorf("the rectification inputs show before 不满意 is chosen")
	}
	shot(t, tab, "vis-02-form")

	// Dissatisfied without a signature: refused under the pad (VIS-008).
	do(t, tab, "choose 不满意", chromedp.Click(chromedp.CSS("#f-result-dissatisfied")), wait("#f-rectification"),
		chromedp.SendKeys(chromedp.CSS("#f-opinion"), "卫生间仍有渗水"))
	submit("record without a signature", "#record-submit", "#f-signature-err")
	wantText(t, tab, "#f-signature-err", "签名")
	if v := value(t, tab, "#f-opinion"); v != "卫生间仍有渗水" {
		t.Errorf("opinion after the refusal: %q", v)
	}
	shot(t, tab, "vis-03-no-signature")

	sign(t, tab)
	sig, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.getElementById("f-signature").value`))
	if err != nil || !strings.HasPrefix(sig, "data:image/png;base64,") {
		t.Fatalf("the pad put no PNG into the form: %.40q %v", sig, err)
	}
	// The next round falls due later today, in 我的回访 as 今日到期.
	now := time.Now().In(visitZone)
	next := now.Add(90 * time.Minute).Truncate(time.Minute)
	dueToday := next.Day() == now.Day()
	do(t, tab, "write the rectification",
		chromedp.SendKeys(chromedp.CSS("#f-rectification"), "工程部维修班 3 日内更换防水层"),
		chromedp.SetValue(chromedp.CSS("#f-next_visit_at"), next.Format("2006-01-02T15:04")))
	if shown, _ := chromedp.Run(tab, chromedp.Evaluate[bool](`!document.getElementById("f-signature-err").hidden`)); shown {
		t.Errorf("the missing-signature error stays after the customer signed")
	}
	do(t, tab, "scroll up", top())
	shot(t, tab, "vis-04-signed")
	submit("record the visit", "#record-submit", "#visit-record")
	wantText(t, tab, ".flash", "下一轮回访")
	wantText(t, tab, "#visit-status", "已回访")
	wantText(t, tab, "#record-signed", "客户已签名")
	wantText(t, tab, "#visit-record", "上门回访", "不满意", "卫生间仍有渗水", "工程部维修班 3 日内更换防水层", "陈助理")
	wantText(t, tab, "#review-waits", "客服主管")
	shot(t, tab, "vis-05-recorded")

	// Round 2 in the queue, due at the time set, in person only (VIS-010).
	do(t, tab, "back to my visits", chromedp.Navigate(base+"/visits"), wait("#visits-table"))
	wantText(t, tab, "#visits-table", tk.Number, "第 2 轮")
	if dueToday {
		wantText(t, tab, "#visits-table tr.vis-today", "今日到期", "第 2 轮")
		wantText(t, tab, "#visit-summary", "今日到期 1 件")
	}
	shot(t, tab, "vis-06-round2")
	do(t, tab, "open round 2", chromedp.Click(chromedp.CSS("#visits-table .vis-act")), wait("#record-form"))
	wantText(t, tab, "#visit-round", "第 2 轮")
	wantText(t, tab, "#visit-due", next.Format("2006-01-02 15:04"))
	if n, _ := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll('input[name="mode"]').length`)); n != 1 {
		t.Errorf("round 2 offers %d modes, want in person only", n)
	}
	// On a phone the pad shrinks with the page; strokes land where drawn.
	do(t, tab, "phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Reload(), wait("#record-form"))
	sign(t, tab)
	hit, err := chromedp.Run(tab, chromedp.Evaluate[bool](`(function () {
		var c = document.getElementById("sig-pad");
		return c.getContext("2d").getImageData(Math.round(c.width * 0.21), Math.round(c.height * 0.5), 1, 1).data[3] > 0;
	})()`))
	if err != nil || !hit {
		t.Errorf("on a phone the stroke did not land under the pointer: %v", err)
	}
	do(t, tab, "scroll up", top())
	shot(t, tab, "vis-07-round2-phone")
	do(t, tab, "desktop width", chromedp.EmulateViewport(1366, 768), chromedp.Reload(), wait("#record-form"))
	do(t, tab, "see round 1", chromedp.Click(chromedp.CSS("#previous-round")), wait("#visit-record"))
	wantText(t, tab, "#visit-round", "第 1 轮")

	// The CS supervisor signs round 1 off (VIS-009).
	do(t, tab, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), wait("#login-form"))
	login(t, tab, "cssuper", agentPassword)
	// Before the sign-off the visit does not count: the rate is red.
	do(t, tab, "open the statistics", wait(".topbar"), chromedp.Navigate(base+"/visits/stats?month="+month), wait("#stats-table"))
	wantText(t, tab, `#stats-table tr[data-rule="complaint"] .vis-short`, "0.00%")
	shot(t, tab, "vis-08-stats-short")
	do(t, tab, "open 待签署", chromedp.Navigate(base+"/visits?tab=signoff"), wait("#visits-table"))
	wantText(t, tab, "#visits-table", tk.Number, "第 1 轮", "已回访", "不满意", "签署")
	shot(t, tab, "vis-09-signoff-queue")
	do(t, tab, "open it", chromedp.Click(chromedp.CSS("#visits-table .vis-act")), wait("#review-form"))
	wantText(t, tab, "#visit-info", "王女士", "13800000001", "楼上漏水至卫生间")
	submit("sign off without an opinion", "#review-submit", "#r-opinion-err")
	do(t, tab, "write the opinion", chromedp.SendKeys(chromedp.CSS("#r-opinion"), "已电话核实，整改已安排"))
	submit("sign off", "#review-submit", "#visit-review")
	wantText(t, tab, ".flash", "回访已签署")
	wantText(t, tab, "#visit-status", "已签署")
	wantText(t, tab, "#review-opinion", "已电话核实，整改已安排")
	shot(t, tab, "vis-10-signed-off")

	// The month's figures count the signed-off visit.
	do(t, tab, "open the statistics again", chromedp.Navigate(base+"/visits/stats?month="+month), wait("#stats-table"))
	wantText(t, tab, `#stats-table tr[data-rule="complaint"]`, "投诉回访", "100.00%")
	wantText(t, tab, `#stats-table tr[data-rule="complaint"] [data-k="signed_off"]`, "1")
	wantText(t, tab, `#stats-table tr[data-rule="complaint"] [data-k="follow_ups"]`, "1")
	if red, _ := chromedp.Run(tab, chromedp.Evaluate[bool](`document.querySelector(".vis-short") !== null`)); red {
		t.Errorf("the visit rate is red although the quota is met")
	}
	shot(t, tab, "vis-11-stats")
}
