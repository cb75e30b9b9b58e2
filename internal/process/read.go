package process

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Get returns a process with its rounds, facts, checklist, documents and
// timeline, or 404 when p may not see it.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id store.ID) (*Process, error) {
	if !p.Can(auth.PermProcessesRead) {
		return nil, apperr.Forbidden(i18n.T("无权查看业务流程", "you may not read business processes"))
	}
	c := s.db.Reader()
	r, err := load(ctx, c, p, id)
	if err != nil {
		return nil, err
	}
	ru, err := s.open(r)
	if err != nil {
		return nil, err
	}
	out := summary(ru)
	rounds, err := steps(ctx, c, id)
	if err != nil {
		return nil, err
	}
	fs, err := facts(ctx, c, id)
	if err != nil {
		return nil, err
	}
	for _, sr := range rounds {
		run, err := s.stepRun(ctx, c, ru, sr, fs)
		if err != nil {
			return nil, err
		}
		out.Steps = append(out.Steps, run)
	}
	for _, f := range ru.def.Facts {
		if at, ok := fs[f.Key]; ok {
			out.Facts = append(out.Facts, Fact{Fact: f.Key, Name: f.Name, At: store.FromMicros(at)})
		}
	}
	got, err := received(ctx, c, id)
	if err != nil {
		return nil, err
	}
	for _, st := range ru.def.Steps {
		if !policy.Holds(st.When, ru.attrs) {
			continue
		}
		for _, it := range st.Checklist {
			e := ChecklistEntry{Item: it.Key, Name: it.Name, Step: st.Key, Required: policy.Holds(it.When, ru.attrs)}
			if at, ok := got[it.Key]; ok {
				e.ReceivedAt = timePtr(at)
			}
			out.Checklist = append(out.Checklist, e)
		}
	}
	if out.Documents, err = documents(ctx, c, id); err != nil {
		return nil, err
	}
	if out.Timeline, err = timeline(ctx, c, id); err != nil {
		return nil, err
	}
	out.Warnings = warnings(ru, rounds)
	return out, nil
}

// stepRun is a round as the API shows it.
func (s *Service) stepRun(ctx context.Context, c store.Conn, ru *run, sr *stepRow, fs map[string]int64) (StepRun, error) {
	out := StepRun{ID: sr.id, Step: sr.step, Round: sr.round, Status: sr.status, UnitID: sr.unit, Role: sr.role,
		PreviousID: sr.previous.ID, ActivatedAt: store.FromMicros(sr.activated), Calendar: sr.cal, Limits: splitList(sr.limits),
		ClockStartedAt: timePtr(sr.clockStarted), DueAt: timePtr(sr.due), WarnAt: timePtr(sr.warn), WarnedAt: timePtr(sr.warned),
		BreachedAt: timePtr(sr.breached), CompletedAt: timePtr(sr.completed), Outcome: sr.outcome, ActorID: sr.actor.ID,
		Comment: sr.comment}
	st, _, ok := ru.def.Step(sr.step)
	if ok {
		out.Name = st.Name
		if sr.status == StepActive && sr.clockStarted == 0 {
			for _, f := range st.Clock.StartsOn {
				if _, set := fs[f]; !set {
					out.Waiting = append(out.Waiting, f)
				}
			}
		}
	}
	sigs, err := signatures(ctx, c, sr.id)
	out.Signatures = sigs
	return out, err
}

// warnings are the loops beyond their usual number of rounds (PRC-017:
// more than 4 intermediate inspections).
func warnings(ru *run, rounds []*stepRow) []string {
	var out []string
	last := map[string]int{}
	for _, sr := range rounds {
		last[sr.step] = max(last[sr.step], sr.round)
	}
	for _, st := range ru.def.Steps {
		if st.MaxRounds > 0 && last[st.Key] > st.MaxRounds {
			out = append(out, fmt.Sprintf("%s：已 %d 轮，超过通常的 %d 轮（%s）", st.Name.ZH, last[st.Key], st.MaxRounds,
				strings.Join(st.Rules, ", ")))
		}
	}
	return out
}

// timeline reads the events of a process, oldest first.
func timeline(ctx context.Context, c store.Conn, process store.ID) ([]Event, error) {
	return store.QueryAll(ctx, c, func(s store.Scanner) (Event, error) {
		var e Event
		var at int64
		var actor store.NullID
		var detail string
		err := s.Scan(&e.ID, &at, &actor, &e.Actor, &e.Action, &e.Step, &e.Round, &detail, &e.Note)
		if err == nil && detail != "{}" {
			err = jsonUnmarshal(detail, &e.Detail)
		}
		e.At, e.ActorID = store.FromMicros(at), actor.ID
		return e, err
	}, "SELECT id, at, actor_id, actor, action, step, round, detail, note FROM process_events WHERE process_id = ? ORDER BY id", process)
}

// summary is the process without its details.
func summary(ru *run) *Process {
	r := ru.r
	out := &Process{ID: r.id, Number: r.number, Pack: r.pack, PackVersion: r.packVersion, Definition: r.def,
		Name: ru.def.Name, Group: ru.def.Group, Status: r.status, CustomerID: r.customer.ID, CustomerName: r.customerName,
		ServicePointID: r.point.ID, UnitID: r.unit, Attributes: r.attrs, AppliedAt: store.FromMicros(r.appliedAt),
		CurrentStep: r.currentStep, StepUnitID: r.stepUnit.ID, StepRole: r.stepRole, NextDueAt: timePtr(r.nextDue),
		Breached: r.breached, CreatedBy: r.createdBy.ID, CreatedAt: store.FromMicros(r.createdAt),
		UpdatedAt: store.FromMicros(r.updatedAt), ClosedAt: timePtr(r.closedAt)}
	if out.Attributes == nil {
		out.Attributes = map[string]any{}
	}
	return out
}

// Queues of the process list.
const (
	QueueMine     = "mine"     // current steps for one of my roles in my scope
	QueueDueSoon  = "due_soon" // current step due within DueSoon
	QueueBreached = "breached" // a step ended or is running past its deadline
)

// DueSoon is the horizon of the due_soon queue.
const DueSoon = 24 * time.Hour

// Filter selects processes; zero fields do not filter.
type Filter struct {
	Status         Status
	Definition     string
	Step           string
	CustomerID     store.ID
	ServicePointID store.ID
	StepUnitID     store.ID
	Queue          string
	Limit          int      // default 50, at most 500
	Before         store.ID // keyset: ids below this one
}

// Page is one page of processes, newest first.
type Page struct {
	Items []*Process `json:"items"`
	Next  store.ID   `json:"next,omitempty"` // Before of the next page
}

// List returns a page of processes p may see.
func (s *Service) List(ctx context.Context, p *auth.Principal, f Filter) (*Page, error) {
	if !p.Can(auth.PermProcessesRead) {
		return nil, apperr.Forbidden(i18n.T("无权查看业务流程", "you may not read business processes"))
	}
	var err error
	if f.Limit, err = apperr.PageLimit(f.Limit); err != nil {
		return nil, err
	}
	if f.Status != "" && !slices.Contains([]Status{StatusOpen, StatusCompleted, StatusCancelled}, f.Status) {
		return nil, apperr.Validation("status", i18n.T("须为 open、completed 或 cancelled", "must be open, completed or cancelled"))
	}
	cond, args := visible(p)
	where := []string{cond}
	add := func(c string, a ...any) { where = append(where, c); args = append(args, a...) }
	if f.Status != "" {
		add("pr.status = ?", string(f.Status))
	}
	if f.Definition != "" {
		add("pr.definition = ?", f.Definition)
	}
	if f.Step != "" {
		add("pr.current_step = ?", f.Step)
	}
	if f.CustomerID != 0 {
		add("pr.customer_id = ?", f.CustomerID)
	}
	if f.ServicePointID != 0 {
		add("pr.service_point_id = ?", f.ServicePointID)
	}
	if f.StepUnitID != 0 {
		add("pr.step_unit_id = ?", f.StepUnitID)
	}
	if f.Before != 0 {
		add("pr.id < ?", f.Before)
	}
	switch f.Queue {
	case "":
	case QueueMine:
		if len(p.Roles) == 0 {
			return &Page{Items: []*Process{}}, nil
		}
		roles := make([]any, len(p.Roles))
		for i, r := range p.Roles {
			roles[i] = string(r)
		}
		sc, scArgs := p.Scope().SQL("pr.step_unit_id")
		co, coArgs := companyOf(p)
		add("pr.status = ? AND pr.step_role IN ("+store.Placeholders(len(roles))+") AND ("+sc+
			" OR pr.step_unit_id = "+co+")", append(append(append([]any{string(StatusOpen)}, roles...), scArgs...), coArgs...)...)
	case QueueDueSoon:
		add("pr.status = ? AND pr.next_due_at > 0 AND pr.next_due_at <= ?", string(StatusOpen), store.Micros(s.now().Add(DueSoon)))
	case QueueBreached:
		add("pr.breached = ?", true)
	default:
		return nil, apperr.Validation("queue", i18n.T("须为 mine、due_soon 或 breached", "must be mine, due_soon or breached"))
	}
	c := s.db.Reader()
	rows, err := store.QueryAll(ctx, c, scanRow, "SELECT "+processColumns+" FROM processes pr WHERE "+
		strings.Join(where, " AND ")+" ORDER BY pr.id DESC LIMIT ?", append(args, f.Limit+1)...)
	if err != nil {
		return nil, err
	}
	page := &Page{Items: []*Process{}}
	for i, r := range rows {
		if i == f.Limit {
			page.Next = rows[i-1].id
			break
		}
		ru, err := s.open(r)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, summary(ru))
	}
	return page, nil
}

// BoardColumn is one step of a definition with the open processes at it.
type BoardColumn struct {
	Step     string      `json:"step"`
	Name     policy.Name `json:"name"`
	Open     int         `json:"open"`
	Breached int         `json:"breached"`
}

// BoardRow is one definition of the board.
type BoardRow struct {
	Definition string        `json:"definition"`
	Name       policy.Name   `json:"name"`
	Pack       string        `json:"pack"`
	Columns    []BoardColumn `json:"columns"`
	Open       int           `json:"open"`
}

// Board counts the open processes p may see by definition and current step.
func (s *Service) Board(ctx context.Context, p *auth.Principal) ([]BoardRow, error) {
	if !p.Can(auth.PermProcessesRead) {
		return nil, apperr.Forbidden(i18n.T("无权查看业务流程", "you may not read business processes"))
	}
	cond, args := visible(p)
	type count struct {
		pack, def, step string
		version         int
		open, breached  int
	}
	counts, err := store.QueryAll(ctx, s.db.Reader(), func(sc store.Scanner) (count, error) {
		var c count
		return c, sc.Scan(&c.pack, &c.version, &c.def, &c.step, &c.open, &c.breached)
	}, `SELECT pr.pack, max(pr.pack_version), pr.definition, pr.current_step, count(*),
		sum(CASE WHEN pr.breached THEN 1 ELSE 0 END) FROM processes pr WHERE pr.status = ? AND `+cond+`
		GROUP BY pr.pack, pr.definition, pr.current_step ORDER BY pr.pack, pr.definition`,
		append([]any{string(StatusOpen)}, args...)...)
	if err != nil {
		return nil, err
	}
	var out []BoardRow
	for _, c := range counts {
		pack, ok := s.packs.Version(c.pack, c.version)
		if !ok {
			continue
		}
		def, ok := pack.Process(c.def)
		if !ok {
			continue
		}
		if len(out) == 0 || out[len(out)-1].Definition != c.def || out[len(out)-1].Pack != c.pack {
			row := BoardRow{Definition: def.Key, Name: def.Name, Pack: pack.Key}
			for _, st := range def.Steps {
				row.Columns = append(row.Columns, BoardColumn{Step: st.Key, Name: st.Name})
			}
			out = append(out, row)
		}
		row := &out[len(out)-1]
		row.Open += c.open
		for i := range row.Columns {
			if row.Columns[i].Step == c.step {
				row.Columns[i].Open += c.open
				row.Columns[i].Breached += c.breached
			}
		}
	}
	return out, nil
}

// Definitions are the process definitions of the pack that governs unit
// (the caller's unit when 0), with the pack's key and version. A start
// from a service point uses the point's unit (see StartInput.UnitID).
func (s *Service) Definitions(ctx context.Context, p *auth.Principal, unit store.ID) (*DefinitionList, error) {
	if !p.Can(auth.PermProcessesRead) {
		return nil, apperr.Forbidden(i18n.T("无权查看业务流程", "you may not read business processes"))
	}
	if unit == 0 {
		unit = p.OrgUnitID
	}
	pack, err := s.packs.ForUnit(ctx, unit)
	if err != nil {
		return nil, err
	}
	defs := pack.Processes
	if defs == nil {
		defs = []policy.ProcessDef{}
	}
	return &DefinitionList{Pack: pack.Key, Version: pack.Version, Calendar: pack.Calendar, Items: defs}, nil
}

// DefinitionList is the answer of Definitions.
type DefinitionList struct {
	Pack     string              `json:"pack"`
	Version  int                 `json:"version"`
	Calendar string              `json:"calendar"`
	Items    []policy.ProcessDef `json:"items"`
}
