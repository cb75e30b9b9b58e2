package visit

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// AnswerInput answers the new issue a visit raised (VIS-010, VIS-012):
// what was done about it and what the customer was told.
type AnswerInput struct {
	Outcome  string `json:"outcome"`
	Response string `json:"response"`
}

// Answer records the answer to a visit's new issue (VIS-012: 件件有着落,
// 事事有回音), by the visit's role or the pack's owner role; an issue is
// answered once.
func (s *Service) Answer(ctx context.Context, p *auth.Principal, id store.ID, in AnswerInput) (*Visit, error) {
	if !p.Can(auth.PermVisitsAct) {
		return nil, apperr.Forbidden(i18n.T("无权办理回访", "you may not record return visits"))
	}
	in.Outcome, in.Response = strings.TrimSpace(in.Outcome), strings.TrimSpace(in.Response)
	if in.Outcome == "" {
		return nil, apperr.Validation("outcome", i18n.T("请填写处理结果（VIS-012）", "state the outcome (VIS-012)"))
	}
	if in.Response == "" {
		return nil, apperr.Validation("response", i18n.T("请填写对客户的答复（VIS-012）", "state what the customer was told (VIS-012)"))
	}
	for _, f := range [][2]string{{"outcome", in.Outcome}, {"response", in.Response}} {
		if utf8.RuneCountInString(f[1]) > MaxText {
			return nil, apperr.Validation(f[0], i18n.T("不能超过 %d 个字符", "at most %d characters", MaxText))
		}
	}
	now := s.now()
	err := s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		v, err := s.load(ctx, tx, p, id)
		if err != nil {
			return err
		}
		pack, _, _ := s.rule(v.Pack, v.packVersion, v.Rule)
		owner := pack != nil && slices.Contains(p.Roles, pack.Visits.Owner)
		if !owner {
			if err := mayVisit(ctx, tx, p, &v.Visit); err != nil {
				return err
			}
		}
		if v.NewIssue == "" {
			return apperr.Conflict("new_issue", i18n.T("此回访没有提出新问题", "the visit raised no new issue"))
		}
		if !v.IssueOpen {
			return apperr.Conflict("answered_at", i18n.T("此问题已答复", "the issue was already answered"))
		}
		if _, err := tx.Exec(ctx, `UPDATE visits SET issue_outcome = ?, issue_response = ?, answered_at = ?, answered_by = ?
			WHERE id = ? AND answered_at = 0`, in.Outcome, in.Response, store.Micros(now), p.UserRef(), id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "visit.answer", "visit", id.String(), map[string]any{"round": v.Round})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}
