package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSignedOutGoesToLogin(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	for path, want := range map[string]string{
		"/":                 "/login",
		"/admin/users":      "/login?next=%2Fadmin%2Fusers",
		"/admin/org?x=1":    "/login?next=%2Fadmin%2Forg%3Fx%3D1",
		"/no/such/page":     "/login?next=%2Fno%2Fsuch%2Fpage",
		"/account/password": "/login?next=%2Faccount%2Fpassword",
	} {
		res := c.get(path)
		if res.status != http.StatusSeeOther || res.location != want {
			t.Errorf("GET %s: %d → %q, want 303 → %q", path, res.status, res.location, want)
		}
	}
	c.post("/admin/users/new", url.Values{"username": {"x"}}).want(t, http.StatusSeeOther)
	c.get("/login").want(t, http.StatusOK, "用户名", "密码", `name="username"`, "kefu 客服")
}

func TestLoginSetsSessionCookie(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	res := c.post("/login", url.Values{"username": {"admin"}, "password": {pw}, "next": {"/admin/users?q=a"}})
	if res.status != http.StatusSeeOther || res.location != "/admin/users?q=a" {
		t.Fatalf("login: %d → %q", res.status, res.location)
	}
	sc := res.header.Get("Set-Cookie")
	for _, attr := range []string{"kefu_session=", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(sc, attr) {
			t.Errorf("Set-Cookie %q lacks %s", sc, attr)
		}
	}
	c.get("/admin/users").want(t, http.StatusOK, "用户管理", "系统管理员")
	// Signed in, the login page goes straight on.
	if res := c.get("/login?next=/admin/org"); res.location != "/admin/org" {
		t.Errorf("login page when signed in: → %q", res.location)
	}
}

func TestLoginRefusesForeignNext(t *testing.T) {
	e := newEnv(t)
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"} {
		res := e.client().post("/login", url.Values{"username": {"admin"}, "password": {pw}, "next": {next}})
		if res.location != "/" {
			t.Errorf("next=%q: redirected to %q", next, res.location)
		}
	}
}

func TestLoginWrongPasswordShowsInlineError(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	res := c.post("/login", url.Values{"username": {"admin"}, "password": {"wrong-password"}})
	res.want(t, http.StatusUnauthorized, "用户名或密码错误", `value="admin"`)
	if c.cookie("kefu_session") != nil {
		t.Error("a failed login set the session cookie")
	}
	res = c.post("/login", url.Values{"username": {""}, "password": {""}})
	res.want(t, http.StatusUnprocessableEntity, "请输入用户名", "请输入密码")
}

func TestLoginRateLimitShowsMessage(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	var res response
	for range 6 {
		res = c.post("/login", url.Values{"username": {"agent"}, "password": {"wrong-password"}})
	}
	res.want(t, http.StatusTooManyRequests, "登录失败次数过多")
}

func TestLogout(t *testing.T) {
	e := newEnv(t)
	c := e.signedIn("agent")
	c.get("/").want(t, http.StatusOK)
	res := c.post("/logout", nil)
	if res.status != http.StatusSeeOther || res.location != "/login" {
		t.Fatalf("logout: %d → %q", res.status, res.location)
	}
	c.get("/login").want(t, http.StatusOK, "您已安全退出")
	if res := c.get("/"); res.status != http.StatusSeeOther {
		t.Errorf("after logout GET /: %d", res.status)
	}
}

func TestMustChangePasswordFirst(t *testing.T) {
	e := newEnv(t)
	admin := e.signedIn("admin")
	admin.post("/admin/users/new", url.Values{"username": {"newbie"}, "password": {"initial-2026"},
		"roles": {"cs_agent"}, "org_unit": {e.dept.ID.String()}, "must_change_password": {"1"}}).want(t, http.StatusSeeOther)

	c := e.client()
	res := c.post("/login", url.Values{"username": {"newbie"}, "password": {"initial-2026"}, "next": {"/admin/org"}})
	if res.location != "/account/password?next=%2Fadmin%2Forg" {
		t.Fatalf("login with must_change_password → %q", res.location)
	}
	if res := c.get("/"); !strings.HasPrefix(res.location, "/account/password") {
		t.Fatalf("GET / before the change → %d %q", res.status, res.location)
	}
	c.get("/account/password?next=%2Fadmin%2Forg").want(t, http.StatusOK, "请先设置新密码")

	res = c.post("/account/password", url.Values{"current_password": {"initial-2026"}, "new_password": {"mine-2026-x"},
		"confirm_password": {"other-2026-x"}, "next": {"/admin/org"}})
	res.want(t, http.StatusUnprocessableEntity, "两次输入的新密码不一致")
	res = c.post("/account/password", url.Values{"current_password": {"bad"}, "new_password": {"mine-2026-x"},
		"confirm_password": {"mine-2026-x"}, "next": {"/admin/org"}})
	res.want(t, http.StatusUnprocessableEntity, "当前密码不正确")
	res = c.post("/account/password", url.Values{"current_password": {"initial-2026"}, "new_password": {"mine-2026-x"},
		"confirm_password": {"mine-2026-x"}, "next": {"/admin/org"}})
	if res.status != http.StatusSeeOther || res.location != "/admin/org" {
		t.Fatalf("change: %d → %q\n%s", res.status, res.location, res.body)
	}
	c.get("/admin/org").want(t, http.StatusOK, "密码已修改", "组织机构")
}

func TestLanguageSwitchRendersEnglish(t *testing.T) {
	e := newEnv(t)
	c := e.signedIn("admin")
	c.get("/admin/users").want(t, http.StatusOK, "用户管理", "退出", `href="/lang/en?next=%2fadmin%2fusers"`)
	res := c.get("/lang/en?next=%2Fadmin%2Fusers")
	if res.status != http.StatusSeeOther || res.location != "/admin/users" {
		t.Fatalf("switch: %d → %q", res.status, res.location)
	}
	if ck := c.cookie("kefu_lang"); ck == nil || ck.Value != "en" {
		t.Fatalf("language cookie: %v", ck)
	}
	res = c.get("/admin/users")
	res.want(t, http.StatusOK, `lang="en"`, "Users", "Sign out", "New user", "Administrator", "Customer service agent")
	res.lacks(t, "用户管理", "退出", "新建用户")
	// Errors from the services come in English too.
	c.post("/admin/users/new", url.Values{"username": {"x y"}, "password": {pw}, "roles": {"cs_agent"}}).
		want(t, http.StatusUnprocessableEntity, "username must be 2–64 letters")
	c.get("/lang/zh-CN?next=/")
	c.get("/").want(t, http.StatusOK, "工作台")
}
