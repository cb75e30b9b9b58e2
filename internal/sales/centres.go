package sales

import (
	"context"

	"kefu/internal/auth"
	"kefu/internal/store"
)

// SetupCentre makes an org unit a sales centre, or changes its mode or
// make-up policy (SAL-002: per centre); needs sales:manage. Logged on the
// rotation log with the reason.
func (s *Service) SetupCentre(ctx context.Context, p *auth.Principal, in CentreInput) (Centre, error) {
	panic("H1")
}

// Centres lists the sales centres in p's scope.
func (s *Service) Centres(ctx context.Context, p *auth.Principal) ([]Centre, error) {
	panic("H1")
}

// GetCentre reads one.
func (s *Service) GetCentre(ctx context.Context, p *auth.Principal, unit store.ID) (Centre, error) {
	panic("H1")
}
