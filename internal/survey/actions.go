package survey

// Corrective actions (整改措施, SUR-003): after the report the CS supervisor
// opens one action per issue found, for a department of the campaign's
// company, due on a date; the department records what was done; the
// customer service centre verifies the correction — someone other than
// whoever recorded it. The campaign closes only when every action is
// verified (RULES.md: a report with 6 issues → 6 actions; the survey
// closes only when all 6 are verified).

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
	"kefu/internal/org"
	"kefu/internal/store"
)

// ActionStatus is where a corrective action stands.
type ActionStatus string

// Action statuses (SUR-003): opened by the supervisor, done by the
// department, verified by the CS centre.
const (
	ActionOpen     ActionStatus = "open"
	ActionDone     ActionStatus = "done"
	ActionVerified ActionStatus = "verified"
)

// ActionTally counts a campaign's corrective actions.
type ActionTally struct {
	Total    int `json:"total"`
	Verified int `json:"verified"`
}

// Unverified is how many actions still hold the campaign open.
func (t ActionTally) Unverified() int { return t.Total - t.Verified }

// Action is one corrective action of a campaign (SUR-003).
type Action struct {
	ID             store.ID      `json:"id"`
	CampaignID     store.ID      `json:"campaign_id"`
	Number         string        `json:"number"` // DC2026-0001-Z01
	Serial         int           `json:"serial"`
	Issue          string        `json:"issue"`
	DepartmentID   store.ID      `json:"department_id"`
	DepartmentName string        `json:"department_name"`
	DueOn          calendar.Date `json:"due_on"`
	Status         ActionStatus  `json:"status"`
	// Overdue: still open after its due date (Beijing time).
	Overdue       bool       `json:"overdue"`
	OpenedBy      store.ID   `json:"opened_by,omitempty"`
	OpenedAt      time.Time  `json:"opened_at"`
	Result        string     `json:"result,omitempty"`
	DoneBy        store.ID   `json:"done_by,omitempty"`
	DoneAt        *time.Time `json:"done_at,omitempty"`
	VerifyOpinion string     `json:"verify_opinion,omitempty"`
	VerifiedBy    store.ID   `json:"verified_by,omitempty"`
	VerifiedAt    *time.Time `json:"verified_at,omitempty"`

	departmentPath string // who may record it done: MayRecord
}

// ActionInput opens a corrective action (POST /api/v1/surveys/{id}/actions).
type ActionInput struct {
	Issue        string   `json:"issue"`         // the issue found; required
	DepartmentID store.ID `json:"department_id"` // a unit of the campaign's company
	DueOn        string   `json:"due_on"`        // YYYY-MM-DD, not before today
}

// ActionDoneInput records what the department did
// (POST …/actions/{action}/done).
type ActionDoneInput struct {
	Result string `json:"result"`
}

// OpenAction opens a corrective action for an issue of the report
// (SUR-003): a holder of surveys:write, on a published campaign (its plan
// approved) that is not closed and whose report has its statistics; the
// department must be a unit of the campaign's company (422 on
// department_id) and the due date not before today.
func (s *Service) OpenAction(ctx context.Context, p *auth.Principal, id store.ID, in ActionInput) (*Action, error) {
	if err := mayWrite(p); err != nil {
		return nil, err
	}
	in.Issue = strings.TrimSpace(in.Issue)
	switch {
	case in.Issue == "":
		return nil, apperr.Required("issue")
	case utf8.RuneCountInString(in.Issue) > MaxText:
		return nil, apperr.Validation("issue", i18n.T("不能超过 %d 个字符", "at most %d characters", MaxText))
	case in.DepartmentID == 0:
		return nil, apperr.Required("department_id")
	}
	due, err := parseDate("due_on", in.DueOn)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if today := calendar.DateOf(now.In(store.Zone)); due.Before(today) {
		return nil, apperr.Validation("due_on", i18n.T("完成期限不能早于今天（%s）", "must not be before today (%s)", today.String()))
	}
	var aid store.ID
	var c *Campaign
	err = s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		if c, err = s.load(ctx, tx, p, id); err != nil {
			return err
		}
		if c.Status == StatusClosed {
			return apperr.Conflict("status", i18n.T("调查已关闭", "the survey is closed"))
		}
		if err := published(c); err != nil {
			return err
		}
		if c.Result == nil {
			return apperr.Conflict("report", i18n.T("调查报告尚无统计结果，整改措施在报告之后制定（SUR-003）",
				"the report has no statistics yet; corrective actions follow the report (SUR-003)"))
		}
		dept, err := s.department(ctx, tx, c, in.DepartmentID)
		if err != nil {
			return err
		}
		var last int
		if err := tx.QueryRow(ctx, "SELECT COALESCE(max(serial), 0) FROM survey_actions WHERE campaign_id = ?", id).Scan(&last); err != nil {
			return err
		}
		if aid, err = tx.InsertID(ctx, `INSERT INTO survey_actions (campaign_id, serial, issue, department_id, due_on, status,
			opened_by, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, id, last+1, in.Issue, dept.ID, due.String(),
			string(ActionOpen), store.NullID{ID: p.UserID, Valid: p.UserID != 0}, store.Micros(now)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "survey.action.open", "survey", id.String(), map[string]any{
			"action": actionNumber(c.Number, last+1), "issue": in.Issue, "department_id": dept.ID, "due_on": due.String()})
	})
	if err != nil {
		return nil, err
	}
	return s.action(ctx, s.db.Reader(), c, aid)
}

// department is the unit id of the campaign's company subtree, else a 422
// on department_id.
func (s *Service) department(ctx context.Context, tx store.Conn, c *Campaign, id store.ID) (org.Unit, error) {
	bad := apperr.Validation("department_id", i18n.T("须为本公司的部门（SUR-003）", "must be a unit of the survey's company (SUR-003)"))
	u, err := org.GetUnit(ctx, tx, id)
	if apperr.Is(err, apperr.CodeNotFound) {
		return u, bad
	}
	if err != nil {
		return u, err
	}
	co, err := org.GetUnit(ctx, tx, c.CompanyID)
	if err != nil {
		return u, err
	}
	if !strings.HasPrefix(u.Path, co.Path) {
		return u, bad
	}
	return u, nil
}

// ActionDone records what the department did: someone of the
// department's subtree holding surveys:answer or surveys:write, the
// supervisor who opened the action, a CS supervisor or an administrator.
func (s *Service) ActionDone(ctx context.Context, p *auth.Principal, id, actionID store.ID, in ActionDoneInput) (*Action, error) {
	if !p.Can(auth.PermSurveysAnswer) && !p.Can(auth.PermSurveysWrite) {
		return nil, apperr.Forbidden(i18n.T("无权登记整改结果", "you may not record corrective actions"))
	}
	result := strings.TrimSpace(in.Result)
	if result == "" {
		return nil, apperr.Required("result")
	}
	if utf8.RuneCountInString(result) > MaxText {
		return nil, apperr.Validation("result", i18n.T("不能超过 %d 个字符", "at most %d characters", MaxText))
	}
	return s.actionStep(ctx, p, id, actionID, ActionOpen, func(a *Action) error {
		if !a.MayRecord(p) {
			return apperr.Forbidden(i18n.T("整改结果由责任部门（%s）或客服主管登记（SUR-003）",
				"the department in charge (%s) or the CS supervisor records the correction (SUR-003)", a.DepartmentName))
		}
		return nil
	}, `status = 'done', result = ?, done_by = ?, done_at = ?`, result, "survey.action.done")
}

// MayRecord reports whether p may record what was done about a (SUR-003):
// someone of the department's subtree holding surveys:answer or
// surveys:write, the supervisor who opened it, a CS supervisor or an
// administrator. It does not look at the action's status.
func (a *Action) MayRecord(p *auth.Principal) bool {
	if !p.Can(auth.PermSurveysAnswer) && !p.Can(auth.PermSurveysWrite) {
		return false
	}
	return (a.departmentPath != "" && strings.HasPrefix(p.OrgPath, a.departmentPath)) || p.UserID == a.OpenedBy ||
		p.IsAdmin() || slices.Contains(p.Roles, auth.RoleCSSupervisor)
}

// MayVerify reports whether p may verify a (SUR-003): the CS centre
// (surveys:write), not whoever recorded it done. It does not look at the
// action's status.
func (a *Action) MayVerify(p *auth.Principal) bool {
	return p.Can(auth.PermSurveysWrite) && (p.UserID == 0 || p.UserID != a.DoneBy)
}

// VerifyAction records the CS centre's verification of a done action
// (surveys:write), by someone other than whoever recorded it done (403).
func (s *Service) VerifyAction(ctx context.Context, p *auth.Principal, id, actionID store.ID, in OpinionInput) (*Action, error) {
	if err := mayWrite(p); err != nil {
		return nil, err
	}
	opinion, err := checkOpinion(in.Opinion, true)
	if err != nil {
		return nil, err
	}
	return s.actionStep(ctx, p, id, actionID, ActionDone, func(a *Action) error {
		if !a.MayVerify(p) {
			return apperr.Forbidden(i18n.T("登记整改结果的人不能验证自己的整改（SUR-003）",
				"whoever recorded the correction may not verify it (SUR-003)"))
		}
		return nil
	}, `status = 'verified', verify_opinion = ?, verified_by = ?, verified_at = ?`, opinion, "survey.action.verify")
}

// actionStep moves an action of an open campaign p may see from the status
// from: allowed says whether p may (403); set takes text, p and now.
func (s *Service) actionStep(ctx context.Context, p *auth.Principal, id, actionID store.ID, from ActionStatus,
	allowed func(*Action) error, set, text, event string) (*Action, error) {
	now := s.now()
	var c *Campaign
	err := s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		var err error
		if c, err = s.load(ctx, tx, p, id); err != nil {
			return err
		}
		a, err := s.action(ctx, tx, c, actionID)
		if err != nil {
			return err
		}
		if c.Status == StatusClosed {
			return apperr.Conflict("status", i18n.T("调查已关闭", "the survey is closed"))
		}
		if a.Status != from {
			if from == ActionOpen {
				return apperr.Conflict("status", i18n.T("整改措施 %s 已登记完成", "corrective action %s is already done", a.Number))
			}
			if a.Status == ActionOpen {
				return apperr.Conflict("status", i18n.T("整改措施 %s 尚未登记完成", "corrective action %s is not done yet", a.Number))
			}
			return apperr.Conflict("status", i18n.T("整改措施 %s 已验证", "corrective action %s is already verified", a.Number))
		}
		if err := allowed(a); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, "UPDATE survey_actions SET "+set+" WHERE id = ? AND status = ?", text,
			store.NullID{ID: p.UserID, Valid: p.UserID != 0}, store.Micros(now), actionID, string(from))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("status", i18n.T("整改措施 %s 已被他人处理", "corrective action %s was just handled by someone else", a.Number))
		}
		return audit.Record(ctx, tx, now, event, "survey", id.String(), map[string]any{"action": a.Number, "text": text})
	})
	if err != nil {
		return nil, err
	}
	return s.action(ctx, s.db.Reader(), c, actionID)
}

// Actions lists the corrective actions of a campaign p may see, by number.
func (s *Service) Actions(ctx context.Context, p *auth.Principal, id store.ID) ([]*Action, error) {
	c, err := s.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return s.actions(ctx, s.db.Reader(), c)
}

func (s *Service) actions(ctx context.Context, conn store.Conn, c *Campaign) ([]*Action, error) {
	today := calendar.DateOf(s.now().In(store.Zone))
	return store.QueryAll(ctx, conn, func(sc store.Scanner) (*Action, error) { return scanAction(sc, c.Number, today) },
		"SELECT "+actionColumns+" FROM survey_actions a JOIN org_units u ON u.id = a.department_id WHERE a.campaign_id = ? ORDER BY a.serial", c.ID)
}

// action reads one action of the campaign c (404 on action).
func (s *Service) action(ctx context.Context, conn store.Conn, c *Campaign, actionID store.ID) (*Action, error) {
	a, err := scanAction(conn.QueryRow(ctx, "SELECT "+actionColumns+` FROM survey_actions a JOIN org_units u ON u.id = a.department_id
		WHERE a.id = ? AND a.campaign_id = ?`, actionID, c.ID), c.Number, calendar.DateOf(s.now().In(store.Zone)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("action")
	}
	return a, err
}

const actionColumns = `a.id, a.campaign_id, a.serial, a.issue, a.department_id, u.name, u.path, a.due_on, a.status,
	a.opened_by, a.opened_at, a.result, a.done_by, a.done_at, a.verify_opinion, a.verified_by, a.verified_at`

func scanAction(sc store.Scanner, campaignNumber string, today calendar.Date) (*Action, error) {
	var a Action
	var due, status string
	var opened, done, verified int64
	var openedBy, doneBy, verifiedBy store.NullID
	if err := sc.Scan(&a.ID, &a.CampaignID, &a.Serial, &a.Issue, &a.DepartmentID, &a.DepartmentName, &a.departmentPath, &due, &status, &openedBy,
		&opened, &a.Result, &doneBy, &done, &a.VerifyOpinion, &verifiedBy, &verified); err != nil {
		return nil, err
	}
	a.Number, a.Status = actionNumber(campaignNumber, a.Serial), ActionStatus(status)
	a.DueOn, _ = calendar.ParseDate(due)
	a.OpenedBy, a.DoneBy, a.VerifiedBy = openedBy.ID, doneBy.ID, verifiedBy.ID
	a.OpenedAt, a.DoneAt, a.VerifiedAt = store.FromMicros(opened), optTime(done), optTime(verified)
	a.Overdue = a.Status == ActionOpen && today.After(a.DueOn)
	return &a, nil
}

// actionNumber numbers an action within its campaign: DC2026-0001-Z01.
func actionNumber(campaign string, serial int) string {
	return fmt.Sprintf("%s-Z%02d", campaign, serial)
}
