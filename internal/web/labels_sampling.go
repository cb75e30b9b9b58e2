package web

import (
	"maps"

	"kefu/internal/i18n"
)

// The labels of the supervision-sampling page (sampling.go, sampling.html)
// join the catalogue at start.
func init() {
	maps.Copy(labels, samplingLabels)
}

// samplingLabels are the texts of the supervision-sampling page (SMP).
var samplingLabels = map[string]i18n.Text{
	"smp.title":         i18n.T("稽查抽查", "Supervision sampling"),
	"smp.hint":          i18n.T("按本单位政策包的抽查规则计算每期应抽样本：按比例向上取整，不低于最低户数，按分项和方式以最大余数法分配（SMP-002 至 SMP-009）", "The sample each period requires under the company pack's rules: the rate rounded up, at least the floor, split by strata and methods with the largest remainder (SMP-002 to SMP-009)"),
	"smp.none":          i18n.T("本单位的政策包未定义抽查规则", "The company's policy pack has no sampling rules"),
	"smp.calc":          i18n.T("样本量计算", "Sample size"),
	"smp.rule":          i18n.T("抽查规则", "Rule"),
	"smp.pick_rule":     i18n.T("请选择抽查规则", "Choose a rule"),
	"smp.no_rule":       i18n.T("本政策包没有这个抽查规则", "The pack has no such rule"),
	"smp.population":    i18n.T("本期工作量（户数/件数）", "This period's work (households / jobs)"),
	"smp.stratum_count": i18n.T("该项户数（可不填）", "Households of the stratum (optional)"),
	"smp.compute":       i18n.T("计算", "Compute"),
	"smp.bad_number":    i18n.T("须为整数", "must be a whole number"),
	"smp.result":        i18n.T("本期工作量 %d，应抽查 %d", "work %d, sample %d"),
	"smp.floor_applied": i18n.T("已按最低户数", "floor applied"),
	"smp.shortfall":     i18n.T("可抽数量不足 %d", "%d short of the quota"),
	"smp.stratum":       i18n.T("分项", "Stratum"),
	"smp.size":          i18n.T("应抽", "Sample"),
	"smp.methods":       i18n.T("核查方式", "Methods"),
	"smp.levels":        i18n.T("多级监督（谁查谁）", "Supervision levels (who checks whom)"),
	"smp.level":         i18n.T("级别", "Level"),
	"smp.checkers":      i18n.T("检查人", "Checkers"),
	"smp.checked":       i18n.T("被检查人", "Checked"),
	"smp.rules":         i18n.T("抽查规则", "Sampling rules"),
	"smp.quota":         i18n.T("抽查比例", "Quota"),
	"smp.strata":        i18n.T("分项比例", "Strata"),
	"smp.cites":         i18n.T("依据", "Rules"),
	"smp.every":         i18n.T("每次必查（100%）", "Every job (100 %)"),
	"smp.rate":          i18n.T("%d%%", "%d %%"),
	"smp.rate_floor":    i18n.T("%d%%，至少 %d 户", "%d %%, at least %d"),
	"smp.periodic":      i18n.T("定期检查", "Periodic checks"),
}
