package archive

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// LinkInput cross-references two files (ARC-002).
type LinkInput struct {
	OtherFileID store.ID `json:"other_file_id"`
	Relation    string   `json:"relation"`
	Note        string   `json:"note"`
}

// AddLink cross-references a file with another of the same company
// (archives:write); seen from both. Audited.
func (s *Service) AddLink(ctx context.Context, p *auth.Principal, file store.ID, in LinkInput) (Link, error) {
	if err := need(p, auth.PermArchivesWrite); err != nil {
		return Link{}, err
	}
	var out Link
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		f, _, err := s.loadFile(ctx, tx, p, file, "id")
		if err != nil {
			return err
		}
		if in.OtherFileID == 0 {
			return apperr.Required("other_file_id")
		}
		if in.OtherFileID == f.ID {
			return apperr.Validation("other_file_id", i18n.T("不能参照档案自身", "a file cannot refer to itself"))
		}
		o, _, err := s.loadFile(ctx, tx, p, in.OtherFileID, "other_file_id")
		if err != nil {
			return err
		}
		if o.CompanyID != f.CompanyID {
			return apperr.NotFound("other_file_id")
		}
		in.Relation = strings.TrimSpace(in.Relation)
		if err := tooLong(limit{"note", strings.TrimSpace(in.Note), maxNote}); err != nil {
			return err
		}
		if in.Relation == "" {
			return apperr.Required("relation")
		}
		if !slices.Contains(Relations, in.Relation) {
			return apperr.Validation("relation", i18n.T("须为以下之一：%[1]v", "must be one of %[1]v", Relations))
		}
		var n int64
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM archive_links WHERE relation = ?
			AND ((file_id = ? AND other_file_id = ?) OR (file_id = ? AND other_file_id = ?))`,
			in.Relation, f.ID, o.ID, o.ID, f.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.Conflict("other_file_id", i18n.T("两档案间已有该参照", "the files are cross-referenced so already"))
		}
		now := s.now()
		id, err := tx.InsertID(ctx, `INSERT INTO archive_links (file_id, other_file_id, relation, note, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, f.ID, o.ID, in.Relation, strings.TrimSpace(in.Note), p.UserRef(), store.Micros(now))
		if err != nil {
			return err
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "archive.link.add", "archive_file", f.ID.String(),
			map[string]any{"other_file_id": o.ID, "other_number": o.Number, "relation": in.Relation}); err != nil {
			return err
		}
		links, err := linksOf(ctx, tx, f.ID)
		if err != nil {
			return err
		}
		for _, l := range links {
			if l.ID == id {
				out = l
			}
		}
		return nil
	})
	return out, err
}

// SetHold places (place true) or releases a legal hold on a file
// (archives:approve) with a reason; a held file is never destroyed. Audited.
func (s *Service) SetHold(ctx context.Context, p *auth.Principal, file store.ID, place bool, reason string) (File, error) {
	if err := need(p, auth.PermArchivesApprove); err != nil {
		return File{}, err
	}
	var out File
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		f, _, err := s.loadFile(ctx, tx, p, file, "id")
		if err != nil {
			return err
		}
		if reason = strings.TrimSpace(reason); reason == "" {
			return apperr.Required("reason")
		}
		if err := tooLong(limit{"reason", reason, maxNote}); err != nil {
			return err
		}
		if f.State == "destroyed" {
			return apperr.Gone("id", i18n.T("档案已销毁", "the file was destroyed"))
		}
		if place && f.OnHold {
			return apperr.Conflict("on_hold", i18n.T("档案已处于法律保全", "the file is on hold already"))
		}
		if !place && !f.OnHold {
			return apperr.Conflict("on_hold", i18n.T("档案未处于法律保全", "the file is not on hold"))
		}
		action := "release"
		if place {
			action = "place"
		}
		now := s.now()
		if _, err := tx.Exec(ctx, "INSERT INTO archive_holds (file_id, action, reason, by_user, at) VALUES (?, ?, ?, ?, ?)",
			f.ID, action, reason, p.UserRef(), store.Micros(now)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE archive_files SET on_hold = ?, updated_at = ? WHERE id = ?",
			boolInt(place), store.Micros(now), f.ID); err != nil {
			return err
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "archive.hold."+action, "archive_file",
			f.ID.String(), map[string]any{"number": f.Number, "reason": reason}); err != nil {
			return err
		}
		if out, _, err = s.loadFile(ctx, tx, p, f.ID, "id"); err != nil {
			return err
		}
		out.Holds, err = holdsOf(ctx, tx, f.ID)
		return err
	})
	return out, err
}

// RequestLevelChange asks to change a file's level (archives:write); the
// pack's level approvers decide in order (ARC-005).
func (s *Service) RequestLevelChange(ctx context.Context, p *auth.Principal, file store.ID, to, reason string) (LevelChange, error) {
	if err := need(p, auth.PermArchivesWrite); err != nil {
		return LevelChange{}, err
	}
	var out LevelChange
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		f, r, err := s.loadFile(ctx, tx, p, file, "id")
		if err != nil {
			return err
		}
		if f.State == "destroyed" {
			return apperr.Gone("id", i18n.T("档案已销毁", "the file was destroyed"))
		}
		if to = strings.TrimSpace(to); to == "" {
			return apperr.Required("to_level")
		}
		if r.Archive.LevelRank(to) < 0 {
			return apperr.Validation("to_level", i18n.T("未定义的密级 %[1]s", "unknown level %[1]s", to))
		}
		if to == f.Level {
			return apperr.Validation("to_level", i18n.T("档案已是该密级", "the file has that level already"))
		}
		if reason = strings.TrimSpace(reason); reason == "" {
			return apperr.Required("reason")
		}
		if err := tooLong(limit{"reason", reason, maxNote}); err != nil {
			return err
		}
		var n int64
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM archive_level_changes WHERE file_id = ? AND state = 'pending'", f.ID).
			Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.Conflict("to_level", i18n.T("该档案已有待审批的密级变更", "a level change of the file is pending already"))
		}
		now := s.now()
		id, err := tx.InsertID(ctx, `INSERT INTO archive_level_changes (file_id, from_level, to_level, reason, requested_by,
			requested_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, f.ID, f.Level, to, reason, p.UserRef(), store.Micros(now))
		if err != nil {
			return err
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "archive.level.request", "archive_file",
			f.ID.String(), map[string]any{"level_change_id": id, "from": f.Level, "to": to, "reason": reason}); err != nil {
			return err
		}
		changes, err := s.levelChangesOf(ctx, tx, p, f, r, "id = ?", id)
		if err != nil {
			return err
		}
		out = changes[0]
		return nil
	})
	return out, err
}

// DecideLevelChange records one approving department's decision
// (archives:approve, working in that department); the last approval
// applies the level. Audited.
func (s *Service) DecideLevelChange(ctx context.Context, p *auth.Principal, id store.ID, approve bool, note string) (LevelChange, error) {
	if err := need(p, auth.PermArchivesApprove); err != nil {
		return LevelChange{}, err
	}
	if note = strings.TrimSpace(note); utf8.RuneCountInString(note) > maxNote {
		return LevelChange{}, tooLong(limit{"note", note, maxNote})
	}
	var out LevelChange
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		var file, requester store.ID
		var state, to string
		err := tx.QueryRow(ctx, "SELECT file_id, state, to_level, coalesce(requested_by, 0) FROM archive_level_changes WHERE id = ?",
			id).Scan(&file, &state, &to, &requester)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("id")
		}
		if err != nil {
			return err
		}
		f, r, err := s.loadFile(ctx, tx, p, file, "id")
		if err != nil {
			return err
		}
		if state != "pending" {
			return apperr.Conflict("state", i18n.T("该密级变更已结束", "the level change is closed"))
		}
		now := s.now()
		micros := store.Micros(now)
		step, done, err := decideStep(ctx, tx, p, subjectLevel, id, levelSteps(f, r), f.CompanyID, f.HolderUnitID,
			requester, approve, strings.TrimSpace(note), micros)
		if err != nil {
			return err
		}
		action := "archive.level.approve"
		switch {
		case !approve:
			action = "archive.level.reject"
			_, err = tx.Exec(ctx, "UPDATE archive_level_changes SET state = 'rejected', decided_at = ? WHERE id = ?", micros, id)
		case done:
			action = "archive.level.apply"
			if _, err = tx.Exec(ctx, "UPDATE archive_level_changes SET state = 'applied', decided_at = ? WHERE id = ?", micros, id); err == nil {
				_, err = tx.Exec(ctx, "UPDATE archive_files SET level = ?, updated_at = ? WHERE id = ?", to, micros, f.ID)
			}
		}
		if err != nil {
			return err
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, action, "archive_file", f.ID.String(),
			map[string]any{"level_change_id": id, "step": step, "from": f.Level, "to": to, "note": note}); err != nil {
			return err
		}
		if f, r, err = s.loadFile(ctx, tx, p, file, "id"); err != nil {
			return err
		}
		changes, err := s.levelChangesOf(ctx, tx, p, f, r, "id = ?", id)
		if err != nil {
			return err
		}
		out = changes[0]
		return nil
	})
	return out, err
}
