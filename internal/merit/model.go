package merit

import (
	"time"

	"kefu/internal/money"
	"kefu/internal/store"
)

// Entry states: a proposal waits for a decider; confirmed entries count;
// rejected proposals, withdrawn and changed entries do not (a change is a
// new entry that supersedes the old).
const (
	StateProposed  = "proposed"
	StateConfirmed = "confirmed"
	StateRejected  = "rejected"
	StateWithdrawn = "withdrawn"
	StateChanged   = "changed"
)

// Source kinds of an entry.
const (
	SourceManual          = "manual"
	SourceTicket          = "ticket"            // a work order whose clock was breached (MER-010)
	SourceSamplingFailure = "sampling_failure"  // a sampler's failure (SMP-017)
	SourceSalesReception  = "sales_reception"   // a reception on a sales floor
	SourceSalesDeal       = "sales_deal"        // a deal whose customer was grabbed (SAL-015)
	SourceSalesForm       = "sales_form"        // a leasing submission sent late (SAL-025, MER-013)
	SourceSalesFormUpdate = "sales_form_update" // a leasing archive-form update sent late (SAL-028, MER-013)
	SourceAppeal          = "appeal"            // the entry an appeal changed
)

// Entry is one ledger entry as the API shows it.
type Entry struct {
	ID          store.ID   `json:"id"`
	CompanyID   store.ID   `json:"company_id"`
	UnitID      store.ID   `json:"unit_id"`
	Unit        string     `json:"unit"`
	UserID      store.ID   `json:"user_id"`
	User        string     `json:"user"`
	Kind        string     `json:"kind"`
	Item        string     `json:"item,omitempty"`
	At          string     `json:"at"` // YYYY-MM-DD: the date of the reward or penalty
	Amount      money.Yuan `json:"amount"`
	Points      int        `json:"points"`
	Reason      string     `json:"reason"`
	RuleID      string     `json:"rule_id,omitempty"`
	SourceKind  string     `json:"source_kind"`
	SourceID    store.ID   `json:"source_id,omitempty"`
	SourceRef   string     `json:"source_ref,omitempty"`
	Trigger     string     `json:"trigger,omitempty"`
	JointOf     store.ID   `json:"joint_of,omitempty"`
	Supersedes  store.ID   `json:"supersedes,omitempty"`
	ProposedBy  store.ID   `json:"proposed_by,omitempty"` // 0: proposed by kefu from an event
	State       string     `json:"state"`
	DecidedBy   store.ID   `json:"decided_by,omitempty"`
	DecidedName string     `json:"decided_by_name,omitempty"`
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
	NoOffset    bool       `json:"no_offset"`
	// Publication: PublishedAt is zero while a confirmed entry waits to be
	// published to the unit (SEC-011).
	PublishedAt *time.Time `json:"published_at,omitempty"`
	Pack        string     `json:"pack"`
	PackVersion int        `json:"pack_version"`
	CreatedAt   time.Time  `json:"created_at"`
	// AmountMin and AmountMax bound what the decider may set on a proposal
	// of a catalogue item with a range (MER-010: 20–50 yuan).
	AmountMin money.Yuan `json:"amount_min,omitempty"`
	AmountMax money.Yuan `json:"amount_max,omitempty"`
}

// EntryInput records an entry (POST /api/v1/merits). Kind or Item is
// required; an Item fills the kind, amount, points and rule from the
// catalogue.
type EntryInput struct {
	UserID store.ID `json:"user_id"`
	Kind   string   `json:"kind"`
	Item   string   `json:"item,omitempty"`
	At     string   `json:"at"` // YYYY-MM-DD or an RFC 3339 time; default today
	Amount string   `json:"amount,omitempty"`
	Points int      `json:"points,omitempty"`
	Reason string   `json:"reason"`
	RuleID string   `json:"rule_id,omitempty"`
	// The source record, when the entry is about one.
	SourceKind string   `json:"source_kind,omitempty"`
	SourceID   store.ID `json:"source_id,omitempty"`
	SourceRef  string   `json:"source_ref,omitempty"`
	// NoOffset: a merit that revokes no penalty (MER-004 discretion).
	NoOffset bool `json:"no_offset,omitempty"`
}

// DecisionInput confirms or rejects a proposal; Amount sets the amount of a
// proposal whose item has a range.
type DecisionInput struct {
	Note   string `json:"note"`
	Amount string `json:"amount,omitempty"`
}

// OffsetInput rules on whether a merit revokes a penalty (MER-004).
type OffsetInput struct {
	Apply bool   `json:"apply"`
	Note  string `json:"note"`
}

// Decision is one decision taken on an entry.
type Decision struct {
	ID        store.ID  `json:"id"`
	Action    string    `json:"action"`
	ActorID   store.ID  `json:"actor_id,omitempty"`
	ActorName string    `json:"actor_name"`
	Note      string    `json:"note,omitempty"`
	RefID     store.ID  `json:"ref_id,omitempty"`
	At        time.Time `json:"at"`
}

// EntryDetail is an entry with its decisions, the entries it relates to
// and its appeals.
type EntryDetail struct {
	Entry
	Decisions    []Decision `json:"decisions"`
	SupersededBy store.ID   `json:"superseded_by,omitempty"`
	Joint        []Entry    `json:"joint"` // the jointly liable entries that follow this one
	Appeals      []Appeal   `json:"appeals"`
}

// Filter selects ledger entries (GET /api/v1/merits).
type Filter struct {
	UserID      store.ID
	UnitID      store.ID // the unit's subtree
	Kind        string
	State       string
	SourceKind  string
	From, To    string // YYYY-MM-DD, inclusive
	Unpublished bool
	After       store.ID // keyset: entries with a smaller id (newest first)
	Limit       int
}

// Page is a page of entries, newest first.
type Page struct {
	Items []Entry  `json:"items"`
	Next  store.ID `json:"next,omitempty"`
}

// PersonSummary is a person's summary with who they are and the flags
// raised for them.
type PersonSummary struct {
	UserID store.ID `json:"user_id"`
	User   string   `json:"user"`
	UnitID store.ID `json:"unit_id"`
	Unit   string   `json:"unit"`
	Summary
	// Pending counts the person's proposals waiting for a decider.
	Pending int `json:"pending"`
	// Raised are the stored flags (HR tasks, payment proposals).
	Raised []FlagRecord `json:"raised"`
}

// FlagRecord is a stored flag: an HR task or a payment proposal raised when
// the derivation first reached it.
type FlagRecord struct {
	ID        store.ID   `json:"id"`
	CompanyID store.ID   `json:"company_id"`
	UserID    store.ID   `json:"user_id"`
	User      string     `json:"user"`
	Flag      string     `json:"flag"`
	RaisedOn  string     `json:"raised_on"`
	Entries   []store.ID `json:"entries"`
	Amount    money.Yuan `json:"amount"`
	RuleID    string     `json:"rule_id,omitempty"`
	State     string     `json:"state"` // open, done, void
	Note      string     `json:"note,omitempty"`
	ClosedBy  store.ID   `json:"closed_by,omitempty"`
	ClosedAt  *time.Time `json:"closed_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

// MonthRow is one person's line of a unit's monthly table.
type MonthRow struct {
	UserID      store.ID       `json:"user_id"`
	User        string         `json:"user"`
	Unit        string         `json:"unit"`
	Recorded    map[string]int `json:"recorded"` // confirmed entries of the month by kind
	Points      int            `json:"points"`
	Fines       money.Yuan     `json:"fines"`
	Rewards     money.Yuan     `json:"rewards"`
	Net         Net            `json:"net"` // at the month's end
	Flags       []string       `json:"flags"`
	Pending     int            `json:"pending"`
	Unpublished int            `json:"unpublished"`
}

// MonthTable is a unit's monthly table of rewards and penalties.
type MonthTable struct {
	UnitID store.ID   `json:"unit_id"`
	Unit   string     `json:"unit"`
	Month  string     `json:"month"` // YYYY-MM
	Rows   []MonthRow `json:"rows"`
	// Publications of the unit and month (SEC-011).
	Publications []Publication `json:"publications"`
}

// PublishInput publishes a unit's confirmed results of a month.
type PublishInput struct {
	UnitID  store.ID `json:"unit_id"`
	Month   string   `json:"month"`
	Channel string   `json:"channel"`
	On      string   `json:"on,omitempty"` // the day posted; default today
}

// Publication is a record that a unit's results of a month were posted.
type Publication struct {
	ID          store.ID  `json:"id"`
	UnitID      store.ID  `json:"unit_id"`
	Unit        string    `json:"unit"`
	Month       string    `json:"month"`
	Channel     string    `json:"channel"`
	PublishedOn string    `json:"published_on"`
	Entries     int       `json:"entries"`
	PublishedBy store.ID  `json:"published_by"`
	Publisher   string    `json:"publisher"`
	CreatedAt   time.Time `json:"created_at"`
}
