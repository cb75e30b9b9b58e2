package merit

import (
	"context"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// Bounty decisions.
const (
	BountyApprove = "approve"
	BountyReject  = "reject"
	BountyPay     = "pay"
)

// DecideBounty approves, rejects or pays a bounty: action approve, reject,
// pay. A decider of the company's pack (merits:approve and a decider role,
// or admin) approves or rejects a proposed bounty — never one they
// registered themselves — with a note required to reject; an approved
// bounty is paid with the day it was paid and the voucher. The registrar
// is told.
func (s *Service) DecideBounty(ctx context.Context, p *auth.Principal, id store.ID, action string, in BountyDecision) (*Bounty, error) {
	if err := mayReadBounties(p); err != nil {
		return nil, err
	}
	var paidOn calendar.Date
	voucher := strings.TrimSpace(in.Voucher)
	remark, err := note("note", in.Note, action == BountyReject)
	if err != nil {
		return nil, err
	}
	switch action {
	case BountyApprove, BountyReject:
	case BountyPay:
		raw := strings.TrimSpace(in.PaidOn)
		if raw == "" {
			return nil, apperr.Required("paid_on")
		}
		if paidOn, err = calendar.ParseDate(raw); err != nil {
			return nil, apperr.Validation("paid_on", i18n.T("须为日期 YYYY-MM-DD", "must be a date YYYY-MM-DD"))
		}
		if paidOn.After(s.today()) {
			return nil, apperr.Validation("paid_on", i18n.T("不能晚于今天", "cannot be after today"))
		}
		if voucher == "" {
			return nil, apperr.Required("voucher")
		}
		if len([]rune(voucher)) > 100 {
			return nil, apperr.Validation("voucher", i18n.T("不能超过 100 个字", "at most 100 characters"))
		}
	default:
		return nil, apperr.Validation("action", i18n.T("须为批准、驳回或支付", "must be approve, reject or pay"))
	}
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		b, err := s.readBounty(ctx, tx, p, id)
		if err != nil {
			return err
		}
		pack, err := s.packs.ForUnit(ctx, b.CompanyID)
		if err != nil {
			return err
		}
		if !decides(p, pack) {
			return apperr.Forbidden(i18n.T("无权审批举报奖励", "you may not decide bounties"))
		}
		now := s.now()
		var to string
		var q string
		var args []any
		switch action {
		case BountyApprove, BountyReject:
			if b.State != BountyProposed {
				return bountyNotIn(b.State)
			}
			to = BountyApproved
			if action == BountyReject {
				to = BountyRejected
			} else if b.RegisteredBy == p.UserID {
				return apperr.Forbidden(i18n.T("登记人不能批准本人登记的奖励", "the registrar may not approve their own registration"))
			}
			q = `UPDATE merit_bounties SET state = ?, decided_by = ?, decided_at = ?, decision_note = ? WHERE id = ? AND state = ?`
			args = []any{to, p.UserID, store.Micros(now), remark, id, b.State}
		case BountyPay:
			if b.State != BountyApproved {
				return bountyNotIn(b.State)
			}
			to = BountyPaid
			q = `UPDATE merit_bounties SET state = ?, paid_on = ?, paid_by = ?, voucher = ? WHERE id = ? AND state = ?`
			args = []any{to, paidOn.String(), p.UserID, voucher, id, b.State}
		}
		r, err := tx.Exec(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, err := r.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return apperr.Conflict("state", i18n.T("该奖励已被他人处理", "the bounty was decided meanwhile"))
		}
		if err := s.tellBounty(ctx, tx, id, b.Number, to, []store.ID{b.RegisteredBy},
			i18n.T("举报奖励 %[1]s：%[2]s", "Bounty %[1]s: %[2]s", b.Number, to)); err != nil {
			return err
		}
		detail := map[string]any{"number": b.Number, "from": b.State, "state": to, "amount": b.Amount}
		if action == BountyPay {
			detail["paid_on"], detail["voucher"] = paidOn.String(), voucher
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "merit.bounty."+action, "merit_bounty", id.String(), detail)
	})
	if err != nil {
		return nil, err
	}
	return s.readBounty(ctx, s.db.Reader(), p, id)
}

// bountyNotIn refuses a decision the bounty's state does not allow.
func bountyNotIn(state string) error {
	return apperr.Conflict("state", i18n.T("该奖励当前状态（%[1]s）不允许此操作", "the bounty is %[1]s: this is not allowed", state))
}
