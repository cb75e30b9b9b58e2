package archive

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// loanCols and loanFrom read a loan with its file and borrower.
const loanCols = `l.id, l.company_id, l.number, l.file_id, f.number, f.title, l.borrower_id, coalesce(b.display_name, ''),
	l.purpose, l.mode, l.chain, l.state, l.requested_at, l.wanted_days, l.approved_at, l.lent_at, coalesce(l.lent_by, 0),
	l.due_at, l.returned_at, coalesce(l.returned_to, 0), l.return_note, l.reminders, f.holder_unit_id`

const loanFrom = ` FROM archive_loans l JOIN archive_files f ON f.id = l.file_id LEFT JOIN users b ON b.id = l.borrower_id`

// loanRow is a loan with the unit holding its file.
type loanRow struct {
	Loan
	holder store.ID
}

// scanLoan reads one row of loanCols.
func scanLoan(sc store.Scanner) (loanRow, error) {
	var l loanRow
	var requested, wanted, approved, lent, due, returned, reminders int64
	err := sc.Scan(&l.ID, &l.CompanyID, &l.Number, &l.FileID, &l.FileNumber, &l.FileTitle, &l.BorrowerID, &l.BorrowerName,
		&l.Purpose, &l.Mode, &l.Chain, &l.State, &requested, &wanted, &approved, &lent, &l.LentBy, &due, &returned,
		&l.ReturnedTo, &l.ReturnNote, &reminders, &l.holder)
	l.RequestedAt, l.ApprovedAt, l.LentAt = store.FromMicros(requested), store.FromMicros(approved), store.FromMicros(lent)
	l.DueAt, l.ReturnedAt = store.FromMicros(due), store.FromMicros(returned)
	l.WantedDays, l.Reminders = int(wanted), int(reminders)
	return l, err
}

// chainOf is the lending chain a loan follows; a chain the pack no longer
// names has no steps.
func chainOf(r *rules, key string) policy.ApprovalChain {
	ch, ok := r.Archive.Chain(key)
	if !ok {
		return policy.ApprovalChain{Key: key, Name: policy.Name{ZH: key, EN: key}}
	}
	return ch
}

// readLoan reads a loan p may see (NotFound naming field otherwise) with
// its rules.
func (s *Service) readLoan(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID, field string) (loanRow, *rules, error) {
	if id == 0 {
		return loanRow{}, nil, apperr.Required(field)
	}
	l, err := scanLoan(c.QueryRow(ctx, "SELECT "+loanCols+loanFrom+" WHERE l.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return loanRow{}, nil, apperr.NotFound(field)
	}
	if err != nil {
		return loanRow{}, nil, err
	}
	r, err := s.rulesOf(ctx, l.CompanyID)
	if err != nil {
		return loanRow{}, nil, err
	}
	ok, err := s.seesLoan(ctx, c, p, l, r)
	if err != nil {
		return loanRow{}, nil, err
	}
	if !ok {
		return loanRow{}, nil, apperr.NotFound(field)
	}
	return l, r, nil
}

// seesLoan: its borrower, people qualifying for a step of its chain and
// archives:read holders, all within the company's scope.
func (s *Service) seesLoan(ctx context.Context, c store.Conn, p *auth.Principal, l loanRow, r *rules) (bool, error) {
	if p == nil {
		return true, nil
	}
	if ok, err := p.SeesCompany(ctx, c, l.CompanyID); err != nil || !ok {
		return false, err
	}
	if p.IsAdmin() || p.UserID == l.BorrowerID || p.Can(auth.PermArchivesRead) {
		return true, nil
	}
	for _, st := range chainOf(r, l.Chain).Steps {
		if ok, err := mayDecide(ctx, c, p, st, l.CompanyID, l.holder); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// complete fills the chain, steps, approvals, chases and overdue state of
// a loan as p sees it.
func (s *Service) complete(ctx context.Context, c store.Conn, p *auth.Principal, l *loanRow, r *rules) error {
	ch := chainOf(r, l.Chain)
	l.ChainName = ch.Name.ZH
	approvals, err := approvalsOf(ctx, c, subjectLoan, l.ID)
	if err != nil {
		return err
	}
	l.Approvals = approvals
	can := false
	if next, rejected := chainState(ch.Steps, approvals); l.State == LoanPending && !rejected && next < len(ch.Steps) &&
		(p == nil || p.UserID != l.BorrowerID) {
		if can, err = mayDecide(ctx, c, p, ch.Steps[next], l.CompanyID, l.holder); err != nil {
			return err
		}
	}
	l.Steps = stepStatuses(ch.Steps, approvals, can)
	if l.Chases, err = chasesOf(ctx, c, l.ID); err != nil {
		return err
	}
	l.overdue(r.Calendar, s.now())
	return nil
}

// overdue computes whether a lent loan is past due, and by how many days.
func (l *loanRow) overdue(cal *calendar.Calendar, now time.Time) {
	if l.State != LoanLent || l.DueAt.IsZero() || now.Before(l.DueAt) {
		return
	}
	l.Overdue = true
	loc := cal.Location()
	last := calendar.DateOf(l.DueAt.Add(-time.Microsecond).In(loc)) // the last day of the loan period
	l.DaysOverdue = calendar.DaysBetween(last, calendar.DateOf(now.In(loc)))
}

// chasesOf reads the reminders and chases of a loan, oldest first.
func chasesOf(ctx context.Context, c store.Conn, loan store.ID) ([]Chase, error) {
	return store.QueryAll(ctx, c, func(sc store.Scanner) (Chase, error) {
		var ch Chase
		var at int64
		err := sc.Scan(&ch.ID, &ch.Kind, &ch.By, &ch.ByName, &at, &ch.Note)
		ch.At = store.FromMicros(at)
		return ch, err
	}, `SELECT h.id, h.kind, coalesce(h.by_user, 0), coalesce(u.display_name, ''), h.at, h.note
		FROM archive_chases h LEFT JOIN users u ON u.id = h.by_user WHERE h.loan_id = ? ORDER BY h.id`, loan)
}

// GetLoan returns a loan to its borrower, the approvers of its chain and
// archives:read holders of the company.
func (s *Service) GetLoan(ctx context.Context, p *auth.Principal, id store.ID) (Loan, error) {
	c := s.db.Reader()
	l, r, err := s.readLoan(ctx, c, p, id, "id")
	if err != nil {
		return Loan{}, err
	}
	if err := s.complete(ctx, c, p, &l, r); err != nil {
		return Loan{}, err
	}
	return l.Loan, nil
}

// ListLoans lists loans; without archives:read only the caller's own and
// those waiting for the caller's decision.
func (s *Service) ListLoans(ctx context.Context, p *auth.Principal, f LoanFilter) (LoanPage, error) {
	limit, err := apperr.PageLimit(f.Limit)
	if err != nil {
		return LoanPage{}, err
	}
	var after int64
	if f.Cursor != "" {
		if after, err = strconv.ParseInt(f.Cursor, 10, 64); err != nil || after <= 0 {
			return LoanPage{}, apperr.Validation("cursor", i18n.T("游标无效", "invalid cursor"))
		}
	}
	if f.State != "" && !validLoanState(f.State) {
		return LoanPage{}, apperr.Validation("state", i18n.T("未知的借阅状态", "unknown loan state"))
	}
	c := s.db.Reader()
	company, err := s.companyFor(ctx, c, p, f.CompanyID, "company_id")
	if err != nil {
		return LoanPage{}, err
	}
	r, err := s.rulesOf(ctx, company)
	if err != nil {
		return LoanPage{}, err
	}
	where, args := "l.company_id = ?", []any{company}
	add := func(cond string, a ...any) { where += " AND " + cond; args = append(args, a...) }
	if f.State != "" {
		add("l.state = ?", f.State)
	}
	if f.FileID != 0 {
		add("l.file_id = ?", f.FileID)
	}
	if f.BorrowerID != 0 {
		add("l.borrower_id = ?", f.BorrowerID)
	}
	if f.Mine && p != nil {
		add("l.borrower_id = ?", p.UserID)
	}
	if f.ToDecide {
		add("l.state = ?", LoanPending)
	}
	if f.Overdue {
		add("l.state = ? AND l.due_at <= ?", LoanLent, store.Micros(s.now()))
	}
	var page LoanPage
	for {
		q := "SELECT " + loanCols + loanFrom + " WHERE " + where
		qa := append([]any{}, args...)
		if after > 0 {
			q += " AND l.id < ?"
			qa = append(qa, after)
		}
		batch, err := store.QueryAll(ctx, c, scanLoan, q+" ORDER BY l.id DESC LIMIT ?", append(qa, limit+1)...)
		if err != nil {
			return LoanPage{}, err
		}
		for _, l := range batch {
			after = int64(l.ID)
			if ok, err := s.seesLoan(ctx, c, p, l, r); err != nil {
				return LoanPage{}, err
			} else if !ok {
				continue
			}
			if err := s.complete(ctx, c, p, &l, r); err != nil {
				return LoanPage{}, err
			}
			if f.ToDecide && !canDecideNow(l.Steps) {
				continue
			}
			if len(page.Items) == limit {
				page.Next = strconv.FormatInt(int64(page.Items[limit-1].ID), 10)
				return page, nil
			}
			page.Items = append(page.Items, l.Loan)
		}
		if len(batch) <= limit {
			return page, nil
		}
	}
}

// canDecideNow reports whether the caller may decide the current step.
func canDecideNow(steps []StepStatus) bool {
	for _, st := range steps {
		if st.State == "current" && st.CanDecide {
			return true
		}
	}
	return false
}

func validLoanState(s string) bool {
	switch s {
	case LoanPending, LoanApproved, LoanRejected, LoanCancelled, LoanLent, LoanReturned:
		return true
	}
	return false
}

// qualifiedUsers are the active users of a company who qualify for step
// st about a file held by holder: who is told a decision is waiting.
func qualifiedUsers(ctx context.Context, c store.Conn, st policy.ApprovalStep, company, holder store.ID) ([]store.ID, error) {
	co, err := org.GetUnit(ctx, c, company)
	if err != nil {
		return nil, err
	}
	path, err := deptPath(ctx, c, company, st.Department, holder)
	if err != nil {
		return nil, err
	}
	cond, args := org.Scope{Path: co.Path}.SQL("u.org_unit_id")
	type row struct {
		id             store.ID
		position, path string
		role           string
	}
	rows, err := store.QueryAll(ctx, c, func(sc store.Scanner) (row, error) {
		var x row
		return x, sc.Scan(&x.id, &x.position, &x.path, &x.role)
	}, `SELECT u.id, u.position, o.path, r.role FROM users u JOIN org_units o ON o.id = u.org_unit_id
		JOIN user_roles r ON r.user_id = u.id WHERE u.active = ? AND `+cond+" ORDER BY u.id", append([]any{true}, args...)...)
	if err != nil {
		return nil, err
	}
	people := map[store.ID]*Approver{}
	var order []store.ID
	for _, x := range rows {
		a := people[x.id]
		if a == nil {
			a = &Approver{UserID: int64(x.id), Position: x.position, UnitPath: x.path}
			people[x.id] = a
			order = append(order, x.id)
		}
		a.Roles = append(a.Roles, auth.Role(x.role))
	}
	var out []store.ID
	for _, id := range order {
		a := people[id]
		a.CanApprove = auth.Grants(a.Roles, auth.PermArchivesApprove)
		if Qualifies(st, *a, path) {
			out = append(out, id)
		}
	}
	return out, nil
}
