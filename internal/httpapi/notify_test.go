package httpapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/httpapi"
	"kefu/internal/httpkit"
	"kefu/internal/i18n"
	"kefu/internal/jobs"
	"kefu/internal/notify"
	"kefu/internal/services"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// notifyEnv is the test env with the jobs engine and notify service wired in.
func notifyEnv(t *testing.T, db *store.DB) (*env, *jobs.Engine, *notify.Service) {
	e := newEnv(t, db)
	quiet := slog.New(slog.DiscardHandler)
	j := jobs.NewEngine(jobs.Options{DB: db, Logger: quiet, Now: e.clk.Now})
	n := notify.New(notify.Options{DB: db, Jobs: j, Logger: quiet, Now: e.clk.Now})
	e.api = httpapi.New(services.Set{DB: db, Auth: e.auth, Org: e.org, Calendars: e.cals, Policy: e.policy,
		Jobs: j, Notify: n, Version: "test", Now: e.clk.Now, Logger: quiet})
	e.h = httpkit.RequestID(httpkit.LimitBody(1<<20, e.api))
	return e, j, n
}

func TestNotificationsOwnOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, _, n := notifyEnv(t, db)
		agent := e.user("agent", e.root.ID, auth.RoleCSAgent)
		tok := e.login("agent")
		send := func(users ...store.ID) {
			t.Helper()
			if err := db.Tx(context.Background(), func(tx store.Conn) error {
				return n.Send(context.Background(), tx, notify.Message{Event: "ticket.assigned", Users: users,
					Title: i18n.T("工单已分派", "Ticket assigned"), Link: "/tickets/1", Object: "ticket", ObjectID: 1})
			}); err != nil {
				t.Fatal(err)
			}
		}
		send(agent.ID)
		send(agent.ID)
		send(e.admin.ID)
		var got httpapi.NotificationList
		r := e.do("GET", "/api/v1/notifications?unread=true", tok, nil)
		if r.Code != http.StatusOK {
			t.Fatalf("list: %d %s", r.Code, r.Body)
		}
		r.decode(t, &got)
		if len(got.Items) != 2 || got.Unread != 2 || got.Items[0].TitleZH != "工单已分派" {
			t.Fatalf("agent sees %+v", got)
		}
		var admins httpapi.NotificationList
		e.do("GET", "/api/v1/notifications", e.adminTok, nil).decode(t, &admins)
		// The agent cannot mark the admin's notification read.
		var ans httpapi.MarkReadAnswer
		r = e.do("POST", "/api/v1/notifications/read", tok, map[string]any{"ids": []string{admins.Items[0].ID.String(), got.Items[0].ID.String()}})
		r.decode(t, &ans)
		if r.Code != http.StatusOK || ans.Marked != 1 || ans.Unread != 1 {
			t.Fatalf("mark read: %d %s", r.Code, r.Body)
		}
		e.do("GET", "/api/v1/notifications?unread=true", e.adminTok, nil).decode(t, &admins)
		if admins.Unread != 1 {
			t.Fatalf("admin's notification was marked by someone else: %+v", admins)
		}
		e.do("POST", "/api/v1/notifications/read", tok, map[string]any{"all": true}).decode(t, &ans)
		if ans.Marked != 1 || ans.Unread != 0 {
			t.Fatalf("mark all: %+v", ans)
		}
		wantError(t, e.do("POST", "/api/v1/notifications/read", tok, map[string]any{}), 422, "validation_failed", "ids")
		wantError(t, e.do("GET", "/api/v1/notifications?unread=maybe", tok, nil), 422, "validation_failed", "unread")
		wantError(t, e.do("GET", "/api/v1/notifications", "", nil), 401, "unauthorized", "")
	})
}

func TestWebhooksAdminAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, j, n := notifyEnv(t, db)
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			calls.Add(1)
		}))
		t.Cleanup(srv.Close)
		e.user("agent", e.root.ID, auth.RoleCSAgent)
		agentTok := e.login("agent")
		wantError(t, e.do("GET", "/api/v1/webhooks", agentTok, nil), 403, "forbidden", "")
		wantError(t, e.do("POST", "/api/v1/webhooks", e.adminTok, map[string]any{"url": "ftp://x/y", "events": []string{"*"}}),
			422, "validation_failed", "url")

		audits := e.auditCount()
		var hook notify.Webhook
		r := e.do("POST", "/api/v1/webhooks", e.adminTok, map[string]any{"url": srv.URL, "events": []string{"ticket.*"}})
		if r.Code != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Code, r.Body)
		}
		r.decode(t, &hook)
		if !hook.Active || hook.Secret == "" || r.Header.Get("Location") != "/api/v1/webhooks/"+hook.ID.String() {
			t.Fatalf("created %+v", hook)
		}
		if e.auditCount() != audits+1 || e.lastAudit().Action != "webhook.create" {
			t.Fatal("webhook creation is not audited")
		}
		var hooks listJSON[notify.Webhook]
		e.do("GET", "/api/v1/webhooks", e.adminTok, nil).decode(t, &hooks)
		if len(hooks.Items) != 1 || hooks.Items[0].Secret != "" {
			t.Fatalf("list %+v", hooks)
		}

		if err := db.Tx(context.Background(), func(tx store.Conn) error {
			return n.Send(context.Background(), tx, notify.Message{Event: "ticket.escalated", Object: "ticket", ObjectID: 3})
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := j.FireDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		n.Wait()
		var ds listJSON[notify.Delivery]
		e.do("GET", "/api/v1/webhooks/"+hook.ID.String()+"/deliveries", e.adminTok, nil).decode(t, &ds)
		if calls.Load() != 1 || len(ds.Items) != 1 || ds.Items[0].Status != notify.StatusDelivered {
			t.Fatalf("deliveries %+v, calls %d", ds, calls.Load())
		}

		r = e.do("PATCH", "/api/v1/webhooks/"+hook.ID.String(), e.adminTok, map[string]any{"active": false})
		var up notify.Webhook
		r.decode(t, &up)
		if r.Code != http.StatusOK || up.Active {
			t.Fatalf("patch: %d %s", r.Code, r.Body)
		}
		if r = e.do("DELETE", "/api/v1/webhooks/"+hook.ID.String(), e.adminTok, nil); r.Code != http.StatusNoContent {
			t.Fatalf("delete: %d %s", r.Code, r.Body)
		}
		if e.lastAudit().Action != "webhook.delete" {
			t.Fatal("webhook deletion is not audited")
		}
		wantError(t, e.do("GET", "/api/v1/webhooks/"+hook.ID.String(), e.adminTok, nil), 404, "not_found", "webhook")
	})
}
