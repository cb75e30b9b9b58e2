package httpapi

import (
	"net/http"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/httpkit"
	"kefu/internal/i18n"
)

// LoginRequest is the body of POST /api/v1/auth/login.
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// LoginResponse carries the bearer token (also set as the session cookie).
type LoginResponse struct {
	Token string    `json:"token"`
	User  auth.User `json:"user"`
}

// Me is the signed-in user with what they may do.
type Me struct {
	auth.User
	Permissions []auth.Permission `json:"permissions"`
}

// PasswordChange is the body of POST /api/v1/auth/password.
type PasswordChange struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (a *API) authRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/api/v1/auth/login", Public: true, Tag: "auth",
			Summary: "登录 Sign in; answers a bearer token and sets the session cookie",
			Request: LoginRequest{}, Response: LoginResponse{}, handle: a.login},
		{Method: "POST", Path: "/api/v1/auth/logout", Tag: "auth", Summary: "退出 End the current session",
			Status: http.StatusNoContent, handle: a.logout},
		{Method: "GET", Path: "/api/v1/auth/me", Tag: "auth", Summary: "当前用户 The signed-in user and their permissions",
			Response: Me{}, handle: a.me},
		{Method: "POST", Path: "/api/v1/auth/password", Tag: "auth",
			Summary: "修改密码 Change one's own password; other sessions end", Request: PasswordChange{},
			Status: http.StatusNoContent, handle: a.changePassword},
	}
}

func (a *API) login(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	var in LoginRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Username == "" {
		return apperr.Required("username")
	}
	if in.Password == "" {
		return apperr.Required("password")
	}
	token, u, err := a.auth.Login(r.Context(), in.Username, in.Password, httpkit.ClientIP(r), r.UserAgent())
	if err != nil {
		return err
	}
	SetSessionCookie(w, r, token, int(a.auth.SessionTTL().Seconds()), a.secureCookies)
	writeJSON(w, http.StatusOK, LoginResponse{Token: token, User: u})
	return nil
}

// SetSessionCookie sets (maxAge > 0) or clears (maxAge < 0) the session
// cookie: HttpOnly, SameSite=Lax, Secure over HTTPS.
func SetSessionCookie(w http.ResponseWriter, r *http.Request, token string, maxAge int, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: auth.SessionCookie, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure || r.TLS != nil})
}

func (a *API) logout(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if err := a.auth.Logout(r.Context(), p); err != nil {
		return err
	}
	SetSessionCookie(w, r, "", -1, a.secureCookies)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) me(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	u, err := a.auth.Get(r.Context(), p, p.UserID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Me{User: u, Permissions: permissionsOf(p)})
	return nil
}

func permissionsOf(p *auth.Principal) []auth.Permission {
	seen := map[auth.Permission]bool{}
	out := []auth.Permission{}
	for _, key := range p.Roles {
		info, _ := auth.LookupRole(key)
		for _, perm := range info.Permissions {
			if !seen[perm] {
				seen[perm] = true
				out = append(out, perm)
			}
		}
	}
	return out
}

func (a *API) changePassword(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in PasswordChange
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.CurrentPassword == "" {
		return apperr.Validation("current_password", i18n.T("必填项", "is required"))
	}
	if err := a.auth.ChangePassword(r.Context(), p, in.CurrentPassword, in.NewPassword); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
