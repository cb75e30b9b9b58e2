// Package merit owns the merit, demerit and performance ledger (奖惩台账,
// RULES.md MER-001 to MER-013): rewards and penalties per person with the
// reason, the rule, the source record and who decided; the roll-ups,
// thresholds, offsets and warnings of the policy pack from which every
// summary is derived (Derive); proposals made from events — a complaint's
// clock breach (MER-010), a sampler's failures (SMP-017), a grabbed
// customer — that a manager confirms or rejects; appeals (MER-006); the
// publication of results to the unit (SEC-011); and the register of
// customer bounties for verified hazard and theft reports, whose reporters
// stay protected (MER-007, MER-008, SEC-007). The ledger is append-only
// (SEC-002).
package merit

import (
	"context"
	"log/slog"
	"time"

	"kefu/internal/fieldcrypt"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Packs is what the service needs of the policy registry.
type Packs interface {
	Version(key string, v int) (*policy.Pack, bool)
	ForUnit(ctx context.Context, unit store.ID) (*policy.Pack, error)
	// Keys and Get are the latest version of every pack: the versions
	// ForUnit answers with, whose triggers name the events' person fields.
	Keys() []string
	Get(key string) (*policy.Pack, bool)
}

// Options build a Service.
type Options struct {
	DB     *store.DB
	Policy Packs
	Org    *org.Service
	Notify *notify.Service // nil: nobody is told, no events are listened to
	// Sealer seals the identities of bounty reporters (SEC-007); nil: a
	// key derived for tests only, never in production (app sets it).
	Sealer *fieldcrypt.Sealer
	Logger *slog.Logger
	Now    func() time.Time
}

// Service keeps the ledger.
type Service struct {
	db     *store.DB
	packs  Packs
	org    *org.Service
	notify *notify.Service
	sealer *fieldcrypt.Sealer
	log    *slog.Logger
	now    func() time.Time
}

// New returns the merit service and subscribes it to the events its packs'
// triggers name (Listen).
func New(o Options) *Service {
	s := &Service{db: o.DB, packs: o.Policy, org: o.Org, notify: o.Notify, sealer: o.Sealer, log: o.Logger, now: o.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.sealer == nil {
		s.sealer = fieldcrypt.ForTests()
	}
	if s.notify != nil {
		s.listen(s.notify)
	}
	return s
}
