package survey

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
	"kefu/internal/i18n"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Status is where a campaign stands.
type Status string

// Campaign statuses: planned at creation, running once counts are
// recorded, closed with the improvement plan (SUR-003, SUR-011).
const (
	StatusPlanned Status = "planned"
	StatusRunning Status = "running"
	StatusClosed  Status = "closed"
)

// Channels are the survey channels of SUR-001.
var Channels = []string{"phone", "email", "fax", "face_to_face", "paper"}

// Limits of the text fields.
const (
	MaxTitle = 200
	MaxText  = 4000
)

// Counts are the counts of a campaign (SUR-004 to SUR-008).
type Counts struct {
	Households  int `json:"households"`
	Distributed int `json:"distributed"`
	Returned    int `json:"returned"`
	Verified    int `json:"verified"`
	Genuine     int `json:"genuine"`
	Answered    int `json:"answered"`
	Satisfied   int `json:"satisfied"`
}

// Campaign is one satisfaction survey (满意度调查) of a company.
type Campaign struct {
	ID          store.ID `json:"id"`
	Number      string   `json:"number"` // DC2026-0001
	Pack        string   `json:"pack"`
	PackVersion int      `json:"pack_version"`
	CompanyID   store.ID `json:"company_id"`
	Title       string   `json:"title"`
	// The plan (SUR-002): purpose, scope, channel (SUR-001), timing and
	// the penalties for cheating (SUR-006).
	Purpose   string        `json:"purpose"`
	Scope     string        `json:"scope"`
	Channel   string        `json:"channel"`
	StartsOn  calendar.Date `json:"starts_on"`
	EndsOn    calendar.Date `json:"ends_on"`
	Penalties string        `json:"penalties"`
	// Questionnaire is the pack questionnaire the campaign's forms use;
	// its counts then follow the forms. Empty: the counts of a paper
	// campaign are entered by hand (POST …/counts).
	Questionnaire string `json:"questionnaire,omitempty"`
	Counts
	Status Status `json:"status"`
	// The plan's approval block (SUR-002, ARC-018); the survey is
	// published once the plan is approved.
	PlanApproval
	// Actions: the corrective actions of the issues found (SUR-003); the
	// campaign closes only when all are verified.
	Actions         ActionTally `json:"actions"`
	ImprovementPlan string      `json:"improvement_plan"` // SUR-011
	// Result: the statistics under the pack's survey rules, once the counts
	// allow them (nil while a base is still zero).
	Result *Result `json:"result"`
	// Live: the figures as far as the counts allow, while it runs.
	Live      Live       `json:"live"`
	CreatedBy store.ID   `json:"created_by,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	ClosedAt  *time.Time `json:"closed_at,omitempty"`
	// The last day each record of a closed campaign is kept (ARC-014): it
	// becomes destruction-eligible the day after, at 24:00 of this date.
	ReportKeepUntil *calendar.Date `json:"report_keep_until,omitempty"`
	FormsKeepUntil  *calendar.Date `json:"forms_keep_until,omitempty"`
	PlanKeepUntil   *calendar.Date `json:"plan_keep_until,omitempty"`
}

// CampaignInput creates a campaign (POST /api/v1/surveys).
type CampaignInput struct {
	Title      string `json:"title"`
	Purpose    string `json:"purpose"`
	Scope      string `json:"scope"`
	Channel    string `json:"channel"`   // phone, email, fax, face_to_face, paper
	StartsOn   string `json:"starts_on"` // YYYY-MM-DD
	EndsOn     string `json:"ends_on"`   // YYYY-MM-DD, not before starts_on
	Households int    `json:"households"`
	Penalties  string `json:"penalties"`
	// Questionnaire: a questionnaire key of the company's pack, to run the
	// campaign on forms (optional).
	Questionnaire string `json:"questionnaire"`
}

// CountsInput records a campaign's counts (POST /api/v1/surveys/{id}/counts).
// Households 0 keeps the campaign's.
type CountsInput struct {
	Households  int `json:"households"`
	Distributed int `json:"distributed"`
	Returned    int `json:"returned"`
	Verified    int `json:"verified"`
	Genuine     int `json:"genuine"`
	Answered    int `json:"answered"`
	Satisfied   int `json:"satisfied"`
}

// CloseInput closes a campaign (POST /api/v1/surveys/{id}/close).
type CloseInput struct {
	// ImprovementPlan: the service improvement plan for the problems found
	// (SUR-011); a campaign does not close without it.
	ImprovementPlan string `json:"improvement_plan"`
}

// Filter selects campaigns; zero fields do not filter.
type Filter struct {
	Status Status
	Limit  int // default 50, at most 500
	Before store.ID
}

// Options configure the campaign service.
type Options struct {
	DB        *store.DB
	Policy    *policy.Registry
	Org       *org.Service
	Calendars *calendar.Registry // the cadence's due dates (SUR-001)
	Notify    Notifier           // the planning notice; nil sends none
	Now       func() time.Time
}

// Notifier sends notifications (notify.Service).
type Notifier interface {
	Send(ctx context.Context, tx store.Conn, m notify.Message) error
}

// Service keeps survey campaigns.
type Service struct {
	db     *store.DB
	policy *policy.Registry
	org    *org.Service
	cals   *calendar.Registry
	notify Notifier
	now    func() time.Time
}

// New returns the campaign service.
func New(o Options) *Service {
	s := &Service{db: o.DB, policy: o.Policy, org: o.Org, cals: o.Calendars, notify: o.Notify, now: o.Now}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

func mayRead(p *auth.Principal) error {
	if !p.Can(auth.PermSurveysRead) {
		return apperr.Forbidden(i18n.T("无权查看满意度调查", "you may not read satisfaction surveys"))
	}
	return nil
}

func mayWrite(p *auth.Principal) error {
	if !p.Can(auth.PermSurveysWrite) {
		return apperr.Forbidden(i18n.T("无权管理满意度调查", "you may not manage satisfaction surveys"))
	}
	return nil
}

// Create plans a campaign for the caller's company.
func (s *Service) Create(ctx context.Context, p *auth.Principal, in CampaignInput) (*Campaign, error) {
	if err := mayWrite(p); err != nil {
		return nil, err
	}
	if err := checkPlan(&in); err != nil {
		return nil, err
	}
	if in.Households < 1 {
		return nil, apperr.Validation("households", i18n.T("入住总户数须至少为 1（SUR-004）", "must be at least 1 (SUR-004)"))
	}
	co, err := s.org.CompanyOf(ctx, p.OrgUnitID)
	if err != nil {
		return nil, err
	}
	pack, err := s.policy.ForUnit(ctx, co.ID)
	if err != nil {
		return nil, err
	}
	if in.Questionnaire != "" {
		if _, ok := pack.Surveys.Questionnaire(in.Questionnaire); !ok {
			return nil, apperr.Validation("questionnaire", i18n.T("政策包 %[1]s 没有问卷 %[2]q", "the pack %[1]s has no questionnaire %[2]q",
				pack.Key, in.Questionnaire))
		}
	}
	now := s.now()
	var id store.ID
	err = s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		number, err := nextNumber(ctx, tx, now)
		if err != nil {
			return err
		}
		id, err = tx.InsertID(ctx, `INSERT INTO survey_campaigns (number, pack, pack_version, company_id, title, purpose,
			scope_text, channel, starts_on, ends_on, households, status, penalties, questionnaire, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			number, pack.Key, pack.Version, co.ID, in.Title, in.Purpose, in.Scope, in.Channel, in.StartsOn, in.EndsOn,
			in.Households, string(StatusPlanned), in.Penalties, in.Questionnaire, store.NullID{ID: p.UserID, Valid: p.UserID != 0},
			store.Micros(now), store.Micros(now))
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "survey.create", "survey", id.String(), map[string]any{"number": number,
			"company_id": co.ID, "pack": pack.Key, "title": in.Title, "channel": in.Channel, "starts_on": in.StartsOn,
			"ends_on": in.EndsOn, "households": in.Households, "questionnaire": in.Questionnaire})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}

func parseDate(field, v string) (calendar.Date, error) {
	if v == "" {
		return calendar.Date{}, apperr.Required(field)
	}
	d, err := calendar.ParseDate(v)
	if err != nil || !d.Valid() {
		return calendar.Date{}, apperr.Validation(field, i18n.T("日期无效，格式为 YYYY-MM-DD", "invalid date, use YYYY-MM-DD"))
	}
	return d, nil
}

// nextNumber is the next campaign number: DC, the year and the year's
// sequence (DC2026-0001).
func nextNumber(ctx context.Context, tx store.Conn, now time.Time) (string, error) {
	year := "DC" + now.In(store.Zone).Format("2006")
	var n int64
	err := tx.QueryRow(ctx, `INSERT INTO survey_sequences (year, last) VALUES (?, 1)
		ON CONFLICT (year) DO UPDATE SET last = survey_sequences.last + 1 RETURNING last`, year).Scan(&n)
	return fmt.Sprintf("%s-%04d", year, n), err
}

// checkCounts refuses inconsistent counts, naming the field, with the
// messages of Compute; unlike Compute it accepts zeros (a campaign early
// on has none).
func checkCounts(c Counts) error {
	f := fieldsOf(c)
	if err := f.negative(); err != nil {
		return err
	}
	return f.exceeding()
}

// UpdateCounts records the campaign's counts; a planned campaign starts
// running. A closed campaign refuses (409); until the plan is approved
// only the households may be recorded (409 on "plan", SUR-002).
func (s *Service) UpdateCounts(ctx context.Context, p *auth.Principal, id store.ID, in CountsInput) (*Campaign, error) {
	if err := mayWrite(p); err != nil {
		return nil, err
	}
	return s.change(ctx, p, id, func(tx store.Conn, c *Campaign, now time.Time) error {
		if c.Status == StatusClosed {
			return apperr.Conflict("status", i18n.T("调查已关闭，不能修改数据", "the survey is closed; its counts cannot change"))
		}
		counts := Counts(in)
		if c.Questionnaire != "" { // the counts follow the forms; only households change
			for _, f := range []struct{ in, have int }{{in.Distributed, c.Distributed}, {in.Returned, c.Returned},
				{in.Verified, c.Verified}, {in.Genuine, c.Genuine}, {in.Answered, c.Answered}, {in.Satisfied, c.Satisfied}} {
				if f.in != 0 && f.in != f.have {
					return apperr.Conflict("questionnaire", i18n.T("本调查按问卷统计，份数由调查表自动计算，只能修改入住总户数",
						"the survey runs on forms: its counts follow the forms; only households can change"))
				}
			}
			counts = c.Counts
			counts.Households = in.Households
		} else if !c.Approved() && counts != (Counts{Households: in.Households}) {
			return published(c) // SUR-002: nothing is counted before the plan is approved
		}
		if counts.Households == 0 {
			counts.Households = c.Households
		}
		if counts.Households < 1 {
			return apperr.Validation("households", i18n.T("入住总户数须至少为 1（SUR-004）", "must be at least 1 (SUR-004)"))
		}
		if err := checkCounts(counts); err != nil {
			return err
		}
		status := c.Status
		if c.Approved() {
			status = StatusRunning
		}
		if _, err := tx.Exec(ctx, `UPDATE survey_campaigns SET households = ?, distributed = ?, returned = ?, verified = ?,
			genuine = ?, answered = ?, satisfied = ?, status = ?, updated_at = ? WHERE id = ?`,
			counts.Households, counts.Distributed, counts.Returned, counts.Verified, counts.Genuine, counts.Answered,
			counts.Satisfied, string(status), store.Micros(now), id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "survey.counts", "survey", id.String(), map[string]any{"from": c.Counts, "to": counts})
	})
}

// Close closes a campaign with its improvement plan (SUR-011) once every
// corrective action is verified (SUR-003), and sets the retention of its
// records from the closing date (ARC-014). A campaign whose plan is not
// approved was never published and does not close (409 on "plan").
func (s *Service) Close(ctx context.Context, p *auth.Principal, id store.ID, in CloseInput) (*Campaign, error) {
	if err := mayWrite(p); err != nil {
		return nil, err
	}
	return s.change(ctx, p, id, func(tx store.Conn, c *Campaign, now time.Time) error {
		if c.Status == StatusClosed {
			return apperr.Conflict("status", i18n.T("调查已关闭", "the survey is already closed"))
		}
		if err := published(c); err != nil {
			return err
		}
		plan := strings.TrimSpace(in.ImprovementPlan)
		if plan == "" {
			return apperr.Validation("improvement_plan", i18n.T("须先提交服务改进方案（SUR-011）",
				"the service improvement plan is required to close the survey (SUR-011)"))
		}
		if utf8.RuneCountInString(plan) > MaxText {
			return apperr.Validation("improvement_plan", i18n.T("不能超过 %d 个字符", "at most %d characters", MaxText))
		}
		if open := c.Actions.Total - c.Actions.Verified; open > 0 { // SUR-003
			return apperr.Conflict("actions", i18n.T("还有 %[1]d 项整改措施未验证（共 %[2]d 项），全部验证后才能关闭调查（SUR-003）",
				"%[1]d of %[2]d corrective actions are not verified yet; the survey closes once all are (SUR-003)",
				open, c.Actions.Total))
		}
		if c.Result == nil { // the report needs the statistics (RPT-004)
			if _, err := Compute(s.rules(c.Pack, c.PackVersion), c.computeInput()); err != nil {
				return err
			}
		}
		report, forms, planKeep := Retention(s.rules(c.Pack, c.PackVersion), calendar.DateOf(now.In(store.Zone)))
		if _, err := tx.Exec(ctx, `UPDATE survey_campaigns SET status = ?, improvement_plan = ?, closed_at = ?, updated_at = ?,
			report_keep_until = ?, forms_keep_until = ?, plan_keep_until = ? WHERE id = ?`,
			string(StatusClosed), plan, store.Micros(now), store.Micros(now), report.String(), forms.String(),
			planKeep.String(), id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, "survey.close", "survey", id.String(), map[string]any{
			"report_keep_until": report.String(), "forms_keep_until": forms.String(), "plan_keep_until": planKeep.String()}); err != nil {
			return err
		}
		return s.schedulePlanning(ctx, tx, c.CompanyID) // SUR-001: the next survey's planning notice
	})
}

// change runs fn on the campaign p may see inside one transaction
// attributed to p, then reads the campaign back: the shape of every change
// of a campaign (counts, close, the plan's steps and edits).
func (s *Service) change(ctx context.Context, p *auth.Principal, id store.ID,
	fn func(tx store.Conn, c *Campaign, now time.Time) error) (*Campaign, error) {
	now := s.now()
	err := s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		c, err := s.load(ctx, tx, p, id)
		if err != nil {
			return err
		}
		return fn(tx, c, now)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}

// Retention is the last day the report, the original forms and the plan of
// a survey closed on closed are kept, by the pack's months (ARC-014: 24, 24
// and 12 from the archiving date, counted as CAL-007, not extended off
// holidays): closed 2026-07-20 → forms kept to 2028-07-20,
// destruction-eligible from 2028-07-21; plan to 2027-07-20.
func Retention(r policy.SurveyRules, closed calendar.Date) (report, forms, plan calendar.Date) {
	return closed.AddMonths(r.ReportKeepMonths), closed.AddMonths(r.FormsKeepMonths), closed.AddMonths(r.PlanKeepMonths)
}

// Get returns a campaign p may see.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id store.ID) (*Campaign, error) {
	if err := mayRead(p); err != nil {
		return nil, err
	}
	return s.load(ctx, s.db.Reader(), p, id)
}

// List returns campaigns p may see, newest first.
func (s *Service) List(ctx context.Context, p *auth.Principal, f Filter) ([]*Campaign, error) {
	if err := mayRead(p); err != nil {
		return nil, err
	}
	var err error
	if f.Limit, err = apperr.PageLimit(f.Limit); err != nil {
		return nil, err
	}
	if f.Status != "" && !slices.Contains([]Status{StatusPlanned, StatusRunning, StatusClosed}, f.Status) {
		return nil, apperr.Validation("status", i18n.T("须为 planned、running 或 closed", "must be planned, running or closed"))
	}
	cond, args := visible(p)
	where := []string{cond}
	if f.Status != "" {
		where, args = append(where, "s.status = ?"), append(args, string(f.Status))
	}
	if f.Before != 0 {
		where, args = append(where, "s.id < ?"), append(args, f.Before)
	}
	rows, err := s.db.Reader().Query(ctx, "SELECT "+columns+" FROM survey_campaigns s WHERE "+strings.Join(where, " AND ")+
		fmt.Sprintf(" ORDER BY s.id DESC LIMIT %d", f.Limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Campaign{}
	for rows.Next() {
		c, err := s.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// visible is the row scope of campaigns: the company's, seen by the
// people of its subtree and of the company itself.
func visible(p *auth.Principal) (string, []any) {
	return org.CompanyRowsSQL(p.Scope(), p.OrgPath, p.OrgUnitID, "s.company_id")
}

const columns = `s.id, s.number, s.pack, s.pack_version, s.company_id, s.title, s.purpose, s.scope_text, s.channel,
	s.starts_on, s.ends_on, s.households, s.distributed, s.returned, s.verified, s.genuine, s.answered, s.satisfied,
	s.status, s.penalties, s.improvement_plan, s.created_by, s.created_at, s.updated_at, s.closed_at,
	s.report_keep_until, s.forms_keep_until, s.plan_keep_until, s.questionnaire` + planColumns

func (s *Service) load(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) (*Campaign, error) {
	cond, args := visible(p)
	r, err := s.scan(c.QueryRow(ctx, "SELECT "+columns+" FROM survey_campaigns s WHERE s.id = ? AND "+cond,
		append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("survey")
	}
	return r, err
}

func (s *Service) scan(sc store.Scanner) (*Campaign, error) {
	var c Campaign
	var starts, ends, status, report, forms, plan string
	var createdBy store.NullID
	var created, updated, closed int64
	var ps planScan
	err := sc.Scan(append([]any{&c.ID, &c.Number, &c.Pack, &c.PackVersion, &c.CompanyID, &c.Title, &c.Purpose, &c.Scope,
		&c.Channel, &starts, &ends, &c.Households, &c.Distributed, &c.Returned, &c.Verified, &c.Genuine, &c.Answered,
		&c.Satisfied, &status, &c.Penalties, &c.ImprovementPlan, &createdBy, &created, &updated, &closed, &report, &forms,
		&plan, &c.Questionnaire}, ps.dest(&c)...)...)
	if err != nil {
		return nil, err
	}
	c.Status, c.CreatedBy = Status(status), createdBy.ID
	ps.fill(&c)
	c.StartsOn, _ = calendar.ParseDate(starts)
	c.EndsOn, _ = calendar.ParseDate(ends)
	c.CreatedAt, c.UpdatedAt = store.FromMicros(created), store.FromMicros(updated)
	if closed != 0 {
		t := store.FromMicros(closed)
		c.ClosedAt = &t
	}
	c.ReportKeepUntil, c.FormsKeepUntil, c.PlanKeepUntil = optDate(report), optDate(forms), optDate(plan)
	rules := s.rules(c.Pack, c.PackVersion)
	if res, err := Compute(rules, c.computeInput()); err == nil {
		c.Result = &res
	}
	c.Live = LiveFigures(rules, c.Counts)
	return &c, nil
}

func optDate(v string) *calendar.Date {
	if v == "" {
		return nil
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		return nil
	}
	return &d
}

// Rules are the survey rules a campaign is held to: its pack version's.
func (s *Service) Rules(c *Campaign) policy.SurveyRules { return s.rules(c.Pack, c.PackVersion) }

// rules are the survey rules of the pack version the campaign was created
// under, else of the pack's latest version, else the defaults.
func (s *Service) rules(key string, version int) policy.SurveyRules {
	if pack, ok := s.policy.Version(key, version); ok {
		return pack.Surveys
	}
	if pack, ok := s.policy.Get(key); ok {
		return pack.Surveys
	}
	return policy.DefaultSurveyRules()
}

func (c *Campaign) computeInput() ComputeInput {
	return ComputeInput{Pack: c.Pack, Households: c.Households, Distributed: c.Distributed, Returned: c.Returned,
		Verified: c.Verified, Genuine: c.Genuine, Satisfied: c.Satisfied, Answered: c.Answered}
}
