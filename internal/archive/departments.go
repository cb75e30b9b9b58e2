package archive

import (
	"context"

	"kefu/internal/auth"
	"kefu/internal/store"
)

// DepartmentInput binds an archive department of the pack to an org unit
// of the company, with its dedicated custodian (ARC-004).
type DepartmentInput struct {
	CompanyID   store.ID `json:"company_id"`
	UnitID      store.ID `json:"unit_id"`
	CustodianID store.ID `json:"custodian_id"`
}

// Departments lists the pack's archive departments of a company (0: the
// caller's) with the units bound to them (archives:read).
func (s *Service) Departments(ctx context.Context, p *auth.Principal, company store.ID) ([]Department, error) {
	panic("H1")
}

// BindDepartment binds key to a unit of the company (inside it) and names
// its custodian, a user of that unit (archives:write); audited.
func (s *Service) BindDepartment(ctx context.Context, p *auth.Principal, key string, in DepartmentInput) (Department, error) {
	panic("H1")
}
