package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/hazard"
	"kefu/internal/jobs"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/services"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/web"
)

// hazardEnv is the UI of a power company 城区供电 (pack power) with an
// inspector (field staff), the manager, an agent, and field staff of
// another company; an approved important customer (a Grade-3A hospital);
// the hazard deadline timer runs on the test clock.
type hazardEnv struct {
	*env
	clk      *testClock
	engine   *jobs.Engine
	hospital store.ID
}

func newHazardEnv(t *testing.T) *hazardEnv {
	t.Helper()
	db := storetest.OpenSQLite(t)
	o := org.New(org.Options{DB: db})
	a := auth.New(auth.Options{DB: db, Org: o})
	ctx := audit.WithActor(context.Background(), audit.System)
	e := &hazardEnv{env: &env{t: t, org: o, auth: a}, clk: &testClock{t: vat("2026-05-06 10:00")}}
	var err error
	if e.root, err = o.EnsureRoot(ctx, "集团总部"); err != nil {
		t.Fatal(err)
	}
	mk := func(parent store.ID, kind org.Kind, name string) org.Unit {
		u, err := o.Create(ctx, org.CreateInput{ParentID: &parent, Kind: kind, Name: name, Pack: map[org.Kind]string{org.Company: "power"}[kind]})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	e.co = mk(e.root.ID, org.Company, "城区供电")
	e.dept = mk(e.co.ID, org.Department, "用电检查班")
	other := mk(e.root.ID, org.Company, "郊区供电")
	e.user("inspector", "张检查", e.dept, auth.RoleFieldStaff)
	e.user("boss", "刘经理", e.co, auth.RoleManager)
	e.user("agent", "王芳", e.dept, auth.RoleCSAgent)
	e.user("outsider", "外单位", other, auth.RoleFieldStaff)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.cal = calendar.NewRegistry(calendar.RegistryOptions{DB: db, Logger: log, Now: e.clk.Now})
	if err := e.cal.Load(ctx); err != nil {
		t.Fatal(err)
	}
	pols := policy.NewRegistry(policy.Options{DB: db, Org: o, Calendars: e.cal, Logger: log, Now: e.clk.Now})
	if err := pols.Load(ctx); err != nil {
		t.Fatal(err)
	}
	e.engine = jobs.NewEngine(jobs.Options{DB: db, Logger: log, Now: e.clk.Now})
	hz := hazard.New(hazard.Options{DB: db, Calendars: e.cal, Policy: pols, Org: o, Logger: log, Now: e.clk.Now})
	hz.RegisterTimers(e.engine)
	err = db.Tx(ctx, func(tx store.Conn) error {
		e.hospital, err = tx.InsertID(ctx, `INSERT INTO customers (name, address, org_unit_id, importance, importance_state,
			created_at, updated_at) VALUES ('市第一人民医院', '健康路1号', ?, '1', 'approved', 0, 0) RETURNING id`, e.co.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(web.New(services.Set{DB: db, Auth: a, Org: o, Calendars: e.cal, Policy: pols, Jobs: e.engine,
		Hazards: hz, Logger: log, Version: "test", Now: e.clk.Now}))
	t.Cleanup(e.srv.Close)
	return e
}

// at moves the clock and fires the due timers.
func (e *hazardEnv) at(s string) {
	e.t.Helper()
	e.clk.Set(vat(s))
	if _, err := e.engine.FireDue(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

var hazardLink = regexp.MustCompile(`^/hazards/(\d+)$`)

// TestHazardPages runs a serious hazard at an important customer through
// the pages: registration with inline errors, the 限期整改告知书 and its
// printable two copies, the signature, the deadline badge turning overdue
// and the case reported to government on 2026-05-21, the manager's
// enforcement forms (field staff see none), restoration disabled until
// the verification, and the tracking record; another company gets 404.
func TestHazardPages(t *testing.T) {
	e := newHazardEnv(t)
	insp, boss := e.signedIn("inspector"), e.signedIn("boss")
	insp.get("/hazards").want(t, http.StatusOK, "安全隐患登记簿", `id="new-hazard"`, `id="hazards-home"`)
	e.signedIn("agent").get("/hazards").want(t, http.StatusForbidden)
	boss.get("/hazards").lacks(t, `id="new-hazard"`)

	form := url.Values{"source": {"inspection"}, "customer_id": {e.hospital.String()}, "location": {"配电室"},
		"description": {"双电源闭锁装置失效"}, "responsibility": {"customer"}, "handed_to": {"用电检查班 张工"}}
	r := insp.post("/hazards", form)
	r.want(t, http.StatusUnprocessableEntity)
	if msg := fieldError(r.body, "f-severity"); msg == "" {
		t.Errorf("no inline error under severity:\n%s", r.body)
	}
	form.Set("severity", "serious")
	r = insp.post("/hazards", form)
	r.want(t, http.StatusSeeOther)
	m := hazardLink.FindStringSubmatch(r.location)
	if m == nil {
		t.Fatalf("registered → %q", r.location)
	}
	path := r.location
	insp.get(path).want(t, http.StatusOK, "H-2026-0001", "市第一人民医院", `id="notice-form"`, `id="needs-deadline"`, "限期整改告知书")

	// Inline errors of the notice form.
	r = insp.post(path+"/notices", url.Values{"kind": {"deadline"}, "deadline_on": {"2026-05-20"}})
	r.want(t, http.StatusUnprocessableEntity)
	if fieldError(r.body, "notice-risk") == "" {
		t.Errorf("no inline error under risk:\n%s", r.body)
	}
	r = insp.post(path+"/notices", url.Values{"kind": {"deadline"}, "risk": {"可能造成人身伤亡"}, "deadline_on": {"2026-05-06"}})
	r.want(t, http.StatusUnprocessableEntity)
	if fieldError(r.body, "notice-deadline_on") == "" {
		t.Errorf("no inline error under the deadline:\n%s", r.body)
	}
	insp.post(path+"/notices", url.Values{"kind": {"deadline"}, "risk": {"闭锁失效可能造成人身伤亡"}, "measures": {"修复闭锁"},
		"deadline_on": {"2026-05-20"}, "bodies": {"government", "safety_dept", "regulator"}, "filed_on": {"2026-05-06"}}).
		want(t, http.StatusSeeOther)
	page := insp.get(path)
	page.want(t, http.StatusOK, "H-2026-0001-1", `id="sign-form"`, "政府电力管理部门")
	nid := regexp.MustCompile(`/notices/(\d+)/print`).FindStringSubmatch(page.body)
	if nid == nil {
		t.Fatalf("no print link:\n%s", page.body)
	}
	insp.get(path+"/notices/"+nid[1]+"/print").want(t, http.StatusOK, "限期整改告知书", "存根联", "客户联", "2026-05-20",
		"安全生产监督管理部门", "当地电力监管机构", "客户签字", "拒签见证人", "闭锁失效可能造成人身伤亡")

	insp.post(path+"/sign", url.Values{"refused": {"1"}}).want(t, http.StatusUnprocessableEntity)
	insp.post(path+"/sign", url.Values{"signer": {"院办 陈主任"}}).want(t, http.StatusSeeOther)
	page = insp.get(path)
	page.want(t, http.StatusOK, "整改中", "下次追踪", "due-ok", `id="follow-up-form"`)
	page.lacks(t, `id="escalate-form"`, `id="disconnect-form"`)
	insp.get(path+"/notices/"+nid[1]+"/print").want(t, http.StatusOK, "院办 陈主任")

	e.at("2026-05-13 10:00")
	insp.post(path+"/follow-ups", url.Values{"method": {"phone"}, "found": {"配件在途"}}).want(t, http.StatusSeeOther)
	r = insp.post(path+"/follow-ups", url.Values{"method": {"phone"}, "found": {"x"}, "next_on": {"2026-05-30"}})
	r.want(t, http.StatusUnprocessableEntity)
	if fieldError(r.body, "follow-next_on") == "" {
		t.Errorf("no inline error under next_on:\n%s", r.body)
	}

	// INS-016: at 2026-05-21 00:00 the case is reported to government.
	e.at("2026-05-21 00:00")
	list := insp.get("/hazards?overdue=1")
	list.want(t, http.StatusOK, "H-2026-0001", "已报告政府", "due-over", "已逾期")
	page = boss.get(path)
	page.want(t, http.StatusOK, `id="escalate-form"`, `id="disconnect-form"`, "整改期限已过")
	boss.post(path+"/escalate", url.Values{"reason": {"逾期未整改"}, "bodies": {"government"}, "filed_on": {"2026-05-21"}}).
		want(t, http.StatusSeeOther)
	boss.post(path+"/disconnect", url.Values{"stage": {"ordered"}, "basis": {"政府组织停电"}}).want(t, http.StatusSeeOther)
	insp.post(path+"/disconnect", url.Values{"stage": {"done"}, "basis": {"进线开关已断开"}}).want(t, http.StatusSeeOther)
	boss.get(path).want(t, http.StatusOK, `id="restore-blocked"`, `id="restore-submit" disabled`)
	r = boss.post(path+"/restore", url.Values{"note": {"申请复电"}})
	r.want(t, http.StatusConflict, "整改验收记录之前不能恢复供电")
	insp.post(path+"/verify", url.Values{"verifier": {"张工"}, "method": {"现场检查"}}).want(t, http.StatusUnprocessableEntity)
	insp.post(path+"/verify", url.Values{"verifier": {"张工"}, "method": {"现场检查并传动试验"}, "result": {"闭锁已修复"}}).
		want(t, http.StatusSeeOther)
	boss.get(path).lacks(t, `id="restore-blocked"`)
	boss.post(path+"/restore", url.Values{"note": {"验收合格"}}).want(t, http.StatusSeeOther)
	insp.post(path+"/close", url.Values{"note": {"销号"}}).want(t, http.StatusSeeOther)
	page = insp.get(path)
	page.want(t, http.StatusOK, "已销号", "逾期完成（期限 2026-05-21 00:00）", "恢复供电", "下达停电指令")
	page.lacks(t, "%!")
	insp.get(path+"/tracking/print").want(t, http.StatusOK, "安全隐患整改追踪记录表", "配件在途", "闭锁已修复", "每 7d")

	out := e.signedIn("outsider")
	out.get(path).want(t, http.StatusNotFound)
	out.get(path+"/notices/"+nid[1]+"/print").want(t, http.StatusNotFound)
	out.post(path+"/close", url.Values{"note": {"x"}}).want(t, http.StatusNotFound)
	if strings.Contains(out.get("/hazards").body, "H-2026-0001") {
		t.Error("another company lists the hazard")
	}
}

// TestHazardFixedOnSitePage: a hazard fixed on site is registered closed,
// with no step forms; the customer-report form needs the reporter.
func TestHazardFixedOnSitePage(t *testing.T) {
	e := newHazardEnv(t)
	insp := e.signedIn("inspector")
	r := insp.post("/hazards", url.Values{"source": {"public"}, "location": {"幸福里3栋"}, "description": {"电缆井盖缺失"},
		"severity": {"general"}, "responsibility": {"company"}})
	r.want(t, http.StatusUnprocessableEntity)
	if fieldError(r.body, "f-reporter_name") == "" {
		t.Errorf("no inline error under the reporter:\n%s", r.body)
	}
	r = insp.post("/hazards", url.Values{"source": {"staff"}, "location": {"开闭所"}, "description": {"门锁损坏"},
		"severity": {"minor"}, "responsibility": {"company"}, "fixed_on_site": {"1"}})
	r.want(t, http.StatusSeeOther)
	page := insp.get(r.location)
	page.want(t, http.StatusOK, "已销号", "现场整改完毕")
	page.lacks(t, `id="notice-form"`, `id="verify-form"`, `id="close-form"`)
}
