package merit

import (
	"context"

	"kefu/internal/auth"
	"kefu/internal/store"
)

// Record enters an entry (POST /api/v1/merits): confirmed at once when the
// caller may decide, a proposal otherwise.
func (s *Service) Record(ctx context.Context, p *auth.Principal, in EntryInput) (*Entry, error) {
	return nil, errNotYet
}

// Confirm confirms a proposal.
func (s *Service) Confirm(ctx context.Context, p *auth.Principal, id store.ID, in DecisionInput) (*Entry, error) {
	return nil, errNotYet
}

// Reject rejects a proposal.
func (s *Service) Reject(ctx context.Context, p *auth.Principal, id store.ID, in DecisionInput) (*Entry, error) {
	return nil, errNotYet
}

// SetOffset rules whether a merit revokes a penalty (MER-004).
func (s *Service) SetOffset(ctx context.Context, p *auth.Principal, id store.ID, in OffsetInput) (*Entry, error) {
	return nil, errNotYet
}

// Get returns an entry with its decisions and appeals.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id store.ID) (*EntryDetail, error) {
	return nil, errNotYet
}

// List lists entries, newest first.
func (s *Service) List(ctx context.Context, p *auth.Principal, f Filter) (*Page, error) {
	return nil, errNotYet
}

// Summary derives a person's summary at a date (default today).
func (s *Service) Summary(ctx context.Context, p *auth.Principal, user store.ID, at string) (*PersonSummary, error) {
	return nil, errNotYet
}

// Monthly is a unit's monthly table.
func (s *Service) Monthly(ctx context.Context, p *auth.Principal, unit store.ID, month string) (*MonthTable, error) {
	return nil, errNotYet
}

// Flags lists stored flags of a state ("" all).
func (s *Service) Flags(ctx context.Context, p *auth.Principal, state string, user store.ID) ([]FlagRecord, error) {
	return nil, errNotYet
}

// CloseFlag records what HR or the payer did about a flag.
func (s *Service) CloseFlag(ctx context.Context, p *auth.Principal, id store.ID, state, note string) (*FlagRecord, error) {
	return nil, errNotYet
}

// Publish records that a unit's confirmed results of a month were posted.
func (s *Service) Publish(ctx context.Context, p *auth.Principal, in PublishInput) (*Publication, error) {
	return nil, errNotYet
}
