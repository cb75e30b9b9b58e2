package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kefu/internal/auth"
)

func TestUsersListFilters(t *testing.T) {
	e := newEnv(t)
	e.user("field1", "孙师傅", e.dept, auth.RoleFieldStaff)
	off := e.user("gone", "离职员工", e.co, auth.RoleCSAgent)
	admin := e.signedIn("admin")
	f := false
	if _, err := e.auth.Update(context.Background(), nil2admin(t, e), off.ID, auth.UpdateUserInput{Active: &f}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		query      string
		want, lack []string
	}{
		{"", []string{"admin", "agent", "super", "field1", "gone"}, nil},
		{"q=%E5%AD%99", []string{"field1"}, []string{">agent<", ">super<"}},
		{"q=SUP", []string{">super<"}, []string{">agent<"}},
		{"role=cs_agent", []string{">agent<", ">gone<"}, []string{">super<", ">field1<"}},
		{"org_unit=" + e.dept.ID.String(), []string{">agent<", ">super<", ">field1<"}, []string{">admin<", ">gone<"}},
		{"active=false", []string{">gone<"}, []string{">agent<"}},
		{"active=true&role=cs_agent", []string{">agent<"}, []string{">gone<"}},
		{"q=nobody", []string{"没有符合条件的用户"}, nil},
	} {
		res := admin.get("/admin/users?" + tc.query)
		res.want(t, http.StatusOK, tc.want...)
		res.lacks(t, tc.lack...)
	}
	// Paging: two a page, "下一页" carries the filter and the cursor.
	admin.get("/admin/users?limit=1&role=cs_agent").want(t, http.StatusOK, "下一页")
	admin.get("/admin/users?limit=2&role=cs_agent").lacks(t, "下一页")
	res := admin.get("/admin/users?limit=2")
	m := regexp.MustCompile(`href="([^"]*)" id="next-page"`).FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("no next-page link\n%s", res.body)
	}
	next := strings.ReplaceAll(m[1], "&amp;", "&")
	if !strings.Contains(next, "after=") || !strings.Contains(next, "limit=2") {
		t.Fatalf("next link %q", next)
	}
	page2 := admin.get(next)
	page2.want(t, http.StatusOK, ">super<", "首页")
	page2.lacks(t, ">admin<")
}

// nil2admin is a principal with the admin role, for changes outside the UI.
func nil2admin(t *testing.T, e *env) *auth.Principal {
	t.Helper()
	u, err := e.auth.ByUsername(context.Background(), "admin")
	if err != nil {
		t.Fatal(err)
	}
	return &auth.Principal{UserID: u.ID, Username: u.Username, Roles: u.Roles, OrgUnitID: u.OrgUnit, OrgPath: e.root.Path}
}

func TestCreateUserInvalidKeepsValuesAndWritesNothing(t *testing.T) {
	e := newEnv(t)
	admin := e.signedIn("admin")
	before, _ := e.auth.Count(context.Background())
	form := url.Values{"username": {"张三!"}, "display_name": {"张三"}, "password": {"good-pass-2026"},
		"org_unit": {e.dept.ID.String()}, "position": {"热线员"}, "phone": {"0571-88886666"},
		"roles": {"cs_agent", "viewer"}, "must_change_password": {"1"}}
	res := admin.post("/admin/users/new", form)
	res.want(t, http.StatusUnprocessableEntity, `value="张三"`, `value="热线员"`, `value="0571-88886666"`)
	if msg := fieldError(res.body, "f-username"); !strings.Contains(msg, "用户名须为2–64位") {
		t.Errorf("username error %q", msg)
	}
	if !strings.Contains(res.body, `value="cs_agent" checked`) || !strings.Contains(res.body, `value="viewer" checked`) {
		t.Error("ticked roles were not kept")
	}
	if strings.Contains(res.body, "good-pass-2026") {
		t.Error("the password was echoed back")
	}
	if !strings.Contains(res.body, `<option value="`+e.dept.ID.String()+`" selected>`) {
		t.Error("the chosen org unit was not kept")
	}

	form.Set("username", "zhangsan")
	form.Set("phone", "not a phone!")
	res = admin.post("/admin/users/new", form)
	res.want(t, http.StatusUnprocessableEntity)
	if msg := fieldError(res.body, "f-phone"); msg != "电话号码格式不正确" {
		t.Errorf("phone error %q", msg)
	}
	form.Set("phone", "")
	form.Set("password", "short")
	if msg := fieldError(admin.post("/admin/users/new", form).body, "f-password"); msg != "密码至少8位" {
		t.Errorf("password error %q", msg)
	}
	form.Set("password", "good-pass-2026")
	form.Del("roles")
	res = admin.post("/admin/users/new", form)
	res.want(t, http.StatusUnprocessableEntity, "至少选择一个角色")
	form.Set("roles", "cs_agent")
	form.Set("username", "agent")
	admin.post("/admin/users/new", form).want(t, http.StatusConflict, "用户名已存在")

	if after, _ := e.auth.Count(context.Background()); after != before {
		t.Fatalf("invalid forms wrote users: %d → %d", before, after)
	}
}

func TestCreateUser(t *testing.T) {
	e := newEnv(t)
	admin := e.signedIn("admin")
	admin.get("/admin/users/new").want(t, http.StatusOK, "新建用户", "客服专员/热线员", "　└ 客服中心", `name="must_change_password" value="1" checked`)
	res := admin.post("/admin/users/new", url.Values{"username": {"zhang.san"}, "display_name": {"张三"},
		"password": {"good-pass-2026"}, "org_unit": {e.dept.ID.String()}, "roles": {"cs_agent"}})
	if res.status != http.StatusSeeOther || res.location != "/admin/users?created=zhang.san" {
		t.Fatalf("create: %d → %q\n%s", res.status, res.location, res.body)
	}
	list := admin.get(res.location)
	list.want(t, http.StatusOK, "用户已创建", `class="highlight"`, "zhang.san", "张三")
	admin.get(res.location).lacks(t, "用户已创建") // the flash shows once
	u, err := e.auth.ByUsername(context.Background(), "zhang.san")
	if err != nil || u.OrgUnit != e.dept.ID || len(u.Roles) != 1 || u.Roles[0] != auth.RoleCSAgent {
		t.Fatalf("created user %+v, %v", u, err)
	}
}

func TestEditUserAndResetPassword(t *testing.T) {
	e := newEnv(t)
	admin := e.signedIn("admin")
	agent, _ := e.auth.ByUsername(context.Background(), "agent")
	path := "/admin/users/" + agent.ID.String()
	admin.get(path).want(t, http.StatusOK, "王芳", "基本信息", "重置密码", `value="cs_agent" checked`)

	res := admin.post(path, url.Values{"display_name": {""}, "roles": {"cs_agent"}, "org_unit": {e.dept.ID.String()}, "active": {"1"}})
	res.want(t, http.StatusUnprocessableEntity)
	if msg := fieldError(res.body, "f-display_name"); msg != "必填项" {
		t.Errorf("display name error %q", msg)
	}
	res = admin.post(path, url.Values{"display_name": {"王芳芳"}, "position": {"班长"}, "email": {"wf@example.cn"},
		"roles": {"cs_agent", "cs_supervisor"}, "org_unit": {e.co.ID.String()}, "active": {"1"}})
	if res.status != http.StatusSeeOther || res.location != path {
		t.Fatalf("update: %d → %q\n%s", res.status, res.location, res.body)
	}
	admin.get(path).want(t, http.StatusOK, "已保存", "王芳芳", `value="班长"`, `value="cs_supervisor" checked`)
	u, _ := e.auth.ByUsername(context.Background(), "agent")
	if u.DisplayName != "王芳芳" || u.OrgUnit != e.co.ID || len(u.Roles) != 2 {
		t.Fatalf("after update: %+v", u)
	}

	res = admin.post(path+"/password", url.Values{"password": {"reset-2026-x"}, "confirm_password": {"reset-2026-y"}})
	res.want(t, http.StatusUnprocessableEntity, "两次输入的新密码不一致")
	res = admin.post(path+"/password", url.Values{"password": {"reset-2026-x"}, "confirm_password": {"reset-2026-x"}, "must_change_password": {"1"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("reset: %d\n%s", res.status, res.body)
	}
	admin.get(path).want(t, http.StatusOK, "密码已重置")
	c := e.client()
	res = c.post("/login", url.Values{"username": {"agent"}, "password": {"reset-2026-x"}})
	if !strings.HasPrefix(res.location, "/account/password") {
		t.Errorf("login after reset → %q", res.location)
	}

	// Deactivating the last administrator is refused, shown on the form.
	me, _ := e.auth.ByUsername(context.Background(), "admin")
	res = admin.post("/admin/users/"+me.ID.String(), url.Values{"display_name": {"系统管理员"}, "roles": {"admin"},
		"org_unit": {e.root.ID.String()}})
	res.want(t, http.StatusConflict, "至少要保留一名在用的系统管理员")
	admin.get("/admin/users/999999").want(t, http.StatusNotFound, "页面不存在")
}

func TestAgentIsRefusedUsers(t *testing.T) {
	e := newEnv(t)
	agent := e.signedIn("agent")
	home := agent.get("/")
	home.want(t, http.StatusOK, "王芳", "客服专员/热线员", "客服中心", "工单", "建设中")
	home.lacks(t, `href="/admin/users"`, `href="/admin/audit"`, "系统状态", "案场接待")
	for _, p := range []string{"/admin/users", "/admin/users/new", "/admin/users/1", "/admin/audit"} {
		agent.get(p).want(t, http.StatusForbidden, "无权访问")
	}
	before, _ := e.auth.Count(context.Background())
	agent.post("/admin/users/new", url.Values{"username": {"sneaky"}, "password": {pw}, "roles": {"admin"}}).
		want(t, http.StatusForbidden, "无权访问")
	agent.post("/admin/users/1/password", url.Values{"password": {"hijack-2026"}, "confirm_password": {"hijack-2026"}}).
		want(t, http.StatusForbidden)
	if after, _ := e.auth.Count(context.Background()); after != before {
		t.Fatal("a refused POST created a user")
	}
	if _, _, err := e.auth.Login(context.Background(), "admin", pw, "127.0.0.9", "test"); err != nil {
		t.Fatalf("admin password changed by a refused POST: %v", err)
	}
}

func TestSupervisorReadsButCannotWrite(t *testing.T) {
	e := newEnv(t)
	sup := e.signedIn("super")
	res := sup.get("/admin/users")
	res.want(t, http.StatusOK, ">agent<", ">super<")
	res.lacks(t, "新建用户", ">admin<") // no form, and row scope hides the root's admin
	agent, _ := e.auth.ByUsername(context.Background(), "agent")
	detail := sup.get("/admin/users/" + agent.ID.String())
	detail.want(t, http.StatusOK, "王芳")
	detail.lacks(t, "<form method=\"post\" action=\"/admin/users/", "重置密码")
	sup.post("/admin/users/"+agent.ID.String(), url.Values{"display_name": {"x"}}).want(t, http.StatusForbidden)
	admin, _ := e.auth.ByUsername(context.Background(), "admin")
	sup.get("/admin/users/"+admin.ID.String()).want(t, http.StatusNotFound)
}
