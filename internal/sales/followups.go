package sales

import (
	"context"

	"kefu/internal/auth"
	"kefu/internal/store"
)

// FollowUp logs a follow-up of a customer by her agent (SAL-024).
func (s *Service) FollowUp(ctx context.Context, p *auth.Principal, in FollowUpInput) (FollowUp, error) {
	panic("H2")
}

// FollowUps lists an entry's follow-ups, newest first.
func (s *Service) FollowUps(ctx context.Context, p *auth.Principal, registration store.ID) ([]FollowUp, error) {
	panic("H2")
}

// FollowUpsDue lists the customers with no follow-up for more than the
// pack's days (SAL-024, a CAL-015 difference): an agent's own, or the
// centre's for the Project Manager; agent 0 = all p may see.
func (s *Service) FollowUpsDue(ctx context.Context, p *auth.Principal, unit, agent store.ID) ([]FollowUpDue, error) {
	panic("H2")
}
