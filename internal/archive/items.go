package archive

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
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// ItemInput checks a document in (签收, ARC-009).
type ItemInput struct {
	CompanyID    store.ID  `json:"company_id"`
	FileID       store.ID  `json:"file_id"` // 0: into the intake tray
	Category     string    `json:"category"`
	Title        string    `json:"title"`
	Medium       string    `json:"medium"`
	Copy         bool      `json:"copy"`
	Pages        int       `json:"pages"`
	DocumentID   store.ID  `json:"document_id"`
	SubCategory  string    `json:"sub_category"`
	ReceivedFrom string    `json:"received_from"`
	ReceivedAt   time.Time `json:"received_at"` // zero: now; never in the future
	SourceType   string    `json:"source_type"`
	SourceID     store.ID  `json:"source_id"`
}

// CheckIn records a document received (archives:write); with a file it is
// filed at once into the file's volume of its category (opened when
// missing), else it waits in the tray, due by the end of the day of
// receipt (ARC-009). Audited.
func (s *Service) CheckIn(ctx context.Context, p *auth.Principal, in ItemInput) (Item, error) {
	if err := need(p, auth.PermArchivesWrite); err != nil {
		return Item{}, err
	}
	var out Item
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		var f File
		var r *rules
		var err error
		if in.FileID != 0 {
			if f, r, err = s.loadFile(ctx, tx, p, in.FileID, "file_id"); err != nil {
				return err
			}
			if f.State == "destroyed" {
				return apperr.Gone("file_id", i18n.T("档案已销毁", "the file was destroyed"))
			}
		} else {
			company, err := s.companyFor(ctx, tx, p, in.CompanyID, "company_id")
			if err != nil {
				return err
			}
			if r, err = s.rulesOf(ctx, company); err != nil {
				return err
			}
		}
		now := s.now()
		in.Category, in.Title, in.Medium = strings.TrimSpace(in.Category), strings.TrimSpace(in.Title), strings.TrimSpace(in.Medium)
		if err := tooLong(limit{"title", in.Title, maxTitle}, limit{"received_from", strings.TrimSpace(in.ReceivedFrom), maxTitle},
			limit{"sub_category", strings.TrimSpace(in.SubCategory), maxShort}, limit{"source_type", in.SourceType, maxShort}); err != nil {
			return err
		}
		if in.Category == "" {
			return apperr.Required("category")
		}
		if _, ok := r.Archive.Category(in.Category); !ok {
			return apperr.Validation("category", i18n.T("未定义的档案类别 %[1]s", "unknown archive category %[1]s", in.Category))
		}
		if in.Medium == "" {
			return apperr.Required("medium")
		}
		if !slices.Contains(Media, in.Medium) {
			return apperr.Validation("medium", i18n.T("须为以下之一：%[1]v", "must be one of %[1]v", Media))
		}
		if in.Title == "" {
			return apperr.Required("title")
		}
		if in.Pages < 0 {
			return apperr.Validation("pages", i18n.T("不能为负数", "must not be negative"))
		}
		if in.ReceivedAt.IsZero() {
			in.ReceivedAt = now
		}
		if in.ReceivedAt.After(now) {
			return apperr.Validation("received_at", i18n.T("签收时间不能晚于现在", "must not be in the future"))
		}
		if in.DocumentID != 0 {
			if err := documentOf(ctx, tx, r.CompanyID, in.DocumentID, in.FileID); err != nil {
				return err
			}
		}
		if in.SourceType = strings.TrimSpace(in.SourceType); in.SourceID != 0 && in.SourceType == "" {
			return apperr.Required("source_type")
		}
		holder := f.HolderUnitID
		if holder == 0 {
			holder = r.CompanyID
			if p != nil {
				holder = p.OrgUnitID
			}
		}
		due, err := r.Calendar.Deadline(in.ReceivedAt, r.Archive.FilingLimit)
		if err != nil {
			return err
		}
		if in.SourceID != 0 {
			var n int64
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM archive_items WHERE source_type = ? AND source_id = ? AND category = ?",
				in.SourceType, in.SourceID, in.Category).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return apperr.Conflict("source_id", i18n.T("该来源的资料已签收", "the document of this source is checked in already"))
			}
		}
		var source any
		if in.SourceID != 0 {
			source = in.SourceID
		}
		id, err := tx.InsertID(ctx, `INSERT INTO archive_items (company_id, file_id, category, title, medium, copy, pages,
			document_id, sub_category, source_type, source_id, received_from, holder_unit_id, received_at, received_by,
			filing_due_at, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', ?) RETURNING id`,
			r.CompanyID, store.OptionalID(in.FileID), in.Category, in.Title, in.Medium, boolInt(in.Copy), in.Pages, store.OptionalID(in.DocumentID),
			strings.TrimSpace(in.SubCategory), in.SourceType, source, strings.TrimSpace(in.ReceivedFrom), holder,
			store.Micros(in.ReceivedAt), p.UserRef(), store.Micros(due.At), store.Micros(now))
		if err != nil {
			return err
		}
		changes := map[string]any{"category": in.Category, "title": in.Title, "medium": in.Medium, "file_id": in.FileID,
			"received_at": in.ReceivedAt, "filing_due_at": due.At}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "archive.item.checkin", "archive_item",
			id.String(), changes); err != nil {
			return err
		}
		if in.FileID != 0 {
			if err := s.fileInto(ctx, tx, p, r, id, f, in.Category, now); err != nil {
				return err
			}
		}
		items, err := s.itemsOf(ctx, tx, r, "i.id = ?", id)
		if err != nil {
			return err
		}
		out = items[0]
		return nil
	})
	return out, err
}

// documentOf checks that a document is an electronic copy attached to
// the file (owner archive_file), or to a file of the company for an item
// going to the tray.
func documentOf(ctx context.Context, c store.Conn, company, doc, file store.ID) error {
	var owner string
	var ownerID store.ID
	err := c.QueryRow(ctx, "SELECT owner_type, owner_id FROM documents WHERE id = ? AND deleted_at = 0", doc).Scan(&owner, &ownerID)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Validation("document_id", i18n.T("文件不存在", "no such document"))
	}
	if err != nil {
		return err
	}
	bad := apperr.Validation("document_id", i18n.T("须为该档案的电子文件", "must be an electronic copy of the file"))
	if owner != "archive_file" {
		return bad
	}
	if file != 0 {
		if ownerID != file {
			return bad
		}
		return nil
	}
	var co store.ID
	err = c.QueryRow(ctx, "SELECT company_id FROM archive_files WHERE id = ?", ownerID).Scan(&co)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && co != company) {
		return bad
	}
	return err
}

// fileInto files item id into the file's volume of the category (opened
// when missing, ARC-010); an archived volume is closed (409) and a
// destroyed file accepts nothing (410).
func (s *Service) fileInto(ctx context.Context, tx store.Conn, p *auth.Principal, r *rules, id store.ID, f File, category string, now time.Time) error {
	if f.State == "destroyed" {
		return apperr.Gone("file_id", i18n.T("档案已销毁", "the file was destroyed"))
	}
	var vol store.ID
	var state string
	err := tx.QueryRow(ctx, "SELECT id, state FROM archive_volumes WHERE file_id = ? AND category = ?", f.ID, category).
		Scan(&vol, &state)
	if errors.Is(err, sql.ErrNoRows) {
		cat, _ := r.Archive.Category(category)
		number := FormatNumber(r.Archive.Numbering.Volume, NumberParts{File: f.Number, Category: category})
		var n int64
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM archive_volumes WHERE company_id = ? AND number = ?", f.CompanyID, number).
			Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.Conflict("volume", i18n.T("案卷号 %[1]s 已存在", "volume number %[1]s exists", number))
		}
		vol, err = tx.InsertID(ctx, `INSERT INTO archive_volumes (file_id, company_id, category, number, retention_months,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, f.ID, f.CompanyID, category, number,
			12*cat.RetentionYears, store.Micros(now), store.Micros(now))
		if err != nil {
			return err
		}
		state = "open"
	} else if err != nil {
		return err
	}
	if state != "open" {
		return apperr.Conflict("volume", i18n.T("案卷已归档，不再接收资料", "the volume is archived and closed"))
	}
	if _, err := tx.Exec(ctx, `UPDATE archive_items SET file_id = ?, volume_id = ?, holder_unit_id = ?, state = 'filed',
		filed_at = ?, filed_by = ? WHERE id = ?`, f.ID, vol, f.HolderUnitID, store.Micros(now), p.UserRef(), id); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "UPDATE archive_volumes SET updated_at = ? WHERE id = ?", store.Micros(now), vol); err != nil {
		return err
	}
	return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "archive.item.file", "archive_item", id.String(),
		map[string]any{"file_id": f.ID, "file_number": f.Number, "volume_id": vol})
}

// FileItem files a received document into a file (archives:write); file
// 0 files it into the file it was checked in for.
func (s *Service) FileItem(ctx context.Context, p *auth.Principal, id, file store.ID) (Item, error) {
	if err := need(p, auth.PermArchivesWrite); err != nil {
		return Item{}, err
	}
	var out Item
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		var company store.ID
		var state, category string
		var current sql.NullInt64
		err := tx.QueryRow(ctx, "SELECT company_id, state, category, file_id FROM archive_items WHERE id = ?", id).
			Scan(&company, &state, &category, &current)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("id")
		}
		if err != nil {
			return err
		}
		if ok, err := p.SeesCompany(ctx, tx, company); err != nil {
			return err
		} else if !ok {
			return apperr.NotFound("id")
		}
		if state != "received" {
			return apperr.Conflict("state", i18n.T("该资料已归档", "the document is filed already"))
		}
		if file == 0 {
			file = store.ID(current.Int64)
		}
		if file == 0 {
			return apperr.Required("file_id")
		}
		f, r, err := s.loadFile(ctx, tx, p, file, "file_id")
		if err != nil {
			return err
		}
		if f.CompanyID != company {
			return apperr.NotFound("file_id")
		}
		if err := s.fileInto(ctx, tx, p, r, id, f, category, s.now()); err != nil {
			return err
		}
		items, err := s.itemsOf(ctx, tx, r, "i.id = ?", id)
		if err != nil {
			return err
		}
		out = items[0]
		return nil
	})
	return out, err
}

// Tray lists the documents received and not yet filed of a company, the
// most urgent first, with their same-day clock (ARC-009).
func (s *Service) Tray(ctx context.Context, p *auth.Principal, company store.ID) ([]Item, error) {
	if err := need(p, auth.PermArchivesRead); err != nil {
		return nil, err
	}
	c := s.db.Reader()
	co, err := s.companyFor(ctx, c, p, company, "company_id")
	if err != nil {
		return nil, err
	}
	r, err := s.rulesOf(ctx, co)
	if err != nil {
		return nil, err
	}
	items, err := s.itemsOf(ctx, c, r, "i.company_id = ? AND i.state = 'received' ORDER BY i.filing_due_at, i.id", co)
	if items == nil && err == nil {
		items = []Item{}
	}
	return items, err
}

// itemsOf reads items matching where (on i = archive_items, with its
// ORDER BY) and their clocks.
func (s *Service) itemsOf(ctx context.Context, c store.Conn, r *rules, where string, args ...any) ([]Item, error) {
	now := s.now()
	return store.QueryAll(ctx, c, func(sc store.Scanner) (Item, error) {
		var it Item
		var cp, pages, received, due, filed int64
		err := sc.Scan(&it.ID, &it.FileID, &it.FileNumber, &it.VolumeID, &it.Category, &it.Title, &it.Medium, &cp, &pages,
			&it.DocumentID, &it.SubCategory, &it.SourceType, &it.SourceID, &it.ReceivedFrom, &it.HolderUnitID, &received,
			&it.ReceivedBy, &due, &filed, &it.FiledBy, &it.State)
		it.Copy, it.Pages = cp != 0, int(pages)
		it.ReceivedAt, it.FilingDueAt, it.FiledAt = store.FromMicros(received), store.FromMicros(due), store.FromMicros(filed)
		it.Overdue = it.State == "received" && now.After(it.FilingDueAt)
		it.FiledLate = filed != 0 && filed > due
		if cat, ok := r.Archive.Category(it.Category); ok {
			it.CategoryName = cat.Name.ZH
		}
		return it, err
	}, `SELECT i.id, coalesce(i.file_id, 0), coalesce(f.number, ''), coalesce(i.volume_id, 0), i.category, i.title, i.medium,
		i.copy, i.pages, coalesce(i.document_id, 0), i.sub_category, i.source_type, coalesce(i.source_id, 0), i.received_from,
		i.holder_unit_id, i.received_at, coalesce(i.received_by, 0), i.filing_due_at, i.filed_at, coalesce(i.filed_by, 0), i.state
		FROM archive_items i LEFT JOIN archive_files f ON f.id = i.file_id WHERE `+where, args...)
}

// ArchiveVolume archives a volume (立卷归档, archives:write) on a date (zero:
// today, never in the future): its retention runs from that day (ARC-014).
func (s *Service) ArchiveVolume(ctx context.Context, p *auth.Principal, id store.ID, on calendar.Date) (Volume, error) {
	if err := need(p, auth.PermArchivesWrite); err != nil {
		return Volume{}, err
	}
	var out Volume
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		var fileID store.ID
		var state string
		var months int64
		err := tx.QueryRow(ctx, "SELECT file_id, state, retention_months FROM archive_volumes WHERE id = ?", id).
			Scan(&fileID, &state, &months)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("id")
		}
		if err != nil {
			return err
		}
		f, r, err := s.loadFile(ctx, tx, p, fileID, "id")
		if err != nil {
			return err
		}
		if f.State == "destroyed" || state == "destroyed" {
			return apperr.Gone("id", i18n.T("案卷已销毁", "the volume was destroyed"))
		}
		if state != "open" {
			return apperr.Conflict("state", i18n.T("案卷已归档", "the volume is archived already"))
		}
		var n, first int64
		if err := tx.QueryRow(ctx, `SELECT count(*), coalesce(min(received_at), 0) FROM archive_items
			WHERE volume_id = ? AND state <> 'destroyed'`, id).Scan(&n, &first); err != nil {
			return err
		}
		if n == 0 {
			return apperr.Validation("items", i18n.T("空案卷不能归档", "an empty volume cannot be archived"))
		}
		now := s.now()
		day := today(r.Calendar, now)
		if on.IsZero() {
			on = day
		}
		if on.After(day) {
			return apperr.Validation("archived_on", i18n.T("归档日期不能晚于今天", "must not be in the future"))
		}
		if earliest := calendar.DateOf(store.FromMicros(first).In(r.Calendar.Location())); on.Before(earliest) {
			return apperr.Validation("archived_on", i18n.T("归档日期不能早于资料签收日 %[1]s",
				"must not be before the first document was received (%[1]s)", earliest.String()))
		}
		eligible := ""
		if e, ok := EligibleOn(on, int(months/12)); ok {
			eligible = e.String()
		}
		if _, err := tx.Exec(ctx, `UPDATE archive_volumes SET state = 'archived', archived_on = ?, archived_by = ?,
			eligible_on = ?, updated_at = ? WHERE id = ?`, on.String(), p.UserRef(), eligible, store.Micros(now), id); err != nil {
			return err
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "archive.volume.archive", "archive_volume",
			id.String(), map[string]any{"file_id": fileID, "archived_on": on.String(), "eligible_on": eligible}); err != nil {
			return err
		}
		vols, err := s.volumesOf(ctx, tx, r, "v.id = ?", id)
		if err != nil {
			return err
		}
		out = vols[0]
		return nil
	})
	return out, err
}
