package merit

import (
	"context"
	"slices"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/money"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Record enters an entry (POST /api/v1/merits): confirmed at once when the
// caller may decide, a proposal otherwise.
func (s *Service) Record(ctx context.Context, p *auth.Principal, in EntryInput) (*Entry, error) {
	if p != nil && !p.Can(auth.PermMeritsWrite) {
		return nil, apperr.Forbidden(i18n.T("无权记录奖惩", "you may not record merits or demerits"))
	}
	u, err := visiblePerson(ctx, s.db.Reader(), p, in.UserID, "user_id")
	if err != nil {
		return nil, err
	}
	if p != nil && p.UserID == u.ID && !p.IsAdmin() {
		return nil, apperr.Forbidden(i18n.T("不能为自己记录奖惩", "you may not record an entry about yourself"))
	}
	pack, err := s.packs.ForUnit(ctx, u.UnitID)
	if err != nil {
		return nil, err
	}
	n, err := s.validate(pack, in)
	if err != nil {
		return nil, err
	}
	n.company, n.unit, n.user, n.pack, n.proposedBy = u.Company, u.UnitID, u.ID, pack, actorID(p)
	// Nobody decides an entry about themselves: an administrator's own is a proposal.
	confirmed := decides(p, pack) && (p == nil || p.UserID != u.ID)
	if n.noOffset && !confirmed {
		return nil, apperr.Validation("no_offset", i18n.T("只有决定人可以裁定功不抵过（MER-004）",
			"only a decider rules that a merit revokes nothing (MER-004)"))
	}
	n.state = StateProposed
	action := "record"
	if confirmed {
		n.state, n.decidedBy, action = StateConfirmed, actorID(p), "confirm"
	}
	now := s.now()
	var id store.ID
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		if id, err = n.insert(ctx, tx, now); err != nil {
			return err
		}
		if err := decide(ctx, tx, id, action, actorID(p), "", 0, now); err != nil {
			return err
		}
		if confirmed {
			if err := s.afterChange(ctx, tx, u.ID); err != nil {
				return err
			}
		} else if err := s.tellDeciders(ctx, tx, pack, u, []store.ID{id}); err != nil {
			return err
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "merit.record", "merit_entry", id.String(),
			map[string]any{"user_id": u.ID, "kind": n.kind, "item": n.item, "at": n.on.String(),
				"amount": n.amount.String(), "points": n.points, "state": n.state})
	})
	if err != nil {
		return nil, err
	}
	return s.getEntry(ctx, s.db.Reader(), id)
}

// validate checks an entry's input against the kinds and the pack's
// catalogue.
func (s *Service) validate(pack *policy.Pack, in EntryInput) (*newEntry, error) {
	n := &newEntry{kind: strings.TrimSpace(in.Kind), item: strings.TrimSpace(in.Item), rule: strings.TrimSpace(in.RuleID),
		points: in.Points, noOffset: in.NoOffset}
	reason := strings.TrimSpace(in.Reason)
	var item *policy.MeritItem
	if n.item != "" {
		it, ok := pack.Merits.Item(n.item)
		if !ok {
			return nil, apperr.Validation("item", i18n.T("政策包 %[1]s 没有奖惩项目 %[2]q", "pack %[1]s has no item %[2]q", pack.Key, n.item))
		}
		if n.kind != "" && n.kind != it.Kind {
			return nil, apperr.Validation("kind", i18n.T("项目 %[1]q 的类别是 %[2]s", "item %[1]q is of kind %[2]s", it.Key, it.Kind))
		}
		item, n.kind = it, it.Kind
		if n.rule == "" {
			n.rule = it.Rule
		}
		if reason == "" {
			reason = it.Name.ZH
		}
	}
	switch {
	case n.kind == "":
		return nil, apperr.Required("kind")
	case !slices.Contains(policy.MeritKinds, n.kind):
		return nil, apperr.Validation("kind", i18n.T("未知的奖惩类别 %q", "unknown kind %q", n.kind))
	}
	var err error
	if n.amount, err = amountOf(n.kind, in.Amount, item); err != nil {
		return nil, err
	}
	switch {
	case policy.MeritHasPoints(n.kind):
		if n.points == 0 && item != nil {
			n.points = item.Points
		}
		if n.points <= 0 {
			if in.Points < 0 {
				return nil, apperr.Validation("points", i18n.T("须为正数", "must be positive"))
			}
			return nil, apperr.Required("points")
		}
	case n.points != 0:
		return nil, apperr.Validation("points", i18n.T("此类别不记绩效分", "this kind carries no points"))
	}
	if reason == "" {
		return nil, apperr.Required("reason")
	}
	if len([]rune(reason)) > 500 {
		return nil, apperr.Validation("reason", i18n.T("不能超过 500 个字", "at most 500 characters"))
	}
	n.reason = reason
	if len(n.rule) > 40 {
		return nil, apperr.Validation("rule_id", i18n.T("过长", "too long"))
	}
	if n.on, err = s.dateOf("at", in.At); err != nil {
		return nil, err
	}
	n.sourceKind, n.sourceID, n.sourceRef = strings.TrimSpace(in.SourceKind), in.SourceID, strings.TrimSpace(in.SourceRef)
	switch n.sourceKind {
	case "":
		n.sourceKind = SourceManual
	case SourceManual, SourceTicket, SourceSamplingFailure, SourceSalesReception, SourceSalesDeal, SourceSalesForm,
		SourceSalesFormUpdate:
	default:
		return nil, apperr.Validation("source_kind", i18n.T("未知的来源 %q", "unknown source kind %q", n.sourceKind))
	}
	if n.sourceID < 0 {
		return nil, apperr.Validation("source_id", i18n.T("无效", "invalid"))
	}
	if len([]rune(n.sourceRef)) > 100 {
		return nil, apperr.Validation("source_ref", i18n.T("不能超过 100 个字", "at most 100 characters"))
	}
	if n.noOffset && !(policy.MeritIsReward(n.kind) && slices.Contains(policy.MeritLevelKinds, n.kind)) {
		return nil, apperr.Validation("no_offset", i18n.T("只有行政奖励可以抵销处分", "only an administrative merit revokes a penalty"))
	}
	return n, nil
}

// amountOf is the amount of an entry: required and positive for the kinds
// that carry money (the item's default when none is given), within the
// item's bounds; forbidden for the others.
func amountOf(kind, text string, item *policy.MeritItem) (money.Yuan, error) {
	text = strings.TrimSpace(text)
	if !policy.MeritHasAmount(kind) {
		if text != "" {
			return 0, apperr.Validation("amount", i18n.T("此类别不记金额", "this kind carries no amount"))
		}
		return 0, nil
	}
	var amount money.Yuan
	if text != "" {
		a, err := money.Parse(text)
		if err != nil {
			return 0, apperr.Validation("amount", i18n.T("金额格式不对，如 100 或 100.50", "not an amount such as 100 or 100.50"))
		}
		if a <= 0 {
			return 0, apperr.Validation("amount", i18n.T("须大于 0", "must be more than 0"))
		}
		amount = a
	} else if item != nil {
		amount = item.Amount
	}
	if amount <= 0 {
		return 0, apperr.Required("amount")
	}
	if item != nil && (item.MinAmount > 0 && amount < item.MinAmount || item.MaxAmount > 0 && amount > item.MaxAmount) {
		return 0, apperr.Validation("amount", i18n.T("须在 %[1]s 到 %[2]s 元之间", "must be between %[1]s and %[2]s yuan",
			item.MinAmount.String(), item.MaxAmount.String()))
	}
	return amount, nil
}

// dateOf reads a date given as YYYY-MM-DD or an RFC 3339 time (its date in
// kefu's zone); "" is today; a future date is refused.
func (s *Service) dateOf(field, text string) (calendar.Date, error) {
	text = strings.TrimSpace(text)
	today := s.today()
	if text == "" {
		return today, nil
	}
	d, err := calendar.ParseDate(text)
	if err != nil {
		t, terr := time.Parse(time.RFC3339, text)
		if terr != nil {
			return calendar.Date{}, apperr.Validation(field, i18n.T("日期格式应为 YYYY-MM-DD", "a date must be YYYY-MM-DD"))
		}
		d = calendar.DateOf(t.In(store.Zone))
	}
	if d.Year < calendar.MinYear {
		return calendar.Date{}, apperr.Validation(field, i18n.T("日期过早", "date too early"))
	}
	if d.After(today) {
		return calendar.Date{}, apperr.Validation(field, i18n.T("不能是将来的日期", "may not be in the future"))
	}
	return d, nil
}

// Confirm confirms a proposal. An amount different from the proposed one
// (within the item's range, MER-010) is recorded as a new confirmed entry
// that supersedes the proposal: an entry's facts never change (SEC-002).
func (s *Service) Confirm(ctx context.Context, p *auth.Principal, id store.ID, in DecisionInput) (*Entry, error) {
	e, pack, err := s.decidable(ctx, p, id, StateProposed)
	if err != nil {
		return nil, err
	}
	text, err := note("note", in.Note, false)
	if err != nil {
		return nil, err
	}
	var item *policy.MeritItem
	if it, ok := pack.Merits.Item(e.Item); ok && e.Item != "" {
		item = it
	}
	amount := e.Amount
	if strings.TrimSpace(in.Amount) != "" || policy.MeritHasAmount(e.Kind) && e.Amount <= 0 {
		if amount, err = amountOf(e.Kind, in.Amount, item); err != nil {
			return nil, err
		}
	}
	now := s.now()
	result := e.ID
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		to := StateConfirmed
		if amount != e.Amount {
			to = StateChanged
		}
		if err := transition(ctx, tx, e.ID, StateProposed, to, actorID(p), now); err != nil {
			return err
		}
		if to == StateConfirmed {
			if err := decide(ctx, tx, e.ID, "confirm", actorID(p), text, 0, now); err != nil {
				return err
			}
		} else {
			n := &newEntry{company: e.CompanyID, unit: e.UnitID, user: e.UserID, pack: pack, kind: e.Kind, item: e.Item,
				amount: amount, points: e.Points, reason: e.Reason, rule: e.RuleID, sourceKind: e.SourceKind,
				sourceID: e.SourceID, sourceRef: e.SourceRef, jointOf: e.JointOf, supersedes: e.ID,
				proposedBy: e.ProposedBy, state: StateConfirmed, decidedBy: actorID(p)}
			n.on, _ = calendar.ParseDate(e.At)
			var err error
			if result, err = n.insert(ctx, tx, now); err != nil {
				return err
			}
			if err := decide(ctx, tx, e.ID, "change", actorID(p), text, result, now); err != nil {
				return err
			}
			if err := decide(ctx, tx, result, "confirm", actorID(p), text, e.ID, now); err != nil {
				return err
			}
		}
		if err := s.afterChange(ctx, tx, e.UserID); err != nil {
			return err
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "merit.confirm", "merit_entry", e.ID.String(),
			map[string]any{"amount": amount.String(), "entry": result})
	})
	if err != nil {
		return nil, err
	}
	return s.getEntry(ctx, s.db.Reader(), result)
}

// Reject rejects a proposal; the note is required.
func (s *Service) Reject(ctx context.Context, p *auth.Principal, id store.ID, in DecisionInput) (*Entry, error) {
	e, _, err := s.decidable(ctx, p, id, StateProposed)
	if err != nil {
		return nil, err
	}
	text, err := note("note", in.Note, true)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Amount) != "" {
		return nil, apperr.Validation("amount", i18n.T("驳回时不设金额", "a rejection sets no amount"))
	}
	now := s.now()
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		if err := transition(ctx, tx, e.ID, StateProposed, StateRejected, actorID(p), now); err != nil {
			return err
		}
		if err := decide(ctx, tx, e.ID, "reject", actorID(p), text, 0, now); err != nil {
			return err
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "merit.reject", "merit_entry", e.ID.String(),
			map[string]any{"note": text})
	})
	if err != nil {
		return nil, err
	}
	return s.getEntry(ctx, s.db.Reader(), e.ID)
}

// SetOffset rules whether a merit revokes a penalty (MER-004): Apply false
// records the decider's discretion that it revokes nothing, Apply true
// lets it offset again by the rule. The note is required.
func (s *Service) SetOffset(ctx context.Context, p *auth.Principal, id store.ID, in OffsetInput) (*Entry, error) {
	e, _, err := s.decidable(ctx, p, id, StateConfirmed)
	if err != nil {
		return nil, err
	}
	if !policy.MeritIsReward(e.Kind) || !slices.Contains(policy.MeritLevelKinds, e.Kind) {
		return nil, apperr.Validation("apply", i18n.T("只有行政奖励可以抵销处分（MER-004）", "only an administrative merit revokes a penalty (MER-004)"))
	}
	text, err := note("note", in.Note, true)
	if err != nil {
		return nil, err
	}
	if e.NoOffset == !in.Apply {
		return nil, apperr.Conflict("apply", i18n.T("已是如此裁定", "already so ruled"))
	}
	action := "offset"
	if !in.Apply {
		action = "no_offset"
	}
	now := s.now()
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		res, err := tx.Exec(ctx, `UPDATE merit_entries SET no_offset = ? WHERE id = ? AND state = ? AND no_offset = ?`,
			!in.Apply, e.ID, StateConfirmed, in.Apply)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return apperr.Conflict("id", i18n.T("记录已变化，请刷新", "the entry changed meanwhile; reload"))
		}
		if err := decide(ctx, tx, e.ID, action, actorID(p), text, 0, now); err != nil {
			return err
		}
		if err := s.afterChange(ctx, tx, e.UserID); err != nil {
			return err
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "merit."+action, "merit_entry", e.ID.String(),
			map[string]any{"note": text})
	})
	if err != nil {
		return nil, err
	}
	return s.getEntry(ctx, s.db.Reader(), e.ID)
}

// decidable reads an entry p may decide on in the state: p sees it, decides
// under its pack, and it is not about p.
func (s *Service) decidable(ctx context.Context, p *auth.Principal, id store.ID, state string) (*Entry, *policy.Pack, error) {
	e, err := s.visibleEntry(ctx, s.db.Reader(), p, id)
	if err != nil {
		return nil, nil, err
	}
	pack, err := s.entryPack(ctx, e)
	if err != nil {
		return nil, nil, err
	}
	if !decides(p, pack) {
		return nil, nil, apperr.Forbidden(i18n.T("只有决定人可以决定奖惩", "only a decider decides on entries"))
	}
	if p != nil && p.UserID == e.UserID {
		return nil, nil, apperr.Forbidden(i18n.T("不能决定关于自己的奖惩", "you may not decide on an entry about yourself"))
	}
	if e.State != state {
		return nil, nil, apperr.Conflict("state", i18n.T("此记录的状态是 %s", "the entry is %s", e.State))
	}
	return e, pack, nil
}

// transition moves an entry from one state to another, as decided by
// actor; a concurrent change is a conflict.
func transition(ctx context.Context, tx store.Conn, id store.ID, from, to string, actor store.ID, now time.Time) error {
	res, err := tx.Exec(ctx, `UPDATE merit_entries SET state = ?, decided_by = ?, decided_at = ? WHERE id = ? AND state = ?`,
		to, store.OptionalID(actor), store.Micros(now), id, from)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return apperr.Conflict("state", i18n.T("记录已变化，请刷新", "the entry changed meanwhile; reload"))
	}
	return nil
}
