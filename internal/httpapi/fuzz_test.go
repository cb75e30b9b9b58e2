package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/httpapi"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/ticket"
)

// fuzzEnv is one API on a SQLite database for a whole fuzz run, with a
// work order, a user and a unit for the routes' path parameters. The env
// is built on the first input and then handed each input's *testing.T.
type fuzzEnv struct {
	db            *store.DB
	e             *env
	ids           map[string]string
	writes, reads []httpapi.Route
}

func newFuzzEnv(f *testing.F) *fuzzEnv { return &fuzzEnv{db: storetest.OpenSQLite(f)} }

// use returns the environment for the input run by t.
func (fe *fuzzEnv) use(t *testing.T) *env {
	if fe.e != nil {
		fe.e.t = t
		return fe.e
	}
	e := newEnv(t, fe.db)
	co, err := e.org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "物业公司", Pack: "property"})
	if err != nil {
		t.Fatal(err)
	}
	agent := e.user("fuzz.agent", co.ID, auth.RoleCSAgent)
	tk, err := e.tickets.Create(t.Context(), agent.Principal(), ticket.CreateInput{Category: "repair.simple", Subject: "楼道灯不亮"})
	if err != nil {
		t.Fatal(err)
	}
	fe.ids = map[string]string{"/api/v1/users/": agent.ID.String(), "/api/v1/org-units/": co.ID.String(),
		"/api/v1/tickets/": tk.ID.String()}
	for _, rt := range e.api.Routes() {
		switch {
		case rt.Method == http.MethodGet:
			fe.reads = append(fe.reads, rt)
		case rt.Path != "/api/v1/auth/logout": // it would end the session the inputs use
			fe.writes = append(fe.writes, rt)
		}
	}
	fe.e = e
	return e
}

// noServerError fails t when the API answered 5xx: bad input must get a
// clear 4xx (PRODUCT.md §5), never a server error.
func noServerError(t *testing.T, method, path string, r res) {
	t.Helper()
	if r.Code >= 500 {
		t.Fatalf("%s %s answered %d: %s", method, path, r.Code, r.Body)
	}
}

// FuzzRequestBodies sends arbitrary bodies to every state-changing route,
// as the administrator (who passes every permission check, so the body
// reaches the decoders and validators): never a 5xx.
func FuzzRequestBodies(f *testing.F) {
	bodies := []string{`{}`, `[]`, `null`, `"x"`, `{"category":"repair.simple","subject":"漏水"}`,
		`{"action":"note","note":"催办"}`, `{"action":"assign","org_unit":"99999"}`, `{"action":"resolve","at":"2026-13-45T25:61:00Z"}`,
		`{"username":"张三","password":"短","roles":["nobody"]}`, `{"name":"王芳","phone":"１３８００１３８０００","kind":"person"}`,
		`{"received_at":"not a time","customer":{"name":1}}`, `{"limit":-1,"cursor":"💥"}`, `{"id":"9223372036854775808"}`,
		`{"a":{"b":{"c":{"d":[[[[[[]]]]]]}}}}`, `{"subject":"<script>alert(1)</script>"}`, "{\"x\":\"\x00\xff\"}", `{`, ``}
	for i := range 40 { // a seed for each route index, bodies in turn
		f.Add(uint8(i), []byte(bodies[i%len(bodies)]))
	}
	fe := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		e := fe.use(t)
		rt := fe.writes[int(route)%len(fe.writes)]
		path := fill(rt.Path, fe.ids)
		noServerError(t, rt.Method, path, e.do(rt.Method, path, e.adminTok, body))
	})
}

// FuzzQueryParameters sends arbitrary query strings to every GET route:
// never a 5xx.
func FuzzQueryParameters(f *testing.F) {
	for i, q := range []string{"", "limit=0", "limit=99999999999999999999", "cursor=%ZZ", "status=bogus&breached=maybe",
		"q=" + "%E5%B9%B8%E7%A6%8F", "q=%00%ff", "due_soon=true&mine=1&unit=-5", "from=2026-02-30&to=yesterday",
		"category=" + "x%27%20OR%201%3D1--", "year=99999", "page=1&page=2"} {
		f.Add(uint8(i), q)
	}
	fe := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, route uint8, query string) {
		e := fe.use(t)
		rt := fe.reads[int(route)%len(fe.reads)]
		path := fill(rt.Path, fe.ids) + "?" + query
		req, err := http.NewRequest(rt.Method, "http://kefu"+path, nil)
		if err != nil || req.URL.RawQuery != query || strings.ContainsFunc(query, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return // not a request line a client could send
		}
		noServerError(t, rt.Method, path, e.do(rt.Method, path, e.adminTok, nil))
	})
}
