package sales

import (
	"time"

	"kefu/internal/calendar"
	"kefu/internal/money"
	"kefu/internal/store"
)

// Centre is a sales centre (案场) as the API shows it: an org unit with a
// rotation table.
type Centre struct {
	UnitID       store.ID `json:"unit_id"`
	Unit         string   `json:"unit"`
	CompanyID    store.ID `json:"company_id"`
	Mode         string   `json:"mode"`          // ModeSales, ModeLeasing
	MakeUpPolicy string   `json:"makeup_policy"` // the centre's, "" = the pack's
	Effective    string   `json:"effective_makeup_policy"`
}

// CentreInput sets a unit up as a sales centre, or changes its mode or
// make-up policy (SAL-002: per sales centre).
type CentreInput struct {
	UnitID       store.ID `json:"unit_id"`
	Mode         string   `json:"mode"`
	MakeUpPolicy string   `json:"makeup_policy"`
	Reason       string   `json:"reason"`
}

// RotationMember is one agent on the rotation table today.
type RotationMember struct {
	UserID    store.ID   `json:"user_id"`
	Name      string     `json:"name"`
	Position  int        `json:"position"`
	Absence   string     `json:"absence"` // "" on the floor
	Busy      string     `json:"busy"`    // the kind of her reception in progress
	Reception *Reception `json:"reception,omitempty"`
	Credits   int        `json:"credits"` // make-up turns waiting
	Next      bool       `json:"next"`    // the pointer
}

// Rotation is the live state of a centre's table: who is next, the
// members, the make-up turns waiting and the last entries of the log.
type Rotation struct {
	Centre  Centre           `json:"centre"`
	Members []RotationMember `json:"members"`
	Credits []MakeUpCredit   `json:"credits"`
	// Next is who receives the next new customer (nil: nobody is free).
	Next *Pick         `json:"next"`
	Log  []RotationLog `json:"log"`
	At   time.Time     `json:"at"`
}

// MakeUpCredit is a make-up turn (补接).
type MakeUpCredit struct {
	ID          store.ID  `json:"id"`
	UserID      store.ID  `json:"user_id"`
	User        string    `json:"user"`
	EarnedAt    time.Time `json:"earned_at"`
	Reason      string    `json:"reason"`
	Rule        string    `json:"rule"`
	ReceptionID store.ID  `json:"reception_id,omitempty"`
}

// RotationLog is one line of the rotation's log (SAL-004: every
// adjustment with its reason).
type RotationLog struct {
	ID     store.ID  `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	UserID store.ID  `json:"user_id,omitempty"`
	User   string    `json:"user,omitempty"`
	Detail string    `json:"detail"`
	Reason string    `json:"reason,omitempty"`
}

// MembersInput replaces the order of the rotation (the Project Manager's
// adjustment, SAL-004): every member in the new order.
type MembersInput struct {
	UserIDs []store.ID `json:"user_ids"`
	Reason  string     `json:"reason"`
}

// AbsenceInput marks a member absent today, or back ("" absence).
type AbsenceInput struct {
	UserID  store.ID `json:"user_id"`
	Absence string   `json:"absence"`
	Reason  string   `json:"reason"`
}

// Reception is a visitor received on the floor.
type Reception struct {
	ID           store.ID  `json:"id"`
	Number       string    `json:"number"`
	UnitID       store.ID  `json:"unit_id"`
	AgentID      store.ID  `json:"agent_id"`
	Agent        string    `json:"agent"`
	Kind         string    `json:"kind"`
	OwnerAgentID store.ID  `json:"owner_agent_id,omitempty"`
	OwnerAgent   string    `json:"owner_agent,omitempty"`
	NamedAgentID store.ID  `json:"named_agent_id,omitempty"`
	PublicReason string    `json:"public_reason,omitempty"`
	UsesSlot     bool      `json:"uses_slot"`
	ViaRotation  bool      `json:"via_rotation"`
	Visitors     int       `json:"visitors"`
	Note         string    `json:"note,omitempty"`
	StartedAt    time.Time `json:"started_at"`
	EndedAt      time.Time `json:"ended_at,omitzero"`
	// RegistrationID is the register entry made for it; 0 while missing.
	RegistrationID store.ID `json:"registration_id,omitempty"`
	// RegistrationDue is the end of the same day (SAL-006).
	RegistrationDue time.Time `json:"registration_due"`
	Pick            *Pick     `json:"pick,omitempty"` // the rotation's pick that gave it
}

// ReceptionInput starts a reception. Kind rotation takes the rotation's
// next agent (AgentID empty); the other kinds name the agent.
type ReceptionInput struct {
	UnitID       store.ID `json:"unit_id"`
	Kind         string   `json:"kind"`
	AgentID      store.ID `json:"agent_id"`
	OwnerAgentID store.ID `json:"owner_agent_id"` // assist, colleague_old
	NamedAgentID store.ID `json:"named_agent_id"` // named, assist for a named absent agent
	PublicReason string   `json:"public_reason"`
	Visitors     int      `json:"visitors"`
	Note         string   `json:"note"`
}

// ReclassifyInput changes a reception's kind after the fact: a customer
// who named an agent during the first visit (SAL-013), a visitor found to
// be a public customer (SAL-010). The slot is restored as a make-up turn.
type ReclassifyInput struct {
	Kind         string   `json:"kind"`
	NamedAgentID store.ID `json:"named_agent_id"`
	PublicReason string   `json:"public_reason"`
	Reason       string   `json:"reason"`
}

// Registration is a register entry.
type Registration struct {
	ID               store.ID      `json:"id"`
	Number           string        `json:"number"`
	UnitID           store.ID      `json:"unit_id"`
	Book             string        `json:"book"`
	Kind             string        `json:"kind"`
	ReceptionID      store.ID      `json:"reception_id,omitempty"`
	AgentID          store.ID      `json:"agent_id"`
	Agent            string        `json:"agent"`
	ReceivedOn       calendar.Date `json:"received_on"`
	RegisteredAt     time.Time     `json:"registered_at"`
	DueAt            time.Time     `json:"due_at,omitzero"`
	Late             bool          `json:"late"`
	CustomerName     string        `json:"customer_name"`
	Phone            string        `json:"phone"`
	EmployerAddress  string        `json:"employer_address"`
	CarBrand         string        `json:"car_brand"`
	CarPlate         string        `json:"car_plate"`
	Intention        string        `json:"intention"`
	InfoSource       string        `json:"info_source"`
	Visitors         int           `json:"visitors"`
	NamedAgentID     store.ID      `json:"named_agent_id,omitempty"`
	OwnerAgentID     store.ID      `json:"owner_agent_id,omitempty"`
	ReferredByID     store.ID      `json:"referred_by_id,omitempty"`
	FamilyOfID       store.ID      `json:"family_of_id,omitempty"`
	Relation         string        `json:"relation,omitempty"`
	PublicReason     string        `json:"public_reason,omitempty"`
	CompanyReferred  bool          `json:"company_referred"`
	Intent           bool          `json:"intent"`
	Intermediary     *bool         `json:"intermediary,omitempty"`
	CustomerID       store.ID      `json:"customer_id,omitempty"`
	CorrectsID       store.ID      `json:"corrects_id,omitempty"`
	CorrectionReason string        `json:"correction_reason,omitempty"`
	// CorrectedByID is the newer entry that corrects this one: the entry
	// is history, no longer current.
	CorrectedByID store.ID  `json:"corrected_by_id,omitempty"`
	Note          string    `json:"note,omitempty"`
	VerifiedAt    time.Time `json:"verified_at,omitzero"`
	VerifiedBy    string    `json:"verified_by,omitempty"`
	// Conflicts found on it or raised against it.
	Conflicts []Conflict `json:"conflicts,omitempty"`
}

// RegistrationInput is a new register entry, or a correction of one
// (CorrectsID and CorrectionReason set; every field is given again).
type RegistrationInput struct {
	UnitID           store.ID `json:"unit_id"`
	Book             string   `json:"book"` // visit (default), phone, leasing
	Kind             string   `json:"kind"` // visit (default), referral, phone, self
	ReceptionID      store.ID `json:"reception_id"`
	AgentID          store.ID `json:"agent_id"`    // default: the signed-in agent
	ReceivedOn       string   `json:"received_on"` // default: the reception's day, else today
	CustomerName     string   `json:"customer_name"`
	Phone            string   `json:"phone"`
	EmployerAddress  string   `json:"employer_address"`
	CarBrand         string   `json:"car_brand"`
	CarPlate         string   `json:"car_plate"`
	Intention        string   `json:"intention"`
	InfoSource       string   `json:"info_source"`
	Visitors         int      `json:"visitors"`
	NamedAgentID     store.ID `json:"named_agent_id"`
	ReferredByID     store.ID `json:"referred_by_id"`
	FamilyOfID       store.ID `json:"family_of_id"`
	Relation         string   `json:"relation"`
	CompanyReferred  bool     `json:"company_referred"`
	Intent           bool     `json:"intent"`
	Intermediary     *bool    `json:"intermediary"`
	CustomerID       store.ID `json:"customer_id"`
	CorrectsID       store.ID `json:"corrects_id"`
	CorrectionReason string   `json:"correction_reason"`
	Note             string   `json:"note"`
}

// RegistrationFilter selects register entries.
type RegistrationFilter struct {
	UnitID     store.ID
	Book       string
	AgentID    store.ID
	From, To   calendar.Date // received_on, inclusive; zero: open
	Q          string        // name, phone or plate fragment
	Unverified bool          // waiting for the Project Manager (SAL-006)
	Late       bool
	History    bool // include corrected entries
	After      store.ID
	Limit      int
}

// Conflict is a collision between two register entries of one customer.
type Conflict struct {
	ID             store.ID  `json:"id"`
	Number         string    `json:"number"`
	UnitID         store.ID  `json:"unit_id"`
	RegistrationID store.ID  `json:"registration_id"`
	PriorID        store.ID  `json:"prior_id"`
	Keys           []string  `json:"keys"`
	Referral       bool      `json:"referral"`
	RaisedBy       string    `json:"raised_by"` // "" : kefu, on registration
	RaisedByID     store.ID  `json:"raised_by_id,omitempty"`
	RaisedAt       time.Time `json:"raised_at"`
	Note           string    `json:"note,omitempty"`
	Contact        string    `json:"contact"`
	ContactAt      time.Time `json:"contact_at,omitzero"`
	ContactNote    string    `json:"contact_note,omitempty"`
	State          string    `json:"state"`
	// Entries are the two competing entries, for the conflict screen.
	Entry *Registration `json:"entry,omitempty"`
	Prior *Registration `json:"prior,omitempty"`
	// Attribution is the current decision on it.
	Attribution *Attribution `json:"attribution,omitempty"`
}

// ClaimInput raises a conflict on an entry (an agent who finds her
// customer registered by a colleague, SAL-014, SAL-018).
type ClaimInput struct {
	RegistrationID store.ID `json:"registration_id"`
	PriorID        store.ID `json:"prior_id"`
	Referral       bool     `json:"referral"`
	Note           string   `json:"note"`
}

// ContactInput records what the agent did on learning that the customer
// was a colleague's (SAL-015, SAL-026).
type ContactInput struct {
	Contact string `json:"contact"`
	Note    string `json:"note"`
}

// Deal is a subscription (认购) and, once the deposit is paid and the
// agreement signed, a deal (SAL-019).
type Deal struct {
	ID              store.ID       `json:"id"`
	Number          string         `json:"number"`
	UnitID          store.ID       `json:"unit_id"`
	RegistrationID  store.ID       `json:"registration_id,omitempty"`
	Registration    string         `json:"registration,omitempty"` // its number
	ClosingAgentID  store.ID       `json:"closing_agent_id"`
	ClosingAgent    string         `json:"closing_agent"`
	PropertyUnit    string         `json:"property_unit"`
	SubscriberName  string         `json:"subscriber_name"`
	SubscriberPhone string         `json:"subscriber_phone"`
	Price           money.Yuan     `json:"price"`
	Commission      money.Yuan     `json:"commission"`
	Manual          *money.Yuan    `json:"manual_commission,omitempty"`
	CompanyReferred bool           `json:"company_referred"`
	GroupPurchase   bool           `json:"group_purchase"`
	DepositOn       *calendar.Date `json:"deposit_on,omitempty"`
	SubscribedOn    *calendar.Date `json:"subscribed_on,omitempty"`
	DealOn          *calendar.Date `json:"deal_on,omitempty"`
	State           string         `json:"state"`
	VoidReason      string         `json:"void_reason,omitempty"`
	CreatedAt       time.Time      `json:"created_at"`
	Attribution     *Attribution   `json:"attribution,omitempty"`
}

// DealInput records a subscription; deposit and signature may come later
// (DealFactsInput).
type DealInput struct {
	UnitID          store.ID `json:"unit_id"`
	RegistrationID  store.ID `json:"registration_id"`
	ClosingAgentID  store.ID `json:"closing_agent_id"`
	PropertyUnit    string   `json:"property_unit"`
	SubscriberName  string   `json:"subscriber_name"`
	SubscriberPhone string   `json:"subscriber_phone"`
	Price           string   `json:"price"`
	Commission      string   `json:"commission"`
	CompanyReferred bool     `json:"company_referred"`
	GroupPurchase   bool     `json:"group_purchase"`
	DepositOn       string   `json:"deposit_on"`
	SubscribedOn    string   `json:"subscribed_on"`
}

// DealFactsInput adds the deposit or the signature to a deal, or the
// Project Manager's commission of a company-referred deal (SAL-023).
type DealFactsInput struct {
	DepositOn    string `json:"deposit_on"`
	SubscribedOn string `json:"subscribed_on"`
	Manual       string `json:"manual_commission"`
}

// Attribution is a decision on a customer's owner and a deal's commission:
// computed by the rules, or the Sales Manager's ruling with a reason.
type Attribution struct {
	ID             store.ID `json:"id"`
	DealID         store.ID `json:"deal_id,omitempty"`
	ConflictID     store.ID `json:"conflict_id,omitempty"`
	RegistrationID store.ID `json:"registration_id"`
	Kind           string   `json:"kind"` // computed, ruling
	Outcome
	DecidedBy    string    `json:"decided_by,omitempty"`
	DecidedAt    time.Time `json:"decided_at"`
	Reason       string    `json:"reason,omitempty"`
	SupersedesID store.ID  `json:"supersedes_id,omitempty"`
}

// RulingInput overrules an attribution (SAL-022): the owner and, for a
// deal, the shares, with a reason; only a decider.
type RulingInput struct {
	OwnerAgentID store.ID     `json:"owner_agent_id"`
	Shares       []ShareInput `json:"shares"`
	Reason       string       `json:"reason"`
}

// ShareInput is one agent's share of a ruling.
type ShareInput struct {
	AgentID   store.ID `json:"agent_id"`
	Percent   int      `json:"percent"`
	Cancelled bool     `json:"cancelled"`
}

// GroupBonusRecord is a group-purchase bonus shared out (SAL-020).
type GroupBonusRecord struct {
	ID               store.ID     `json:"id"`
	UnitID           store.ID     `json:"unit_id"`
	DealID           store.ID     `json:"deal_id,omitempty"`
	Month            string       `json:"month"`
	Pot              money.Yuan   `json:"pot"`
	ReceivingAgentID store.ID     `json:"receiving_agent_id"`
	UpliftPct        int          `json:"uplift_pct"`
	Shares           []GroupShare `json:"shares"`
	Remainder        money.Yuan   `json:"remainder"`
	Note             string       `json:"note,omitempty"`
	CreatedAt        time.Time    `json:"created_at"`
}

// GroupBonusInput shares a pot.
type GroupBonusInput struct {
	UnitID           store.ID   `json:"unit_id"`
	DealID           store.ID   `json:"deal_id"`
	Month            string     `json:"month"`
	Pot              string     `json:"pot"`
	ReceivingAgentID store.ID   `json:"receiving_agent_id"`
	AgentIDs         []store.ID `json:"agent_ids"`
	Note             string     `json:"note"`
}

// CommissionLine is one agent's month (the commission report).
type CommissionLine struct {
	AgentID   store.ID   `json:"agent_id"`
	Agent     string     `json:"agent"`
	Deals     int        `json:"deals"`
	Closing   money.Yuan `json:"closing"`   // closing shares
	Owner     money.Yuan `json:"owner"`     // owner shares
	Sole      money.Yuan `json:"sole"`      // whole commissions (and manual)
	Group     money.Yuan `json:"group"`     // group-purchase bonuses
	Cancelled money.Yuan `json:"cancelled"` // shares cancelled for grabbing
	Total     money.Yuan `json:"total"`
}

// CommissionReport is a centre's commission for a month: per agent, the
// deals with their attribution, and the deals held for a ruling.
type CommissionReport struct {
	UnitID store.ID         `json:"unit_id"`
	Month  string           `json:"month"`
	Lines  []CommissionLine `json:"lines"`
	Deals  []Deal           `json:"deals"`
	Held   []Deal           `json:"held"`
	Total  money.Yuan       `json:"total"`
}

// Application asks the Sales Manager for a restricted action (SAL-021).
type Application struct {
	ID             store.ID  `json:"id"`
	Number         string    `json:"number"`
	UnitID         store.ID  `json:"unit_id"`
	Action         string    `json:"action"`
	PropertyUnit   string    `json:"property_unit"`
	CustomerName   string    `json:"customer_name"`
	RegistrationID store.ID  `json:"registration_id,omitempty"`
	Detail         string    `json:"detail"`
	ApplicantID    store.ID  `json:"applicant_id"`
	Applicant      string    `json:"applicant"`
	AppliedAt      time.Time `json:"applied_at"`
	State          string    `json:"state"`
	DecidedBy      string    `json:"decided_by,omitempty"`
	DecidedAt      time.Time `json:"decided_at,omitzero"`
	DecisionNote   string    `json:"decision_note,omitempty"`
}

// ApplicationInput applies.
type ApplicationInput struct {
	UnitID         store.ID `json:"unit_id"`
	Action         string   `json:"action"`
	PropertyUnit   string   `json:"property_unit"`
	CustomerName   string   `json:"customer_name"`
	RegistrationID store.ID `json:"registration_id"`
	Detail         string   `json:"detail"`
}

// DecisionInput approves or rejects an application.
type DecisionInput struct {
	Approve bool   `json:"approve"`
	Note    string `json:"note"`
}

// FollowUp is one follow-up of a customer (SAL-024).
type FollowUp struct {
	ID             store.ID      `json:"id"`
	RegistrationID store.ID      `json:"registration_id"`
	AgentID        store.ID      `json:"agent_id"`
	Agent          string        `json:"agent"`
	On             calendar.Date `json:"on"`
	Channel        string        `json:"channel"`
	Note           string        `json:"note"`
	CreatedAt      time.Time     `json:"created_at"`
}

// FollowUpInput logs a follow-up.
type FollowUpInput struct {
	RegistrationID store.ID `json:"registration_id"`
	On             string   `json:"on"`
	Channel        string   `json:"channel"`
	Note           string   `json:"note"`
}

// FollowUpDue is a customer with no follow-up for more than the pack's
// days (SAL-024).
type FollowUpDue struct {
	RegistrationID store.ID      `json:"registration_id"`
	Number         string        `json:"number"`
	CustomerName   string        `json:"customer_name"`
	AgentID        store.ID      `json:"agent_id"`
	Agent          string        `json:"agent"`
	LastOn         calendar.Date `json:"last_on"`
	Days           int           `json:"days"`
}

// Submission is a leasing manager's day sent to General Services
// (SAL-025).
type Submission struct {
	ID            store.ID      `json:"id"`
	UnitID        store.ID      `json:"unit_id"`
	AgentID       store.ID      `json:"agent_id"`
	Agent         string        `json:"agent"`
	Day           calendar.Date `json:"day"`
	DueAt         time.Time     `json:"due_at"`
	SpecialReason string        `json:"special_reason,omitempty"`
	Entries       int           `json:"entries"`
	SubmittedAt   time.Time     `json:"submitted_at"`
	Late          bool          `json:"late"`
}

// SubmissionInput submits a day.
type SubmissionInput struct {
	UnitID        store.ID `json:"unit_id"`
	Day           string   `json:"day"`
	SpecialReason string   `json:"special_reason"`
}

// SubmissionDue is a leasing manager's day not yet submitted.
type SubmissionDue struct {
	AgentID store.ID      `json:"agent_id"`
	Agent   string        `json:"agent"`
	Day     calendar.Date `json:"day"`
	Entries int           `json:"entries"`
	DueAt   time.Time     `json:"due_at"`
	Overdue bool          `json:"overdue"`
}

// ArchiveForm is a leasing customer archive form (客户档案表, SAL-028).
type ArchiveForm struct {
	ID             store.ID        `json:"id"`
	Number         string          `json:"number"`
	UnitID         store.ID        `json:"unit_id"`
	AgentID        store.ID        `json:"agent_id"`
	Agent          string          `json:"agent"`
	RegistrationID store.ID        `json:"registration_id,omitempty"`
	CustomerName   string          `json:"customer_name"`
	State          string          `json:"state"`
	CreatedAt      time.Time       `json:"created_at"`
	ClosedOn       *calendar.Date  `json:"closed_on,omitempty"`
	RetainUntil    *calendar.Date  `json:"retain_until,omitempty"`
	Updates        []ArchiveUpdate `json:"updates,omitempty"`
	// NextDue is the last day of the month the next update is due on.
	NextDue *calendar.Date `json:"next_due,omitempty"`
}

// ArchiveUpdate is one sending of the form to General Services.
type ArchiveUpdate struct {
	ID      store.ID       `json:"id"`
	Month   string         `json:"month"`
	DueOn   *calendar.Date `json:"due_on,omitempty"`
	SentAt  time.Time      `json:"sent_at"`
	Late    bool           `json:"late"`
	Content string         `json:"content"`
}

// ArchiveFormInput creates a form, sends a monthly update, or closes it.
type ArchiveFormInput struct {
	UnitID         store.ID `json:"unit_id"`
	RegistrationID store.ID `json:"registration_id"`
	CustomerName   string   `json:"customer_name"`
	Content        string   `json:"content"`
	Month          string   `json:"month"`   // an update's YYYY-MM
	Outcome        string   `json:"outcome"` // closing: closed or unclosed
}

// ViewGrant is the General Manager's permission to view a leasing
// centre's registers for a while (SEC-005).
type ViewGrant struct {
	ID        store.ID  `json:"id"`
	UnitID    store.ID  `json:"unit_id"`
	GranteeID store.ID  `json:"grantee_id"`
	Grantee   string    `json:"grantee"`
	GrantedBy string    `json:"granted_by"`
	GrantedAt time.Time `json:"granted_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Reason    string    `json:"reason"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// ViewGrantInput grants.
type ViewGrantInput struct {
	UnitID    store.ID `json:"unit_id"`
	GranteeID store.ID `json:"grantee_id"`
	Reason    string   `json:"reason"`
}
