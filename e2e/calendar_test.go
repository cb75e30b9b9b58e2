package e2e

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestCalendarJourney is the calendar administrator's journey (issue 3): the
// year view of the built-in cn calendar with its 调休 make-up days, the
// deadline calculator on the PRODUCT.md example (CAL-002), a provisional
// year, importing that year's State Council notice with a preview first,
// editing one day and restoring it, and a custom calendar with business
// hours. Screenshots go to screenshots/cal-*.png.
func TestCalendarJourney(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	tab := newBrowser(t, ctx)
	base, _ := startKefu(t, ctx, adminPassword)
	notice2027, err := os.ReadFile("../internal/web/testdata/2027-notice.txt")
	if err != nil {
		t.Fatal(err)
	}

	do(t, tab, "open kefu", chromedp.Navigate(base+"/"))
	login(t, tab, "admin", adminPassword)
	do(t, tab, "open 日历",
		chromedp.WaitVisible(chromedp.CSS(`a.nav-item[data-nav="calendars"]`)),
		chromedp.Click(chromedp.CSS(`a.nav-item[data-nav="calendars"]`)),
		chromedp.WaitVisible(chromedp.CSS("#calendars-table")))
	wantText(t, tab, "#calendars-table", "cn", "cn-office", "08:30-12:00, 13:30-18:00")
	shot(t, tab, "cal-01-list")

	// 2026 on cn: official, National Day 10-01..10-07, make-up days on the
	// Sunday 09-20 and Saturday 10-10, shown as make-up squares in the grid.
	do(t, tab, "open cn 2026",
		chromedp.Navigate(base+"/admin/calendars/cn?year=2026"),
		chromedp.WaitVisible(chromedp.CSS("#year-view")))
	wantText(t, tab, "#year-source", "正式")
	wantText(t, tab, "#holiday-table", "国庆节", "10月1日–10月7日", "10月10日 周六")
	if c := attr(t, tab, `td[data-date="2026-10-10"]`, "class"); !strings.Contains(c, "d-makeup") {
		t.Errorf("2026-10-10 square has class %q, want d-makeup", c)
	}
	if c := attr(t, tab, `td[data-date="2026-10-05"]`, "class"); !strings.Contains(c, "d-holiday") {
		t.Errorf("2026-10-05 square has class %q, want d-holiday", c)
	}
	shot(t, tab, "cal-02-year-2026")

	// CAL-002 / PRODUCT.md §3: 2026-09-30 16:00 + 3wd → 2026-10-11 00:00.
	compute(t, tab, "2026-09-30T16:00", "3wd", "#calc-result")
	wantText(t, tab, "#calc-deadline", "2026年10月10日", "24:00")
	shot(t, tab, "cal-03-deadline")

	// A bad duration is refused inline, naming the field.
	compute(t, tab, "2026-09-30T16:00", "3 weeks", "#c-duration-err")
	shot(t, tab, "cal-04-deadline-invalid")

	// 2027 has no notice yet: provisional, and a deadline there says so.
	do(t, tab, "open cn 2027",
		chromedp.Navigate(base+"/admin/calendars/cn?year=2027"),
		chromedp.WaitVisible(chromedp.CSS("#provisional-banner")))
	wantText(t, tab, "#year-source", "临时")
	compute(t, tab, "2027-02-03T09:00", "5wd", "#calc-provisional")
	shot(t, tab, "cal-05-year-2027-provisional")

	// Import the 2027 notice: preview first (nothing stored), then confirm.
	do(t, tab, "open the import page",
		chromedp.Click(chromedp.CSS("#import-link")),
		chromedp.WaitVisible(chromedp.CSS("#import-form")),
		chromedp.SetValue(chromedp.CSS("#f-text"), string(notice2027)),
		chromedp.Click(chromedp.CSS("#preview")),
		chromedp.WaitVisible(chromedp.CSS("#notice-summary")))
	wantText(t, tab, "#notice-summary", "2027年", "放假 28 天", "调休上班 5 天")
	wantText(t, tab, "#notice-changes", "2027-02-20")
	shot(t, tab, "cal-06-import-preview")
	do(t, tab, "confirm the import",
		chromedp.Click(chromedp.CSS("#confirm-import")),
		chromedp.WaitVisible(chromedp.CSS("#year-view")))
	wantText(t, tab, "#year-source", "正式")
	wantText(t, tab, "main", "已导入2027年放假安排")
	if c := attr(t, tab, `td[data-date="2027-02-20"]`, "class"); !strings.Contains(c, "d-makeup") {
		t.Errorf("2027-02-20 square after import has class %q, want d-makeup", c)
	}
	shot(t, tab, "cal-07-year-2027-official")

	// Edit one day (a company-wide holiday), then restore the official arrangement.
	do(t, tab, "open 2027-03-02",
		chromedp.Click(chromedp.CSS(`td[data-date="2027-03-02"] a`)),
		chromedp.WaitVisible(chromedp.CSS("#day-form")),
		chromedp.Click(chromedp.CSS(`input[name="kind"][value="holiday"]`)),
		chromedp.SetValue(chromedp.CSS("#f-name"), "公司停电检修"),
		chromedp.Click(chromedp.CSS("#save-day")),
		chromedp.WaitVisible(chromedp.CSS("#override-table")))
	wantText(t, tab, "#override-table", "2027-03-02", "公司停电检修")
	shot(t, tab, "cal-08-day-override")
	// Restoring asks for confirmation first; accept the browser's dialog.
	confirmed := make(chan string, 1)
	dialogs := chromedp.Events(tab, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			confirmed <- ev.Message
			_, _ = chromedp.Call(tab, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			return
		}
	}()
	do(t, tab, "restore 2027-03-02",
		chromedp.Navigate(base+"/admin/calendars/cn/days/2027-03-02"),
		chromedp.WaitVisible(chromedp.CSS("#clear-form")),
		chromedp.Click(chromedp.CSS("#clear-day")),
		chromedp.WaitVisible(chromedp.CSS("#year-view")))
	wantText(t, tab, "main", "已恢复官方安排")
	if msg := <-confirmed; !strings.Contains(msg, "恢复") {
		t.Errorf("confirmation dialog says %q", msg)
	}

	// A custom calendar with two business-hour windows, then a deadline in wh.
	do(t, tab, "create a calendar",
		chromedp.Navigate(base+"/admin/calendars"),
		chromedp.WaitVisible(chromedp.CSS("#calendar-form")),
		chromedp.SetValue(chromedp.CSS("#f-id"), "hotline"),
		chromedp.SetValue(chromedp.CSS("#f-name"), "热线班次"),
		chromedp.SetValue(chromedp.CSS("#f-business_hours"), "09:00-12:00, 13:00-17:00"),
		chromedp.Click(chromedp.CSS("#create-calendar")),
		chromedp.WaitVisible(chromedp.CSS("#year-view")))
	wantText(t, tab, "h1", "热线班次")
	// 2026-10-09 (Fri) 16:00 + 2wh: one hour on Friday, then Saturday
	// 10-10 is a make-up workday, so the deadline is 10-10 10:00.
	compute(t, tab, "2026-10-09T16:00", "2wh", "#calc-result")
	wantText(t, tab, "#calc-deadline", "2026年10月10日", "10:00")
	shot(t, tab, "cal-09-custom-hours")
}

// compute sends the deadline calculator of the open calendar page and
// waits for the element that answers (the result or a field error).
func compute(t *testing.T, ctx context.Context, start, duration, answer string) {
	t.Helper()
	do(t, ctx, "compute "+start+" + "+duration,
		chromedp.SetValue(chromedp.CSS("#c-start"), start),
		chromedp.SetValue(chromedp.CSS("#c-duration"), duration),
		chromedp.Click(chromedp.CSS("#calc-submit")),
		chromedp.WaitVisible(chromedp.CSS(answer)))
}

// attr returns an attribute of the first element matching sel.
func attr(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		t.Fatalf("attribute %s of %s: %v", name, sel, err)
	}
	return v.Value
}
