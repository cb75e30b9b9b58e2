package web

import (
	"net/http"
	"net/url"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
	"kefu/internal/inspection"
	"kefu/internal/store"
)

// inspItemRow is one line of a plan's item list or the overdue list.
type inspItemRow struct {
	I                       *inspection.PlanItem
	Obligation              string
	Combinable              string // the campaigns one visit may also satisfy (INS-002)
	Due                     *dueBadge
	StatusName, StatusClass string
	NewHref                 string // 登记: the record form of this item
	PlanHref, PlanTitle     string // the overdue list names the plan
}

// inspPlanData is a plan's page.
type inspPlanData struct {
	Card       inspCard
	Rows       []inspItemRow
	Teams      []option
	Inspectors []option
	Statuses   []option
	Tracks     []option
	NextURL    string
	FirstURL   string
	CanPlan    bool
	Assign     *Form
	Hidden     url.Values // the filter, carried by the breakdown form
	Empty      string
	Back       string
	Check      bool // rows can be ticked for the breakdown
	ShowPlan   bool
}

// itemFilterOf reads the items' filters of a query into f's values.
func itemFilterOf(q url.Values, f *Form, l i18n.Locale) inspection.ItemFilter {
	flt := inspection.ItemFilter{Status: q.Get("status"), Track: q.Get("track"), Campaign: q.Get("campaign"), Q: q.Get("q"),
		DueOn: q.Get("due_on"), Unassigned: q.Get("unassigned") != "", NoInspector: q.Get("no_inspector") != "",
		Overdue: q.Get("overdue") != "", After: q.Get("cursor"), Limit: 100}
	for _, k := range []string{"team", "inspector"} {
		if v := q.Get(k); v != "" {
			id, err := store.ParseID(v)
			if err != nil {
				f.Errors[k] = label("insp.bad_id").In(l)
				continue
			}
			if k == "team" {
				flt.Team = id
			} else {
				flt.Inspector = id
			}
		}
	}
	return flt
}

// inspPlan is a plan's page: its completion, its items by due time with
// filters, and the breakdown form for the department manager and the team
// leaders (INS-009).
func (s *Server) inspPlan(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	return s.renderPlan(w, rq, id, newForm(nil), http.StatusOK)
}

func (s *Server) renderPlan(w http.ResponseWriter, rq *request, id store.ID, assign *Form, status int) error {
	ctx, l, p := rq.Context(), rq.Lang, rq.P
	pl, err := s.inspections.GetPlan(ctx, p, id)
	if err != nil {
		return err
	}
	q := rq.URL.Query()
	if rq.Method == http.MethodPost {
		q, _ = url.ParseQuery(assign.Get("back"))
	}
	f := newForm(cloneValues(q))
	flt := itemFilterOf(q, f, l)
	base := "/inspections/plans/" + id.String()
	d := &inspPlanData{Card: s.inspCard(pl, l), CanPlan: mayPlanPage(p), Assign: assign, Empty: label("insp.items_none").In(l)}
	d.Check = d.CanPlan
	var items []*inspection.PlanItem
	if !f.HasErrors() {
		if items, err = s.inspections.ListItems(ctx, p, id, flt); err != nil && !f.fail(err, l, "status", "due_on", "q", "cursor") {
			return err
		}
	}
	now := s.now()
	for _, it := range items {
		d.Rows = append(d.Rows, s.itemRow(it, pl, now, l))
	}
	units, people, err := s.inspections.Breakdown(ctx, p, id)
	if err != nil {
		return err
	}
	for _, u := range units {
		d.Teams = append(d.Teams, option{u.ID.String(), u.Name})
	}
	for _, x := range people {
		d.Inspectors = append(d.Inspectors, option{x.ID.String(), x.Name + "（" + x.TeamName + "）"})
	}
	for _, st := range []string{"open", "done", "withdrawn"} {
		d.Statuses = append(d.Statuses, option{st, label("insp.item." + st).In(l)})
	}
	if pack, ok := s.inspections.Pack(pl.Pack, pl.PackVersion); ok {
		for _, t := range pack.Inspections.Tracks() {
			d.Tracks = append(d.Tracks, option{t, label("insp.track." + t).In(l)})
		}
	}
	hidden := cloneValues(q)
	hidden.Del("cursor")
	d.Hidden = hidden
	d.Back = hidden.Encode()
	if next := inspection.Cursor(items, flt.Limit); next != "" {
		nq := cloneValues(hidden)
		nq.Set("cursor", next)
		d.NextURL = withQuery(base, nq)
	}
	if flt.After != "" {
		d.FirstURL = withQuery(base, hidden)
	}
	pg := s.newPage(rq, "insp.title", "inspections")
	pg.Title = d.Card.Title
	pg.Data, pg.Form = d, f
	s.render(w, rq, status, "inspection_plan", pg)
	return nil
}

func (s *Server) itemRow(it *inspection.PlanItem, pl *inspection.StoredPlan, now time.Time, l i18n.Locale) inspItemRow {
	r := inspItemRow{I: it, StatusName: label("insp.item." + it.Status).In(l)}
	if it.Status != "withdrawn" {
		r.Due = inspDue(it.DueAt, it.DoneOn, now, l)
	}
	pack, version := "", 0
	if pl != nil {
		pack, version = pl.Pack, pl.PackVersion
	}
	r.Obligation = s.obligationName(pack, version, it.Cycle, it.Campaign, l)
	for i, c := range it.Combinable {
		if i > 0 {
			r.Combinable += "、"
		}
		r.Combinable += s.obligationName(pack, version, "", c, l)
	}
	switch it.Status {
	case "done":
		r.StatusClass = "badge-green"
	case "withdrawn":
		r.StatusClass = "badge-grey"
	default:
		r.StatusClass = "badge-blue"
		v := url.Values{"item": {it.ID.String()}}
		r.NewHref = "/inspections/new?" + v.Encode()
	}
	return r
}

// inspAssign breaks the plan down from the plan page's form: the checked
// items (or, none checked, the items the page's filter shows) go to a
// team, to an inspector, or are split over a team's inspectors.
func (s *Server) inspAssign(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	in := inspection.AssignInput{}
	for _, v := range f.Values["item"] {
		if x, err := store.ParseID(v); err == nil {
			in.ItemIDs = append(in.ItemIDs, x)
		}
	}
	switch f.text("target") {
	case "inspector":
		in.InspectorID = f.id("inspector_id")
		if in.InspectorID == 0 {
			f.Errors["inspector_id"] = label("insp.pick_inspector").In(rq.Lang)
		}
	case "split":
		in.TeamID, in.Split = f.id("split_team_id"), true
		if in.TeamID == 0 {
			f.Errors["split_team_id"] = label("insp.pick_team").In(rq.Lang)
		}
	default:
		in.TeamID = f.id("team_id")
		if in.TeamID == 0 {
			f.Errors["team_id"] = label("insp.pick_team").In(rq.Lang)
		}
	}
	if len(in.ItemIDs) == 0 && !in.Split {
		back, _ := url.ParseQuery(f.Get("back"))
		flt := itemFilterOf(back, newForm(nil), rq.Lang)
		flt.Status, flt.After = "", ""
		in.Filter = &flt
	}
	if f.HasErrors() {
		return s.renderPlan(w, rq, id, f, http.StatusUnprocessableEntity)
	}
	res, err := s.inspections.Assign(rq.Context(), rq.P, id, in)
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Field == "team_id" && in.Split {
			e2 := *e
			e2.Field = "split_team_id"
			err = &e2
		}
		if !failOn(f, err, rq.Lang, []string{"team_id", "inspector_id", "split_team_id", "item_ids"}) {
			return err
		}
		if msg := f.Errors["item_ids"]; msg != "" {
			f.Alert, f.Errors["item_ids"] = msg, ""
		}
		return s.renderPlan(w, rq, id, f, statusOf(err))
	}
	flash := "insp_assigned"
	if res.Assigned == 0 {
		flash = "insp_assigned_none"
	}
	s.seeOther(w, rq.Request, withQuery("/inspections/plans/"+id.String(), mustQuery(f.Get("back"))), flash)
	return nil
}

func mustQuery(s string) url.Values {
	v, _ := url.ParseQuery(s)
	return v
}

// inspOverdueData is the overdue list.
type inspOverdueData struct {
	Rows              []inspItemRow
	NextURL, FirstURL string
	Mine              bool
	Empty             string
	Check, ShowPlan   bool
}

// inspOverdue lists the open inspections past their deadline in every
// plan in scope, company-wide or per team or inspector (mine=1: mine).
func (s *Server) inspOverdue(w http.ResponseWriter, rq *request) error {
	ctx, l, p := rq.Context(), rq.Lang, rq.P
	q := rq.URL.Query()
	f := newForm(cloneValues(q))
	flt := itemFilterOf(q, f, l)
	if q.Get("mine") != "" {
		flt.Inspector = p.UserID
	}
	d := &inspOverdueData{Mine: q.Get("mine") != "", Empty: label("insp.overdue_none").In(l), ShowPlan: true}
	var items []*inspection.PlanItem
	var err error
	if !f.HasErrors() {
		if items, err = s.inspections.Overdue(ctx, p, flt); err != nil && !f.fail(err, l, "cursor") {
			return err
		}
	}
	now := s.now()
	plans := map[store.ID]*inspection.StoredPlan{}
	for _, it := range items {
		pl := plans[it.PlanID]
		if pl == nil {
			if pl, err = s.inspections.GetPlan(ctx, p, it.PlanID); err != nil {
				return err
			}
			plans[it.PlanID] = pl
		}
		r := s.itemRow(it, pl, now, l)
		r.PlanHref, r.PlanTitle = "/inspections/plans/"+pl.ID.String(), periodTitle(pl, l)
		d.Rows = append(d.Rows, r)
	}
	hidden := cloneValues(q)
	hidden.Del("cursor")
	if next := inspection.Cursor(items, flt.Limit); next != "" {
		nq := cloneValues(hidden)
		nq.Set("cursor", next)
		d.NextURL = withQuery("/inspections/overdue", nq)
	}
	if flt.After != "" {
		d.FirstURL = withQuery("/inspections/overdue", hidden)
	}
	pg := s.newPage(rq, "insp.overdue", "inspections")
	pg.Data, pg.Form = d, f
	s.render(w, rq, http.StatusOK, "inspection_overdue", pg)
	return nil
}
