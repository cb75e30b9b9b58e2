package archive

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// HandoverInput opens a handover batch: an event handover with its event
// date, or a periodic one for the period containing EventOn.
type HandoverInput struct {
	CompanyID store.ID      `json:"company_id"`
	Schedule  string        `json:"schedule"`
	EventOn   calendar.Date `json:"event_on"`
	EventNote string        `json:"event_note"`
	FileIDs   []store.ID    `json:"file_ids"`
}

// HandoverFilter selects handovers.
type HandoverFilter struct {
	CompanyID store.ID
	Schedule  string
	State     string
	Overdue   bool
	Limit     int
	Cursor    string
}

// HandoverPage is one page of handovers.
type HandoverPage struct {
	Items []Handover `json:"items"`
	Next  string     `json:"next_cursor,omitempty"`
}

// CreateHandover opens a batch (archives:write), due by the schedule:
// an event schedule counts its limit from the event day (ARC-006 to
// ARC-008), each event its own batch ("2026-09-24", then "2026-09-24#2"
// the same day); a periodic schedule opens the batch of the period
// containing event_on (default today, ARC-007 to ARC-009), one per
// period. Files given are added as AddHandoverFiles does. Audited.
func (s *Service) CreateHandover(ctx context.Context, p *auth.Principal, in HandoverInput) (Handover, error) {
	if err := need(p, auth.PermArchivesWrite); err != nil {
		return Handover{}, err
	}
	in.Schedule = strings.TrimSpace(in.Schedule)
	in.EventNote = strings.TrimSpace(in.EventNote)
	if in.Schedule == "" {
		return Handover{}, apperr.Required("schedule")
	}
	if err := tooLong(limit{"event_note", in.EventNote, 500}); err != nil {
		return Handover{}, err
	}
	company, err := s.companyFor(ctx, s.db.Reader(), p, in.CompanyID, "company_id")
	if err != nil {
		return Handover{}, err
	}
	r, err := s.rulesOf(ctx, company)
	if err != nil {
		return Handover{}, err
	}
	sch, ok := r.Archive.Handover(in.Schedule)
	if !ok {
		return Handover{}, apperr.Validation("schedule", i18n.T("本公司的政策包没有移交计划 %[1]s", "the company's pack has no handover schedule %[1]s", in.Schedule))
	}
	now := s.now()
	day := today(r.Calendar, now)
	event := sch.Trigger == policy.HandoverEvent
	if event && in.EventOn.IsZero() {
		return Handover{}, apperr.Required("event_on")
	}
	if in.EventOn.IsZero() {
		in.EventOn = day
	}
	if in.EventOn.After(day) {
		return Handover{}, apperr.Validation("event_on", i18n.T("不能晚于今天（%[1]s）", "cannot be after today (%[1]s)", day.String()))
	}
	var due HandoverDue
	if event {
		due, err = EventHandoverDue(r.Calendar, sch, in.EventOn)
	} else {
		due, err = PeriodicHandoverDue(r.Calendar, sch, in.EventOn)
	}
	if err != nil {
		return Handover{}, err
	}
	var id store.ID
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		if err := store.LockXact(ctx, tx, archiveLock^int64(company)); err != nil {
			return err
		}
		from, to, err := s.scheduleUnits(ctx, tx, r, sch)
		if err != nil {
			return err
		}
		if !event {
			if n, err := handoverPeriodTaken(ctx, tx, company, sch.Key, due.Period); err != nil {
				return err
			} else if n {
				return apperr.Conflict("period", i18n.T("%[1]s 的移交批次 %[2]s 已存在", "the %[3]s batch of %[2]s already exists",
					sch.Name.ZH, due.Period, sch.Name.EN))
			}
		}
		id, err = s.openHandover(ctx, tx, p, r, sch, due, from, to, in.EventOn, in.EventNote, event)
		if err != nil {
			return err
		}
		if len(in.FileIDs) > 0 {
			if _, err := s.addFiles(ctx, tx, r, sch, id, from, in.FileIDs, false); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Handover{}, err
	}
	return s.GetHandover(ctx, p, id)
}

// openHandover inserts a batch under the company's lock (nextSeq): an
// event batch takes the event date as its period, with "#n" appended
// when that period is taken. Audited.
func (s *Service) openHandover(ctx context.Context, tx store.Conn, p *auth.Principal, r *rules, sch policy.HandoverSchedule,
	due HandoverDue, from, to store.ID, eventOn calendar.Date, note string, event bool) (store.ID, error) {
	now := s.now()
	year := today(r.Calendar, now).Year
	seq, err := nextSeq(ctx, tx, seqHandover, r.CompanyID, year)
	if err != nil {
		return 0, err
	}
	period, eventText := due.Period, ""
	if event {
		eventText = eventOn.String()
		var n int64
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM archive_handovers WHERE company_id = ? AND schedule = ?
			AND (period = ? OR period LIKE ?)`, r.CompanyID, sch.Key, period, period+"#%").Scan(&n); err != nil {
			return 0, err
		}
		if n > 0 {
			period = fmt.Sprintf("%s#%d", period, n+1)
		}
	}
	number := FormatNumber(r.Archive.Numbering.Handover, NumberParts{Year: year, Seq: seq})
	var id store.ID
	micros := store.Micros(now)
	if err := tx.QueryRow(ctx, `INSERT INTO archive_handovers (company_id, number, schedule, period, from_unit_id, to_unit_id,
		event_on, event_note, due_at, provisional, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.CompanyID, number, sch.Key, period, from, to, eventText, note, store.Micros(due.Due), boolInt(due.Provisional),
		p.UserRef(), micros).Scan(&id); err != nil {
		return 0, err
	}
	return id, audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "archive.handover.open", "archive_handover", id.String(),
		map[string]any{"number": number, "schedule": sch.Key, "period": period, "due_at": due.Due, "rule_id": sch.RuleID})
}

// periodTaken reports whether a schedule's batch of a period exists.
func handoverPeriodTaken(ctx context.Context, c store.Conn, company store.ID, schedule, period string) (bool, error) {
	var n int64
	err := c.QueryRow(ctx, "SELECT COUNT(*) FROM archive_handovers WHERE company_id = ? AND schedule = ? AND period = ?",
		company, schedule, period).Scan(&n)
	return n > 0, err
}

// scheduleUnits are the org units the company bound to a schedule's
// sending and receiving departments; an unbound one is a 422 naming
// "schedule" that says which department to bind.
func (s *Service) scheduleUnits(ctx context.Context, c store.Conn, r *rules, sch policy.HandoverSchedule) (from, to store.ID, err error) {
	units := [2]store.ID{}
	for i, key := range []string{sch.From, sch.To} {
		units[i], err = boundUnitOf(ctx, c, r.CompanyID, key)
		if err != nil {
			return 0, 0, err
		}
		if units[i] == 0 {
			zh, en := key, key
			for _, d := range r.Archive.Departments {
				if d.Key == key {
					zh, en = d.Name.ZH, d.Name.EN
				}
			}
			return 0, 0, apperr.Validation("schedule", i18n.T("请先为本公司绑定档案部门“%[1]s”（%[3]s）", "bind the archive department “%[2]s” (%[3]s) of the company first",
				zh, en, key))
		}
	}
	return units[0], units[1], nil
}

// AddHandoverFiles adds files held by the sending department to a pending
// batch (archives:write), with the ARC-003 completeness check of the
// schedule's categories; a file already on the batch is checked again.
func (s *Service) AddHandoverFiles(ctx context.Context, p *auth.Principal, id store.ID, files []store.ID, copyKept bool) (Handover, error) {
	if err := need(p, auth.PermArchivesWrite); err != nil {
		return Handover{}, err
	}
	if len(files) == 0 {
		return Handover{}, apperr.Required("file_ids")
	}
	if len(files) > 500 {
		return Handover{}, apperr.Validation("file_ids", i18n.T("一次至多 500 个档案", "at most 500 files at a time"))
	}
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		h, r, sch, err := s.handoverFor(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if h.State != HandoverPending {
			return apperr.Conflict("state", i18n.T("只能向待移交的批次添加档案", "files are added only to a pending batch"))
		}
		added, err := s.addFiles(ctx, tx, r, sch, id, h.FromUnitID, files, copyKept)
		if err != nil {
			return err
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, s.now(), "archive.handover.files", "archive_handover", id.String(),
			map[string]any{"files": added, "copy_kept": copyKept})
	})
	if err != nil {
		return Handover{}, err
	}
	return s.GetHandover(ctx, p, id)
}

// addFiles checks and stores files on a batch; it returns their numbers.
func (s *Service) addFiles(ctx context.Context, tx store.Conn, r *rules, sch policy.HandoverSchedule, id, from store.ID,
	files []store.ID, copyKept bool) ([]string, error) {
	fromPath, err := handoverUnitPath(ctx, tx, from)
	if err != nil {
		return nil, err
	}
	var numbers []string
	seen := map[store.ID]bool{}
	for i, fid := range files {
		field := fmt.Sprintf("file_ids[%d]", i)
		if seen[fid] {
			continue
		}
		seen[fid] = true
		var number, state, holderPath string
		var company store.ID
		err := tx.QueryRow(ctx, `SELECT f.number, f.state, f.company_id, coalesce(u.path, '') FROM archive_files f
			LEFT JOIN org_units u ON u.id = f.holder_unit_id WHERE f.id = ?`, fid).Scan(&number, &state, &company, &holderPath)
		if errors.Is(err, sql.ErrNoRows) || err == nil && company != r.CompanyID {
			return nil, apperr.Validation(field, i18n.T("本公司没有档案 %[1]s", "the company has no file %[1]s", fid.String()))
		}
		if err != nil {
			return nil, err
		}
		if state != "active" {
			return nil, apperr.Validation(field, i18n.T("档案 %[1]s 已销毁", "file %[1]s is destroyed", number))
		}
		if !strings.HasPrefix(holderPath, fromPath) {
			return nil, apperr.Validation(field, i18n.T("档案 %[1]s 不在移交部门保管", "file %[1]s is not held by the sending department", number))
		}
		missing, err := handoverMissing(ctx, tx, r, sch, fid)
		if err != nil {
			return nil, err
		}
		js, _ := json.Marshal(missing)
		if _, err := tx.Exec(ctx, `INSERT INTO archive_handover_files (handover_id, file_id, missing, copy_kept) VALUES (?, ?, ?, ?)
			ON CONFLICT (handover_id, file_id) DO UPDATE SET missing = excluded.missing, copy_kept = excluded.copy_kept`,
			id, fid, string(js), boolInt(copyKept)); err != nil {
			return nil, err
		}
		numbers = append(numbers, number)
	}
	return numbers, nil
}

// missingOf runs the ARC-003 checklist of the schedule's categories (all
// categories with a checklist when it names none) on a file: an entry is
// missing when no document title of the file's volume of that category
// contains it. Entries are written "3.1 认购书".
func handoverMissing(ctx context.Context, c store.Conn, r *rules, sch policy.HandoverSchedule, file store.ID) ([]string, error) {
	titles, err := store.QueryAll(ctx, c, func(sc store.Scanner) ([2]string, error) {
		var v [2]string
		return v, sc.Scan(&v[0], &v[1])
	}, "SELECT category, title FROM archive_items WHERE file_id = ? AND state <> 'destroyed'", file)
	if err != nil {
		return nil, err
	}
	missing := []string{}
	for _, cat := range r.Archive.Categories {
		if len(cat.Checklist) == 0 || len(sch.Categories) > 0 && !slices.Contains(sch.Categories, cat.Key) {
			continue
		}
		for _, entry := range cat.Checklist {
			found := false
			for _, t := range titles {
				if t[0] == cat.Key && strings.Contains(t[1], entry) {
					found = true
					break
				}
			}
			if !found {
				missing = append(missing, cat.Key+" "+entry)
			}
		}
	}
	return missing, nil
}

// SubmitHandover records the sending department's handover
// (archives:write, working in the sending department or admin); the
// batch needs at least one file. A batch submitted after its due instant
// stays marked overdue (a late handover). Audited; the receiving
// department's custodian is told.
func (s *Service) SubmitHandover(ctx context.Context, p *auth.Principal, id store.ID, note string) (Handover, error) {
	return s.handoverStep(ctx, p, id, note, HandoverPending, HandoverSubmitted)
}

// ReceiveHandover records the receiving department's signature
// (archives:write, working in the receiving department or admin);
// custody of the files and their documents moves to it (ARC-004).
// Audited with the file numbers.
func (s *Service) ReceiveHandover(ctx context.Context, p *auth.Principal, id store.ID, note string) (Handover, error) {
	return s.handoverStep(ctx, p, id, note, HandoverSubmitted, HandoverReceived)
}

// handoverStep moves a batch from one state to the next.
func (s *Service) handoverStep(ctx context.Context, p *auth.Principal, id store.ID, note, from, to string) (Handover, error) {
	if err := need(p, auth.PermArchivesWrite); err != nil {
		return Handover{}, err
	}
	note = strings.TrimSpace(note)
	if err := tooLong(limit{"note", note, 1000}); err != nil {
		return Handover{}, err
	}
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		h, _, sch, err := s.handoverFor(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if h.State != from {
			if from == HandoverPending {
				return apperr.Conflict("state", i18n.T("该批次已移交", "the batch has already been handed over"))
			}
			if h.State == HandoverPending {
				return apperr.Conflict("state", i18n.T("该批次尚未移交，不能签收", "the batch has not been handed over yet"))
			}
			return apperr.Conflict("state", i18n.T("该批次已签收", "the batch has already been received"))
		}
		unit, side := h.FromUnitID, i18n.T("移交部门", "the sending department")
		if to == HandoverReceived {
			unit, side = h.ToUnitID, i18n.T("接收部门", "the receiving department")
		}
		if p != nil && !p.IsAdmin() {
			path, err := handoverUnitPath(ctx, tx, unit)
			if err != nil {
				return err
			}
			if !strings.HasPrefix(p.OrgPath, path) {
				return apperr.Forbidden(i18n.T("只有%[1]s的人员可以办理", "only staff of %[2]s may do this", side.ZH, side.EN))
			}
		}
		files, err := handoverFiles(ctx, tx, id)
		if err != nil {
			return err
		}
		if len(files) == 0 {
			return apperr.Validation("file_ids", i18n.T("批次中还没有档案", "the batch has no files yet"))
		}
		now := s.now()
		numbers := make([]string, len(files))
		for i, f := range files {
			numbers[i] = f.Number
		}
		action := "archive.handover.submit"
		if to == HandoverSubmitted {
			_, err = tx.Exec(ctx, `UPDATE archive_handovers SET state = ?, submitted_at = ?, submitted_by = ?,
				note = CASE WHEN ? = '' THEN note ELSE ? END WHERE id = ? AND state = ?`,
				to, store.Micros(now), p.UserRef(), note, note, id, from)
		} else {
			action = "archive.handover.receive"
			if _, err = tx.Exec(ctx, `UPDATE archive_handovers SET state = ?, received_at = ?, received_by = ?,
				note = CASE WHEN ? = '' THEN note ELSE ? END WHERE id = ? AND state = ?`,
				to, store.Micros(now), p.UserRef(), note, note, id, from); err != nil {
				return err
			}
			err = handoverCustody(ctx, tx, files, h.ToUnitID, now)
		}
		if err != nil {
			return err
		}
		if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, action, "archive_handover", id.String(),
			map[string]any{"number": h.Number, "files": numbers, "from_unit_id": h.FromUnitID, "to_unit_id": h.ToUnitID,
				"due_at": h.DueAt, "late": now.After(h.DueAt), "note": note}); err != nil {
			return err
		}
		if to == HandoverSubmitted {
			return s.tellCustodian(ctx, tx, h, sch)
		}
		return nil
	})
	if err != nil {
		return Handover{}, err
	}
	return s.GetHandover(ctx, p, id)
}

// moveCustody moves files and their documents to the receiving unit.
func handoverCustody(ctx context.Context, tx store.Conn, files []HandoverFile, to store.ID, now time.Time) error {
	ids := make([]any, 0, len(files)+2)
	ids = append(ids, to, store.Micros(now))
	for _, f := range files {
		ids = append(ids, f.FileID)
	}
	in := store.Placeholders(len(files))
	if _, err := tx.Exec(ctx, "UPDATE archive_files SET holder_unit_id = ?, updated_at = ? WHERE id IN ("+in+")", ids...); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "UPDATE archive_items SET holder_unit_id = ? WHERE file_id IN ("+in+")", append([]any{to}, ids[2:]...)...)
	return err
}

// tellCustodian tells the receiving department's custodian a batch was
// handed over.
func (s *Service) tellCustodian(ctx context.Context, tx store.Conn, h Handover, sch policy.HandoverSchedule) error {
	custodian, err := custodianOf(ctx, tx, h.CompanyID, h.ToUnitID)
	if err != nil || custodian == 0 {
		return err
	}
	return s.tell(ctx, tx, "archive.handover.submitted", []store.ID{custodian}, "handover", h.ID,
		i18n.T("移交批次 %[1]s（%[2]s）待签收", "handover %[1]s (%[3]s) is waiting for your signature", h.Number, sch.Name.ZH, sch.Name.EN))
}
