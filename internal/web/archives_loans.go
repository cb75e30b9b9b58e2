package web

import (
	"net/http"
	"strconv"

	"kefu/internal/archive"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// loanFields are the inputs of the application form.
var loanFields = []string{"file_number", "purpose", "mode", "days"}

// arcLoanRow is one loan in a list.
type arcLoanRow struct {
	L                 *archive.Loan
	State, StateClass string
	Mode              string
	Due               *dueBadge
	DueText           string
}

func (s *Server) loanRowOf(lo *archive.Loan, l i18n.Locale) arcLoanRow {
	r := arcLoanRow{L: lo, State: arcName("loan", lo.State, l), StateClass: stateClass(lo.State), Mode: arcName("mode", lo.Mode, l),
		DueText: arcDueText(lo.DueAt)}
	if lo.State == archive.LoanLent {
		r.Due = arcDue(lo.DueAt, false, s.now(), l)
		if lo.Overdue {
			r.StateClass = "badge-red"
		}
	}
	return r
}

// arcLoansData is the loans page.
type arcLoansData struct {
	*arcCtx
	Mine, ToDecide, All []arcLoanRow
	States, Modes       []option
	State               string
	Overdue             bool
	NextURL             string
	Days                string
}

// arcLoans lists my applications, those waiting for my decision and, for
// archives:read, every loan with the state and overdue filters.
func (s *Server) arcLoans(w http.ResponseWriter, rq *request) error {
	f := newForm(nil)
	if v := rq.URL.Query().Get("file_number"); v != "" {
		f.Values.Set("file_number", v)
	}
	return s.renderLoans(w, rq, http.StatusOK, f)
}

func (s *Server) renderLoans(w http.ResponseWriter, rq *request, status int, f *Form) error {
	ctx, p, l, q := rq.Context(), rq.P, rq.Lang, rq.URL.Query()
	c := s.arcContext(rq, f, "loans")
	d := &arcLoansData{arcCtx: c, Modes: arcOptions("mode", []string{archive.ModeTakeOut, archive.ModeView}, l),
		States: arcOptions("loan", []string{archive.LoanPending, archive.LoanApproved, archive.LoanLent, archive.LoanReturned,
			archive.LoanRejected, archive.LoanCancelled}, l),
		State: q.Get("state"), Overdue: q.Get("overdue") == "1", Days: strconv.Itoa(c.Rules.LoanPeriod.N)}
	mine, err := s.archives.ListLoans(ctx, p, archive.LoanFilter{CompanyID: c.Company, Mine: true, Limit: 50})
	if err != nil {
		return err
	}
	for i := range mine.Items {
		d.Mine = append(d.Mine, s.loanRowOf(&mine.Items[i], l))
	}
	if todo, err := s.archives.ListLoans(ctx, p, archive.LoanFilter{CompanyID: c.Company, ToDecide: true, Limit: 50}); err == nil {
		for i := range todo.Items {
			d.ToDecide = append(d.ToDecide, s.loanRowOf(&todo.Items[i], l))
		}
	}
	if p.Can(auth.PermArchivesRead) {
		filter := newForm(q)
		all, err := s.archives.ListLoans(ctx, p, archive.LoanFilter{CompanyID: c.Company, State: d.State, Overdue: d.Overdue,
			Limit: 50, Cursor: q.Get("cursor")})
		if err != nil && !failOn(filter, err, l, []string{"state"}) {
			return err
		}
		for i := range all.Items {
			d.All = append(d.All, s.loanRowOf(&all.Items[i], l))
		}
		if all.Next != "" {
			nq := cloneValues(q)
			nq.Set("cursor", all.Next)
			d.NextURL = "/archives/loans?" + nq.Encode()
		}
		for _, msg := range filter.Errors {
			f.Alert = msg
		}
		if filter.Alert != "" {
			f.Alert = filter.Alert
		}
	}
	if f.Get("mode") == "" {
		f.Values.Set("mode", archive.ModeTakeOut)
	}
	s.arcRender(w, rq, status, "archives_loans", "arc.loans", f, d)
	return nil
}

// arcApply applies to borrow a file by its number.
func (s *Server) arcApply(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	l := rq.Lang
	in := archive.LoanInput{CompanyID: f.id("company_id"), FileNumber: f.text("file_number"), Purpose: f.text("purpose"),
		Mode: f.text("mode")}
	if v := f.text("days"); v != "" {
		if in.Days, err = strconv.Atoi(v); err != nil || in.Days < 0 {
			f.Errors["days"] = label("arc.bad_days").In(l)
		}
	}
	var lo archive.Loan
	err = nil
	if !f.HasErrors() {
		if lo, err = s.archives.RequestLoan(rq.Context(), rq.P, in); err != nil && !failOn(f, err, l, loanFields) {
			return err
		}
	}
	if f.HasErrors() {
		return s.renderLoans(w, rq, statusOf(err), f)
	}
	s.seeOther(w, rq.Request, "/archives/loans/"+lo.ID.String(), "arc_loan_applied")
	return nil
}

// arcLoanView is a loan's page.
type arcLoanView struct {
	*arcCtx
	Row                 arcLoanRow
	Steps               []arcStepView
	Decide, Write, Mine bool
	Chases              []arcChaseView
	refusedForm
}

// arcChaseView is a reminder or chase.
type arcChaseView struct {
	C    *archive.Chase
	Kind string
}

// arcLoanShow shows a loan: its chain, the decide form, lending, return,
// chase and cancel.
func (s *Server) arcLoanShow(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	return s.renderLoan(w, rq, http.StatusOK, id, "", nil)
}

func (s *Server) renderLoan(w http.ResponseWriter, rq *request, status int, id store.ID, failed string, f *Form) error {
	p, l := rq.P, rq.Lang
	lo, err := s.archives.GetLoan(rq.Context(), p, id)
	if err != nil {
		return err
	}
	c := s.arcContext(rq, nil, "loans")
	v := &arcLoanView{arcCtx: c, Row: s.loanRowOf(&lo, l), Steps: arcSteps(lo.Steps, l),
		Decide: lo.State == archive.LoanPending && canDecide(lo.Steps), Write: p.Can(auth.PermArchivesWrite),
		Mine: lo.BorrowerID == p.UserID, refusedForm: refusedForm{Failed: failed, Form: f}}
	for i := range lo.Chases {
		v.Chases = append(v.Chases, arcChaseView{C: &lo.Chases[i], Kind: arcName("chase", lo.Chases[i].Kind, l)})
	}
	if f == nil {
		f = newForm(nil)
	}
	s.arcRender(w, rq, status, "archives_loan", lo.Number+" · "+label("arc.loan").In(l), f, v)
	return nil
}

// arcLoanAct decides, lends, returns, chases or cancels a loan.
func (s *Server) arcLoanAct(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	ctx, p := rq.Context(), rq.P
	action := rq.PathValue("action")
	switch action {
	case "decide":
		_, err = s.archives.DecideLoan(ctx, p, id, f.text("approve") == "yes", f.text("note"))
	case "lend":
		_, err = s.archives.LendLoan(ctx, p, id)
	case "return":
		_, err = s.archives.ReturnLoan(ctx, p, id, f.text("note"))
	case "chase":
		_, err = s.archives.ChaseLoan(ctx, p, id, f.text("note"))
	case "cancel":
		_, err = s.archives.CancelLoan(ctx, p, id)
	default:
		return notFound()
	}
	if err != nil {
		if !failOn(f, err, rq.Lang, []string{"note"}) {
			return err
		}
		return s.renderLoan(w, rq, statusOf(err), id, action, f)
	}
	s.seeOther(w, rq.Request, "/archives/loans/"+id.String(), "arc_loan_"+action)
	return nil
}

// arcSlipData is the printable lending slip (借阅单).
type arcSlipData struct {
	L                    *archive.Loan
	Company, Mode, State string
	Steps                []arcStepView
	Printed, Due         string
}

// arcLoanSlip prints a loan's lending slip.
func (s *Server) arcLoanSlip(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	lo, err := s.archives.GetLoan(rq.Context(), rq.P, id)
	if err != nil {
		return err
	}
	zh := i18n.ZH
	d := &arcSlipData{L: &lo, Mode: arcName("mode", lo.Mode, zh), State: arcName("loan", lo.State, zh),
		Steps: arcSteps(lo.Steps, zh), Printed: exact(s.now()), Due: arcDueText(lo.DueAt)}
	if u, err := s.org.Get(rq.Context(), lo.CompanyID); err == nil {
		d.Company = u.Name
	}
	pg := s.newPage(rq, "arc.slip", "archives")
	if !rq.P.Can(auth.PermArchivesRead) {
		pg.Active = "archive_loans"
		pg.Nav = navFor(rq.P, pg.Active, rq.Lang)
	}
	pg.Title = lo.Number + " · " + label("arc.slip").In(rq.Lang)
	pg.Data = d
	s.render(w, rq, http.StatusOK, "archives_slip", pg)
	return nil
}

// DecideForm is the approve / reject form of the loan's current step.
func (v *arcLoanView) DecideForm() arcDecide {
	return arcDecide{Action: "/archives/loans/" + v.Row.L.ID.String() + "/decide", Form: v.F("decide")}
}
