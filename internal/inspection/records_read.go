package inspection

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// Status is where an inspection record stands.
type Status string

// Record statuses: an open record is still being filled in; a closed one
// is final (corrections are new records).
const (
	StatusOpen   Status = "open"
	StatusClosed Status = "closed"
)

// Record is an inspection of a service point by an inspector (INS-010 to
// INS-012) as the API shows it.
type Record struct {
	ID             store.ID `json:"id"`
	CompanyID      store.ID `json:"company_id"`
	Pack           string   `json:"pack"`
	PackVersion    int      `json:"pack_version"`
	CustomerID     store.ID `json:"customer_id"`
	CustomerName   string   `json:"customer_name"`
	CustomerPhone  string   `json:"customer_phone,omitempty"`
	ServicePointID store.ID `json:"service_point_id"`
	ArchiveNo      string   `json:"archive_no"`
	Address        string   `json:"address"`
	// Track and Cycle, Campaign: what was inspected; Rules the rules the
	// inspection satisfies (INS-008); Checklists the forms it fills in.
	Track      string   `json:"track,omitempty"`
	Cycle      string   `json:"cycle,omitempty"`
	Campaign   string   `json:"campaign,omitempty"`
	Rules      []string `json:"rules"`
	Checklists []string `json:"checklists"`
	// The inspector and when the inspection took place.
	InspectorID   store.ID      `json:"inspector_id"`
	InspectorName string        `json:"inspector_name"`
	InspectedAt   time.Time     `json:"inspected_at"`
	InspectedOn   calendar.Date `json:"inspected_on"`
	Form
	Signed  bool      `json:"signed"` // the customer signed
	Hazards []Finding `json:"hazards"`
	Note    string    `json:"note,omitempty"`
	// WorkSheet is the work sheet expected in the system (INS-011) by
	// WorkSheetDueAt, a warning target: WorkSheetLate when the record was
	// closed after it, or is still open after it.
	WorkSheet      string     `json:"work_sheet,omitempty"`
	WorkSheetDueAt *time.Time `json:"work_sheet_due_at,omitempty"`
	WorkSheetLate  bool       `json:"work_sheet_late,omitempty"`
	// CorrectsID is the record this one corrects; CorrectedByID the
	// correction of this one.
	CorrectsID    store.ID   `json:"corrects_id,omitempty"`
	CorrectedByID store.ID   `json:"corrected_by_id,omitempty"`
	Status        Status     `json:"status"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
	ClosedBy      store.ID   `json:"closed_by,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	CreatedBy     store.ID   `json:"created_by,omitempty"`
	UpdatedAt     time.Time  `json:"updated_at"`
	// PlanItems are the plan items the record did.
	PlanItems []store.ID `json:"plan_items"`
}

const recordColumns = `r.id, r.company_id, r.pack, r.pack_version, r.customer_id, coalesce(c.name, ''), coalesce(c.phone, ''),
	r.service_point_id, r.archive_no, coalesce(sp.address, ''), r.track, r.cycle, r.campaign, r.rules, r.inspector_id,
	coalesce(u.display_name, ''), r.inspected_at, r.inspected_on, r.answers, r.customer_copy, r.acknowledgements, r.signature,
	r.signature_refused, r.refusal_witness, r.hazards, r.note, r.work_sheet, r.work_sheet_due_at, r.corrects_id,
	(SELECT min(x.id) FROM inspection_records x WHERE x.corrects_id = r.id), r.status, r.closed_at, r.closed_by,
	r.created_at, r.created_by, r.updated_at`

const recordFrom = ` FROM inspection_records r LEFT JOIN customers c ON c.id = r.customer_id
	LEFT JOIN service_points sp ON sp.id = r.service_point_id LEFT JOIN users u ON u.id = r.inspector_id`

func (s *Service) scanRecord(now time.Time) func(store.Scanner) (*Record, error) {
	return func(sc store.Scanner) (*Record, error) {
		var r Record
		var rules, day, answers, copyText, acks, hazards string
		var at, sheetDue, closed, created, updated int64
		var corrects, correctedBy, closedBy, createdBy store.NullID
		if err := sc.Scan(&r.ID, &r.CompanyID, &r.Pack, &r.PackVersion, &r.CustomerID, &r.CustomerName, &r.CustomerPhone,
			&r.ServicePointID, &r.ArchiveNo, &r.Address, &r.Track, &r.Cycle, &r.Campaign, &rules, &r.InspectorID, &r.InspectorName,
			&at, &day, &answers, &copyText, &acks, &r.Signature, &r.SignatureRefused, &r.RefusalWitness, &hazards, &r.Note,
			&r.WorkSheet, &sheetDue, &corrects, &correctedBy, &r.Status, &closed, &closedBy, &created, &createdBy, &updated); err != nil {
			return nil, err
		}
		r.Rules = splitList(rules)
		if r.Rules == nil {
			r.Rules = []string{}
		}
		r.InspectedAt, r.CreatedAt, r.UpdatedAt = store.FromMicros(at), store.FromMicros(created), store.FromMicros(updated)
		r.InspectedOn, _ = calendar.ParseDate(day)
		r.CorrectsID, r.CorrectedByID, r.ClosedBy, r.CreatedBy = corrects.ID, correctedBy.ID, closedBy.ID, createdBy.ID
		r.ClosedAt, r.WorkSheetDueAt = instant(closed), instant(sheetDue)
		for _, part := range []struct {
			text string
			v    any
		}{{answers, &r.Answers}, {copyText, &r.CustomerCopy}, {acks, &r.Acknowledgements}, {hazards, &r.Hazards}} {
			if err := json.Unmarshal([]byte(part.text), part.v); err != nil {
				return nil, err
			}
		}
		if r.Answers == nil {
			r.Answers = map[string]map[string]string{}
		}
		if r.Hazards == nil {
			r.Hazards = []Finding{}
		}
		r.Signed = r.Signature != ""
		if r.WorkSheetDueAt != nil {
			r.WorkSheetLate = r.ClosedAt != nil && r.ClosedAt.After(*r.WorkSheetDueAt) || r.ClosedAt == nil && !now.Before(*r.WorkSheetDueAt)
		}
		r.Checklists = []string{}
		if pack, ok := s.packs.Version(r.Pack, r.PackVersion); ok {
			r.Checklists = checklistsOf(pack, r.Cycle, r.Campaign)
		}
		r.PlanItems = []store.ID{}
		return &r, nil
	}
}

// loadRecord reads a record p may see, or 404.
func (s *Service) loadRecord(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) (*Record, error) {
	cond, args := visible(p, "r.company_id")
	r, err := s.scanRecord(s.now())(c.QueryRow(ctx, "SELECT "+recordColumns+recordFrom+" WHERE r.id = ? AND "+cond,
		append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("inspection")
	}
	return r, err
}

// GetRecord returns a record p may see, with the plan items it did.
func (s *Service) GetRecord(ctx context.Context, p *auth.Principal, id store.ID) (*Record, error) {
	if err := mayRead(p); err != nil {
		return nil, err
	}
	r := s.db.Reader()
	rec, err := s.loadRecord(ctx, r, p, id)
	if err != nil {
		return nil, err
	}
	rec.PlanItems, err = store.QueryAll(ctx, r, func(sc store.Scanner) (store.ID, error) {
		var id store.ID
		return id, sc.Scan(&id)
	}, "SELECT id FROM inspection_plan_items WHERE record_id = ? ORDER BY id", id)
	if rec.PlanItems == nil {
		rec.PlanItems = []store.ID{}
	}
	return rec, err
}

// RecordFilter selects records; zero fields do not filter.
type RecordFilter struct {
	ServicePoint store.ID
	Customer     store.ID
	Inspector    store.ID
	Mine         bool // the caller's own
	Track        string
	Campaign     string
	Status       Status
	Month        string // YYYY-MM of the inspection
	Limit        int    // default 50, at most 500
	Before       store.ID
}

// ListRecords returns the records p may see, newest first. The list
// leaves out the signature images.
func (s *Service) ListRecords(ctx context.Context, p *auth.Principal, f RecordFilter) ([]*Record, error) {
	err := mayRead(p)
	if err != nil {
		return nil, err
	}
	if f.Limit, err = apperr.PageLimit(f.Limit); err != nil {
		return nil, err
	}
	cond, args := visible(p, "r.company_id")
	where := []string{cond}
	add := func(c string, a ...any) { where, args = append(where, c), append(args, a...) }
	if f.ServicePoint != 0 {
		add("r.service_point_id = ?", f.ServicePoint)
	}
	if f.Customer != 0 {
		add("r.customer_id = ?", f.Customer)
	}
	if f.Inspector != 0 {
		add("r.inspector_id = ?", f.Inspector)
	}
	if f.Mine {
		add("r.inspector_id = ?", p.UserID)
	}
	if f.Track != "" {
		add("r.track = ?", f.Track)
	}
	if f.Campaign != "" {
		add("r.campaign = ?", f.Campaign)
	}
	if f.Status != "" {
		if !slices.Contains([]Status{StatusOpen, StatusClosed}, f.Status) {
			return nil, apperr.Validation("status", i18n.T("须为 open 或 closed", "must be open or closed"))
		}
		add("r.status = ?", string(f.Status))
	}
	if f.Month != "" {
		if !monthKeyRE.MatchString(f.Month) {
			return nil, apperr.Validation("month", i18n.T("须为年月（YYYY-MM）", "must be a month (YYYY-MM)"))
		}
		add("r.inspected_on >= ? AND r.inspected_on <= ?", f.Month+"-01", f.Month+"-31")
	}
	if f.Before != 0 {
		add("r.id < ?", f.Before)
	}
	out, err := store.QueryAll(ctx, s.db.Reader(), s.scanRecord(s.now()), "SELECT "+recordColumns+recordFrom+" WHERE "+
		strings.Join(where, " AND ")+" ORDER BY r.id DESC LIMIT ?", append(args, f.Limit)...)
	for _, r := range out {
		r.Signature = ""
	}
	return out, err
}
