package sales

import (
	"context"

	"kefu/internal/auth"
	"kefu/internal/store"
)

// Apply asks the Sales Manager for a restricted action of the pack
// (SAL-021): releasing a unit, transferring a name, a discount …
func (s *Service) Apply(ctx context.Context, p *auth.Principal, in ApplicationInput) (Application, error) {
	panic("H2")
}

// DecideApplication approves or rejects (a decider only, not her own).
func (s *Service) DecideApplication(ctx context.Context, p *auth.Principal, id store.ID, in DecisionInput) (Application, error) {
	panic("H2")
}

// GetApplication reads one: the applicant, deciders and custodians.
func (s *Service) GetApplication(ctx context.Context, p *auth.Principal, id store.ID) (Application, error) {
	panic("H2")
}

// Applications lists a centre's applications, pending first.
func (s *Service) Applications(ctx context.Context, p *auth.Principal, unit store.ID, state string) ([]Application, error) {
	panic("H2")
}
