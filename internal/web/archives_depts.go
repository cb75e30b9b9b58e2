package web

import (
	"net/http"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/archive"
	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
)

// inspectionFields are the inputs of the inspection form.
var inspectionFields = []string{"unit_id", "inspected_on", "summary", "findings"}

// arcInspectionsData is the inspections page (ARC-019).
type arcInspectionsData struct {
	*arcCtx
	Rows   []archive.Inspection
	Units  []option
	Record bool // archives:write or archives:approve
	refusedForm
}

// arcInspections lists the inspections with their findings, the form to
// record one and the close-finding forms.
func (s *Server) arcInspections(w http.ResponseWriter, rq *request) error {
	return s.renderInspections(w, rq, http.StatusOK, "", nil)
}

func (s *Server) renderInspections(w http.ResponseWriter, rq *request, status int, failed string, f *Form) error {
	p := rq.P
	c := s.arcContext(rq, f, "inspections")
	d := &arcInspectionsData{arcCtx: c, Record: p.Can(auth.PermArchivesWrite) || p.Can(auth.PermArchivesApprove),
		refusedForm: refusedForm{Failed: failed, Form: f}}
	rows, err := s.archives.ListInspections(rq.Context(), p, c.Company)
	if err != nil {
		return err
	}
	d.Rows = rows
	if ds, err := s.archives.Departments(rq.Context(), p, c.Company); err == nil {
		for _, dp := range ds {
			if dp.UnitID != 0 {
				d.Units = append(d.Units, option{dp.UnitID.String(), dp.Name + " · " + dp.UnitName})
			}
		}
	}
	if f == nil {
		f = newForm(nil)
	}
	if f.Get("inspected_on") == "" {
		f.Values.Set("inspected_on", c.Today)
	}
	s.arcRender(w, rq, status, "archives_inspections", "arc.inspections", f, d)
	return nil
}

// arcInspectionCreate records an inspection; each line of the findings
// box is one finding ("档案号：内容" names a file).
func (s *Server) arcInspectionCreate(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	ctx, p, l := rq.Context(), rq.P, rq.Lang
	in := archive.InspectionInput{CompanyID: f.id("company_id"), UnitID: f.id("unit_id"), Summary: f.text("summary")}
	in.InspectedOn = arcDate(f, "inspected_on", l)
	due := arcDate(f, "due_on", l)
	for _, line := range strings.Split(f.Get("findings"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		fi := archive.FindingInput{Finding: line, DueOn: due}
		if num, text, ok := strings.Cut(line, "："); ok && !strings.ContainsAny(num, " \t") {
			if file, err := s.archives.LookupFile(ctx, p, in.CompanyID, num); err == nil {
				fi.FileID, fi.Finding = file.ID, strings.TrimSpace(text)
			} else if !apperr.Is(err, apperr.CodeNotFound) {
				return err
			}
		}
		in.Findings = append(in.Findings, fi)
	}
	if in.UnitID == 0 {
		f.Errors["unit_id"] = label("arc.pick_department").In(l)
	}
	if !f.HasErrors() {
		if _, err = s.archives.CreateInspection(ctx, p, in); err != nil && !failOn(f, err, l, append(inspectionFields, "due_on")) {
			return err
		}
	}
	if f.HasErrors() {
		return s.renderInspections(w, rq, statusOf(err), "inspect", f)
	}
	s.seeOther(w, rq.Request, "/archives/inspections", "arc_inspected")
	return nil
}

// arcFindingClose closes a finding with a note.
func (s *Server) arcFindingClose(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	if _, err := s.archives.CloseFinding(rq.Context(), rq.P, id, f.text("note")); err != nil {
		if !failOn(f, err, rq.Lang, []string{"note"}) {
			return err
		}
		return s.renderInspections(w, rq, statusOf(err), "close-"+id.String(), f)
	}
	s.seeOther(w, rq.Request, "/archives/inspections", "arc_finding_closed")
	return nil
}

// arcDepartmentsData is the departments page (ARC-004).
type arcDepartmentsData struct {
	*arcCtx
	Rows   []archive.Department
	Units  []option
	People []option
	Write  bool
	refusedForm
}

// arcDepartments lists the pack's departments with their bound unit and
// custodian, with the bind forms.
func (s *Server) arcDepartments(w http.ResponseWriter, rq *request) error {
	return s.renderDepartments(w, rq, http.StatusOK, "", nil)
}

func (s *Server) renderDepartments(w http.ResponseWriter, rq *request, status int, failed string, f *Form) error {
	p := rq.P
	c := s.arcContext(rq, f, "departments")
	rows, err := s.archives.Departments(rq.Context(), p, c.Company)
	if err != nil {
		return err
	}
	d := &arcDepartmentsData{arcCtx: c, Rows: rows, Write: p.Can(auth.PermArchivesWrite), refusedForm: refusedForm{Failed: failed, Form: f}}
	if d.Write {
		d.Units, d.People = s.companyPickers(rq, c.Company)
	}
	if f == nil {
		f = newForm(nil)
	}
	s.arcRender(w, rq, status, "archives_departments", "arc.departments", f, d)
	return nil
}

// companyPickers are the org units and active users of the company (0:
// the caller's), for the bind selects of an archivist: custody is bound
// across the company's departments (ARC-004), beyond the archivist's own
// unit; the service checks the unit and custodian chosen.
func (s *Server) companyPickers(rq *request, company store.ID) (units, people []option) {
	ctx := rq.Context()
	if company == 0 {
		co, err := org.CompanyOf(ctx, s.db.Reader(), rq.P.OrgUnitID)
		if err != nil {
			return nil, nil
		}
		company = co.ID
	}
	if ok, err := rq.P.SeesCompany(ctx, s.db.Reader(), company); err != nil || !ok {
		return nil, nil
	}
	if us, err := s.org.Subtree(ctx, company); err == nil {
		for _, u := range us {
			units = append(units, option{u.ID.String(), u.Name})
		}
	}
	active := true
	users, _, err := s.auth.List(ctx, nil, auth.ListFilter{OrgUnit: company, Active: &active, Limit: 500})
	if err != nil {
		return units, nil
	}
	for _, u := range users {
		name := u.DisplayName
		if name == "" {
			name = u.Username
		}
		people = append(people, option{u.ID.String(), name + "（" + u.Username + "）"})
	}
	return units, people
}

// arcDepartmentBind binds a department to a unit with its custodian.
func (s *Server) arcDepartmentBind(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	key := rq.PathValue("key")
	in := archive.DepartmentInput{CompanyID: f.id("company_id"), UnitID: f.id("unit_id"), CustodianID: f.id("custodian_id")}
	if _, err := s.archives.BindDepartment(rq.Context(), rq.P, key, in); err != nil {
		if !failOn(f, err, rq.Lang, []string{"unit_id", "custodian_id"}) {
			return err
		}
		return s.renderDepartments(w, rq, statusOf(err), "bind-"+key, f)
	}
	s.seeOther(w, rq.Request, "/archives/departments", "arc_department_bound")
	return nil
}
