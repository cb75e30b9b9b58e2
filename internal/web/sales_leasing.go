package web

import (
	"net/http"

	"kefu/internal/apperr"
	"kefu/internal/sales"
	"kefu/internal/store"
)

// The leasing variant of seed 003-D: daily submissions (SAL-025), the
// customer archive forms (SAL-028) and the General Manager's view grants
// (SEC-005).

// submissionsData is the submissions page.
type submissionsData struct {
	*salesCtx
	Due  []sales.SubmissionDue
	Done []sales.Submission
}

// salesSubmissions lists the days due and the last month's submissions,
// with the submit form.
func (s *Server) salesSubmissions(w http.ResponseWriter, rq *request) error {
	return s.renderSubmissions(w, rq, http.StatusOK, newForm(nil))
}

func (s *Server) renderSubmissions(w http.ResponseWriter, rq *request, status int, f *Form) error {
	ctx, p := rq.Context(), rq.P
	sc, err := s.salesCentre(rq, f.id("unit_id"), "submissions")
	if err != nil || sc == nil {
		return cmpErr(err)
	}
	d := &submissionsData{salesCtx: sc}
	if d.Due, err = s.sales.SubmissionsDue(ctx, p, sc.C.UnitID); err != nil && !f.fail(err, rq.Lang) {
		return err
	}
	today := s.salesToday()
	if d.Done, err = s.sales.Submissions(ctx, p, sc.C.UnitID, today.AddDays(-31), today); err != nil && !f.fail(err, rq.Lang) {
		return err
	}
	if f.Get("day") == "" {
		f.Values.Set("day", today.String())
	}
	pg := s.newPage(rq, "sal.submissions", "sales")
	pg.Form, pg.Data = f, d
	if status == http.StatusOK {
		status = statusOrOK(f)
	}
	s.render(w, rq, status, "sales_submissions", pg)
	return nil
}

// salesSubmit submits a day.
func (s *Server) salesSubmit(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	in := sales.SubmissionInput{UnitID: f.id("unit_id"), Day: f.text("day"), SpecialReason: f.text("special_reason")}
	if _, err := s.sales.Submit(rq.Context(), rq.P, in); err != nil {
		if !failOn(f, err, rq.Lang, []string{"day", "special_reason"}) {
			return err
		}
		return s.renderSubmissions(w, rq, statusOf(err), f)
	}
	s.seeOther(w, rq.Request, withUnit("/sales/submissions", in.UnitID), "sales_submitted")
	return nil
}

// archiveRow is one archive form.
type archiveRow struct {
	A                 *sales.ArchiveForm
	State, StateClass string
}

func (s *Server) archiveRowOf(a *sales.ArchiveForm, rq *request) archiveRow {
	r := archiveRow{A: a, State: salesName("fstate", a.State, rq.Lang), StateClass: "badge-blue"}
	if a.State != sales.FormFollowing {
		r.StateClass = "badge-grey"
	}
	return r
}

// archivesData is the archive forms page.
type archivesData struct {
	*salesCtx
	Rows   []archiveRow
	States []option
}

// salesArchiveForms lists a centre's archive forms with the create form.
func (s *Server) salesArchiveForms(w http.ResponseWriter, rq *request) error {
	return s.renderArchives(w, rq, http.StatusOK, newForm(nil))
}

func (s *Server) renderArchives(w http.ResponseWriter, rq *request, status int, f *Form) error {
	sc, err := s.salesCentre(rq, f.id("unit_id"), "archive")
	if err != nil || sc == nil {
		return cmpErr(err)
	}
	d := &archivesData{salesCtx: sc, States: salesOptions("fstate", []string{sales.FormFollowing, sales.FormClosed, sales.FormUnclosed}, rq.Lang)}
	as, err := s.sales.ArchiveForms(rq.Context(), rq.P, sc.C.UnitID, rq.URL.Query().Get("state"))
	if err != nil && !f.fail(err, rq.Lang) {
		return err
	}
	for i := range as {
		d.Rows = append(d.Rows, s.archiveRowOf(&as[i], rq))
	}
	pg := s.newPage(rq, "sal.archive_forms", "sales")
	pg.Form, pg.Data = f, d
	if status == http.StatusOK {
		status = statusOrOK(f)
	}
	s.render(w, rq, status, "sales_archives", pg)
	return nil
}

// salesArchiveCreate files a form.
func (s *Server) salesArchiveCreate(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	a, err := s.sales.CreateArchiveForm(rq.Context(), rq.P, sales.ArchiveFormInput{UnitID: f.id("unit_id"),
		RegistrationID: f.id("registration_id"), CustomerName: f.text("customer_name"), Content: f.text("content")})
	if err != nil {
		if !failOn(f, err, rq.Lang, []string{"registration_id", "customer_name", "content"}) {
			return err
		}
		return s.renderArchives(w, rq, statusOf(err), f)
	}
	s.seeOther(w, rq.Request, "/sales/archive-forms/"+a.ID.String(), "sales_archive_created")
	return nil
}

// archiveView is a form's page.
type archiveView struct {
	*salesCtx
	Row      archiveRow
	Outcomes []option
	refusedForm
	Month string
}

// F is the form of an action: the refused one as sent, else empty.
func (v *archiveView) F(action string) *Form {
	if v.Failed == action && v.Form != nil {
		return v.Form
	}
	f := newForm(nil)
	f.Values.Set("month", v.Month)
	return f
}

func (s *Server) archiveView(rq *request, id store.ID, failed string, f *Form) (*archiveView, error) {
	a, err := s.sales.GetArchiveForm(rq.Context(), rq.P, id)
	if err != nil {
		return nil, err
	}
	sc, err := s.salesCentre(rq, a.UnitID, "archive")
	if err != nil {
		return nil, err
	}
	return &archiveView{salesCtx: sc, Row: s.archiveRowOf(&a, rq), refusedForm: refusedForm{Failed: failed, Form: f}, Month: s.salesMonth(),
		Outcomes: salesOptions("fstate", []string{sales.FormClosed, sales.FormUnclosed}, rq.Lang)}, nil
}

// salesArchiveShow is a form with its monthly updates.
func (s *Server) salesArchiveShow(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	v, err := s.archiveView(rq, id, "", nil)
	if err != nil {
		return err
	}
	s.renderArchive(w, rq, http.StatusOK, v)
	return nil
}

func (s *Server) renderArchive(w http.ResponseWriter, rq *request, status int, v *archiveView) {
	pg := s.newPage(rq, "sal.archive_form", "sales")
	pg.Title = v.Row.A.Number + " · " + v.Row.A.CustomerName
	pg.Data = v
	s.render(w, rq, status, "sales_archive", pg)
}

// salesArchiveAct sends the month's update or closes the form.
func (s *Server) salesArchiveAct(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	in := sales.ArchiveFormInput{Content: f.text("content"), Month: f.text("month"), Outcome: f.text("outcome")}
	action := rq.PathValue("action")
	switch action {
	case "update":
		_, err = s.sales.SendArchiveUpdate(rq.Context(), rq.P, id, in)
	case "close":
		_, err = s.sales.CloseArchiveForm(rq.Context(), rq.P, id, in)
	default:
		return notFound()
	}
	if err != nil {
		if !failOn(f, err, rq.Lang, []string{"content", "month", "outcome"}) {
			return err
		}
		if e, ok := apperr.As(err); ok && e.Status == http.StatusNotFound && e.Field == "" {
			return err
		}
		v, verr := s.archiveView(rq, id, action, f)
		if verr != nil {
			return verr
		}
		s.renderArchive(w, rq, statusOf(err), v)
		return nil
	}
	s.seeOther(w, rq.Request, "/sales/archive-forms/"+id.String(), "sales_archive_"+action)
	return nil
}

// grantsData is the view grants page (SEC-005).
type grantsData struct {
	*salesCtx
	Rows   []sales.ViewGrant
	People []option
}

// salesGrants lists a leasing centre's view grants with the grant form.
func (s *Server) salesGrants(w http.ResponseWriter, rq *request) error {
	return s.renderGrants(w, rq, http.StatusOK, newForm(nil))
}

func (s *Server) renderGrants(w http.ResponseWriter, rq *request, status int, f *Form) error {
	sc, err := s.salesCentre(rq, f.id("unit_id"), "grants")
	if err != nil || sc == nil {
		return cmpErr(err)
	}
	d := &grantsData{salesCtx: sc, People: s.meritPeople(rq)}
	if d.Rows, err = s.sales.Grants(rq.Context(), rq.P, sc.C.UnitID); err != nil && !f.fail(err, rq.Lang) {
		return err
	}
	pg := s.newPage(rq, "sal.grants", "sales")
	pg.Form, pg.Data = f, d
	if status == http.StatusOK {
		status = statusOrOK(f)
	}
	s.render(w, rq, status, "sales_grants", pg)
	return nil
}

// salesGrant grants a user a view of the registers.
func (s *Server) salesGrant(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	in := sales.ViewGrantInput{UnitID: f.id("unit_id"), GranteeID: f.id("grantee_id"), Reason: f.text("reason")}
	if _, err := s.sales.Grant(rq.Context(), rq.P, in); err != nil {
		if !failOn(f, err, rq.Lang, []string{"grantee_id", "reason"}) {
			return err
		}
		return s.renderGrants(w, rq, statusOf(err), f)
	}
	s.seeOther(w, rq.Request, withUnit("/sales/grants", in.UnitID), "sales_granted")
	return nil
}

// salesRevoke ends a grant early.
func (s *Server) salesRevoke(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	g, err := s.sales.RevokeGrant(rq.Context(), rq.P, id)
	if err != nil {
		if !failOn(f, err, rq.Lang, nil) {
			return err
		}
		return s.renderGrants(w, rq, statusOf(err), f)
	}
	s.seeOther(w, rq.Request, withUnit("/sales/grants", g.UnitID), "sales_revoked")
	return nil
}
