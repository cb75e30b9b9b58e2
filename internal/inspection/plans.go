package inspection

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/store"
)

// StoredPlan is a company's inspection plan for a month, a quarter or a
// year (INS-009), with its completion.
type StoredPlan struct {
	ID          store.ID      `json:"id"`
	CompanyID   store.ID      `json:"company_id"`
	CompanyName string        `json:"company_name"`
	Pack        string        `json:"pack"`
	PackVersion int           `json:"pack_version"`
	Calendar    string        `json:"calendar"`
	Period      string        `json:"period"`     // month, quarter, year
	PeriodKey   string        `json:"period_key"` // 2026-04, 2026-Q2, 2026
	StartsOn    calendar.Date `json:"starts_on"`
	EndsOn      calendar.Date `json:"ends_on"`
	// Points are the service points considered; Unplanned those no cycle
	// or campaign applies to.
	Points    int `json:"points"`
	Unplanned int `json:"unplanned"`
	// Provisional: a due date touched a year without an official notice (CAL-001).
	Provisional bool      `json:"provisional"`
	GeneratedAt time.Time `json:"generated_at"`
	GeneratedBy store.ID  `json:"generated_by,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	// Progress is the plan's completion; Teams and Inspectors its
	// breakdown (INS-009, RPT-006), filled by GetPlan.
	Progress   Progress   `json:"progress"`
	Teams      []Progress `json:"teams,omitempty"`
	Inspectors []Progress `json:"inspectors,omitempty"`
}

// PlanInput asks for a company's plan of a period.
type PlanInput struct {
	// Period is a month (2026-04), a quarter (2026-Q2) or a year (2026),
	// among the pack's plan_periods (INS-009).
	Period string `json:"period"`
	// CompanyID is the company planned; default the caller's.
	CompanyID store.ID `json:"company_id,omitempty"`
}

// Period kinds of a plan.
const (
	PeriodMonth   = "month"
	PeriodQuarter = "quarter"
	PeriodYear    = "year"
)

var (
	monthKeyRE   = regexp.MustCompile(`^([0-9]{4})-(0[1-9]|1[0-2])$`)
	quarterKeyRE = regexp.MustCompile(`^([0-9]{4})-Q([1-4])$`)
	yearKeyRE    = regexp.MustCompile(`^([0-9]{4})$`)
)

// ParsePeriod reads a plan period: 2026-04 (a month), 2026-Q2 (a quarter,
// CAL-009) or 2026 (a year), and returns its kind and first and last day.
func ParsePeriod(key string) (kind string, from, to calendar.Date, err error) {
	bad := apperr.Validation("period", i18n.T("计划周期须为月（2026-04）、季度（2026-Q2）或年（2026）",
		"the plan period is a month (2026-04), a quarter (2026-Q2) or a year (2026)"))
	var d calendar.Date
	switch {
	case monthKeyRE.MatchString(key):
		m := monthKeyRE.FindStringSubmatch(key)
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		kind, d = PeriodMonth, calendar.D(y, time.Month(mo), 1)
	case quarterKeyRE.MatchString(key):
		m := quarterKeyRE.FindStringSubmatch(key)
		y, _ := strconv.Atoi(m[1])
		q, _ := strconv.Atoi(m[2])
		kind, d = PeriodQuarter, calendar.D(y, time.Month(3*q-2), 1)
	case yearKeyRE.MatchString(key):
		y, _ := strconv.Atoi(key)
		kind, d = PeriodYear, calendar.D(y, time.January, 1)
	default:
		return "", calendar.Date{}, calendar.Date{}, bad
	}
	if d.Year < calendar.MinYear || d.Year > calendar.MaxYear {
		return "", calendar.Date{}, calendar.Date{}, apperr.Validation("period",
			i18n.T("年份须在 %[1]d–%[2]d 之间", "the year must lie in %[1]d–%[2]d", calendar.MinYear, calendar.MaxYear))
	}
	from, to, _ = calendar.PeriodOf(calendar.Period(kind), d)
	return kind, from, to, nil
}

// company resolves the company a plan is for: the given one, which the
// caller must see (404 otherwise), or the caller's.
func (s *Service) company(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) (org.Unit, error) {
	if id == 0 {
		u, err := org.CompanyOf(ctx, c, p.OrgUnitID)
		if err != nil {
			return org.Unit{}, err
		}
		if u.Kind != org.Company {
			return org.Unit{}, apperr.Validation("company_id", i18n.T("请指定公司", "name the company"))
		}
		return u, nil
	}
	u, err := org.GetUnit(ctx, c, id)
	if err != nil || u.Kind != org.Company || !p.Scope().Contains(u.Path) && !slices.Contains(org.AncestorIDs(p.OrgPath), u.ID) {
		return org.Unit{}, apperr.NotFound("company_id")
	}
	return u, nil
}

// mayPlan refuses a caller who may not generate a company's plans: the
// department level's role (INS-009: the department manager, not a team's),
// the safety supervision department (auditor) or an administrator.
func mayPlan(ctx context.Context, c store.Conn, p *auth.Principal, dept string) error {
	if p.IsAdmin() || hasRole(p, auth.RoleAuditor) {
		return nil
	}
	if hasRole(p, auth.Role(dept)) {
		u, err := org.GetUnit(ctx, c, p.OrgUnitID)
		if err != nil {
			return err
		}
		if u.Kind != org.Team {
			return nil
		}
	}
	return apperr.Forbidden(i18n.T("安检计划由部门经理或安监部门编制（INS-009）",
		"inspection plans are drawn up by the department manager or the safety supervision department (INS-009)"))
}

// GeneratePlan generates a company's plan of a period from its service
// points and their inspection history (INS-009), or regenerates it: the
// items are recomputed from the history as it now stands and matched to
// the stored ones by point, obligation and number, so that teams,
// inspectors and completions are kept; items no longer due are removed,
// or withdrawn when they had been assigned. created reports a new plan.
func (s *Service) GeneratePlan(ctx context.Context, p *auth.Principal, in PlanInput) (*StoredPlan, bool, error) {
	if err := mayRead(p); err != nil {
		return nil, false, err
	}
	kind, from, to, err := ParsePeriod(strings.TrimSpace(in.Period))
	if err != nil {
		return nil, false, err
	}
	co, err := s.company(ctx, s.db.Reader(), p, in.CompanyID)
	if err != nil {
		return nil, false, err
	}
	pack, cal, err := s.packOf(ctx, co.ID)
	if err != nil {
		return nil, false, err
	}
	if len(pack.Inspections.Cycles)+len(pack.Inspections.Campaigns) == 0 {
		return nil, false, apperr.Validation("company_id", i18n.T("政策包 %s 没有安检周期", "pack %s has no inspection cycles", pack.Key))
	}
	if !slices.Contains(pack.Inspections.PlanPeriods, kind) {
		return nil, false, apperr.Validation("period", i18n.T("政策包的计划周期为 %[1]s（INS-009）", "the pack plans by %[2]s (INS-009)",
			strings.Join(pack.Inspections.PlanPeriods, "、"), strings.Join(pack.Inspections.PlanPeriods, ", ")))
	}
	if err := mayPlan(ctx, s.db.Reader(), p, string(levelRole(pack, "department"))); err != nil {
		return nil, false, err
	}
	planner, err := NewPlanner(pack, cal, from, to)
	if err != nil {
		return nil, false, err
	}
	now := s.now()
	key := periodKey(kind, from)
	var id store.ID
	var created bool
	err = s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		if err := store.LockXact(ctx, tx, int64(co.ID)<<8|0x24); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, "SELECT id FROM inspection_plans WHERE company_id = ? AND period_key = ?", co.ID, key).Scan(&id)
		created = errors.Is(err, sql.ErrNoRows)
		switch {
		case created:
			id, err = tx.InsertID(ctx, `INSERT INTO inspection_plans (company_id, pack, pack_version, calendar, period, period_key,
				starts_on, ends_on, generated_at, generated_by, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				co.ID, pack.Key, pack.Version, cal.ID(), kind, key, from.String(), to.String(), store.Micros(now), p.UserRef(),
				store.Micros(now), p.UserRef())
			if err != nil {
				return err
			}
		case err != nil:
			return err
		}
		pc := &planRun{id: id, company: co.ID, planner: planner, cal: cal, from: from, to: to, fresh: created}
		st, err := s.generate(ctx, tx, pc)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE inspection_plans SET pack = ?, pack_version = ?, calendar = ?, points = ?, unplanned = ?,
			provisional = ?, generated_at = ?, generated_by = ? WHERE id = ?`, pack.Key, pack.Version, cal.ID(), st.points, st.unplanned,
			st.provisional, store.Micros(now), p.UserRef(), id); err != nil {
			return err
		}
		action := "inspection.plan.regenerate"
		if created {
			action = "inspection.plan.generate"
		}
		return audit.Record(ctx, tx, now, action, "inspection_plan", id.String(), map[string]any{"company_id": co.ID,
			"period": key, "points": st.points, "items": st.items, "unplanned": st.unplanned, "withdrawn": st.withdrawn})
	})
	if err != nil {
		return nil, false, err
	}
	pl, err := s.GetPlan(ctx, p, id)
	return pl, created, err
}

// periodKey names a period: 2026-04, 2026-Q2, 2026.
func periodKey(kind string, from calendar.Date) string {
	switch kind {
	case PeriodMonth:
		return fmt.Sprintf("%04d-%02d", from.Year, int(from.Month))
	case PeriodQuarter:
		return fmt.Sprintf("%04d-Q%d", from.Year, (int(from.Month)+2)/3)
	}
	return fmt.Sprintf("%04d", from.Year)
}

const planColumns = `pl.id, pl.company_id, u.name, pl.pack, pl.pack_version, pl.calendar, pl.period, pl.period_key, pl.starts_on,
	pl.ends_on, pl.points, pl.unplanned, pl.provisional, pl.generated_at, pl.generated_by, pl.created_at`

func scanPlan(sc store.Scanner) (*StoredPlan, error) {
	var pl StoredPlan
	var starts, ends string
	var generated, created int64
	var by store.NullID
	if err := sc.Scan(&pl.ID, &pl.CompanyID, &pl.CompanyName, &pl.Pack, &pl.PackVersion, &pl.Calendar, &pl.Period, &pl.PeriodKey,
		&starts, &ends, &pl.Points, &pl.Unplanned, &pl.Provisional, &generated, &by, &created); err != nil {
		return nil, err
	}
	pl.StartsOn, _ = calendar.ParseDate(starts)
	pl.EndsOn, _ = calendar.ParseDate(ends)
	pl.GeneratedAt, pl.CreatedAt, pl.GeneratedBy = store.FromMicros(generated), store.FromMicros(created), by.ID
	return &pl, nil
}

// loadPlan reads a plan p may see, or 404.
func loadPlan(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) (*StoredPlan, error) {
	cond, args := visible(p, "pl.company_id")
	pl, err := scanPlan(c.QueryRow(ctx, "SELECT "+planColumns+` FROM inspection_plans pl JOIN org_units u ON u.id = pl.company_id
		WHERE pl.id = ? AND `+cond, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("plan")
	}
	return pl, err
}

// GetPlan returns a plan p may see with its completion per team and per
// inspector (INS-009).
func (s *Service) GetPlan(ctx context.Context, p *auth.Principal, id store.ID) (*StoredPlan, error) {
	if err := mayRead(p); err != nil {
		return nil, err
	}
	pl, err := loadPlan(ctx, s.db.Reader(), p, id)
	if err != nil {
		return nil, err
	}
	if err := s.progress(ctx, pl); err != nil {
		return nil, err
	}
	return pl, nil
}

// PlanFilter selects plans; zero fields do not filter.
type PlanFilter struct {
	Period string // month, quarter, year
	Year   int
	Limit  int // default 50, at most 500
	Before store.ID
}

// ListPlans returns the plans p may see, newest period first, each with
// its overall completion.
func (s *Service) ListPlans(ctx context.Context, p *auth.Principal, f PlanFilter) ([]*StoredPlan, error) {
	err := mayRead(p)
	if err != nil {
		return nil, err
	}
	if f.Limit, err = apperr.PageLimit(f.Limit); err != nil {
		return nil, err
	}
	cond, args := visible(p, "pl.company_id")
	where := []string{cond}
	if f.Period != "" {
		if !slices.Contains([]string{PeriodMonth, PeriodQuarter, PeriodYear}, f.Period) {
			return nil, apperr.Validation("period", i18n.T("须为 month、quarter 或 year", "must be month, quarter or year"))
		}
		where, args = append(where, "pl.period = ?"), append(args, f.Period)
	}
	if f.Year != 0 {
		where, args = append(where, "pl.starts_on >= ? AND pl.starts_on < ?"),
			append(args, fmt.Sprintf("%04d-01-01", f.Year), fmt.Sprintf("%04d-01-01", f.Year+1))
	}
	if f.Before != 0 {
		where, args = append(where, "pl.id < ?"), append(args, f.Before)
	}
	plans, err := store.QueryAll(ctx, s.db.Reader(), scanPlan, "SELECT "+planColumns+` FROM inspection_plans pl
		JOIN org_units u ON u.id = pl.company_id WHERE `+strings.Join(where, " AND ")+" ORDER BY pl.id DESC LIMIT ?",
		append(args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	if err := s.totals(ctx, plans); err != nil {
		return nil, err
	}
	return plans, nil
}
