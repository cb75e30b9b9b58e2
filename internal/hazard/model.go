package hazard

import (
	"time"

	"kefu/internal/store"
)

// Status is where a hazard stands (INS-016).
type Status string

// The hazard statuses: found → notified (a notice issued) → rectifying (the
// customer signed) → verified → closed, with refused_to_sign (the customer
// refused to sign, flagged for review), escalated (reported to the
// authorities), disconnection_ordered, disconnected, and restored (supply
// back after a verified rectification) on the way.
const (
	StatusFound                Status = "found"
	StatusNotified             Status = "notified"
	StatusRectifying           Status = "rectifying"
	StatusRefusedToSign        Status = "refused_to_sign"
	StatusEscalated            Status = "escalated"
	StatusDisconnectionOrdered Status = "disconnection_ordered"
	StatusDisconnected         Status = "disconnected"
	StatusVerified             Status = "verified"
	StatusRestored             Status = "restored"
	StatusClosed               Status = "closed"
)

// Statuses lists the statuses in lifecycle order.
var Statuses = []Status{StatusFound, StatusNotified, StatusRectifying, StatusRefusedToSign, StatusEscalated,
	StatusDisconnectionOrdered, StatusDisconnected, StatusVerified, StatusRestored, StatusClosed}

// Sources of a hazard (INS-018).
const (
	SourceInspection = "inspection"
	SourceSampling   = "sampling"
	SourceStaff      = "staff"
	SourceCustomer   = "customer"
	SourcePublic     = "public"
)

// Sources lists the sources.
var Sources = []string{SourceInspection, SourceSampling, SourceStaff, SourceCustomer, SourcePublic}

// Responsibility for a hazard (INS-018).
const (
	ResponsibleCustomer = "customer"
	ResponsibleCompany  = "company" // the grid or the gas company
)

// Follow-up and verification methods.
const (
	MethodOnSite = "on_site"
	MethodPhone  = "phone"
)

// Disconnection stages (INS-016).
const (
	StageOrdered = "ordered" // the order to disconnect for rectification
	StageDone    = "done"    // supply was disconnected
)

// Hazard is a registered hazard as the API shows it.
type Hazard struct {
	ID             store.ID `json:"id"`
	Number         string   `json:"number"` // H-2026-0114
	CompanyID      store.ID `json:"company_id"`
	Pack           string   `json:"pack"`
	PackVersion    int      `json:"pack_version"`
	Source         string   `json:"source"`
	SourceID       store.ID `json:"source_id,omitempty"`
	CustomerID     store.ID `json:"customer_id,omitempty"`
	ServicePointID store.ID `json:"service_point_id,omitempty"`
	CustomerName   string   `json:"customer_name,omitempty"`
	Address        string   `json:"customer_address,omitempty"`
	// Important: an approved important customer when the hazard was found
	// (CUS-006), which makes a serious hazard's notice the 限期整改告知书.
	Important      bool     `json:"important"`
	Location       string   `json:"location"`
	Description    string   `json:"description"`
	Severity       string   `json:"severity"`       // minor, general, larger, serious
	Responsibility string   `json:"responsibility"` // customer, company
	ReporterID     store.ID `json:"reporter_id,omitempty"`
	ReporterName   string   `json:"reporter_name,omitempty"`
	ReporterPhone  string   `json:"reporter_phone,omitempty"`
	// The hand-over record (SMP-016).
	HandedTo     string     `json:"handed_to,omitempty"`
	HandedUnitID store.ID   `json:"handed_unit_id,omitempty"`
	HandedAt     *time.Time `json:"handed_at,omitempty"`
	Status       Status     `json:"status"`
	// Review: the customer refused to sign; the case waits for the INS-016
	// review (escalation or disconnection).
	Review              bool       `json:"review"`
	FoundAt             time.Time  `json:"found_at"`
	DeadlineOn          string     `json:"deadline_on,omitempty"` // the rectification deadline, YYYY-MM-DD
	DeadlineAt          *time.Time `json:"deadline_at,omitempty"` // its end on the pack calendar
	FollowUpDueAt       *time.Time `json:"follow_up_due_at,omitempty"`
	EscalatedAt         *time.Time `json:"escalated_at,omitempty"`
	DisconnectOrderedAt *time.Time `json:"disconnect_ordered_at,omitempty"`
	DisconnectedAt      *time.Time `json:"disconnected_at,omitempty"`
	VerifiedAt          *time.Time `json:"verified_at,omitempty"`
	RestoredAt          *time.Time `json:"restored_at,omitempty"`
	ClosedAt            *time.Time `json:"closed_at,omitempty"`
	CreatedBy           store.ID   `json:"created_by,omitempty"`
	CreatedAt           time.Time  `json:"created_at"`
	// Clocks are the running and finished deadlines with their badges.
	Clocks []Clock `json:"clocks"`
	// Overdue: a clock is overdue.
	Overdue bool `json:"overdue"`
	// NextSteps are the steps the hazard's status allows (not who may take them).
	NextSteps []string `json:"next_steps"`
}

// Detail is a hazard with its timeline, notices, filings, follow-ups and
// verifications (GET /api/v1/hazards/{id}).
type Detail struct {
	Hazard
	Events        []Event        `json:"events"`
	Notices       []Notice       `json:"notices"`
	Filings       []Filing       `json:"filings"`
	FollowUps     []FollowUp     `json:"follow_ups"`
	Verifications []Verification `json:"verifications"`
}

// Event is one step of the timeline.
type Event struct {
	ID        store.ID  `json:"id"`
	Kind      string    `json:"kind"`
	Status    Status    `json:"status"` // after the step
	At        time.Time `json:"at"`
	ActorID   store.ID  `json:"actor_id,omitempty"` // none: kefu itself
	ActorName string    `json:"actor_name"`
	Note      string    `json:"note,omitempty"`
	RefID     store.ID  `json:"ref_id,omitempty"`
}

// Event kinds.
const (
	EventRegistered     = "registered"
	EventFixedOnSite    = "fixed_on_site"
	EventHandedOver     = "handed_over"
	EventNotice         = "notice"
	EventSigned         = "signed"
	EventRefused        = "refused"
	EventFiled          = "filed"
	EventFollowUp       = "follow_up"
	EventDeadlinePassed = "deadline_passed"
	EventEscalated      = "escalated"
	EventDisconnectOrd  = "disconnection_ordered"
	EventDisconnected   = "disconnected"
	EventVerified       = "verified"
	EventRestored       = "restored"
	EventClosed         = "closed"
)

// Notice is a rectification notice (INS-013) or a deadline notice (INS-015).
type Notice struct {
	ID         store.ID   `json:"id"`
	Number     string     `json:"number"` // H-2026-0114-1
	Kind       string     `json:"kind"`   // rectification, opinion, deadline
	Risk       string     `json:"risk"`
	Measures   string     `json:"measures,omitempty"`
	DeadlineOn string     `json:"deadline_on"`
	DeadlineAt time.Time  `json:"deadline_at"`
	IssuedAt   time.Time  `json:"issued_at"`
	IssuedBy   store.ID   `json:"issued_by,omitempty"`
	IssuerName string     `json:"issuer_name,omitempty"`
	Signature  *Signature `json:"signature,omitempty"`
}

// Signature is the customer's signature of a notice or the refusal with a
// witness (INS-013).
type Signature struct {
	Refused bool      `json:"refused"`
	Signer  string    `json:"signer,omitempty"`
	Witness string    `json:"witness,omitempty"`
	At      time.Time `json:"at"`
}

// Filing is a notice filed with, or a case reported to, an authority
// (INS-015, INS-016).
type Filing struct {
	ID        store.ID  `json:"id"`
	NoticeID  store.ID  `json:"notice_id,omitempty"`
	Purpose   string    `json:"purpose"` // notice, escalation
	Body      string    `json:"body"`
	BodyName  string    `json:"body_name"`
	FiledOn   string    `json:"filed_on"`
	Reference string    `json:"reference,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// FollowUp is one line of the 安全隐患整改追踪记录表 (INS-013).
type FollowUp struct {
	ID        store.ID  `json:"id"`
	Method    string    `json:"method"` // on_site, phone
	DoneAt    time.Time `json:"done_at"`
	Found     string    `json:"found"`
	NextDueAt time.Time `json:"next_due_at"`
	ByName    string    `json:"by_name,omitempty"`
}

// Verification is the record of a verified rectification (INS-016).
type Verification struct {
	ID         store.ID  `json:"id"`
	VerifiedAt time.Time `json:"verified_at"`
	Verifier   string    `json:"verifier"`
	Method     string    `json:"method"`
	Result     string    `json:"result"`
	ByName     string    `json:"by_name,omitempty"`
}

// Clock kinds.
const (
	ClockFollowUp = "follow_up" // the next follow-up (INS-013)
	ClockDeadline = "deadline"  // the rectification deadline (INS-015, INS-016)
)

// Clock states: the badge of a due date.
const (
	ClockOnTime  = "on_time"
	ClockDueSoon = "due_soon"
	ClockOverdue = "overdue"
	ClockMet     = "met"  // done in time
	ClockLate    = "late" // done after the due time
)

// Clock is a due date of a hazard with its badge, computed on the pack
// calendar.
type Clock struct {
	Kind     string     `json:"kind"`
	DueAt    time.Time  `json:"due_at"`
	SoonAt   time.Time  `json:"soon_at"` // due soon from then
	State    string     `json:"state"`
	DoneAt   *time.Time `json:"done_at,omitempty"`
	Calendar string     `json:"calendar"`
	Duration string     `json:"duration,omitempty"` // the interval counted, e.g. 7d
}
