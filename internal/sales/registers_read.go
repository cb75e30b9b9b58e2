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
	"kefu/internal/store"
)

// entryColumns are what scanEntry reads of sales_registrations r.
const entryColumns = `r.id, r.number, r.unit_id, r.book, r.kind, r.reception_id, r.agent_id, a.display_name, r.received_on,
	r.registered_at, r.due_at, r.late, r.customer_name, r.phone, r.employer_address, r.car_brand, r.car_plate,
	r.intention, r.info_source, r.visitors, r.named_agent_id, r.owner_agent_id, r.referred_by_id, r.family_of_id,
	r.relation, r.public_reason, r.company_referred, r.intent, r.intermediary, r.customer_id, r.corrects_id,
	r.correction_reason, r.note, COALESCE(v.verified_at, 0), COALESCE(vu.display_name, ''),
	(SELECT MAX(x.id) FROM sales_registrations x WHERE x.corrects_id = r.id)
	FROM sales_registrations r JOIN users a ON a.id = r.agent_id
	LEFT JOIN sales_verifications v ON v.registration_id = r.id LEFT JOIN users vu ON vu.id = v.verified_by`

// scanEntry reads a row of entryColumns.
func scanEntry(sc store.Scanner) (Registration, error) {
	var r Registration
	var reception, named, owner, referred, family, cust, corrects, correctedBy store.NullID
	var inter sql.NullInt64
	var received string
	var registered, due, verified int64
	err := sc.Scan(&r.ID, &r.Number, &r.UnitID, &r.Book, &r.Kind, &reception, &r.AgentID, &r.Agent, &received,
		&registered, &due, &r.Late, &r.CustomerName, &r.Phone, &r.EmployerAddress, &r.CarBrand, &r.CarPlate,
		&r.Intention, &r.InfoSource, &r.Visitors, &named, &owner, &referred, &family, &r.Relation, &r.PublicReason,
		&r.CompanyReferred, &r.Intent, &inter, &cust, &corrects, &r.CorrectionReason, &r.Note, &verified, &r.VerifiedBy,
		&correctedBy)
	if err != nil {
		return r, err
	}
	r.ReceptionID, r.NamedAgentID, r.OwnerAgentID, r.ReferredByID = reception.ID, named.ID, owner.ID, referred.ID
	r.FamilyOfID, r.CustomerID, r.CorrectsID, r.CorrectedByID = family.ID, cust.ID, corrects.ID, correctedBy.ID
	r.ReceivedOn, _ = calendar.ParseDate(received)
	r.RegisteredAt = store.FromMicros(registered)
	if due != 0 {
		r.DueAt = store.FromMicros(due)
	}
	if verified != 0 {
		r.VerifiedAt = store.FromMicros(verified)
	}
	if inter.Valid {
		b := inter.Int64 != 0
		r.Intermediary = &b
	}
	return r, nil
}

// readEntry reads an entry, with its conflicts when asked; no access
// check.
func (s *Service) readEntry(ctx context.Context, c store.Conn, id store.ID, conflicts bool) (Registration, error) {
	r, err := scanEntry(c.QueryRow(ctx, `SELECT `+entryColumns+` WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFound("id")
	}
	if err != nil || !conflicts {
		return r, err
	}
	r.Conflicts, err = store.QueryAll(ctx, c, scanConflict, `SELECT `+conflictColumns+`
		WHERE k.registration_id = ? OR k.prior_id = ? ORDER BY k.id`, id, id)
	return r, err
}

// canRead reports whether p may read an entry of the centre (SEC-003,
// SEC-005): her own; the whole register for its readers; the entries of
// a conflict or deal for a decider; in a leasing centre everybody but the
// agent and the custodian needs a current grant besides.
func (s *Service) canRead(ctx context.Context, c store.Conn, p *auth.Principal, ce *centre, r *Registration) (bool, error) {
	if p == nil || p.IsAdmin() || r.AgentID == p.UserID {
		return true, nil
	}
	pos, err := positionOf(ctx, c, p)
	if err != nil {
		return false, err
	}
	if isCustodian(p, pos, ce) {
		return true, nil
	}
	if ce.Mode == ModeLeasing {
		if ok, err := s.hasGrant(ctx, c, p, ce.UnitID); err != nil || !ok {
			return false, err
		}
	}
	if readsRegister(p, pos, ce) {
		return true, nil
	}
	if !isDecider(p, ce) {
		return false, nil
	}
	var n int64
	err = c.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM sales_conflicts WHERE registration_id = ? OR prior_id = ?)
		+ (SELECT COUNT(*) FROM sales_deals WHERE registration_id = ?)`, r.ID, r.ID, r.ID).Scan(&n)
	return n > 0, err
}

// readsWhole reports whether p reads the centre's whole register.
func (s *Service) readsWhole(ctx context.Context, c store.Conn, p *auth.Principal, ce *centre) (bool, error) {
	if p == nil || p.IsAdmin() {
		return true, nil
	}
	pos, err := positionOf(ctx, c, p)
	if err != nil {
		return false, err
	}
	if isCustodian(p, pos, ce) {
		return true, nil
	}
	if !readsRegister(p, pos, ce) {
		return false, nil
	}
	if ce.Mode == ModeLeasing {
		return s.hasGrant(ctx, c, p, ce.UnitID)
	}
	return true, nil
}

// audited records a read of register entries that are not p's own
// (SEC-001), or a refused attempt, in a transaction of its own.
func (s *Service) audited(ctx context.Context, p *auth.Principal, action, objectType, objectID string, changes any) error {
	return s.db.Tx(ctx, func(tx store.Conn) error {
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, s.now(), action, objectType, objectID, changes)
	})
}

// errRegister is the refusal to read an entry or the register.
func errRegister() error {
	return apperr.Forbidden(i18n.T("登记本仅限本人、项目经理和销售部经理查阅（SEC-003）",
		"the register is read by its agents for their own entries, the custodian and the Sales Department Manager (SEC-003)"))
}

// entryFor reads an entry and its centre if p may read it; a read of
// someone else's entry is audited, a refusal too.
func (s *Service) entryFor(ctx context.Context, p *auth.Principal, id store.ID, conflicts bool) (Registration, *centre, error) {
	c := s.db.Reader()
	r, err := s.readEntry(ctx, c, id, conflicts)
	if err != nil {
		return r, nil, err
	}
	ce, err := s.loadCentre(ctx, c, p, r.UnitID)
	if apperr.Is(err, apperr.CodeNotFound) {
		return Registration{}, nil, apperr.NotFound("id")
	}
	if err != nil {
		return Registration{}, nil, err
	}
	ok, err := s.canRead(ctx, c, p, ce, &r)
	if err != nil {
		return Registration{}, nil, err
	}
	if !ok {
		if err := s.audited(ctx, p, "sales.registration.denied", "sales_registration", id.String(), nil); err != nil {
			return Registration{}, nil, err
		}
		return Registration{}, nil, errRegister()
	}
	if p != nil && r.AgentID != p.UserID {
		if err := s.audited(ctx, p, "sales.registration.view", "sales_registration", id.String(),
			map[string]any{"number": r.Number}); err != nil {
			return Registration{}, nil, err
		}
	}
	return r, ce, nil
}

// GetRegistration reads one entry with its conflicts, if p may see it
// (SEC-003: her own, the whole register for viewers, the entries of a
// conflict or deal for a decider); every read by someone other than the
// agent is audited (SEC-001).
func (s *Service) GetRegistration(ctx context.Context, p *auth.Principal, id store.ID) (Registration, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return Registration{}, err
	}
	r, _, err := s.entryFor(ctx, p, id, true)
	return r, err
}

// Registrations lists register entries (current versions unless
// f.History) in p's sight, newest first, keyset-paged.
//
// Readers of the whole register see every entry; an agent of the centre
// sees her own; anybody else is refused the book (SEC-003), and the
// attempt is audited. A page holding others' entries is audited as one
// read with their ids.
func (s *Service) Registrations(ctx context.Context, p *auth.Principal, f RegistrationFilter) ([]Registration, store.ID, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return nil, 0, err
	}
	if f.UnitID == 0 {
		return nil, 0, apperr.Required("unit_id")
	}
	limit, err := apperr.PageLimit(f.Limit)
	if err != nil {
		return nil, 0, err
	}
	c := s.db.Reader()
	ce, err := s.loadCentre(ctx, c, p, f.UnitID)
	if err != nil {
		return nil, 0, err
	}
	whole, err := s.readsWhole(ctx, c, p, ce)
	if err != nil {
		return nil, 0, err
	}
	where := []string{"r.unit_id = ?"}
	args := []any{f.UnitID}
	if !whole {
		var n int64
		if err := c.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM sales_rotation_members WHERE unit_id = ? AND user_id = ?)
			+ (SELECT COUNT(*) FROM sales_registrations WHERE unit_id = ? AND agent_id = ?)`, f.UnitID, p.UserID,
			f.UnitID, p.UserID).Scan(&n); err != nil {
			return nil, 0, err
		}
		if n == 0 || f.AgentID != 0 && f.AgentID != p.UserID {
			if err := s.audited(ctx, p, "sales.registration.denied", "sales_register", f.UnitID.String(), nil); err != nil {
				return nil, 0, err
			}
			return nil, 0, errRegister()
		}
		f.AgentID = p.UserID
	}
	if f.Book != "" {
		where, args = append(where, "r.book = ?"), append(args, f.Book)
	}
	if f.AgentID != 0 {
		where, args = append(where, "r.agent_id = ?"), append(args, f.AgentID)
	}
	if !f.From.IsZero() {
		where, args = append(where, "r.received_on >= ?"), append(args, f.From.String())
	}
	if !f.To.IsZero() {
		where, args = append(where, "r.received_on <= ?"), append(args, f.To.String())
	}
	if q := strings.NewReplacer("%", "", "_", "", "\\", "").Replace(strings.TrimSpace(f.Q)); q != "" {
		like := "%" + q + "%"
		where = append(where, "(r.customer_name LIKE ? OR r.phone LIKE ? OR r.car_plate LIKE ? OR r.phone_key LIKE ?)")
		args = append(args, like, like, like, like)
	}
	if f.Unverified {
		where = append(where, "v.id IS NULL")
	}
	if f.Late {
		where = append(where, "r.late = 1")
	}
	if !f.History {
		where = append(where, notCorrected)
	}
	if f.After != 0 {
		where, args = append(where, "r.id < ?"), append(args, f.After)
	}
	args = append(args, limit)
	out, err := store.QueryAll(ctx, c, scanEntry, `SELECT `+entryColumns+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY r.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, 0, err
	}
	var others []string
	for _, r := range out {
		if p != nil && r.AgentID != p.UserID {
			others = append(others, r.ID.String())
		}
	}
	if len(others) > 0 {
		if err := s.audited(ctx, p, "sales.registration.view", "sales_register", f.UnitID.String(),
			map[string]any{"ids": strings.Join(others, ",")}); err != nil {
			return nil, 0, err
		}
	}
	var next store.ID
	if len(out) == limit {
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

// History is the chain of an entry's corrections, oldest first.
func (s *Service) History(ctx context.Context, p *auth.Principal, id store.ID) ([]Registration, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return nil, err
	}
	r, _, err := s.entryFor(ctx, p, id, false)
	if err != nil {
		return nil, err
	}
	c := s.db.Reader()
	chain := []Registration{r}
	for at := r; at.CorrectsID != 0; {
		if at, err = s.readEntry(ctx, c, at.CorrectsID, false); err != nil {
			return nil, err
		}
		chain = append([]Registration{at}, chain...)
	}
	for at := r; at.CorrectedByID != 0; {
		if at, err = s.readEntry(ctx, c, at.CorrectedByID, false); err != nil {
			return nil, err
		}
		chain = append(chain, at)
	}
	return chain, nil
}

// Verify records the Project Manager's verification of an entry (SAL-006):
// the custodian only; once.
func (s *Service) Verify(ctx context.Context, p *auth.Principal, id store.ID, note string) (Registration, error) {
	if err := need(p, auth.PermSalesManage); err != nil {
		return Registration{}, err
	}
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		r, err := s.readEntry(ctx, tx, id, false)
		if err != nil {
			return err
		}
		ce, err := s.loadCentre(ctx, tx, p, r.UnitID)
		if apperr.Is(err, apperr.CodeNotFound) {
			return apperr.NotFound("id")
		}
		if err != nil {
			return err
		}
		pos, err := positionOf(ctx, tx, p)
		if err != nil {
			return err
		}
		if !isCustodian(p, pos, ce) {
			return apperr.Forbidden(i18n.T("只有项目经理核实登记（SAL-006）", "only the Project Manager verifies entries (SAL-006)"))
		}
		if !r.VerifiedAt.IsZero() {
			return apperr.Conflict("id", i18n.T("该登记已核实", "the entry is verified already"))
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `INSERT INTO sales_verifications (registration_id, verified_by, verified_at, note)
			VALUES (?, ?, ?, ?)`, id, p.UserRef(), store.Micros(now), strings.TrimSpace(note)); err != nil {
			return err
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "sales.registration.verify", "sales_registration",
			id.String(), map[string]any{"note": strings.TrimSpace(note)})
	})
	if err != nil {
		return Registration{}, err
	}
	return s.readEntry(ctx, s.db.Reader(), id, true)
}
