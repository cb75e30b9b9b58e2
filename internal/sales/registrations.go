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
	"kefu/internal/calendar"
	"kefu/internal/customer"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Register appends a register entry (SAL-006, SAL-007, SAL-014, SAL-025)
// or a correction of one (SEC-002: a new entry referencing the old, with
// a reason). It computes the same-day due time on the pack's calendar and
// marks late entries, and finds the earlier entries of the same customer
// by the identity keys (CUS-016) in the company: each is a conflict raised
// by kefu, so the agent knows at once (SAL-015), with its attribution.
//
// A correction keeps the registration time, due time and lateness of the
// entry it corrects: the registration it records was made then (SAL-022:
// the first registration wins by its timestamp).
func (s *Service) Register(ctx context.Context, p *auth.Principal, in RegistrationInput) (Registration, error) {
	if err := need(p, auth.PermSalesReceive); err != nil {
		return Registration{}, err
	}
	if in.UnitID == 0 {
		return Registration{}, apperr.Required("unit_id")
	}
	trimEntry(&in)
	if in.Visitors == 0 {
		in.Visitors = 1
	}
	if in.Visitors < 0 || in.Visitors > 500 {
		return Registration{}, apperr.Validation("visitors", i18n.T("来访人数须在 1 至 500 之间", "visitors must be 1 to 500"))
	}
	var received calendar.Date
	if in.ReceivedOn != "" {
		d, err := calendar.ParseDate(in.ReceivedOn)
		if err != nil {
			return Registration{}, apperr.Validation("received_on", i18n.T("须为 YYYY-MM-DD 日期", "must be a date YYYY-MM-DD"))
		}
		received = d
	}
	id := customer.IdentityOf(in.CustomerName, in.Phone, in.CarBrand, in.CarPlate)
	if id.Name == "" && id.Phone == "" {
		return Registration{}, apperr.Validation("customer_name", i18n.T("至少需要一个识别要素：姓名或电话（车牌须连同姓名）",
			"at least one identity key is needed: the name or the phone (a plate goes with the name)"))
	}
	if in.CorrectsID != 0 && in.CorrectionReason == "" {
		return Registration{}, apperr.Required("correction_reason")
	}
	if in.CorrectsID == 0 {
		in.CorrectionReason = ""
	}
	now := s.now()
	var entry store.ID
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		ce, err := s.loadCentre(ctx, tx, p, in.UnitID)
		if err != nil {
			return err
		}
		if err := checkBook(ce, &in); err != nil {
			return err
		}
		if in.InfoSource != "" && !slices.ContainsFunc(ce.Rules.InfoSources, func(o policy.SalesOption) bool { return o.Key == in.InfoSource }) {
			return apperr.Validation("info_source", i18n.T("信息来源不在本案场的选项中", "not an information source of the pack"))
		}
		pos, err := positionOf(ctx, tx, p)
		if err != nil {
			return err
		}
		custodian := isCustodian(p, pos, ce)
		row := entryRow{RegisteredAt: now, CreatedAt: now}
		var old *Registration
		if in.CorrectsID != 0 {
			o, err := s.currentEntry(ctx, tx, ce, in.CorrectsID)
			if err != nil {
				return err
			}
			if o.AgentID != principalID(p) && !custodian {
				return apperr.Forbidden(i18n.T("只有登记的售楼员或项目经理可以更正登记", "only the entry's agent or the custodian corrects it"))
			}
			old = o
			if in.AgentID == 0 {
				in.AgentID = o.AgentID
			}
			row.RegisteredAt, row.DueAt, row.Late = o.RegisteredAt, o.DueAt, o.Late
		}
		if in.AgentID == 0 {
			in.AgentID = principalID(p)
		}
		if in.AgentID == 0 {
			return apperr.Required("agent_id")
		}
		if in.AgentID != principalID(p) && !custodian {
			return apperr.Forbidden(i18n.T("只能登记自己接待的客户", "you may only register your own customers"))
		}
		if err := checkAgent(ctx, tx, ce, in.AgentID, "agent_id"); err != nil {
			return err
		}
		var rec *Reception
		if in.ReceptionID != 0 {
			r, err := s.receptionOfAgent(ctx, tx, ce, in, old)
			if err != nil {
				return err
			}
			rec = &r
			if received.IsZero() {
				received = zoneDay(r.StartedAt)
			}
			in.NamedAgentID = r.NamedAgentID
			row.OwnerAgentID, row.PublicReason = r.OwnerAgentID, r.PublicReason
			in.CompanyReferred = in.CompanyReferred || r.Kind == ReceptionCompany
		}
		if received.IsZero() {
			received = zoneDay(now)
		}
		if err := s.checkRefs(ctx, tx, ce, in); err != nil {
			return err
		}
		if old == nil {
			start := received.Midnight(store.Zone)
			if rec != nil {
				start = rec.StartedAt
			}
			due, err := ce.Calendar.Deadline(start, ce.Rules.RegistrationLimit)
			if err != nil {
				return apperr.Validation("received_on", i18n.T("无法计算登记期限", "the registration deadline cannot be computed"))
			}
			row.DueAt, row.Late = due.At, now.After(due.At)
		}
		number, err := nextNumber(ctx, tx, seqEntry, ce.CompanyID, now)
		if err != nil {
			return err
		}
		entry, err = s.insertEntry(ctx, tx, p, ce, in, row, number, received, id)
		if err != nil {
			return err
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "sales.registration.create", "sales_registration",
			entry.String(), map[string]any{"number": number, "book": in.Book, "agent_id": in.AgentID,
				"corrects_id": in.CorrectsID, "correction_reason": in.CorrectionReason, "late": row.Late}); err != nil {
			return err
		}
		return s.findConflicts(ctx, tx, ce, entry)
	})
	if err != nil {
		return Registration{}, err
	}
	return s.readEntry(ctx, s.db.Reader(), entry, true)
}

// trimEntry trims the text fields of an entry.
func trimEntry(in *RegistrationInput) {
	for _, f := range []*string{&in.Book, &in.Kind, &in.ReceivedOn, &in.CustomerName, &in.Phone, &in.EmployerAddress,
		&in.CarBrand, &in.CarPlate, &in.Intention, &in.InfoSource, &in.Relation, &in.CorrectionReason, &in.Note} {
		*f = strings.TrimSpace(*f)
	}
}

// checkBook settles the book and kind of an entry by the centre's mode: a
// sales centre keeps the visitor and phone registers, a leasing centre the
// registration form, which must say whether an intermediary is involved
// (SAL-027).
func checkBook(ce *centre, in *RegistrationInput) error {
	if in.Book == "" {
		switch {
		case ce.Mode == ModeLeasing:
			in.Book = BookLeasing
		case in.Kind == EntryPhone:
			in.Book = BookPhone
		default:
			in.Book = BookVisit
		}
	}
	if !slices.Contains(Books, in.Book) {
		return apperr.Validation("book", i18n.T("登记本须为 %[1]s 之一", "book must be one of %[1]s", strings.Join(Books, ", ")))
	}
	if (ce.Mode == ModeLeasing) != (in.Book == BookLeasing) {
		return apperr.Validation("book", i18n.T("招商租赁案场使用客户信息登记表，售楼处使用来访或电话登记本",
			"a leasing centre keeps the leasing form, a sales office the visit and phone registers"))
	}
	if in.Kind == "" {
		switch in.Book {
		case BookPhone:
			in.Kind = EntryPhone
		default:
			in.Kind = EntryVisit
		}
	}
	allowed := map[string][]string{BookVisit: {EntryVisit, EntryReferral}, BookPhone: {EntryPhone},
		BookLeasing: {EntryVisit, EntryPhone, EntrySelf, EntryReferral}}[in.Book]
	if !slices.Contains(allowed, in.Kind) {
		return apperr.Validation("kind", i18n.T("此登记本的登记类型须为 %[1]s 之一", "kind must be one of %[1]s for this book",
			strings.Join(allowed, ", ")))
	}
	if in.Book == BookLeasing {
		if in.Intermediary == nil {
			return apperr.Validation("intermediary", i18n.T("须注明有无中介（SAL-027）",
				"say whether an intermediary is involved (SAL-027)"))
		}
	} else {
		in.Intermediary = nil
	}
	return nil
}

// receptionOfAgent reads the reception an entry records: the agent's, at
// this centre, not registered yet unless the entry corrects its entry.
func (s *Service) receptionOfAgent(ctx context.Context, tx store.Conn, ce *centre, in RegistrationInput,
	old *Registration) (Reception, error) {
	var unit store.ID
	err := tx.QueryRow(ctx, `SELECT unit_id FROM sales_receptions WHERE id = ?`, in.ReceptionID).Scan(&unit)
	if errors.Is(err, sql.ErrNoRows) || err == nil && unit != ce.UnitID {
		return Reception{}, apperr.NotFound("reception_id")
	}
	if err != nil {
		return Reception{}, err
	}
	r, err := s.readReception(ctx, tx, ce, in.ReceptionID)
	if err != nil {
		return r, err
	}
	if r.AgentID != in.AgentID {
		return r, apperr.Validation("reception_id", i18n.T("这不是该售楼员的接待", "not a reception of this agent"))
	}
	if r.RegistrationID != 0 && (old == nil || old.ReceptionID != r.ID) {
		return r, apperr.Conflict("reception_id", i18n.T("该接待已登记，更正请引用原登记",
			"the reception is registered already; correct its entry instead"))
	}
	return r, nil
}

// checkRefs checks the entries and the customer an entry refers to: of the
// same company.
func (s *Service) checkRefs(ctx context.Context, tx store.Conn, ce *centre, in RegistrationInput) error {
	for _, r := range []struct {
		field string
		id    store.ID
	}{{"referred_by_id", in.ReferredByID}, {"family_of_id", in.FamilyOfID}} {
		if r.id == 0 {
			continue
		}
		var n int64
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM sales_registrations WHERE id = ? AND company_id = ?`,
			r.id, ce.CompanyID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return apperr.NotFound(r.field)
		}
	}
	if in.NamedAgentID != 0 {
		if err := checkAgent(ctx, tx, ce, in.NamedAgentID, "named_agent_id"); err != nil {
			return err
		}
	}
	if in.CustomerID != 0 {
		var n int64
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM customers WHERE id = ?`, in.CustomerID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return apperr.NotFound("customer_id")
		}
	}
	return nil
}

// entryRow is what Register computes besides the input.
type entryRow struct {
	RegisteredAt, DueAt, CreatedAt time.Time
	Late                           bool
	OwnerAgentID                   store.ID
	PublicReason                   string
}

// insertEntry appends the entry.
func (s *Service) insertEntry(ctx context.Context, tx store.Conn, p *auth.Principal, ce *centre, in RegistrationInput,
	row entryRow, number string, received calendar.Date, id customer.Identity) (store.ID, error) {
	var inter any
	if in.Intermediary != nil {
		inter = flag01(*in.Intermediary)
	}
	return tx.InsertID(ctx, `INSERT INTO sales_registrations (number, unit_id, company_id, book, kind, reception_id,
		agent_id, received_on, registered_at, due_at, late, customer_name, name_key, phone, phone_key, employer_address,
		car_brand, car_plate, plate_key, intention, info_source, visitors, named_agent_id, owner_agent_id, referred_by_id,
		family_of_id, relation, public_reason, company_referred, intent, intermediary, customer_id, corrects_id,
		correction_reason, note, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`,
		number, ce.UnitID, ce.CompanyID, in.Book, in.Kind, store.OptionalID(in.ReceptionID), in.AgentID, received.String(),
		store.Micros(row.RegisteredAt), store.Micros(row.DueAt), flag01(row.Late), in.CustomerName, id.Name, in.Phone, id.Phone,
		in.EmployerAddress, in.CarBrand, in.CarPlate, id.Plate, in.Intention, in.InfoSource, in.Visitors,
		store.OptionalID(in.NamedAgentID), store.OptionalID(row.OwnerAgentID), store.OptionalID(in.ReferredByID),
		store.OptionalID(in.FamilyOfID), in.Relation, row.PublicReason, flag01(in.CompanyReferred), flag01(in.Intent), inter,
		store.OptionalID(in.CustomerID), store.OptionalID(in.CorrectsID), in.CorrectionReason, in.Note, p.UserRef(),
		store.Micros(row.CreatedAt))
}

// currentEntry reads an entry of the centre that no later entry corrects.
func (s *Service) currentEntry(ctx context.Context, tx store.Conn, ce *centre, id store.ID) (*Registration, error) {
	r, err := s.readEntry(ctx, tx, id, false)
	if apperr.Is(err, apperr.CodeNotFound) || err == nil && r.UnitID != ce.UnitID {
		return nil, apperr.NotFound("corrects_id")
	}
	if err != nil {
		return nil, err
	}
	if r.CorrectedByID != 0 {
		return nil, apperr.Conflict("corrects_id", i18n.T("该登记已被更正，请更正最新的登记",
			"the entry has been corrected; correct its latest version"))
	}
	return &r, nil
}

// findConflicts raises a conflict between the entry and every current
// entry of another agent in the company that matches it on an identity
// key (CUS-016), the earlier entry being the prior, and computes its
// attribution.
func (s *Service) findConflicts(ctx context.Context, tx store.Conn, ce *centre, entry store.ID) error {
	e, err := s.readEntry(ctx, tx, entry, false)
	if err != nil {
		return err
	}
	mine := customer.IdentityOf(e.CustomerName, e.Phone, e.CarBrand, e.CarPlate)
	cands, err := sameCustomerCandidates(ctx, tx, ce.CompanyID, entry, mine)
	if err != nil {
		return err
	}
	now := s.now()
	for _, c := range cands {
		keys := customer.SameParty(ce.Pack.Customers.IdentityKeys, mine, c.Identity)
		if len(keys) == 0 || c.AgentID == e.AgentID {
			continue
		}
		later, prior := entry, c.ID
		if c.RegisteredAt.After(e.RegisteredAt) || c.RegisteredAt.Equal(e.RegisteredAt) && c.ID > entry {
			later, prior = c.ID, entry
		}
		var n int64
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM sales_conflicts WHERE registration_id = ? AND prior_id = ?`,
			later, prior).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		conflict, err := s.insertConflict(ctx, tx, ce, later, prior, keys, false, nil, "", now)
		if err != nil {
			return err
		}
		if _, err := s.decide(ctx, tx, ce, later, 0, conflict); err != nil {
			return err
		}
	}
	return nil
}
