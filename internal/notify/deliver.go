package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"kefu/internal/jobs"
	"kefu/internal/store"
)

// Webhook delivery: Send queues a pending delivery and a timer. When the
// timer fires, claimDelivery (inside the jobs transaction, so it must be
// quick) marks the delivery "sending", moves the timer to the end of a lease
// as a safety net, and after commit hands the delivery to a worker. The
// worker posts outside any transaction and records the outcome in a short
// one: delivered; or pending again with the timer at the backoff; or failed
// after MaxDeliveryAttempts. A process that dies mid-post leaves the timer,
// which fires at the end of the lease and tries again.
const (
	// TimerKind is the jobs timer kind of webhook deliveries (ref: delivery id).
	TimerKind = "notify.webhook"
	// MaxDeliveryAttempts is how often a delivery is posted before it fails.
	MaxDeliveryAttempts = 8
	// PostTimeout bounds one webhook POST.
	PostTimeout = 10 * time.Second
	// SendingLease is how long a claimed delivery may take before its timer
	// claims it again.
	SendingLease = 2 * time.Minute
	// maxResponse is how much of a response body is read (and kept, as error text).
	maxResponse = 64 << 10
)

// RetryDelay is the wait after the n-th failed attempt: 10s·2^(n-1).
func RetryDelay(n int) time.Duration {
	return 10 * time.Second << min(max(n-1, 0), 16)
}

// Body is the JSON posted to a webhook.
type Body struct {
	ID         store.ID        `json:"id"` // the delivery: the same on every retry
	Event      string          `json:"event"`
	OccurredAt time.Time       `json:"occurred_at"`
	Object     string          `json:"object"`
	ObjectID   store.ID        `json:"object_id,omitempty"`
	Data       json.RawMessage `json:"data"`
}

// Sign returns the X-Kefu-Signature value for a body sent at timestamp (the
// X-Kefu-Timestamp value, Unix seconds): "sha256=" and the hex HMAC-SHA256
// of timestamp + "." + body keyed with the webhook secret. Receivers should
// compute the same and compare in constant time.
func Sign(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// claimDelivery is the "notify.webhook" timer handler.
func (s *Service) claimDelivery(ctx context.Context, tx store.Conn, t jobs.Timer) error {
	var status string
	var attempts int
	var active bool
	err := tx.QueryRow(ctx, `SELECT d.status, d.attempts, w.active FROM webhook_deliveries d
		JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = ?`, t.Ref).Scan(&status, &attempts, &active)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // the webhook was deleted with its deliveries
	} else if err != nil {
		return err
	}
	if status == StatusDelivered || status == StatusFailed {
		return nil
	}
	now := s.now()
	switch {
	case !active:
		return s.finish(ctx, tx, t.Ref, StatusFailed, "webhook disabled", now)
	case attempts >= MaxDeliveryAttempts: // the last attempt's process died mid-post
		return s.finish(ctx, tx, t.Ref, StatusFailed, "no outcome recorded for the last attempt", now)
	}
	attempts++
	lease := now.Add(SendingLease)
	if _, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = 'sending', attempts = ?, next_at = ? WHERE id = ?`,
		attempts, store.Micros(lease), t.Ref); err != nil {
		return err
	}
	if err := jobs.Schedule(ctx, tx, TimerKind, t.Ref, lease); err != nil {
		return err
	}
	jobs.AfterCommit(ctx, func() { s.dispatch(t.Ref, attempts) })
	return nil
}

func (s *Service) finish(ctx context.Context, tx store.Conn, id store.ID, status, why string, now time.Time) error {
	s.log.Warn("webhook delivery failed", "delivery", id, "reason", why)
	_, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = ?, last_error = ?, next_at = 0 WHERE id = ?`, status, why, id)
	return err
}

// dispatch posts the delivery on a worker goroutine; at most Workers post at once.
func (s *Service) dispatch(id store.ID, attempt int) {
	s.inflight.Add(1)
	go func() {
		defer s.inflight.Done()
		s.sem <- struct{}{}
		defer func() { <-s.sem }()
		ctx, cancel := context.WithTimeout(context.Background(), PostTimeout+30*time.Second)
		defer cancel()
		if err := s.deliver(ctx, id, attempt); err != nil {
			s.log.Error("webhook delivery: recording the outcome failed; the timer retries", "delivery", id, "error", err)
		}
	}()
}

// outcome is what one POST came to.
type outcome struct {
	code     int
	err      string
	duration time.Duration
}

// deliver posts attempt number `attempt` of delivery id and records what happened.
func (s *Service) deliver(ctx context.Context, id store.ID, attempt int) error {
	var b Body
	var url, secret, status string
	var attempts int
	var created int64
	var data string
	err := s.db.Reader().QueryRow(ctx, `SELECT d.event, d.object, d.object_id, d.data, d.created_at, d.status, d.attempts, w.url, w.secret
		FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = ?`, id).
		Scan(&b.Event, &b.Object, &b.ObjectID, &data, &created, &status, &attempts, &url, &secret)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return err
	}
	if status != StatusSending || attempts != attempt {
		return nil // claimed again after the lease ran out: that claim posts
	}
	b.ID, b.OccurredAt, b.Data = id, store.FromMicros(created), json.RawMessage(data)
	body, err := json.Marshal(b)
	if err != nil {
		return err
	}
	out := s.post(ctx, url, secret, id, b.Event, body)
	return s.record(ctx, id, attempt, out)
}

// post sends one request; it never returns an error, only an outcome.
func (s *Service) post(ctx context.Context, url, secret string, id store.ID, event string, body []byte) outcome {
	ctx, cancel := context.WithTimeout(ctx, PostTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return outcome{err: err.Error()}
	}
	ts := strconv.FormatInt(s.now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "kefu-webhook/1")
	req.Header.Set("X-Kefu-Event", event)
	req.Header.Set("X-Kefu-Delivery", id.String())
	req.Header.Set("X-Kefu-Timestamp", ts)
	req.Header.Set("X-Kefu-Signature", Sign(secret, ts, body))
	start := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		return outcome{err: err.Error(), duration: time.Since(start)}
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	out := outcome{code: resp.StatusCode, duration: time.Since(start)}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		out.err = fmt.Sprintf("HTTP %d: %s", resp.StatusCode, store.Clip(string(text), 500))
	}
	return out
}

// record stores the outcome of an attempt, unless the delivery has been
// claimed again meanwhile, and moves or removes its timer.
func (s *Service) record(ctx context.Context, id store.ID, attempt int, out outcome) error {
	now := s.now()
	retry := time.Time{}
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		status, next := StatusDelivered, time.Time{}
		delivered := store.Micros(now)
		if out.err != "" {
			delivered = 0
			if attempt >= MaxDeliveryAttempts {
				status = StatusFailed
			} else {
				status, next = StatusPending, now.Add(RetryDelay(attempt))
			}
		}
		res, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = ?, status_code = ?, last_error = ?, duration_ms = ?,
			next_at = ?, delivered_at = ? WHERE id = ? AND status = 'sending' AND attempts = ?`,
			status, out.code, store.Clip(out.err, 1000), out.duration.Milliseconds(), store.Micros(next), delivered, id, attempt)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // claimed again: that attempt records its own outcome
		}
		if next.IsZero() {
			return jobs.Cancel(ctx, tx, TimerKind, id)
		}
		retry = next
		return jobs.Schedule(ctx, tx, TimerKind, id, next)
	})
	if err != nil {
		return err
	}
	if out.err != "" {
		s.log.Warn("webhook delivery attempt failed", "delivery", id, "attempt", attempt, "error", out.err, "retry_at", retry)
	}
	s.jobs.Poke()
	return nil
}
