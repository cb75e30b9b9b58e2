package sampling

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/jobs"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// DrawStatus is where a draw stands.
type DrawStatus string

// Draw statuses: open until closed by hand or when due; a cancelled draw
// (with a reason) frees its rule, person and period for another draw.
const (
	DrawOpen      DrawStatus = "open"
	DrawClosed    DrawStatus = "closed"
	DrawCancelled DrawStatus = "cancelled"
)

// Task statuses.
const (
	TaskOpen     = "open"
	TaskVerified = "verified"
)

// MaxText is the longest free text (findings, proposal, note, reason).
const MaxText = 2000

// MaxItems is the largest population a draw takes.
const MaxItems = 100000

// DrawInput asks for the draw of a rule for one checked person and period.
type DrawInput struct {
	Rule          string   `json:"rule"`
	CheckedUserID store.ID `json:"checked_user_id"`
	// CheckedPosition is the checked person's position (a position key of
	// the pack); default the first of the rule's positions they hold.
	CheckedPosition string `json:"checked_position,omitempty"`
	// CheckerID is the checker the tasks are assigned to; 0: the caller.
	// The checker must be allowed by the SMP-002 matrix.
	CheckerID       store.ID `json:"checker_id,omitempty"`
	CheckerPosition string   `json:"checker_position,omitempty"`
	// Period: "2026-04" for a monthly rule, "2026-W15" (or a day of the
	// week) for a weekly one, a date for a daily or per-session one.
	Period string `json:"period"`
	// Population is the base the rate applies to (the month's households
	// read); default the number of distinct item IDs.
	Population int `json:"population,omitempty"`
	// RatePct: the company's rate within the rule's band (SMP-003, SMP-009).
	RatePct int `json:"rate_pct,omitempty"`
	// Items are the population's items, each with its stratum; ignored
	// (and refused) when a source is registered for the population.
	Items []Item `json:"items,omitempty"`
}

// DrawRecord is a stored draw with its plan figures.
type DrawRecord struct {
	ID              store.ID   `json:"id"`
	CompanyID       store.ID   `json:"company_id"`
	Pack            string     `json:"pack"`
	PackVersion     int        `json:"pack_version"`
	Rule            string     `json:"rule"`
	RuleName        string     `json:"rule_name"`
	Level           int        `json:"level"`
	CheckedUserID   store.ID   `json:"checked_user_id"`
	CheckedUser     string     `json:"checked_user"`
	CheckedPosition string     `json:"checked_position"`
	CheckerID       store.ID   `json:"checker_id"`
	Checker         string     `json:"checker"`
	CheckerPosition string     `json:"checker_position"`
	Period          string     `json:"period"`
	PeriodFrom      time.Time  `json:"period_from"`
	PeriodTo        time.Time  `json:"period_to"`
	DueAt           time.Time  `json:"due_at"`
	Seed            string     `json:"seed"`
	Plan            SamplePlan `json:"plan"`
	Status          DrawStatus `json:"status"`
	// Tasks and Verified count the verification tasks and those verified.
	TaskCount int `json:"task_count"`
	Verified  int `json:"verified"`
	// QuotaMet is set when the draw is closed: the verified tasks reached
	// the sample drawn (quota less shortfall; SMP-017 counts a miss).
	QuotaMet     *bool      `json:"quota_met,omitempty"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	CancelReason string     `json:"cancel_reason,omitempty"`
	CancelledAt  *time.Time `json:"cancelled_at,omitempty"`
	CreatedBy    store.ID   `json:"created_by,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	Tasks        []Task     `json:"tasks,omitempty"`
}

// Target is the number of verified tasks the draw needs: the quota less
// the shortfall no stratum could supply (the sampler cannot check items
// that do not exist).
func (d *DrawRecord) Target() int { return d.Plan.Drawn() }

// Task is one drawn item to verify.
type Task struct {
	ID         store.ID   `json:"id"`
	DrawID     store.ID   `json:"draw_id"`
	Seq        int        `json:"seq"`
	ItemID     string     `json:"item_id"`
	Stratum    string     `json:"stratum,omitempty"`
	Method     string     `json:"method,omitempty"`
	Status     string     `json:"status"`
	EntryID    store.ID   `json:"entry_id,omitempty"` // the latest ledger entry
	VerifiedAt *time.Time `json:"verified_at,omitempty"`
}

// mayWrite refuses p without sampling:write.
func mayWrite(p *auth.Principal) error {
	if !p.Can(auth.PermSamplingWrite) {
		return apperr.Forbidden(i18n.T("无权安排抽查", "you may not manage supervision sampling"))
	}
	return nil
}

// mayRead refuses p without sampling:read.
func mayRead(p *auth.Principal) error {
	if !p.Can(auth.PermSamplingRead) {
		return apperr.Forbidden(i18n.T("无权查看抽查", "you may not read supervision sampling"))
	}
	return nil
}

// CreateDraw draws the sample a rule of the company's pack requires of one
// checked person's period and stores it with one verification task per
// drawn item (SMP-003 to SMP-009). The seed is pack|rule|company|user|
// period, so the same population draws the same items in any order. One
// draw per rule, person and period: another is refused (409) unless the
// first was cancelled. The checker — the caller or the one assigned —
// must be allowed by the level matrix (SMP-002).
func (s *Service) CreateDraw(ctx context.Context, p *auth.Principal, in DrawInput) (*DrawRecord, error) {
	if err := mayWrite(p); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Rule) == "" {
		return nil, apperr.Required("rule")
	}
	if in.CheckedUserID == 0 {
		return nil, apperr.Required("checked_user_id")
	}
	if strings.TrimSpace(in.Period) == "" {
		return nil, apperr.Required("period")
	}
	if in.Population < 0 {
		return nil, apperr.Validation("population", i18n.T("不能为负数", "must not be negative"))
	}
	if len(in.Items) > MaxItems {
		return nil, apperr.Validation("items", i18n.T("一次最多 %d 条", "at most %d items", MaxItems))
	}
	r := s.db.Reader()
	checked, err := loadPerson(ctx, r, p, in.CheckedUserID, "checked_user_id")
	if err != nil {
		return nil, err
	}
	pack, err := s.packs.ForUnit(ctx, checked.Company.ID)
	if err != nil {
		return nil, err
	}
	sr := &pack.Sampling
	rule, ok := sr.Rule(in.Rule)
	if !ok {
		return nil, apperr.Validation("rule", i18n.T("本单位政策包没有抽查规则 %q", "the company's pack has no sampling rule %q", in.Rule))
	}
	if !rule.HasQuota() {
		return nil, apperr.Validation("rule", i18n.T("规则 %q 只有定期检查，没有抽样", "rule %q has periodic checks only, no sample", rule.Key))
	}
	checkedPos, err := checkedPosition(sr, rule, checked, in.CheckedPosition)
	if err != nil {
		return nil, err
	}
	checkerID := in.CheckerID
	if checkerID == 0 {
		checkerID = p.UserID
	}
	checker, err := loadPerson(ctx, r, p, checkerID, "checker_id")
	if err != nil {
		return nil, err
	}
	if checker.Company.ID != checked.Company.ID {
		return nil, apperr.Validation("checker_id", i18n.T("检查人须与被检查人同属一个公司", "the checker must work for the checked person's company"))
	}
	if checker.ID == checked.ID {
		return nil, apperr.Validation("checker_id", i18n.T("不能检查自己", "nobody checks themselves"))
	}
	checkerPos, err := checkerPosition(sr, rule, checker, in.CheckerPosition, checkedPos)
	if err != nil {
		return nil, err
	}
	period, err := ParsePeriod(rule.Period, in.Period)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if period.From.Midnight(store.Zone).After(now) {
		return nil, apperr.Validation("period", i18n.T("期间尚未开始", "the period has not begun"))
	}
	from, to := period.From.Midnight(store.Zone), period.To.Midnight(store.Zone)
	// The population comes from kefu's own records when a module keeps
	// them (the inspections of the period, SMP-006) and holds some for
	// this person and period: a list sent with the draw is then refused,
	// so the sample cannot be drawn from a chosen list. A company that
	// keeps that work on paper sends its list.
	items := in.Items
	if src := s.source(rule.Population); src != nil {
		recorded, err := src(ctx, checked.Company.ID, checked.ID, from, to)
		if err != nil {
			return nil, err
		}
		if len(recorded) > 0 && len(in.Items) > 0 {
			return nil, apperr.Validation("items", i18n.T("抽查对象由系统记录提供，不能另行提交", "the population comes from kefu's records; send no items"))
		}
		if len(recorded) > 0 {
			items = recorded
		}
	}
	if len(items) == 0 {
		return nil, apperr.Validation("items", i18n.T("请提供本期抽查对象（编号,分项）", "send the period's population (id, stratum)"))
	}
	base := in.Population
	if base == 0 {
		base = distinctIDs(items)
	}
	pop := Population{Base: base, RatePct: in.RatePct}
	if len(rule.Strata) > 0 {
		pop.Strata = Count(items)
		for k := range pop.Strata {
			if _, ok := rule.Stratum(k); !ok {
				return nil, apperr.Validation("items", i18n.T("规则 %[1]q 没有分项 %[2]q", "rule %[1]q has no stratum %[2]q", rule.Key, k))
			}
		}
	}
	plan, err := Plan(rule, pop)
	if err != nil {
		return nil, err
	}
	plan.Period = period.Key
	seed := fmt.Sprintf("%s|%s|%d|%d|%s", pack.Key, rule.Key, checked.Company.ID, checked.ID, period.Key)
	sample, err := Draw(plan, items, seed)
	if err != nil {
		return nil, err
	}
	planJSON, _ := json.Marshal(plan)
	itemsJSON, _ := json.Marshal(sortedItems(items))
	due := period.Due.Midnight(store.Zone)
	var id store.ID
	err = s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM sampling_draws WHERE company_id = ? AND pack = ? AND rule = ?
			AND checked_user_id = ? AND period = ? AND status <> ?`, checked.Company.ID, pack.Key, rule.Key, checked.ID,
			period.Key, string(DrawCancelled)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return conflictDrawn(period.Key)
		}
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO sampling_draws (company_id, pack, pack_version, rule, level, checked_user_id,
			checked_position, checker_id, checker_position, period, period_from, period_to, due_at, seed, population, rate_pct,
			quota, floor_applied, shortfall, plan, items, status, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			checked.Company.ID, pack.Key, pack.Version, rule.Key, rule.Level, checked.ID, checkedPos, checker.ID, checkerPos,
			period.Key, store.Micros(from), store.Micros(to), store.Micros(due), seed, plan.Base, plan.RatePct, plan.Quota,
			plan.FloorApplied, plan.Shortfall, string(planJSON), string(itemsJSON), string(DrawOpen), p.UserRef(), store.Micros(now))
		if store.IsUniqueViolation(err) {
			return conflictDrawn(period.Key)
		} else if err != nil {
			return err
		}
		for i, it := range sample.Items {
			if _, err := tx.Exec(ctx, `INSERT INTO sampling_tasks (draw_id, company_id, seq, item_id, stratum, method, status, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, checked.Company.ID, i+1, it.ID, it.Stratum, it.Method, TaskOpen,
				store.Micros(now)); err != nil {
				return err
			}
		}
		if err := jobs.Schedule(ctx, tx, TimerDue, id, due); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "sampling.draw", "sampling_draw", id.String(), map[string]any{"rule": rule.Key,
			"checked_user_id": checked.ID, "period": period.Key, "quota": plan.Quota, "seed": seed})
	})
	if err != nil {
		return nil, err
	}
	s.poke()
	return s.GetDraw(ctx, p, id)
}

func conflictDrawn(period string) error {
	return apperr.Conflict("period", i18n.T("%[1]s 已抽过样，须先作废原抽样并说明原因", "%[1]s is drawn already; cancel that draw with a reason first", period))
}

// distinctIDs counts the distinct item IDs: the households of the period
// (a household may stand in two strata).
func distinctIDs(items []Item) int {
	seen := map[string]bool{}
	for _, it := range items {
		seen[it.ID] = true
	}
	return len(seen)
}

// sortedItems orders the population by stratum and ID, as stored.
func sortedItems(items []Item) []Item {
	out := make([]Item, len(items))
	copy(out, items)
	sortItems(out)
	return out
}

// CancelDraw cancels an open draw with a reason; its rule, person and
// period may then be drawn again. Ledger entries already made stay.
func (s *Service) CancelDraw(ctx context.Context, p *auth.Principal, id store.ID, reason string) (*DrawRecord, error) {
	if err := mayWrite(p); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, apperr.Required("reason")
	}
	if utf8.RuneCountInString(reason) > MaxText {
		return nil, apperr.Validation("reason", i18n.T("不能超过 %d 个字符", "at most %d characters", MaxText))
	}
	now := s.now()
	err := s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		d, err := s.loadDraw(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if d.Status != DrawOpen {
			return apperr.Conflict("status", i18n.T("只有进行中的抽样可以作废", "only an open draw can be cancelled"))
		}
		if _, err := tx.Exec(ctx, `UPDATE sampling_draws SET status = ?, cancel_reason = ?, cancelled_at = ?, cancelled_by = ?
			WHERE id = ?`, string(DrawCancelled), reason, store.Micros(now), p.UserRef(), id); err != nil {
			return err
		}
		if err := jobs.Cancel(ctx, tx, TimerDue, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "sampling.cancel", "sampling_draw", id.String(), map[string]any{"reason": reason})
	})
	if err != nil {
		return nil, err
	}
	return s.GetDraw(ctx, p, id)
}

// CloseDraw closes an open draw: when fewer tasks were verified than the
// sample drawn, a "quota missed" failure is counted against the sampler
// (SMP-004, SMP-017).
func (s *Service) CloseDraw(ctx context.Context, p *auth.Principal, id store.ID) (*DrawRecord, error) {
	if err := mayWrite(p); err != nil {
		return nil, err
	}
	err := s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		d, err := s.loadDraw(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if d.Status != DrawOpen {
			return apperr.Conflict("status", i18n.T("抽样已结束或已作废", "the draw is closed or cancelled"))
		}
		return s.close(ctx, tx, p, d)
	})
	if err != nil {
		return nil, err
	}
	return s.GetDraw(ctx, p, id)
}

// fireDue closes a draw whose checks are due (TimerDue).
func (s *Service) fireDue(ctx context.Context, tx store.Conn, t jobs.Timer) error {
	d, err := s.loadDraw(ctx, tx, nil, t.Ref)
	if apperr.Is(err, apperr.CodeNotFound) {
		return nil
	} else if err != nil || d.Status != DrawOpen {
		return err
	}
	return s.close(ctx, tx, nil, d)
}

// close marks the draw closed with its verified count and records the
// missed quota (p nil: the due timer).
func (s *Service) close(ctx context.Context, tx store.Conn, p *auth.Principal, d *DrawRecord) error {
	now := s.now()
	met := d.Verified >= d.Target()
	if _, err := tx.Exec(ctx, `UPDATE sampling_draws SET status = ?, quota_met = ?, verified_at_close = ?, closed_at = ?,
		closed_by = ? WHERE id = ?`, string(DrawClosed), met, d.Verified, store.Micros(now), p.UserRef(), d.ID); err != nil {
		return err
	}
	if err := jobs.Cancel(ctx, tx, TimerDue, d.ID); err != nil {
		return err
	}
	if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "sampling.close", "sampling_draw", d.ID.String(),
		map[string]any{"verified": d.Verified, "target": d.Target(), "quota_met": met}); err != nil {
		return err
	}
	if met {
		return nil
	}
	pack, ok := s.packs.Version(d.Pack, d.PackVersion)
	if !ok {
		return fmt.Errorf("sampling: pack %s v%d is gone", d.Pack, d.PackVersion)
	}
	if _, ok := pack.Sampling.RepeatOffence(KindQuotaMissed); !ok {
		return nil // the pack counts no missed quotas
	}
	period, err := ParsePeriod(ruleOf(pack, d.Rule).Period, d.Period)
	if err != nil {
		return err
	}
	_, err = s.recordFailure(ctx, tx, p, pack, failureRow{company: d.CompanyID, user: d.CheckerID, kind: KindQuotaMissed,
		on: period.LastDay(), draw: d.ID, note: fmt.Sprintf("%s %s: %d/%d", d.Rule, d.Period, d.Verified, d.Target())})
	return err
}

// ruleOf is the pack's rule with the key, or an empty rule (month).
func ruleOf(pack *policy.Pack, key string) *policy.SamplingRule {
	if r, ok := pack.Sampling.Rule(key); ok {
		return r
	}
	return &policy.SamplingRule{Key: key, Period: policy.SamplingPerMonth}
}
