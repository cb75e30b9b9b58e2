package notify

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/jobs"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

var (
	quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
	admin = &auth.Principal{UserID: 1, Username: "admin", Roles: []auth.Role{auth.RoleAdmin}}
	agent = &auth.Principal{UserID: 2, Username: "agent", Roles: []auth.Role{auth.RoleCSAgent}}
)

type fixture struct {
	db    *store.DB
	clock *clock
	jobs  *jobs.Engine
	svc   *Service
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	c := &clock{t: time.Date(2025, 3, 3, 9, 0, 0, 0, store.Zone)}
	e := jobs.NewEngine(jobs.Options{DB: db, Logger: quiet, Now: c.Now})
	return &fixture{db: db, clock: c, jobs: e, svc: New(Options{DB: db, Jobs: e, Logger: quiet, Now: c.Now})}
}

// users creates n users and returns their ids.
func (f *fixture) users(t *testing.T, n int) []store.ID {
	t.Helper()
	ctx := context.Background()
	var ids []store.ID
	err := f.db.Tx(ctx, func(tx store.Conn) error {
		unit, err := tx.InsertID(ctx, `INSERT INTO org_units (kind, name, path, depth, created_at, updated_at)
			VALUES ('group', 'g', '/', 0, 1, 1) RETURNING id`)
		if err != nil {
			return err
		}
		for i := range n {
			name := "u" + store.ID(i+1).String()
			id, err := tx.InsertID(ctx, `INSERT INTO users (username, username_key, display_name, password_hash, org_unit_id,
				password_changed_at, created_at, updated_at) VALUES (?, ?, ?, 'x', ?, 1, 1, 1) RETURNING id`, name, name, name, unit)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func (f *fixture) send(t *testing.T, m Message) {
	t.Helper()
	if err := f.db.Tx(context.Background(), func(tx store.Conn) error { return f.svc.Send(context.Background(), tx, m) }); err != nil {
		t.Fatal(err)
	}
}

// fire fires due timers and waits for the posts they started.
func (f *fixture) fire(t *testing.T) int {
	t.Helper()
	n, err := f.jobs.FireDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f.svc.Wait()
	return n
}

func (f *fixture) hook(t *testing.T, url string, events ...string) Webhook {
	t.Helper()
	w, err := f.svc.CreateWebhook(context.Background(), admin, Webhook{URL: url, Events: events, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (f *fixture) deliveries(t *testing.T, hook store.ID) []Delivery {
	t.Helper()
	d, err := f.svc.Deliveries(context.Background(), admin, hook, 0)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func ticketMessage(event string, users ...store.ID) Message {
	return Message{Event: event, Users: users, Title: i18n.T("工单 #7 已分派给你", "Ticket #7 was assigned to you"),
		Link: "/tickets/7", Object: "ticket", ObjectID: 7, Payload: map[string]any{"ticket_id": "7", "priority": "high"}}
}

func TestNotificationsListUnreadMarkRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.users(t, 2)
		f.send(t, ticketMessage("ticket.assigned", u[0], u[0], u[1])) // u[0] twice: one notification
		f.clock.Advance(time.Minute)
		f.send(t, ticketMessage("ticket.clock.warning", u[0]))
		if n, _ := f.svc.Unread(ctx, u[0]); n != 2 {
			t.Fatalf("unread u0 = %d, want 2", n)
		}
		list, err := f.svc.List(ctx, u[0], false, 0)
		if err != nil || len(list) != 2 || list[0].Event != "ticket.clock.warning" {
			t.Fatalf("list = %+v, %v; want 2, newest first", list, err)
		}
		if list[1].TitleZH != "工单 #7 已分派给你" || list[1].TitleEN != "Ticket #7 was assigned to you" || list[1].Link != "/tickets/7" {
			t.Fatalf("notification = %+v", list[1])
		}
		theirs, _ := f.svc.List(ctx, u[1], false, 0)
		// u[1] cannot mark u[0]'s notification read.
		if n, err := f.svc.MarkRead(ctx, u[1], list[0].ID, theirs[0].ID); err != nil || n != 1 {
			t.Fatalf("MarkRead by other = %d, %v; want only their own (1)", n, err)
		}
		if n, _ := f.svc.Unread(ctx, u[0]); n != 2 {
			t.Fatalf("u0 unread after other's MarkRead = %d, want 2", n)
		}
		if n, _ := f.svc.MarkRead(ctx, u[0], list[1].ID); n != 1 {
			t.Fatal("MarkRead own failed")
		}
		unread, _ := f.svc.List(ctx, u[0], true, 0)
		if len(unread) != 1 || unread[0].ID != list[0].ID || unread[0].Read {
			t.Fatalf("unread list = %+v", unread)
		}
		if n, _ := f.svc.MarkAllRead(ctx, u[0]); n != 1 {
			t.Fatal("MarkAllRead")
		}
		if n, _ := f.svc.Unread(ctx, u[0]); n != 0 {
			t.Fatalf("unread after all = %d", n)
		}
		read, _ := f.svc.List(ctx, u[0], false, 1)
		if len(read) != 1 || !read[0].Read || !read[0].ReadAt.Equal(f.clock.Now()) {
			t.Fatalf("limit 1 read list = %+v", read)
		}
	})
}

// receiver is a test webhook endpoint that answers with the codes given,
// then 200, and checks every signature.
type receiver struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	codes  []int
	got    []Body
	heads  []http.Header
	calls  atomic.Int32
	srv    *httptest.Server
}

func newReceiver(t *testing.T, codes ...int) *receiver {
	r := &receiver{t: t, codes: codes}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	r.calls.Add(1)
	body, _ := io.ReadAll(req.Body)
	want := Sign(r.secret, req.Header.Get("X-Kefu-Timestamp"), body)
	if !hmac.Equal([]byte(want), []byte(req.Header.Get("X-Kefu-Signature"))) {
		r.t.Errorf("signature %q does not verify (want %q)", req.Header.Get("X-Kefu-Signature"), want)
	}
	var b Body
	if err := json.Unmarshal(body, &b); err != nil {
		r.t.Errorf("body %s: %v", body, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, b)
	r.heads = append(r.heads, req.Header.Clone())
	code := http.StatusOK
	if len(r.codes) > 0 {
		code, r.codes = r.codes[0], r.codes[1:]
	}
	w.WriteHeader(code)
	_, _ = w.Write([]byte("ok"))
}

func TestWebhookDeliveredSigned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		r := newReceiver(t)
		w := f.hook(t, r.srv.URL, "ticket.assigned")
		if w.Secret == "" || !w.HasSecret {
			t.Fatal("a created webhook shows its generated secret once")
		}
		r.secret = w.Secret
		f.send(t, ticketMessage("ticket.assigned")) // no users: webhooks only
		if n := f.fire(t); n != 1 {
			t.Fatalf("fired %d timers, want 1", n)
		}
		if r.calls.Load() != 1 {
			t.Fatalf("receiver got %d posts, want 1", r.calls.Load())
		}
		b, h := r.got[0], r.heads[0]
		if b.Event != "ticket.assigned" || b.Object != "ticket" || b.ObjectID != 7 || !b.OccurredAt.Equal(f.clock.Now()) ||
			string(b.Data) != `{"priority":"high","ticket_id":"7"}` {
			t.Fatalf("body = %+v data %s", b, b.Data)
		}
		if h.Get("Content-Type") != "application/json" || h.Get("X-Kefu-Event") != "ticket.assigned" ||
			h.Get("X-Kefu-Delivery") != b.ID.String() {
			t.Fatalf("headers = %v", h)
		}
		d := f.deliveries(t, w.ID)
		if len(d) != 1 || d[0].Status != StatusDelivered || d[0].Attempts != 1 || d[0].StatusCode != 200 || d[0].DeliveredAt.IsZero() {
			t.Fatalf("delivery = %+v", d)
		}
		if _, ok, _ := jobs.Get(context.Background(), db.Reader(), TimerKind, d[0].ID); ok {
			t.Fatal("the safety timer of a delivered delivery is left")
		}
		if f.fire(t) != 0 || r.calls.Load() != 1 {
			t.Fatal("delivered twice")
		}
	})
}

func TestWebhookRetriesThenSucceeds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		r := newReceiver(t, 500)
		w := f.hook(t, r.srv.URL, "ticket.*")
		r.secret = w.Secret
		f.send(t, ticketMessage("ticket.escalated"))
		f.fire(t)
		d := f.deliveries(t, w.ID)[0]
		if d.Status != StatusPending || d.Attempts != 1 || d.StatusCode != 500 || d.LastError == "" ||
			!d.NextAt.Equal(f.clock.Now().Add(RetryDelay(1))) {
			t.Fatalf("after a 500: %+v", d)
		}
		f.clock.Advance(RetryDelay(1) - time.Second)
		if f.fire(t); r.calls.Load() != 1 {
			t.Fatal("retried before its delay")
		}
		f.clock.Advance(time.Second)
		f.fire(t)
		d = f.deliveries(t, w.ID)[0]
		if d.Status != StatusDelivered || d.Attempts != 2 || r.calls.Load() != 2 {
			t.Fatalf("after retry: %+v, calls %d", d, r.calls.Load())
		}
		if r.got[0].ID != r.got[1].ID || !r.got[0].OccurredAt.Equal(r.got[1].OccurredAt) {
			t.Fatal("a retry must carry the same delivery id and occurrence")
		}
	})
}

func TestWebhookFailsAfterCap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		codes := make([]int, 100)
		for i := range codes {
			codes[i] = http.StatusServiceUnavailable
		}
		r := newReceiver(t, codes...)
		w := f.hook(t, r.srv.URL, "*")
		r.secret = w.Secret
		f.send(t, ticketMessage("ticket.clock.breached"))
		for range 3 * MaxDeliveryAttempts {
			f.fire(t)
			f.clock.Advance(RetryDelay(MaxDeliveryAttempts))
		}
		d := f.deliveries(t, w.ID)[0]
		if d.Status != StatusFailed || d.Attempts != MaxDeliveryAttempts || int(r.calls.Load()) != MaxDeliveryAttempts {
			t.Fatalf("delivery %+v after %d posts; want failed after %d", d, r.calls.Load(), MaxDeliveryAttempts)
		}
		if _, ok, _ := jobs.NextDue(context.Background(), db.Reader()); ok {
			t.Fatal("a failed delivery keeps a timer")
		}
	})
}

func TestWebhookFilterAndDisabled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		assigned, all, off := newReceiver(t), newReceiver(t), newReceiver(t)
		wa := f.hook(t, assigned.srv.URL, "ticket.assigned")
		assigned.secret = wa.Secret
		wall := f.hook(t, all.srv.URL, "ticket.*")
		all.secret = wall.Secret
		woff, err := f.svc.CreateWebhook(ctx, admin, Webhook{URL: off.srv.URL, Events: []string{"*"}, Active: false})
		if err != nil {
			t.Fatal(err)
		}
		f.send(t, ticketMessage("ticket.assigned"))
		f.send(t, ticketMessage("ticket.escalated"))
		f.send(t, ticketMessage("customer.merged"))
		f.fire(t)
		if assigned.calls.Load() != 1 || all.calls.Load() != 2 || off.calls.Load() != 0 {
			t.Fatalf("posts: assigned %d (want 1), ticket.* %d (want 2), disabled %d (want 0)",
				assigned.calls.Load(), all.calls.Load(), off.calls.Load())
		}
		if len(f.deliveries(t, woff.ID)) != 0 {
			t.Fatal("a disabled webhook got deliveries queued")
		}
		// Disabled after queueing: the delivery fails instead of posting.
		f.send(t, ticketMessage("ticket.assigned"))
		active := false
		if _, err := f.svc.UpdateWebhook(ctx, admin, wa.ID, WebhookPatch{Active: &active}); err != nil {
			t.Fatal(err)
		}
		f.fire(t)
		d := f.deliveries(t, wa.ID)
		if assigned.calls.Load() != 1 || d[0].Status != StatusFailed || d[0].LastError != "webhook disabled" {
			t.Fatalf("deactivated: calls %d, delivery %+v", assigned.calls.Load(), d[0])
		}
	})
}

func TestWebhookAdminValidationAndAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		if _, err := f.svc.CreateWebhook(ctx, agent, Webhook{URL: "https://example.com/h", Events: []string{"*"}}); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("non-admin create: %v", err)
		}
		for _, bad := range []Webhook{
			{URL: "ftp://example.com/h", Events: []string{"*"}},
			{URL: "https://user:pw@example.com/h", Events: []string{"*"}},
			{URL: "/relative", Events: []string{"*"}},
			{URL: "https://example.com/h"},
			{URL: "https://example.com/h", Events: []string{"Ticket Assigned"}},
		} {
			if _, err := f.svc.CreateWebhook(ctx, admin, bad); !apperr.Is(err, apperr.CodeValidation) {
				t.Errorf("create %+v: %v, want validation error", bad, err)
			}
		}
		w, err := f.svc.CreateWebhook(ctx, admin, Webhook{URL: "https://example.com/h", Events: []string{"ticket.*"}, Secret: "s3", Active: true})
		if err != nil || w.Secret != "s3" {
			t.Fatalf("create: %+v %v", w, err)
		}
		list, _ := f.svc.ListWebhooks(ctx, admin)
		if len(list) != 1 || list[0].Secret != "" || !list[0].HasSecret {
			t.Fatalf("list must hide secrets: %+v", list)
		}
		url := "http://example.org/x"
		if up, err := f.svc.UpdateWebhook(ctx, admin, w.ID, WebhookPatch{URL: &url}); err != nil || up.URL != url || up.Secret != "" {
			t.Fatalf("update: %+v %v", up, err)
		}
		if err := f.svc.DeleteWebhook(ctx, admin, w.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.GetWebhook(ctx, admin, w.ID); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("deleted webhook: %v", err)
		}
		rows, err := db.Reader().Query(ctx, `SELECT action, changes FROM audit_log WHERE object_type = 'webhook' ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var actions []string
		for rows.Next() {
			var a, changes string
			if err := rows.Scan(&a, &changes); err != nil {
				t.Fatal(err)
			}
			if json.Valid([]byte(changes)) && strings.Contains(changes, `"s3"`) {
				t.Errorf("audit %s leaks the secret: %s", a, changes)
			}
			actions = append(actions, a)
		}
		if len(actions) != 3 || actions[0] != "webhook.create" || actions[1] != "webhook.update" || actions[2] != "webhook.delete" {
			t.Fatalf("audit actions = %v", actions)
		}
	})
}

func TestMatches(t *testing.T) {
	for _, c := range []struct {
		events []string
		event  string
		want   bool
	}{
		{[]string{"*"}, "ticket.assigned", true},
		{[]string{"ticket.*"}, "ticket.clock.warning", true},
		{[]string{"ticket.*"}, "tickets.x", false},
		{[]string{"ticket.assigned"}, "ticket.assigned", true},
		{[]string{"ticket.assigned"}, "ticket.escalated", false},
		{nil, "ticket.assigned", false},
	} {
		if got := Matches(c.events, c.event); got != c.want {
			t.Errorf("Matches(%v, %q) = %v", c.events, c.event, got)
		}
	}
}

// TestSubscribeListenersShareTheTransaction: a listener is told of the
// messages of its event inside the sending transaction, in the order of
// subscription, not of other events; what it writes commits with the
// event, and its error rolls the whole Send back — the notifications
// included.
func TestSubscribeListenersShareTheTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.users(t, 2)
		var order []string
		fail := false
		f.svc.Subscribe("ticket.clock.breached", func(ctx context.Context, tx store.Conn, m Message) error {
			order = append(order, "first")
			// The listener's write: a notification of its own for u[1].
			if _, err := tx.Exec(ctx, `INSERT INTO notifications (user_id, event, title_zh, title_en, link, object, object_id, created_at)
				VALUES (?, 'listener.wrote', '记', 'wrote', '', '', 0, 1)`, u[1]); err != nil {
				return err
			}
			if fail {
				return errors.New("listener failed")
			}
			return nil
		})
		f.svc.Subscribe("ticket.clock.breached", func(context.Context, store.Conn, Message) error {
			order = append(order, "second")
			return nil
		})
		unread := func(user store.ID) int {
			t.Helper()
			n, err := f.svc.Unread(ctx, user)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		f.send(t, ticketMessage("ticket.assigned", u[0])) // no listener
		if len(order) != 0 || unread(u[1]) != 0 {
			t.Fatalf("a message of another event reached the listeners: %v", order)
		}
		f.send(t, ticketMessage("ticket.clock.breached", u[0]))
		if strings.Join(order, ",") != "first,second" {
			t.Fatalf("listeners told %v, want first,second", order)
		}
		if unread(u[0]) != 2 || unread(u[1]) != 1 {
			t.Fatalf("after commit: u0 %d (want 2), listener's write %d (want 1)", unread(u[0]), unread(u[1]))
		}
		fail, order = true, nil
		err := db.Tx(ctx, func(tx store.Conn) error { return f.svc.Send(ctx, tx, ticketMessage("ticket.clock.breached", u[0])) })
		if err == nil || !strings.Contains(err.Error(), "listener failed") {
			t.Fatalf("Send with a failing listener = %v, want its error", err)
		}
		if strings.Join(order, ",") != "first" {
			t.Fatalf("after a failing listener the next one ran: %v", order)
		}
		if unread(u[0]) != 2 || unread(u[1]) != 1 {
			t.Fatalf("after rollback: u0 %d (want 2), listener's write %d (want 1): the failed Send left rows", unread(u[0]), unread(u[1]))
		}
	})
}
