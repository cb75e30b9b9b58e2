package visit

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// visitRow is a visit as read, with what the service needs beyond the API.
type visitRow struct {
	Visit
	packVersion int
}

const visitColumns = `v.id, c.rule, c.pack, c.pack_version, c.ref_type, c.ref_id, c.ref_number, c.customer_id,
	c.customer_name, c.customer_phone, c.customer_address, (SELECT min(n.id) FROM visits n WHERE n.previous_id = v.id), c.severity,
	c.mandatory, c.completed_at, v.round, v.previous_id, v.status, v.company_id, v.role, v.assignee_id, v.due_at, v.mode,
	v.result, v.opinion, v.new_issue, v.reply_due_at, v.rectification, v.signature, v.phone_label, v.done_at, v.done_by,
	v.reviewed_at, v.reviewed_by, v.review_opinion, c.occasion_id,
	(SELECT w.to_visit_id FROM visit_swaps w WHERE w.from_visit_id = v.id),
	(SELECT w.from_visit_id FROM visit_swaps w WHERE w.to_visit_id = v.id),
	coalesce((SELECT w.reason FROM visit_swaps w WHERE w.from_visit_id = v.id), ''),
	v.issue_outcome, v.issue_response, v.answered_at, v.answered_by, v.created_at`

func (s *Service) scan(sc store.Scanner) (*visitRow, error) {
	var r visitRow
	var customer, previous, next, assignee, doneBy, reviewedBy, occasion, swappedTo, swappedFrom, answeredBy store.NullID
	var completed, due, replyDue, done, reviewed, answered, created int64
	var signature string
	var phone bool
	err := sc.Scan(&r.ID, &r.Rule, &r.Pack, &r.packVersion, &r.RefType, &r.RefID, &r.RefNumber, &customer,
		&r.Customer.Name, &r.Customer.Phone, &r.Customer.Address, &next, &r.Severity,
		&r.Mandatory, &completed, &r.Round, &previous, &r.Status, &r.CompanyID, &r.Role, &assignee, &due, &r.Mode,
		&r.Result, &r.Opinion, &r.NewIssue, &replyDue, &r.Rectification, &signature, &phone, &done, &doneBy,
		&reviewed, &reviewedBy, &r.ReviewOpinion, &occasion, &swappedTo, &swappedFrom, &r.SwapReason,
		&r.IssueOutcome, &r.IssueResponse, &answered, &answeredBy, &created)
	if err != nil {
		return nil, err
	}
	r.CustomerID, r.PreviousID, r.NextID, r.AssigneeID, r.DoneBy, r.ReviewedBy = customer.ID, previous.ID, next.ID,
		assignee.ID, doneBy.ID, reviewedBy.ID
	r.CompletedAt, r.DueAt, r.CreatedAt = store.FromMicros(completed), store.FromMicros(due), store.FromMicros(created)
	r.ReplyDueAt, r.DoneAt, r.ReviewedAt = instant(replyDue), instant(done), instant(reviewed)
	r.OccasionID, r.SwappedTo, r.SwappedFrom = occasion.ID, swappedTo.ID, swappedFrom.ID
	r.AnsweredAt, r.AnsweredBy = instant(answered), answeredBy.ID
	r.IssueOpen = r.NewIssue != "" && r.AnsweredAt == nil // VIS-012
	r.Signed = signature != ""
	if phone {
		r.PhoneLabel = PhoneLabel // VIS-008: stamped, never removed
	}
	pack, rule, ok := s.rule(r.Pack, r.packVersion, r.Rule)
	if ok {
		r.RuleName = rule.Name.ZH
		r.Modes = modes(pack, rule, r.Round, r.Severity)
		r.OwnerRole = string(pack.Visits.Owner)
	}
	return &r, nil
}

// modes are the modes a round may use (VIS-010): the rule's for the first
// round; follow-up rounds in person until PhoneFromRound, then phone too —
// except for the severities that stay in person in every follow-up round.
func modes(pack *policy.Pack, r *policy.VisitRule, round int, severity string) []string {
	v := pack.Visits
	switch {
	case round == 1:
		return r.Modes
	case round >= v.PhoneFromRound && !slices.Contains(v.InPersonSeverities, severity):
		return []string{policy.ModeInPerson, policy.ModePhone}
	}
	return []string{policy.ModeInPerson}
}

// mayRead refuses p without visits:read.
func mayRead(p *auth.Principal) error {
	if !p.Can(auth.PermVisitsRead) {
		return apperr.Forbidden(i18n.T("无权查看回访", "you may not read return visits"))
	}
	return nil
}

// visible is the row scope of visits on column (a company id): the
// company's, seen by the people of its subtree and of the company itself.
func visible(p *auth.Principal, column string) (string, []any) {
	return org.CompanyRowsSQL(p.Scope(), p.OrgPath, p.OrgUnitID, column)
}

// load reads a visit p may see, or 404.
func (s *Service) load(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) (*visitRow, error) {
	cond, args := visible(p, "v.company_id")
	r, err := s.scan(c.QueryRow(ctx, "SELECT "+visitColumns+` FROM visits v JOIN visit_candidates c ON c.id = v.candidate_id
		WHERE v.id = ? AND `+cond, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("visit")
	}
	return r, err
}

// Get returns a visit p may see.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id store.ID) (*Visit, error) {
	if err := mayRead(p); err != nil {
		return nil, err
	}
	r, err := s.load(ctx, s.db.Reader(), p, id)
	if err != nil {
		return nil, err
	}
	return &r.Visit, nil
}

// Filter selects visits; zero fields do not filter.
type Filter struct {
	Status Status
	Rule   string
	Month  string // YYYY-MM of completion
	Mine   bool   // open visits of my roles in my company, due first
	// IssuesOpen: visits whose new issue awaits its answer (VIS-012).
	IssuesOpen bool
	Occasion   store.ID // the visits of one occasion (VIS-006, VIS-007)
	Limit      int      // default 50, at most 500
	Before     store.ID
}

// List returns visits p may see: newest first, or for Mine the open ones of
// the caller's roles by due time.
func (s *Service) List(ctx context.Context, p *auth.Principal, f Filter) ([]*Visit, error) {
	err := mayRead(p)
	if err != nil {
		return nil, err
	}
	if f.Limit, err = apperr.PageLimit(f.Limit); err != nil {
		return nil, err
	}
	if f.Status != "" && !slices.Contains([]Status{StatusOpen, StatusDone, StatusSignedOff, StatusCancelled}, f.Status) {
		return nil, apperr.Validation("status", i18n.T("须为 open、done、signed_off 或 cancelled", "must be open, done, signed_off or cancelled"))
	}
	cond, args := visible(p, "v.company_id")
	where := []string{cond}
	add := func(c string, a ...any) { where, args = append(where, c), append(args, a...) }
	if f.Status != "" {
		add("v.status = ?", string(f.Status))
	}
	if f.Rule != "" {
		add("c.rule = ?", f.Rule)
	}
	if f.Month != "" {
		if !monthRE.MatchString(f.Month) {
			return nil, apperr.Validation("month", i18n.T("须为年月（YYYY-MM）", "must be a month (YYYY-MM)"))
		}
		add("c.month = ?", f.Month)
	}
	if f.IssuesOpen {
		add("v.new_issue <> '' AND v.answered_at = 0")
	}
	if f.Occasion != 0 {
		add("c.occasion_id = ?", f.Occasion)
	}
	if f.Before != 0 {
		add("v.id < ?", f.Before)
	}
	order := "v.id DESC"
	if f.Mine {
		roles := make([]any, len(p.Roles))
		for i, r := range p.Roles {
			roles[i] = string(r)
		}
		if len(roles) == 0 {
			return []*Visit{}, nil
		}
		add("v.status = ? AND v.role IN ("+store.Placeholders(len(roles))+")", append([]any{string(StatusOpen)}, roles...)...)
		order = "v.due_at, v.id"
	}
	rows, err := store.QueryAll(ctx, s.db.Reader(), s.scan, "SELECT "+visitColumns+` FROM visits v
		JOIN visit_candidates c ON c.id = v.candidate_id WHERE `+strings.Join(where, " AND ")+" ORDER BY "+order+" LIMIT ?",
		append(args, f.Limit)...)
	out := make([]*Visit, len(rows))
	for i, r := range rows {
		out[i] = &r.Visit
	}
	return out, err
}

func instant(us int64) *time.Time {
	if us == 0 {
		return nil
	}
	t := store.FromMicros(us)
	return &t
}
