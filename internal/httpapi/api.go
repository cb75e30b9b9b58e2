// Package httpapi is kefu's JSON API under /api/v1: a thin layer that
// decodes requests, checks the permission named in the route table, calls a
// service and encodes the answer in the shapes of API.md. The route table is
// also the source of the OpenAPI document at /api/openapi.json.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/services"
	"kefu/internal/store"
)

// API serves /api/.
type API struct {
	db            *store.DB
	auth          *auth.Service
	org           *org.Service
	calendars     *calendar.Registry
	log           *slog.Logger
	version       string
	now           func() time.Time
	secureCookies bool
	idem          *idempotency
	timeout       time.Duration // of each request (RequestTimeout)

	routes []Route
	mux    *http.ServeMux
}

// Route is one entry of the route table: what it is, who may call it, and
// what it takes and answers (for the OpenAPI document).
type Route struct {
	Method     string
	Path       string
	Permission auth.Permission // "" = any signed-in user
	Public     bool            // no sign-in needed
	Tag        string
	Summary    string
	Query      []Param // documented query parameters
	Request    any     // a value of the request body type, or nil
	Response   any     // a value of the success body type, or nil
	Status     int     // success status; 200 when zero

	handle func(w http.ResponseWriter, r *http.Request, p *auth.Principal) error
}

// Param documents a query parameter.
type Param struct {
	Name        string
	Description string
}

// New builds the API and registers every route.
func New(o services.Set) *API {
	o = o.WithDefaults()
	a := &API{db: o.DB, auth: o.Auth, org: o.Org, calendars: o.Calendars, log: o.Logger, version: o.Version, now: o.Now,
		secureCookies: o.SecureCookies, mux: http.NewServeMux(), timeout: RequestTimeout}
	a.idem = &idempotency{db: o.DB, now: o.Now}
	for _, group := range [][]Route{a.systemRoutes(), a.authRoutes(), a.userRoutes(), a.orgRoutes(), a.auditRoutes(), a.calendarRoutes(), a.policyRoutes(o.Policy), a.notifyRoutes(o.Notify), a.ticketRoutes(o.Tickets), a.ticketClusterRoutes(o.Tickets), a.documentRoutes(o.Documents), a.customerRoutes(o.Customers, o.Tickets), a.customerIORoutes(o.Imports), a.processRoutes(o.Processes), a.surveyRoutes(o.Policy, o.Surveys), a.visitRoutes(o.Visits), a.samplingRoutes(o.Policy), a.samplingStoreRoutes(o.Sampling), a.inspectionRoutes(o.Inspections), a.hazardRoutes(o.Hazards), a.certificateRoutes(o.Certificates), a.meritRoutes(o.Merits), a.salesRoutes(o.Sales), a.archiveRoutes(o.Archives)} {
		for _, rt := range group {
			a.register(rt)
		}
	}
	return a
}

// Routes returns the route table.
func (a *API) Routes() []Route { return a.routes }

func (a *API) register(rt Route) {
	a.routes = append(a.routes, rt)
	a.mux.Handle(rt.Method+" "+rt.Path, a.wrap(rt))
}

// wrap turns a route into a handler: authenticate, check the permission,
// honour Idempotency-Key, run, and answer errors in the JSON shape.
// RequestTimeout bounds the work of one API request by default; beyond it
// its queries are interrupted and it answers 503 timeout (retry is safe:
// an interrupted transaction writes nothing).
const RequestTimeout = 60 * time.Second

// SetRequestTimeout changes the bound of RequestTimeout for this API.
func (a *API) SetRequestTimeout(d time.Duration) { a.timeout = d }

func (a *API) wrap(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p *auth.Principal
		if !rt.Public {
			var err error
			if p, err = a.auth.Principal(r.Context(), auth.TokenFromRequest(r)); err != nil {
				a.writeError(w, r, err)
				return
			}
			// A temporary password (set by an administrator) opens only the
			// auth routes until it is changed, as in the web UI.
			if p.MustChangePassword && !strings.HasPrefix(rt.Path, "/api/v1/auth/") {
				a.writeError(w, r, &apperr.Error{Status: http.StatusForbidden, Code: apperr.CodePasswordChange,
					Message: i18n.T("请先修改初始密码（POST /api/v1/auth/password）", "change your temporary password first (POST /api/v1/auth/password)")})
				return
			}
			if !p.Can(rt.Permission) {
				a.log.WarnContext(r.Context(), "permission denied", "user", p.Username,
					"permission", string(rt.Permission), "path", r.URL.Path)
				a.writeError(w, r, apperr.Forbidden(i18n.T("无权执行此操作（需要 %s 权限）",
					"permission %s is required", string(rt.Permission))))
				return
			}
			ctx := auth.WithPrincipal(audit.WithActor(r.Context(), p.Actor()), p)
			r = r.WithContext(ctx)
		}
		run := func(w http.ResponseWriter, r *http.Request) {
			// Every query of the request ends with it (issue 7: no request
			// holds the database for long, whatever it asks).
			ctx, cancel := context.WithTimeout(r.Context(), a.timeout)
			defer cancel()
			r = r.WithContext(ctx)
			if err := checkQuery(r); err != nil {
				a.writeError(w, r, err)
				return
			}
			if err := rt.handle(w, r, p); err != nil {
				a.writeError(w, r, err)
			}
		}
		if p != nil && r.Method != http.MethodGet && r.Header.Get(IdempotencyHeader) != "" {
			a.idem.serve(w, r, p, run, a.writeError)
			return
		}
		run(w, r)
	})
}

// ServeHTTP dispatches API requests; unknown paths and methods get the JSON
// error shape too.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, pattern := a.mux.Handler(r)
	if pattern != "" {
		// Through the mux, not h: only ServeMux.ServeHTTP sets the path
		// values ({id}) that handlers read with r.PathValue.
		a.mux.ServeHTTP(w, r)
		return
	}
	probe := &headerProbe{header: http.Header{}}
	h.ServeHTTP(probe, r)
	switch probe.status {
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", probe.header.Get("Allow"))
		a.writeError(w, r, &apperr.Error{Status: http.StatusMethodNotAllowed, Code: apperr.CodeMethod,
			Message: i18n.T("不支持的请求方法 %s", "method %s is not allowed here", r.Method)})
	case http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		h.ServeHTTP(w, r)
	default:
		a.writeError(w, r, &apperr.Error{Status: http.StatusNotFound, Code: apperr.CodeNotFound,
			Message: i18n.T("没有这个接口：%s", "no such endpoint: %s", r.URL.Path)})
	}
}

// headerProbe captures what the mux's own 404/405 handler would answer.
type headerProbe struct {
	header http.Header
	status int
}

func (h *headerProbe) Header() http.Header         { return h.header }
func (h *headerProbe) Write(b []byte) (int, error) { return len(b), nil }
func (h *headerProbe) WriteHeader(code int)        { h.status = code }

func status(rt Route) int {
	if rt.Status == 0 {
		return http.StatusOK
	}
	return rt.Status
}
