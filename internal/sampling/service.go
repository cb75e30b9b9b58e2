// Package sampling owns supervision sampling (稽查/抽查, RULES.md SMP): the
// plans and draws of the pack's sampling rules, and their stored side —
// draws per rule, checked person and period, one verification task per
// drawn item, the append-only verification ledger with escalation level by
// level (SMP-013), hazards a check finds (SMP-016) and the samplers'
// failures counted for repeat offences (SMP-017).
//
// The arithmetic is pure (plan.go, draw.go, checks.go: no database, no
// clock) and is the SMP intro's (G-22): quota = ceil(rate × base); a
// floor applies after rounding and never exceeds the base; splits go by
// largest remainder with ties in the listed order (internal/sample). A
// stratum with fewer items than its share is checked whole and the rest of
// its share goes to the other strata in proportion to their weights; an
// empty stratum gets nothing (SMP-003: no wall-hung boilers → 24/24/12/12).
// The Service (service.go and the store_*.go, verify.go, ledger.go,
// failures.go files) keeps what is drawn and checked.
package sampling

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/hazard"
	"kefu/internal/jobs"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Packs is what the service needs of the policy registry.
type Packs interface {
	Version(key string, v int) (*policy.Pack, bool)
	ForUnit(ctx context.Context, unit store.ID) (*policy.Pack, error)
}

// Notifier sends notifications (notify.Service).
type Notifier interface {
	Send(ctx context.Context, tx store.Conn, m notify.Message) error
}

// HazardRegistrar registers the hazards a check finds in the caller's
// transaction (hazard.Service, SMP-016).
type HazardRegistrar interface {
	RegisterIn(ctx context.Context, tx store.Conn, p *auth.Principal, f hazard.Finding) (store.ID, error)
}

// PopulationSource lists the items of one population of a checked person's
// work in [from, to): the households an inspector inspected, a repair
// worker's meter replacements. company is the checked person's company.
type PopulationSource func(ctx context.Context, company, user store.ID, from, to time.Time) ([]Item, error)

// Options build a Service.
type Options struct {
	DB        *store.DB
	Calendars *calendar.Registry
	Policy    Packs
	Org       *org.Service
	Hazards   HazardRegistrar // hazards a check finds are registered there (SMP-016)
	Notify    Notifier        // nil: nobody is told; repeat offences are events (SMP-017)
	Logger    *slog.Logger
	Now       func() time.Time
	Poke      func() // called after a commit that scheduled a timer (jobs.Engine.Poke)
}

// Service keeps the stored draws, verification tasks, the verification
// ledger and the repeat-offence counts built on the pure plans and draws of
// this package.
type Service struct {
	db     *store.DB
	cals   *calendar.Registry
	packs  Packs
	org    *org.Service
	hz     HazardRegistrar
	notify Notifier
	log    *slog.Logger
	now    func() time.Time
	poke   func()

	mu      sync.RWMutex
	sources map[string]PopulationSource
}

// New returns the sampling service.
func New(o Options) *Service {
	s := &Service{db: o.DB, cals: o.Calendars, packs: o.Policy, org: o.Org, hz: o.Hazards, notify: o.Notify,
		log: o.Logger, now: o.Now, poke: o.Poke, sources: map[string]PopulationSource{}}
	// A nil service passed as an interface is no service.
	if h, ok := s.hz.(*hazard.Service); ok && h == nil {
		s.hz = nil
	}
	if n, ok := s.notify.(*notify.Service); ok && n == nil {
		s.notify = nil
	}
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

// RegisterSource makes src the source of the population's items (a key of
// the packs' sampling populations, e.g. "inspections"): a draw of a rule
// counting that population takes its items from src rather than from the
// request.
func (s *Service) RegisterSource(population string, src PopulationSource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sources[population] = src
}

// source is the registered source of a population, or nil.
func (s *Service) source(population string) PopulationSource {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.sources[population]
}

// TimerDue closes a draw when its checks are due and counts a missed quota
// against the sampler (SMP-017); its ref is the draw id.
const TimerDue = "sampling.due"

// RegisterTimers registers the due-date handler of draws.
func (s *Service) RegisterTimers(e *jobs.Engine) {
	e.Handle(TimerDue, s.fireDue)
	s.poke = e.Poke
}

// send tells people, when a notifier is set.
func (s *Service) send(ctx context.Context, tx store.Conn, m notify.Message) error {
	if s.notify == nil {
		return nil
	}
	return s.notify.Send(ctx, tx, m)
}
