// Package audit owns the audit log: one row for every state change, written
// in the same transaction as the change, append-only in the database itself
// (triggers refuse UPDATE and DELETE on both dialects) and chained with
// SHA-256 so that Verify finds any row altered, inserted or deleted
// (SEC-001, SEC-002).
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"kefu/internal/store"
)

// Actor is who caused a change: a user, or the system (ID 0) for the CLI,
// bootstrap and background jobs.
type Actor struct {
	ID   store.ID
	Name string
}

// System is the actor for changes that no user made.
var System = Actor{Name: "system"}

type ctxKey int

const (
	actorKey ctxKey = iota
	requestKey
)

// WithActor returns a context whose changes are attributed to a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey, a)
}

// ActorFrom returns the actor of ctx, or System.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey).(Actor); ok {
		return a
	}
	return System
}

// WithRequestID tags the context with the HTTP request id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestKey, id)
}

// RequestIDFrom returns the request id of ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	s, _ := ctx.Value(requestKey).(string)
	return s
}

// Entry is one audit row.
type Entry struct {
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	ActorID    store.ID        `json:"actor_id,omitempty"`
	Actor      string          `json:"actor"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	Changes    json.RawMessage `json:"changes"`
	RequestID  string          `json:"request_id,omitempty"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// Genesis is the previous hash of the first row.
var Genesis = strings.Repeat("0", 64)

// chainLock is the PostgreSQL advisory lock that serialises appends, so that
// every row links to the one before it even with several kefu processes.
const chainLock = 0x6b656675 // "kefu"

// Record appends an audit row inside tx, attributed to the actor and request
// of ctx. changes is marshalled to JSON (nil becomes {}). Call it as the last
// statement of the transaction: on PostgreSQL it holds the chain lock until
// commit.
func Record(ctx context.Context, tx store.Conn, now time.Time, action, objectType, objectID string, changes any) error {
	raw := []byte("{}")
	if changes != nil {
		b, err := json.Marshal(changes)
		if err != nil {
			return fmt.Errorf("audit: marshal changes: %w", err)
		}
		raw = b
	}
	if err := store.LockXact(ctx, tx, chainLock); err != nil {
		return fmt.Errorf("audit: lock chain: %w", err)
	}
	prevSeq, prevHash := int64(0), Genesis
	err := tx.QueryRow(ctx, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").Scan(&prevSeq, &prevHash)
	if err != nil && !isNoRows(err) {
		return fmt.Errorf("audit: read chain head: %w", err)
	}
	a := ActorFrom(ctx)
	e := Entry{
		Seq: prevSeq + 1, At: store.FromMicros(store.Micros(now)), ActorID: a.ID, Actor: a.Name,
		Action: action, ObjectType: objectType, ObjectID: objectID, Changes: raw,
		RequestID: RequestIDFrom(ctx), PrevHash: prevHash,
	}
	e.Hash = e.computeHash()
	var actorID any
	if e.ActorID != 0 {
		actorID = e.ActorID
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_log
		(seq, at, actor_id, actor, action, object_type, object_id, changes, request_id, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, store.Micros(e.At), actorID, e.Actor, e.Action, e.ObjectType, e.ObjectID,
		string(e.Changes), e.RequestID, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	return nil
}

// computeHash is SHA-256 over the previous hash and every field of the row,
// each length-prefixed so that no two different rows encode alike.
func (e *Entry) computeHash() string {
	h := sha256.New()
	for _, f := range []string{
		e.PrevHash, strconv.FormatInt(e.Seq, 10), strconv.FormatInt(store.Micros(e.At), 10),
		e.ActorID.String(), e.Actor, e.Action, e.ObjectType, e.ObjectID, string(e.Changes), e.RequestID,
	} {
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}
