package survey

// The survey cadence (SUR-001): a company's next survey is due the pack's
// cadence after the close of its last one (a rolling interval, CAL-010),
// counted on the pack calendar (property 6mo: closed Thu 2026-01-15 → due
// Wed 2026-07-15 18:00 on cn-office); a survey-planning notice goes to the
// company's survey owners planning_lead_days before the due date (30, a
// lead time, not moved off holidays: 2026-06-15).

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/jobs"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// TimerPlanning fires on the day a company's survey planning opens; its
// ref is the company.
const TimerPlanning = "survey.planning"

// EventPlanning is the notice that a survey is due for planning.
const EventPlanning = "survey.planning"

// Schedule is where a company stands in its survey cadence.
type Schedule struct {
	CompanyID store.ID `json:"company_id"`
	Pack      string   `json:"pack"`
	Cadence   string   `json:"cadence"` // 6mo, 12mo
	// LastNumber and LastClosedOn: the last closed campaign; none when the
	// company never closed one (its first survey is due now).
	LastNumber   string         `json:"last_number,omitempty"`
	LastClosedOn *calendar.Date `json:"last_closed_on,omitempty"`
	// DueAt: when the next survey is due; PlanningOpensOn: the day the
	// planning notice goes out (SUR-001).
	DueAt           *time.Time     `json:"due_at,omitempty"`
	PlanningOpensOn *calendar.Date `json:"planning_opens_on,omitempty"`
	// Current: a campaign planned or running since the last close, which
	// is the next survey under way.
	Current string `json:"current,omitempty"`
	// State: "due" (never surveyed, or past the due time with none under
	// way), "planning" (planning open), "under_way", or "scheduled".
	State string `json:"state"`
}

// Schedule states.
const (
	ScheduleDue       = "due"
	SchedulePlanning  = "planning"
	ScheduleUnderWay  = "under_way"
	ScheduleScheduled = "scheduled"
)

// RegisterTimers registers the planning notice.
func (s *Service) RegisterTimers(e *jobs.Engine) {
	e.Handle(TimerPlanning, s.firePlanning)
}

// Schedule is the survey schedule of p's company.
func (s *Service) Schedule(ctx context.Context, p *auth.Principal) (*Schedule, error) {
	if err := mayRead(p); err != nil {
		return nil, err
	}
	co, err := s.org.CompanyOf(ctx, p.OrgUnitID)
	if err != nil {
		return nil, err
	}
	return s.schedule(ctx, s.db.Reader(), co.ID)
}

func (s *Service) schedule(ctx context.Context, c store.Conn, company store.ID) (*Schedule, error) {
	pack, err := s.policy.ForUnit(ctx, company)
	if err != nil {
		return nil, err
	}
	rules := pack.Surveys
	sc := &Schedule{CompanyID: company, Pack: pack.Key, Cadence: rules.Cadence.String(), State: ScheduleDue}
	var number string
	var closed int64
	err = c.QueryRow(ctx, `SELECT number, closed_at FROM survey_campaigns WHERE company_id = ? AND status = 'closed'
		ORDER BY closed_at DESC, id DESC LIMIT 1`, company).Scan(&number, &closed)
	switch {
	case err == nil:
		at := store.FromMicros(closed)
		day := calendar.DateOf(at.In(store.Zone))
		sc.LastNumber, sc.LastClosedOn = number, &day
		due, err := s.deadline(pack, at, rules.Cadence)
		if err != nil {
			return nil, err
		}
		opens := calendar.DateOf(due.In(store.Zone).Add(-time.Nanosecond)).AddDays(-rules.PlanningLeadDays)
		sc.DueAt, sc.PlanningOpensOn = &due, &opens
	case errors.Is(err, sql.ErrNoRows):
		closed = 0
	default:
		return nil, err
	}
	if err := c.QueryRow(ctx, `SELECT number FROM survey_campaigns WHERE company_id = ? AND status <> 'closed' AND created_at >= ?
		ORDER BY id DESC LIMIT 1`, company, closed).Scan(&sc.Current); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	now := s.now()
	switch {
	case sc.Current != "":
		sc.State = ScheduleUnderWay
	case sc.DueAt == nil || !now.Before(*sc.DueAt):
		sc.State = ScheduleDue
	case !now.Before(sc.PlanningOpensOn.Midnight(store.Zone)):
		sc.State = SchedulePlanning
	default:
		sc.State = ScheduleScheduled
	}
	return sc, nil
}

// deadline is start + d on the pack's calendar: time is counted there.
func (s *Service) deadline(pack *policy.Pack, start time.Time, d calendar.Duration) (time.Time, error) {
	cal, ok := s.cals.Get(pack.Calendar)
	if !ok {
		return time.Time{}, fmt.Errorf("survey: no calendar %q", pack.Calendar)
	}
	r, err := cal.Deadline(start, d)
	return r.At, err
}

// schedulePlanning sets the company's planning timer after a close.
func (s *Service) schedulePlanning(ctx context.Context, tx store.Conn, company store.ID) error {
	sc, err := s.schedule(ctx, tx, company)
	if err != nil || sc.PlanningOpensOn == nil {
		return err
	}
	return jobs.Schedule(ctx, tx, TimerPlanning, company, sc.PlanningOpensOn.Midnight(store.Zone))
}

// firePlanning tells the company's survey owners that the next survey is
// due for planning, unless one is already under way.
func (s *Service) firePlanning(ctx context.Context, tx store.Conn, t jobs.Timer) error {
	sc, err := s.schedule(ctx, tx, t.Ref)
	if err != nil || sc.State == ScheduleUnderWay || sc.DueAt == nil || s.notify == nil {
		return err
	}
	users, err := org.UsersWithRoles(ctx, tx, t.Ref, surveyOwners())
	if err != nil {
		return err
	}
	due := sc.DueAt.In(store.Zone).Format("2006-01-02 15:04")
	return s.notify.Send(ctx, tx, notify.Message{Event: EventPlanning, Users: users,
		Title: i18n.T("满意度调查策划：下次调查 %s 到期（SUR-001）", "Survey planning: the next survey is due %s (SUR-001)", due),
		Link:  "/surveys/new", Object: "company", ObjectID: t.Ref,
		Payload: map[string]any{"company_id": t.Ref, "due_at": sc.DueAt, "last": sc.LastNumber}})
}

// surveyOwners are the roles that plan surveys (surveys:write).
func surveyOwners() []auth.Role {
	var out []auth.Role
	for _, r := range auth.Roles {
		if r.Key != auth.RoleAdmin && slices.Contains(r.Permissions, auth.PermSurveysWrite) {
			out = append(out, r.Key)
		}
	}
	return out
}
