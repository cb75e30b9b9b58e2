package archive

import (
	"context"
	"fmt"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/policy"
	"kefu/internal/sales"
	"kefu/internal/store"
)

// OnSubscriptionSigned opens, inside the transaction that records the
// signing, the handover batch of every event schedule of the company's
// pack fed by policy.SourceSubscription: the sales team hands the
// subscription's materials to Customer Affairs within 5 working days of
// the signing (ARC-006). A company that has not bound the two departments
// yet gets no batch (logged): the sales transaction never fails for it.
func (s *Service) OnSubscriptionSigned(ctx context.Context, tx store.Conn, sub sales.Subscription) error {
	r, err := s.rulesOf(ctx, sub.CompanyID)
	if err != nil {
		s.log.Warn("archive: no archive rules for the subscription", "deal", sub.Number, "err", err)
		return nil
	}
	for _, sch := range r.Archive.Handovers {
		if sch.Source != policy.SourceSubscription || sch.Trigger != policy.HandoverEvent {
			continue
		}
		if err := s.openSubscriptionBatch(ctx, tx, r, sch, sub); err != nil {
			return err
		}
	}
	return nil
}

// openSubscriptionBatch opens one schedule's batch for a subscription.
func (s *Service) openSubscriptionBatch(ctx context.Context, tx store.Conn, r *rules, sch policy.HandoverSchedule,
	sub sales.Subscription) error {
	due, err := EventHandoverDue(r.Calendar, sch, sub.SignedOn)
	if err != nil {
		s.log.Warn("archive: subscription handover due", "deal", sub.Number, "err", err)
		return nil
	}
	from, to, err := s.scheduleUnits(ctx, tx, r, sch)
	if apperr.Is(err, apperr.CodeValidation) {
		s.log.Info("archive: subscription handover skipped, departments not bound", "deal", sub.Number,
			"schedule", sch.Key, "company", sub.CompanyID)
		return nil
	}
	if err != nil {
		return err
	}
	if err := store.LockXact(ctx, tx, archiveLock^int64(r.CompanyID)); err != nil {
		return err
	}
	note := strings.TrimSpace(fmt.Sprintf("认购 %s %s %s", sub.Number, sub.PropertyUnit, sub.Subscriber))
	_, err = s.openHandover(ctx, tx, nil, r, sch, due, from, to, sub.SignedOn, note, true)
	return err
}
