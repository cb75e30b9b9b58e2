package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/internal/org"
)

// TestHVConnectionJourney is issue 8's "done means" in the browser: a
// high-voltage dual-source connection of 1,250 kVA runs from application to
// archive through the pages alone — started from the customer's supply
// point, every document received with 收取, the fees recorded, the design
// review answered once with a written opinion and then approved, the five
// parties of the joint acceptance countersigned, each step completed with
// its outcome button — and ends 已办结 with its documents. The exact
// deadlines are the API and service tests' (they need an injected clock);
// here each running step must show one. Screenshots: prc-hv-*.png.
func TestHVConnectionJourney(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	tab := newBrowser(t, ctx)
	base, a := startKefu(t, ctx, adminPassword)
	co := addUnit(t, ctx, a, org.CreateInput{Kind: org.Company, Name: "城北供电公司", Code: "CB", Pack: "power"})
	mkt := addUnit(t, ctx, a, org.CreateInput{ParentID: &co.ID, Kind: org.Department, Name: "营销部"})
	cust := powerCustomer(t, ctx, a, mkt.ID)

	wait := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.WaitVisible(chromedp.CSS(sel)) }
	click := func(step, sel, then string) {
		t.Helper()
		do(t, tab, step, mark(), chromedp.Click(chromedp.CSS(sel)), chromedp.WaitNotPresent(chromedp.CSS("body[data-old]")), wait(then))
	}
	ids := func(sel string) []string {
		t.Helper()
		got, err := chromedp.Run(tab, chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll(`+"`"+sel+"`"+`)).map(e => e.id)`))
		if err != nil {
			t.Fatalf("ids of %s: %v", sel, err)
		}
		return got
	}

	do(t, tab, "open the customer", chromedp.Navigate(base+"/customers/"+cust.String()))
	login(t, tab, "admin", adminPassword)
	click("pick the process", "#points .cus-start-process", "#definition-list")
	click("open the HV form", `#definition-list li[data-definition="connection.hv"] a`, "#start-form")
	do(t, tab, "fill the application",
		chromedp.SetValue(chromedp.CSS("#f-attr_customer_type"), "industrial"),
		chromedp.SendKeys(chromedp.CSS("#f-attr_capacity_kva"), "1250"),
		chromedp.SetValue(chromedp.CSS("#f-attr_sources"), "dual"))
	shot(t, tab, "prc-hv-01-start")
	click("start it", "#start-process", "#current")
	wantText(t, tab, "#process-step", "业务受理")
	number := text(t, tab, "#process-number")

	// The fees are paid early; energising still waits for its own gates.
	do(t, tab, "record the fees", chromedp.SetValue(chromedp.CSS("#a-fact-fact"), "fees_paid"))
	click("record the fees", "#a-fact-submit", "#current")
	wantText(t, tab, "#facts", "业务费用已交清")

	var steps []string
	revised := false
	for len(steps) < 40 {
		if len(ids("#closed")) > 0 {
			break
		}
		step := text(t, tab, "#process-step")
		steps = append(steps, step)
		for _, id := range ids("#current-checklist button[id^=receive-]") {
			click("receive "+id, "#"+id, "#current")
		}
		for _, id := range ids("#countersign button[id^=sign-]") {
			click("countersign "+id, "#"+id, "#current")
		}
		// The steps with a clock (PRC-009, PRC-011, PRC-021, PRC-023) show it.
		for _, timed := range []string{"供电方案答复", "设计审查", "装表送电", "送电后核查"} {
			if strings.Contains(step, timed) && len(ids("#current-due")) == 0 {
				t.Errorf("%s shows no deadline", step)
			}
		}
		outcomes := ids("#act-complete button[id^=outcome-]")
		pick := ""
		for _, want := range []string{"outcome-approved", "outcome-passed", "outcome-confirmed", "outcome-done"} {
			if slices.Contains(outcomes, want) {
				pick = want
				break
			}
		}
		if slices.Contains(outcomes, "outcome-revise") && !revised {
			revised, pick = true, "outcome-revise"
			do(t, tab, "write the opinion", chromedp.SendKeys(chromedp.CSS("#a-complete-comment"), "自备电源切换装置未设机械联锁。"))
			shot(t, tab, "prc-hv-02-review")
		}
		if pick == "" {
			t.Fatalf("%s offers no outcome to go on with: %v", step, outcomes)
		}
		click("complete "+step, "#"+pick, "#process-status")
		if errs := ids("#act-complete .alert-error"); len(errs) > 0 {
			t.Fatalf("%s refused: %s", step, text(t, tab, "#act-complete .alert-error"))
		}
	}
	wantText(t, tab, "#process-status", "已办结")
	for _, want := range []string{"业务受理", "供电方案答复（双电源）", "设计图纸送审", "设计审查", "竣工检验", "签订供用电合同", "装表送电", "送电后核查"} {
		if !slices.ContainsFunc(steps, func(s string) bool { return strings.Contains(s, want) }) {
			t.Errorf("the run %v has no step %s", steps, want)
		}
	}
	if n := strings.Count(strings.Join(steps, "|"), "设计审查"); n != 2 {
		t.Errorf("design review ran %d times, want 2 (one revision): %v", n, steps)
	}
	wantText(t, tab, "#documents", "供电方案答复单", "设计审查意见书", "准予施工通知", "竣工验收单", "送电通知")
	wantText(t, tab, "#rounds-table", "自备电源切换装置未设机械联锁")
	shot(t, tab, "prc-hv-03-completed")
	do(t, tab, "the board", chromedp.Navigate(base+"/processes?status=completed"), wait("#processes-table"))
	wantText(t, tab, "#processes-table", number, "已办结")
}
