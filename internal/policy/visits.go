package policy

import (
	"fmt"
	"slices"
	"strings"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
)

// VisitRules is the pack's section for return visits (回访, VIS-001 to
// VIS-016): the rules that create visit tasks, and how later rounds are made.
type VisitRules struct {
	// Owner is the role that owns the return-visit plan and signs visits
	// off (VIS-001, VIS-009: the CS supervisor).
	Owner auth.Role `json:"owner,omitempty"`
	// Rules are the visit triggers of the pack.
	Rules []VisitRule `json:"rules,omitempty"`
	// PhoneFromRound: from this round on a visit may be by phone (VIS-010: 3).
	PhoneFromRound int `json:"phone_from_round,omitempty"`
	// InPersonSeverities stay in person in every round (VIS-010: major).
	InPersonSeverities []string `json:"in_person_severities,omitempty"`
	// ReplyLetterChannels are the intake channels of a superior's referral:
	// such a work order closed on a written reply is exempt as reply_letter
	// (VIS-013; default the authority channel).
	ReplyLetterChannels []string `json:"reply_letter_channels,omitempty"`
	// HandlingTargetPct is the target of the handling rate: issues raised
	// in visits that got an outcome and a response ÷ issues raised (VIS-012:
	// 100, the default).
	HandlingTargetPct int `json:"handling_target_pct,omitempty"`
	// Rules cites the RULES.md rule IDs of the section.
	RuleIDs []string `json:"rule_ids,omitempty"`
}

// Visit triggers.
const (
	TriggerTicketClosed     = "ticket_closed"     // a work order of the categories completed (VIS-002, VIS-005, VIS-014)
	TriggerProcessCompleted = "process_completed" // a business process finished
	TriggerActivityEnded    = "activity_ended"    // a cultural or sports activity ended (VIS-006)
	TriggerMoveIn           = "move_in"           // keys handed over (VIS-007)
	TriggerEmergencyClosed  = "emergency_closed"  // an emergency incident closed (VIS-007)
	TriggerHoliday          = "holiday"           // a major holiday, by the manager's plan (VIS-007)
)

// VisitTriggers lists the triggers.
var VisitTriggers = []string{TriggerTicketClosed, TriggerProcessCompleted, TriggerActivityEnded, TriggerMoveIn,
	TriggerEmergencyClosed, TriggerHoliday}

// OccasionTriggers are the triggers of events kefu has no module for: the
// owner role or a manager registers the occasion with its households
// (VIS-006, VIS-007, G-17).
var OccasionTriggers = []string{TriggerActivityEnded, TriggerMoveIn, TriggerEmergencyClosed, TriggerHoliday}

// IsOccasion reports whether the rule's items are registered as occasions.
func (r *VisitRule) IsOccasion() bool { return slices.Contains(OccasionTriggers, r.Trigger) }

// Visit modes (VIS-008).
const (
	ModeInPerson = "in_person" // 上门回访: the customer signs
	ModePhone    = "phone"     // 电话回访: stamped on the record
)

// Visit exemptions (VIS-013).
const (
	ExemptAnonymous   = "anonymous"    // the complainant left no name
	ExemptReplyLetter = "reply_letter" // a superior asked for a reply letter only
)

// VisitRule creates return-visit tasks for the items its trigger names.
type VisitRule struct {
	Key     string `json:"key"`
	Name    Name   `json:"name"`
	Trigger string `json:"trigger"`
	// Groups and Categories select the work orders of a ticket_closed rule
	// (any of them); Processes the definitions of a process_completed rule.
	Groups     []string `json:"groups,omitempty"`
	Categories []string `json:"categories,omitempty"`
	Processes  []string `json:"processes,omitempty"`
	// Window is how long after completion the visit is due (VIS-002: 3d,
	// VIS-005: 1mo), counted on the pack's calendar.
	Window calendar.Duration `json:"window"`
	// RatePct is the share of the month's population visited (VIS-016:
	// quota = ceil(rate × population)); 100 visits every item.
	RatePct int `json:"rate_pct"`
	// Mandatory severities are always visited and count toward the quota
	// (VIS-003: major complaints).
	Mandatory []string `json:"mandatory,omitempty"`
	// Visitors name the visiting role by severity (VIS-004); Visitor is the
	// role otherwise.
	Visitors []SeverityRole `json:"visitors,omitempty"`
	Visitor  auth.Role      `json:"visitor"`
	// Modes allowed for the first rounds (VIS-008, VIS-014: phone only).
	Modes []string `json:"modes"`
	// Exempt are the exemptions that take an item out of the population (VIS-013).
	Exempt []string `json:"exempt,omitempty"`
	Rules  []string `json:"rules,omitempty"`
}

// SeverityRole is the visitor of one severity.
type SeverityRole struct {
	Severity string    `json:"severity"`
	Role     auth.Role `json:"role"`
}

// VisitorFor is the role that visits an item of the severity (VIS-004).
func (r *VisitRule) VisitorFor(severity string) auth.Role {
	for _, v := range r.Visitors {
		if v.Severity == severity {
			return v.Role
		}
	}
	return r.Visitor
}

// IsMandatory reports whether an item of the severity is always visited.
func (r *VisitRule) IsMandatory(severity string) bool { return slices.Contains(r.Mandatory, severity) }

// visitDefaults fills what the pack's visits section may leave out.
func visitDefaults(p *Pack) {
	v := &p.Visits
	if v.Owner == "" {
		v.Owner = auth.RoleCSSupervisor // VIS-001
	}
	if v.PhoneFromRound == 0 {
		v.PhoneFromRound = 3 // VIS-010
	}
	if v.HandlingTargetPct == 0 {
		v.HandlingTargetPct = 100 // VIS-012: every matter answered
	}
	if _, ok := p.Channel("authority"); ok && len(v.ReplyLetterChannels) == 0 {
		v.ReplyLetterChannels = []string{"authority"} // VIS-013: 上级/主管部门转办
	}
	for i := range v.Rules {
		if len(v.Rules[i].Modes) == 0 {
			v.Rules[i].Modes = []string{ModeInPerson, ModePhone}
		}
	}
}

var visitModes = []string{ModeInPerson, ModePhone}
var visitExemptions = []string{ExemptAnonymous, ExemptReplyLetter}

// visits checks the section: triggers, selections that exist in the pack,
// windows, rates, roles, severities.
func (v *validator) visits(path string, vr *VisitRules) {
	v.role(path+".owner", vr.Owner)
	if vr.PhoneFromRound < 1 {
		v.add(path+".phone_from_round", i18n.T("须为正整数", "must be a positive number"))
	}
	if vr.HandlingTargetPct < 1 || vr.HandlingTargetPct > 100 {
		v.add(path+".handling_target_pct", i18n.T("须在 1 到 100 之间", "must be between 1 and 100"))
	}
	for i, s := range vr.InPersonSeverities {
		v.severityKey(fmt.Sprintf("%s.in_person_severities[%d]", path, i), s)
	}
	for i, ch := range vr.ReplyLetterChannels {
		if _, ok := v.p.Channel(ch); !ok {
			v.add(fmt.Sprintf("%s.reply_letter_channels[%d]", path, i), i18n.T("本政策包没有受理渠道 %q", "the pack has no channel %q", ch))
		}
	}
	v.rules(path+".rule_ids", vr.RuleIDs)
	for i := range vr.Rules {
		v.visitRule(fmt.Sprintf("%s.rules[%d]", path, i), &vr.Rules[i])
	}
	unique(v, path+".rules", vr.Rules, func(r VisitRule) string { return r.Key })
}

func (v *validator) severityKey(path, s string) {
	if _, ok := v.p.Severity(s); !ok {
		v.add(path, i18n.T("本政策包没有严重程度 %q", "the pack has no severity %q", s))
	}
}

func (v *validator) visitRule(path string, r *VisitRule) {
	v.key(path+".key", r.Key, simpleKeyRE)
	v.name(path+".name", r.Name)
	if !slices.Contains(VisitTriggers, r.Trigger) {
		v.add(path+".trigger", i18n.T("须为 %s 之一", "must be one of %s", strings.Join(VisitTriggers, ", ")))
	}
	for i, g := range r.Groups {
		if !slices.Contains(Groups, g) {
			v.add(fmt.Sprintf("%s.groups[%d]", path, i), i18n.T("没有工单大类 %q", "no category group %q", g))
		}
	}
	for i, c := range r.Categories {
		if _, ok := v.p.Category(c); !ok {
			v.add(fmt.Sprintf("%s.categories[%d]", path, i), i18n.T("本政策包没有工单类别 %q", "the pack has no category %q", c))
		}
	}
	for i, d := range r.Processes {
		if _, ok := v.p.Process(d); !ok {
			v.add(fmt.Sprintf("%s.processes[%d]", path, i), i18n.T("本政策包没有业务流程 %q", "the pack has no process %q", d))
		}
	}
	if r.Trigger == TriggerTicketClosed && len(r.Groups)+len(r.Categories) == 0 {
		v.add(path+".groups", i18n.T("须指定工单大类或类别", "name the category groups or categories"))
	}
	if r.Trigger == TriggerProcessCompleted && len(r.Processes) == 0 {
		v.add(path+".processes", i18n.T("须指定业务流程", "name the processes"))
	}
	if r.IsOccasion() {
		v.occasionRule(path, r)
	}
	v.duration(path+".window", r.Window)
	if r.RatePct < 1 || r.RatePct > 100 {
		v.add(path+".rate_pct", i18n.T("须在 1 到 100 之间", "must be between 1 and 100"))
	}
	for i, s := range r.Mandatory {
		v.severityKey(fmt.Sprintf("%s.mandatory[%d]", path, i), s)
	}
	for i, sr := range r.Visitors {
		p := fmt.Sprintf("%s.visitors[%d]", path, i)
		v.severityKey(p+".severity", sr.Severity)
		v.role(p+".role", sr.Role)
	}
	if v.required(path+".visitor", string(r.Visitor)) {
		v.role(path+".visitor", r.Visitor)
	}
	for i, m := range r.Modes {
		if !slices.Contains(visitModes, m) {
			v.add(fmt.Sprintf("%s.modes[%d]", path, i), i18n.T("须为 in_person 或 phone", "must be in_person or phone"))
		}
	}
	for i, e := range r.Exempt {
		if !slices.Contains(visitExemptions, e) {
			v.add(fmt.Sprintf("%s.exempt[%d]", path, i), i18n.T("须为 anonymous 或 reply_letter", "must be anonymous or reply_letter"))
		}
	}
	v.rules(path+".rules", r.Rules)
}

// occasionRule refuses what an occasion's households do not have (VIS-006,
// VIS-007): they are registered with the occasion, not selected from work
// orders or processes, and carry no severity or exemption.
func (v *validator) occasionRule(path string, r *VisitRule) {
	for _, f := range []struct {
		field, zh string
		n         int
	}{
		{"groups", "工单大类", len(r.Groups)}, {"categories", "工单类别", len(r.Categories)},
		{"processes", "业务流程", len(r.Processes)}, {"mandatory", "必访严重程度", len(r.Mandatory)},
		{"visitors", "按严重程度的回访人", len(r.Visitors)}, {"exempt", "免访情形", len(r.Exempt)},
	} {
		if f.n > 0 {
			v.add(path+"."+f.field, i18n.T("回访事项规则（%[1]s）不设%[2]s", "an occasion rule (%[1]s) takes no %[3]s",
				r.Trigger, f.zh, f.field))
		}
	}
}
