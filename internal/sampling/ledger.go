package sampling

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
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
	"kefu/internal/store"
)

// Ledger entry kinds (SMP-013): a verification of a task (a correction is
// a verification naming the entry it corrects), an escalation of a problem
// to the next level, and that level's decision.
const (
	KindVerification = "verification"
	KindEscalation   = "escalation"
	KindDecision     = "decision"
)

// Entry is one row of the verification ledger (核查工作台帐): append-only,
// never changed; what happened later is derived from later rows.
type Entry struct {
	ID          store.ID `json:"id"`
	CompanyID   store.ID `json:"company_id"`
	Kind        string   `json:"kind"`
	Pack        string   `json:"pack"`
	PackVersion int      `json:"pack_version"`
	Rule        string   `json:"rule"`
	RuleName    string   `json:"rule_name"`
	// Level is the rule's level for a verification; the level a problem
	// reached for an escalation and a decision.
	Level  int      `json:"level"`
	DrawID store.ID `json:"draw_id,omitempty"`
	TaskID store.ID `json:"task_id,omitempty"`
	// Checker is the inspector (检查人): who verified, escalated or decided.
	CheckerID       store.ID `json:"checker_id,omitempty"`
	Checker         string   `json:"checker"`
	CheckerPosition string   `json:"checker_position,omitempty"`
	// CheckedUser is the inspected employee (受检人员).
	CheckedUserID   store.ID `json:"checked_user_id,omitempty"`
	CheckedUser     string   `json:"checked_user"`
	CheckedPosition string   `json:"checked_position,omitempty"`
	Method          string   `json:"method,omitempty"`
	ItemID          string   `json:"item_id,omitempty"`
	Stratum         string   `json:"stratum,omitempty"`
	// Sample and Quota: the draw's sample against its quota.
	Sample           int          `json:"sample,omitempty"`
	Quota            int          `json:"quota,omitempty"`
	Results          []ItemResult `json:"results,omitempty"`
	Passed           bool         `json:"passed"`
	Findings         string       `json:"findings,omitempty"`
	Proposal         string       `json:"proposal,omitempty"`
	EmployeeSigned   bool         `json:"employee_signed"`
	CustomerSigned   bool         `json:"customer_signed"`
	OutdoorMeter     bool         `json:"outdoor_meter,omitempty"`
	Session          string       `json:"session,omitempty"`
	SessionSize      int          `json:"session_size,omitempty"`
	HazardIDs        []store.ID   `json:"hazard_ids,omitempty"`
	CorrectsID       store.ID     `json:"corrects_id,omitempty"`
	CorrectionReason string       `json:"correction_reason,omitempty"`
	CorrectedByID    store.ID     `json:"corrected_by_id,omitempty"` // a later entry corrects this one
	ParentID         store.ID     `json:"parent_id,omitempty"`       // escalation: the entry escalated; decision: the escalation
	FromLevel        int          `json:"from_level,omitempty"`
	Note             string       `json:"note,omitempty"`          // the escalation's note, the decision
	EscalationID     store.ID     `json:"escalation_id,omitempty"` // a verification's or decision's escalation
	DecisionID       store.ID     `json:"decision_id,omitempty"`   // an escalation's decision
	CreatedAt        time.Time    `json:"created_at"`
}

const entryColumns = `e.id, e.company_id, e.kind, e.pack, e.pack_version, e.rule, e.level, e.draw_id, e.task_id, e.checker_id,
	coalesce((SELECT display_name FROM users WHERE id = e.checker_id), ''), e.checker_position, e.checked_user_id,
	coalesce((SELECT display_name FROM users WHERE id = e.checked_user_id), ''), e.checked_position, e.method, e.item_id,
	e.stratum, e.sample, e.quota, e.results, e.passed, e.findings, e.proposal, e.employee_signature <> '',
	e.customer_signature <> '', e.outdoor_meter, e.session, e.session_size, e.corrects_id, e.correction_reason,
	(SELECT min(c.id) FROM sampling_ledger c WHERE c.corrects_id = e.id), e.parent_id, e.from_level, e.note,
	(SELECT min(x.id) FROM sampling_ledger x WHERE x.parent_id = e.id), e.created_at`

func (s *Service) scanEntry(sc store.Scanner) (*Entry, error) {
	var e Entry
	var draw, task, checker, checked, corrects, correctedBy, parent, child store.NullID
	var results string
	var created int64
	err := sc.Scan(&e.ID, &e.CompanyID, &e.Kind, &e.Pack, &e.PackVersion, &e.Rule, &e.Level, &draw, &task, &checker,
		&e.Checker, &e.CheckerPosition, &checked, &e.CheckedUser, &e.CheckedPosition, &e.Method, &e.ItemID, &e.Stratum,
		&e.Sample, &e.Quota, &results, &e.Passed, &e.Findings, &e.Proposal, &e.EmployeeSigned, &e.CustomerSigned,
		&e.OutdoorMeter, &e.Session, &e.SessionSize, &corrects, &e.CorrectionReason, &correctedBy, &parent, &e.FromLevel,
		&e.Note, &child, &created)
	if err != nil {
		return nil, err
	}
	e.DrawID, e.TaskID, e.CheckerID, e.CheckedUserID = draw.ID, task.ID, checker.ID, checked.ID
	e.CorrectsID, e.CorrectedByID, e.ParentID = corrects.ID, correctedBy.ID, parent.ID
	if e.Kind == KindEscalation {
		e.DecisionID = child.ID
	} else {
		e.EscalationID = child.ID
	}
	e.CreatedAt = store.FromMicros(created)
	if err := json.Unmarshal([]byte(results), &e.Results); err != nil {
		return nil, err
	}
	if pack, ok := s.packs.Version(e.Pack, e.PackVersion); ok {
		if r, ok := pack.Sampling.Rule(e.Rule); ok {
			e.RuleName = r.Name.ZH
			items := Checklist(&pack.Sampling, r, e.Stratum)
			for i := range e.Results {
				for _, it := range items {
					if it.Key == e.Results[i].Item {
						e.Results[i].Name = it.Name.ZH
					}
				}
			}
		}
	}
	return &e, nil
}

// loadEntry reads a ledger entry p may see, or 404.
func (s *Service) loadEntry(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) (*Entry, error) {
	cond, args := visible(p, "e.company_id")
	e, err := s.scanEntry(c.QueryRow(ctx, "SELECT "+entryColumns+" FROM sampling_ledger e WHERE e.id = ? AND "+cond,
		append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("entry")
	}
	return e, err
}

// GetEntry returns a ledger entry p may see, with the hazards it registered.
func (s *Service) GetEntry(ctx context.Context, p *auth.Principal, id store.ID) (*Entry, error) {
	if err := mayRead(p); err != nil {
		return nil, err
	}
	r := s.db.Reader()
	e, err := s.loadEntry(ctx, r, p, id)
	if err != nil {
		return nil, err
	}
	e.HazardIDs, err = store.QueryAll(ctx, r, func(sc store.Scanner) (store.ID, error) {
		var id store.ID
		return id, sc.Scan(&id)
	}, `SELECT hazard_id FROM sampling_ledger_hazards WHERE entry_id = ? ORDER BY hazard_id`, id)
	return e, err
}

// LedgerFilter selects ledger entries; zero fields do not filter.
type LedgerFilter struct {
	Kind          string
	Rule          string
	DrawID        store.ID
	CheckerID     store.ID
	CheckedUserID store.ID
	Month         string // YYYY-MM of the entry
	Failed        bool   // verifications with a failed item
	Pending       bool   // escalations awaiting their decision
	Limit         int    // default 50, at most 500
	Before        store.ID
}

// ListEntries returns the ledger entries p may see, newest first.
func (s *Service) ListEntries(ctx context.Context, p *auth.Principal, f LedgerFilter) ([]*Entry, error) {
	err := mayRead(p)
	if err != nil {
		return nil, err
	}
	if f.Limit, err = apperr.PageLimit(f.Limit); err != nil {
		return nil, err
	}
	if f.Kind != "" && !slices.Contains([]string{KindVerification, KindEscalation, KindDecision}, f.Kind) {
		return nil, apperr.Validation("kind", i18n.T("须为 verification、escalation 或 decision", "must be verification, escalation or decision"))
	}
	cond, args := visible(p, "e.company_id")
	where := []string{cond}
	add := func(c string, a ...any) { where, args = append(where, c), append(args, a...) }
	if f.Kind != "" {
		add("e.kind = ?", f.Kind)
	}
	if f.Rule != "" {
		add("e.rule = ?", f.Rule)
	}
	if f.DrawID != 0 {
		add("e.draw_id = ?", f.DrawID)
	}
	if f.CheckerID != 0 {
		add("e.checker_id = ?", f.CheckerID)
	}
	if f.CheckedUserID != 0 {
		add("e.checked_user_id = ?", f.CheckedUserID)
	}
	if f.Month != "" {
		pd, err := ParsePeriod("month", f.Month)
		if err != nil {
			return nil, apperr.Validation("month", i18n.T("须为年月（YYYY-MM）", "must be a month (YYYY-MM)"))
		}
		add("e.created_at >= ? AND e.created_at < ?", store.Micros(pd.From.Midnight(store.Zone)), store.Micros(pd.To.Midnight(store.Zone)))
	}
	if f.Failed {
		add("e.kind = ? AND e.passed = ?", KindVerification, false)
	}
	if f.Pending {
		add("e.kind = ? AND NOT EXISTS (SELECT 1 FROM sampling_ledger x WHERE x.parent_id = e.id)", KindEscalation)
	}
	if f.Before != 0 {
		add("e.id < ?", f.Before)
	}
	return store.QueryAll(ctx, s.db.Reader(), s.scanEntry, "SELECT "+entryColumns+" FROM sampling_ledger e WHERE "+
		strings.Join(where, " AND ")+" ORDER BY e.id DESC LIMIT ?", append(args, f.Limit)...)
}

// Escalate passes a problem to the next level's checkers with a note
// (SMP-013: every problem is escalated level by level): a verification
// with a failed item, or a level's decision. The escalation is a ledger
// entry; the next level's people are told.
func (s *Service) Escalate(ctx context.Context, p *auth.Principal, id store.ID, note string) (*Entry, error) {
	if err := mayRead(p); err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	if err := text("note", note); err != nil {
		return nil, err
	}
	var escID store.ID
	err := s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		e, err := s.loadEntry(ctx, tx, p, id)
		if err != nil {
			return err
		}
		switch {
		case e.Kind == KindEscalation:
			return apperr.Conflict("kind", i18n.T("上报须由本级作出处理决定后再上报", "an escalation is decided before it goes further"))
		case e.Kind == KindVerification && e.Passed:
			return apperr.Conflict("kind", i18n.T("核查全部合格，没有问题可上报", "every item passed: there is nothing to escalate"))
		case e.CorrectedByID != 0:
			return apperr.Conflict("corrected_by_id", i18n.T("此记录已被更正，请上报更正后的记录", "the entry was corrected; escalate the correction"))
		case e.EscalationID != 0:
			return apperr.Conflict("escalation_id", i18n.T("已上报", "escalated already"))
		}
		pack, ok := s.packs.Version(e.Pack, e.PackVersion)
		if !ok {
			return apperr.Conflict("pack", i18n.T("政策包版本已不存在", "the pack version is gone"))
		}
		sr := &pack.Sampling
		next := 0
		for _, l := range sr.Levels {
			if l.Level > e.Level && (next == 0 || l.Level < next) {
				next = l.Level
			}
		}
		if next == 0 {
			return apperr.Conflict("level", i18n.T("已是最高一级监督", "this is the top supervision level"))
		}
		if !p.IsAdmin() && p.UserID != e.CheckerID && !(p.Can(auth.PermSamplingWrite) && holdsLevel(sr, e.Level, p)) {
			return apperr.Forbidden(i18n.T("只有本级检查人可以上报", "only the checkers of this level escalate"))
		}
		now := s.now()
		escID, err = tx.InsertID(ctx, `INSERT INTO sampling_ledger (company_id, kind, pack, pack_version, rule, level, draw_id,
			task_id, checker_id, checked_user_id, checked_position, method, item_id, stratum, sample, quota, passed, parent_id,
			from_level, note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			RETURNING id`, e.CompanyID, KindEscalation, e.Pack, e.PackVersion, e.Rule, next, store.OptionalID(e.DrawID), store.OptionalID(e.TaskID),
			p.UserRef(), store.OptionalID(e.CheckedUserID), e.CheckedPosition, e.Method, e.ItemID, e.Stratum, e.Sample, e.Quota, false,
			e.ID, e.Level, note, p.UserRef(), store.Micros(now))
		if err != nil {
			return err
		}
		users, err := org.UsersWithRoles(ctx, tx, e.CompanyID, checkerRoles(sr, next))
		if err != nil {
			return err
		}
		if err := s.send(ctx, tx, notify.Message{Event: "sampling.escalated", Users: users,
			Title: i18n.T("稽查问题上报至第 %[1]d 级：%[2]s", "Sampling problem escalated to level %[1]d: %[2]s", next, e.CheckedUser),
			Link:  "/sampling/ledger/" + escID.String(), Object: "sampling_entry", ObjectID: escID,
			Payload: map[string]any{"entry_id": escID, "escalated_id": e.ID, "company_id": e.CompanyID, "from_level": e.Level,
				"to_level": next, "rule": e.Rule, "checked_user_id": e.CheckedUserID, "rule_id": "SMP-013"}}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "sampling.escalate", "sampling_entry", escID.String(),
			map[string]any{"escalated": e.ID, "from_level": e.Level, "to_level": next})
	})
	if err != nil {
		return nil, err
	}
	return s.GetEntry(ctx, p, escID)
}

// Decide records the decision of the level an escalation reached: only
// its checkers decide, once; the decision may be escalated further.
func (s *Service) Decide(ctx context.Context, p *auth.Principal, id store.ID, decision string) (*Entry, error) {
	if err := mayRead(p); err != nil {
		return nil, err
	}
	decision = strings.TrimSpace(decision)
	if err := text("decision", decision); err != nil {
		return nil, err
	}
	var decID store.ID
	err := s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		e, err := s.loadEntry(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if e.Kind != KindEscalation {
			return apperr.Conflict("kind", i18n.T("只能对上报的问题作出决定", "only an escalation is decided"))
		}
		if e.DecisionID != 0 {
			return apperr.Conflict("decision_id", i18n.T("已作出决定", "decided already"))
		}
		pack, ok := s.packs.Version(e.Pack, e.PackVersion)
		if !ok {
			return apperr.Conflict("pack", i18n.T("政策包版本已不存在", "the pack version is gone"))
		}
		if !p.IsAdmin() && !holdsLevel(&pack.Sampling, e.Level, p) {
			return apperr.Forbidden(i18n.T("只有第 %d 级检查人可以作出决定", "only the checkers of level %d decide", e.Level))
		}
		now := s.now()
		decID, err = tx.InsertID(ctx, `INSERT INTO sampling_ledger (company_id, kind, pack, pack_version, rule, level, draw_id,
			task_id, checker_id, checked_user_id, checked_position, method, item_id, stratum, sample, quota, passed, parent_id,
			from_level, note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			RETURNING id`, e.CompanyID, KindDecision, e.Pack, e.PackVersion, e.Rule, e.Level, store.OptionalID(e.DrawID), store.OptionalID(e.TaskID),
			p.UserRef(), store.OptionalID(e.CheckedUserID), e.CheckedPosition, e.Method, e.ItemID, e.Stratum, e.Sample, e.Quota, false,
			e.ID, e.FromLevel, decision, p.UserRef(), store.Micros(now))
		if err != nil {
			return err
		}
		if err := s.send(ctx, tx, notify.Message{Event: "sampling.decided", Users: []store.ID{e.CheckerID},
			Title: i18n.T("第 %[1]d 级已对稽查问题作出决定：%[2]s", "Level %[1]d decided on the sampling problem: %[2]s", e.Level, e.CheckedUser),
			Link:  "/sampling/ledger/" + decID.String(), Object: "sampling_entry", ObjectID: decID,
			Payload: map[string]any{"entry_id": decID, "escalation_id": e.ID, "level": e.Level, "rule_id": "SMP-013"}}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "sampling.decide", "sampling_entry", decID.String(), map[string]any{"escalation": e.ID, "level": e.Level})
	})
	if err != nil {
		return nil, err
	}
	return s.GetEntry(ctx, p, decID)
}

// text checks a required free text.
func text(field, v string) error {
	if v == "" {
		return apperr.Required(field)
	}
	if utf8.RuneCountInString(v) > MaxText {
		return apperr.Validation(field, i18n.T("不能超过 %d 个字符", "at most %d characters", MaxText))
	}
	return nil
}
