package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/internal/auth"
	"kefu/internal/merit"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// meritEnv is the API with two real-estate companies 甲置业 and 乙置业公司
// (pack realestate: deciders sales_manager and manager) and their people.
type meritEnv struct {
	*env
	a, b  org.Unit
	ids   map[string]store.ID
	tok   map[string]string
	roles map[string]auth.Role
}

func newMeritEnv(t *testing.T, db *store.DB) *meritEnv {
	e := newEnv(t, db)
	e.clk.mu.Lock()
	e.clk.t = time.Date(2026, 6, 1, 9, 0, 0, 0, store.Zone)
	e.clk.mu.Unlock()
	x := &meritEnv{env: e, ids: map[string]store.ID{}, tok: map[string]string{}, roles: map[string]auth.Role{}}
	mk := func(name string) org.Unit {
		u, err := e.org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: name, Pack: "realestate"})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	x.a, x.b = mk("甲置业"), mk("乙置业公司")
	for _, u := range []struct {
		name string
		unit store.ID
		role auth.Role
	}{{"boss", x.a.ID, auth.RoleManager}, {"sup", x.a.ID, auth.RoleCSSupervisor}, {"sup2", x.a.ID, auth.RoleCSSupervisor}, {"zhou", x.a.ID, auth.RoleCSAgent},
		{"wang", x.a.ID, auth.RoleCSAgent}, {"otherboss", x.b.ID, auth.RoleManager}, {"othersup", x.b.ID, auth.RoleCSSupervisor}} {
		x.ids[u.name] = e.user(u.name, u.unit, u.role).ID
		x.roles[u.name] = u.role
		x.tok[u.name] = e.login(u.name)
	}
	return x
}

func (x *meritEnv) call(method, path, who string, body any) res {
	x.t.Helper()
	return x.do(method, path, x.tok[who], body)
}

// entry checks the status and decodes an entry.
func (x *meritEnv) entry(r res, status int) merit.Entry {
	x.t.Helper()
	if r.Code != status {
		x.t.Fatalf("status %d, want %d: %s", r.Code, status, r.Body)
	}
	var e merit.Entry
	r.decode(x.t, &e)
	return e
}

// TestMeritsOverHTTP runs MER-002's roll-up, a supervisor's proposal that
// the manager confirms, an appeal and a theft bounty (MER-008's example)
// over HTTP, with the 4xx field names and role refusals of each route.
func TestMeritsOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		x := newMeritEnv(t, db)
		zhou := x.ids["zhou"].String()
		// MER-002: two criticisms roll up into a minor demerit.
		c1 := x.entry(x.call("POST", "/api/v1/merits", "boss", map[string]any{"user_id": zhou, "kind": "criticism",
			"reason": "接待迟到", "at": "2026-03-02"}), http.StatusCreated)
		c2 := x.entry(x.call("POST", "/api/v1/merits", "boss", map[string]any{"user_id": zhou, "kind": "criticism",
			"reason": "投诉处理不当", "at": "2026-05-11"}), http.StatusCreated)
		if c1.State != merit.StateConfirmed || c2.State != merit.StateConfirmed {
			t.Fatalf("a decider's entries are not confirmed: %s %s", c1.State, c2.State)
		}
		r := x.call("GET", "/api/v1/merits/summary?user_id="+zhou+"&at=2026-06-01", "boss", nil)
		if r.Code != http.StatusOK {
			t.Fatalf("summary: %d %s", r.Code, r.Body)
		}
		var raw map[string]any
		r.decode(t, &raw)
		net, _ := raw["net"].(map[string]any)
		if net["minor_demerit"] != float64(1) || net["criticism"] != float64(0) || raw["bonus_yuan"] != "0.00" ||
			raw["termination"] != false || raw["warnings_this_year"] != float64(0) {
			t.Errorf("summary %s", r.Body)
		}
		var sum merit.PersonSummary
		r.decode(t, &sum)
		if len(sum.Steps) != 1 || sum.Steps[0].Action != merit.StepRollUp || sum.Steps[0].Rule != "MER-002" ||
			!slices.Equal(sum.Steps[0].Entries, []store.ID{c1.ID, c2.ID}) || sum.Steps[0].On.String() != "2026-05-11" {
			t.Errorf("steps %+v", sum.Steps)
		}
		// The person reads their own summary, not a colleague's.
		if r := x.call("GET", "/api/v1/merits/summary", "zhou", nil); r.Code != http.StatusOK {
			t.Errorf("own summary: %d %s", r.Code, r.Body)
		}
		wantError(t, x.call("GET", "/api/v1/merits/summary?user_id="+zhou, "wang", nil), http.StatusForbidden, "forbidden", "")
		if r := x.call("GET", "/api/v1/merits/"+c1.ID.String(), "wang", nil); r.Code != http.StatusNotFound || strings.Contains(string(r.Body), "接待迟到") {
			t.Errorf("wang reads zhou's entry: %d %s", r.Code, r.Body)
		}
		var pg merit.Page
		x.call("GET", "/api/v1/merits", "wang", nil).decode(t, &pg)
		if len(pg.Items) != 0 {
			t.Errorf("wang lists zhou's entries: %+v", pg.Items)
		}
		x.call("GET", "/api/v1/merits?user_id="+zhou+"&kind=criticism&limit=1", "boss", nil).decode(t, &pg)
		if len(pg.Items) != 1 || pg.Items[0].ID != c2.ID || pg.Next != c2.ID {
			t.Errorf("first page %+v next %v", pg.Items, pg.Next)
		}
		x.call("GET", "/api/v1/merits?user_id="+zhou+"&kind=criticism&after="+pg.Next.String(), "boss", nil).decode(t, &pg)
		if len(pg.Items) != 1 || pg.Items[0].ID != c1.ID {
			t.Errorf("second page %+v", pg.Items)
		}

		// Bad input: 4xx naming the field.
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"kind": "criticism", "reason": "x"}, "user_id"},
			{map[string]any{"user_id": zhou, "kind": "scolding", "reason": "x"}, "kind"},
			{map[string]any{"user_id": zhou, "kind": "criticism"}, "reason"},
			{map[string]any{"user_id": zhou, "kind": "criticism", "reason": "x", "at": "2026-02-30"}, "at"},
			{map[string]any{"user_id": zhou, "item": "no_such_item", "reason": "x"}, "item"},
			{map[string]any{"user_id": zhou, "kind": "criticism", "reason": "x", "colour": "red"}, "colour"},
		} {
			r := x.call("POST", "/api/v1/merits", "boss", c.body)
			if e := errorOf(t, r); r.Code < 400 || r.Code >= 500 || e.Field != c.field {
				t.Errorf("%v: %d %s, want 4xx naming %s", c.body, r.Code, r.Body, c.field)
			}
		}
		for _, q := range []string{"user_id=abc", "unit_id=-1", "after=x", "limit=0", "unpublished=maybe"} {
			field, _, _ := strings.Cut(q, "=")
			wantError(t, x.call("GET", "/api/v1/merits?"+q, "boss", nil), http.StatusUnprocessableEntity, "validation_failed", field)
		}
		wantError(t, x.call("GET", "/api/v1/merits/abc", "boss", nil), http.StatusNotFound, "not_found", "entry")
		wantError(t, x.call("GET", "/api/v1/merits/appeals/abc", "boss", nil), http.StatusNotFound, "not_found", "appeal")
		wantError(t, x.call("GET", "/api/v1/merits/bounties/abc", "boss", nil), http.StatusNotFound, "not_found", "bounty")

		// A supervisor proposes a fine (MER-010: 20–50 yuan set by the
		// decider); an agent may not record; the supervisor may not confirm.
		wantError(t, x.call("POST", "/api/v1/merits", "wang", map[string]any{"user_id": zhou, "kind": "criticism", "reason": "x"}),
			http.StatusForbidden, "forbidden", "")
		fine := x.entry(x.call("POST", "/api/v1/merits", "sup", map[string]any{"user_id": zhou, "item": "work_late", "amount": "50",
			"reason": "周报迟交", "at": "2026-05-29"}), http.StatusCreated)
		if fine.State != merit.StateProposed || fine.Kind != "fine" || fine.RuleID != "MER-010" {
			t.Fatalf("proposal %+v", fine)
		}
		path := "/api/v1/merits/" + fine.ID.String()
		wantError(t, x.call("POST", path+"/confirm", "sup", map[string]any{"note": "x"}), http.StatusForbidden, "forbidden", "")
		r = x.call("POST", path+"/confirm", "boss", map[string]any{"note": "确认", "amount": "80"})
		if e := errorOf(t, r); r.Code != http.StatusUnprocessableEntity || e.Field != "amount" {
			t.Errorf("amount outside 20–50: %d %s", r.Code, r.Body)
		}
		got := x.entry(x.call("POST", path+"/confirm", "boss", map[string]any{"note": "确认", "amount": "30"}), http.StatusOK)
		if got.State != merit.StateConfirmed || got.Amount.String() != "30.00" || got.DecidedBy != x.ids["boss"] {
			t.Errorf("confirmed %+v", got)
		}
		if r := x.call("POST", path+"/confirm", "boss", map[string]any{"note": "again"}); r.Code != http.StatusConflict {
			t.Errorf("confirming twice: %d %s", r.Code, r.Body)
		}
		// The amount is a fact of the entry (SEC-002): a confirmation that
		// sets it may enter a new entry superseding the proposal.
		path = "/api/v1/merits/" + got.ID.String()

		// MER-006: the person appeals their own entry; evidence is mandatory.
		wantError(t, x.call("POST", path+"/appeals", "zhou", map[string]any{"evidence": " "}), http.StatusUnprocessableEntity, "validation_failed", "evidence")
		if r := x.call("POST", path+"/appeals", "wang", map[string]any{"evidence": "不是我的"}); r.Code != http.StatusForbidden && r.Code != http.StatusNotFound {
			t.Errorf("a colleague appeals zhou's entry: %d %s", r.Code, r.Body)
		}
		r = x.call("POST", path+"/appeals", "zhou", map[string]any{"evidence": "周报已于5月29日17:50邮件提交，见邮件回执"})
		if r.Code != http.StatusCreated {
			t.Fatalf("appeal: %d %s", r.Code, r.Body)
		}
		var ap merit.Appeal
		r.decode(t, &ap)
		if ap.State != merit.AppealMediation || ap.EntryID != got.ID {
			t.Errorf("appeal %+v", ap)
		}
		apath := "/api/v1/merits/appeals/" + ap.ID.String()
		wantError(t, x.call("POST", apath+"/mediate", "zhou", map[string]any{"outcome": "withdrawn", "note": "x"}),
			http.StatusForbidden, "forbidden", "")
		r = x.call("POST", apath+"/mediate", "sup", map[string]any{"outcome": "maybe", "note": "x"})
		if e := errorOf(t, r); r.Code != http.StatusUnprocessableEntity || e.Field != "outcome" {
			t.Errorf("bad outcome: %d %s", r.Code, r.Body)
		}
		if r := x.call("POST", apath+"/mediate", "sup", map[string]any{"outcome": "withdrawn", "note": "回执属实"}); r.Code != http.StatusOK {
			t.Fatalf("mediate: %d %s", r.Code, r.Body)
		}
		if r := x.call("POST", apath+"/accept", "zhou", map[string]any{"note": "接受"}); r.Code != http.StatusOK {
			t.Fatalf("accept: %d %s", r.Code, r.Body)
		}
		x.call("GET", apath, "zhou", nil).decode(t, &ap)
		if ap.State != merit.AppealResolved || ap.Outcome != merit.OutcomeWithdrawn {
			t.Errorf("resolved appeal %+v", ap)
		}
		var appeals struct{ Items []merit.Appeal }
		x.call("GET", "/api/v1/merits/appeals", "wang", nil).decode(t, &appeals)
		if len(appeals.Items) != 0 {
			t.Errorf("wang sees zhou's appeals")
		}

		// MER-008: recovered fees 18,400 yuan at 5% → 920 yuan; the reporter
		// is protected from the supervisor, not from the manager (SEC-007).
		wantError(t, x.call("POST", "/api/v1/merits/bounties", "sup", map[string]any{"kind": "theft", "verified": true,
			"verification": "现场核实", "basis": "recovered", "basis_amount": "18400", "reporter_phone": "13900001111"}),
			http.StatusUnprocessableEntity, "validation_failed", "reporter_name")
		r = x.call("POST", "/api/v1/merits/bounties", "sup", map[string]any{"kind": "theft", "verified": true,
			"verification": "现场核实", "basis": "recovered", "basis_amount": "18400", "reporter_name": "李举报",
			"reporter_phone": "13900001111"})
		if r.Code != http.StatusCreated {
			t.Fatalf("bounty: %d %s", r.Code, r.Body)
		}
		var b merit.Bounty
		r.decode(t, &b)
		if b.Amount.String() != "920.00" || b.Protected || b.Reporter != "李举报" {
			t.Errorf("the registrar's bounty %s", r.Body)
		}
		r = x.call("GET", "/api/v1/merits/bounties/"+b.ID.String(), "sup2", nil)
		if strings.Contains(string(r.Body), "李举报") || strings.Contains(string(r.Body), "13900001111") {
			t.Errorf("another supervisor sees the reporter: %s", r.Body)
		}
		r.decode(t, &b)
		if r.Code != http.StatusOK || !b.Protected || b.Reporter == "" {
			t.Errorf("another supervisor's bounty: %d %s", r.Code, r.Body)
		}
		x.call("GET", "/api/v1/merits/bounties/"+b.ID.String(), "boss", nil).decode(t, &b)
		if b.Protected || b.Reporter != "李举报" {
			t.Errorf("manager's bounty %+v", b)
		}
		wantError(t, x.call("POST", "/api/v1/merits/bounties/"+b.ID.String()+"/approve", "sup", map[string]any{"note": "x"}),
			http.StatusForbidden, "forbidden", "")
		if r := x.call("POST", "/api/v1/merits/bounties/"+b.ID.String()+"/approve", "boss", map[string]any{"note": "同意"}); r.Code != http.StatusOK {
			t.Errorf("approve: %d %s", r.Code, r.Body)
		}

		// SEC-011: the month's confirmed results are published.
		month := x.call("GET", "/api/v1/merits/monthly?unit_id="+x.a.ID.String()+"&month=2026-05", "boss", nil)
		var mt merit.MonthTable
		month.decode(t, &mt)
		if month.Code != http.StatusOK || mt.Month != "2026-05" || len(mt.Rows) == 0 {
			t.Fatalf("monthly: %d %s", month.Code, month.Body)
		}
		wantError(t, x.call("GET", "/api/v1/merits/monthly?month=2026-13&unit_id="+x.a.ID.String(), "boss", nil), http.StatusUnprocessableEntity, "validation_failed", "month")
		wantError(t, x.call("GET", "/api/v1/merits/monthly", "zhou", nil), http.StatusForbidden, "forbidden", "")
		r = x.call("POST", "/api/v1/merits/publications", "boss", map[string]any{"unit_id": x.a.ID.String(), "month": "2026-05",
			"channel": "售楼部公告栏", "on": "2026-06-01"})
		if r.Code != http.StatusCreated {
			t.Fatalf("publish: %d %s", r.Code, r.Body)
		}
		x.call("GET", "/api/v1/merits?user_id="+zhou+"&unpublished=true", "boss", nil).decode(t, &pg)
		for _, e := range pg.Items {
			if strings.HasPrefix(e.At, "2026-05") {
				t.Errorf("entry #%s of May unpublished after the publication", e.ID)
			}
		}
	})
}

// TestMeritScopeOverHTTP: the people of 乙置业公司 neither read nor change
// 甲置业's entries, appeals, flags or bounties through any route with an
// {id}: 404 exactly as for no record, nothing written (the rowScope entry
// of scope_test.go); their lists do not show them.
func TestMeritScopeOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		x := newMeritEnv(t, db)
		zhou := x.ids["zhou"].String()
		var entry merit.Entry
		for _, at := range []string{"2026-01-05", "2026-02-05"} {
			entry = x.entry(x.call("POST", "/api/v1/merits", "boss", map[string]any{"user_id": zhou, "kind": "major_demerit",
				"reason": "甲置业的记录", "at": at}), http.StatusCreated)
		}
		prop := x.entry(x.call("POST", "/api/v1/merits", "sup", map[string]any{"user_id": zhou, "kind": "criticism",
			"reason": "甲置业的建议", "at": "2026-05-05"}), http.StatusCreated)
		r := x.call("POST", "/api/v1/merits/"+entry.ID.String()+"/appeals", "zhou", map[string]any{"evidence": "甲置业的申诉"})
		var ap merit.Appeal
		r.decode(t, &ap)
		var flags struct{ Items []merit.FlagRecord }
		x.call("GET", "/api/v1/merits/flags", "boss", nil).decode(t, &flags)
		r = x.call("POST", "/api/v1/merits/bounties", "sup", map[string]any{"kind": "theft", "verified": true, "verification": "核实",
			"basis": "recovered", "basis_amount": "1000", "reporter_name": "甲置业的举报人", "reporter_phone": "13900002222"})
		var b merit.Bounty
		r.decode(t, &b)
		if ap.ID == 0 || len(flags.Items) == 0 || b.ID == 0 {
			t.Fatalf("setup: appeal %v flags %v bounty %v", ap.ID, flags.Items, b.ID)
		}
		idFor := func(path string) store.ID {
			switch {
			case strings.HasPrefix(path, "/api/v1/merits/appeals/"):
				return ap.ID
			case strings.HasPrefix(path, "/api/v1/merits/flags/"):
				return flags.Items[0].ID
			case strings.HasPrefix(path, "/api/v1/merits/bounties/"):
				return b.ID
			case strings.HasSuffix(path, "/confirm"), strings.HasSuffix(path, "/reject"):
				return prop.ID
			}
			return entry.ID
		}
		bodies := map[string]any{"confirm": map[string]any{"note": "越权"}, "reject": map[string]any{"note": "越权"},
			"offset": map[string]any{"apply": false, "note": "越权"}, "appeals": map[string]any{"evidence": "越权"},
			"mediate": map[string]any{"outcome": "withdrawn", "note": "越权"}, "accept": map[string]any{"note": "越权"},
			"escalate": map[string]any{"note": "越权"}, "resolve": map[string]any{"outcome": "withdrawn", "note": "越权"},
			"close": map[string]any{"state": "done", "note": "越权"}, "approve": map[string]any{"note": "越权"},
			"pay": map[string]any{"paid_on": "2026-06-01", "voucher": "越权"}}
		checked := 0
		for _, rt := range x.env.api.Routes() {
			if !strings.HasPrefix(rt.Path, "/api/v1/merits/") || !strings.Contains(rt.Path, "{id}") {
				continue
			}
			var body any
			if rt.Method == "POST" {
				body = bodies[rt.Path[strings.LastIndex(rt.Path, "/")+1:]]
			}
			for _, who := range []string{"otherboss", "othersup"} {
				if !auth.Grants([]auth.Role{x.roles[who]}, rt.Permission) {
					continue
				}
				before := x.auditCount()
				r := x.call(rt.Method, strings.Replace(rt.Path, "{id}", idFor(rt.Path).String(), 1), who, body)
				none := x.call(rt.Method, strings.Replace(rt.Path, "{id}", "987654321", 1), who, body)
				e, n := errorOf(t, r), errorOf(t, none)
				if r.Code != http.StatusNotFound || none.Code != r.Code || n.Code != e.Code || n.Field != e.Field || n.Message != e.Message {
					t.Errorf("%s %s %s: %d %v; no record: %d %v", who, rt.Method, rt.Path, r.Code, e, none.Code, n)
				}
				if strings.Contains(string(r.Body), "甲置业") {
					t.Errorf("%s %s leaks: %s", who, rt.Path, r.Body)
				}
				if x.auditCount() != before {
					t.Errorf("%s %s %s wrote", who, rt.Method, rt.Path)
				}
				checked++
			}
		}
		if checked < 20 {
			t.Fatalf("only %d route checks", checked)
		}
		for _, path := range []string{"/api/v1/merits", "/api/v1/merits/appeals", "/api/v1/merits/flags", "/api/v1/merits/bounties",
			"/api/v1/merits/monthly?month=2026-05&unit_id=" + x.b.ID.String()} {
			if r := x.call("GET", path, "otherboss", nil); strings.Contains(string(r.Body), "甲置业") || r.Code != http.StatusOK {
				t.Errorf("GET %s for 乙: %d %s", path, r.Code, r.Body)
			}
		}
		wantError(t, x.call("GET", "/api/v1/merits/summary?user_id="+zhou, "otherboss", nil), http.StatusNotFound, "not_found", "user_id")
		r = x.call("POST", "/api/v1/merits", "otherboss", map[string]any{"user_id": zhou, "kind": "criticism", "reason": "越权"})
		if e := errorOf(t, r); r.Code != http.StatusUnprocessableEntity || e.Field != "user_id" {
			t.Errorf("乙's manager records for 甲's person: %d %s", r.Code, r.Body)
		}
	})
}
