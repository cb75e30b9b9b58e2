package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/org"
)

// keys types into the focused element, as a person at the keyboard would.
func keys(s string) chromedp.Action[chromedp.Void] { return chromedp.KeyEvent(s) }

// mark tags the page shown, so that a step can wait for the next one
// (WaitNotPresent body[data-old]) rather than find the old page's elements.
func mark() chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](`document.body.dataset.old = "1", true`)(ctx, t)
		return chromedp.Void{}, err
	}
}

// focused returns the id of the element that has the focus.
func focused(t *testing.T, ctx context.Context) string {
	t.Helper()
	id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestTicketHotlineJourney is the hotline agent's journey (issue 4): a
// property company with a customer-service centre and an engineering
// department; the agent registers a repair keyboard-only (phone, category
// filter, subject, Enter), sees the resolve clock with its exact target,
// takes the work order through assign, accept, resolve, reply and close on
// the action forms, prints the sheet, then finds the caller again by phone
// on a second call. Screenshots: screenshots/tkt-*.png.
func TestTicketHotlineJourney(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	tab := newBrowser(t, ctx)
	base, a := startKefu(t, ctx, adminPassword)
	co, _ := propertyCompany(t, ctx, a)
	eng := addUnit(t, ctx, a, org.CreateInput{ParentID: &co.ID, Kind: org.Department, Name: "工程部"})
	fixer := addUser(t, ctx, a, "fixer", "张师傅", auth.RoleFieldStaff, eng.ID)

	do(t, tab, "open kefu", chromedp.Navigate(base+"/tickets"))
	login(t, tab, "hotline", agentPassword)
	do(t, tab, "see the queues", chromedp.WaitVisible(chromedp.CSS("#tickets-table")))
	wantText(t, tab, "#queue-tabs", "我的", "本单位", "即将到期", "已超时", "全部")
	wantText(t, tab, ".sidebar a.nav-item.active", "工单")
	shot(t, tab, "tkt-01-queue-empty")

	// Keyboard only from here: the phone field has the focus.
	start := time.Now()
	do(t, tab, "open 新建工单",
		chromedp.Click(chromedp.CSS("#new-ticket")),
		chromedp.WaitVisible(chromedp.CSS("#ticket-form")))
	if id := focused(t, tab); id != "f-phone" {
		t.Fatalf("the intake form opens with the focus on %q, want f-phone", id)
	}
	do(t, tab, "type the caller's number",
		keys("13800138000"),
		chromedp.WaitVisible(chromedp.CSS("#customer-matches .tkt-match-none")))
	wantText(t, tab, "#customer-matches", "没有找到老客户")
	do(t, tab, "type name and address", keys(kb.Tab+"陈先生"+kb.Tab+"3栋1单元502"+kb.Tab))
	if id := focused(t, tab); id != "f-catfilter" {
		t.Fatalf("after the address the focus is on %q, want the category filter", id)
	}
	do(t, tab, "filter the categories", keys("简单维修"))
	if v := value(t, tab, "#f-category"); v != "repair.simple" {
		t.Fatalf("the filter chose %q, want repair.simple", v)
	}
	wantText(t, tab, "#f-category-clocks", "办结 hd")
	do(t, tab, "Enter moves on to the subject", keys(kb.Enter))
	if id := focused(t, tab); id != "f-subject" {
		t.Fatalf("Enter in the filter moved the focus to %q, want f-subject", id)
	}
	do(t, tab, "type the subject", keys("卫生间灯泡不亮"))
	shot(t, tab, "tkt-02-intake")
	do(t, tab, "Enter registers the work order",
		keys(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("#clocks")))
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("registering took %s, want under 30 s", took)
	}
	wantText(t, tab, ".flash", "工单已登记")
	wantText(t, tab, "h1", "卫生间灯泡不亮")
	wantText(t, tab, "#ticket-status", "已受理")
	wantText(t, tab, "#ticket-customer", "陈先生", "13800138000", "3栋1单元502")

	// The resolve clock (hd on cn-office) runs: a countdown with the exact target.
	wantText(t, tab, `.tkt-clock[data-kind="resolve"]`, "办结", "剩 ", "计时中")
	received := text(t, tab, "#ticket-facts dd.mono")
	from, err := time.ParseInLocation("2006-01-02 15:04", strings.TrimSpace(received), time.FixedZone("CST", 8*3600))
	if err != nil {
		t.Fatalf("received time %q: %v", received, err)
	}
	cal, _ := a.Calendars.Get("cn-office")
	hd, _ := calendar.ParseDuration("hd")
	due, err := cal.Deadline(from, hd)
	if err != nil {
		t.Fatal(err)
	}
	wantText(t, tab, `.tkt-clock[data-kind="resolve"] .tkt-target`, due.At.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04"))
	deadline, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector('.tkt-clock .due').getAttribute('data-deadline')`))
	if err != nil || deadline == "" {
		t.Errorf("the countdown badge has no data-deadline: %v", err)
	}
	shot(t, tab, "tkt-03-ticket")

	// assign → accept → resolve → reply → close, each on its action form.
	act := func(name string, fill ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		steps := []chromedp.Action[chromedp.Void]{
			mark(),
			chromedp.Focus(chromedp.CSS("#act-" + name + " > summary")),
			keys(kb.Enter), // opens the disclosure
			chromedp.WaitVisible(chromedp.CSS("#a-" + name + "-submit")),
		}
		steps = append(steps, fill...)
		steps = append(steps, chromedp.Focus(chromedp.CSS("#a-"+name+"-note")), keys(kb.Enter),
			chromedp.WaitNotPresent(chromedp.CSS("body[data-old]")), chromedp.WaitVisible(chromedp.CSS(".flash")))
		do(t, tab, name, steps...)
	}
	act("assign",
		chromedp.SetValue(chromedp.CSS("#a-assign-org_unit"), eng.ID.String()),
		chromedp.SetValue(chromedp.CSS("#a-assign-user_id"), fixer.ID.String()),
	)
	wantText(t, tab, "#ticket-status", "已派单")
	wantText(t, tab, "#ticket-handling", "工程部")
	wantText(t, tab, "#ticket-assignee", "张师傅")
	act("accept")
	wantText(t, tab, "#ticket-status", "处理中")
	shot(t, tab, "tkt-04-in-progress")

	// A work order in progress cannot be closed: the form is not offered.
	if n, _ := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll('#act-close').length`)); n != 0 {
		t.Errorf("close is offered in progress")
	}
	act("resolve", chromedp.Focus(chromedp.CSS("#a-resolve-text")), keys("已更换灯泡，试亮正常"))
	wantText(t, tab, `.tkt-clock[data-kind="resolve"]`, "按时完成")
	act("reply", chromedp.Focus(chromedp.CSS("#a-reply-text")), keys("已电话告知陈先生，客户满意"))
	act("close")
	wantText(t, tab, "#ticket-status", "已办结")
	wantText(t, tab, "#timeline", "受理登记", "派单", "接单", "解决", "已更换灯泡", "答复客户", "办结", "王芳")
	if n, _ := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll('#timeline .tkt-ev').length`)); n != 6 {
		t.Errorf("the timeline has %d entries, want 6", n)
	}
	shot(t, tab, "tkt-05-closed")

	// The printable sheet, on screen and as printed.
	do(t, tab, "open the sheet",
		chromedp.Click(chromedp.CSS("#print-link")),
		chromedp.WaitVisible(chromedp.CSS("#ticket-sheet")))
	wantText(t, tab, "#ticket-sheet", "工　单", "受理时间", "陈先生", "卫生间灯泡不亮", "处理过程", "已更换灯泡，试亮正常",
		"经办人签字", "客户意见", "客户签字", "备　　注")
	shot(t, tab, "tkt-06-sheet")
	do(t, tab, "print it", media("print"))
	printed, err := chromedp.Run(tab, chromedp.Evaluate[bool](
		`getComputedStyle(document.querySelector('.sidebar')).display === 'none' && getComputedStyle(document.querySelector('#print-button')).display === 'none' && getComputedStyle(document.querySelector('.print-head')).display === 'none'`))
	if err != nil || !printed {
		t.Errorf("the printed sheet shows more than the sheet: %v", err)
	}
	shot(t, tab, "tkt-07-sheet-print")
	do(t, tab, "back to the screen", media(""))

	// The same caller again: the lookup finds them; ↓ Enter fills the form.
	do(t, tab, "a second call",
		chromedp.Navigate(base+"/tickets/new"),
		chromedp.WaitVisible(chromedp.CSS("#ticket-form")),
		keys("0013"),
		chromedp.WaitVisible(chromedp.CSS("#customer-matches .tkt-match")))
	wantText(t, tab, "#customer-matches", "陈先生", "13800138000", "历史工单 1 张")
	shot(t, tab, "tkt-08-lookup")
	do(t, tab, "pick the caller", keys(kb.ArrowDown+kb.Enter))
	if v := value(t, tab, "#f-name"); v != "陈先生" {
		t.Errorf("name after picking: %q", v)
	}
	if v := value(t, tab, "#f-phone"); v != "13800138000" {
		t.Errorf("phone after picking: %q", v)
	}
	do(t, tab, "register a complaint without a category",
		chromedp.Focus(chromedp.CSS("#f-subject")),
		keys("物业人员态度差"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("#f-category-err")))
	shot(t, tab, "tkt-09-intake-error")

	do(t, tab, "the queue", chromedp.Navigate(base+"/tickets"), chromedp.WaitVisible(chromedp.CSS("#tickets-table")))
	wantText(t, tab, "#tickets-table", "卫生间灯泡不亮", "陈先生", "简单维修", "已办结")
	if !regexp.MustCompile(`^\d{8}-\d{6}$`).MatchString(text(t, tab, "#tickets-table .tkt-num")) {
		t.Errorf("work-order number %q", text(t, tab, "#tickets-table .tkt-num"))
	}
	shot(t, tab, "tkt-10-queue")

	// The fixer was told about the assignment: the bell shows it.
	fixerTab(t, tab, base)
}

// fixerTab signs in as the field worker in a fresh browser context and
// opens the notification of the assignment at phone width.
func fixerTab(t *testing.T, browser context.Context, base string) {
	tab, cancel := chromedp.NewContext(browser)
	defer cancel()
	if err := chromedp.Do(tab, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
		t.Fatalf("phone tab: %v", err)
	}
	do(t, tab, "sign out the agent", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(".topbar")),
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("#login-form")))
	login(t, tab, "fixer", agentPassword)
	do(t, tab, "see the bell", chromedp.WaitVisible(chromedp.CSS("#bell-count")))
	wantText(t, tab, "#bell-count", "1")
	do(t, tab, "open the notifications", chromedp.Click(chromedp.CSS("#bell")), chromedp.WaitVisible(chromedp.CSS("#notifications")))
	wantText(t, tab, "#notifications", "已派给您")
	shot(t, tab, "tkt-11-notifications-phone")
	do(t, tab, "open the work order", chromedp.Click(chromedp.CSS("#notifications .ntf-title")), chromedp.WaitVisible(chromedp.CSS("#clocks")))
	shot(t, tab, "tkt-12-ticket-phone")
	do(t, tab, "mark all read", chromedp.Navigate(base+"/notifications"), chromedp.WaitVisible(chromedp.CSS("#notifications")))
	if n, _ := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll('#bell-count').length`)); n != 0 {
		t.Errorf("the bell still counts after opening the only notification")
	}
}
