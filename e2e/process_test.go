package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/internal/app"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/org"
	"kefu/internal/process"
	"kefu/internal/store"
)

// powerCustomer files 城东机械厂 with a 10 kV supply point under unit, as
// the system, and returns the customer's id.
func powerCustomer(t *testing.T, ctx context.Context, a *app.App, unit store.ID) store.ID {
	t.Helper()
	actx := audit.WithActor(ctx, audit.System)
	root, err := a.Org.Root(actx)
	if err != nil {
		t.Fatal(err)
	}
	sys := &auth.Principal{Username: "system", Roles: []auth.Role{auth.RoleAdmin}, OrgUnitID: root.ID, OrgPath: root.Path}
	c, _, err := a.Customers.Create(actx, sys, customer.Input{Kind: customer.Organisation, Name: "城东机械厂",
		Phone: "0571-86001234", Address: "城东路1号", Type: "hv_single", OrgUnit: &unit,
		ServicePoints: []customer.ServicePointInput{{Kind: "power_supply_point", AccountNo: "P1000001", Address: "城东路1号",
			Attributes: map[string]any{"voltage": "10kV", "contracted_capacity_kva": 800, "usage": "power"}}}})
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// TestProcessSuspensionJourney is issue 8 in the browser: at a power
// utility the business-window agent starts a suspension (暂停用电, pack
// power) from a customer's supply point — first refused by the five-days
// rule (PRC-032), then accepted — receives the written application and
// completes the first step; the field worker finds the sealing in 我的待办,
// seals (the suspension notice is issued), looks at the board, resumes,
// and prints the notice. Screenshots: screenshots/prc-*.png.
func TestProcessSuspensionJourney(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	tab := newBrowser(t, ctx)
	base, a := startKefu(t, ctx, adminPassword)
	co := addUnit(t, ctx, a, org.CreateInput{Kind: org.Company, Name: "城东供电公司", Code: "CD", Pack: "power"})
	mkt := addUnit(t, ctx, a, org.CreateInput{ParentID: &co.ID, Kind: org.Department, Name: "营销部"})
	prod := addUnit(t, ctx, a, org.CreateInput{ParentID: &co.ID, Kind: org.Department, Name: "生技部"})
	addUser(t, ctx, a, "window", "王芳", auth.RoleCSAgent, mkt.ID)
	addUser(t, ctx, a, "lineman", "张师傅", auth.RoleFieldStaff, prod.ID)
	cust := powerCustomer(t, ctx, a, mkt.ID)

	cst := time.FixedZone("CST", 8*3600)
	today := time.Now().In(cst)
	day := func(n int) string { return today.AddDate(0, 0, n).Format("2006-01-02") }
	wait := func(sel string) chromedp.Action[chromedp.Void] {
		return chromedp.WaitVisible(chromedp.CSS(sel))
	}
	// submit clicks and waits for the next page.
	submit := func(step, sel string, then string) {
		t.Helper()
		do(t, tab, step, mark(), chromedp.Click(chromedp.CSS(sel)), chromedp.WaitNotPresent(chromedp.CSS("body[data-old]")), wait(then))
	}

	do(t, tab, "open the customer", chromedp.Navigate(base+"/customers/"+cust.String()))
	login(t, tab, "window", agentPassword)
	do(t, tab, "see the supply point", wait("#points .cus-start-process"))
	wantText(t, tab, ".sidebar", "业务流程")
	wantText(t, tab, "#points", "发起业务流程", "P1000001")
	shot(t, tab, "prc-01-customer")

	do(t, tab, "pick the process", chromedp.Click(chromedp.CSS("#points .cus-start-process")), wait("#definition-list"))
	wantText(t, tab, "#start-point", "城东机械厂", "P1000001")
	wantText(t, tab, "#definition-list", "暂停用电", "高压新装（增容）")
	shot(t, tab, "prc-02-pick")
	do(t, tab, "open the suspension form",
		chromedp.Click(chromedp.CSS(`#definition-list li[data-definition="change.suspension"] a`)), wait("#start-form"))
	wantText(t, tab, "#start-rules", "暂停须提前 5 天申请（PRC-032）", "暂停用电书面申请")

	// Two days ahead is too late (PRC-032: five days): refused with the rule.
	do(t, tab, "fill the application too late",
		chromedp.SetValue(chromedp.CSS("#f-attr_from"), day(2)),
		chromedp.SetValue(chromedp.CSS("#f-attr_to"), day(40)),
		chromedp.SendKeys(chromedp.CSS("#f-attr_capacity_kva"), "400"),
		chromedp.SetValue(chromedp.CSS("#f-attr_billing"), "max_demand"))
	submit("start too late", "#start-process", "#f-attr_from-err")
	wantText(t, tab, "#f-attr_from-err", "PRC-032", "提前 5 天")
	wantText(t, tab, "#guard-rule", "PRC-032")
	if v := value(t, tab, "#f-attr_capacity_kva"); v != "400" {
		t.Errorf("capacity after the refusal: %q", v)
	}
	shot(t, tab, "prc-03-guard-refused")

	do(t, tab, "move the start", chromedp.SetValue(chromedp.CSS("#f-attr_from"), day(10)))
	submit("start the suspension", "#start-process", "#current")
	wantText(t, tab, ".flash", "业务流程已发起")
	wantText(t, tab, "#process-status", "办理中")
	wantText(t, tab, "#process-step", "暂停申请受理")
	wantText(t, tab, "#process-info", "城东机械厂", "400 kVA", "按最大需量", day(10))
	number := text(t, tab, "#process-number")
	shot(t, tab, "prc-04-process")

	// The step cannot complete before the written application is in.
	submit("complete too early", "#outcome-done", "#act-complete .alert-error")
	wantText(t, tab, "#act-complete .alert-error", "资料不全", "暂停用电书面申请")
	submit("receive the application", "#receive-suspension_application", "#current")
	wantText(t, tab, "#checklist", "已收", "暂停用电书面申请")
	wantText(t, tab, ".flash", "资料已收取")
	shot(t, tab, "prc-05-received")
	submit("complete the application", "#outcome-done", "#not-yours")
	wantText(t, tab, "#process-step", "加封")
	wantText(t, tab, "#current-handler", "城东供电公司", "现场人员")

	// The field worker: 我的待办 → the process → seal.
	do(t, tab, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), wait("#login-form"))
	login(t, tab, "lineman", agentPassword)
	do(t, tab, "open 我的待办", wait(".topbar"), chromedp.Navigate(base+"/processes?tab=mine"), wait("#processes-table"))
	wantText(t, tab, "#processes-table", number, "暂停用电", "城东机械厂", "加封", "办理中")
	shot(t, tab, "prc-06-mine")
	do(t, tab, "open the process", chromedp.Click(chromedp.CSS("#processes-table .tkt-num")), wait("#act-complete"))
	do(t, tab, "write the seal", chromedp.SendKeys(chromedp.CSS("#a-complete-comment"), "已于现场加封，封印号 F-0012"))
	submit("seal", "#outcome-done", "#documents .prc-doc")
	wantText(t, tab, "#process-step", "恢复用电")
	wantText(t, tab, "#documents", "暂停用电通知")
	wantText(t, tab, "#rounds-table", "暂停申请受理", "加封", "已于现场加封", "恢复用电")

	// The board counts it at 恢复用电; the count opens the filtered list.
	do(t, tab, "open the board", chromedp.Navigate(base+"/processes/board"), wait("#process-board"))
	wantText(t, tab, `[data-definition="change.suspension"]`, "暂停用电", "办理中 1 件", "恢复用电")
	shot(t, tab, "prc-07-board")
	submit("open the count", `[data-definition="change.suspension"] .prc-count`, "#processes-table")
	wantText(t, tab, "#processes-table", number, "恢复用电")
	if v := value(t, tab, "#step"); v != "resume" {
		t.Errorf("the board's link filters on step %q, want resume", v)
	}
	submit("back to the process", "#processes-table .tkt-num", "#act-complete")
	submit("resume", "#outcome-done", "#closed")
	wantText(t, tab, "#process-status", "已办结")
	wantText(t, tab, ".flash", "流程已办结")
	wantText(t, tab, "#timeline", "发起流程", "收取资料", "出具文书", "流程办结", "王芳", "张师傅")
	shot(t, tab, "prc-08-completed")

	// The notice, as printed.
	submit("open the notice", "#documents .prc-doc", "#process-sheet")
	wantText(t, tab, "#process-sheet", "暂停用电通知", number, "城东机械厂", "加封", "已于现场加封，封印号 F-0012",
		"暂停容量：400 kVA", "客户签字（盖章）", "经办人", "城东供电公司")
	shot(t, tab, "prc-09-notice")
	do(t, tab, "print it", media("print"))
	printed, err := chromedp.Run(tab, chromedp.Evaluate[bool](
		`getComputedStyle(document.querySelector('.sidebar')).display === 'none' && getComputedStyle(document.querySelector('#print-button')).display === 'none'`))
	if err != nil || !printed {
		t.Errorf("the printed notice shows more than the sheet: %v", err)
	}
	shot(t, tab, "prc-10-notice-print")
	do(t, tab, "back to the screen", media(""))

	hvAcceptance(t, ctx, tab, base, a, mkt.ID)
}

// hvAcceptance starts two high-voltage connections of the same customer
// through the service: one waits for its design review (the earlier of 30
// days and a month, PRC-011),
// the other is taken to the joint acceptance, where the field worker
// countersigns for 生技部 and sees the other parties still missing.
func hvAcceptance(t *testing.T, ctx context.Context, tab context.Context, base string, a *app.App, unit store.ID) {
	actx := audit.WithActor(ctx, audit.System)
	root, err := a.Org.Root(actx)
	if err != nil {
		t.Fatal(err)
	}
	sys := &auth.Principal{Username: "system", Roles: []auth.Role{auth.RoleAdmin}, OrgUnitID: root.ID, OrgPath: root.Path}
	page, err := a.Customers.List(actx, sys, customer.Filter{Limit: 1})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("customers: %v", err)
	}
	c, err := a.Customers.Get(actx, sys, page.Items[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	start := func() *process.Process {
		p, err := a.Processes.Start(actx, sys, process.StartInput{Definition: "connection.hv", ServicePointID: c.ServicePoints[0].ID,
			UnitID: unit, Attributes: map[string]any{"customer_type": "industrial", "capacity_kva": 800.0, "sources": "single",
				"important": false, "tenant": false, "entrusted": false}})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	defs, err := a.Processes.Definitions(actx, sys, unit)
	if err != nil {
		t.Fatal(err)
	}
	advance := func(p *process.Process, until string) {
		for range 20 {
			if p.CurrentStep == until {
				return
			}
			for _, item := range p.Checklist {
				if item.Step == p.CurrentStep && item.Required && item.ReceivedAt == nil {
					if p, err = a.Processes.Act(actx, sys, p.ID, process.ActionInput{Action: process.ActionReceive, Item: item.Item}); err != nil {
						t.Fatal(err)
					}
				}
			}
			outcome := ""
			for _, d := range defs.Items {
				if st, _, ok := d.Step(p.CurrentStep); ok && d.Key == p.Definition {
					outcome = st.StepOutcomes()[0].Key
				}
			}
			if p, err = a.Processes.Act(actx, sys, p.ID, process.ActionInput{Action: process.ActionComplete, Outcome: outcome}); err != nil {
				t.Fatalf("complete %s: %v", p.CurrentStep, err)
			}
		}
		t.Fatalf("%s never reached %s", p.Number, until)
	}
	waiting := start()
	advance(waiting, "design_review")
	accept := start()
	advance(accept, "completion_acceptance")

	do(t, tab, "the list", chromedp.Navigate(base+"/processes"), chromedp.WaitVisible(chromedp.CSS("#processes-table")))
	wantText(t, tab, "#processes-table", waiting.Number, "设计审查", "剩 ", accept.Number, "竣工检验", "已办结")
	shot(t, tab, "prc-11-list")
	do(t, tab, "the board", chromedp.Navigate(base+"/processes/board"), chromedp.WaitVisible(chromedp.CSS("#process-board")))
	wantText(t, tab, `[data-definition="connection.hv"]`, "高压新装（增容）", "办理中 2 件", "竣工检验")
	shot(t, tab, "prc-12-board")
	do(t, tab, "the acceptance", chromedp.Navigate(base+"/processes/"+accept.ID.String()), chromedp.WaitVisible(chromedp.CSS("#countersign")))
	do(t, tab, "sign for 生技部", mark(), chromedp.Click(chromedp.CSS("#sign-production")),
		chromedp.WaitNotPresent(chromedp.CSS("body[data-old]")), chromedp.WaitVisible(chromedp.CSS("#countersign")))
	wantText(t, tab, `#countersign [data-party="production"]`, "已会签", "张师傅")
	wantText(t, tab, `#countersign [data-party="safety"]`, "待会签")
	do(t, tab, "pass too early", mark(), chromedp.Click(chromedp.CSS("#outcome-passed")),
		chromedp.WaitNotPresent(chromedp.CSS("body[data-old]")), chromedp.WaitVisible(chromedp.CSS("#act-complete .alert-error")))
	wantText(t, tab, "#act-complete .alert-error", "尚待会签", "安监部")
	shot(t, tab, "prc-13-countersign")
}
