package hazard

import (
	"context"
	"errors"

	"kefu/internal/auth"
	"kefu/internal/store"
)

// Finding is a hazard as another module reports it — an inspection record's
// hazards found (INS-012, INS-013), a sampling check's hazard item
// (SMP-016) — registered in that module's transaction.
type Finding struct {
	Source         string   // inspection, sampling, staff, customer, public
	SourceID       store.ID // the inspection record or ledger entry; 0 for none
	CompanyID      store.ID
	CustomerID     store.ID // 0: not at a customer's premises
	ServicePointID store.ID
	Location       string
	Description    string
	Severity       string // minor, general, larger, serious (INS-018)
	Responsibility string // customer, company
	FixedOnSite    bool   // fixed during the visit: registered and closed at once
}

// RegisterIn registers a finding in the caller's transaction and returns
// the hazard's id.
func (s *Service) RegisterIn(ctx context.Context, tx store.Conn, p *auth.Principal, f Finding) (store.ID, error) {
	return 0, errors.New("hazard: not implemented")
}
