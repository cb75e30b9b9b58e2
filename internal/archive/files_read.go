package archive

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// fileCols and fileFrom read a file with its customer's and holder's names.
const fileCols = `f.id, f.company_id, f.number, f.kind, f.title, coalesce(f.customer_id, 0), coalesce(c.name, ''),
	coalesce(f.service_point_id, 0), f.project, f.building, f.unit_no, f.year, f.level, f.chain, f.holder_unit_id,
	coalesce(u.name, ''), f.location, f.on_hold, f.state, f.created_at, f.updated_at,
	(SELECT count(*) FROM archive_volumes v WHERE v.file_id = f.id AND v.state <> 'destroyed'),
	(SELECT count(*) FROM archive_loans l WHERE l.file_id = f.id AND l.state = 'lent' AND l.mode = 'take_out')`

const fileFrom = ` FROM archive_files f LEFT JOIN customers c ON c.id = f.customer_id
	LEFT JOIN org_units u ON u.id = f.holder_unit_id`

// scanFile reads one row of fileCols; the level name and the chain that
// applies are filled by rules.fill.
func scanFile(sc store.Scanner) (File, error) {
	var f File
	var hold, created, updated int64
	var year, volumes, lent int64
	err := sc.Scan(&f.ID, &f.CompanyID, &f.Number, &f.Kind, &f.Title, &f.CustomerID, &f.CustomerName,
		&f.ServicePointID, &f.Project, &f.Building, &f.Unit, &year, &f.Level, &f.Chain, &f.HolderUnitID,
		&f.HolderUnit, &f.Location, &hold, &f.State, &created, &updated, &volumes, &lent)
	f.Year, f.OnHold, f.VolumeCount, f.Lent = int(year), hold != 0, int(volumes), lent > 0
	f.CreatedAt, f.UpdatedAt = store.FromMicros(created), store.FromMicros(updated)
	return f, err
}

// fill names the file's level and the lending chain that applies.
func (r *rules) fill(f *File) {
	for _, l := range r.Archive.Levels {
		if l.Key == f.Level {
			f.LevelName = l.Name.ZH
		}
	}
	if f.Chain == "" {
		f.Chain = r.Archive.DefaultChain
	}
}

// loadFile reads a file that p sees (NotFound naming field otherwise),
// with the rules of its company.
func (s *Service) loadFile(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID, field string) (File, *rules, error) {
	if id == 0 {
		return File{}, nil, apperr.Required(field)
	}
	f, err := scanFile(c.QueryRow(ctx, "SELECT "+fileCols+fileFrom+" WHERE f.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return File{}, nil, apperr.NotFound(field)
	}
	if err != nil {
		return File{}, nil, err
	}
	if ok, err := p.SeesCompany(ctx, c, f.CompanyID); err != nil {
		return File{}, nil, err
	} else if !ok {
		return File{}, nil, apperr.NotFound(field)
	}
	r, err := s.rulesOf(ctx, f.CompanyID)
	if err != nil {
		return File{}, nil, err
	}
	r.fill(&f)
	return f, r, nil
}

// GetFile returns a file with volumes, links, holds and level changes;
// its items too when the caller may view its contents. Audited as a view
// (SEC-001); NotFound outside the caller's scope.
func (s *Service) GetFile(ctx context.Context, p *auth.Principal, id store.ID) (File, error) {
	if p != nil && !p.Can(auth.PermArchivesRead) {
		return File{}, apperr.NotFound("id")
	}
	var out File
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		f, r, err := s.loadFile(ctx, tx, p, id, "id")
		if err != nil {
			return err
		}
		if err := s.details(ctx, tx, p, &f, r); err != nil {
			return err
		}
		if f.CanViewContents {
			if f.Items, err = s.itemsOf(ctx, tx, r, "i.file_id = ? ORDER BY i.category, i.id", f.ID); err != nil {
				return err
			}
		}
		now := s.now()
		changes := map[string]any{"number": f.Number, "contents": f.CanViewContents}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "archive.file.view", "archive_file",
			f.ID.String(), changes); err != nil {
			return err
		}
		if !f.CanViewContents {
			if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "archive.file.contents_refused",
				"archive_file", f.ID.String(), map[string]any{"number": f.Number, "level": f.Level}); err != nil {
				return err
			}
		}
		out = f
		return nil
	})
	return out, err
}

// details reads what GetFile shows besides the items: volumes, links,
// holds, level changes, whether a take-out loan is out and whether p may
// view the contents.
func (s *Service) details(ctx context.Context, c store.Conn, p *auth.Principal, f *File, r *rules) error {
	var err error
	if f.Volumes, err = s.volumesOf(ctx, c, r, "v.file_id = ?", f.ID); err != nil {
		return err
	}
	if f.Links, err = linksOf(ctx, c, f.ID); err != nil {
		return err
	}
	if f.Holds, err = holdsOf(ctx, c, f.ID); err != nil {
		return err
	}
	if f.LevelChanges, err = s.levelChangesOf(ctx, c, p, *f, r, "1 = 1"); err != nil {
		return err
	}
	f.CanViewContents, err = s.canViewContents(ctx, c, p, *f, r)
	return err
}

// volumesOf reads the volumes matching where (on v = archive_volumes)
// with their item counts and checklist gaps (ARC-003).
func (s *Service) volumesOf(ctx context.Context, c store.Conn, r *rules, where string, args ...any) ([]Volume, error) {
	vols, err := store.QueryAll(ctx, c, func(sc store.Scanner) (Volume, error) {
		var v Volume
		var archived, eligible string
		var months, pages, destroyed, hold, items int64
		var dest sql.NullInt64
		err := sc.Scan(&v.ID, &v.FileID, &v.FileNumber, &v.Category, &v.Number, &v.State, &archived, &months,
			&eligible, &pages, &dest, &destroyed, &hold, &items)
		if err != nil {
			return v, err
		}
		v.RetentionYears, v.Pages, v.Items, v.OnHold = int(months/12), int(pages), int(items), hold != 0
		v.DestructionID, v.DestroyedAt = store.ID(dest.Int64), store.FromMicros(destroyed)
		if archived != "" {
			v.ArchivedOn, _ = calendar.ParseDate(archived)
		}
		if eligible != "" {
			v.EligibleOn, _ = calendar.ParseDate(eligible)
		}
		return v, nil
	}, `SELECT v.id, v.file_id, f.number, v.category, v.number, v.state, v.archived_on, v.retention_months,
		v.eligible_on, (SELECT coalesce(sum(i.pages), 0) FROM archive_items i WHERE i.volume_id = v.id AND i.state <> 'destroyed'),
		v.destruction_id, v.destroyed_at, f.on_hold,
		(SELECT count(*) FROM archive_items i WHERE i.volume_id = v.id AND i.state <> 'destroyed')
		FROM archive_volumes v JOIN archive_files f ON f.id = v.file_id WHERE `+where+" ORDER BY v.category, v.id", args...)
	if err != nil {
		return nil, err
	}
	for i := range vols {
		v := &vols[i]
		cat, ok := r.Archive.Category(v.Category)
		if !ok {
			continue
		}
		v.CategoryName = cat.Name.ZH
		if len(cat.Checklist) == 0 {
			continue
		}
		titles, err := store.QueryAll(ctx, c, func(sc store.Scanner) (string, error) {
			var t string
			return t, sc.Scan(&t)
		}, "SELECT title FROM archive_items WHERE volume_id = ? AND state <> 'destroyed'", v.ID)
		if err != nil {
			return nil, err
		}
		v.Missing = missing(cat.Checklist, titles)
	}
	return vols, nil
}

// missing lists the checklist entries that no title contains (ARC-003).
func missing(checklist, titles []string) []string {
	var out []string
	for _, want := range checklist {
		found := false
		for _, t := range titles {
			if strings.Contains(t, want) {
				found = true
				break
			}
		}
		if !found {
			out = append(out, want)
		}
	}
	return out
}

// linksOf reads the cross-references of a file seen from both sides.
func linksOf(ctx context.Context, c store.Conn, file store.ID) ([]Link, error) {
	return store.QueryAll(ctx, c, func(sc store.Scanner) (Link, error) {
		var l Link
		var at int64
		err := sc.Scan(&l.ID, &l.FileID, &l.OtherFileID, &l.OtherNumber, &l.OtherTitle, &l.Relation, &l.Note, &at)
		l.CreatedAt = store.FromMicros(at)
		return l, err
	}, `SELECT l.id, CAST(? AS BIGINT), o.id, o.number, o.title, l.relation, l.note, l.created_at
		FROM archive_links l JOIN archive_files o ON o.id = CASE WHEN l.file_id = ? THEN l.other_file_id ELSE l.file_id END
		WHERE l.file_id = ? OR l.other_file_id = ? ORDER BY l.id`, file, file, file, file)
}

// holdsOf reads the holds placed and released on a file, oldest first.
func holdsOf(ctx context.Context, c store.Conn, file store.ID) ([]Hold, error) {
	return store.QueryAll(ctx, c, func(sc store.Scanner) (Hold, error) {
		var h Hold
		var at int64
		err := sc.Scan(&h.ID, &h.FileID, &h.Action, &h.Reason, &h.By, &h.ByName, &at)
		h.At = store.FromMicros(at)
		return h, err
	}, `SELECT h.id, h.file_id, h.action, h.reason, coalesce(h.by_user, 0), coalesce(u.display_name, ''), h.at
		FROM archive_holds h LEFT JOIN users u ON u.id = h.by_user WHERE h.file_id = ? ORDER BY h.id`, file)
}

// ListFiles lists the catalogue of a company in catalogue order (project,
// homes before shops, ARC-010), archives:read.
func (s *Service) ListFiles(ctx context.Context, p *auth.Principal, f FileFilter) (FilePage, error) {
	if err := need(p, auth.PermArchivesRead); err != nil {
		return FilePage{}, err
	}
	limit, err := apperr.PageLimit(f.Limit)
	if err != nil {
		return FilePage{}, err
	}
	c := s.db.Reader()
	company, err := s.companyFor(ctx, c, p, f.CompanyID, "company_id")
	if err != nil {
		return FilePage{}, err
	}
	r, err := s.rulesOf(ctx, company)
	if err != nil {
		return FilePage{}, err
	}
	where := []string{"f.company_id = ?"}
	args := []any{company}
	add := func(cond string, a ...any) { where, args = append(where, cond), append(args, a...) }
	if f.Kind != "" {
		add("f.kind = ?", f.Kind)
	}
	if f.Category != "" {
		add("EXISTS (SELECT 1 FROM archive_volumes v WHERE v.file_id = f.id AND v.category = ?)", f.Category)
	}
	if f.Year != 0 {
		from := calendar.D(f.Year, 1, 1).Midnight(r.Calendar.Location())
		to := calendar.D(f.Year+1, 1, 1).Midnight(r.Calendar.Location())
		add("(f.year = ? OR (f.kind <> 'case_year' AND f.created_at >= ? AND f.created_at < ?))",
			f.Year, store.Micros(from), store.Micros(to))
	}
	if f.CustomerID != 0 {
		add("f.customer_id = ?", f.CustomerID)
	}
	if f.HolderUnit != 0 {
		add("f.holder_unit_id = ?", f.HolderUnit)
	}
	if f.Level != "" {
		add("f.level = ?", f.Level)
	}
	if f.OnHold != nil {
		add("f.on_hold = ?", boolInt(*f.OnHold))
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		like := "%" + strings.ToLower(q) + "%"
		add("(lower(f.number) LIKE ? OR lower(f.title) LIKE ? OR lower(f.project) LIKE ? OR lower(coalesce(c.name, '')) LIKE ?)",
			like, like, like, like)
	}
	if f.Cursor != "" {
		key, id, err := fileCursor(f.Cursor)
		if err != nil {
			return FilePage{}, err
		}
		add("(f.sort_key > ? OR (f.sort_key = ? AND f.id > ?))", key, key, id)
	}
	args = append(args, limit+1)
	type row struct {
		File
		key string
	}
	rows, err := store.QueryAll(ctx, c, func(sc store.Scanner) (row, error) {
		var rw row
		var err error
		rw.File, err = scanFile(rowWithKey{sc, &rw.key})
		return rw, err
	}, "SELECT "+fileCols+", f.sort_key"+fileFrom+" WHERE "+strings.Join(where, " AND ")+
		" ORDER BY f.sort_key, f.id LIMIT ?", args...)
	if err != nil {
		return FilePage{}, err
	}
	page := FilePage{Items: []File{}}
	for i, rw := range rows {
		if i == limit {
			last := rows[limit-1]
			page.Next = base64.RawURLEncoding.EncodeToString([]byte(last.key + "\x1e" + last.ID.String()))
			break
		}
		r.fill(&rw.File)
		page.Items = append(page.Items, rw.File)
	}
	return page, nil
}

// rowWithKey scans fileCols followed by the sort key.
type rowWithKey struct {
	sc  store.Scanner
	key *string
}

// Scan reads the row into dest and the trailing sort key.
func (r rowWithKey) Scan(dest ...any) error { return r.sc.Scan(append(dest, r.key)...) }

// fileCursor reads a catalogue cursor: the sort key and id of the last
// file of the page before.
func fileCursor(cursor string) (string, store.ID, error) {
	bad := apperr.Validation("cursor", i18n.T("游标无效", "invalid cursor"))
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return "", 0, bad
	}
	key, id, ok := strings.Cut(string(raw), "\x1e")
	if !ok {
		return "", 0, bad
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return "", 0, bad
	}
	return key, store.ID(n), nil
}

// boolInt is the BIGINT 0/1 of a boolean.
func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
