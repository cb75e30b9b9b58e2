package web

import (
	"net/http"
	"regexp"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/sales"
	"kefu/internal/store"
)

// dealFields are the inputs of the deal form.
var dealFields = []string{"registration_id", "closing_agent_id", "property_unit", "subscriber_name", "subscriber_phone",
	"price", "commission", "deposit_on", "subscribed_on"}

// dealRow is one deal in a list.
type dealRow struct {
	D                 *sales.Deal
	State, StateClass string
	Held              bool
	On                string
}

func dealRowOf(d *sales.Deal, l i18n.Locale) dealRow {
	r := dealRow{D: d, State: salesName("dstate", d.State, l), StateClass: "badge-amber", On: "—"}
	switch d.State {
	case sales.DealClosed:
		r.StateClass = "badge-green"
	case sales.DealVoid:
		r.StateClass = "badge-grey"
	}
	r.Held = d.Attribution != nil && d.Attribution.Held
	if d.DealOn != nil {
		r.On = d.DealOn.String()
	}
	return r
}

// dealsData is a month's deals.
type dealsData struct {
	*salesCtx
	Rows    []dealRow
	Month   string
	Receive bool
}

var monthRe = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)

// salesMonthOf is ?month=, this month when empty; "" and an error on the
// form when it is no month.
func (s *Server) salesMonthOf(rq *request, f *Form) string {
	m := rq.URL.Query().Get("month")
	if m == "" {
		return s.salesMonth()
	}
	if !monthRe.MatchString(m) {
		f.Errors["month"] = label("sal.bad_month").In(rq.Lang)
		return ""
	}
	return m
}

// salesDeals lists a centre's deals of a month.
func (s *Server) salesDeals(w http.ResponseWriter, rq *request) error {
	l := rq.Lang
	sc, err := s.salesCentre(rq, 0, "deals")
	if err != nil || sc == nil {
		return cmpErr(err)
	}
	form := newForm(rq.URL.Query())
	d := &dealsData{salesCtx: sc, Receive: rq.P.Can(auth.PermSalesReceive)}
	if d.Month = s.salesMonthOf(rq, form); d.Month != "" {
		ds, err := s.sales.Deals(rq.Context(), rq.P, sc.C.UnitID, d.Month)
		if err != nil && !failOn(form, err, l, []string{"month"}) {
			return err
		}
		for i := range ds {
			d.Rows = append(d.Rows, dealRowOf(&ds[i], l))
		}
	}
	form.Values.Set("month", d.Month)
	pg := s.newPage(rq, "sal.deals", "sales")
	pg.Form, pg.Data = form, d
	s.render(w, rq, statusOrOK(form), "sales_deals", pg)
	return nil
}

// cmpErr is err, or 404 when there is no centre.
func cmpErr(err error) error {
	if err != nil {
		return err
	}
	return notFound()
}

// dealNewData is the deal form.
type dealNewData struct {
	*salesCtx
	Agents  []option
	Entries []option
	Today   string
}

// salesDealNew shows the deal form (?registration_id= prefills it).
func (s *Server) salesDealNew(w http.ResponseWriter, rq *request) error {
	f := newForm(nil)
	if v := rq.URL.Query().Get("registration_id"); v != "" {
		f.Values.Set("registration_id", v)
	}
	return s.renderDealNew(w, rq, http.StatusOK, f)
}

func (s *Server) renderDealNew(w http.ResponseWriter, rq *request, status int, f *Form) error {
	sc, err := s.salesCentre(rq, f.id("unit_id"), "deals")
	if err != nil || sc == nil {
		return cmpErr(err)
	}
	d := &dealNewData{salesCtx: sc, Agents: s.salesAgents(rq, sc.C.UnitID), Today: s.salesToday().String()}
	if rs, _, err := s.sales.Registrations(rq.Context(), rq.P, sales.RegistrationFilter{UnitID: sc.C.UnitID, Limit: 200}); err == nil {
		for _, r := range rs {
			d.Entries = append(d.Entries, option{r.ID.String(), r.Number + " " + r.CustomerName + " " + r.Phone + "（" + r.Agent + "）"})
		}
	}
	if f.Get("closing_agent_id") == "" {
		f.Values.Set("closing_agent_id", rq.P.UserID.String())
	}
	pg := s.newPage(rq, "sal.deal_new", "sales")
	pg.Form, pg.Data = f, d
	s.render(w, rq, status, "sales_deal_new", pg)
	return nil
}

// salesDealCreate records a subscription or deal.
func (s *Server) salesDealCreate(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	in := sales.DealInput{UnitID: f.id("unit_id"), RegistrationID: f.id("registration_id"), ClosingAgentID: f.id("closing_agent_id"),
		PropertyUnit: f.text("property_unit"), SubscriberName: f.text("subscriber_name"), SubscriberPhone: f.text("subscriber_phone"),
		Price: f.text("price"), Commission: f.text("commission"), CompanyReferred: f.Checked("company_referred"),
		GroupPurchase: f.Checked("group_purchase"), DepositOn: f.text("deposit_on"), SubscribedOn: f.text("subscribed_on")}
	d, err := s.sales.RecordDeal(rq.Context(), rq.P, in)
	if err != nil {
		if !failOn(f, err, rq.Lang, dealFields) {
			return err
		}
		return s.renderDealNew(w, rq, statusOf(err), f)
	}
	s.seeOther(w, rq.Request, "/sales/deals/"+d.ID.String(), "sales_deal_recorded")
	return nil
}

// dealView is a deal's page.
type dealView struct {
	*salesCtx
	Row     dealRow
	Attr    *attrView
	History []*attrView
	Agents  []option
	Decider bool
	Manage  bool
	refusedForm
	Alert string
}

func (s *Server) dealView(rq *request, id store.ID, failed string, f *Form) (*dealView, error) {
	ctx, p, l := rq.Context(), rq.P, rq.Lang
	d, err := s.sales.GetDeal(ctx, p, id)
	if err != nil {
		return nil, err
	}
	sc, err := s.salesCentre(rq, d.UnitID, "deals")
	if err != nil {
		return nil, err
	}
	names := s.agentNames(rq, d.UnitID)
	names[d.ClosingAgentID] = d.ClosingAgent
	v := &dealView{salesCtx: sc, Row: dealRowOf(&d, l), Attr: attrViewOf(d.Attribution, names, l), Agents: s.salesAgents(rq, d.UnitID),
		Manage: p.Can(auth.PermSalesManage), refusedForm: refusedForm{Failed: failed, Form: f}}
	v.Decider = sales.IsDecider(p, sc.Rules)
	v.History = s.attrHistory(rq, id, 0, names)
	return v, nil
}

// attrHistory is the decisions on a deal or a conflict, oldest first,
// when there is more than the current one.
func (s *Server) attrHistory(rq *request, deal, conflict store.ID, names map[store.ID]string) []*attrView {
	as, err := s.sales.Attributions(rq.Context(), rq.P, deal, conflict)
	if err != nil || len(as) < 2 {
		return nil
	}
	out := make([]*attrView, len(as))
	for i := range as {
		out[i] = attrViewOf(&as[i], names, rq.Lang)
	}
	return out
}

// salesDealShow is a deal with its attribution.
func (s *Server) salesDealShow(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	v, err := s.dealView(rq, id, "", nil)
	if err != nil {
		return err
	}
	s.renderDeal(w, rq, http.StatusOK, v)
	return nil
}

func (s *Server) renderDeal(w http.ResponseWriter, rq *request, status int, v *dealView) {
	pg := s.newPage(rq, "sal.deal", "sales")
	pg.Title = v.Row.D.Number + " · " + v.Row.D.PropertyUnit
	pg.Data = v
	s.render(w, rq, status, "sales_deal", pg)
}

// salesDealAct adds facts, voids, or rules on a deal.
func (s *Server) salesDealAct(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	ctx, p := rq.Context(), rq.P
	action := rq.PathValue("action")
	var fields []string
	switch action {
	case "facts":
		fields = []string{"deposit_on", "subscribed_on", "manual_commission"}
		_, err = s.sales.UpdateDealFacts(ctx, p, id, sales.DealFactsInput{DepositOn: f.text("deposit_on"),
			SubscribedOn: f.text("subscribed_on"), Manual: f.text("manual_commission")})
	case "void":
		fields = []string{"reason"}
		_, err = s.sales.VoidDeal(ctx, p, id, f.text("reason"))
	case "rule":
		fields = rulingFields
		err = s.rule(rq, f)
	default:
		return notFound()
	}
	if err != nil {
		if !failOn(f, err, rq.Lang, fields) {
			return err
		}
		if e, ok := apperr.As(err); ok && e.Status == http.StatusNotFound && e.Field == "" {
			return err
		}
		v, verr := s.dealView(rq, id, action, f)
		if verr != nil {
			return verr
		}
		s.renderDeal(w, rq, statusOf(err), v)
		return nil
	}
	s.seeOther(w, rq.Request, "/sales/deals/"+id.String(), "sales_deal_"+action)
	return nil
}

// commissionData is the monthly commission report.
type commissionData struct {
	*salesCtx
	Month   string
	R       *sales.CommissionReport
	Deals   []commissionDeal
	Held    []dealRow
	Bonuses []sales.GroupBonusRecord
	Agents  []option
	Manage  bool
}

// commissionDeal is a deal of the report with its shares in words.
type commissionDeal struct {
	Row  dealRow
	Attr *attrView
}

// salesCommission is a centre's commission report of a month (printable).
func (s *Server) salesCommission(w http.ResponseWriter, rq *request) error {
	return s.renderCommission(w, rq, http.StatusOK, newForm(rq.URL.Query()))
}

func (s *Server) renderCommission(w http.ResponseWriter, rq *request, status int, form *Form) error {
	ctx, p, l := rq.Context(), rq.P, rq.Lang
	sc, err := s.salesCentre(rq, form.id("unit_id"), "commission")
	if err != nil || sc == nil {
		return cmpErr(err)
	}
	d := &commissionData{salesCtx: sc, Manage: p.Can(auth.PermSalesManage), Agents: s.salesAgents(rq, sc.C.UnitID)}
	d.Month = form.Get("month")
	if d.Month == "" {
		d.Month = s.salesMonth()
	}
	if !monthRe.MatchString(d.Month) {
		form.Errors["month"] = label("sal.bad_month").In(l)
	} else {
		r, err := s.sales.Commission(ctx, p, sc.C.UnitID, d.Month)
		if err != nil && !failOn(form, err, l, []string{"month"}) {
			return err
		}
		if err == nil {
			d.R = &r
			names := s.agentNames(rq, sc.C.UnitID)
			for i := range r.Deals {
				x := &r.Deals[i]
				names[x.ClosingAgentID] = x.ClosingAgent
				d.Deals = append(d.Deals, commissionDeal{Row: dealRowOf(x, l), Attr: attrViewOf(x.Attribution, names, l)})
			}
			for i := range r.Held {
				d.Held = append(d.Held, dealRowOf(&r.Held[i], l))
			}
		}
		if bs, err := s.sales.GroupBonuses(ctx, p, sc.C.UnitID, d.Month); err == nil {
			d.Bonuses = bs
		}
	}
	form.Values.Set("month", d.Month)
	pg := s.newPage(rq, "sal.commission", "sales")
	pg.Form, pg.Data = form, d
	if status == http.StatusOK {
		status = statusOrOK(form)
	}
	s.render(w, rq, status, "sales_commission", pg)
	return nil
}

// salesGroupBonus shares a group-purchase bonus (SAL-020).
func (s *Server) salesGroupBonus(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	in := sales.GroupBonusInput{UnitID: f.id("unit_id"), DealID: f.id("deal_id"), Month: f.text("month"), Pot: f.text("pot"),
		ReceivingAgentID: f.id("receiving_agent_id"), Note: f.text("note")}
	for _, v := range f.Values["agent_ids"] {
		if id, perr := store.ParseID(v); perr == nil {
			in.AgentIDs = append(in.AgentIDs, id)
		}
	}
	if _, err = s.sales.ShareGroupBonus(rq.Context(), rq.P, in); err != nil {
		if !failOn(f, err, rq.Lang, []string{"deal_id", "pot", "receiving_agent_id", "agent_ids", "note"}) {
			return err
		}
		form := newForm(cloneValues(f.Values))
		form.Errors, form.Alert = f.Errors, f.Alert
		return s.renderCommission(w, rq, statusOf(err), form)
	}
	s.seeOther(w, rq.Request, withUnit("/sales/commission", in.UnitID, "month", in.Month), "sales_group_bonus")
	return nil
}
