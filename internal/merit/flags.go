package merit

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/money"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Flag states: HR or the payer closes an open flag as done, or as void
// when its basis no longer holds (an appeal withdrew an entry).
const (
	FlagOpen = "open"
	FlagDone = "done"
	FlagVoid = "void"
)

// EventFlag is sent when the ledger first reaches a flag: a termination for
// HR, a bonus payment proposal, a reassignment or demotion.
const EventFlag = "merit.flag"

// basisKey is the stored basis of a flag: its entries' ids, sorted, comma
// separated, so that a flag resting on the same entries is raised once.
func basisKey(ids []store.ID) string {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	parts := make([]string, len(sorted))
	for i, id := range sorted {
		parts[i] = id.String()
	}
	return strings.Join(parts, ",")
}

// raiseFlag stores a derived flag unless it is stored already; it returns
// the stored flag's id and whether it is new.
func raiseFlag(ctx context.Context, tx store.Conn, u *person, f Flag, now time.Time) (store.ID, bool, error) {
	basis := basisKey(f.Entries)
	res, err := tx.Exec(ctx, `INSERT INTO merit_flags (company_id, user_id, flag, raised_on, basis, amount_cents, rule_id, state, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, flag, basis) DO NOTHING`,
		u.Company, u.ID, f.Flag, f.On.String(), basis, f.Bonus.Fen(), f.Rule, FlagOpen, store.Micros(now))
	if err != nil {
		return 0, false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, false, err
	}
	var id store.ID
	err = tx.QueryRow(ctx, `SELECT id FROM merit_flags WHERE user_id = ? AND flag = ? AND basis = ?`, u.ID, f.Flag, basis).Scan(&id)
	return id, n > 0, err
}

// flagMessage tells the deciders and the person that a flag was raised.
func flagMessage(u *person, f Flag, id store.ID, users []store.ID) notify.Message {
	var title i18n.Text
	switch f.Flag {
	case policy.FlagTermination:
		title = i18n.T("%[1]s 累计两次记大过：解除劳动合同待人事处理（%[2]s）", "%[1]s reached two major demerits: termination for HR (%[2]s)", u.Name, f.Rule)
	case policy.FlagBonus:
		title = i18n.T("%[1]s 累计两次记大功：一次性奖励 %[3]s 元待支付（%[2]s）", "%[1]s reached two major merits: one-off bonus of %[3]s yuan to pay (%[2]s)",
			u.Name, f.Rule, f.Bonus.String())
	case policy.FlagReassignment:
		title = i18n.T("%[1]s 一年内两次警告：调岗或降职待人事处理（%[2]s）", "%[1]s had two warnings this year: reassign or demote (%[2]s)", u.Name, f.Rule)
	default:
		title = i18n.T("%[1]s：%[2]s", "%[1]s: %[2]s", u.Name, f.Flag)
	}
	return notify.Message{Event: EventFlag, Users: users, Title: title, Link: "/merits/people/" + u.ID.String(),
		Object: "merit_flag", ObjectID: id, Payload: map[string]any{"flag_id": id, "user_id": u.ID, "flag": f.Flag,
			"raised_on": f.On.String(), "entries": f.Entries, "amount": f.Bonus.String(), "rule_id": f.Rule}}
}

// deciders are the active holders of the decider roles in the company,
// except one person (0: none).
func deciders(ctx context.Context, c store.Conn, company store.ID, roles []auth.Role, except store.ID) ([]store.ID, error) {
	if len(roles) == 0 {
		return nil, nil
	}
	ids, err := org.UsersWithRoles(ctx, c, company, roles)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ids, func(id store.ID) bool { return id == except }), nil
}

const flagColumns = `f.id, f.company_id, f.user_id, u.display_name, f.flag, f.raised_on, f.basis, f.amount_cents, f.rule_id,
	f.state, f.note, f.closed_by, f.closed_at, f.created_at FROM merit_flags f JOIN users u ON u.id = f.user_id`

func scanFlag(sc store.Scanner) (FlagRecord, error) {
	var f FlagRecord
	var basis string
	var amount, closed, created int64
	var closedBy store.NullID
	if err := sc.Scan(&f.ID, &f.CompanyID, &f.UserID, &f.User, &f.Flag, &f.RaisedOn, &basis, &amount, &f.RuleID,
		&f.State, &f.Note, &closedBy, &closed, &created); err != nil {
		return f, err
	}
	f.Entries = []store.ID{}
	for _, part := range strings.Split(basis, ",") {
		if n, err := strconv.ParseInt(part, 10, 64); err == nil {
			f.Entries = append(f.Entries, store.ID(n))
		}
	}
	f.Amount, f.ClosedBy, f.ClosedAt, f.CreatedAt = money.Yuan(amount), closedBy.ID, instant(closed), store.FromMicros(created)
	return f, nil
}

// flagsWhere lists stored flags matching the condition, oldest first.
func flagsWhere(ctx context.Context, c store.Conn, cond string, args ...any) ([]FlagRecord, error) {
	out, err := store.QueryAll(ctx, c, scanFlag, "SELECT "+flagColumns+" WHERE "+cond+" ORDER BY f.id", args...)
	if out == nil {
		out = []FlagRecord{}
	}
	return out, err
}

// Flags lists stored flags of a state ("" all) and optionally of one
// person, in the caller's company scope: for the deciders (merits:approve)
// who hand them to HR or the payer.
func (s *Service) Flags(ctx context.Context, p *auth.Principal, state string, user store.ID) ([]FlagRecord, error) {
	if p != nil && !p.IsAdmin() && !p.Can(auth.PermMeritsApprove) {
		return nil, apperr.Forbidden(i18n.T("无权查看奖惩待办", "you may not read the flags"))
	}
	cond, args := rowScope(p, "f.company_id")
	switch state {
	case "":
	case FlagOpen, FlagDone, FlagVoid:
		cond += " AND f.state = ?"
		args = append(args, state)
	default:
		return nil, apperr.Validation("state", i18n.T("未知的状态 %q", "unknown state %q", state))
	}
	if user != 0 {
		cond += " AND f.user_id = ?"
		args = append(args, user)
	}
	return flagsWhere(ctx, s.db.Reader(), cond, args...)
}

// CloseFlag records what HR or the payer did about a flag: done, or void
// when its basis no longer holds; the note is required.
func (s *Service) CloseFlag(ctx context.Context, p *auth.Principal, id store.ID, state, text string) (*FlagRecord, error) {
	c := s.db.Reader()
	fs, err := flagsWhere(ctx, c, "f.id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(fs) == 0 {
		return nil, apperr.NotFound("id")
	}
	f := fs[0]
	if ok, err := p.SeesCompany(ctx, c, f.CompanyID); err != nil {
		return nil, err
	} else if !ok {
		return nil, apperr.NotFound("id")
	}
	u, err := loadPerson(ctx, c, f.UserID)
	if err != nil {
		return nil, err
	}
	pack, err := s.packs.ForUnit(ctx, u.UnitID)
	if err != nil {
		return nil, err
	}
	if !decides(p, pack) {
		return nil, apperr.Forbidden(i18n.T("只有决定人可以处理", "only a decider closes a flag"))
	}
	if p != nil && p.UserID == f.UserID {
		return nil, apperr.Forbidden(i18n.T("不能处理关于自己的事项", "you may not close a flag about yourself"))
	}
	if state != FlagDone && state != FlagVoid {
		return nil, apperr.Validation("state", i18n.T("须为 done 或 void", "must be done or void"))
	}
	if text, err = note("note", text, true); err != nil {
		return nil, err
	}
	if f.State != FlagOpen {
		return nil, apperr.Conflict("state", i18n.T("此事项已处理", "the flag is closed already"))
	}
	now := s.now()
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		res, err := tx.Exec(ctx, `UPDATE merit_flags SET state = ?, note = ?, closed_by = ?, closed_at = ? WHERE id = ? AND state = ?`,
			state, text, store.OptionalID(actorID(p)), store.Micros(now), id, FlagOpen)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return apperr.Conflict("state", i18n.T("此事项已处理", "the flag is closed already"))
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "merit.flag.close", "merit_flag", id.String(),
			map[string]any{"state": state, "note": text})
	})
	if err != nil {
		return nil, err
	}
	fs, err = flagsWhere(ctx, c, "f.id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(fs) == 0 {
		return nil, errors.New("merit: closed flag vanished")
	}
	return &fs[0], nil
}
