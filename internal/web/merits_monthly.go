package web

import (
	"net/http"
	"net/url"
	"strconv"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/merit"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// meritMonthView is a unit's monthly table (奖惩公示), printable.
type meritMonthView struct {
	T           *merit.MonthTable
	Rows        []meritMonthRow
	Kinds       []option // the kinds with a column: those recorded in the month
	Units       []option
	UnitID      string
	Month       string
	CanPublish  bool
	Channel     string
	Today       string
	Unpublished int
	Publish     *Form
}

// meritMonthRow is one person's line with the counts in column order.
type meritMonthRow struct {
	R      merit.MonthRow
	Counts []int
	Flags  []string
	Net    string
}

// meritMonthly is the monthly table of a unit.
func (s *Server) meritMonthly(w http.ResponseWriter, rq *request) error {
	q := rq.URL.Query()
	form := newForm(q)
	v, err := s.meritMonthView(rq, form, q.Get("unit_id"), q.Get("month"))
	if err != nil {
		return err
	}
	s.renderMeritMonthly(w, rq, statusOrOK(form), form, v)
	return nil
}

func (s *Server) renderMeritMonthly(w http.ResponseWriter, rq *request, status int, form *Form, v *meritMonthView) {
	pg := s.newPage(rq, "mer.monthly", "merits")
	if v.T != nil {
		pg.Title = v.T.Unit + " " + v.T.Month + " · " + label("mer.monthly").In(rq.Lang)
	}
	pg.Form, pg.Data = form, v
	s.render(w, rq, status, "merit_monthly", pg)
}

func (s *Server) meritMonthView(rq *request, form *Form, unit, month string) (*meritMonthView, error) {
	l, p := rq.Lang, rq.P
	if month == "" {
		month = s.meritToday().String()[:7]
	}
	v := &meritMonthView{Units: s.meritUnits(rq), UnitID: unit, Month: month, Today: s.meritToday().String(),
		Publish: newForm(nil)}
	var unitID store.ID
	if unit != "" {
		if unitID = form.id("unit_id"); unitID == 0 {
			form.Errors["unit_id"] = label("mer.bad_id").In(l)
			return v, nil
		}
	} else {
		unitID = p.OrgUnitID
	}
	t, err := s.merits.Monthly(rq.Context(), p, unitID, month)
	if err != nil {
		if !failOn(form, err, l, []string{"unit_id", "month"}) {
			return nil, err
		}
		return v, nil
	}
	v.T, v.UnitID, v.Month = t, t.UnitID.String(), t.Month
	seen := map[string]bool{}
	for _, r := range t.Rows {
		for k, n := range r.Recorded {
			if n > 0 {
				seen[k] = true
			}
		}
	}
	for _, k := range policy.MeritKinds {
		if seen[k] {
			v.Kinds = append(v.Kinds, option{k, meritKindName(k, l)})
		}
	}
	for _, r := range t.Rows {
		mr := meritMonthRow{R: r, Net: meritNetWords(r.Net, l)}
		for _, k := range v.Kinds {
			mr.Counts = append(mr.Counts, r.Recorded[k.Key])
		}
		for _, f := range r.Flags {
			mr.Flags = append(mr.Flags, labelOr("mer.flag."+f, f, l))
		}
		v.Unpublished += r.Unpublished
		v.Rows = append(v.Rows, mr)
	}
	if pk, err := s.policy.ForUnit(rq.Context(), t.UnitID); err == nil && pk != nil {
		v.Channel = pk.Merits.Publication.Channel
		v.CanPublish = meritDecider(p, pk)
	}
	return v, nil
}

// meritNetWords are the non-zero net counts: "记小过 1、通报批评 1".
func meritNetWords(n merit.Net, l i18n.Locale) string {
	out := ""
	for _, k := range policy.MeritLevelKinds {
		if c := n.Of(k); c > 0 {
			if out != "" {
				out += labelOr("mer.sep", "、", l)
			}
			out += meritKindName(k, l) + " " + strconv.Itoa(c)
		}
	}
	return out
}

// meritPublish records that the unit's results of the month were posted
// (SEC-011).
func (s *Server) meritPublish(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	in := merit.PublishInput{UnitID: f.id("unit_id"), Month: f.text("month"), Channel: f.text("channel"), On: f.text("on")}
	_, err = s.merits.Publish(rq.Context(), rq.P, in)
	if err != nil {
		if _, ok := apperr.As(err); !ok {
			return err
		}
		form := newForm(nil)
		v, verr := s.meritMonthView(rq, form, f.text("unit_id"), f.text("month"))
		if verr != nil {
			return verr
		}
		failOn(f, err, rq.Lang, []string{"channel", "on"})
		v.Publish = f
		s.renderMeritMonthly(w, rq, statusOf(err), form, v)
		return nil
	}
	q := url.Values{"unit_id": {f.text("unit_id")}, "month": {f.text("month")}}
	s.seeOther(w, rq.Request, "/merits/monthly?"+q.Encode(), "merit_published")
	return nil
}

// meritBountyRow is one line of the bounty register.
type meritBountyRow struct {
	B                     *merit.Bounty
	KindName, Severity    string
	StateName, StateClass string
	BasisName             string
}

func meritBountyRowOf(b *merit.Bounty, l i18n.Locale) meritBountyRow {
	r := meritBountyRow{B: b, KindName: labelOr("mer.bounty."+b.Kind, b.Kind, l),
		StateName: labelOr("mer.bounty_state."+b.State, b.State, l), StateClass: "badge-amber"}
	if b.Basis != "" {
		r.BasisName = labelOr("mer.basis."+b.Basis, b.Basis, l)
	}
	if b.Severity != "" {
		r.Severity = labelOr("hz.sev."+b.Severity, b.Severity, l)
	}
	switch b.State {
	case merit.BountyApproved:
		r.StateClass = "badge-blue"
	case merit.BountyPaid:
		r.StateClass = "badge-green"
	case merit.BountyRejected:
		r.StateClass = "badge-grey"
	}
	return r
}

// meritBountiesData is the register with its form.
type meritBountiesData struct {
	Rows        []meritBountyRow
	States      []option
	CanRegister bool
	Reg         *Form
}

// meritBountyFields are the inputs of the register form.
var meritBountyFields = []string{"kind", "hazard_id", "verification", "basis", "basis_amount", "reporter_name", "reporter_phone", "note",
	"verified", "own_home"}

// meritBounties is the bounty register (MER-007, MER-008).
func (s *Server) meritBounties(w http.ResponseWriter, rq *request) error {
	return s.renderMeritBounties(w, rq, http.StatusOK, nil)
}

func (s *Server) renderMeritBounties(w http.ResponseWriter, rq *request, status int, reg *Form) error {
	q, l := rq.URL.Query(), rq.Lang
	form := newForm(q)
	if reg == nil {
		reg = newForm(nil)
		reg.Values.Set("kind", merit.BountyHazard)
		reg.Values.Set("basis", "recovered")
	}
	d := meritBountiesData{CanRegister: rq.P.Can(auth.PermMeritsWrite), Reg: reg}
	for _, st := range []string{merit.BountyProposed, merit.BountyApproved, merit.BountyPaid, merit.BountyRejected} {
		d.States = append(d.States, option{st, labelOr("mer.bounty_state."+st, st, l)})
	}
	items, err := s.merits.Bounties(rq.Context(), rq.P, q.Get("state"))
	if err != nil && !failOn(form, err, l, []string{"state"}) {
		return err
	}
	for i := range items {
		d.Rows = append(d.Rows, meritBountyRowOf(&items[i], l))
	}
	pg := s.newPage(rq, "mer.bounties", "merits")
	pg.Form, pg.Data = form, d
	if status == http.StatusOK {
		status = statusOrOK(form)
	}
	s.render(w, rq, status, "merit_bounties", pg)
	return nil
}

// meritBountyCreate registers a report from the form.
func (s *Server) meritBountyCreate(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	in := merit.BountyInput{Kind: f.text("kind"), OwnHome: f.Checked("own_home"), Verified: f.Checked("verified"),
		Verification: f.text("verification"), ReporterName: f.text("reporter_name"), ReporterPhone: f.text("reporter_phone"),
		Note: f.text("note")}
	if in.Kind == merit.BountyTheft {
		in.Basis, in.BasisAmount = f.text("basis"), f.text("basis_amount")
	} else if v := f.text("hazard_id"); v != "" {
		if in.HazardID = f.id("hazard_id"); in.HazardID == 0 {
			f.Errors["hazard_id"] = label("mer.bad_id").In(rq.Lang)
		}
	}
	var b *merit.Bounty
	if !f.HasErrors() {
		if b, err = s.merits.RegisterBounty(rq.Context(), rq.P, in); err != nil && !failOn(f, err, rq.Lang, meritBountyFields) {
			return err
		}
	}
	if f.HasErrors() {
		return s.renderMeritBounties(w, rq, statusOf(err), f)
	}
	s.seeOther(w, rq.Request, "/merits/bounties/"+b.ID.String(), "merit_bounty_registered")
	return nil
}

// meritBountyView is a bounty's page.
type meritBountyView struct {
	meritBountyRow
	Decided, Created string
	Show             map[string]bool // approve, reject, pay
	Today            string
	Failed           string
	Form             *Form
	Alert            string
}

// F returns the form of an action: the refused one as sent, else empty.
func (v *meritBountyView) F(action string) *Form {
	if v.Failed == action && v.Form != nil {
		return v.Form
	}
	return newForm(nil)
}

func (s *Server) meritBountyShow(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	v, err := s.meritBountyView(rq, id, "", nil)
	if err != nil {
		return err
	}
	s.renderMeritBounty(w, rq, http.StatusOK, v)
	return nil
}

func (s *Server) renderMeritBounty(w http.ResponseWriter, rq *request, status int, v *meritBountyView) {
	pg := s.newPage(rq, "mer.bounty", "merits")
	pg.Title = v.B.Number + " · " + label("mer.bounty").In(rq.Lang)
	pg.Data = v
	s.render(w, rq, status, "merit_bounty", pg)
}

func (s *Server) meritBountyView(rq *request, id store.ID, failed string, f *Form) (*meritBountyView, error) {
	b, err := s.merits.GetBounty(rq.Context(), rq.P, id)
	if err != nil {
		return nil, err
	}
	v := &meritBountyView{meritBountyRow: meritBountyRowOf(b, rq.Lang), Created: exact(b.CreatedAt), Show: map[string]bool{},
		Today: s.meritToday().String(), Failed: failed, Form: f}
	if b.DecidedAt != nil {
		v.Decided = exact(*b.DecidedAt)
	}
	approve := rq.P.Can(auth.PermMeritsApprove)
	v.Show["approve"] = approve && b.State == merit.BountyProposed
	v.Show["reject"] = v.Show["approve"]
	v.Show["pay"] = approve && b.State == merit.BountyApproved
	return v, nil
}

// meritBountyAct approves, rejects or pays a bounty.
func (s *Server) meritBountyAct(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	action := rq.PathValue("action")
	if action != "approve" && action != "reject" && action != "pay" {
		return notFound()
	}
	_, err = s.merits.DecideBounty(rq.Context(), rq.P, id, action,
		merit.BountyDecision{Note: f.text("note"), PaidOn: f.text("paid_on"), Voucher: f.text("voucher")})
	if err != nil {
		fields := []string{"note", "paid_on", "voucher"}
		if !failOn(f, err, rq.Lang, fields) {
			return err
		}
		if e, ok := apperr.As(err); ok && e.Status == http.StatusNotFound {
			return err
		}
		v, verr := s.meritBountyView(rq, id, action, f)
		if verr != nil {
			return verr
		}
		if !v.Show[action] {
			v.Alert = meritFirstMessage(f, fields)
		}
		s.renderMeritBounty(w, rq, statusOf(err), v)
		return nil
	}
	s.seeOther(w, rq.Request, "/merits/bounties/"+id.String(), "merit_bounty_"+action)
	return nil
}
