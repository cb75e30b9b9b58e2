package archive

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// destructionCols and destructionFrom read a list with its executor.
const destructionCols = `d.id, d.company_id, d.number, d.state, d.note, coalesce(d.created_by, 0), d.created_at, d.approved_at,
	d.executed_at, coalesce(d.executed_by, 0), coalesce(u.display_name, ''), d.method, d.witness`

const destructionFrom = ` FROM archive_destructions d LEFT JOIN users u ON u.id = d.executed_by`

// scanDestruction reads one row of destructionCols.
func scanDestruction(sc store.Scanner) (Destruction, error) {
	var d Destruction
	var created, approved, executed int64
	err := sc.Scan(&d.ID, &d.CompanyID, &d.Number, &d.State, &d.Note, &d.CreatedBy, &created, &approved, &executed,
		&d.ExecutedBy, &d.Executor, &d.Method, &d.Witness)
	d.CreatedAt, d.ApprovedAt, d.ExecutedAt = store.FromMicros(created), store.FromMicros(approved), store.FromMicros(executed)
	return d, err
}

// readDestruction reads a list of a company p sees (NotFound otherwise).
func (s *Service) readDestruction(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) (Destruction, *rules, error) {
	if id == 0 {
		return Destruction{}, nil, apperr.Required("id")
	}
	d, err := scanDestruction(c.QueryRow(ctx, "SELECT "+destructionCols+destructionFrom+" WHERE d.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Destruction{}, nil, apperr.NotFound("id")
	}
	if err != nil {
		return Destruction{}, nil, err
	}
	if ok, err := p.SeesCompany(ctx, c, d.CompanyID); err != nil {
		return Destruction{}, nil, err
	} else if !ok {
		return Destruction{}, nil, apperr.NotFound("id")
	}
	r, err := s.rulesOf(ctx, d.CompanyID)
	return d, r, err
}

// entriesOf reads the volumes of a list in the order they were put on it.
func entriesOf(ctx context.Context, c store.Conn, id store.ID) ([]DestructionEntry, error) {
	return store.QueryAll(ctx, c, func(sc store.Scanner) (DestructionEntry, error) {
		var e DestructionEntry
		var archived, eligible string
		var pages int64
		if err := sc.Scan(&e.VolumeID, &e.Number, &e.FileID, &e.FileTitle, &e.Category, &archived, &eligible, &pages); err != nil {
			return e, err
		}
		e.Pages = int(pages)
		e.ArchivedOn, _ = calendar.ParseDate(archived)
		e.EligibleOn, _ = calendar.ParseDate(eligible)
		return e, nil
	}, `SELECT v.id, v.number, v.file_id, f.title, v.category, v.archived_on, dv.eligible_on,
		(SELECT coalesce(sum(i.pages), 0) FROM archive_items i WHERE i.volume_id = v.id)
		FROM archive_destruction_volumes dv JOIN archive_volumes v ON v.id = dv.volume_id
		JOIN archive_files f ON f.id = v.file_id WHERE dv.destruction_id = ? ORDER BY v.number, v.id`, id)
}

// destructionHolder is the unit that plays "holder" in the destruction
// chain: the unit holding the files of the list when they share one;
// a list mixing departments is reviewed by the central archive office
// (its bound unit), or by the company when the office is not bound.
func destructionHolder(ctx context.Context, c store.Conn, r *rules, id store.ID) (store.ID, error) {
	holders, err := store.QueryAll(ctx, c, func(sc store.Scanner) (store.ID, error) {
		var h store.ID
		return h, sc.Scan(&h)
	}, `SELECT DISTINCT f.holder_unit_id FROM archive_destruction_volumes dv JOIN archive_volumes v ON v.id = dv.volume_id
		JOIN archive_files f ON f.id = v.file_id WHERE dv.destruction_id = ?`, id)
	if err != nil {
		return 0, err
	}
	if len(holders) == 1 {
		return holders[0], nil
	}
	var unit store.ID
	err = c.QueryRow(ctx, "SELECT unit_id FROM archive_departments WHERE company_id = ? AND dept_key = ?",
		r.CompanyID, r.Archive.CentralDepartment()).Scan(&unit)
	if errors.Is(err, sql.ErrNoRows) {
		return r.CompanyID, nil
	}
	return unit, err
}

// fillDestruction reads the volumes, approvals and steps of a list as p
// sees it.
func (s *Service) fillDestruction(ctx context.Context, c store.Conn, p *auth.Principal, d *Destruction, r *rules) error {
	var err error
	if d.Volumes, err = entriesOf(ctx, c, d.ID); err != nil {
		return err
	}
	if d.Approvals, err = approvalsOf(ctx, c, subjectDestruction, d.ID); err != nil {
		return err
	}
	steps := r.Archive.DestructionChain
	can := false
	if next, rejected := chainState(steps, d.Approvals); d.State == DestructionPending && !rejected && next < len(steps) &&
		p.Can(auth.PermArchivesApprove) && (p == nil || p.UserID != d.CreatedBy) {
		holder, err := destructionHolder(ctx, c, r, d.ID)
		if err != nil {
			return err
		}
		if can, err = mayDecide(ctx, c, p, steps[next], d.CompanyID, holder); err != nil {
			return err
		}
	}
	d.Steps = stepStatuses(steps, d.Approvals, can)
	return nil
}

// GetDestruction returns a list or record (archives:read).
func (s *Service) GetDestruction(ctx context.Context, p *auth.Principal, id store.ID) (Destruction, error) {
	if err := need(p, auth.PermArchivesRead); err != nil {
		return Destruction{}, err
	}
	c := s.db.Reader()
	d, r, err := s.readDestruction(ctx, c, p, id)
	if err != nil {
		return Destruction{}, err
	}
	return d, s.fillDestruction(ctx, c, p, &d, r)
}

// ListDestructions lists a company's lists and records, newest first.
func (s *Service) ListDestructions(ctx context.Context, p *auth.Principal, company store.ID, state string, limit int, cursor string) (DestructionPage, error) {
	if err := need(p, auth.PermArchivesRead); err != nil {
		return DestructionPage{}, err
	}
	limit, err := apperr.PageLimit(limit)
	if err != nil {
		return DestructionPage{}, err
	}
	switch state {
	case "", DestructionPending, DestructionApproved, DestructionRejected, DestructionExecuted:
	default:
		return DestructionPage{}, apperr.Validation("state", i18n.T("未知的销毁清单状态", "unknown destruction state"))
	}
	c := s.db.Reader()
	company, err = s.companyFor(ctx, c, p, company, "company_id")
	if err != nil {
		return DestructionPage{}, err
	}
	r, err := s.rulesOf(ctx, company)
	if err != nil {
		return DestructionPage{}, err
	}
	where, args := "d.company_id = ?", []any{company}
	if state != "" {
		where, args = where+" AND d.state = ?", append(args, state)
	}
	if cursor != "" {
		after, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || after <= 0 {
			return DestructionPage{}, apperr.Validation("cursor", i18n.T("游标无效", "invalid cursor"))
		}
		where, args = where+" AND d.id < ?", append(args, after)
	}
	list, err := store.QueryAll(ctx, c, scanDestruction, "SELECT "+destructionCols+destructionFrom+" WHERE "+where+
		" ORDER BY d.id DESC LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return DestructionPage{}, err
	}
	var page DestructionPage
	if len(list) > limit {
		list = list[:limit]
		page.Next = list[limit-1].ID.String()
	}
	for i := range list {
		if err := s.fillDestruction(ctx, c, p, &list[i], r); err != nil {
			return DestructionPage{}, err
		}
	}
	page.Items = list
	if page.Items == nil {
		page.Items = []Destruction{}
	}
	return page, nil
}

// openListCond is true for a volume v already on a pending or approved
// destruction list.
const openListCond = `EXISTS (SELECT 1 FROM archive_destruction_volumes dv JOIN archive_destructions d ON d.id = dv.destruction_id
	WHERE dv.volume_id = v.id AND d.state IN ('pending', 'approved'))`

// EligibleVolumes lists archived volumes whose retention has ended
// (ARC-014), held ones marked, oldest first (archives:read).
func (s *Service) EligibleVolumes(ctx context.Context, p *auth.Principal, company store.ID, limit int, cursor string) ([]Volume, string, error) {
	if err := need(p, auth.PermArchivesRead); err != nil {
		return nil, "", err
	}
	limit, err := apperr.PageLimit(limit)
	if err != nil {
		return nil, "", err
	}
	c := s.db.Reader()
	company, err = s.companyFor(ctx, c, p, company, "company_id")
	if err != nil {
		return nil, "", err
	}
	r, err := s.rulesOf(ctx, company)
	if err != nil {
		return nil, "", err
	}
	day := today(r.Calendar, s.now()).String()
	where := `v.company_id = ? AND v.state = 'archived' AND v.eligible_on <> '' AND v.eligible_on <= ? AND NOT ` + openListCond
	args := []any{company, day}
	if cursor != "" {
		on, id, ok := strings.Cut(cursor, ":")
		n, err := strconv.ParseInt(id, 10, 64)
		if _, derr := calendar.ParseDate(on); !ok || err != nil || derr != nil {
			return nil, "", apperr.Validation("cursor", i18n.T("游标无效", "invalid cursor"))
		}
		where += " AND (v.eligible_on > ? OR (v.eligible_on = ? AND v.id > ?))"
		args = append(args, on, on, n)
	}
	ids, err := store.QueryAll(ctx, c, func(sc store.Scanner) (store.ID, error) {
		var id store.ID
		return id, sc.Scan(&id)
	}, "SELECT v.id FROM archive_volumes v WHERE "+where+" ORDER BY v.eligible_on, v.id LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return nil, "", err
	}
	next, more := "", len(ids) > limit
	if more {
		ids = ids[:limit]
	}
	if len(ids) == 0 {
		return []Volume{}, "", nil
	}
	in := make([]any, len(ids))
	for i, id := range ids {
		in[i] = id
	}
	vols, err := s.volumesOf(ctx, c, r, "v.id IN ("+store.Placeholders(len(ids))+")", in...)
	if err != nil {
		return nil, "", err
	}
	byID := map[store.ID]Volume{}
	for _, v := range vols {
		byID[v.ID] = v
	}
	out := make([]Volume, 0, len(ids))
	for _, id := range ids {
		out = append(out, byID[id])
	}
	if more {
		last := out[limit-1]
		next = last.EligibleOn.String() + ":" + last.ID.String()
	}
	return out, next, nil
}
