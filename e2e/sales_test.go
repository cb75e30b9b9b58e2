package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/sales"
	"kefu/internal/store"
)

// TestSalesJourney runs a sales centre in the browser (issue 12): the
// Project Manager sets up 滨江壹号案场 with four agents through the service;
// 王一 takes the rotation's new customer on the reception desk (下一位：王一)
// and registers 陈先生 in the form with the focus on the name; 李二, next,
// registers the same phone and is shown the conflict at once; the conflict
// screen shows her own entry and the SAL-022 step (王一's stays hidden
// from her, SEC-003); 李二 records 王一's consent (SAL-015) and the deal;
// the Project Manager sees the commission report's 20/80 split and both
// entries side by side with the phone highlighted; the floor screen
// follows a change of turn without a reload. Screenshots: screenshots/sal-*.png.
func TestSalesJourney(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tab := newBrowser(t, ctx)
	base, a := startKefu(t, ctx, adminPassword)
	co := addUnit(t, ctx, a, org.CreateInput{Kind: org.Company, Name: "滨江置业", Code: "BJ", Pack: "realestate"})
	centre := addUnit(t, ctx, a, org.CreateInput{ParentID: &co.ID, Kind: org.Department, Name: "滨江壹号案场"})
	pmUser, err := a.Auth.Create(audit.WithActor(ctx, audit.System), nil, auth.CreateUserInput{Username: "pm", Password: agentPassword,
		DisplayName: "孙经理", Roles: []auth.Role{auth.RoleSalesManager}, OrgUnit: centre.ID, Position: "项目经理"})
	if err != nil {
		t.Fatal(err)
	}
	_ = pmUser
	var agents []store.ID
	for _, u := range [][2]string{{"wang", "王一"}, {"li", "李二"}, {"zhang", "张三"}, {"zhao", "赵四"}} {
		agents = append(agents, addUser(t, ctx, a, u[0], u[1], auth.RoleSalesAgent, centre.ID).ID)
	}
	token, _, err := a.Auth.Login(ctx, "pm", agentPassword, "127.0.0.1", "e2e")
	if err != nil {
		t.Fatal(err)
	}
	pm, err := a.Auth.Principal(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	pctx := audit.WithActor(ctx, pm.Actor())
	if _, err := a.Sales.SetupCentre(pctx, pm, sales.CentreInput{UnitID: centre.ID, Mode: sales.ModeSales, Reason: "开盘"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Sales.SetMembers(pctx, pm, centre.ID, sales.MembersInput{UserIDs: agents, Reason: "初始轮排"}); err != nil {
		t.Fatal(err)
	}
	unit := centre.ID.String()
	desk := base + "/sales/centres/" + unit

	wait := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.WaitVisible(chromedp.CSS(sel)) }
	submit := func(step, sel, then string) {
		t.Helper()
		do(t, tab, step, mark(), chromedp.Click(chromedp.CSS(sel)), chromedp.WaitNotPresent(chromedp.CSS("body[data-old]")), wait(then))
	}
	signOut := func() {
		t.Helper()
		do(t, tab, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), wait("#login-form"))
	}
	register := func(name, phone string) {
		t.Helper()
		submit("receive the new customer", "#receive-new", "#reg-form")
		if f := focused(t, tab); f != "f-customer_name" {
			t.Errorf("focus on %q, want the name", f)
		}
		do(t, tab, "fill the entry",
			chromedp.SendKeys(chromedp.CSS("#f-customer_name"), name),
			chromedp.SendKeys(chromedp.CSS("#f-phone"), phone),
			chromedp.SetValue(chromedp.CSS("#f-info_source"), "online"))
	}

	// 王一 is next on the desk and registers 陈先生.
	do(t, tab, "open the desk", chromedp.Navigate(desk))
	login(t, tab, "wang", agentPassword)
	do(t, tab, "see the desk", wait("#rotation-table"))
	wantText(t, tab, `[data-nav="sales"]`, "案场接待")
	wantText(t, tab, "#next-name", "王一")
	shot(t, tab, "sal-01-desk")
	register("陈先生", "13800138000")
	shot(t, tab, "sal-02-register")
	submit("save the entry", "#reg-submit", "#reg-number")
	wantText(t, tab, "#reg-customer", "陈先生")
	signOut()

	// 李二 is next; the same phone is a conflict, shown at once.
	do(t, tab, "open the desk", chromedp.Navigate(desk))
	login(t, tab, "li", agentPassword)
	do(t, tab, "see the desk", wait("#rotation-table"))
	wantText(t, tab, "#next-name", "李二")
	register("陈生", "138 0013 8000")
	submit("save the entry", "#reg-submit", "#conflicts")
	wantText(t, tab, "#conflicts", "该客户已有登记", "电话")
	shot(t, tab, "sal-03-conflict-found")
	submit("open the conflict", "#conflicts a.btn", "#prior-entry")
	conflictURL := evaluate[string](t, tab, `location.pathname`)
	wantText(t, tab, "#this-entry", "李二", "陈生")
	wantText(t, tab, "#prior-entry", "其他售楼员") // SEC-003: a colleague's entry stays hidden
	wantText(t, tab, "#attribution", "SAL-022")
	do(t, tab, "record the consent", chromedp.SetValue(chromedp.CSS("#ct-contact"), sales.ContactConsent),
		chromedp.SendKeys(chromedp.CSS("#ct-note"), "王一同意由李二继续接待"))
	submit("save the contact", "#contact-submit", "#contact-state")
	wantText(t, tab, "#contact-state", "原售楼员同意")

	// 李二 records the deal on her entry; the report splits it.
	today := time.Now().In(visitZone).Format("2006-01-02")
	do(t, tab, "open the deal form", chromedp.Navigate(base+"/sales/deals/new?unit_id="+unit), wait("#deal-form"))
	entry := evaluate[string](t, tab, `[...document.querySelectorAll("#f-registration_id option")].find(o => o.text.includes("陈生")).value`)
	do(t, tab, "fill the deal",
		chromedp.SetValue(chromedp.CSS("#f-registration_id"), entry),
		chromedp.SendKeys(chromedp.CSS("#f-property_unit"), "3-1201"),
		chromedp.SendKeys(chromedp.CSS("#f-subscriber_name"), "陈先生"),
		chromedp.SendKeys(chromedp.CSS("#f-price"), "1200000"),
		chromedp.SendKeys(chromedp.CSS("#f-commission"), "10000"),
		chromedp.SetValue(chromedp.CSS("#f-deposit_on"), today),
		chromedp.SetValue(chromedp.CSS("#f-subscribed_on"), today))
	submit("save the deal", "#deal-submit", "#deal-number")
	wantText(t, tab, "#attribution", "王一", "李二")
	shot(t, tab, "sal-05-deal")
	signOut()

	do(t, tab, "open the report", chromedp.Navigate(base+"/sales/commission?unit_id="+unit))
	login(t, tab, "pm", agentPassword)
	do(t, tab, "see the report", wait("#commission-table"))
	report := text(t, tab, "#commission-table")
	for _, want := range []string{"王一", "8000.00", "李二", "2000.00", "10000.00"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	shot(t, tab, "sal-06-commission")
	do(t, tab, "open the conflict", chromedp.Navigate(base+conflictURL), wait("#ruling-form"))
	wantText(t, tab, "#prior-entry", "王一", "13800138000")
	wantText(t, tab, "#this-entry", "李二")
	wantText(t, tab, "#attribution", "SAL-022", "王一")
	if n := evaluate[int](t, tab, `document.querySelectorAll(".sal-entry .sal-match").length`); n < 2 {
		t.Errorf("%d highlighted fields, want the phone on both sides", n)
	}
	shot(t, tab, "sal-04-conflict")
	do(t, tab, "open the floor screen", chromedp.Navigate(desk+"/floor"), wait("#floor-next"))
	wantText(t, tab, "#floor-next", "张三")
	shot(t, tab, "sal-07-floor")
	// The Project Manager moves the turn; the screen follows by itself.
	if _, err := a.Sales.SetPointer(pctx, pm, centre.ID, agents[3], "张三外出办事"); err != nil {
		t.Fatal(err)
	}
	do(t, tab, "wait for the refresh",
		chromedp.Poll[chromedp.Void](`document.querySelector("#floor-next").textContent.includes("赵四")`))
}
