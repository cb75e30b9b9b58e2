package sales

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// Commission is a centre's commission report for a month (SEC-004: each
// deal with its register entry and attribution): per agent the closing,
// owner and whole shares, group bonuses and cancelled shares; the deals
// held for a ruling apart.
func (s *Service) Commission(ctx context.Context, p *auth.Principal, unit store.ID, month string) (CommissionReport, error) {
	rep := CommissionReport{UnitID: unit, Month: strings.TrimSpace(month), Lines: []CommissionLine{}, Deals: []Deal{}, Held: []Deal{}}
	r := s.db.Reader()
	first, _, v, err := s.monthSight(ctx, r, p, unit, month)
	if err != nil {
		return rep, err
	}
	deals, err := store.QueryAll(ctx, r, scanDeal, `SELECT `+dealColumns+dealFrom+` WHERE d.unit_id = ? AND d.state = ?
		AND d.deal_on LIKE ? ORDER BY d.deal_on, d.id`, unit, DealClosed, monthText(first)+"-%")
	if err != nil {
		return rep, err
	}
	lines := map[store.ID]*CommissionLine{}
	line := func(agent store.ID) *CommissionLine {
		if l, ok := lines[agent]; ok {
			return l
		}
		l := &CommissionLine{AgentID: agent}
		lines[agent] = l
		return l
	}
	for _, d := range deals {
		if err := attachAttribution(ctx, r, &d); err != nil {
			return rep, err
		}
		if d.Attribution == nil || d.Attribution.Held {
			if v.all || d.ClosingAgentID == v.user {
				rep.Held = append(rep.Held, d)
			}
			continue
		}
		if !v.sees(d) {
			continue
		}
		rep.Deals = append(rep.Deals, d)
		counted := map[store.ID]bool{}
		for _, sh := range d.Attribution.Shares {
			l := line(sh.AgentID)
			if !counted[sh.AgentID] && (sh.Percent > 0 || sh.Amount > 0) {
				l.Deals++
				counted[sh.AgentID] = true
			}
			switch {
			case sh.Cancelled:
				l.Cancelled += sh.Amount
			case sh.Role == ShareClosing:
				l.Closing += sh.Amount
			case sh.Role == ShareOwner:
				l.Owner += sh.Amount
			default:
				l.Sole += sh.Amount
			}
		}
	}
	bonuses, err := s.groupBonuses(ctx, r, unit, monthText(first))
	if err != nil {
		return rep, err
	}
	for _, b := range bonuses {
		for _, sh := range b.Shares {
			line(sh.AgentID).Group += sh.Amount
		}
	}
	for id, l := range lines {
		if !v.all && id != v.user {
			continue
		}
		l.Agent = displayName(ctx, r, id)
		l.Total = l.Closing + l.Owner + l.Sole + l.Group
		rep.Lines = append(rep.Lines, *l)
		rep.Total += l.Total
	}
	slices.SortFunc(rep.Lines, func(a, b CommissionLine) int {
		if c := cmp.Compare(b.Total, a.Total); c != 0 {
			return c // larger first
		}
		return cmp.Compare(a.AgentID, b.AgentID)
	})
	return rep, nil
}

// ShareGroupBonus shares a group-purchase bonus (SAL-020): sales:manage.
func (s *Service) ShareGroupBonus(ctx context.Context, p *auth.Principal, in GroupBonusInput) (GroupBonusRecord, error) {
	if err := need(p, auth.PermSalesManage); err != nil {
		return GroupBonusRecord{}, err
	}
	var id store.ID
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		ce, err := s.loadCentre(ctx, tx, p, in.UnitID)
		if err != nil {
			return err
		}
		first, err := monthStart("month", in.Month)
		if err != nil {
			return err
		}
		if in.DealID != 0 {
			var unit store.ID
			var group bool
			err := tx.QueryRow(ctx, `SELECT unit_id, group_purchase FROM sales_deals WHERE id = ?`, in.DealID).Scan(&unit, &group)
			if err != nil || unit != ce.UnitID {
				return apperr.NotFound("deal_id")
			}
			if !group {
				return apperr.Validation("deal_id", i18n.T("不是团购成交", "not a group-purchase deal"))
			}
		}
		pot, err := parseAmount("pot", in.Pot, true)
		if err != nil {
			return err
		}
		if pot <= 0 {
			return apperr.Validation("pot", i18n.T("须大于 0", "must be more than 0"))
		}
		if len(in.AgentIDs) == 0 {
			return apperr.Required("agent_ids")
		}
		for i, a := range in.AgentIDs {
			if slices.Contains(in.AgentIDs[:i], a) {
				return apperr.Validation("agent_ids", i18n.T("售楼员重复", "an agent is listed twice"))
			}
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM sales_rotation_members WHERE unit_id = ? AND user_id = ?`,
				ce.UnitID, a).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return errNotAgent("agent_ids")
			}
		}
		if in.ReceivingAgentID == 0 {
			return apperr.Required("receiving_agent_id")
		}
		if !slices.Contains(in.AgentIDs, in.ReceivingAgentID) {
			return apperr.Validation("receiving_agent_id", i18n.T("接待售楼员须在分享名单中", "the receiving agent must be one of the agents"))
		}
		note, err := cleanText("note", in.Note, 500, false)
		if err != nil {
			return err
		}
		uplift := ce.Rules.GroupBonusUpliftPct
		shares, rest := GroupBonus(pot, in.ReceivingAgentID, in.AgentIDs, uplift)
		raw, err := json.Marshal(shares)
		if err != nil {
			return err
		}
		now := s.now()
		id, err = tx.InsertID(ctx, `INSERT INTO sales_group_bonuses (unit_id, company_id, deal_id, month, pot_cents,
			receiving_agent_id, uplift_pct, shares, remainder_cents, note, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, ce.UnitID, ce.CompanyID, store.OptionalID(in.DealID),
			monthText(first), pot.Fen(), in.ReceivingAgentID, uplift, string(raw), rest.Fen(), note, p.UserRef(), store.Micros(now))
		if err != nil {
			return err
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "sales.group_bonus.share", "sales_group_bonus", id.String(),
			map[string]any{"month": monthText(first), "pot": pot.String(), "receiving_agent_id": in.ReceivingAgentID,
				"agents": in.AgentIDs, "uplift_pct": uplift, "remainder": rest.String()})
	})
	if err != nil {
		return GroupBonusRecord{}, err
	}
	list, err := store.QueryAll(ctx, s.db.Reader(), scanGroupBonus, `SELECT `+bonusColumns+` FROM sales_group_bonuses WHERE id = ?`, id)
	if err != nil || len(list) == 0 {
		return GroupBonusRecord{}, err
	}
	return list[0], nil
}

const bonusColumns = `id, unit_id, deal_id, month, pot_cents, receiving_agent_id, uplift_pct, shares, remainder_cents, note, created_at`

func scanGroupBonus(sc store.Scanner) (GroupBonusRecord, error) {
	var b GroupBonusRecord
	var deal store.NullID
	var raw string
	var created int64
	err := sc.Scan(&b.ID, &b.UnitID, &deal, &b.Month, &b.Pot, &b.ReceivingAgentID, &b.UpliftPct, &raw, &b.Remainder, &b.Note, &created)
	if err != nil {
		return b, err
	}
	b.DealID, b.CreatedAt = deal.ID, store.FromMicros(created)
	if err := json.Unmarshal([]byte(raw), &b.Shares); err != nil {
		return b, err
	}
	return b, nil
}

func (s *Service) groupBonuses(ctx context.Context, c store.Conn, unit store.ID, month string) ([]GroupBonusRecord, error) {
	return store.QueryAll(ctx, c, scanGroupBonus, `SELECT `+bonusColumns+` FROM sales_group_bonuses
		WHERE unit_id = ? AND month = ? ORDER BY id`, unit, month)
}

// GroupBonuses lists a centre's bonuses of a month.
func (s *Service) GroupBonuses(ctx context.Context, p *auth.Principal, unit store.ID, month string) ([]GroupBonusRecord, error) {
	r := s.db.Reader()
	first, _, v, err := s.monthSight(ctx, r, p, unit, month)
	if err != nil {
		return nil, err
	}
	list, err := s.groupBonuses(ctx, r, unit, monthText(first))
	if err != nil {
		return nil, err
	}
	out := make([]GroupBonusRecord, 0, len(list))
	for _, b := range list {
		if v.all || slices.ContainsFunc(b.Shares, func(g GroupShare) bool { return g.AgentID == v.user }) {
			out = append(out, b)
		}
	}
	return out, nil
}
