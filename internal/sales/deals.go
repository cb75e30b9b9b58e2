package sales

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/money"
	"kefu/internal/store"
)

// RecordDeal records a subscription (SAL-019): once both the deposit day
// and the signing day are known it is a deal, dated the later of them, and
// its attribution is computed. A deal without a register entry is held
// for the Sales Manager (SAL-022, SEC-004).
func (s *Service) RecordDeal(ctx context.Context, p *auth.Principal, in DealInput) (Deal, error) {
	if err := need(p, auth.PermSalesReceive); err != nil {
		return Deal{}, err
	}
	var id store.ID
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		ce, err := s.loadCentre(ctx, tx, p, in.UnitID)
		if err != nil {
			return err
		}
		companyReferred := in.CompanyReferred
		if in.RegistrationID != 0 {
			e, err := dealEntry(ctx, tx, ce, in.RegistrationID)
			if err != nil {
				return err
			}
			companyReferred = companyReferred || e.Company
		}
		closing := in.ClosingAgentID
		if closing == 0 {
			if closing = principalID(p); closing == 0 {
				return apperr.Required("closing_agent_id")
			}
		}
		if closing != principalID(p) && p != nil && !p.Can(auth.PermSalesManage) {
			return apperr.Forbidden(i18n.T("只能登记自己成交的认购", "you may record only your own deals"))
		}
		if err := companyAgent(ctx, tx, ce, closing, "closing_agent_id"); err != nil {
			return err
		}
		property, err := cleanText("property_unit", in.PropertyUnit, 60, true)
		if err != nil {
			return err
		}
		subscriber, err := cleanText("subscriber_name", in.SubscriberName, 100, true)
		if err != nil {
			return err
		}
		phone, err := cleanText("subscriber_phone", in.SubscriberPhone, 40, false)
		if err != nil {
			return err
		}
		price, err := parseAmount("price", in.Price, false)
		if err != nil {
			return err
		}
		commission, err := parseAmount("commission", in.Commission, !companyReferred)
		if err != nil {
			return err
		}
		if companyReferred && commission != 0 {
			return apperr.Validation("commission", i18n.T("公司转介客户的佣金另议，由项目经理录入（SAL-023）",
				"a company-referred customer's commission is decided separately and entered by the Project Manager (SAL-023)"))
		}
		today := zoneDay(s.now())
		deposit, err := pastDate("deposit_on", in.DepositOn, today)
		if err != nil {
			return err
		}
		signed, err := pastDate("subscribed_on", in.SubscribedOn, today)
		if err != nil {
			return err
		}
		dealOn, state := dealDay(deposit, signed)
		now := s.now()
		number, err := nextNumber(ctx, tx, seqDeal, ce.CompanyID, now)
		if err != nil {
			return err
		}
		id, err = tx.InsertID(ctx, `INSERT INTO sales_deals (number, unit_id, company_id, registration_id, closing_agent_id,
			property_unit, subscriber_name, subscriber_phone, price_cents, commission_cents, manual_cents, company_referred,
			group_purchase, deposit_on, subscribed_on, deal_on, state, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			number, ce.UnitID, ce.CompanyID, store.OptionalID(in.RegistrationID), closing, property, subscriber, phone,
			price.Fen(), commission.Fen(), flag01(companyReferred), flag01(in.GroupPurchase), dayText(deposit), dayText(signed),
			dealOn, state, p.UserRef(), store.Micros(now), store.Micros(now))
		if err != nil {
			return err
		}
		if state == DealClosed && in.RegistrationID != 0 {
			if _, err := s.decide(ctx, tx, ce, in.RegistrationID, id, 0); err != nil {
				return err
			}
		}
		if signed != nil {
			if err := s.tellSubscribed(ctx, tx, Subscription{CompanyID: ce.CompanyID, CentreID: ce.UnitID, DealID: id,
				Number: number, PropertyUnit: property, Subscriber: subscriber, SignedOn: *signed}); err != nil {
				return err
			}
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "sales.deal.record", "sales_deal", id.String(),
			map[string]any{"number": number, "registration_id": in.RegistrationID, "closing_agent_id": closing,
				"property_unit": property, "commission": commission.String(), "company_referred": companyReferred,
				"deposit_on": dayText(deposit), "subscribed_on": dayText(signed), "state": state})
	})
	if err != nil {
		return Deal{}, err
	}
	return s.readDeal(ctx, s.db.Reader(), id)
}

// dealEntry checks the register entry of a deal: the centre's current
// entry of the visitor register (or the leasing form), not a phone call.
func dealEntry(ctx context.Context, tx store.Conn, ce *centre, id store.ID) (attrEntry, error) {
	e, err := loadAttrEntry(ctx, tx, id, "registration_id")
	if err != nil {
		return e, err
	}
	if e.UnitID != ce.UnitID {
		return e, apperr.NotFound("registration_id")
	}
	if e.Book == BookPhone {
		return e, apperr.Validation("registration_id", i18n.T("电话咨询登记不能作为成交依据，请用来访登记",
			"a phone inquiry is no evidence of a deal; give the visit's register entry"))
	}
	var newer int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM sales_registrations WHERE corrects_id = ?`, id).Scan(&newer); err != nil {
		return e, err
	}
	if newer > 0 {
		return e, apperr.Validation("registration_id", i18n.T("该登记已被更正，请用更正后的登记", "this entry has been corrected; give the correcting entry"))
	}
	return e, nil
}

// parseAmount reads a money amount (yuan, two decimals at most) that may not be
// negative; "" is 0 unless required.
func parseAmount(field, text string, required bool) (money.Yuan, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		if required {
			return 0, apperr.Required(field)
		}
		return 0, nil
	}
	y, err := money.Parse(text)
	if err != nil {
		return 0, apperr.Validation(field, i18n.T("金额格式不对，如 12000 或 12000.50", "not an amount such as 12000 or 12000.50"))
	}
	if y < 0 {
		return 0, apperr.Validation(field, i18n.T("不能为负数", "may not be negative"))
	}
	return y, nil
}

// dealDay is SAL-019: a deal once the deposit is paid and the subscription
// signed, dated the later of the two; pending before.
func dealDay(deposit, signed *calendar.Date) (string, string) {
	if deposit == nil || signed == nil {
		return "", DealPending
	}
	if signed.After(*deposit) {
		return signed.String(), DealClosed
	}
	return deposit.String(), DealClosed
}

func dayText(d *calendar.Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}

// UpdateDealFacts adds the deposit or the signature, or the Project
// Manager's commission of a company-referred deal (SAL-023), and
// recomputes the attribution.
func (s *Service) UpdateDealFacts(ctx context.Context, p *auth.Principal, id store.ID, in DealFactsInput) (Deal, error) {
	if err := need(p, auth.PermSalesReceive); err != nil {
		if need(p, auth.PermSalesManage) != nil {
			return Deal{}, err
		}
	}
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		d, err := s.readDeal(ctx, tx, id)
		if err != nil {
			return err
		}
		ce, err := s.loadCentre(ctx, tx, p, d.UnitID)
		if err != nil {
			return apperr.NotFound("id")
		}
		pos, err := positionOf(ctx, tx, p)
		if err != nil {
			return err
		}
		manager := p == nil || p.Can(auth.PermSalesManage)
		if d.State == DealVoid {
			return apperr.Conflict("state", i18n.T("认购已作废", "the deal is void"))
		}
		if d.ClosingAgentID != principalID(p) && !manager {
			return apperr.NotFound("id")
		}
		today := zoneDay(s.now())
		deposit, err := dealFactDay("deposit_on", in.DepositOn, d.DepositOn, today, manager)
		if err != nil {
			return err
		}
		signed, err := dealFactDay("subscribed_on", in.SubscribedOn, d.SubscribedOn, today, manager)
		if err != nil {
			return err
		}
		manual := d.Manual
		if strings.TrimSpace(in.Manual) != "" {
			if !d.CompanyReferred {
				return apperr.Validation("manual_commission", i18n.T("只有公司转介客户的佣金由项目经理录入（SAL-023）",
					"only a company-referred deal's commission is entered by the Project Manager (SAL-023)"))
			}
			if !isCustodian(p, pos, ce) && !manager {
				return apperr.Forbidden(i18n.T("公司转介客户的佣金由项目经理录入（SAL-023）",
					"the Project Manager enters a company-referred deal's commission (SAL-023)"))
			}
			m, err := parseAmount("manual_commission", in.Manual, true)
			if err != nil {
				return err
			}
			manual = &m
		}
		if strings.TrimSpace(in.DepositOn+in.SubscribedOn+in.Manual) == "" {
			return apperr.Required("deposit_on")
		}
		dealOn, state := dealDay(deposit, signed)
		var manualFen sql.NullInt64
		if manual != nil {
			manualFen = sql.NullInt64{Int64: manual.Fen(), Valid: true}
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `UPDATE sales_deals SET deposit_on = ?, subscribed_on = ?, deal_on = ?, state = ?,
			manual_cents = ?, updated_at = ? WHERE id = ?`, dayText(deposit), dayText(signed), dealOn, state, manualFen,
			store.Micros(now), id); err != nil {
			return err
		}
		if state == DealClosed && d.RegistrationID != 0 {
			if _, err := s.decide(ctx, tx, ce, d.RegistrationID, id, 0); err != nil {
				return err
			}
		}
		if d.SubscribedOn == nil && signed != nil {
			if err := s.tellSubscribed(ctx, tx, Subscription{CompanyID: ce.CompanyID, CentreID: ce.UnitID, DealID: id,
				Number: d.Number, PropertyUnit: d.PropertyUnit, Subscriber: d.SubscriberName, SignedOn: *signed}); err != nil {
				return err
			}
		}
		changes := map[string]any{"deposit_on": dayText(deposit), "subscribed_on": dayText(signed), "deal_on": dealOn, "state": state}
		if manual != nil {
			changes["manual_commission"] = manual.String()
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "sales.deal.facts", "sales_deal", id.String(), changes)
	})
	if err != nil {
		return Deal{}, err
	}
	return s.readDeal(ctx, s.db.Reader(), id)
}

// dealFactDay is a deal day after an update: the one given, else the one held;
// changing a day already recorded is for sales:manage.
func dealFactDay(field, text string, held *calendar.Date, today calendar.Date, manager bool) (*calendar.Date, error) {
	d, err := pastDate(field, text, today)
	if err != nil || d == nil {
		return held, err
	}
	if held != nil && *held != *d && !manager {
		return nil, apperr.Conflict(field, i18n.T("已登记为 %s，更改须由销售经理或项目经理进行", "already recorded as %s; a manager changes it", held.String()))
	}
	return d, nil
}

// VoidDeal withdraws a deal with a reason (sales:manage).
func (s *Service) VoidDeal(ctx context.Context, p *auth.Principal, id store.ID, reason string) (Deal, error) {
	if err := need(p, auth.PermSalesManage); err != nil {
		return Deal{}, err
	}
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		d, err := s.readDeal(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := s.loadCentre(ctx, tx, p, d.UnitID); err != nil {
			return apperr.NotFound("id")
		}
		why, err := cleanText("reason", reason, 500, true)
		if err != nil {
			return err
		}
		if d.State == DealVoid {
			return apperr.Conflict("state", i18n.T("认购已作废", "the deal is already void"))
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `UPDATE sales_deals SET state = ?, void_reason = ?, updated_at = ? WHERE id = ?`,
			DealVoid, why, store.Micros(now), id); err != nil {
			return err
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "sales.deal.void", "sales_deal", id.String(),
			map[string]any{"number": d.Number, "from": d.State, "reason": why})
	})
	if err != nil {
		return Deal{}, err
	}
	return s.readDeal(ctx, s.db.Reader(), id)
}

// errNoDeal is a deal that does not exist or is out of sight.
func errNoDeal(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFound("id")
	}
	return err
}
