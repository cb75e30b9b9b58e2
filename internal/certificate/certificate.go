// Package certificate owns the certificates and permits staff hold
// (资格证书/进网作业许可证/上岗证, RULES.md INS-017 and issue 17's staff
// records): their expiry, the renewal lead time counted on the calendar,
// reminders, and the guard that refuses to assign work to a person without
// the valid certificate the policy pack says the work needs.
//
// Files: certificate.go (types, service), register.go (registration and
// the checks of the commands' input), lifecycle.go (renew, report a loss,
// replace, revoke), read.go (reads, the derived status, lists, holders),
// guard.go (Require and the work-order guard), remind.go (the daily
// reminder timer).
package certificate

import (
	"context"
	"log/slog"
	"time"

	"kefu/internal/calendar"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Status is where a certificate stands on a day; it is derived, never
// stored.
type Status string

// Statuses. Valid and renewal-due certificates may be put on work; an
// expired one is treated as unregistered (INS-017) and its holder may not
// work; revoked, lost, renewed and replaced ones no longer count.
const (
	StatusValid      Status = "valid"
	StatusRenewalDue Status = "renewal_due" // the reminder has gone out: apply by RenewBy (INS-017)
	StatusExpired    Status = "expired"     // past expiry without renewal: "unregistered" (INS-017)
	StatusRevoked    Status = "revoked"
	StatusLost       Status = "lost" // loss or damage reported: replacement awaited (INS-017)
	StatusRenewed    Status = "renewed"
	StatusReplaced   Status = "replaced"
)

// Statuses lists the statuses in the order the UI offers them.
var Statuses = []Status{StatusValid, StatusRenewalDue, StatusExpired, StatusLost, StatusRevoked, StatusRenewed, StatusReplaced}

// Origins of a certificate.
const (
	OriginNew         = "new"
	OriginRenewal     = "renewal"
	OriginReplacement = "replacement"
)

// Loss kinds (INS-017: loss or damage is reported, then replaced).
const (
	LossLost    = "lost"
	LossDamaged = "damaged"
)

// History actions.
const (
	ActRegistered   = "registered"
	ActRenewed      = "renewed" // on the old certificate: replaced by its renewal
	ActRenewal      = "renewal" // on the new one: registered as the renewal of the old
	ActLossReported = "loss_reported"
	ActReplaced     = "replaced"    // on the old one
	ActReplacement  = "replacement" // on the new one
	ActRevoked      = "revoked"
	ActReminded     = "reminded" // note: the stage
)

// Reminder stages: once per certificate each.
const (
	StageRenewalDue = "renewal_due"
	StageExpired    = "expired"
)

// Notification and webhook events.
const (
	EventRenewalDue = "certificate.renewal_due"
	EventExpired    = "certificate.expired"
)

// TimerDaily is the daily reminder sweep; its ref is always DailyRef.
const TimerDaily = "certificate.daily"

// DailyRef is the ref of the one daily timer.
const DailyRef store.ID = 1

// Certificate is a certificate or permit as the API shows it.
type Certificate struct {
	ID          store.ID `json:"id"`
	CompanyID   store.ID `json:"company_id"`
	UserID      store.ID `json:"user_id"` // the holder
	HolderName  string   `json:"holder_name"`
	Pack        string   `json:"pack"`
	PackVersion int      `json:"pack_version"`
	Kind        string   `json:"kind"`
	KindName    string   `json:"kind_name"`
	Number      string   `json:"number"`
	// Scopes are the classes of work the certificate covers (keys of the
	// kind's scopes); nobody works beyond them (INS-017).
	Scopes    []string      `json:"scopes"`
	ScopeNote string        `json:"scope_note,omitempty"`
	Issuer    string        `json:"issuer,omitempty"`
	IssuedOn  calendar.Date `json:"issued_on"`
	// ExpiresOn is the last day of validity; nil: no expiry.
	ExpiresOn *calendar.Date `json:"expires_on,omitempty"`
	// RenewBy is the last day to apply for renewal (INS-017: 30 days before
	// expiry, a CAL-015 lead time); RemindOn is when the reminder goes out
	// and the certificate shows as due for renewal.
	RenewBy  *calendar.Date `json:"renew_by,omitempty"`
	RemindOn *calendar.Date `json:"remind_on,omitempty"`
	Status   Status         `json:"status"`
	// Valid: its holder may be put on the work it covers today.
	Valid      bool     `json:"valid"`
	Origin     string   `json:"origin"`
	PreviousID store.ID `json:"previous_id,omitempty"`
	NextID     store.ID `json:"next_id,omitempty"`
	// AppliedOn is when the renewal that made this certificate was applied
	// for; LateRenewal: after the previous certificate's RenewBy (INS-017).
	AppliedOn   *calendar.Date `json:"applied_on,omitempty"`
	LateRenewal bool           `json:"late_renewal,omitempty"`
	Note        string         `json:"note,omitempty"`
	Loss        *Loss          `json:"loss,omitempty"`
	Revocation  *Revocation    `json:"revocation,omitempty"`
	CreatedBy   store.ID       `json:"created_by,omitempty"`
	CreatedAt   time.Time      `json:"created_at"`
	// History is the certificate's history, oldest first (one certificate only).
	History []Event `json:"history,omitempty"`
}

// Loss is a reported loss or damage.
type Loss struct {
	Kind       string        `json:"kind"` // lost, damaged
	On         calendar.Date `json:"on"`
	Note       string        `json:"note,omitempty"`
	ReportedBy store.ID      `json:"reported_by,omitempty"`
	ReportedAt time.Time     `json:"reported_at"`
}

// Revocation is a revoked certificate's reason and actor.
type Revocation struct {
	Reason    string    `json:"reason"`
	RevokedBy store.ID  `json:"revoked_by,omitempty"`
	RevokedAt time.Time `json:"revoked_at"`
}

// Event is one entry of a certificate's history.
type Event struct {
	ID      store.ID  `json:"id"`
	Action  string    `json:"action"`
	ActorID store.ID  `json:"actor_id,omitempty"`
	Actor   string    `json:"actor"`
	Note    string    `json:"note,omitempty"`
	OtherID store.ID  `json:"other_id,omitempty"`
	At      time.Time `json:"at"`
}

// Packs is what the service needs of the policy registry.
type Packs interface {
	Version(key string, v int) (*policy.Pack, bool)
	ForUnit(ctx context.Context, unit store.ID) (*policy.Pack, error)
}

// Notifier tells people (internal/notify; testkit.Sent in tests).
type Notifier interface {
	Send(ctx context.Context, tx store.Conn, m notify.Message) error
}

// Options build a Service.
type Options struct {
	DB        *store.DB
	Calendars *calendar.Registry
	Policy    Packs
	Org       *org.Service
	Notify    Notifier // nil: nobody is told
	Logger    *slog.Logger
	Now       func() time.Time
	Poke      func() // called after a commit that scheduled the timer (jobs.Engine.Poke)
}

// Service keeps the certificates of staff.
type Service struct {
	db     *store.DB
	cals   *calendar.Registry
	packs  Packs
	org    *org.Service
	notify Notifier
	log    *slog.Logger
	now    func() time.Time
	poke   func()
}

// New returns the certificate service.
func New(o Options) *Service {
	if n, ok := o.Notify.(*notify.Service); ok && n == nil {
		o.Notify = nil // a nil *notify.Service tells nobody
	}
	s := &Service{db: o.DB, cals: o.Calendars, packs: o.Policy, org: o.Org, notify: o.Notify, log: o.Logger, now: o.Now, poke: o.Poke}
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

// today is the service's current date in the store's zone.
func (s *Service) today() calendar.Date { return calendar.DateOf(s.now().In(store.Zone)) }
