// Package process owns business processes (业务流程, PRC): a customer request
// run as the steps of a process definition of the unit's policy pack — the
// power company's new connections (业扩) and changes of service, the sales
// office's document pipeline, approval chains. Each step is owned by a role
// in a unit (routed by the customer's attributes), has its own clock on the
// pack's calendar starting on the facts the regulations name, a checklist of
// documents and gates of facts that block it, countersignatures, and
// outcomes that loop back (design review → revise → resubmit; acceptance →
// rectification → re-inspection). Guards refuse, with the rule ID, what the
// regulations forbid (a third suspension in a year, a reconnection after
// the temporary-removal cap). Documents printed at steps are kept as they
// were; the timeline is append-only. Rules come from the pack, never from
// definition keys.
package process

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"kefu/internal/calendar"
	"kefu/internal/jobs"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Status is where a process stands.
type Status string

// Process statuses.
const (
	StatusOpen      Status = "open"
	StatusCompleted Status = "completed"
	StatusCancelled Status = "cancelled"
)

// StepStatus is where one round of a step stands.
type StepStatus string

// Step statuses. Returned: sent back to the step before it (PRC-042);
// skipped: its condition did not hold for the process.
const (
	StepActive    StepStatus = "active"
	StepDone      StepStatus = "done"
	StepReturned  StepStatus = "returned"
	StepSkipped   StepStatus = "skipped"
	StepCancelled StepStatus = "cancelled"
)

// Timer kinds; the ref is the step round's id.
const (
	TimerWarn   = "process.step.warn"
	TimerBreach = "process.step.breach"
)

// Notification and webhook events.
const (
	EventStepActivated = "process.step.activated"
	EventStepWarning   = "process.step.warning"
	EventStepBreached  = "process.step.breached"
)

// Process is a business process as the API shows it.
type Process struct {
	ID             store.ID       `json:"id"`
	Number         string         `json:"number"`
	Pack           string         `json:"pack"`
	PackVersion    int            `json:"pack_version"`
	Definition     string         `json:"definition"`
	Name           policy.Name    `json:"name"`
	Group          string         `json:"group"`
	Status         Status         `json:"status"`
	CustomerID     store.ID       `json:"customer_id,omitempty"`
	CustomerName   string         `json:"customer_name,omitempty"`
	ServicePointID store.ID       `json:"service_point_id,omitempty"`
	UnitID         store.ID       `json:"unit_id"`
	Attributes     map[string]any `json:"attributes"`
	AppliedAt      time.Time      `json:"applied_at"`
	CurrentStep    string         `json:"current_step,omitempty"`
	StepUnitID     store.ID       `json:"step_unit_id,omitempty"`
	StepRole       string         `json:"step_role,omitempty"`
	NextDueAt      *time.Time     `json:"next_due_at,omitempty"`
	Breached       bool           `json:"breached"`
	CreatedBy      store.ID       `json:"created_by,omitempty"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
	ClosedAt       *time.Time     `json:"closed_at,omitempty"`

	// Filled by Get: every round of every step, the facts, the checklist
	// of the whole process, the documents produced and the timeline.
	Steps     []StepRun        `json:"steps,omitempty"`
	Facts     []Fact           `json:"facts,omitempty"`
	Checklist []ChecklistEntry `json:"checklist,omitempty"`
	Documents []Document       `json:"documents,omitempty"`
	Timeline  []Event          `json:"timeline,omitempty"`
	// Warnings: loops beyond the usual number of rounds (PRC-017).
	Warnings []string `json:"warnings,omitempty"`
}

// StepRun is one round of a step.
type StepRun struct {
	ID             store.ID    `json:"id"`
	Step           string      `json:"step"`
	Name           policy.Name `json:"name"`
	Round          int         `json:"round"`
	Status         StepStatus  `json:"status"`
	UnitID         store.ID    `json:"unit_id"`
	Role           string      `json:"role"`
	PreviousID     store.ID    `json:"previous_id,omitempty"`
	ActivatedAt    time.Time   `json:"activated_at"`
	Calendar       string      `json:"calendar,omitempty"`
	Limits         []string    `json:"limits,omitempty"`
	ClockStartedAt *time.Time  `json:"clock_started_at,omitempty"`
	DueAt          *time.Time  `json:"due_at,omitempty"`
	WarnAt         *time.Time  `json:"warn_at,omitempty"`
	WarnedAt       *time.Time  `json:"warned_at,omitempty"`
	BreachedAt     *time.Time  `json:"breached_at,omitempty"`
	CompletedAt    *time.Time  `json:"completed_at,omitempty"`
	Outcome        string      `json:"outcome,omitempty"`
	ActorID        store.ID    `json:"actor_id,omitempty"`
	Comment        string      `json:"comment,omitempty"`
	Signatures     []Signature `json:"signatures,omitempty"`
	// Waiting lists the facts the clock still waits for.
	Waiting []string `json:"waiting,omitempty"`
}

// Signature is a countersignature of a step round.
type Signature struct {
	Party    string    `json:"party"`
	UserID   store.ID  `json:"user_id,omitempty"`
	SignedAt time.Time `json:"signed_at"`
	Comment  string    `json:"comment,omitempty"`
}

// Fact is a fact recorded on a process.
type Fact struct {
	Fact       string      `json:"fact"`
	Name       policy.Name `json:"name"`
	At         time.Time   `json:"at"`
	RecordedAt time.Time   `json:"recorded_at"`
	ActorID    store.ID    `json:"actor_id,omitempty"`
}

// ChecklistEntry is one document of the process's checklists.
type ChecklistEntry struct {
	Item       string      `json:"item"`
	Name       policy.Name `json:"name"`
	Step       string      `json:"step"`
	Required   bool        `json:"required"` // its condition holds for the process
	ReceivedAt *time.Time  `json:"received_at,omitempty"`
	Note       string      `json:"note,omitempty"`
}

// Document is a document produced at a step, kept as printed.
type Document struct {
	ID        store.ID        `json:"id"`
	StepID    store.ID        `json:"step_id"`
	Kind      string          `json:"kind"`
	Title     string          `json:"title"`
	Content   json.RawMessage `json:"content"`
	CreatedAt time.Time       `json:"created_at"`
	ActorID   store.ID        `json:"actor_id,omitempty"`
}

// Event is one entry of the timeline.
type Event struct {
	ID      store.ID       `json:"id"`
	At      time.Time      `json:"at"`
	ActorID store.ID       `json:"actor_id,omitempty"`
	Actor   string         `json:"actor"`
	Action  string         `json:"action"`
	Step    string         `json:"step,omitempty"`
	Round   int            `json:"round,omitempty"`
	Detail  map[string]any `json:"detail,omitempty"`
	Note    string         `json:"note,omitempty"`
}

// Packs is what the service needs of the policy registry.
type Packs interface {
	Version(key string, v int) (*policy.Pack, bool)
	ForUnit(ctx context.Context, unitID store.ID) (*policy.Pack, error)
}

// Notifier tells people and webhooks (internal/notify).
type Notifier interface {
	Send(ctx context.Context, tx store.Conn, m notify.Message) error
}

type noNotifier struct{}

func (noNotifier) Send(context.Context, store.Conn, notify.Message) error { return nil }

// Options build a Service.
type Options struct {
	DB        *store.DB
	Calendars *calendar.Registry
	Policy    Packs
	Org       *org.Service
	Notify    Notifier // defaults to telling nobody
	Poke      func()   // called after a commit that scheduled timers
	Logger    *slog.Logger
	Now       func() time.Time
}

// Service runs business processes.
type Service struct {
	db     *store.DB
	cals   *calendar.Registry
	packs  Packs
	org    *org.Service
	notify Notifier
	poke   func()
	log    *slog.Logger
	now    func() time.Time
	// completed are run inside the transaction that completes a process.
	completed []CompletedHook
}

// Completed is a process that has just run to its end.
type Completed struct {
	ID, UnitID, CustomerID store.ID
	Number, Pack           string
	PackVersion            int
	Definition             string
	CustomerName           string
	CompletedAt            time.Time
}

// CompletedHook runs inside the transaction that completes a process
// (return visits are drawn from them).
type CompletedHook func(ctx context.Context, tx store.Conn, c Completed) error

// OnComplete registers a hook run whenever a process completes. Register
// hooks before serving requests.
func (s *Service) OnComplete(h CompletedHook) { s.completed = append(s.completed, h) }

// New returns the process service.
func New(o Options) *Service {
	s := &Service{db: o.DB, cals: o.Calendars, packs: o.Policy, org: o.Org, notify: o.Notify,
		poke: o.Poke, log: o.Logger, now: o.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.notify == nil {
		s.notify = noNotifier{}
	}
	if s.poke == nil {
		s.poke = func() {}
	}
	return s
}

// RegisterTimers registers the step warning and breach handlers.
func (s *Service) RegisterTimers(e *jobs.Engine) {
	e.Handle(TimerWarn, s.fireWarn)
	e.Handle(TimerBreach, s.fireBreach)
	s.poke = e.Poke
}
