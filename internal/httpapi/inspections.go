package httpapi

import (
	"net/http"
	"strconv"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/inspection"
	"kefu/internal/store"
)

// inspectionAPI serves /api/v1/inspections: the plans (INS-009) in this
// file, the records and a point's schedule in inspections_records.go.
type inspectionAPI struct{ svc *inspection.Service }

// inspectionRoutes serves /api/v1/inspections (issue 10). Reading needs
// inspections:read and recording inspections:write; generating and
// breaking down plans is checked by the service against the pack's plan
// levels (INS-009: the department manager, the team leader; the safety
// supervision department may generate).
func (a *API) inspectionRoutes(svc *inspection.Service) []Route {
	if svc == nil {
		return nil
	}
	h := inspectionAPI{svc}
	itemQuery := []Param{{"team", "team id"}, {"inspector", "inspector (user) id"}, {"unassigned", "true: no team yet"},
		{"no_inspector", "true: no inspector yet"}, {"status", "open, done, withdrawn (default all but withdrawn)"},
		{"overdue", "true: open and past the deadline"}, {"track", "periodic, grid_marketing, …"}, {"campaign", "spring, autumn"},
		{"cycle", "cycle key"}, {"due_on", "YYYY-MM-DD or YYYY-MM"}, {"q", "start of the archive number or part of the address"},
		{"limit", "1–500, default 50"}, {"cursor", "next_cursor of the previous page"}}
	return []Route{
		{Method: "POST", Path: "/api/v1/inspections/plans", Permission: auth.PermInspectionsRead, Tag: "inspections",
			Summary: "生成安检计划 Generate or regenerate a company's plan of a month (2026-04), quarter (2026-Q2) or year (2026) " +
				"from its service points and their history (INS-001 to INS-009); regenerating keeps teams, inspectors and completions. " +
				"The department manager, the safety supervision department (auditor) or an administrator; 201 new, 200 regenerated",
			Request: inspection.PlanInput{}, Response: inspection.StoredPlan{}, Status: http.StatusCreated, handle: h.generate},
		{Method: "GET", Path: "/api/v1/inspections/plans", Permission: auth.PermInspectionsRead, Tag: "inspections",
			Summary: "安检计划列表 Plans in the caller's scope, newest first, with their completion",
			Query: []Param{{"period", "month, quarter, year"}, {"year", "e.g. 2026"}, {"limit", "1–500, default 50"},
				{"cursor", "next_cursor of the previous page"}},
			Response: list[inspection.StoredPlan]{}, handle: h.plans},
		{Method: "GET", Path: "/api/v1/inspections/plans/{id}", Permission: auth.PermInspectionsRead, Tag: "inspections",
			Summary:  "安检计划详情 A plan with its completion per team and per inspector (INS-009, RPT-006)",
			Response: inspection.StoredPlan{}, handle: h.plan},
		{Method: "POST", Path: "/api/v1/inspections/plans/{id}/assign", Permission: auth.PermInspectionsRead, Tag: "inspections",
			Summary: "分解计划 Give items (listed or by filter) to a team (the department manager) or to an inspector of their team " +
				"(the team leader), or split a team's items evenly over its inspectors; an inspector needs the certificate the work needs (INS-009, INS-017)",
			Request: inspection.AssignInput{}, Response: inspection.AssignResult{}, handle: h.assign},
		{Method: "GET", Path: "/api/v1/inspections/plans/{id}/items", Permission: auth.PermInspectionsRead, Tag: "inspections",
			Summary: "计划项目 A plan's items by due time, with filters", Query: itemQuery,
			Response: list[inspection.PlanItem]{}, handle: h.items},
		{Method: "GET", Path: "/api/v1/inspections/overdue", Permission: auth.PermInspectionsRead, Tag: "inspections",
			Summary: "逾期安检 Open inspections past their deadline in every plan of the caller's scope, most overdue first, " +
				"each obligation once; mine=true for the caller's own",
			Query: append([]Param{{"mine", "true: assigned to me"}}, itemQuery...), Response: list[inspection.PlanItem]{}, handle: h.overdue},
		{Method: "POST", Path: "/api/v1/inspections", Permission: auth.PermInspectionsWrite, Tag: "inspections",
			Summary: "登记安检 Record an inspection of a service point by the caller: track and/or campaign, checklist answers " +
				"(INS-010), the customer copy of a two-copy form (INS-012), statements, signature or refusal, hazards found; close=true closes it at once",
			Request: inspection.RecordInput{}, Response: inspection.Record{}, Status: http.StatusCreated, handle: h.create},
		{Method: "GET", Path: "/api/v1/inspections", Permission: auth.PermInspectionsRead, Tag: "inspections",
			Summary: "安检记录 Records in the caller's scope, newest first",
			Query: []Param{{"service_point", "service point id"}, {"customer", "customer id"}, {"inspector", "inspector id"},
				{"mine", "true: my records"}, {"track", "track"}, {"campaign", "campaign"}, {"status", "open, closed"},
				{"month", "YYYY-MM of the inspection"}, {"limit", "1–500, default 50"}, {"cursor", "next_cursor of the previous page"}},
			Response: list[inspection.Record]{}, handle: h.records},
		{Method: "GET", Path: "/api/v1/inspections/points/{id}/schedule", Permission: auth.PermInspectionsRead, Tag: "inspections",
			Summary: "服务点安检周期 A service point's governing cycle per track (INS-008) and next due date from its last " +
				"completion (CAL-010), this year's campaigns (INS-002), the work sheet it needs (INS-011)",
			Response: inspection.PointSchedule{}, handle: h.schedule},
		{Method: "GET", Path: "/api/v1/inspections/{id}", Permission: auth.PermInspectionsRead, Tag: "inspections",
			Summary: "安检记录详情 One record with the plan items it did", Response: inspection.Record{}, handle: h.record},
		{Method: "PUT", Path: "/api/v1/inspections/{id}", Permission: auth.PermInspectionsWrite, Tag: "inspections",
			Summary: "修改安检记录 Replace the form, hazards and note of an open record (its inspector or the safety department)",
			Request: inspection.RecordUpdate{}, Response: inspection.Record{}, handle: h.update},
		{Method: "POST", Path: "/api/v1/inspections/{id}/close", Permission: auth.PermInspectionsWrite, Tag: "inspections",
			Summary: "安检结案 Close a record whose form is complete and consistent (INS-010, INS-012): hazards go to the register " +
				"in the same transaction, the plans' items are completed and the next due dates follow (CAL-010); closed records never change",
			Response: inspection.Record{}, handle: h.close},
	}
}

func (h inspectionAPI) generate(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in inspection.PlanInput
	if err := decode(r, &in); err != nil {
		return err
	}
	pl, created, err := h.svc.GeneratePlan(r.Context(), p, in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, pl)
	return nil
}

func (h inspectionAPI) plans(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	f := inspection.PlanFilter{Period: r.URL.Query().Get("period"), Limit: pg.Limit}
	if s := r.URL.Query().Get("year"); s != "" {
		if f.Year, err = strconv.Atoi(s); err != nil || f.Year < 2000 || f.Year > 2100 {
			return apperr.Validation("year", i18n.T("须为年份", "must be a year"))
		}
	}
	if f.Before, err = pg.before(); err != nil {
		return err
	}
	plans, err := h.svc.ListPlans(r.Context(), p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(plans, keysetNext(plans, f.Limit, func(pl *inspection.StoredPlan) store.ID { return pl.ID })))
	return nil
}

func (h inspectionAPI) plan(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "plan")
	if err != nil {
		return err
	}
	pl, err := h.svc.GetPlan(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pl)
	return nil
}

func (h inspectionAPI) assign(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "plan", http.StatusOK, h.svc.Assign)
}

// itemFilter reads the items' filters of the query.
func itemFilter(r *http.Request) (inspection.ItemFilter, error) {
	q := r.URL.Query()
	pg, err := parsePage(r)
	if err != nil {
		return inspection.ItemFilter{}, err
	}
	f := inspection.ItemFilter{Status: q.Get("status"), Track: q.Get("track"), Campaign: q.Get("campaign"), Cycle: q.Get("cycle"),
		DueOn: q.Get("due_on"), Q: q.Get("q"), Limit: pg.Limit, After: pg.Cursor}
	if f.Team, err = queryID(r, "team"); err != nil {
		return f, err
	}
	if f.Inspector, err = queryID(r, "inspector"); err != nil {
		return f, err
	}
	for name, v := range map[string]*bool{"unassigned": &f.Unassigned, "no_inspector": &f.NoInspector, "overdue": &f.Overdue} {
		if *v, err = queryBool(r, name); err != nil {
			return f, err
		}
	}
	return f, nil
}

func (h inspectionAPI) items(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "plan")
	if err != nil {
		return err
	}
	f, err := itemFilter(r)
	if err != nil {
		return err
	}
	items, err := h.svc.ListItems(r.Context(), p, id, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, inspection.Cursor(items, f.Limit)))
	return nil
}

func (h inspectionAPI) overdue(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f, err := itemFilter(r)
	if err != nil {
		return err
	}
	mine, err := queryBool(r, "mine")
	if err != nil {
		return err
	}
	if mine {
		f.Inspector = p.UserID
	}
	items, err := h.svc.Overdue(r.Context(), p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, inspection.Cursor(items, f.Limit)))
	return nil
}
