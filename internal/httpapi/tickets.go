package httpapi

import (
	"net/http"
	"strconv"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
	"kefu/internal/ticket"
)

// ticketAPI serves /api/v1/tickets.
type ticketAPI struct{ svc *ticket.Service }

func (a *API) ticketRoutes(svc *ticket.Service) []Route {
	if svc == nil {
		return nil
	}
	t := ticketAPI{svc}
	return []Route{
		{Method: "POST", Path: "/api/v1/tickets", Permission: auth.PermTicketsCreate, Tag: "tickets",
			Summary: "登记工单 Register a work order (one-stop intake, TKT-001/TKT-002); clocks start per the pack",
			Request: ticket.CreateInput{}, Response: ticket.Ticket{}, Status: http.StatusCreated, handle: t.createTicket},
		{Method: "GET", Path: "/api/v1/tickets", Permission: auth.PermTicketsRead, Tag: "tickets",
			Summary: "工单列表 Work orders in the caller's scope, newest first",
			Query: []Param{{"status", "new, forwarded, assigned, in_progress, result_returned, resolved, replied, closed, merged"},
				{"category", "category key"}, {"breached", "true|false"}, {"q", "any fragment of the number, subject, customer name, phone (digits) or address, Chinese included"},
				{"mine", "true: assigned to me"}, {"unit", "handling org unit id"}, {"due_soon", "true: a running clock passed its warning, not yet its target"},
				{"open", "true: not closed or merged"},
				{"limit", "1–500, default 50"}, {"cursor", "next_cursor of the previous page"}},
			Response: list[ticket.Ticket]{}, handle: t.listTickets},
		// A literal path: the mux prefers it to /api/v1/tickets/{id}.
		{Method: "GET", Path: "/api/v1/tickets/counts", Permission: auth.PermTicketsRead, Tag: "tickets",
			Summary: "工单概况 Dashboard counts of the work orders owned in the caller's scope: open, breached, due soon, " +
				"received and closed today and this month, by status, pack and category (kept as counters, issue 6)",
			Query:    []Param{{"unit", "org unit id: only work orders owned in its subtree (within the caller's scope)"}},
			Response: ticket.Counts{}, handle: t.ticketCounts},
		{Method: "GET", Path: "/api/v1/tickets/{id}", Permission: auth.PermTicketsRead, Tag: "tickets",
			Summary: "工单详情 One work order with its clocks and timeline", Response: ticket.Ticket{}, handle: t.getTicket},
		// The service checks tickets:act, or tickets:approve for approve/reject_extension.
		{Method: "POST", Path: "/api/v1/tickets/{id}/actions", Permission: auth.PermTicketsRead, Tag: "tickets",
			Summary: "工单操作 forward, assign, dispatch, accept, arrive, result, resolve, reply, close, reopen, escalate, " +
				"request_extension, approve_extension, reject_extension, agree, flag_crisis, link_duplicate, note, " +
				"reclassify (TKT-003), pause, resume, schedule_reply (TKT-020)",
			Request: ticket.Action{}, Response: ticket.Ticket{}, handle: t.actTicket},
	}
}

func (t ticketAPI) createTicket(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in ticket.CreateInput
	if err := decode(r, &in); err != nil {
		return err
	}
	tk, err := t.svc.Create(r.Context(), p, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/tickets/"+tk.ID.String())
	writeJSON(w, http.StatusCreated, tk)
	return nil
}

func (t ticketAPI) getTicket(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "ticket")
	if err != nil {
		return err
	}
	tk, err := t.svc.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, tk)
	return nil
}

func (t ticketAPI) actTicket(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in ticket.Action
	if err := decode(r, &in); err != nil {
		return err
	}
	id, err := recordID(r, "ticket")
	if err != nil {
		return err
	}
	tk, err := t.svc.Act(r.Context(), p, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, tk)
	return nil
}

// queryOptBool reads an optional true/false query parameter; nil when absent.
func queryOptBool(r *http.Request, name string) (*bool, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return nil, apperr.Validation(name, i18n.T("须为 true 或 false", "must be true or false"))
	}
	return &b, nil
}

func (t ticketAPI) listTickets(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := ticket.Filter{Status: ticket.Status(q.Get("status")), Category: q.Get("category"), Q: q.Get("q"),
		Limit: pg.Limit, Cursor: pg.Cursor}
	if f.Breached, err = queryOptBool(r, "breached"); err != nil {
		return err
	}
	for name, dst := range map[string]*bool{"mine": &f.Mine, "due_soon": &f.DueSoon, "open": &f.Open} {
		b, err := queryBool(r, name)
		if err != nil {
			return err
		}
		*dst = b
	}
	if s := q.Get("unit"); s != "" {
		if f.Unit, err = store.ParseID(s); err != nil {
			return apperr.Validation("unit", i18n.T("须为组织单元编号", "must be an org unit id"))
		}
	}
	page, err := t.svc.List(r.Context(), p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(page.Items, page.Next))
	return nil
}

func (t ticketAPI) ticketCounts(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var f ticket.CountsFilter
	if s := r.URL.Query().Get("unit"); s != "" {
		var err error
		if f.Unit, err = store.ParseID(s); err != nil {
			return apperr.Validation("unit", i18n.T("须为组织单元编号", "must be an org unit id"))
		}
	}
	c, err := t.svc.Counts(r.Context(), p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}
