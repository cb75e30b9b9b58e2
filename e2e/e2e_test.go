package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const (
	adminPassword = "e2e-admin-2026"
	agentPassword = "e2e-agent-2026"
	agentNew      = "e2e-agent-2026-new"
)

// TestAdminCreatesAgent is the main browser journey: the administrator signs
// in, opens 用户, fails then succeeds to create a cs_agent through the form,
// looks at the other admin pages; the new agent signs in in a separate
// browser context, must change the password first, and is refused the users
// page. Screenshots of every step go to screenshots/.
func TestAdminCreatesAgent(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tab := newBrowser(t, ctx) // skips first when there is no Chromium
	base, _ := startKefu(t, ctx, adminPassword)

	// Signed out, a page sends us to the login form; a wrong password is shown inline.
	do(t, tab, "open the home page", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#login-form")))
	shot(t, tab, "01-login")
	login(t, tab, "admin", "wrong-password")
	do(t, tab, "see the login error", chromedp.WaitVisible(chromedp.CSS("#login-form .alert-error")))
	wantText(t, tab, "#login-form .alert-error", "用户名或密码错误")
	if v := value(t, tab, "#f-username"); v != "admin" {
		t.Errorf("username after a failed login: %q", v)
	}
	shot(t, tab, "02-login-error")

	login(t, tab, "admin", adminPassword)
	do(t, tab, "see the home page", chromedp.WaitVisible(chromedp.CSS("#system-status")))
	wantText(t, tab, ".topbar", "kefu 客服", "系统管理员", "集团总部")
	wantText(t, tab, "#system-status", "SQLite")
	wantText(t, tab, ".sidebar", "工作台", "工单", "客户档案", "建设中", "用户", "组织机构", "审计日志")
	shot(t, tab, "03-home")

	// 用户 → 新建用户, first with a bad username.
	do(t, tab, "open 用户",
		chromedp.Click(chromedp.CSS(`a.nav-item[data-nav="users"]`)),
		chromedp.WaitVisible(chromedp.CSS("#users-table")))
	wantText(t, tab, "#users-table", "admin", "系统管理员")
	shot(t, tab, "04-users")
	do(t, tab, "open 新建用户",
		chromedp.Click(chromedp.CSS("#new-user")),
		chromedp.WaitVisible(chromedp.CSS("#user-form")),
		chromedp.SendKeys(chromedp.CSS("#f-username"), "坐席 1号"),
		chromedp.SendKeys(chromedp.CSS("#f-display_name"), "测试坐席"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), agentPassword),
		chromedp.SendKeys(chromedp.CSS("#f-position"), "热线员"),
		chromedp.Click(chromedp.CSS(`input[name="roles"][value="cs_agent"]`)),
		chromedp.Click(chromedp.CSS("#create-user")),
		chromedp.WaitVisible(chromedp.CSS("#f-username-err")))
	wantText(t, tab, "#f-username-err", "用户名须为2–64位")
	if v := value(t, tab, "#f-display_name"); v != "测试坐席" {
		t.Errorf("display name after the error: %q", v)
	}
	checked, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.querySelector('input[name="roles"][value="cs_agent"]').checked`))
	if err != nil || !checked {
		t.Errorf("the cs_agent role was not kept: %v %v", checked, err)
	}
	shot(t, tab, "05-user-invalid")

	do(t, tab, "create the agent",
		chromedp.SetValue(chromedp.CSS("#f-username"), "e2e.agent"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), agentPassword),
		chromedp.Click(chromedp.CSS("#create-user")),
		chromedp.WaitVisible(chromedp.CSS("#users-table tr.highlight")))
	wantText(t, tab, "#users-table tr.highlight", "e2e.agent", "测试坐席", "客服专员/热线员", "在用")
	wantText(t, tab, ".flash", "用户已创建")
	shot(t, tab, "06-user-created")

	do(t, tab, "open the new user",
		chromedp.Click(chromedp.CSS("#users-table tr.highlight a")),
		chromedp.WaitVisible(chromedp.CSS("#reset-form")))
	wantText(t, tab, "h1", "测试坐席", "e2e.agent")
	shot(t, tab, "07-user-detail")

	do(t, tab, "add a company in 组织机构",
		chromedp.Click(chromedp.CSS(`a.nav-item[data-nav="org"]`)),
		chromedp.WaitVisible(chromedp.CSS("#add-form")),
		chromedp.SetValue(chromedp.CSS("#a-kind"), "company"),
		chromedp.SendKeys(chromedp.CSS("#a-name"), "城市燃气有限公司"),
		chromedp.SendKeys(chromedp.CSS("#a-code"), "RQ"),
		chromedp.SetValue(chromedp.CSS("#a-pack"), "gas"),
		chromedp.Click(chromedp.CSS("#add-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	do(t, tab, "add a department under it",
		chromedp.Click(chromedp.CSS("#org-table tbody tr:nth-child(2) .row-actions a:nth-child(2)")),
		chromedp.WaitVisible(chromedp.CSS("#add-form")),
		chromedp.SendKeys(chromedp.CSS("#a-name"), "客户服务中心"),
		chromedp.Click(chromedp.CSS("#add-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
		chromedp.Click(chromedp.CSS("#org-table tbody tr:nth-child(2) .row-actions a")),
		chromedp.WaitVisible(chromedp.CSS("#edit-unit")))
	wantText(t, tab, "#org-table", "集团总部", "城市燃气有限公司", "客户服务中心", "燃气", "部门")
	wantText(t, tab, "#edit-unit", "城市燃气有限公司")
	shot(t, tab, "08-org")

	do(t, tab, "verify the audit chain",
		chromedp.Click(chromedp.CSS(`a.nav-item[data-nav="audit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#audit-table")),
		chromedp.Click(chromedp.CSS("#verify")),
		chromedp.WaitVisible(chromedp.CSS("#verify-result")))
	wantText(t, tab, "#verify-result", "审计链完整")
	wantText(t, tab, "#audit-table", "新建用户", "admin", "用户 #2")
	shot(t, tab, "09-audit")
	do(t, tab, "print the audit page", media("print"))
	printed, err := chromedp.Run(tab, chromedp.Evaluate[bool](
		`getComputedStyle(document.querySelector('.sidebar')).display === 'none' && getComputedStyle(document.querySelector('.topbar')).display === 'none'`))
	if err != nil || !printed {
		t.Errorf("the print stylesheet leaves the navigation visible: %v", err)
	}
	shot(t, tab, "09-audit-print")
	do(t, tab, "back to the screen", media(""))

	// English, then back to Chinese.
	do(t, tab, "switch to English",
		chromedp.Navigate(base+"/admin/users"),
		chromedp.WaitVisible(chromedp.CSS("#users-table")),
		chromedp.Click(chromedp.CSS(`.topbar .lang a[lang="en"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.topbar .lang a[lang="zh-CN"]`)))
	wantText(t, tab, "h1", "Users")
	wantText(t, tab, "#users-table", "Customer service agent")
	shot(t, tab, "10-users-en")
	do(t, tab, "switch back to Chinese",
		chromedp.Click(chromedp.CSS(`.topbar .lang a[lang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.topbar .lang a[lang="en"]`)))

	phone(t, tab, base)
	agentRefused(t, tab, base)
}

// phone looks at the home page and the navigation at phone width.
func phone(t *testing.T, browser context.Context, base string) {
	tab, cancel := chromedp.NewContext(browser) // a new tab, same cookies
	defer cancel()
	if err := chromedp.Do(tab, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
		t.Fatalf("phone tab: %v", err)
	}
	do(t, tab, "open home on a phone", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#profile")))
	shot(t, tab, "11-home-phone")
	do(t, tab, "open the menu on a phone",
		chromedp.Click(chromedp.CSS(".nav-button")),
		chromedp.Poll[chromedp.Void](`getComputedStyle(document.querySelector('.sidebar')).transform === 'none'`))
	shot(t, tab, "12-nav-phone")
	do(t, tab, "open users on a phone",
		chromedp.Click(chromedp.CSS(`a.nav-item[data-nav="users"]`)),
		chromedp.WaitVisible(chromedp.CSS("#users-table")))
	shot(t, tab, "13-users-phone")
}

// agentRefused signs in as the new agent in a separate browser context.
func agentRefused(t *testing.T, browser context.Context, base string) {
	tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	defer cancel()
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1366, 768)); err != nil {
		t.Fatalf("agent context: %v", err)
	}
	do(t, tab, "agent opens the users page", chromedp.Navigate(base+"/admin/users"),
		chromedp.WaitVisible(chromedp.CSS("#login-form")))
	if loc, _ := chromedp.Run(tab, chromedp.Location()); !strings.Contains(loc, "/login?next=%2Fadmin%2Fusers") {
		t.Errorf("signed-out agent sent to %s", loc)
	}
	login(t, tab, "e2e.agent", agentPassword)
	do(t, tab, "agent must change the password first", chromedp.WaitVisible(chromedp.CSS("#password-form")))
	wantText(t, tab, ".alert-warn", "请先设置新密码")
	shot(t, tab, "14-agent-must-change")
	do(t, tab, "agent changes the password",
		chromedp.SendKeys(chromedp.CSS("#f-current_password"), agentPassword),
		chromedp.SendKeys(chromedp.CSS("#f-new_password"), agentNew),
		chromedp.SendKeys(chromedp.CSS("#f-confirm_password"), agentNew),
		chromedp.Click(chromedp.CSS("#password-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".error-card")))
	wantText(t, tab, ".error-card", "403", "无权访问", "users:read")
	wantText(t, tab, ".topbar", "测试坐席")
	hidden, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.querySelector('a.nav-item[data-nav="users"]') === null`))
	if err != nil || !hidden {
		t.Errorf("the agent's navigation links to 用户: %v", err)
	}
	shot(t, tab, "15-agent-403")
}
