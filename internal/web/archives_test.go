package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"testing"

	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/document"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/services"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/web"
)

// arcEnv is the UI of a real-estate company 滨江置业 (pack realestate)
// with its General Manager's Office 总经理办公室 (the archivist 档案员 and
// the office head 周主任, a manager) and the Customer Affairs Group
// 客户事务组 with the customer-service agent 王芳, on Mon 2026-05-11 09:00.
type arcEnv struct {
	*env
	ids map[string]store.ID
	db  *store.DB
	gmo org.Unit
	ca  org.Unit
	clk *testClock
}

func newArcEnv(t *testing.T) *arcEnv {
	t.Helper()
	db := storetest.OpenSQLite(t)
	o := org.New(org.Options{DB: db})
	a := auth.New(auth.Options{DB: db, Org: o})
	ctx := audit.WithActor(context.Background(), audit.System)
	e := &arcEnv{env: &env{t: t, org: o, auth: a}, ids: map[string]store.ID{}, db: db, clk: &testClock{t: vat("2026-05-11 09:00")}}
	var err error
	if e.root, err = o.EnsureRoot(ctx, "集团总部"); err != nil {
		t.Fatal(err)
	}
	if e.co, err = o.Create(ctx, org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "滨江置业", Pack: "realestate"}); err != nil {
		t.Fatal(err)
	}
	if e.gmo, err = o.Create(ctx, org.CreateInput{ParentID: &e.co.ID, Kind: org.Department, Name: "总经理办公室"}); err != nil {
		t.Fatal(err)
	}
	if e.ca, err = o.Create(ctx, org.CreateInput{ParentID: &e.co.ID, Kind: org.Department, Name: "客户事务组"}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		username, name string
		unit           org.Unit
		role           auth.Role
	}{{"arc", "档案员", e.gmo, auth.RoleArchivist}, {"head", "周主任", e.gmo, auth.RoleManager},
		{"agent", "王芳", e.ca, auth.RoleCSAgent}} {
		usr, err := a.Create(ctx, nil, auth.CreateUserInput{Username: u.username, Password: pw, DisplayName: u.name,
			Roles: []auth.Role{u.role}, OrgUnit: u.unit.ID})
		if err != nil {
			t.Fatal(err)
		}
		e.ids[u.username] = usr.ID
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.cal = calendar.NewRegistry(calendar.RegistryOptions{DB: db, Logger: log, Now: e.clk.Now})
	if err := e.cal.Load(ctx); err != nil {
		t.Fatal(err)
	}
	pols := policy.NewRegistry(policy.Options{DB: db, Org: o, Calendars: e.cal, Logger: log, Now: e.clk.Now})
	if err := pols.Load(ctx); err != nil {
		t.Fatal(err)
	}
	docs := document.New(document.Options{DB: db, Dir: t.TempDir(), Logger: log, Now: e.clk.Now})
	set := services.Set{DB: db, Auth: a, Org: o, Calendars: e.cal, Policy: pols, Documents: docs, Logger: log,
		Version: "test", Now: e.clk.Now}.WithDefaults()
	docs.RegisterOwner("archive_file", set.Archives.DocumentOwner)
	e.srv = httptest.NewServer(web.New(set))
	t.Cleanup(e.srv.Close)
	return e
}

var (
	arcFileLink    = regexp.MustCompile(`^/archives/files/(\d+)$`)
	arcVolumeForm  = regexp.MustCompile(`id="archive-form-(\d+)"`)
	arcLoanLink    = regexp.MustCompile(`^/archives/loans/(\d+)$`)
	arcHandoverURL = regexp.MustCompile(`^/archives/handovers/(\d+)$`)
)

// TestArchivesPages binds the departments, opens the unit file BJ1-03-1201
// (an inline error first), checks the 认购书 in on the tray (the same-day
// clock shows on a document left in the tray), archives the volume (its
// ten-year retention ends 2036-05-11), prints the cover; 王芳 (an agent)
// is refused the catalogue but applies to borrow on 我的借阅; 周主任
// approves, the archivist lends it (due 2026-05-18, 7d) and takes it
// back; the lending slip prints; the retention, destruction, handover,
// inspection pages render.
func TestArchivesPages(t *testing.T) {
	e := newArcEnv(t)
	arc, head, agent := e.signedIn("arc"), e.signedIn("head"), e.signedIn("agent")
	gmo, ca := e.gmo.ID.String(), e.ca.ID.String()

	// Departments, then a file.
	arc.get("/archives/departments").want(t, http.StatusOK, "总经理办公室", "客户事务组", `id="bind-gmo"`, "未设置")
	head.get("/archives/departments").lacks(t, `id="bind-gmo"`)
	arc.post("/archives/departments/gmo", url.Values{"unit_id": {gmo}, "custodian_id": {e.ids["arc"].String()}}).
		want(t, http.StatusSeeOther)
	arc.post("/archives/departments/customer_affairs", url.Values{"unit_id": {ca}}).
		want(t, http.StatusUnprocessableEntity, `id="bind-customer_affairs"`, "必填项")
	arc.post("/archives/departments/customer_affairs", url.Values{"unit_id": {ca}, "custodian_id": {e.ids["agent"].String()}}).
		want(t, http.StatusSeeOther)
	arc.get("/archives/departments").want(t, http.StatusOK, "档案员")

	r := arc.post("/archives/files", url.Values{"kind": {"unit"}, "project": {"BJ1"}, "unit": {"1201"}})
	r.want(t, http.StatusUnprocessableEntity, `id="file-form"`)
	if fieldError(r.body, "f-building") == "" {
		t.Errorf("no inline error under the building:\n%s", r.body)
	}
	loc := redirect(t, arc.post("/archives/files", url.Values{"kind": {"unit"}, "project": {"BJ1"}, "building": {"3"},
		"unit": {"1201"}, "location": {"档案室 A-03"}}), arcFileLink)
	page := arc.get(loc)
	page.want(t, http.StatusOK, `id="file-number">BJ1-03-1201<`, "总经理办公室", `id="cover-link"`, `id="borrow-link"`)
	arc.get("/archives").want(t, http.StatusOK, "BJ1-03-1201", `id="files-table"`, `id="file-form"`, `id="tab-tray"`)
	arc.get("/archives?q=BJ9").want(t, http.StatusOK, `id="no-files"`)
	arc.get("/archives?customer=999999").want(t, http.StatusOK, `id="no-files"`, `name="customer" value="999999"`)

	// The tray: an inline error, a document filed at once, one left in the tray.
	r = arc.post("/archives/tray", url.Values{"category": {"3.1"}, "medium": {"paper"}})
	r.want(t, http.StatusUnprocessableEntity, `id="checkin-form"`)
	if fieldError(r.body, "f-title") == "" {
		t.Errorf("no inline error under the title:\n%s", r.body)
	}
	r = arc.post("/archives/tray", url.Values{"category": {"3.1"}, "title": {"认购书"}, "medium": {"paper"}, "file_number": {"BJ9-01-0001"}})
	r.want(t, http.StatusUnprocessableEntity, "没有这个档号")
	redirect(t, arc.post("/archives/tray", url.Values{"category": {"3.1"}, "title": {"认购书"}, "medium": {"paper"}, "pages": {"4"},
		"file_number": {"BJ1-03-1201"}, "received_from": {"项目销售组"}}), regexp.MustCompile("^"+regexp.QuoteMeta(loc)+"$"))
	arc.post("/archives/tray", url.Values{"category": {"3.2"}, "title": {"商品房买卖合同"}, "medium": {"paper"}}).want(t, http.StatusSeeOther)
	arc.get("/archives/tray").want(t, http.StatusOK, "商品房买卖合同", "今日须归档", `id="checkin-form"`)
	page = arc.get(loc)
	page.want(t, http.StatusOK, "认购书", "当日归档", "排号协议") // 3.1's checklist lacks 排号协议 (ARC-003)
	m := arcVolumeForm.FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no archive form:\n%s", page.body)
	}
	id := arcFileLink.FindStringSubmatch(loc)[1]
	r = arc.post(loc+"/archive", url.Values{"volume_id": {m[1]}, "archived_on": {"2026-13-01"}})
	r.want(t, http.StatusUnprocessableEntity, "YYYY-MM-DD")
	arc.post(loc+"/archive", url.Values{"volume_id": {m[1]}, "archived_on": {"2026-05-11"}}).want(t, http.StatusSeeOther)
	arc.get(loc).want(t, http.StatusOK, "2036-05-12", "已归档") // ARC-014: 10 years end at 24:00 of 2036-05-11
	// An electronic copy (ARC-001): a scan uploaded into the file, filed
	// into its volume, opened by the archivist; a refused upload names
	// the field and leaves no document behind.
	pdf := "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
	r = arc.upload(loc+"/upload", "按揭合同补充协议.pdf", pdf, map[string]string{"category": "3.2", "medium": "electronic"})
	r.want(t, http.StatusUnprocessableEntity, `id="upload-form"`)
	if fieldError(r.body, "up-title") == "" {
		t.Errorf("no inline error under the upload's title:\n%s", r.body)
	}
	r = arc.upload(loc+"/upload", "按揭合同补充协议.pdf", pdf, map[string]string{"category": "9.9", "title": "按揭合同补充协议",
		"medium": "electronic"})
	r.want(t, http.StatusUnprocessableEntity, `id="upload-form"`)
	redirect(t, arc.upload(loc+"/upload", "按揭合同补充协议.pdf", pdf, map[string]string{"category": "3.2", "title": "按揭合同补充协议",
		"medium": "electronic"}), regexp.MustCompile("^"+regexp.QuoteMeta(loc)+"#items$"))
	page = arc.get(loc)
	page.want(t, http.StatusOK, "按揭合同补充协议", "BJ1-03-1201-3.2")
	doc := regexp.MustCompile(`href="(/archives/files/\d+/documents/\d+)"`).FindStringSubmatch(page.body)
	if doc == nil {
		t.Fatalf("no link to the electronic copy:\n%s", page.body)
	}
	arc.get(doc[1]).want(t, http.StatusOK, "%PDF-1.4")
	var docs int
	if err := e.db.Reader().QueryRow(context.Background(), "SELECT count(*) FROM documents WHERE owner_type = 'archive_file' AND deleted_at = 0").Scan(&docs); err != nil || docs != 1 {
		t.Errorf("documents kept = %d %v, want only the one filed", docs, err)
	}
	arc.get(loc+"/cover").want(t, http.StatusOK, "客 户 档 案", `id="cover-number">BJ1-03-1201<`, "10 年", "2026-05-11",
		"data-print", "archives.css")

	// The agent borrows; refusals per role.
	agent.get("/archives").want(t, http.StatusForbidden)
	agent.get("/archives/files/"+id).want(t, http.StatusForbidden)
	agent.post("/archives/files", url.Values{"kind": {"unit"}}).want(t, http.StatusForbidden)
	ap := agent.get("/archives/loans")
	ap.want(t, http.StatusOK, `id="apply-form"`, `data-nav="archive_loans"`)
	ap.lacks(t, `id="tab-files"`, `id="all-loans"`)
	r = agent.post("/archives/loans", url.Values{"file_number": {"BJ1-03-1201"}, "mode": {"take_out"}})
	r.want(t, http.StatusUnprocessableEntity)
	if fieldError(r.body, "f-purpose") == "" && !regexp.MustCompile(`purpose[^<]*</textarea><div class="field-error">`).MatchString(r.body) {
		t.Errorf("no inline error under the purpose:\n%s", r.body)
	}
	loan := redirect(t, agent.post("/archives/loans", url.Values{"file_number": {"BJ1-03-1201"}, "mode": {"take_out"},
		"purpose": {"核对认购书"}}), arcLoanLink)
	agent.get(loan).want(t, http.StatusOK, "审批中", "总经理办公室审批")
	agent.get(loan).lacks(t, `id="decide-form"`)
	head.get("/archives/loans").want(t, http.StatusOK, `id="to-decide"`, "BJ1-03-1201")
	head.get(loan).want(t, http.StatusOK, `id="decide-form"`, "待您审批")
	head.post(loan+"/decide", url.Values{"approve": {"yes"}, "note": {"同意"}}).want(t, http.StatusSeeOther)
	arc.get(loan).want(t, http.StatusOK, `id="lend-form"`)
	agent.post(loan+"/lend", nil).want(t, http.StatusForbidden)
	arc.post(loan+"/lend", nil).want(t, http.StatusSeeOther)
	arc.get(loan).want(t, http.StatusOK, "借出中", "2026-05-18", `id="return-form"`, `id="chase-form"`)
	agent.get(loan+"/slip").want(t, http.StatusOK, "档案借阅单", "王芳", "核对认购书", "周主任", "2026-05-18", "data-print")
	arc.post(loan+"/return", url.Values{"note": {"完好"}}).want(t, http.StatusSeeOther)
	arc.get(loan).want(t, http.StatusOK, "已归还")

	// Retention, destruction, handovers, inspections.
	arc.get("/archives/retention").want(t, http.StatusOK, `id="retention-counts"`, `id="no-eligible"`)
	arc.post("/archives/destructions", url.Values{}).want(t, http.StatusUnprocessableEntity, "请勾选")
	arc.get("/archives/destructions").want(t, http.StatusOK, `id="destructions-table"`)
	hp := arc.get("/archives/handovers")
	hp.want(t, http.StatusOK, `id="handovers-table"`, "ARC-009", `id="handover-form"`)
	r = arc.post("/archives/handovers", url.Values{"schedule": {"sales"}, "event_on": {""}})
	r.want(t, http.StatusUnprocessableEntity)
	if fieldError(r.body, "f-event_on") == "" {
		t.Errorf("no inline error under the event date:\n%s", r.body)
	}
	hl := redirect(t, arc.post("/archives/handovers", url.Values{"schedule": {"move_in"}, "event_on": {"2026-05-11"}}), arcHandoverURL)
	arc.post(hl+"/files", url.Values{"file_numbers": {"BJ1-03-1201"}}).want(t, http.StatusUnprocessableEntity, "不在移交部门保管")
	arc.post(hl+"/files", url.Values{"file_numbers": {"BJ9"}}).want(t, http.StatusUnprocessableEntity, "没有档号 BJ9")
	redirect(t, arc.post("/archives/files", url.Values{"kind": {"unit"}, "project": {"BJ1"}, "building": {"3"}, "unit": {"1202"},
		"holder_unit_id": {ca}}), arcFileLink)
	arc.post(hl+"/files", url.Values{"file_numbers": {"BJ1-03-1202"}}).want(t, http.StatusSeeOther)
	arc.get(hl).want(t, http.StatusOK, "BJ1-03-1202", "缺少", `id="handover-step-form"`)
	arc.get("/archives/handovers").want(t, http.StatusOK, "集中入伙后移交总经理办公室", "客户事务组季度移交")
	arc.get("/archives/inspections").want(t, http.StatusOK, `id="inspection-form"`)
	arc.post("/archives/inspections", url.Values{"inspected_on": {"2026-05-11"}}).want(t, http.StatusUnprocessableEntity, "请选择被检查部门")
	arc.post("/archives/inspections", url.Values{"unit_id": {ca}, "inspected_on": {"2026-05-11"},
		"findings": {"BJ1-03-1202：缺客户身份证明"}}).want(t, http.StatusSeeOther)
	arc.get("/archives/inspections").want(t, http.StatusOK, "缺客户身份证明", "BJ1-03-1202")
	agent.get("/archives/handovers").want(t, http.StatusForbidden)
	agent.get("/archives/retention").want(t, http.StatusForbidden)
}
