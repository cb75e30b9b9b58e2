package process

import (
	"context"
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
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Actions on a process (POST /api/v1/processes/{id}/actions).
const (
	ActionComplete = "complete" // end the current step with an outcome
	ActionReturn   = "return"   // send the current step back to the one before (PRC-042)
	ActionSign     = "sign"     // countersign the current step (PRC-019)
	ActionReceive  = "receive"  // a checklist document is received
	ActionFact     = "fact"     // record a fact (fees paid, contract signed)
	ActionCancel   = "cancel"   // the customer withdrew, or the request is void
)

// Actions lists the actions.
var Actions = []string{ActionComplete, ActionReturn, ActionSign, ActionReceive, ActionFact, ActionCancel}

// MaxComment is the longest comment, in characters.
const MaxComment = 4000

// ActionInput is one action.
type ActionInput struct {
	Action string `json:"action"`
	// Step is the step the caller sees as current; when given, an action
	// on a process that has moved on meanwhile is a 409.
	Step    string `json:"step"`
	Outcome string `json:"outcome"` // complete
	Comment string `json:"comment"` // complete, return, sign, cancel
	Party   string `json:"party"`   // sign: the party signed for
	Item    string `json:"item"`    // receive
	Fact    string `json:"fact"`    // fact
	// At is when a fact became true or a document was received
	// (back-entry, not in the future); default now.
	At *time.Time `json:"at"`
	// Due is the date (YYYY-MM-DD) by which the next round must be done,
	// for an outcome that asks for one (PRC-025 deadline rectification).
	Due string `json:"due"`
}

// Act runs one action and returns the process as it then is.
func (s *Service) Act(ctx context.Context, p *auth.Principal, id store.ID, in ActionInput) (*Process, error) {
	if !slices.Contains(Actions, in.Action) {
		return nil, apperr.Validation("action", i18n.T("须为 %[1]s 之一", "must be one of %[2]s",
			strings.Join(Actions, ", "), strings.Join(Actions, ", ")))
	}
	if !p.Can(auth.PermProcessesAct) && !p.Can(auth.PermProcessesApprove) {
		return nil, apperr.Forbidden(i18n.T("无权办理业务流程", "you may not act on business processes"))
	}
	if utf8.RuneCountInString(in.Comment) > MaxComment {
		return nil, apperr.Validation("comment", i18n.T("不能超过 %d 个字符", "at most %d characters", MaxComment))
	}
	now := s.now()
	at := now
	if in.At != nil {
		if in.At.After(now) {
			return nil, apperr.Validation("at", i18n.T("不能晚于现在", "cannot be in the future"))
		}
		at = *in.At
	}
	err := s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		// Taking the row first serialises actions on one process (PostgreSQL).
		if _, err := tx.Exec(ctx, "UPDATE processes SET updated_at = updated_at WHERE id = ?", id); err != nil {
			return err
		}
		r, err := load(ctx, tx, p, id)
		if err != nil {
			return err
		}
		ru, err := s.open(r)
		if err != nil {
			return err
		}
		if r.status != StatusOpen {
			return apperr.Conflict("action", i18n.T("流程已%[1]s", "the process is %[2]s", statusZH(r.status), string(r.status)))
		}
		if in.Step != "" && in.Step != r.currentStep {
			return apperr.Conflict("step", i18n.T("当前步骤是 %[1]q，不是 %[2]q", "the current step is %[3]q, not %[4]q",
				r.currentStep, in.Step, r.currentStep, in.Step))
		}
		switch in.Action {
		case ActionReceive:
			err = s.receive(ctx, tx, ru, p, in, at, now)
		case ActionFact:
			err = s.recordFact(ctx, tx, ru, p, in, at, now)
		case ActionCancel:
			err = s.cancel(ctx, tx, ru, p, in, now)
		default:
			var sr *stepRow
			var st *policy.Step
			if sr, st, err = current(ctx, tx, ru); err != nil {
				return err
			}
			switch in.Action {
			case ActionComplete:
				err = s.complete(ctx, tx, ru, p, sr, st, in, now)
			case ActionReturn:
				err = s.giveBack(ctx, tx, ru, p, sr, st, in, now)
			case ActionSign:
				err = s.sign(ctx, tx, ru, p, sr, st, in, now)
			}
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE processes SET updated_at = ? WHERE id = ?", store.Micros(now), id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "process."+in.Action, "process", id.String(),
			map[string]any{"number": r.number, "step": r.currentStep, "outcome": in.Outcome, "fact": in.Fact, "item": in.Item})
	})
	if err != nil {
		return nil, err
	}
	s.poke()
	return s.Get(ctx, p, id)
}

// current is the process's active round and its step definition.
func current(ctx context.Context, tx store.Conn, ru *run) (*stepRow, *policy.Step, error) {
	if !ru.r.currentStepID.Valid {
		return nil, nil, apperr.Conflict("step", i18n.T("流程没有当前步骤", "the process has no current step"))
	}
	sr, err := loadStep(ctx, tx, ru.r.currentStepID.ID)
	if err != nil {
		return nil, nil, err
	}
	st, _, ok := ru.def.Step(sr.step)
	if !ok {
		return nil, nil, fmt.Errorf("process %s: no step %q", ru.r.number, sr.step)
	}
	return sr, st, nil
}

// mayAct refuses a caller who may not complete or return the round.
func mayAct(ctx context.Context, tx store.Conn, p *auth.Principal, sr *stepRow) error {
	if p.IsAdmin() {
		return nil
	}
	u, err := org.GetUnit(ctx, tx, sr.unit)
	if err != nil {
		return err
	}
	co, err := org.CompanyOf(ctx, tx, p.OrgUnitID)
	if err != nil {
		return err
	}
	if !MayHold(p, sr.role, u, co.ID) {
		return apperr.Forbidden(i18n.T("此步骤由%[1]s办理", "this step is for the %[2]s role", auth.Role(sr.role).Label().ZH, sr.role))
	}
	return nil
}

// MayHold reports whether p may complete or return a round owned by role
// at unit: an administrator; else a holder of the role whose scope covers
// the unit, or — for a round routed to a company — who works in that
// company (company is p's own: the deepest company above p's unit), so a
// branch company's staff cannot answer for the city company (PRC-013).
func MayHold(p *auth.Principal, role string, unit org.Unit, company store.ID) bool {
	if p.IsAdmin() {
		return true
	}
	if !slices.Contains(p.Roles, auth.Role(role)) {
		return false
	}
	return p.Scope().Contains(unit.Path) || unit.Kind == org.Company && unit.ID == company
}

// complete ends the current round with an outcome, after its gates: the
// checklist received (422 with the list), the facts it requires (422 with
// the rule), every countersignature; then the next step begins.
func (s *Service) complete(ctx context.Context, tx store.Conn, ru *run, p *auth.Principal, sr *stepRow,
	st *policy.Step, in ActionInput, now time.Time) error {
	if err := mayAct(ctx, tx, p, sr); err != nil {
		return err
	}
	key := in.Outcome
	if key == "" && len(st.Outcomes) == 0 {
		key = "done"
	}
	o, ok := st.Outcome(key)
	if !ok {
		return apperr.Validation("outcome", i18n.T("须为 %[1]s 之一", "must be one of %[2]s", outcomeKeys(st), outcomeKeys(st)))
	}
	if o.Comment && strings.TrimSpace(in.Comment) == "" {
		return apperr.Validation("comment", i18n.T("此结果须填写书面意见", "this outcome needs a written comment"))
	}
	if o.Deadline {
		due, err := calendar.ParseDate(in.Due)
		if err != nil {
			return apperr.Validation("due", i18n.T("请填写整改期限（YYYY-MM-DD）", "give the deadline (YYYY-MM-DD)"))
		}
		if due.Before(calendar.DateOf(now.In(store.Zone))) {
			return apperr.Validation("due", i18n.T("期限不能早于今天", "the deadline cannot be before today"))
		}
		// The end of that day as the pack's calendar ends days (24:00, or
		// the close of business): 0d counted from its start.
		cal, _, err := s.calendar(ru)
		if err != nil {
			return err
		}
		end, err := cal.Deadline(due.Midnight(cal.Location()), calendar.Duration{Unit: calendar.CalendarDays})
		if err != nil {
			return err
		}
		ru.noticeDue = end.At
	} else if in.Due != "" {
		return apperr.Validation("due", i18n.T("此结果无需期限", "this outcome takes no deadline"))
	}
	if !o.Cancels && !o.Ungated {
		if err := s.gates(ctx, tx, ru, sr, st); err != nil {
			return err
		}
	}
	if err := finish(ctx, tx, sr, StepDone, o.Key, in.Comment, p, now); err != nil {
		return err
	}
	if err := appendEvent(ctx, tx, ru.r.id, now, p, "step.completed", st.Key, sr.round,
		map[string]any{"outcome": o.Key}, in.Comment); err != nil {
		return err
	}
	for _, f := range append(slices.Clone(st.Sets), o.Sets...) {
		if err := setFact(ctx, tx, ru, p, f, now, now); err != nil {
			return err
		}
	}
	for _, doc := range []string{st.Produces, o.Produces} {
		if doc != "" {
			if err := s.produce(ctx, tx, ru, p, sr, st, o, doc, in.Comment, ru.noticeDue, now); err != nil {
				return err
			}
		}
	}
	if o.Cancels {
		return s.close(ctx, tx, ru, StatusCancelled, now)
	}
	next := o.Next
	if next == "" {
		_, i, _ := ru.def.Step(st.Key)
		next = ru.def.DefaultNext(i)
	}
	return s.enter(ctx, tx, ru, next, store.NullID{ID: sr.id, Valid: true}, now, p)
}

// gates lists what still blocks the round: documents not received, facts
// not recorded, countersignatures missing.
func (s *Service) gates(ctx context.Context, tx store.Conn, ru *run, sr *stepRow, st *policy.Step) error {
	got, err := received(ctx, tx, ru.r.id)
	if err != nil {
		return err
	}
	var missing, names []string
	for _, it := range st.Checklist {
		if _, ok := got[it.Key]; !ok && policy.Holds(it.When, ru.attrs) {
			missing, names = append(missing, it.Key), append(names, it.Name.ZH)
		}
	}
	if len(missing) > 0 {
		e := apperr.Validation("checklist", i18n.T("资料不全，缺少：%[1]s", "documents missing: %[2]s",
			strings.Join(names, "、"), strings.Join(missing, ", ")))
		e.Details = map[string]any{"missing": missing, "rules": st.Rules}
		return e
	}
	fs, err := facts(ctx, tx, ru.r.id)
	if err != nil {
		return err
	}
	var lacking []string
	for _, f := range st.Requires {
		if _, ok := fs[f]; !ok {
			lacking = append(lacking, f)
		}
	}
	if len(lacking) > 0 {
		e := apperr.Validation("requires", i18n.T("须先满足：%[1]s（%[2]s）", "first needs: %[3]s (%[4]s)",
			factNames(ru.def, lacking), strings.Join(st.Rules, ", "), strings.Join(lacking, ", "), strings.Join(st.Rules, ", ")))
		e.Details = map[string]any{"missing": lacking, "rules": st.Rules}
		return e
	}
	signed, err := signatures(ctx, tx, sr.id)
	if err != nil {
		return err
	}
	var unsigned, unsignedNames []string
	for _, party := range st.Countersign {
		if !slices.ContainsFunc(signed, func(sg Signature) bool { return sg.Party == party.Key }) {
			unsigned, unsignedNames = append(unsigned, party.Key), append(unsignedNames, party.Name.ZH)
		}
	}
	if len(unsigned) > 0 {
		e := apperr.Validation("countersign", i18n.T("尚待会签：%[1]s", "countersignatures missing: %[2]s",
			strings.Join(unsignedNames, "、"), strings.Join(unsigned, ", ")))
		e.Details = map[string]any{"missing": unsigned, "rules": st.Rules}
		return e
	}
	return nil
}

// giveBack returns the round to the step before it, as a new round of that
// step; returning that one again goes further back (PRC-042).
func (s *Service) giveBack(ctx context.Context, tx store.Conn, ru *run, p *auth.Principal, sr *stepRow,
	st *policy.Step, in ActionInput, now time.Time) error {
	if !st.Returnable || !sr.previous.Valid {
		return apperr.Conflict("action", i18n.T("此步骤不能退回", "this step cannot be returned"))
	}
	if strings.TrimSpace(in.Comment) == "" {
		return apperr.Validation("comment", i18n.T("退回须说明理由", "a return needs a comment"))
	}
	if err := mayAct(ctx, tx, p, sr); err != nil {
		return err
	}
	prev, err := loadStep(ctx, tx, sr.previous.ID)
	if err != nil {
		return err
	}
	if err := finish(ctx, tx, sr, StepReturned, "", in.Comment, p, now); err != nil {
		return err
	}
	if err := appendEvent(ctx, tx, ru.r.id, now, p, "step.returned", st.Key, sr.round,
		map[string]any{"to": prev.step}, in.Comment); err != nil {
		return err
	}
	pst, _, ok := ru.def.Step(prev.step)
	if !ok {
		return fmt.Errorf("process %s: no step %q", ru.r.number, prev.step)
	}
	return s.activate(ctx, tx, ru, pst, prev.previous, now, p)
}

// sign records the countersignature of a party, by a user holding the
// party's role.
func (s *Service) sign(ctx context.Context, tx store.Conn, ru *run, p *auth.Principal, sr *stepRow,
	st *policy.Step, in ActionInput, now time.Time) error {
	i := slices.IndexFunc(st.Countersign, func(party policy.Party) bool { return party.Key == in.Party })
	if i < 0 {
		return apperr.Validation("party", i18n.T("此步骤无需 %q 会签", "the step needs no countersignature of %q", in.Party))
	}
	party := st.Countersign[i]
	if !p.IsAdmin() && !slices.Contains(p.Roles, party.Role) {
		return apperr.Forbidden(i18n.T("%[1]s的会签须由%[2]s办理", "%[3]s signs through the %[4]s role",
			party.Name.ZH, party.Role.Label().ZH, nameEN(party.Name), party.Role))
	}
	res, err := tx.Exec(ctx, `INSERT INTO process_signatures (step_id, party, user_id, signed_at, comment) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, sr.id, party.Key, store.OptionalID(p.UserID), store.Micros(now), in.Comment)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.Conflict("party", i18n.T("%[1]s 已会签", "%[2]s has already signed", party.Name.ZH, nameEN(party.Name)))
	}
	return appendEvent(ctx, tx, ru.r.id, now, p, "step.signed", st.Key, sr.round, map[string]any{"party": party.Key}, in.Comment)
}

// receive records a checklist document of any step of the process.
func (s *Service) receive(ctx context.Context, tx store.Conn, ru *run, p *auth.Principal, in ActionInput, at, now time.Time) error {
	step, ok := checklistItem(ru.def, in.Item)
	if !ok {
		return apperr.Validation("item", i18n.T("流程的清单中没有 %q", "the process's checklists have no %q", in.Item))
	}
	// A document of a step the process has not reached yet waits for it
	// (PRC-035: no test report before the setting sheet is approved).
	var reached int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM process_steps WHERE process_id = ? AND step = ? AND status <> ?",
		ru.r.id, step.Key, string(StepSkipped)).Scan(&reached); err != nil {
		return err
	}
	if reached == 0 {
		return apperr.Conflict("item", i18n.T("流程尚未到达“%[1]s”步骤", "the process has not reached the step %[2]q", step.Name.ZH, step.Key))
	}
	res, err := tx.Exec(ctx, `INSERT INTO process_checklist (process_id, item, received_at, actor_id, note) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, ru.r.id, in.Item, store.Micros(at), store.OptionalID(p.UserID), in.Comment)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.Conflict("item", i18n.T("此资料已收取", "this document was already received"))
	}
	return appendEvent(ctx, tx, ru.r.id, now, p, "document.received", "", 0, map[string]any{"item": in.Item, "at": at}, in.Comment)
}

// recordFact records a declared fact and starts the clock waiting for it.
func (s *Service) recordFact(ctx context.Context, tx store.Conn, ru *run, p *auth.Principal, in ActionInput, at, now time.Time) error {
	if !slices.ContainsFunc(ru.def.Facts, func(k policy.Keyed) bool { return k.Key == in.Fact }) {
		return apperr.Validation("fact", i18n.T("流程没有事实 %q", "the process has no fact %q", in.Fact))
	}
	// A fact a step sets is true only by completing that step (acceptance
	// passed, settings approved): recording it by hand would skip the gate.
	if st, ok := ru.def.SetBy(in.Fact); ok {
		return apperr.Validation("fact", i18n.T("此事项须通过完成“%[1]s”步骤记录", "recorded by completing the step %[2]q",
			st.Name.ZH, st.Key))
	}
	fs, err := facts(ctx, tx, ru.r.id)
	if err != nil {
		return err
	}
	if _, done := fs[in.Fact]; done {
		return apperr.Conflict("fact", i18n.T("此事实已记录", "this fact is already recorded"))
	}
	if err := setFact(ctx, tx, ru, p, in.Fact, at, now); err != nil {
		return err
	}
	if !ru.r.currentStepID.Valid {
		return nil
	}
	sr, st, err := current(ctx, tx, ru)
	if err != nil {
		return err
	}
	fs[in.Fact] = store.Micros(at)
	return s.startClock(ctx, tx, ru, st, sr, fs, now)
}

// setFact records a fact once (a second time is no change).
func setFact(ctx context.Context, tx store.Conn, ru *run, p *auth.Principal, fact string, at, now time.Time) error {
	res, err := tx.Exec(ctx, `INSERT INTO process_facts (process_id, fact, at, recorded_at, actor_id) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, ru.r.id, fact, store.Micros(at), store.Micros(now), store.OptionalID(p.UserID))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return appendEvent(ctx, tx, ru.r.id, now, p, "fact.recorded", "", 0, map[string]any{"fact": fact, "at": at}, "")
}

// cancel ends an open process: a manager's decision (processes:approve).
func (s *Service) cancel(ctx context.Context, tx store.Conn, ru *run, p *auth.Principal, in ActionInput, now time.Time) error {
	if !p.Can(auth.PermProcessesApprove) {
		return apperr.Forbidden(i18n.T("撤销流程须由有审批权限的人办理", "cancelling needs the processes:approve permission"))
	}
	if strings.TrimSpace(in.Comment) == "" {
		return apperr.Validation("comment", i18n.T("撤销须说明理由", "a cancellation needs a comment"))
	}
	if ru.r.currentStepID.Valid {
		sr, err := loadStep(ctx, tx, ru.r.currentStepID.ID)
		if err != nil {
			return err
		}
		if err := finish(ctx, tx, sr, StepCancelled, "", in.Comment, p, now); err != nil {
			return err
		}
	}
	if err := appendEvent(ctx, tx, ru.r.id, now, p, "process.cancel", "", 0, nil, in.Comment); err != nil {
		return err
	}
	return s.close(ctx, tx, ru, StatusCancelled, now)
}

// signatures are the countersignatures of a round.
func signatures(ctx context.Context, c store.Conn, step store.ID) ([]Signature, error) {
	return store.QueryAll(ctx, c, func(s store.Scanner) (Signature, error) {
		var sg Signature
		var user store.NullID
		var at int64
		err := s.Scan(&sg.Party, &user, &at, &sg.Comment)
		sg.UserID, sg.SignedAt = user.ID, store.FromMicros(at)
		return sg, err
	}, "SELECT party, user_id, signed_at, comment FROM process_signatures WHERE step_id = ? ORDER BY signed_at, party", step)
}

// checklistItem finds the first step whose checklist has the item.
func checklistItem(def *policy.ProcessDef, key string) (*policy.Step, bool) {
	for i := range def.Steps {
		for _, it := range def.Steps[i].Checklist {
			if it.Key == key {
				return &def.Steps[i], true
			}
		}
	}
	return nil, false
}

func outcomeKeys(st *policy.Step) string {
	var keys []string
	for _, o := range st.StepOutcomes() {
		keys = append(keys, o.Key)
	}
	return strings.Join(keys, ", ")
}

func factNames(def *policy.ProcessDef, keys []string) string {
	var out []string
	for _, k := range keys {
		name := k
		for _, f := range def.Facts {
			if f.Key == k {
				name = f.Name.ZH
			}
		}
		out = append(out, name)
	}
	return strings.Join(out, "、")
}

func statusZH(s Status) string {
	switch s {
	case StatusCompleted:
		return "办结"
	case StatusCancelled:
		return "撤销"
	}
	return "办理中"
}
