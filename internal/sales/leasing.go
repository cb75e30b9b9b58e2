package sales

import (
	"context"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// Submit sends a leasing manager's day to General Services (SAL-025): due
// at the end of work that day on the leasing calendar, or 10:00 the next
// day with a special-case reason (G-55); late proposes MER-013. Entries of
// the leasing book must say with or without an intermediary (SAL-027).
func (s *Service) Submit(ctx context.Context, p *auth.Principal, in SubmissionInput) (Submission, error) {
	panic("H3")
}

// Submissions lists a centre's submissions between two days.
func (s *Service) Submissions(ctx context.Context, p *auth.Principal, unit store.ID, from, to calendar.Date) ([]Submission, error) {
	panic("H3")
}

// SubmissionsDue lists the days with leasing entries not yet submitted.
func (s *Service) SubmissionsDue(ctx context.Context, p *auth.Principal, unit store.ID) ([]SubmissionDue, error) {
	panic("H3")
}

// CreateArchiveForm files a customer archive form (SAL-028).
func (s *Service) CreateArchiveForm(ctx context.Context, p *auth.Principal, in ArchiveFormInput) (ArchiveForm, error) {
	panic("H3")
}

// SendArchiveUpdate sends the month's update, due on the last day of the
// month (a fixed date, CAL-015); late proposes MER-013.
func (s *Service) SendArchiveUpdate(ctx context.Context, p *auth.Principal, id store.ID, in ArchiveFormInput) (ArchiveForm, error) {
	panic("H3")
}

// CloseArchiveForm archives the complete form of a closed deal, or files a
// lost customer in the unclosed archive; retained RetentionYears.
func (s *Service) CloseArchiveForm(ctx context.Context, p *auth.Principal, id store.ID, in ArchiveFormInput) (ArchiveForm, error) {
	panic("H3")
}

// GetArchiveForm reads one with its updates.
func (s *Service) GetArchiveForm(ctx context.Context, p *auth.Principal, id store.ID) (ArchiveForm, error) {
	panic("H3")
}

// ArchiveForms lists a centre's forms.
func (s *Service) ArchiveForms(ctx context.Context, p *auth.Principal, unit store.ID, state string) ([]ArchiveForm, error) {
	panic("H3")
}

// Grant gives a user the General Manager's time-limited permission to view
// a leasing centre's registers (SEC-005): a grantor role of the pack.
func (s *Service) Grant(ctx context.Context, p *auth.Principal, in ViewGrantInput) (ViewGrant, error) {
	panic("H3")
}

// RevokeGrant ends a grant early.
func (s *Service) RevokeGrant(ctx context.Context, p *auth.Principal, id store.ID) (ViewGrant, error) {
	panic("H3")
}

// Grants lists a centre's grants.
func (s *Service) Grants(ctx context.Context, p *auth.Principal, unit store.ID) ([]ViewGrant, error) {
	panic("H3")
}

// hasGrant reports whether p holds a current grant on the unit (SEC-005).
func (s *Service) hasGrant(ctx context.Context, c store.Conn, p *auth.Principal, unit store.ID) (bool, error) {
	panic("H3")
}
