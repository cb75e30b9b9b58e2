package sampling

import (
	"context"
	"log/slog"
	"time"

	"kefu/internal/calendar"
	"kefu/internal/hazard"
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

// Options build a Service.
type Options struct {
	DB        *store.DB
	Calendars *calendar.Registry
	Policy    Packs
	Org       *org.Service
	Hazards   *hazard.Service // hazards a check finds are registered there (SMP-016)
	Notify    *notify.Service // nil: nobody is told; repeat offences are events (SMP-017)
	Logger    *slog.Logger
	Now       func() time.Time
}

// Service keeps the stored draws, verification tasks, the verification
// ledger and the repeat-offence counts built on the pure plans and draws of
// this package.
type Service struct {
	db     *store.DB
	cals   *calendar.Registry
	packs  Packs
	org    *org.Service
	hz     *hazard.Service
	notify *notify.Service
	log    *slog.Logger
	now    func() time.Time
}

// New returns the sampling service.
func New(o Options) *Service {
	s := &Service{db: o.DB, cals: o.Calendars, packs: o.Policy, org: o.Org, hz: o.Hazards, notify: o.Notify, log: o.Logger, now: o.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}
