package policy

import (
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/money"
)

// MeritRules are a pack's merit and demerit rules (奖惩, MER): the
// catalogue of rewards and penalties with their amounts, the roll-ups of
// MER-002 and MER-003, the thresholds that flag a termination or pay a
// bonus, the offsets of MER-004, the warnings of MER-005, the automatic
// proposals from events (clock breaches, sampling failures, grabbed
// customers), the customer bounties of MER-007 and MER-008 and the
// publication of results (SEC-011). internal/merit keeps the ledger and
// derives every summary from it with these rules. Every pack has the
// section: what a pack leaves out is filled with the defaults of seed 000
// art.4.
type MeritRules struct {
	// RollUps turn Count entries of a kind into one of the next level
	// (MER-002: 2 criticisms = 1 minor demerit; MER-003: 2 commendations =
	// 1 minor merit …).
	RollUps []MeritRollUp `json:"roll_ups,omitempty"`
	// Thresholds flag a consequence when the net count of a kind reaches
	// Count: termination at 2 major demerits (MER-002), the one-off bonus
	// at 2 major merits (MER-003).
	Thresholds []MeritThreshold `json:"thresholds,omitempty"`
	// Offsets are the MER-004 pairs: a merit earned within Period of a
	// penalty of its level revokes it, one for one.
	Offsets MeritOffsets `json:"offsets"`
	// Warnings: Count warnings within a calendar year flag a reassignment
	// or demotion (MER-005).
	Warnings MeritWarnings `json:"warnings"`
	// Catalogue are the named rewards and penalties with their default
	// amounts (MER-001, MER-010, MER-012, MER-013, seed 000 art.12).
	Catalogue []MeritItem `json:"catalogue,omitempty"`
	// Triggers propose entries when events happen (MER-010, SMP-017,
	// SAL-…): proposals a manager confirms or rejects, never silent
	// penalties.
	Triggers []MeritTrigger `json:"triggers,omitempty"`
	// Bounties are the customer rewards for verified hazard and theft
	// reports (MER-007, MER-008, SEC-007).
	Bounties BountyRules `json:"bounties"`
	// Publication says whether confirmed results are posted to the unit
	// (SEC-011) and where.
	Publication MeritPublication `json:"publication"`
	// DeciderRoles confirm or reject proposals and decide appeals after
	// the supervisor's mediation (default manager). An administrator
	// always may.
	DeciderRoles []auth.Role `json:"decider_roles,omitempty"`
	// RuleIDs cites the RULES.md rule IDs of the section.
	RuleIDs []string `json:"rule_ids,omitempty"`
}

// The kinds of ledger entry (MER-001). The six administrative kinds roll up
// and offset; warnings count per year; the others carry points or money.
const (
	MeritCommendation = "commendation"  // 通报表扬
	MeritMinorMerit   = "minor_merit"   // 记小功
	MeritMajorMerit   = "major_merit"   // 记大功
	MeritCriticism    = "criticism"     // 通报批评
	MeritMinorDemerit = "minor_demerit" // 记小过
	MeritMajorDemerit = "major_demerit" // 记大过
	MeritWarning      = "warning"       // 警告
	MeritDemotion     = "demotion"      // 调岗或降职 (MER-005, SMP-017)
	MeritTermination  = "termination"   // 解除劳动合同 (MER-002)
	MeritPointsAdded  = "points_added"  // 绩效加分
	MeritPointsCut    = "points_deducted"
	MeritBonus        = "bonus"         // 奖金
	MeritFine         = "fine"          // 罚款
	MeritSpecialAward = "special_award" // 专项奖励
)

// MeritKinds lists the entry kinds, rewards first within each class.
var MeritKinds = []string{MeritCommendation, MeritMinorMerit, MeritMajorMerit, MeritCriticism, MeritMinorDemerit,
	MeritMajorDemerit, MeritWarning, MeritDemotion, MeritTermination, MeritPointsAdded, MeritPointsCut, MeritBonus,
	MeritFine, MeritSpecialAward}

// MeritLevelKinds are the administrative kinds that roll up and offset.
var MeritLevelKinds = []string{MeritCommendation, MeritMinorMerit, MeritMajorMerit, MeritCriticism,
	MeritMinorDemerit, MeritMajorDemerit}

// MeritIsReward reports whether the kind rewards (a merit, points added,
// a bonus, a special award) rather than penalises.
func MeritIsReward(kind string) bool {
	switch kind {
	case MeritCommendation, MeritMinorMerit, MeritMajorMerit, MeritPointsAdded, MeritBonus, MeritSpecialAward:
		return true
	}
	return false
}

// MeritHasAmount reports whether entries of the kind carry money (a fine,
// a bonus, a special award); MeritHasPoints, performance points.
func MeritHasAmount(kind string) bool {
	return kind == MeritFine || kind == MeritBonus || kind == MeritSpecialAward
}

// MeritHasPoints reports whether entries of the kind carry performance
// points.
func MeritHasPoints(kind string) bool { return kind == MeritPointsAdded || kind == MeritPointsCut }

// MeritRollUp turns Count entries of From into one of Into.
type MeritRollUp struct {
	From  string `json:"from"`
	Count int    `json:"count"`
	Into  string `json:"into"`
	Rule  string `json:"rule,omitempty"`
}

// Threshold flags.
const (
	FlagTermination  = "termination"  // the HR termination workflow (MER-002)
	FlagBonus        = "bonus"        // a one-off payment proposal (MER-003)
	FlagReassignment = "reassignment" // reassign or demote (MER-005)
)

// MeritThreshold flags Flag each time the net count of Kind reaches a
// multiple of Count (the bonus is paid for every second major merit);
// Bonus is the amount of a bonus flag.
type MeritThreshold struct {
	Kind  string     `json:"kind"`
	Count int        `json:"count"`
	Flag  string     `json:"flag"`
	Bonus money.Yuan `json:"bonus,omitempty"`
	Rule  string     `json:"rule,omitempty"`
}

// MeritOffsets are the MER-004 offsets. A merit offsets the oldest open
// penalty of its pair within Period of that penalty (the penalty period,
// counted in calendar months or days from the penalty's date). Offsets
// apply by the rule; the manager's discretion (酌情) is a recorded decision
// that a merit offsets nothing.
type MeritOffsets struct {
	Period calendar.Duration `json:"period"`
	Pairs  []MeritOffsetPair `json:"pairs,omitempty"`
	Rule   string            `json:"rule,omitempty"`
}

// MeritOffsetPair says a Merit revokes a Penalty.
type MeritOffsetPair struct {
	Merit   string `json:"merit"`
	Penalty string `json:"penalty"`
}

// MeritWarnings is the MER-005 rule: Count warnings in one calendar year
// flag a reassignment or demotion.
type MeritWarnings struct {
	Count int    `json:"count"`
	Rule  string `json:"rule,omitempty"`
}

// MeritItem is a named reward or penalty of the catalogue: its kind and
// default amount or points; MinAmount and MaxAmount bound what a decider
// may set (MER-010: 20–50 yuan set by the Sales Director).
type MeritItem struct {
	Key       string     `json:"key"`
	Name      Name       `json:"name"`
	Kind      string     `json:"kind"`
	Amount    money.Yuan `json:"amount,omitempty"`
	MinAmount money.Yuan `json:"min_amount,omitempty"`
	MaxAmount money.Yuan `json:"max_amount,omitempty"`
	Points    int        `json:"points,omitempty"`
	Rule      string     `json:"rule,omitempty"`
}

// MeritTrigger proposes the catalogue items of Entries when Event is sent
// with a payload matching When: each field named in When must hold one of
// its values (a value ending in ".*" matches a dotted prefix, "*" any).
// Person is the payload field holding the responsible user's id.
type MeritTrigger struct {
	Key     string              `json:"key"`
	Name    Name                `json:"name"`
	Event   string              `json:"event"`
	When    map[string][]string `json:"when,omitempty"`
	Person  string              `json:"person"`
	Entries []MeritTriggerEntry `json:"entries"`
	Rule    string              `json:"rule,omitempty"`
}

// MeritTriggerEntry is one proposal of a trigger: the Item for the
// responsible person, or, with Liable, for each person jointly liable
// (MER-010: the Sales Director and the Director's Assistant).
type MeritTriggerEntry struct {
	Item   string       `json:"item"`
	Liable *MeritLiable `json:"liable,omitempty"`
}

// MeritLiable finds the jointly liable: in the responsible person's unit
// and then each unit above it, the first unit with active users holding
// one of Roles or whose position is one of Positions; all of those.
type MeritLiable struct {
	Roles     []auth.Role `json:"roles,omitempty"`
	Positions []string    `json:"positions,omitempty"`
}

// Trigger events the merit ledger listens to.
const (
	EventClockBreached   = "ticket.clock.breached"
	EventSamplingFailure = "sampling.failure"
	EventRepeatOffence   = "sampling.repeat_offence"
	EventCustomerGrabbed = "sales.customer_grabbed" // SAL-015: user_id grabbed, reception_id, deal_id
	EventSalesFormLate   = "sales.form_late"        // SAL-025, SAL-028, MER-013: user_id, submission_id or form_id
)

// MeritEvents lists the events a trigger may name.
var MeritEvents = []string{EventClockBreached, EventSamplingFailure, EventRepeatOffence, EventCustomerGrabbed,
	EventSalesFormLate}

// BountyRules are the customer bounties (MER-007, MER-008).
type BountyRules struct {
	// Hazard is the reward per verified hazard by severity (minor, general,
	// larger, serious); a hazard in the reporter's own home earns nothing.
	Hazard map[string]money.Yuan `json:"hazard,omitempty"`
	// TheftPercent is the theft bounty, a percentage of the penalty or the
	// recovered fees ("5", MER-008).
	TheftPercent string `json:"theft_percent,omitempty"`
	// ReporterViewers see a reporter's identity (SEC-007: the bounty
	// approver and the designated registrar; default manager). Everybody
	// else sees "protected reporter R-2026-07".
	ReporterViewers []auth.Role `json:"reporter_viewers,omitempty"`
	Rules           []string    `json:"rules,omitempty"`
}

// MeritPublication says whether confirmed results must be published to the
// unit before they are closed (SEC-011) and on which channel.
type MeritPublication struct {
	Required bool   `json:"required"`
	Channel  string `json:"channel,omitempty"` // 公告栏 …
}
