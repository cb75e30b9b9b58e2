package sales

import (
	"context"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// StartReception starts a reception (SAL-001, SAL-004): a rotation
// reception goes to NextAgent's pick and applies it (skips, credits,
// pointer, all logged); the other kinds name the agent and use no slot. An
// agent already receiving is refused (max_active_receptions).
func (s *Service) StartReception(ctx context.Context, p *auth.Principal, in ReceptionInput) (Reception, error) {
	panic("H1")
}

// EndReception closes a reception: the agent is free again.
func (s *Service) EndReception(ctx context.Context, p *auth.Principal, id store.ID) (Reception, error) {
	panic("H1")
}

// Reclassify changes a reception's kind after the fact (SAL-010, SAL-013):
// a rotation reception that becomes named or public restores the slot as
// a make-up turn of the rotation agent.
func (s *Service) Reclassify(ctx context.Context, p *auth.Principal, id store.ID, in ReclassifyInput) (Reception, error) {
	panic("H1")
}

// GetReception reads one.
func (s *Service) GetReception(ctx context.Context, p *auth.Principal, id store.ID) (Reception, error) {
	panic("H1")
}

// Receptions lists a centre's receptions of a day, newest first.
func (s *Service) Receptions(ctx context.Context, p *auth.Principal, unit store.ID, day calendar.Date) ([]Reception, error) {
	panic("H1")
}
