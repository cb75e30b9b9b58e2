package sales

import (
	"context"

	"kefu/internal/auth"
	"kefu/internal/store"
)

// RecordDeal records a subscription (SAL-019): once both the deposit day
// and the signing day are known it is a deal, dated the later of them, and
// its attribution is computed. A deal without a register entry is held
// for the Sales Manager (SAL-022, SEC-004).
func (s *Service) RecordDeal(ctx context.Context, p *auth.Principal, in DealInput) (Deal, error) {
	panic("H2")
}

// UpdateDealFacts adds the deposit or the signature, or the Project
// Manager's commission of a company-referred deal (SAL-023), and
// recomputes the attribution.
func (s *Service) UpdateDealFacts(ctx context.Context, p *auth.Principal, id store.ID, in DealFactsInput) (Deal, error) {
	panic("H2")
}

// VoidDeal withdraws a deal with a reason (sales:manage).
func (s *Service) VoidDeal(ctx context.Context, p *auth.Principal, id store.ID, reason string) (Deal, error) {
	panic("H2")
}

// GetDeal reads a deal with its current attribution.
func (s *Service) GetDeal(ctx context.Context, p *auth.Principal, id store.ID) (Deal, error) {
	panic("H2")
}

// Deals lists a centre's deals of a month (YYYY-MM, by deal day; pending
// ones by their creation), newest first.
func (s *Service) Deals(ctx context.Context, p *auth.Principal, unit store.ID, month string) ([]Deal, error) {
	panic("H2")
}
