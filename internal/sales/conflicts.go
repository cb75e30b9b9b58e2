package sales

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// conflictColumns are what scanConflict reads of sales_conflicts k.
const conflictColumns = `k.id, k.number, k.unit_id, k.registration_id, k.prior_id, k.match_keys, k.referral,
	COALESCE(ru.display_name, ''), k.raised_by, k.raised_at, k.note, k.contact, k.contact_at, k.contact_note, k.state
	FROM sales_conflicts k LEFT JOIN users ru ON ru.id = k.raised_by`

// scanConflict reads a row of conflictColumns.
func scanConflict(sc store.Scanner) (Conflict, error) {
	var k Conflict
	var keys string
	var by store.NullID
	var raised, contact int64
	err := sc.Scan(&k.ID, &k.Number, &k.UnitID, &k.RegistrationID, &k.PriorID, &keys, &k.Referral, &k.RaisedBy, &by,
		&raised, &k.Note, &k.Contact, &contact, &k.ContactNote, &k.State)
	k.RaisedByID, k.RaisedAt = by.ID, store.FromMicros(raised)
	k.Keys = []string{}
	if keys != "" {
		k.Keys = strings.Split(keys, ",")
	}
	if contact != 0 {
		k.ContactAt = store.FromMicros(contact)
	}
	return k, err
}

// insertConflict appends a conflict between a later entry and the prior
// one (raised by kefu when by is nil).
func (s *Service) insertConflict(ctx context.Context, tx store.Conn, ce *centre, later, prior store.ID, keys []string,
	referral bool, by *auth.Principal, note string, now time.Time) (store.ID, error) {
	number, err := nextNumber(ctx, tx, seqConflict, ce.CompanyID, now)
	if err != nil {
		return 0, err
	}
	raisedBy := store.NullID{}
	if by != nil {
		raisedBy = by.UserRef()
	}
	id, err := tx.InsertID(ctx, `INSERT INTO sales_conflicts (number, unit_id, company_id, registration_id, prior_id,
		match_keys, referral, raised_by, raised_at, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		number, ce.UnitID, ce.CompanyID, later, prior, strings.Join(keys, ","), flag01(referral), raisedBy,
		store.Micros(now), note)
	if err != nil {
		return 0, err
	}
	return id, audit.Record(audit.WithActor(ctx, by.Actor()), tx, now, "sales.conflict.raise", "sales_conflict",
		id.String(), map[string]any{"number": number, "registration_id": later, "prior_id": prior, "keys": keys})
}

// Claim raises a conflict on an entry: an agent who finds that a customer
// registered by a colleague is hers (SAL-014 referral claims, SAL-018
// discoveries after a deal). It computes the attribution.
//
// The claimant is the prior entry's agent, the custodian or a decider; the
// entries must be current, of the same company, the prior registered
// first and matching on an identity key (a decider may raise a conflict
// without one). A prior entry of kind referral makes a referral claim.
func (s *Service) Claim(ctx context.Context, p *auth.Principal, in ClaimInput) (Conflict, error) {
	if err := need(p, auth.PermSalesReceive); err != nil {
		return Conflict{}, err
	}
	if in.RegistrationID == 0 {
		return Conflict{}, apperr.Required("registration_id")
	}
	if in.PriorID == 0 {
		return Conflict{}, apperr.Required("prior_id")
	}
	if in.PriorID == in.RegistrationID {
		return Conflict{}, apperr.Validation("prior_id", i18n.T("不能与同一登记冲突", "an entry does not collide with itself"))
	}
	var id store.ID
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		later, err := s.readEntry(ctx, tx, in.RegistrationID, false)
		if apperr.Is(err, apperr.CodeNotFound) {
			return apperr.NotFound("registration_id")
		}
		if err != nil {
			return err
		}
		ce, err := s.loadCentre(ctx, tx, p, later.UnitID)
		if apperr.Is(err, apperr.CodeNotFound) {
			return apperr.NotFound("registration_id")
		}
		if err != nil {
			return err
		}
		prior, err := s.readEntry(ctx, tx, in.PriorID, false)
		if apperr.Is(err, apperr.CodeNotFound) || err == nil && prior.UnitID != later.UnitID {
			return apperr.NotFound("prior_id")
		}
		if err != nil {
			return err
		}
		pos, err := positionOf(ctx, tx, p)
		if err != nil {
			return err
		}
		decider := isDecider(p, ce) || isCustodian(p, pos, ce)
		if !decider && prior.AgentID != p.UserID {
			return apperr.Forbidden(i18n.T("只有原登记的售楼员或销售经理可以提出归属争议",
				"only the agent of the earlier entry or a decider raises a conflict"))
		}
		if later.CorrectedByID != 0 {
			return apperr.Conflict("registration_id", i18n.T("该登记已被更正", "the entry has been corrected"))
		}
		if prior.CorrectedByID != 0 {
			return apperr.Conflict("prior_id", i18n.T("该登记已被更正", "the entry has been corrected"))
		}
		if prior.AgentID == later.AgentID {
			return apperr.Validation("prior_id", i18n.T("两条登记属于同一售楼员", "both entries are the same agent's"))
		}
		if !prior.RegisteredAt.Before(later.RegisteredAt) {
			return apperr.Validation("prior_id", i18n.T("原登记须早于被争议的登记", "the prior entry must be registered first"))
		}
		keys := customer.SameParty(ce.Pack.Customers.IdentityKeys,
			customer.IdentityOf(later.CustomerName, later.Phone, later.CarBrand, later.CarPlate),
			customer.IdentityOf(prior.CustomerName, prior.Phone, prior.CarBrand, prior.CarPlate))
		if len(keys) == 0 && !decider {
			return apperr.Validation("prior_id", i18n.T("两条登记没有相同的识别要素（CUS-016）",
				"the entries share no identity key (CUS-016)"))
		}
		var n int64
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM sales_conflicts WHERE registration_id = ? AND prior_id = ?`,
			later.ID, prior.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.Conflict("prior_id", i18n.T("该冲突已存在", "the conflict exists already"))
		}
		referral := in.Referral || prior.Kind == EntryReferral
		id, err = s.insertConflict(ctx, tx, ce, later.ID, prior.ID, keys, referral, p, strings.TrimSpace(in.Note), s.now())
		if err != nil {
			return err
		}
		_, err = s.decide(ctx, tx, ce, later.ID, 0, id)
		return err
	})
	if err != nil {
		return Conflict{}, err
	}
	return s.GetConflict(ctx, p, id)
}

// RecordContact records what the receiving agent did on learning that the
// customer was a colleague's (SAL-015): consent, unreachable, handed back;
// "grabbed" only by a decider. Recomputes the attributions concerned.
func (s *Service) RecordContact(ctx context.Context, p *auth.Principal, id store.ID, in ContactInput) (Conflict, error) {
	if err := need(p, auth.PermSalesReceive); err != nil {
		return Conflict{}, err
	}
	if !slices.Contains(ContactStates, in.Contact) {
		return Conflict{}, apperr.Validation("contact", i18n.T("联系结果须为 %[1]s 之一", "contact must be one of %[1]s",
			strings.Join(ContactStates, ", ")))
	}
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		k, ce, err := s.conflictFor(ctx, tx, p, id)
		if err != nil {
			return err
		}
		later, err := s.readEntry(ctx, tx, k.RegistrationID, false)
		if err != nil {
			return err
		}
		pos, err := positionOf(ctx, tx, p)
		if err != nil {
			return err
		}
		if in.Contact == ContactRefused {
			if !isDecider(p, ce) {
				return apperr.Forbidden(i18n.T("只有销售经理可以认定抢客（SAL-015）",
					"only a decider finds that a customer was grabbed (SAL-015)"))
			}
		} else if later.AgentID != principalID(p) && !isCustodian(p, pos, ce) && !isDecider(p, ce) {
			return apperr.Forbidden(i18n.T("只有接待的售楼员或项目经理可以记录联系结果",
				"only the receiving agent or the custodian records the contact"))
		}
		now := s.now()
		note := strings.TrimSpace(in.Note)
		if _, err := tx.Exec(ctx, `UPDATE sales_conflicts SET contact = ?, contact_by = ?, contact_at = ?, contact_note = ?
			WHERE id = ?`, in.Contact, p.UserRef(), store.Micros(now), note, id); err != nil {
			return err
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "sales.conflict.contact", "sales_conflict",
			id.String(), map[string]any{"contact": in.Contact, "note": note}); err != nil {
			return err
		}
		if _, err := s.decide(ctx, tx, ce, k.RegistrationID, 0, id); err != nil {
			return err
		}
		deals, err := store.QueryAll(ctx, tx, func(sc store.Scanner) (store.ID, error) {
			var d store.ID
			return d, sc.Scan(&d)
		}, `SELECT id FROM sales_deals WHERE registration_id = ? AND state <> ? ORDER BY id`, k.RegistrationID, DealVoid)
		if err != nil {
			return err
		}
		for _, d := range deals {
			if _, err := s.decide(ctx, tx, ce, k.RegistrationID, d, 0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Conflict{}, err
	}
	return s.GetConflict(ctx, p, id)
}

// conflictFor reads a conflict and its centre if p sees it: an agent of
// either entry, a decider, the custodian or a reader of the register.
func (s *Service) conflictFor(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) (Conflict, *centre, error) {
	k, err := scanConflict(c.QueryRow(ctx, `SELECT `+conflictColumns+` WHERE k.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return k, nil, apperr.NotFound("id")
	}
	if err != nil {
		return k, nil, err
	}
	ce, err := s.loadCentre(ctx, c, p, k.UnitID)
	if apperr.Is(err, apperr.CodeNotFound) {
		return k, nil, apperr.NotFound("id")
	}
	if err != nil {
		return k, nil, err
	}
	if p == nil || isDecider(p, ce) {
		return k, ce, nil
	}
	var n int64
	if err := c.QueryRow(ctx, `SELECT COUNT(*) FROM sales_registrations WHERE id IN (?, ?) AND agent_id = ?`,
		k.RegistrationID, k.PriorID, p.UserID).Scan(&n); err != nil {
		return k, nil, err
	}
	if n > 0 {
		return k, ce, nil
	}
	if whole, err := s.readsWhole(ctx, c, p, ce); err != nil {
		return k, nil, err
	} else if !whole {
		return k, nil, apperr.NotFound("id")
	}
	return k, ce, nil
}

// GetConflict reads a conflict with both entries and its attribution (the
// conflict screen). An entry p may not read (a colleague's, SEC-003) is
// left out; reads of others' entries are audited.
func (s *Service) GetConflict(ctx context.Context, p *auth.Principal, id store.ID) (Conflict, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return Conflict{}, err
	}
	c := s.db.Reader()
	k, ce, err := s.conflictFor(ctx, c, p, id)
	if err != nil {
		return Conflict{}, err
	}
	for _, e := range []struct {
		id  store.ID
		dst **Registration
	}{{k.RegistrationID, &k.Entry}, {k.PriorID, &k.Prior}} {
		r, err := s.readEntry(ctx, c, e.id, false)
		if err != nil {
			return Conflict{}, err
		}
		ok, err := s.canRead(ctx, c, p, ce, &r)
		if err != nil {
			return Conflict{}, err
		}
		if !ok {
			continue
		}
		if p != nil && r.AgentID != p.UserID {
			if err := s.audited(ctx, p, "sales.registration.view", "sales_registration", r.ID.String(),
				map[string]any{"number": r.Number, "conflict_id": id}); err != nil {
				return Conflict{}, err
			}
		}
		*e.dst = &r
	}
	k.Attribution, err = currentAttribution(ctx, c, k.RegistrationID, 0, id)
	return k, err
}

// Conflicts lists a centre's conflicts in p's sight, open first: all of
// them for deciders and readers of the register, else those on p's own
// entries.
func (s *Service) Conflicts(ctx context.Context, p *auth.Principal, unit store.ID, state string) ([]Conflict, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return nil, err
	}
	if state != "" && !slices.Contains([]string{"open", "decided", "ruled"}, state) {
		return nil, apperr.Validation("state", i18n.T("状态须为 open、decided 或 ruled", "state must be open, decided or ruled"))
	}
	c := s.db.Reader()
	ce, err := s.loadCentre(ctx, c, p, unit)
	if err != nil {
		return nil, err
	}
	where, args := []string{"k.unit_id = ?"}, []any{unit}
	if state != "" {
		where, args = append(where, "k.state = ?"), append(args, state)
	}
	if p != nil && !isDecider(p, ce) {
		whole, err := s.readsWhole(ctx, c, p, ce)
		if err != nil {
			return nil, err
		}
		if !whole {
			where = append(where, `EXISTS (SELECT 1 FROM sales_registrations x WHERE x.id IN (k.registration_id, k.prior_id)
				AND x.agent_id = ?)`)
			args = append(args, p.UserID)
		}
	}
	return store.QueryAll(ctx, c, scanConflict, `SELECT `+conflictColumns+` WHERE `+strings.Join(where, " AND ")+`
		ORDER BY CASE WHEN k.state = 'open' THEN 0 ELSE 1 END, k.raised_at DESC, k.id DESC LIMIT 500`, args...)
}
