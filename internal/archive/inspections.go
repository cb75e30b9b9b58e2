package archive

import (
	"context"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// InspectionInput records an archive inspection (ARC-019).
type InspectionInput struct {
	CompanyID   store.ID       `json:"company_id"`
	UnitID      store.ID       `json:"unit_id"`
	InspectedOn calendar.Date  `json:"inspected_on"`
	Summary     string         `json:"summary"`
	Findings    []FindingInput `json:"findings"`
}

// FindingInput is one finding of an inspection.
type FindingInput struct {
	FileID  store.ID      `json:"file_id"`
	Finding string        `json:"finding"`
	DueOn   calendar.Date `json:"due_on"`
}

// CreateInspection records an inspection with its findings (archives:write).
func (s *Service) CreateInspection(ctx context.Context, p *auth.Principal, in InspectionInput) (Inspection, error) {
	panic("H3")
}

// ListInspections lists a company's inspections, newest first, with the
// next due date per department (the pack's interval after the last).
func (s *Service) ListInspections(ctx context.Context, p *auth.Principal, company store.ID) ([]Inspection, error) {
	panic("H3")
}

// CloseFinding closes a finding with what was done (archives:write).
func (s *Service) CloseFinding(ctx context.Context, p *auth.Principal, id store.ID, note string) (Finding, error) {
	panic("H3")
}
