package notify

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// Limits of webhook fields.
const (
	MaxURL    = 2000
	MaxEvents = 50
)

var eventName = regexp.MustCompile(`^(\*|[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?)$`)

func allowed(p *auth.Principal) error {
	if !p.Can(auth.PermWebhooksManage) {
		return apperr.Forbidden(i18n.T("无权管理 Webhook（需要 %s 权限）", "permission %s is required",
			string(auth.PermWebhooksManage)))
	}
	return nil
}

// checkURL accepts absolute http and https URLs only.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if raw == "" {
		return apperr.Required("url")
	}
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || len(raw) > MaxURL {
		return apperr.Validation("url", i18n.T("须为 http:// 或 https:// 开头的完整地址（不含用户名密码，至多%d字符）",
			"must be an absolute http:// or https:// URL without credentials, at most %d characters", MaxURL))
	}
	return nil
}

func checkEvents(events []string) error {
	if len(events) == 0 {
		return apperr.Validation("events", i18n.T("至少订阅一个事件（\"*\" 表示全部）", "subscribe to at least one event (\"*\" for all)"))
	}
	if len(events) > MaxEvents {
		return apperr.Validation("events", i18n.T("至多订阅%d个事件", "at most %d events", MaxEvents))
	}
	for _, e := range events {
		if !eventName.MatchString(e) {
			return apperr.Validation("events", i18n.T("事件名无效：%q（如 ticket.assigned、ticket.*、*）",
				"invalid event name %q (e.g. ticket.assigned, ticket.*, *)", e))
		}
	}
	return nil
}

func checkSecret(secret string) error {
	if len(secret) > 200 {
		return apperr.Validation("secret", i18n.T("密钥至多200字符", "the secret has at most 200 characters"))
	}
	return nil
}

func newSecret() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// CreateWebhook adds an endpoint. An empty secret is generated; the answer
// is the only one that shows it.
func (s *Service) CreateWebhook(ctx context.Context, p *auth.Principal, w Webhook) (Webhook, error) {
	if err := allowed(p); err != nil {
		return Webhook{}, err
	}
	w.URL = strings.TrimSpace(w.URL)
	if err := checkURL(w.URL); err != nil {
		return Webhook{}, err
	}
	if err := checkEvents(w.Events); err != nil {
		return Webhook{}, err
	}
	if err := checkSecret(w.Secret); err != nil {
		return Webhook{}, err
	}
	if w.Secret == "" {
		w.Secret = newSecret()
	}
	events, _ := json.Marshal(w.Events)
	now := s.now()
	var out Webhook
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		id, err := tx.InsertID(ctx, `INSERT INTO webhooks (url, events, secret, active, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, w.URL, string(events), w.Secret, w.Active, p.UserID,
			store.Micros(now), store.Micros(now))
		if err != nil {
			return err
		}
		if out, err = getWebhook(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "webhook.create", "webhook", id.String(), out)
	})
	out.Secret = w.Secret
	return out, err
}

// ListWebhooks returns every endpoint, without secrets.
func (s *Service) ListWebhooks(ctx context.Context, p *auth.Principal) ([]Webhook, error) {
	if err := allowed(p); err != nil {
		return nil, err
	}
	rows, err := s.db.Reader().Query(ctx, `SELECT `+webhookColumns+` FROM webhooks ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("notify: webhooks: %w", err)
	}
	defer rows.Close()
	out := []Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// GetWebhook returns one endpoint, without its secret.
func (s *Service) GetWebhook(ctx context.Context, p *auth.Principal, id store.ID) (Webhook, error) {
	if err := allowed(p); err != nil {
		return Webhook{}, err
	}
	return getWebhook(ctx, s.db.Reader(), id)
}

// UpdateWebhook changes an endpoint; deliveries already queued keep going
// to it (a deactivated one fails them).
func (s *Service) UpdateWebhook(ctx context.Context, p *auth.Principal, id store.ID, in WebhookPatch) (Webhook, error) {
	if err := allowed(p); err != nil {
		return Webhook{}, err
	}
	var out Webhook
	var secret string
	now := s.now()
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		old, err := getWebhook(ctx, tx, id)
		if err != nil {
			return err
		}
		w := old
		secret = ""
		if in.URL != nil {
			w.URL = strings.TrimSpace(*in.URL)
			if err := checkURL(w.URL); err != nil {
				return err
			}
		}
		if in.Events != nil {
			if err := checkEvents(*in.Events); err != nil {
				return err
			}
			w.Events = *in.Events
		}
		if in.Active != nil {
			w.Active = *in.Active
		}
		if in.Secret != nil {
			if err := checkSecret(*in.Secret); err != nil {
				return err
			}
			if secret = *in.Secret; secret == "" {
				secret = newSecret()
			}
		}
		events, _ := json.Marshal(w.Events)
		if _, err := tx.Exec(ctx, `UPDATE webhooks SET url = ?, events = ?, active = ?, secret = CASE WHEN ? = '' THEN secret ELSE ? END,
			updated_at = ? WHERE id = ?`, w.URL, string(events), w.Active, secret, secret, store.Micros(now), id); err != nil {
			return err
		}
		if out, err = getWebhook(ctx, tx, id); err != nil {
			return err
		}
		out.Secret = secret // shown once when changed
		return audit.Record(ctx, tx, now, "webhook.update", "webhook", id.String(), map[string]any{
			"before": old, "after": out, "secret_changed": secret != ""})
	})
	if err == nil && secret == "" {
		out.Secret = ""
	}
	return out, err
}

// DeleteWebhook removes an endpoint and its delivery history.
func (s *Service) DeleteWebhook(ctx context.Context, p *auth.Principal, id store.ID) error {
	if err := allowed(p); err != nil {
		return err
	}
	now := s.now()
	return s.db.Tx(ctx, func(tx store.Conn) error {
		old, err := getWebhook(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM webhook_deliveries WHERE webhook_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM webhooks WHERE id = ?`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "webhook.delete", "webhook", id.String(), old)
	})
}

// Deliveries returns the newest deliveries of a webhook (default 50, at most MaxList).
func (s *Service) Deliveries(ctx context.Context, p *auth.Principal, webhookID store.ID, limit int) ([]Delivery, error) {
	if _, err := s.GetWebhook(ctx, p, webhookID); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 50
	}
	rows, err := s.db.Reader().Query(ctx, `SELECT id, webhook_id, event, status, attempts, status_code, last_error,
		duration_ms, created_at, next_at, delivered_at FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id DESC LIMIT ?`,
		webhookID, min(limit, MaxList))
	if err != nil {
		return nil, fmt.Errorf("notify: deliveries: %w", err)
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		var d Delivery
		var created, next, delivered int64
		if err := rows.Scan(&d.ID, &d.WebhookID, &d.Event, &d.Status, &d.Attempts, &d.StatusCode, &d.LastError,
			&d.DurationMS, &created, &next, &delivered); err != nil {
			return nil, err
		}
		d.CreatedAt, d.NextAt, d.DeliveredAt = store.FromMicros(created), store.FromMicros(next), store.FromMicros(delivered)
		out = append(out, d)
	}
	return out, rows.Err()
}

const webhookColumns = `id, url, events, active, secret <> '', created_at, updated_at`

type scanner interface{ Scan(dest ...any) error }

func scanWebhook(r scanner) (Webhook, error) {
	var w Webhook
	var events string
	var created, updated int64
	if err := r.Scan(&w.ID, &w.URL, &events, &w.Active, &w.HasSecret, &created, &updated); err != nil {
		return w, err
	}
	if err := json.Unmarshal([]byte(events), &w.Events); err != nil {
		return w, fmt.Errorf("notify: webhook %d events: %w", w.ID, err)
	}
	w.CreatedAt, w.UpdatedAt = store.FromMicros(created), store.FromMicros(updated)
	return w, nil
}

func getWebhook(ctx context.Context, c store.Conn, id store.ID) (Webhook, error) {
	w, err := scanWebhook(c.QueryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return w, apperr.NotFound("webhook")
	}
	return w, err
}
