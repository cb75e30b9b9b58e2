package sales

import (
	"context"

	"kefu/internal/auth"
	"kefu/internal/store"
)

// Register appends a register entry (SAL-006, SAL-007, SAL-014, SAL-025)
// or a correction of one (SEC-002: a new entry referencing the old, with
// a reason). It computes the same-day due time on the pack's calendar and
// marks late entries, and finds the earlier entries of the same customer
// by the identity keys (CUS-016) in the company: each is a conflict raised
// by kefu, so the agent knows at once (SAL-015), with its attribution.
func (s *Service) Register(ctx context.Context, p *auth.Principal, in RegistrationInput) (Registration, error) {
	panic("H1")
}

// GetRegistration reads one entry with its conflicts, if p may see it
// (SEC-003: her own, the whole register for viewers, the entries of a
// conflict or deal for a decider); every read by someone other than the
// agent is audited (SEC-001).
func (s *Service) GetRegistration(ctx context.Context, p *auth.Principal, id store.ID) (Registration, error) {
	panic("H1")
}

// Registrations lists register entries (current versions unless
// f.History) in p's sight, newest first, keyset-paged.
func (s *Service) Registrations(ctx context.Context, p *auth.Principal, f RegistrationFilter) ([]Registration, store.ID, error) {
	panic("H1")
}

// History is the chain of an entry's corrections, oldest first.
func (s *Service) History(ctx context.Context, p *auth.Principal, id store.ID) ([]Registration, error) {
	panic("H1")
}

// Verify records the Project Manager's verification of an entry (SAL-006):
// the custodian only; once.
func (s *Service) Verify(ctx context.Context, p *auth.Principal, id store.ID, note string) (Registration, error) {
	panic("H1")
}
