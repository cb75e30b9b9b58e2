package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/document"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// DestructionInput proposes a destruction list (ARC-015).
type DestructionInput struct {
	CompanyID store.ID   `json:"company_id"`
	VolumeIDs []store.ID `json:"volume_ids"`
	Note      string     `json:"note"`
}

// ExecuteInput records how a list was destroyed.
type ExecuteInput struct {
	Method     string        `json:"method"`
	Witness    string        `json:"witness"`
	ExecutedOn calendar.Date `json:"executed_on"` // zero: today
}

// DestructionPage is one page of destruction lists.
type DestructionPage struct {
	Items []Destruction `json:"items"`
	Next  string        `json:"next_cursor,omitempty"`
}

// MaxDestructionVolumes is the most volumes one list takes.
const MaxDestructionVolumes = 1000

// CreateDestruction proposes a list of eligible volumes (archives:write);
// refuses volumes not eligible, held, destroyed or on another open list.
func (s *Service) CreateDestruction(ctx context.Context, p *auth.Principal, in DestructionInput) (Destruction, error) {
	if err := need(p, auth.PermArchivesWrite); err != nil {
		return Destruction{}, err
	}
	in.Note = strings.TrimSpace(in.Note)
	switch {
	case len(in.VolumeIDs) == 0:
		return Destruction{}, apperr.Required("volume_ids")
	case len(in.VolumeIDs) > MaxDestructionVolumes:
		return Destruction{}, apperr.Validation("volume_ids", i18n.T("一次至多 %[1]d 卷", "at most %[1]d volumes at once", MaxDestructionVolumes))
	case utf8.RuneCountInString(in.Note) > 1000:
		return Destruction{}, apperr.Validation("note", i18n.T("不能超过 1000 个字符", "at most 1000 characters"))
	}
	var id store.ID
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		company, err := s.companyFor(ctx, tx, p, in.CompanyID, "company_id")
		if err != nil {
			return err
		}
		r, err := s.rulesOf(ctx, company)
		if err != nil {
			return err
		}
		now := s.now()
		day := today(r.Calendar, now)
		eligible := make([]string, len(in.VolumeIDs))
		for i, v := range in.VolumeIDs {
			field := fmt.Sprintf("volume_ids[%d]", i)
			if slices.Index(in.VolumeIDs, v) < i {
				return apperr.Validation(field, i18n.T("重复的案卷", "the volume is listed twice"))
			}
			on, err := destroyable(ctx, tx, company, v, day, field)
			if err != nil {
				return err
			}
			eligible[i] = on
		}
		seq, err := nextSeq(ctx, tx, seqDestruction, company, day.Year)
		if err != nil {
			return err
		}
		number := FormatNumber(r.Archive.Numbering.Destruction, NumberParts{Year: day.Year, Seq: seq})
		id, err = tx.InsertID(ctx, `INSERT INTO archive_destructions (company_id, number, note, created_by, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, company, number, in.Note, p.UserID, store.Micros(now))
		if err != nil {
			return err
		}
		for i, v := range in.VolumeIDs {
			if _, err := tx.Exec(ctx, "INSERT INTO archive_destruction_volumes (destruction_id, volume_id, eligible_on) VALUES (?, ?, ?)",
				id, v, eligible[i]); err != nil {
				return err
			}
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "archive.destruction.create", "archive_destruction",
			id.String(), map[string]any{"number": number, "volumes": in.VolumeIDs, "note": in.Note}); err != nil {
			return err
		}
		if len(r.Archive.DestructionChain) == 0 {
			_, err := tx.Exec(ctx, "UPDATE archive_destructions SET state = 'approved', approved_at = ? WHERE id = ?",
				store.Micros(now), id)
			return err
		}
		return s.tellDestructionApprovers(ctx, tx, r, id, 0, number, p.UserID)
	})
	if err != nil {
		return Destruction{}, err
	}
	return s.GetDestruction(ctx, p, id)
}

// destroyable checks that a volume of the company may go on a list on
// day: archived, eligible (ARC-014), its file not held and not on another
// open list; it returns the volume's eligibility date.
func destroyable(ctx context.Context, c store.Conn, company, id store.ID, day calendar.Date, field string) (string, error) {
	var state, eligible, number string
	var volCompany store.ID
	var hold, listed int64
	err := c.QueryRow(ctx, `SELECT v.company_id, v.state, v.eligible_on, v.number, f.on_hold,
		(SELECT count(*) FROM archive_destruction_volumes dv JOIN archive_destructions d ON d.id = dv.destruction_id
			WHERE dv.volume_id = v.id AND d.state IN ('pending', 'approved'))
		FROM archive_volumes v JOIN archive_files f ON f.id = v.file_id WHERE v.id = ?`, id).
		Scan(&volCompany, &state, &eligible, &number, &hold, &listed)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && volCompany != company) {
		return "", apperr.Validation(field, i18n.T("本公司没有该案卷", "no such volume in the company"))
	}
	if err != nil {
		return "", err
	}
	switch {
	case state == "destroyed":
		return "", apperr.Validation(field, i18n.T("案卷 %[1]s 已销毁", "volume %[1]s is already destroyed", number))
	case state != "archived":
		return "", apperr.Validation(field, i18n.T("案卷 %[1]s 尚未归档", "volume %[1]s is not archived", number))
	case eligible == "":
		return "", apperr.Validation(field, i18n.T("案卷 %[1]s 永久保存", "volume %[1]s is kept permanently", number))
	case eligible > day.String():
		return "", apperr.Validation(field, i18n.T("案卷 %[1]s 保管期限未满，%[2]s 起方可销毁（ARC-014）",
			"volume %[1]s is kept until its retention ends: eligible from %[2]s (ARC-014)", number, eligible))
	case hold != 0:
		return "", apperr.Validation(field, i18n.T("案卷 %[1]s 所属档案处于法律保全中，不得销毁（ARC-015）",
			"volume %[1]s belongs to a file under legal hold and is never destroyed (ARC-015)", number))
	case listed > 0:
		return "", apperr.Validation(field, i18n.T("案卷 %[1]s 已在另一销毁清单上", "volume %[1]s is on another destruction list", number))
	}
	return eligible, nil
}

// tellDestructionApprovers tells the people qualifying for step i of
// the destruction chain that a list waits for them.
func (s *Service) tellDestructionApprovers(ctx context.Context, tx store.Conn, r *rules, id store.ID, i int, number string, creator store.ID) error {
	if s.notify == nil {
		return nil
	}
	st := r.Archive.DestructionChain[i]
	holder, err := destructionHolder(ctx, tx, r, id)
	if err != nil {
		return err
	}
	users, err := qualifiedUsers(ctx, tx, st, r.CompanyID, holder)
	if err != nil {
		return err
	}
	return s.tell(ctx, tx, "archive.destruction.requested", without(users, creator), "destruction", id,
		i18n.T("销毁清单 %[1]s 待您“%[2]s”", "destruction list %[1]s waits for your “%[3]s”", number, st.Name.ZH, st.Name.EN))
}

// DecideDestruction records a step of the destruction chain. Audited.
// The chain's "holder" is the department holding the files of the list;
// a list mixing departments is reviewed in the central archive office.
func (s *Service) DecideDestruction(ctx context.Context, p *auth.Principal, id store.ID, approve bool, note string) (Destruction, error) {
	if err := need(p, auth.PermArchivesApprove); err != nil {
		return Destruction{}, err
	}
	note = strings.TrimSpace(note)
	if err := tooLong(limit{"note", note, 500}); err != nil {
		return Destruction{}, err
	}
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		d, r, err := s.readDestruction(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if d.State != DestructionPending {
			return apperr.Conflict("state", i18n.T("销毁清单不在审批中", "the list is not waiting for approval"))
		}
		holder, err := destructionHolder(ctx, tx, r, d.ID)
		if err != nil {
			return err
		}
		now := s.now()
		steps := r.Archive.DestructionChain
		step, done, err := decideStep(ctx, tx, p, subjectDestruction, d.ID, steps, d.CompanyID, holder, d.CreatedBy,
			approve, note, store.Micros(now))
		if err != nil {
			return err
		}
		state := DestructionPending
		switch {
		case !approve:
			state = DestructionRejected
		case done:
			state = DestructionApproved
		}
		if state != DestructionPending {
			approved := int64(0)
			if state == DestructionApproved {
				approved = store.Micros(now)
			}
			if _, err := tx.Exec(ctx, "UPDATE archive_destructions SET state = ?, approved_at = ? WHERE id = ?",
				state, approved, d.ID); err != nil {
				return err
			}
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "archive.destruction.decide", "archive_destruction",
			d.ID.String(), map[string]any{"number": d.Number, "step": steps[step].Key, "approve": approve, "note": note,
				"state": state}); err != nil {
			return err
		}
		if state == DestructionPending {
			return s.tellDestructionApprovers(ctx, tx, r, d.ID, step+1, d.Number, d.CreatedBy)
		}
		if d.CreatedBy == 0 {
			return nil
		}
		title := i18n.T("销毁清单 %[1]s 已批准，可执行销毁", "destruction list %[1]s is approved: it may be executed", d.Number)
		if state == DestructionRejected {
			title = i18n.T("销毁清单 %[1]s 未获批准", "destruction list %[1]s was refused", d.Number)
		}
		return s.tell(ctx, tx, "archive.destruction."+state, []store.ID{d.CreatedBy}, "destruction", d.ID, title)
	})
	if err != nil {
		return Destruction{}, err
	}
	return s.GetDestruction(ctx, p, id)
}

// ExecuteDestruction destroys an approved list (archives:write) into the
// permanent destruction record; a volume placed on hold since is refused.
// The items of its volumes are marked destroyed and their electronic
// copies withdrawn (no longer downloadable; the bytes stay in the
// content-addressed store, which may share them with other documents).
func (s *Service) ExecuteDestruction(ctx context.Context, p *auth.Principal, id store.ID, in ExecuteInput) (Destruction, error) {
	if err := need(p, auth.PermArchivesWrite); err != nil {
		return Destruction{}, err
	}
	in.Method, in.Witness = strings.TrimSpace(in.Method), strings.TrimSpace(in.Witness)
	switch {
	case in.Method == "":
		return Destruction{}, apperr.Required("method")
	case utf8.RuneCountInString(in.Method) > 100:
		return Destruction{}, apperr.Validation("method", i18n.T("不能超过 100 个字符", "at most 100 characters"))
	case utf8.RuneCountInString(in.Witness) > 100:
		return Destruction{}, apperr.Validation("witness", i18n.T("不能超过 100 个字符", "at most 100 characters"))
	case !in.ExecutedOn.IsZero() && !in.ExecutedOn.Valid():
		return Destruction{}, apperr.Validation("executed_on", i18n.T("日期无效", "invalid date"))
	}
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		d, r, err := s.readDestruction(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if d.State != DestructionApproved {
			return apperr.Conflict("state", i18n.T("销毁清单未经批准，不得销毁（ARC-015）", "the list is not approved: nothing is destroyed (ARC-015)"))
		}
		now := s.now()
		loc := r.Calendar.Location()
		day, at := today(r.Calendar, now), now
		if !in.ExecutedOn.IsZero() {
			switch {
			case in.ExecutedOn.After(day):
				return apperr.Validation("executed_on", i18n.T("不能晚于今天", "cannot be in the future"))
			case in.ExecutedOn.Before(calendar.DateOf(d.ApprovedAt.In(loc))):
				return apperr.Validation("executed_on", i18n.T("不能早于批准日期", "cannot be before the approval"))
			case in.ExecutedOn.Before(day):
				at = in.ExecutedOn.AddDays(1).Midnight(loc).Add(-time.Microsecond) // the end of that day
			}
			day = in.ExecutedOn
		}
		entries, err := entriesOf(ctx, tx, d.ID)
		if err != nil {
			return err
		}
		for i, e := range entries {
			var hold int64
			var state string
			if err := tx.QueryRow(ctx, `SELECT f.on_hold, v.state FROM archive_volumes v JOIN archive_files f ON f.id = v.file_id
				WHERE v.id = ?`, e.VolumeID).Scan(&hold, &state); err != nil {
				return err
			}
			field := fmt.Sprintf("volumes[%d]", i)
			if hold != 0 {
				return apperr.Conflict(field, i18n.T("案卷 %[1]s 所属档案处于法律保全中，不得销毁（ARC-015）",
					"volume %[1]s belongs to a file under legal hold and is never destroyed (ARC-015)", e.Number))
			}
			if state != "archived" {
				return apperr.Conflict(field, i18n.T("案卷 %[1]s 状态已变更", "volume %[1]s is no longer archived", e.Number))
			}
		}
		files := map[store.ID]bool{}
		for _, e := range entries {
			if _, err := tx.Exec(ctx, `UPDATE archive_volumes SET state = 'destroyed', destruction_id = ?, destroyed_at = ?,
				updated_at = ? WHERE id = ?`, d.ID, store.Micros(at), store.Micros(now), e.VolumeID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "UPDATE archive_items SET state = 'destroyed' WHERE volume_id = ?", e.VolumeID); err != nil {
				return err
			}
			// The electronic copies go with the volume: no longer downloadable.
			docs, err := store.QueryAll(ctx, tx, func(sc store.Scanner) (store.ID, error) {
				var id store.ID
				return id, sc.Scan(&id)
			}, "SELECT document_id FROM archive_items WHERE volume_id = ? AND document_id IS NOT NULL", e.VolumeID)
			if err != nil {
				return err
			}
			if err := document.WithdrawIn(audit.WithActor(ctx, p.Actor()), tx, docs, p.UserRef(), "destroyed "+d.Number, now); err != nil {
				return err
			}
			files[e.FileID] = true
		}
		var gone []string
		for f := range files {
			res, err := tx.Exec(ctx, `UPDATE archive_files SET state = 'destroyed', updated_at = ? WHERE id = ? AND NOT EXISTS
				(SELECT 1 FROM archive_volumes v WHERE v.file_id = archive_files.id AND v.state <> 'destroyed')`,
				store.Micros(now), f)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				gone = append(gone, f.String())
			}
		}
		slices.Sort(gone)
		if _, err := tx.Exec(ctx, `UPDATE archive_destructions SET state = 'executed', executed_at = ?, executed_by = ?,
			method = ?, witness = ? WHERE id = ? AND state = 'approved'`, store.Micros(at), p.UserID, in.Method, in.Witness,
			d.ID); err != nil {
			return err
		}
		numbers := make([]string, len(entries))
		for i, e := range entries {
			numbers[i] = e.Number
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "archive.destruction.execute", "archive_destruction",
			d.ID.String(), map[string]any{"number": d.Number, "executed_on": day.String(), "method": in.Method,
				"witness": in.Witness, "volumes": numbers, "files_destroyed": gone})
	})
	if err != nil {
		return Destruction{}, err
	}
	return s.GetDestruction(ctx, p, id)
}
