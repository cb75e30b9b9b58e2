package merit

import (
	"context"
	"time"

	"kefu/internal/auth"
	"kefu/internal/money"
	"kefu/internal/store"
)

// Bounty kinds and states.
const (
	BountyHazard = "hazard" // MER-007
	BountyTheft  = "theft"  // MER-008

	BountyProposed = "proposed"
	BountyApproved = "approved"
	BountyPaid     = "paid"
	BountyRejected = "rejected"
)

// Bounty is one entry of the bounty register.
type Bounty struct {
	ID           store.ID   `json:"id"`
	CompanyID    store.ID   `json:"company_id"`
	Number       string     `json:"number"` // R-2026-07
	Kind         string     `json:"kind"`
	HazardID     store.ID   `json:"hazard_id,omitempty"`
	Severity     string     `json:"severity,omitempty"`
	OwnHome      bool       `json:"own_home"`
	Verified     bool       `json:"verified"`
	Verification string     `json:"verification,omitempty"`
	Basis        string     `json:"basis,omitempty"` // theft: penalty or recovered
	BasisAmount  money.Yuan `json:"basis_amount"`
	Percent      string     `json:"percent,omitempty"`
	Amount       money.Yuan `json:"amount"`
	// Reporter is the reporter's identity for the pack's viewers, else
	// "protected reporter R-2026-07" (SEC-007); Protected says which.
	Reporter      string     `json:"reporter"`
	ReporterPhone string     `json:"reporter_phone,omitempty"`
	Protected     bool       `json:"protected"`
	State         string     `json:"state"`
	Note          string     `json:"note,omitempty"`
	RegisteredBy  store.ID   `json:"registered_by"`
	DecidedBy     store.ID   `json:"decided_by,omitempty"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`
	DecisionNote  string     `json:"decision_note,omitempty"`
	PaidOn        string     `json:"paid_on,omitempty"`
	Voucher       string     `json:"voucher,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
}

// BountyInput registers a report for a bounty.
type BountyInput struct {
	Kind          string   `json:"kind"`
	HazardID      store.ID `json:"hazard_id,omitempty"`
	OwnHome       bool     `json:"own_home"`
	Verified      bool     `json:"verified"`
	Verification  string   `json:"verification"`
	Basis         string   `json:"basis,omitempty"`
	BasisAmount   string   `json:"basis_amount,omitempty"`
	ReporterName  string   `json:"reporter_name"`
	ReporterPhone string   `json:"reporter_phone"`
	Note          string   `json:"note,omitempty"`
	UnitID        store.ID `json:"unit_id,omitempty"` // the company the report is for (theft); default the caller's
}

// BountyDecision approves, rejects or pays a bounty.
type BountyDecision struct {
	Note    string `json:"note"`
	PaidOn  string `json:"paid_on,omitempty"`
	Voucher string `json:"voucher,omitempty"`
}

// RegisterBounty registers a report.
func (s *Service) RegisterBounty(ctx context.Context, p *auth.Principal, in BountyInput) (*Bounty, error) {
	return nil, errNotYet
}

// Bounties lists the register.
func (s *Service) Bounties(ctx context.Context, p *auth.Principal, state string) ([]Bounty, error) {
	return nil, errNotYet
}

// GetBounty returns a bounty.
func (s *Service) GetBounty(ctx context.Context, p *auth.Principal, id store.ID) (*Bounty, error) {
	return nil, errNotYet
}

// DecideBounty approves, rejects or pays a bounty: action approve, reject, pay.
func (s *Service) DecideBounty(ctx context.Context, p *auth.Principal, id store.ID, action string, in BountyDecision) (*Bounty, error) {
	return nil, errNotYet
}
