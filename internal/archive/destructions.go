package archive

import (
	"context"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// DestructionInput proposes a destruction list (ARC-015).
type DestructionInput struct {
	CompanyID store.ID   `json:"company_id"`
	VolumeIDs []store.ID `json:"volume_ids"`
	Note      string     `json:"note"`
}

// ExecuteInput records how a list was destroyed.
type ExecuteInput struct {
	Method     string        `json:"method"`
	Witness    string        `json:"witness"`
	ExecutedOn calendar.Date `json:"executed_on"` // zero: today
}

// DestructionPage is one page of destruction lists.
type DestructionPage struct {
	Items []Destruction `json:"items"`
	Next  string        `json:"next_cursor,omitempty"`
}

// EligibleVolumes lists archived volumes whose retention has ended
// (ARC-014), held ones marked, oldest first (archives:read).
func (s *Service) EligibleVolumes(ctx context.Context, p *auth.Principal, company store.ID, limit int, cursor string) ([]Volume, string, error) {
	panic("H2")
}

// CreateDestruction proposes a list of eligible volumes (archives:write);
// refuses volumes not eligible, held, destroyed or on another open list.
func (s *Service) CreateDestruction(ctx context.Context, p *auth.Principal, in DestructionInput) (Destruction, error) {
	panic("H2")
}

// GetDestruction returns a list or record (archives:read).
func (s *Service) GetDestruction(ctx context.Context, p *auth.Principal, id store.ID) (Destruction, error) {
	panic("H2")
}

// ListDestructions lists a company's lists and records, newest first.
func (s *Service) ListDestructions(ctx context.Context, p *auth.Principal, company store.ID, state string, limit int, cursor string) (DestructionPage, error) {
	panic("H2")
}

// DecideDestruction records a step of the destruction chain. Audited.
func (s *Service) DecideDestruction(ctx context.Context, p *auth.Principal, id store.ID, approve bool, note string) (Destruction, error) {
	panic("H2")
}

// ExecuteDestruction destroys an approved list (archives:write) into the
// permanent destruction record; a volume placed on hold since is refused.
func (s *Service) ExecuteDestruction(ctx context.Context, p *auth.Principal, id store.ID, in ExecuteInput) (Destruction, error) {
	panic("H2")
}

// Retention is the retention dashboard of a company (ARC-014).
func (s *Service) Retention(ctx context.Context, p *auth.Principal, company store.ID) (RetentionSummary, error) {
	panic("H2")
}
