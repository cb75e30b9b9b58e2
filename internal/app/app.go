// Package app wires kefu together: one App struct holds the configuration,
// the database and every service, and serves the API and the UI. No globals,
// no framework: what depends on what is visible here.
package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"kefu/internal/archive"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/certificate"
	"kefu/internal/config"
	"kefu/internal/customer"
	"kefu/internal/customerio"
	"kefu/internal/document"
	"kefu/internal/fieldcrypt"
	"kefu/internal/hazard"
	"kefu/internal/httpapi"
	"kefu/internal/httpkit"
	"kefu/internal/i18n"
	"kefu/internal/inspection"
	"kefu/internal/jobs"
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
	"kefu/internal/web"
)

// Version is kefu's version, set at build time with
// -ldflags "-X kefu/internal/app.Version=…".
var Version = "0.1.0-dev"

// App is one running kefu.
type App struct {
	Config    config.Config
	Log       *slog.Logger
	DB        *store.DB
	Org       *org.Service
	Auth      *auth.Service
	Calendars *calendar.Registry
	Policy    *policy.Registry
	Jobs      *jobs.Engine
	Notify    *notify.Service
	Tickets   *ticket.Service
	Documents *document.Service
	Customers *customer.Service
	Imports   *customerio.Service // customer ledger import/export and import jobs
	Processes *process.Service    // business processes (issue 8)
	Visits    *visit.Service      // return visits (issue 9)
	Surveys   *survey.Service     // satisfaction-survey campaigns (issue 9)
	// Hazards, Certificates, Inspections and Sampling: issue 10.
	Hazards      *hazard.Service
	Certificates *certificate.Service
	Inspections  *inspection.Service
	Sampling     *sampling.Service
	// Merits: issue 11.
	Merits *merit.Service
	// Sales: issue 12, reception and attribution at sales centres.
	Sales *sales.Service
	// Archives: issue 13, filing, lending, retention and handovers.
	Archives *archive.Service
	API      *httpapi.API
	Now      func() time.Time
}

// Open opens and migrates the database and builds the services.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	db, err := store.Open(ctx, store.Options{DSN: cfg.DSN, DataDir: cfg.DataDir})
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	a := &App{Config: cfg, Log: log, DB: db, Now: time.Now}
	a.Org = org.New(org.Options{DB: db, Now: a.Now})
	a.Auth = auth.New(auth.Options{DB: db, Org: a.Org, Now: a.Now, SessionTTL: cfg.SessionTTL})
	a.Calendars = calendar.NewRegistry(calendar.RegistryOptions{DB: db, Now: a.Now, Logger: log})
	if err := a.Calendars.Load(ctx); err != nil {
		db.Close()
		return nil, err
	}
	a.Policy = policy.NewRegistry(policy.Options{DB: db, Org: a.Org, Calendars: a.Calendars, Logger: log, Now: a.Now})
	if err := a.Policy.Load(ctx); err != nil {
		db.Close()
		return nil, err
	}
	a.Jobs = jobs.NewEngine(jobs.Options{DB: db, Logger: log, Now: a.Now})
	a.Notify = notify.New(notify.Options{DB: db, Jobs: a.Jobs, Logger: log, Now: a.Now})
	a.Customers = customer.New(customer.Options{DB: db, Policy: a.Policy, Now: a.Now})
	a.Imports = customerio.New(customerio.Options{DB: db, Customers: a.Customers, Policy: a.Policy, Org: a.Org,
		Notify: a.Notify, Logger: log, Now: a.Now})
	a.Tickets = ticket.New(ticket.Options{DB: db, Calendars: a.Calendars, Policy: a.Policy, Org: a.Org,
		Customers: a.Customers, Notify: a.Notify, Logger: log, Now: a.Now})
	a.Tickets.RegisterTimers(a.Jobs)
	a.Calendars.OnChange(a.Tickets.OnCalendarChange) // open clocks follow calendar changes (CAL-001)
	a.Visits = visit.New(visit.Options{DB: db, Calendars: a.Calendars, Policy: a.Policy, Logger: log, Now: a.Now})
	a.Visits.RegisterTimers(a.Jobs)
	a.Surveys = survey.New(survey.Options{DB: db, Policy: a.Policy, Org: a.Org, Calendars: a.Calendars, Notify: a.Notify, Now: a.Now})
	a.Surveys.RegisterTimers(a.Jobs)           // the planning notice of the next survey (SUR-001)
	a.Tickets.OnClose(a.Visits.OnTicketClosed) // closed work orders are visit candidates (VIS-002)
	a.Processes = process.New(process.Options{DB: db, Calendars: a.Calendars, Policy: a.Policy, Org: a.Org,
		Notify: a.Notify, Logger: log, Now: a.Now})
	a.Processes.RegisterTimers(a.Jobs)
	a.Processes.OnComplete(a.Visits.OnProcessCompleted) // and so are completed processes
	a.Calendars.OnChange(a.Processes.OnCalendarChange)  // and so do the steps of open processes
	a.Documents = document.New(document.Options{DB: db, Dir: filepath.Join(cfg.DataDir, "files"),
		MaxSize: cfg.MaxUploadBytes, Now: a.Now, Logger: log})
	RegisterDocumentOwners(a.Documents, db)
	a.Documents.RegisterOwner("process", a.Processes.DocumentOwner) // files stored on a process (issue 8)
	a.Hazards = hazard.New(hazard.Options{DB: db, Calendars: a.Calendars, Policy: a.Policy, Org: a.Org,
		Notify: a.Notify, Logger: log, Now: a.Now})
	a.Hazards.RegisterTimers(a.Jobs) // a rectification deadline that passes escalates the case (INS-016)
	a.Certificates = certificate.New(certificate.Options{DB: db, Calendars: a.Calendars, Policy: a.Policy,
		Org: a.Org, Notify: a.Notify, Logger: log, Now: a.Now})
	a.Certificates.RegisterTimers(a.Jobs)             // renewal and expiry reminders (INS-017)
	a.Tickets.GuardAssign(a.Certificates.TicketGuard) // no work without the certificate it needs (STF-001)
	a.Inspections = inspection.New(inspection.Options{DB: db, Calendars: a.Calendars, Policy: a.Policy,
		Org: a.Org, Customers: a.Customers, Hazards: a.Hazards, Certificates: a.Certificates, Notify: a.Notify,
		Logger: log, Now: a.Now})
	a.Sampling = sampling.New(sampling.Options{DB: db, Calendars: a.Calendars, Policy: a.Policy, Org: a.Org,
		Hazards: a.Hazards, Notify: a.Notify, Logger: log, Now: a.Now})
	a.Sampling.RegisterTimers(a.Jobs)                               // a draw past its period records the missed quota (SMP-017)
	a.Sampling.RegisterSource("inspections", a.inspectedHouseholds) // the inspector's month (SMP-006)
	sealer, err := fieldcrypt.Load(cfg.DataDir)                     // protected reporters (SEC-007)
	if err != nil {
		db.Close()
		return nil, err
	}
	// The ledger listens to clock breaches and sampling failures (MER-010, SMP-017).
	a.Merits = merit.New(merit.Options{DB: db, Policy: a.Policy, Org: a.Org, Notify: a.Notify, Sealer: sealer,
		Logger: log, Now: a.Now})
	// A grabbed customer or a late leasing form proposes on the ledger (SAL-015, MER-013).
	a.Sales = sales.New(sales.Options{DB: db, Policy: a.Policy, Calendars: a.Calendars, Org: a.Org, Notify: a.Notify,
		Merits: a.Merits, Logger: log, Now: a.Now})
	a.Archives = archive.New(archive.Options{DB: db, Policy: a.Policy, Calendars: a.Calendars, Org: a.Org,
		Documents: a.Documents, Notify: a.Notify, Logger: log, Now: a.Now})
	a.Archives.RegisterTimers(a.Jobs)                                   // overdue loans are reminded daily (ARC-011)
	a.Documents.RegisterOwner("archive_file", a.Archives.DocumentOwner) // electronic copies of archive items (ARC-001)
	a.Tickets.OnClose(a.Archives.OnTicketClosed)                        // complaint materials into the year's case file (ARC-017)
	a.Sales.OnSubscribed(a.Archives.OnSubscriptionSigned)               // the sales team's 5-working-day handover (ARC-006)
	a.API = httpapi.New(a.Services())
	return a, nil
}

// Services is the set of services the API and the UI are built on.
func (a *App) Services() services.Set {
	return services.Set{DB: a.DB, Org: a.Org, Auth: a.Auth, Calendars: a.Calendars, Policy: a.Policy, Jobs: a.Jobs, Notify: a.Notify, Tickets: a.Tickets, Documents: a.Documents, Customers: a.Customers, Imports: a.Imports, Processes: a.Processes, Visits: a.Visits, Surveys: a.Surveys,
		Hazards: a.Hazards, Certificates: a.Certificates, Inspections: a.Inspections, Sampling: a.Sampling, Merits: a.Merits, Sales: a.Sales, Archives: a.Archives, Logger: a.Log, Version: Version,
		Now: a.Now, SecureCookies: a.Config.SecureCookies}
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }

// RootUnitName is the name of the unit a new database starts with.
const RootUnitName = "集团总部"

// Bootstrap prepares an empty database: the root org unit and the admin
// user, whose password is KEFU_ADMIN_PASSWORD or a random one printed once
// on out.
// Processes starting together on one database bootstrap one at a time.
func (a *App) Bootstrap(ctx context.Context, out io.Writer) error {
	return a.DB.Exclusive(ctx, "bootstrap", func() error { return a.bootstrap(ctx, out) })
}

func (a *App) bootstrap(ctx context.Context, out io.Writer) error {
	ctx = audit.WithActor(ctx, audit.System)
	root, err := a.Org.EnsureRoot(ctx, RootUnitName)
	if err != nil {
		return fmt.Errorf("create root org unit: %w", err)
	}
	n, err := a.Auth.Count(ctx)
	if err != nil || n > 0 {
		return err
	}
	pw := a.Config.AdminPassword
	generated := pw == ""
	if generated {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		pw = base64.RawURLEncoding.EncodeToString(b)
	}
	_, err = a.Auth.Create(ctx, nil, auth.CreateUserInput{Username: "admin", Password: pw,
		DisplayName: "系统管理员", Roles: []auth.Role{auth.RoleAdmin}, OrgUnit: root.ID})
	if e, ok := apperr.As(err); ok {
		return fmt.Errorf("KEFU_ADMIN_PASSWORD: %s", e.Message.In(i18n.EN))
	} else if err != nil {
		return fmt.Errorf("create admin: %w", err)
	}
	if generated {
		fmt.Fprintf(out, "kefu: created user admin with password %s (shown once; set KEFU_ADMIN_PASSWORD to choose it)\n", pw)
	}
	return nil
}

// Handler is the whole HTTP surface: /api/ and the UI, behind request ids,
// access logs, panic recovery, security headers, body limits and
// cross-origin protection for state-changing requests.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", a.API)
	mux.Handle("/", web.New(a.Services()))

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.plainError(w, r, http.StatusForbidden, "forbidden", i18n.T("拒绝跨站请求", "cross-origin request refused"))
	}))
	var h http.Handler = cop.Handler(mux)
	h = httpkit.LimitBodyPaths(a.Config.MaxBodyBytes, map[string]int64{
		"/api/v1/documents":      max(a.Config.MaxBodyBytes, httpapi.MaxUploadBody(a.Documents.MaxSize())),
		"/customers/*/documents": max(a.Config.MaxBodyBytes, httpapi.MaxUploadBody(a.Documents.MaxSize())),
		httpapi.ImportPath:       max(a.Config.MaxBodyBytes, httpapi.MaxImportBody),
		"/customers/import":      max(a.Config.MaxBodyBytes, httpapi.MaxImportBody)}, h)
	h = httpkit.SecurityHeaders(h)
	h = httpkit.Recover(a.Log, func(w http.ResponseWriter, r *http.Request) {
		a.plainError(w, r, http.StatusInternalServerError, apperr.CodeInternal, i18n.T("服务器内部错误", "internal error"))
	}, h)
	h = httpkit.AccessLog(a.Log, h)
	return httpkit.RequestID(h)
}

// plainError answers outside a handler: JSON for the API, text for the UI.
func (a *App) plainError(w http.ResponseWriter, r *http.Request, status int, code string, msg i18n.Text) {
	text := msg.In(i18n.FromRequest(r))
	if httpkit.IsAPI(r) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":{"code":%q,"message":%q}}`+"\n", code, text)
		return
	}
	http.Error(w, text, status)
}

// refreshShared picks up calendar and policy-pack changes made by other
// kefu processes of a cluster sharing the database, until ctx ends.
func (a *App) refreshShared(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			for _, r := range []struct {
				what    string
				refresh func(context.Context) (bool, error)
			}{{"calendars", a.Calendars.Refresh}, {"policy packs", a.Policy.Refresh}} {
				if changed, err := r.refresh(ctx); err != nil && ctx.Err() == nil {
					a.Log.Warn(r.what+" refresh failed", "error", err)
				} else if changed {
					a.Log.Info(r.what + " reloaded: changed by another kefu process")
				}
			}
		}
	}
}

// Serve answers HTTP on ln until ctx is cancelled, then drains in-flight
// requests (up to 20 s) and returns nil.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if a.Config.DebugAddr != "" {
		if err := a.serveDebug(ctx, a.Config.DebugAddr); err != nil {
			return err
		}
	}
	go a.refreshShared(ctx, 5*time.Second)
	a.scheduleBackups(ctx)
	// Import jobs left running by a stopped process are marked failed.
	if n, err := a.Imports.RecoverJobs(ctx); err != nil {
		a.Log.Warn("import jobs: recovery failed", "error", err)
	} else if n > 0 {
		a.Log.Warn("import jobs marked failed: the process running them stopped", "jobs", n)
	}
	jobsDone := make(chan struct{})
	go func() { defer close(jobsDone); _ = a.Jobs.Run(ctx) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down: draining in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	<-jobsDone       // the timer loop stops with ctx
	a.Imports.Stop() // running import jobs end, recorded as failed (the server stopped)
	a.Notify.Wait()  // webhook posts already started finish and are recorded
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// inspectedHouseholds is the sampling population of a safety inspector's
// period: the service points the inspections module has closed records of
// (SMP-006: 2 % of the inspector's month, at least 20 households).
func (a *App) inspectedHouseholds(ctx context.Context, company, inspector store.ID, from, to time.Time) ([]sampling.Item, error) {
	ids, err := a.Inspections.InspectedHouseholds(ctx, company, inspector, from, to)
	if err != nil {
		return nil, err
	}
	items := make([]sampling.Item, len(ids))
	for i, id := range ids {
		items[i] = sampling.Item{ID: id}
	}
	return items, nil
}
