package inspection

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/certificate"
	"kefu/internal/customer"
	"kefu/internal/hazard"
	"kefu/internal/i18n"
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
	// require is the certificate guard (certificate.Service.RequireAs):
	// an error naming field when the user may not do the work.
	require func(ctx context.Context, tx store.Conn, pack *policy.Pack, work string, user store.ID, at time.Time, field string) error
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
	if s.certs != nil {
		s.require = s.certs.RequireAs
	}
	return s
}

// mayRead refuses p without inspections:read.
func mayRead(p *auth.Principal) error {
	if !p.Can(auth.PermInspectionsRead) {
		return apperr.Forbidden(i18n.T("无权查看安检", "you may not read inspections"))
	}
	return nil
}

// mayWrite refuses p without inspections:write.
func mayWrite(p *auth.Principal) error {
	if !p.Can(auth.PermInspectionsWrite) {
		return apperr.Forbidden(i18n.T("无权登记安检", "you may not record inspections"))
	}
	return nil
}

// visible is the row scope of plans, items and records on column (a
// company id): the company's, seen by the people of its subtree and of the
// company itself from any department.
func visible(p *auth.Principal, column string) (string, []any) {
	return org.CompanyRowsSQL(p.Scope(), p.OrgPath, p.OrgUnitID, column)
}

// rules of a company: its pack and the pack's calendar.
func (s *Service) packOf(ctx context.Context, company store.ID) (*policy.Pack, *calendar.Calendar, error) {
	pack, err := s.packs.ForUnit(ctx, company)
	if err != nil {
		return nil, nil, err
	}
	cal, ok := s.cals.Get(pack.Calendar)
	if !ok {
		return nil, nil, apperr.Conflict("calendar", i18n.T("政策包 %[1]s 的日历 %[2]s 不存在", "the calendar %[2]s of pack %[1]s does not exist",
			pack.Key, pack.Calendar))
	}
	return pack, cal, nil
}

// hasRole reports whether p holds role (an administrator holds every role).
func hasRole(p *auth.Principal, role auth.Role) bool {
	return p.IsAdmin() || role != "" && slices.Contains(p.Roles, role)
}

// levelRole is the role that holds a plan at level (INS-009: the
// department's and the team's manager, the inspectors' role); "" when the
// pack has no such level.
func levelRole(pack *policy.Pack, level string) auth.Role {
	for _, l := range pack.Inspections.PlanLevels {
		if l.Level == level {
			return l.Role
		}
	}
	return ""
}

// dayOf is the civil day of t on cal.
func dayOf(cal *calendar.Calendar, t time.Time) calendar.Date {
	return calendar.DateOf(t.In(cal.Location()))
}

func instant(us int64) *time.Time {
	if us == 0 {
		return nil
	}
	t := store.FromMicros(us)
	return &t
}
