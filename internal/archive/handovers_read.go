package archive

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// handoverColumns are read by scanHandover.
const handoverColumns = `h.id, h.company_id, h.number, h.schedule, h.period, h.from_unit_id, coalesce(fu.name, ''),
	h.to_unit_id, coalesce(tu.name, ''), h.event_on, h.event_note, h.due_at, h.provisional, h.state, h.submitted_at,
	coalesce(h.submitted_by, 0), h.received_at, coalesce(h.received_by, 0), h.note
	FROM archive_handovers h LEFT JOIN org_units fu ON fu.id = h.from_unit_id LEFT JOIN org_units tu ON tu.id = h.to_unit_id`

// scanHandover reads a row of handoverColumns; overdue is computed at now.
func scanHandover(sc store.Scanner, now time.Time) (Handover, error) {
	var h Handover
	var eventOn string
	var due, submitted, received, prov int64
	if err := sc.Scan(&h.ID, &h.CompanyID, &h.Number, &h.Schedule, &h.Period, &h.FromUnitID, &h.FromUnit,
		&h.ToUnitID, &h.ToUnit, &eventOn, &h.EventNote, &due, &prov, &h.State, &submitted,
		&h.SubmittedBy, &received, &h.ReceivedBy, &h.Note); err != nil {
		return h, err
	}
	if eventOn != "" {
		d, err := calendar.ParseDate(eventOn)
		if err != nil {
			return h, err
		}
		h.EventOn = d
	}
	h.DueAt, h.Provisional = store.FromMicros(due), prov != 0
	if submitted > 0 {
		h.SubmittedAt = store.FromMicros(submitted)
	}
	if received > 0 {
		h.ReceivedAt = store.FromMicros(received)
	}
	h.Overdue = handoverLate(h.State, due, submitted, store.Micros(now))
	h.Files = []HandoverFile{}
	return h, nil
}

// handoverLate is the overdue mark of a batch: still pending after its
// due instant, or submitted after it (a late handover stays marked).
func handoverLate(state string, due, submitted, now int64) bool {
	return state == HandoverPending && due < now || submitted > 0 && submitted > due
}

// handoverLateSQL is handoverLate in SQL (one argument: now).
const handoverLateSQL = "((h.state = 'pending' AND h.due_at < ?) OR (h.submitted_at > 0 AND h.submitted_at > h.due_at))"

// named fills the schedule's name and rule from the pack.
func (h *Handover) named(r *rules) {
	if sch, ok := r.Archive.Handover(h.Schedule); ok {
		h.ScheduleName, h.RuleID = sch.Name.ZH, sch.RuleID
	} else {
		h.ScheduleName = h.Schedule
	}
}

// handoverFor reads a batch p may see (NotFound "handover" otherwise)
// with its company's rules and schedule.
func (s *Service) handoverFor(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) (Handover, *rules, policy.HandoverSchedule, error) {
	h, err := scanHandover(c.QueryRow(ctx, "SELECT "+handoverColumns+" WHERE h.id = ?", id), s.now())
	if errors.Is(err, sql.ErrNoRows) {
		return h, nil, policy.HandoverSchedule{}, apperr.NotFound("handover")
	}
	if err != nil {
		return h, nil, policy.HandoverSchedule{}, err
	}
	if ok, err := p.SeesCompany(ctx, c, h.CompanyID); err != nil {
		return h, nil, policy.HandoverSchedule{}, err
	} else if !ok {
		return h, nil, policy.HandoverSchedule{}, apperr.NotFound("handover")
	}
	r, err := s.rulesOf(ctx, h.CompanyID)
	if err != nil {
		return h, nil, policy.HandoverSchedule{}, err
	}
	h.named(r)
	sch, ok := r.Archive.Handover(h.Schedule)
	if !ok {
		sch = policy.HandoverSchedule{Key: h.Schedule}
	}
	return h, r, sch, nil
}

// GetHandover returns a batch with its files and their completeness
// (archives:read).
func (s *Service) GetHandover(ctx context.Context, p *auth.Principal, id store.ID) (Handover, error) {
	if err := need(p, auth.PermArchivesRead); err != nil {
		return Handover{}, err
	}
	c := s.db.Reader()
	h, _, _, err := s.handoverFor(ctx, c, p, id)
	if err != nil {
		return h, err
	}
	if h.Files, err = handoverFiles(ctx, c, id); err != nil {
		return h, err
	}
	return h, nil
}

// handoverFiles reads the files of a batch in catalogue order.
func handoverFiles(ctx context.Context, c store.Conn, id store.ID) ([]HandoverFile, error) {
	files, err := store.QueryAll(ctx, c, func(sc store.Scanner) (HandoverFile, error) {
		var f HandoverFile
		var missing string
		var copyKept int64
		if err := sc.Scan(&f.FileID, &f.Number, &f.Title, &missing, &copyKept); err != nil {
			return f, err
		}
		f.CopyKept = copyKept != 0
		if err := json.Unmarshal([]byte(missing), &f.Missing); err != nil {
			return f, fmt.Errorf("archive: handover %d file %d: missing: %w", id, f.FileID, err)
		}
		if f.Missing == nil {
			f.Missing = []string{}
		}
		return f, nil
	}, `SELECT f.id, f.number, f.title, hf.missing, hf.copy_kept FROM archive_handover_files hf
		JOIN archive_files f ON f.id = hf.file_id WHERE hf.handover_id = ? ORDER BY f.sort_key, f.id`, id)
	if files == nil {
		files = []HandoverFile{}
	}
	return files, err
}

// handoverUnitPath is the org path of a unit.
func handoverUnitPath(ctx context.Context, c store.Conn, id store.ID) (string, error) {
	u, err := org.GetUnit(ctx, c, id)
	if err != nil {
		return "", err
	}
	return u.Path, nil
}

// ListHandovers lists a company's batches (archives:read): pending ones
// first by due instant, then the others newest first. The batches of the
// current periods (this Monday or Thursday, this quarter, this half-year)
// of every periodic schedule whose departments are bound are opened
// first when missing. Overdue selects the batches marked overdue:
// pending past their due instant, or submitted after it.
func (s *Service) ListHandovers(ctx context.Context, p *auth.Principal, f HandoverFilter) (HandoverPage, error) {
	if err := need(p, auth.PermArchivesRead); err != nil {
		return HandoverPage{}, err
	}
	limit, err := apperr.PageLimit(f.Limit)
	if err != nil {
		return HandoverPage{}, err
	}
	switch f.State {
	case "", HandoverPending, HandoverSubmitted, HandoverReceived:
	default:
		return HandoverPage{}, apperr.Validation("state", i18n.T("须为 pending、submitted 或 received", "must be pending, submitted or received"))
	}
	c := s.db.Reader()
	company, err := s.companyFor(ctx, c, p, f.CompanyID, "company_id")
	if err != nil {
		return HandoverPage{}, err
	}
	r, err := s.rulesOf(ctx, company)
	if err != nil {
		return HandoverPage{}, err
	}
	if f.Schedule != "" {
		if _, ok := r.Archive.Handover(f.Schedule); !ok {
			return HandoverPage{}, apperr.Validation("schedule", i18n.T("没有移交计划 %[1]s", "no handover schedule %[1]s", f.Schedule))
		}
	}
	if err := s.ensureHandovers(ctx, p, r); err != nil {
		return HandoverPage{}, err
	}
	now := store.Micros(s.now())
	where, args := []string{"h.company_id = ?"}, []any{company}
	if f.Schedule != "" {
		where, args = append(where, "h.schedule = ?"), append(args, f.Schedule)
	}
	if f.State != "" {
		where, args = append(where, "h.state = ?"), append(args, f.State)
	}
	if f.Overdue {
		where, args = append(where, handoverLateSQL), append(args, now)
	}
	if f.Cursor != "" {
		cond, cargs, err := handoverAfter(f.Cursor)
		if err != nil {
			return HandoverPage{}, err
		}
		where, args = append(where, cond), append(args, cargs...)
	}
	args = append(args, limit)
	items, err := store.QueryAll(ctx, c, func(sc store.Scanner) (Handover, error) { return scanHandover(sc, s.now()) },
		"SELECT "+handoverColumns+" WHERE "+strings.Join(where, " AND ")+`
		ORDER BY CASE WHEN h.state = 'pending' THEN 0 ELSE 1 END, CASE WHEN h.state = 'pending' THEN h.due_at ELSE 0 END,
		CASE WHEN h.state = 'pending' THEN h.id ELSE -h.id END LIMIT ?`, args...)
	if err != nil {
		return HandoverPage{}, err
	}
	page := HandoverPage{Items: items}
	if page.Items == nil {
		page.Items = []Handover{}
	}
	for i := range page.Items {
		page.Items[i].named(r)
	}
	if len(items) == limit {
		last := items[len(items)-1]
		if last.State == HandoverPending {
			page.Next = fmt.Sprintf("p:%d:%d", store.Micros(last.DueAt), last.ID)
		} else {
			page.Next = fmt.Sprintf("d:%d", last.ID)
		}
	}
	return page, nil
}

// handoverAfter reads a list cursor: "p:<due>:<id>" after a pending
// batch, "d:<id>" after another.
func handoverAfter(cursor string) (string, []any, error) {
	bad := apperr.Validation("cursor", i18n.T("游标无效", "invalid cursor"))
	parts := strings.Split(cursor, ":")
	nums := make([]int64, 0, 2)
	for _, s := range parts[1:] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return "", nil, bad
		}
		nums = append(nums, n)
	}
	switch {
	case parts[0] == "p" && len(nums) == 2:
		return "((h.state = 'pending' AND (h.due_at > ? OR (h.due_at = ? AND h.id > ?))) OR h.state <> 'pending')",
			[]any{nums[0], nums[0], nums[1]}, nil
	case parts[0] == "d" && len(nums) == 1:
		return "(h.state <> 'pending' AND h.id < ?)", []any{nums[0]}, nil
	}
	return "", nil, bad
}

// ensureHandovers opens the batch of today's period of every periodic
// schedule whose two departments the company has bound, when missing:
// one cheap read per schedule, a write transaction only when one is
// missing (re-checked under the company's lock).
func (s *Service) ensureHandovers(ctx context.Context, p *auth.Principal, r *rules) error {
	type want struct {
		sch      policy.HandoverSchedule
		due      HandoverDue
		from, to store.ID
	}
	var missing []want
	c := s.db.Reader()
	day := today(r.Calendar, s.now())
	for _, sch := range r.Archive.Handovers {
		if sch.Trigger == policy.HandoverEvent {
			continue
		}
		due, err := PeriodicHandoverDue(r.Calendar, sch, day)
		if err != nil {
			return err
		}
		var from, to store.ID
		var n int64
		if err := c.QueryRow(ctx, `SELECT
			coalesce((SELECT unit_id FROM archive_departments WHERE company_id = ? AND dept_key = ?), 0),
			coalesce((SELECT unit_id FROM archive_departments WHERE company_id = ? AND dept_key = ?), 0),
			(SELECT COUNT(*) FROM archive_handovers WHERE company_id = ? AND schedule = ? AND period = ?)`,
			r.CompanyID, sch.From, r.CompanyID, sch.To, r.CompanyID, sch.Key, due.Period).Scan(&from, &to, &n); err != nil {
			return err
		}
		if from != 0 && to != 0 && n == 0 {
			missing = append(missing, want{sch, due, from, to})
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return s.db.Tx(ctx, func(tx store.Conn) error {
		if err := store.LockXact(ctx, tx, archiveLock^int64(r.CompanyID)); err != nil {
			return err
		}
		for _, w := range missing {
			taken, err := handoverPeriodTaken(ctx, tx, r.CompanyID, w.sch.Key, w.due.Period)
			if err != nil {
				return err
			}
			if taken {
				continue
			}
			if _, err := s.openHandover(ctx, tx, p, r, w.sch, w.due, w.from, w.to, day, "", false); err != nil {
				return err
			}
		}
		return nil
	})
}
