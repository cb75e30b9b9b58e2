package audit

import (
	"context"
	"strconv"

	"kefu/internal/store"
)

// Filter selects audit rows for review, newest first.
type Filter struct {
	ObjectType string
	ObjectID   string
	ActorID    store.ID
	Action     string
	BeforeSeq  int64 // cursor: rows with seq < BeforeSeq
	Limit      int
	// ActorScope, when set, keeps the rows written by users whose org unit
	// it admits (org.Scope of the reader, SEC-001): a subsidiary's auditor
	// reviews what its own staff did, not the whole group's log, whose
	// changes hold other subsidiaries' customers and work orders. System
	// rows (no actor) are then left out too.
	ActorScope interface {
		SQL(column string) (string, []any)
	}
}

// List returns audit rows matching f, newest first, and the cursor of the
// next page ("" on the last page).
func List(ctx context.Context, db *store.DB, f Filter) ([]Entry, string, error) {
	q := `SELECT seq, at, actor_id, actor, action, object_type, object_id,
		changes, request_id, prev_hash, hash FROM audit_log WHERE 1=1`
	var args []any
	if f.ObjectType != "" {
		q += " AND object_type = ?"
		args = append(args, f.ObjectType)
	}
	if f.ObjectID != "" {
		q += " AND object_id = ?"
		args = append(args, f.ObjectID)
	}
	if f.ActorID != 0 {
		q += " AND actor_id = ?"
		args = append(args, f.ActorID)
	}
	if f.Action != "" {
		q += " AND action = ?"
		args = append(args, f.Action)
	}
	if f.BeforeSeq > 0 {
		q += " AND seq < ?"
		args = append(args, f.BeforeSeq)
	}
	if f.ActorScope != nil {
		cond, cargs := f.ActorScope.SQL("u.org_unit_id")
		q += " AND actor_id IN (SELECT u.id FROM users u WHERE " + cond + ")"
		args = append(args, cargs...)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	q += " ORDER BY seq DESC LIMIT ?"
	args = append(args, limit+1)
	rows, err := db.Reader().Query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = strconv.FormatInt(out[limit-1].Seq, 10)
	}
	return out, next, nil
}
