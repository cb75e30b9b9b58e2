package sales

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Submit sends a leasing manager's day to General Services (SAL-025): due
// at the end of work that day on the leasing calendar, or 10:00 the next
// day with a special-case reason (G-55); late proposes MER-013. Entries of
// the leasing book must say with or without an intermediary (SAL-027).
func (s *Service) Submit(ctx context.Context, p *auth.Principal, in SubmissionInput) (Submission, error) {
	if err := need(p, auth.PermSalesReceive); err != nil {
		return Submission{}, err
	}
	if p == nil {
		return Submission{}, apperr.Forbidden(i18n.T("须由招商经理本人报送", "the leasing manager submits her own day"))
	}
	day, err := leaseDate("day", in.Day)
	if err != nil {
		return Submission{}, err
	}
	reason, err := cleanText("special_reason", in.SpecialReason, 500, false)
	if err != nil {
		return Submission{}, err
	}
	now := s.now()
	if day.After(zoneDay(now)) {
		return Submission{}, apperr.Validation("day", i18n.T("不能报送未来的日期", "cannot submit a day in the future"))
	}
	var out Submission
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		ce, err := s.leasingCentre(ctx, tx, p, in.UnitID)
		if err != nil {
			return err
		}
		entries, err := store.QueryAll(ctx, tx, func(r store.Scanner) (leasingEntry, error) {
			var e leasingEntry
			return e, r.Scan(&e.Number, &e.Intermediary)
		}, `SELECT r.number, r.intermediary FROM sales_registrations r
			WHERE r.unit_id = ? AND r.book = ? AND r.agent_id = ? AND r.received_on = ?`+` AND`+notCorrected+`
			ORDER BY r.registered_at, r.id`, ce.UnitID, BookLeasing, p.UserID, day.String())
		if err != nil {
			return err
		}
		for _, e := range entries {
			if !e.Intermediary.Valid {
				return apperr.Validation("intermediary", i18n.T("登记 %[1]s 未填写有无中介（SAL-027），不能报送",
					"entry %[1]s does not say with or without an intermediary (SAL-027): the form cannot be submitted", e.Number))
			}
		}
		due, err := s.submissionDue(ce, day, reason != "")
		if err != nil {
			return err
		}
		late := now.After(due)
		var id store.ID
		err = tx.QueryRow(ctx, `INSERT INTO sales_submissions (unit_id, company_id, agent_id, day, due_at, special_reason,
			entries, submitted_at, late) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (unit_id, agent_id, day) DO NOTHING RETURNING id`,
			ce.UnitID, ce.CompanyID, p.UserID, day.String(), store.Micros(due), reason, len(entries),
			store.Micros(now), flag01(late)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.Conflict("day", i18n.T("%[1]s 的客户信息登记表已报送", "the registration form of %[1]s has already been submitted", day.String()))
		}
		if err != nil {
			return err
		}
		if late && s.merits != nil {
			if err := s.merits.Propose(ctx, tx, policy.EventSalesFormLate, map[string]any{"user_id": p.UserID,
				"submission_id": id, "id": id, "number": "客户信息登记表 " + day.String()}); err != nil {
				return err
			}
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "sales.submission.submit", "sales_submission",
			id.String(), map[string]any{"unit_id": ce.UnitID, "day": day.String(), "entries": len(entries), "late": late,
				"special_reason": reason}); err != nil {
			return err
		}
		out, err = s.submission(ctx, tx, id)
		return err
	})
	return out, err
}

// leasingEntry is what a submission checks of a register entry.
type leasingEntry struct {
	Number       string
	Intermediary sql.NullInt64
}

// submissionDue is when the day's form is due (SAL-025): the end of work
// that day on the leasing calendar (0d, CAL-008), or in a special case the
// fixed time of the next morning (G-55).
func (s *Service) submissionDue(ce *centre, day calendar.Date, special bool) (time.Time, error) {
	if special {
		clock, err := calendar.ParseClock(ce.Rules.Leasing.SpecialCutoff)
		if err != nil {
			return time.Time{}, err
		}
		return day.AddDays(1).At(clock, store.Zone), nil
	}
	cal, err := s.leasingCalendar(ce)
	if err != nil {
		return time.Time{}, err
	}
	r, err := cal.Deadline(day.Midnight(store.Zone), ce.Rules.Leasing.SubmitLimit)
	if err != nil {
		return time.Time{}, apperr.Validation("day", i18n.T("日期超出日历范围", "the day lies outside the calendar"))
	}
	return r.At, nil
}

const submissionColumns = `SELECT s.id, s.unit_id, s.agent_id, u.display_name, s.day, s.due_at, s.special_reason, s.entries,
	s.submitted_at, s.late FROM sales_submissions s JOIN users u ON u.id = s.agent_id`

func scanSubmission(r store.Scanner) (Submission, error) {
	var x Submission
	var day string
	var due, at, late int64
	if err := r.Scan(&x.ID, &x.UnitID, &x.AgentID, &x.Agent, &day, &due, &x.SpecialReason, &x.Entries, &at, &late); err != nil {
		return x, err
	}
	x.Day, _ = calendar.ParseDate(day)
	x.DueAt, x.SubmittedAt, x.Late = store.FromMicros(due), store.FromMicros(at), late != 0
	return x, nil
}

func (s *Service) submission(ctx context.Context, c store.Conn, id store.ID) (Submission, error) {
	items, err := store.QueryAll(ctx, c, scanSubmission, submissionColumns+` WHERE s.id = ?`, id)
	if err != nil {
		return Submission{}, err
	}
	if len(items) == 0 {
		return Submission{}, apperr.NotFound("submission")
	}
	return items[0], nil
}

// Submissions lists a centre's submissions between two days.
func (s *Service) Submissions(ctx context.Context, p *auth.Principal, unit store.ID, from, to calendar.Date) ([]Submission, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return nil, err
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return nil, apperr.Validation("to", i18n.T("不能早于开始日期", "must not be before from"))
	}
	c := s.db.Reader()
	ce, err := s.leasingCentre(ctx, c, p, unit)
	if err != nil {
		return nil, err
	}
	q, args := submissionColumns+` WHERE s.unit_id = ?`, []any{ce.UnitID}
	if !from.IsZero() {
		q, args = q+` AND s.day >= ?`, append(args, from.String())
	}
	if !to.IsZero() {
		q, args = q+` AND s.day <= ?`, append(args, to.String())
	}
	all, err := s.seesLeasingAll(ctx, c, p, ce)
	if err != nil {
		return nil, err
	}
	if !all {
		q, args = q+` AND s.agent_id = ?`, append(args, p.UserID)
	}
	return store.QueryAll(ctx, c, scanSubmission, q+` ORDER BY s.day DESC, s.id DESC LIMIT 1000`, args...)
}

// SubmissionsDue lists the days with leasing entries not yet submitted.
func (s *Service) SubmissionsDue(ctx context.Context, p *auth.Principal, unit store.ID) ([]SubmissionDue, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return nil, err
	}
	c := s.db.Reader()
	ce, err := s.leasingCentre(ctx, c, p, unit)
	if err != nil {
		return nil, err
	}
	q := `SELECT r.agent_id, u.display_name, r.received_on, COUNT(*) FROM sales_registrations r
		JOIN users u ON u.id = r.agent_id
		WHERE r.unit_id = ? AND r.book = ?` + ` AND` + notCorrected + `
		AND NOT EXISTS (SELECT 1 FROM sales_submissions s WHERE s.unit_id = r.unit_id AND s.agent_id = r.agent_id
			AND s.day = r.received_on)`
	args := []any{ce.UnitID, BookLeasing}
	all, err := s.seesLeasingAll(ctx, c, p, ce)
	if err != nil {
		return nil, err
	}
	if !all {
		q, args = q+` AND r.agent_id = ?`, append(args, p.UserID)
	}
	items, err := store.QueryAll(ctx, c, func(r store.Scanner) (SubmissionDue, error) {
		var x SubmissionDue
		var day string
		if err := r.Scan(&x.AgentID, &x.Agent, &day, &x.Entries); err != nil {
			return x, err
		}
		x.Day, _ = calendar.ParseDate(day)
		return x, nil
	}, q+` GROUP BY r.agent_id, u.display_name, r.received_on ORDER BY r.received_on, r.agent_id LIMIT 1000`, args...)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for i := range items {
		if items[i].DueAt, err = s.submissionDue(ce, items[i].Day, false); err != nil {
			return nil, err
		}
		items[i].Overdue = now.After(items[i].DueAt)
	}
	return items, nil
}

// leasingCentre loads a centre in mode leasing; another centre is a
// validation error naming unit_id.
func (s *Service) leasingCentre(ctx context.Context, c store.Conn, p *auth.Principal, unit store.ID) (*centre, error) {
	if unit == 0 {
		return nil, apperr.Required("unit_id")
	}
	ce, err := s.loadCentre(ctx, c, p, unit)
	if err != nil {
		return nil, err
	}
	if ce.Mode != ModeLeasing {
		return nil, apperr.Validation("unit_id", i18n.T("不是招商租赁案场（SAL-025 至 SAL-028）",
			"not a leasing centre (SAL-025 to SAL-028)"))
	}
	return ce, nil
}

// seesLeasingAll reports whether p reads every manager's leasing records
// of the centre (SEC-005): the custodian, or a register reader holding a
// current grant of the General Manager. Everybody else reads her own.
func (s *Service) seesLeasingAll(ctx context.Context, c store.Conn, p *auth.Principal, ce *centre) (bool, error) {
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
	return s.hasGrant(ctx, c, p, ce.UnitID)
}

// hasGrant reports whether p holds a current grant on the unit (SEC-005).
func (s *Service) hasGrant(ctx context.Context, c store.Conn, p *auth.Principal, unit store.ID) (bool, error) {
	if p == nil {
		return true, nil
	}
	var n int64
	err := c.QueryRow(ctx, `SELECT COUNT(*) FROM sales_view_grants WHERE unit_id = ? AND grantee_id = ?
		AND revoked_at = 0 AND expires_at > ?`, unit, p.UserID, store.Micros(s.now())).Scan(&n)
	return n > 0, err
}

// requiredDate reads a YYYY-MM-DD field that must be given.
func leaseDate(field, s string) (calendar.Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return calendar.Date{}, apperr.Required(field)
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		return calendar.Date{}, apperr.Validation(field, i18n.T("须为 YYYY-MM-DD 日期", "must be a date YYYY-MM-DD"))
	}
	return d, nil
}

// text trims a free-text field and checks its length.
