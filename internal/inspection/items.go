package inspection

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// PlanItem is one inspection a stored plan lists (INS-009).
type PlanItem struct {
	ID             store.ID `json:"id"`
	PlanID         store.ID `json:"plan_id"`
	PeriodKey      string   `json:"period_key"`
	CompanyID      store.ID `json:"company_id"`
	CustomerID     store.ID `json:"customer_id"`
	CustomerName   string   `json:"customer_name"`
	ServicePointID store.ID `json:"service_point_id"`
	ArchiveNo      string   `json:"archive_no"`
	Address        string   `json:"address"`
	// Track and Cycle: the periodic obligation and its winning cycle
	// (INS-008); Campaign: a special inspection (INS-002).
	Track    string `json:"track,omitempty"`
	Cycle    string `json:"cycle,omitempty"`
	Campaign string `json:"campaign,omitempty"`
	Seq      int    `json:"seq"`
	// Checklist is the form the inspection fills in; Rules the rules it
	// satisfies (INS-008); Combinable the campaigns one visit may also
	// satisfy (INS-002).
	Checklist  string   `json:"checklist"`
	Rules      []string `json:"rules"`
	Combinable []string `json:"combinable,omitempty"`
	// Basis, DueFrom, DueOn and DueAt: when it falls due (CAL-010); an item
	// due now (never inspected, activation unknown) is due from the
	// period's first day.
	Basis       string         `json:"basis"`
	DueFrom     *calendar.Date `json:"due_from,omitempty"`
	DueOn       calendar.Date  `json:"due_on"`
	DueAt       time.Time      `json:"due_at"`
	Provisional bool           `json:"provisional,omitempty"`
	// OverdueAtStart: already overdue when the period began; Overdue: open
	// and past its deadline now.
	OverdueAtStart bool     `json:"overdue_at_start"`
	Overdue        bool     `json:"overdue"`
	Status         string   `json:"status"` // open, done, withdrawn
	TeamID         store.ID `json:"team_id,omitempty"`
	TeamName       string   `json:"team_name,omitempty"`
	InspectorID    store.ID `json:"inspector_id,omitempty"`
	InspectorName  string   `json:"inspector_name,omitempty"`
	// RecordID and DoneOn: the inspection that did it.
	RecordID store.ID       `json:"record_id,omitempty"`
	DoneOn   *calendar.Date `json:"done_on,omitempty"`
}

const itemColumns = `i.id, i.plan_id, pl.period_key, i.company_id, i.customer_id, coalesce(c.name, ''), i.service_point_id, i.archive_no,
	i.address, i.track, i.cycle, i.campaign, i.seq, i.checklist, i.rules, i.combinable, i.basis, i.due_from, i.due_on, i.due_at,
	i.provisional, i.overdue_at_start, i.status, i.team_id, coalesce(t.name, ''), i.inspector_id, coalesce(u.display_name, ''),
	i.record_id, i.done_on`

const itemFrom = ` FROM inspection_plan_items i JOIN inspection_plans pl ON pl.id = i.plan_id
	LEFT JOIN customers c ON c.id = i.customer_id LEFT JOIN org_units t ON t.id = i.team_id LEFT JOIN users u ON u.id = i.inspector_id`

func scanItem(now time.Time) func(store.Scanner) (*PlanItem, error) {
	return func(sc store.Scanner) (*PlanItem, error) {
		var it PlanItem
		var rules, comb, dueFrom, dueOn, doneOn string
		var dueAt int64
		var team, inspector, record store.NullID
		if err := sc.Scan(&it.ID, &it.PlanID, &it.PeriodKey, &it.CompanyID, &it.CustomerID, &it.CustomerName, &it.ServicePointID,
			&it.ArchiveNo, &it.Address, &it.Track, &it.Cycle, &it.Campaign, &it.Seq, &it.Checklist, &rules, &comb, &it.Basis,
			&dueFrom, &dueOn, &dueAt, &it.Provisional, &it.OverdueAtStart, &it.Status, &team, &it.TeamName, &inspector,
			&it.InspectorName, &record, &doneOn); err != nil {
			return nil, err
		}
		it.Rules, it.Combinable = splitList(rules), splitList(comb)
		if it.Rules == nil {
			it.Rules = []string{}
		}
		it.DueFrom, it.DoneOn = datePtr(dueFrom), datePtr(doneOn)
		it.DueOn, _ = calendar.ParseDate(dueOn)
		it.DueAt = store.FromMicros(dueAt)
		it.TeamID, it.InspectorID, it.RecordID = team.ID, inspector.ID, record.ID
		it.Overdue = it.Status == statusOpen && !now.Before(it.DueAt)
		return &it, nil
	}
}

func datePtr(s string) *calendar.Date {
	if s == "" {
		return nil
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		return nil
	}
	return &d
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// ItemFilter selects a plan's items; zero fields do not filter.
type ItemFilter struct {
	Team        store.ID `json:"team_id,omitempty"`
	Inspector   store.ID `json:"inspector_id,omitempty"`
	Unassigned  bool     `json:"unassigned,omitempty"`   // no team yet
	NoInspector bool     `json:"no_inspector,omitempty"` // no inspector yet
	Status      string   `json:"status,omitempty"`       // open, done, withdrawn
	Overdue     bool     `json:"overdue,omitempty"`      // open and past the deadline
	Track       string   `json:"track,omitempty"`
	Campaign    string   `json:"campaign,omitempty"`
	Cycle       string   `json:"cycle,omitempty"`
	DueOn       string   `json:"due_on,omitempty"` // YYYY-MM-DD, or YYYY-MM for a month
	// Q is the start of an archive number or a fragment of the address.
	Q string `json:"q,omitempty"`
	// Limit (default 50, at most 500) and After (the cursor of the
	// previous page: due time and id) page the list.
	Limit int    `json:"-"`
	After string `json:"-"`
}

// where builds the filter's conditions on alias i.
func (f ItemFilter) where(now time.Time) ([]string, []any, error) {
	var where []string
	var args []any
	add := func(c string, a ...any) { where, args = append(where, c), append(args, a...) }
	if f.Team != 0 {
		add("i.team_id = ?", f.Team)
	}
	if f.Inspector != 0 {
		add("i.inspector_id = ?", f.Inspector)
	}
	if f.Unassigned {
		add("i.team_id IS NULL")
	}
	if f.NoInspector {
		add("i.inspector_id IS NULL")
	}
	if f.Status != "" {
		if !slices.Contains([]string{statusOpen, statusDone, statusWithdrawn}, f.Status) {
			return nil, nil, apperr.Validation("status", i18n.T("须为 open、done 或 withdrawn", "must be open, done or withdrawn"))
		}
		add("i.status = ?", f.Status)
	} else {
		add("i.status <> 'withdrawn'")
	}
	if f.Overdue {
		add("i.status = 'open' AND i.due_at <= ?", store.Micros(now))
	}
	if f.Track != "" {
		add("i.track = ?", f.Track)
	}
	if f.Campaign != "" {
		add("i.campaign = ?", f.Campaign)
	}
	if f.Cycle != "" {
		add("i.cycle = ?", f.Cycle)
	}
	switch d := f.DueOn; {
	case d == "":
	case monthKeyRE.MatchString(d):
		add("i.due_on >= ? AND i.due_on <= ?", d+"-01", d+"-31")
	default:
		if _, err := calendar.ParseDate(d); err != nil {
			return nil, nil, apperr.Validation("due_on", i18n.T("须为日期（YYYY-MM-DD）或月份（YYYY-MM）", "must be a date (YYYY-MM-DD) or a month (YYYY-MM)"))
		}
		add("i.due_on = ?", d)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		if len(q) > 100 {
			return nil, nil, apperr.Validation("q", i18n.T("不能超过 100 个字符", "at most 100 characters"))
		}
		esc := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q)
		add(`(i.archive_no LIKE ? ESCAPE '\' OR i.address LIKE ? ESCAPE '\')`, esc+"%", "%"+esc+"%")
	}
	return where, args, nil
}

// page adds the keyset of a list ordered by due time and id.
func (f ItemFilter) page(where []string, args []any) ([]string, []any, error) {
	if f.After == "" {
		return where, args, nil
	}
	at, id, ok := strings.Cut(f.After, ".")
	dueAt, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return nil, nil, apperr.Validation("cursor", i18n.T("游标无效", "invalid cursor"))
	}
	return append(where, "(i.due_at > ? OR i.due_at = ? AND i.id > ?)"), append(args, dueAt, dueAt, n), nil
}

// Cursor is the keyset of the page after items when it is full; "" on
// the last page.
func Cursor(items []*PlanItem, limit int) string {
	if limit <= 0 || len(items) < limit {
		return ""
	}
	last := items[len(items)-1]
	return fmt.Sprintf("%d.%d", store.Micros(last.DueAt), last.ID)
}

// ListItems returns a plan's items p may see, by due time.
func (s *Service) ListItems(ctx context.Context, p *auth.Principal, planID store.ID, f ItemFilter) ([]*PlanItem, error) {
	err := mayRead(p)
	if err != nil {
		return nil, err
	}
	if f.Limit, err = apperr.PageLimit(f.Limit); err != nil {
		return nil, err
	}
	r := s.db.Reader()
	if _, err := loadPlan(ctx, r, p, planID); err != nil {
		return nil, err
	}
	now := s.now()
	where, args, err := f.where(now)
	if err != nil {
		return nil, err
	}
	if where, args, err = f.page(where, args); err != nil {
		return nil, err
	}
	where, args = append(where, "i.plan_id = ?"), append(args, planID)
	return store.QueryAll(ctx, r, scanItem(now), "SELECT "+itemColumns+itemFrom+" WHERE "+strings.Join(where, " AND ")+
		" ORDER BY i.due_at, i.id LIMIT ?", append(args, f.Limit)...)
}

// Overdue lists the open inspections past their deadline in every plan p
// may see, company-wide or filtered (per team, per inspector), most
// overdue first. An obligation listed by several plans (the month's, the
// quarter's, the year's) appears once: the same point, track or campaign,
// counted from the same day (a due-now item from none).
func (s *Service) Overdue(ctx context.Context, p *auth.Principal, f ItemFilter) ([]*PlanItem, error) {
	err := mayRead(p)
	if err != nil {
		return nil, err
	}
	if f.Limit, err = apperr.PageLimit(f.Limit); err != nil {
		return nil, err
	}
	now := s.now()
	f.Overdue, f.Status = true, statusOpen
	where, args, err := f.where(now)
	if err != nil {
		return nil, err
	}
	cond, scope := visible(p, "i.company_id")
	where, args = append(where, cond), append(args, scope...)
	first := "SELECT min(i.id) FROM inspection_plan_items i WHERE " + strings.Join(where, " AND ") +
		" GROUP BY i.service_point_id, i.track, i.campaign, i.basis, i.due_from"
	outer, outerArgs, err := f.page([]string{"i.id IN (" + first + ")"}, args)
	if err != nil {
		return nil, err
	}
	return store.QueryAll(ctx, s.db.Reader(), scanItem(now), "SELECT "+itemColumns+itemFrom+" WHERE "+strings.Join(outer, " AND ")+
		" ORDER BY i.due_at, i.id LIMIT ?", append(outerArgs, f.Limit)...)
}
