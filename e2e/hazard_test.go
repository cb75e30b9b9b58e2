package e2e

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
)

// TestHazardJourney runs a hazard from its finding to the restoration of
// supply in the browser (issue 10, INS-013 to INS-018): the inspector
// registers a serious hazard at an important customer (a refused form
// first), issues the 限期整改告知书 filed with the three bodies (INS-015),
// prints its two copies, records the signature and a follow-up; the
// manager reports the case to government, orders the disconnection and
// records it; restoration is disabled until the inspector's verification
// (INS-016); then the manager restores supply, and the tracking record
// prints. Screenshots: screenshots/hz-*.png.
func TestHazardJourney(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tab := newBrowser(t, ctx)
	base, a := startKefu(t, ctx, adminPassword)
	co := addUnit(t, ctx, a, org.CreateInput{Kind: org.Company, Name: "城区供电公司", Code: "CQ", Pack: "power"})
	team := addUnit(t, ctx, a, org.CreateInput{ParentID: &co.ID, Kind: org.Department, Name: "用电检查班"})
	addUser(t, ctx, a, "inspector", "张检查", auth.RoleFieldStaff, team.ID)
	addUser(t, ctx, a, "boss", "刘经理", auth.RoleManager, co.ID)
	var hospital store.ID
	err := a.DB.Tx(ctx, func(tx store.Conn) error {
		var err error
		hospital, err = tx.InsertID(ctx, `INSERT INTO customers (name, address, org_unit_id, importance, importance_state,
			created_at, updated_at) VALUES ('市第一人民医院', '健康路1号', ?, '1', 'approved', 0, 0) RETURNING id`, co.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(visitZone)
	deadline := today.AddDate(0, 0, 14).Format("2006-01-02")

	wait := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.WaitVisible(chromedp.CSS(sel)) }
	submit := func(step, sel, then string) {
		t.Helper()
		do(t, tab, step, mark(), chromedp.Click(chromedp.CSS(sel)), chromedp.WaitNotPresent(chromedp.CSS("body[data-old]")), wait(then))
	}
	signOut := func() {
		t.Helper()
		do(t, tab, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), wait("#login-form"))
	}

	// The inspector registers the hazard.
	do(t, tab, "open 隐患", chromedp.Navigate(base+"/hazards"))
	login(t, tab, "inspector", agentPassword)
	do(t, tab, "see the register", wait("#hazards-table"))
	wantText(t, tab, "#hazards-home", "隐患")
	do(t, tab, "open the form", chromedp.Click(chromedp.CSS("#new-hazard")), wait("#hazard-form"))
	do(t, tab, "fill the form without a severity",
		chromedp.SetValue(chromedp.CSS("#f-source"), "inspection"),
		chromedp.SendKeys(chromedp.CSS("#f-customer_id"), hospital.String()),
		chromedp.SendKeys(chromedp.CSS("#f-location"), "10kV 配电室"),
		chromedp.SetValue(chromedp.CSS("#f-responsibility"), "customer"),
		chromedp.SendKeys(chromedp.CSS("#f-description"), "双电源电气闭锁与机械闭锁失效，存在反送电风险"),
		chromedp.SendKeys(chromedp.CSS("#f-handed_to"), "用电检查班 张工"))
	submit("register without a severity", "#hazard-submit", "#f-severity-err")
	shot(t, tab, "hz-01-register-refused")
	do(t, tab, "choose serious", chromedp.SetValue(chromedp.CSS("#f-severity"), "serious"))
	submit("register", "#hazard-submit", "#hazard-number")
	wantText(t, tab, ".flash", "隐患已登记")
	wantText(t, tab, "#hazard-number", "H-"+today.Format("2006")+"-0001")
	wantText(t, tab, "#needs-deadline", "限期整改告知书")
	shot(t, tab, "hz-02-found")

	// The 限期整改告知书 with its deadline, filed with the three bodies.
	do(t, tab, "fill the notice",
		chromedp.SendKeys(chromedp.CSS("#notice-risk"), "闭锁失效可能造成人身伤亡及电网二类障碍"),
		chromedp.SendKeys(chromedp.CSS("#notice-measures"), "修复电气闭锁与机械闭锁，并做传动试验"),
		chromedp.SetValue(chromedp.CSS("#notice-deadline_on"), deadline),
		chromedp.Click(chromedp.CSS("#notice-body-government")),
		chromedp.Click(chromedp.CSS("#notice-body-safety_dept")),
		chromedp.Click(chromedp.CSS("#notice-body-regulator")),
		chromedp.SetValue(chromedp.CSS("#notice-filed_on"), today.Format("2006-01-02")))
	submit("issue the notice", "#notice-submit", "#sign-form")
	wantText(t, tab, ".flash", "整改通知已下达")
	wantText(t, tab, "#notices", "限期整改告知书", deadline, "未签收")
	wantText(t, tab, "#filings", "政府电力管理部门", "安全生产监督管理部门", "当地电力监管机构")
	hazardURL, err := chromedp.Run(tab, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	do(t, tab, "print the notice", chromedp.Click(chromedp.CSS(`#notices a[id^="print-notice-"]`)), wait("#notice-copy-1"))
	wantText(t, tab, "#notice-copy-0", "限期整改告知书", "存根联", "市第一人民医院", deadline, "客户签字", "当地电力监管机构")
	wantText(t, tab, "#notice-copy-1", "客户联")
	shot(t, tab, "hz-03-notice-print")
	do(t, tab, "print preview", media("print"))
	shot(t, tab, "hz-04-notice-print-media")
	do(t, tab, "back to screen", media(""), chromedp.Navigate(hazardURL), wait("#sign-form"))

	// The customer signs; a follow-up by phone (INS-013).
	do(t, tab, "the signer", chromedp.SendKeys(chromedp.CSS("#sign-signer"), "院办 陈主任"))
	submit("record the signature", "#sign-submit", "#follow-up-form")
	wantText(t, tab, "#hazard-status", "整改中")
	wantText(t, tab, "#hazard-badges", "下次追踪", "整改期限")
	do(t, tab, "a follow-up", chromedp.Click(chromedp.CSS("#follow-phone")),
		chromedp.SendKeys(chromedp.CSS("#follow-found"), "配件在途，预计一周内到货"))
	submit("record the follow-up", "#follow-submit", "#follow-ups")
	wantText(t, tab, "#follow-ups", "配件在途")
	shot(t, tab, "hz-05-rectifying")
	if n, _ := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll("#escalate-form, #disconnect-form").length`)); n != 0 {
		t.Errorf("field staff are offered %d enforcement forms", n)
	}
	signOut()

	// The manager reports to government, orders and records the disconnection.
	login(t, tab, "boss", agentPassword)
	do(t, tab, "open the hazard", wait(".topbar"), chromedp.Navigate(hazardURL), wait("#escalate-form"))
	do(t, tab, "the report",
		chromedp.SendKeys(chromedp.CSS("#escalate-reason"), "客户拒不按期整改，危及电网安全"),
		chromedp.Click(chromedp.CSS("#escalate-body-government")),
		chromedp.SetValue(chromedp.CSS("#escalate-filed_on"), today.Format("2006-01-02")))
	submit("report to government", "#escalate-submit", "#disconnect-form")
	wantText(t, tab, "#hazard-status", "已报告政府")
	do(t, tab, "the order", chromedp.SendKeys(chromedp.CSS("#disconnect-basis"), "依供用电合同并经政府电力管理部门组织停电"))
	submit("order the disconnection", "#disconnect-submit", "#disconnect-form")
	wantText(t, tab, "#hazard-status", "已下达停电指令")
	do(t, tab, "the execution", chromedp.SendKeys(chromedp.CSS("#disconnect-basis"), "10kV 进线开关已断开并挂牌"))
	submit("record the disconnection", "#disconnect-submit", "#restore-form")
	wantText(t, tab, "#hazard-status", "已停电")
	wantText(t, tab, "#restore-blocked", "整改验收记录")
	if dis, _ := chromedp.Run(tab, chromedp.Evaluate[bool](`document.querySelector("#restore-submit").disabled`)); !dis {
		t.Error("restore supply is enabled before the verification")
	}
	shot(t, tab, "hz-06-restore-disabled")
	signOut()

	// The inspector verifies the rectification.
	login(t, tab, "inspector", agentPassword)
	do(t, tab, "open the hazard again", wait(".topbar"), chromedp.Navigate(hazardURL), wait("#verify-form"))
	do(t, tab, "the verification",
		chromedp.SendKeys(chromedp.CSS("#verify-verifier"), "用电检查员 张工"),
		chromedp.SendKeys(chromedp.CSS("#verify-method"), "现场检查并传动试验"))
	submit("verify without a result", "#verify-submit", "#verify-result-err")
	do(t, tab, "the result", chromedp.SendKeys(chromedp.CSS("#verify-result"), "闭锁装置已修复，传动试验合格"))
	submit("verify", "#verify-submit", "#verifications")
	wantText(t, tab, "#hazard-status", "已验收")
	signOut()

	// The manager restores supply.
	login(t, tab, "boss", agentPassword)
	do(t, tab, "open the hazard to restore", wait(".topbar"), chromedp.Navigate(hazardURL), wait("#restore-form"))
	if n, _ := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll("#restore-blocked").length`)); n != 0 {
		t.Error("restoration still blocked after the verification")
	}
	do(t, tab, "the note", chromedp.SendKeys(chromedp.CSS("#restore-note"), "验收合格，恢复供电"))
	submit("restore supply", "#restore-submit", "#timeline")
	wantText(t, tab, ".flash", "已恢复供电")
	wantText(t, tab, "#hazard-status", "已恢复供电")
	wantText(t, tab, "#timeline", "登记", "下达整改通知", "客户签收", "整改追踪", "报告政府", "下达停电指令", "已停电", "整改验收", "恢复供电")
	shot(t, tab, "hz-07-restored")

	// The tracking record prints with its follow-ups and the verification.
	do(t, tab, "print the tracking record", chromedp.Click(chromedp.CSS("#print-tracking")), wait("#tracking-sheet"))
	wantText(t, tab, "#tracking-sheet", "安全隐患整改追踪记录表", "配件在途", "闭锁装置已修复")
	shot(t, tab, "hz-08-tracking-print")
	do(t, tab, "the register", chromedp.Navigate(base+"/hazards"), wait("#hazards-table"))
	row := text(t, tab, "#hazards-table tbody")
	if !regexp.MustCompile(`H-\d{4}-0001`).MatchString(row) {
		t.Errorf("the register lacks the hazard: %s", row)
	}
	shot(t, tab, "hz-09-register")
}
