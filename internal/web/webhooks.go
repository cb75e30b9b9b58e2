package web

// The webhook pages (系统管理 → Webhook): the endpoints with the form that
// adds one, and one endpoint with its edit form and recent deliveries.
// internal/notify checks webhooks:manage, validates and stores; a secret is
// shown once, on the page that answers its creation or renewal.

import (
	"net/http"
	"net/url"
	"strings"

	"kefu/internal/i18n"
	"kefu/internal/notify"
	"kefu/internal/store"
)

// webhookFields are the inputs of the webhook forms that can carry an error.
var webhookFields = []string{"url", "events", "active", "secret"}

// webhooksData is the list page.
type webhooksData struct {
	Hooks []notify.Webhook
}

// webhookData is one endpoint's page.
type webhookData struct {
	W          notify.Webhook
	Secret     string // shown once: just created or renewed
	Deliveries []deliveryRow
}

// deliveryRow is one delivery with its status in the locale.
type deliveryRow struct {
	D                                notify.Delivery
	StatusName, StatusClass, Created string
	Delivered, Next, Duration        string
}

// splitEvents reads the events field: names separated by commas, spaces or lines.
func splitEvents(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// webhooksList is /admin/webhooks.
func (s *Server) webhooksList(w http.ResponseWriter, rq *request) error {
	return s.renderWebhooks(w, rq, http.StatusOK, newForm(url.Values{"events": {"ticket.*"}, "active": {"1"}}))
}

func (s *Server) renderWebhooks(w http.ResponseWriter, rq *request, status int, f *Form) error {
	hooks, err := s.notify.ListWebhooks(rq.Context(), rq.P)
	if err != nil {
		return err
	}
	pg := s.newPage(rq, "wh.title", "webhooks")
	pg.Form = f
	pg.Data = webhooksData{Hooks: hooks}
	s.render(w, rq, status, "webhooks", pg)
	return nil
}

// webhookCreate adds an endpoint and answers with its page, which shows
// the generated secret this once (no redirect: the secret is never stored
// where a later page could read it).
func (s *Server) webhookCreate(w http.ResponseWriter, rq *request) error {
	if err := rq.ParseForm(); err != nil {
		return err
	}
	f := newForm(cloneValues(rq.PostForm))
	hook, err := s.notify.CreateWebhook(rq.Context(), rq.P, notify.Webhook{URL: f.text("url"),
		Events: splitEvents(f.Get("events")), Active: f.Checked("active")})
	if err != nil {
		if !f.fail(err, rq.Lang, webhookFields...) {
			return err
		}
		return s.renderWebhooks(w, rq, statusOf(err), f)
	}
	rq.flash = "webhook_created"
	return s.renderWebhook(w, rq, http.StatusCreated, hook.ID, hook.Secret, nil)
}

// webhookShow is /admin/webhooks/{id}.
func (s *Server) webhookShow(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	return s.renderWebhook(w, rq, http.StatusOK, id, "", nil)
}

// renderWebhook shows one endpoint; f is its edit form sent back with
// errors (nil: the stored values).
func (s *Server) renderWebhook(w http.ResponseWriter, rq *request, status int, id store.ID, secret string, f *Form) error {
	ctx, l := rq.Context(), rq.Lang
	hook, err := s.notify.GetWebhook(ctx, rq.P, id)
	if err != nil {
		return err
	}
	ds, err := s.notify.Deliveries(ctx, rq.P, id, 50)
	if err != nil {
		return err
	}
	d := webhookData{W: hook, Secret: secret}
	for _, x := range ds {
		d.Deliveries = append(d.Deliveries, deliveryOf(x, l))
	}
	if f == nil {
		v := url.Values{"url": {hook.URL}, "events": {strings.Join(hook.Events, ", ")}}
		if hook.Active {
			v.Set("active", "1")
		}
		f = newForm(v)
	}
	pg := s.newPage(rq, "wh.title", "webhooks")
	pg.Title = label("wh.one", hook.ID.String()).In(l) + " · " + pg.Title
	pg.Form = f
	pg.Data = d
	s.render(w, rq, status, "webhook", pg)
	return nil
}

func deliveryOf(x notify.Delivery, l i18n.Locale) deliveryRow {
	r := deliveryRow{D: x, StatusName: labelOr("wh.status."+x.Status, x.Status, l), Created: exact(x.CreatedAt)}
	switch x.Status {
	case notify.StatusDelivered:
		r.StatusClass = "badge-green"
	case notify.StatusFailed:
		r.StatusClass = "badge-red"
	default:
		r.StatusClass = "badge-amber"
	}
	if !x.DeliveredAt.IsZero() {
		r.Delivered = exact(x.DeliveredAt)
	}
	if !x.NextAt.IsZero() && x.Status != notify.StatusDelivered && x.Status != notify.StatusFailed {
		r.Next = exact(x.NextAt)
	}
	if x.Attempts > 0 {
		r.Duration = label("wh.ms", x.DurationMS).In(l)
	}
	return r
}

// webhookUpdate saves the edit form: URL, events, active.
func (s *Server) webhookUpdate(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	u, events, active := f.text("url"), splitEvents(f.Get("events")), f.Checked("active")
	if _, err := s.notify.UpdateWebhook(rq.Context(), rq.P, id, notify.WebhookPatch{URL: &u, Events: &events, Active: &active}); err != nil {
		if !f.fail(err, rq.Lang, webhookFields...) {
			return err
		}
		return s.renderWebhook(w, rq, statusOf(err), id, "", f)
	}
	s.seeOther(w, rq.Request, "/admin/webhooks/"+id.String(), "saved")
	return nil
}

// webhookRotate replaces the secret with a new generated one, shown once.
func (s *Server) webhookRotate(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	empty := ""
	hook, err := s.notify.UpdateWebhook(rq.Context(), rq.P, id, notify.WebhookPatch{Secret: &empty})
	if err != nil {
		return err
	}
	rq.flash = "webhook_secret"
	return s.renderWebhook(w, rq, http.StatusOK, id, hook.Secret, nil)
}

// webhookDelete removes an endpoint and its delivery history.
func (s *Server) webhookDelete(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	if err := s.notify.DeleteWebhook(rq.Context(), rq.P, id); err != nil {
		return err
	}
	s.seeOther(w, rq.Request, "/admin/webhooks", "webhook_deleted")
	return nil
}
