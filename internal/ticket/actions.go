package ticket

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
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Action is one step taken on a work order (API.md actions).
type Action struct {
	Name        string     `json:"action"`
	At          *time.Time `json:"at"`           // when it happened; default now, never in the future
	OrgUnit     *store.ID  `json:"org_unit"`     // forward, assign, escalate
	UserID      *store.ID  `json:"user_id"`      // assign, dispatch
	Until       *time.Time `json:"until"`        // request_extension, agree
	Reason      string     `json:"reason"`       // request_extension, reject_extension
	Clock       string     `json:"clock"`        // the clock kind of an extension or agreement
	ExtensionID *store.ID  `json:"extension_id"` // approve/reject_extension; default the pending one
	Note        string     `json:"note"`         // free note on the timeline
	Text        string     `json:"text"`         // result, reply: what was said
	Written     bool       `json:"written"`      // reply: a written reply is on file (TKT-018)
	Party       string     `json:"party"`        // flag_crisis: the outside party (TKT-034)
	TicketID    *store.ID  `json:"ticket_id"`    // link_duplicate: the first record (TKT-009)
	Category    string     `json:"category"`     // reclassify: the new category (TKT-003)

	// detail is added to the timeline entry by the service itself (an open
	// letter answering the work order, TKT-010); never read from JSON.
	detail map[string]any
}

// The action names.
const (
	ActForward          = "forward"
	ActAssign           = "assign"
	ActDispatch         = "dispatch"
	ActAccept           = "accept"
	ActArrive           = "arrive"
	ActResult           = "result"
	ActResolve          = "resolve"
	ActReply            = "reply"
	ActClose            = "close"
	ActReopen           = "reopen"
	ActEscalate         = "escalate"
	ActRequestExtension = "request_extension"
	ActApproveExtension = "approve_extension"
	ActRejectExtension  = "reject_extension"
	ActAgree            = "agree"
	ActFlagCrisis       = "flag_crisis"
	ActLinkDuplicate    = "link_duplicate"
	ActNote             = "note"
	ActReclassify       = "reclassify"     // TKT-003
	ActPause            = "pause"          // a pausable clock stops counting
	ActResume           = "resume"         // and counts again
	ActScheduleReply    = "schedule_reply" // TKT-020 next reply time
)

var (
	open     = []Status{StatusNew, StatusForwarded, StatusAssigned, StatusInProgress, StatusResultReturned, StatusResolved, StatusReplied}
	everyone = append(slices.Clone(open), StatusClosed, StatusMerged)
)

// transition says in which statuses an action is allowed and where it
// leads ("" = the status stays). There is no refuse action (TKT-002).
type transition struct {
	from       []Status
	to         Status
	permission auth.Permission
}

// transitions is the state machine of the work order.
var transitions = map[string]transition{
	ActForward:          {[]Status{StatusNew}, StatusForwarded, auth.PermTicketsAct},
	ActAssign:           {[]Status{StatusNew, StatusForwarded, StatusAssigned, StatusInProgress}, StatusAssigned, auth.PermTicketsAct},
	ActDispatch:         {[]Status{StatusNew, StatusForwarded, StatusAssigned, StatusInProgress}, StatusAssigned, auth.PermTicketsAct},
	ActAccept:           {[]Status{StatusNew, StatusForwarded, StatusAssigned}, StatusInProgress, auth.PermTicketsAct},
	ActArrive:           {[]Status{StatusAssigned, StatusInProgress}, StatusInProgress, auth.PermTicketsAct},
	ActResult:           {[]Status{StatusAssigned, StatusInProgress}, StatusResultReturned, auth.PermTicketsAct},
	ActResolve:          {[]Status{StatusNew, StatusForwarded, StatusAssigned, StatusInProgress, StatusResultReturned, StatusReplied}, StatusResolved, auth.PermTicketsAct},
	ActReply:            {open, StatusReplied, auth.PermTicketsAct},
	ActClose:            {[]Status{StatusResolved, StatusReplied}, StatusClosed, auth.PermTicketsAct},
	ActReopen:           {[]Status{StatusResolved, StatusReplied, StatusClosed}, StatusInProgress, auth.PermTicketsAct},
	ActEscalate:         {open, "", auth.PermTicketsAct},
	ActRequestExtension: {open, "", auth.PermTicketsAct},
	ActApproveExtension: {open, "", auth.PermTicketsApprove},
	ActRejectExtension:  {open, "", auth.PermTicketsApprove},
	ActAgree:            {open, "", auth.PermTicketsAct},
	ActFlagCrisis:       {open, "", auth.PermTicketsAct},
	ActLinkDuplicate:    {[]Status{StatusNew, StatusForwarded, StatusAssigned, StatusInProgress}, StatusMerged, auth.PermTicketsAct},
	ActNote:             {everyone, "", auth.PermTicketsAct},
	ActReclassify:       {open, "", auth.PermTicketsAct},
	ActPause:            {open, "", auth.PermTicketsAct},
	ActResume:           {open, "", auth.PermTicketsAct},
	ActScheduleReply:    {open, "", auth.PermTicketsAct},
}

// Actions lists the action names.
func Actions() []string {
	out := make([]string, 0, len(transitions))
	for k := range transitions {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Allowed reports whether the state machine allows the action in status st.
func Allowed(action string, st Status) bool {
	tr, ok := transitions[action]
	return ok && slices.Contains(tr.from, st)
}

// Statuses lists every status.
func Statuses() []Status { return slices.Clone(everyone) }

// step is one action being applied inside its transaction.
type step struct {
	s      *Service
	p      *auth.Principal
	r      *row
	pack   *policy.Pack
	clocks []*clock
	a      Action
	when   time.Time
	now    time.Time
	detail map[string]any
	msgs   []notify.Message
	// after runs once the timeline entry is written and the clocks have
	// seen the event (a reclassification recomputes its new clocks).
	after []func(ctx context.Context, tx store.Conn) error
}

func (st *step) afterEvent(ctx context.Context, tx store.Conn) error {
	for _, f := range st.after {
		if err := f(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}

// Act applies an action to a work order in one transaction: checks the
// state machine (409 field "action"), the caller's permission, the time it
// happened, runs the action, appends the timeline entry, meets and starts
// clocks on the event (CAL-013) and writes the audit row.
func (s *Service) Act(ctx context.Context, p *auth.Principal, id store.ID, a Action) (Ticket, error) {
	if p == nil {
		return Ticket{}, apperr.NotFound("ticket")
	}
	a.Name = strings.TrimSpace(a.Name)
	tr, ok := transitions[a.Name]
	if !ok {
		if a.Name == "" {
			return Ticket{}, apperr.Required("action")
		}
		return Ticket{}, apperr.Validation("action", i18n.T("未知的操作：%s", "unknown action: %s", a.Name))
	}
	for f, v := range map[string]string{"note": a.Note, "text": a.Text, "reason": a.Reason, "party": a.Party} {
		if utf8.RuneCountInString(v) > maxNote {
			return Ticket{}, tooLong(f, maxNote)
		}
	}
	var out Ticket
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		var err error
		out, err = s.actTx(ctx, tx, p, id, a, tr)
		return err
	})
	if err != nil {
		return Ticket{}, err
	}
	s.poke()
	return out, nil
}

// actTx is Act inside the caller's transaction (open letters answer many
// work orders in one, TKT-010).
func (s *Service) actTx(ctx context.Context, tx store.Conn, p *auth.Principal, id store.ID, a Action, tr transition) (Ticket, error) {
	now := s.now()
	r, err := load(ctx, tx, p, id)
	if err != nil {
		if apperr.Is(err, apperr.CodeNotFound) && (a.Name == ActApproveExtension || a.Name == ActRejectExtension) {
			if resp, _ := isRespondent(ctx, tx, id, p.UserID); resp {
				return Ticket{}, apperr.Forbidden(i18n.T("被投诉人须回避", "the person complained about is recused")) // TKT-016
			}
		}
		return Ticket{}, err
	}
	if !p.Can(tr.permission) {
		return Ticket{}, apperr.Forbidden(i18n.T("无权执行此操作（需要 %s 权限）", "permission %s is required", string(tr.permission)))
	}
	if !slices.Contains(tr.from, r.status) {
		return Ticket{}, apperr.Conflict("action", i18n.T("工单状态为 %s，不能执行 %s", "a work order in status %s does not allow %s",
			string(r.status), a.Name))
	}
	when := timeOrNow(a.At, now)
	if when.After(now) {
		return Ticket{}, apperr.Validation("at", i18n.T("不能晚于现在", "cannot be in the future"))
	}
	if store.Micros(when) < r.receivedAt {
		return Ticket{}, apperr.Validation("at", i18n.T("不能早于受理时间", "cannot be before the work order was received"))
	}
	pack, err := s.packOf(r)
	if err != nil {
		return Ticket{}, err
	}
	clocks, err := loadClocks(ctx, tx, id)
	if err != nil {
		return Ticket{}, err
	}
	done, err := happened(ctx, tx, id)
	if err != nil {
		return Ticket{}, err
	}
	st := &step{s: s, p: p, r: r, pack: pack, clocks: clocks, a: a, when: when, now: now, detail: map[string]any{}}
	from := r.status
	if err := st.run(ctx, tx); err != nil {
		return Ticket{}, err
	}
	if tr.to != "" {
		r.status = tr.to
	}
	if err := saveRow(ctx, tx, r, now); err != nil {
		return Ticket{}, err
	}
	if a.Text != "" {
		st.detail["text"] = a.Text
	}
	for k, v := range a.detail {
		st.detail[k] = v
	}
	if err := appendEvent(ctx, tx, id, when, now, p.Actor(), a.Name, from, r.status, st.detail, strings.TrimSpace(a.Note)); err != nil {
		return Ticket{}, err
	}
	if err := s.applyEvent(ctx, tx, st.clocks, policy.Event(a.Name), when, done, "at"); err != nil {
		return Ticket{}, err
	}
	if err := st.afterEvent(ctx, tx); err != nil {
		return Ticket{}, err
	}
	if err := st.recuse(ctx, tx); err != nil { // TKT-016
		return Ticket{}, err
	}
	if err := refreshQueueColumns(ctx, tx, id, now); err != nil {
		return Ticket{}, err
	}
	for _, m := range st.msgs {
		if err := s.notify.Send(ctx, tx, m); err != nil {
			return Ticket{}, err
		}
	}
	out, err := s.read(ctx, tx, nil, id, true)
	if err != nil {
		return Ticket{}, err
	}
	if tr.to == StatusClosed {
		for _, h := range s.closed {
			if err := h(ctx, tx, out); err != nil {
				return Ticket{}, err
			}
		}
	}
	return out, audit.Record(ctx, tx, now, "ticket."+a.Name, "ticket", id.String(),
		map[string]any{"action": a.Name, "at": when, "from": from, "to": r.status, "detail": st.detail})
}

func isRespondent(ctx context.Context, c store.Conn, id, user store.ID) (bool, error) {
	var n int
	err := c.QueryRow(ctx, "SELECT count(*) FROM tickets WHERE id = ? AND respondent_user_id = ?", id, user).Scan(&n)
	return n > 0, err
}

// saveRow writes the mutable columns of a work order; the receiving point
// (received_at, receiving_unit_id, received_by) is never rewritten (TKT-001).
func saveRow(ctx context.Context, tx store.Conn, r *row, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE tickets SET status = ?, severity = ?, handling_unit_id = ?, assignee_id = ?,
		crisis = ?, crisis_party = ?, escalated_unit_id = ?, merged_into_id = ?, written_reply = ?, closed_at = ?,
		updated_at = ? WHERE id = ?`,
		string(r.status), r.severity, r.handlingUnit, r.assignee, r.crisis, r.crisisParty, r.escalatedUnit,
		r.mergedInto, r.writtenReply, r.closedAt, store.Micros(now), r.id)
	return err
}

// run applies the action's own effect.
func (st *step) run(ctx context.Context, tx store.Conn) error {
	r, a := st.r, st.a
	switch a.Name {
	case ActForward:
		if a.OrgUnit != nil {
			if err := st.handTo(ctx, tx, *a.OrgUnit); err != nil {
				return err
			}
		}
	case ActAssign:
		if a.UserID == nil && a.OrgUnit == nil {
			return apperr.Validation("org_unit", i18n.T("请指定处理部门（org_unit）或处理人（user_id）", "give org_unit or user_id"))
		}
		if a.OrgUnit != nil {
			if err := st.handTo(ctx, tx, *a.OrgUnit); err != nil {
				return err
			}
			if a.UserID == nil {
				r.assignee = store.NullID{}
			}
		}
		if a.UserID != nil {
			if err := st.assignUser(ctx, tx, *a.UserID, a.OrgUnit == nil); err != nil {
				return err
			}
		}
	case ActDispatch:
		if a.UserID == nil {
			return apperr.Required("user_id")
		}
		if err := st.assignUser(ctx, tx, *a.UserID, true); err != nil {
			return err
		}
	case ActAccept:
		if !r.assignee.Valid {
			r.assignee = store.OptionalID(st.p.UserID)
		}
	case ActReply:
		if a.Written {
			r.writtenReply = true
			st.detail["written"] = true
		}
	case ActClose:
		if cat, ok := st.pack.Category(r.category); ok && cat.WrittenReply && !r.writtenReply {
			// TKT-018: closing needs a written reply on file.
			return apperr.Conflict("written_reply", i18n.T("须先登记书面答复才能办结", "a written reply must be on file before closing"))
		}
		r.closedAt = store.Micros(st.when)
	case ActReopen:
		r.closedAt = 0
	case ActEscalate:
		return st.escalate(ctx, tx)
	case ActFlagCrisis:
		return st.flagCrisis(ctx, tx)
	case ActRequestExtension:
		return st.requestExtension(ctx, tx)
	case ActApproveExtension, ActRejectExtension:
		return st.decideExtension(ctx, tx, a.Name == ActApproveExtension)
	case ActAgree:
		return st.agree(ctx, tx)
	case ActLinkDuplicate:
		return st.linkDuplicate(ctx, tx)
	case ActNote:
		if strings.TrimSpace(a.Note) == "" {
			return apperr.Required("note")
		}
	case ActReclassify:
		return st.reclassify(ctx, tx)
	case ActPause:
		return st.pause(ctx, tx)
	case ActResume:
		return st.resume(ctx, tx)
	case ActScheduleReply:
		return st.scheduleReply(ctx, tx)
	}
	return nil
}

// handTo makes unitID the handling unit.
func (st *step) handTo(ctx context.Context, tx store.Conn, unitID store.ID) error {
	if _, err := unitByID(ctx, tx, unitID); err != nil {
		return apperr.Validation("org_unit", i18n.T("组织单元不存在", "no such org unit"))
	}
	st.r.handlingUnit = store.OptionalID(unitID)
	st.detail["org_unit"] = unitID
	return addUnit(ctx, tx, st.r.id, unitID)
}

// assignUser makes a user the assignee; the respondent is recused (TKT-016).
func (st *step) assignUser(ctx context.Context, tx store.Conn, user store.ID, takeUnit bool) error {
	if st.r.respondent.Valid && st.r.respondent.ID == user {
		return apperr.Conflict("user_id", i18n.T("被投诉人须回避，不能处理本工单", "the person complained about is recused from this work order"))
	}
	var unit store.ID
	err := tx.QueryRow(ctx, "SELECT org_unit_id FROM users WHERE id = ? AND active = ?", user, true).Scan(&unit)
	if err != nil {
		return apperr.Validation("user_id", i18n.T("用户不存在或已停用", "no such active user"))
	}
	for _, g := range st.s.guards { // STF-001: certificates the category needs
		if err := g(ctx, tx, st.pack, st.r.category, user, st.now); err != nil {
			return err
		}
	}
	st.r.assignee = store.OptionalID(user)
	st.detail["user_id"] = user
	if takeUnit {
		st.r.handlingUnit = store.OptionalID(unit)
		if err := addUnit(ctx, tx, st.r.id, unit); err != nil {
			return err
		}
	}
	st.msgs = append(st.msgs, notify.Message{Event: EventAssigned, Users: []store.ID{user},
		Title: i18n.T("工单 %s 已派给您", "work order %s is assigned to you", st.r.number),
		Link:  "/tickets/" + st.r.id.String(), Object: "ticket", ObjectID: st.r.id,
		Payload: map[string]any{"ticket_id": st.r.id, "number": st.r.number, "user_id": user}})
	return nil
}

func unitByID(ctx context.Context, c store.Conn, id store.ID) (org.Unit, error) {
	var u org.Unit
	var parent store.NullID
	err := c.QueryRow(ctx, "SELECT id, parent_id, kind, path, depth FROM org_units WHERE id = ?", id).
		Scan(&u.ID, &parent, &u.Kind, &u.Path, &u.Depth)
	if parent.Valid {
		pid := parent.ID
		u.ParentID = &pid
	}
	return u, err
}
