package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/ticket"
)

// OnTicketClosed checks the materials of a closed complaint into the case
// file of its year of receipt (ARC-017), opened when missing; the item
// waits for the archivist to file it the same day (ARC-009). Called
// inside the ticket's transaction: it never fails it for a business
// reason (a pack without a complaint category, a number taken), only for
// a database error; a work order closed again adds nothing.
func (s *Service) OnTicketClosed(ctx context.Context, tx store.Conn, t ticket.Ticket) error {
	unit := t.ReceivingUnitID
	if unit == 0 {
		unit = t.HandlingUnitID
	}
	if unit == 0 {
		return nil
	}
	co, err := org.CompanyOf(ctx, tx, unit)
	if err != nil {
		s.log.Warn("archive: complaint without a company", "ticket", t.Number, "err", err)
		return nil
	}
	r, err := s.rulesOf(ctx, co.ID)
	if err != nil {
		s.log.Warn("archive: no archive rules for the complaint", "ticket", t.Number, "err", err)
		return nil
	}
	cat, ok := r.Pack.Category(t.Category)
	if !ok || cat.Group != "complaint" {
		return nil
	}
	category := r.Archive.ComplaintCategory
	archCat, ok := r.Archive.Category(category)
	if !ok {
		return nil
	}
	var n int64
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM archive_items WHERE source_type = 'ticket' AND source_id = ? AND category = ?",
		t.ID, category).Scan(&n); err != nil || n > 0 {
		return err
	}
	received := t.ReceivedAt
	if received.IsZero() {
		received = t.CreatedAt
	}
	now := s.now()
	if received.IsZero() {
		received = now
	}
	year := calendar.DateOf(received.In(r.Calendar.Location())).Year
	if err := store.LockXact(ctx, tx, archiveLock^int64(co.ID)); err != nil {
		return err
	}
	file, holder, err := s.caseFile(ctx, tx, r, year, now)
	if err != nil || file == 0 {
		return err
	}
	at := now
	if t.ClosedAt != nil && !t.ClosedAt.IsZero() && !t.ClosedAt.After(now) {
		at = *t.ClosedAt
	}
	due, err := r.Calendar.Deadline(at, r.Archive.FilingLimit)
	if err != nil {
		s.log.Warn("archive: complaint filing deadline", "ticket", t.Number, "err", err)
		return nil
	}
	id, err := tx.InsertID(ctx, `INSERT INTO archive_items (company_id, file_id, category, title, medium, pages, source_type,
		source_id, received_from, holder_unit_id, received_at, filing_due_at, state, created_at)
		VALUES (?, ?, ?, ?, 'paper', 0, 'ticket', ?, ?, ?, ?, ?, 'received', ?) RETURNING id`,
		co.ID, file, category, "投诉材料 "+t.Number, t.ID, t.Number, holder, store.Micros(at), store.Micros(due.At),
		store.Micros(now))
	if err != nil {
		return err
	}
	var system *auth.Principal
	return audit.Record(audit.WithActor(ctx, system.Actor()), tx, now, "archive.item.checkin", "archive_item", id.String(),
		map[string]any{"category": archCat.Key, "ticket": t.Number, "file_id": file, "year": year})
}

// caseFile finds or opens the company's complaint case file of a year
// (ARC-017), held by the central office (the company itself when no
// department is bound); 0 when its number is taken by another file.
func (s *Service) caseFile(ctx context.Context, tx store.Conn, r *rules, year int, now time.Time) (store.ID, store.ID, error) {
	var id, holder store.ID
	err := tx.QueryRow(ctx, "SELECT id, holder_unit_id FROM archive_files WHERE company_id = ? AND kind = 'case_year' AND year = ?",
		r.CompanyID, year).Scan(&id, &holder)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return id, holder, err
	}
	number := FormatNumber(r.Archive.Numbering.CaseYear, NumberParts{Year: year})
	var n int64
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM archive_files WHERE company_id = ? AND number = ?", r.CompanyID, number).
		Scan(&n); err != nil || n > 0 {
		if n > 0 {
			s.log.Warn("archive: the case file number is taken", "company", r.CompanyID, "number", number)
		}
		return 0, 0, err
	}
	holder = r.CompanyID
	if h, err := holderUnit(ctx, tx, r, 0); err == nil {
		holder = h
	}
	micros := store.Micros(now)
	title := fmt.Sprintf("%d年度投诉案宗", year)
	id, err = tx.InsertID(ctx, `INSERT INTO archive_files (company_id, number, kind, title, year, sort_key, level, holder_unit_id,
		created_at, updated_at) VALUES (?, ?, 'case_year', ?, ?, ?, ?, ?, ?, ?) RETURNING id`, r.CompanyID, number, title, year,
		SortKey(KindCaseYear, "", "", "", number), r.Archive.DefaultLevel, holder, micros, micros)
	if err != nil {
		return 0, 0, err
	}
	var system *auth.Principal
	return id, holder, audit.Record(audit.WithActor(ctx, system.Actor()), tx, now, "archive.file.create", "archive_file",
		id.String(), map[string]any{"number": number, "kind": KindCaseYear, "title": title, "year": year})
}
