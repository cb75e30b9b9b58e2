package sales

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/customer"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// FollowUpChannels are how an agent follows a customer up.
var FollowUpChannels = []string{"phone", "visit", "message", "other"}

// FollowUp logs a follow-up of a customer by her agent (SAL-024).
func (s *Service) FollowUp(ctx context.Context, p *auth.Principal, in FollowUpInput) (FollowUp, error) {
	if err := need(p, auth.PermSalesReceive); err != nil {
		if need(p, auth.PermSalesManage) != nil {
			return FollowUp{}, err
		}
	}
	var id store.ID
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		if in.RegistrationID == 0 {
			return apperr.Required("registration_id")
		}
		e, err := loadAttrEntry(ctx, tx, in.RegistrationID, "registration_id")
		if err != nil {
			return err
		}
		ce, err := s.loadCentre(ctx, tx, p, e.UnitID)
		if err != nil {
			return apperr.NotFound("registration_id")
		}
		pos, err := positionOf(ctx, tx, p)
		if err != nil {
			return err
		}
		if e.AgentID != principalID(p) && !isCustodian(p, pos, ce) {
			return apperr.NotFound("registration_id")
		}
		on, err := pastDate("on", in.On, zoneDay(s.now()))
		if err != nil {
			return err
		}
		if on == nil {
			d := zoneDay(s.now())
			on = &d
		}
		if on.Before(e.ReceivedOn) {
			return apperr.Validation("on", i18n.T("不能早于登记的接待日（%s）", "may not be before the entry's day (%s)", e.ReceivedOn.String()))
		}
		channel := strings.TrimSpace(in.Channel)
		if channel != "" && !slices.Contains(FollowUpChannels, channel) {
			return apperr.Validation("channel", i18n.T("未知的跟踪方式 %q", "unknown channel %q", channel))
		}
		note, err := cleanText("note", in.Note, 2000, true)
		if err != nil {
			return err
		}
		now := s.now()
		id, err = tx.InsertID(ctx, `INSERT INTO sales_followups (unit_id, company_id, registration_id, agent_id, followed_on,
			channel, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, ce.UnitID, ce.CompanyID, e.ID,
			cmp.Or(principalID(p), e.AgentID), on.String(), channel, note, store.Micros(now))
		if err != nil {
			return err
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "sales.followup", "sales_registration", e.ID.String(),
			map[string]any{"followup_id": id, "on": on.String(), "channel": channel})
	})
	if err != nil {
		return FollowUp{}, err
	}
	list, err := store.QueryAll(ctx, s.db.Reader(), scanFollowUp, `SELECT `+followUpColumns+` WHERE f.id = ?`, id)
	if err != nil || len(list) == 0 {
		return FollowUp{}, err
	}
	return list[0], nil
}

const followUpColumns = `f.id, f.registration_id, f.agent_id, COALESCE(u.display_name, ''), f.followed_on, f.channel, f.note,
	f.created_at FROM sales_followups f LEFT JOIN users u ON u.id = f.agent_id`

func scanFollowUp(sc store.Scanner) (FollowUp, error) {
	var f FollowUp
	var on string
	var created int64
	err := sc.Scan(&f.ID, &f.RegistrationID, &f.AgentID, &f.Agent, &on, &f.Channel, &f.Note, &created)
	f.On, _ = calendar.ParseDate(on)
	f.CreatedAt = store.FromMicros(created)
	return f, err
}

// FollowUps lists an entry's follow-ups, newest first.
func (s *Service) FollowUps(ctx context.Context, p *auth.Principal, registration store.ID) ([]FollowUp, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return nil, err
	}
	r := s.db.Reader()
	e, err := loadAttrEntry(ctx, r, registration, "registration_id")
	if err != nil {
		return nil, err
	}
	ce, err := s.loadCentre(ctx, r, p, e.UnitID)
	if err != nil {
		return nil, apperr.NotFound("registration_id")
	}
	pos, err := positionOf(ctx, r, p)
	if err != nil {
		return nil, err
	}
	if e.AgentID != principalID(p) && !readsRegister(p, pos, ce) {
		return nil, apperr.NotFound("registration_id")
	}
	out, err := store.QueryAll(ctx, r, scanFollowUp, `SELECT `+followUpColumns+` WHERE f.registration_id = ?
		ORDER BY f.followed_on DESC, f.id DESC`, registration)
	if out == nil && err == nil {
		out = []FollowUp{}
	}
	return out, err
}

// followRow is a current visit entry with its latest follow-up.
type followRow struct {
	FollowUpDue
	received calendar.Date
	identity customer.Identity
	dealt    bool
}

// FollowUpsDue lists the customers with no follow-up for more than the
// pack's days (SAL-024, a CAL-015 difference): an agent's own, or the
// centre's for the Project Manager; agent 0 = all p may see.
func (s *Service) FollowUpsDue(ctx context.Context, p *auth.Principal, unit, agent store.ID) ([]FollowUpDue, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return nil, err
	}
	r := s.db.Reader()
	ce, err := s.loadCentre(ctx, r, p, unit)
	if err != nil {
		return nil, err
	}
	pos, err := positionOf(ctx, r, p)
	if err != nil {
		return nil, err
	}
	if !readsRegister(p, pos, ce) {
		if agent != 0 && agent != principalID(p) {
			return nil, apperr.Forbidden(i18n.T("只能查看自己的客户（SEC-003）", "you see only your own customers (SEC-003)"))
		}
		agent = principalID(p)
	}
	q := `SELECT r.id, r.number, r.customer_name, r.phone, r.car_brand, r.car_plate, r.agent_id, COALESCE(u.display_name, ''),
		r.received_on, COALESCE((SELECT MAX(f.followed_on) FROM sales_followups f WHERE f.registration_id = r.id), ''),
		(SELECT COUNT(*) FROM sales_deals d WHERE d.registration_id = r.id AND d.state = 'closed')
		FROM sales_registrations r LEFT JOIN users u ON u.id = r.agent_id
		WHERE r.unit_id = ? AND r.book = ? AND r.public_reason = '' AND` + notCorrected
	args := []any{unit, BookVisit}
	if agent != 0 {
		q += ` AND r.agent_id = ?`
		args = append(args, agent)
	}
	rows, err := store.QueryAll(ctx, r, func(sc store.Scanner) (followRow, error) {
		var d followRow
		var name, phone, brand, plate, received, last string
		var deals int
		err := sc.Scan(&d.RegistrationID, &d.Number, &name, &phone, &brand, &plate, &d.AgentID, &d.Agent, &received, &last, &deals)
		d.CustomerName, d.dealt = name, deals > 0
		d.identity = customer.IdentityOf(name, phone, brand, plate)
		d.received, _ = calendar.ParseDate(received)
		d.LastOn = d.received
		if l, err := calendar.ParseDate(last); err == nil && l.After(d.LastOn) {
			d.LastOn = l
		}
		return d, err
	}, q+` ORDER BY r.agent_id, r.received_on, r.id`, args...)
	if err != nil {
		return nil, err
	}
	return overdueOf(rows, ce.Pack.Customers.IdentityKeys, zoneDay(s.now()), ce.Rules.FollowUpAlertDays), nil
}

// overdueOf groups an agent's entries of one customer (CUS-016: a later visit
// is contact too) and keeps those not dealt whose latest contact is more
// than days before today.
func overdueOf(rows []followRow, keys []string, today calendar.Date, days int) []FollowUpDue {
	var groups [][]int
	for i, r := range rows {
		placed := false
		for g, members := range groups {
			first := rows[members[0]]
			if first.AgentID == r.AgentID && len(customer.SameParty(keys, first.identity, r.identity)) > 0 {
				groups[g] = append(groups[g], i)
				placed = true
				break
			}
		}
		if !placed {
			groups = append(groups, []int{i})
		}
	}
	out := []FollowUpDue{}
	for _, members := range groups {
		var latest *followRow
		dealt := false
		for _, i := range members {
			r := &rows[i]
			dealt = dealt || r.dealt
			if latest == nil || r.LastOn.After(latest.LastOn) || r.LastOn == latest.LastOn && r.received.After(latest.received) {
				latest = r
			}
		}
		if dealt {
			continue
		}
		d := latest.FollowUpDue
		d.Days = calendar.DaysBetween(d.LastOn, today)
		if d.Days > days {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b FollowUpDue) int {
		if c := cmp.Compare(b.Days, a.Days); c != 0 {
			return c
		}
		return cmp.Compare(a.RegistrationID, b.RegistrationID)
	})
	return out
}
