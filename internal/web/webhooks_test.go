package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
)

var secretRE = regexp.MustCompile(`id="secret-value">([0-9a-f]+)<`)

func TestWebhookPages(t *testing.T) {
	e := newTicketEnv(t)
	for _, who := range []string{"agent", "boss", "viewer"} {
		c := e.signedIn(who)
		c.get("/admin/webhooks").want(t, http.StatusForbidden, "webhooks:manage")
		c.post("/admin/webhooks", url.Values{"url": {"https://x.example/h"}, "events": {"*"}}).want(t, http.StatusForbidden)
		c.get("/").lacks(t, `href="/admin/webhooks"`)
	}
	admin := e.signedIn("admin")
	admin.get("/").want(t, http.StatusOK, `href="/admin/webhooks"`)
	admin.get("/admin/webhooks").want(t, http.StatusOK, `id="webhook-form"`, `value="ticket.*"`, "还没有 Webhook")

	// errors inline, values kept
	res := admin.post("/admin/webhooks", url.Values{"url": {"ftp://x.example"}, "events": {"ticket.*"}, "active": {"1"}})
	res.want(t, http.StatusUnprocessableEntity, `value="ftp://x.example"`)
	if fieldError(res.body, "f-url") == "" {
		t.Errorf("no inline error under the URL\n%s", res.body)
	}
	res = admin.post("/admin/webhooks", url.Values{"url": {"https://crm.example/hook"}, "events": {"Ticket Assigned"}})
	if fieldError(res.body, "f-events") == "" {
		t.Errorf("no inline error under the events\n%s", res.body)
	}

	// created: the secret is shown on this answer, and never again
	res = admin.post("/admin/webhooks", url.Values{"url": {"https://crm.example/hook"}, "events": {"ticket.*, ticket.clock.breached"}, "active": {"1"}})
	res.want(t, http.StatusCreated, "Webhook 已创建", "只显示这一次", "https://crm.example/hook")
	m := secretRE.FindStringSubmatch(res.body)
	if m == nil || len(m[1]) < 32 {
		t.Fatalf("the secret is not shown after creation\n%s", res.body)
	}
	secret := m[1]
	list := admin.get("/admin/webhooks")
	list.want(t, http.StatusOK, "https://crm.example/hook", "ticket.clock.breached", "在用")
	list.lacks(t, secret)
	page := admin.get("/admin/webhooks/1")
	page.want(t, http.StatusOK, "已设置签名密钥", `value="ticket.*, ticket.clock.breached"`, "还没有推送记录", `data-confirm=`)
	page.lacks(t, secret, `id="secret-value"`)

	// a work-order event queues a delivery, listed with its status and attempts
	agent := e.signedIn("agent")
	path := create(t, agent, intake("门禁坏了"))
	agent.post(path+"/act", url.Values{"action": {"assign"}, "org_unit": {e.eng.ID.String()}, "user_id": {e.ids["fixer"].String()}}).
		want(t, http.StatusSeeOther)
	admin.get("/admin/webhooks/1").want(t, http.StatusOK, `id="deliveries-table"`, "ticket.assigned", "待推送")

	// disable, renew the secret (shown once), delete
	admin.post("/admin/webhooks/1", url.Values{"url": {"https://crm.example/hook2"}, "events": {"*"}}).want(t, http.StatusSeeOther)
	admin.get("/admin/webhooks/1").want(t, http.StatusOK, "https://crm.example/hook2", "停用")
	res = admin.post("/admin/webhooks/1/secret", nil)
	res.want(t, http.StatusOK, "已生成新的签名密钥")
	if m := secretRE.FindStringSubmatch(res.body); m == nil || m[1] == secret {
		t.Errorf("renewing shows no new secret")
	}
	admin.get("/admin/webhooks/1").lacks(t, `id="secret-value"`)
	admin.post("/admin/webhooks/1/delete", nil).want(t, http.StatusSeeOther)
	admin.get("/admin/webhooks").lacks(t, "https://crm.example/hook2")
	admin.get("/admin/webhooks/1").want(t, http.StatusNotFound)
}
