package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// neighbour is an intake from another household of building 3 about the same thing.
func neighbour(phone, subject string) url.Values {
	f := intake(subject)
	f.Set("phone", phone)
	f.Set("name", "住户"+phone[len(phone)-2:])
	f.Set("address", "3栋2单元"+phone[len(phone)-3:])
	return f
}

var numberRE = regexp.MustCompile(`id="ticket-number">([0-9-]+)<`)

func TestClusterAndOpenLetter(t *testing.T) {
	e := newTicketEnv(t)
	agent := e.signedIn("agent")
	a := create(t, agent, neighbour("13900000101", "楼道灯不亮"))
	b := create(t, agent, neighbour("13900000102", "楼道灯坏了"))
	c := create(t, agent, neighbour("13900000103", "3栋楼道没有灯"))
	id := func(path string) string { return strings.TrimPrefix(path, "/tickets/") }

	page := agent.get(a)
	page.want(t, http.StatusOK, `id="similar"`, `id="cluster-form"`, `name="ticket_ids" value="`+id(b)+`" checked`,
		`name="ticket_ids" value="`+id(c)+`" checked`, "3栋")
	page.lacks(t, `id="similar-suggest"`) // 3 of the pack's 5

	// the viewer sees the card but may not make a cluster
	viewer := e.signedIn("viewer")
	viewer.get(a).lacks(t, `id="cluster-form"`)
	viewer.post(a+"/cluster", url.Values{"title": {"x"}}).want(t, http.StatusForbidden)

	// a cluster of a and b; the title is required
	res := agent.post(a+"/cluster", url.Values{"action": {"create"}, "title": {" "}, "ticket_ids": {id(b)}})
	res.want(t, http.StatusUnprocessableEntity, `id="cluster-create" open`)
	if fieldError(res.body, "cl-title") == "" {
		t.Errorf("no inline error under the cluster title\n%s", res.body)
	}
	res = agent.post(a+"/cluster", url.Values{"action": {"create"}, "title": {"3栋楼道灯不亮"}, "location": {"3栋"}, "ticket_ids": {id(b)}})
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/tickets/clusters/") {
		t.Fatalf("cluster: %d %q\n%s", res.status, res.location, res.body)
	}
	cluster := res.location
	agent.get(cluster).want(t, http.StatusOK, "集中问题已建立", "3栋楼道灯不亮", `id="members-table"`, `data-id="`+id(a)+`"`,
		`data-id="`+id(b)+`"`, "尚未召开解释会", `id="session-form"`, `id="letter-form"`, "可答复的 2 张工单")
	agent.get(a).want(t, http.StatusOK, `id="ticket-cluster"`, "归入集中问题")

	// c joins the existing cluster from its own page
	page = agent.get(c)
	page.want(t, http.StatusOK, "加入集中问题「3栋楼道灯不亮」")
	cid := strings.TrimPrefix(cluster, "/tickets/clusters/")
	agent.post(c+"/cluster", url.Values{"action": {"add"}, "cluster_id": {cid}}).want(t, http.StatusSeeOther)
	agent.get(cluster).want(t, http.StatusOK, `data-id="`+id(c)+`"`, "3 张工单")

	// a joint explanation session (TKT-008): errors inline, then every member's timeline
	viewer.get(cluster).want(t, http.StatusOK, "3栋楼道灯不亮")
	viewer.get(cluster).lacks(t, `id="session-form"`)
	viewer.post(cluster+"/sessions", url.Values{"place": {"x"}}).want(t, http.StatusForbidden)
	res = agent.post(cluster+"/sessions", url.Values{"held_at": {"2026-01-01T10:00"}, "record": {"已说明"}})
	res.want(t, http.StatusUnprocessableEntity, "已说明")
	if fieldError(res.body, "s-place") == "" {
		t.Errorf("no inline error under the place\n%s", res.body)
	}
	res = agent.post(cluster+"/sessions", url.Values{"place": {"3栋大堂"}, "record": {"工程部说明线路老化，周五前更换。"}})
	res.want(t, http.StatusUnprocessableEntity) // no time: required
	if fieldError(res.body, "s-held_at") == "" {
		t.Errorf("no inline error under the time\n%s", res.body)
	}
	form := regexp.MustCompile(`name="held_default" value="([^"]+)"`).FindStringSubmatch(agent.get(cluster).body)
	if form == nil {
		t.Fatal("the session form has no default time")
	}
	res = agent.post(cluster+"/sessions", url.Values{"held_at": {form[1]}, "held_default": {form[1]},
		"place": {"3栋大堂"}, "record": {"工程部说明线路老化，周五前更换。"}})
	res.want(t, http.StatusSeeOther)
	agent.get(cluster).want(t, http.StatusOK, "3栋大堂", "线路老化")
	agent.get(b).want(t, http.StatusOK, "联合解释", "3栋大堂")

	// the open letter answers every member (TKT-010)
	res = agent.post(cluster+"/letter", url.Values{"title": {"关于3栋楼道照明的说明"}, "body": {" "}})
	res.want(t, http.StatusUnprocessableEntity)
	if fieldError(res.body, "l-body") == "" {
		t.Errorf("no inline error under the body\n%s", res.body)
	}
	res = agent.post(cluster+"/letter", url.Values{"title": {"关于3栋楼道照明的说明"}, "body": {"各位业主：\n线路将于周五前更换。"}})
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/tickets/letters/") {
		t.Fatalf("letter: %d %q\n%s", res.status, res.location, res.body)
	}
	letter := agent.get(res.location)
	letter.want(t, http.StatusOK, `id="letter-sheet"`, "公开信", "关于3栋楼道照明的说明", "线路将于周五前更换", "物业公司",
		"本信答复工单", "年", `data-print`)
	if !regexp.MustCompile(`OL-\d{4}-01`).MatchString(letter.body) {
		t.Errorf("the letter has no number")
	}
	for _, p := range []string{a, b, c} {
		agent.get(p).want(t, http.StatusOK, `id="ticket-letters"`, "已答复")
	}
	agent.get(cluster).want(t, http.StatusOK, `id="cluster-letters"`)
	e.signedIn("fixer").get(res.location).want(t, http.StatusNotFound) // sees none of the work orders
}

func TestDuplicateIntake(t *testing.T) {
	e := newTicketEnv(t)
	agent := e.signedIn("agent")
	first := create(t, agent, intake("卫生间漏水"))
	res := agent.post("/tickets/new", intake("卫生间又漏水了"))
	if res.status != http.StatusSeeOther || !strings.Contains(res.location, "?dup="+strings.TrimPrefix(first, "/tickets/")) {
		t.Fatalf("the duplicate candidate is not carried: %d %q", res.status, res.location)
	}
	firstNo := numberRE.FindStringSubmatch(agent.get(first).body)[1]
	page := agent.get(res.location)
	page.want(t, http.StatusOK, `id="duplicates"`, firstNo, "并入此单", `id="act-link_duplicate"`, `<option value="`+firstNo+`">`)
	second, _, _ := strings.Cut(res.location, "?")
	agent.get(second).lacks(t, `id="duplicates"`)

	// the first record by number: a wrong one inline, then merged
	bad := agent.post(second+"/act", url.Values{"action": {"link_duplicate"}, "ticket_number": {"20000101-000001"}})
	bad.want(t, http.StatusUnprocessableEntity, `id="act-link_duplicate" open`)
	if msg := fieldError(bad.body, "a-link_duplicate-ticket_number"); !strings.Contains(msg, "20000101-000001") {
		t.Errorf("ticket_number error %q", msg)
	}
	agent.post(second+"/act", url.Values{"action": {"link_duplicate"}, "ticket_number": {firstNo}}).want(t, http.StatusSeeOther)
	agent.get(second).want(t, http.StatusOK, "已合并", `id="ticket-merged-into"`, firstNo)
	agent.get(first).want(t, http.StatusOK, "重复受理已并入")
}
