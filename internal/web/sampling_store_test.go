package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/org"
)

// TestSamplingDrawPages: the stored sampling in the UI. The gas company's
// auditor draws an inspector's December (650 households pasted → 20, 10
// on site and 10 by phone, SMP-006) assigned to a hotline operator; bad
// input is shown under its field. The hotline operator verifies an
// on-site task — refused without the customer's signature (SMP-013),
// saved with it — and a phone task that failed, which needs a proposal;
// escalates it to level 2, where the team leader decides. The ledger
// lists the entries and prints; closing the draw short counts a missed
// quota on the failures page, where a manager records another failure.
func TestSamplingDrawPages(t *testing.T) {
	e := newSurveyEnv(t)
	gas, err := e.app.Org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "燃气公司",
		Code: "RQ", Pack: "gas"})
	if err != nil {
		t.Fatal(err)
	}
	e.user("audit", "赵稽查", gas, auth.RoleAuditor)
	hot := e.user("hot", "钱热线", gas, auth.RoleCSAgent)
	insp := e.user("insp", "孙安检", gas, auth.RoleFieldStaff)
	e.user("lead", "李班长", gas, auth.RoleCSSupervisor)
	e.user("mgr", "周经理", gas, auth.RoleManager)
	e.user("reader", "吴抄表", gas, auth.RoleFieldStaff)
	audit := e.signedIn("audit")
	audit.get("/sampling").want(t, http.StatusOK, `id="draw-form"`, "孙安检", `id="draws-empty"`, `id="ledger-link"`)

	var lines []string
	lines = append(lines, "id,stratum")
	for i := range 650 {
		lines = append(lines, fmt.Sprintf("H%04d", i))
	}
	form := url.Values{"rule": {"inspector"}, "checked_user_id": {insp.ID.String()}, "checker_id": {hot.ID.String()},
		"period": {"十二月"}, "items": {strings.Join(lines, "\n")}}
	res := audit.post("/sampling/draws", form)
	res.want(t, http.StatusUnprocessableEntity, `id="d-period-err"`)
	if !strings.Contains(res.body, "H0649") {
		t.Error("the pasted items were not kept")
	}
	form.Set("period", "2025-12")
	form.Set("items", "H1,a,b")
	audit.post("/sampling/draws", form).want(t, http.StatusUnprocessableEntity, `id="d-items-err"`, "第 1 行")
	form.Set("items", strings.Join(lines, "\n"))
	form.Set("checker_id", e.userID("lead"))
	audit.post("/sampling/draws", form).want(t, http.StatusUnprocessableEntity, `id="d-checker-pos-err"`, "SMP-002")
	form.Set("checker_id", hot.ID.String())
	res = audit.post("/sampling/draws", form)
	res.want(t, http.StatusSeeOther)
	drawPath := res.location
	if !strings.HasPrefix(drawPath, "/sampling/draws/") {
		t.Fatalf("redirect to %q", drawPath)
	}
	page := audit.get(drawPath)
	audit.post("/sampling/draws", form).want(t, http.StatusUnprocessableEntity, "作废")
	page.want(t, http.StatusOK, "已抽样并生成核查任务", `data-k="quota">20<`, `data-k="population">650<`, "现场 10", "电话 10", `id="floor"`,
		"gas|inspector|", `id="close-form"`)
	task := func(method string) string {
		m := regexp.MustCompile(`data-task="(\d+)" data-method="` + method + `"`).FindStringSubmatch(page.body)
		if m == nil {
			t.Fatalf("no %s task on the draw page", method)
		}
		return m[1]
	}
	onSite, phone := task("on_site"), task("phone")

	hotC := e.signedIn("hot")
	hotC.get("/sampling/tasks/"+onSite).want(t, http.StatusOK, `id="verify-form"`, "现场", `data-item="rectification_notice"`)
	items := []string{"plan_completed", "form_complete", "copies_match", "record_matches_site", "safety_advice",
		"rectification_notice", "rectification_followed", "tracking_record", "hazards_reported"}
	verify := url.Values{"employee_signed": {"1"}}
	for _, it := range items {
		verify.Set("r."+it, "pass")
	}
	hotC.post("/sampling/tasks/"+onSite, verify).want(t, http.StatusUnprocessableEntity, `id="v-customer-err"`, "SMP-013")
	verify.Del("r.copies_match")
	res = hotC.post("/sampling/tasks/"+onSite, verify)
	res.want(t, http.StatusUnprocessableEntity)
	if !strings.Contains(res.body, "请选择合格或不合格") {
		t.Error("an unscored item is not shown")
	}
	verify.Set("r.copies_match", "pass")
	verify.Set("customer_signed", "1")
	hotC.post("/sampling/tasks/"+onSite, verify).want(t, http.StatusSeeOther)

	bad := url.Values{}
	for _, it := range items {
		bad.Set("r."+it, "pass")
	}
	bad.Set("r.safety_advice", "fail")
	bad.Set("findings", "客户称未告知隐患")
	hotC.post("/sampling/tasks/"+phone, bad).want(t, http.StatusUnprocessableEntity, `id="v-proposal-err"`)
	bad.Set("proposal", "安检员重新入户宣传")
	res = hotC.post("/sampling/tasks/"+phone, bad)
	res.want(t, http.StatusSeeOther)
	entry := res.location
	hotC.get(entry).want(t, http.StatusOK, `id="entry-failed"`, `id="escalate-form"`, "上报第 2 级", "安检员重新入户宣传")
	hotC.post(entry+"/escalate", url.Values{"note": {" "}}).want(t, http.StatusUnprocessableEntity, `id="esc-note-err"`)
	res = hotC.post(entry+"/escalate", url.Values{"note": {"请班组长处理"}})
	res.want(t, http.StatusSeeOther)
	esc := res.location
	hotC.get(esc).lacks(t, `id="decide-form"`)
	lead := e.signedIn("lead")
	lead.get(esc).want(t, http.StatusOK, `id="decide-form"`, "待第 2 级决定")
	lead.post(esc+"/decide", url.Values{"decision": {"约谈安检员"}}).want(t, http.StatusSeeOther)

	ledger := audit.get("/sampling/ledger")
	ledger.want(t, http.StatusOK, `data-kind="verification"`, `data-kind="escalation"`, `data-kind="decision"`, "钱热线", "孙安检")
	audit.get("/sampling/ledger?failed=1").want(t, http.StatusOK, "安检员重新入户宣传")
	audit.get("/sampling/ledger?month=13").want(t, http.StatusUnprocessableEntity, `id="l-month-err"`)
	audit.get("/sampling/ledger/print").want(t, http.StatusOK, "稽查核查工作台帐", "已签", "燃气公司", `id="print-button"`)

	audit.post(drawPath+"/close", url.Values{}).want(t, http.StatusSeeOther)
	audit.get(drawPath).want(t, http.StatusOK, `id="quota-missed"`)
	failures := audit.get("/sampling/failures?user_id=" + hot.ID.String() + "&year=2025")
	failures.want(t, http.StatusOK, `data-kind="quota_missed"`, "2025-12-31")
	if !regexp.MustCompile(`data-kind="quota_missed"><td>钱热线</td><td>[^<]+</td><td class="num" data-k="count">1<`).MatchString(failures.body) {
		t.Errorf("quota missed not counted:\n%s", failures.body)
	}
	mgr := e.signedIn("mgr")
	mgr.post("/sampling/failures", url.Values{"user_id": {hot.ID.String()}}).want(t, http.StatusUnprocessableEntity, `id="nf-kind-err"`)
	mgr.post("/sampling/failures", url.Values{"user_id": {hot.ID.String()}, "kind": {"no_proposal"}, "occurred_on": {"2025-12-20"}}).
		want(t, http.StatusSeeOther)
	hotC.get("/sampling/failures").want(t, http.StatusOK)
	hotC.get("/sampling/failures?user_id="+hot.ID.String()+"&year=2025").lacks(t, `id="failure-form"`)
	// SMP-009: the team leader checks the auditor's month in sessions of
	// at least 10 households (400 → 12); 8 are refused, the 12 at once pass.
	var hh []string
	for i := range 400 {
		hh = append(hh, fmt.Sprintf("A%03d", i))
	}
	res = lead.post("/sampling/draws", url.Values{"rule": {"auditor"}, "checked_user_id": {e.userID("audit")},
		"period": {"2025-11"}, "items": {strings.Join(hh, "\n")}})
	res.want(t, http.StatusSeeOther)
	auditDraw := res.location
	page = lead.get(auditDraw)
	page.want(t, http.StatusOK, `id="session-form"`, `data-k="quota">12<`)
	ids := regexp.MustCompile(`name="task" value="(\d+)"`).FindAllStringSubmatch(page.body, -1)
	if len(ids) != 12 {
		t.Fatalf("%d tasks offered for the session", len(ids))
	}
	session := url.Values{"method": {"ledger"}}
	for _, it := range []string{"daily_audits", "violation_investigation", "key_customers", "demolition_customers",
		"reported_customers", "ledger", "hazards_reported"} {
		session.Set("r."+it, "pass")
	}
	for _, m := range ids[:8] {
		session.Add("task", m[1])
	}
	lead.post(auditDraw+"/verify", session).want(t, http.StatusUnprocessableEntity, `id="session-err"`, "SMP-009")
	for _, m := range ids[8:] {
		session.Add("task", m[1])
	}
	lead.post(auditDraw+"/verify", session).want(t, http.StatusSeeOther)
	lead.get(auditDraw).want(t, http.StatusOK, `data-k="verified">12/12<`)

	e.signedIn("reader").get("/sampling/ledger").want(t, http.StatusForbidden)
	hotC.post("/sampling/draws", form).want(t, http.StatusForbidden)
}
