package archive

import (
	"time"

	"kefu/internal/calendar"
	"kefu/internal/store"
)

// File kinds (archive_files.kind).
const (
	KindUnit       = "unit"       // one property unit, one file (一户一档, ARC-002)
	KindShop       = "shop"       // a shop's file, after the homes of its project
	KindCustomer   = "customer"   // a customer's file without a property unit (service point, leasing customer)
	KindLitigation = "litigation" // filed separately, pointer to the customer file (ARC-002)
	KindCaseYear   = "case_year"  // the complaints of one year of receipt (ARC-017)
	KindGeneral    = "general"    // survey records, other files
)

// FileKinds lists them.
var FileKinds = []string{KindUnit, KindShop, KindCustomer, KindLitigation, KindCaseYear, KindGeneral}

// Media of a document (ARC-001).
var Media = []string{"paper", "electronic", "photo", "audio", "video"}

// Link relations between files (ARC-002).
var Relations = []string{"same_owner", "litigation", "lease_sale", "copy", "related"}

// Loan states.
const (
	LoanPending   = "pending"   // waiting for the next approval of its chain
	LoanApproved  = "approved"  // every step approved; waiting to be registered and lent
	LoanRejected  = "rejected"  // a step refused
	LoanCancelled = "cancelled" // withdrawn by the borrower before it was lent
	LoanLent      = "lent"      // registered and handed out, with a due date
	LoanReturned  = "returned"
)

// Loan modes.
const (
	ModeTakeOut = "take_out" // the file leaves the archive room
	ModeView    = "view"     // viewed in the archive room or on screen (electronic copies)
)

// Destruction states.
const (
	DestructionPending  = "pending"
	DestructionApproved = "approved"
	DestructionRejected = "rejected"
	DestructionExecuted = "executed"
)

// Handover states.
const (
	HandoverPending   = "pending"
	HandoverSubmitted = "submitted" // handed over by the sending department
	HandoverReceived  = "received"  // signed for by the receiving department; custody moved
)

// Department is the org unit a company binds to an archive department of
// the pack, with its custodian (ARC-004).
type Department struct {
	Key           string    `json:"key"`
	Name          string    `json:"name"`
	Central       bool      `json:"central"`
	UnitID        store.ID  `json:"unit_id,omitempty"` // 0: not bound yet
	UnitName      string    `json:"unit_name,omitempty"`
	CustodianID   store.ID  `json:"custodian_id,omitempty"`
	CustodianName string    `json:"custodian_name,omitempty"`
	UpdatedAt     time.Time `json:"updated_at,omitzero"`
}

// File is an archive file (档案).
type File struct {
	ID             store.ID      `json:"id"`
	CompanyID      store.ID      `json:"company_id"`
	Number         string        `json:"number"`
	Kind           string        `json:"kind"`
	Title          string        `json:"title"`
	CustomerID     store.ID      `json:"customer_id,omitempty"`
	CustomerName   string        `json:"customer_name,omitempty"`
	ServicePointID store.ID      `json:"service_point_id,omitempty"`
	Project        string        `json:"project,omitempty"`
	Building       string        `json:"building,omitempty"`
	Unit           string        `json:"unit,omitempty"`
	Year           int           `json:"year,omitempty"`
	Level          string        `json:"level"`
	LevelName      string        `json:"level_name"`
	Chain          string        `json:"chain"` // the lending chain that applies (ARC-012)
	HolderUnitID   store.ID      `json:"holder_unit_id"`
	HolderUnit     string        `json:"holder_unit"`
	Location       string        `json:"location,omitempty"`
	OnHold         bool          `json:"on_hold"`
	State          string        `json:"state"`
	Lent           bool          `json:"lent"`         // a take-out loan is out
	VolumeCount    int           `json:"volume_count"` // volumes not destroyed
	CreatedAt      time.Time     `json:"created_at"`
	UpdatedAt      time.Time     `json:"updated_at"`
	Volumes        []Volume      `json:"volumes,omitempty"`
	Items          []Item        `json:"items,omitempty"`
	Links          []Link        `json:"links,omitempty"`
	Holds          []Hold        `json:"holds,omitempty"`
	LevelChanges   []LevelChange `json:"level_changes,omitempty"`
	// CanViewContents: the caller may open the electronic copies (custody,
	// clearance or a current loan, SEC-009).
	CanViewContents bool `json:"can_view_contents"`
}

// Volume is one category section of a file (案卷, ARC-010).
type Volume struct {
	ID             store.ID      `json:"id"`
	FileID         store.ID      `json:"file_id"`
	FileNumber     string        `json:"file_number,omitempty"`
	Category       string        `json:"category"`
	CategoryName   string        `json:"category_name"`
	Number         string        `json:"number"`
	State          string        `json:"state"` // open, archived, destroyed
	ArchivedOn     calendar.Date `json:"archived_on,omitzero"`
	RetentionYears int           `json:"retention_years"` // 0 = permanent
	EligibleOn     calendar.Date `json:"eligible_on,omitzero"`
	Pages          int           `json:"pages"`
	Items          int           `json:"items"`
	Missing        []string      `json:"missing,omitempty"` // ARC-003 checklist
	OnHold         bool          `json:"on_hold"`
	DestructionID  store.ID      `json:"destruction_id,omitempty"`
	DestroyedAt    time.Time     `json:"destroyed_at,omitzero"`
}

// Item is one document checked in (ARC-001, ARC-009).
type Item struct {
	ID           store.ID  `json:"id"`
	FileID       store.ID  `json:"file_id,omitempty"` // 0 while in the intake tray
	FileNumber   string    `json:"file_number,omitempty"`
	VolumeID     store.ID  `json:"volume_id,omitempty"`
	Category     string    `json:"category"`
	CategoryName string    `json:"category_name"`
	Title        string    `json:"title"`
	Medium       string    `json:"medium"`
	Copy         bool      `json:"copy"`
	Pages        int       `json:"pages"`
	DocumentID   store.ID  `json:"document_id,omitempty"`
	SubCategory  string    `json:"sub_category,omitempty"`
	SourceType   string    `json:"source_type,omitempty"`
	SourceID     store.ID  `json:"source_id,omitempty"`
	ReceivedFrom string    `json:"received_from,omitempty"`
	HolderUnitID store.ID  `json:"holder_unit_id"`
	ReceivedAt   time.Time `json:"received_at"`
	ReceivedBy   store.ID  `json:"received_by,omitempty"`
	FilingDueAt  time.Time `json:"filing_due_at"`
	FiledAt      time.Time `json:"filed_at,omitzero"`
	FiledBy      store.ID  `json:"filed_by,omitempty"`
	State        string    `json:"state"`      // received, filed, destroyed
	Overdue      bool      `json:"overdue"`    // not filed by the end of the day of receipt
	FiledLate    bool      `json:"filed_late"` // filed after filing_due_at
}

// Link is a cross-reference between two files (ARC-002), seen from one.
type Link struct {
	ID          store.ID  `json:"id"`
	FileID      store.ID  `json:"file_id"`
	OtherFileID store.ID  `json:"other_file_id"`
	OtherNumber string    `json:"other_number"`
	OtherTitle  string    `json:"other_title"`
	Relation    string    `json:"relation"`
	Note        string    `json:"note,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// Hold is a legal hold placed or released (ARC-015).
type Hold struct {
	ID     store.ID  `json:"id"`
	FileID store.ID  `json:"file_id"`
	Action string    `json:"action"` // place, release
	Reason string    `json:"reason"`
	By     store.ID  `json:"by,omitempty"`
	ByName string    `json:"by_name,omitempty"`
	At     time.Time `json:"at"`
}

// LevelChange is a request to change a file's level; both approving
// departments decide (ARC-005).
type LevelChange struct {
	ID          store.ID   `json:"id"`
	FileID      store.ID   `json:"file_id"`
	FromLevel   string     `json:"from_level"`
	ToLevel     string     `json:"to_level"`
	Reason      string     `json:"reason"`
	State       string     `json:"state"` // pending, applied, rejected, cancelled
	RequestedBy store.ID   `json:"requested_by,omitempty"`
	RequestedAt time.Time  `json:"requested_at"`
	DecidedAt   time.Time  `json:"decided_at,omitzero"`
	Approvals   []Approval `json:"approvals"`
	// Steps are the approving departments, in order, with who decided.
	Steps []StepStatus `json:"steps"`
}

// Approval is one decision of a chain step (append-only).
type Approval struct {
	ID       store.ID  `json:"id"`
	Step     int       `json:"step"`
	StepKey  string    `json:"step_key"`
	Decision string    `json:"decision"` // approve, reject
	By       store.ID  `json:"by"`
	ByName   string    `json:"by_name"`
	At       time.Time `json:"at"`
	Note     string    `json:"note,omitempty"`
}

// StepStatus is one step of a chain and where it stands.
type StepStatus struct {
	Key   string    `json:"key"`
	Name  string    `json:"name"`
	State string    `json:"state"` // waiting, current, approved, rejected
	By    string    `json:"by,omitempty"`
	At    time.Time `json:"at,omitzero"`
	// CanDecide: the caller qualifies for this step now.
	CanDecide bool `json:"can_decide"`
}

// Loan is a borrowing of a file (ARC-011, ARC-012).
type Loan struct {
	ID           store.ID     `json:"id"`
	CompanyID    store.ID     `json:"company_id"`
	Number       string       `json:"number"`
	FileID       store.ID     `json:"file_id"`
	FileNumber   string       `json:"file_number"`
	FileTitle    string       `json:"file_title"`
	BorrowerID   store.ID     `json:"borrower_id"`
	BorrowerName string       `json:"borrower_name"`
	Purpose      string       `json:"purpose"`
	Mode         string       `json:"mode"`
	Chain        string       `json:"chain"`
	ChainName    string       `json:"chain_name"`
	State        string       `json:"state"`
	RequestedAt  time.Time    `json:"requested_at"`
	WantedDays   int          `json:"wanted_days,omitempty"`
	ApprovedAt   time.Time    `json:"approved_at,omitzero"`
	LentAt       time.Time    `json:"lent_at,omitzero"`
	LentBy       store.ID     `json:"lent_by,omitempty"`
	DueAt        time.Time    `json:"due_at,omitzero"`
	ReturnedAt   time.Time    `json:"returned_at,omitzero"`
	ReturnedTo   store.ID     `json:"returned_to,omitempty"`
	ReturnNote   string       `json:"return_note,omitempty"`
	Overdue      bool         `json:"overdue"`
	DaysOverdue  int          `json:"days_overdue,omitempty"`
	Reminders    int          `json:"reminders"`
	Steps        []StepStatus `json:"steps"`
	Approvals    []Approval   `json:"approvals,omitempty"`
	Chases       []Chase      `json:"chases,omitempty"`
}

// Chase is a reminder or a custodian's chase of an overdue loan (催收).
type Chase struct {
	ID     store.ID  `json:"id"`
	Kind   string    `json:"kind"` // reminder, chase
	By     store.ID  `json:"by,omitempty"`
	ByName string    `json:"by_name,omitempty"`
	At     time.Time `json:"at"`
	Note   string    `json:"note,omitempty"`
}

// Destruction is a destruction list and, once executed, the destruction
// record (销毁记录, ARC-015).
type Destruction struct {
	ID         store.ID           `json:"id"`
	CompanyID  store.ID           `json:"company_id"`
	Number     string             `json:"number"`
	State      string             `json:"state"`
	Note       string             `json:"note,omitempty"`
	CreatedBy  store.ID           `json:"created_by,omitempty"`
	CreatedAt  time.Time          `json:"created_at"`
	ApprovedAt time.Time          `json:"approved_at,omitzero"`
	ExecutedAt time.Time          `json:"executed_at,omitzero"`
	ExecutedBy store.ID           `json:"executed_by,omitempty"`
	Executor   string             `json:"executor,omitempty"`
	Method     string             `json:"method,omitempty"`
	Witness    string             `json:"witness,omitempty"`
	Volumes    []DestructionEntry `json:"volumes"`
	Steps      []StepStatus       `json:"steps"`
	Approvals  []Approval         `json:"approvals,omitempty"`
}

// DestructionEntry is one volume on a destruction list.
type DestructionEntry struct {
	VolumeID   store.ID      `json:"volume_id"`
	Number     string        `json:"number"`
	FileID     store.ID      `json:"file_id"`
	FileTitle  string        `json:"file_title"`
	Category   string        `json:"category"`
	ArchivedOn calendar.Date `json:"archived_on"`
	EligibleOn calendar.Date `json:"eligible_on"`
	Pages      int           `json:"pages"`
}

// Handover is one handover batch between departments (ARC-006 to ARC-009).
type Handover struct {
	ID           store.ID       `json:"id"`
	CompanyID    store.ID       `json:"company_id"`
	Number       string         `json:"number"`
	Schedule     string         `json:"schedule"`
	ScheduleName string         `json:"schedule_name"`
	RuleID       string         `json:"rule_id,omitempty"`
	Period       string         `json:"period"`
	FromUnitID   store.ID       `json:"from_unit_id"`
	FromUnit     string         `json:"from_unit"`
	ToUnitID     store.ID       `json:"to_unit_id"`
	ToUnit       string         `json:"to_unit"`
	EventOn      calendar.Date  `json:"event_on,omitzero"`
	EventNote    string         `json:"event_note,omitempty"`
	DueAt        time.Time      `json:"due_at"`
	Provisional  bool           `json:"provisional"`
	State        string         `json:"state"`
	Overdue      bool           `json:"overdue"`
	SubmittedAt  time.Time      `json:"submitted_at,omitzero"`
	SubmittedBy  store.ID       `json:"submitted_by,omitempty"`
	ReceivedAt   time.Time      `json:"received_at,omitzero"`
	ReceivedBy   store.ID       `json:"received_by,omitempty"`
	Note         string         `json:"note,omitempty"`
	Files        []HandoverFile `json:"files"`
}

// HandoverFile is one file of a handover with its completeness check.
type HandoverFile struct {
	FileID   store.ID `json:"file_id"`
	Number   string   `json:"number"`
	Title    string   `json:"title"`
	Missing  []string `json:"missing"`
	CopyKept bool     `json:"copy_kept"`
}

// Inspection is an archive inspection of a department (ARC-019).
type Inspection struct {
	ID          store.ID      `json:"id"`
	CompanyID   store.ID      `json:"company_id"`
	UnitID      store.ID      `json:"unit_id"`
	Unit        string        `json:"unit"`
	InspectedOn calendar.Date `json:"inspected_on"`
	InspectorID store.ID      `json:"inspector_id,omitempty"`
	Inspector   string        `json:"inspector,omitempty"`
	Summary     string        `json:"summary,omitempty"`
	NextDue     calendar.Date `json:"next_due"`
	Findings    []Finding     `json:"findings"`
	CreatedAt   time.Time     `json:"created_at"`
}

// Finding is one finding of an inspection, tracked to closure.
type Finding struct {
	ID           store.ID      `json:"id"`
	InspectionID store.ID      `json:"inspection_id"`
	FileID       store.ID      `json:"file_id,omitempty"`
	FileNumber   string        `json:"file_number,omitempty"`
	Finding      string        `json:"finding"`
	DueOn        calendar.Date `json:"due_on,omitzero"`
	ClosedAt     time.Time     `json:"closed_at,omitzero"`
	ClosedBy     store.ID      `json:"closed_by,omitempty"`
	ClosingNote  string        `json:"closing_note,omitempty"`
	Overdue      bool          `json:"overdue"`
}

// RetentionSummary is the retention dashboard of a company (ARC-014).
type RetentionSummary struct {
	CompanyID store.ID      `json:"company_id"`
	Today     calendar.Date `json:"today"`
	// Eligible: archived volumes whose retention has ended, not on hold,
	// not on a pending list; OnHold: eligible but held.
	Eligible  int `json:"eligible"`
	OnHold    int `json:"on_hold"`
	OnList    int `json:"on_list"` // on a pending or approved destruction list
	Permanent int `json:"permanent"`
	Open      int `json:"open"`
	Archived  int `json:"archived"`
	Destroyed int `json:"destroyed"`
	// Upcoming counts volumes becoming eligible per period (the next
	// eight report periods, e.g. quarters).
	Upcoming []RetentionBucket `json:"upcoming"`
	// Later counts the volumes becoming eligible after those periods, by
	// calendar year (the long horizon of 10-year customer archives).
	Later []RetentionBucket `json:"later"`
	// ByCategory counts archived volumes per category.
	ByCategory []CategoryCount `json:"by_category"`
}

// RetentionBucket counts volumes becoming eligible in a period.
type RetentionBucket struct {
	Period string        `json:"period"` // 2036-Q1
	From   calendar.Date `json:"from"`
	To     calendar.Date `json:"to"`
	Count  int           `json:"count"`
}

// CategoryCount counts volumes of a category.
type CategoryCount struct {
	Category string `json:"category"`
	Name     string `json:"name"`
	Archived int    `json:"archived"`
	Eligible int    `json:"eligible"`
}
