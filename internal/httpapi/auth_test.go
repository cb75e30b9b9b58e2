package httpapi_test

import (
	"bytes"
	"net/http"
	"slices"
	"testing"
	"time"

	"kefu/internal/auth"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestLoginLogout(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		agent := e.user("agent", e.root.ID, auth.RoleCSAgent)

		r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "agent", "password": testPassword})
		if r.Code != http.StatusOK {
			t.Fatalf("login: %d %s", r.Code, r.Body)
		}
		var out struct {
			Token string   `json:"token"`
			User  userJSON `json:"user"`
		}
		r.decode(t, &out)
		if out.Token == "" || out.User.ID != agent.ID.String() || out.User.Username != "agent" || !slices.Equal(out.User.Roles, []string{"cs_agent"}) {
			t.Errorf("login answer = %s", r.Body)
		}
		if bytes.Contains(r.Body, []byte("argon2")) || bytes.Contains(r.Body, []byte("password_hash")) {
			t.Errorf("login answer leaks the password hash: %s", r.Body)
		}
		var cookie *http.Cookie
		for _, c := range r.cookies() {
			if c.Name == auth.SessionCookie {
				cookie = c
			}
		}
		if cookie == nil {
			t.Fatalf("no %s cookie in %v", auth.SessionCookie, r.Header["Set-Cookie"])
		}
		if cookie.Value != out.Token || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" ||
			cookie.MaxAge != int(e.auth.SessionTTL()/time.Second) || cookie.Secure {
			t.Errorf("session cookie = %+v", cookie)
		}

		// Wrong password and unknown user: the same answer, byte for byte.
		wrong := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "agent", "password": "wrong-password"})
		unknown := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ghost", "password": testPassword})
		wantError(t, wrong, http.StatusUnauthorized, "invalid_credentials", "password")
		if unknown.Code != wrong.Code || !bytes.Equal(unknown.Body, wrong.Body) {
			t.Errorf("unknown user answers %d %s, wrong password %d %s", unknown.Code, unknown.Body, wrong.Code, wrong.Body)
		}
		if len(wrong.cookies()) != 0 {
			t.Error("failed login sets a cookie")
		}
		wantError(t, e.do("POST", "/api/v1/auth/login", "", `{"username":"agent"}`), 422, "validation_failed", "password")
		wantError(t, e.do("POST", "/api/v1/auth/login", "", `{"password":"x"}`), 422, "validation_failed", "username")

		// The cookie alone authenticates.
		cookieHdr := []string{"Cookie", auth.SessionCookie + "=" + out.Token}
		me := e.do("GET", "/api/v1/auth/me", "", nil, cookieHdr...)
		if me.Code != http.StatusOK {
			t.Fatalf("me with cookie: %d %s", me.Code, me.Body)
		}
		var mine struct {
			userJSON
			Permissions []auth.Permission `json:"permissions"`
		}
		me.decode(t, &mine)
		info, _ := auth.LookupRole(auth.RoleCSAgent)
		if mine.Username != "agent" || !slices.Equal(mine.Permissions, info.Permissions) {
			t.Errorf("me = %s, want permissions %v", me.Body, info.Permissions)
		}
		// A bearer token wins over the cookie; a non-bearer Authorization is no credential.
		wantError(t, e.do("GET", "/api/v1/auth/me", "bogus", nil, cookieHdr...), 401, "unauthorized", "")
		wantError(t, e.do("GET", "/api/v1/auth/me", "", nil, "Authorization", "Basic "+out.Token), 401, "unauthorized", "")
		wantError(t, e.do("GET", "/api/v1/auth/me", "", nil), 401, "unauthorized", "")

		var adminMe struct {
			Permissions []string `json:"permissions"`
		}
		e.do("GET", "/api/v1/auth/me", e.adminTok, nil).decode(t, &adminMe)
		if !slices.Equal(adminMe.Permissions, []string{"*"}) {
			t.Errorf("admin permissions = %v", adminMe.Permissions)
		}

		// Logout with the cookie ends the session for cookie and bearer alike.
		lo := e.do("POST", "/api/v1/auth/logout", "", nil, cookieHdr...)
		if lo.Code != http.StatusNoContent {
			t.Fatalf("logout: %d %s", lo.Code, lo.Body)
		}
		cleared := false
		for _, c := range lo.cookies() {
			cleared = cleared || (c.Name == auth.SessionCookie && c.MaxAge < 0 && c.Value == "")
		}
		if !cleared {
			t.Errorf("logout does not clear the cookie: %v", lo.Header["Set-Cookie"])
		}
		wantError(t, e.do("GET", "/api/v1/auth/me", "", nil, cookieHdr...), 401, "unauthorized", "")
		wantError(t, e.do("GET", "/api/v1/auth/me", out.Token, nil), 401, "unauthorized", "")
		if r := e.do("GET", "/api/v1/auth/me", e.adminTok, nil); r.Code != http.StatusOK {
			t.Errorf("another user's session ended too: %d", r.Code)
		}

		// Expiry by the injected clock.
		tok := e.login("agent")
		e.clk.Advance(e.auth.SessionTTL())
		wantError(t, e.do("GET", "/api/v1/auth/me", tok, nil), 401, "unauthorized", "")
	})
}

func TestChangePasswordAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.user("agent", e.root.ID, auth.RoleCSAgent)
		t1 := e.login("agent")
		t2 := e.login("agent")
		const next = "brand-new-pass"

		wantError(t, e.do("POST", "/api/v1/auth/password", t1, map[string]string{"new_password": next}), 422, "validation_failed", "current_password")
		wantError(t, e.do("POST", "/api/v1/auth/password", t1, map[string]string{"current_password": "nope-nope", "new_password": next}),
			422, "validation_failed", "current_password")
		wantError(t, e.do("POST", "/api/v1/auth/password", t1, map[string]string{"current_password": testPassword, "new_password": "short"}),
			422, "validation_failed", "new_password")
		wantError(t, e.do("POST", "/api/v1/auth/password", t1, `{"current_password":"`+testPassword+`","new_password":"`+next+`","x":1}`),
			422, "validation_failed", "x")

		r := e.do("POST", "/api/v1/auth/password", t1, map[string]string{"current_password": testPassword, "new_password": next})
		if r.Code != http.StatusNoContent {
			t.Fatalf("change password: %d %s", r.Code, r.Body)
		}
		if r := e.do("GET", "/api/v1/auth/me", t1, nil); r.Code != http.StatusOK {
			t.Errorf("current session ended: %d", r.Code)
		}
		wantError(t, e.do("GET", "/api/v1/auth/me", t2, nil), 401, "unauthorized", "")
		wantError(t, e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "agent", "password": testPassword}),
			401, "invalid_credentials", "password")
		if r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "agent", "password": next}); r.Code != http.StatusOK {
			t.Errorf("login with the new password: %d %s", r.Code, r.Body)
		}
	})
}
