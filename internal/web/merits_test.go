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
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/services"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/web"
)

// meritEnv is the UI of a real-estate company 滨江置业 (pack realestate)
// with its manager, two supervisors and an agent, on 2026-06-01.
type meritEnv struct {
	*env
	ids map[string]store.ID
}

func newMeritEnv(t *testing.T) *meritEnv {
	t.Helper()
	db := storetest.OpenSQLite(t)
	o := org.New(org.Options{DB: db})
	a := auth.New(auth.Options{DB: db, Org: o})
	ctx := audit.WithActor(context.Background(), audit.System)
	e := &meritEnv{env: &env{t: t, org: o, auth: a}, ids: map[string]store.ID{}}
	clk := &testClock{t: vat("2026-06-01 09:00")}
	var err error
	if e.root, err = o.EnsureRoot(ctx, "集团总部"); err != nil {
		t.Fatal(err)
	}
	if e.co, err = o.Create(ctx, org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "滨江置业", Pack: "realestate"}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		username, name string
		role           auth.Role
	}{{"boss", "刘经理", auth.RoleManager}, {"sup", "李主管", auth.RoleCSSupervisor}, {"sup2", "赵主管", auth.RoleCSSupervisor},
		{"zhou", "周客服", auth.RoleCSAgent}} {
		e.ids[u.username] = e.user(u.username, u.name, e.co, u.role).ID
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.cal = calendar.NewRegistry(calendar.RegistryOptions{DB: db, Logger: log, Now: clk.Now})
	if err := e.cal.Load(ctx); err != nil {
		t.Fatal(err)
	}
	pols := policy.NewRegistry(policy.Options{DB: db, Org: o, Calendars: e.cal, Logger: log, Now: clk.Now})
	if err := pols.Load(ctx); err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(web.New(services.Set{DB: db, Auth: a, Org: o, Calendars: e.cal, Policy: pols, Logger: log,
		Version: "test", Now: clk.Now}))
	t.Cleanup(e.srv.Close)
	return e
}

var meritLink = regexp.MustCompile(`^/merits/(\d+)$`)

// entryOf checks a redirect to an entry's page and returns its path.
func entryOf(t *testing.T, r response) string {
	t.Helper()
	if r.status != http.StatusSeeOther || !meritLink.MatchString(r.location) {
		t.Fatalf("status %d → %q\n%s", r.status, r.location, r.body)
	}
	return r.location
}

// TestMeritPages records two criticisms through the form (inline errors
// first) and shows the person's summary with the roll-up in words
// (MER-002); a supervisor's fine becomes a proposal the manager confirms;
// the person appeals it (evidence mandatory, MER-006); the monthly table
// offers the publication; a registered theft bounty shows the reporter
// protected to another supervisor (SEC-007).
func TestMeritPages(t *testing.T) {
	e := newMeritEnv(t)
	boss, sup, zhou := e.signedIn("boss"), e.signedIn("sup"), e.signedIn("zhou")
	zid := e.ids["zhou"].String()
	boss.get("/merits").want(t, http.StatusOK, "奖惩台账", `id="new-merit"`, `id="merit-filters"`)
	zhou.get("/merits").want(t, http.StatusOK, `id="my-ledger"`)
	zhou.get("/merits").lacks(t, `id="new-merit"`)
	zhou.get("/merits/new").want(t, http.StatusForbidden)
	boss.get("/merits/new").want(t, http.StatusOK, `id="decider-note"`, "遗失重要文件", "周客服")
	sup.get("/merits/new").want(t, http.StatusOK, `id="proposal-note"`, "奖惩建议")

	form := url.Values{"user_id": {zid}, "kind": {"criticism"}, "at": {"2026-03-02"}}
	r := boss.post("/merits", form)
	r.want(t, http.StatusUnprocessableEntity)
	if fieldError(r.body, "f-reason") == "" {
		t.Errorf("no inline error under the reason:\n%s", r.body)
	}
	form.Set("reason", "接待迟到")
	first := entryOf(t, boss.post("/merits", form))
	form.Set("at", "2026-05-11")
	form.Set("reason", "投诉处理不当")
	second := entryOf(t, boss.post("/merits", form))
	n1, n2 := strings.TrimPrefix(first, "/merits/"), strings.TrimPrefix(second, "/merits/")
	step := "2026-05-11 两次通报批评记为一次记小过（#" + n1 + "、#" + n2 + "，MER-002）"
	p := boss.get("/merits/people/" + zid)
	p.want(t, http.StatusOK, "周客服", step, `id="net-minor_demerit">1<`, `id="net-criticism">0<`)
	zhou.get("/merits/people/"+zid).want(t, http.StatusOK, step, `id="appeal-`+n1+`"`)
	zhou.get("/merits/people/"+e.ids["sup"].String()).want(t, http.StatusForbidden)

	// A supervisor proposes; the manager confirms; the supervisor may not.
	fine := entryOf(t, sup.post("/merits", url.Values{"user_id": {zid}, "item": {"work_late"}, "amount": {"50"},
		"reason": {"周报迟交"}, "at": {"2026-05-29"}}))
	sup.get(fine).want(t, http.StatusOK, "待确认")
	sup.get(fine).lacks(t, `id="confirm-form"`)
	boss.get(fine).want(t, http.StatusOK, `id="confirm-form"`, `id="reject-form"`, `id="amount-range"`)
	boss.get("/merits?state=proposed").want(t, http.StatusOK, "待确认的奖惩建议", "周报迟交")
	r = boss.post(fine+"/confirm", url.Values{"amount": {"80"}})
	r.want(t, http.StatusUnprocessableEntity)
	if fieldError(r.body, "confirm-amount") == "" {
		t.Errorf("no inline error under the amount:\n%s", r.body)
	}
	r = boss.post(fine+"/confirm", url.Values{"amount": {"30"}, "note": {"酌情"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("confirm: %d\n%s", r.status, r.body)
	}
	confirmed := boss.get("/merits?user_id=" + zid + "&kind=fine&state=confirmed")
	confirmed.want(t, http.StatusOK, "30.00 元", "待公示")
	m := regexp.MustCompile(`data-id="(\d+)"`).FindStringSubmatch(confirmed.body)
	if m == nil {
		t.Fatalf("no confirmed fine:\n%s", confirmed.body)
	}
	entry := "/merits/" + m[1]

	// MER-006: the person appeals with evidence.
	zhou.get(entry).want(t, http.StatusOK, `id="appeal-form"`)
	boss.get(entry).lacks(t, `id="appeal-form"`)
	r = zhou.post(entry+"/appeal", url.Values{"evidence": {" "}})
	r.want(t, http.StatusUnprocessableEntity)
	if fieldError(r.body, "appeal-evidence") == "" {
		t.Errorf("no inline error under the evidence:\n%s", r.body)
	}
	r = zhou.post(entry+"/appeal", url.Values{"evidence": {"周报已于5月29日17:50邮件提交"}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/merits/appeals/") {
		t.Fatalf("appeal: %d → %q\n%s", r.status, r.location, r.body)
	}
	appeal := r.location
	sup.get(appeal).want(t, http.StatusOK, "主管调解中", `id="mediate-form"`, "邮件提交")
	zhou.get(appeal).lacks(t, `id="mediate-form"`)
	if r := sup.post(appeal+"/mediate", url.Values{"outcome": {"withdrawn"}, "note": {"回执属实"}}); r.status != http.StatusSeeOther {
		t.Fatalf("mediate: %d\n%s", r.status, r.body)
	}
	zhou.get(appeal).want(t, http.StatusOK, `id="accept-form"`, `id="escalate-form"`)

	// The monthly table (SEC-011).
	boss.get("/merits/monthly?month=2026-05").want(t, http.StatusOK, "滨江置业 2026-05 奖惩公示", `id="publish-form"`, "售楼部公告栏")
	zhou.get("/merits/monthly").want(t, http.StatusForbidden)

	// MER-008 / SEC-007: the reporter is protected from another supervisor.
	r = sup.post("/merits/bounties", url.Values{"kind": {"theft"}, "verified": {"1"}, "verification": {"现场核实"},
		"basis": {"recovered"}, "basis_amount": {"18400"}, "reporter_name": {"李举报"}, "reporter_phone": {"13900001111"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("bounty: %d\n%s", r.status, r.body)
	}
	bounty := r.location
	sup2 := e.signedIn("sup2")
	sup2.get(bounty).want(t, http.StatusOK, "920.00", "mer-protected")
	sup2.get(bounty).lacks(t, "李举报", "13900001111")
	sup2.get("/merits/bounties").lacks(t, "李举报")
	boss.get(bounty).want(t, http.StatusOK, "李举报", `id="approve-form"`)
}
