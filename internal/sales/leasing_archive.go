package sales

import (
	"context"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// CreateArchiveForm files a customer archive form (SAL-028).
func (s *Service) CreateArchiveForm(ctx context.Context, p *auth.Principal, in ArchiveFormInput) (ArchiveForm, error) {
	if err := need(p, auth.PermSalesReceive); err != nil {
		return ArchiveForm{}, err
	}
	if p == nil {
		return ArchiveForm{}, apperr.Forbidden(i18n.T("须由招商经理本人建档", "the leasing manager files her own forms"))
	}
	content, err := cleanText("content", in.Content, 20000, true)
	if err != nil {
		return ArchiveForm{}, err
	}
	name, err := cleanText("customer_name", in.CustomerName, 100, false)
	if err != nil {
		return ArchiveForm{}, err
	}
	now := s.now()
	var out ArchiveForm
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		ce, err := s.leasingCentre(ctx, tx, p, in.UnitID)
		if err != nil {
			return err
		}
		if in.RegistrationID != 0 {
			var agent store.ID
			var entryName, book string
			err := tx.QueryRow(ctx, `SELECT agent_id, customer_name, book FROM sales_registrations WHERE id = ? AND unit_id = ?`,
				in.RegistrationID, ce.UnitID).Scan(&agent, &entryName, &book)
			if err != nil || book != BookLeasing || agent != p.UserID {
				// Somebody else's entry is not shown to exist (SEC-005).
				return apperr.NotFound("registration_id")
			}
			if name == "" {
				name = entryName
			}
		}
		if name == "" {
			return apperr.Required("customer_name")
		}
		number, err := nextNumber(ctx, tx, seqArchiveForm, ce.CompanyID, now)
		if err != nil {
			return err
		}
		var id store.ID
		if err := tx.QueryRow(ctx, `INSERT INTO sales_archive_forms (number, unit_id, company_id, agent_id, registration_id,
			customer_name, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, number, ce.UnitID, ce.CompanyID,
			p.UserID, store.OptionalID(in.RegistrationID), name, FormFollowing, store.Micros(now)).Scan(&id); err != nil {
			return err
		}
		if _, err := insertArchiveUpdate(ctx, tx, id, "", nil, now, false, content, p); err != nil {
			return err
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "sales.archive_form.create", "sales_archive_form",
			id.String(), map[string]any{"number": number, "unit_id": ce.UnitID, "customer_name": name}); err != nil {
			return err
		}
		out, err = s.archiveForm(ctx, tx, id)
		return err
	})
	return out, err
}

// SendArchiveUpdate sends the month's update, due on the last day of the
// month (a fixed date, CAL-015); late proposes MER-013.
func (s *Service) SendArchiveUpdate(ctx context.Context, p *auth.Principal, id store.ID, in ArchiveFormInput) (ArchiveForm, error) {
	if err := need(p, auth.PermSalesReceive); err != nil {
		return ArchiveForm{}, err
	}
	content, err := cleanText("content", in.Content, 20000, true)
	if err != nil {
		return ArchiveForm{}, err
	}
	first, err := monthStart("month", in.Month)
	if err != nil {
		return ArchiveForm{}, err
	}
	now := s.now()
	if first.After(zoneDay(now)) {
		return ArchiveForm{}, apperr.Validation("month", i18n.T("不能报送未来月份", "cannot send a month still to come"))
	}
	_, dueOn, _ := calendar.PeriodOf(calendar.PeriodMonth, first) // SAL-028: the month's last day
	var out ArchiveForm
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		f, _, err := s.ownForm(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if f.State != FormFollowing {
			return apperr.Conflict("state", i18n.T("档案表已归档", "the form has been archived"))
		}
		var n int64
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM sales_archive_updates WHERE form_id = ? AND month = ?`,
			id, in.Month).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.Conflict("month", i18n.T("%[1]s 的更新已报送", "the update of %[1]s has already been sent", in.Month))
		}
		// Late once the fixed date has passed (CAL-015 (c)): after the end
		// of the month's last day.
		late := !now.Before(dueOn.AddDays(1).Midnight(store.Zone))
		upd, err := insertArchiveUpdate(ctx, tx, id, in.Month, &dueOn, now, late, content, p)
		if err != nil {
			return err
		}
		if late && s.merits != nil {
			// The source of the proposal is the late update (one per month).
			if err := s.merits.Propose(ctx, tx, policy.EventSalesFormLate, map[string]any{"user_id": f.AgentID,
				"archive_form_id": id, "archive_update_id": upd, "month": in.Month, "id": upd,
				"number": f.Number + " " + in.Month}); err != nil {
				return err
			}
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "sales.archive_form.update", "sales_archive_form",
			id.String(), map[string]any{"month": in.Month, "due_on": dueOn.String(), "late": late}); err != nil {
			return err
		}
		out, err = s.archiveForm(ctx, tx, id)
		return err
	})
	return out, err
}

// CloseArchiveForm archives the complete form of a closed deal, or files a
// lost customer in the unclosed archive; retained RetentionYears.
func (s *Service) CloseArchiveForm(ctx context.Context, p *auth.Principal, id store.ID, in ArchiveFormInput) (ArchiveForm, error) {
	if err := need(p, auth.PermSalesReceive); err != nil {
		return ArchiveForm{}, err
	}
	if in.Outcome != FormClosed && in.Outcome != FormUnclosed {
		return ArchiveForm{}, apperr.Validation("outcome", i18n.T("须为 closed（成交归档）或 unclosed（未成交档案）",
			"must be closed (deal archived) or unclosed (unclosed customer archive)"))
	}
	content, err := cleanText("content", in.Content, 20000, false)
	if err != nil {
		return ArchiveForm{}, err
	}
	now := s.now()
	var out ArchiveForm
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		f, ce, err := s.ownForm(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if f.State != FormFollowing {
			return apperr.Conflict("state", i18n.T("档案表已归档", "the form has been archived"))
		}
		closed := zoneDay(now)
		retain := closed.AddMonths(12 * ce.Rules.Leasing.RetentionYears)
		if _, err := tx.Exec(ctx, `UPDATE sales_archive_forms SET state = ?, closed_on = ?, retain_until = ? WHERE id = ?`,
			in.Outcome, closed.String(), retain.String(), id); err != nil {
			return err
		}
		if _, err := insertArchiveUpdate(ctx, tx, id, "", nil, now, false, content, p); err != nil {
			return err
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "sales.archive_form.close", "sales_archive_form",
			id.String(), map[string]any{"outcome": in.Outcome, "closed_on": closed.String(), "retain_until": retain.String()}); err != nil {
			return err
		}
		out, err = s.archiveForm(ctx, tx, id)
		return err
	})
	return out, err
}

// GetArchiveForm reads one with its updates.
func (s *Service) GetArchiveForm(ctx context.Context, p *auth.Principal, id store.ID) (ArchiveForm, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return ArchiveForm{}, err
	}
	var out ArchiveForm
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		f, err := s.archiveForm(ctx, tx, id)
		if err != nil {
			return err
		}
		ce, err := s.leasingCentre(ctx, tx, p, f.UnitID)
		if err != nil {
			return apperr.NotFound("archive_form")
		}
		if p != nil && f.AgentID == p.UserID {
			out = f
			return nil
		}
		all, err := s.seesLeasingAll(ctx, tx, p, ce)
		if err != nil {
			return err
		}
		if !all {
			return apperr.NotFound("archive_form")
		}
		out = f
		// Every view of another manager's archive is logged (SEC-001).
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, s.now(), "sales.archive_form.view", "sales_archive_form",
			id.String(), map[string]any{"agent_id": f.AgentID})
	})
	return out, err
}

// ArchiveForms lists a centre's forms.
func (s *Service) ArchiveForms(ctx context.Context, p *auth.Principal, unit store.ID, state string) ([]ArchiveForm, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return nil, err
	}
	if state != "" && state != FormFollowing && state != FormClosed && state != FormUnclosed {
		return nil, apperr.Validation("state", i18n.T("须为 following、closed 或 unclosed", "must be following, closed or unclosed"))
	}
	c := s.db.Reader()
	ce, err := s.leasingCentre(ctx, c, p, unit)
	if err != nil {
		return nil, err
	}
	q, args := archiveColumns+` WHERE f.unit_id = ?`, []any{ce.UnitID}
	if state != "" {
		q, args = q+` AND f.state = ?`, append(args, state)
	}
	all, err := s.seesLeasingAll(ctx, c, p, ce)
	if err != nil {
		return nil, err
	}
	if !all {
		q, args = q+` AND f.agent_id = ?`, append(args, p.UserID)
	}
	items, err := store.QueryAll(ctx, c, scanArchiveForm, q+` ORDER BY f.id DESC LIMIT 1000`, args...)
	if err != nil {
		return nil, err
	}
	for i := range items {
		if err := s.fillNextDue(ctx, c, &items[i]); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// ownForm reads a form the caller may send or close: her own, or any of
// the centre for its custodian (the General Services keeper).
func (s *Service) ownForm(ctx context.Context, tx store.Conn, p *auth.Principal, id store.ID) (ArchiveForm, *centre, error) {
	f, err := s.archiveForm(ctx, tx, id)
	if err != nil {
		return f, nil, err
	}
	ce, err := s.leasingCentre(ctx, tx, p, f.UnitID)
	if err != nil {
		return f, nil, apperr.NotFound("archive_form")
	}
	if p != nil && f.AgentID != p.UserID {
		pos, err := positionOf(ctx, tx, p)
		if err != nil {
			return f, nil, err
		}
		if !isCustodian(p, pos, ce) {
			return f, nil, apperr.NotFound("archive_form")
		}
	}
	return f, ce, nil
}

const archiveColumns = `SELECT f.id, f.number, f.unit_id, f.agent_id, u.display_name, f.registration_id, f.customer_name,
	f.state, f.created_at, f.closed_on, f.retain_until FROM sales_archive_forms f JOIN users u ON u.id = f.agent_id`

func scanArchiveForm(r store.Scanner) (ArchiveForm, error) {
	var f ArchiveForm
	var reg store.NullID
	var created int64
	var closed, retain string
	if err := r.Scan(&f.ID, &f.Number, &f.UnitID, &f.AgentID, &f.Agent, &reg, &f.CustomerName, &f.State, &created,
		&closed, &retain); err != nil {
		return f, err
	}
	f.RegistrationID, f.CreatedAt = reg.ID, store.FromMicros(created)
	f.ClosedOn, f.RetainUntil = optionalDay(closed), optionalDay(retain)
	return f, nil
}

// archiveForm reads a form with its updates, whoever asks.
func (s *Service) archiveForm(ctx context.Context, c store.Conn, id store.ID) (ArchiveForm, error) {
	items, err := store.QueryAll(ctx, c, scanArchiveForm, archiveColumns+` WHERE f.id = ?`, id)
	if err != nil {
		return ArchiveForm{}, err
	}
	if len(items) == 0 {
		return ArchiveForm{}, apperr.NotFound("archive_form")
	}
	f := items[0]
	f.Updates, err = store.QueryAll(ctx, c, func(r store.Scanner) (ArchiveUpdate, error) {
		var u ArchiveUpdate
		var due string
		var sent, late int64
		if err := r.Scan(&u.ID, &u.Month, &due, &sent, &late, &u.Content); err != nil {
			return u, err
		}
		u.DueOn, u.SentAt, u.Late = optionalDay(due), store.FromMicros(sent), late != 0
		return u, nil
	}, `SELECT id, month, due_on, sent_at, late, content FROM sales_archive_updates WHERE form_id = ? ORDER BY id`, id)
	if err != nil {
		return f, err
	}
	return f, s.fillNextDue(ctx, c, &f)
}

// fillNextDue sets the last day of the month whose update is due next: the
// month after the last one sent, else the month the form was filed in.
func (s *Service) fillNextDue(ctx context.Context, c store.Conn, f *ArchiveForm) error {
	f.NextDue = nil
	if f.State != FormFollowing {
		return nil
	}
	var last string
	if err := c.QueryRow(ctx, `SELECT COALESCE(MAX(month), '') FROM sales_archive_updates WHERE form_id = ?`, f.ID).
		Scan(&last); err != nil {
		return err
	}
	first := zoneDay(f.CreatedAt)
	first = calendar.Date{Year: first.Year, Month: first.Month, Day: 1}
	if m, err := monthStart("month", last); err == nil {
		first = m.AddMonths(1)
	}
	_, due, _ := calendar.PeriodOf(calendar.PeriodMonth, first)
	f.NextDue = &due
	return nil
}

// insertArchiveUpdate appends one sending of the form (SEC-002).
func insertArchiveUpdate(ctx context.Context, tx store.Conn, form store.ID, month string, due *calendar.Date,
	now time.Time, late bool, content string, p *auth.Principal) (store.ID, error) {
	dueOn := ""
	if due != nil {
		dueOn = due.String()
	}
	var id store.ID
	err := tx.QueryRow(ctx, `INSERT INTO sales_archive_updates (form_id, month, due_on, sent_at, late, content, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, form, month, dueOn, store.Micros(now), flag01(late), content,
		p.UserRef()).Scan(&id)
	return id, err
}
