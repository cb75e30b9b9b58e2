package policy

import (
	"fmt"
	"slices"
	"strings"

	"kefu/internal/i18n"
)

// sampling checks the sampling section: positions with real roles, levels
// naming declared positions, rules whose references exist and whose
// numbers make a quota, checklists, repeat-offence thresholds.
func (v *validator) sampling(path string, s *SamplingRules) {
	for i, p := range s.Positions {
		pp := fmt.Sprintf("%s.positions[%d]", path, i)
		v.key(pp+".key", p.Key, simpleKeyRE)
		v.name(pp+".name", p.Name)
		if v.required(pp+".role", string(p.Role)) {
			v.role(pp+".role", p.Role)
		}
	}
	unique(v, path+".positions", s.Positions, func(p SamplingPosition) string { return p.Key })
	seenLevel := map[int]int{}
	for i := range s.Levels {
		lp := fmt.Sprintf("%s.levels[%d]", path, i)
		l := &s.Levels[i]
		if l.Level < 1 || l.Level > 9 {
			v.add(lp+".level", i18n.T("须在 1 到 9 之间", "must be between 1 and 9"))
		} else if j, dup := seenLevel[l.Level]; dup {
			v.add(lp+".level", i18n.T("级别 %d 重复（已见于第 %d 行）", "level %d appears twice (first on line %d)",
				l.Level, v.d.line(fmt.Sprintf("%s.levels[%d].level", path, j))))
		} else {
			seenLevel[l.Level] = i
		}
		v.name(lp+".name", l.Name)
		v.positionList(lp+".checkers", l.Checkers, s)
		v.positionList(lp+".checked", l.Checked, s)
		for j, c := range l.Checked {
			if slices.Contains(l.Checkers, c) {
				v.add(fmt.Sprintf("%s.checked[%d]", lp, j), i18n.T("岗位 %q 在同一级别既检查又被检查", "position %q both checks and is checked at the same level", c))
			}
		}
		v.rules(lp+".rules", l.Rules)
	}
	for i, p := range s.Populations {
		pp := fmt.Sprintf("%s.populations[%d]", path, i)
		v.key(pp+".key", p.Key, simpleKeyRE)
		v.name(pp+".name", p.Name)
	}
	unique(v, path+".populations", s.Populations, func(p SamplingPopulation) string { return p.Key })
	for i := range s.Checklists {
		v.samplingChecklist(fmt.Sprintf("%s.checklists[%d]", path, i), &s.Checklists[i])
	}
	unique(v, path+".checklists", s.Checklists, func(c SamplingChecklist) string { return c.Key })
	for i := range s.Rules {
		v.samplingRule(fmt.Sprintf("%s.rules[%d]", path, i), &s.Rules[i], s)
	}
	unique(v, path+".rules", s.Rules, func(r SamplingRule) string { return r.Key })
	v.repeatOffences(path+".repeat_offences", &s.RepeatOffences)
	v.rules(path+".rule_ids", s.RuleIDs)
}

// positionList checks a non-empty list of declared positions without repeats.
func (v *validator) positionList(path string, keys []string, s *SamplingRules) {
	if len(keys) == 0 {
		v.add(path, i18n.T("至少需要一个岗位", "at least one position is required"))
	}
	for i, k := range keys {
		kp := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case slices.Index(keys, k) < i:
			v.add(kp, i18n.T("岗位 %q 重复", "position %q listed twice", k))
		case !v.hasPosition(s, k):
			v.add(kp, i18n.T("未在 positions 中声明的岗位 %q", "position %q is not declared under positions", k))
		}
	}
}

func (v *validator) hasPosition(s *SamplingRules, key string) bool {
	_, ok := s.Position(key)
	return ok
}

func (v *validator) samplingChecklist(path string, c *SamplingChecklist) {
	v.key(path+".key", c.Key, simpleKeyRE)
	v.name(path+".name", c.Name)
	if len(c.Items) == 0 {
		v.add(path+".items", i18n.T("至少需要一个检查项", "at least one item is required"))
	}
	for i, it := range c.Items {
		ip := fmt.Sprintf("%s.items[%d]", path, i)
		v.key(ip+".key", it.Key, simpleKeyRE)
		v.name(ip+".name", it.Name)
		v.rules(ip+".rules", it.Rules)
	}
	unique(v, path+".items", c.Items, func(it SamplingCheckItem) string { return it.Key })
	v.rules(path+".rules", c.Rules)
}

// samplingRule checks one rule: its level and checked positions (SMP-002),
// the quota numbers of a rule with a population, or that a rule without
// one has periodic checks and no quota fields.
func (v *validator) samplingRule(path string, r *SamplingRule, s *SamplingRules) {
	v.key(path+".key", r.Key, categoryKeyRE)
	v.name(path+".name", r.Name)
	if l, ok := s.Level(r.Level); !ok {
		v.add(path+".level", i18n.T("没有第 %d 级监督（见 levels）", "no supervision level %d (see levels)", r.Level))
	} else {
		for i, c := range r.Checked {
			if v.hasPosition(s, c) && !slices.Contains(l.Checked, c) {
				v.add(fmt.Sprintf("%s.checked[%d]", path, i), i18n.T("岗位 %q 不在第 %d 级的被检查岗位中（SMP-002）",
					"position %q is not checked at level %d (SMP-002)", c, r.Level))
			}
		}
	}
	v.positionList(path+".checked", r.Checked, s)
	if r.HasQuota() {
		v.quotaRule(path, r, s)
	} else {
		v.checksOnlyRule(path, r)
	}
	v.samplingMethods(path, r)
	for i, c := range r.Checks {
		v.samplingCheck(fmt.Sprintf("%s.checks[%d]", path, i), c)
	}
	unique(v, path+".checks", r.Checks, func(c SamplingCheck) string { return c.Key })
	if r.Checklist != "" {
		if _, ok := s.Checklist(r.Checklist); !ok {
			v.add(path+".checklist", i18n.T("未在 checklists 中声明的检查表 %q", "checklist %q is not declared under checklists", r.Checklist))
		}
	}
	v.rules(path+".rules", r.Rules)
}

func (v *validator) quotaRule(path string, r *SamplingRule, s *SamplingRules) {
	if _, ok := s.Population(r.Population); !ok {
		v.add(path+".population", i18n.T("未在 populations 中声明的抽查对象 %q", "population %q is not declared under populations", r.Population))
	}
	if !slices.Contains(SamplingPeriods, r.Period) {
		v.add(path+".period", i18n.T("须为 %s 之一", "must be one of %s", strings.Join(SamplingPeriods, ", ")))
	}
	if r.Every {
		for _, f := range []struct {
			field string
			n     int
		}{{"rate_pct", r.RatePct}, {"max_rate_pct", r.MaxRatePct}, {"floor", r.Floor}} {
			if f.n != 0 {
				v.add(path+"."+f.field, i18n.T("every: true（每次必查）不设 %s", "every: true (each one checked) takes no %s", f.field))
			}
		}
	} else if r.RatePct < 1 || r.RatePct > 100 {
		v.add(path+".rate_pct", i18n.T("须在 1 到 100 之间（或写 every: true）", "must be between 1 and 100 (or write every: true)"))
	} else if r.MaxRatePct < r.RatePct || r.MaxRatePct > 100 {
		v.add(path+".max_rate_pct", i18n.T("须在 %d 到 100 之间", "must be between %d and 100", r.RatePct))
	}
	if r.Floor < 0 {
		v.add(path+".floor", i18n.T("不能为负数", "must not be negative"))
	}
	if r.SessionMin < 0 {
		v.add(path+".session_min", i18n.T("不能为负数", "must not be negative"))
	}
	for i, st := range r.Strata {
		sp := fmt.Sprintf("%s.strata[%d]", path, i)
		v.key(sp+".key", st.Key, simpleKeyRE)
		v.name(sp+".name", st.Name)
		if st.Weight < 1 {
			v.add(sp+".weight", i18n.T("权重须为正整数", "the weight must be a positive number"))
		}
		v.rules(sp+".rules", st.Rules)
	}
	unique(v, path+".strata", r.Strata, func(st SamplingStratum) string { return st.Key })
}

// checksOnlyRule: a rule without a population has periodic checks and
// none of the quota fields.
func (v *validator) checksOnlyRule(path string, r *SamplingRule) {
	if len(r.Checks) == 0 {
		v.add(path+".population", i18n.T("须指定抽查对象（population）或定期检查（checks）",
			"name a population or periodic checks"))
	}
	for _, f := range []struct {
		field string
		set   bool
	}{{"period", r.Period != ""}, {"rate_pct", r.RatePct != 0}, {"max_rate_pct", r.MaxRatePct != 0},
		{"floor", r.Floor != 0}, {"every", r.Every}, {"session_min", r.SessionMin != 0},
		{"strata", len(r.Strata) > 0}, {"method_shares", len(r.MethodShares) > 0}} {
		if f.set {
			v.add(path+"."+f.field, i18n.T("没有抽查对象（population）的规则不设 %s", "a rule without a population takes no %s", f.field))
		}
	}
}

// samplingMethods: known methods, each once; shares, when given, one per
// method, positive, adding up to 100 (SMP-006: 50/50).
func (v *validator) samplingMethods(path string, r *SamplingRule) {
	for i, m := range r.Methods {
		mp := fmt.Sprintf("%s.methods[%d]", path, i)
		switch {
		case !IsSamplingMethod(m):
			v.add(mp, i18n.T("未知的检查方式 %q", "unknown check method %q", m))
		case slices.Index(r.Methods, m) < i:
			v.add(mp, i18n.T("检查方式 %q 重复", "check method %q listed twice", m))
		}
	}
	if len(r.MethodShares) == 0 {
		return
	}
	sp := path + ".method_shares"
	if len(r.MethodShares) != len(r.Methods) {
		v.add(sp, i18n.T("须与 methods 一一对应（%d 个方式，%d 个比例）", "must match methods one to one (%d methods, %d shares)",
			len(r.Methods), len(r.MethodShares)))
		return
	}
	sum := 0
	for i, n := range r.MethodShares {
		if n < 1 {
			v.add(fmt.Sprintf("%s[%d]", sp, i), i18n.T("比例须为正整数", "a share must be a positive number"))
		}
		sum += n
	}
	if sum != 100 {
		v.add(sp, i18n.T("比例合计须为 100（现为 %d）", "shares must add up to 100 (they add up to %d)", sum))
	}
}

func (v *validator) samplingCheck(path string, c SamplingCheck) {
	v.key(path+".key", c.Key, simpleKeyRE)
	v.name(path+".name", c.Name)
	if !IsSamplingMethod(c.Method) {
		v.add(path+".method", i18n.T("未知的检查方式 %q", "unknown check method %q", c.Method))
	}
	if c.Count < 1 {
		v.add(path+".count", i18n.T("须为正整数", "must be a positive number"))
	}
	if !slices.Contains(CheckPeriods, c.Period) {
		v.add(path+".period", i18n.T("须为 %s 之一", "must be one of %s", strings.Join(CheckPeriods, ", ")))
	}
	if !slices.Contains(CheckConditions, c.When) {
		v.add(path+".when", i18n.T("须为 with_recordings 或 without_recordings", "must be with_recordings or without_recordings"))
	}
	v.rules(path+".rules", c.Rules)
}

func (v *validator) repeatOffences(path string, ro *RepeatOffenceRules) {
	if len(ro.Kinds) > 0 && !slices.Contains(RepeatWindows, ro.Window) {
		v.add(path+".window", i18n.T("须为 %s", "must be %s", strings.Join(RepeatWindows, ", ")))
	}
	for i, k := range ro.Kinds {
		kp := fmt.Sprintf("%s.kinds[%d]", path, i)
		v.key(kp+".key", k.Key, simpleKeyRE)
		v.name(kp+".name", k.Name)
		if k.Threshold < 1 || k.Threshold > 100 {
			v.add(kp+".threshold", i18n.T("须在 1 到 100 之间", "must be between 1 and 100"))
		}
		if !slices.Contains(Consequences, k.Consequence) {
			v.add(kp+".consequence", i18n.T("须为 %s 之一", "must be one of %s", strings.Join(Consequences, ", ")))
		}
		v.rules(kp+".rules", k.Rules)
	}
	unique(v, path+".kinds", ro.Kinds, func(k RepeatOffence) string { return k.Key })
	v.rules(path+".rules", ro.Rules)
}
