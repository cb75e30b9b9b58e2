package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Payloads a caller may type into any free-text field: a script element,
// an attribute break-out, a javascript: URL, each with Chinese text.
const (
	xssScript = `<script>alert('客服')</script>卫生间漏水`
	xssBreak  = `"><img src=x onerror=alert(1)>陈先生`
	xssURL    = `javascript:alert(1)//3栋1单元502`
)

// rawXSS are the forms the payloads take when a page fails to escape
// them; escapedXSS are their correct html/template renderings.
var (
	rawXSS     = []string{"<script>alert(", `"><img`, "<img src=x", "</script>卫生间"}
	escapedXSS = []string{"&lt;script&gt;alert(&#39;客服&#39;)&lt;/script&gt;卫生间漏水", "&lt;img src=x onerror=alert(1)&gt;陈先生"}
	jsURL      = regexp.MustCompile(`(?i)(href|src|action|formaction)\s*=\s*["']?\s*javascript:`)
)

// wantEscaped checks one page: the payloads show as text, never as markup.
func wantEscaped(t *testing.T, what string, r response, escaped ...string) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("%s: status %d\n%s", what, r.status, r.body)
	}
	for _, raw := range rawXSS {
		if strings.Contains(r.body, raw) {
			t.Errorf("%s: unescaped %q in the page", what, raw)
		}
	}
	for _, e := range escaped {
		if !strings.Contains(r.body, e) {
			t.Errorf("%s: lacks the escaped text %q", what, e)
		}
	}
	if m := jsURL.FindString(r.body); m != "" {
		t.Errorf("%s: javascript: URL in an attribute: %q", what, m)
	}
	if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
}

// A work order and its caller's record hold the payloads in the subject,
// description, timeline note, name and address; the list, search, detail
// and printable pages of both show them escaped (issue 7).
func TestXSSWorkOrderPagesEscapeInput(t *testing.T) {
	e := newTicketEnv(t)
	agent := e.signedIn("agent")
	form := intake(xssScript)
	form.Set("description", xssBreak+" "+xssURL)
	form.Set("name", xssBreak)
	form.Set("address", xssURL)
	path := create(t, agent, form)
	agent.post(path+"/act", url.Values{"action": {"note"}, "note": {xssScript + " " + xssBreak}}).want(t, http.StatusSeeOther)

	page := agent.get(path)
	wantEscaped(t, "work order", page, escapedXSS...)
	// The javascript: text is shown as text, never made a link.
	if !strings.Contains(page.body, "javascript:alert(1)//3栋1单元502") {
		t.Errorf("work order page lacks the address text")
	}
	wantEscaped(t, "work order list", agent.get("/tickets"), escapedXSS[0])
	wantEscaped(t, "work order search", agent.get("/tickets?q="+url.QueryEscape(xssScript)), escapedXSS[0])
	wantEscaped(t, "printable work order", agent.get(path+"/print"), escapedXSS...)

	// The caller's customer record, filed from the intake.
	list := agent.get("/customers?q=" + url.QueryEscape("陈先生"))
	wantEscaped(t, "customer list", list, escapedXSS[1])
	m := regexp.MustCompile(`href="(/customers/\d+)"`).FindStringSubmatch(list.body)
	if m == nil {
		t.Fatalf("customer list has no link to the record:\n%s", list.body)
	}
	wantEscaped(t, "customer", agent.get(m[1]), escapedXSS[1])
	wantEscaped(t, "printable customer", agent.get(m[1]+"/print"), escapedXSS[1])
}

// A customer filed through the archive form with the payloads in the name,
// address and note: list, detail, edit form and printable cover.
func TestXSSCustomerPagesEscapeInput(t *testing.T) {
	e := newCustomerEnv(t)
	arch := e.signedIn("archivist")
	res := arch.post("/customers/new", url.Values{"kind": {"person"}, "name": {xssBreak}, "phone": {"13900139000"},
		"type": {"residential"}, "address": {xssURL + " " + xssScript}, "note": {xssScript},
		"sp0_kind": {"gas_account"}, "sp0_account_no": {"RQ-0009"}})
	if res.status != http.StatusSeeOther || !regexp.MustCompile(`^/customers/\d+`).MatchString(res.location) {
		t.Fatalf("create: %d %q\n%s", res.status, res.location, res.body)
	}
	page, _, _ := strings.Cut(res.location, "?")
	wantEscaped(t, "customer", arch.get(page), escapedXSS...)
	wantEscaped(t, "customer edit form", arch.get(page+"/edit"), escapedXSS...)
	wantEscaped(t, "printable customer", arch.get(page+"/print"), escapedXSS[1])
	wantEscaped(t, "customer list", arch.get("/customers"), escapedXSS[1])
	wantEscaped(t, "customer search", arch.get("/customers?q="+url.QueryEscape(xssScript)))

	// A refused form shows the typed values back, escaped.
	bad := arch.post("/customers/new", url.Values{"kind": {"person"}, "name": {xssBreak}, "address": {xssScript}})
	if bad.status < 400 || bad.status >= 500 {
		t.Fatalf("invalid form: status %d", bad.status)
	}
	bad.status = http.StatusOK
	wantEscaped(t, "refused customer form", bad, escapedXSS...)
}

// Values reflected from the URL (the login page's next, an unknown path)
// are escaped too.
func TestXSSReflectedParameters(t *testing.T) {
	e := newEnv(t)
	login := e.client().get("/login?next=" + url.QueryEscape(`/"><script>alert('客服')</script>`))
	const escaped = "&lt;script&gt;alert(&#39;客服&#39;)&lt;/script&gt;"
	wantEscaped(t, "login page", login, `value="/&#34;&gt;`+escaped+`"`)
	notFound := e.signedIn("agent").get("/" + url.PathEscape(`<script>alert('客服')</script>`))
	if notFound.status != http.StatusNotFound {
		t.Fatalf("unknown path: status %d", notFound.status)
	}
	notFound.status = http.StatusOK // wantEscaped reads a 200; the path shows only URL-encoded
	wantEscaped(t, "not-found page", notFound)
}
