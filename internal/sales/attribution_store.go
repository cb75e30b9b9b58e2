package sales

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/money"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// decide computes the attribution of a register entry — of its deal when
// deal is not 0, of a conflict when conflict is not 0 — from the database
// (the entry, the earlier entries of the same customer by the identity
// keys, its family, the conflict, the deal) with Attribute, and appends it
// unless the current decision already says the same; a ruling is never
// replaced by a computation. A grabbing outcome proposes the fine
// (SAL-015) through the merit ledger. Called inside the caller's tx.
func (s *Service) decide(ctx context.Context, tx store.Conn, ce *centre, entry, deal, conflict store.ID) (*Attribution, error) {
	a, err := s.decideOne(ctx, tx, ce, entry, deal, conflict)
	if err == nil && deal == 0 && conflict != 0 {
		// The conflict concerns the entry's deals too (SAL-015, SAL-018).
		err = s.redecideDeals(ctx, tx, ce, entry, conflict)
	}
	return a, err
}

// decideOne decides the one subject of decide.
func (s *Service) decideOne(ctx context.Context, tx store.Conn, ce *centre, entry, deal, conflict store.ID) (*Attribution, error) {
	subj, err := loadAttrEntry(ctx, tx, entry, "registration_id")
	if err != nil {
		return nil, err
	}
	c, claimID, err := s.buildCase(ctx, tx, ce, subj, deal, conflict)
	if err != nil {
		return nil, err
	}
	if deal != 0 && c.Deal == nil {
		return nil, nil // not a deal (yet): nothing to share (SAL-019)
	}
	o := Attribute(c, ce.Rules)
	cur, err := currentAttribution(ctx, tx, entry, deal, conflict)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	if cur != nil {
		if cur.Kind == AttributionRuling {
			return cur, nil
		}
		old, err := json.Marshal(cur.Outcome)
		if err != nil {
			return nil, err
		}
		if string(old) == string(raw) {
			return cur, nil
		}
	}
	now := s.now()
	var supersedes store.ID
	if cur != nil {
		supersedes = cur.ID
	}
	if conflict == 0 {
		conflict = claimID
	}
	id, err := tx.InsertID(ctx, `INSERT INTO sales_attributions (unit_id, company_id, deal_id, conflict_id, registration_id,
		kind, owner_agent_id, class, held, grabber_id, outcome, rules, decided_by, decided_at, reason, supersedes_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, '', ?) RETURNING id`,
		ce.UnitID, ce.CompanyID, store.OptionalID(deal), store.OptionalID(conflict), entry, AttributionComputed,
		store.OptionalID(o.Owner), o.Class, flag01(o.Held), store.OptionalID(o.Grabber), string(raw),
		strings.Join(o.Rules, ","), store.Micros(now), store.OptionalID(supersedes))
	if err != nil {
		return nil, err
	}
	if conflict != 0 {
		if _, err := tx.Exec(ctx, `UPDATE sales_conflicts SET state = 'decided' WHERE id = ? AND state = 'open'`, conflict); err != nil {
			return nil, err
		}
	}
	if o.Grabber != 0 && deal != 0 && s.merits != nil {
		var number, on string
		if err := tx.QueryRow(ctx, `SELECT number, deal_on FROM sales_deals WHERE id = ?`, deal).Scan(&number, &on); err != nil {
			return nil, err
		}
		err := s.merits.Propose(ctx, tx, policy.EventCustomerGrabbed, map[string]any{"user_id": o.Grabber,
			"reception_id": subj.ReceptionID, "deal_id": deal, "registration_id": entry, "number": number, "occurred_on": on})
		if err != nil {
			return nil, err
		}
	}
	if err := audit.Record(audit.WithActor(ctx, audit.System), tx, now, "sales.attribution.compute", "sales_attribution", id.String(),
		map[string]any{"registration_id": entry, "deal_id": deal, "conflict_id": conflict, "owner_agent_id": o.Owner,
			"class": o.Class, "held": o.Held, "grabber_id": o.Grabber, "rules": o.Rules, "supersedes_id": supersedes}); err != nil {
		return nil, err
	}
	return getAttribution(ctx, tx, id)
}

// redecideDeals recomputes the closed deals of an entry with the conflict.
func (s *Service) redecideDeals(ctx context.Context, tx store.Conn, ce *centre, entry, conflict store.ID) error {
	deals, err := store.QueryAll(ctx, tx, func(sc store.Scanner) (store.ID, error) {
		var d store.ID
		return d, sc.Scan(&d)
	}, `SELECT id FROM sales_deals WHERE registration_id = ? AND state = ? ORDER BY id`, entry, DealClosed)
	if err != nil {
		return err
	}
	for _, d := range deals {
		if _, err := s.decide(ctx, tx, ce, entry, d, conflict); err != nil {
			return err
		}
	}
	return nil
}

// attributionColumns reads a decision with the name of who ruled it.
const attributionColumns = `a.id, a.unit_id, a.deal_id, a.conflict_id, a.registration_id, a.kind, a.outcome,
	COALESCE(u.display_name, ''), a.decided_at, a.reason, a.supersedes_id`

const attributionFrom = ` FROM sales_attributions a LEFT JOIN users u ON u.id = a.decided_by`

// attributionRow is a decision and its centre.
type attributionRow struct {
	Attribution
	UnitID store.ID
}

func scanAttributionRow(sc store.Scanner) (attributionRow, error) {
	var a attributionRow
	var deal, conflict, supersedes store.NullID
	var raw string
	var at int64
	err := sc.Scan(&a.ID, &a.UnitID, &deal, &conflict, &a.RegistrationID, &a.Kind, &raw, &a.DecidedBy, &at, &a.Reason, &supersedes)
	if err != nil {
		return a, err
	}
	if err := json.Unmarshal([]byte(raw), &a.Outcome); err != nil {
		return a, err
	}
	a.DealID, a.ConflictID, a.SupersedesID = deal.ID, conflict.ID, supersedes.ID
	a.DecidedAt = store.FromMicros(at)
	return a, nil
}

func getAttribution(ctx context.Context, c store.Conn, id store.ID) (*Attribution, error) {
	a, err := scanAttributionRow(c.QueryRow(ctx, `SELECT `+attributionColumns+attributionFrom+` WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("attribution_id")
	}
	if err != nil {
		return nil, err
	}
	return &a.Attribution, nil
}

// currentAttribution is the latest decision on a deal, else on a conflict
// (without a deal), else on the entry alone; nil when there is none.
func currentAttribution(ctx context.Context, c store.Conn, entry, deal, conflict store.ID) (*Attribution, error) {
	q, arg := `a.deal_id = ?`, any(deal)
	switch {
	case deal != 0:
	case conflict != 0:
		q, arg = `a.conflict_id = ? AND a.deal_id IS NULL`, conflict
	default:
		q, arg = `a.registration_id = ? AND a.deal_id IS NULL AND a.conflict_id IS NULL`, entry
	}
	a, err := scanAttributionRow(c.QueryRow(ctx, `SELECT `+attributionColumns+attributionFrom+` WHERE `+q+
		` ORDER BY a.id DESC LIMIT 1`, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &a.Attribution, nil
}

// Rule overrules the current attribution of a deal or conflict (SAL-022):
// a decider only, with a reason; appended, superseding the current one.
func (s *Service) Rule(ctx context.Context, p *auth.Principal, attribution store.ID, in RulingInput) (Attribution, error) {
	if err := need(p, auth.PermSalesManage); err != nil {
		return Attribution{}, err
	}
	reason := strings.TrimSpace(in.Reason)
	var id store.ID
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		old, err := scanAttributionRow(tx.QueryRow(ctx, `SELECT `+attributionColumns+attributionFrom+` WHERE a.id = ?`, attribution))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("attribution_id")
		} else if err != nil {
			return err
		}
		ce, err := s.loadCentre(ctx, tx, p, old.UnitID)
		if err != nil {
			return apperr.NotFound("attribution_id")
		}
		if !isDecider(p, ce) {
			return apperr.Forbidden(i18n.T("只有销售经理可以裁定归属（SAL-022）", "only the Sales Manager rules an attribution (SAL-022)"))
		}
		cur, err := currentAttribution(ctx, tx, old.RegistrationID, old.DealID, old.ConflictID)
		if err != nil {
			return err
		}
		if cur == nil || cur.ID != old.ID {
			return apperr.Conflict("attribution_id", i18n.T("该决定已被新的决定取代，请按最新决定裁定",
				"this decision has been superseded; rule on the current one"))
		}
		if reason == "" {
			return apperr.Required("reason")
		}
		if len([]rune(reason)) > 1000 {
			return apperr.Validation("reason", i18n.T("不能超过 1000 个字", "at most 1000 characters"))
		}
		o, err := s.ruling(ctx, tx, ce, old, in, reason)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(o)
		if err != nil {
			return err
		}
		now := s.now()
		id, err = tx.InsertID(ctx, `INSERT INTO sales_attributions (unit_id, company_id, deal_id, conflict_id, registration_id,
			kind, owner_agent_id, class, held, grabber_id, outcome, rules, decided_by, decided_at, reason, supersedes_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			ce.UnitID, ce.CompanyID, store.OptionalID(old.DealID), store.OptionalID(old.ConflictID), old.RegistrationID,
			AttributionRuling, store.OptionalID(o.Owner), o.Class, store.OptionalID(o.Grabber), string(raw),
			strings.Join(o.Rules, ","), p.UserRef(), store.Micros(now), reason, old.ID)
		if err != nil {
			return err
		}
		if old.ConflictID != 0 {
			if _, err := tx.Exec(ctx, `UPDATE sales_conflicts SET state = 'ruled' WHERE id = ?`, old.ConflictID); err != nil {
				return err
			}
			// The entry's deals follow the ruled owner (unless ruled themselves).
			if old.DealID == 0 {
				if err := s.redecideDeals(ctx, tx, ce, old.RegistrationID, old.ConflictID); err != nil {
					return err
				}
			}
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "sales.attribution.rule", "sales_attribution", id.String(),
			map[string]any{"supersedes_id": old.ID, "deal_id": old.DealID, "conflict_id": old.ConflictID,
				"owner_agent_id": o.Owner, "shares": o.Shares, "reason": reason})
	})
	if err != nil {
		return Attribution{}, err
	}
	a, err := getAttribution(ctx, s.db.Reader(), id)
	if err != nil {
		return Attribution{}, err
	}
	return *a, nil
}

// ruling builds the outcome of a ruling: the owner and, for a deal, the
// shares of its commission (percent of it, half-up; the last share takes
// the remainder when they add up to 100).
func (s *Service) ruling(ctx context.Context, tx store.Conn, ce *centre, old attributionRow, in RulingInput, reason string) (Outcome, error) {
	o := Outcome{Owner: in.OwnerAgentID, Class: old.Class, Rules: []string{"SAL-022"}, Shares: []Share{}}
	if o.Owner == 0 {
		return o, apperr.Required("owner_agent_id")
	}
	if err := companyAgent(ctx, tx, ce, o.Owner, "owner_agent_id"); err != nil {
		return o, err
	}
	o.Steps = []Step{{Rule: "SAL-022",
		ZH: "销售经理裁定：" + reason,
		EN: "ruled by the Sales Manager: " + reason}}
	if old.DealID == 0 {
		if len(in.Shares) > 0 {
			return o, apperr.Validation("shares", i18n.T("没有成交，不分佣金", "there is no deal whose commission to share"))
		}
		return o, nil
	}
	if len(in.Shares) == 0 {
		return o, apperr.Required("shares")
	}
	var closing store.ID
	var fen money.Yuan
	var manual sql.NullInt64
	if err := tx.QueryRow(ctx, `SELECT commission_cents, manual_cents, closing_agent_id FROM sales_deals WHERE id = ?`, old.DealID).
		Scan(&fen, &manual, &closing); err != nil {
		return o, err
	}
	if manual.Valid {
		fen = money.Yuan(manual.Int64)
	}
	total, sum, allCancelled := money.Yuan(0), 0, true
	seen := map[store.ID]bool{}
	for i, sh := range in.Shares {
		field := "shares[" + strconv.Itoa(i) + "]"
		if err := companyAgent(ctx, tx, ce, sh.AgentID, field+".agent_id"); err != nil {
			return o, err
		}
		if seen[sh.AgentID] {
			return o, apperr.Validation(field+".agent_id", i18n.T("同一售楼员只能有一份", "one share per agent"))
		}
		seen[sh.AgentID] = true
		if sh.Percent < 0 || sh.Percent > 100 {
			return o, apperr.Validation(field+".percent", i18n.T("须在 0 到 100 之间", "must be between 0 and 100"))
		}
		sum += sh.Percent
		allCancelled = allCancelled && sh.Cancelled
	}
	if sum != 100 && !allCancelled {
		return o, apperr.Validation("shares", i18n.T("各份比例之和须为 100（现为 %d）", "the percents must add up to 100 (they add up to %d)", sum))
	}
	for i, sh := range in.Shares {
		amount := fen.Percent(int64(sh.Percent) * 100)
		if i == len(in.Shares)-1 && sum == 100 {
			amount = fen - total
		}
		total += amount
		role := ShareOwner
		switch {
		case sh.Percent == 100:
			role = ShareSole
		case sh.AgentID == closing:
			role = ShareClosing
		}
		o.Shares = append(o.Shares, Share{AgentID: sh.AgentID, Role: role, Percent: sh.Percent, Amount: amount,
			Cancelled: sh.Cancelled, Rule: "SAL-022"})
		if sh.Cancelled && sh.AgentID == old.Grabber {
			o.Grabber = old.Grabber
		}
	}
	return o, nil
}

// companyAgent refuses a user who is not an active user of the centre's
// company, nor on its rotation.
func companyAgent(ctx context.Context, c store.Conn, ce *centre, user store.ID, field string) error {
	if user <= 0 {
		return apperr.Required(field)
	}
	var unit store.ID
	var active bool
	err := c.QueryRow(ctx, `SELECT org_unit_id, active FROM users WHERE id = ?`, user).Scan(&unit, &active)
	if errors.Is(err, sql.ErrNoRows) {
		return errNotAgent(field)
	}
	if err != nil {
		return err
	}
	var member int
	if err := c.QueryRow(ctx, `SELECT COUNT(*) FROM sales_rotation_members WHERE unit_id = ? AND user_id = ?`, ce.UnitID, user).
		Scan(&member); err != nil {
		return err
	}
	if member > 0 {
		return nil
	}
	if !active {
		return errNotAgent(field)
	}
	co, err := companyOfUnitID(ctx, c, unit)
	if err != nil {
		return err
	}
	if co != ce.CompanyID {
		return errNotAgent(field)
	}
	return nil
}

// Attributions is the history of decisions on a deal or a conflict,
// oldest first.
func (s *Service) Attributions(ctx context.Context, p *auth.Principal, deal, conflict store.ID) ([]Attribution, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return nil, err
	}
	r := s.db.Reader()
	var where string
	var arg any
	switch {
	case deal != 0:
		if _, err := s.GetDeal(ctx, p, deal); err != nil {
			return nil, err
		}
		where, arg = `a.deal_id = ?`, deal
	case conflict != 0:
		if err := s.seesConflict(ctx, r, p, conflict); err != nil {
			return nil, err
		}
		where, arg = `a.conflict_id = ? AND a.deal_id IS NULL`, conflict
	default:
		return nil, apperr.Required("deal_id")
	}
	rows, err := store.QueryAll(ctx, r, scanAttributionRow, `SELECT `+attributionColumns+attributionFrom+` WHERE `+where+
		` ORDER BY a.id`, arg)
	if err != nil {
		return nil, err
	}
	out := make([]Attribution, 0, len(rows))
	for _, a := range rows {
		out = append(out, a.Attribution)
	}
	return out, nil
}

// seesConflict refuses p unless she may read the conflict: an agent of
// either entry, a reader of the whole register, or a decider.
func (s *Service) seesConflict(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) error {
	var unit, agent, prior store.ID
	err := c.QueryRow(ctx, `SELECT k.unit_id, r.agent_id, o.agent_id FROM sales_conflicts k
		JOIN sales_registrations r ON r.id = k.registration_id JOIN sales_registrations o ON o.id = k.prior_id
		WHERE k.id = ?`, id).Scan(&unit, &agent, &prior)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFound("conflict_id")
	}
	if err != nil {
		return err
	}
	ce, err := s.loadCentre(ctx, c, p, unit)
	if err != nil {
		return apperr.NotFound("conflict_id")
	}
	if p == nil || p.UserID == agent || p.UserID == prior || isDecider(p, ce) {
		return nil
	}
	pos, err := positionOf(ctx, c, p)
	if err != nil {
		return err
	}
	if !readsRegister(p, pos, ce) {
		return apperr.NotFound("conflict_id")
	}
	return nil
}
