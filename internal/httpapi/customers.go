package httpapi

import (
	"net/http"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/i18n"
	"kefu/internal/store"
	"kefu/internal/ticket"
)

// customerAPI serves /api/v1/customers (API.md "Customers"); import and
// export are served by their own file.
type customerAPI struct {
	svc     *customer.Service
	tickets *ticket.Service // work orders on the customer's page; may be nil
}

// customerCreated answers POST /customers: the customer and its duplicate
// candidates (CUS-016).
type customerCreated struct {
	customer.Customer
	Candidates []customer.Candidate `json:"candidates"`
}

// customerDetail answers GET /customers/{id}: the customer with its
// service points, contact records and work orders.
type customerDetail struct {
	customer.Customer
	WorkOrders []ticket.Ticket `json:"work_orders"`
}

type mergeRequest struct {
	MergeID store.ID `json:"merge_id"`
	Reason  string   `json:"reason"`
}

type supplyCheckRequest struct {
	Grade  string          `json:"grade"`
	Supply customer.Supply `json:"supply"`
}

// workOrdersShown bounds the work orders on the customer's page.
const workOrdersShown = 100

func (a *API) customerRoutes(svc *customer.Service, tickets *ticket.Service) []Route {
	if svc == nil {
		return nil
	}
	c := customerAPI{svc: svc, tickets: tickets}
	return []Route{
		{Method: "POST", Path: "/api/v1/customers", Permission: auth.PermCustomersWrite, Tag: "customers",
			Summary: "建立客户档案 Create a customer with its service points (CUS-001); answers the duplicate candidates (CUS-016)",
			Request: customer.Input{}, Response: customerCreated{}, Status: http.StatusCreated, handle: c.create},
		{Method: "GET", Path: "/api/v1/customers", Permission: auth.PermCustomersRead, Tag: "customers",
			Summary: "客户列表 Customers in the caller's scope, newest first; confidential fields masked",
			Query: []Param{{"q", "substring of name, phone, address or account number"}, {"type", "type key of the pack"},
				{"grade", "A|B|C|D"}, {"importance", "special|grade1|grade2|temporary"}, {"special_group", "elderly|frail|sick|disabled"},
				{"key_account", "true|false"}, {"kind", "person|organisation"}, {"unit", "owning org unit (subtree)"},
				{"limit", "1–500, default 50"}, {"cursor", "next_cursor of the previous page"}},
			Response: list[customer.Customer]{}, handle: c.list},
		{Method: "POST", Path: "/api/v1/customers/candidates", Permission: auth.PermCustomersRead, Tag: "customers",
			Summary: "查重 Duplicate candidates of a customer being entered (CUS-016)",
			Request: customer.Input{}, Response: list[customer.Candidate]{}, handle: c.candidates},
		{Method: "POST", Path: "/api/v1/customers/regrade", Permission: auth.PermCustomersManage, Tag: "customers",
			Summary: "年度重新分级 Regrade a region A/B/C/D by the pack's cuts (CUS-004)",
			Request: customer.RegradeInput{}, Response: customer.RegradeResult{}, handle: c.regrade},
		{Method: "POST", Path: "/api/v1/customers/supply-check", Permission: auth.PermCustomersRead, Tag: "customers",
			Summary: "电源配置校验 Check a supply configuration against an importance grade (CUS-007)",
			Request: supplyCheckRequest{}, Response: customer.SupplyCheck{}, handle: c.supplyCheck},
		{Method: "GET", Path: "/api/v1/customers/{id}", Permission: auth.PermCustomersRead, Tag: "customers",
			Summary:  "客户档案 One customer with service points, work orders and contact records; confidential fields masked per role, unmasked views audited",
			Response: customerDetail{}, handle: c.get},
		{Method: "PATCH", Path: "/api/v1/customers/{id}", Permission: auth.PermCustomersWrite, Tag: "customers",
			Summary: "修改客户档案 Change a customer; every change kept in history; stale version → 409 (CUS-018)",
			Request: customer.Patch{}, Response: customer.Customer{}, handle: c.update},
		{Method: "POST", Path: "/api/v1/customers/{id}/service-points", Permission: auth.PermCustomersWrite, Tag: "customers",
			Summary: "新增服务点 Add a service point as its own archive (一户一档, CUS-001)",
			Request: customer.ServicePointInput{}, Response: customer.ServicePoint{}, Status: http.StatusCreated, handle: c.addServicePoint},
		{Method: "POST", Path: "/api/v1/customers/{id}/contacts", Permission: auth.PermCustomersRead, Tag: "customers",
			Summary: "客户接触记录 Append a contact record (CUS-015, append-only)",
			Request: customer.ContactInput{}, Response: customer.Contact{}, Status: http.StatusCreated, handle: c.addContact},
		{Method: "POST", Path: "/api/v1/customers/{id}/classification", Permission: auth.PermCustomersManage, Tag: "customers",
			Summary: "客户分类 Change type, grade, importance grade or state, credit (CUS-002, CUS-004 to CUS-007, CUS-010, CUS-017)",
			Request: customer.Change{}, Response: customer.Customer{}, handle: c.classify},
		{Method: "POST", Path: "/api/v1/customers/{id}/merge", Permission: auth.PermCustomersManage, Tag: "customers",
			Summary: "合并重复客户 Merge the duplicate merge_id into this customer, keeping both histories (CUS-016)",
			Request: mergeRequest{}, Response: customer.Customer{}, handle: c.merge},
		{Method: "GET", Path: "/api/v1/customers/{id}/history", Permission: auth.PermCustomersRead, Tag: "customers",
			Summary: "变更历史 Field and classification history (CUS-018)", Response: customer.History{}, handle: c.history},
	}
}

func (c customerAPI) create(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in customer.Input
	if err := decode(r, &in); err != nil {
		return err
	}
	cu, cands, err := c.svc.Create(r.Context(), p, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/customers/"+cu.ID.String())
	writeJSON(w, http.StatusCreated, customerCreated{Customer: cu, Candidates: cands})
	return nil
}

func (c customerAPI) list(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := customer.Filter{Q: q.Get("q"), Type: q.Get("type"), Grade: q.Get("grade"), Importance: q.Get("importance"),
		SpecialGroup: q.Get("special_group"), Kind: customer.Kind(q.Get("kind")), Limit: pg.Limit, Cursor: pg.Cursor}
	if f.KeyAccount, err = queryOptBool(r, "key_account"); err != nil {
		return err
	}
	if s := q.Get("unit"); s != "" {
		if f.Unit, err = store.ParseID(s); err != nil {
			return apperr.Validation("unit", i18n.T("须为组织单元编号", "must be an org unit id"))
		}
	}
	page, err := c.svc.List(r.Context(), p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(page.Items, page.Next))
	return nil
}

func (c customerAPI) candidates(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in customer.Input
	if err := decode(r, &in); err != nil {
		return err
	}
	cands, err := c.svc.Candidates(r.Context(), p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(cands, ""))
	return nil
}

func (c customerAPI) get(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "customer")
	if err != nil {
		return err
	}
	cu, err := c.svc.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	out := customerDetail{Customer: cu, WorkOrders: []ticket.Ticket{}}
	// Work orders as the ticket module shows them to this caller (SEC-006).
	if c.tickets != nil && p.Can(auth.PermTicketsRead) {
		pg, err := c.tickets.List(r.Context(), p, ticket.Filter{Customer: cu.ID, Limit: workOrdersShown})
		if err != nil {
			return err
		}
		if pg.Items != nil {
			out.WorkOrders = pg.Items
		}
	}
	if cu.ID != id {
		w.Header().Set("Content-Location", "/api/v1/customers/"+cu.ID.String()) // a merged duplicate (CUS-016)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (c customerAPI) update(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in customer.Patch
	if err := decode(r, &in); err != nil {
		return err
	}
	id, err := recordID(r, "customer")
	if err != nil {
		return err
	}
	cu, err := c.svc.Update(r.Context(), p, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cu)
	return nil
}

func (c customerAPI) addServicePoint(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in customer.ServicePointInput
	if err := decode(r, &in); err != nil {
		return err
	}
	id, err := recordID(r, "customer")
	if err != nil {
		return err
	}
	sp, err := c.svc.AddServicePoint(r.Context(), p, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, sp)
	return nil
}

func (c customerAPI) addContact(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in customer.ContactInput
	if err := decode(r, &in); err != nil {
		return err
	}
	id, err := recordID(r, "customer")
	if err != nil {
		return err
	}
	k, err := c.svc.AddContact(r.Context(), p, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, k)
	return nil
}

func (c customerAPI) classify(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in customer.Change
	if err := decode(r, &in); err != nil {
		return err
	}
	id, err := recordID(r, "customer")
	if err != nil {
		return err
	}
	cu, err := c.svc.SetClassification(r.Context(), p, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cu)
	return nil
}

func (c customerAPI) merge(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in mergeRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	id, err := recordID(r, "customer")
	if err != nil {
		return err
	}
	if in.MergeID == 0 {
		return apperr.Required("merge_id")
	}
	cu, err := c.svc.Merge(r.Context(), p, id, in.MergeID, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cu)
	return nil
}

func (c customerAPI) regrade(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in customer.RegradeInput
	if err := decode(r, &in); err != nil {
		return err
	}
	res, err := c.svc.Regrade(r.Context(), p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (c customerAPI) supplyCheck(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	var in supplyCheckRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	res, err := customer.ValidateSupply(in.Grade, in.Supply)
	if err != nil {
		return err
	}
	res.Localize(i18n.FromRequest(r))
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (c customerAPI) history(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "customer")
	if err != nil {
		return err
	}
	h, err := c.svc.History(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h)
	return nil
}
