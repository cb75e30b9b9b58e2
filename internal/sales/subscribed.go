package sales

import (
	"context"

	"kefu/internal/calendar"
	"kefu/internal/store"
)

// Subscription is a subscription agreement signed (认购书签订), told to
// the modules that start a clock from it: the sales team hands the
// materials to Customer Affairs within 5 working days (ARC-006).
type Subscription struct {
	CompanyID    store.ID
	CentreID     store.ID // the sales centre's unit
	DealID       store.ID
	Number       string // CJ-2026-0001
	PropertyUnit string
	Subscriber   string
	SignedOn     calendar.Date
}

// SubscriptionHook runs inside the transaction that records the signing;
// an error rolls it back, so a hook returns one only when the database
// fails.
type SubscriptionHook func(ctx context.Context, tx store.Conn, s Subscription) error

// OnSubscribed registers a hook run when a deal's signing day is first
// recorded. Register hooks before serving requests.
func (s *Service) OnSubscribed(h SubscriptionHook) { s.subscribed = append(s.subscribed, h) }

// tellSubscribed runs the hooks.
func (s *Service) tellSubscribed(ctx context.Context, tx store.Conn, sub Subscription) error {
	for _, h := range s.subscribed {
		if err := h(ctx, tx, sub); err != nil {
			return err
		}
	}
	return nil
}
