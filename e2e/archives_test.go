package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/org"
)

// TestArchivesJourney runs the archives in the browser (issue 13): the
// archivist 档案员 binds the General Manager's Office and the Customer
// Affairs Group with their custodians, opens the unit file BJ1-03-1201,
// checks the 认购书 in straight into it and leaves the 商品房买卖合同 in
// the tray (the same-day clock shows), archives the volume (retention
// ten years from today); the agent 王芳 applies to borrow the file; the
// office head 周主任 approves; the archivist lends it (due seven days on,
// the clock is real so the date is computed on the cn calendar) and takes
// it back; the retention dashboard renders and a move-in handover batch is
// opened with the file, next to the quarter's batch opened by itself.
// Screenshots: screenshots/arc-01 … arc-06.
func TestArchivesJourney(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tab := newBrowser(t, ctx)
	base, a := startKefu(t, ctx, adminPassword)
	co := addUnit(t, ctx, a, org.CreateInput{Kind: org.Company, Name: "滨江置业", Code: "BJ", Pack: "realestate"})
	gmo := addUnit(t, ctx, a, org.CreateInput{ParentID: &co.ID, Kind: org.Department, Name: "总经理办公室"})
	ca := addUnit(t, ctx, a, org.CreateInput{ParentID: &co.ID, Kind: org.Department, Name: "客户事务组"})
	arc := addUser(t, ctx, a, "arc", "档案员", auth.RoleArchivist, gmo.ID)
	addUser(t, ctx, a, "head", "周主任", auth.RoleManager, gmo.ID)
	agent := addUser(t, ctx, a, "agent", "王芳", auth.RoleCSAgent, ca.ID)

	wait := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.WaitVisible(chromedp.CSS(sel)) }
	submit := func(step, sel, then string) {
		t.Helper()
		do(t, tab, step, mark(), chromedp.Click(chromedp.CSS(sel)), chromedp.WaitNotPresent(chromedp.CSS("body[data-old]")), wait(then))
	}
	signOut := func() {
		t.Helper()
		do(t, tab, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), wait("#login-form"))
	}
	now := time.Now().In(visitZone)
	today := now.Format("2006-01-02")

	// The archivist binds the departments.
	do(t, tab, "open the departments", chromedp.Navigate(base+"/archives/departments"))
	login(t, tab, "arc", agentPassword)
	do(t, tab, "see the departments", wait("#departments-table"))
	wantText(t, tab, `[data-nav="archives"]`, "档案")
	for _, b := range []struct {
		key  string
		unit org.Unit
		who  string
	}{{"gmo", gmo, arc.ID.String()}, {"customer_affairs", ca, agent.ID.String()}} {
		do(t, tab, "bind "+b.key,
			chromedp.SetValue(chromedp.CSS("#bind-"+b.key+` select[name="unit_id"]`), b.unit.ID.String()),
			chromedp.SetValue(chromedp.CSS("#bind-"+b.key+` select[name="custodian_id"]`), b.who))
		submit("save "+b.key, "#bind-"+b.key+" button", "#departments-table")
	}
	wantText(t, tab, "#dept-gmo", "总经理办公室", "档案员")

	// A unit file, a document filed into it at once and one into the tray.
	do(t, tab, "open the catalogue", chromedp.Navigate(base+"/archives"), wait("#file-form"))
	do(t, tab, "fill the file",
		chromedp.SetValue(chromedp.CSS("#f-kind"), "unit"),
		chromedp.SendKeys(chromedp.CSS("#f-project"), "BJ1"),
		chromedp.SendKeys(chromedp.CSS("#f-building"), "3"),
		chromedp.SendKeys(chromedp.CSS("#f-unit"), "1201"),
		chromedp.SendKeys(chromedp.CSS("#f-location"), "档案室 A-03 柜"))
	submit("open the file", "#file-submit", "#file-number")
	wantText(t, tab, "#file-number", "BJ1-03-1201")
	fileURL := evaluate[string](t, tab, `location.pathname`)

	checkIn := func(category, title, pages, number, then string) {
		t.Helper()
		do(t, tab, "open the tray", chromedp.Navigate(base+"/archives/tray"), wait("#checkin-form"))
		do(t, tab, "fill the check-in",
			chromedp.SetValue(chromedp.CSS("#f-category"), category),
			chromedp.SendKeys(chromedp.CSS("#f-title"), title),
			chromedp.SendKeys(chromedp.CSS("#f-pages"), pages),
			chromedp.SendKeys(chromedp.CSS("#f-received_from"), "项目销售组"))
		if number != "" {
			do(t, tab, "give the file number", chromedp.SendKeys(chromedp.CSS("#f-file_number"), number))
		}
		submit("check in "+title, "#checkin-submit", then)
	}
	checkIn("3.1", "认购书", "4", "BJ1-03-1201", "#file-number")
	checkIn("3.1", "排号协议", "2", "BJ1-03-1201", "#file-number")
	checkIn("3.2", "商品房买卖合同", "12", "", "#tray-table")
	wantText(t, tab, "#tray-table", "商品房买卖合同", "今日须归档")
	shot(t, tab, "arc-03-tray")

	do(t, tab, "back to the file", chromedp.Navigate(base+fileURL), wait("#volumes"))
	wantText(t, tab, "#items-table", "认购书", "当日归档")
	wantText(t, tab, "#volumes", "缺少", "客户身份证明") // ARC-003 checklist of 3.1
	submit("archive the volume", `#volumes form[id^="archive-form-"] button`, "#volumes")
	eligible := now.AddDate(10, 0, 1).Format("2006-01-02") // ARC-014: eligible the day after 10 years end
	wantText(t, tab, "#volumes", "已归档", today, eligible)
	shot(t, tab, "arc-02-file")
	do(t, tab, "open the cover", chromedp.Navigate(base+fileURL+"/cover"), wait("#cover-sheet"))
	wantText(t, tab, "#cover-sheet", "BJ1-03-1201", "总经理办公室", "10 年")
	do(t, tab, "open the catalogue", chromedp.Navigate(base+"/archives"), wait("#files-table"))
	wantText(t, tab, "#files-table", "BJ1-03-1201", "房号档案", "在库")
	shot(t, tab, "arc-01-browser")
	signOut()

	// The agent applies on 我的借阅; the catalogue is not hers.
	do(t, tab, "open my loans", chromedp.Navigate(base+"/archives/loans"))
	login(t, tab, "agent", agentPassword)
	do(t, tab, "see the form", wait("#apply-form"))
	wantText(t, tab, `[data-nav="archive_loans"]`, "我的借阅")
	if n := evaluate[int](t, tab, `document.querySelectorAll('[data-nav="archives"]').length`); n != 0 {
		t.Errorf("the agent sees the catalogue in the navigation")
	}
	do(t, tab, "fill the application",
		chromedp.SendKeys(chromedp.CSS("#f-file_number"), "BJ1-03-1201"),
		chromedp.SendKeys(chromedp.CSS("#f-purpose"), "核对认购书条款"))
	submit("apply", "#apply-submit", "#loan-number")
	wantText(t, tab, "#loan-state", "审批中")
	wantText(t, tab, "#chain", "总经理办公室审批")
	loanURL := evaluate[string](t, tab, `location.pathname`)
	signOut()

	// 周主任 approves.
	do(t, tab, "open the loan", chromedp.Navigate(base+loanURL))
	login(t, tab, "head", agentPassword)
	do(t, tab, "see the decide form", wait("#decide-form"))
	wantText(t, tab, "#chain", "待您审批")
	do(t, tab, "write a note", chromedp.SendKeys(chromedp.CSS("#decide-note"), "同意借阅，按期归还"))
	submit("approve", "#approve-submit", "#loan-state")
	wantText(t, tab, "#loan-state", "待借出")
	signOut()

	// The archivist lends it (due 7d on the cn calendar) and takes it back.
	do(t, tab, "open the loan", chromedp.Navigate(base+loanURL))
	login(t, tab, "arc", agentPassword)
	do(t, tab, "see the lend form", wait("#lend-form"))
	submit("lend", "#lend-submit", "#return-form")
	wantText(t, tab, "#loan-state", "借出中")
	cal, ok := a.Calendars.Get("cn")
	if !ok {
		t.Fatal("no cn calendar")
	}
	due, err := cal.Deadline(time.Now(), calendar.Duration{N: 7, Unit: calendar.CalendarDays})
	if err != nil {
		t.Fatal(err)
	}
	dueDay := due.At.In(visitZone)
	if dueDay.Hour() == 0 && dueDay.Minute() == 0 {
		dueDay = dueDay.AddDate(0, 0, -1)
	}
	wantText(t, tab, "#loan-due", dueDay.Format("2006-01-02"))
	wantText(t, tab, "#chain", "周主任")
	shot(t, tab, "arc-04-loan")
	do(t, tab, "open the slip", chromedp.Navigate(base+loanURL+"/slip"), wait("#slip-sheet"))
	wantText(t, tab, "#slip-sheet", "档案借阅单", "王芳", "核对认购书条款", dueDay.Format("2006-01-02"))
	do(t, tab, "back to the loan", chromedp.Navigate(base+loanURL), wait("#return-form"))
	do(t, tab, "note the return", chromedp.SendKeys(chromedp.CSS("#rt-note"), "完好无缺"))
	submit("return", "#return-submit", "#loan-state")
	wantText(t, tab, "#loan-state", "已归还")

	// Retention and handovers.
	do(t, tab, "open the retention", chromedp.Navigate(base+"/archives/retention"), wait("#retention-counts"))
	wantText(t, tab, "#count-archived", "1")
	wantText(t, tab, "#later", strconv.Itoa(now.Year()+10))
	shot(t, tab, "arc-05-retention")
	do(t, tab, "open the handovers", chromedp.Navigate(base+"/archives/handovers"), wait("#handover-form"))
	do(t, tab, "pick the move-in handover", chromedp.SetValue(chromedp.CSS("#f-schedule"), "move_in"),
		chromedp.SetValue(chromedp.CSS("#f-event_on"), today),
		chromedp.SendKeys(chromedp.CSS("#f-event_note"), "滨江壹号集中入伙完成"))
	submit("open the batch", "#handover-submit", "#handover-number")
	batchURL := evaluate[string](t, tab, `location.pathname`)
	// BJ1-03-1201 is held by the GMO, not the sending department: refused.
	do(t, tab, "add the GMO's file", chromedp.SendKeys(chromedp.CSS("#f-file_numbers"), "BJ1-03-1201"))
	submit("add the GMO's file", "#handover-files-submit", "#handover-files-form .field-error")
	do(t, tab, "open the group's file", chromedp.Navigate(base+"/archives"), wait("#file-form"))
	do(t, tab, "fill the group's file",
		chromedp.SetValue(chromedp.CSS("#f-kind"), "unit"),
		chromedp.SendKeys(chromedp.CSS("#f-project"), "BJ1"),
		chromedp.SendKeys(chromedp.CSS("#f-building"), "3"),
		chromedp.SendKeys(chromedp.CSS("#f-unit"), "1202"),
		chromedp.SetValue(chromedp.CSS("#f-holder_unit_id"), ca.ID.String()))
	submit("open the group's file", "#file-submit", "#file-number")
	do(t, tab, "back to the batch", chromedp.Navigate(base+batchURL), wait("#handover-files-form"))
	do(t, tab, "add the group's file", chromedp.SendKeys(chromedp.CSS("#f-file_numbers"), "BJ1-03-1202"))
	submit("add the group's file", "#handover-files-submit", "#handover-files-table")
	wantText(t, tab, "#handover-files-table", "BJ1-03-1202", "缺少")
	do(t, tab, "open the checklist", chromedp.Navigate(base+"/archives/handovers"), wait("#handovers-table"))
	wantText(t, tab, "#handovers-table", "集中入伙后移交总经理办公室", "客户事务组季度移交", "ARC-007")
	if got := text(t, tab, "#handovers-table"); !strings.Contains(got, "客户事务组 → 总经理办公室") {
		t.Errorf("checklist lacks from → to:\n%s", got)
	}
	shot(t, tab, "arc-06-handovers")
}
