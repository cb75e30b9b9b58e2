// Package services names the set of domain services that kefu's two front
// ends — the JSON API (httpapi) and the web UI (web) — are built on, so that
// a new module is wired once, in internal/app, and reaches both.
package services

import (
	"kefu/internal/archive"
	"log/slog"
	"time"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/certificate"
	"kefu/internal/customer"
	"kefu/internal/customerio"
	"kefu/internal/document"
	"kefu/internal/hazard"
	"kefu/internal/inspection"
	"kefu/internal/jobs"
	"kefu/internal/merit"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/process"
	"kefu/internal/sales"
	"kefu/internal/sampling"
	"kefu/internal/store"
	"kefu/internal/survey"
	"kefu/internal/ticket"
	"kefu/internal/visit"
)

// Set is every service a front end may call, plus the process facts they show.
type Set struct {
	DB        *store.DB
	Org       *org.Service
	Auth      *auth.Service
	Calendars *calendar.Registry
	Policy    *policy.Registry
	Jobs      *jobs.Engine        // background timers (nil in tests that need none)
	Notify    *notify.Service     // notifications and webhooks
	Tickets   *ticket.Service     // work orders
	Documents *document.Service   // documents and attachments (nil: no document routes)
	Customers *customer.Service   // customer archive (built on DB and Policy when nil)
	Imports   *customerio.Service // ledger import and export (built on the others when nil)
	Processes *process.Service    // business processes (built on the others when nil)
	Visits    *visit.Service      // return visits (built on the others when nil)
	Surveys   *survey.Service     // satisfaction-survey campaigns (built on DB, Policy and Org when nil)
	// Hazards, Certificates, Inspections and Sampling are issue 10's
	// modules, each built on the others when nil.
	Hazards      *hazard.Service
	Certificates *certificate.Service
	Inspections  *inspection.Service
	Sampling     *sampling.Service
	// Merits is issue 11's ledger (built on the others when nil).
	Merits *merit.Service
	// Sales is issue 12's sales centres (built on the others when nil).
	Sales *sales.Service
	// Archives is issue 13's archives (built on the others when nil).
	Archives *archive.Service
	Logger   *slog.Logger

	Version       string
	Now           func() time.Time // defaults to time.Now
	SecureCookies bool             // mark cookies Secure (served over HTTPS)
}

// WithDefaults fills the optional fields.
func (s Set) WithDefaults() Set {
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	if s.Customers == nil && s.DB != nil && s.Policy != nil {
		s.Customers = customer.New(customer.Options{DB: s.DB, Policy: s.Policy, Now: s.Now})
	}
	if s.Imports == nil && s.Customers != nil && s.Org != nil {
		s.Imports = customerio.New(customerio.Options{DB: s.DB, Customers: s.Customers, Policy: s.Policy, Org: s.Org,
			Notify: s.Notify, Logger: s.Logger, Now: s.Now})
	}
	if s.Processes == nil && s.DB != nil && s.Policy != nil && s.Calendars != nil && s.Org != nil {
		opts := process.Options{DB: s.DB, Calendars: s.Calendars, Policy: s.Policy, Org: s.Org, Logger: s.Logger, Now: s.Now}
		if s.Notify != nil {
			opts.Notify = s.Notify
		}
		s.Processes = process.New(opts)
	}
	if s.Visits == nil && s.DB != nil && s.Policy != nil && s.Calendars != nil {
		s.Visits = visit.New(visit.Options{DB: s.DB, Calendars: s.Calendars, Policy: s.Policy, Logger: s.Logger, Now: s.Now})
	}
	if s.Surveys == nil && s.DB != nil && s.Policy != nil && s.Org != nil && s.Calendars != nil {
		opts := survey.Options{DB: s.DB, Policy: s.Policy, Org: s.Org, Calendars: s.Calendars, Now: s.Now}
		if s.Notify != nil {
			opts.Notify = s.Notify
		}
		s.Surveys = survey.New(opts)
	}
	s = s.withSafety()
	return s
}

// withSafety builds issue 10's services that are nil: the hazard register,
// certificates, inspections and supervision sampling.
func (s Set) withSafety() Set {
	if s.DB == nil || s.Policy == nil || s.Calendars == nil || s.Org == nil {
		return s
	}
	if s.Hazards == nil {
		s.Hazards = hazard.New(hazard.Options{DB: s.DB, Calendars: s.Calendars, Policy: s.Policy, Org: s.Org,
			Notify: s.Notify, Logger: s.Logger, Now: s.Now})
	}
	if s.Certificates == nil {
		s.Certificates = certificate.New(certificate.Options{DB: s.DB, Calendars: s.Calendars, Policy: s.Policy,
			Org: s.Org, Notify: s.Notify, Logger: s.Logger, Now: s.Now})
	}
	if s.Inspections == nil && s.Customers != nil {
		s.Inspections = inspection.New(inspection.Options{DB: s.DB, Calendars: s.Calendars, Policy: s.Policy,
			Org: s.Org, Customers: s.Customers, Hazards: s.Hazards, Certificates: s.Certificates, Notify: s.Notify,
			Logger: s.Logger, Now: s.Now})
	}
	if s.Sampling == nil {
		s.Sampling = sampling.New(sampling.Options{DB: s.DB, Calendars: s.Calendars, Policy: s.Policy, Org: s.Org,
			Hazards: s.Hazards, Notify: s.Notify, Logger: s.Logger, Now: s.Now})
	}
	if s.Merits == nil {
		s.Merits = merit.New(merit.Options{DB: s.DB, Policy: s.Policy, Org: s.Org, Notify: s.Notify,
			Logger: s.Logger, Now: s.Now})
	}
	if s.Sales == nil {
		s.Sales = sales.New(sales.Options{DB: s.DB, Policy: s.Policy, Calendars: s.Calendars, Org: s.Org,
			Notify: s.Notify, Merits: s.Merits, Logger: s.Logger, Now: s.Now})
	}
	if s.Archives == nil {
		s.Archives = archive.New(archive.Options{DB: s.DB, Policy: s.Policy, Calendars: s.Calendars, Org: s.Org,
			Documents: s.Documents, Notify: s.Notify, Logger: s.Logger, Now: s.Now})
	}
	return s
}
