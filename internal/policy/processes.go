package policy

import (
	"encoding/json"
	"slices"

	"kefu/internal/auth"
	"kefu/internal/calendar"
)

// ProcessDef is a business process (业务流程) of a pack: a customer request
// that is not one work order but a run of steps, each owned by a role in a
// unit, with its own clock, checklist, gates, outcomes that loop back, and
// guards that refuse what the regulations forbid (PRC-001 to PRC-043).
// internal/process runs them.
type ProcessDef struct {
	Key   string `json:"key"`   // dotted: connection.hv, change.suspension
	Name  Name   `json:"name"`  //
	Group string `json:"group"` // one of ProcessGroups
	// Calendar overrides the pack's calendar for the process's clocks.
	Calendar string `json:"calendar,omitempty"`
	// ServicePoint is the service-point kind the process is started from
	// (power_supply_point); "" when it needs none.
	ServicePoint string `json:"service_point,omitempty"`
	// Attributes are what is asked when the process starts; conditions
	// (step when, routes) and guards read them.
	Attributes []ProcessAttribute `json:"attributes"`
	// Facts are the things that become true during the process (fees paid,
	// contract signed): set by steps and outcomes or recorded on their own;
	// step clocks start on them and gates require them.
	Facts []Keyed `json:"facts"`
	// Guards are checked when the process starts (quotas and time limits).
	Guards []Guard `json:"guards"`
	// Steps in their usual order; the first is where the process starts.
	Steps []Step `json:"steps"`
	// Rules cites the RULES.md rule IDs the process implements.
	Rules []string `json:"rules,omitempty"`
}

// ProcessGroups are the kinds of business process.
var ProcessGroups = []string{"connection", "change", "test", "protection", "sales", "approval", "other"}

// Attribute types of a process.
const (
	AttrText   = "text"
	AttrNumber = "number"
	AttrBool   = "bool"
	AttrChoice = "choice"
	AttrDate   = "date" // YYYY-MM-DD
)

// ProcessAttribute is one value asked when a process starts.
type ProcessAttribute struct {
	Key      string  `json:"key"`
	Name     Name    `json:"name"`
	Type     string  `json:"type"`              // text, number, bool, choice, date
	Choices  []Keyed `json:"choices,omitempty"` // for choice
	Required bool    `json:"required,omitempty"`
	Unit     string  `json:"unit,omitempty"` // shown after a number: kVA, kW
}

// Step is one step of a process.
type Step struct {
	Key  string `json:"key"`
	Name Name   `json:"name"`
	// Role is who acts on the step; Level where: "" the process's unit,
	// "company" its company, "upper_company" the company above that.
	Role  auth.Role `json:"role"`
	Level string    `json:"level,omitempty"`
	// Routes override Role and Level: the first whose condition holds
	// (PRC-013/PRC-014 capacity routing).
	Routes []StepRoute `json:"routes,omitempty"`
	// When: the step applies only when this condition on the attributes
	// holds; otherwise it is skipped (branches on customer attributes).
	When string `json:"when,omitempty"`
	// Checklist are the documents the step needs before it can complete.
	Checklist []ChecklistItem `json:"checklist,omitempty"`
	// Requires are facts that must hold before the step can complete
	// (contract signed before energising, PRC-021).
	Requires []string `json:"requires,omitempty"`
	// Clock is the step's deadline; none when it has no limits.
	Clock StepClock `json:"clock"`
	// Countersign: every one of these parties signs before the step can
	// complete (PRC-019 joint acceptance, PRC-042 countersign).
	Countersign []Party `json:"countersign,omitempty"`
	// Outcomes of the step; none means one outcome, "done", to the next step.
	Outcomes []Outcome `json:"outcomes,omitempty"`
	// Sets are facts set when the step completes with any outcome.
	Sets []string `json:"sets,omitempty"`
	// Produces is the document printed when the step completes (supply plan
	// reply, design review opinion …): one of ProcessDocuments.
	Produces string `json:"produces,omitempty"`
	// MaxRounds: beyond this many rounds of the step a warning is shown
	// (PRC-017: intermediate inspections usually 1–4 times). 0: none.
	MaxRounds int `json:"max_rounds,omitempty"`
	// Returnable: the step may be returned to the step before it, with a
	// comment (PRC-042).
	Returnable bool `json:"returnable,omitempty"`
	// Rules cites the RULES.md rule IDs of the step.
	Rules []string `json:"rules,omitempty"`
}

// Process step levels.
const (
	LevelProcess      = ""
	LevelCompany      = "company"
	LevelUpperCompany = "upper_company"
)

// StepRoute routes a step to another role or level when its condition holds.
type StepRoute struct {
	When  string    `json:"when"`
	Role  auth.Role `json:"role,omitempty"`
	Level string    `json:"level,omitempty"`
	Rules []string  `json:"rules,omitempty"`
}

// Party is one signatory of a countersigned step: a department or party
// (营销部, 安监部, 施工单位), signed by a user holding Role.
type Party struct {
	Key  string    `json:"key"`
	Name Name      `json:"name"`
	Role auth.Role `json:"role"`
}

// ChecklistItem is a document a step needs (PRC-002: tenants also bring the
// lease and the lessor's guarantee).
type ChecklistItem struct {
	Key  string `json:"key"`
	Name Name   `json:"name"`
	// When: needed only when this condition holds.
	When string `json:"when,omitempty"`
}

// StepClock is a step's deadline: the earliest of Limits, counted on the
// process's calendar from the moment the last of StartsOn became true
// (from the step's start when StartsOn is empty). Every new round of a step
// starts its clock again (PRC-005, PRC-011).
type StepClock struct {
	Limits   []calendar.Duration `json:"limits,omitempty"`
	StartsOn []string            `json:"starts_on,omitempty"`
	// WarnPercent: the warning falls when this share is used (default 80).
	WarnPercent int      `json:"warn_percent,omitempty"`
	Rules       []string `json:"rules,omitempty"`
}

// Outcome is one way a step can end.
type Outcome struct {
	Key  string `json:"key"`
	Name Name   `json:"name"`
	// Next is the step that follows: "" the next in the list, a step key
	// (an earlier one makes a loop), or "end" (the process completes).
	Next string `json:"next,omitempty"`
	// Sets are facts set by this outcome.
	Sets []string `json:"sets,omitempty"`
	// Comment: a written comment is required (the one-shot opinion, the
	// items to rectify).
	Comment bool `json:"comment,omitempty"`
	// Produces is a document printed with this outcome (rectification notice).
	Produces string `json:"produces,omitempty"`
	// Cancels: the process ends as cancelled rather than completed.
	Cancels bool `json:"cancels,omitempty"`
	// Deadline: the person completing enters a date by which the next round
	// must be done; it replaces that round's clock (PRC-025: the deadline
	// of a 限期整改告知书 is entered per notice).
	Deadline bool `json:"deadline,omitempty"`
	// Ungated: the step's checklist, required facts and countersignatures
	// do not apply to this outcome (a failed inspection needs no complete
	// file; only "passed" needs every signature, PRC-019).
	Ungated bool `json:"ungated,omitempty"`
}

// NextEnd is the Outcome.Next that completes the process.
const NextEnd = "end"

// Guard kinds: what is checked when a process starts.
const (
	// GuardLeadDays: the date attribute From is at least Days calendar days
	// after the application date (CAL-015 lead time; PRC-032 5 days).
	GuardLeadDays = "lead_days"
	// GuardMinDays: the span From..To lasts at least Days days (PRC-032: 15).
	GuardMinDays = "min_days"
	// GuardPerYear: at most Max processes of this definition per service
	// point in the calendar year of From (PRC-032: 2).
	GuardPerYear = "per_year"
	// GuardDaysPerYear: the spans From..To of this definition per service
	// point in the calendar year add up to at most Days (PRC-032: 183).
	GuardDaysPerYear = "days_per_year"
	// GuardWithin: the application is made before the date attribute From
	// plus Duration ends (PRC-028: reinstallation within 6 months of removal).
	GuardWithin = "within"
	// GuardRequire: the attributes satisfy the condition When (PRC-027: a
	// meter is relocated only with address, category and supply point
	// unchanged).
	GuardRequire = "require"
)

// GuardKinds lists the guard kinds.
var GuardKinds = []string{GuardLeadDays, GuardMinDays, GuardPerYear, GuardDaysPerYear, GuardWithin, GuardRequire}

// Guard is a rule a process must satisfy when it starts; a refusal names
// Rule and says Message.
type Guard struct {
	Kind     string            `json:"kind"`
	From     string            `json:"from,omitempty"` // a date attribute
	To       string            `json:"to,omitempty"`   // a date attribute (spans)
	Days     int               `json:"days,omitempty"`
	Max      int               `json:"max,omitempty"`
	Duration calendar.Duration `json:"duration"`
	When     string            `json:"when,omitempty"` // require: the condition
	Rule     string            `json:"rule"`
	Message  Name              `json:"message"`
}

// MarshalJSON writes the guard with duration omitted when there is none
// (a zero calendar.Duration has no text form).
func (g Guard) MarshalJSON() ([]byte, error) {
	type plain Guard
	out := struct {
		plain
		Duration *calendar.Duration `json:"duration,omitempty"`
	}{plain: plain(g)}
	if g.Duration != (calendar.Duration{}) {
		out.Duration = &g.Duration
	}
	return json.Marshal(out)
}

// ProcessDocuments are the documents a step may print, with their titles.
var ProcessDocuments = map[string]Name{
	"supply_plan_reply":       {ZH: "供电方案答复单", EN: "Supply plan reply"},
	"design_review_opinion":   {ZH: "设计审查意见书", EN: "Design review opinion"},
	"construction_permit":     {ZH: "准予施工通知", EN: "Construction permitted notice"},
	"intermediate_inspection": {ZH: "中间检查结果通知单", EN: "Intermediate inspection result"},
	"rectification_notice":    {ZH: "整改通知单", EN: "Rectification notice"},
	"deadline_rectification":  {ZH: "限期整改告知书", EN: "Deadline rectification notice"},
	"acceptance_sheet":        {ZH: "竣工验收单", EN: "Completion acceptance sheet"},
	"supply_notice":           {ZH: "送电通知", EN: "Energisation notice"},
	"important_confirmation":  {ZH: "重要电力客户确认告知书", EN: "Important customer confirmation"},
	"meter_notice":            {ZH: "装表通知单", EN: "Meter installation notice"},
	"test_schedule":           {ZH: "试验工作安排", EN: "Test schedule"},
	"setting_sheet":           {ZH: "继电保护定值单", EN: "Protection setting sheet"},
	"suspension_notice":       {ZH: "暂停用电通知", EN: "Suspension notice"},
	"handover_receipt":        {ZH: "文件移交签收单", EN: "Document hand-over receipt"},
	"tariff_change_notice":    {ZH: "改类通知", EN: "Tariff change notice"},
	"closure_notice":          {ZH: "销户通知", EN: "Account closure notice"},
	"relocation_notice":       {ZH: "移表通知", EN: "Meter relocation notice"},
	"removal_notice":          {ZH: "暂拆通知", EN: "Temporary removal notice"},
	"split_notice":            {ZH: "分户通知", EN: "Account split notice"},
	"approval_record":         {ZH: "审批记录", EN: "Approval record"},
}

// Process returns the process definition with the key.
func (p *Pack) Process(key string) (*ProcessDef, bool) {
	for i := range p.Processes {
		if p.Processes[i].Key == key {
			return &p.Processes[i], true
		}
	}
	return nil, false
}

// Step returns the step with the key.
func (d *ProcessDef) Step(key string) (*Step, int, bool) {
	for i := range d.Steps {
		if d.Steps[i].Key == key {
			return &d.Steps[i], i, true
		}
	}
	return nil, -1, false
}

// Attribute returns the attribute with the key.
func (d *ProcessDef) Attribute(key string) (*ProcessAttribute, bool) {
	for i := range d.Attributes {
		if d.Attributes[i].Key == key {
			return &d.Attributes[i], true
		}
	}
	return nil, false
}

// DefaultNext is where a step goes by default: the next step in the list,
// or the end after the last.
func (d *ProcessDef) DefaultNext(i int) string {
	if i+1 < len(d.Steps) {
		return d.Steps[i+1].Key
	}
	return NextEnd
}

// SetBy is the step that sets a fact when it completes, by itself or by
// one of its outcomes; such a fact is never recorded by hand.
func (d *ProcessDef) SetBy(fact string) (*Step, bool) {
	for i := range d.Steps {
		st := &d.Steps[i]
		if slices.Contains(st.Sets, fact) {
			return st, true
		}
		for _, o := range st.Outcomes {
			if slices.Contains(o.Sets, fact) {
				return st, true
			}
		}
	}
	return nil, false
}

// StepOutcomes are the step's outcomes, or the one implicit "done".
func (s *Step) StepOutcomes() []Outcome {
	if len(s.Outcomes) > 0 {
		return s.Outcomes
	}
	return []Outcome{{Key: "done", Name: Name{ZH: "完成", EN: "Done"}}}
}

// Outcome returns the step's outcome with the key.
func (s *Step) Outcome(key string) (Outcome, bool) {
	for _, o := range s.StepOutcomes() {
		if o.Key == key {
			return o, true
		}
	}
	return Outcome{}, false
}
