package archive

import (
	"context"
	"database/sql"
	"errors"

	"kefu/internal/audit"
	"kefu/internal/i18n"
	"kefu/internal/jobs"
	"kefu/internal/store"
)

// TimerLoanOverdue fires when a lent file is due and then once a day
// until it is returned; its ref is the loan.
const TimerLoanOverdue = "archive.loan.overdue"

// RegisterTimers registers the loan reminder timer on e: an overdue loan
// reminds its borrower and the custodian once a day until it is returned
// (ARC-011).
func (s *Service) RegisterTimers(e *jobs.Engine) {
	e.Handle(TimerLoanOverdue, s.fireOverdue)
}

// fireOverdue reminds the borrower and the custodian of the holding
// department of a loan still out after its due date, once per day, and
// schedules the next day's reminder (ARC-011: lent Mon 2026-03-02, due
// 2026-03-10 00:00 → reminders 03-10, 03-11 … until returned).
func (s *Service) fireOverdue(ctx context.Context, tx store.Conn, t jobs.Timer) error {
	var (
		state, remindedOn, number, fileNumber string
		company, borrower, holder             store.ID
		due                                   int64
	)
	err := tx.QueryRow(ctx, `SELECT l.state, l.reminded_on, l.number, l.company_id, l.borrower_id, l.due_at,
		f.number, f.holder_unit_id FROM archive_loans l JOIN archive_files f ON f.id = l.file_id WHERE l.id = ?`, t.Ref).
		Scan(&state, &remindedOn, &number, &company, &borrower, &due, &fileNumber, &holder)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	now := s.now()
	if state != LoanLent || store.Micros(now) < due {
		return nil // returned, or lent again with a later due date
	}
	r, err := s.rulesOf(ctx, company)
	if err != nil {
		return err
	}
	day := today(r.Calendar, now)
	if remindedOn != day.String() {
		if _, err := tx.Exec(ctx, `INSERT INTO archive_chases (loan_id, kind, at, note) VALUES (?, 'reminder', ?, ?)`,
			t.Ref, store.Micros(now), i18n.T("借阅逾期提醒", "overdue loan reminder").ZH); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE archive_loans SET reminded_on = ?, reminders = reminders + 1, updated_at = ?
			WHERE id = ?`, day.String(), store.Micros(now), t.Ref); err != nil {
			return err
		}
		users := []store.ID{borrower}
		if c, err := custodianOf(ctx, tx, company, holder); err != nil {
			return err
		} else if c != 0 {
			users = append(users, c)
		}
		if err := s.tell(ctx, tx, "archive.loan.overdue", users, "loan", t.Ref,
			i18n.T("借阅 %[1]s（档案 %[2]s）已逾期，请尽快归还", "loan %[1]s (file %[2]s) is overdue: please return it",
				number, fileNumber)); err != nil {
			return err
		}
		if err := audit.Record(audit.WithActor(ctx, audit.System), tx, now, "archive.loan.remind", "archive_loan",
			t.Ref.String(), map[string]any{"number": number, "day": day.String()}); err != nil {
			return err
		}
	}
	return jobs.Schedule(ctx, tx, TimerLoanOverdue, t.Ref, day.AddDays(1).Midnight(r.Calendar.Location()))
}

// custodianOf is the custodian of the archive department bound to the
// unit holding a file (0: none named).
func custodianOf(ctx context.Context, c store.Conn, company, holder store.ID) (store.ID, error) {
	var id sql.NullInt64
	err := c.QueryRow(ctx, `SELECT custodian_id FROM archive_departments WHERE company_id = ? AND unit_id = ?
		ORDER BY id LIMIT 1`, company, holder).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return store.ID(id.Int64), err
}
