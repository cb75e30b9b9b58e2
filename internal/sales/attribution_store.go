package sales

import (
	"context"

	"kefu/internal/auth"
	"kefu/internal/store"
)

// decide computes the attribution of a register entry — of its deal when
// deal is not 0, of a conflict when conflict is not 0 — from the database
// (the entry, the earlier entries of the same customer by the identity
// keys, its family, the conflict, the deal) with Attribute, and appends it
// unless the current decision already says the same; a ruling is never
// replaced by a computation. A grabbing outcome proposes the fine
// (SAL-015) through the merit ledger. Called inside the caller's tx.
func (s *Service) decide(ctx context.Context, tx store.Conn, ce *centre, entry, deal, conflict store.ID) (*Attribution, error) {
	panic("H2")
}

// Rule overrules the current attribution of a deal or conflict (SAL-022):
// a decider only, with a reason; appended, superseding the current one.
func (s *Service) Rule(ctx context.Context, p *auth.Principal, attribution store.ID, in RulingInput) (Attribution, error) {
	panic("H2")
}

// Attributions is the history of decisions on a deal or a conflict,
// oldest first.
func (s *Service) Attributions(ctx context.Context, p *auth.Principal, deal, conflict store.ID) ([]Attribution, error) {
	panic("H2")
}
