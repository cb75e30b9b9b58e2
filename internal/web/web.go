// Package web is kefu's server-rendered UI (zh-CN first, English second):
// html/template pages over the same services as the JSON API, with our own
// small stylesheet and script embedded from static/. Pages are plain HTML
// forms (post/redirect/get); the strict Content-Security-Policy set in app
// forbids inline scripts and styles, so everything lives in static/.
//
// Files by responsibility: web.go (routes, sign-in gate), render.go
// (templates, page data, errors), labels.go (UI label catalogue), nav.go
// (navigation), forms.go (form values and field errors), and one file per
// page group: session.go, home.go, users.go, orgunits.go, audit.go,
// calendars*.go, tickets*.go, clusters.go, policy.go, webhooks.go, customers*.go,
// processes*.go, visits*.go, surveys*.go, hazards*.go, merits*.go, sales*.go, archives*.go.
package web

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/archive"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/certificate"
	"kefu/internal/customer"
	"kefu/internal/customerio"
	"kefu/internal/document"
	"kefu/internal/hazard"
	"kefu/internal/inspection"
	"kefu/internal/merit"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/process"
	"kefu/internal/sales"
	"kefu/internal/sampling"
	"kefu/internal/services"
	"kefu/internal/store"
	"kefu/internal/survey"
	"kefu/internal/ticket"
	"kefu/internal/visit"
)

// Server is the UI handler: routes, templates and the services behind them.
type Server struct {
	db      *store.DB
	auth    *auth.Service
	org     *org.Service
	cal     *calendar.Registry
	policy  *policy.Registry
	tickets *ticket.Service // nil without policy packs: no work-order pages
	notify  *notify.Service // nil: no notifications page, no unread count
	// customers, imports and docs serve the customer archive pages
	// (customers*.go); nil customers: none mounted, nil docs: no documents.
	customers *customer.Service
	imports   *customerio.Service
	docs      *document.Service
	spool     *importSpool // ledgers between the import wizard's steps
	// processes serves the business-process pages (processes*.go); nil
	// without policy packs: none mounted.
	processes *process.Service
	// visits serves the return-visit pages (visits*.go); nil without
	// policy packs: none mounted.
	visits *visit.Service
	// surveys serves the satisfaction-survey pages (surveys*.go) and the
	// customer's page /s/{token}; nil without policy packs: none mounted.
	surveys *survey.Service
	// hazards, certificates, inspections and sampler serve issue 10's pages
	// (hazards*.go, certificates*.go, inspections*.go, sampling*.go); nil
	// without policy packs: none mounted.
	hazards      *hazard.Service
	certificates *certificate.Service
	inspections  *inspection.Service
	sampler      *sampling.Service
	// merits serves issue 11's ledger pages (merits*.go); nil without
	// policy packs: none mounted.
	merits *merit.Service
	// sales serves issue 12's sales-centre pages (sales*.go); nil without
	// policy packs: none mounted.
	sales *sales.Service
	// archives serves issue 13's archives pages (archives*.go); nil
	// without policy packs: none mounted.
	archives *archive.Service
	log      *slog.Logger
	version  string
	now      func() time.Time
	secure   bool

	mux    *http.ServeMux
	views  *views
	assets *assets
}

// New returns the UI handler, mounted at "/". The templates are embedded,
// so a template that does not parse is a programming error: New panics.
func New(o services.Set) *Server {
	o = o.WithDefaults()
	s := &Server{db: o.DB, auth: o.Auth, org: o.Org, cal: o.Calendars, log: o.Logger, version: o.Version, now: o.Now,
		secure: o.SecureCookies, mux: http.NewServeMux(), policy: o.Policy, notify: o.Notify}
	s.tickets = newTicketService(o)
	if o.Policy != nil {
		s.customers, s.imports, s.docs = o.Customers, o.Imports, o.Documents
		s.processes = o.Processes
		s.visits = o.Visits
		s.surveys = o.Surveys
		s.hazards, s.certificates, s.inspections, s.sampler = o.Hazards, o.Certificates, o.Inspections, o.Sampling
		s.merits = o.Merits
		s.sales = o.Sales
		s.archives = o.Archives
	}
	s.spool = &importSpool{files: map[string]spooled{}}
	s.assets = loadAssets()
	v, err := parseViews(s.assets)
	if err != nil {
		panic(err)
	}
	s.views = v
	s.routes()
	return s
}

// ServeHTTP dispatches UI requests.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// pageFunc handles a signed-in request; a returned error becomes an error page.
type pageFunc func(w http.ResponseWriter, rq *request) error

func (s *Server) routes() {
	s.mux.Handle("GET /static/", s.assets)
	s.mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, s.assets.url("favicon.svg"), http.StatusMovedPermanently)
	})
	s.mux.HandleFunc("GET /login", s.loginPage)
	s.mux.HandleFunc("POST /login", s.loginSubmit)
	s.mux.HandleFunc("GET /lang/{lang}", s.switchLang)

	s.page("POST /logout", "", s.logout)
	s.page("GET /{$}", "", s.home)
	s.page("GET /account/password", "", s.passwordPage)
	s.page("POST /account/password", "", s.passwordSubmit)

	s.page("GET /admin/users", auth.PermUsersRead, s.usersList)
	s.page("GET /admin/users/new", auth.PermUsersWrite, s.userNew)
	s.page("POST /admin/users/new", auth.PermUsersWrite, s.userCreate)
	s.page("GET /admin/users/{id}", auth.PermUsersRead, s.userShow)
	s.page("POST /admin/users/{id}", auth.PermUsersWrite, s.userUpdate)
	s.page("POST /admin/users/{id}/password", auth.PermUsersWrite, s.userResetPassword)

	s.page("GET /admin/org", auth.PermOrgRead, s.orgPage)
	s.page("POST /admin/org", auth.PermOrgWrite, s.orgCreate)
	s.page("POST /admin/org/{id}", auth.PermOrgWrite, s.orgUpdate)

	s.page("GET /admin/audit", auth.PermAuditRead, s.auditPage)

	if s.cal != nil {
		s.page("GET /admin/calendars", auth.PermCalendarsRead, s.calendarsList)
		s.page("POST /admin/calendars", auth.PermCalendarsWrite, s.calendarCreate)
		s.page("GET /admin/calendars/{id}", auth.PermCalendarsRead, s.calendarShow)
		s.page("POST /admin/calendars/{id}/hours", auth.PermCalendarsWrite, s.calendarSetHours)
		s.page("GET /admin/calendars/{id}/days/{date}", auth.PermCalendarsRead, s.calendarDay)
		s.page("POST /admin/calendars/{id}/days/{date}", auth.PermCalendarsWrite, s.calendarSetDay)
		s.page("POST /admin/calendars/{id}/days/{date}/clear", auth.PermCalendarsWrite, s.calendarClearDay)
		s.page("GET /admin/calendars/{id}/import", auth.PermCalendarsWrite, s.calendarImportPage)
		s.page("POST /admin/calendars/{id}/import", auth.PermCalendarsWrite, s.calendarImport)
	}

	if s.policy != nil {
		s.page("GET /admin/policy", auth.PermPolicyRead, s.policyList)
		s.page("GET /admin/policy/install", auth.PermPolicyWrite, s.policyInstallPage)
		s.page("POST /admin/policy/install", auth.PermPolicyWrite, s.policyInstall)
		s.page("GET /admin/policy/{key}", auth.PermPolicyRead, s.policyShow)
	}
	if s.notify != nil {
		s.page("GET /admin/webhooks", auth.PermWebhooksManage, s.webhooksList)
		s.page("POST /admin/webhooks", auth.PermWebhooksManage, s.webhookCreate)
		s.page("GET /admin/webhooks/{id}", auth.PermWebhooksManage, s.webhookShow)
		s.page("POST /admin/webhooks/{id}", auth.PermWebhooksManage, s.webhookUpdate)
		s.page("POST /admin/webhooks/{id}/secret", auth.PermWebhooksManage, s.webhookRotate)
		s.page("POST /admin/webhooks/{id}/delete", auth.PermWebhooksManage, s.webhookDelete)
	}

	if s.tickets != nil {
		s.page("GET /tickets", auth.PermTicketsRead, s.ticketsList)
		s.page("GET /tickets/new", auth.PermTicketsCreate, s.ticketNew)
		s.page("POST /tickets/new", auth.PermTicketsCreate, s.ticketCreate)
		s.page("GET /tickets/customers", auth.PermTicketsCreate, s.ticketCustomers)
		s.page("GET /tickets/{id}", auth.PermTicketsRead, s.ticketShow)
		s.page("POST /tickets/{id}/act", auth.PermTicketsAct, s.ticketAct)
		s.page("GET /tickets/{id}/print", auth.PermTicketsRead, s.ticketPrint)
		s.page("POST /tickets/{id}/cluster", auth.PermTicketsAct, s.ticketCluster)
		// /tickets/clusters/{id} and /tickets/letters/{id}: one pattern,
		// since either would conflict with /tickets/{id}/print.
		s.page("GET /tickets/{group}/{id}", auth.PermTicketsRead, s.ticketGroupPage)
		s.page("POST /tickets/clusters/{id}/sessions", auth.PermTicketsAct, s.clusterSession)
		s.page("POST /tickets/clusters/{id}/letter", auth.PermTicketsAct, s.clusterLetter)
	}
	s.customerRoutes()
	s.processRoutes()
	s.visitRoutes()
	s.samplingRoutes()
	s.surveyRoutes()
	s.inspectionRoutes()
	s.hazardRoutes()
	s.certificateRoutes()
	s.meritRoutes()
	s.salesRoutes()
	s.archiveRoutes()
	if s.notify != nil {
		s.page("GET /notifications", "", s.notificationsPage)
		s.page("POST /notifications/read-all", "", s.notificationsReadAll)
		s.page("GET /notifications/{id}", "", s.notificationOpen)
	}

	s.page("/", "", func(w http.ResponseWriter, rq *request) error { return apperr.NotFound("page") })
}

// page registers a handler behind the sign-in gate and a permission check
// ("" = any signed-in user).
func (s *Server) page(pattern string, perm auth.Permission, h pageFunc) {
	s.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rq := s.newRequest(r)
		p, err := s.auth.Principal(r.Context(), auth.TokenFromRequest(r))
		if apperr.Is(err, apperr.CodeUnauthorized) {
			s.toLogin(w, r)
			return
		} else if err != nil {
			s.fail(w, rq, err)
			return
		}
		rq.P = p
		rq.Request = r.WithContext(auth.WithPrincipal(audit.WithActor(r.Context(), p.Actor()), p))
		if p.MustChangePassword && r.URL.Path != "/account/password" && r.URL.Path != "/logout" {
			http.Redirect(w, r, "/account/password?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if !p.Can(perm) {
			s.log.WarnContext(r.Context(), "permission denied", "user", p.Username,
				"permission", string(perm), "path", r.URL.Path)
			s.forbidden(w, rq, perm)
			return
		}
		if err := h(w, rq); err != nil {
			s.fail(w, rq, err)
		}
	}))
}

// toLogin sends a signed-out visitor to the login page, remembering where
// they wanted to go (only for GET: a form post cannot be replayed).
func (s *Server) toLogin(w http.ResponseWriter, r *http.Request) {
	target := "/login"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// localPath returns next when it is a path on this site, else def: a
// ?next= parameter must never send the user to another origin.
func localPath(next, def string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\r\n") {
		return def
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return def
	}
	return next
}

// seeOther answers a successful form post: redirect (303) with a flash
// message shown once on the next page.
func (s *Server) seeOther(w http.ResponseWriter, r *http.Request, target, flashKey string) {
	if flashKey != "" {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: flashKey, Path: "/", MaxAge: 60,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure || r.TLS != nil})
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
