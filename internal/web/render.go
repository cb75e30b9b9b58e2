package web

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
)

//go:embed templates
var templateFS embed.FS

const flashCookie = "kefu_flash"

// request is one UI request: the signed-in principal (nil on public pages)
// and the language of the answer.
type request struct {
	*http.Request
	P     *auth.Principal
	Lang  i18n.Locale
	flash string
}

// uiLocale is the language of the UI: the one chosen with the language
// switch, else Chinese. (Browsers often announce English even on Chinese
// office machines, so Accept-Language does not decide.)
func uiLocale(r *http.Request) i18n.Locale {
	if c, err := r.Cookie(i18n.CookieName); err == nil {
		if l, ok := i18n.Parse(c.Value); ok {
			return l
		}
	}
	return i18n.ZH
}

func (s *Server) newRequest(r *http.Request) *request {
	rq := &request{Request: r, Lang: uiLocale(r)}
	if c, err := r.Cookie(flashCookie); err == nil {
		rq.flash = c.Value
	}
	return rq
}

// Page is what every template gets: the layout's data and the page's own (Data, Form).
type Page struct {
	Lang     i18n.Locale
	Title    string
	Active   string // key of the highlighted navigation entry
	P        *auth.Principal
	UnitName string
	Nav      []navSection
	Flash    string
	Path     string // the current URL, for the language switch
	Version  string
	Data     any
	Form     *Form
	Bare     bool // render without navigation (login, signed-out errors)
	Unread   int  // unread notifications, shown on the bell of the top bar
	Bell     bool // the top bar has a bell (notifications are on)
}

// Can reports whether the signed-in user holds a permission.
func (p *Page) Can(perm string) bool { return p.P.Can(auth.Permission(perm)) }

// IsEN reports whether the page is in English.
func (p *Page) IsEN() bool { return p.Lang == i18n.EN }

// newPage starts the data of a signed-in page.
func (s *Server) newPage(rq *request, titleKey, active string) *Page {
	pg := &Page{Lang: rq.Lang, Title: label(titleKey).In(rq.Lang), Active: active, P: rq.P,
		Path: rq.URL.RequestURI(), Version: s.version}
	if rq.P != nil {
		pg.Nav = navFor(rq.P, active, rq.Lang)
		pg.Bell, pg.Unread = s.notify != nil, s.unread(rq)
		if u, err := s.org.Get(rq.Context(), rq.P.OrgUnitID); err == nil {
			pg.UnitName = u.Name
		}
	} else {
		pg.Bare = true
	}
	return pg
}

// views holds the parsed page templates, one set per locale so that the
// template func t is bound to the language. Every page gets the layout and
// the parts in templates/partials.
type views struct {
	sets map[i18n.Locale]map[string]*template.Template
}

func parseViews(a *assets) (*views, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	v := &views{sets: map[i18n.Locale]map[string]*template.Template{}}
	for _, l := range []i18n.Locale{i18n.ZH, i18n.EN} {
		base, err := template.New("base").Funcs(funcs(l, a)).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html")
		if err != nil {
			return nil, err
		}
		v.sets[l] = map[string]*template.Template{}
		for _, n := range names {
			name := strings.TrimSuffix(path.Base(n), ".html")
			if name == "layout" {
				continue
			}
			t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
			if err != nil {
				return nil, err
			}
			v.sets[l][name] = t
		}
	}
	return v, nil
}

// render writes a page: the view's "content" inside the layout. It renders
// to a buffer first, so a template error answers 500 and not half a page.
func (s *Server) render(w http.ResponseWriter, rq *request, status int, view string, pg *Page) {
	if rq.flash != "" {
		if txt, ok := labels["flash."+rq.flash]; ok {
			pg.Flash = txt.In(rq.Lang)
		}
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
			SameSite: http.SameSiteLaxMode, Secure: s.secure || rq.TLS != nil})
	}
	t, ok := s.views.sets[pg.Lang][view]
	if !ok {
		t = s.views.sets[i18n.ZH][view]
	}
	root := "layout"
	if pg.Bare {
		root = "bare"
	}
	var buf bytes.Buffer
	if t == nil {
		s.log.ErrorContext(rq.Context(), "web: no such view", "view", view)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, root, pg); err != nil {
		s.log.ErrorContext(rq.Context(), "web: render", "view", view, "error", err)
		http.Error(w, label("error.internal").In(pg.Lang), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorPage is the data of the error view.
type errorPage struct {
	Status  int
	Heading string
	Message string
}

func (s *Server) errorPage(w http.ResponseWriter, rq *request, status int, heading, msg string) {
	pg := s.newPage(rq, "error.title", "")
	pg.Title = heading
	pg.Data = errorPage{Status: status, Heading: heading, Message: msg}
	s.render(w, rq, status, "error", pg)
}

// forbidden answers 403 with the permission that is missing.
func (s *Server) forbidden(w http.ResponseWriter, rq *request, perm auth.Permission) {
	s.errorPage(w, rq, http.StatusForbidden, label("error.forbidden").In(rq.Lang),
		label("error.forbidden_perm", string(perm)).In(rq.Lang))
}

// fail turns an error from a handler into an error page: the apperr's own
// status and message, or a logged 500.
func (s *Server) fail(w http.ResponseWriter, rq *request, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.errorPage(w, rq, http.StatusRequestEntityTooLarge, label("error.title").In(rq.Lang),
			label("error.too_large").In(rq.Lang))
		return
	}
	e, ok := apperr.As(err)
	if !ok {
		s.log.ErrorContext(rq.Context(), "web: handler failed", "path", rq.URL.Path, "error", err)
		s.errorPage(w, rq, http.StatusInternalServerError, label("error.title").In(rq.Lang),
			label("error.internal").In(rq.Lang))
		return
	}
	switch e.Status {
	case http.StatusUnauthorized:
		s.toLogin(w, rq.Request)
	case http.StatusForbidden:
		s.errorPage(w, rq, e.Status, label("error.forbidden").In(rq.Lang), e.Message.In(rq.Lang))
	case http.StatusNotFound:
		s.errorPage(w, rq, e.Status, label("error.not_found").In(rq.Lang), label("error.not_found_msg").In(rq.Lang))
	default:
		s.errorPage(w, rq, e.Status, label("error.title").In(rq.Lang), e.Message.In(rq.Lang))
	}
}

// statusOf is the HTTP status to answer a form re-rendered after err.
func statusOf(err error) int {
	if e, ok := apperr.As(err); ok {
		return e.Status
	}
	return http.StatusUnprocessableEntity
}

func notFound() error { return apperr.NotFound("page") }
