package archive

import (
	"context"

	"kefu/internal/auth"
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

// RequestLoan applies to borrow a file (archives:borrow) through the
// file's chain (ARC-012). Audited.
func (s *Service) RequestLoan(ctx context.Context, p *auth.Principal, in LoanInput) (Loan, error) {
	panic("H2")
}

// GetLoan returns a loan to its borrower, the approvers of its chain and
// archives:read holders of the company.
func (s *Service) GetLoan(ctx context.Context, p *auth.Principal, id store.ID) (Loan, error) {
	panic("H2")
}

// ListLoans lists loans; without archives:read only the caller's own and
// those waiting for the caller's decision.
func (s *Service) ListLoans(ctx context.Context, p *auth.Principal, f LoanFilter) (LoanPage, error) {
	panic("H2")
}

// DecideLoan records the current step's decision. Audited.
func (s *Service) DecideLoan(ctx context.Context, p *auth.Principal, id store.ID, approve bool, note string) (Loan, error) {
	panic("H2")
}

// LendLoan registers an approved loan and hands the file out
// (archives:write, custodian side): refused while the procedure is
// incomplete (ARC-011); due after the loan period on the calendar.
func (s *Service) LendLoan(ctx context.Context, p *auth.Principal, id store.ID) (Loan, error) {
	panic("H2")
}

// ReturnLoan records the file's return (archives:write).
func (s *Service) ReturnLoan(ctx context.Context, p *auth.Principal, id store.ID, note string) (Loan, error) {
	panic("H2")
}

// CancelLoan withdraws an application not yet lent (its borrower).
func (s *Service) CancelLoan(ctx context.Context, p *auth.Principal, id store.ID) (Loan, error) {
	panic("H2")
}

// ChaseLoan records the custodian's chase of an overdue loan (催收,
// archives:write) and tells the borrower.
func (s *Service) ChaseLoan(ctx context.Context, p *auth.Principal, id store.ID, note string) (Loan, error) {
	panic("H2")
}
