package sales

import (
	"context"

	"kefu/internal/auth"
	"kefu/internal/store"
)

// Commission is a centre's commission report for a month (SEC-004: each
// deal with its register entry and attribution): per agent the closing,
// owner and whole shares, group bonuses and cancelled shares; the deals
// held for a ruling apart.
func (s *Service) Commission(ctx context.Context, p *auth.Principal, unit store.ID, month string) (CommissionReport, error) {
	panic("H2")
}

// ShareGroupBonus shares a group-purchase bonus (SAL-020): sales:manage.
func (s *Service) ShareGroupBonus(ctx context.Context, p *auth.Principal, in GroupBonusInput) (GroupBonusRecord, error) {
	panic("H2")
}

// GroupBonuses lists a centre's bonuses of a month.
func (s *Service) GroupBonuses(ctx context.Context, p *auth.Principal, unit store.ID, month string) ([]GroupBonusRecord, error) {
	panic("H2")
}
