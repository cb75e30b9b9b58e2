// Package notify owns what people and outside systems are told: in-app
// notifications (one row per recipient, read or unread) and outgoing
// webhooks (endpoints subscribed to events, and one delivery per endpoint
// and message, posted with an HMAC signature and retried with backoff
// through internal/jobs timers).
package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"kefu/internal/i18n"
	"kefu/internal/jobs"
	"kefu/internal/store"
)

// Message is something people and outside systems are told about.
type Message struct {
	Event    string     // "ticket.clock.warning", "ticket.clock.breached", "ticket.escalated", "ticket.assigned" …
	Users    []store.ID // who sees it in the UI (deduplicated; empty: webhooks only)
	Title    i18n.Text  // short, both languages
	Link     string     // UI path, e.g. "/tickets/123"
	Object   string     // "ticket"
	ObjectID store.ID
	Payload  any // JSON body for webhooks (the event data)
}

// Notification is one in-app notification of one user.
type Notification struct {
	ID        store.ID  `json:"id"`
	Event     string    `json:"event"`
	TitleZH   string    `json:"title_zh"`
	TitleEN   string    `json:"title_en"`
	Link      string    `json:"link"`
	Object    string    `json:"object"`
	ObjectID  store.ID  `json:"object_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Read      bool      `json:"read"`
	ReadAt    time.Time `json:"read_at,omitzero"`
}

// Webhook is an outgoing endpoint subscribed to events.
type Webhook struct {
	ID     store.ID `json:"id"`
	URL    string   `json:"url"`
	Events []string `json:"events"` // event names; "*" or empty: every event
	Secret string   `json:"secret,omitempty"`
	Active bool     `json:"active"`
	// HasSecret is true when a secret is set; the secret itself is shown
	// only when the webhook is created.
	HasSecret bool      `json:"has_secret"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// WebhookPatch changes some fields of a webhook; nil fields stay.
type WebhookPatch struct {
	URL    *string   `json:"url"`
	Events *[]string `json:"events"`
	Secret *string   `json:"secret"`
	Active *bool     `json:"active"`
}

// Delivery is one message posted (or to be posted) to one webhook.
type Delivery struct {
	ID          store.ID  `json:"id"`
	WebhookID   store.ID  `json:"webhook_id"`
	Event       string    `json:"event"`
	Status      string    `json:"status"` // pending, sending, delivered, failed
	Attempts    int       `json:"attempts"`
	StatusCode  int       `json:"status_code,omitempty"`
	LastError   string    `json:"last_error,omitempty"`
	DurationMS  int64     `json:"duration_ms"`
	CreatedAt   time.Time `json:"created_at"`
	NextAt      time.Time `json:"next_at,omitzero"`
	DeliveredAt time.Time `json:"delivered_at,omitzero"`
}

// Delivery statuses.
const (
	StatusPending   = "pending"
	StatusSending   = "sending"
	StatusDelivered = "delivered"
	StatusFailed    = "failed"
)

// Options configure the Service.
type Options struct {
	DB     *store.DB
	Jobs   *jobs.Engine
	Logger *slog.Logger
	Now    func() time.Time
	// Client posts webhooks (default: 10 s timeout, no redirects followed).
	Client *http.Client
	// Workers is how many webhook posts run at once (default 4).
	Workers int
}

// Service records notifications and delivers webhooks.
type Service struct {
	db       *store.DB
	jobs     *jobs.Engine
	log      *slog.Logger
	now      func() time.Time
	client   *http.Client
	sem      chan struct{} // one token per running post
	inflight sync.WaitGroup

	mu        sync.RWMutex
	listeners map[string][]Listener
}

// Listener is a module of kefu told of an event inside the transaction
// that sends it: what it writes commits or rolls back with the event (the
// merit ledger proposes a fine when a complaint's clock is breached). An
// error rolls the whole transaction back, so a listener returns one only
// when the database fails, never for an event it has nothing to do with.
type Listener func(ctx context.Context, tx store.Conn, m Message) error

// Subscribe has fn told of every message of the event, in the order of
// subscription. Subscribe at start-up, before messages are sent.
func (s *Service) Subscribe(event string, fn Listener) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listeners == nil {
		s.listeners = map[string][]Listener{}
	}
	s.listeners[event] = append(s.listeners[event], fn)
}

// New returns the service and registers its "notify.webhook" timer handler
// on o.Jobs.
func New(o Options) *Service {
	s := &Service{db: o.DB, jobs: o.Jobs, log: o.Logger, now: o.Now, client: o.Client}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: PostTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	workers := o.Workers
	if workers <= 0 {
		workers = 4
	}
	s.sem = make(chan struct{}, workers)
	if s.jobs != nil {
		s.jobs.Handle(TimerKind, s.claimDelivery)
	}
	return s
}

// Wait blocks until every webhook post started so far has finished and its
// outcome is recorded; call it on shutdown after the jobs engine stopped.
func (s *Service) Wait() { s.inflight.Wait() }

// Send records the notifications, tells the listeners subscribed to the
// event and queues one webhook delivery per subscribed active endpoint, in
// tx. Deliveries start when their timer
// fires: at once if the caller pokes the jobs engine after commit, else
// within the engine's MaxIdle.
func (s *Service) Send(ctx context.Context, tx store.Conn, m Message) error {
	if m.Event == "" {
		return fmt.Errorf("notify: message without event")
	}
	now := store.Micros(s.now())
	seen := map[store.ID]bool{}
	for _, u := range m.Users {
		if u <= 0 || seen[u] {
			continue
		}
		seen[u] = true
		if _, err := tx.Exec(ctx, `INSERT INTO notifications (user_id, event, title_zh, title_en, link, object, object_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, u, m.Event, m.Title.In(i18n.ZH), m.Title.In(i18n.EN), m.Link, m.Object, m.ObjectID, now); err != nil {
			return fmt.Errorf("notify: record notification: %w", err)
		}
	}
	s.mu.RLock()
	listeners := s.listeners[m.Event]
	s.mu.RUnlock()
	for _, fn := range listeners {
		if err := fn(ctx, tx, m); err != nil {
			return fmt.Errorf("notify: listener of %s: %w", m.Event, err)
		}
	}
	hooks, err := subscribed(ctx, tx, m.Event)
	if err != nil || len(hooks) == 0 {
		return err
	}
	data, err := json.Marshal(m.Payload)
	if err != nil {
		return fmt.Errorf("notify: payload of %s: %w", m.Event, err)
	}
	for _, hook := range hooks {
		id, err := tx.InsertID(ctx, `INSERT INTO webhook_deliveries (webhook_id, event, object, object_id, data, status, created_at, next_at)
			VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING id`, hook, m.Event, m.Object, m.ObjectID, string(data), now, now)
		if err != nil {
			return fmt.Errorf("notify: queue delivery: %w", err)
		}
		if err := jobs.Schedule(ctx, tx, TimerKind, id, store.FromMicros(now)); err != nil {
			return err
		}
	}
	return nil
}

// subscribed returns the active webhooks whose events match event.
func subscribed(ctx context.Context, tx store.Conn, event string) ([]store.ID, error) {
	rows, err := tx.Query(ctx, `SELECT id, events FROM webhooks WHERE active = ? ORDER BY id`, true)
	if err != nil {
		return nil, fmt.Errorf("notify: webhooks: %w", err)
	}
	defer rows.Close()
	var out []store.ID
	for rows.Next() {
		var id store.ID
		var raw string
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, err
		}
		var events []string
		if err := json.Unmarshal([]byte(raw), &events); err != nil {
			return nil, fmt.Errorf("notify: webhook %d events: %w", id, err)
		}
		if Matches(events, event) {
			out = append(out, id)
		}
	}
	return out, rows.Err()
}

// Matches reports whether a webhook subscribed to events receives event:
// "*" matches all, "ticket.*" every event starting "ticket.", anything
// else only itself.
func Matches(events []string, event string) bool {
	return slices.ContainsFunc(events, func(e string) bool {
		if e == "*" || e == event {
			return true
		}
		prefix, ok := strings.CutSuffix(e, "*")
		return ok && strings.HasPrefix(event, prefix)
	})
}

// MaxList is the most notifications List returns at once.
const MaxList = 200

// List returns the user's notifications, newest first, at most limit
// (default 50, at most MaxList).
func (s *Service) List(ctx context.Context, user store.ID, unreadOnly bool, limit int) ([]Notification, error) {
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, MaxList)
	q := `SELECT id, event, title_zh, title_en, link, object, object_id, created_at, read_at
		FROM notifications WHERE user_id = ?`
	if unreadOnly {
		q += ` AND read_at = 0`
	}
	rows, err := s.db.Reader().Query(ctx, q+` ORDER BY id DESC LIMIT ?`, user, limit)
	if err != nil {
		return nil, fmt.Errorf("notify: list: %w", err)
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		var n Notification
		var created, read int64
		if err := rows.Scan(&n.ID, &n.Event, &n.TitleZH, &n.TitleEN, &n.Link, &n.Object, &n.ObjectID, &created, &read); err != nil {
			return nil, err
		}
		n.CreatedAt, n.ReadAt, n.Read = store.FromMicros(created), store.FromMicros(read), read != 0
		out = append(out, n)
	}
	return out, rows.Err()
}

// Unread counts the user's unread notifications.
func (s *Service) Unread(ctx context.Context, user store.ID) (int, error) {
	var n int
	err := s.db.Reader().QueryRow(ctx, `SELECT count(*) FROM notifications WHERE user_id = ? AND read_at = 0`, user).Scan(&n)
	return n, err
}

// MarkRead marks the given notifications of user read; ids of other users'
// notifications are ignored. It returns how many changed.
func (s *Service) MarkRead(ctx context.Context, user store.ID, ids ...store.ID) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	args := []any{store.Micros(s.now()), user}
	for _, id := range ids {
		args = append(args, id)
	}
	return s.markRead(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at = 0 AND id IN (`+
		store.Placeholders(len(ids))+`)`, args...)
}

// MarkAllRead marks every notification of user read and returns how many changed.
func (s *Service) MarkAllRead(ctx context.Context, user store.ID) (int, error) {
	return s.markRead(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at = 0`, store.Micros(s.now()), user)
}

func (s *Service) markRead(ctx context.Context, q string, args ...any) (int, error) {
	var n int64
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		res, err := tx.Exec(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("notify: mark read: %w", err)
	}
	return int(n), nil
}
