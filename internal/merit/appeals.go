package merit

import (
	"context"
	"time"

	"kefu/internal/auth"
	"kefu/internal/store"
)

// Appeal states (MER-006).
const (
	AppealMediation     = "mediation"     // filed, with the supervisor
	AppealMediated      = "mediated"      // the supervisor's outcome applies; the appellant accepts or escalates
	AppealInvestigation = "investigation" // with the next level and HR
	AppealResolved      = "resolved"
)

// Appeal outcomes.
const (
	OutcomeUpheld    = "upheld"
	OutcomeChanged   = "changed"
	OutcomeWithdrawn = "withdrawn"
)

// Appeal is an appeal against an entry.
type Appeal struct {
	ID          store.ID     `json:"id"`
	EntryID     store.ID     `json:"entry_id"`
	UserID      store.ID     `json:"user_id"`
	User        string       `json:"user"`
	State       string       `json:"state"`
	Evidence    string       `json:"evidence"`
	Outcome     string       `json:"outcome,omitempty"`
	ResultEntry store.ID     `json:"result_entry_id,omitempty"`
	FiledAt     time.Time    `json:"filed_at"`
	ResolvedAt  *time.Time   `json:"resolved_at,omitempty"`
	Steps       []AppealStep `json:"steps"`
}

// AppealStep is one step of an appeal.
type AppealStep struct {
	ID        store.ID  `json:"id"`
	Step      string    `json:"step"`
	Outcome   string    `json:"outcome,omitempty"`
	ActorID   store.ID  `json:"actor_id"`
	ActorName string    `json:"actor_name"`
	Note      string    `json:"note,omitempty"`
	At        time.Time `json:"at"`
}

// AppealInput files an appeal.
type AppealInput struct {
	Evidence string `json:"evidence"`
}

// OutcomeInput is a mediator's or investigator's outcome; a change gives
// the new kind, amount or points.
type OutcomeInput struct {
	Outcome string `json:"outcome"`
	Note    string `json:"note"`
	Kind    string `json:"kind,omitempty"`
	Amount  string `json:"amount,omitempty"`
	Points  int    `json:"points,omitempty"`
}

// AppealFilter selects appeals.
type AppealFilter struct {
	State  string
	UserID store.ID
}

// FileAppeal files the person's appeal against their entry.
func (s *Service) FileAppeal(ctx context.Context, p *auth.Principal, entry store.ID, in AppealInput) (*Appeal, error) {
	return nil, errNotYet
}

// Appeals lists appeals.
func (s *Service) Appeals(ctx context.Context, p *auth.Principal, f AppealFilter) ([]Appeal, error) {
	return nil, errNotYet
}

// GetAppeal returns an appeal with its steps.
func (s *Service) GetAppeal(ctx context.Context, p *auth.Principal, id store.ID) (*Appeal, error) {
	return nil, errNotYet
}

// Mediate records the supervisor's outcome.
func (s *Service) Mediate(ctx context.Context, p *auth.Principal, id store.ID, in OutcomeInput) (*Appeal, error) {
	return nil, errNotYet
}

// AcceptMediation closes the appeal with the mediation's outcome.
func (s *Service) AcceptMediation(ctx context.Context, p *auth.Principal, id store.ID, note string) (*Appeal, error) {
	return nil, errNotYet
}

// Escalate takes the appeal to the next level and HR.
func (s *Service) Escalate(ctx context.Context, p *auth.Principal, id store.ID, note string) (*Appeal, error) {
	return nil, errNotYet
}

// Resolve records the final outcome of an investigated appeal.
func (s *Service) Resolve(ctx context.Context, p *auth.Principal, id store.ID, in OutcomeInput) (*Appeal, error) {
	return nil, errNotYet
}
