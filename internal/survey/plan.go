package survey

// The survey plan's approval (客户满意度调查策划书, SUR-002, ARC-018): the
// plan carries the approval block prepared / reviewed / approved / date.
// The preparer (the campaign's creator) submits it once it names the
// purpose, the scope, the penalties for cheating and the sampled room
// numbers (the issued forms of a campaign run on a questionnaire, the
// scope of one counted by hand); a different holder of surveys:write
// reviews it; a company manager (or an administrator) who did not prepare
// it approves it. The reviewer or the approver may instead return it to
// draft with an opinion. Until the plan is approved the survey is not
// published: no answers, customer links, verification or counts other
// than the households (409 on "plan"); the sample may be issued and the
// plan edited (in draft) before. A change of an approved plan (a new
// revision, ARC-018) is not supported.

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// PlanStatus is where a campaign's plan stands in its approval.
type PlanStatus string

// Plan statuses (SUR-002): a draft is submitted, reviewed and approved; a
// return sends it back to draft.
const (
	PlanDraft     PlanStatus = "draft"
	PlanSubmitted PlanStatus = "submitted"
	PlanReviewed  PlanStatus = "reviewed"
	PlanApproved  PlanStatus = "approved"
)

// PlanApproval is the plan's approval block (编制 / 审核 / 批准 / 日期,
// ARC-018), part of a campaign's JSON.
type PlanApproval struct {
	PlanStatus PlanStatus `json:"plan_status"`
	// PreparedBy: the preparer (编制), the campaign's creator.
	PreparedBy  store.ID   `json:"prepared_by,omitempty"`
	SubmittedBy store.ID   `json:"submitted_by,omitempty"`
	SubmittedAt *time.Time `json:"submitted_at,omitempty"`
	// The review (审核) and the approval (批准); the approval's date is the
	// plan's date.
	ReviewedBy      store.ID   `json:"reviewed_by,omitempty"`
	ReviewedAt      *time.Time `json:"reviewed_at,omitempty"`
	ReviewOpinion   string     `json:"review_opinion,omitempty"`
	ApprovedBy      store.ID   `json:"approved_by,omitempty"`
	ApprovedAt      *time.Time `json:"approved_at,omitempty"`
	ApprovalOpinion string     `json:"approval_opinion,omitempty"`
	// The last return to draft, with its opinion (shown until the plan is
	// approved).
	ReturnedBy    store.ID   `json:"returned_by,omitempty"`
	ReturnedAt    *time.Time `json:"returned_at,omitempty"`
	ReturnOpinion string     `json:"return_opinion,omitempty"`
}

// Approved reports whether the plan is approved: the survey is published.
func (a PlanApproval) Approved() bool { return a.PlanStatus == PlanApproved }

// OpinionInput reviews or approves a plan (POST …/review, …/approve) or
// returns it (POST …/return, where the opinion is required).
type OpinionInput struct {
	Opinion string `json:"opinion"`
}

// PlanInput edits a draft plan (PATCH /api/v1/surveys/{id}); an absent
// field keeps its value.
type PlanInput struct {
	Title     *string `json:"title"`
	Purpose   *string `json:"purpose"`
	Scope     *string `json:"scope"`
	Channel   *string `json:"channel"`   // phone, email, fax, face_to_face, paper
	StartsOn  *string `json:"starts_on"` // YYYY-MM-DD
	EndsOn    *string `json:"ends_on"`   // YYYY-MM-DD, not before starts_on
	Penalties *string `json:"penalties"`
}

// PlanRights are the steps of the approval p may take on a campaign now
// (the buttons of the campaign page).
type PlanRights struct {
	Edit, Submit, Review, Approve, Return bool
}

// Any reports whether p may take any step.
func (r PlanRights) Any() bool { return r.Edit || r.Submit || r.Review || r.Approve || r.Return }

// Rights are the approval steps p may take on c (SUR-002): the preparer
// edits and submits a draft; another holder of surveys:write reviews (or
// returns) a submitted plan; the pack's plan approver (the company
// manager) who did not prepare it approves (or returns) a reviewed one.
func (s *Service) Rights(p *auth.Principal, c *Campaign) PlanRights {
	return rightsOf(p, c, s.rules(c.Pack, c.PackVersion).PlanApprover)
}

func rightsOf(p *auth.Principal, c *Campaign, approverRole auth.Role) PlanRights {
	if !p.Can(auth.PermSurveysWrite) || c.Status == StatusClosed {
		return PlanRights{}
	}
	var r PlanRights
	switch c.PlanStatus {
	case PlanDraft:
		r.Edit = true
		r.Submit = c.CreatedBy == 0 || p.UserID == c.CreatedBy
	case PlanSubmitted:
		r.Review = !preparer(p, c)
		r.Return = r.Review
	case PlanReviewed:
		r.Approve = approver(p, approverRole) && !preparer(p, c)
		r.Return = r.Approve
	}
	return r
}

// preparer reports whether p prepared (or submitted) the plan.
func preparer(p *auth.Principal, c *Campaign) bool {
	return p.UserID != 0 && (p.UserID == c.CreatedBy || p.UserID == c.SubmittedBy)
}

// approver reports whether p may approve plans: the pack's approver role
// or an administrator.
func approver(p *auth.Principal, role auth.Role) bool {
	return p.IsAdmin() || slices.Contains(p.Roles, role)
}

// published refuses a campaign whose plan is not approved (SUR-002).
func published(c *Campaign) error {
	if c.Approved() {
		return nil
	}
	return apperr.Conflict("plan", i18n.T("调查策划书尚未批准，调查不能发布（SUR-002）",
		"the survey plan is not approved yet: the survey is not published (SUR-002)"))
}

// wrongStep refuses a step the plan's status does not allow.
func wrongStep(c *Campaign) error {
	if c.Status == StatusClosed {
		return apperr.Conflict("status", i18n.T("调查已关闭", "the survey is closed"))
	}
	var zh, en string
	switch c.PlanStatus {
	case PlanDraft:
		zh, en = "策划书尚未提交审批", "the plan has not been submitted"
	case PlanSubmitted:
		zh, en = "策划书已提交，等待审核", "the plan is submitted and waits for its review"
	case PlanReviewed:
		zh, en = "策划书已审核，等待批准", "the plan is reviewed and waits for its approval"
	default:
		zh, en = "策划书已批准，不能再修改或重复审批", "the plan is approved; it cannot change or be approved again"
	}
	return apperr.Conflict("plan_status", i18n.T("%[1]s（SUR-002、ARC-018）", "%[2]s (SUR-002, ARC-018)", zh, en))
}

func checkOpinion(v string, required bool) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" && required {
		return "", apperr.Required("opinion")
	}
	if utf8.RuneCountInString(v) > MaxText {
		return "", apperr.Validation("opinion", i18n.T("不能超过 %d 个字符", "at most %d characters", MaxText))
	}
	return v, nil
}

// Submit submits the draft plan for its review (SUR-002): only its
// preparer, and only when it names the purpose, the scope, the penalties
// for cheating and the sampled room numbers — for a campaign run on a
// questionnaire at least one issued form, for one counted by hand the
// scope (422 naming the field).
func (s *Service) Submit(ctx context.Context, p *auth.Principal, id store.ID) (*Campaign, error) {
	if err := mayWrite(p); err != nil {
		return nil, err
	}
	return s.change(ctx, p, id, func(tx store.Conn, c *Campaign, now time.Time) error {
		if c.Status == StatusClosed || c.PlanStatus != PlanDraft {
			return wrongStep(c)
		}
		if c.CreatedBy != 0 && p.UserID != c.CreatedBy {
			return apperr.Forbidden(i18n.T("只有策划书的编制人可以提交审批（SUR-002）", "only the plan's preparer submits it (SUR-002)"))
		}
		for _, f := range []struct{ field, v, zh, en string }{
			{"purpose", c.Purpose, "调查目的", "the purpose"},
			{"scope", c.Scope, "调查范围", "the scope"},
			{"penalties", c.Penalties, "弄虚作假处罚", "the penalties for cheating"},
		} {
			if strings.TrimSpace(f.v) == "" {
				return apperr.Validation(f.field, i18n.T("策划书须写明%[1]s才能提交审批（SUR-002）",
					"the plan needs %[2]s before it is submitted (SUR-002)", f.zh, f.en))
			}
		}
		if c.Questionnaire != "" && c.Distributed == 0 { // the forms are the sampled households
			return apperr.Validation("households", i18n.T("策划书须有抽样房号：请先发放调查表（SUR-002）",
				"the plan needs the sampled room numbers: issue the forms first (SUR-002)"))
		}
		if _, err := tx.Exec(ctx, `UPDATE survey_campaigns SET plan_status = ?, submitted_by = ?, submitted_at = ?, updated_at = ?
			WHERE id = ?`, string(PlanSubmitted), store.NullID{ID: p.UserID, Valid: p.UserID != 0}, store.Micros(now),
			store.Micros(now), id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "survey.plan.submit", "survey", id.String(), map[string]any{
			"sampled": c.Distributed, "questionnaire": c.Questionnaire})
	})
}

// Review records the review (审核) of a submitted plan by a holder of
// surveys:write who did not prepare it.
func (s *Service) Review(ctx context.Context, p *auth.Principal, id store.ID, in OpinionInput) (*Campaign, error) {
	return s.step(ctx, p, id, in.Opinion, PlanSubmitted, func(c *Campaign) error {
		if preparer(p, c) {
			return apperr.Forbidden(i18n.T("编制人不能审核自己的策划书（SUR-002）", "the preparer may not review the plan (SUR-002)"))
		}
		return nil
	}, `plan_status = 'reviewed', reviewed_by = ?, reviewed_at = ?, review_opinion = ?`, "survey.plan.review")
}

// Approve records the approval (批准) of a reviewed plan by the pack's
// plan approver (the company manager) or an administrator who did not
// prepare it: the survey is
// published, and running when its forms are out.
func (s *Service) Approve(ctx context.Context, p *auth.Principal, id store.ID, in OpinionInput) (*Campaign, error) {
	return s.step(ctx, p, id, in.Opinion, PlanReviewed, func(c *Campaign) error {
		if role := s.rules(c.Pack, c.PackVersion).PlanApprover; !approver(p, role) {
			return apperr.Forbidden(i18n.T("策划书须由%[1]s批准（SUR-002）", "the %[2]s approves the plan (SUR-002)",
				role.Label().ZH, string(role)))
		}
		if preparer(p, c) {
			return apperr.Forbidden(i18n.T("编制人不能批准自己的策划书（SUR-002）", "the preparer may not approve the plan (SUR-002)"))
		}
		return nil
	}, `plan_status = 'approved', approved_by = ?, approved_at = ?, approval_opinion = ?,
		status = CASE WHEN status = 'planned' AND distributed > 0 THEN 'running' ELSE status END`, "survey.plan.approve")
}

// Return sends a submitted or reviewed plan back to draft with the
// opinion (required): the reviewer (a submitted plan) or the approver (a
// reviewed one) may. The review is void; the preparer edits and submits
// again.
func (s *Service) Return(ctx context.Context, p *auth.Principal, id store.ID, in OpinionInput) (*Campaign, error) {
	if err := mayWrite(p); err != nil {
		return nil, err
	}
	opinion, err := checkOpinion(in.Opinion, true)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, p, id, func(tx store.Conn, c *Campaign, now time.Time) error {
		if c.Status == StatusClosed || (c.PlanStatus != PlanSubmitted && c.PlanStatus != PlanReviewed) {
			return wrongStep(c)
		}
		if r := s.Rights(p, c); !r.Return {
			if c.PlanStatus == PlanReviewed {
				return apperr.Forbidden(i18n.T("已审核的策划书只能由批准人（公司经理，非编制人）退回（SUR-002）",
					"a reviewed plan is returned by its approver: a manager who did not prepare it (SUR-002)"))
			}
			return apperr.Forbidden(i18n.T("编制人不能退回自己的策划书（SUR-002）", "the preparer may not return the plan (SUR-002)"))
		}
		if _, err := tx.Exec(ctx, `UPDATE survey_campaigns SET plan_status = 'draft', returned_by = ?, returned_at = ?,
			return_opinion = ?, submitted_at = 0, reviewed_by = NULL, reviewed_at = 0, review_opinion = '', updated_at = ?
			WHERE id = ?`, store.NullID{ID: p.UserID, Valid: p.UserID != 0}, store.Micros(now), opinion, store.Micros(now), id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "survey.plan.return", "survey", id.String(), map[string]any{
			"from": string(c.PlanStatus), "opinion": opinion})
	})
}

// step records a review or an approval: the opinion is checked first,
// then the campaign is found (404) in the status from, then allowed says
// whether p may (403); set is the SET clause taking p, now and the
// opinion.
func (s *Service) step(ctx context.Context, p *auth.Principal, id store.ID, opinion string, from PlanStatus,
	allowed func(*Campaign) error, set, action string) (*Campaign, error) {
	if err := mayWrite(p); err != nil {
		return nil, err
	}
	opinion, err := checkOpinion(opinion, false)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, p, id, func(tx store.Conn, c *Campaign, now time.Time) error {
		if c.Status == StatusClosed || c.PlanStatus != from {
			return wrongStep(c)
		}
		if err := allowed(c); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE survey_campaigns SET "+set+", updated_at = ? WHERE id = ?",
			store.NullID{ID: p.UserID, Valid: p.UserID != 0}, store.Micros(now), opinion, store.Micros(now), id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, action, "survey", id.String(), map[string]any{"opinion": opinion})
	})
}

// EditPlan changes a draft plan (any holder of surveys:write): title,
// purpose, scope, channel, dates and penalties, checked as at its
// creation. A plan under review is returned first; an approved plan does
// not change here (a new revision, ARC-018, is not supported).
func (s *Service) EditPlan(ctx context.Context, p *auth.Principal, id store.ID, in PlanInput) (*Campaign, error) {
	if err := mayWrite(p); err != nil {
		return nil, err
	}
	return s.change(ctx, p, id, func(tx store.Conn, c *Campaign, now time.Time) error {
		next := CampaignInput{Title: c.Title, Purpose: c.Purpose, Scope: c.Scope, Channel: c.Channel,
			StartsOn: c.StartsOn.String(), EndsOn: c.EndsOn.String(), Penalties: c.Penalties}
		for _, f := range []struct {
			to   *string
			from *string
		}{{&next.Title, in.Title}, {&next.Purpose, in.Purpose}, {&next.Scope, in.Scope}, {&next.Channel, in.Channel},
			{&next.StartsOn, in.StartsOn}, {&next.EndsOn, in.EndsOn}, {&next.Penalties, in.Penalties}} {
			if f.from != nil {
				*f.to = *f.from
			}
		}
		if err := checkPlan(&next); err != nil {
			return err
		}
		if c.Status == StatusClosed || c.PlanStatus != PlanDraft {
			return wrongStep(c)
		}
		if _, err := tx.Exec(ctx, `UPDATE survey_campaigns SET title = ?, purpose = ?, scope_text = ?, channel = ?, starts_on = ?,
			ends_on = ?, penalties = ?, updated_at = ? WHERE id = ?`, next.Title, next.Purpose, next.Scope, next.Channel,
			next.StartsOn, next.EndsOn, next.Penalties, store.Micros(now), id); err != nil {
			return err
		}
		changed := map[string]any{}
		for _, f := range []struct{ k, from, to string }{{"title", c.Title, next.Title}, {"purpose", c.Purpose, next.Purpose},
			{"scope", c.Scope, next.Scope}, {"channel", c.Channel, next.Channel}, {"starts_on", c.StartsOn.String(), next.StartsOn},
			{"ends_on", c.EndsOn.String(), next.EndsOn}, {"penalties", c.Penalties, next.Penalties}} {
			if f.from != f.to {
				changed[f.k] = map[string]string{"from": f.from, "to": f.to}
			}
		}
		return audit.Record(ctx, tx, now, "survey.plan.edit", "survey", id.String(), changed)
	})
}

// checkPlan checks (and trims) the plan's fields as Create does, naming
// the field; the dates come back as YYYY-MM-DD.
func checkPlan(in *CampaignInput) error {
	in.Title = strings.TrimSpace(in.Title)
	in.Purpose, in.Scope, in.Penalties = strings.TrimSpace(in.Purpose), strings.TrimSpace(in.Scope), strings.TrimSpace(in.Penalties)
	if in.Title == "" {
		return apperr.Required("title")
	}
	if utf8.RuneCountInString(in.Title) > MaxTitle {
		return apperr.Validation("title", i18n.T("不能超过 %d 个字符", "at most %d characters", MaxTitle))
	}
	for _, f := range []struct{ field, v string }{{"purpose", in.Purpose}, {"scope", in.Scope}, {"penalties", in.Penalties}} {
		if utf8.RuneCountInString(f.v) > MaxText {
			return apperr.Validation(f.field, i18n.T("不能超过 %d 个字符", "at most %d characters", MaxText))
		}
	}
	if !slices.Contains(Channels, in.Channel) {
		return apperr.Validation("channel", i18n.T("须为 phone、email、fax、face_to_face 或 paper（SUR-001）",
			"must be phone, email, fax, face_to_face or paper (SUR-001)"))
	}
	starts, err := parseDate("starts_on", in.StartsOn)
	if err != nil {
		return err
	}
	ends, err := parseDate("ends_on", in.EndsOn)
	if err != nil {
		return err
	}
	if ends.Before(starts) {
		return apperr.Validation("ends_on", i18n.T("结束日期不能早于开始日期", "must not be before starts_on"))
	}
	in.StartsOn, in.EndsOn = starts.String(), ends.String()
	return nil
}

// planColumns are the approval block's columns and the tally of the
// corrective actions, after columns.
const planColumns = `, s.plan_status, s.submitted_by, s.submitted_at, s.reviewed_by, s.reviewed_at, s.review_opinion,
	s.approved_by, s.approved_at, s.approval_opinion, s.returned_by, s.returned_at, s.return_opinion,
	(SELECT count(*) FROM survey_actions a WHERE a.campaign_id = s.id),
	(SELECT count(*) FROM survey_actions a WHERE a.campaign_id = s.id AND a.status = 'verified')`

// planScan receives planColumns.
type planScan struct {
	status                                          string
	submittedBy, reviewedBy, approvedBy, returnedBy store.NullID
	submitted, reviewed, approved, returned         int64
}

func (ps *planScan) dest(c *Campaign) []any {
	return []any{&ps.status, &ps.submittedBy, &ps.submitted, &ps.reviewedBy, &ps.reviewed, &c.ReviewOpinion,
		&ps.approvedBy, &ps.approved, &c.ApprovalOpinion, &ps.returnedBy, &ps.returned, &c.ReturnOpinion,
		&c.Actions.Total, &c.Actions.Verified}
}

func (ps *planScan) fill(c *Campaign) {
	c.PlanStatus = PlanStatus(ps.status)
	c.PreparedBy, c.SubmittedBy = c.CreatedBy, ps.submittedBy.ID
	if c.PreparedBy == 0 {
		c.PreparedBy = c.SubmittedBy
	}
	c.ReviewedBy, c.ApprovedBy, c.ReturnedBy = ps.reviewedBy.ID, ps.approvedBy.ID, ps.returnedBy.ID
	c.SubmittedAt, c.ReviewedAt, c.ApprovedAt, c.ReturnedAt = optTime(ps.submitted), optTime(ps.reviewed),
		optTime(ps.approved), optTime(ps.returned)
}
