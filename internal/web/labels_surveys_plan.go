package web

import (
	"maps"

	"kefu/internal/i18n"
)

// The labels of the survey plan's approval block (SUR-002, ARC-018) and
// of the corrective actions (SUR-003) on the survey pages.
func init() {
	maps.Copy(labels, surveyPlanLabels)
}

var surveyPlanLabels = map[string]i18n.Text{
	"flash.survey_plan_saved":     i18n.T("策划书已保存", "Plan saved"),
	"flash.survey_plan_submitted": i18n.T("策划书已提交审核", "Plan submitted for its review"),
	"flash.survey_plan_review":    i18n.T("策划书已审核，等待批准", "Plan reviewed; it waits for its approval"),
	"flash.survey_plan_approve":   i18n.T("策划书已批准，调查已发布", "Plan approved: the survey is published"),
	"flash.survey_plan_return":    i18n.T("策划书已退回编制人", "Plan returned to its preparer"),
	"flash.survey_action_opened":  i18n.T("整改措施已制定", "Corrective action opened"),
	"flash.survey_action_done":    i18n.T("整改结果已登记", "Correction recorded"),
	"flash.survey_action_averify": i18n.T("整改已验证", "Correction verified"),
	"sur.plan_short":              i18n.T("策划书：", "Plan: "),
	"sur.plan_status.draft":       i18n.T("草稿", "Draft"),
	"sur.plan_status.submitted":   i18n.T("待审核", "Awaiting review"),
	"sur.plan_status.reviewed":    i18n.T("待批准", "Awaiting approval"),
	"sur.plan_status.approved":    i18n.T("已批准", "Approved"),
	"sur.approval":                i18n.T("策划书审批", "Plan approval"),
	"sur.ap.prepared":             i18n.T("编制", "Prepared"),
	"sur.ap.reviewed":             i18n.T("审核", "Reviewed"),
	"sur.ap.approved":             i18n.T("批准", "Approved"),
	"sur.ap.date":                 i18n.T("日期", "Date"),
	"sur.returned_by":             i18n.T("%s 于 %s 退回：", "Returned by %s on %s:"),
	"sur.unpublished_hint":        i18n.T("策划书批准前调查不发布：可以发放调查表（抽样房号）和修改草稿，但不能填写调查表、发送链接、抽取核实或登记份数（SUR-002）", "Until the plan is approved the survey is not published: forms (the sampled rooms) may be issued and the draft edited, but no form is answered, linked, verified or counted (SUR-002)"),
	"sur.submit_hint":             i18n.T("提交前须写明调查目的、范围和弄虚作假处罚，并已发放调查表（抽样房号）；提交后由另一位主管审核、公司经理批准", "Before it is submitted the plan names its purpose, scope and penalties and its forms (the sampled rooms) are issued; another supervisor then reviews it and a manager approves it"),
	"sur.submit_hint_hand":        i18n.T("提交前须写明调查目的、范围（抽样房号）和弄虚作假处罚；提交后由另一位主管审核、公司经理批准", "Before it is submitted the plan names its purpose, scope (the sampled rooms) and penalties; another supervisor then reviews it and a manager approves it"),
	"sur.submit_plan":             i18n.T("提交审批", "Submit for approval"),
	"sur.opinion":                 i18n.T("意见", "Opinion"),
	"sur.opinion_hint":            i18n.T("退回时必填，编制人将看到这条意见", "Required to return the plan; its preparer sees it"),
	"sur.review":                  i18n.T("审核通过", "Review: pass"),
	"sur.approve":                 i18n.T("批准", "Approve"),
	"sur.return":                  i18n.T("退回修改", "Return"),
	"sur.edit_plan":               i18n.T("修改策划书", "Edit the plan"),
	"sur.save_plan":               i18n.T("保存策划书", "Save the plan"),
	"sur.unpublished_no_answer":   i18n.T("策划书尚未批准，调查未发布，暂不能填写（SUR-002）", "The plan is not approved yet: the survey is not published (SUR-002)"),
	"sur.counts_unpublished_hint": i18n.T("策划书批准前只能修改入住总户数（SUR-002）", "Until the plan is approved only the occupied households can change (SUR-002)"),
	"sur.actions":                 i18n.T("整改措施", "Corrective actions"),
	"sur.actions_n":               i18n.T("共 %d 项，已验证 %d 项", "%d in all, %d verified"),
	"sur.actions_hint":            i18n.T("报告发现的问题由责任部门整改，客服中心跟踪验证；全部验证后才能关闭调查（SUR-003）", "The departments correct the issues the report found and the CS centre verifies them; the survey closes once all are verified (SUR-003)"),
	"sur.actions_unpublished":     i18n.T("策划书批准、调查发布后才能制定整改措施", "Corrective actions follow the published survey's report"),
	"sur.actions_need_report":     i18n.T("调查报告有统计结果后才能制定整改措施", "Corrective actions follow the report's statistics"),
	"sur.no_actions":              i18n.T("尚未制定整改措施", "No corrective action yet"),
	"sur.action_number":           i18n.T("编号", "Number"),
	"sur.action_issue":            i18n.T("问题", "Issue"),
	"sur.action_dept":             i18n.T("责任部门", "Department"),
	"sur.action_due":              i18n.T("完成期限", "Due"),
	"sur.action_result":           i18n.T("整改结果", "What was done"),
	"sur.action_result_ph":        i18n.T("整改措施和完成情况", "What the department did"),
	"sur.action_done":             i18n.T("登记完成", "Record as done"),
	"sur.action_verification":     i18n.T("验证", "Verification"),
	"sur.action_verify_ph":        i18n.T("验证情况（必填）", "How it was verified (required)"),
	"sur.action_verify":           i18n.T("验证通过", "Verify"),
	"sur.action_status.open":      i18n.T("整改中", "Open"),
	"sur.action_status.done":      i18n.T("待验证", "Done, to verify"),
	"sur.action_status.verified":  i18n.T("已验证", "Verified"),
	"sur.overdue":                 i18n.T("逾期", "Overdue"),
	"sur.action_open":             i18n.T("制定整改措施", "Open a corrective action"),
	"sur.pick_dept":               i18n.T("请选择责任部门", "Pick the department"),
	"sur.action_open_submit":      i18n.T("制定", "Open"),
	"sur.close_actions":           i18n.T("还有 %d 项整改措施未验证，验证后才能关闭（SUR-003）", "%d corrective actions are not verified yet; the survey closes once they are (SUR-003)"),
}
