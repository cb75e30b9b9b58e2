package archive

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/jobs"
	"kefu/internal/notify"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// LoanInput applies to borrow a file (ARC-011).
type LoanInput struct {
	FileID     store.ID `json:"file_id"`
	FileNumber string   `json:"file_number"` // instead of file_id, with company_id
	CompanyID  store.ID `json:"company_id"`
	Purpose    string   `json:"purpose"`
	Mode       string   `json:"mode"` // take_out (default) or view
	Days       int      `json:"days"` // wanted loan period; 0 = the pack's
}

// LoanFilter selects loans.
type LoanFilter struct {
	CompanyID  store.ID
	State      string
	FileID     store.ID
	BorrowerID store.ID
	Mine       bool // the caller's own applications
	ToDecide   bool // waiting for a step the caller qualifies for
	Overdue    bool // lent and past due
	Limit      int
	Cursor     string
}

// LoanPage is one page of loans.
type LoanPage struct {
	Items []Loan `json:"items"`
	Next  string `json:"next_cursor,omitempty"`
}

// MaxLoanDays is the longest loan period a borrower may ask for.
const MaxLoanDays = 90

// RequestLoan applies to borrow a file (archives:borrow) through the
// file's chain (ARC-012). Audited.
func (s *Service) RequestLoan(ctx context.Context, p *auth.Principal, in LoanInput) (Loan, error) {
	if err := need(p, auth.PermArchivesBorrow); err != nil {
		return Loan{}, err
	}
	in.Purpose = strings.TrimSpace(in.Purpose)
	switch {
	case in.Purpose == "":
		return Loan{}, apperr.Required("purpose")
	case utf8.RuneCountInString(in.Purpose) > 500:
		return Loan{}, apperr.Validation("purpose", i18n.T("不能超过 500 个字符", "at most 500 characters"))
	case in.Days < 0 || in.Days > MaxLoanDays:
		return Loan{}, apperr.Validation("days", i18n.T("须在 0 到 %[1]d 天之间（0 为默认借期）",
			"must be 0 to %[1]d days (0 = the default loan period)", MaxLoanDays))
	}
	if in.Mode == "" {
		in.Mode = ModeTakeOut
	}
	if in.Mode != ModeTakeOut && in.Mode != ModeView {
		return Loan{}, apperr.Validation("mode", i18n.T("须为 take_out 或 view", "must be take_out or view"))
	}
	var id store.ID
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		fileID, field := in.FileID, "file_id"
		if fileID == 0 && strings.TrimSpace(in.FileNumber) != "" {
			field = "file_number"
			company, err := s.companyFor(ctx, tx, p, in.CompanyID, "company_id")
			if err != nil {
				return err
			}
			err = tx.QueryRow(ctx, "SELECT id FROM archive_files WHERE company_id = ? AND number = ?", company,
				strings.TrimSpace(in.FileNumber)).Scan(&fileID)
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.NotFound(field)
			}
			if err != nil {
				return err
			}
		}
		f, r, err := s.loadFile(ctx, tx, p, fileID, field)
		if err != nil {
			return err
		}
		if f.State == "destroyed" {
			return apperr.Gone(field, i18n.T("档案已销毁", "the file has been destroyed"))
		}
		ch := chainOf(r, f.Chain)
		now := s.now()
		seq, err := nextSeq(ctx, tx, seqLoan, f.CompanyID, today(r.Calendar, now).Year)
		if err != nil {
			return err
		}
		number := FormatNumber(r.Archive.Numbering.Loan, NumberParts{Year: today(r.Calendar, now).Year, Seq: seq})
		state, approved := LoanPending, int64(0)
		if len(ch.Steps) == 0 {
			state, approved = LoanApproved, store.Micros(now)
		}
		id, err = tx.InsertID(ctx, `INSERT INTO archive_loans (company_id, number, file_id, borrower_id, purpose, mode, chain,
			state, requested_at, wanted_days, approved_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			f.CompanyID, number, f.ID, p.UserID, in.Purpose, in.Mode, ch.Key, state, store.Micros(now), in.Days, approved,
			store.Micros(now))
		if err != nil {
			return err
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "archive.loan.request", "archive_loan", id.String(),
			map[string]any{"number": number, "file": f.Number, "purpose": in.Purpose, "mode": in.Mode, "chain": ch.Key,
				"days": in.Days}); err != nil {
			return err
		}
		if len(ch.Steps) > 0 {
			return s.tellApprovers(ctx, tx, ch.Steps[0], f.CompanyID, f.HolderUnitID, p.UserID, id, number, f.Number)
		}
		return nil
	})
	if err != nil {
		return Loan{}, err
	}
	return s.GetLoan(ctx, p, id)
}

// tellApprovers tells the people qualifying for a step that a loan waits
// for their decision (never the borrower).
func (s *Service) tellApprovers(ctx context.Context, tx store.Conn, st policy.ApprovalStep, company, holder, borrower, id store.ID,
	number, file string) error {
	if s.notify == nil {
		return nil
	}
	users, err := qualifiedUsers(ctx, tx, st, company, holder)
	if err != nil {
		return err
	}
	return s.tell(ctx, tx, "archive.loan.requested", without(users, borrower), "loan", id,
		i18n.T("借阅申请 %[1]s（档案 %[2]s）待您“%[3]s”", "loan %[1]s (file %[2]s) waits for your “%[4]s”",
			number, file, st.Name.ZH, st.Name.EN))
}

// without drops id from ids.
func without(ids []store.ID, id store.ID) []store.ID {
	out := ids[:0:0]
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}

// DecideLoan records the current step's decision. Audited.
func (s *Service) DecideLoan(ctx context.Context, p *auth.Principal, id store.ID, approve bool, note string) (Loan, error) {
	note = strings.TrimSpace(note)
	if err := tooLong(limit{"note", note, 500}); err != nil {
		return Loan{}, err
	}
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		l, r, err := s.readLoan(ctx, tx, p, id, "id")
		if err != nil {
			return err
		}
		if l.State != LoanPending {
			return apperr.Conflict("state", i18n.T("借阅申请不在审批中", "the loan is not waiting for approval"))
		}
		ch := chainOf(r, l.Chain)
		now := s.now()
		step, done, err := decideStep(ctx, tx, p, subjectLoan, l.ID, ch.Steps, l.CompanyID, l.holder, l.BorrowerID,
			approve, note, store.Micros(now))
		if err != nil {
			return err
		}
		state := l.State
		switch {
		case !approve:
			state = LoanRejected
		case done:
			state = LoanApproved
		}
		if state != l.State {
			approved := int64(0)
			if state == LoanApproved {
				approved = store.Micros(now)
			}
			if _, err := tx.Exec(ctx, "UPDATE archive_loans SET state = ?, approved_at = ?, updated_at = ? WHERE id = ?",
				state, approved, store.Micros(now), l.ID); err != nil {
				return err
			}
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "archive.loan.decide", "archive_loan", l.ID.String(),
			map[string]any{"number": l.Number, "step": ch.Steps[step].Key, "approve": approve, "note": note,
				"state": state}); err != nil {
			return err
		}
		switch state {
		case LoanPending:
			return s.tellApprovers(ctx, tx, ch.Steps[step+1], l.CompanyID, l.holder, l.BorrowerID, l.ID, l.Number, l.FileNumber)
		case LoanApproved:
			users := []store.ID{l.BorrowerID}
			if c, err := custodianOf(ctx, tx, l.CompanyID, l.holder); err != nil {
				return err
			} else if c != 0 {
				users = append(users, c)
			}
			return s.tell(ctx, tx, "archive.loan.approved", users, "loan", l.ID,
				i18n.T("借阅 %[1]s（档案 %[2]s）已批准，请办理登记借出", "loan %[1]s (file %[2]s) is approved: register it to lend",
					l.Number, l.FileNumber))
		default:
			return s.tell(ctx, tx, "archive.loan.rejected", []store.ID{l.BorrowerID}, "loan", l.ID,
				i18n.T("借阅 %[1]s（档案 %[2]s）未获批准", "loan %[1]s (file %[2]s) was refused", l.Number, l.FileNumber))
		}
	})
	if err != nil {
		return Loan{}, err
	}
	return s.GetLoan(ctx, p, id)
}

// tell notifies users about a loan.
func (s *Service) tell(ctx context.Context, tx store.Conn, event string, users []store.ID, object string, id store.ID,
	title i18n.Text) error {
	if s.notify == nil || len(users) == 0 {
		return nil
	}
	link := "/archives/" + object + "s/" + id.String()
	if object == "inspection" { // findings are listed with their inspections
		link = "/archives/inspections"
	}
	return s.notify.Send(ctx, tx, notify.Message{Event: event, Users: users, Title: title, Link: link,
		Object: "archive_" + object, ObjectID: id})
}

// LendLoan registers an approved loan and hands the file out
// (archives:write, custodian side): refused while the procedure is
// incomplete (ARC-011); due after the loan period on the calendar.
func (s *Service) LendLoan(ctx context.Context, p *auth.Principal, id store.ID) (Loan, error) {
	if err := need(p, auth.PermArchivesWrite); err != nil {
		return Loan{}, err
	}
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		l, f, r, err := s.custodianLoan(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if l.State != LoanApproved {
			return apperr.Conflict("state", i18n.T("借阅手续未完成，不予借出", "the borrowing procedure is not complete: the file is not lent"))
		}
		if f.State == "destroyed" {
			return apperr.Gone("file_id", i18n.T("档案已销毁", "the file has been destroyed"))
		}
		if l.Mode == ModeTakeOut {
			var out int64
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM archive_loans WHERE file_id = ? AND state = 'lent' AND mode = 'take_out'`,
				l.FileID).Scan(&out); err != nil {
				return err
			}
			if out > 0 {
				return apperr.Conflict("file_id", i18n.T("档案已借出，尚未归还", "the file is already lent out"))
			}
		}
		period := r.Archive.LoanPeriod
		if l.WantedDays > 0 {
			period = calendar.Duration{N: l.WantedDays, Unit: calendar.CalendarDays}
		}
		now := s.now()
		due, err := r.Calendar.Deadline(now, period)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE archive_loans SET state = 'lent', lent_at = ?, lent_by = ?, due_at = ?, updated_at = ?
			WHERE id = ? AND state = 'approved'`, store.Micros(now), p.UserID, store.Micros(due.At), store.Micros(now), l.ID); err != nil {
			return err
		}
		if err := jobs.Schedule(ctx, tx, TimerLoanOverdue, l.ID, due.At); err != nil {
			return err
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "archive.loan.lend", "archive_loan", l.ID.String(),
			map[string]any{"number": l.Number, "file": l.FileNumber, "due_at": due.At, "period": period.String()}); err != nil {
			return err
		}
		return s.tell(ctx, tx, "archive.loan.lent", []store.ID{l.BorrowerID}, "loan", l.ID,
			i18n.T("档案 %[1]s 已借出，请于 %[2]s 前归还", "file %[1]s is lent to you: return it before %[2]s",
				l.FileNumber, due.At.In(r.Calendar.Location()).Format("2006-01-02 15:04")))
	})
	if err != nil {
		return Loan{}, err
	}
	return s.GetLoan(ctx, p, id)
}

// custody refuses p unless p works in the department holding f or in the
// central archive office (an administrator always may).
// custodianLoan reads a loan and its file for a step of the custodian
// (lend, return, chase): p must work in the holding department or the
// central office (ARC-004, ARC-011).
func (s *Service) custodianLoan(ctx context.Context, tx store.Conn, p *auth.Principal, id store.ID) (loanRow, File, *rules, error) {
	l, r, err := s.readLoan(ctx, tx, p, id, "id")
	if err != nil {
		return loanRow{}, File{}, nil, err
	}
	f, _, err := s.loadFile(ctx, tx, p, l.FileID, "file_id")
	if err != nil {
		return loanRow{}, File{}, nil, err
	}
	return l, f, r, custody(ctx, tx, p, f, r)
}

func custody(ctx context.Context, c store.Conn, p *auth.Principal, f File, r *rules) error {
	if p == nil || p.IsAdmin() {
		return nil
	}
	ok, err := inCustody(ctx, c, p, f, r)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Forbidden(i18n.T("只有保管该档案的部门或档案管理部门可以办理", "only the department holding the file or the archive office may do this"))
	}
	return nil
}

// ReturnLoan records the file's return (archives:write).
func (s *Service) ReturnLoan(ctx context.Context, p *auth.Principal, id store.ID, note string) (Loan, error) {
	if err := need(p, auth.PermArchivesWrite); err != nil {
		return Loan{}, err
	}
	note = strings.TrimSpace(note)
	if err := tooLong(limit{"note", note, 500}); err != nil {
		return Loan{}, err
	}
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		l, _, r, err := s.custodianLoan(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if l.State != LoanLent {
			return apperr.Conflict("state", i18n.T("该借阅未借出", "the loan is not lent out"))
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `UPDATE archive_loans SET state = 'returned', returned_at = ?, returned_to = ?, return_note = ?,
			updated_at = ? WHERE id = ?`, store.Micros(now), p.UserID, note, store.Micros(now), l.ID); err != nil {
			return err
		}
		if err := jobs.Cancel(ctx, tx, TimerLoanOverdue, l.ID); err != nil {
			return err
		}
		l.overdue(r.Calendar, now)
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "archive.loan.return", "archive_loan", l.ID.String(),
			map[string]any{"number": l.Number, "file": l.FileNumber, "note": note, "days_overdue": l.DaysOverdue})
	})
	if err != nil {
		return Loan{}, err
	}
	return s.GetLoan(ctx, p, id)
}

// CancelLoan withdraws an application not yet lent (its borrower).
func (s *Service) CancelLoan(ctx context.Context, p *auth.Principal, id store.ID) (Loan, error) {
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		l, _, err := s.readLoan(ctx, tx, p, id, "id")
		if err != nil {
			return err
		}
		if p != nil && !p.IsAdmin() && p.UserID != l.BorrowerID {
			return apperr.Forbidden(i18n.T("只有借阅人可以撤回申请", "only the borrower may withdraw the application"))
		}
		if l.State != LoanPending && l.State != LoanApproved {
			return apperr.Conflict("state", i18n.T("只能撤回审批中或已批准未借出的申请", "only an application not yet lent can be withdrawn"))
		}
		now := s.now()
		if _, err := tx.Exec(ctx, "UPDATE archive_loans SET state = 'cancelled', updated_at = ? WHERE id = ?",
			store.Micros(now), l.ID); err != nil {
			return err
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "archive.loan.cancel", "archive_loan", l.ID.String(),
			map[string]any{"number": l.Number, "from": l.State})
	})
	if err != nil {
		return Loan{}, err
	}
	return s.GetLoan(ctx, p, id)
}

// ChaseLoan records the custodian's chase of an overdue loan (催收,
// archives:write) and tells the borrower.
func (s *Service) ChaseLoan(ctx context.Context, p *auth.Principal, id store.ID, note string) (Loan, error) {
	if err := need(p, auth.PermArchivesWrite); err != nil {
		return Loan{}, err
	}
	note = strings.TrimSpace(note)
	if err := tooLong(limit{"note", note, 500}); err != nil {
		return Loan{}, err
	}
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		l, _, r, err := s.custodianLoan(ctx, tx, p, id)
		if err != nil {
			return err
		}
		now := s.now()
		l.overdue(r.Calendar, now)
		if !l.Overdue {
			return apperr.Conflict("state", i18n.T("该借阅未逾期", "the loan is not overdue"))
		}
		if _, err := tx.Exec(ctx, "INSERT INTO archive_chases (loan_id, kind, by_user, at, note) VALUES (?, 'chase', ?, ?, ?)",
			l.ID, p.UserID, store.Micros(now), note); err != nil {
			return err
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "archive.loan.chase", "archive_loan", l.ID.String(),
			map[string]any{"number": l.Number, "days_overdue": l.DaysOverdue, "note": note}); err != nil {
			return err
		}
		return s.tell(ctx, tx, "archive.loan.chased", []store.ID{l.BorrowerID}, "loan", l.ID,
			i18n.T("档案管理员催还借阅 %[1]s（档案 %[2]s），已逾期 %[3]d 天", "the custodian asks you to return loan %[1]s (file %[2]s), %[3]d days overdue",
				l.Number, l.FileNumber, l.DaysOverdue))
	})
	if err != nil {
		return Loan{}, err
	}
	return s.GetLoan(ctx, p, id)
}
