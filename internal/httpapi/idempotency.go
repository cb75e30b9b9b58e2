package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// IdempotencyHeader is the request header of API.md "Conventions".
const IdempotencyHeader = "Idempotency-Key"

// idempotencyTTL is how long a key is remembered.
const idempotencyTTL = 24 * time.Hour

// idempotency makes a repeated state-changing request with the same key
// return the first answer without writing anything new. The key is reserved
// before the handler runs, so two concurrent repeats cannot both write; the
// answer is stored when the handler finishes. A 5xx answer frees the key so
// that the client may retry.
type idempotency struct {
	db        *store.DB
	now       func() time.Time
	lastPurge atomic.Int64
}

func (m *idempotency) serve(w http.ResponseWriter, r *http.Request, p *auth.Principal,
	run func(http.ResponseWriter, *http.Request), fail func(http.ResponseWriter, *http.Request, error)) {
	key := r.Header.Get(IdempotencyHeader)
	if len(key) > 255 {
		fail(w, r, apperr.Validation(IdempotencyHeader, i18n.T("幂等键不能超过255个字符", "must be at most 255 characters")))
		return
	}
	if !utf8.ValidString(key) || strings.ContainsFunc(key, unicode.IsControl) {
		fail(w, r, apperr.Validation(IdempotencyHeader, i18n.T("幂等键须为不含控制字符的 UTF-8 文本",
			"must be UTF-8 text without control characters")))
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		fail(w, r, err)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.New()
	sum.Write([]byte(r.Method + " " + r.URL.RequestURI() + "\n"))
	sum.Write(body)
	reqHash := hex.EncodeToString(sum.Sum(nil))

	ctx := r.Context()
	m.purge(ctx)
	reserved, prior, err := m.reserve(ctx, p.UserID, key, reqHash)
	if err != nil {
		fail(w, r, err)
		return
	}
	if !reserved {
		switch {
		case prior.hash != reqHash:
			fail(w, r, apperr.Conflict(IdempotencyHeader, i18n.T("同一幂等键已用于另一个请求",
				"this key was already used for a different request")))
		case prior.status == 0:
			fail(w, r, &apperr.Error{Status: http.StatusConflict, Code: apperr.CodeIdempotencyIn, Field: IdempotencyHeader,
				Message: i18n.T("使用该幂等键的请求仍在处理中", "a request with this key is still in progress")})
		default:
			w.Header().Set("Content-Type", prior.contentType)
			if prior.location != "" {
				w.Header().Set("Location", prior.location)
			}
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(prior.status)
			_, _ = w.Write(prior.body)
		}
		return
	}
	rec := &capture{header: w.Header()}
	run(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	// The outcome is stored with a fresh context: the client going away must
	// not leave the key reserved for ever.
	bg := context.WithoutCancel(ctx)
	if rec.status >= 500 {
		_ = m.db.Tx(bg, func(tx store.Conn) error {
			_, err := tx.Exec(bg, "DELETE FROM idempotency_keys WHERE user_id = ? AND key = ?", p.UserID, key)
			return err
		})
	} else {
		_ = m.db.Tx(bg, func(tx store.Conn) error {
			_, err := tx.Exec(bg, `UPDATE idempotency_keys SET status = ?, content_type = ?, location = ?, body = ?
				WHERE user_id = ? AND key = ?`, rec.status, w.Header().Get("Content-Type"), w.Header().Get("Location"),
				rec.body.Bytes(), p.UserID, key)
			return err
		})
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}

type priorAnswer struct {
	hash        string
	status      int
	contentType string
	location    string
	body        []byte
}

func (m *idempotency) reserve(ctx context.Context, user store.ID, key, reqHash string) (bool, priorAnswer, error) {
	var prior priorAnswer
	reserved := false
	err := m.db.Tx(ctx, func(tx store.Conn) error {
		err := tx.QueryRow(ctx, "SELECT request_hash, status, content_type, location, body FROM idempotency_keys WHERE user_id = ? AND key = ?",
			user, key).Scan(&prior.hash, &prior.status, &prior.contentType, &prior.location, &prior.body)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.Exec(ctx, "INSERT INTO idempotency_keys (user_id, key, request_hash, status, created_at) VALUES (?, ?, ?, 0, ?)",
			user, key, reqHash, store.Micros(m.now()))
		reserved = err == nil
		return err
	})
	if store.IsUniqueViolation(err) { // a concurrent twin reserved it first
		return false, priorAnswer{hash: reqHash}, nil
	}
	return reserved, prior, err
}

// purge forgets keys older than a day, at most once a minute per process.
func (m *idempotency) purge(ctx context.Context) {
	now := m.now()
	last := m.lastPurge.Load()
	if now.Sub(time.UnixMicro(last)) < time.Minute || !m.lastPurge.CompareAndSwap(last, now.UnixMicro()) {
		return
	}
	_ = m.db.Tx(ctx, func(tx store.Conn) error {
		_, err := tx.Exec(ctx, "DELETE FROM idempotency_keys WHERE created_at < ?", store.Micros(now.Add(-idempotencyTTL)))
		return err
	})
}

// capture buffers a handler's answer so it can be stored before it is sent.
type capture struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (c *capture) Header() http.Header { return c.header }
func (c *capture) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.body.Write(b)
}
func (c *capture) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
}
