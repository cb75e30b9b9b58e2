package sales

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Apply asks the Sales Manager for a restricted action of the pack
// (SAL-021): releasing a unit, transferring a name, a discount …
func (s *Service) Apply(ctx context.Context, p *auth.Principal, in ApplicationInput) (Application, error) {
	if err := need(p, auth.PermSalesReceive); err != nil {
		return Application{}, err
	}
	if principalID(p) == 0 {
		return Application{}, apperr.Forbidden(i18n.T("申请须由售楼员提出", "an agent applies"))
	}
	var id store.ID
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		ce, err := s.loadCentre(ctx, tx, p, in.UnitID)
		if err != nil {
			return err
		}
		action := strings.TrimSpace(in.Action)
		if action == "" {
			return apperr.Required("action")
		}
		if !slices.ContainsFunc(ce.Rules.RestrictedActions, func(a policy.RestrictedAction) bool { return a.Key == action }) {
			return apperr.Validation("action", i18n.T("政策包没有受限事项 %q", "the pack has no restricted action %q", action))
		}
		detail, err := cleanText("detail", in.Detail, 2000, true)
		if err != nil {
			return err
		}
		property, err := cleanText("property_unit", in.PropertyUnit, 60, false)
		if err != nil {
			return err
		}
		name, err := cleanText("customer_name", in.CustomerName, 100, false)
		if err != nil {
			return err
		}
		if in.RegistrationID != 0 {
			var unit store.ID
			err := tx.QueryRow(ctx, `SELECT unit_id FROM sales_registrations WHERE id = ?`, in.RegistrationID).Scan(&unit)
			if err != nil || unit != ce.UnitID {
				return apperr.NotFound("registration_id")
			}
		}
		now := s.now()
		number, err := nextNumber(ctx, tx, seqApplication, ce.CompanyID, now)
		if err != nil {
			return err
		}
		id, err = tx.InsertID(ctx, `INSERT INTO sales_applications (number, unit_id, company_id, action, property_unit,
			customer_name, registration_id, detail, applicant_id, applied_at, state)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, number, ce.UnitID, ce.CompanyID, action, property, name,
			store.OptionalID(in.RegistrationID), detail, p.UserID, store.Micros(now), ApplicationPending)
		if err != nil {
			return err
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "sales.application.apply", "sales_application", id.String(),
			map[string]any{"number": number, "action": action, "property_unit": property, "customer_name": name})
	})
	if err != nil {
		return Application{}, err
	}
	return s.readApplication(ctx, s.db.Reader(), id)
}

// DecideApplication approves or rejects (a decider only, not her own).
func (s *Service) DecideApplication(ctx context.Context, p *auth.Principal, id store.ID, in DecisionInput) (Application, error) {
	if err := need(p, auth.PermSalesManage); err != nil {
		return Application{}, err
	}
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		a, err := s.readApplication(ctx, tx, id)
		if err != nil {
			return err
		}
		ce, err := s.loadCentre(ctx, tx, p, a.UnitID)
		if err != nil {
			return apperr.NotFound("id")
		}
		if !isDecider(p, ce) {
			return apperr.Forbidden(i18n.T("只有销售经理可以审批（SAL-021）", "only the Sales Manager decides applications (SAL-021)"))
		}
		if a.ApplicantID == principalID(p) {
			return apperr.Forbidden(i18n.T("不能审批自己的申请", "you may not decide your own application"))
		}
		note, err := cleanText("note", in.Note, 1000, false)
		if err != nil {
			return err
		}
		if a.State != ApplicationPending {
			return apperr.Conflict("state", i18n.T("申请已处理（%s）", "the application was already decided (%s)", a.State))
		}
		state := ApplicationRejected
		if in.Approve {
			state = ApplicationApproved
		}
		now := s.now()
		res, err := tx.Exec(ctx, `UPDATE sales_applications SET state = ?, decided_by = ?, decided_at = ?, decision_note = ?
			WHERE id = ? AND state = ?`, state, p.UserRef(), store.Micros(now), note, id, ApplicationPending)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("state", i18n.T("申请已处理", "the application was already decided"))
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "sales.application.decide", "sales_application", id.String(),
			map[string]any{"number": a.Number, "state": state, "note": note})
	})
	if err != nil {
		return Application{}, err
	}
	return s.readApplication(ctx, s.db.Reader(), id)
}

const applicationColumns = `a.id, a.number, a.unit_id, a.action, a.property_unit, a.customer_name, a.registration_id,
	a.detail, a.applicant_id, COALESCE(u.display_name, ''), a.applied_at, a.state, COALESCE(v.display_name, ''),
	a.decided_at, a.decision_note`

const applicationFrom = ` FROM sales_applications a LEFT JOIN users u ON u.id = a.applicant_id
	LEFT JOIN users v ON v.id = a.decided_by`

func scanApplication(sc store.Scanner) (Application, error) {
	var a Application
	var reg store.NullID
	var applied, decided int64
	err := sc.Scan(&a.ID, &a.Number, &a.UnitID, &a.Action, &a.PropertyUnit, &a.CustomerName, &reg, &a.Detail, &a.ApplicantID,
		&a.Applicant, &applied, &a.State, &a.DecidedBy, &decided, &a.DecisionNote)
	a.RegistrationID, a.AppliedAt, a.DecidedAt = reg.ID, store.FromMicros(applied), store.FromMicros(decided)
	return a, err
}

func (s *Service) readApplication(ctx context.Context, c store.Conn, id store.ID) (Application, error) {
	a, err := scanApplication(c.QueryRow(ctx, `SELECT `+applicationColumns+applicationFrom+` WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.NotFound("id")
	}
	return a, err
}

// seesApplications reports whether p sees every application of the
// centre: deciders and custodians; others see their own.
func seesApplications(ctx context.Context, c store.Conn, p *auth.Principal, ce *centre) (bool, error) {
	if p == nil || isDecider(p, ce) {
		return true, nil
	}
	pos, err := positionOf(ctx, c, p)
	if err != nil {
		return false, err
	}
	return isCustodian(p, pos, ce), nil
}

// GetApplication reads one: the applicant, deciders and custodians.
func (s *Service) GetApplication(ctx context.Context, p *auth.Principal, id store.ID) (Application, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return Application{}, err
	}
	r := s.db.Reader()
	a, err := s.readApplication(ctx, r, id)
	if err != nil {
		return a, err
	}
	ce, err := s.loadCentre(ctx, r, p, a.UnitID)
	if err != nil {
		return Application{}, apperr.NotFound("id")
	}
	all, err := seesApplications(ctx, r, p, ce)
	if err != nil {
		return Application{}, err
	}
	if !all && a.ApplicantID != principalID(p) {
		return Application{}, apperr.NotFound("id")
	}
	return a, nil
}

// Applications lists a centre's applications, pending first.
func (s *Service) Applications(ctx context.Context, p *auth.Principal, unit store.ID, state string) ([]Application, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return nil, err
	}
	state = strings.TrimSpace(state)
	if state != "" && !slices.Contains([]string{ApplicationPending, ApplicationApproved, ApplicationRejected}, state) {
		return nil, apperr.Validation("state", i18n.T("未知的状态 %q", "unknown state %q", state))
	}
	r := s.db.Reader()
	ce, err := s.loadCentre(ctx, r, p, unit)
	if err != nil {
		return nil, err
	}
	all, err := seesApplications(ctx, r, p, ce)
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + applicationColumns + applicationFrom + ` WHERE a.unit_id = ?`
	args := []any{unit}
	if state != "" {
		q += ` AND a.state = ?`
		args = append(args, state)
	}
	if !all {
		q += ` AND a.applicant_id = ?`
		args = append(args, principalID(p))
	}
	q += ` ORDER BY CASE WHEN a.state = 'pending' THEN 0 ELSE 1 END, a.applied_at DESC, a.id DESC LIMIT 500`
	out, err := store.QueryAll(ctx, r, scanApplication, q, args...)
	if out == nil && err == nil {
		out = []Application{}
	}
	return out, err
}
