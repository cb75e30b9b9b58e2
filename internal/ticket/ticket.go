// Package ticket owns work orders (工单, TKT): one-stop intake from every
// channel (TKT-001, TKT-002), the deadline clocks of the category in the
// unit's policy pack, computed on the pack's calendar and started by their
// events (CAL-013), warnings and breaches fired by internal/jobs timers, the
// state machine of the actions of API.md, escalation by severity (TKT-012,
// TKT-013, TKT-017), recusal of the person complained about (TKT-016),
// SLA-exception approval and customer-agreed dates (TKT-021, CAL-012,
// TKT-007), crisis complaints (TKT-034), duplicate linking (TKT-009) and the
// append-only timeline. Rules come from the pack, never from category keys.
package ticket

import (
	"context"
	"log/slog"
	"time"

	"kefu/internal/calendar"
	"kefu/internal/customer"
	"kefu/internal/jobs"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Status is where a work order stands.
type Status string

// The statuses, in their usual order.
const (
	StatusNew            Status = "new"             // registered at the receiving point
	StatusForwarded      Status = "forwarded"       // handed to the customer service department (TKT-005)
	StatusAssigned       Status = "assigned"        // with the handling department or person
	StatusInProgress     Status = "in_progress"     // accepted, or handler on site
	StatusResultReturned Status = "result_returned" // department result back to customer service (TKT-006)
	StatusResolved       Status = "resolved"
	StatusReplied        Status = "replied" // customer informed
	StatusClosed         Status = "closed"
	StatusMerged         Status = "merged" // a duplicate intake recorded on the first record (TKT-009)
)

// ClockState is the state of a deadline clock (API.md).
type ClockState string

// Clock states. Cancelled is a clock of a merged duplicate: it counts nowhere.
const (
	ClockPending   ClockState = "pending"
	ClockRunning   ClockState = "running"
	ClockPaused    ClockState = "paused"
	ClockMet       ClockState = "met"
	ClockBreached  ClockState = "breached"
	ClockCancelled ClockState = "cancelled"
)

// Timer kinds handled by RegisterTimers; the ref is the clock id.
const (
	TimerWarn   = "ticket.clock.warn"
	TimerBreach = "ticket.clock.breach"
	TimerTarget = "ticket.target" // a CAL-011 target passes
)

// Webhook and notification events.
const (
	EventClockWarning  = "ticket.clock.warning"
	EventClockBreached = "ticket.clock.breached"
	EventEscalated     = "ticket.escalated"
	EventAssigned      = "ticket.assigned"
	EventCrisis        = "ticket.crisis"
	EventExtension     = "ticket.extension_requested"
	EventTargetPassed  = "ticket.target.passed" // CAL-011: a warning-only target passed
)

// Ticket is a work order as the API shows it.
type Ticket struct {
	ID               store.ID  `json:"id"`
	Number           string    `json:"number"`
	Status           Status    `json:"status"`
	Pack             string    `json:"pack"`
	PackVersion      int       `json:"pack_version"`
	Category         string    `json:"category"`
	Channel          string    `json:"channel"`
	Severity         string    `json:"severity"`
	Subject          string    `json:"subject"`
	Description      string    `json:"description"`
	Customer         Party     `json:"customer"`
	ReceivedAt       time.Time `json:"received_at"`
	ReceivingUnitID  store.ID  `json:"receiving_unit"`
	ReceivedBy       store.ID  `json:"received_by,omitempty"`
	HandlingUnitID   store.ID  `json:"handling_unit,omitempty"`
	AssigneeID       store.ID  `json:"assignee,omitempty"`
	RespondentUserID store.ID  `json:"respondent_user_id,omitempty"`
	Crisis           bool      `json:"crisis"`
	CrisisParty      string    `json:"crisis_party,omitempty"`
	EscalatedUnitID  store.ID  `json:"escalated_unit,omitempty"`
	MergedIntoID     store.ID  `json:"merged_into,omitempty"`
	WrittenReply     bool      `json:"written_reply"`
	Breached         bool      `json:"breached"`
	Clocks           []Clock   `json:"clocks"`
	// Targets are the CAL-011 warning-only targets: they warn when passed
	// and never breach (not clocks: API.md lists none for gas complaint).
	Targets    []Clock    `json:"targets"`
	Timeline   []Event    `json:"timeline,omitempty"`
	Duplicates []Summary  `json:"duplicate_candidates,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	ClosedAt   *time.Time `json:"closed_at,omitempty"`
}

// Party is the customer snapshot taken at intake.
type Party struct {
	ID      store.ID `json:"id,omitempty"`
	Name    string   `json:"name"`
	Phone   string   `json:"phone"`
	Address string   `json:"address"`
}

// Summary is a short reference to another work order.
type Summary struct {
	ID         store.ID  `json:"id"`
	Number     string    `json:"number"`
	Status     Status    `json:"status"`
	Category   string    `json:"category"`
	ReceivedAt time.Time `json:"received_at"`
}

// Clock is one deadline clock of a work order.
type Clock struct {
	ID               store.ID          `json:"id"`
	Kind             policy.ClockKind  `json:"kind"`
	Duration         calendar.Duration `json:"duration"`
	Calendar         string            `json:"calendar"`
	PackVersion      int               `json:"pack_version"`
	StartsOn         []policy.Event    `json:"starts_on"`
	StopsOn          policy.Event      `json:"stops_on"`
	WarnPercent      int               `json:"warn_percent"`
	State            ClockState        `json:"state"`
	StartedAt        *time.Time        `json:"started_at,omitempty"`
	TargetAt         *time.Time        `json:"target_at,omitempty"`
	OriginalTargetAt *time.Time        `json:"original_target_at,omitempty"`
	WarnAt           *time.Time        `json:"warn_at,omitempty"`
	WarnedAt         *time.Time        `json:"warned_at,omitempty"`
	MetAt            *time.Time        `json:"met_at,omitempty"`
	BreachedAt       *time.Time        `json:"breached_at,omitempty"`
	Provisional      bool              `json:"provisional"`
	Extended         bool              `json:"extended"`
	AgreedAt         *time.Time        `json:"agreed_at,omitempty"`
	Renegotiations   int               `json:"renegotiations,omitempty"`
	// Target: a CAL-011 warning-only target, listed under Ticket.Targets.
	Target bool `json:"target,omitempty"`
	// PassedAt: when a target passed without its stop event (CAL-011).
	PassedAt *time.Time `json:"passed_at,omitempty"`
	// Scheduled: a next reply time recorded by a person (TKT-020).
	Scheduled bool `json:"scheduled,omitempty"`
	// Pausable: the pack rule lets the clock be paused; PausedAt is set
	// while it is paused.
	Pausable bool       `json:"pausable,omitempty"`
	PausedAt *time.Time `json:"paused_at,omitempty"`
}

// Event is one entry of the timeline.
type Event struct {
	ID         store.ID       `json:"id"`
	At         time.Time      `json:"at"`
	RecordedAt time.Time      `json:"recorded_at"`
	ActorID    store.ID       `json:"actor_id,omitempty"`
	Actor      string         `json:"actor"`
	Action     string         `json:"action"`
	FromStatus Status         `json:"from_status,omitempty"`
	ToStatus   Status         `json:"to_status,omitempty"`
	Detail     map[string]any `json:"detail,omitempty"`
	Note       string         `json:"note,omitempty"`
}

// Packs is what the service needs of the policy registry.
type Packs interface {
	// Lookup returns the current version of a pack, or a 422 naming field.
	Lookup(field, key string) (*policy.Pack, error)
	// Version returns one version of a pack.
	Version(key string, v int) (*policy.Pack, bool)
	// ForUnit returns the pack of the nearest unit up the tree, else general.
	ForUnit(ctx context.Context, unitID store.ID) (*policy.Pack, error)
}

// Timers schedules and cancels the clock timers inside a transaction
// (internal/jobs).
type Timers interface {
	Schedule(ctx context.Context, tx store.Conn, kind string, ref store.ID, at time.Time) error
	Cancel(ctx context.Context, tx store.Conn, kind string, ref store.ID) error
}

// Notifier tells people and webhooks (internal/notify).
type Notifier interface {
	Send(ctx context.Context, tx store.Conn, m notify.Message) error
}

// JobTimers are the timers of internal/jobs.
type JobTimers struct{}

// Schedule creates or moves a timer.
func (JobTimers) Schedule(ctx context.Context, tx store.Conn, kind string, ref store.ID, at time.Time) error {
	return jobs.Schedule(ctx, tx, kind, ref, at)
}

// Cancel removes a timer.
func (JobTimers) Cancel(ctx context.Context, tx store.Conn, kind string, ref store.ID) error {
	return jobs.Cancel(ctx, tx, kind, ref)
}

type noNotifier struct{}

func (noNotifier) Send(context.Context, store.Conn, notify.Message) error { return nil }

// Options build a Service.
type Options struct {
	DB        *store.DB
	Calendars *calendar.Registry
	Policy    Packs
	Org       *org.Service
	Customers *customer.Service // defaults to a customer service on DB
	Timers    Timers            // defaults to JobTimers
	Notify    Notifier          // defaults to telling nobody
	Poke      func()            // called after a commit that scheduled timers (jobs.Engine.Poke)
	Logger    *slog.Logger
	Now       func() time.Time
}

// Service manages work orders.
type Service struct {
	db        *store.DB
	cals      *calendar.Registry
	packs     Packs
	org       *org.Service
	customers *customer.Service
	timers    Timers
	notify    Notifier
	poke      func()
	log       *slog.Logger
	now       func() time.Time
	closed    []ClosedHook
	guards    []AssignGuard
}

// ClosedHook runs inside the transaction that closes a work order, with
// the work order as closed (return visits are drawn from them, VIS-002).
type ClosedHook func(ctx context.Context, tx store.Conn, t Ticket) error

// OnClose registers a hook run whenever a work order is closed. Register
// hooks before serving requests.
func (s *Service) OnClose(h ClosedHook) { s.closed = append(s.closed, h) }

// AssignGuard runs inside the transaction that assigns or dispatches a work
// order of category (under pack) to user at time at; an error (a 4xx
// apperr naming user_id) refuses the assignment. internal/certificate's
// guard refuses a person without the valid certificate the category needs
// (STF-001, INS-017).
type AssignGuard func(ctx context.Context, tx store.Conn, pack *policy.Pack, category string, user store.ID, at time.Time) error

// GuardAssign registers a guard run whenever a user is made the assignee of
// a work order (assign, dispatch). Register guards before serving requests.
func (s *Service) GuardAssign(g AssignGuard) { s.guards = append(s.guards, g) }

// New returns the work-order service.
func New(o Options) *Service {
	s := &Service{db: o.DB, cals: o.Calendars, packs: o.Policy, org: o.Org, customers: o.Customers,
		timers: o.Timers, notify: o.Notify, poke: o.Poke, log: o.Logger, now: o.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.customers == nil {
		s.customers = customer.New(customer.Options{DB: o.DB, Now: s.now})
	}
	if s.timers == nil {
		s.timers = JobTimers{}
	}
	if s.notify == nil {
		s.notify = noNotifier{}
	}
	if s.poke == nil {
		s.poke = func() {}
	}
	return s
}

// RegisterTimers registers the clock warning and breach handlers.
func (s *Service) RegisterTimers(e *jobs.Engine) {
	e.Handle(TimerWarn, s.fireWarn)
	e.Handle(TimerBreach, s.fireBreach)
	e.Handle(TimerTarget, s.fireTarget)
	s.poke = e.Poke
}
