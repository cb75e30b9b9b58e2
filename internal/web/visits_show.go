package web

import (
	"net/http"
	"slices"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/visit"
)

// visitView is the visit page.
type visitView struct {
	V                                          *visit.Visit
	RuleName, PackName, SeverityName, RoleName string
	StatusName, StatusClass                    string
	Completed, DueAt, Created                  string
	Due                                        *dueBadge
	// The visited work order as the caller may read it: its page, subject
	// and customer (empty when the work order is outside the caller's scope).
	TicketLink               bool
	Subject, Customer        string
	Phone, Address           string
	CustomerLink             store.ID // the customer file, when the caller may open it
	RefHidden                bool     // a work order the caller may not read
	NextID                   store.ID // the round opened when this one was dissatisfied
	ModeName, ResultName     string
	ResultClass              string
	DoneAt, DoneBy, ReplyDue string
	ReviewedAt, ReviewedBy   string
	Modes                    []option // the modes of this round (VIS-010)
	CanRecord, CanReview     bool
	NotYours, ReviewWaits    string
	Failed                   string // the form that was sent and refused: record, review, swap or answer
	Form                     *Form  // its values and errors
	Record, Review           *Form  // the forms as shown
	Alert                    string // a refusal whose form is no longer offered
	InPerson, Dissatisfied   bool   // the values chosen on the record form
	OccasionLink             string // the occasion of a household's visit (VIS-006, VIS-007)
	// The swap (VIS-016): for the owner role on an open, not mandatory
	// first round, with the items it may be swapped for.
	CanSwap      bool
	Replacements []option
	Swap         *Form
	// The answer to the new issue (VIS-012): for the visit's role or the
	// owner role while it waits; who answered, once answered.
	CanAnswer              bool
	Answer                 *Form
	AnsweredAt, AnsweredBy string
}

// F returns the form of an action: the refused one as sent, else empty.
func (v *visitView) F(action string) *Form {
	if v.Failed == action && v.Form != nil {
		return v.Form
	}
	return newForm(nil)
}

// visitID parses the id of a visit path.
func visitID(rq *request) (store.ID, error) {
	id, err := store.ParseID(rq.PathValue("id"))
	if err != nil {
		return 0, apperr.NotFound("visit")
	}
	return id, nil
}

// visitShow is the visit page.
func (s *Server) visitShow(w http.ResponseWriter, rq *request) error {
	id, err := visitID(rq)
	if err != nil {
		return err
	}
	v, err := s.visitView(rq, id, "", nil)
	if err != nil {
		return err
	}
	s.renderVisit(w, rq, http.StatusOK, v)
	return nil
}

func (s *Server) renderVisit(w http.ResponseWriter, rq *request, status int, v *visitView) {
	pg := s.newPage(rq, "vis.title", "visits")
	pg.Title = v.V.RefNumber + " · " + v.RuleName
	pg.Data = v
	s.render(w, rq, status, "visit", pg)
}

// visitView reads a visit and prepares what its page shows; failed names
// the form f that was refused.
func (s *Server) visitView(rq *request, id store.ID, failed string, f *Form) (*visitView, error) {
	ctx, l, p := rq.Context(), rq.Lang, rq.P
	v, err := s.visits.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	vv := &visitView{V: v, RuleName: v.RuleName, SeverityName: s.visitSeverity(v, l), RoleName: roleName(auth.Role(v.Role), l),
		StatusName: visitStatusName(v.Status, l), StatusClass: visitStatusClass(v.Status), Completed: exact(v.CompletedAt),
		DueAt: exact(v.DueAt), Created: exact(v.CreatedAt), Due: visitDue(v, s.now(), l), Failed: failed, Form: f}
	pack := s.visitPack(v)
	if pack != nil {
		vv.PackName = nameIn(pack.Name, l)
		vv.RuleName = s.visitRuleName(v.Pack, v.Rule, l)
	}
	if vv.RuleName == "" {
		vv.RuleName = v.Rule
	}
	s.visitRef(rq, vv)
	users := map[store.ID]string{}
	if v.Mode != "" {
		vv.ModeName = visitModeName(v.Mode, l)
	}
	if v.Result != "" {
		vv.ResultName, vv.ResultClass = visitResultName(v.Result, l), visitResultClass(v.Result)
	}
	if v.DoneAt != nil {
		vv.DoneAt, vv.DoneBy = exact(*v.DoneAt), s.userName(ctx, users, v.DoneBy, l)
	}
	if v.ReplyDueAt != nil {
		vv.ReplyDue = exact(*v.ReplyDueAt)
	}
	if v.ReviewedAt != nil {
		vv.ReviewedAt, vv.ReviewedBy = exact(*v.ReviewedAt), s.userName(ctx, users, v.ReviewedBy, l)
	}
	vv.NextID = v.NextID
	for _, m := range v.Modes {
		vv.Modes = append(vv.Modes, option{m, visitModeName(m, l)})
	}
	switch v.Status {
	case visit.StatusOpen:
		vv.CanRecord = s.mayVisit(rq, v)
		if !vv.CanRecord && p.Can(auth.PermVisitsAct) {
			vv.NotYours = label("vis.not_yours", vv.RoleName).In(l)
		}
	case visit.StatusDone:
		vv.CanReview = s.ownsVisit(p, v)
		if !vv.CanReview && v.OwnerRole != "" {
			vv.ReviewWaits = label("vis.review_waits", roleName(auth.Role(v.OwnerRole), l)).In(l)
		}
	}
	vv.OccasionLink = occasionLink(v)
	if v.Status == visit.StatusOpen && v.Round == 1 && !v.Mandatory && s.ownsVisit(p, v) {
		if reps, err := s.visits.Replacements(ctx, p, v.ID, 200); err == nil {
			vv.CanSwap = true
			for _, r := range reps {
				vv.Replacements = append(vv.Replacements, option{r.CandidateID.String(),
					r.RefNumber + " · " + r.Customer + " · " + exact(r.CompletedAt)})
			}
		}
	}
	vv.CanAnswer = v.IssueOpen && (s.ownsVisit(p, v) || s.mayVisit(rq, v))
	if v.AnsweredAt != nil {
		vv.AnsweredAt, vv.AnsweredBy = exact(*v.AnsweredAt), s.userName(ctx, users, v.AnsweredBy, l)
	}
	vv.Record, vv.Review, vv.Swap, vv.Answer = vv.F("record"), vv.F("review"), vv.F("swap"), vv.F("answer")
	if failed != "record" && len(v.Modes) > 0 {
		vv.Record.Values.Set("mode", v.Modes[0]) // the first mode of the round, chosen
	}
	vv.InPerson = vv.Record.Get("mode") == policy.ModeInPerson
	vv.Dissatisfied = vv.Record.Get("result") == visit.ResultDissatisfied
	return vv, nil
}

// visitRef fills the work order the visit is about, as the caller may read
// it (the visit service keeps only its number and customer id).
func (s *Server) visitRef(rq *request, vv *visitView) {
	ctx, p, v := rq.Context(), rq.P, vv.V
	// Whom to call on, as the work order names them (the visitor may not
	// read the work order or the archive).
	vv.Customer, vv.Phone, vv.Address = v.Customer.Name, v.Customer.Phone, v.Customer.Address
	if v.RefType == "ticket" && s.tickets != nil && p.Can(auth.PermTicketsRead) {
		if t, err := s.tickets.Get(ctx, p, v.RefID); err == nil {
			vv.TicketLink, vv.Subject = true, t.Subject
		} else {
			vv.RefHidden = true
		}
	}
	if v.CustomerID != 0 && s.customers != nil && p.Can(auth.PermCustomersRead) {
		if c, err := s.customers.Get(ctx, p, v.CustomerID); err == nil {
			vv.CustomerLink = c.ID
			if vv.Customer == "" {
				vv.Customer, vv.Phone, vv.Address = c.Name, c.Phone, c.Address
			}
		}
	}
}

// mayVisit reports whether the caller records the visit: the holder of the
// visit's role in its company or above it (the service's rule, VIS-004).
func (s *Server) mayVisit(rq *request, v *visit.Visit) bool {
	p := rq.P
	switch {
	case !p.Can(auth.PermVisitsAct):
		return false
	case p.IsAdmin():
		return true
	case !slices.Contains(p.Roles, auth.Role(v.Role)):
		return false
	}
	if co, err := s.org.CompanyOf(rq.Context(), p.OrgUnitID); err == nil && co.ID == v.CompanyID {
		return true
	}
	path := s.unitPath(rq, v.CompanyID)
	return path != "" && p.Scope().Contains(path)
}

// visitMessage writes a refusal in the page's words ("" leaves the
// service's message).
func visitMessage(err error, v *visitView, l i18n.Locale) string {
	e, ok := apperr.As(err)
	if !ok {
		return ""
	}
	if e.Status == http.StatusForbidden && v.NotYours != "" {
		return v.NotYours
	}
	return ""
}
