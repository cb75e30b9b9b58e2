package merit

import (
	"context"
	"database/sql"
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
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Mediate records the supervisor's outcome (MER-006): a holder of
// merits:write who sees the appeal's company and is not the appellant
// upholds, changes or withdraws the entry, with a note. The outcome applies
// to the ledger at once; the appellant then accepts it or escalates.
func (s *Service) Mediate(ctx context.Context, p *auth.Principal, id store.ID, in OutcomeInput) (*Appeal, error) {
	if err := mayAppeal(p); err != nil {
		return nil, err
	}
	if !readsOthers(p) {
		return nil, apperr.Forbidden(i18n.T("只有主管可以调解申诉", "only a supervisor may mediate an appeal"))
	}
	text, err := checkOutcome(in)
	if err != nil {
		return nil, err
	}
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		a, err := visibleAppeal(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if a.UserID == p.UserID {
			return apperr.Forbidden(i18n.T("不能调解本人的申诉", "you may not mediate your own appeal"))
		}
		if a.State != AppealMediation {
			return notInState(a.State)
		}
		now := s.now()
		res, err := s.applyOutcome(ctx, tx, p, a, in, text, now)
		if err != nil {
			return err
		}
		if err := moveAppeal(ctx, tx, a, AppealMediated, in.Outcome, res.created, time.Time{}); err != nil {
			return err
		}
		if err := addStep(ctx, tx, id, StepMediated, in.Outcome, p.UserID, text, now); err != nil {
			return err
		}
		if err := s.tellAppeal(ctx, tx, id, a.EntryID, AppealMediated, []store.ID{a.UserID},
			i18n.T("您的奖惩申诉已调解：%[1]s", "Your merit appeal was mediated: %[1]s", outcomeName(in.Outcome))); err != nil {
			return err
		}
		if err := s.afterOutcome(ctx, tx, a, res); err != nil {
			return err
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "merit.appeal.mediate", "merit_appeal", id.String(),
			res.detail(AppealMediated, in.Outcome))
	})
	if err != nil {
		return nil, err
	}
	return readAppeal(ctx, s.db.Reader(), id)
}

// AcceptMediation closes the appeal with the mediation's outcome: the
// appellant accepts it, and the ledger stays as the mediation left it.
func (s *Service) AcceptMediation(ctx context.Context, p *auth.Principal, id store.ID, remark string) (*Appeal, error) {
	if err := mayAppeal(p); err != nil {
		return nil, err
	}
	text, err := note("note", remark, false)
	if err != nil {
		return nil, err
	}
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		a, err := s.appellantsAppeal(ctx, tx, p, id)
		if err != nil {
			return err
		}
		now := s.now()
		if err := moveAppeal(ctx, tx, a, AppealResolved, a.Outcome, 0, now); err != nil {
			return err
		}
		if err := addStep(ctx, tx, id, StepAccepted, a.Outcome, p.UserID, text, now); err != nil {
			return err
		}
		if err := s.tellAppeal(ctx, tx, id, a.EntryID, AppealResolved, stepActors(a, StepMediated),
			i18n.T("%[1]s 接受了调解结果", "%[1]s accepted the mediation", a.User)); err != nil {
			return err
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "merit.appeal.accept", "merit_appeal", id.String(),
			map[string]any{"state": AppealResolved, "outcome": a.Outcome})
	})
	if err != nil {
		return nil, err
	}
	return readAppeal(ctx, s.db.Reader(), id)
}

// Escalate takes the appeal to the next level and HR: the appellant, still
// disputing the mediated outcome, says why; the deciders are told.
func (s *Service) Escalate(ctx context.Context, p *auth.Principal, id store.ID, remark string) (*Appeal, error) {
	if err := mayAppeal(p); err != nil {
		return nil, err
	}
	text, err := note("note", remark, true)
	if err != nil {
		return nil, err
	}
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		a, err := s.appellantsAppeal(ctx, tx, p, id)
		if err != nil {
			return err
		}
		now := s.now()
		if err := moveAppeal(ctx, tx, a, AppealInvestigation, a.Outcome, 0, time.Time{}); err != nil {
			return err
		}
		if err := addStep(ctx, tx, id, StepEscalated, "", p.UserID, text, now); err != nil {
			return err
		}
		pack, err := s.appealPack(ctx, tx, a)
		if err != nil {
			return err
		}
		deciders, err := decidersOf(ctx, tx, a.CompanyID, pack, append(stepActors(a, StepMediated), a.UserID))
		if err != nil {
			return err
		}
		if err := s.tellAppeal(ctx, tx, id, a.EntryID, AppealInvestigation, deciders,
			i18n.T("奖惩申诉已提交上级和人力资源调查：%[1]s", "A merit appeal was escalated for investigation: %[1]s", a.User)); err != nil {
			return err
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "merit.appeal.escalate", "merit_appeal", id.String(),
			map[string]any{"state": AppealInvestigation})
	})
	if err != nil {
		return nil, err
	}
	return readAppeal(ctx, s.db.Reader(), id)
}

// Resolve records the final outcome of an investigated appeal: a decider
// of the pack (merits:approve and a decider role, or admin) who is neither
// the appellant nor the mediator upholds, changes or withdraws the entry as
// it stands now — after a mediated change, the entry that change made.
func (s *Service) Resolve(ctx context.Context, p *auth.Principal, id store.ID, in OutcomeInput) (*Appeal, error) {
	if err := mayAppeal(p); err != nil {
		return nil, err
	}
	text, err := checkOutcome(in)
	if err != nil {
		return nil, err
	}
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		a, err := visibleAppeal(ctx, tx, p, id)
		if err != nil {
			return err
		}
		pack, err := s.appealPack(ctx, tx, a)
		if err != nil {
			return err
		}
		switch {
		case !decides(p, pack):
			return apperr.Forbidden(i18n.T("无权对申诉作出最终处理", "you may not resolve appeals"))
		case a.UserID == p.UserID:
			return apperr.Forbidden(i18n.T("不能处理本人的申诉", "you may not resolve your own appeal"))
		case slices.Contains(stepActors(a, StepMediated), p.UserID):
			return apperr.Forbidden(i18n.T("调解人不能再作最终处理", "the mediator may not also resolve the appeal"))
		case a.State != AppealInvestigation:
			return notInState(a.State)
		}
		now := s.now()
		res, err := s.applyOutcome(ctx, tx, p, a, in, text, now)
		if err != nil {
			return err
		}
		if err := moveAppeal(ctx, tx, a, AppealResolved, in.Outcome, res.created, now); err != nil {
			return err
		}
		if err := addStep(ctx, tx, id, StepResolved, in.Outcome, p.UserID, text, now); err != nil {
			return err
		}
		if err := s.tellAppeal(ctx, tx, id, a.EntryID, AppealResolved, append([]store.ID{a.UserID}, stepActors(a, StepMediated)...),
			i18n.T("奖惩申诉已处理：%[1]s", "The merit appeal was resolved: %[1]s", outcomeName(in.Outcome))); err != nil {
			return err
		}
		if err := s.afterOutcome(ctx, tx, a, res); err != nil {
			return err
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "merit.appeal.resolve", "merit_appeal", id.String(),
			res.detail(AppealResolved, in.Outcome))
	})
	if err != nil {
		return nil, err
	}
	return readAppeal(ctx, s.db.Reader(), id)
}

// checkOutcome checks an outcome and returns its note, which is required.
func checkOutcome(in OutcomeInput) (string, error) {
	switch in.Outcome {
	case OutcomeUpheld, OutcomeChanged, OutcomeWithdrawn:
	case "":
		return "", apperr.Required("outcome")
	default:
		return "", apperr.Validation("outcome", i18n.T("处理结果须为维持、变更或撤销", "must be upheld, changed or withdrawn"))
	}
	return note("note", in.Note, true)
}

// outcomeName is an outcome in Chinese, for notifications.
func outcomeName(outcome string) string {
	switch outcome {
	case OutcomeUpheld:
		return "维持"
	case OutcomeChanged:
		return "变更"
	case OutcomeWithdrawn:
		return "撤销"
	}
	return outcome
}

// notInState refuses a step the appeal's state does not allow.
func notInState(state string) error {
	return apperr.Conflict("state", i18n.T("申诉当前状态（%[1]s）不允许此操作", "the appeal is %[1]s: this step is not allowed", state))
}

// appellantsAppeal reads a mediated appeal for its appellant to accept or
// escalate.
func (s *Service) appellantsAppeal(ctx context.Context, tx store.Conn, p *auth.Principal, id store.ID) (*Appeal, error) {
	a, err := visibleAppeal(ctx, tx, p, id)
	if err != nil {
		return nil, err
	}
	if a.UserID != p.UserID {
		return nil, apperr.Forbidden(i18n.T("只有申诉人可以接受调解或再申诉", "only the appellant accepts a mediation or escalates"))
	}
	if a.State != AppealMediated {
		return nil, notInState(a.State)
	}
	return a, nil
}

// moveAppeal moves the appeal from its state to the next one, with the
// outcome so far, the entry a change created (0: as it was) and when it
// was resolved (0: not yet). A concurrent step finds the state moved.
func moveAppeal(ctx context.Context, tx store.Conn, a *Appeal, state, outcome string, result store.ID, resolved time.Time) error {
	var resolvedAt int64
	if !resolved.IsZero() {
		resolvedAt = store.Micros(resolved)
	}
	if result == 0 {
		result = a.ResultEntry
	}
	r, err := tx.Exec(ctx, `UPDATE merit_appeals SET state = ?, outcome = ?, result_entry_id = ?, resolved_at = ?
		WHERE id = ? AND state = ?`, state, outcome, store.OptionalID(result), resolvedAt, a.ID, a.State)
	if err != nil {
		return err
	}
	if n, err := r.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return apperr.Conflict("state", i18n.T("申诉已被他人处理", "the appeal was moved on meanwhile"))
	}
	return nil
}

// stepActors are the users who took the appeal's steps of a kind.
func stepActors(a *Appeal, step string) []store.ID {
	var out []store.ID
	for _, st := range a.Steps {
		if st.Step == step && !slices.Contains(out, st.ActorID) {
			out = append(out, st.ActorID)
		}
	}
	return out
}

// appealPack is the pack the appealed entry was recorded under: whose
// decider roles resolve the appeal.
func (s *Service) appealPack(ctx context.Context, c store.Conn, a *Appeal) (*policy.Pack, error) {
	e, err := s.getEntry(ctx, c, a.EntryID)
	if err != nil {
		return nil, err
	}
	return s.entryPack(ctx, e)
}

// outcomeResult is what an outcome did to the ledger.
type outcomeResult struct {
	appeal  store.ID
	entry   store.ID // the entry the outcome applied to
	created store.ID // the entry a change created
	action  string   // withdraw, change, reinstate, or "" when the ledger stays
}

// detail is the audit detail of a step that applied an outcome.
func (r outcomeResult) detail(state, outcome string) map[string]any {
	d := map[string]any{"state": state, "outcome": outcome, "entry": r.entry}
	if r.action != "" {
		d["ledger"] = r.action
	}
	if r.created != 0 {
		d["new_entry"] = r.created
	}
	return d
}

// afterOutcome re-derives the appellant's summary when the outcome changed
// their effective entries.
func (s *Service) afterOutcome(ctx context.Context, tx store.Conn, a *Appeal, r outcomeResult) error {
	if r.action == "" {
		return nil
	}
	return s.afterChange(ctx, tx, a.UserID)
}

// currentEntry is the entry as it stands now: the appealed entry, or the
// last entry of the chain of changes that superseded it.
func (s *Service) currentEntry(ctx context.Context, c store.Conn, id store.ID) (*Entry, error) {
	for range 1000 {
		var next store.ID
		err := c.QueryRow(ctx, `SELECT id FROM merit_entries WHERE supersedes_id = ?`, id).Scan(&next)
		if errors.Is(err, sql.ErrNoRows) {
			return s.getEntry(ctx, c, id)
		} else if err != nil {
			return nil, err
		}
		id = next
	}
	return nil, errors.New("merit: the chain of changes of an entry does not end")
}

// applyOutcome applies an outcome to the entry as it stands (SEC-002: by
// decisions and new entries, never by rewriting one). Upheld keeps a
// confirmed entry and reinstates one an earlier step withdrew; withdrawn
// withdraws it; changed records a new confirmed entry with the new kind,
// amount or points that supersedes it.
func (s *Service) applyOutcome(ctx context.Context, tx store.Conn, p *auth.Principal, a *Appeal, in OutcomeInput, text string, now time.Time) (outcomeResult, error) {
	cur, err := s.currentEntry(ctx, tx, a.EntryID)
	if err != nil {
		return outcomeResult{}, err
	}
	res := outcomeResult{appeal: a.ID, entry: cur.ID}
	if cur.State != StateConfirmed && cur.State != StateWithdrawn {
		return res, apperr.Conflict("entry_id", i18n.T("记录当前状态（%[1]s）不能再处理", "the entry is %[1]s and cannot be ruled on", cur.State))
	}
	switch in.Outcome {
	case OutcomeUpheld:
		if cur.State == StateWithdrawn {
			res.action = "reinstate"
			return res, s.setEntryState(ctx, tx, cur.ID, StateWithdrawn, StateConfirmed, res.action, p.UserID, text, a.ID, now)
		}
	case OutcomeWithdrawn:
		if cur.State == StateConfirmed {
			res.action = "withdraw"
			return res, s.setEntryState(ctx, tx, cur.ID, StateConfirmed, StateWithdrawn, res.action, p.UserID, text, a.ID, now)
		}
	case OutcomeChanged:
		ch, err := checkChange(cur, in)
		if err != nil {
			return res, err
		}
		res.action = "change"
		res.created, err = tx.InsertID(ctx, `INSERT INTO merit_entries (company_id, unit_id, user_id, pack, pack_version,
			kind, item, occurred_on, amount_cents, points, reason, rule_id, source_kind, source_id, source_ref, trigger_key,
			joint_of, supersedes_id, proposed_by, created_at, state, decided_by, decided_at, no_offset)
			SELECT company_id, unit_id, user_id, pack, pack_version, ?, ?, occurred_on, ?, ?, reason, rule_id, ?, ?,
			source_ref, '', joint_of, id, ?, ?, ?, ?, ?, no_offset FROM merit_entries WHERE id = ? RETURNING id`,
			ch.kind, ch.item, ch.amount.Fen(), ch.points, SourceAppeal, a.ID, p.UserID, store.Micros(now), StateConfirmed,
			p.UserID, store.Micros(now), cur.ID)
		if err != nil {
			return res, err
		}
		if err := s.setEntryState(ctx, tx, cur.ID, cur.State, StateChanged, res.action, p.UserID, text, res.created, now); err != nil {
			return res, err
		}
		return res, addDecision(ctx, tx, res.created, "confirm", p.UserID, text, a.ID, now)
	}
	return res, nil
}

// setEntryState moves an entry from one state to another and records the
// decision; a concurrent change finds the state moved.
func (s *Service) setEntryState(ctx context.Context, tx store.Conn, id store.ID, from, to, action string, actor store.ID, text string, ref store.ID, now time.Time) error {
	r, err := tx.Exec(ctx, `UPDATE merit_entries SET state = ? WHERE id = ? AND state = ?`, to, id, from)
	if err != nil {
		return err
	}
	if n, err := r.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return apperr.Conflict("entry_id", i18n.T("记录已被他人处理", "the entry was ruled on meanwhile"))
	}
	return addDecision(ctx, tx, id, action, actor, text, ref, now)
}

// addDecision appends a decision on an entry (merit_decisions is
// append-only).
func addDecision(ctx context.Context, tx store.Conn, entry store.ID, action string, actor store.ID, text string, ref store.ID, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO merit_decisions (entry_id, action, actor_id, note, ref_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, entry, action, store.OptionalID(actor), text, ref, store.Micros(now))
	return err
}

// change is a checked change of an entry.
type change struct {
	kind, item string
	amount     money.Yuan
	points     int
}

// checkChange checks the new kind, amount and points of a change as a
// record is checked: a known kind on the same side (a penalty stays a
// penalty), an amount for the kinds that carry money, points for the
// points kinds, and something that differs from the entry. The kind
// defaults to the entry's; the catalogue item stays only with its kind.
func checkChange(cur *Entry, in OutcomeInput) (change, error) {
	ch := change{kind: strings.TrimSpace(in.Kind), points: in.Points}
	if ch.kind == "" {
		ch.kind = cur.Kind
	}
	if !slices.Contains(policy.MeritKinds, ch.kind) {
		return ch, apperr.Validation("kind", i18n.T("未知的奖惩类型 %[1]q", "unknown kind %[1]q", ch.kind))
	}
	if policy.MeritIsReward(ch.kind) != policy.MeritIsReward(cur.Kind) {
		return ch, apperr.Validation("kind", i18n.T("申诉只能在奖励或处罚之内变更", "an appeal changes a penalty into a penalty, a reward into a reward"))
	}
	if ch.kind == cur.Kind {
		ch.item = cur.Item
	}
	raw := strings.TrimSpace(in.Amount)
	switch {
	case policy.MeritHasAmount(ch.kind):
		if raw == "" {
			return ch, apperr.Required("amount")
		}
		v, err := money.Parse(raw)
		if err != nil || v <= 0 {
			return ch, apperr.Validation("amount", i18n.T("须为大于 0 的金额（元，最多两位小数）", "must be an amount of yuan above 0 with at most two decimals"))
		}
		ch.amount = v
	case raw != "":
		if v, err := money.Parse(raw); err != nil || v != 0 {
			return ch, apperr.Validation("amount", i18n.T("只有罚款、奖金和专项奖励有金额", "only fines, bonuses and special awards carry an amount"))
		}
	}
	switch {
	case policy.MeritHasPoints(ch.kind):
		if ch.points <= 0 {
			return ch, apperr.Validation("points", i18n.T("须为正整数", "must be a positive whole number"))
		}
	case ch.points != 0:
		return ch, apperr.Validation("points", i18n.T("只有绩效加减分有分数", "only performance points carry points"))
	}
	if ch.kind == cur.Kind && ch.amount == cur.Amount && ch.points == cur.Points {
		return ch, apperr.Validation("outcome", i18n.T("变更后与原记录相同；请选择维持", "the change changes nothing: uphold the entry instead"))
	}
	return ch, nil
}

// writeRoles are the roles that grant merits:write, but admin: the
// supervisors who mediate (MER-006).
func writeRoles() []auth.Role {
	var out []auth.Role
	for _, r := range auth.Roles {
		if r.Key != auth.RoleAdmin && auth.Grants([]auth.Role{r.Key}, auth.PermMeritsWrite) {
			out = append(out, r.Key)
		}
	}
	return out
}

// supervisorsOf are the nearest supervisors of a person's unit: the holders
// of merits:write in the unit's subtree, else in the unit above, up to the
// company, without the people of exclude.
func (s *Service) supervisorsOf(ctx context.Context, c store.Conn, unit, company store.ID, exclude ...store.ID) ([]store.ID, error) {
	u, err := org.GetUnit(ctx, c, unit)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	roles := writeRoles()
	for i := len(parts) - 1; i >= 0; i-- {
		n, err := strconv.ParseInt(parts[i], 10, 64)
		if err != nil {
			continue
		}
		ids, err := org.UsersWithRoles(ctx, c, store.ID(n), roles)
		if err != nil {
			return nil, err
		}
		ids = slices.DeleteFunc(ids, func(id store.ID) bool { return slices.Contains(exclude, id) })
		if len(ids) > 0 || store.ID(n) == company {
			return ids, nil
		}
	}
	return nil, nil
}

// decidersOf are the company's deciders under the pack (a decider role
// that grants merits:approve), without the people of exclude.
func decidersOf(ctx context.Context, c store.Conn, company store.ID, pack *policy.Pack, exclude []store.ID) ([]store.ID, error) {
	var roles []auth.Role
	if pack != nil {
		for _, r := range pack.Merits.DeciderRoles {
			if auth.Grants([]auth.Role{r}, auth.PermMeritsApprove) {
				roles = append(roles, r)
			}
		}
	}
	if len(roles) == 0 {
		return nil, nil
	}
	ids, err := org.UsersWithRoles(ctx, c, company, roles)
	return slices.DeleteFunc(ids, func(id store.ID) bool { return slices.Contains(exclude, id) }), err
}
