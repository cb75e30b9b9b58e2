package sales

import (
	"context"
	"database/sql"
	"slices"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/money"
	"kefu/internal/store"
)

// dealColumns read a deal with the number of its entry and the name of its
// closing agent.
const dealColumns = `d.id, d.number, d.unit_id, d.registration_id, COALESCE(r.number, ''), d.closing_agent_id,
	COALESCE(u.display_name, ''), d.property_unit, d.subscriber_name, d.subscriber_phone, d.price_cents,
	d.commission_cents, d.manual_cents, d.company_referred, d.group_purchase, d.deposit_on, d.subscribed_on, d.deal_on,
	d.state, d.void_reason, d.created_at`

const dealFrom = ` FROM sales_deals d LEFT JOIN sales_registrations r ON r.id = d.registration_id
	LEFT JOIN users u ON u.id = d.closing_agent_id`

func scanDeal(sc store.Scanner) (Deal, error) {
	var d Deal
	var reg store.NullID
	var manual sql.NullInt64
	var deposit, signed, on string
	var created int64
	err := sc.Scan(&d.ID, &d.Number, &d.UnitID, &reg, &d.Registration, &d.ClosingAgentID, &d.ClosingAgent, &d.PropertyUnit,
		&d.SubscriberName, &d.SubscriberPhone, &d.Price, &d.Commission, &manual, &d.CompanyReferred, &d.GroupPurchase,
		&deposit, &signed, &on, &d.State, &d.VoidReason, &created)
	if err != nil {
		return d, err
	}
	d.RegistrationID = reg.ID
	if manual.Valid {
		m := money.Yuan(manual.Int64)
		d.Manual = &m
	}
	d.DepositOn, d.SubscribedOn, d.DealOn = optionalDay(deposit), optionalDay(signed), optionalDay(on)
	d.CreatedAt = store.FromMicros(created)
	return d, nil
}

func optionalDay(s string) *calendar.Date {
	if s == "" {
		return nil
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		return nil
	}
	return &d
}

// readDeal reads a deal with its current attribution, without checking
// who asks.
func (s *Service) readDeal(ctx context.Context, c store.Conn, id store.ID) (Deal, error) {
	d, err := scanDeal(c.QueryRow(ctx, `SELECT `+dealColumns+dealFrom+` WHERE d.id = ?`, id))
	if err != nil {
		return d, errNoDeal(err)
	}
	return d, attachAttribution(ctx, c, &d)
}

// attachAttribution adds the deal's current attribution; a closed deal without a
// register entry is shown held (SAL-022, SEC-004: the register is the
// evidence of commission).
func attachAttribution(ctx context.Context, c store.Conn, d *Deal) error {
	if d.RegistrationID == 0 {
		if d.State == DealClosed {
			t := i18n.T("成交没有客户登记：佣金待销售经理裁定（客户登记表是计发佣金的依据）",
				"the deal has no register entry: its commission waits for the Sales Manager (the register is the evidence of commission)")
			d.Attribution = &Attribution{DealID: d.ID, Kind: AttributionComputed, Outcome: Outcome{Held: true, Shares: []Share{},
				Steps: []Step{{Rule: "SAL-022", ZH: t.In(i18n.ZH), EN: t.In(i18n.EN)}}, Rules: []string{"SAL-022"}}}
		}
		return nil
	}
	a, err := currentAttribution(ctx, c, d.RegistrationID, d.ID, 0)
	if err != nil {
		return err
	}
	d.Attribution = a
	return nil
}

// dealHeld reports whether a deal waits for a ruling.
func dealHeld(d Deal) bool { return d.Attribution != nil && d.Attribution.Held }

// dealSight is what decides whether p sees a centre's deals.
type dealSight struct {
	all  bool // a reader of the register or a decider
	user store.ID
}

// sightOf reads p's sight at the centre.
// monthSight checks sales:read and reads what a month's listing of a
// centre needs: the month's first day, the centre and what p sees of it.
func (s *Service) monthSight(ctx context.Context, r store.Conn, p *auth.Principal, unit store.ID, month string) (calendar.Date, *centre, dealSight, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return calendar.Date{}, nil, dealSight{}, err
	}
	first, err := monthStart("month", month)
	if err != nil {
		return calendar.Date{}, nil, dealSight{}, err
	}
	ce, err := s.loadCentre(ctx, r, p, unit)
	if err != nil {
		return calendar.Date{}, nil, dealSight{}, err
	}
	v, err := sightOf(ctx, r, p, ce)
	return first, ce, v, err
}

func sightOf(ctx context.Context, c store.Conn, p *auth.Principal, ce *centre) (dealSight, error) {
	if p == nil || isDecider(p, ce) {
		return dealSight{all: true}, nil
	}
	pos, err := positionOf(ctx, c, p)
	if err != nil {
		return dealSight{}, err
	}
	return dealSight{all: readsRegister(p, pos, ce), user: p.UserID}, nil
}

// sees reports whether the sight covers the deal: its closing agent, the
// owner of its customer, an agent with a share.
func (v dealSight) sees(d Deal) bool {
	if v.all || d.ClosingAgentID == v.user {
		return true
	}
	if a := d.Attribution; a != nil {
		return a.Owner == v.user || slices.ContainsFunc(a.Shares, func(s Share) bool { return s.AgentID == v.user })
	}
	return false
}

// GetDeal reads a deal with its current attribution.
func (s *Service) GetDeal(ctx context.Context, p *auth.Principal, id store.ID) (Deal, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return Deal{}, err
	}
	r := s.db.Reader()
	d, err := s.readDeal(ctx, r, id)
	if err != nil {
		return d, err
	}
	ce, err := s.loadCentre(ctx, r, p, d.UnitID)
	if err != nil {
		return Deal{}, apperr.NotFound("id")
	}
	v, err := sightOf(ctx, r, p, ce)
	if err != nil {
		return Deal{}, err
	}
	if !v.sees(d) {
		var agent store.ID
		if d.RegistrationID != 0 {
			if err := r.QueryRow(ctx, `SELECT agent_id FROM sales_registrations WHERE id = ?`, d.RegistrationID).Scan(&agent); err != nil {
				return Deal{}, err
			}
		}
		if agent == 0 || agent != v.user {
			return Deal{}, apperr.NotFound("id")
		}
	}
	return d, nil
}

// Deals lists a centre's deals of a month (YYYY-MM, by deal day; pending
// ones by their creation), newest first.
func (s *Service) Deals(ctx context.Context, p *auth.Principal, unit store.ID, month string) ([]Deal, error) {
	r := s.db.Reader()
	first, _, v, err := s.monthSight(ctx, r, p, unit, month)
	if err != nil {
		return nil, err
	}
	from, to := first.Midnight(store.Zone), first.AddMonths(1).Midnight(store.Zone)
	deals, err := store.QueryAll(ctx, r, scanDeal, `SELECT `+dealColumns+dealFrom+` WHERE d.unit_id = ?
		AND (d.deal_on LIKE ? OR (d.deal_on = '' AND d.created_at >= ? AND d.created_at < ?))
		ORDER BY CASE WHEN d.deal_on = '' THEN 1 ELSE 0 END, d.deal_on DESC, d.id DESC`,
		unit, monthText(first)+"-%", store.Micros(from), store.Micros(to))
	if err != nil {
		return nil, err
	}
	out := make([]Deal, 0, len(deals))
	for _, d := range deals {
		if err := attachAttribution(ctx, r, &d); err != nil {
			return nil, err
		}
		if v.sees(d) {
			out = append(out, d)
		}
	}
	return out, nil
}
