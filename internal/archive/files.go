package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/store"
)

// FileInput opens a file (ARC-002, ARC-010).
type FileInput struct {
	CompanyID      store.ID `json:"company_id"` // 0: the caller's company
	Kind           string   `json:"kind"`
	Title          string   `json:"title"` // default from the customer and unit
	CustomerID     store.ID `json:"customer_id"`
	ServicePointID store.ID `json:"service_point_id"`
	Project        string   `json:"project"`
	Building       string   `json:"building"`
	Unit           string   `json:"unit"`
	Year           int      `json:"year"`  // case_year
	Level          string   `json:"level"` // default: the pack's (ARC-005)
	Chain          string   `json:"chain"` // lending chain; default: the pack's
	HolderUnitID   store.ID `json:"holder_unit_id"`
	Location       string   `json:"location"`
}

// FilePatch changes what may change of a file; custody moves only by a
// handover, the level only by a level change.
type FilePatch struct {
	Title    *string `json:"title"`
	Location *string `json:"location"`
	Chain    *string `json:"chain"`
}

// FileFilter selects files of the catalogue.
type FileFilter struct {
	CompanyID  store.ID
	Kind       string
	Category   string // files with a volume of the category
	Year       int    // case_year files, or files created in the year
	CustomerID store.ID
	HolderUnit store.ID
	Level      string
	OnHold     *bool
	Q          string // number, title, project, customer name
	Limit      int
	Cursor     string
}

// FilePage is one page of files.
type FilePage struct {
	Items []File `json:"items"`
	Next  string `json:"next_cursor,omitempty"`
}

// CreateFile opens a file (archives:write) numbered by the pack's scheme;
// one per service point (CUS-001), one per company and year for case
// files; a unit or shop file of a customer who has other unit files is
// cross-referenced with them ("same_owner", ARC-002). Audited.
func (s *Service) CreateFile(ctx context.Context, p *auth.Principal, in FileInput) (File, error) {
	if err := need(p, auth.PermArchivesWrite); err != nil {
		return File{}, err
	}
	var out File
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		company, err := s.companyFor(ctx, tx, p, in.CompanyID, "company_id")
		if err != nil {
			return err
		}
		r, err := s.rulesOf(ctx, company)
		if err != nil {
			return err
		}
		id, err := s.createFile(ctx, tx, p, r, in)
		if err != nil {
			return err
		}
		out, _, err = s.loadFile(ctx, tx, p, id, "id")
		if err != nil {
			return err
		}
		out.Links, err = linksOf(ctx, tx, id)
		return err
	})
	return out, err
}

// createFile validates and inserts a file of r's company, with its
// same-owner links; audited.
func (s *Service) createFile(ctx context.Context, tx store.Conn, p *auth.Principal, r *rules, in FileInput) (store.ID, error) {
	company := r.CompanyID
	in.Kind = strings.TrimSpace(in.Kind)
	in.Title, in.Location = strings.TrimSpace(in.Title), strings.TrimSpace(in.Location)
	in.Project, in.Building, in.Unit = strings.TrimSpace(in.Project), strings.TrimSpace(in.Building), strings.TrimSpace(in.Unit)
	if err := tooLong(limit{"title", in.Title, maxTitle}, limit{"location", in.Location, maxTitle},
		limit{"project", in.Project, maxShort}, limit{"building", in.Building, maxShort}, limit{"unit", in.Unit, maxShort}); err != nil {
		return 0, err
	}
	if in.Kind == "" {
		return 0, apperr.Required("kind")
	}
	if !slices.Contains(FileKinds, in.Kind) {
		return 0, apperr.Validation("kind", i18n.T("须为以下之一：%[1]v", "must be one of %[1]v", FileKinds))
	}
	customerName := ""
	if in.ServicePointID != 0 {
		var owner, spCompany store.ID
		err := tx.QueryRow(ctx, "SELECT customer_id, company_id FROM service_points WHERE id = ?", in.ServicePointID).
			Scan(&owner, &spCompany)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && spCompany != company) {
			return 0, apperr.NotFound("service_point_id")
		}
		if err != nil {
			return 0, err
		}
		if in.CustomerID == 0 {
			in.CustomerID = owner
		} else if in.CustomerID != owner {
			return 0, apperr.Validation("service_point_id", i18n.T("服务点不属于该客户", "the service point is not the customer's"))
		}
	}
	if in.CustomerID != 0 {
		var err error
		if customerName, err = customerOf(ctx, tx, company, in.CustomerID); err != nil {
			return 0, err
		}
	}
	now := s.now()
	year := today(r.Calendar, now).Year
	nb := r.Archive.Numbering
	var number string
	switch in.Kind {
	case KindUnit, KindShop:
		if in.Project == "" {
			return 0, apperr.Required("project")
		}
		if in.Kind == KindUnit && in.Building == "" {
			return 0, apperr.Required("building")
		}
		if in.Unit == "" {
			return 0, apperr.Required("unit")
		}
		scheme := nb.Unit
		if in.Kind == KindShop {
			scheme = nb.Shop
		}
		number = FormatNumber(scheme, NumberParts{Project: in.Project, Building: in.Building, Unit: in.Unit})
	case KindCaseYear:
		if in.Year == 0 {
			return 0, apperr.Required("year")
		}
		if in.Year < 2000 || in.Year > year {
			return 0, apperr.Validation("year", i18n.T("须在 2000 到 %[1]d 之间", "must be 2000 to %[1]d", year))
		}
		var n int64
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM archive_files WHERE company_id = ? AND kind = 'case_year' AND year = ?",
			company, in.Year).Scan(&n); err != nil {
			return 0, err
		}
		if n > 0 {
			return 0, apperr.Conflict("year", i18n.T("该年度的投诉案宗已建立", "the case file of the year exists"))
		}
		number = FormatNumber(nb.CaseYear, NumberParts{Year: in.Year})
	}
	if in.Kind != KindCaseYear {
		in.Year = 0
	}
	level := in.Level
	if level == "" {
		level = r.Archive.DefaultLevel
	}
	if r.Archive.LevelRank(level) < 0 {
		return 0, apperr.Validation("level", i18n.T("未定义的密级 %[1]s", "unknown level %[1]s", level))
	}
	if in.Chain != "" {
		if _, ok := r.Archive.Chain(in.Chain); !ok {
			return 0, apperr.Validation("chain", i18n.T("未定义的借阅审批链 %[1]s", "unknown lending chain %[1]s", in.Chain))
		}
	}
	holder, err := holderUnit(ctx, tx, r, in.HolderUnitID)
	if err != nil {
		return 0, err
	}
	if in.Title == "" {
		in.Title = defaultTitle(in, customerName)
		if in.Title == "" {
			return 0, apperr.Required("title")
		}
	}
	if in.ServicePointID != 0 {
		var n int64
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM archive_files WHERE service_point_id = ?", in.ServicePointID).
			Scan(&n); err != nil {
			return 0, err
		}
		if n > 0 {
			return 0, apperr.Conflict("service_point_id", i18n.T("该服务点已有档案（一户一档）", "the service point has a file already (one unit, one file)"))
		}
	}
	switch in.Kind {
	case KindLitigation, KindGeneral, KindCustomer:
		kind, scheme := seqGeneral, nb.General
		if in.Kind == KindLitigation {
			kind, scheme = seqLitigation, nb.Litigation
		}
		seq, err := nextSeq(ctx, tx, kind, company, year)
		if err != nil {
			return 0, err
		}
		number = FormatNumber(scheme, NumberParts{Year: year, Seq: seq})
	}
	var n int64
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM archive_files WHERE company_id = ? AND number = ?", company, number).
		Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, apperr.Conflict("number", i18n.T("档案号 %[1]s 已存在", "file number %[1]s exists", number))
	}
	micros := store.Micros(now)
	id, err := tx.InsertID(ctx, `INSERT INTO archive_files (company_id, number, kind, title, customer_id, service_point_id,
		project, building, unit_no, year, sort_key, level, chain, holder_unit_id, location, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		company, number, in.Kind, in.Title, store.OptionalID(in.CustomerID), store.OptionalID(in.ServicePointID), in.Project, in.Building,
		in.Unit, in.Year, SortKey(in.Kind, in.Project, in.Building, in.Unit, number), level, in.Chain, holder,
		in.Location, p.UserRef(), micros, micros)
	if store.IsUniqueViolation(err) {
		return 0, apperr.Conflict("number", i18n.T("档案号 %[1]s 已存在", "file number %[1]s exists", number))
	}
	if err != nil {
		return 0, err
	}
	links := []string{}
	if (in.Kind == KindUnit || in.Kind == KindShop) && in.CustomerID != 0 {
		others, err := store.QueryAll(ctx, tx, func(sc store.Scanner) (File, error) {
			var f File
			return f, sc.Scan(&f.ID, &f.Number)
		}, `SELECT id, number FROM archive_files WHERE company_id = ? AND customer_id = ? AND kind IN ('unit', 'shop')
			AND id <> ? AND state = 'active' ORDER BY id`, company, in.CustomerID, id)
		if err != nil {
			return 0, err
		}
		for _, o := range others {
			if _, err := tx.Exec(ctx, `INSERT INTO archive_links (file_id, other_file_id, relation, note, created_by, created_at)
				VALUES (?, ?, 'same_owner', '', ?, ?)`, id, o.ID, p.UserRef(), micros); err != nil {
				return 0, err
			}
			links = append(links, o.Number)
		}
	}
	return id, audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "archive.file.create", "archive_file", id.String(),
		map[string]any{"number": number, "kind": in.Kind, "title": in.Title, "level": level, "chain": in.Chain,
			"holder_unit_id": holder, "customer_id": in.CustomerID, "service_point_id": in.ServicePointID,
			"same_owner": links})
}

// customerOf is the name of a customer of the company (NotFound naming
// customer_id otherwise).
func customerOf(ctx context.Context, c store.Conn, company, id store.ID) (string, error) {
	var name, path string
	err := c.QueryRow(ctx, `SELECT cu.name, u.path FROM customers cu JOIN org_units u ON u.id = cu.org_unit_id WHERE cu.id = ?`,
		id).Scan(&name, &path)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.NotFound("customer_id")
	}
	if err != nil {
		return "", err
	}
	co, err := org.GetUnit(ctx, c, company)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(path, co.Path) {
		return "", apperr.NotFound("customer_id")
	}
	return name, nil
}

// defaultTitle is a file's title from its customer and place: "张三
// XD 3-0501", "2026年度投诉案宗"; "" when nothing names it.
func defaultTitle(in FileInput, customer string) string {
	if in.Kind == KindCaseYear {
		return fmt.Sprintf("%d年度投诉案宗", in.Year)
	}
	place := in.Project
	switch {
	case in.Building != "" && in.Unit != "":
		place += " " + in.Building + "-" + in.Unit
	case in.Unit != "":
		place += " " + in.Unit
	}
	return strings.TrimSpace(strings.TrimSpace(customer) + " " + strings.TrimSpace(place))
}

// holderUnit is the unit holding a new file: the one asked for, which
// must be a bound archive department of the company or inside one
// (ARC-004), else the central department's unit.
func holderUnit(ctx context.Context, c store.Conn, r *rules, asked store.ID) (store.ID, error) {
	depts, err := boundUnits(ctx, c, r.CompanyID)
	if err != nil {
		return 0, err
	}
	if asked == 0 {
		central := r.Archive.CentralDepartment()
		for _, d := range depts {
			if d.key == central {
				return d.unit, nil
			}
		}
		return 0, apperr.Validation("holder_unit_id", i18n.T("尚未指定档案集中管理部门，须指定保管部门",
			"no central archive office is bound: name the holding department"))
	}
	u, err := org.GetUnit(ctx, c, asked)
	if err != nil {
		return 0, apperr.Validation("holder_unit_id", i18n.T("须为本公司的档案保管部门", "must be an archive department of the company"))
	}
	for _, d := range depts {
		if strings.HasPrefix(u.Path, d.path) {
			return asked, nil
		}
	}
	return 0, apperr.Validation("holder_unit_id", i18n.T("须为本公司的档案保管部门", "must be an archive department of the company"))
}

// boundUnit is an archive department a company bound to an org unit.
type boundUnit struct {
	key       string
	unit      store.ID
	path      string
	custodian store.ID
}

// boundUnitOf is the unit a company bound to a department key; 0 if none.
func boundUnitOf(ctx context.Context, c store.Conn, company store.ID, key string) (store.ID, error) {
	ids, err := store.QueryAll(ctx, c, func(r store.Scanner) (store.ID, error) {
		var id store.ID
		return id, r.Scan(&id)
	}, "SELECT unit_id FROM archive_departments WHERE company_id = ? AND dept_key = ?", company, key)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// boundUnits reads the archive departments a company bound.
func boundUnits(ctx context.Context, c store.Conn, company store.ID) ([]boundUnit, error) {
	return store.QueryAll(ctx, c, func(sc store.Scanner) (boundUnit, error) {
		var b boundUnit
		return b, sc.Scan(&b.key, &b.unit, &b.path, &b.custodian)
	}, `SELECT d.dept_key, d.unit_id, u.path, coalesce(d.custodian_id, 0) FROM archive_departments d
		JOIN org_units u ON u.id = d.unit_id WHERE d.company_id = ? ORDER BY d.id`, company)
}

// UpdateFile changes a file's title, location or lending chain
// (archives:write); audited.
func (s *Service) UpdateFile(ctx context.Context, p *auth.Principal, id store.ID, in FilePatch) (File, error) {
	if err := need(p, auth.PermArchivesWrite); err != nil {
		return File{}, err
	}
	var out File
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		f, r, err := s.loadFile(ctx, tx, p, id, "id")
		if err != nil {
			return err
		}
		if f.State == "destroyed" {
			return apperr.Gone("id", i18n.T("档案已销毁", "the file was destroyed"))
		}
		var raw string
		if err := tx.QueryRow(ctx, "SELECT chain FROM archive_files WHERE id = ?", id).Scan(&raw); err != nil {
			return err
		}
		title, location, chain := f.Title, f.Location, raw
		changes := map[string]any{}
		if in.Title != nil {
			if title = strings.TrimSpace(*in.Title); title == "" {
				return apperr.Required("title")
			}
			changes["title"] = []string{f.Title, title}
		}
		if in.Location != nil {
			location = strings.TrimSpace(*in.Location)
			changes["location"] = []string{f.Location, location}
		}
		if err := tooLong(limit{"title", title, maxTitle}, limit{"location", location, maxTitle}); err != nil {
			return err
		}
		if in.Chain != nil {
			chain = strings.TrimSpace(*in.Chain)
			if _, ok := r.Archive.Chain(chain); chain != "" && !ok {
				return apperr.Validation("chain", i18n.T("未定义的借阅审批链 %[1]s", "unknown lending chain %[1]s", chain))
			}
			changes["chain"] = []string{raw, chain}
		}
		now := s.now()
		if _, err := tx.Exec(ctx, "UPDATE archive_files SET title = ?, location = ?, chain = ?, updated_at = ? WHERE id = ?",
			title, location, chain, store.Micros(now), id); err != nil {
			return err
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "archive.file.update", "archive_file",
			id.String(), changes); err != nil {
			return err
		}
		out, _, err = s.loadFile(ctx, tx, p, id, "id")
		return err
	})
	return out, err
}

// LookupFile finds a file by its number for a loan application
// (archives:borrow): number, title, kind, level and chain only.
func (s *Service) LookupFile(ctx context.Context, p *auth.Principal, company store.ID, number string) (File, error) {
	if err := need(p, auth.PermArchivesBorrow); err != nil {
		return File{}, err
	}
	number = strings.TrimSpace(number)
	if number == "" {
		return File{}, apperr.Required("file_number")
	}
	c := s.db.Reader()
	co, err := s.companyFor(ctx, c, p, company, "company_id")
	if err != nil {
		return File{}, err
	}
	var id store.ID
	err = c.QueryRow(ctx, "SELECT id FROM archive_files WHERE company_id = ? AND number = ?", co, number).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return File{}, apperr.NotFound("file_number")
	}
	if err != nil {
		return File{}, err
	}
	f, _, err := s.loadFile(ctx, c, p, id, "file_number")
	if err != nil {
		return File{}, err
	}
	return File{ID: f.ID, CompanyID: f.CompanyID, Number: f.Number, Kind: f.Kind, Title: f.Title, Level: f.Level,
		LevelName: f.LevelName, Chain: f.Chain, State: f.State, HolderUnitID: f.HolderUnitID, HolderUnit: f.HolderUnit,
		CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt}, nil
}
