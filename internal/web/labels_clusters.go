package web

import (
	"maps"

	"kefu/internal/i18n"
)

// The labels of clusters, open letters and duplicate linking (clusters.go,
// tickets_links.go, cluster.html, letter.html, ticket.html) live here, in a
// block of their own beside labels.go, and join the catalogue at start.
func init() {
	maps.Copy(labels, clusterLabels)
}

var clusterLabels = map[string]i18n.Text{
	// similar work orders on the work-order page (TKT-008)
	"sim.title":         i18n.T("相似工单", "Similar work orders"),
	"sim.scope":         i18n.T("同类别未办结 · 前后 %d 天", "same category, open, within %d days"),
	"sim.suggest":       i18n.T("连同本单共 %d 张，已达集中反映提示线（%d 张 / %d 天，TKT-008）：建议建立集中问题，统一解释。", "%d with this one: at the cluster line (%d in %d days, TKT-008). Make a cluster and explain jointly."),
	"sim.in_cluster":    i18n.T("本单属于集中问题：", "This work order is in the cluster"),
	"sim.join":          i18n.T("加入集中问题「%s」", "Join the cluster “%s”"),
	"sim.create":        i18n.T("建立集中问题", "Make a cluster"),
	"sim.create_hint":   i18n.T("把反映同一问题的工单归为一组，之后可统一召开解释会、发公开信。", "Group the work orders about one issue; then hold one explanation session and issue one open letter."),
	"sim.create_submit": i18n.T("建立", "Make the cluster"),
	"sim.this":          i18n.T("本单", "this one"),

	// clusters (cluster.html)
	"cl.title":        i18n.T("集中问题", "Cluster"),
	"cl.members":      i18n.T("涉及工单", "Work orders"),
	"cl.members_n":    i18n.T("%d 张工单", "%d work orders"),
	"cl.sessions_n":   i18n.T("%d 次解释会", "%d sessions"),
	"cl.created":      i18n.T("建立于 %s", "made %s"),
	"cl.sessions":     i18n.T("联合解释会", "Joint explanation sessions"),
	"cl.no_sessions":  i18n.T("尚未召开解释会", "No session held yet"),
	"cl.hold":         i18n.T("登记联合解释会", "Record a joint explanation session"),
	"cl.hold_hint":    i18n.T("会后登记：每张未合并的工单都会在处理记录中写入“联合解释”（TKT-008）。", "After the session: every work order not merged gets a joint-explanation entry (TKT-008)."),
	"cl.hold_submit":  i18n.T("登记", "Record"),
	"cl.f.title":      i18n.T("问题名称", "Issue"),
	"cl.f.location":   i18n.T("地点 / 楼栋", "Place / building"),
	"cl.f.members":    i18n.T("包括的工单", "Work orders included"),
	"cl.f.held_at":    i18n.T("召开时间", "Held at"),
	"cl.f.place":      i18n.T("地点", "Place"),
	"cl.f.record":     i18n.T("会议记录", "Record"),
	"flash.clustered": i18n.T("集中问题已建立", "Cluster made"),

	"flash.session_held": i18n.T("解释会已登记，已写入各工单处理记录", "Session recorded on every work order"),

	// open letters (letter.html; TKT-010)
	"ol.title":            i18n.T("公开信", "Open letter"),
	"ol.issue":            i18n.T("发公开信", "Issue an open letter"),
	"ol.issue_hint":       i18n.T("公开信即为书面答复：将同时答复本集中问题中可答复的 %d 张工单（TKT-010）。", "The letter is the written reply to the %d work orders here that can take one (TKT-010)."),
	"ol.issue_submit":     i18n.T("发出公开信", "Issue the letter"),
	"ol.confirm":          i18n.T("确定发出公开信？将作为书面答复记入 %d 张工单，不能撤回。", "Issue the letter? It is recorded as the written reply of %d work orders and cannot be withdrawn."),
	"ol.f.title":          i18n.T("标题", "Title"),
	"ol.f.body":           i18n.T("正文", "Body"),
	"ol.f.issued_at":      i18n.T("发出时间", "Issued at"),
	"ol.f.issued_hint":    i18n.T("默认为现在；不能晚于现在", "Now by default; not in the future"),
	"ol.answers":          i18n.T("本信答复的工单", "Work orders answered"),
	"ol.answers_hint":     i18n.T("您可见范围内", "those you may see"),
	"flash.letter_issued": i18n.T("公开信已发出，已记为各工单的书面答复", "Letter issued and recorded as each work order's written reply"),

	// duplicates (TKT-009)
	"dup.title":       i18n.T("可能是重复受理", "Possible duplicates"),
	"dup.hint":        i18n.T("同一客户、同一类别的在办或近期工单（TKT-009）", "Same customer and category, open or recent (TKT-009)"),
	"dup.merge":       i18n.T("并入此单", "Merge into it"),
	"dup.confirm":     i18n.T("确定把本工单作为重复受理并入 %s？本单时限将取消。", "Merge this work order into %s as a duplicate? Its clocks are cancelled."),
	"dup.first":       i18n.T("首次受理的工单编号", "Number of the first record"),
	"dup.first_hint":  i18n.T("本单并入该工单，本单时限取消（TKT-009）", "This one is merged into it and its clocks cancelled (TKT-009)"),
	"dup.not_found":   i18n.T("找不到编号为 %s 的工单", "No work order numbered %s"),
	"dup.merged_into": i18n.T("已并入", "Merged into"),

	"tkt.act.link_duplicate":      i18n.T("合并为重复受理", "Merge as a duplicate"),
	"tkt.act_hint.link_duplicate": i18n.T("同一事项重复来电时，把本单并入首次受理的工单（TKT-009）", "The same matter called in again: merge this one into the first record (TKT-009)"),
	"tkt.ev.clustered":            i18n.T("归入集中问题", "Added to a cluster"),
	"tkt.ev.explained":            i18n.T("联合解释", "Joint explanation"),
	"tkt.d.title":                 i18n.T("问题", "Issue"),
	"tkt.d.place":                 i18n.T("地点", "Place"),
	"tkt.d.open_letter":           i18n.T("公开信", "Open letter"),

	"audit.action.ticket_cluster.create":  i18n.T("建立集中问题", "Make a cluster"),
	"audit.action.ticket_cluster.add":     i18n.T("加入集中问题", "Add to a cluster"),
	"audit.action.ticket_cluster.session": i18n.T("登记联合解释会", "Record a session"),
	"audit.action.open_letter.issue":      i18n.T("发公开信", "Issue an open letter"),
	"audit.object.ticket_cluster":         i18n.T("集中问题", "Cluster"),
	"audit.object.open_letter":            i18n.T("公开信", "Open letter"),
}
