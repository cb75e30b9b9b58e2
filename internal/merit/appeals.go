package merit

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/notify"
	"kefu/internal/store"
)

// Appeal states (MER-006).
const (
	AppealMediation     = "mediation"     // filed, with the supervisor
	AppealMediated      = "mediated"      // the supervisor's outcome applies; the appellant accepts or escalates
	AppealInvestigation = "investigation" // with the next level and HR
	AppealResolved      = "resolved"
)

// Appeal outcomes.
const (
	OutcomeUpheld    = "upheld"
	OutcomeChanged   = "changed"
	OutcomeWithdrawn = "withdrawn"
)

// Appeal steps, as merit_appeal_steps records them.
const (
	StepFiled     = "filed"
	StepMediated  = "mediated"
	StepAccepted  = "accepted"
	StepEscalated = "escalated"
	StepResolved  = "resolved"
)

// EventAppeal tells the next actor of an appeal: the supervisors when one
// is filed, the appellant when it is mediated or resolved, the deciders
// when it is escalated.
const EventAppeal = "merit.appeal"

// maxEvidence is the longest evidence an appeal takes, in characters.
const maxEvidence = 2000

// Appeal is an appeal against an entry.
type Appeal struct {
	ID          store.ID     `json:"id"`
	CompanyID   store.ID     `json:"company_id"`
	EntryID     store.ID     `json:"entry_id"`
	UserID      store.ID     `json:"user_id"`
	User        string       `json:"user"`
	State       string       `json:"state"`
	Evidence    string       `json:"evidence"`
	Outcome     string       `json:"outcome,omitempty"`
	ResultEntry store.ID     `json:"result_entry_id,omitempty"`
	FiledAt     time.Time    `json:"filed_at"`
	ResolvedAt  *time.Time   `json:"resolved_at,omitempty"`
	Steps       []AppealStep `json:"steps"`
}

// AppealStep is one step of an appeal.
type AppealStep struct {
	ID        store.ID  `json:"id"`
	Step      string    `json:"step"`
	Outcome   string    `json:"outcome,omitempty"`
	ActorID   store.ID  `json:"actor_id"`
	ActorName string    `json:"actor_name"`
	Note      string    `json:"note,omitempty"`
	At        time.Time `json:"at"`
}

// AppealInput files an appeal.
type AppealInput struct {
	Evidence string `json:"evidence"`
}

// OutcomeInput is a mediator's or investigator's outcome; a change gives
// the new kind, amount or points.
type OutcomeInput struct {
	Outcome string `json:"outcome"`
	Note    string `json:"note"`
	Kind    string `json:"kind,omitempty"`
	Amount  string `json:"amount,omitempty"`
	Points  int    `json:"points,omitempty"`
}

// AppealFilter selects appeals.
type AppealFilter struct {
	State  string
	UserID store.ID
}

// appealColumns are the columns scanAppeal reads (appeal a, appellant u).
const appealColumns = `a.id, a.company_id, a.entry_id, a.user_id, u.display_name, a.state, a.evidence, a.outcome,
	a.result_entry_id, a.filed_at, a.resolved_at FROM merit_appeals a JOIN users u ON u.id = a.user_id`

// scanAppeal reads one row of appealColumns; its steps are left empty.
func scanAppeal(sc store.Scanner) (Appeal, error) {
	var a Appeal
	var result store.NullID
	var filed, resolved int64
	err := sc.Scan(&a.ID, &a.CompanyID, &a.EntryID, &a.UserID, &a.User, &a.State, &a.Evidence, &a.Outcome,
		&result, &filed, &resolved)
	a.ResultEntry, a.FiledAt, a.ResolvedAt = result.ID, store.FromMicros(filed), instant(resolved)
	a.Steps = []AppealStep{}
	return a, err
}

// appealSteps are the steps of an appeal, oldest first, with the actors'
// names.
func appealSteps(ctx context.Context, c store.Conn, id store.ID) ([]AppealStep, error) {
	steps, err := store.QueryAll(ctx, c, func(sc store.Scanner) (AppealStep, error) {
		var st AppealStep
		var at int64
		err := sc.Scan(&st.ID, &st.Step, &st.Outcome, &st.ActorID, &st.ActorName, &st.Note, &at)
		st.At = store.FromMicros(at)
		return st, err
	}, `SELECT s.id, s.step, s.outcome, s.actor_id, u.display_name, s.note, s.created_at FROM merit_appeal_steps s
		JOIN users u ON u.id = s.actor_id WHERE s.appeal_id = ? ORDER BY s.id`, id)
	if steps == nil {
		steps = []AppealStep{}
	}
	return steps, err
}

// readAppeal reads an appeal with its steps; sql.ErrNoRows when there is
// none.
func readAppeal(ctx context.Context, c store.Conn, id store.ID) (*Appeal, error) {
	a, err := scanAppeal(c.QueryRow(ctx, "SELECT "+appealColumns+" WHERE a.id = ?", id))
	if err != nil {
		return nil, err
	}
	if a.Steps, err = appealSteps(ctx, c, id); err != nil {
		return nil, err
	}
	return &a, nil
}

// visibleAppeal reads an appeal p may read — their own, or one of a
// company in their scope when they hold merits:write — else 404 under
// "id".
func visibleAppeal(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) (*Appeal, error) {
	a, err := readAppeal(ctx, c, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("id")
	} else if err != nil {
		return nil, err
	}
	if ok, err := mayRead(ctx, c, p, a.UserID, a.CompanyID); err != nil {
		return nil, err
	} else if !ok {
		return nil, apperr.NotFound("id")
	}
	return a, nil
}

// mayAppeal refuses a caller who is nobody or lacks merits:read.
func mayAppeal(p *auth.Principal) error {
	if p == nil || !p.Can(auth.PermMeritsRead) {
		return apperr.Forbidden(i18n.T("无权处理奖惩申诉", "you may not handle merit appeals"))
	}
	return nil
}

// FileAppeal files the person's appeal against their entry (MER-006): only
// the entry's person files, against a confirmed entry, with the evidence
// that supports it (an appeal without evidence cannot be submitted), one
// open appeal per entry. The supervisors are told.
func (s *Service) FileAppeal(ctx context.Context, p *auth.Principal, entry store.ID, in AppealInput) (*Appeal, error) {
	if err := mayAppeal(p); err != nil {
		return nil, err
	}
	evidence := strings.TrimSpace(in.Evidence)
	if evidence == "" {
		return nil, apperr.Validation("evidence", i18n.T("申诉须附具体证据（MER-006）",
			"an appeal needs the specific evidence that supports it (MER-006)"))
	}
	if len([]rune(evidence)) > maxEvidence {
		return nil, apperr.Validation("evidence", i18n.T("不能超过 %d 个字", "at most %d characters", maxEvidence))
	}
	var id store.ID
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		e, err := s.getEntry(ctx, tx, entry)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("entry_id")
		} else if err != nil {
			return err
		}
		if e.UserID != p.UserID {
			if ok, err := mayRead(ctx, tx, p, e.UserID, e.CompanyID); err != nil {
				return err
			} else if !ok {
				return apperr.NotFound("entry_id")
			}
			return apperr.Forbidden(i18n.T("只有记录所涉本人可以申诉", "only the person the entry is about may appeal it"))
		}
		if e.State != StateConfirmed {
			return apperr.Conflict("entry_id", i18n.T("只能对已确认的记录申诉", "only a confirmed entry can be appealed"))
		}
		var open int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM merit_appeals WHERE entry_id = ? AND state <> ?`,
			entry, AppealResolved).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return openAppeal()
		}
		now := s.now()
		id, err = tx.InsertID(ctx, `INSERT INTO merit_appeals (company_id, entry_id, user_id, state, evidence, filed_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, e.CompanyID, entry, p.UserID, AppealMediation, evidence, store.Micros(now))
		if store.IsUniqueViolation(err) {
			return openAppeal()
		} else if err != nil {
			return err
		}
		if err := addStep(ctx, tx, id, StepFiled, "", p.UserID, "", now); err != nil {
			return err
		}
		supervisors, err := s.supervisorsOf(ctx, tx, e.UnitID, e.CompanyID, p.UserID)
		if err != nil {
			return err
		}
		if err := s.tellAppeal(ctx, tx, id, entry, AppealMediation, supervisors,
			i18n.T("奖惩申诉待调解：%[1]s", "A merit appeal awaits mediation: %[1]s", e.User)); err != nil {
			return err
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "merit.appeal.file", "merit_appeal", id.String(),
			map[string]any{"entry": entry, "state": AppealMediation})
	})
	if err != nil {
		return nil, err
	}
	return readAppeal(ctx, s.db.Reader(), id)
}

// openAppeal is the refusal of a second open appeal against an entry.
func openAppeal() error {
	return apperr.Conflict("entry_id", i18n.T("该记录已有未结的申诉", "the entry already has an open appeal"))
}

// Appeals lists appeals, newest first (at most apperr.MaxPageLimit): a
// person's own, and for holders of merits:write those of the companies in
// their scope.
func (s *Service) Appeals(ctx context.Context, p *auth.Principal, f AppealFilter) ([]Appeal, error) {
	if err := mayAppeal(p); err != nil {
		return nil, err
	}
	where, args := []string{"1=1"}, []any{}
	if readsOthers(p) {
		cond, cargs := rowScope(p, "a.company_id")
		where, args = append(where, cond), append(args, cargs...)
	} else {
		if f.UserID != 0 && f.UserID != p.UserID {
			return nil, apperr.Forbidden(i18n.T("只能查看本人的申诉", "you may read only your own appeals"))
		}
		where, args = append(where, "a.user_id = ?"), append(args, p.UserID)
	}
	switch f.State {
	case "":
	case AppealMediation, AppealMediated, AppealInvestigation, AppealResolved:
		where, args = append(where, "a.state = ?"), append(args, f.State)
	default:
		return nil, apperr.Validation("state", i18n.T("未知状态 %q", "unknown state %q", f.State))
	}
	if f.UserID != 0 {
		where, args = append(where, "a.user_id = ?"), append(args, f.UserID)
	}
	out, err := store.QueryAll(ctx, s.db.Reader(), scanAppeal, "SELECT "+appealColumns+" WHERE "+
		strings.Join(where, " AND ")+" ORDER BY a.id DESC LIMIT ?", append(args, apperr.MaxPageLimit)...)
	if out == nil {
		out = []Appeal{}
	}
	return out, err
}

// GetAppeal returns an appeal with its steps and who took them.
func (s *Service) GetAppeal(ctx context.Context, p *auth.Principal, id store.ID) (*Appeal, error) {
	if err := mayAppeal(p); err != nil {
		return nil, err
	}
	return visibleAppeal(ctx, s.db.Reader(), p, id)
}

// addStep appends a step to an appeal.
func addStep(ctx context.Context, tx store.Conn, appeal store.ID, step, outcome string, actor store.ID, text string, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO merit_appeal_steps (appeal_id, step, outcome, actor_id, note, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, appeal, step, outcome, actor, text, store.Micros(now))
	return err
}

// tellAppeal tells users of an appeal's step (EventAppeal).
func (s *Service) tellAppeal(ctx context.Context, tx store.Conn, id, entry store.ID, state string, users []store.ID, title i18n.Text) error {
	if s.notify == nil {
		return nil
	}
	return s.notify.Send(ctx, tx, notify.Message{Event: EventAppeal, Users: users, Title: title,
		Link: "/merits/appeals/" + id.String(), Object: "merit_appeal", ObjectID: id,
		Payload: map[string]any{"appeal_id": id, "entry_id": entry, "state": state}})
}
