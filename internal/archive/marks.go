package archive

import (
	"context"

	"kefu/internal/auth"
	"kefu/internal/store"
)

// LinkInput cross-references two files (ARC-002).
type LinkInput struct {
	OtherFileID store.ID `json:"other_file_id"`
	Relation    string   `json:"relation"`
	Note        string   `json:"note"`
}

// AddLink cross-references a file with another of the same company
// (archives:write); seen from both. Audited.
func (s *Service) AddLink(ctx context.Context, p *auth.Principal, file store.ID, in LinkInput) (Link, error) {
	panic("H1")
}

// SetHold places (place true) or releases a legal hold on a file
// (archives:approve) with a reason; a held file is never destroyed. Audited.
func (s *Service) SetHold(ctx context.Context, p *auth.Principal, file store.ID, place bool, reason string) (File, error) {
	panic("H1")
}

// RequestLevelChange asks to change a file's level (archives:write); the
// pack's level approvers decide in order (ARC-005).
func (s *Service) RequestLevelChange(ctx context.Context, p *auth.Principal, file store.ID, to, reason string) (LevelChange, error) {
	panic("H1")
}

// DecideLevelChange records one approving department's decision
// (archives:approve, working in that department); the last approval
// applies the level. Audited.
func (s *Service) DecideLevelChange(ctx context.Context, p *auth.Principal, id store.ID, approve bool, note string) (LevelChange, error) {
	panic("H1")
}
