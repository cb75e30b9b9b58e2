package httpapi

import (
	"net/http"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/sales"
	"kefu/internal/store"
)

// dealRoutes are deals, attributions, commission, group bonuses,
// applications and follow-ups.
func (h salesAPI) dealRoutes(tag string, unit Param) []Route {
	read, receive, manage := auth.PermSalesRead, auth.PermSalesReceive, auth.PermSalesManage
	month := Param{"month", "YYYY-MM"}
	return []Route{
		{Method: "POST", Path: "/api/v1/sales/deals", Permission: receive, Tag: tag,
			Summary: "录入认购 Record a subscription; it is a deal once the deposit is paid AND the agreement signed " +
				"(SAL-019), and its attribution is computed then (SAL-008 to SAL-023)",
			Request: sales.DealInput{}, Response: sales.Deal{}, Status: http.StatusCreated, handle: h.recordDeal},
		{Method: "GET", Path: "/api/v1/sales/deals", Permission: read, Tag: tag,
			Summary: "成交列表 A centre's deals of a month", Query: []Param{unit, month},
			Response: list[sales.Deal]{}, handle: h.deals},
		{Method: "GET", Path: "/api/v1/sales/deals/{id}", Permission: read, Tag: tag,
			Summary: "成交详情 A deal with its current attribution", Response: sales.Deal{}, handle: h.deal},
		{Method: "POST", Path: "/api/v1/sales/deals/{id}/facts", Permission: receive, Tag: tag,
			Summary: "补录定金/签约 Add the deposit day, the signature day, or the Project Manager's commission of a " +
				"company-referred deal (SAL-023)", Request: sales.DealFactsInput{}, Response: sales.Deal{}, handle: h.dealFacts},
		{Method: "POST", Path: "/api/v1/sales/deals/{id}/void", Permission: manage, Tag: tag,
			Summary: "作废成交 Void a deal with a reason", Request: salesReasonInput{}, Response: sales.Deal{}, handle: h.voidDeal},
		{Method: "GET", Path: "/api/v1/sales/attributions", Permission: read, Tag: tag,
			Summary:  "归属记录 The attribution decisions of a deal or a conflict, oldest first, with steps and rule IDs",
			Query:    []Param{{"deal_id", "a deal"}, {"conflict_id", "a conflict"}},
			Response: list[sales.Attribution]{}, handle: h.attributions},
		{Method: "POST", Path: "/api/v1/sales/attributions/{id}/rule", Permission: manage, Tag: tag,
			Summary: "销售经理裁定 The Sales Manager's ruling with a reason (SAL-022): owner and shares; only a decider",
			Request: sales.RulingInput{}, Response: sales.Attribution{}, Status: http.StatusCreated, handle: h.rule},
		{Method: "GET", Path: "/api/v1/sales/commission", Permission: read, Tag: tag,
			Summary: "佣金表 A centre's commission of a month per agent, with deals held for a ruling (SEC-004)",
			Query:   []Param{unit, month}, Response: sales.CommissionReport{}, handle: h.commission},
		{Method: "POST", Path: "/api/v1/sales/group-bonuses", Permission: manage, Tag: tag,
			Summary: "团购奖金 Share a group-purchase bonus: the receiving agent gets the pack's uplift (SAL-020, G-30)",
			Request: sales.GroupBonusInput{}, Response: sales.GroupBonusRecord{}, Status: http.StatusCreated,
			handle: h.shareGroupBonus},
		{Method: "GET", Path: "/api/v1/sales/group-bonuses", Permission: read, Tag: tag,
			Summary: "团购奖金列表 A centre's group bonuses of a month", Query: []Param{unit, month},
			Response: list[sales.GroupBonusRecord]{}, handle: h.groupBonuses},
		{Method: "POST", Path: "/api/v1/sales/applications", Permission: receive, Tag: tag,
			Summary: "申请 Apply to the Sales Manager for a restricted action (SAL-021): release a unit, transfer the " +
				"name, a discount, another matter", Request: sales.ApplicationInput{}, Response: sales.Application{},
			Status: http.StatusCreated, handle: h.apply},
		{Method: "GET", Path: "/api/v1/sales/applications", Permission: read, Tag: tag,
			Summary: "申请列表 A centre's applications", Query: []Param{unit, {"state", "pending, approved, rejected"}},
			Response: list[sales.Application]{}, handle: h.applications},
		{Method: "GET", Path: "/api/v1/sales/applications/{id}", Permission: read, Tag: tag,
			Summary: "申请详情 One application", Response: sales.Application{}, handle: h.application},
		{Method: "POST", Path: "/api/v1/sales/applications/{id}/decide", Permission: manage, Tag: tag,
			Summary: "审批申请 The Sales Manager approves or rejects (SAL-021); only a decider",
			Request: sales.DecisionInput{}, Response: sales.Application{}, handle: h.decide},
		{Method: "POST", Path: "/api/v1/sales/followups", Permission: receive, Tag: tag,
			Summary: "跟进 Log a follow-up of one's own customer (SAL-024; append-only)",
			Request: sales.FollowUpInput{}, Response: sales.FollowUp{}, Status: http.StatusCreated, handle: h.followUp},
		{Method: "GET", Path: "/api/v1/sales/followups/due", Permission: read, Tag: tag,
			Summary: "待跟进 Customers with no follow-up for more than the pack's days (SAL-024: 14, a day difference)",
			Query:   []Param{unit, {"agent_id", "one agent"}}, Response: list[sales.FollowUpDue]{}, handle: h.followUpsDue},
		{Method: "GET", Path: "/api/v1/sales/followups", Permission: read, Tag: tag,
			Summary: "跟进记录 The follow-ups of a customer's entry", Query: []Param{{"registration_id", "the entry (required)"}},
			Response: list[sales.FollowUp]{}, handle: h.followUps},
	}
}

func (h salesAPI) recordDeal(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return createRecord(w, r, p, h.svc.RecordDeal)
}

func (h salesAPI) deals(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	unit, err := salesUnit(r)
	if err != nil {
		return err
	}
	items, err := h.svc.Deals(r.Context(), p, unit, r.URL.Query().Get("month"))
	return salesList(w, items, err)
}

func (h salesAPI) deal(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordRead(w, r, p, "deal", h.svc.GetDeal)
}

func (h salesAPI) dealFacts(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "deal", http.StatusOK, h.svc.UpdateDealFacts)
}

func (h salesAPI) voidDeal(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordCommand(w, r, "deal", http.StatusOK, func(id store.ID, in salesReasonInput) (sales.Deal, error) {
		return h.svc.VoidDeal(r.Context(), p, id, in.Reason)
	})
}

func (h salesAPI) attributions(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	deal, err := queryID(r, "deal_id")
	if err != nil {
		return err
	}
	conflict, err := queryID(r, "conflict_id")
	if err != nil {
		return err
	}
	if (deal == 0) == (conflict == 0) {
		return apperr.Validation("deal_id", i18n.T("须给出 deal_id 或 conflict_id 之一", "give one of deal_id or conflict_id"))
	}
	items, err := h.svc.Attributions(r.Context(), p, deal, conflict)
	return salesList(w, items, err)
}

func (h salesAPI) rule(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "attribution", http.StatusCreated, h.svc.Rule)
}

func (h salesAPI) commission(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	unit, err := salesUnit(r)
	if err != nil {
		return err
	}
	rep, err := h.svc.Commission(r.Context(), p, unit, r.URL.Query().Get("month"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (h salesAPI) shareGroupBonus(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return createRecord(w, r, p, h.svc.ShareGroupBonus)
}

func (h salesAPI) groupBonuses(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	unit, err := salesUnit(r)
	if err != nil {
		return err
	}
	items, err := h.svc.GroupBonuses(r.Context(), p, unit, r.URL.Query().Get("month"))
	return salesList(w, items, err)
}

func (h salesAPI) apply(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return createRecord(w, r, p, h.svc.Apply)
}

func (h salesAPI) applications(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	unit, err := salesUnit(r)
	if err != nil {
		return err
	}
	items, err := h.svc.Applications(r.Context(), p, unit, r.URL.Query().Get("state"))
	return salesList(w, items, err)
}

func (h salesAPI) application(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordRead(w, r, p, "application", h.svc.GetApplication)
}

func (h salesAPI) decide(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "application", http.StatusOK, h.svc.DecideApplication)
}

func (h salesAPI) followUp(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return createRecord(w, r, p, h.svc.FollowUp)
}

func (h salesAPI) followUps(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	reg, err := queryID(r, "registration_id")
	if err != nil {
		return err
	}
	if reg == 0 {
		return apperr.Required("registration_id")
	}
	items, err := h.svc.FollowUps(r.Context(), p, reg)
	return salesList(w, items, err)
}

func (h salesAPI) followUpsDue(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	unit, err := salesUnit(r)
	if err != nil {
		return err
	}
	agent, err := queryID(r, "agent_id")
	if err != nil {
		return err
	}
	items, err := h.svc.FollowUpsDue(r.Context(), p, unit, agent)
	return salesList(w, items, err)
}
