package visit

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
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// modeZH names the visit modes in Chinese.
var modeZH = map[string]string{policy.ModeInPerson: "上门回访", policy.ModePhone: PhoneLabel}

// PhoneLabel is stamped on every phone visit (VIS-008).
const PhoneLabel = "电话回访"

// MaxText is the longest opinion, issue or rectification, in characters.
const MaxText = 2000

// RecordInput is the result of a visit.
type RecordInput struct {
	Mode    string `json:"mode"`    // in_person, phone
	Result  string `json:"result"`  // satisfied, dissatisfied
	Opinion string `json:"opinion"` // the customer's words
	// Signature is the customer's signature of an in-person visit: an
	// e-signature image (data: URL) or "paper" for a signed paper record.
	Signature string `json:"signature"`
	// NewIssue raised that could not be answered on the spot, with the
	// appointed reply time (VIS-010).
	NewIssue   string     `json:"new_issue"`
	ReplyDueAt *time.Time `json:"reply_due_at"`
	// Rectification and NextVisitAt when the customer is dissatisfied
	// (VIS-011): who rectifies, and when the next round is due.
	Rectification string     `json:"rectification"`
	NextVisitAt   *time.Time `json:"next_visit_at"`
}

// Record saves the result of an open visit by its visitor, with the
// evidence its mode needs (VIS-008), and opens the next round when the
// customer is dissatisfied (VIS-011).
func (s *Service) Record(ctx context.Context, p *auth.Principal, id store.ID, in RecordInput) (*Visit, error) {
	if !p.Can(auth.PermVisitsAct) {
		return nil, apperr.Forbidden(i18n.T("无权办理回访", "you may not record return visits"))
	}
	for field, text := range map[string]string{"opinion": in.Opinion, "new_issue": in.NewIssue, "rectification": in.Rectification} {
		if utf8.RuneCountInString(text) > MaxText {
			return nil, apperr.Validation(field, i18n.T("不能超过 %d 个字符", "at most %d characters", MaxText))
		}
	}
	if len(in.Signature) > 512<<10 {
		return nil, apperr.Validation("signature", i18n.T("签名图片过大", "the signature image is too large"))
	}
	// A new issue of blanks is none: an issue raised counts toward the
	// handling rate until it is answered (VIS-012).
	in.NewIssue = strings.TrimSpace(in.NewIssue)
	if in.Result != ResultSatisfied && in.Result != ResultDissatisfied {
		return nil, apperr.Validation("result", i18n.T("请选择满意或不满意", "must be satisfied or dissatisfied"))
	}
	now := s.now()
	err := s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		v, err := s.load(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if v.Status != StatusOpen {
			return apperr.Conflict("status", i18n.T("回访已办理", "the visit was already recorded"))
		}
		if err := mayVisit(ctx, tx, p, &v.Visit); err != nil {
			return err
		}
		if !slices.Contains(v.Modes, in.Mode) {
			names := make([]string, len(v.Modes))
			for i, m := range v.Modes {
				names[i] = modeZH[m]
			}
			return apperr.Validation("mode", i18n.T("本轮回访方式须为%[1]s（VIS-010）", "this round's mode must be %[2]s (VIS-010)",
				strings.Join(names, "或"), strings.Join(v.Modes, " or ")))
		}
		signature := strings.TrimSpace(in.Signature)
		if in.Mode == policy.ModeInPerson && signature == "" {
			return apperr.Validation("signature", i18n.T("上门回访须有客户签名（VIS-008）", "an in-person visit needs the customer's signature (VIS-008)"))
		}
		if in.Mode == policy.ModePhone {
			signature = ""
		}
		var replyDue int64
		if in.NewIssue != "" {
			if in.ReplyDueAt == nil || !in.ReplyDueAt.After(now) {
				return apperr.Validation("reply_due_at", i18n.T("新问题须约定答复时间（VIS-010）", "a new issue needs an appointed reply time (VIS-010)"))
			}
			replyDue = store.Micros(*in.ReplyDueAt)
		}
		if in.Result == ResultDissatisfied {
			if strings.TrimSpace(in.Rectification) == "" {
				return apperr.Validation("rectification", i18n.T("客户不满意须指定整改（VIS-011）", "a dissatisfied customer needs a rectification (VIS-011)"))
			}
			if in.NextVisitAt == nil || !in.NextVisitAt.After(now) {
				return apperr.Validation("next_visit_at", i18n.T("须约定下次回访时间（VIS-011）", "set the next visit time (VIS-011)"))
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE visits SET status = ?, mode = ?, result = ?, opinion = ?, new_issue = ?,
			reply_due_at = ?, rectification = ?, signature = ?, phone_label = ?, done_at = ?, done_by = ? WHERE id = ?`,
			string(StatusDone), in.Mode, in.Result, in.Opinion, in.NewIssue, replyDue, in.Rectification, signature,
			in.Mode == policy.ModePhone, store.Micros(now), p.UserRef(), id); err != nil {
			return err
		}
		if in.Result == ResultDissatisfied { // VIS-011: the next round
			if _, err := tx.Exec(ctx, `INSERT INTO visits (candidate_id, round, previous_id, status, company_id, role, due_at, created_at)
				SELECT candidate_id, round + 1, id, ?, company_id, role, ?, ? FROM visits WHERE id = ?`,
				string(StatusOpen), store.Micros(*in.NextVisitAt), store.Micros(now), id); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, now, "visit.record", "visit", id.String(),
			map[string]any{"mode": in.Mode, "result": in.Result, "round": v.Round})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}

// Review is the supervisor's sign-off of a recorded visit with an opinion
// (VIS-009); only signed-off visits count toward the rates.
func (s *Service) Review(ctx context.Context, p *auth.Principal, id store.ID, opinion string) (*Visit, error) {
	if !p.Can(auth.PermVisitsAct) {
		return nil, apperr.Forbidden(i18n.T("无权办理回访", "you may not record return visits"))
	}
	if strings.TrimSpace(opinion) == "" {
		return nil, apperr.Validation("opinion", i18n.T("请签署检查意见（VIS-009）", "write the review opinion (VIS-009)"))
	}
	if utf8.RuneCountInString(opinion) > MaxText {
		return nil, apperr.Validation("opinion", i18n.T("不能超过 %d 个字符", "at most %d characters", MaxText))
	}
	now := s.now()
	err := s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		v, err := s.load(ctx, tx, p, id)
		if err != nil {
			return err
		}
		pack, _, _ := s.rule(v.Pack, v.packVersion, v.Rule)
		if pack == nil {
			return apperr.Conflict("rule", i18n.T("回访规则已不存在", "the visit rule no longer exists"))
		}
		if !p.IsAdmin() && !slices.Contains(p.Roles, pack.Visits.Owner) {
			return apperr.Forbidden(i18n.T("回访由%[1]s检查签署", "visits are signed off by the %[2]s role",
				pack.Visits.Owner.Label().ZH, string(pack.Visits.Owner)))
		}
		if v.Status != StatusDone {
			return apperr.Conflict("status", i18n.T("只有已办理的回访可以签署", "only a recorded visit can be signed off"))
		}
		if _, err := tx.Exec(ctx, `UPDATE visits SET status = ?, reviewed_at = ?, reviewed_by = ?, review_opinion = ? WHERE id = ?`,
			string(StatusSignedOff), store.Micros(now), p.UserRef(), opinion, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "visit.review", "visit", id.String(), map[string]any{"round": v.Round})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}

// mayVisit refuses a caller who does not hold the visit's role (VIS-004:
// no delegation downwards) in the visit's company.
func mayVisit(ctx context.Context, tx store.Conn, p *auth.Principal, v *Visit) error {
	if p.IsAdmin() {
		return nil
	}
	if !slices.Contains(p.Roles, auth.Role(v.Role)) {
		return apperr.Forbidden(i18n.T("此回访由%[1]s办理（VIS-004）", "this visit is for the %[2]s role (VIS-004)",
			auth.Role(v.Role).Label().ZH, v.Role))
	}
	co, err := org.CompanyOf(ctx, tx, p.OrgUnitID)
	if err != nil {
		return err
	}
	if co.ID != v.CompanyID {
		u, err := org.GetUnit(ctx, tx, v.CompanyID)
		if err != nil || !p.Scope().Contains(u.Path) {
			return apperr.Forbidden(i18n.T("不是本公司的回访", "the visit belongs to another company"))
		}
	}
	return nil
}
