package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// badPackYAML has an unknown role on line 11 and an unknown group on line 15.
const badPackYAML = `key: water
version: 1
name: {zh: 供水, en: Water}
calendar: cn-office
channels:
  - key: phone
    name: {zh: 电话}
severities:
  - key: general
    name: {zh: 一般}
    handler_role: plumber
categories:
  - key: repair.pipe
    name: {zh: 管道维修}
    group: repairs
    clocks:
      - kind: resolve
        duration: 2wd
`

// TestPolicyAndClusterJourney is the administrator's and the agent's
// issue-4 journey: the policy packs (list, one pack, an install that fails
// with its lines shown, then succeeds), then three households of one
// building calling about the same fault: a cluster from the work-order
// page, a joint explanation session and an open letter printed on A4.
// Screenshots: screenshots/pol-*.png.
func TestPolicyAndClusterJourney(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	tab := newBrowser(t, ctx)
	base, a := startKefu(t, ctx, adminPassword)
	_, cs := propertyCompany(t, ctx, a)

	// The administrator: the packs and who uses them.
	do(t, tab, "open the packs", chromedp.Navigate(base+"/admin/policy"))
	login(t, tab, "admin", adminPassword)
	do(t, tab, "see the packs", chromedp.WaitVisible(chromedp.CSS("#packs-table")))
	wantText(t, tab, ".sidebar a.nav-item.active", "政策包")
	wantText(t, tab, `#packs-table tr[data-pack="property"]`, "物业管理", "v4", "cn-office", "锦绣物业公司")
	shot(t, tab, "pol-01-list")
	do(t, tab, "open the property pack",
		chromedp.Click(chromedp.CSS(`#packs-table tr[data-pack="property"] a`)),
		chromedp.WaitVisible(chromedp.CSS("#categories")))
	wantText(t, tab, `tr[data-category="repair.simple"]`, "简单维修", "办结 hd（自受理起）")
	wantText(t, tab, "#severities", "客服主管")
	wantText(t, tab, "#pack-units", "锦绣物业公司", "客服中心")
	shot(t, tab, "pol-02-pack")

	// A pack with two mistakes: both shown with their lines, next to the text.
	do(t, tab, "open the install form",
		chromedp.Navigate(base+"/admin/policy/install"),
		chromedp.WaitVisible(chromedp.CSS("#f-yaml")),
		chromedp.SetValue(chromedp.CSS("#f-yaml"), badPackYAML),
		chromedp.Click(chromedp.CSS("#validate-button")),
		chromedp.WaitVisible(chromedp.CSS("#problem-list")))
	wantText(t, tab, "#problem-list", "行 11", "severities[0].handler_role", "行 15", "categories[0].group")
	wantText(t, tab, "#L11", "handler_role: plumber")
	if v := value(t, tab, "#f-yaml"); !strings.Contains(v, "group: repairs") {
		t.Errorf("the text was not kept: %q", v)
	}
	shot(t, tab, "pol-03-install-problems")
	fixed := strings.NewReplacer("plumber", "dept_staff", "repairs", "repair").Replace(badPackYAML)
	do(t, tab, "install the corrected pack",
		chromedp.SetValue(chromedp.CSS("#f-yaml"), fixed),
		chromedp.Click(chromedp.CSS("#install-button")),
		chromedp.WaitVisible(chromedp.CSS("#categories")))
	wantText(t, tab, ".flash", "政策包已安装")
	wantText(t, tab, "h1", "供水", "v1")
	wantText(t, tab, `tr[data-category="repair.pipe"]`, "办结 2wd（自受理起）")
	shot(t, tab, "pol-04-installed")
	do(t, tab, "the org page offers it",
		chromedp.Navigate(base+"/admin/org?edit="+cs.ID.String()),
		chromedp.WaitVisible(chromedp.CSS("#e-pack")))
	wantText(t, tab, "#e-pack", "供水", "物业管理")

	// A webhook: the secret is shown once, on the answer to its creation.
	do(t, tab, "add a webhook",
		chromedp.Navigate(base+"/admin/webhooks"),
		chromedp.WaitVisible(chromedp.CSS("#webhook-form")),
		chromedp.SetValue(chromedp.CSS("#f-url"), "https://crm.example.cn/kefu/hook"),
		chromedp.Click(chromedp.CSS("#webhook-create")),
		chromedp.WaitVisible(chromedp.CSS("#secret-value")))
	wantText(t, tab, "#secret", "只显示这一次")
	shot(t, tab, "pol-04b-webhook-secret")
	do(t, tab, "the list", chromedp.Navigate(base+"/admin/webhooks"), chromedp.WaitVisible(chromedp.CSS("#webhooks-table")))
	wantText(t, tab, "#webhooks-table", "https://crm.example.cn/kefu/hook", "ticket.*")
	do(t, tab, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("#login-form")))

	// The agent: three households of building 3 call about the stair lights.
	login(t, tab, "hotline", agentPassword)
	do(t, tab, "signed in", chromedp.WaitVisible(chromedp.CSS(".sidebar")))
	var first string
	for i, who := range []string{"赵先生", "钱女士", "孙先生"} {
		do(t, tab, "register "+who,
			chromedp.Navigate(base+"/tickets/new"),
			chromedp.WaitVisible(chromedp.CSS("#ticket-form")),
			chromedp.SetValue(chromedp.CSS("#f-phone"), "1390000010"+string(rune('1'+i))),
			chromedp.SetValue(chromedp.CSS("#f-name"), who),
			chromedp.SetValue(chromedp.CSS("#f-address"), "3栋2单元10"+string(rune('1'+i))),
			chromedp.SetValue(chromedp.CSS("#f-category"), "repair.simple"),
			chromedp.SetValue(chromedp.CSS("#f-subject"), "3栋楼道灯不亮"),
			mark(),
			chromedp.Click(chromedp.CSS("#ticket-form button[type=submit]")),
			chromedp.WaitNotPresent(chromedp.CSS("body[data-old]")),
			chromedp.WaitVisible(chromedp.CSS("#clocks")))
		if i == 0 {
			first = text(t, tab, "#ticket-number")
		}
	}
	wantText(t, tab, "#similar-list", first)
	shot(t, tab, "pol-05-similar")
	do(t, tab, "make a cluster",
		chromedp.Click(chromedp.CSS("#cluster-create > summary")),
		chromedp.WaitVisible(chromedp.CSS("#cl-title")),
		chromedp.SetValue(chromedp.CSS("#cl-title"), "3栋楼道灯不亮"),
		chromedp.Click(chromedp.CSS("#cluster-submit")),
		chromedp.WaitVisible(chromedp.CSS("#members-table")))
	wantText(t, tab, "#cluster-title", "3栋楼道灯不亮")
	wantText(t, tab, "#members-table", first, "简单维修")
	if n, _ := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll('#members-table tbody tr').length`)); n != 3 {
		t.Errorf("the cluster has %d members, want 3", n)
	}
	do(t, tab, "record the joint explanation",
		chromedp.SetValue(chromedp.CSS("#s-place"), "3栋一楼大堂"),
		chromedp.SetValue(chromedp.CSS("#s-record"), "工程部说明：楼道照明线路老化，本周五前整体更换，期间加装临时照明。"),
		mark(),
		chromedp.Click(chromedp.CSS("#session-submit")),
		chromedp.WaitNotPresent(chromedp.CSS("body[data-old]")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	wantText(t, tab, "#sessions", "3栋一楼大堂", "线路老化")
	shot(t, tab, "pol-06-cluster")

	// The open letter answers all three; the confirm dialog is accepted.
	if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](`window.confirm = function () { return true; }, true`)); err != nil {
		t.Fatal(err)
	}
	do(t, tab, "issue the open letter",
		chromedp.SetValue(chromedp.CSS("#l-title"), "关于3栋楼道照明维修的说明"),
		chromedp.SetValue(chromedp.CSS("#l-body"), "尊敬的3栋各位业主：\n\n近日多位业主反映3栋楼道灯不亮。经工程部检查，原因为照明线路老化。我们将于本周五前完成线路整体更换，期间已加装临时照明。\n\n给您带来的不便，敬请谅解。如有疑问，请致电客服中心。"),
		chromedp.Click(chromedp.CSS("#letter-submit")),
		chromedp.WaitVisible(chromedp.CSS("#letter-sheet")))
	wantText(t, tab, "#letter-sheet", "公开信", "关于3栋楼道照明维修的说明", "线路老化", "锦绣物业公司", "本信答复工单", first)
	shot(t, tab, "pol-07-letter")
	do(t, tab, "print it", media("print"))
	printed, err := chromedp.Run(tab, chromedp.Evaluate[bool](
		`getComputedStyle(document.querySelector('.sidebar')).display === 'none' && getComputedStyle(document.querySelector('#letter-members')).display === 'none'`))
	if err != nil || !printed {
		t.Errorf("the printed letter shows more than the letter: %v", err)
	}
	shot(t, tab, "pol-08-letter-print")
	do(t, tab, "back to the screen", media(""))

	// Each work order shows its cluster and its letter, and is replied.
	do(t, tab, "open the first work order",
		chromedp.Click(chromedp.CSS(".ol-foot a")),
		chromedp.WaitVisible(chromedp.CSS("#clocks")))
	wantText(t, tab, "#ticket-status", "已答复")
	wantText(t, tab, "#ticket-cluster", "3栋楼道灯不亮")
	wantText(t, tab, "#ticket-letters", "OL-")
	wantText(t, tab, "#timeline", "归入集中问题", "联合解释", "公开信")
	shot(t, tab, "pol-09-ticket")

	// On a phone: the cluster and the letter still read.
	cluster, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector('#ticket-cluster a').href`))
	if err != nil {
		t.Fatal(err)
	}
	do(t, tab, "phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(cluster), chromedp.WaitVisible(chromedp.CSS("#members-table")))
	shot(t, tab, "pol-10-cluster-phone")
	do(t, tab, "the pack on a phone", chromedp.Navigate(base+"/admin/policy/property"), chromedp.WaitVisible(chromedp.CSS("#categories")))
	shot(t, tab, "pol-11-pack-phone")
}
