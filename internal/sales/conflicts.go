package sales

import (
	"context"

	"kefu/internal/auth"
	"kefu/internal/store"
)

// Claim raises a conflict on an entry: an agent who finds that a customer
// registered by a colleague is hers (SAL-014 referral claims, SAL-018
// discoveries after a deal). It computes the attribution.
func (s *Service) Claim(ctx context.Context, p *auth.Principal, in ClaimInput) (Conflict, error) {
	panic("H1")
}

// RecordContact records what the receiving agent did on learning that the
// customer was a colleague's (SAL-015): consent, unreachable, handed back;
// "grabbed" only by a decider. Recomputes the attributions concerned.
func (s *Service) RecordContact(ctx context.Context, p *auth.Principal, id store.ID, in ContactInput) (Conflict, error) {
	panic("H1")
}

// GetConflict reads a conflict with both entries and its attribution (the
// conflict screen).
func (s *Service) GetConflict(ctx context.Context, p *auth.Principal, id store.ID) (Conflict, error) {
	panic("H1")
}

// Conflicts lists a centre's conflicts in p's sight, open first.
func (s *Service) Conflicts(ctx context.Context, p *auth.Principal, unit store.ID, state string) ([]Conflict, error) {
	panic("H1")
}
