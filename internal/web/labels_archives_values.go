package web

import "kefu/internal/i18n"

// archiveValueLabels name the archive's stored values: kinds, media,
// relations and the states of volumes, loans, lists and handovers.
var archiveValueLabels = map[string]i18n.Text{
	"arc.kind.unit":       i18n.T("房号档案", "Unit file"),
	"arc.kind.shop":       i18n.T("商铺档案", "Shop file"),
	"arc.kind.customer":   i18n.T("客户档案", "Customer file"),
	"arc.kind.litigation": i18n.T("诉讼档案", "Litigation file"),
	"arc.kind.case_year":  i18n.T("投诉案宗", "Complaint case file"),
	"arc.kind.general":    i18n.T("综合档案", "General file"),

	"arc.medium.paper":      i18n.T("纸质", "Paper"),
	"arc.medium.electronic": i18n.T("电子文件", "Electronic"),
	"arc.medium.photo":      i18n.T("照片", "Photo"),
	"arc.medium.audio":      i18n.T("录音", "Audio"),
	"arc.medium.video":      i18n.T("录像", "Video"),

	"arc.rel.same_owner": i18n.T("同一业主", "Same owner"),
	"arc.rel.litigation": i18n.T("诉讼", "Litigation"),
	"arc.rel.lease_sale": i18n.T("租转售", "Lease → sale"),
	"arc.rel.copy":       i18n.T("副本", "Copy"),
	"arc.rel.related":    i18n.T("相关", "Related"),

	"arc.vstate.open":      i18n.T("未归档", "Open"),
	"arc.vstate.archived":  i18n.T("已归档", "Archived"),
	"arc.vstate.destroyed": i18n.T("已销毁", "Destroyed"),

	"arc.lstate.pending":   i18n.T("审批中", "Pending"),
	"arc.lstate.applied":   i18n.T("已生效", "Applied"),
	"arc.lstate.rejected":  i18n.T("未通过", "Rejected"),
	"arc.lstate.cancelled": i18n.T("已撤回", "Cancelled"),

	"arc.step.waiting":  i18n.T("待审", "Waiting"),
	"arc.step.current":  i18n.T("当前步骤", "Current"),
	"arc.step.approved": i18n.T("同意", "Approved"),
	"arc.step.rejected": i18n.T("不同意", "Rejected"),

	"arc.loan.pending":   i18n.T("审批中", "Pending"),
	"arc.loan.approved":  i18n.T("待借出", "Approved"),
	"arc.loan.rejected":  i18n.T("未批准", "Rejected"),
	"arc.loan.cancelled": i18n.T("已撤回", "Cancelled"),
	"arc.loan.lent":      i18n.T("借出中", "Lent"),
	"arc.loan.returned":  i18n.T("已归还", "Returned"),

	"arc.mode.take_out": i18n.T("借出", "Take out"),
	"arc.mode.view":     i18n.T("查阅", "View"),

	"arc.chase.reminder": i18n.T("到期提醒", "Reminder"),
	"arc.chase.chase":    i18n.T("催收", "Chase"),

	"arc.hold_action.place":   i18n.T("加保全", "Placed"),
	"arc.hold_action.release": i18n.T("解除", "Released"),

	"arc.dstate.pending":  i18n.T("审批中", "Pending"),
	"arc.dstate.approved": i18n.T("待销毁", "Approved"),
	"arc.dstate.rejected": i18n.T("未批准", "Rejected"),
	"arc.dstate.executed": i18n.T("已销毁", "Executed"),

	"arc.hstate.pending":   i18n.T("待移交", "Pending"),
	"arc.hstate.submitted": i18n.T("待接收", "Submitted"),
	"arc.hstate.received":  i18n.T("已接收", "Received"),
}
