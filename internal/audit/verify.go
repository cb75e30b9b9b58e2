package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"kefu/internal/i18n"
	"kefu/internal/store"
)

// Break describes the first place where the chain does not hold.
type Break struct {
	Seq    int64     // the row at which the chain breaks
	Reason i18n.Text // what is wrong
}

func (b *Break) Error() string { return fmt.Sprintf("audit row %d: %s", b.Seq, b.Reason) }

// Report is the outcome of Verify.
type Report struct {
	Verified int64  // rows whose hash and link were checked and hold
	Break    *Break // nil when the whole chain holds
	// Guarded is false when the append-only triggers are missing.
	Guarded bool
	// HeadSeq and HeadHash name the last verified row. Deleting rows at the
	// very end of the log leaves no break in the chain, so operators record
	// the head outside kefu (e.g. in the monthly report) and compare.
	HeadSeq  int64
	HeadHash string
}

// Verify walks the whole chain in order and returns at the first row that
// was altered (its hash does not match its content), inserted or deleted
// (its sequence number or its link to the previous row is wrong).
func Verify(ctx context.Context, db *store.DB) (Report, error) {
	var rep Report
	guarded, err := triggersPresent(ctx, db)
	if err != nil {
		return rep, err
	}
	rep.Guarded = guarded
	rows, err := db.Reader().Query(ctx, `SELECT seq, at, actor_id, actor, action, object_type, object_id,
		changes, request_id, prev_hash, hash FROM audit_log ORDER BY seq`)
	if err != nil {
		return rep, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	prevSeq, prevHash := int64(0), Genesis
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return rep, err
		}
		switch {
		case e.Seq != prevSeq+1:
			rep.Break = &Break{Seq: e.Seq, Reason: i18n.T(
				"应为第%d行：第%d–%d行被删除，或此行为插入的记录",
				"expected row %d next: rows %d–%d were deleted or this row was inserted", prevSeq+1, prevSeq+1, e.Seq-1)}
		case e.PrevHash != prevHash:
			rep.Break = &Break{Seq: e.Seq, Reason: i18n.T(
				"与上一行的链接断裂：上一行被替换，或此行为插入的记录",
				"link to the previous row is broken: the previous row was replaced, or this row was inserted")}
		case e.computeHash() != e.Hash:
			rep.Break = &Break{Seq: e.Seq, Reason: i18n.T(
				"内容与哈希不符：此行被篡改", "content does not match its hash: the row was altered")}
		}
		if rep.Break != nil {
			return rep, nil
		}
		rep.Verified++
		prevSeq, prevHash = e.Seq, e.Hash
		rep.HeadSeq, rep.HeadHash = e.Seq, e.Hash
	}
	return rep, rows.Err()
}

type scanner interface{ Scan(dest ...any) error }

func scanEntry(s scanner) (Entry, error) {
	var e Entry
	var at int64
	var actorID store.NullID
	var changes string
	if err := s.Scan(&e.Seq, &at, &actorID, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID,
		&changes, &e.RequestID, &e.PrevHash, &e.Hash); err != nil {
		return e, fmt.Errorf("read audit row: %w", err)
	}
	e.At = store.FromMicros(at)
	e.ActorID = actorID.ID
	e.Changes = []byte(changes)
	return e, nil
}

// guardTriggers are the append-only triggers each dialect must have.
var guardTriggers = map[store.Dialect][]string{
	store.SQLite:   {"audit_log_no_update", "audit_log_no_delete", "audit_log_no_replace"},
	store.Postgres: {"audit_log_no_update", "audit_log_no_truncate"},
}

func triggersPresent(ctx context.Context, db *store.DB) (bool, error) {
	names := guardTriggers[db.Dialect()]
	args := make([]any, len(names))
	for i, n := range names {
		args[i] = n
	}
	q := `SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'
		AND name IN (` + store.Placeholders(len(names)) + `)`
	if db.Dialect() == store.Postgres {
		q = `SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
			WHERE c.relname = 'audit_log' AND c.relnamespace = to_regnamespace(current_schema())::oid
			AND NOT t.tgisinternal AND t.tgenabled <> 'D' AND t.tgname IN (` + store.Placeholders(len(names)) + `)`
	}
	var n int
	if err := db.Reader().QueryRow(ctx, q, args...).Scan(&n); err != nil {
		return false, fmt.Errorf("check audit triggers: %w", err)
	}
	return n == len(names), nil
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
