package web

import (
	"net/http"
	"net/url"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/httpapi"
	"kefu/internal/httpkit"
	"kefu/internal/i18n"
)

// loginPage shows the sign-in form; a signed-in visitor goes on at once.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	rq := s.newRequest(r)
	next := localPath(r.URL.Query().Get("next"), "/")
	if p, err := s.auth.Principal(r.Context(), auth.TokenFromRequest(r)); err == nil && p != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	f := newForm(url.Values{"next": {next}})
	s.renderLogin(w, rq, http.StatusOK, f)
}

func (s *Server) renderLogin(w http.ResponseWriter, rq *request, status int, f *Form) {
	pg := s.newPage(rq, "login.title", "")
	pg.Form = f
	s.render(w, rq, status, "login", pg)
}

// loginSubmit checks the password, sets the session cookie and goes on to
// the page asked for (or to the password page when it must be changed).
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	rq := s.newRequest(r)
	if err := r.ParseForm(); err != nil {
		s.fail(w, rq, apperr.Malformed(i18n.T("表单无法读取", "the form cannot be read")))
		return
	}
	f := newForm(url.Values{"username": {r.PostForm.Get("username")},
		"next": {localPath(r.PostForm.Get("next"), "/")}})
	username, password := f.text("username"), r.PostForm.Get("password")
	if username == "" {
		f.Errors["username"] = label("login.need_username").In(rq.Lang)
	}
	if password == "" {
		f.Errors["password"] = label("login.need_password").In(rq.Lang)
	}
	if f.HasErrors() {
		s.renderLogin(w, rq, http.StatusUnprocessableEntity, f)
		return
	}
	token, u, err := s.auth.Login(r.Context(), username, password, httpkit.ClientIP(r), r.UserAgent())
	if err != nil {
		e, ok := apperr.As(err)
		if !ok {
			s.fail(w, rq, err)
			return
		}
		f.Alert = e.Message.In(rq.Lang)
		s.renderLogin(w, rq, e.Status, f)
		return
	}
	httpapi.SetSessionCookie(w, r, token, int(s.auth.SessionTTL().Seconds()), s.secure)
	next := f.Get("next")
	if u.MustChangePassword {
		next = "/account/password?next=" + url.QueryEscape(next)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout ends the session and clears the cookie.
func (s *Server) logout(w http.ResponseWriter, rq *request) error {
	if err := s.auth.Logout(rq.Context(), rq.P); err != nil {
		return err
	}
	httpapi.SetSessionCookie(w, rq.Request, "", -1, s.secure)
	s.seeOther(w, rq.Request, "/login", "logged_out")
	return nil
}

// switchLang remembers the chosen language and reloads the page the user was on.
func (s *Server) switchLang(w http.ResponseWriter, r *http.Request) {
	l, ok := i18n.Parse(r.PathValue("lang"))
	if !ok {
		l = i18n.ZH
	}
	http.SetCookie(w, &http.Cookie{Name: i18n.CookieName, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure || r.TLS != nil})
	http.Redirect(w, r, localPath(r.URL.Query().Get("next"), "/"), http.StatusSeeOther)
}

// passwordPage shows the form to change one's own password.
func (s *Server) passwordPage(w http.ResponseWriter, rq *request) error {
	f := newForm(url.Values{"next": {localPath(rq.URL.Query().Get("next"), "/")}})
	s.renderPassword(w, rq, http.StatusOK, f)
	return nil
}

func (s *Server) renderPassword(w http.ResponseWriter, rq *request, status int, f *Form) {
	pg := s.newPage(rq, "password.title", "password")
	pg.Form = f
	s.render(w, rq, status, "password", pg)
}

// passwordSubmit changes the password; the user's other sessions end.
func (s *Server) passwordSubmit(w http.ResponseWriter, rq *request) error {
	if err := rq.ParseForm(); err != nil {
		return err
	}
	pf := rq.PostForm
	f := newForm(url.Values{"next": {localPath(pf.Get("next"), "/")}})
	cur, next, confirm := pf.Get("current_password"), pf.Get("new_password"), pf.Get("confirm_password")
	switch {
	case cur == "":
		f.Errors["current_password"] = label("form.required").In(rq.Lang)
	case next != confirm:
		f.Errors["confirm_password"] = label("password.mismatch").In(rq.Lang)
	}
	if f.HasErrors() {
		s.renderPassword(w, rq, http.StatusUnprocessableEntity, f)
		return nil
	}
	if err := s.auth.ChangePassword(rq.Context(), rq.P, cur, next); err != nil {
		if !f.fail(err, rq.Lang, "current_password", "new_password") {
			return err
		}
		s.renderPassword(w, rq, statusOf(err), f)
		return nil
	}
	s.seeOther(w, rq.Request, f.Get("next"), "password_changed")
	return nil
}
