package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kefu/internal/store"
)

// TestSurveyApprovalBlock (SUR-002, ARC-018): the campaign page shows the
// plan's approval block 编制 / 审核 / 批准 / 日期 and to each person only the
// steps they may take. A plan without its scope cannot be submitted: the
// error shows under the scope in the opened edit form; nothing is counted
// before the approval; the preparer may not review; a return without an
// opinion is refused under the opinion, a return with one shows it to
// the preparer; after the review the manager approves and the report's
// header carries the block.
func TestSurveyApprovalBlock(t *testing.T) {
	e := newSurveyEnv(t)
	super, reviewer, manager, agent := e.signedIn("super"), e.signedIn("reviewer"), e.signedIn("manager"), e.signedIn("agent")
	path := e.plan(super, surveyPlan("纸质问卷调查", "", 500, "scope", ""))

	page := super.get(path)
	page.want(t, http.StatusOK, `id="approval"`, `id="plan-status">草稿<`, `id="approval-block"`, `id="ap-prepared">李娜`,
		`id="plan-submit-btn"`, `id="plan-edit"`, `id="unpublished-hint"`, `id="c-households"`)
	page.lacks(t, `id="c-distributed"`, `id="review-btn"`, `id="approve-btn"`, `id="action-form"`)
	reviewer.get(path).lacks(t, `id="plan-submit-btn"`, `id="review-btn"`) // not the preparer; nothing to review yet
	agent.get(path).lacks(t, `id="plan-submit-btn"`, `id="plan-edit"`, `id="opinion-form"`)

	// No scope (the sampled rooms of a hand-counted survey): named inline.
	res := super.post(path+"/submit", nil)
	res.want(t, http.StatusUnprocessableEntity, `id="plan-edit" open`, `id="plan-edit-form"`)
	if msg := fieldError(res.body, "p-scope"); !strings.Contains(msg, "调查范围") {
		t.Errorf("submitted without a scope: %q", msg)
	}
	edit := surveyPlan("纸质问卷调查", "", 500, "scope", "3 号楼 101、102、201 等 60 户")
	res = super.post(path+"/plan", with(edit, "ends_on", "2020-01-01"))
	res.want(t, http.StatusUnprocessableEntity, `id="plan-edit" open`, "3 号楼 101、102、201 等 60 户")
	if msg := fieldError(res.body, "p-ends_on"); !strings.Contains(msg, "不能早于开始日期") {
		t.Errorf("ends before it starts: %q", msg)
	}
	super.post(path+"/plan", edit).want(t, http.StatusSeeOther)
	super.get(path).want(t, http.StatusOK, "策划书已保存", "3 号楼 101、102、201 等 60 户")
	// Nothing is counted before the approval.
	res = super.post(path+"/counts", url.Values{"households": {"500"}, "distributed": {"400"}})
	res.want(t, http.StatusConflict, "调查策划书尚未批准，调查不能发布（SUR-002）")

	super.post(path+"/submit", nil).want(t, http.StatusSeeOther)
	page = super.get(path)
	page.want(t, http.StatusOK, "策划书已提交审核", `id="plan-status">待审核<`)
	page.lacks(t, `id="plan-submit-btn"`, `id="plan-edit"`, `id="review-btn"`)
	res = super.post(path+"/review", url.Values{"opinion": {"自审"}})
	res.want(t, http.StatusForbidden, `id="top-alert">编制人不能审核自己的策划书`)
	reviewer.get(path).want(t, http.StatusOK, `id="review-btn"`, `id="return-btn"`, `id="o-opinion"`)
	res = reviewer.post(path+"/return", url.Values{"opinion": {" "}})
	res.want(t, http.StatusUnprocessableEntity, `id="opinion-form"`)
	if msg := fieldError(res.body, "o-opinion"); msg != "必填项" {
		t.Errorf("return without an opinion: %q", msg)
	}
	reviewer.post(path+"/return", url.Values{"opinion": {"请写明抽样方法"}}).want(t, http.StatusSeeOther)
	super.get(path).want(t, http.StatusOK, `id="plan-status">草稿<`, `id="return-opinion"`, "周审", "请写明抽样方法", `id="plan-submit-btn"`)

	super.post(path+"/submit", nil).want(t, http.StatusSeeOther)
	agent.post(path+"/review", url.Values{"opinion": {"越权"}}).want(t, http.StatusForbidden)
	reviewer.post(path+"/review", url.Values{"opinion": {"抽样合理，同意"}}).want(t, http.StatusSeeOther)
	reviewer.get(path).lacks(t, `id="approve-btn"`) // a supervisor does not approve
	page = manager.get(path)
	page.want(t, http.StatusOK, `id="plan-status">待批准<`, `id="approve-btn"`, `id="return-btn"`, "抽样合理，同意")
	manager.post(path+"/approve", url.Values{"opinion": {"批准实施"}}).want(t, http.StatusSeeOther)
	manager.get(path).want(t, http.StatusOK, "策划书已批准，调查已发布")
	today := surveyToday().String()
	page = super.get(path)
	page.want(t, http.StatusOK, `id="plan-status">已批准<`, `id="ap-reviewed">周审`,
		`id="ap-approved">张经理`, `id="ap-date" class="mono">`+today+`<`, "批准实施", `id="c-distributed"`)
	page.lacks(t, `id="unpublished-hint"`, `id="plan-submit-btn"`, `id="opinion-form"`, `id="plan-edit"`, `id="return-opinion"`)
	super.get(path+"/report").want(t, http.StatusOK, `id="report-approval"`, "编制", "审核", "批准", `id="ap-prepared">李娜`,
		`id="ap-approved">张经理`, `id="ap-date" class="mono">`+today+`<`)
}

// TestSurveyActionsTable (SUR-003): after the report the supervisor opens
// corrective actions (bad fields named inline); the department's
// assistant records one done (the other department's is not his); an
// overdue action shows in red; the recorder may not verify; the survey
// closes only once every action is verified; the report lists them.
func TestSurveyActionsTable(t *testing.T) {
	e := newSurveyEnv(t)
	super, reviewer, assistant, agent := e.signedIn("super"), e.signedIn("reviewer"), e.signedIn("assistant"), e.signedIn("agent")
	path := e.plan(super, surveyPlan("纸质问卷调查", "", 1200))
	e.approvePlan(path)
	super.get(path).want(t, http.StatusOK, `id="actions"`, `id="no-actions"`, `id="actions-hint">调查报告有统计结果后才能制定整改措施`)
	super.post(path+"/counts", url.Values{"households": {"1200"}, "distributed": {"960"}, "returned": {"773"}, "verified": {"39"},
		"genuine": {"39"}, "answered": {"773"}, "satisfied": {"711"}}).want(t, http.StatusSeeOther)
	page := super.get(path)
	page.want(t, http.StatusOK, `id="action-form"`, `id="a-issue"`, `id="a-due_on"`, "管家部</option>", "客服中心</option>")
	agent.get(path).lacks(t, `id="action-form"`)

	today := surveyToday()
	open := url.Values{"issue": {"报修响应慢"}, "department_id": {e.butler.ID.String()}, "due_on": {today.String()}}
	for field, bad := range map[string]url.Values{
		"a-issue":         with(open, "issue", " "),
		"a-department_id": with(open, "department_id", ""),
		"a-due_on":        with(open, "due_on", today.AddDays(-1).String()),
	} {
		res := super.post(path+"/actions", bad)
		res.want(t, http.StatusUnprocessableEntity, `id="action-form"`)
		if msg := fieldError(res.body, field); msg == "" {
			t.Errorf("%s: no error under it", field)
		}
	}
	res := super.post(path+"/actions", with(open, "department_id", e.root.ID.String()))
	if msg := fieldError(res.body, "a-department_id"); !strings.Contains(msg, "本公司的部门") {
		t.Errorf("a unit outside the company: %q", msg)
	}
	super.post(path+"/actions", open).want(t, http.StatusSeeOther)
	super.post(path+"/actions", with(open, "issue", "投诉回复不及时", "department_id", e.dept.ID.String(),
		"due_on", today.AddDays(30).String())).want(t, http.StatusSeeOther)
	page = super.get(path)
	page.want(t, http.StatusOK, "整改措施已制定", `id="actions-table"`, "报修响应慢", "投诉回复不及时", `id="actions-tally">共 2 项，已验证 0 项<`,
		`id="close-actions"`)
	ids := regexp.MustCompile(`<tr data-action="(\d+)"`).FindAllStringSubmatch(page.body, -1)
	if len(ids) != 2 {
		t.Fatalf("actions listed: %v", ids)
	}
	first, second := ids[0][1], ids[1][1]

	// Overdue: shown in red.
	aid, _ := store.ParseID(first)
	if err := e.app.DB.Tx(context.Background(), func(tx store.Conn) error {
		_, err := tx.Exec(context.Background(), "UPDATE survey_actions SET due_on = '2020-01-01' WHERE id = ?", aid)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	page = agent.get(path)
	page.want(t, http.StatusOK, `<tr data-action="`+first+`" class="sur-overdue">`, `badge badge-red sur-late">逾期<`)
	page.lacks(t, `id="done-`+first+`"`) // 管家部's action is not the CS agent's

	// The department's assistant records his, not the other department's.
	page = assistant.get(path)
	page.want(t, http.StatusOK, `id="done-`+first+`"`)
	page.lacks(t, `id="done-`+second+`"`, `id="averify-`)
	res = assistant.post(path+"/actions/"+first+"/done", url.Values{"result": {"  "}})
	res.want(t, http.StatusUnprocessableEntity, `id="done-`+first+`"`)
	if msg := fieldError(res.body, "d-"+first+"-result"); msg != "必填项" {
		t.Errorf("done without a result: %q", msg)
	}
	assistant.post(path+"/actions/"+second+"/done", url.Values{"result": {"越权"}}).want(t, http.StatusForbidden)
	assistant.post(path+"/actions/"+first+"/done", url.Values{"result": {"增派维修人员，30 分钟内响应"}}).want(t, http.StatusSeeOther)
	super.post(path+"/actions/"+second+"/done", url.Values{"result": {"投诉 24 小时内回复"}}).want(t, http.StatusSeeOther)

	// Verify: the CS centre, not whoever recorded it.
	page = super.get(path)
	page.want(t, http.StatusOK, `id="averify-`+first+`"`, "增派维修人员，30 分钟内响应", "陈助理", `sur-astatus">待验证<`)
	page.lacks(t, `id="averify-`+second+`"`) // 李娜 recorded it
	res = super.post(path+"/actions/"+first+"/verify", url.Values{"opinion": {""}})
	res.want(t, http.StatusUnprocessableEntity)
	if msg := fieldError(res.body, "v-"+first+"-opinion"); msg != "必填项" {
		t.Errorf("verify without an opinion: %q", msg)
	}
	super.post(path+"/actions/"+first+"/verify", url.Values{"opinion": {"回访业主，确认已改善"}}).want(t, http.StatusSeeOther)
	super.post(path+"/actions/"+second+"/verify", url.Values{"opinion": {"自验"}}).want(t, http.StatusForbidden, "登记整改结果的人不能验证自己的整改")
	res = super.post(path+"/close", url.Values{"improvement_plan": {"改进方案"}})
	res.want(t, http.StatusConflict, `id="close-form"`, "还有 1 项整改措施未验证")
	reviewer.post(path+"/actions/"+second+"/verify", url.Values{"opinion": {"抽查投诉记录，均已回复"}}).want(t, http.StatusSeeOther)
	reviewer.get(path).want(t, http.StatusOK, "整改已验证", `id="actions-tally">共 2 项，已验证 2 项<`)
	super.get(path+"/report").want(t, http.StatusOK, `id="actions-table"`, "回访业主，确认已改善", "抽查投诉记录，均已回复", `sur-astatus">已验证<`)
	super.post(path+"/close", url.Values{"improvement_plan": {"改进方案"}}).want(t, http.StatusSeeOther)
}
