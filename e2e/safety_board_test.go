package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/internal/app"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/org"
	"kefu/internal/store"
)

// TestInspectionBoardAndSamplingDraw is issue 10's two boards in the
// browser: at a power company the department manager generates this
// month's inspection plan (a refused period first) from three supply
// points — low voltage, 10 kV and 35 kV, never inspected, so all due now —
// and opens the plan with its items and completion bar (INS-001, INS-009);
// at a gas company the auditor draws a safety inspector's last month from
// a pasted list of 650 households: 20 by the floor, 10 on site and 10 by
// phone (SMP-006), assigned to a hotline operator. Screenshots:
// screenshots/safety-*.png.
func TestInspectionBoardAndSamplingDraw(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tab := newBrowser(t, ctx)
	base, a := startKefu(t, ctx, adminPassword)
	power := addUnit(t, ctx, a, org.CreateInput{Kind: org.Company, Name: "城区供电公司", Code: "CQ", Pack: "power"})
	addUnit(t, ctx, a, org.CreateInput{ParentID: &power.ID, Kind: org.Department, Name: "用电检查一班"})
	addUser(t, ctx, a, "boss", "刘经理", auth.RoleManager, power.ID)
	for i, v := range []string{"380V", "10kV", "35kV"} {
		supplyPoint(t, ctx, a, power.ID, i, v)
	}
	gas := addUnit(t, ctx, a, org.CreateInput{Kind: org.Company, Name: "城东燃气公司", Code: "RQ", Pack: "gas"})
	addUser(t, ctx, a, "auditor", "赵稽查", auth.RoleAuditor, gas.ID)
	hot := addUser(t, ctx, a, "hotline", "钱热线", auth.RoleCSAgent, gas.ID)
	insp := addUser(t, ctx, a, "insp", "孙安检", auth.RoleFieldStaff, gas.ID)
	now := time.Now().In(visitZone)
	month := now.Format("2006-01")
	lastMonth := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, visitZone).Format("2006-01")
	wait := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.WaitVisible(chromedp.CSS(sel)) }
	submit := func(step, sel, then string) {
		t.Helper()
		do(t, tab, step, mark(), chromedp.Click(chromedp.CSS(sel)), chromedp.WaitNotPresent(chromedp.CSS("body[data-old]")), wait(then))
	}

	// The power company's plan of this month.
	do(t, tab, "open 安全检查", chromedp.Navigate(base+"/inspections"))
	login(t, tab, "boss", agentPassword)
	do(t, tab, "see the board", wait("#generate-form"))
	period := `#generate-form input[name="period"]`
	do(t, tab, "a period that is none", chromedp.SetValue(chromedp.CSS(period), month+"-99"))
	submit("refused", "#generate-form button", `#generate-form .has-error`)
	shot(t, tab, "safety-01-plan-refused")
	do(t, tab, "this month", chromedp.SetValue(chromedp.CSS(period), month))
	submit("generate", "#generate-form button", "#plan-items")
	wantText(t, tab, "#plan-items", "380V", "10kV", "35kV")
	shot(t, tab, "safety-02-plan")
	do(t, tab, "back to the board", chromedp.Navigate(base+"/inspections?month="+month), wait("#month-plans"))
	wantText(t, tab, "#month-plans", "城区供电公司", "0")
	shot(t, tab, "safety-03-board")
	do(t, tab, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), wait("#login-form"))

	// The gas company's draw of the inspector's last month.
	do(t, tab, "open 稽查抽查", chromedp.Navigate(base+"/sampling"))
	login(t, tab, "auditor", agentPassword)
	do(t, tab, "see the draw form", wait("#draw-form"))
	lines := []string{"id,stratum"}
	for i := range 650 {
		lines = append(lines, fmt.Sprintf("H%04d", i))
	}
	do(t, tab, "fill the draw",
		chromedp.SetValue(chromedp.CSS("#d-rule"), "inspector"),
		chromedp.SetValue(chromedp.CSS("#d-checked"), insp.ID.String()),
		chromedp.SetValue(chromedp.CSS("#d-checker"), hot.ID.String()),
		chromedp.SetValue(chromedp.CSS("#d-period"), lastMonth),
		chromedp.SetValue(chromedp.CSS("#d-items"), strings.Join(lines, "\n")))
	submit("draw", "#draw-submit", `[data-k="quota"]`)
	wantText(t, tab, `[data-k="quota"]`, "20")
	wantText(t, tab, `[data-k="population"]`, "650")
	wantText(t, tab, "body", "现场 10", "电话 10")
	shot(t, tab, "safety-04-draw")
}

// supplyPoint files a power customer with one supply point of voltage
// under unit, as the system.
func supplyPoint(t *testing.T, ctx context.Context, a *app.App, unit store.ID, i int, voltage string) {
	t.Helper()
	actx := audit.WithActor(ctx, audit.System)
	root, err := a.Org.Root(actx)
	if err != nil {
		t.Fatal(err)
	}
	sys := &auth.Principal{Username: "system", Roles: []auth.Role{auth.RoleAdmin}, OrgUnitID: root.ID, OrgPath: root.Path}
	typ := "hv_single"
	if voltage == "380V" {
		typ = "other_lv_industrial"
	}
	_, _, err = a.Customers.Create(actx, sys, customer.Input{Kind: customer.Organisation, Name: fmt.Sprintf("%s 客户 %d", voltage, i+1),
		Phone: fmt.Sprintf("0571-8600%04d", i), Address: fmt.Sprintf("工业路%d号", i+1), Type: typ, OrgUnit: &unit,
		ServicePoints: []customer.ServicePointInput{{Kind: "power_supply_point", AccountNo: fmt.Sprintf("P200%04d", i),
			Address: voltage + " 受电点", Attributes: map[string]any{"voltage": voltage, "contracted_capacity_kva": 800, "usage": "power"}}}})
	if err != nil {
		t.Fatal(err)
	}
}
