package policy

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/money"
)

// DefaultPenaltyPeriod is the MER-004 penalty period: 12 months (G-58).
var DefaultPenaltyPeriod = calendar.Duration{N: 12, Unit: calendar.Months}

// meritDefaults fills what a pack leaves out of its merits section with
// seed 000 art.4 §五5: the 2:1 roll-ups, termination at two major demerits,
// 2,000 yuan at two major merits, 1:1 offsets within 12 months, two
// warnings a year, the 200/500/1,000/2,000 yuan hazard bounties and the
// 5 % theft bounty (G-38).
func meritDefaults(r *MeritRules) {
	if r.RollUps == nil {
		r.RollUps = []MeritRollUp{
			{From: MeritCriticism, Count: 2, Into: MeritMinorDemerit, Rule: "MER-002"},
			{From: MeritMinorDemerit, Count: 2, Into: MeritMajorDemerit, Rule: "MER-002"},
			{From: MeritCommendation, Count: 2, Into: MeritMinorMerit, Rule: "MER-003"},
			{From: MeritMinorMerit, Count: 2, Into: MeritMajorMerit, Rule: "MER-003"},
		}
	}
	if r.Thresholds == nil {
		r.Thresholds = []MeritThreshold{
			{Kind: MeritMajorDemerit, Count: 2, Flag: FlagTermination, Rule: "MER-002"},
			{Kind: MeritMajorMerit, Count: 2, Flag: FlagBonus, Bonus: money.FromYuan(2000), Rule: "MER-003"},
		}
	}
	if r.Offsets.Period == (calendar.Duration{}) {
		r.Offsets.Period = DefaultPenaltyPeriod
	}
	if r.Offsets.Pairs == nil {
		r.Offsets.Pairs = []MeritOffsetPair{{Merit: MeritCommendation, Penalty: MeritCriticism},
			{Merit: MeritMinorMerit, Penalty: MeritMinorDemerit}, {Merit: MeritMajorMerit, Penalty: MeritMajorDemerit}}
	}
	if r.Offsets.Rule == "" {
		r.Offsets.Rule = "MER-004"
	}
	if r.Warnings.Count == 0 {
		r.Warnings.Count = 2
	}
	if r.Warnings.Rule == "" {
		r.Warnings.Rule = "MER-005"
	}
	if r.Bounties.Hazard == nil {
		r.Bounties.Hazard = map[string]money.Yuan{"minor": money.FromYuan(200), "general": money.FromYuan(500),
			"larger": money.FromYuan(1000), "serious": money.FromYuan(2000)}
	}
	if r.Bounties.TheftPercent == "" {
		r.Bounties.TheftPercent = "5"
	}
	if len(r.Bounties.ReporterViewers) == 0 {
		r.Bounties.ReporterViewers = []auth.Role{auth.RoleManager}
	}
	if len(r.DeciderRoles) == 0 {
		r.DeciderRoles = []auth.Role{auth.RoleManager}
	}
}

// Item returns the catalogue item with the key.
func (r *MeritRules) Item(key string) (*MeritItem, bool) {
	for i := range r.Catalogue {
		if r.Catalogue[i].Key == key {
			return &r.Catalogue[i], true
		}
	}
	return nil, false
}

// TheftHundredths is the theft bounty in hundredths of a percent (500 = 5 %).
func (b *BountyRules) TheftHundredths() int64 {
	n, _ := money.ParsePercent(b.TheftPercent) // validated
	return n
}

// merits validates the merits section: known kinds, roll-ups that climb a
// level of the same side, thresholds and offsets on administrative kinds,
// a catalogue whose amounts fit their bounds, triggers on known events
// proposing catalogue items, bounties on the hazard scale.
func (v *validator) merits(path string, r *MeritRules) {
	level := func(p, kind string) bool {
		if !slices.Contains(MeritLevelKinds, kind) {
			v.add(p, i18n.T("须为行政奖惩（%[2]s），不能是 %[1]q", "must be an administrative kind (%[2]s), not %[1]q",
				kind, strings.Join(MeritLevelKinds, ", ")))
			return false
		}
		return true
	}
	for i, u := range r.RollUps {
		p := fmt.Sprintf("%s.roll_ups[%d]", path, i)
		okFrom, okInto := level(p+".from", u.From), level(p+".into", u.Into)
		if okFrom && okInto && (MeritIsReward(u.From) != MeritIsReward(u.Into) ||
			slices.Index(MeritLevelKinds, u.Into) <= slices.Index(MeritLevelKinds, u.From)) {
			v.add(p+".into", i18n.T("须是同一类更高一级的奖惩", "must be a higher level of the same side"))
		}
		if u.Count < 2 || u.Count > 10 {
			v.add(p+".count", i18n.T("须在 2 到 10 之间", "must be between 2 and 10"))
		}
		v.rules(p+".rule", optional(u.Rule))
	}
	unique(v, path+".roll_ups", r.RollUps, func(u MeritRollUp) string { return u.From })
	for i, t := range r.Thresholds {
		p := fmt.Sprintf("%s.thresholds[%d]", path, i)
		level(p+".kind", t.Kind)
		if t.Count < 1 || t.Count > 10 {
			v.add(p+".count", i18n.T("须在 1 到 10 之间", "must be between 1 and 10"))
		}
		switch t.Flag {
		case FlagTermination:
		case FlagBonus:
			if t.Bonus <= 0 {
				v.add(p+".bonus", i18n.T("奖励金额须大于 0", "the bonus must be more than 0"))
			}
		default:
			v.add(p+".flag", i18n.T("须为 termination 或 bonus", "must be termination or bonus"))
		}
		v.rules(p+".rule", optional(t.Rule))
	}
	o := &r.Offsets
	if o.Period.Unit != calendar.Months && o.Period.Unit != calendar.CalendarDays || o.Period.N < 1 {
		v.add(path+".offsets.period", i18n.T("处分期须以月或日历日计（如 12mo）", "the penalty period is in months or calendar days, e.g. 12mo"))
	}
	for i, pr := range o.Pairs {
		p := fmt.Sprintf("%s.offsets.pairs[%d]", path, i)
		if level(p+".merit", pr.Merit) && !MeritIsReward(pr.Merit) {
			v.add(p+".merit", i18n.T("须为奖励", "must be a reward"))
		}
		if level(p+".penalty", pr.Penalty) && MeritIsReward(pr.Penalty) {
			v.add(p+".penalty", i18n.T("须为处分", "must be a penalty"))
		}
	}
	unique(v, path+".offsets.pairs", o.Pairs, func(p MeritOffsetPair) string { return p.Merit })
	unique(v, path+".offsets.pairs", o.Pairs, func(p MeritOffsetPair) string { return p.Penalty })
	v.rules(path+".offsets.rule", optional(o.Rule))
	if r.Warnings.Count < 1 || r.Warnings.Count > 10 {
		v.add(path+".warnings.count", i18n.T("须在 1 到 10 之间", "must be between 1 and 10"))
	}
	v.rules(path+".warnings.rule", optional(r.Warnings.Rule))
	for i := range r.Catalogue {
		v.meritItem(fmt.Sprintf("%s.catalogue[%d]", path, i), &r.Catalogue[i])
	}
	unique(v, path+".catalogue", r.Catalogue, func(it MeritItem) string { return it.Key })
	for i := range r.Triggers {
		v.meritTrigger(fmt.Sprintf("%s.triggers[%d]", path, i), r, &r.Triggers[i])
	}
	unique(v, path+".triggers", r.Triggers, func(t MeritTrigger) string { return t.Key })
	for _, sev := range slices.Sorted(maps.Keys(r.Bounties.Hazard)) {
		amount, p := r.Bounties.Hazard[sev], path+".bounties.hazard."+sev
		if !slices.Contains(HazardSeverityKeys, sev) {
			v.add(p, i18n.T("隐患等级须为 %s", "the hazard severity must be one of %s", strings.Join(HazardSeverityKeys, ", ")))
		}
		if amount < 0 {
			v.add(p, i18n.T("金额不能为负", "the amount must not be negative"))
		}
	}
	if n, err := money.ParsePercent(r.Bounties.TheftPercent); err != nil || n <= 0 || n > 100_00 {
		v.add(path+".bounties.theft_percent", i18n.T("须为 0 到 100 之间的百分比", "must be a percentage between 0 and 100"))
	}
	for i, role := range r.Bounties.ReporterViewers {
		v.role(fmt.Sprintf("%s.bounties.reporter_viewers[%d]", path, i), role)
	}
	v.rules(path+".bounties.rules", r.Bounties.Rules)
	for i, role := range r.DeciderRoles {
		v.role(fmt.Sprintf("%s.decider_roles[%d]", path, i), role)
	}
	v.rules(path+".rule_ids", r.RuleIDs)
}

// optional is the rule list of a single optional rule ID.
func optional(rule string) []string {
	if rule == "" {
		return nil
	}
	return []string{rule}
}

// meritItem checks a catalogue item: a known kind, money only on kinds that
// carry money and within its bounds, points only on points kinds.
func (v *validator) meritItem(p string, it *MeritItem) {
	v.key(p+".key", it.Key, simpleKeyRE)
	v.name(p+".name", it.Name)
	if !slices.Contains(MeritKinds, it.Kind) {
		v.add(p+".kind", i18n.T("未知的奖惩种类 %q", "unknown kind %q", it.Kind))
		return
	}
	if MeritHasAmount(it.Kind) {
		switch {
		case it.Amount < 0 || it.MinAmount < 0 || it.MaxAmount < 0:
			v.add(p+".amount", i18n.T("金额不能为负", "amounts must not be negative"))
		case it.MaxAmount > 0 && it.MinAmount > it.MaxAmount:
			v.add(p+".min_amount", i18n.T("下限不能高于上限", "the lower bound is above the upper bound"))
		case it.Amount == 0 && it.MinAmount == 0:
			v.add(p+".amount", i18n.T("须给出金额或金额范围", "an amount or a range is required"))
		case it.Amount > 0 && (it.Amount < it.MinAmount || it.MaxAmount > 0 && it.Amount > it.MaxAmount):
			v.add(p+".amount", i18n.T("金额须在范围内", "the amount must be within the range"))
		}
	} else if it.Amount != 0 || it.MinAmount != 0 || it.MaxAmount != 0 {
		v.add(p+".amount", i18n.T("%q 不带金额", "%q carries no amount", it.Kind))
	}
	if MeritHasPoints(it.Kind) {
		if it.Points < 1 || it.Points > 1000 {
			v.add(p+".points", i18n.T("分值须在 1 到 1000 之间", "points must be between 1 and 1000"))
		}
	} else if it.Points != 0 {
		v.add(p+".points", i18n.T("%q 不带分值", "%q carries no points", it.Kind))
	}
	v.rules(p+".rule", optional(it.Rule))
}

// meritTrigger checks a trigger: a known event, the person's field, and
// entries naming catalogue items, jointly liable ones with a way to find
// them.
func (v *validator) meritTrigger(p string, r *MeritRules, t *MeritTrigger) {
	v.key(p+".key", t.Key, simpleKeyRE)
	v.name(p+".name", t.Name)
	if !slices.Contains(MeritEvents, t.Event) {
		v.add(p+".event", i18n.T("未知的事件 %[1]q（可用：%[2]s）", "unknown event %[1]q (known: %[2]s)",
			t.Event, strings.Join(MeritEvents, ", ")))
	}
	v.required(p+".person", t.Person)
	for _, field := range slices.Sorted(maps.Keys(t.When)) {
		if len(t.When[field]) == 0 {
			v.add(p+".when."+field, i18n.T("至少需要一个值", "at least one value is required"))
		}
	}
	if len(t.Entries) == 0 {
		v.add(p+".entries", i18n.T("至少需要一项", "at least one entry is required"))
	}
	for j, e := range t.Entries {
		ep := fmt.Sprintf("%s.entries[%d]", p, j)
		if v.required(ep+".item", e.Item) {
			if _, ok := r.Item(e.Item); !ok {
				v.add(ep+".item", i18n.T("奖惩目录中没有 %q", "the catalogue has no item %q", e.Item))
			}
		}
		if e.Liable != nil {
			if len(e.Liable.Roles) == 0 && len(e.Liable.Positions) == 0 {
				v.add(ep+".liable", i18n.T("须给出角色或岗位", "roles or positions are required"))
			}
			for k, role := range e.Liable.Roles {
				v.role(fmt.Sprintf("%s.liable.roles[%d]", ep, k), role)
			}
		}
	}
	v.rules(p+".rule", optional(t.Rule))
}
