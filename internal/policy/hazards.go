package policy

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
)

// HazardRules are a pack's hazard-register rules (INS-013 to INS-018): the
// severity scale and its names, the notice an ordinary hazard gets, the
// hazards that need the deadline notice filed with the authorities, the
// follow-up interval, what happens when a deadline passes, the bodies a
// notice is filed with or a case reported to, and who may take the
// enforcement decisions. internal/hazard applies them. Every pack has the
// section: what a pack leaves out is filled with the defaults below.
type HazardRules struct {
	// Severities name the fixed scale of INS-018 (minor, general, larger,
	// serious, aligned with MER-007) in the pack's words; the keys cannot
	// change, the scale is complete.
	Severities []HazardSeverity `json:"severities,omitempty"`
	// Notice is the notice an ordinary hazard gets (INS-013): rectification
	// (《安全隐患整改通知书》, gas) or opinion (书面整改意见, power).
	Notice string `json:"notice,omitempty"`
	// DeadlineSeverities get the 《限期整改告知书》 filed with the
	// FilingBodies (INS-015: serious); at important customers only when
	// DeadlineImportantOnly. Empty: no deadline notices in the pack.
	DeadlineSeverities    []string `json:"deadline_severities,omitempty"`
	DeadlineImportantOnly bool     `json:"deadline_important_only,omitempty"`
	// FollowUpInterval is how often an open rectification is followed up,
	// counted on the pack calendar from the signature or the last
	// follow-up (INS-013: 7d).
	FollowUpInterval calendar.Duration `json:"follow_up_interval"`
	// DueSoonDays: a clock shows "due soon" on its last DueSoonDays days
	// (default 2).
	DueSoonDays int `json:"due_soon_days,omitempty"`
	// OnDeadline is what happens when a rectification deadline passes
	// without a verified rectification (INS-016): escalate (the case moves
	// to "reported to government" at once, default) or overdue (it is only
	// listed as overdue until somebody escalates it).
	OnDeadline string `json:"on_deadline,omitempty"`
	// Bodies are the authorities a notice is filed with or a case is
	// reported to; FilingBodies (INS-015) and EscalationBodies (INS-016)
	// name keys of Bodies.
	Bodies           []HazardBody `json:"bodies,omitempty"`
	FilingBodies     []string     `json:"filing_bodies,omitempty"`
	EscalationBodies []string     `json:"escalation_bodies,omitempty"`
	// EnforcementRoles take the manager-level decisions: escalation, the
	// disconnection order and the restoration of supply (INS-016; default
	// manager and auditor — 安监部). An administrator always may.
	EnforcementRoles []auth.Role `json:"enforcement_roles,omitempty"`
	// NumberPrefix starts the hazard numbers, H-2026-0114 (default H).
	NumberPrefix string `json:"number_prefix,omitempty"`
	// RuleIDs cites the RULES.md rule IDs of the section.
	RuleIDs []string `json:"rule_ids,omitempty"`
}

// HazardSeverity names one step of the fixed scale.
type HazardSeverity struct {
	Key  string `json:"key"`
	Name Name   `json:"name"`
}

// HazardBody is an authority a notice is filed with or a case reported to.
type HazardBody struct {
	Key  string `json:"key"`
	Name Name   `json:"name"`
}

// The hazard severity scale (INS-018, fixed), mildest first.
const (
	HazardMinor   = "minor"
	HazardGeneral = "general"
	HazardLarger  = "larger"
	HazardSerious = "serious"
)

// HazardSeverityKeys is the fixed scale, mildest first.
var HazardSeverityKeys = []string{HazardMinor, HazardGeneral, HazardLarger, HazardSerious}

// Notice kinds (INS-013, INS-015).
const (
	NoticeRectification = "rectification" // 安全隐患整改通知书 (gas)
	NoticeOpinion       = "opinion"       // 书面整改意见 (power)
	NoticeDeadline      = "deadline"      // 限期整改告知书 (INS-015)
)

// NoticeKinds are the notice kinds.
var NoticeKinds = []string{NoticeRectification, NoticeOpinion, NoticeDeadline}

// What happens when a rectification deadline passes (INS-016).
const (
	OnDeadlineEscalate = "escalate"
	OnDeadlineOverdue  = "overdue"
)

var hazardPrefixRE = regexp.MustCompile(`^[A-Z]{1,4}$`)

var hazardSeverityNames = map[string]Name{
	HazardMinor:   {ZH: "轻微", EN: "Minor"},
	HazardGeneral: {ZH: "一般", EN: "General"},
	HazardLarger:  {ZH: "较大", EN: "Larger"},
	HazardSerious: {ZH: "重大", EN: "Serious"},
}

// Severity returns the pack's name of a severity of the scale.
func (r *HazardRules) Severity(key string) (HazardSeverity, bool) {
	for _, s := range r.Severities {
		if s.Key == key {
			return s, true
		}
	}
	return HazardSeverity{}, false
}

// Body returns an authority by key.
func (r *HazardRules) Body(key string) (HazardBody, bool) {
	for _, b := range r.Bodies {
		if b.Key == key {
			return b, true
		}
	}
	return HazardBody{}, false
}

// NeedsDeadlineNotice reports whether a hazard of the severity, at an
// important customer or not, gets the 限期整改告知书 (INS-015).
func (r *HazardRules) NeedsDeadlineNotice(severity string, important bool) bool {
	return slices.Contains(r.DeadlineSeverities, severity) && (important || !r.DeadlineImportantOnly)
}

// MayEnforce reports whether a holder of roles takes the enforcement
// decisions of INS-016.
func (r *HazardRules) MayEnforce(roles []auth.Role) bool {
	return slices.ContainsFunc(roles, func(x auth.Role) bool {
		return x == auth.RoleAdmin || slices.Contains(r.EnforcementRoles, x)
	})
}

// hazardDefaults fills what a pack leaves out of its hazards section.
func hazardDefaults(r *HazardRules) {
	if len(r.Severities) == 0 {
		for _, k := range HazardSeverityKeys {
			r.Severities = append(r.Severities, HazardSeverity{Key: k, Name: hazardSeverityNames[k]})
		}
	}
	if r.Notice == "" {
		r.Notice = NoticeRectification
	}
	if r.FollowUpInterval == (calendar.Duration{}) {
		r.FollowUpInterval = calendar.Duration{N: 7, Unit: calendar.CalendarDays} // INS-013
	}
	if r.DueSoonDays == 0 {
		r.DueSoonDays = 2
	}
	if r.OnDeadline == "" {
		r.OnDeadline = OnDeadlineEscalate // INS-016
	}
	if len(r.Bodies) == 0 {
		r.Bodies = []HazardBody{
			{Key: "government", Name: Name{ZH: "政府电力管理部门", EN: "Government power authority"}},
			{Key: "safety_dept", Name: Name{ZH: "安全生产监督管理部门", EN: "Safety supervision department"}},
			{Key: "regulator", Name: Name{ZH: "电力监管机构", EN: "Power regulator"}},
		}
	}
	if len(r.EscalationBodies) == 0 {
		for _, b := range r.Bodies {
			r.EscalationBodies = append(r.EscalationBodies, b.Key)
		}
	}
	if len(r.EnforcementRoles) == 0 {
		r.EnforcementRoles = []auth.Role{auth.RoleManager, auth.RoleAuditor}
	}
	if r.NumberPrefix == "" {
		r.NumberPrefix = "H"
	}
}

// hazards validates the hazards section.
func (v *validator) hazards(path string, r *HazardRules) {
	for i, s := range r.Severities {
		p := fmt.Sprintf("%s.severities[%d]", path, i)
		if !slices.Contains(HazardSeverityKeys, s.Key) {
			v.add(p+".key", i18n.T("隐患分级固定为 %s（INS-018）", "the hazard scale is fixed: %s (INS-018)", strings.Join(HazardSeverityKeys, ", ")))
		}
		v.name(p+".name", s.Name)
	}
	unique(v, path+".severities", r.Severities, func(s HazardSeverity) string { return s.Key })
	if len(r.Severities) != len(HazardSeverityKeys) {
		v.add(path+".severities", i18n.T("须列出全部 %d 个隐患等级（INS-018）", "list all %d steps of the scale (INS-018)", len(HazardSeverityKeys)))
	}
	if r.Notice != NoticeRectification && r.Notice != NoticeOpinion {
		v.add(path+".notice", i18n.T("须为 rectification 或 opinion", "must be rectification or opinion"))
	}
	for i, s := range r.DeadlineSeverities {
		if !slices.Contains(HazardSeverityKeys, s) {
			v.add(fmt.Sprintf("%s.deadline_severities[%d]", path, i), i18n.T("没有隐患等级 %q", "no hazard severity %q", s))
		}
	}
	if err := r.FollowUpInterval.Validate(); err != nil {
		v.add(path+".follow_up_interval", i18n.T("时长无效：%v", "invalid duration: %v", err))
	} else if u := r.FollowUpInterval.Unit; r.FollowUpInterval.N < 1 || (u != calendar.CalendarDays && u != calendar.WorkingDays) {
		v.add(path+".follow_up_interval", i18n.T("须为天数（如 7d、5wd）", "must be days (e.g. 7d, 5wd)"))
	}
	if r.DueSoonDays < 1 || r.DueSoonDays > 30 {
		v.add(path+".due_soon_days", i18n.T("须在 1 到 30 之间", "must be between 1 and 30"))
	}
	if r.OnDeadline != OnDeadlineEscalate && r.OnDeadline != OnDeadlineOverdue {
		v.add(path+".on_deadline", i18n.T("须为 escalate 或 overdue", "must be escalate or overdue"))
	}
	for i, b := range r.Bodies {
		p := fmt.Sprintf("%s.bodies[%d]", path, i)
		v.key(p+".key", b.Key, simpleKeyRE)
		v.name(p+".name", b.Name)
	}
	unique(v, path+".bodies", r.Bodies, func(b HazardBody) string { return b.Key })
	for _, list := range []struct {
		field string
		keys  []string
	}{{"filing_bodies", r.FilingBodies}, {"escalation_bodies", r.EscalationBodies}} {
		for i, k := range list.keys {
			if _, ok := r.Body(k); !ok {
				v.add(fmt.Sprintf("%s.%s[%d]", path, list.field, i), i18n.T("没有机构 %q（见 bodies）", "no body %q (see bodies)", k))
			}
		}
	}
	if len(r.DeadlineSeverities) > 0 && len(r.FilingBodies) == 0 {
		v.add(path+".filing_bodies", i18n.T("限期整改告知书须指定备案机构（INS-015）", "deadline notices need the bodies they are filed with (INS-015)"))
	}
	for i, role := range r.EnforcementRoles {
		v.role(fmt.Sprintf("%s.enforcement_roles[%d]", path, i), role)
	}
	if !hazardPrefixRE.MatchString(r.NumberPrefix) {
		v.add(path+".number_prefix", i18n.T("须为 1–4 个大写字母", "must be 1–4 capital letters"))
	}
	v.rules(path+".rule_ids", r.RuleIDs)
}
