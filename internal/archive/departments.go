package archive

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/store"
)

// DepartmentInput binds an archive department of the pack to an org unit
// of the company, with its dedicated custodian (ARC-004).
type DepartmentInput struct {
	CompanyID   store.ID `json:"company_id"`
	UnitID      store.ID `json:"unit_id"`
	CustodianID store.ID `json:"custodian_id"`
}

// Departments lists the pack's archive departments of a company (0: the
// caller's) with the units bound to them (archives:read).
func (s *Service) Departments(ctx context.Context, p *auth.Principal, company store.ID) ([]Department, error) {
	if err := need(p, auth.PermArchivesRead); err != nil {
		return nil, err
	}
	c := s.db.Reader()
	co, err := s.companyFor(ctx, c, p, company, "company_id")
	if err != nil {
		return nil, err
	}
	return s.departments(ctx, c, co)
}

// departments lists the pack's departments of a company with their
// bindings.
func (s *Service) departments(ctx context.Context, c store.Conn, company store.ID) ([]Department, error) {
	r, err := s.rulesOf(ctx, company)
	if err != nil {
		return nil, err
	}
	bound, err := store.QueryAll(ctx, c, func(sc store.Scanner) (Department, error) {
		var d Department
		var at int64
		err := sc.Scan(&d.Key, &d.UnitID, &d.UnitName, &d.CustodianID, &d.CustodianName, &at)
		d.UpdatedAt = store.FromMicros(at)
		return d, err
	}, `SELECT d.dept_key, d.unit_id, coalesce(u.name, ''), coalesce(d.custodian_id, 0), coalesce(us.display_name, ''), d.updated_at
		FROM archive_departments d LEFT JOIN org_units u ON u.id = d.unit_id LEFT JOIN users us ON us.id = d.custodian_id
		WHERE d.company_id = ?`, company)
	if err != nil {
		return nil, err
	}
	out := make([]Department, 0, len(r.Archive.Departments))
	for _, pd := range r.Archive.Departments {
		d := Department{Key: pd.Key, Name: pd.Name.ZH, Central: pd.Central}
		for _, b := range bound {
			if b.Key == pd.Key {
				d.UnitID, d.UnitName, d.CustodianID, d.CustodianName, d.UpdatedAt = b.UnitID, b.UnitName, b.CustodianID,
					b.CustodianName, b.UpdatedAt
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// BindDepartment binds key to a unit of the company (inside it) and names
// its custodian, a user of that unit (archives:write); audited.
func (s *Service) BindDepartment(ctx context.Context, p *auth.Principal, key string, in DepartmentInput) (Department, error) {
	if err := need(p, auth.PermArchivesWrite); err != nil {
		return Department{}, err
	}
	var out Department
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		company, err := s.companyFor(ctx, tx, p, in.CompanyID, "company_id")
		if err != nil {
			return err
		}
		r, err := s.rulesOf(ctx, company)
		if err != nil {
			return err
		}
		key = strings.TrimSpace(key)
		known := false
		for _, d := range r.Archive.Departments {
			known = known || d.Key == key
		}
		if !known {
			return apperr.NotFound("key")
		}
		if in.UnitID == 0 {
			return apperr.Required("unit_id")
		}
		if in.CustodianID == 0 {
			return apperr.Required("custodian_id")
		}
		co, err := org.GetUnit(ctx, tx, company)
		if err != nil {
			return err
		}
		u, err := org.GetUnit(ctx, tx, in.UnitID)
		if err != nil || !strings.HasPrefix(u.Path, co.Path) {
			return apperr.Validation("unit_id", i18n.T("须为本公司内的组织单元", "must be an org unit of the company"))
		}
		var path string
		var active bool
		err = tx.QueryRow(ctx, `SELECT ou.path, us.active FROM users us JOIN org_units ou ON ou.id = us.org_unit_id WHERE us.id = ?`,
			in.CustodianID).Scan(&path, &active)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.Validation("custodian_id", i18n.T("用户不存在", "no such user"))
		}
		if err != nil {
			return err
		}
		if !active || !strings.HasPrefix(path, u.Path) {
			return apperr.Validation("custodian_id", i18n.T("保管员须为该部门的在职人员（ARC-004）",
				"the custodian must be an active member of the department (ARC-004)"))
		}
		now := s.now()
		var before struct {
			unit, custodian store.ID
		}
		err = tx.QueryRow(ctx, `SELECT unit_id, coalesce(custodian_id, 0) FROM archive_departments WHERE company_id = ? AND dept_key = ?`,
			company, key).Scan(&before.unit, &before.custodian)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.Exec(ctx, `INSERT INTO archive_departments (company_id, dept_key, unit_id, custodian_id, updated_by, updated_at)
				VALUES (?, ?, ?, ?, ?, ?)`, company, key, in.UnitID, in.CustodianID, p.UserRef(), store.Micros(now))
		case err == nil:
			_, err = tx.Exec(ctx, `UPDATE archive_departments SET unit_id = ?, custodian_id = ?, updated_by = ?, updated_at = ?
				WHERE company_id = ? AND dept_key = ?`, in.UnitID, in.CustodianID, p.UserRef(), store.Micros(now), company, key)
		}
		if err != nil {
			return err
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "archive.department.bind", "archive_department",
			key, map[string]any{"company_id": company, "unit_id": []store.ID{before.unit, in.UnitID},
				"custodian_id": []store.ID{before.custodian, in.CustodianID}}); err != nil {
			return err
		}
		all, err := s.departments(ctx, tx, company)
		if err != nil {
			return err
		}
		for _, d := range all {
			if d.Key == key {
				out = d
			}
		}
		return nil
	})
	return out, err
}
