package web

// The archives pages (档案, issue 13, ARC-001 to ARC-019, SEC-009): the
// routes and what the pages share (this file), the archive browser and
// the file pages with the printable cover (archives_files.go), the intake
// tray (archives_tray.go), loans with the printable lending slip
// (archives_loans.go), the retention dashboard and destruction lists
// (archives_retention.go), handovers (archives_handovers.go), inspections
// and departments (archives_depts.go). Handlers are a thin layer over
// internal/archive: the service decides who may read or do what.

import (
	"net/http"
	"time"

	"kefu/internal/archive"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// archiveRoutes mounts the archives pages (issue 13).
func (s *Server) archiveRoutes() {
	if s.archives == nil || s.policy == nil {
		return
	}
	read, write, borrow := auth.PermArchivesRead, auth.PermArchivesWrite, auth.PermArchivesBorrow
	s.page("GET /archives", read, s.arcBrowser)
	s.page("POST /archives/files", write, s.arcFileCreate)
	s.page("GET /archives/files/{id}", read, s.arcFileShow)
	s.page("GET /archives/files/{id}/cover", read, s.arcFileCover)
	// Electronic copies: the document service asks the archive whether
	// the caller may open them (custody, clearance or a current loan).
	s.page("GET /archives/files/{id}/documents/{doc}", borrow, s.customerDownload)
	s.page("POST /archives/files/{id}/{action}", read, s.arcFileAct)
	if s.docs != nil {
		s.page("POST /archives/files/{id}/upload", write, s.arcUpload)
	}
	s.page("POST /archives/levels/{id}/decide", read, s.arcLevelDecide)

	s.page("GET /archives/tray", read, s.arcTray)
	s.page("POST /archives/tray", write, s.arcCheckIn)
	s.page("POST /archives/tray/{id}/file", write, s.arcFileItem)

	s.page("GET /archives/loans", borrow, s.arcLoans)
	s.page("POST /archives/loans", borrow, s.arcApply)
	s.page("GET /archives/loans/{id}", borrow, s.arcLoanShow)
	s.page("GET /archives/loans/{id}/slip", borrow, s.arcLoanSlip)
	s.page("POST /archives/loans/{id}/{action}", borrow, s.arcLoanAct)

	s.page("GET /archives/retention", read, s.arcRetention)
	s.page("GET /archives/destructions", read, s.arcDestructions)
	s.page("POST /archives/destructions", write, s.arcDestructionCreate)
	s.page("GET /archives/destructions/{id}", read, s.arcDestructionShow)
	s.page("POST /archives/destructions/{id}/{action}", read, s.arcDestructionAct)

	s.page("GET /archives/handovers", read, s.arcHandovers)
	s.page("POST /archives/handovers", write, s.arcHandoverCreate)
	s.page("GET /archives/handovers/{id}", read, s.arcHandoverShow)
	s.page("POST /archives/handovers/{id}/{action}", read, s.arcHandoverAct)

	s.page("GET /archives/inspections", read, s.arcInspections)
	s.page("POST /archives/inspections", read, s.arcInspectionCreate)
	s.page("POST /archives/findings/{id}/close", read, s.arcFindingClose)

	s.page("GET /archives/departments", read, s.arcDepartments)
	s.page("POST /archives/departments/{key}", write, s.arcDepartmentBind)
}

// arcTabs is the sub-navigation of the archives pages.
type arcTabs struct {
	Active string
	Read   bool // archives:read: every tab; else only the loans
	Write  bool
}

// arcCtx is what every archives page knows: the company asked for
// (?company_id=, 0: the caller's), the pack's archive rules and the tabs.
type arcCtx struct {
	Company store.ID
	Rules   *policy.ArchiveRules
	Tabs    arcTabs
	Today   string
}

// arcContext builds the context of a page on tab.
func (s *Server) arcContext(rq *request, f *Form, tab string) *arcCtx {
	c := &arcCtx{Tabs: arcTabs{Active: tab, Read: rq.P.Can(auth.PermArchivesRead), Write: rq.P.Can(auth.PermArchivesWrite)}}
	if f != nil {
		c.Company = f.id("company_id")
	}
	if c.Company == 0 {
		if id, err := store.ParseID(rq.URL.Query().Get("company_id")); err == nil {
			c.Company = id
		}
	}
	unit := c.Company
	if unit == 0 {
		unit = rq.P.OrgUnitID
	}
	c.Rules = &policy.ArchiveRules{}
	if pk, err := s.policy.ForUnit(rq.Context(), unit); err == nil && pk != nil {
		c.Rules = &pk.Archives
	}
	c.Today = s.arcToday().String()
	return c
}

// arcToday is today in Beijing.
func (s *Server) arcToday() calendar.Date { return calendar.DateOf(s.now().In(shanghai)) }

// arcName is a label under "arc."+prefix+"."+key, or the key.
func arcName(prefix, key string, l i18n.Locale) string {
	return labelOr("arc."+prefix+"."+key, key, l)
}

// arcOptions are keys with their labels.
func arcOptions(prefix string, keys []string, l i18n.Locale) []option {
	out := make([]option, 0, len(keys))
	for _, k := range keys {
		out = append(out, option{k, arcName(prefix, k, l)})
	}
	return out
}

// levelOptions are the pack's confidentiality levels.
func (c *arcCtx) levelOptions(l i18n.Locale) []option {
	var out []option
	for _, v := range c.Rules.Levels {
		out = append(out, option{v.Key, nameIn(v.Name, l)})
	}
	return out
}

// categoryOptions are the pack's document categories.
func (c *arcCtx) categoryOptions(l i18n.Locale) []option {
	var out []option
	for _, v := range c.Rules.Categories {
		out = append(out, option{v.Key, v.Key + " " + nameIn(v.Name, l)})
	}
	return out
}

// chainOptions are the pack's lending chains.
func (c *arcCtx) chainOptions(l i18n.Locale) []option {
	var out []option
	for _, v := range c.Rules.LendingChains {
		out = append(out, option{v.Key, nameIn(v.Name, l)})
	}
	return out
}

// scheduleOptions are the pack's handover schedules.
func (c *arcCtx) scheduleOptions(l i18n.Locale) []option {
	var out []option
	for _, v := range c.Rules.Handovers {
		out = append(out, option{v.Key, nameIn(v.Name, l) + "（" + v.RuleID + "）"})
	}
	return out
}

// chainName is a lending chain's name.
func (c *arcCtx) chainName(key string, l i18n.Locale) string {
	if ch, ok := c.Rules.Chain(key); ok {
		return nameIn(ch.Name, l)
	}
	return key
}

// holderOptions are the bound archive departments (their units), for the
// holder selects.
func (s *Server) holderOptions(rq *request, company store.ID) []option {
	ds, err := s.archives.Departments(rq.Context(), rq.P, company)
	if err != nil {
		return nil
	}
	var out []option
	for _, d := range ds {
		if d.UnitID != 0 {
			out = append(out, option{d.UnitID.String(), d.Name + " · " + d.UnitName})
		}
	}
	return out
}

// levelClass is the badge colour of a level: the strictest red.
func levelClass(r *policy.ArchiveRules, key string) string {
	switch r.LevelRank(key) {
	case 0:
		return "badge-red"
	case 1:
		return "badge-amber"
	default:
		return "badge-blue"
	}
}

// stateClass is the badge colour of a loan, destruction or handover state.
func stateClass(state string) string {
	switch state {
	case archive.LoanPending, archive.HandoverSubmitted, "open":
		return "badge-amber"
	case archive.LoanApproved, archive.LoanLent:
		return "badge-blue"
	case archive.LoanReturned, archive.HandoverReceived, archive.DestructionExecuted, "archived", "applied", "filed":
		return "badge-green"
	case archive.LoanRejected, "destroyed":
		return "badge-red"
	default:
		return "badge-grey"
	}
}

// arcDue is the badge of a deadline at now: the time left, or overdue.
func arcDue(due time.Time, done bool, now time.Time, l i18n.Locale) *dueBadge {
	if due.IsZero() {
		return nil
	}
	b := &dueBadge{Title: label("arc.due_at", arcDueText(due)).In(l)}
	left := due.Sub(now)
	switch {
	case done:
		b.Class, b.Text = "met", label("arc.done").In(l)
	case left < 0:
		b.Class, b.Text = "over", label("tkt.due.over", span(left, l)).In(l)
		b.Deadline = due.Format(time.RFC3339)
	case left < 24*time.Hour:
		b.Class, b.Text = "warn", label("tkt.due.left", span(left, l)).In(l)
		b.Deadline = due.Format(time.RFC3339)
	default:
		b.Class, b.Text = "ok", label("tkt.due.left", span(left, l)).In(l)
		b.Deadline = due.Format(time.RFC3339)
	}
	return b
}

// arcStepView is one approval step as shown.
type arcStepView struct {
	archive.StepStatus
	StateName, Class string
}

// arcSteps are the steps of a chain as shown.
func arcSteps(steps []archive.StepStatus, l i18n.Locale) []arcStepView {
	out := make([]arcStepView, 0, len(steps))
	for _, st := range steps {
		v := arcStepView{StepStatus: st, StateName: arcName("step", st.State, l)}
		switch st.State {
		case "current":
			v.Class = "badge-amber"
		case "approved":
			v.Class = "badge-green"
		case "rejected":
			v.Class = "badge-red"
		default:
			v.Class = "badge-grey"
		}
		out = append(out, v)
	}
	return out
}

// canDecide reports whether the caller may decide one of the steps now.
func canDecide(steps []archive.StepStatus) bool {
	for _, st := range steps {
		if st.CanDecide {
			return true
		}
	}
	return false
}

// arcDate parses a date field ("" → zero); a bad one is an error on the form.
func arcDate(f *Form, field string, l i18n.Locale) calendar.Date {
	v := f.text(field)
	if v == "" {
		return calendar.Date{}
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		f.Errors[field] = label("arc.bad_date").In(l)
	}
	return d
}

// arcRender renders an archives page with its form and data.
func (s *Server) arcRender(w http.ResponseWriter, rq *request, status int, view, title string, f *Form, data any) {
	pg := s.newPage(rq, title, "archives")
	if !rq.P.Can(auth.PermArchivesRead) {
		pg.Active = "archive_loans"
		pg.Nav = navFor(rq.P, pg.Active, rq.Lang)
	}
	pg.Form, pg.Data = f, data
	if status == http.StatusOK {
		status = statusOrOK(f)
	}
	s.render(w, rq, status, view, pg)
}

// arcDecide is an approve / reject form (template "arcdecide").
type arcDecide struct {
	Action string
	File   store.ID // a level change: the file page shown again on an error
	Form   *Form
}

// arcDueText writes a deadline to the minute; a deadline at the end of a
// day (24:00, stored as 00:00 of the next) is written as that day 24:00.
func arcDueText(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(shanghai)
	if t.Hour() == 0 && t.Minute() == 0 {
		return t.AddDate(0, 0, -1).Format("2006-01-02") + " 24:00"
	}
	return t.Format("2006-01-02 15:04")
}
