package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// demoPack is a small valid pack; badPack has an unknown role on line 11
// and an unknown group on line 15.
const demoPack = `key: demo
version: 1
name: {zh: 演示包, en: Demo}
calendar: cn-office
channels:
  - key: phone
    name: {zh: 电话}
severities:
  - key: general
    name: {zh: 一般}
    handler_role: dept_staff
categories:
  - key: repair.simple
    name: {zh: 简单维修}
    group: repair
    clocks:
      - kind: resolve
        duration: 3wd
`

var badPack = strings.NewReplacer("handler_role: dept_staff", "handler_role: nobody", "group: repair", "group: repairs").Replace(demoPack)

func TestPolicyPages(t *testing.T) {
	e := newTicketEnv(t)
	agent := e.signedIn("agent")
	list := agent.get("/admin/policy")
	list.want(t, http.StatusOK, `id="packs-table"`, `data-pack="property"`, "物业管理", "cn-office", "内置", "物业公司",
		`href="/admin/policy"`)
	list.lacks(t, `id="install-link"`) // agents may read, not install
	// 物业公司 names property; 客服中心 and 工程部 inherit it; the root uses the default
	if !strings.Contains(list.body, "物业公司<span class=\"muted small\">（另有 2 个下级单位继承）") {
		t.Errorf("the property row does not say who uses it\n%s", list.body)
	}

	page := agent.get("/admin/policy/property")
	page.want(t, http.StatusOK, `id="categories"`, `id="group-repair"`, "报修", "简单维修（户内）",
		"办结 hd（自受理起）", "TKT-023", `id="severities"`, "职能部门", "客服主管", `id="channels"`, "电话/热线",
		`id="pack-units"`, "客服中心", "延期审批人", "集中反映提示", "5 张 / 7 天", "消费者协会", "v4")
	agent.get("/admin/policy/property?version=9").want(t, http.StatusNotFound)
	agent.get("/admin/policy/nosuch").want(t, http.StatusNotFound)

	agent.get("/admin/policy/install").want(t, http.StatusForbidden, "policy:write")
	agent.post("/admin/policy/install", url.Values{"yaml": {demoPack}, "action": {"install"}}).want(t, http.StatusForbidden)
	e.signedIn("viewer").get("/admin/policy").want(t, http.StatusOK, "物业管理")
	e.client().get("/admin/policy").want(t, http.StatusSeeOther)
}

func TestPolicyInstall(t *testing.T) {
	e := newTicketEnv(t)
	admin := e.signedIn("admin")
	admin.get("/admin/policy/install").want(t, http.StatusOK, `id="install-form"`, `enctype="multipart/form-data"`, `id="f-yaml"`)

	// every problem, with its line and path, next to the text; nothing stored
	for _, action := range []string{"validate", "install"} {
		res := admin.post("/admin/policy/install", url.Values{"yaml": {badPack}, "action": {action}})
		res.want(t, http.StatusUnprocessableEntity, `id="problem-list"`,
			`行 11</a> · <span class="mono">severities[0].handler_role</span> · 角色不存在`,
			`行 15</a> · <span class="mono">categories[0].group</span> · 未知的类别大类`,
			`class="pol-line bad" id="L11"`, `class="pol-line bad" id="L15"`, "发现 2 处问题", "handler_role: nobody")
		res.lacks(t, `class="pol-line bad" id="L12"`)
	}
	admin.get("/admin/policy/demo").want(t, http.StatusNotFound)
	admin.post("/admin/policy/install", url.Values{"yaml": {"  "}}).want(t, http.StatusUnprocessableEntity, "请上传文件或粘贴")

	// validate, then install as a new version
	ok := admin.post("/admin/policy/install", url.Values{"yaml": {demoPack}, "action": {"validate"}})
	ok.want(t, http.StatusOK, `id="valid"`, "校验通过：演示包（demo），将安装为 v1")
	res := admin.post("/admin/policy/install", url.Values{"yaml": {demoPack}, "action": {"install"}})
	if res.status != http.StatusSeeOther || res.location != "/admin/policy/demo?version=1" {
		t.Fatalf("install: %d %q\n%s", res.status, res.location, res.body)
	}
	admin.get(res.location).want(t, http.StatusOK, "政策包已安装为新版本", "演示包", "办结 3wd（自受理起）", "页面安装")

	// an uploaded file wins over the text, and is named as the source
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("action", "install")
	_ = mw.WriteField("yaml", "ignored: true")
	fw, _ := mw.CreateFormFile("file", "demo-v2.yaml")
	_, _ = fw.Write([]byte(strings.Replace(demoPack, "3wd", "5wd", 1)))
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/admin/policy/install", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res = admin.do(req)
	if res.status != http.StatusSeeOther || res.location != "/admin/policy/demo?version=2" {
		t.Fatalf("upload: %d %q\n%s", res.status, res.location, res.body)
	}
	v2 := admin.get("/admin/policy/demo")
	v2.want(t, http.StatusOK, "办结 5wd（自受理起）", "文件 demo-v2.yaml", `href="/admin/policy/demo?version=1"`)
	admin.get("/admin/policy/demo?version=1").want(t, http.StatusOK, "办结 3wd", "旧版本 · 最新为 v2")

	// the org page offers the installed pack to units
	admin.get("/admin/org?edit="+e.dept.ID.String()).want(t, http.StatusOK, `<option value="demo">演示包</option>`)
	admin.post("/admin/org/"+e.dept.ID.String(), url.Values{"name": {"客服中心"}, "pack": {"demo"}, "active": {"1"},
		"parent_id": {e.co.ID.String()}}).want(t, http.StatusSeeOther)
	admin.get("/admin/policy/demo").want(t, http.StatusOK, `<li>客服中心</li>`)
}
