package customer

import (
	"fmt"
	"slices"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
)

// Supply is the supply configuration of an important customer (CUS-007):
// its sources and the times that bound a switchover.
type Supply struct {
	Sources []Source `json:"sources"`
	// AllowedInterruptionMinutes is the customer's allowed interruption
	// time (允许中断供电时间); SwitchoverMinutes how long a switchover takes.
	AllowedInterruptionMinutes *int `json:"allowed_interruption_minutes,omitempty"`
	SwitchoverMinutes          *int `json:"switchover_minutes,omitempty"`
}

// Source is one supply source: where it comes from and whether it can
// carry the customer's load alone.
type Source struct {
	Substation     string `json:"substation"`
	Bus            string `json:"bus"` // bus section (母线段)
	Circuit        string `json:"circuit"`
	CanSupplyAlone bool   `json:"can_supply_alone"`
	Temporary      bool   `json:"temporary,omitempty"` // temporary line (CUS-007: allowed for temporary customers)
}

const maxSources = 12

func (s *Supply) validate(field string) error {
	if len(s.Sources) > maxSources {
		return apperr.Validation(field+".sources", i18n.T("最多%d路电源", "at most %d sources", maxSources))
	}
	for i, src := range s.Sources {
		f := fmt.Sprintf("%s.sources[%d]", field, i)
		if src.Substation == "" {
			return apperr.Validation(f+".substation", i18n.T("请填写电源所属变电站", "give the source's substation"))
		}
		for name, v := range map[string]string{"substation": src.Substation, "bus": src.Bus, "circuit": src.Circuit} {
			if longer(v, 60) {
				return tooLong(f+"."+name, 60)
			}
		}
	}
	for name, v := range map[string]*int{"allowed_interruption_minutes": s.AllowedInterruptionMinutes,
		"switchover_minutes": s.SwitchoverMinutes} {
		if v != nil && (*v < 0 || *v > 100000) {
			return apperr.Validation(field+"."+name, i18n.T("须在 0 至 100000 分钟之间", "must be between 0 and 100000 minutes"))
		}
	}
	return nil
}

// supplyRule is one row of the CUS-007 table.
type supplyRule struct {
	MinSources  int  // minimum number of sources
	Substations int  // distinct substations required among them
	DualCircuit bool // two sources not on the same substation bus section
	Survive     int  // any this many sources may fail and one left carries the load
	WarnOnly    bool // problems are warnings (temporary customers)
}

// supplyTable is CUS-007's grade table ("grade table (fixed)").
var supplyTable = map[string]supplyRule{
	"special":   {MinSources: 3, Substations: 2, Survive: 2},
	"grade1":    {MinSources: 2, Substations: 2, Survive: 1},
	"grade2":    {MinSources: 2, DualCircuit: true},
	"temporary": {MinSources: 2, WarnOnly: true},
}

// SupplyProblem is one failed check of ValidateSupply.
type SupplyProblem struct {
	Code    string    `json:"code"` // min_sources, substations, dual_circuit, survivability, switchover, allowed_interruption
	Message i18n.Text `json:"-"`
	Text    string    `json:"message"` // Message in the reader's language (Localize)
}

// SupplyCheck is the result of ValidateSupply.
type SupplyCheck struct {
	Grade    string          `json:"grade"`
	Valid    bool            `json:"valid"`
	Problems []SupplyProblem `json:"problems"`
	Warnings []SupplyProblem `json:"warnings"`
	Rules    []string        `json:"rules"`
}

// Localize fills the Text of every problem and warning in locale l.
func (c *SupplyCheck) Localize(l i18n.Locale) {
	for _, list := range [][]SupplyProblem{c.Problems, c.Warnings} {
		for i := range list {
			list[i].Text = list[i].Message.In(l)
		}
	}
}

// ValidateSupply checks a supply configuration against the grade's row of
// the CUS-007 table: special — 3 sources, two from different substations,
// one left carrying the load whichever two fail; grade1 — 2 sources from 2
// different substations, either carrying the load alone; grade2 — 2
// circuits, different bus sections of one substation allowed; temporary —
// warnings only. For every grade the switchover must fit in the allowed
// interruption time. An unknown grade is a validation error.
func ValidateSupply(grade string, s Supply) (SupplyCheck, error) {
	rule, ok := supplyTable[grade]
	if !ok {
		return SupplyCheck{}, apperr.Validation("grade", i18n.T("重要客户等级须为 special、grade1、grade2 或 temporary（CUS-005）",
			"importance must be special, grade1, grade2 or temporary (CUS-005)"))
	}
	if err := s.validate("supply"); err != nil {
		return SupplyCheck{}, err
	}
	out := SupplyCheck{Grade: grade, Problems: []SupplyProblem{}, Warnings: []SupplyProblem{}, Rules: []string{"CUS-007"}}
	add := func(code string, msg i18n.Text) {
		out.Problems = append(out.Problems, SupplyProblem{Code: code, Message: msg})
	}
	n := len(s.Sources)
	if n < rule.MinSources {
		add("min_sources", i18n.T("至少需要%d路电源，现有%d路", "at least %d sources are required, %d given", rule.MinSources, n))
	}
	if rule.Substations > 0 {
		var subs []string
		for _, src := range s.Sources {
			if !slices.Contains(subs, src.Substation) {
				subs = append(subs, src.Substation)
			}
		}
		if len(subs) < rule.Substations {
			add("substations", i18n.T("电源须来自%d个不同的变电站，现只有%d个", "sources must come from %d different substations, only %d given",
				rule.Substations, len(subs)))
		}
	}
	if rule.DualCircuit {
		type section struct{ substation, bus string }
		var secs []section
		for _, src := range s.Sources {
			if sec := (section{src.Substation, src.Bus}); !slices.Contains(secs, sec) {
				secs = append(secs, sec)
			}
		}
		if len(secs) < 2 {
			add("dual_circuit", i18n.T("双回路须来自不同变电站或同一变电站的不同母线段", "a dual circuit needs two substations or two bus sections of one substation"))
		}
	}
	if rule.Survive > 0 && n >= rule.MinSources && !survives(s.Sources, rule.Survive) {
		add("survivability", i18n.T("任意%d路电源故障时，其余电源须能单独供电", "whichever %d sources fail, a remaining one must carry the load alone", rule.Survive))
	}
	switch {
	case s.AllowedInterruptionMinutes == nil:
		out.Warnings = append(out.Warnings, SupplyProblem{Code: "allowed_interruption", Message: i18n.T(
			"未填写允许中断供电时间，无法校验切换时间", "no allowed interruption time: the switchover time cannot be checked")})
	case s.SwitchoverMinutes != nil && *s.SwitchoverMinutes > *s.AllowedInterruptionMinutes:
		add("switchover", i18n.T("切换时间%d分钟超过允许中断供电时间%d分钟", "switchover of %d minutes exceeds the allowed interruption of %d minutes",
			*s.SwitchoverMinutes, *s.AllowedInterruptionMinutes))
	}
	if rule.WarnOnly {
		out.Warnings = append(out.Problems, out.Warnings...)
		out.Problems = []SupplyProblem{}
	}
	out.Valid = len(out.Problems) == 0
	return out, nil
}

// survives reports whether, for every set of k failed sources, one of the
// remaining sources can supply alone.
func survives(srcs []Source, k int) bool {
	if len(srcs) <= k {
		return false
	}
	failed := make([]bool, len(srcs))
	var try func(from, left int) bool
	try = func(from, left int) bool {
		if left == 0 {
			for i, s := range srcs {
				if !failed[i] && s.CanSupplyAlone {
					return true
				}
			}
			return false
		}
		for i := from; i < len(srcs); i++ {
			failed[i] = true
			ok := try(i+1, left-1)
			failed[i] = false
			if !ok {
				return false
			}
		}
		return true
	}
	return try(0, k)
}
