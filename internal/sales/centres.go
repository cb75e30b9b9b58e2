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
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// SetupCentre makes an org unit a sales centre, or changes its mode or
// make-up policy (SAL-002: per centre); needs sales:manage. Logged on the
// rotation log with the reason.
func (s *Service) SetupCentre(ctx context.Context, p *auth.Principal, in CentreInput) (Centre, error) {
	if err := need(p, auth.PermSalesManage); err != nil {
		return Centre{}, err
	}
	if in.UnitID == 0 {
		return Centre{}, apperr.Required("unit_id")
	}
	if in.Mode == "" {
		in.Mode = ModeSales
	}
	if in.Mode != ModeSales && in.Mode != ModeLeasing {
		return Centre{}, apperr.Validation("mode", i18n.T("模式须为 sales 或 leasing", "mode must be sales or leasing"))
	}
	if in.MakeUpPolicy != "" && !slices.Contains(policy.MakeUpPolicies, in.MakeUpPolicy) {
		return Centre{}, apperr.Validation("makeup_policy", i18n.T("补接规则须为 %[1]s 之一",
			"makeup_policy must be one of %[1]s", strings.Join(policy.MakeUpPolicies, ", ")))
	}
	in.Reason = strings.TrimSpace(in.Reason)
	now := s.now()
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		co, err := org.CompanyOf(ctx, tx, in.UnitID)
		if err != nil {
			if apperr.Is(err, apperr.CodeNotFound) {
				return apperr.NotFound("unit_id")
			}
			return err
		}
		if ok, err := p.SeesCompany(ctx, tx, co.ID); err != nil {
			return err
		} else if !ok {
			return apperr.NotFound("unit_id")
		}
		var mode, makeUp string
		err = tx.QueryRow(ctx, `SELECT mode, makeup_policy FROM sales_centres WHERE unit_id = ?`, in.UnitID).
			Scan(&mode, &makeUp)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.Exec(ctx, `INSERT INTO sales_centres (unit_id, company_id, mode, makeup_policy, updated_at,
				updated_by) VALUES (?, ?, ?, ?, ?, ?)`, in.UnitID, co.ID, in.Mode, in.MakeUpPolicy, store.Micros(now),
				p.UserRef()); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if mode == in.Mode && makeUp == in.MakeUpPolicy {
				return nil
			}
			if in.Reason == "" {
				return apperr.Required("reason")
			}
			if _, err := tx.Exec(ctx, `UPDATE sales_centres SET mode = ?, makeup_policy = ?, updated_at = ?,
				updated_by = ? WHERE unit_id = ?`, in.Mode, in.MakeUpPolicy, store.Micros(now), p.UserRef(),
				in.UnitID); err != nil {
				return err
			}
		}
		detail := "mode=" + in.Mode + " makeup_policy=" + in.MakeUpPolicy
		if err := s.logRotation(ctx, tx, in.UnitID, p, "policy", 0, detail, in.Reason); err != nil {
			return err
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "sales.centre.setup", "sales_centre",
			in.UnitID.String(), in)
	})
	if err != nil {
		return Centre{}, err
	}
	return s.GetCentre(ctx, p, in.UnitID)
}

// Centres lists the sales centres in p's scope.
func (s *Service) Centres(ctx context.Context, p *auth.Principal) ([]Centre, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return nil, err
	}
	c := s.db.Reader()
	type row struct {
		unit store.ID
		own  string
	}
	units, err := store.QueryAll(ctx, c, func(sc store.Scanner) (row, error) {
		var r row
		return r, sc.Scan(&r.unit, &r.own)
	}, `SELECT unit_id, makeup_policy FROM sales_centres ORDER BY unit_id`)
	if err != nil {
		return nil, err
	}
	out := []Centre{}
	for _, u := range units {
		ce, err := s.loadCentre(ctx, c, p, u.unit)
		if apperr.Is(err, apperr.CodeNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, centreOf(ce, u.own))
	}
	return out, nil
}

// GetCentre reads one.
func (s *Service) GetCentre(ctx context.Context, p *auth.Principal, unit store.ID) (Centre, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return Centre{}, err
	}
	c := s.db.Reader()
	ce, err := s.loadCentre(ctx, c, p, unit)
	if err != nil {
		return Centre{}, err
	}
	var own string
	if err := c.QueryRow(ctx, `SELECT makeup_policy FROM sales_centres WHERE unit_id = ?`, unit).Scan(&own); err != nil {
		return Centre{}, err
	}
	return centreOf(ce, own), nil
}

// centreOf is the API view of a loaded centre whose own make-up policy
// is own ("" : the pack's).
func centreOf(ce *centre, own string) Centre {
	return Centre{UnitID: ce.UnitID, Unit: ce.Unit, CompanyID: ce.CompanyID, Mode: ce.Mode, MakeUpPolicy: own,
		Effective: ce.MakeUp}
}

// logRotation appends a line to the centre's rotation log (SAL-004).
func (s *Service) logRotation(ctx context.Context, tx store.Conn, unit store.ID, p *auth.Principal, action string,
	user store.ID, detail, reason string) error {
	_, err := tx.Exec(ctx, `INSERT INTO sales_rotation_log (unit_id, at, actor_id, action, user_id, detail, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, unit, store.Micros(s.now()), p.UserRef(), action, store.OptionalID(user),
		detail, reason)
	return err
}
