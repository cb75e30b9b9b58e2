package ticket

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Values of ClockRule.Agreed (CAL-012).
const (
	agreedShorten = "shorten"
	agreedAny     = "any"
)

// pickClock finds the clock an extension or agreement is about: the named
// kind, or the only running clock. An agreed time may also replace a
// warning-only target (TKT-029).
func (st *step) pickClock() (*clock, error) {
	return st.pickState(ClockRunning, st.a.Name == ActAgree)
}

// ruleOf is the pack rule of a clock (the work order's pack version); a
// target gives only its agreed-time policy; a scheduled reply time (TKT-020)
// has no rule.
func (st *step) ruleOf(c *clock) policy.ClockRule {
	if c.scheduled {
		return policy.ClockRule{}
	}
	if c.isTarget {
		if cat, ok := st.pack.Category(st.r.category); ok {
			for _, g := range cat.Targets {
				if g.Kind == c.kind {
					return policy.ClockRule{Kind: g.Kind, Agreed: g.Agreed}
				}
			}
		}
		return policy.ClockRule{}
	}
	r, _ := st.pack.ClockRule(st.r.category, c.kind)
	return r
}

// requestExtension asks for a later deadline of a running clock before it
// passes (TKT-021); the date may not pass the clock's ExtensionCap counted
// from the clock's start (TKT-014: general complaint.major 7wd).
func (st *step) requestExtension(ctx context.Context, tx store.Conn) error {
	a := st.a
	if a.Until == nil {
		return apperr.Required("until")
	}
	reason := strings.TrimSpace(a.Reason)
	if reason == "" {
		return apperr.Required("reason")
	}
	c, err := st.pickClock()
	if err != nil {
		return err
	}
	if c.state != ClockRunning {
		return apperr.Conflict("clock", i18n.T("该时限不在计时中（%s）", "the clock is not running (%s)", string(c.state)))
	}
	if store.Micros(*a.Until) <= c.target {
		return apperr.Validation("until", i18n.T("延期日期须晚于当前期限；提前请使用 agree", "must be later than the current deadline (use agree to shorten)"))
	}
	if r := st.ruleOf(c); r.ExtensionCap.Unit != 0 {
		cal, err := st.s.calendarOf(c)
		if err != nil {
			return err
		}
		limit, err := cal.Deadline(store.FromMicros(c.started), r.ExtensionCap)
		if err != nil {
			return deadlineError("until", err)
		}
		if a.Until.After(limit.At) {
			return apperr.Validation("until", i18n.T("延期不能超过 %s（自起算时起 %s）", "an extension may not pass %s (%s from the start)",
				limit.At.Format("2006-01-02 15:04"), r.ExtensionCap.String()))
		}
	}
	var n int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM ticket_extensions WHERE clock_id = ? AND status = 'pending'", c.id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return apperr.Conflict("clock", i18n.T("该时限已有待审批的延期申请", "an extension of this clock is already waiting for approval"))
	}
	id, err := tx.InsertID(ctx, `INSERT INTO ticket_extensions (ticket_id, clock_id, until, reason, requested_by, requested_at, status)
		VALUES (?, ?, ?, ?, ?, ?, 'pending') RETURNING id`, st.r.id, c.id, store.Micros(*a.Until), reason, st.p.UserID, store.Micros(st.when))
	if err != nil {
		return err
	}
	st.detail["extension_id"], st.detail["clock"], st.detail["until"], st.detail["reason"] = id, c.kind, *a.Until, reason
	return nil
}

// decideExtension approves or rejects a pending extension. Only a holder of
// the role the pack names for the clock may decide (TKT-021), never the
// person complained about (TKT-016, refused before this). An approved
// extension sets the new target; the original target is kept and the clock
// is marked extended (RPT-003 "excepted").
func (st *step) decideExtension(ctx context.Context, tx store.Conn, approve bool) error {
	q := "SELECT id, clock_id, until FROM ticket_extensions WHERE ticket_id = ? AND status = 'pending'"
	args := []any{st.r.id}
	if st.a.ExtensionID != nil {
		q += " AND id = ?"
		args = append(args, *st.a.ExtensionID)
	}
	var extID, clockID store.ID
	var until int64
	err := tx.QueryRow(ctx, q+" ORDER BY id LIMIT 1", args...).Scan(&extID, &clockID, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Conflict("extension_id", i18n.T("没有待审批的延期申请", "no extension is waiting for approval"))
	}
	if err != nil {
		return err
	}
	var c *clock
	for _, cl := range st.clocks {
		if cl.id == clockID {
			c = cl
		}
	}
	if c == nil {
		return apperr.Conflict("extension_id", i18n.T("时限不存在", "the clock is gone"))
	}
	role := st.pack.Approver(st.ruleOf(c))
	if role == "" {
		role = auth.RoleManager
	}
	if !slices.Contains(st.p.Roles, role) {
		return apperr.Forbidden(i18n.T("延期须由 %s 审批", "an extension is approved by the %s role", string(role)))
	}
	status := "rejected"
	if approve {
		if c.state != ClockRunning {
			return apperr.Conflict("extension_id", i18n.T("该时限不在计时中（%s），不能延期", "the clock is %s: it cannot be extended", string(c.state)))
		}
		status = "approved"
		c.extended = true
		if st.ruleOf(c).Agreed == agreedAny {
			// TKT-007: the approved exception is the renegotiation beyond the free ones.
			c.reneg++
			c.agreed = store.Micros(st.when)
		}
		if err := st.s.setTarget(ctx, tx, c, store.FromMicros(until)); err != nil {
			return err
		}
		if err := saveClock(ctx, tx, c); err != nil {
			return err
		}
	}
	_, err = tx.Exec(ctx, "UPDATE ticket_extensions SET status = ?, decided_by = ?, decided_at = ?, decision_note = ? WHERE id = ?",
		status, st.p.UserID, store.Micros(st.when), strings.TrimSpace(st.a.Reason), extID)
	st.detail["extension_id"], st.detail["clock"], st.detail["until"] = extID, c.kind, store.FromMicros(until)
	return err
}

// agree records a date agreed with the customer (CAL-012, TKT-007): for a
// clock with Agreed "shorten" it may not be later than the current target
// (a later date needs an extension); with "any" every date is accepted, but
// beyond the pack's FreeRenegotiations an extension approval is needed.
func (st *step) agree(ctx context.Context, tx store.Conn) error {
	a := st.a
	if a.Until == nil {
		return apperr.Required("until")
	}
	c, err := st.pickClock()
	if err != nil {
		return err
	}
	if c.state != ClockRunning {
		return apperr.Conflict("clock", i18n.T("该时限不在计时中（%s）", "the clock is not running (%s)", string(c.state)))
	}
	until := store.Micros(*a.Until)
	if until < store.Micros(st.when) {
		return apperr.Validation("until", i18n.T("约定时间不能早于现在", "the agreed time cannot be in the past"))
	}
	switch st.ruleOf(c).Agreed {
	case agreedShorten:
		if until > c.target {
			return apperr.Validation("until", i18n.T("约定时间不能晚于时限 %s；更晚须申请延期审批",
				"an agreed date may not be later than the deadline %s: request an extension",
				store.FromMicros(c.target).Format("2006-01-02 15:04")))
		}
	case agreedAny:
		if free := st.pack.Tickets.FreeRenegotiations; free > 0 && c.reneg >= free {
			return apperr.Validation("until", i18n.T("已重新约定%d次，再次约定须申请延期审批",
				"renegotiated %d times already: request an extension", c.reneg))
		}
	default:
		return apperr.Validation("clock", i18n.T("该时限不允许与客户约定", "this clock takes no agreed date"))
	}
	c.agreed = store.Micros(st.when)
	c.reneg++
	if err := st.s.setTarget(ctx, tx, c, *a.Until); err != nil {
		return err
	}
	st.detail["clock"], st.detail["until"] = c.kind, *a.Until
	return saveClock(ctx, tx, c)
}
