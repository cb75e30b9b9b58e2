// Package policy owns policy packs: the regulations of an industry written
// as validated, versioned YAML data (PRODUCT.md §4). A pack declares the
// work-order categories with their clocks, the severity levels and who
// handles each, escalation and extension rules; later modules add their own
// sections. Built-in packs (general, property, gas, power, realestate) are
// embedded in the binary; an administrator may load further versions. A
// work order keeps the pack version it was created under (TKT-041).
package policy

import (
	"encoding/json"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
)

// Name is a name in both languages; Chinese is required.
type Name struct {
	ZH string `json:"zh"`
	EN string `json:"en,omitempty"`
}

// Text returns the name as an i18n.Text.
func (n Name) Text() i18n.Text { return i18n.Text{ZH: n.ZH, EN: n.EN} }

// Pack is one version of a policy pack.
type Pack struct {
	Key         string `json:"key"`     // general, property, gas, power, realestate, or an administrator's key
	Version     int    `json:"version"` // 1, 2, …; a work order stores Key and Version
	Name        Name   `json:"name"`
	Description string `json:"description,omitempty"`
	Calendar    string `json:"calendar"` // default calendar of the pack's clocks (CAL-002)

	Channels   []Channel   `json:"channels"`   // intake channels (TKT-001)
	Severities []Severity  `json:"severities"` // general, important, major (TKT-012)
	Categories []Category  `json:"categories"` // work-order categories with their clocks (TKT-003)
	Tickets    TicketRules `json:"tickets"`    // rules for every work order of the pack
	// Customers are the customer-archive rules (CUS): types, grades,
	// confidential fields, service-point kinds, identity keys.
	Customers CustomerRules `json:"customers"`
	// Events are the pack's own events beyond the work-order actions
	// (e.g. "consent", TKT-026); clocks may start and stop on them.
	Events []string `json:"events,omitempty"`
	// Processes are the pack's business processes (PRC): power
	// connections, changes of service, document pipelines.
	Processes []ProcessDef `json:"processes,omitempty"`
	// Surveys are the satisfaction-survey rules (SUR): cadence, campaign
	// targets, the return-rate deduction, satisfaction targets.
	Surveys SurveyRules `json:"surveys"`
	// Visits are the return-visit rules (VIS): what triggers a visit, its
	// due window, sampling rate, visitor by severity, mode, exemptions.
	Visits VisitRules `json:"visits"`
	// Inspections are the planned safety-inspection rules (INS): cycles by
	// customer class and service-point attributes, seasonal campaigns,
	// checklists, plan periods and levels.
	Inspections InspectionRules `json:"inspections"`
	// Sampling are the supervision-sampling rules (SMP): positions, the
	// levels of who checks whom, quotas, strata, methods, periodic checks,
	// checklists, repeat-offence thresholds.
	Sampling SamplingRules `json:"sampling"`
	// Hazards are the hazard-register rules (INS-013 to INS-018): the
	// severity scale, follow-up interval, rectification deadlines,
	// escalation.
	Hazards HazardRules `json:"hazards"`
	// Certificates are the kinds of staff certificate and permit, their
	// renewal lead times and the work each kind is required for (INS-017).
	Certificates CertificateRules `json:"certificates"`
	// Merits are the reward and penalty rules (MER): catalogue, roll-ups,
	// thresholds, offsets, warnings, automatic proposals, bounties and
	// publication.
	Merits MeritRules `json:"merits"`
	// Sales are the sales-centre rules (SAL): rotation make-up, the
	// attribution windows and splits, restricted actions, register access
	// and the leasing variant.
	Sales SalesRules `json:"sales"`
	// Archives are the archive rules (ARC): levels, departments,
	// categories with retention, numbering, lending and destruction
	// chains, scheduled handovers.
	Archives ArchiveRules `json:"archives"`

	// Source is where this version came from: "builtin" or "file:<name>".
	Source string `json:"source"`
}

// Channel is a way a request reaches the company (TKT-001).
type Channel struct {
	Key  string `json:"key"` // phone, walk_in, letter, web, authority, staff, internal, other
	Name Name   `json:"name"`
}

// Severity is a level of complaint severity and how it is handled
// (TKT-012, TKT-013, TKT-017).
type Severity struct {
	Key  string `json:"key"` // general, important, major
	Name Name   `json:"name"`
	// HandlerRole is the role that owns a work order of this severity
	// (general: the department; important: its supervisor; major: leadership).
	HandlerRole auth.Role `json:"handler_role"`
	// EscalateTo is the org level a work order of this severity is raised to
	// at once when created or raised to it: "" (none), "department",
	// "company" or "group" (the nearest ancestor unit of that kind).
	EscalateTo string `json:"escalate_to,omitempty"`
	// Notify are the roles told at once (CAL-011 "立即" target applies).
	Notify []auth.Role `json:"notify,omitempty"`
}

// Category is a work-order category (工单类别) with its clocks.
type Category struct {
	Key   string `json:"key"`   // dotted: complaint.attitude.general
	Name  Name   `json:"name"`  //
	Group string `json:"group"` // top-level kind: inquiry, repair, alarm, complaint, errand, fee, application, feedback, letters
	// Severity is the default severity of a new work order of the category.
	Severity string `json:"severity,omitempty"`
	// Clocks are the deadline clocks (API.md table); empty for categories
	// handled "at once" without a breaching clock (gas complaint).
	Clocks []ClockRule `json:"clocks"`
	// Targets are warning-only targets for unquantified urgency (CAL-011):
	// they warn when passed and never breach.
	Targets []Target `json:"targets,omitempty"`
	// Emergency marks alarms (gas leak) routed at once to the emergency team (TKT-030).
	Emergency bool `json:"emergency,omitempty"`
	// Respondent: a complaint category that records the person complained
	// about, who is then recused (TKT-016).
	Respondent bool `json:"respondent,omitempty"`
	// WrittenReply: closing needs a written reply on file (TKT-018).
	WrittenReply bool `json:"written_reply,omitempty"`
	// Rules cites the RULES.md rule IDs the category implements.
	Rules []string `json:"rules,omitempty"`
}

// ClockKind is what a clock measures (API.md "Built-in category keys").
type ClockKind string

// Clock kinds of API.md; a pack may declare further kinds (a-z and _).
const (
	ClockForward  ClockKind = "forward"  // to the customer service department
	ClockAssign   ClockKind = "assign"   // to the handling department
	ClockDispatch ClockKind = "dispatch" // to field staff
	ClockArrival  ClockKind = "arrival"  // on site
	ClockHandle   ClockKind = "handle"   // handling started
	ClockResult   ClockKind = "result"   // department result back
	ClockResolve  ClockKind = "resolve"  // resolved
	ClockReply    ClockKind = "reply"    // customer informed
)

// Event is something that happens to a work order; clocks start and stop
// on events. The events are the names of the work-order actions, plus
// "received" (intake) and any event a pack declares (e.g. "consent").
type Event string

// Events of the work-order actions (API.md "Work orders").
const (
	EventReceived Event = "received"
	EventForward  Event = "forward"
	EventAssign   Event = "assign"
	EventDispatch Event = "dispatch"
	EventAccept   Event = "accept"
	EventArrive   Event = "arrive"
	EventResult   Event = "result"
	EventResolve  Event = "resolve"
	EventReply    Event = "reply"
	EventClose    Event = "close"
)

// ClockRule is one deadline clock of a category.
type ClockRule struct {
	Kind     ClockKind         `json:"kind"`
	Duration calendar.Duration `json:"duration"`
	// StartsOn lists the events that start the clock; it starts when the
	// last of them has happened (CAL-013). Default [received].
	StartsOn []Event `json:"starts_on"`
	// StopsOn is the event that meets the clock. Default by kind: forward →
	// forward, assign → assign, dispatch → dispatch, arrival → arrive,
	// handle → accept, result → result, resolve → resolve, reply → reply.
	StopsOn Event `json:"stops_on"`
	// Calendar overrides the pack's calendar for this clock.
	Calendar string `json:"calendar,omitempty"`
	// WarnPercent: the warning fires when this share of the time is used (default 80).
	WarnPercent int `json:"warn_percent"`
	// Agreed: a date agreed with the customer may replace the target but
	// only shorten it (CAL-012): "none" (default), "shorten" (capped by the
	// duration), "any" (no cap, e.g. TKT-007 renegotiation).
	Agreed string `json:"agreed"`
	// ExtensionCap is the longest total limit an approved extension may
	// reach, counted like Duration from the clock's start (TKT-021,
	// complaint.major 7wd). Zero: an extension may set any later date.
	ExtensionCap calendar.Duration `json:"extension_cap"`
	// ExtensionApprover is the role that approves an extension; default
	// the pack's Tickets.ExtensionApprover.
	ExtensionApprover auth.Role `json:"extension_approver,omitempty"`
	// Pausable clocks may be paused (waiting for the customer) and resumed;
	// paused time is not counted.
	Pausable bool `json:"pausable,omitempty"`
	// Rules cites the RULES.md rule IDs.
	Rules []string `json:"rules,omitempty"`
}

// MarshalJSON writes the rule with extension_cap omitted when there is
// none (a zero calendar.Duration has no text form).
func (c ClockRule) MarshalJSON() ([]byte, error) {
	type plain ClockRule
	out := struct {
		plain
		ExtensionCap *calendar.Duration `json:"extension_cap,omitempty"`
	}{plain: plain(c)}
	if c.ExtensionCap != (calendar.Duration{}) {
		out.ExtensionCap = &c.ExtensionCap
	}
	return json.Marshal(out)
}

// Target is a warning-only target (CAL-011): "立即" 30m, "尽快" 1wd.
type Target struct {
	Kind     ClockKind         `json:"kind"`
	Duration calendar.Duration `json:"duration"`
	StartsOn []Event           `json:"starts_on"`
	StopsOn  Event             `json:"stops_on"`
	// Agreed: a time agreed with the customer replaces the target
	// ("none", "shorten" or "any", as for ClockRule; TKT-029).
	Agreed string `json:"agreed,omitempty"`
}

// TicketRules are the pack-wide work-order rules.
type TicketRules struct {
	// ExtensionApprover approves SLA exceptions (TKT-021): property →
	// the management-centre manager (role manager), others → manager.
	ExtensionApprover auth.Role `json:"extension_approver"`
	// ImmediateTarget and PromptTarget are CAL-011's defaults (30m, 1wd).
	ImmediateTarget calendar.Duration `json:"immediate_target"`
	PromptTarget    calendar.Duration `json:"prompt_target"`
	// DedupWindowDays: a closed work order younger than this is still a
	// duplicate candidate (TKT-009, 30).
	DedupWindowDays int `json:"dedup_window_days"`
	// ClusterThreshold: this many work orders on one issue within
	// ClusterWindowDays suggest a cluster (TKT-008, 5 in 7 days).
	ClusterThreshold  int `json:"cluster_threshold"`
	ClusterWindowDays int `json:"cluster_window_days"`
	// CrisisParties are the outside parties whose involvement makes a
	// complaint a crisis, severity major (TKT-034).
	CrisisParties []Name `json:"crisis_parties"`
	// FreeRenegotiations: agreed-date changes allowed before an approval is
	// needed (TKT-007, 2).
	FreeRenegotiations int `json:"free_renegotiations"`
}

// Category returns the category with the key.
func (p *Pack) Category(key string) (*Category, bool) {
	for i := range p.Categories {
		if p.Categories[i].Key == key {
			return &p.Categories[i], true
		}
	}
	return nil, false
}

// Severity returns the severity with the key.
func (p *Pack) Severity(key string) (*Severity, bool) {
	for i := range p.Severities {
		if p.Severities[i].Key == key {
			return &p.Severities[i], true
		}
	}
	return nil, false
}

// Channel returns the channel with the key.
func (p *Pack) Channel(key string) (*Channel, bool) {
	for i := range p.Channels {
		if p.Channels[i].Key == key {
			return &p.Channels[i], true
		}
	}
	return nil, false
}

// ClockRule returns the rule of a clock kind of a category; a nil pack has
// none.
func (p *Pack) ClockRule(category string, kind ClockKind) (ClockRule, bool) {
	if p == nil {
		return ClockRule{}, false
	}
	cat, ok := p.Category(category)
	if !ok {
		return ClockRule{}, false
	}
	for _, r := range cat.Clocks {
		if r.Kind == kind {
			return r, true
		}
	}
	return ClockRule{}, false
}

// ClockCalendar is the calendar id a clock of the pack counts on.
func (p *Pack) ClockCalendar(c ClockRule) string {
	if c.Calendar != "" {
		return c.Calendar
	}
	return p.Calendar
}

// Approver is the role that approves an extension of the clock.
func (p *Pack) Approver(c ClockRule) auth.Role {
	if c.ExtensionApprover != "" {
		return c.ExtensionApprover
	}
	return p.Tickets.ExtensionApprover
}

// DefaultStop is the event that meets a clock of the kind when the rule
// names none.
func DefaultStop(k ClockKind) Event {
	switch k {
	case ClockArrival:
		return EventArrive
	case ClockHandle:
		return EventAccept
	default:
		return Event(k)
	}
}
