package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"kefu/internal/auth"
	"kefu/internal/org"
)

// gasLedger writes a real-looking gas customer ledger (燃气用户台账) to
// dir: a title row above the header, Chinese headers as offices write
// them, a full-width phone, a date column, and one bad row (a phone of
// too few digits) that the dry run must report with its row number.
func gasLedger(t *testing.T, dir string) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sh := "Sheet1"
	rows := [][]any{
		{"幸福燃气公司 居民用户台账（2026年3月）"},
		{"户号", "用户姓名", "联系电话", "身份证号", "用气地址", "用户性质", "表号", "抄表周期", "开户日期", "特殊人群", "备注"},
		{"RQ-300101", "王建国", "13800138000", "110101199003071234", "朝阳区幸福里小区3栋2单元501", "居民", "G2024000512", "双月", "2019-11-20", "老", ""},
		{"RQ-300102", "李秀英", "１３９００１３９００１", "110101195504021528", "朝阳区幸福里小区3栋2单元502", "居民", "G2024000513", "双月", "2020-03-05", "", ""},
		{"RQ-300103", "张伟", "13700137002", "", "朝阳区和平街12号", "居民", "G2024000514", "每月", "2021-07-01", "", "电话待核实"},
		{"RQ-300104", "刘洋", "12", "", "朝阳区幸福里小区5栋1单元101", "居民", "G2024000515", "双月", "2022-01-15", "", ""},
		{"RQ-300105", "陈记餐馆", "010-65881234", "", "朝阳区幸福里小区底商8号", "商业", "G2024000516", "每月", "2018-09-09", "", ""},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sh, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "燃气用户台账.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCustomerArchiveJourney is issue 5's "done means": an archivist
// imports a gas customer ledger from Excel (dry run with the mapping and
// the bad row, then the valid rows), finds a customer by a fragment of a
// Chinese address, opens the customer and sees the service point and the
// history; a customer-service agent opens the same customer and sees the
// identity number masked. Screenshots: screenshots/cus-*.png.
func TestCustomerArchiveJourney(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	tab := newBrowser(t, ctx)
	base, a := startKefu(t, ctx, adminPassword)
	co := addUnit(t, ctx, a, org.CreateInput{Kind: org.Company, Name: "幸福燃气公司", Code: "XF", Pack: "gas"})
	addUser(t, ctx, a, "archivist", "档案员 孙丽", auth.RoleArchivist, co.ID)
	addUser(t, ctx, a, "agent", "客服 王芳", auth.RoleCSAgent, co.ID)
	ledger := gasLedger(t, t.TempDir())

	do(t, tab, "open kefu", chromedp.Navigate(base+"/customers"))
	login(t, tab, "archivist", agentPassword)
	do(t, tab, "the empty archive", chromedp.WaitVisible(chromedp.CSS("#customers-table")))
	wantText(t, tab, ".sidebar a.nav-item.active", "客户档案")

	// The creation form answers a missing name and type next to the inputs.
	do(t, tab, "the creation form", chromedp.Click(chromedp.CSS("#new-customer")), chromedp.WaitVisible(chromedp.CSS("#customer-form")),
		chromedp.SetValue(chromedp.CSS("#f-sp0_account_no"), "RQ-9"),
		mark(), chromedp.Click(chromedp.CSS("#save-customer")), chromedp.WaitNotPresent(chromedp.CSS("body[data-old]")),
		chromedp.WaitVisible(chromedp.CSS("#f-name-err")))
	shot(t, tab, "cus-00-new-form-errors")
	do(t, tab, "back to the list", chromedp.Navigate(base+"/customers"), chromedp.WaitVisible(chromedp.CSS("#customers-table")))

	// Import: upload → dry run with the mapping used and the bad row.
	do(t, tab, "open the import wizard", chromedp.Click(chromedp.CSS("#import-link")), chromedp.WaitVisible(chromedp.CSS("#import-upload")))
	do(t, tab, "upload the ledger",
		chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{ledger}),
		chromedp.Click(chromedp.CSS("#upload-submit")),
		chromedp.WaitVisible(chromedp.CSS("#import-summary")))
	wantText(t, tab, "#rows-total", "5")
	wantText(t, tab, "#rows-valid", "4")
	wantText(t, tab, "#rows-invalid", "1")
	wantText(t, tab, "#row-errors", "6", "联系电话")
	if v := value(t, tab, "#map-E"); v != "address" {
		t.Errorf("column E (用气地址) maps to %q, want address", v)
	}
	shot(t, tab, "cus-01-import-check")
	do(t, tab, "import the valid rows",
		chromedp.Click(chromedp.CSS(`input[name="mode"][value="valid"]`)),
		chromedp.Click(chromedp.CSS("#start-import")),
		chromedp.WaitVisible(chromedp.CSS("#import-done")))
	wantText(t, tab, "#rows-written", "4")
	shot(t, tab, "cus-02-import-done")

	// Find the customer by a fragment of the address, as one types.
	do(t, tab, "the list", chromedp.Click(chromedp.CSS("#to-list")), chromedp.WaitVisible(chromedp.CSS("#customers-table")))
	do(t, tab, "type 幸福里", chromedp.Focus(chromedp.CSS("#q")), keys("幸福里"))
	waitJS(t, tab, "the results follow the typing",
		`document.querySelectorAll("#customers-table tr[data-id]").length === 3 && location.search.indexOf("q=") >= 0`)
	list := text(t, tab, "#customers-table")
	for _, want := range []string{"王建国", "李秀英", "陈记餐馆", "G-000001"} {
		if !strings.Contains(list, want) {
			t.Errorf("the search shows %q, want it to contain %q", list, want)
		}
	}
	if strings.Contains(list, "张伟") {
		t.Errorf("张伟 of 和平街 matches 幸福里: %q", list)
	}
	wantText(t, tab, "#customers-table", "特殊群体")
	shot(t, tab, "cus-03-list-search")

	// The customer page: service point, archive number, unmasked id number.
	waitJS(t, tab, "open 王建国",
		`(Array.from(document.querySelectorAll("#customers-table a.cus-name")).find(a => a.textContent === "王建国") || {click() {}}).click(), true`)
	do(t, tab, "the customer page", chromedp.WaitVisible(chromedp.CSS("#points")))
	wantText(t, tab, "#customer-name", "王建国")
	wantText(t, tab, "#points", "G-0000", "RQ-300101", "G2024000512", "双月")
	wantText(t, tab, "#customer-id-number", "110101199003071234")
	wantText(t, tab, "#customer-badges", "特殊群体", "居民")
	customerURL, err := chromedp.Run(tab, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}

	// History: record a contact and change the phone; both show on the page.
	do(t, tab, "record a contact",
		chromedp.Click(chromedp.CSS("#add-contact > summary")),
		chromedp.WaitVisible(chromedp.CSS("#c-summary")),
		chromedp.SendKeys(chromedp.CSS("#c-summary"), "建档核对：户主本人确认地址"),
		mark(), chromedp.Click(chromedp.CSS("#contact-submit")),
		chromedp.WaitNotPresent(chromedp.CSS("body[data-old]")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	wantText(t, tab, "#contacts", "建档核对：户主本人确认地址", "档案员 孙丽")
	do(t, tab, "edit the phone",
		chromedp.Click(chromedp.CSS("#edit-link")), chromedp.WaitVisible(chromedp.CSS("#customer-form")),
		chromedp.SetValue(chromedp.CSS("#f-phone"), "13800138111"),
		mark(), chromedp.Click(chromedp.CSS("#save-customer")),
		chromedp.WaitNotPresent(chromedp.CSS("body[data-old]")), chromedp.WaitVisible(chromedp.CSS("#points")))
	do(t, tab, "open the history", chromedp.Click(chromedp.CSS("#history > summary")), chromedp.WaitVisible(chromedp.CSS("#history-table")))
	wantText(t, tab, "#history-table", "联系电话", "13800138000", "13800138111", "档案员 孙丽")
	do(t, tab, "back to the top", scrollTop())
	shot(t, tab, "cus-04-customer-archivist")

	do(t, tab, "the archive cover", chromedp.Click(chromedp.CSS("#print-link")), chromedp.WaitVisible(chromedp.CSS("#archive-cover")),
		media("print"))
	wantText(t, tab, "#archive-cover", "客 户 档 案", "王建国", "RQ-300101")
	shot(t, tab, "cus-05-cover-print")
	do(t, tab, "screen media again", media(""))

	// The agent sees the same customer with the identity number masked.
	do(t, tab, "sign out the archivist", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(".topbar")),
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("#login-form")))
	do(t, tab, "open the customer", chromedp.Navigate(customerURL))
	login(t, tab, "agent", agentPassword)
	do(t, tab, "the customer page", chromedp.WaitVisible(chromedp.CSS("#points")))
	wantText(t, tab, "#customer-name", "王建国")
	wantText(t, tab, "#customer-id-number", "1101**********1234", "已脱敏")
	if got := text(t, tab, "body"); strings.Contains(got, "110101199003071234") {
		t.Error("the agent sees the identity number unmasked")
	}
	wantText(t, tab, "#points", "RQ-300101")
	shot(t, tab, "cus-06-customer-agent")

	// On a phone.
	do(t, tab, "phone width", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#points")))
	shot(t, tab, "cus-07-customer-phone")
	do(t, tab, "desktop width", chromedp.EmulateViewport(1366, 768))
}

// scrollTop scrolls the page to its top (full-page shots of a scrolled
// page show the sticky top bar in the middle).
func scrollTop() chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](`window.scrollTo(0, 0), true`)(ctx, t)
		return chromedp.Void{}, err
	}
}

// waitJS polls a JavaScript expression until it is true, within a deadline.
func waitJS(t *testing.T, ctx context.Context, step, expr string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(sctx, chromedp.Poll[bool](expr)); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}
