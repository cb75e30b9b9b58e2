package sales

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/customer"
	"kefu/internal/money"
	"kefu/internal/store"
)

// attrEntry is a register entry as the attribution store reads it: the
// engine's Fact and what finds the entries related to it.
type attrEntry struct {
	Fact
	UnitID      store.ID
	CompanyID   store.ID
	ReceptionID store.ID
	FamilyOf    store.ID
	Identity    customer.Identity
	Name        string
}

// attrEntryColumns reads a register entry with its reception: the reception's
// kind, and the agent helped, the agent named and the public reason from
// the entry or else from the reception (a reception reclassified after
// registration, SAL-010, SAL-013).
const attrEntryColumns = `r.id, r.unit_id, r.company_id, r.book, r.kind, r.agent_id, r.received_on, r.registered_at,
	r.customer_name, r.phone, r.car_brand, r.car_plate, r.named_agent_id, r.owner_agent_id, r.public_reason,
	r.company_referred, r.family_of_id, r.reception_id, COALESCE(rc.kind, ''), rc.owner_agent_id, rc.named_agent_id,
	COALESCE(rc.public_reason, '')`

const attrEntryFrom = ` FROM sales_registrations r LEFT JOIN sales_receptions rc ON rc.id = r.reception_id`

// notCorrected keeps the entries r no newer entry corrects: the current
// versions of the register (SEC-002).
const notCorrected = ` NOT EXISTS (SELECT 1 FROM sales_registrations n WHERE n.corrects_id = r.id)`

func scanAttrEntry(sc store.Scanner) (attrEntry, error) {
	var e attrEntry
	var received string
	var at int64
	var phone, brand, plate, rcPublic string
	var named, owner, family, reception, rcOwner, rcNamed store.NullID
	err := sc.Scan(&e.ID, &e.UnitID, &e.CompanyID, &e.Book, &e.Kind, &e.AgentID, &received, &at,
		&e.Name, &phone, &brand, &plate, &named, &owner, &e.Public,
		&e.Company, &family, &reception, &e.Reception, &rcOwner, &rcNamed, &rcPublic)
	if err != nil {
		return e, err
	}
	e.ReceivedOn, _ = calendar.ParseDate(received)
	e.RegisteredAt = store.FromMicros(at)
	e.Named, e.Owner = named.ID, owner.ID
	if e.Named == 0 {
		e.Named = rcNamed.ID
	}
	if e.Owner == 0 {
		e.Owner = rcOwner.ID
	}
	if e.Public == "" {
		e.Public = rcPublic
	}
	if e.Reception == ReceptionCompany {
		e.Company = true
	}
	e.FamilyOf, e.ReceptionID = family.ID, reception.ID
	e.Identity = customer.IdentityOf(e.Name, phone, brand, plate)
	return e, nil
}

// loadAttrEntry reads one entry; apperr.NotFound(field) when there is none.
func loadAttrEntry(ctx context.Context, c store.Conn, id store.ID, field string) (attrEntry, error) {
	e, err := scanAttrEntry(c.QueryRow(ctx, `SELECT `+attrEntryColumns+attrEntryFrom+` WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, apperr.NotFound(field)
	}
	return e, err
}

// buildCase gathers what Attribute decides on for the entry: the earlier
// current entries of the same customer in the company (CUS-016, any agent),
// the family or group it is linked to, the conflict (the given one, or the
// latest on the entry) and the closed deal.
func (s *Service) buildCase(ctx context.Context, tx store.Conn, ce *centre, subj attrEntry, deal, conflict store.ID) (Case, store.ID, error) {
	c := Case{Subject: subj.Fact, Calendar: ce.Calendar, Today: zoneDay(s.now())}
	keys := ce.Pack.Customers.IdentityKeys
	prior, err := s.priorEntries(ctx, tx, subj)
	if err != nil {
		return c, 0, err
	}
	for _, p := range prior {
		if k := customer.SameParty(keys, subj.Identity, p.Identity); len(k) > 0 {
			p.Keys = k
			c.Prior = append(c.Prior, p.Fact)
		}
	}
	if c.Family, c.FamilyDealOn, err = familyOf(ctx, tx, subj); err != nil {
		return c, 0, err
	}
	if c.Claim, conflict, err = claimOf(ctx, tx, subj.ID, conflict); err != nil {
		return c, 0, err
	}
	// kefu told the agent when it found the conflict on her registration;
	// one it found later (on the correction of an earlier entry) is a
	// discovery on that day, like an agent's claim (SAL-018).
	if c.Claim != nil && c.Claim.ByKefu && zoneDay(c.Claim.RaisedAt) != zoneDay(subj.RegisteredAt) {
		c.Claim.ByKefu = false
	}
	if deal != 0 {
		if c.Deal, err = dealFacts(ctx, tx, deal); err != nil {
			return c, 0, err
		}
		if conflict != 0 {
			if c.Ruled, err = conflictRuling(ctx, tx, conflict); err != nil {
				return c, 0, err
			}
		}
	}
	return c, conflict, nil
}

// priorEntries are the current entries of the company registered before
// the subject that share a name, phone or plate with it (candidates; the
// pack's identity keys decide).
func (s *Service) priorEntries(ctx context.Context, tx store.Conn, subj attrEntry) ([]attrEntry, error) {
	all, err := sameCustomerCandidates(ctx, tx, subj.CompanyID, subj.ID, subj.Identity)
	return slices.DeleteFunc(all, func(e attrEntry) bool { return !e.RegisteredAt.Before(subj.RegisteredAt) }), err
}

// sameCustomerCandidates are the company's current entries other than
// exclude that share a normalised phone, name or plate with id, in the
// order of registration: the candidates the identity keys of CUS-016
// (customer.SameParty) then decide on.
func sameCustomerCandidates(ctx context.Context, tx store.Conn, company, exclude store.ID, id customer.Identity) ([]attrEntry, error) {
	if id.Name == "" && id.Phone == "" && id.Plate == "" {
		return nil, nil
	}
	return store.QueryAll(ctx, tx, scanAttrEntry, `SELECT `+attrEntryColumns+attrEntryFrom+`
		WHERE r.company_id = ? AND r.id <> ? AND`+notCorrected+`
		AND ((r.phone_key <> '' AND r.phone_key = ?) OR (r.name_key <> '' AND r.name_key = ?)
			OR (r.plate_key <> '' AND r.plate_key = ?))
		ORDER BY r.registered_at, r.id`, company, exclude, id.Phone, id.Name, id.Plate)
}

// familyMax bounds the walk of a family or group chain.
const familyMax = 200

// familyOf walks the family_of_id links from the entry both ways (SAL-009,
// SAL-016): the current entries linked to it, and the latest closed deal
// of any of them.
func familyOf(ctx context.Context, tx store.Conn, subj attrEntry) ([]Fact, *calendar.Date, error) {
	seen := map[store.ID]bool{subj.ID: true}
	queue := []store.ID{subj.ID}
	if subj.FamilyOf != 0 {
		seen[subj.FamilyOf] = true
		queue = append(queue, subj.FamilyOf)
	}
	var members []store.ID
	for len(queue) > 0 && len(seen) < familyMax {
		id := queue[0]
		queue = queue[1:]
		if id != subj.ID {
			members = append(members, id)
		}
		rows, err := store.QueryAll(ctx, tx, func(sc store.Scanner) ([2]store.NullID, error) {
			var v [2]store.NullID
			err := sc.Scan(&v[0], &v[1])
			return v, err
		}, `SELECT id, family_of_id FROM sales_registrations WHERE family_of_id = ? OR id = ?`, id, id)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range rows {
			for _, n := range r {
				if n.Valid && !seen[n.ID] {
					seen[n.ID] = true
					queue = append(queue, n.ID)
				}
			}
		}
	}
	if len(members) == 0 {
		return nil, nil, nil
	}
	slices.Sort(members)
	args := make([]any, len(members))
	for i, m := range members {
		args[i] = m
	}
	entries, err := store.QueryAll(ctx, tx, scanAttrEntry, `SELECT `+attrEntryColumns+attrEntryFrom+`
		WHERE r.id IN (`+store.Placeholders(len(members))+`) AND`+notCorrected+` ORDER BY r.registered_at, r.id`, args...)
	if err != nil {
		return nil, nil, err
	}
	var family []Fact
	for _, e := range entries {
		family = append(family, e.Fact)
	}
	var last string
	err = tx.QueryRow(ctx, `SELECT COALESCE(MAX(deal_on), '') FROM sales_deals WHERE state = ? AND registration_id IN (`+
		store.Placeholders(len(members))+`)`, append([]any{DealClosed}, args...)...).Scan(&last)
	if err != nil || last == "" {
		return family, nil, err
	}
	d, err := calendar.ParseDate(last)
	if err != nil {
		return family, nil, nil
	}
	return family, &d, nil
}

// claimOf reads the conflict on the entry: the given one, else the latest
// raised on it; nil and 0 when there is none.
func claimOf(ctx context.Context, tx store.Conn, entry, conflict store.ID) (*Claim, store.ID, error) {
	q := `SELECT id, raised_by, raised_at, referral, contact FROM sales_conflicts WHERE `
	args := []any{}
	if conflict != 0 {
		q += `id = ?`
		args = append(args, conflict)
	} else {
		q += `registration_id = ? ORDER BY raised_at DESC, id DESC LIMIT 1`
		args = append(args, entry)
	}
	var id store.ID
	var by store.NullID
	var at int64
	var cl Claim
	err := tx.QueryRow(ctx, q, args...).Scan(&id, &by, &at, &cl.Referral, &cl.Contact)
	if errors.Is(err, sql.ErrNoRows) {
		if conflict != 0 {
			return nil, 0, apperr.NotFound("conflict_id")
		}
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	cl.ByKefu, cl.RaisedAt = !by.Valid, store.FromMicros(at)
	return &cl, id, nil
}

// conflictRuling is the Sales Manager's ruling on a conflict's owner when
// the conflict's current decision is one (SAL-022); nil otherwise.
func conflictRuling(ctx context.Context, tx store.Conn, conflict store.ID) (*Ruled, error) {
	var kind, reason string
	var owner store.NullID
	err := tx.QueryRow(ctx, `SELECT kind, owner_agent_id, reason FROM sales_attributions
		WHERE conflict_id = ? AND deal_id IS NULL ORDER BY id DESC LIMIT 1`, conflict).Scan(&kind, &owner, &reason)
	if errors.Is(err, sql.ErrNoRows) || err == nil && kind != AttributionRuling {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &Ruled{Owner: owner.ID, Reason: reason}, nil
}

// dealFacts reads a closed deal's facts (SAL-019); nil while it is not one.
func dealFacts(ctx context.Context, tx store.Conn, deal store.ID) (*DealFacts, error) {
	var state, on string
	var d DealFacts
	var manual sql.NullInt64
	err := tx.QueryRow(ctx, `SELECT state, deal_on, closing_agent_id, commission_cents, manual_cents FROM sales_deals WHERE id = ?`, deal).
		Scan(&state, &on, &d.Closing, &d.Commission, &manual)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("deal_id")
	}
	if err != nil || state != DealClosed {
		return nil, err
	}
	if d.On, err = calendar.ParseDate(on); err != nil {
		return nil, nil
	}
	if manual.Valid {
		m := money.Yuan(manual.Int64)
		d.Manual = &m
	}
	return &d, nil
}
