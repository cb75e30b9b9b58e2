package sales

import (
	"context"

	"kefu/internal/auth"
	"kefu/internal/store"
)

// Rotation is the live state of a centre's rotation table: members in
// order with today's absence and reception in progress, the make-up turns
// waiting, who is next (NextAgent, a preview that changes nothing) and the
// latest log lines. sales:read.
func (s *Service) Rotation(ctx context.Context, p *auth.Principal, unit store.ID) (Rotation, error) {
	panic("H1")
}

// SetMembers replaces the order of the rotation table (the Project
// Manager's adjustment, SAL-004): sales:manage and a reason; logged.
func (s *Service) SetMembers(ctx context.Context, p *auth.Principal, unit store.ID, in MembersInput) (Rotation, error) {
	panic("H1")
}

// SetAbsence marks a member absent for today with a reason of SAL-003, or
// back on the floor; an agent may mark herself, the Project Manager anyone.
func (s *Service) SetAbsence(ctx context.Context, p *auth.Principal, unit store.ID, in AbsenceInput) (Rotation, error) {
	panic("H1")
}

// SetPointer moves the pointer to a member (SAL-004): sales:manage and a
// reason; logged.
func (s *Service) SetPointer(ctx context.Context, p *auth.Principal, unit, user store.ID, reason string) (Rotation, error) {
	panic("H1")
}

// GrantCredit gives a member a make-up turn by hand (SAL-003 (2): a
// colleague's old customer once confirmed): sales:manage and a reason.
func (s *Service) GrantCredit(ctx context.Context, p *auth.Principal, unit, user store.ID, reason string) (Rotation, error) {
	panic("H1")
}

// ClearCredit withdraws a make-up turn: sales:manage and a reason.
func (s *Service) ClearCredit(ctx context.Context, p *auth.Principal, unit, credit store.ID, reason string) (Rotation, error) {
	panic("H1")
}
