package e2e

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/internal/auth"
	"kefu/internal/org"
)

// TestMeritJourney runs the merit ledger in the browser (issue 11): the
// manager records two criticisms for an agent (a refused form first) and
// the agent's page shows 记小过 1 with the roll-up step (MER-002); a
// supervisor proposes a fine that the manager confirms with the amount in
// its 20–50 yuan range (MER-010); the agent appeals it with evidence
// (MER-006); the monthly table prints as the 奖惩公示 (SEC-011); a theft
// bounty registered by one supervisor shows the reporter protected to
// another (MER-008, SEC-007). Screenshots: screenshots/mer-*.png.
func TestMeritJourney(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tab := newBrowser(t, ctx)
	base, a := startKefu(t, ctx, adminPassword)
	co := addUnit(t, ctx, a, org.CreateInput{Kind: org.Company, Name: "滨江置业", Code: "BJ", Pack: "realestate"})
	addUser(t, ctx, a, "boss", "刘经理", auth.RoleManager, co.ID)
	addUser(t, ctx, a, "sup", "李主管", auth.RoleCSSupervisor, co.ID)
	addUser(t, ctx, a, "sup2", "赵主管", auth.RoleCSSupervisor, co.ID)
	zhou := addUser(t, ctx, a, "zhou", "周客服", auth.RoleCSAgent, co.ID)
	today := time.Now().In(visitZone)
	d1, d2 := today.AddDate(0, 0, -40).Format("2006-01-02"), today.AddDate(0, 0, -10).Format("2006-01-02")

	wait := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.WaitVisible(chromedp.CSS(sel)) }
	submit := func(step, sel, then string) {
		t.Helper()
		do(t, tab, step, mark(), chromedp.Click(chromedp.CSS(sel)), chromedp.WaitNotPresent(chromedp.CSS("body[data-old]")), wait(then))
	}
	signOut := func() {
		t.Helper()
		do(t, tab, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), wait("#login-form"))
	}
	record := func(at, reason string) {
		t.Helper()
		do(t, tab, "open the form", chromedp.Navigate(base+"/merits/new"), wait("#merit-form"))
		do(t, tab, "fill a criticism",
			chromedp.SetValue(chromedp.CSS("#f-user_id"), zhou.ID.String()),
			chromedp.SetValue(chromedp.CSS("#f-kind"), "criticism"),
			chromedp.SetValue(chromedp.CSS("#f-at"), at),
			chromedp.SendKeys(chromedp.CSS("#f-reason"), reason))
		submit("record", "#merit-submit", "#merit-number")
		wantText(t, tab, "#merit-state", "已生效")
	}

	// The manager records two criticisms; the first try lacks the reason.
	do(t, tab, "open 奖惩", chromedp.Navigate(base+"/merits"))
	login(t, tab, "boss", agentPassword)
	do(t, tab, "see the ledger", wait("#merits-table"))
	wantText(t, tab, `[data-nav="merits"]`, "奖惩")
	do(t, tab, "open the form", chromedp.Click(chromedp.CSS("#new-merit")), wait("#merit-form"))
	do(t, tab, "fill without a reason",
		chromedp.SetValue(chromedp.CSS("#f-user_id"), zhou.ID.String()),
		chromedp.SetValue(chromedp.CSS("#f-kind"), "criticism"),
		chromedp.SetValue(chromedp.CSS("#f-at"), d1))
	submit("record without a reason", "#merit-submit", "#f-reason-err")
	shot(t, tab, "mer-01-form-refused")
	do(t, tab, "give the reason", chromedp.SendKeys(chromedp.CSS("#f-reason"), "客户接待迟到 15 分钟"))
	submit("record", "#merit-submit", "#merit-number")
	record(d2, "投诉处理不当，客户不满意")
	do(t, tab, "open the person", chromedp.Click(chromedp.CSS("#person-link")), wait("#summary"))
	wantText(t, tab, "#net-minor_demerit", "1")
	wantText(t, tab, "#net-criticism", "0")
	wantText(t, tab, "#steps", d2+" 两次通报批评记为一次记小过（#1、#2，MER-002）")
	shot(t, tab, "mer-02-person")
	signOut()

	// A supervisor proposes a fine; the manager confirms it at 30 yuan.
	do(t, tab, "open the form", chromedp.Navigate(base+"/merits/new"))
	login(t, tab, "sup", agentPassword)
	do(t, tab, "see the proposal note", wait("#proposal-note"))
	do(t, tab, "fill a fine",
		chromedp.SetValue(chromedp.CSS("#f-user_id"), zhou.ID.String()),
		chromedp.SetValue(chromedp.CSS("#f-item"), "work_late"),
		chromedp.SendKeys(chromedp.CSS("#f-amount"), "50"),
		chromedp.SendKeys(chromedp.CSS("#f-reason"), "月度销售报表未按时完成"))
	shot(t, tab, "mer-03-proposal-form")
	submit("propose", "#merit-submit", "#merit-number")
	wantText(t, tab, "#merit-state", "待确认")
	wantText(t, tab, ".flash", "待领导确认")
	signOut()
	do(t, tab, "open the queue", chromedp.Navigate(base+"/merits?state=proposed"))
	login(t, tab, "boss", agentPassword)
	do(t, tab, "see the queue", wait("#merits-table"))
	wantText(t, tab, "#merits-table", "月度销售报表未按时完成")
	do(t, tab, "open the proposal", chromedp.Click(chromedp.CSS("#merits-table a.tkt-num")), wait("#confirm-form"))
	wantText(t, tab, "#amount-range", "20.00–50.00")
	do(t, tab, "set 30 yuan", chromedp.SendKeys(chromedp.CSS("#confirm-amount"), "30"),
		chromedp.SendKeys(chromedp.CSS("#confirm-note"), "初犯，酌情减轻"))
	submit("confirm", "#confirm-submit", "#merit-number")
	wantText(t, tab, ".flash", "已确认")
	shot(t, tab, "mer-04-confirmed")
	// The month's table, printable as the 奖惩公示.
	do(t, tab, "open the monthly table", chromedp.Navigate(base+"/merits/monthly?month="+today.Format("2006-01")), wait("#monthly-table"))
	wantText(t, tab, "#monthly-title", "滨江置业", "奖惩公示")
	shot(t, tab, "mer-05-monthly")
	do(t, tab, "print view", media("print"))
	shot(t, tab, "mer-06-monthly-print")
	do(t, tab, "screen view", media(""))
	signOut()

	// The agent appeals the fine with evidence.
	do(t, tab, "open my ledger", chromedp.Navigate(base+"/merits/people/"+zhou.ID.String()))
	login(t, tab, "zhou", agentPassword)
	do(t, tab, "see my ledger", wait("#person-entries"))
	href := attr(t, tab, `#person-entries a[id^="appeal-"]`, "href")
	if !regexp.MustCompile(`^/merits/\d+#appeal$`).MatchString(href) {
		t.Fatalf("appeal link %q", href)
	}
	do(t, tab, "open the fine", chromedp.Click(chromedp.CSS(`#person-entries a[id^="appeal-"]`)), wait("#appeal-form"))
	do(t, tab, "give evidence", chromedp.SendKeys(chromedp.CSS("#appeal-evidence"), "报表已于截止日 17:50 邮件提交，见邮件回执"))
	submit("appeal", "#appeal-submit", "#appeal-state")
	wantText(t, tab, "#appeal-state", "主管调解中")
	shot(t, tab, "mer-07-appeal")
	signOut()

	// One supervisor registers a theft report; another sees it protected.
	do(t, tab, "open the register", chromedp.Navigate(base+"/merits/bounties"))
	login(t, tab, "sup", agentPassword)
	do(t, tab, "fill a theft report", wait("#bounty-form"),
		chromedp.Click(chromedp.CSS("#kind-theft")),
		chromedp.SetValue(chromedp.CSS("#bounty-basis"), "recovered"),
		chromedp.SendKeys(chromedp.CSS("#bounty-basis_amount"), "18400"),
		chromedp.Click(chromedp.CSS("#bounty-verified")),
		chromedp.SendKeys(chromedp.CSS("#bounty-verification"), "稽查队现场核实，已追缴气费"),
		chromedp.SendKeys(chromedp.CSS("#bounty-reporter_name"), "钱举报"),
		chromedp.SendKeys(chromedp.CSS("#bounty-reporter_phone"), "13900002222"))
	submit("register", "#bounty-submit", "#bounty-number")
	wantText(t, tab, "#bounty-amount", "920.00")
	signOut()
	do(t, tab, "open the register", chromedp.Navigate(base+"/merits/bounties"))
	login(t, tab, "sup2", agentPassword)
	do(t, tab, "see the register", wait("#bounties-table"))
	wantText(t, tab, "#bounties-table", "R-")
	do(t, tab, "open the bounty", chromedp.Click(chromedp.CSS("#bounties-table a.tkt-num")), wait("#bounty-reporter"))
	wantText(t, tab, "#bounty-reporter", "R-")
	if got := text(t, tab, "main"); regexp.MustCompile(`钱举报|13900002222`).MatchString(got) {
		t.Errorf("another supervisor sees the reporter: %s", got)
	}
	shot(t, tab, "mer-08-bounty-protected")
}
