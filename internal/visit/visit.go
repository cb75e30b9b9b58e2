package visit

import (
	"context"
	"log/slog"
	"time"

	"kefu/internal/calendar"
	"kefu/internal/jobs"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Status is where a visit stands.
type Status string

// Visit statuses: done waits for the supervisor's sign-off (VIS-009), and
// only signed-off visits count toward the rates.
const (
	StatusOpen      Status = "open"
	StatusDone      Status = "done"
	StatusSignedOff Status = "signed_off"
	StatusCancelled Status = "cancelled"
)

// Results of a visit.
const (
	ResultSatisfied    = "satisfied"
	ResultDissatisfied = "dissatisfied"
)

// TimerDraw draws the visits of the days before the timer's day; its ref
// is the day as YYYYMMDD.
const TimerDraw = "visit.draw"

// Visit is a return visit as the API shows it.
type Visit struct {
	ID         store.ID `json:"id"`
	Rule       string   `json:"rule"`
	RuleName   string   `json:"rule_name"`
	Pack       string   `json:"pack"`
	RefType    string   `json:"ref_type"`
	RefID      store.ID `json:"ref_id"`
	RefNumber  string   `json:"ref_number"`
	CustomerID store.ID `json:"customer_id,omitempty"`
	// Customer is who the visitor calls on, as the work order names them:
	// the visitor may not be able to read the work order or the archive.
	Customer      Party      `json:"customer"`
	Severity      string     `json:"severity,omitempty"`
	Mandatory     bool       `json:"mandatory"`
	CompletedAt   time.Time  `json:"completed_at"`
	Round         int        `json:"round"`
	PreviousID    store.ID   `json:"previous_id,omitempty"`
	NextID        store.ID   `json:"next_id,omitempty"` // the round a dissatisfied result opened (VIS-011)
	Status        Status     `json:"status"`
	CompanyID     store.ID   `json:"company_id"`
	Role          string     `json:"role"`
	OwnerRole     string     `json:"owner_role"` // who signs it off (VIS-009), by the visit's pack version
	AssigneeID    store.ID   `json:"assignee_id,omitempty"`
	DueAt         time.Time  `json:"due_at"`
	Modes         []string   `json:"modes"` // the modes this round may use
	Mode          string     `json:"mode,omitempty"`
	PhoneLabel    string     `json:"phone_label,omitempty"` // "电话回访" on a phone visit (VIS-008)
	Result        string     `json:"result,omitempty"`
	Opinion       string     `json:"opinion,omitempty"`
	NewIssue      string     `json:"new_issue,omitempty"`
	ReplyDueAt    *time.Time `json:"reply_due_at,omitempty"`
	Rectification string     `json:"rectification,omitempty"`
	Signed        bool       `json:"signed"` // the customer signed (in person)
	DoneAt        *time.Time `json:"done_at,omitempty"`
	DoneBy        store.ID   `json:"done_by,omitempty"`
	ReviewedAt    *time.Time `json:"reviewed_at,omitempty"`
	ReviewedBy    store.ID   `json:"reviewed_by,omitempty"`
	ReviewOpinion string     `json:"review_opinion,omitempty"`
	// OccasionID is the occasion of a household's visit (ref_type
	// occasion, VIS-006, VIS-007); RefID is then the household.
	OccasionID store.ID `json:"occasion_id,omitempty"`
	// SwappedTo is the visit that replaced this cancelled one, with the
	// supervisor's reason; SwappedFrom the one this visit replaced (VIS-016).
	SwappedTo   store.ID `json:"swapped_to,omitempty"`
	SwappedFrom store.ID `json:"swapped_from,omitempty"`
	SwapReason  string   `json:"swap_reason,omitempty"`
	// IssueOpen: the new issue raised (VIS-010) awaits its answer; the
	// answer is the outcome and the response given to the customer (VIS-012).
	IssueOpen     bool       `json:"issue_open"`
	IssueOutcome  string     `json:"issue_outcome,omitempty"`
	IssueResponse string     `json:"issue_response,omitempty"`
	AnsweredAt    *time.Time `json:"answered_at,omitempty"`
	AnsweredBy    store.ID   `json:"answered_by,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
}

// Party is the customer a visit calls on.
type Party struct {
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Address string `json:"address"`
}

// Packs is what the service needs of the policy registry.
type Packs interface {
	Version(key string, v int) (*policy.Pack, bool)
	// ForUnit is the pack of an org unit (an occasion's company, VIS-006).
	ForUnit(ctx context.Context, unit store.ID) (*policy.Pack, error)
}

// Options build a Service.
type Options struct {
	DB        *store.DB
	Calendars *calendar.Registry
	Policy    Packs
	Logger    *slog.Logger
	Now       func() time.Time
	Poke      func() // called after a commit that scheduled a draw (jobs.Engine.Poke)
}

// Service runs return visits.
type Service struct {
	db    *store.DB
	cals  *calendar.Registry
	packs Packs
	log   *slog.Logger
	now   func() time.Time
	poke  func()
}

// New returns the visit service.
func New(o Options) *Service {
	s := &Service{db: o.DB, cals: o.Calendars, packs: o.Policy, log: o.Logger, now: o.Now, poke: o.Poke}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.poke == nil {
		s.poke = func() {}
	}
	return s
}

// RegisterTimers registers the daily draw.
func (s *Service) RegisterTimers(e *jobs.Engine) {
	e.Handle(TimerDraw, s.fireDraw)
	s.poke = e.Poke
}

// rule finds a visit rule of a pack version.
func (s *Service) rule(pack string, version int, key string) (*policy.Pack, *policy.VisitRule, bool) {
	p, ok := s.packs.Version(pack, version)
	if !ok {
		return nil, nil, false
	}
	for i := range p.Visits.Rules {
		if p.Visits.Rules[i].Key == key {
			return p, &p.Visits.Rules[i], true
		}
	}
	return p, nil, false
}

// dayRef is a civil day as a timer ref (YYYYMMDD).
func dayRef(d calendar.Date) store.ID {
	return store.ID(d.Year*10000 + int(d.Month)*100 + d.Day)
}
