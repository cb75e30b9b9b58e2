package ticket

import (
	"context"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// severityRank is the position of a severity in the pack (0 = mildest).
func severityRank(p *policy.Pack, key string) int {
	for i, s := range p.Severities {
		if s.Key == key {
			return i
		}
	}
	return -1
}

// raise applies what a severity asks at once (TKT-013): the work order is
// raised to the nearest unit of the severity's EscalateTo level and the
// severity's Notify roles there are told.
func (s *Service) raise(ctx context.Context, tx store.Conn, r *row, sev *policy.Severity) (store.ID, error) {
	base := r.receivingUnit
	if r.handlingUnit.Valid {
		base = r.handlingUnit.ID
	}
	target := base
	if sev.EscalateTo != "" {
		u, ok, err := nearestOfKind(ctx, tx, base, org.Kind(sev.EscalateTo))
		if err != nil {
			return 0, err
		}
		if ok && u != base {
			r.escalatedUnit = store.OptionalID(u)
			if err := addUnit(ctx, tx, r.id, u); err != nil {
				return 0, err
			}
		}
		if ok {
			target = u
		}
	}
	if len(sev.Notify) == 0 {
		return target, nil
	}
	users, err := org.UsersWithRoles(ctx, tx, target, sev.Notify)
	if err != nil {
		return 0, err
	}
	return target, s.notify.Send(ctx, tx, notify.Message{Event: EventEscalated, Users: users,
		Title: i18n.T("工单 %s 为%s，请立即处理", "work order %s is %s: act at once", r.number, sev.Name.ZH),
		Link:  "/tickets/" + r.id.String(), Object: "ticket", ObjectID: r.id,
		Payload: map[string]any{"ticket_id": r.id, "number": r.number, "severity": sev.Key, "unit": target}})
}

// nearestOfKind is the unit itself or its nearest ancestor of the kind.
func nearestOfKind(ctx context.Context, c store.Conn, unit store.ID, kind org.Kind) (store.ID, bool, error) {
	u, err := unitByID(ctx, c, unit)
	if err != nil {
		return 0, false, err
	}
	var ids []any
	for _, part := range strings.Split(strings.Trim(u.Path, "/"), "/") {
		if id, err := store.ParseID(part); err == nil {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return 0, false, nil
	}
	var id store.ID
	err = c.QueryRow(ctx, "SELECT id FROM org_units WHERE id IN ("+store.Placeholders(len(ids))+") AND kind = ? ORDER BY depth DESC LIMIT 1",
		append(ids, string(kind))...).Scan(&id)
	if err != nil {
		return 0, false, nil //nolint:nilerr // no unit of that kind above: stay
	}
	return id, true, nil
}

// escalate raises the work order one level, never more (TKT-017): to the
// next severity of the pack, or, at the top severity, to the parent of the
// unit that holds it now. An org_unit given must be exactly that level.
func (st *step) escalate(ctx context.Context, tx store.Conn) error {
	r, pack := st.r, st.pack
	rank := severityRank(pack, r.severity)
	if rank >= 0 && rank < len(pack.Severities)-1 {
		if st.a.OrgUnit != nil {
			return apperr.Validation("org_unit", i18n.T("逐级上报：先提高严重程度", "escalation goes one level at a time: the severity rises first"))
		}
		next := &pack.Severities[rank+1]
		st.detail["severity"] = map[string]string{"from": r.severity, "to": next.Key}
		r.severity = next.Key
		unit, err := st.s.raise(ctx, tx, r, next)
		if err != nil {
			return err
		}
		st.detail["unit"] = unit
		return nil
	}
	base := r.receivingUnit
	switch {
	case r.escalatedUnit.Valid:
		base = r.escalatedUnit.ID
	case r.handlingUnit.Valid:
		base = r.handlingUnit.ID
	}
	u, err := unitByID(ctx, tx, base)
	if err != nil {
		return err
	}
	if u.ParentID == nil {
		return apperr.Conflict("action", i18n.T("已是最高一级，无法再上报", "already at the top of the organisation"))
	}
	if st.a.OrgUnit != nil && *st.a.OrgUnit != *u.ParentID {
		return apperr.Validation("org_unit", i18n.T("只能上报到上一级单位", "escalation goes to the next level up only"))
	}
	r.escalatedUnit = store.OptionalID(*u.ParentID)
	st.detail["unit"] = *u.ParentID
	if err := addUnit(ctx, tx, r.id, *u.ParentID); err != nil {
		return err
	}
	st.msgs = append(st.msgs, notify.Message{Event: EventEscalated,
		Title: i18n.T("工单 %s 已上报", "work order %s escalated", r.number), Link: "/tickets/" + r.id.String(),
		Object: "ticket", ObjectID: r.id, Payload: map[string]any{"ticket_id": r.id, "number": r.number, "unit": *u.ParentID}})
	return nil
}

// flagCrisis marks a crisis complaint (TKT-034): severity forced to the
// top, the top severity's path applied; no action removes the flag.
func (st *step) flagCrisis(ctx context.Context, tx store.Conn) error {
	party := strings.TrimSpace(st.a.Party)
	if party == "" {
		return apperr.Required("party")
	}
	r := st.r
	if r.crisis {
		return apperr.Conflict("action", i18n.T("已标记为危机投诉", "already flagged as a crisis"))
	}
	r.crisis, r.crisisParty = true, party
	st.detail["party"] = party
	if top := topSeverity(st.pack); top != "" && r.severity != top {
		st.detail["severity"] = map[string]string{"from": r.severity, "to": top}
		r.severity = top
		sev, _ := st.pack.Severity(top)
		if _, err := st.s.raise(ctx, tx, r, sev); err != nil {
			return err
		}
	}
	return st.s.sendCrisis(ctx, tx, r, party)
}

// sendCrisis tells the webhooks about a crisis complaint.
func (s *Service) sendCrisis(ctx context.Context, tx store.Conn, r *row, party string) error {
	return s.notify.Send(ctx, tx, notify.Message{Event: EventCrisis,
		Title: i18n.T("危机投诉：工单 %s（%s）", "crisis complaint: work order %s (%s)", r.number, party),
		Link:  "/tickets/" + r.id.String(), Object: "ticket", ObjectID: r.id,
		Payload: map[string]any{"ticket_id": r.id, "number": r.number, "party": party}})
}

// linkDuplicate records this intake on the first record of the same
// complaint (TKT-009): this work order is merged, its clocks cancelled, and
// its receiving point becomes one of the first record's.
func (st *step) linkDuplicate(ctx context.Context, tx store.Conn) error {
	if st.a.TicketID == nil {
		return apperr.Required("ticket_id")
	}
	r := st.r
	first, err := load(ctx, tx, st.p, *st.a.TicketID)
	if err != nil {
		return apperr.NotFound("ticket_id")
	}
	if first.id == r.id {
		return apperr.Validation("ticket_id", i18n.T("不能与自身合并", "cannot be merged into itself"))
	}
	if first.status == StatusMerged {
		return apperr.Conflict("ticket_id", i18n.T("该工单本身已被合并", "that work order is itself merged"))
	}
	r.mergedInto = store.OptionalID(first.id)
	st.detail["ticket_id"] = first.id
	for _, c := range st.clocks {
		if c.state == ClockPending || c.state == ClockRunning || c.state == ClockPaused {
			c.state = ClockCancelled
			if err := st.s.cancelTimers(ctx, tx, c); err != nil {
				return err
			}
			if err := saveClock(ctx, tx, c); err != nil {
				return err
			}
		}
	}
	if err := addUnit(ctx, tx, first.id, r.receivingUnit); err != nil {
		return err
	}
	return appendEvent(ctx, tx, first.id, st.when, st.now, st.p.Actor(), "duplicate_linked", "", "",
		map[string]any{"ticket_id": r.id, "number": r.number, "receiving_unit": r.receivingUnit,
			"received_at": store.FromMicros(r.receivedAt).Format(time.RFC3339)}, "")
}
