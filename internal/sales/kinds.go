package sales

// Reception kinds: how a visitor came to an agent on the floor. Only a
// rotation reception uses the agent's slot (SAL-001); the others do not
// (SAL-003, SAL-008, SAL-010 to SAL-013, SAL-023).
const (
	ReceptionRotation     = "rotation"         // a new customer, the rotation's next agent (SAL-001)
	ReceptionNamed        = "named"            // the customer asked for an agent who is present (SAL-008 (2), SAL-013)
	ReceptionOwnOld       = "own_old"          // the agent's own old customer or phone customer (SAL-003 (1))
	ReceptionColleagueOld = "colleague_old"    // a colleague's old customer, with consent or while the colleague is away (SAL-003 (2), SAL-015)
	ReceptionAssist       = "assist"           // helping for an absent agent: her old customer brought a new one, or the customer named her (SAL-008 (3), SAL-011, SAL-012)
	ReceptionPublic       = "public"           // a public customer (SAL-010)
	ReceptionCompany      = "company_referred" // referred by the company, assigned by the Project Manager (SAL-023)
)

// ReceptionKinds lists them.
var ReceptionKinds = []string{ReceptionRotation, ReceptionNamed, ReceptionOwnOld, ReceptionColleagueOld,
	ReceptionAssist, ReceptionPublic, ReceptionCompany}

// UsesSlot reports whether a reception of this kind uses the agent's
// rotation slot (SAL-001, SAL-010, SAL-011, SAL-013).
func UsesSlot(kind string) bool { return kind == ReceptionRotation }

// Public customer reasons of SAL-010.
const (
	PublicPeer     = "a" // a self-declared industry peer
	PublicPartyA   = "b" // led by a developer leader to look around
	PublicPartyB   = "c" // led or announced by the agency's marketing leadership
	PublicServices = "d" // only selling a service, says so herself
)

// PublicReasons lists them.
var PublicReasons = []string{PublicPeer, PublicPartyA, PublicPartyB, PublicServices}

// Register books (SAL-006, SAL-007, SAL-025): the visitor register (客户登记本),
// the phone-inquiry register (电话咨询登记本) and the leasing managers'
// customer information registration form (客户信息登记表).
const (
	BookVisit   = "visit"
	BookPhone   = "phone"
	BookLeasing = "leasing"
)

// Books lists them.
var Books = []string{BookVisit, BookPhone, BookLeasing}

// Register entry kinds.
const (
	EntryVisit    = "visit"    // a reception on site (SAL-006)
	EntryReferral = "referral" // a referred customer pre-registered before she visits (SAL-014)
	EntryPhone    = "phone"    // a phone inquiry (SAL-007)
	EntrySelf     = "self"     // a leasing manager's self-developed customer (SAL-025)
)

// EntryKinds lists them.
var EntryKinds = []string{EntryVisit, EntryReferral, EntryPhone, EntrySelf}

// Contact states of a conflict found during a reception (SAL-015, SAL-026):
// what the agent did when she learned the customer was a colleague's.
const (
	ContactNone        = ""            // not recorded
	ContactConsent     = "consent"     // the original agent agreed that she continue
	ContactUnreachable = "unreachable" // the original agent was absent or could not be reached
	ContactHandedBack  = "handed_back" // handed the customer back
	ContactRefused     = "grabbed"     // continued without consent while the original agent was reachable: grabbing
)

// ContactStates lists the recorded ones.
var ContactStates = []string{ContactConsent, ContactUnreachable, ContactHandedBack, ContactRefused}

// Customer classes an attribution decides (SAL-009, SAL-010, SAL-023).
const (
	ClassNew     = "new"
	ClassOld     = "old"
	ClassFamily  = "family"
	ClassPublic  = "public"
	ClassCompany = "company_referred"
)

// Share roles.
const (
	ShareSole    = "sole"    // the whole commission
	ShareClosing = "closing" // the agent who closed the deal
	ShareOwner   = "owner"   // the agent the customer belongs to
	ShareManual  = "manual"  // entered by the Project Manager (SAL-023)
)

// Attribution kinds: computed by the rules, or a ruling of the Sales
// Manager with a reason (SAL-022).
const (
	AttributionComputed = "computed"
	AttributionRuling   = "ruling"
)

// Deal states (SAL-019): a deal exists once the deposit is paid AND the
// subscription agreement signed.
const (
	DealPending = "pending" // deposit or subscription still missing
	DealClosed  = "closed"  // both: a deal
	DealVoid    = "void"    // withdrawn
)

// Application states (SAL-021).
const (
	ApplicationPending  = "pending"
	ApplicationApproved = "approved"
	ApplicationRejected = "rejected"
)

// Sales centre modes: a sales office (seed 000) or a leasing team (seed
// 003-D, SAL-025 to SAL-028).
const (
	ModeSales   = "sales"
	ModeLeasing = "leasing"
)

// Archive form states of the leasing variant (SAL-028).
const (
	FormFollowing = "following" // being followed up; updated monthly
	FormClosed    = "closed"    // deal closed: the complete form archived
	FormUnclosed  = "unclosed"  // lost: filed in the unclosed customer archive
)
