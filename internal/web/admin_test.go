package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestOrgTreeAndChanges(t *testing.T) {
	e := newEnv(t)
	admin := e.signedIn("admin")
	res := admin.get("/admin/org")
	res.want(t, http.StatusOK, "集团总部", "燃气公司", "客服中心", "集团", "公司", "部门", "燃气", "添加下级单位", `class="tree-name d2"`)

	// A unit with no name: the error sits next to the field, nothing is written.
	res = admin.post("/admin/org", url.Values{"parent_id": {e.dept.ID.String()}, "kind": {"team"}, "name": {""}})
	res.want(t, http.StatusUnprocessableEntity)
	if msg := fieldError(res.body, "a-name"); msg != "必填项" {
		t.Errorf("name error %q", msg)
	}
	res = admin.post("/admin/org", url.Values{"parent_id": {e.dept.ID.String()}, "kind": {"company"}, "name": {"错层公司"}})
	res.want(t, http.StatusUnprocessableEntity, "部门下不能设公司", `value="错层公司"`)

	res = admin.post("/admin/org", url.Values{"parent_id": {e.dept.ID.String()}, "kind": {"team"}, "name": {"投诉组"}, "code": {"TS"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", res.status, res.body)
	}
	admin.get("/admin/org").want(t, http.StatusOK, "单位已添加", "投诉组", `class="tree-name d3"`)
	units, _ := e.org.List(context.Background())
	team := units[len(units)-1]
	if team.Name != "投诉组" {
		t.Fatalf("last unit %+v", team)
	}
	path := "/admin/org/" + team.ID.String()
	admin.get("/admin/org?edit="+team.ID.String()).want(t, http.StatusOK, "编辑单位", `value="投诉组"`)

	// Rename, deactivate and move under the company (a team may not sit under a company).
	res = admin.post(path, url.Values{"name": {"投诉处理组"}, "code": {"TS"}, "parent_id": {e.co.ID.String()}, "active": {"1"}})
	res.want(t, http.StatusUnprocessableEntity, "公司下不能设班组", `value="投诉处理组"`)
	res = admin.post(path, url.Values{"name": {"投诉处理组"}, "code": {"TS2"}, "parent_id": {e.dept.ID.String()}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", res.status, res.body)
	}
	u, _ := e.org.Get(context.Background(), team.ID)
	if u.Name != "投诉处理组" || u.Code != "TS2" || u.Active {
		t.Fatalf("after update %+v", u)
	}
	// The root stays active whatever the form says.
	res = admin.post("/admin/org/"+e.root.ID.String(), url.Values{"name": {"集团总部"}, "active": {"1"}})
	res.want(t, http.StatusSeeOther)

	// org:read without org:write sees the tree, no forms; POSTs are refused.
	agent := e.signedIn("agent")
	res = agent.get("/admin/org")
	res.want(t, http.StatusOK, "燃气公司")
	res.lacks(t, "添加下级单位", `action="/admin/org`)
	agent.post("/admin/org", url.Values{"parent_id": {e.dept.ID.String()}, "kind": {"team"}, "name": {"x"}}).
		want(t, http.StatusForbidden)
	agent.post(path, url.Values{"name": {"x"}}).want(t, http.StatusForbidden)
}

func TestAuditPageAndVerify(t *testing.T) {
	e := newEnv(t)
	admin := e.signedIn("admin")
	res := admin.get("/admin/audit")
	res.want(t, http.StatusOK, "审计日志", "新建用户", "user.create", "登录", "校验审计链")
	res.lacks(t, "审计链完整")
	res = admin.get("/admin/audit?object_type=org_unit")
	res.want(t, http.StatusOK, "新建单位")
	res.lacks(t, `small">user.create<`)
	res = admin.get("/admin/audit?action=auth.login&verify=1")
	res.want(t, http.StatusOK, "审计链完整", `id="verify-result"`, `small">auth.login<`)
	res.lacks(t, `small">org_unit.create<`)
	e.signedIn("super").get("/admin/audit").want(t, http.StatusForbidden)
}

func TestAuditPaging(t *testing.T) {
	e := newEnv(t)
	admin := e.signedIn("admin")
	res := admin.get("/admin/audit?limit=3")
	m := regexp.MustCompile(`href="([^"]*)" id="next-page"`).FindStringSubmatch(res.body)
	if m == nil {
		t.Fatal("no next page with more than 50 rows")
	}
	next := strings.ReplaceAll(m[1], "&amp;", "&")
	page2 := admin.get(next)
	page2.want(t, http.StatusOK, "下一页", "最新")
	seq := regexp.MustCompile(`<td class="mono">(\d+)</td>`)
	first, second := seq.FindAllStringSubmatch(res.body, -1), seq.FindAllStringSubmatch(page2.body, -1)
	if len(first) != 3 || len(second) != 3 {
		t.Fatalf("pages %v then %v", first, second)
	}
	last, _ := strconv.Atoi(first[2][1])
	next1, _ := strconv.Atoi(second[0][1])
	if next1 != last-1 {
		t.Errorf("page 2 starts at %d after %d", next1, last)
	}
}

func TestHomeShowsStatusToAdmins(t *testing.T) {
	e := newEnv(t)
	res := e.signedIn("admin").get("/")
	res.want(t, http.StatusOK, "系统管理员", "集团总部", "系统状态", "SQLite", "test", `href="/admin/users"`, `href="/admin/audit"`, "日历", "政策包")
	e.signedIn("super").get("/").lacks(t, "系统状态")
}

// The strict CSP forbids inline scripts and styles: no page may use them.
func TestPagesHaveNoInlineScriptOrStyle(t *testing.T) {
	e := newEnv(t)
	admin := e.signedIn("admin")
	agent, _ := e.auth.ByUsername(context.Background(), "agent")
	pages := []response{e.client().get("/login"), admin.get("/"), admin.get("/admin/users"), admin.get("/admin/users/new"),
		admin.get("/admin/users/" + agent.ID.String()), admin.get("/admin/org?edit=" + e.dept.ID.String()),
		admin.get("/admin/audit?verify=1"), admin.get("/account/password"), admin.get("/nope")}
	inline := regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]|<style|\sstyle=|\son[a-z]+=|javascript:`)
	for i, p := range pages {
		if p.status != http.StatusOK && p.status != http.StatusNotFound {
			t.Errorf("page %d: status %d", i, p.status)
		}
		if m := inline.FindString(p.body); m != "" {
			t.Errorf("page %d has inline code %q", i, m)
		}
	}
	css := e.client().get("/static/kefu.css")
	css.want(t, http.StatusOK, "@media print")
	if ct := css.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("kefu.css Content-Type %q", ct)
	}
	e.client().get("/static/").want(t, http.StatusNotFound)
	e.client().get("/static/nope.js").want(t, http.StatusNotFound)
}
