package visit

import (
	"context"
	"slices"
	"time"

	"kefu/internal/calendar"
	"kefu/internal/jobs"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/process"
	"kefu/internal/store"
	"kefu/internal/ticket"
)

// OnTicketClosed notes a closed work order as a candidate of every visit
// rule of its pack version that selects its category (VIS-002, VIS-005,
// VIS-014), marks the exemptions (VIS-013) and mandatory severities
// (VIS-003), and schedules the draw of its day for the next midnight. It
// runs inside the closing transaction (ticket.Service.OnClose).
func (s *Service) OnTicketClosed(ctx context.Context, tx store.Conn, t ticket.Ticket) error {
	pack, ok := s.packs.Version(t.Pack, t.PackVersion)
	if !ok || len(pack.Visits.Rules) == 0 {
		return nil
	}
	cat, ok := pack.Category(t.Category)
	if !ok {
		return nil
	}
	closed := s.now()
	if t.ClosedAt != nil {
		closed = *t.ClosedAt
	}
	unit := t.HandlingUnitID
	if unit == 0 {
		unit = t.ReceivingUnitID
	}
	for i := range pack.Visits.Rules {
		r := &pack.Visits.Rules[i]
		if r.Trigger != policy.TriggerTicketClosed ||
			!slices.Contains(r.Groups, cat.Group) && !slices.Contains(r.Categories, cat.Key) {
			continue
		}
		exempt := ""
		switch {
		case slices.Contains(r.Exempt, policy.ExemptAnonymous) && t.Customer.Name == "" && t.Customer.Phone == "":
			exempt = policy.ExemptAnonymous
		case slices.Contains(r.Exempt, policy.ExemptReplyLetter) && t.WrittenReply &&
			slices.Contains(pack.Visits.ReplyLetterChannels, t.Channel):
			exempt = policy.ExemptReplyLetter // a superior asked for a reply letter, on file (TKT-018)
		}
		if err := s.addCandidate(ctx, tx, pack, r, candidate{unit: unit, refType: "ticket", refID: t.ID,
			number: t.Number, customer: t.Customer.ID, name: t.Customer.Name, phone: t.Customer.Phone,
			address: t.Customer.Address, severity: t.Severity, exempt: exempt, completed: closed}); err != nil {
			return err
		}
	}
	return nil
}

// OnProcessCompleted notes a completed business process as a candidate of
// the visit rules of its pack version that name its definition (trigger
// process_completed). It runs inside the completing transaction
// (process.Service.OnComplete).
func (s *Service) OnProcessCompleted(ctx context.Context, tx store.Conn, c process.Completed) error {
	pack, ok := s.packs.Version(c.Pack, c.PackVersion)
	if !ok {
		return nil
	}
	for i := range pack.Visits.Rules {
		r := &pack.Visits.Rules[i]
		if r.Trigger != policy.TriggerProcessCompleted || !slices.Contains(r.Processes, c.Definition) {
			continue
		}
		if err := s.addCandidate(ctx, tx, pack, r, candidate{unit: c.UnitID, refType: "process", refID: c.ID,
			number: c.Number, customer: c.CustomerID, name: c.CustomerName, completed: c.CompletedAt}); err != nil {
			return err
		}
	}
	return nil
}

// candidate is a completed item before it is stored.
type candidate struct {
	unit, refID, customer store.ID
	refType, number       string
	name, phone, address  string // the customer as the work order names them
	severity, exempt      string
	completed             time.Time
}

// addCandidate stores a candidate once and schedules its day's draw.
func (s *Service) addCandidate(ctx context.Context, tx store.Conn, pack *policy.Pack, r *policy.VisitRule, c candidate) error {
	co, err := org.CompanyOf(ctx, tx, c.unit)
	if err != nil {
		return err
	}
	day := calendar.DateOf(c.completed.In(store.Zone))
	var cust any
	if c.customer != 0 {
		cust = c.customer
	}
	if _, err := tx.Exec(ctx, `INSERT INTO visit_candidates (pack, pack_version, rule, company_id, unit_id, ref_type, ref_id,
		ref_number, customer_id, customer_name, customer_phone, customer_address, severity, mandatory, exempt,
		completed_at, day, month)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (rule, ref_type, ref_id) DO NOTHING`,
		pack.Key, pack.Version, r.Key, co.ID, c.unit, c.refType, c.refID, c.number, cust, c.name, c.phone, c.address, c.severity,
		r.IsMandatory(c.severity), c.exempt, store.Micros(c.completed), day.String(), day.String()[:7]); err != nil {
		return err
	}
	// The day's batch is drawn once it is over.
	return jobs.Schedule(ctx, tx, TimerDraw, dayRef(day), day.AddDays(1).Midnight(store.Zone))
}
