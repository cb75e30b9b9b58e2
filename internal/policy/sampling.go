package policy

import (
	"slices"

	"kefu/internal/auth"
)

// SamplingRules is the pack's section for supervision sampling (稽查/抽查,
// SMP): the positions that check and are checked, the supervision levels
// saying who may check whom (SMP-002), what is counted, the sampling rules
// with their quotas, strata, methods and periodic checks (SMP-003 to
// SMP-012), the checklists, and the repeat-offence thresholds of the
// samplers (SMP-017). The arithmetic lives in internal/sampling; this is
// the data. A pack without the section samples nothing.
type SamplingRules struct {
	// Positions are the jobs of seed 000 art.4 (热线员, 稽查员, 安监部 …),
	// finer than the auth roles, each held by users of one role.
	Positions []SamplingPosition `json:"positions,omitempty"`
	// Levels are the supervision levels (SMP-002): at each, the checker
	// positions and the positions they check.
	Levels []SupervisionLevel `json:"levels,omitempty"`
	// Populations are what a rule counts: a month's meter readings, a
	// repair worker's meter replacements, an auditor's households …
	Populations []SamplingPopulation `json:"populations,omitempty"`
	// Checklists are the items scored in a check (SMP-005, SMP-006 …).
	Checklists []SamplingChecklist `json:"checklists,omitempty"`
	// Rules are the sampling rules; their keys are the rule keys of API.md
	// (POST /api/v1/sampling/size).
	Rules []SamplingRule `json:"rules,omitempty"`
	// RepeatOffences are the samplers' escalation thresholds (SMP-017).
	RepeatOffences RepeatOffenceRules `json:"repeat_offences"`
	// RuleIDs cites the RULES.md rule IDs of the section.
	RuleIDs []string `json:"rule_ids,omitempty"`
}

// SamplingPosition is a job that checks or is checked (seed 000 art.4),
// held by users of Role (a customer manager is field_staff, a hotline
// operator cs_agent).
type SamplingPosition struct {
	Key  string    `json:"key"`
	Name Name      `json:"name"`
	Role auth.Role `json:"role"`
}

// SupervisionLevel is one row of the SMP-002 matrix: Checkers may record
// checks of Checked, at this level.
type SupervisionLevel struct {
	Level    int      `json:"level"` // 1, 2, …
	Name     Name     `json:"name"`
	Checkers []string `json:"checkers"` // position keys
	Checked  []string `json:"checked"`  // position keys
	Rules    []string `json:"rules,omitempty"`
}

// SamplingPopulation is a kind of item a rule counts and draws from.
type SamplingPopulation struct {
	Key  string `json:"key"`
	Name Name   `json:"name"`
}

// SamplingChecklist is a list of items scored in a check.
type SamplingChecklist struct {
	Key   string              `json:"key"`
	Name  Name                `json:"name"`
	Items []SamplingCheckItem `json:"items"`
	Rules []string            `json:"rules,omitempty"`
}

// SamplingCheckItem is one scored item of a checklist; Rules cites the
// rules it enforces (STF-001 for the certificate, SMP-016 for hazards).
type SamplingCheckItem struct {
	Key   string   `json:"key"`
	Name  Name     `json:"name"`
	Rules []string `json:"rules,omitempty"`
}

// Sampling periods: the span a quota or a periodic check counts over. A
// rule's quota is per checked person and period; "session" is per check
// session (a draw), for quotas that are not tied to the calendar.
const (
	SamplingPerDay     = "day"
	SamplingPerWeek    = "week"
	SamplingPerMonth   = "month"
	SamplingPerSession = "session"
)

// SamplingPeriods are the values of SamplingRule.Period.
var SamplingPeriods = []string{SamplingPerDay, SamplingPerWeek, SamplingPerMonth, SamplingPerSession}

// CheckPeriods are the values of SamplingCheck.Period.
var CheckPeriods = []string{SamplingPerDay, SamplingPerWeek, SamplingPerMonth}

// Check methods (检查方式, seed 000 art.4).
const (
	SampleByPhone           = "phone"              // 电话回访/抽查/核实
	SampleOnSite            = "on_site"            // 现场核实/检查
	SampleLedger            = "ledger"             // 检查台帐
	SampleRecording         = "recording"          // 电话录音
	SampleLiveListening     = "live_listening"     // 现场监听
	SampleCompletionRecords = "completion_records" // 完工记录
	SampleRecords           = "records"            // 存档资料、抽检记录
	SampleTalk              = "talk"               // 谈话、会议
)

// SamplingMethod is a check method with its name.
type SamplingMethod struct {
	Key  string `json:"key"`
	Name Name   `json:"name"`
}

// SamplingMethods are the check methods with their names.
var SamplingMethods = []SamplingMethod{
	{SampleByPhone, Name{ZH: "电话", EN: "Phone"}},
	{SampleOnSite, Name{ZH: "现场", EN: "On site"}},
	{SampleLedger, Name{ZH: "台帐", EN: "Ledger"}},
	{SampleRecording, Name{ZH: "电话录音", EN: "Call recordings"}},
	{SampleLiveListening, Name{ZH: "现场监听", EN: "Live listening"}},
	{SampleCompletionRecords, Name{ZH: "完工记录", EN: "Completion records"}},
	{SampleRecords, Name{ZH: "存档资料与抽检记录", EN: "Archived and sampling records"}},
	{SampleTalk, Name{ZH: "谈话与会议", EN: "Talks and meetings"}},
}

// IsSamplingMethod reports whether m is a known check method.
func IsSamplingMethod(m string) bool {
	return slices.ContainsFunc(SamplingMethods, func(k SamplingMethod) bool { return k.Key == m })
}

// SamplingRule is one sampling rule: the checks of one population of the
// checked positions' work per period, at one supervision level.
//
// A rule with a Population has a quota: ceil(RatePct × base), then at
// least Floor (never more than the base), or the whole base when Every is
// set; the quota is split over the Strata by weight and between the
// Methods by MethodShares (internal/sampling). A rule without a Population
// only has periodic Checks (SMP-007, SMP-011, SMP-012). Both may carry
// Checks (SMP-004).
type SamplingRule struct {
	// Key is dotted: customer_manager.residential, repair.meter_change.
	Key  string `json:"key"`
	Name Name   `json:"name"`
	// Level is the supervision level of the checks; Checked are positions
	// checked at that level (SMP-002).
	Level   int      `json:"level"`
	Checked []string `json:"checked"`
	// Population is the key of what is counted; "" for a rule of periodic
	// checks only.
	Population string `json:"population,omitempty"`
	// Period is what the quota counts over (default month).
	Period string `json:"period,omitempty"`
	// RatePct is the sampled share of the population, 1 to 100.
	RatePct int `json:"rate_pct,omitempty"`
	// MaxRatePct is the highest rate a company may set for itself
	// (SMP-003: small companies raise the rate; SMP-009: 3–5 %). Default
	// RatePct: no override.
	MaxRatePct int `json:"max_rate_pct,omitempty"`
	// Floor is the least quota, applied after rounding (SMP-006: 20).
	Floor int `json:"floor,omitempty"`
	// Every: every item is checked as it happens (SMP-005 risers, on site
	// each time); the quota is the whole population.
	Every bool `json:"every,omitempty"`
	// SessionMin: a check session covers at least this many items, or the
	// whole population when it is smaller (SMP-009: 10).
	SessionMin int `json:"session_min,omitempty"`
	// Strata split the quota by weight (SMP-003: 30/30/15/15/10); an empty
	// stratum's share goes to the others in proportion (G-22).
	Strata []SamplingStratum `json:"strata,omitempty"`
	// Methods are the allowed check methods; MethodShares, when given,
	// split the sample between them in percent, the odd item to the first
	// listed (SMP-006: on_site 50, phone 50).
	Methods      []string `json:"methods,omitempty"`
	MethodShares []int    `json:"method_shares,omitempty"`
	// Checks are the periodic checks counted per period rather than drawn
	// (SMP-004 one ledger check a month, SMP-007, SMP-011, SMP-012).
	Checks []SamplingCheck `json:"checks,omitempty"`
	// Checklist is the key of the checklist scored in each check.
	Checklist string   `json:"checklist,omitempty"`
	Rules     []string `json:"rules,omitempty"`
}

// SamplingStratum is one part of a rule's sample (SMP-003).
type SamplingStratum struct {
	Key    string `json:"key"`
	Name   Name   `json:"name"`
	Weight int    `json:"weight"` // relative, positive; SMP-003 writes percentages
	// OutdoorMeter: the stratum's items are outdoor-hung meters, whose
	// on-site check needs no customer signature (SMP-013).
	OutdoorMeter bool     `json:"outdoor_meter,omitempty"`
	Rules        []string `json:"rules,omitempty"`
}

// Conditions of a periodic check (SMP-007): whether the unit records calls.
const (
	WithRecordings    = "with_recordings"
	WithoutRecordings = "without_recordings"
)

// CheckConditions are the values of SamplingCheck.When.
var CheckConditions = []string{"", WithRecordings, WithoutRecordings}

// SamplingCheck is a check due Count times each Period (at least), by
// Method; When limits it to units with or without call recordings.
type SamplingCheck struct {
	Key    string   `json:"key"`
	Name   Name     `json:"name"`
	Method string   `json:"method"`
	Count  int      `json:"count"`
	Period string   `json:"period"`
	When   string   `json:"when,omitempty"`
	Rules  []string `json:"rules,omitempty"`
}

// Repeat-offence consequences (SMP-017).
const (
	ConsequenceWarning  = "warning"  // heavier deduction and a warning (feeds MER-005)
	ConsequenceDemotion = "demotion" // demotion (降职)
)

// Consequences are the values of RepeatOffence.Consequence.
var Consequences = []string{ConsequenceWarning, ConsequenceDemotion}

// WindowCalendarYear counts repeats within the calendar year (SMP-017
// [default]); the only window so far.
const WindowCalendarYear = "calendar_year"

// RepeatWindows are the values of RepeatOffenceRules.Window.
var RepeatWindows = []string{WindowCalendarYear}

// RepeatOffenceRules say when a sampler's repeated failures of one kind
// escalate (SMP-017).
type RepeatOffenceRules struct {
	// Window is the span repeats are counted in (default calendar_year).
	Window string          `json:"window,omitempty"`
	Kinds  []RepeatOffence `json:"kinds,omitempty"`
	Rules  []string        `json:"rules,omitempty"`
}

// RepeatOffence is one kind of sampler failure: the Threshold-th of the
// kind within the window brings the Consequence (SMP-017: the third missed
// quota → warning; the second cover-up → demotion).
type RepeatOffence struct {
	Key         string   `json:"key"`
	Name        Name     `json:"name"`
	Threshold   int      `json:"threshold"`
	Consequence string   `json:"consequence"`
	Rules       []string `json:"rules,omitempty"`
}

// Position returns the position with the key.
func (s *SamplingRules) Position(key string) (*SamplingPosition, bool) {
	return firstWhere(s.Positions, func(p *SamplingPosition) bool { return p.Key == key })
}

// Population returns the population with the key.
func (s *SamplingRules) Population(key string) (*SamplingPopulation, bool) {
	return firstWhere(s.Populations, func(p *SamplingPopulation) bool { return p.Key == key })
}

// Checklist returns the checklist with the key.
func (s *SamplingRules) Checklist(key string) (*SamplingChecklist, bool) {
	return firstWhere(s.Checklists, func(c *SamplingChecklist) bool { return c.Key == key })
}

// Stratum returns the rule's stratum with the key.
func (r *SamplingRule) Stratum(key string) (*SamplingStratum, bool) {
	return firstWhere(r.Strata, func(s *SamplingStratum) bool { return s.Key == key })
}

// Rule returns the sampling rule with the key.
func (s *SamplingRules) Rule(key string) (*SamplingRule, bool) {
	return firstWhere(s.Rules, func(r *SamplingRule) bool { return r.Key == key })
}

// Level returns the supervision level with the number.
func (s *SamplingRules) Level(n int) (*SupervisionLevel, bool) {
	return firstWhere(s.Levels, func(l *SupervisionLevel) bool { return l.Level == n })
}

// RepeatOffence returns the repeat-offence kind with the key.
func (s *SamplingRules) RepeatOffence(key string) (*RepeatOffence, bool) {
	return firstWhere(s.RepeatOffences.Kinds, func(k *RepeatOffence) bool { return k.Key == key })
}

// CheckLevel answers whether a holder of the checker position may record a
// check of the checked position, and at which level: the first listed
// level naming both (SMP-002: a hotline operator checks a counter clerk at
// level 1 and may not check a team leader).
func (s *SamplingRules) CheckLevel(checker, checked string) (int, bool) {
	for _, l := range s.Levels {
		if slices.Contains(l.Checkers, checker) && slices.Contains(l.Checked, checked) {
			return l.Level, true
		}
	}
	return 0, false
}

// MayCheck reports whether the checker position may record checks of the
// rule against the checked position: the position is one the rule checks
// and the checker is a checker of the rule's level (SMP-002).
func (s *SamplingRules) MayCheck(checker string, r *SamplingRule, checked string) bool {
	l, ok := s.Level(r.Level)
	return ok && slices.Contains(r.Checked, checked) && slices.Contains(l.Checked, checked) &&
		slices.Contains(l.Checkers, checker)
}

// HasQuota reports whether the rule draws a sample from a population.
func (r *SamplingRule) HasQuota() bool { return r.Population != "" }

// HasMethodSplit reports whether the sample is split between the methods.
func (r *SamplingRule) HasMethodSplit() bool { return len(r.MethodShares) > 0 }

// ChecksFor are the rule's periodic checks that apply to a unit with or
// without call recordings (SMP-007: daily review of recordings, or at
// least one phone spot check a week without them).
func (r *SamplingRule) ChecksFor(hasRecordings bool) []SamplingCheck {
	out := []SamplingCheck{}
	for _, c := range r.Checks {
		if c.When == WithRecordings && !hasRecordings || c.When == WithoutRecordings && hasRecordings {
			continue
		}
		out = append(out, c)
	}
	return out
}

// firstWhere returns a pointer to the first element of items that matches.
func firstWhere[T any](items []T, match func(*T) bool) (*T, bool) {
	for i := range items {
		if match(&items[i]) {
			return &items[i], true
		}
	}
	return nil, false
}

// samplingDefaults fills what the section may leave out: a rule's period
// (month) and highest rate (its rate), the repeat window (calendar year).
func samplingDefaults(s *SamplingRules) {
	for i := range s.Rules {
		r := &s.Rules[i]
		if r.HasQuota() && r.Period == "" {
			r.Period = SamplingPerMonth
		}
		if r.MaxRatePct == 0 {
			r.MaxRatePct = r.RatePct
		}
	}
	if len(s.RepeatOffences.Kinds) > 0 && s.RepeatOffences.Window == "" {
		s.RepeatOffences.Window = WindowCalendarYear
	}
}
