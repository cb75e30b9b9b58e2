package inspection

import (
	"context"
	"log/slog"
	"time"

	"kefu/internal/calendar"
	"kefu/internal/certificate"
	"kefu/internal/customer"
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
	DB           *store.DB
	Calendars    *calendar.Registry
	Policy       Packs
	Org          *org.Service
	Customers    *customer.Service
	Hazards      *hazard.Service      // hazards found on an inspection are registered there
	Certificates *certificate.Service // an inspector without the certificate is not assigned
	Notify       *notify.Service      // nil: nobody is told
	Logger       *slog.Logger
	Now          func() time.Time
}

// Service keeps the stored inspection plans and inspection records built
// on the pure computations of this package.
type Service struct {
	db     *store.DB
	cals   *calendar.Registry
	packs  Packs
	org    *org.Service
	cust   *customer.Service
	hz     *hazard.Service
	certs  *certificate.Service
	notify *notify.Service
	log    *slog.Logger
	now    func() time.Time
}

// New returns the inspection service.
func New(o Options) *Service {
	s := &Service{db: o.DB, cals: o.Calendars, packs: o.Policy, org: o.Org, cust: o.Customers, hz: o.Hazards,
		certs: o.Certificates, notify: o.Notify, log: o.Logger, now: o.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}
