package httpapi

import (
	"net/http"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/process"
	"kefu/internal/store"
)

// processAPI serves /api/v1/processes (business processes, issue 8).
type processAPI struct{ svc *process.Service }

func (a *API) processRoutes(svc *process.Service) []Route {
	if svc == nil {
		return nil
	}
	h := processAPI{svc}
	return []Route{
		{Method: "GET", Path: "/api/v1/processes/definitions", Permission: auth.PermProcessesRead, Tag: "processes",
			Summary:  "业务流程定义 The process definitions of the pack governing a unit: steps, clocks, checklists, guards",
			Query:    []Param{{"unit", "org unit id; default the caller's unit"}},
			Response: process.DefinitionList{}, handle: h.definitions},
		{Method: "POST", Path: "/api/v1/processes", Permission: auth.PermProcessesAct, Tag: "processes",
			Summary: "发起业务流程 Start a process from a customer's service point (guards refuse with the rule ID, PRC-028/PRC-032)",
			Request: process.StartInput{}, Response: process.Process{}, Status: http.StatusCreated, handle: h.start},
		{Method: "GET", Path: "/api/v1/processes", Permission: auth.PermProcessesRead, Tag: "processes",
			Summary: "业务流程列表 Processes in the caller's scope, newest first",
			Query: []Param{{"status", "open, completed, cancelled"}, {"definition", "definition key, e.g. connection.hv"},
				{"step", "current step key"}, {"customer_id", "customer id"}, {"service_point_id", "service point id"},
				{"unit", "org unit id of the current step"}, {"queue", "mine (my steps), due_soon (within 24 h), breached"},
				{"limit", "1–500, default 50"}, {"cursor", "next_cursor of the previous page"}},
			Response: list[process.Process]{}, handle: h.list},
		{Method: "GET", Path: "/api/v1/processes/board", Permission: auth.PermProcessesRead, Tag: "processes",
			Summary:  "流程看板 Open processes by definition and current step",
			Response: []process.BoardRow{}, handle: h.board},
		{Method: "GET", Path: "/api/v1/processes/{id}", Permission: auth.PermProcessesRead, Tag: "processes",
			Summary:  "业务流程详情 One process with every round of its steps, facts, checklist, documents and timeline",
			Response: process.Process{}, handle: h.get},
		// The service checks processes:act, or processes:approve, and the step's role.
		{Method: "POST", Path: "/api/v1/processes/{id}/actions", Permission: auth.PermProcessesRead, Tag: "processes",
			Summary: "流程操作 complete (with an outcome), return (PRC-042), sign (countersign, PRC-019), receive (a checklist " +
				"document), fact (fees paid, contract signed …), cancel; 409 when out of order, 422 with the missing items at a gate",
			Request: process.ActionInput{}, Response: process.Process{}, handle: h.act},
	}
}

// queryID reads an optional id query parameter.
func queryID(r *http.Request, name string) (store.ID, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	id, err := store.ParseID(s)
	if err != nil {
		return 0, apperr.Validation(name, i18n.T("须为编号", "must be an id"))
	}
	return id, nil
}

func (h processAPI) definitions(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	unit, err := queryID(r, "unit")
	if err != nil {
		return err
	}
	defs, err := h.svc.Definitions(r.Context(), p, unit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, defs)
	return nil
}

func (h processAPI) start(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in process.StartInput
	if err := decode(r, &in); err != nil {
		return err
	}
	pr, err := h.svc.Start(r.Context(), p, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/processes/"+pr.ID.String())
	writeJSON(w, http.StatusCreated, pr)
	return nil
}

func (h processAPI) list(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := process.Filter{Status: process.Status(q.Get("status")), Definition: q.Get("definition"), Step: q.Get("step"),
		Queue: q.Get("queue"), Limit: pg.Limit}
	if f.Before, err = pg.before(); err != nil {
		return err
	}
	for name, dst := range map[string]*store.ID{"customer_id": &f.CustomerID, "service_point_id": &f.ServicePointID, "unit": &f.StepUnitID} {
		if *dst, err = queryID(r, name); err != nil {
			return err
		}
	}
	page, err := h.svc.List(r.Context(), p, f)
	if err != nil {
		return err
	}
	next := ""
	if page.Next != 0 {
		next = page.Next.String()
	}
	writeJSON(w, http.StatusOK, newList(page.Items, next))
	return nil
}

func (h processAPI) board(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	rows, err := h.svc.Board(r.Context(), p)
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []process.BoardRow{}
	}
	writeJSON(w, http.StatusOK, rows)
	return nil
}

func (h processAPI) get(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "process")
	if err != nil {
		return err
	}
	pr, err := h.svc.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pr)
	return nil
}

func (h processAPI) act(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "process", http.StatusOK, h.svc.Act)
}
