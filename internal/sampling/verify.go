package sampling

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/hazard"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Check results.
const (
	ResultPass = "pass"
	ResultFail = "fail"
)

// ItemResult is one checklist item scored.
type ItemResult struct {
	Item   string `json:"item"`
	Result string `json:"result"` // pass, fail
	Note   string `json:"note,omitempty"`
	Name   string `json:"name,omitempty"` // the item's name, when read
}

// HazardInput is a hazard a check found (SMP-016), registered in the
// hazard register with source "sampling".
type HazardInput struct {
	Description    string   `json:"description"`
	Location       string   `json:"location,omitempty"`
	Severity       string   `json:"severity,omitempty"`       // minor, general, larger, serious (INS-018)
	Responsibility string   `json:"responsibility,omitempty"` // customer, company
	CustomerID     store.ID `json:"customer_id,omitempty"`
	FixedOnSite    bool     `json:"fixed_on_site,omitempty"`
}

// VerifyInput is the verification of one task (SMP-013).
type VerifyInput struct {
	// Method is how the item was checked; default the task's method.
	Method string `json:"method,omitempty"`
	// CheckerPosition: the verifier's position when they are not the
	// task's assigned checker (SMP-002).
	CheckerPosition string `json:"checker_position,omitempty"`
	// Results score every item of the rule's checklist (or the task's
	// stratum when the rule has no checklist).
	Results  []ItemResult `json:"results"`
	Findings string       `json:"findings,omitempty"`
	// Proposal is the handling proposal, required when an item failed.
	Proposal string `json:"proposal,omitempty"`
	// Signatures of an on-site check: the inspected employee's always, the
	// customer's unless the meter hangs outdoors (SMP-013). An e-signature
	// image (data: URL) or "paper" for a signed paper record.
	EmployeeSignature string `json:"employee_signature,omitempty"`
	CustomerSignature string `json:"customer_signature,omitempty"`
	// OutdoorMeter: the item is an outdoor-hung meter; default the
	// stratum's outdoor_meter.
	OutdoorMeter *bool         `json:"outdoor_meter,omitempty"`
	Hazards      []HazardInput `json:"hazards,omitempty"`
	// CorrectionReason: verifying a verified task again is a correction, a
	// new ledger entry naming the one it corrects (SMP-013, SEC-002).
	CorrectionReason string `json:"correction_reason,omitempty"`
}

// SessionTask is one task of a verification session.
type SessionTask struct {
	TaskID store.ID `json:"task_id"`
	VerifyInput
}

// SessionInput verifies several tasks of one draw in one check session
// (SMP-009: at least the rule's session minimum).
type SessionInput struct {
	Tasks []SessionTask `json:"tasks"`
}

// maxSignature is the largest signature image accepted.
const maxSignature = 512 << 10

// Verify records the verification of one task in the ledger. A rule with
// a session minimum (SMP-009) takes single tasks only when they are all
// that is left open; otherwise use VerifySession.
func (s *Service) Verify(ctx context.Context, p *auth.Principal, taskID store.ID, in VerifyInput) (*Entry, error) {
	if err := mayRead(p); err != nil {
		return nil, err
	}
	if err := in.check(""); err != nil {
		return nil, err
	}
	var id store.ID
	err := s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		t, d, err := s.loadTask(ctx, tx, p, taskID)
		if err != nil {
			return err
		}
		v, err := s.verifier(ctx, tx, p, d, in.CheckerPosition, t.Status == TaskVerified)
		if err != nil {
			return err
		}
		session := ""
		if t.Status == TaskOpen {
			open, err := openTasks(ctx, tx, d.ID)
			if err != nil {
				return err
			}
			if err := CheckSession(v.rule, 1, open); err != nil {
				return err
			}
			session = fmt.Sprintf("%d-%d", d.ID, store.Micros(s.now()))
		}
		id, err = s.verifyOne(ctx, tx, p, v, t, in, "", session, 1)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.GetEntry(ctx, p, id)
}

// VerifySession records a check session of several open tasks of one draw
// (SMP-009: a session below the rule's minimum is refused, unless it
// covers every task still open). Nothing is recorded when any task fails.
func (s *Service) VerifySession(ctx context.Context, p *auth.Principal, drawID store.ID, in SessionInput) ([]*Entry, error) {
	if err := mayRead(p); err != nil {
		return nil, err
	}
	if len(in.Tasks) == 0 {
		return nil, apperr.Required("tasks")
	}
	seen := map[store.ID]bool{}
	for i, st := range in.Tasks {
		prefix := fmt.Sprintf("tasks[%d].", i)
		if st.TaskID == 0 {
			return nil, apperr.Required(prefix + "task_id")
		}
		if seen[st.TaskID] {
			return nil, apperr.Validation(prefix+"task_id", i18n.T("任务重复", "the task is listed twice"))
		}
		seen[st.TaskID] = true
		if err := st.check(prefix); err != nil {
			return nil, err
		}
	}
	var ids []store.ID
	err := s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		d, err := s.loadDraw(ctx, tx, p, drawID)
		if err != nil {
			return err
		}
		v, err := s.verifier(ctx, tx, p, d, in.Tasks[0].CheckerPosition, false)
		if err != nil {
			return err
		}
		open, err := openTasks(ctx, tx, d.ID)
		if err != nil {
			return err
		}
		if err := CheckSession(v.rule, len(in.Tasks), open); err != nil {
			return err
		}
		session := fmt.Sprintf("%d-%d", d.ID, store.Micros(s.now()))
		for i, st := range in.Tasks {
			prefix := fmt.Sprintf("tasks[%d].", i)
			t, td, err := s.loadTask(ctx, tx, p, st.TaskID)
			if apperr.Is(err, apperr.CodeNotFound) || err == nil && td.ID != d.ID {
				return apperr.Validation(prefix+"task_id", i18n.T("不是本次抽样的任务", "not a task of this draw"))
			} else if err != nil {
				return err
			}
			if t.Status != TaskOpen {
				return apperr.Conflict(prefix+"task_id", i18n.T("任务已核查", "the task is verified already"))
			}
			id, err := s.verifyOne(ctx, tx, p, v, t, st.VerifyInput, prefix, session, len(in.Tasks))
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]*Entry, 0, len(ids))
	for _, id := range ids {
		e, err := s.GetEntry(ctx, p, id)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// check validates what needs no database.
func (in *VerifyInput) check(prefix string) error {
	if len(in.Results) == 0 {
		return apperr.Validation(prefix+"results", i18n.T("请逐项填写检查结果", "score the checklist items"))
	}
	for field, text := range map[string]string{"findings": in.Findings, "proposal": in.Proposal,
		"correction_reason": in.CorrectionReason} {
		if utf8.RuneCountInString(text) > MaxText {
			return apperr.Validation(prefix+field, i18n.T("不能超过 %d 个字符", "at most %d characters", MaxText))
		}
	}
	for field, sig := range map[string]string{"employee_signature": in.EmployeeSignature, "customer_signature": in.CustomerSignature} {
		if len(sig) > maxSignature {
			return apperr.Validation(prefix+field, i18n.T("签名图片过大", "the signature image is too large"))
		}
	}
	if len(in.Hazards) > 50 {
		return apperr.Validation(prefix+"hazards", i18n.T("一次最多 50 项", "at most 50"))
	}
	for i, h := range in.Hazards {
		if strings.TrimSpace(h.Description) == "" {
			return apperr.Required(fmt.Sprintf("%shazards[%d].description", prefix, i))
		}
	}
	return nil
}

// verifierCtx is who verifies the tasks of a draw, as what, under which rule.
type verifierCtx struct {
	draw     *DrawRecord
	pack     *policy.Pack
	rule     *policy.SamplingRule
	position string
}

// verifier checks that p may verify the draw's tasks: the draw is open
// (or, for a correction, not cancelled), and p is its assigned checker, or
// holds sampling:write and a checker position the level matrix allows for
// the checked position (SMP-002).
func (s *Service) verifier(ctx context.Context, tx store.Conn, p *auth.Principal, d *DrawRecord, named string, correction bool) (*verifierCtx, error) {
	if d.Status == DrawCancelled || d.Status == DrawClosed && !correction {
		return nil, apperr.Conflict("status", i18n.T("抽样已结束或已作废，不能再核查", "the draw is closed or cancelled"))
	}
	pack, ok := s.packs.Version(d.Pack, d.PackVersion)
	if !ok {
		return nil, fmt.Errorf("sampling: pack %s v%d is gone", d.Pack, d.PackVersion)
	}
	rule, ok := pack.Sampling.Rule(d.Rule)
	if !ok {
		return nil, apperr.Conflict("rule", i18n.T("抽查规则已不存在", "the sampling rule no longer exists"))
	}
	v := &verifierCtx{draw: d, pack: pack, rule: rule}
	switch {
	case p.UserID == d.CheckerID && (named == "" || named == d.CheckerPosition):
		v.position = d.CheckerPosition
	case p.IsAdmin():
		v.position = cmpOr(named, d.CheckerPosition)
	case p.Can(auth.PermSamplingWrite):
		me, err := loadPerson(ctx, tx, p, p.UserID, "checker_position")
		if err != nil {
			return nil, err
		}
		if v.position, err = checkerPosition(&pack.Sampling, rule, me, named, d.CheckedPosition); err != nil {
			return nil, err
		}
	default:
		return nil, apperr.Forbidden(i18n.T("只有指派的检查人可以核查此任务", "only the assigned checker may verify this task"))
	}
	return v, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// loadTask reads a task and its draw, p may see, or 404.
func (s *Service) loadTask(ctx context.Context, tx store.Conn, p *auth.Principal, id store.ID) (*Task, *DrawRecord, error) {
	cond, args := visible(p, "t.company_id")
	t, err := scanTask(tx.QueryRow(ctx, "SELECT "+taskColumns+" FROM sampling_tasks t WHERE t.id = ? AND "+cond,
		append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, apperr.NotFound("task")
	} else if err != nil {
		return nil, nil, err
	}
	d, err := s.loadDraw(ctx, tx, p, t.DrawID)
	return &t, d, err
}

func openTasks(ctx context.Context, tx store.Conn, draw store.ID) (int, error) {
	var n int
	err := tx.QueryRow(ctx, `SELECT count(*) FROM sampling_tasks WHERE draw_id = ? AND status = ?`, draw, TaskOpen).Scan(&n)
	return n, err
}

// Checklist is what a task of the rule scores: the rule's checklist, or —
// for a rule without one, such as SMP-003's strata — the stratum's own
// check, or a single overall result.
func Checklist(sr *policy.SamplingRules, rule *policy.SamplingRule, stratum string) []policy.SamplingCheckItem {
	if c, ok := sr.Checklist(rule.Checklist); ok {
		return c.Items
	}
	if st, ok := rule.Stratum(stratum); ok {
		return []policy.SamplingCheckItem{{Key: st.Key, Name: st.Name, Rules: st.Rules}}
	}
	return []policy.SamplingCheckItem{{Key: "overall", Name: policy.Name{ZH: "核查结果", EN: "Result"}}}
}

// verifyOne validates one task's verification against its rule and writes
// the ledger entry, the hazards found and the task's new state.
func (s *Service) verifyOne(ctx context.Context, tx store.Conn, p *auth.Principal, v *verifierCtx, t *Task, in VerifyInput,
	prefix, session string, size int) (store.ID, error) {
	sr, rule, d := &v.pack.Sampling, v.rule, v.draw
	var corrects store.ID
	reason := strings.TrimSpace(in.CorrectionReason)
	if t.Status == TaskVerified {
		if reason == "" {
			return 0, apperr.Validation(prefix+"correction_reason", i18n.T("任务已核查；更正须说明原因（台帐只增不改）",
				"the task is verified; a correction needs its reason (the ledger is append-only)"))
		}
		corrects = t.EntryID
	} else {
		reason = ""
	}
	items := Checklist(sr, rule, t.Stratum)
	scored := map[string]bool{}
	failed := false
	for i := range in.Results {
		r := &in.Results[i]
		field := fmt.Sprintf("%sresults[%d]", prefix, i)
		if !slices.ContainsFunc(items, func(it policy.SamplingCheckItem) bool { return it.Key == r.Item }) {
			return 0, apperr.Validation(field+".item", i18n.T("检查表没有此项 %q", "the checklist has no item %q", r.Item))
		}
		if scored[r.Item] {
			return 0, apperr.Validation(field+".item", i18n.T("检查项 %q 重复", "item %q scored twice", r.Item))
		}
		scored[r.Item] = true
		if r.Result != ResultPass && r.Result != ResultFail {
			return 0, apperr.Validation(field+".result", i18n.T("须为 pass 或 fail", "must be pass or fail"))
		}
		if utf8.RuneCountInString(r.Note) > MaxText {
			return 0, apperr.Validation(field+".note", i18n.T("不能超过 %d 个字符", "at most %d characters", MaxText))
		}
		r.Name = ""
		failed = failed || r.Result == ResultFail
	}
	for _, it := range items {
		if !scored[it.Key] {
			return 0, apperr.Validation(prefix+"results", i18n.T("检查项“%[1]s”未填写", "item %[2]q is not scored", it.Name.ZH, it.Key))
		}
	}
	method := in.Method
	switch {
	case t.Method != "" && method == "":
		method = t.Method
	case t.Method != "" && method != t.Method:
		return 0, apperr.Validation(prefix+"method", i18n.T("此任务抽定的核查方式为 %q", "this task was drawn for %q", t.Method))
	case method == "":
		return 0, apperr.Required(prefix + "method")
	case !slices.Contains(rule.Methods, method):
		return 0, apperr.Validation(prefix+"method", i18n.T("规则 %[1]q 不用此核查方式", "rule %[1]q does not check by %[2]q", rule.Key, method))
	}
	proposal := strings.TrimSpace(in.Proposal)
	if failed && proposal == "" {
		return 0, apperr.Validation(prefix+"proposal", i18n.T("发现问题须提出处理意见（SMP-013）", "a problem needs a handling proposal (SMP-013)"))
	}
	outdoor := false
	if st, ok := rule.Stratum(t.Stratum); ok {
		outdoor = st.OutdoorMeter
	}
	if in.OutdoorMeter != nil {
		outdoor = *in.OutdoorMeter
	}
	empSig, custSig := strings.TrimSpace(in.EmployeeSignature), strings.TrimSpace(in.CustomerSignature)
	if method == policy.SampleOnSite {
		if empSig == "" {
			return 0, apperr.Validation(prefix+"employee_signature", i18n.T("现场核查须有受检人员签名（SMP-013）",
				"an on-site check needs the inspected employee's signature (SMP-013)"))
		}
		if custSig == "" && !outdoor {
			return 0, apperr.Validation(prefix+"customer_signature", i18n.T("现场核查须有客户签名，户外挂表除外（SMP-013）",
				"an on-site check needs the customer's signature, outdoor-hung meters excepted (SMP-013)"))
		}
	}
	if len(in.Hazards) > 0 && s.hz == nil {
		return 0, apperr.Validation(prefix+"hazards", i18n.T("隐患登记不可用", "the hazard register is not available"))
	}
	results, _ := json.Marshal(in.Results)
	now := s.now()
	id, err := tx.InsertID(ctx, `INSERT INTO sampling_ledger (company_id, kind, pack, pack_version, rule, level, draw_id, task_id,
		checker_id, checker_position, checked_user_id, checked_position, method, item_id, stratum, sample, quota, results, passed,
		findings, proposal, employee_signature, customer_signature, outdoor_meter, session, session_size, corrects_id,
		correction_reason, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		d.CompanyID, KindVerification, d.Pack, d.PackVersion, d.Rule, d.Level, d.ID, t.ID, p.UserRef(), v.position,
		d.CheckedUserID, d.CheckedPosition, method, t.ItemID, t.Stratum, d.TaskCount, d.Plan.Quota, string(results), !failed,
		strings.TrimSpace(in.Findings), proposal, empSig, custSig, outdoor, session, size,
		store.NullID{ID: corrects, Valid: corrects != 0}, reason, p.UserRef(), store.Micros(now))
	if err != nil {
		return 0, err
	}
	for i, h := range in.Hazards {
		hid, err := s.hz.RegisterIn(ctx, tx, p, hazard.Finding{Source: "sampling", SourceID: id, CompanyID: d.CompanyID,
			CustomerID: h.CustomerID, Location: h.Location, Description: strings.TrimSpace(h.Description),
			Severity: h.Severity, Responsibility: h.Responsibility, FixedOnSite: h.FixedOnSite})
		if e, ok := apperr.As(err); ok && e.Field != "" {
			e.Field = fmt.Sprintf("%shazards[%d].%s", prefix, i, e.Field)
			return 0, e
		} else if err != nil {
			return 0, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO sampling_ledger_hazards (entry_id, hazard_id) VALUES (?, ?)`, id, hid); err != nil {
			return 0, err
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE sampling_tasks SET status = ?, entry_id = ?, verified_at = ? WHERE id = ?`,
		TaskVerified, id, store.Micros(now), t.ID); err != nil {
		return 0, err
	}
	return id, audit.Record(ctx, tx, now, "sampling.verify", "sampling_entry", id.String(), map[string]any{"task_id": t.ID,
		"method": method, "passed": !failed, "corrects": corrects, "hazards": len(in.Hazards)})
}
