package web

import (
	"net/http"
	"slices"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/inspection"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// inspRecordRow is one line of the record list.
type inspRecordRow struct {
	R                       *inspection.Record
	Obligation              string
	StatusName, StatusClass string
	Sheet                   *dueBadge
}

// inspRecordsData is the record list.
type inspRecordsData struct {
	Rows              []inspRecordRow
	Statuses          []option
	NextURL, FirstURL string
	Empty             string
	CanRecord         bool
}

// inspRecords lists the records in scope, newest first (mine=1: mine).
func (s *Server) inspRecords(w http.ResponseWriter, rq *request) error {
	ctx, l, p := rq.Context(), rq.Lang, rq.P
	q := rq.URL.Query()
	f := newForm(cloneValues(q))
	flt := inspection.RecordFilter{Status: inspection.Status(q.Get("status")), Month: q.Get("month"), Mine: q.Get("mine") != "",
		Track: q.Get("track"), Limit: 50}
	if v := q.Get("point"); v != "" {
		flt.ServicePoint, _ = store.ParseID(v)
	}
	if v := q.Get("cursor"); v != "" {
		id, err := store.ParseID(v)
		if err != nil {
			f.Errors["cursor"] = label("insp.bad_id").In(l)
		}
		flt.Before = id
	}
	d := &inspRecordsData{Empty: label("insp.records_none").In(l), CanRecord: p.Can(auth.PermInspectionsWrite)}
	var recs []*inspection.Record
	var err error
	if !f.HasErrors() {
		if recs, err = s.inspections.ListRecords(ctx, p, flt); err != nil && !f.fail(err, l, "status", "month") {
			return err
		}
	}
	for _, r := range recs {
		d.Rows = append(d.Rows, inspRecordRow{R: r, Obligation: s.obligationName(r.Pack, r.PackVersion, r.Cycle, r.Campaign, l),
			StatusName: label("insp.record." + string(r.Status)).In(l), StatusClass: recordClass(r), Sheet: sheetBadge(r, l)})
	}
	for _, st := range []inspection.Status{inspection.StatusOpen, inspection.StatusClosed} {
		d.Statuses = append(d.Statuses, option{string(st), label("insp.record." + string(st)).In(l)})
	}
	hidden := cloneValues(q)
	hidden.Del("cursor")
	if len(recs) == flt.Limit {
		nq := cloneValues(hidden)
		nq.Set("cursor", recs[len(recs)-1].ID.String())
		d.NextURL = withQuery("/inspections/records", nq)
	}
	if flt.Before != 0 {
		d.FirstURL = withQuery("/inspections/records", hidden)
	}
	pg := s.newPage(rq, "insp.records", "inspections")
	pg.Data, pg.Form = d, f
	s.render(w, rq, http.StatusOK, "inspection_records", pg)
	return nil
}

func recordClass(r *inspection.Record) string {
	if r.Status == inspection.StatusClosed {
		return "badge-green"
	}
	return "badge-amber"
}

// sheetBadge is the work sheet's target (INS-011): met, late, or the time left.
func sheetBadge(r *inspection.Record, l i18n.Locale) *dueBadge {
	if r.WorkSheetDueAt == nil {
		return nil
	}
	b := &dueBadge{Title: label("tkt.due.target", exact(*r.WorkSheetDueAt)).In(l), Prefix: label("insp.work_sheet").In(l)}
	switch {
	case r.ClosedAt != nil && r.WorkSheetLate:
		b.Class, b.Text = "late", label("insp.sheet.late").In(l)
	case r.ClosedAt != nil:
		b.Class, b.Text = "met", label("insp.sheet.met").In(l)
	case r.WorkSheetLate:
		b.Class, b.Text = "over", label("insp.sheet.over", exact(*r.WorkSheetDueAt)).In(l)
	default:
		b.Class, b.Text = "warn", label("insp.sheet.by", exact(*r.WorkSheetDueAt)).In(l)
	}
	return b
}

// inspRecordPage is the record form (new, edit, correction) and the
// record's page.
type inspRecordPage struct {
	R          *inspection.Record // nil: a new record
	Point      *inspection.PointSchedule
	Choose     bool // no point yet: find it by archive number
	Lists      []inspList
	Hazards    []inspHazardRow
	Severities []option
	Resps      []option
	Tracks     []option // the point's obligations to choose from
	Campaigns  []option
	Obligation string
	Track      string
	Campaign   string
	Item       store.ID
	Corrects   store.ID
	Action     string
	Editable   bool // the form is shown
	CanAct     bool
	StatusName string
	StatusCls  string
	Sheet      *dueBadge
	SheetName  string
	Now        string
}

func (s *Server) recordPage(rq *request, d *inspRecordPage, f *Form) {
	l := rq.Lang
	for _, k := range policy.HazardSeverityKeys {
		d.Severities = append(d.Severities, option{k, label("insp.severity." + k).In(l)})
	}
	for _, k := range inspection.Responsibilities {
		d.Resps = append(d.Resps, option{k, label("insp.resp." + k).In(l)})
	}
	d.Hazards = hazardRowsOf(f)
	d.Now = s.now().In(shanghai).Format(localLayout)
}

// inspNew is the record form: of a plan item (?item=), of a point and an
// obligation (?point=&track=&campaign=), a correction (?corrects=), or the
// lookup of a point by archive number (?archive=).
func (s *Server) inspNew(w http.ResponseWriter, rq *request) error {
	q := rq.URL.Query()
	f := newForm(nil)
	if c := q.Get("corrects"); c != "" { // a correction starts from the original
		id, err := store.ParseID(c)
		if err != nil {
			return notFound()
		}
		orig, err := s.inspections.GetRecord(rq.Context(), rq.P, id)
		if err != nil {
			return err
		}
		f = newForm(valuesOf(orig))
	}
	for _, k := range []string{"item", "point", "track", "campaign", "corrects", "archive"} {
		f.Values.Set(k, q.Get(k))
	}
	return s.renderNew(w, rq, f, http.StatusOK)
}

func (s *Server) renderNew(w http.ResponseWriter, rq *request, f *Form, status int) error {
	ctx, l, p := rq.Context(), rq.Lang, rq.P
	d := &inspRecordPage{Action: "/inspections/records", Editable: true, CanAct: true, Track: f.text("track"), Campaign: f.text("campaign")}
	point := f.id("point")
	if d.Item = f.id("item"); d.Item != 0 {
		it, err := s.inspections.GetItem(ctx, p, d.Item)
		if err != nil {
			return err
		}
		point = it.ServicePointID
		if d.Track == "" && d.Campaign == "" {
			d.Track, d.Campaign = it.Track, it.Campaign
		}
	}
	if d.Corrects = f.id("corrects"); d.Corrects != 0 {
		orig, err := s.inspections.GetRecord(ctx, p, d.Corrects)
		if err != nil {
			return err
		}
		point, d.Track, d.Campaign = orig.ServicePointID, orig.Track, orig.Campaign
	}
	if a := f.text("archive"); point == 0 && a != "" {
		id, err := s.inspections.PointByArchive(ctx, p, a)
		if err != nil {
			if !f.fail(err, l, "archive_no") {
				return err
			}
			f.Errors["archive"] = label("insp.no_point").In(l)
		}
		point = id
	}
	if point == 0 {
		d.Choose = true
	} else {
		spec, err := s.inspections.Spec(ctx, p, point, d.Track, d.Campaign)
		if err != nil {
			if !f.fail(err, l, "track") {
				return err
			}
			d.Track = ""
			spec, err = s.inspections.Spec(ctx, p, point, "", d.Campaign)
			if err != nil {
				return err
			}
		}
		d.Point = spec.Schedule
		d.Lists = inspLists(spec.Checklists, nil, l)
		d.SheetName = s.sheetName(spec.Schedule.Pack, spec.Schedule.WorkSheet, l)
		for _, t := range spec.Tracks {
			d.Tracks = append(d.Tracks, option{t.Track, t.CycleName})
		}
		for _, c := range spec.Campaigns {
			d.Campaigns = append(d.Campaigns, option{c.Key, c.Name})
		}
		f.Values.Set("point", point.String())
	}
	s.recordPage(rq, d, f)
	pg := s.newPage(rq, "insp.new", "inspections")
	pg.Data, pg.Form = d, f
	s.render(w, rq, status, "inspection_form", pg)
	return nil
}

// sheetName is the name of a work sheet of the pack (INS-011).
func (s *Server) sheetName(pack, key string, l i18n.Locale) string {
	if key == "" || s.policy == nil {
		return ""
	}
	if p, ok := s.policy.Get(pack); ok {
		for _, ws := range p.Inspections.WorkSheets {
			if ws.Key == key {
				return nameIn(ws.Name, l)
			}
		}
	}
	return key
}

// inspCreate records an inspection from the form; "close" closes it at
// once. A refusal shows the form again with the error under its field.
func (s *Server) inspCreate(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	l := rq.Lang
	point := f.id("point")
	var lists []inspList
	if point != 0 {
		if spec, err := s.inspections.Spec(rq.Context(), rq.P, point, f.text("track"), f.text("campaign")); err == nil {
			lists = inspLists(spec.Checklists, nil, l)
		}
	}
	form, hazards, note := formOf(f, lists)
	in := inspection.RecordInput{ServicePointID: point, Track: f.text("track"), Campaign: f.text("campaign"), Form: form,
		Hazards: hazards, Note: note, Corrects: f.id("corrects"), Close: f.Get("do") == "close"}
	var rec *inspection.Record
	if in.InspectedAt, err = inspWhen(f); err == nil {
		rec, err = s.inspections.CreateRecord(rq.Context(), rq.P, in)
	}
	if err != nil {
		if !failOn(f, err, l, append(inspFields(lists, f), "inspected_at")) {
			return err
		}
		return s.renderNew(w, rq, f, statusOf(err))
	}
	flash := "insp_saved"
	if rec.Status == inspection.StatusClosed {
		flash = "insp_closed"
	}
	s.seeOther(w, rq.Request, "/inspections/records/"+rec.ID.String(), flash)
	return nil
}

// inspShow is a record's page; an open record the caller may change shows
// the form with save and close.
func (s *Server) inspShow(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	return s.renderRecord(w, rq, id, nil, http.StatusOK)
}

func (s *Server) renderRecord(w http.ResponseWriter, rq *request, id store.ID, f *Form, status int) error {
	ctx, l, p := rq.Context(), rq.Lang, rq.P
	r, err := s.inspections.GetRecord(ctx, p, id)
	if err != nil {
		return err
	}
	canAct := p.Can(auth.PermInspectionsWrite) && (r.InspectorID == p.UserID || p.IsAdmin() || slices.Contains(p.Roles, auth.RoleAuditor))
	if f == nil {
		f = newForm(valuesOf(r))
	}
	d := &inspRecordPage{R: r, Action: "/inspections/records/" + r.ID.String(), CanAct: canAct,
		Editable: canAct && r.Status == inspection.StatusOpen, Track: r.Track, Campaign: r.Campaign,
		Obligation: s.obligationName(r.Pack, r.PackVersion, r.Cycle, r.Campaign, l),
		StatusName: label("insp.record." + string(r.Status)).In(l), StatusCls: recordClass(r), Sheet: sheetBadge(r, l),
		SheetName: s.sheetName(r.Pack, r.WorkSheet, l)}
	d.Lists = inspLists(s.inspections.RecordChecklists(r), r, l)
	s.recordPage(rq, d, f)
	pg := s.newPage(rq, "insp.record", "inspections")
	pg.Title = r.ArchiveNo + " · " + d.Obligation
	pg.Data, pg.Form = d, f
	s.render(w, rq, status, "inspection", pg)
	return nil
}

// inspUpdate saves the form of an open record; do=close closes it after.
func (s *Server) inspUpdate(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	ctx, l, p := rq.Context(), rq.Lang, rq.P
	r, err := s.inspections.GetRecord(ctx, p, id)
	if err != nil {
		return err
	}
	lists := inspLists(s.inspections.RecordChecklists(r), nil, l)
	form, hazards, note := formOf(f, lists)
	_, err = s.inspections.UpdateRecord(ctx, p, id, inspection.RecordUpdate{Form: form, Hazards: hazards, Note: note})
	flash := "insp_saved"
	if err == nil && f.Get("do") == "close" {
		_, err = s.inspections.CloseRecord(ctx, p, id)
		flash = "insp_closed"
	}
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Status == http.StatusForbidden {
			return err
		}
		if !failOn(f, err, l, inspFields(lists, f)) {
			return err
		}
		return s.renderRecord(w, rq, id, f, statusOf(err))
	}
	s.seeOther(w, rq.Request, "/inspections/records/"+id.String(), flash)
	return nil
}
