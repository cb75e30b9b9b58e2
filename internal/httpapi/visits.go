package httpapi

import (
	"net/http"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
	"kefu/internal/visit"
)

// visitAPI serves /api/v1/visits (return visits, issue 9).
type visitAPI struct{ svc *visit.Service }

// reviewInput is the supervisor's sign-off.
type reviewInput struct {
	Opinion string `json:"opinion"`
}

func (a *API) visitRoutes(svc *visit.Service) []Route {
	if svc == nil {
		return nil
	}
	h := visitAPI{svc}
	return []Route{
		{Method: "GET", Path: "/api/v1/visits", Permission: auth.PermVisitsRead, Tag: "visits",
			Summary: "回访列表 Return visits in the caller's scope: newest first, or mine=true for my open visits by due time",
			Query: []Param{{"status", "open, done, signed_off, cancelled"}, {"rule", "visit rule key, e.g. complaint"},
				{"month", "YYYY-MM of completion"}, {"mine", "true: open visits of my roles, due first"},
				{"issues_open", "true: visits whose new issue awaits its answer (VIS-012)"},
				{"occasion", "the visits of one occasion (id)"},
				{"limit", "1–500, default 50"}, {"cursor", "next_cursor of the previous page"}},
			Response: list[visit.Visit]{}, handle: h.list},
		{Method: "GET", Path: "/api/v1/visits/stats", Permission: auth.PermVisitsRead, Tag: "visits",
			Summary: "回访统计 A month's figures by rule: population, quota (VIS-016), drawn, recorded, signed off, rates",
			Query:   []Param{{"month", "YYYY-MM; default the current month"}}, Response: []visit.RuleStats{}, handle: h.stats},
		{Method: "GET", Path: "/api/v1/visits/stats/visitors", Permission: auth.PermVisitsRead, Tag: "visits",
			Summary: "回访人统计 A month's recorded visits by visitor (RPT-001): recorded, signed off, satisfied, by phone, " +
				"late, issues raised and answered, satisfaction and handling rate (VIS-012), busiest first",
			Query:    []Param{{"month", "YYYY-MM of the items' completion; default the current month"}},
			Response: []visit.VisitorStats{}, handle: h.visitorStats},
		{Method: "GET", Path: "/api/v1/visits/occasions", Permission: auth.PermVisitsRead, Tag: "visits",
			Summary:  "回访事项列表 Occasions (activities, move-ins, emergencies, holidays) in the caller's scope, newest first, with their draws",
			Query:    []Param{{"limit", "1–500, default 50"}, {"cursor", "next_cursor of the previous page"}},
			Response: list[visit.Occasion]{}, handle: h.occasions},
		{Method: "POST", Path: "/api/v1/visits/occasions", Permission: auth.PermVisitsAct, Tag: "visits",
			Summary: "登记回访事项 Register an occasion with its households (VIS-006, VIS-007); its visits are drawn at once (VIS-016). The pack's owner role or a manager",
			Request: visit.OccasionInput{}, Response: visit.Occasion{}, Status: http.StatusCreated, handle: h.createOccasion},
		{Method: "GET", Path: "/api/v1/visits/occasions/{id}", Permission: auth.PermVisitsRead, Tag: "visits",
			Summary: "回访事项详情 One occasion with its draw: population, quota, drawn", Response: visit.Occasion{}, handle: h.occasion},
		{Method: "GET", Path: "/api/v1/visits/{id}", Permission: auth.PermVisitsRead, Tag: "visits",
			Summary: "回访详情 One return visit", Response: visit.Visit{}, handle: h.get},
		{Method: "POST", Path: "/api/v1/visits/{id}/record", Permission: auth.PermVisitsAct, Tag: "visits",
			Summary: "登记回访 The visit's result with its evidence (VIS-008); dissatisfied opens the next round (VIS-011)",
			Request: visit.RecordInput{}, Response: visit.Visit{}, handle: h.record},
		{Method: "POST", Path: "/api/v1/visits/{id}/review", Permission: auth.PermVisitsAct, Tag: "visits",
			Summary: "主管签署 The supervisor's sign-off with an opinion (VIS-009)",
			Request: reviewInput{}, Response: visit.Visit{}, handle: h.review},
		{Method: "POST", Path: "/api/v1/visits/{id}/swap", Permission: auth.PermVisitsAct, Tag: "visits",
			Summary: "调换抽样 The owner role swaps an open, not mandatory first-round visit for an undrawn item, with a reason (VIS-016); answers the cancelled visit",
			Request: visit.SwapInput{}, Response: visit.Visit{}, handle: h.swap},
		{Method: "POST", Path: "/api/v1/visits/{id}/answer", Permission: auth.PermVisitsAct, Tag: "visits",
			Summary: "答复问题 The outcome of the new issue a visit raised and the response given to the customer (VIS-012)",
			Request: visit.AnswerInput{}, Response: visit.Visit{}, handle: h.answer},
	}
}

func (h visitAPI) list(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := visit.Filter{Status: visit.Status(q.Get("status")), Rule: q.Get("rule"), Month: q.Get("month"), Limit: pg.Limit}
	if f.Mine, err = queryBool(r, "mine"); err != nil {
		return err
	}
	if f.IssuesOpen, err = queryBool(r, "issues_open"); err != nil {
		return err
	}
	if v := q.Get("occasion"); v != "" {
		if f.Occasion, err = store.ParseID(v); err != nil {
			return apperr.Validation("occasion", i18n.T("须为回访事项编号", "must be an occasion id"))
		}
	}
	if f.Before, err = pg.before(); err != nil {
		return err
	}
	items, err := h.svc.List(r.Context(), p, f)
	if err != nil {
		return err
	}
	next := ""
	if !f.Mine { // my visits come by due time, on one page
		next = keysetNext(items, f.Limit, func(v *visit.Visit) store.ID { return v.ID })
	}
	writeJSON(w, http.StatusOK, newList(items, next))
	return nil
}

func (h visitAPI) stats(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	st, err := h.svc.Stats(r.Context(), p, r.URL.Query().Get("month"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (h visitAPI) visitorStats(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	st, err := h.svc.VisitorStats(r.Context(), p, r.URL.Query().Get("month"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (h visitAPI) get(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "visit")
	if err != nil {
		return err
	}
	v, err := h.svc.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (h visitAPI) record(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "visit", http.StatusOK, h.svc.Record)
}

func (h visitAPI) review(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in reviewInput
	if err := decode(r, &in); err != nil {
		return err
	}
	id, err := recordID(r, "visit")
	if err != nil {
		return err
	}
	v, err := h.svc.Review(r.Context(), p, id, in.Opinion)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
