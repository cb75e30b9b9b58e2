package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/store"
)

// InspectionInput records an archive inspection (ARC-019).
type InspectionInput struct {
	CompanyID   store.ID       `json:"company_id"`
	UnitID      store.ID       `json:"unit_id"`
	InspectedOn calendar.Date  `json:"inspected_on"`
	Summary     string         `json:"summary"`
	Findings    []FindingInput `json:"findings"`
}

// FindingInput is one finding of an inspection.
type FindingInput struct {
	FileID  store.ID      `json:"file_id"`
	Finding string        `json:"finding"`
	DueOn   calendar.Date `json:"due_on"`
}

// CreateInspection records an inspection of a department of the company
// with its findings (archives:write or archives:approve): inspected_on
// (default today) is not in the future; a finding may name a file of the
// company and a due date on or after the inspection. The inspected
// department's custodian is told of the findings. Audited.
func (s *Service) CreateInspection(ctx context.Context, p *auth.Principal, in InspectionInput) (Inspection, error) {
	if p != nil && !p.Can(auth.PermArchivesWrite) && !p.Can(auth.PermArchivesApprove) {
		return Inspection{}, apperr.Forbidden(i18n.T("需要权限 archives:write 或 archives:approve",
			"permission archives:write or archives:approve is required"))
	}
	c := s.db.Reader()
	company, err := s.companyFor(ctx, c, p, in.CompanyID, "company_id")
	if err != nil {
		return Inspection{}, err
	}
	r, err := s.rulesOf(ctx, company)
	if err != nil {
		return Inspection{}, err
	}
	if in.UnitID == 0 {
		return Inspection{}, apperr.Required("unit_id")
	}
	co, err := org.GetUnit(ctx, c, company)
	if err != nil {
		return Inspection{}, err
	}
	u, err := org.GetUnit(ctx, c, in.UnitID)
	if err != nil || !strings.HasPrefix(u.Path, co.Path) {
		return Inspection{}, apperr.Validation("unit_id", i18n.T("须为本公司的部门", "must be a unit of the company"))
	}
	day := today(r.Calendar, s.now())
	if in.InspectedOn.IsZero() {
		in.InspectedOn = day
	}
	if in.InspectedOn.After(day) {
		return Inspection{}, apperr.Validation("inspected_on", i18n.T("不能晚于今天（%[1]s）", "cannot be after today (%[1]s)", day.String()))
	}
	in.Summary = strings.TrimSpace(in.Summary)
	if err := tooLong(limit{"summary", in.Summary, 4000}); err != nil {
		return Inspection{}, err
	}
	if len(in.Findings) > 200 {
		return Inspection{}, apperr.Validation("findings", i18n.T("至多 200 条", "at most 200 findings"))
	}
	for i := range in.Findings {
		f := &in.Findings[i]
		field := fmt.Sprintf("findings[%d].", i)
		f.Finding = strings.TrimSpace(f.Finding)
		if f.Finding == "" {
			return Inspection{}, apperr.Required(field + "finding")
		}
		if err := tooLong(limit{field + "finding", f.Finding, 1000}); err != nil {
			return Inspection{}, err
		}
		if !f.DueOn.IsZero() && f.DueOn.Before(in.InspectedOn) {
			return Inspection{}, apperr.Validation(field+"due_on", i18n.T("不能早于检查日期 %[1]s", "cannot be before the inspection date %[1]s",
				in.InspectedOn.String()))
		}
		if f.FileID != 0 {
			var fc store.ID
			err := c.QueryRow(ctx, "SELECT company_id FROM archive_files WHERE id = ?", f.FileID).Scan(&fc)
			if errors.Is(err, sql.ErrNoRows) || err == nil && fc != company {
				return Inspection{}, apperr.Validation(field+"file_id", i18n.T("本公司没有档案 %[1]s", "the company has no file %[1]s", f.FileID.String()))
			}
			if err != nil {
				return Inspection{}, err
			}
		}
	}
	now := s.now()
	var id store.ID
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		if err := tx.QueryRow(ctx, `INSERT INTO archive_inspections (company_id, unit_id, inspected_on, inspector_id, summary, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, company, in.UnitID, in.InspectedOn.String(), p.UserRef(), in.Summary,
			store.Micros(now)).Scan(&id); err != nil {
			return err
		}
		for _, f := range in.Findings {
			due := ""
			if !f.DueOn.IsZero() {
				due = f.DueOn.String()
			}
			if _, err := tx.Exec(ctx, "INSERT INTO archive_findings (inspection_id, file_id, finding, due_on) VALUES (?, ?, ?, ?)",
				id, store.OptionalID(f.FileID), f.Finding, due); err != nil {
				return err
			}
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "archive.inspection.create", "archive_inspection", id.String(),
			map[string]any{"unit_id": in.UnitID, "inspected_on": in.InspectedOn, "findings": len(in.Findings)}); err != nil {
			return err
		}
		return s.tellInspected(ctx, tx, company, in.UnitID, id, len(in.Findings), in.InspectedOn)
	})
	if err != nil {
		return Inspection{}, err
	}
	list, err := s.inspections(ctx, s.db.Reader(), r, "i.id = ?", id)
	if err != nil || len(list) == 0 {
		return Inspection{}, err
	}
	return list[0], nil
}

// tellInspected tells the custodians of the archive departments bound to
// the inspected unit about its findings.
func (s *Service) tellInspected(ctx context.Context, tx store.Conn, company, unit, id store.ID, findings int, on calendar.Date) error {
	if findings == 0 {
		return nil
	}
	users, err := store.QueryAll(ctx, tx, func(sc store.Scanner) (store.ID, error) {
		var u store.ID
		return u, sc.Scan(&u)
	}, "SELECT custodian_id FROM archive_departments WHERE company_id = ? AND unit_id = ? AND custodian_id IS NOT NULL", company, unit)
	if err != nil || len(users) == 0 {
		return err
	}
	return s.tell(ctx, tx, "archive.inspection.findings", users, "inspection", id,
		i18n.T("%[1]s 档案检查发现 %[2]d 个问题，请整改", "the archive inspection of %[1]s found %[2]d issues to correct", on.String(), findings))
}

// ListInspections lists a company's inspections, newest first
// (archives:read). NextDue is the inspection date plus the pack's
// interval (ARC-019: 6 months); the newest inspection of a department
// carries the department's next due date.
func (s *Service) ListInspections(ctx context.Context, p *auth.Principal, company store.ID) ([]Inspection, error) {
	if err := need(p, auth.PermArchivesRead); err != nil {
		return nil, err
	}
	c := s.db.Reader()
	company, err := s.companyFor(ctx, c, p, company, "company_id")
	if err != nil {
		return nil, err
	}
	r, err := s.rulesOf(ctx, company)
	if err != nil {
		return nil, err
	}
	return s.inspections(ctx, c, r, "i.company_id = ?", company)
}

// inspections reads inspections with their findings, newest first.
func (s *Service) inspections(ctx context.Context, c store.Conn, r *rules, where string, arg any) ([]Inspection, error) {
	list, err := store.QueryAll(ctx, c, func(sc store.Scanner) (Inspection, error) {
		var in Inspection
		var on string
		var created int64
		if err := sc.Scan(&in.ID, &in.CompanyID, &in.UnitID, &in.Unit, &on, &in.InspectorID, &in.Inspector, &in.Summary,
			&created); err != nil {
			return in, err
		}
		d, err := calendar.ParseDate(on)
		if err != nil {
			return in, err
		}
		in.InspectedOn, in.CreatedAt = d, store.FromMicros(created)
		in.NextDue = nextInspection(d, r.Archive.InspectionInterval)
		in.Findings = []Finding{}
		return in, nil
	}, `SELECT i.id, i.company_id, i.unit_id, coalesce(u.name, ''), i.inspected_on, coalesce(i.inspector_id, 0),
		coalesce(us.display_name, ''), i.summary, i.created_at
		FROM archive_inspections i LEFT JOIN org_units u ON u.id = i.unit_id LEFT JOIN users us ON us.id = i.inspector_id
		WHERE `+where+` ORDER BY i.inspected_on DESC, i.id DESC`, arg)
	if err != nil || len(list) == 0 {
		return []Inspection{}, err
	}
	index := map[store.ID]int{}
	ids := make([]any, len(list))
	for i, in := range list {
		index[in.ID], ids[i] = i, in.ID
	}
	day := today(r.Calendar, s.now())
	findings, err := store.QueryAll(ctx, c, func(sc store.Scanner) (Finding, error) { return scanFinding(sc, day) },
		findingSelect+" WHERE f.inspection_id IN ("+store.Placeholders(len(ids))+") ORDER BY f.id", ids...)
	if err != nil {
		return nil, err
	}
	for _, f := range findings {
		list[index[f.InspectionID]].Findings = append(list[index[f.InspectionID]].Findings, f)
	}
	return list, nil
}

// nextInspection is the date an inspection falls due again.
func nextInspection(d calendar.Date, every calendar.Duration) calendar.Date {
	switch every.Unit {
	case calendar.Months:
		return d.AddMonths(every.N)
	case calendar.CalendarDays:
		return d.AddDays(every.N)
	}
	return d.AddMonths(6)
}

const findingSelect = `SELECT f.id, f.inspection_id, coalesce(f.file_id, 0), coalesce(af.number, ''), f.finding, f.due_on,
	f.closed_at, coalesce(f.closed_by, 0), f.closing_note FROM archive_findings f LEFT JOIN archive_files af ON af.id = f.file_id`

// scanFinding reads a row of findingSelect; overdue on day.
func scanFinding(sc store.Scanner, day calendar.Date) (Finding, error) {
	var f Finding
	var due string
	var closed int64
	if err := sc.Scan(&f.ID, &f.InspectionID, &f.FileID, &f.FileNumber, &f.Finding, &due, &closed, &f.ClosedBy,
		&f.ClosingNote); err != nil {
		return f, err
	}
	if due != "" {
		d, err := calendar.ParseDate(due)
		if err != nil {
			return f, err
		}
		f.DueOn = d
	}
	if closed > 0 {
		f.ClosedAt = store.FromMicros(closed)
	}
	f.Overdue = closed == 0 && !f.DueOn.IsZero() && f.DueOn.Before(day)
	return f, nil
}

// CloseFinding closes a finding with what was done (archives:write); a
// closed finding stays closed (409).
func (s *Service) CloseFinding(ctx context.Context, p *auth.Principal, id store.ID, note string) (Finding, error) {
	if err := need(p, auth.PermArchivesWrite); err != nil {
		return Finding{}, err
	}
	note = strings.TrimSpace(note)
	if note == "" {
		return Finding{}, apperr.Required("note")
	}
	if err := tooLong(limit{"note", note, 1000}); err != nil {
		return Finding{}, err
	}
	var out Finding
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		var company store.ID
		var closed int64
		err := tx.QueryRow(ctx, `SELECT i.company_id, f.closed_at FROM archive_findings f
			JOIN archive_inspections i ON i.id = f.inspection_id WHERE f.id = ?`, id).Scan(&company, &closed)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("finding")
		}
		if err != nil {
			return err
		}
		if ok, err := p.SeesCompany(ctx, tx, company); err != nil {
			return err
		} else if !ok {
			return apperr.NotFound("finding")
		}
		if closed > 0 {
			return apperr.Conflict("state", i18n.T("该问题已整改关闭", "the finding is already closed"))
		}
		r, err := s.rulesOf(ctx, company)
		if err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.Exec(ctx, "UPDATE archive_findings SET closed_at = ?, closed_by = ?, closing_note = ? WHERE id = ? AND closed_at = 0",
			store.Micros(now), p.UserRef(), note, id); err != nil {
			return err
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "archive.finding.close", "archive_finding", id.String(),
			map[string]any{"note": note}); err != nil {
			return err
		}
		out, err = scanFinding(tx.QueryRow(ctx, findingSelect+" WHERE f.id = ?", id), today(r.Calendar, now))
		return err
	})
	return out, err
}
