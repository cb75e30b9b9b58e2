// Package hazard owns the safety-hazard register (安全隐患登记, RULES.md
// INS-018) and every step that follows a hazard to its closure: the
// rectification notice signed by the customer (INS-013), follow-ups on their
// clock, the deadline notice filed with the authorities for serious hazards
// at important customers (INS-015), escalation, disconnection and
// restoration after a verified rectification (INS-016). Hazards come from
// inspections (internal/inspection), sampling checks (SMP-016), staff,
// customers and the public. Every clock is counted by internal/calendar.
package hazard

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
	Notify    *notify.Service // nil: nobody is told
	Logger    *slog.Logger
	Now       func() time.Time
}

// Service keeps the hazard register.
type Service struct {
	db     *store.DB
	cals   *calendar.Registry
	packs  Packs
	org    *org.Service
	notify *notify.Service
	log    *slog.Logger
	now    func() time.Time
}

// New returns the hazard service.
func New(o Options) *Service {
	s := &Service{db: o.DB, cals: o.Calendars, packs: o.Policy, org: o.Org, notify: o.Notify, log: o.Logger, now: o.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}
