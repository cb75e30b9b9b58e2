package web

// The business-process pages (业务流程, PRC): the list with its queues and
// the board (this file), the start form (processes_new.go), the process
// page with its rounds, checklist, facts and timeline (processes_show.go),
// its action forms (processes_act.go) and the printable documents
// (processes_print.go). Handlers are a thin layer over internal/process:
// the service and the policy pack decide what is allowed, which rows the
// caller sees and what a step needs; the pages only offer the actions the
// caller may take.

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/process"
	"kefu/internal/store"
	"kefu/internal/ticket"
)

// processRoutes mounts the process pages (with the process service).
func (s *Server) processRoutes() {
	if s.processes == nil || s.policy == nil {
		return
	}
	s.page("GET /processes", auth.PermProcessesRead, s.processesList)
	s.page("GET /processes/board", auth.PermProcessesRead, s.processBoard)
	s.page("GET /processes/new", auth.PermProcessesAct, s.processNew)
	s.page("POST /processes/new", auth.PermProcessesAct, s.processStart)
	s.page("GET /processes/{id}", auth.PermProcessesRead, s.processShow)
	// The service checks processes:act or processes:approve, and the step's role.
	s.page("POST /processes/{id}/act", auth.PermProcessesRead, s.processAct)
	s.page("GET /processes/{id}/documents/{doc}/print", auth.PermProcessesRead, s.processDocPrint)
}

// processTabs are the queues of the list page, in the order shown.
var processTabs = []string{process.QueueMine, process.QueueDueSoon, process.QueueBreached, "all"}

// processRow is one line of the list.
type processRow struct {
	P                             *process.Process
	DefName, StepName, StatusName string
	StatusClass                   string
	Due                           *dueBadge // the current step's deadline, nil without one
}

// processesData is the list page.
type processesData struct {
	Tab      string
	Tabs     []queueTab
	Rows     []processRow
	Statuses []option
	Defs     []option
	Steps    []option // the steps of the definition filtered on
	Units    []option // the units in scope: whose steps are they (办理单位)
	Customer string   // the customer filtered on (from the customer page)
	NextURL  string
	FirstURL string
	CanStart bool
}

// processesList shows a queue with its filters, 50 a page, keyset paged.
func (s *Server) processesList(w http.ResponseWriter, rq *request) error {
	ctx, q, l := rq.Context(), rq.URL.Query(), rq.Lang
	tab := q.Get("tab")
	if !slices.Contains(processTabs, tab) {
		tab = "all"
	}
	form := newForm(q)
	f := process.Filter{Status: process.Status(q.Get("status")), Definition: q.Get("definition"), Step: q.Get("step"), Limit: 50}
	if tab != "all" {
		f.Queue = tab
	}
	var err error
	for name, dst := range map[string]*store.ID{"cursor": &f.Before, "customer_id": &f.CustomerID, "service_point_id": &f.ServicePointID,
		"unit": &f.StepUnitID} {
		if v := q.Get(name); v != "" {
			if *dst, err = store.ParseID(v); err != nil {
				form.Errors[name] = label("prc.bad_id").In(l)
			}
		}
	}
	d := processesData{Tab: tab, CanStart: rq.P.Can(auth.PermProcessesAct)}
	var page *process.Page
	if !form.HasErrors() {
		if page, err = s.processes.List(ctx, rq.P, f); err != nil && !form.fail(err, l, "status", "definition", "step") {
			return err
		}
	}
	if page == nil {
		page = &process.Page{}
	}
	for _, k := range processTabs {
		tq := url.Values{"tab": {k}}
		d.Tabs = append(d.Tabs, queueTab{Key: k, Label: label("prc.tab." + k).In(l), Href: "/processes?" + tq.Encode(), On: k == tab})
	}
	for _, st := range []process.Status{process.StatusOpen, process.StatusCompleted, process.StatusCancelled} {
		d.Statuses = append(d.Statuses, option{string(st), processStatusName(st, l)})
	}
	d.Defs, d.Steps = s.definitionOptions(rq, f.Definition)
	// The units in scope, and the caller's company: steps routed to the
	// company are the company's queue (PRC-013/PRC-014).
	if units, err := s.unitsInScope(ctx, rq.P); err == nil {
		if co, err := s.org.CompanyOf(ctx, rq.P.OrgUnitID); err == nil &&
			!slices.ContainsFunc(units, func(u org.Unit) bool { return u.ID == co.ID }) {
			units = append([]org.Unit{co}, units...)
		}
		for _, u := range units {
			d.Units = append(d.Units, option{u.ID.String(), u.Name})
		}
	}
	now := s.now()
	for _, pr := range page.Items {
		_, def := s.processDef(pr)
		row := processRow{P: pr, DefName: nameIn(pr.Name, l), StatusName: processStatusName(pr.Status, l),
			StatusClass: processStatusClass(pr.Status), StepName: stepName(def, pr.CurrentStep, l), Due: listDue(pr, now, l)}
		if f.CustomerID != 0 && d.Customer == "" {
			d.Customer = pr.CustomerName
		}
		d.Rows = append(d.Rows, row)
	}
	if page.Next != 0 {
		nq := cloneValues(q)
		nq.Set("tab", tab)
		nq.Set("cursor", page.Next.String())
		d.NextURL = "/processes?" + nq.Encode()
	}
	if f.Before != 0 {
		fq := cloneValues(q)
		fq.Del("cursor")
		d.FirstURL = "/processes?" + fq.Encode()
	}
	pg := s.newPage(rq, "prc.title", "processes")
	pg.Form = form
	pg.Data = d
	s.render(w, rq, statusOrOK(form), "processes", pg)
	return nil
}

// definitionOptions are the definitions of the caller's pack (and the one
// filtered on, from another pack), and the steps of the one filtered on.
func (s *Server) definitionOptions(rq *request, selected string) (defs, steps []option) {
	l := rq.Lang
	if list, err := s.processes.Definitions(rq.Context(), rq.P, 0); err == nil {
		for _, d := range list.Items {
			defs = append(defs, option{d.Key, nameIn(d.Name, l)})
		}
	}
	if selected == "" {
		return defs, nil
	}
	def := s.findDef(selected)
	if def == nil {
		return append(defs, option{selected, selected}), nil
	}
	if !slices.ContainsFunc(defs, func(o option) bool { return o.Key == selected }) {
		defs = append(defs, option{def.Key, nameIn(def.Name, l)})
	}
	for _, st := range def.Steps {
		steps = append(steps, option{st.Key, nameIn(st.Name, l)})
	}
	return defs, steps
}

// findDef is a definition of any installed pack with the key.
func (s *Server) findDef(key string) *policy.ProcessDef {
	for _, k := range s.policy.Keys() {
		if p, ok := s.policy.Get(k); ok {
			if d, ok := p.Process(key); ok {
				return d
			}
		}
	}
	return nil
}

// processDef is the pack version a process was started under and its
// definition (nil when the pack is no longer loaded).
func (s *Server) processDef(pr *process.Process) (*policy.Pack, *policy.ProcessDef) {
	p, ok := s.policy.Version(pr.Pack, pr.PackVersion)
	if !ok {
		if p, ok = s.policy.Get(pr.Pack); !ok {
			return nil, nil
		}
	}
	d, _ := p.Process(pr.Definition)
	return p, d
}

// stepName is a step's name in the locale, or its key.
func stepName(def *policy.ProcessDef, key string, l i18n.Locale) string {
	if def != nil {
		if st, _, ok := def.Step(key); ok {
			return nameIn(st.Name, l)
		}
	}
	return key
}

func processStatusName(st process.Status, l i18n.Locale) string {
	return labelOr("prc.status."+string(st), string(st), l)
}

// processStatusClass is the badge class of a status, in the colours of
// the work-order statuses: open amber, completed green, cancelled grey.
func processStatusClass(st process.Status) string {
	switch st {
	case process.StatusOpen:
		return "st st-in_progress"
	case process.StatusCompleted:
		return "st st-resolved"
	}
	return "st st-closed"
}

// listDue is the badge of a process in the list: its current step's
// deadline, amber within process.DueSoon (the due_soon queue), red past it;
// "超时" for an open process that breached earlier and has no clock now.
func listDue(pr *process.Process, now time.Time, l i18n.Locale) *dueBadge {
	if pr.Status != process.StatusOpen {
		return nil
	}
	if pr.NextDueAt != nil {
		warn := pr.NextDueAt.Add(-process.DueSoon)
		b := dueOf(ticket.Clock{State: ticket.ClockRunning, TargetAt: pr.NextDueAt, WarnAt: &warn}, now, l)
		return &b
	}
	if pr.Breached {
		return &dueBadge{Class: "over", Text: label("tkt.state.breached").In(l)}
	}
	return nil
}

// roundDue is the badge of one round of a step, with the looks of the
// work-order clocks: counting down while active, met or late once done.
func roundDue(sr process.StepRun, now time.Time, l i18n.Locale) *dueBadge {
	c := ticket.Clock{TargetAt: sr.DueAt, WarnAt: sr.WarnAt, MetAt: sr.CompletedAt}
	switch {
	case sr.Status == process.StepSkipped || len(sr.Limits) == 0:
		return nil
	case sr.Status == process.StepActive && sr.DueAt == nil:
		c.State = ticket.ClockPending
	case sr.Status == process.StepActive:
		c.State, c.MetAt = ticket.ClockRunning, nil
	case sr.DueAt == nil || sr.Status == process.StepCancelled:
		c.State = ticket.ClockCancelled
	case sr.BreachedAt != nil || (sr.CompletedAt != nil && sr.CompletedAt.After(*sr.DueAt)):
		c.State = ticket.ClockBreached
	default:
		c.State = ticket.ClockMet
	}
	b := dueOf(c, now, l)
	return &b
}

// boardRow is one definition of the board.
type boardRow struct {
	R        process.BoardRow
	Name     string
	PackName string
	Href     string
	Cols     []boardCol
}

// boardCol is one step with its counts and the lists they link to.
type boardCol struct {
	Name, Href, BreachedHref string
	Open, Breached           int
}

// processBoard is the 流程看板: open processes by definition and step.
func (s *Server) processBoard(w http.ResponseWriter, rq *request) error {
	rows, err := s.processes.Board(rq.Context(), rq.P)
	if err != nil {
		return err
	}
	l := rq.Lang
	var out []boardRow
	for _, r := range rows {
		list := func(extra ...string) string {
			q := url.Values{"definition": {r.Definition}, "status": {string(process.StatusOpen)}}
			for i := 0; i+1 < len(extra); i += 2 {
				q.Set(extra[i], extra[i+1])
			}
			return "/processes?" + q.Encode()
		}
		br := boardRow{R: r, Name: nameIn(r.Name, l), PackName: packName(r.Pack, l), Href: list()}
		if p, ok := s.policy.Get(r.Pack); ok {
			br.PackName = nameIn(p.Name, l)
		}
		for _, c := range r.Columns {
			br.Cols = append(br.Cols, boardCol{Name: nameIn(c.Name, l), Open: c.Open, Breached: c.Breached,
				Href: list("step", c.Step), BreachedHref: list("step", c.Step, "tab", process.QueueBreached)})
		}
		out = append(out, br)
	}
	pg := s.newPage(rq, "prc.board", "processes")
	pg.Data = out
	s.render(w, rq, http.StatusOK, "process_board", pg)
	return nil
}

// processID parses the id of a process path.
func processID(rq *request) (store.ID, error) {
	id, err := store.ParseID(rq.PathValue("id"))
	if err != nil {
		return 0, apperr.NotFound("process")
	}
	return id, nil
}
