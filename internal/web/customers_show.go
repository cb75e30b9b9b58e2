package web

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/document"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/ticket"
)

// customerView is the customer page and its printable archive cover.
type customerView struct {
	C                                   customer.Customer
	PackName, KindName, TypeName        string
	ImportanceName, StateName, UnitName string
	CreditGrade                         string
	Groups, Flags                       []string
	IDMasked, ProfileHidden             bool
	Profile                             []kv
	Points                              []pointView
	TicketsOn                           bool // the caller may read work orders
	Tickets                             []ticketRow
	TicketsMore                         string
	Contacts                            []contactView
	Channels                            []option
	DocsOn                              bool
	Docs                                []docView
	Categories                          []option
	DocOwners                           []option
	Fields                              []fieldView
	Grades                              []gradeView
	ClassGroups                         []classGroup
	Candidates                          []customer.Candidate
	FormData                            *customerFormData // pickers of the add-service-point form
	CanWrite, CanManage                 bool
	Failed                              string // the action form that was sent and refused, shown open
	Forms                               map[string]*Form
	Printed                             string
}

// F returns the form of an action ("contact", "point", "class", "doc", "merge").
func (v *customerView) F(name string) *Form {
	if f, ok := v.Forms[name]; ok {
		return f
	}
	return newForm(nil)
}

type kv struct{ K, V string }

// pointView is one service point (一户一档) with its attributes in words.
type pointView struct {
	SP       customer.ServicePoint
	KindName string
	Attrs    []kv
	Process  string // the start form of a business process from the point, "" when none may be started
}

type contactView struct {
	K                      customer.Contact
	Channel, Direction, At string
	Point                  string // archive number of the service point, if any
}

type docView struct {
	D     document.Document
	Owner string // 客户 or the archive number
	At    string
}

type fieldView struct {
	H             customer.FieldChange
	Field, By, At string
}

type gradeView struct {
	G                                         customer.GradeChange
	Dim, Value, Previous, By, At, Eff, Reason string
}

// classGroup is one dimension of the classification form.
type classGroup struct {
	Name string
	Opts []option // value "dimension=value"
}

// customerShow is the customer page.
func (s *Server) customerShow(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	v, err := s.customerView(rq, id, "", nil)
	if err != nil {
		return err
	}
	if v.C.ID != id { // a merged duplicate: the kept record (CUS-016)
		http.Redirect(w, rq.Request, "/customers/"+v.C.ID.String(), http.StatusSeeOther)
		return nil
	}
	if rq.URL.Query().Get("dup") != "" {
		in := customer.Input{Name: v.C.Name, Phone: v.C.Phone, Address: v.C.Address, CarPlate: v.C.CarPlate,
			CarBrand: v.C.CarBrand, OrgUnit: &v.C.OrgUnitID}
		cands, err := s.customers.Candidates(rq.Context(), rq.P, in)
		if err != nil {
			return err
		}
		for _, c := range cands {
			if c.ID != v.C.ID {
				v.Candidates = append(v.Candidates, c)
			}
		}
	}
	s.renderCustomer(w, rq, http.StatusOK, v)
	return nil
}

func (s *Server) renderCustomer(w http.ResponseWriter, rq *request, status int, v *customerView) {
	pg := s.newPage(rq, "cus.title", "customers")
	pg.Title = v.C.Name + " · " + pg.Title
	pg.Data = v
	s.render(w, rq, status, "customer", pg)
}

// customerPrint is the printable archive cover (客户档案, A4).
func (s *Server) customerPrint(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	v, err := s.customerView(rq, id, "", nil)
	if err != nil {
		return err
	}
	v.Printed = exact(s.now())
	pg := s.newPage(rq, "cus.cover", "customers")
	pg.Title = v.C.Name + " · " + pg.Title
	pg.Data = v
	s.render(w, rq, http.StatusOK, "customer_print", pg)
	return nil
}

// customerView reads a customer as the caller may see it (masked by the
// service) and everything its page shows; failed names the action form
// that was refused, f its values and errors.
func (s *Server) customerView(rq *request, id store.ID, failed string, f *Form) (*customerView, error) {
	ctx, l, p := rq.Context(), rq.Lang, rq.P
	c, err := s.customers.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	pack, err := s.policy.ForUnit(ctx, c.OrgUnitID)
	if err != nil {
		return nil, err
	}
	if pk, ok := s.policy.Get(c.Pack); ok {
		pack = pk
	}
	r := &pack.Customers
	v := &customerView{C: c, PackName: nameIn(pack.Name, l), KindName: label("cus.kind." + string(c.Kind)).In(l),
		TypeName: customerTypeName(pack, c.Type, l), Groups: keyedNames(r.SpecialGroups, c.SpecialGroups, l),
		Flags: keyedNames(r.RiskFlags, c.Flags, l), IDMasked: slices.Contains(c.Masked, policy.FieldIDNumber),
		ProfileHidden: slices.Contains(c.Masked, policy.FieldProfile), CanWrite: p.Can(auth.PermCustomersWrite),
		CanManage: p.Can(auth.PermCustomersManage), Failed: failed, Forms: map[string]*Form{}}
	if failed != "" && f != nil {
		v.Forms[failed] = f
	}
	v.CreditGrade = strings.Join(keyedNames(r.CreditGrades, []string{c.CreditGrade}, l), "")
	if c.Importance != "" {
		v.ImportanceName = labelOr("cus.imp."+c.Importance, c.Importance, l)
	}
	if c.ImportanceState != "" {
		v.StateName = labelOr("cus.state."+c.ImportanceState, c.ImportanceState, l)
	}
	if u, err := s.org.Get(ctx, c.OrgUnitID); err == nil {
		v.UnitName = u.Name
	}
	keys := make([]string, 0, len(c.Profile))
	for k := range c.Profile {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v.Profile = append(v.Profile, kv{labelOr("cus.profile."+k, k, l), c.Profile[k]})
	}
	archive := map[store.ID]string{}
	startable := s.canStartFrom(rq, c.OrgUnitID)
	for _, sp := range c.ServicePoints {
		archive[sp.ID] = sp.ArchiveNo
		pv := pointView{SP: sp, KindName: pointKindName(pack, sp.Kind, l), Attrs: pointAttrs(sp, l)}
		if startable[sp.Kind] || startable[""] {
			pv.Process = "/processes/new?service_point=" + sp.ID.String()
		}
		v.Points = append(v.Points, pv)
	}
	for _, ch := range customer.Channels {
		v.Channels = append(v.Channels, option{ch, labelOr("cus.ch."+ch, ch, l)})
	}
	users := map[store.ID]string{}
	for _, k := range c.Contacts {
		cv := contactView{K: k, Channel: labelOr("cus.ch."+k.Channel, k.Channel, l),
			Direction: labelOr("cus.dir."+k.Direction, k.Direction, l), At: exact(k.At)}
		if k.ServicePointID != nil {
			cv.Point = archive[*k.ServicePointID]
		}
		if k.ByName != "" {
			users[k.ByUser] = k.ByName
		}
		v.Contacts = append(v.Contacts, cv)
	}
	if s.tickets != nil && p.Can(auth.PermTicketsRead) {
		v.TicketsOn = true
		page, err := s.tickets.List(ctx, p, ticket.Filter{Customer: c.ID, Limit: 20})
		if err != nil {
			return nil, err
		}
		for i := range page.Items {
			t := &page.Items[i]
			v.Tickets = append(v.Tickets, ticketRow{T: *t, CategoryName: categoryName(s.packOf(t), t.Category, l),
				StatusName: statusName(t.Status, l)})
		}
		if page.Next != "" {
			v.TicketsMore = "/tickets?q=" + c.Phone
		}
	}
	if err := s.customerDocs(rq, v, archive); err != nil {
		return nil, err
	}
	hist, err := s.customers.History(ctx, p, c.ID)
	if err != nil {
		return nil, err
	}
	for _, h := range hist.Fields {
		v.Fields = append(v.Fields, fieldView{H: h, Field: labelOr("cus.f."+h.Field, h.Field, l),
			By: s.userName(ctx, users, h.ByUser, l), At: exact(h.At)})
	}
	for _, g := range hist.Classification {
		gv := gradeView{G: g, Dim: labelOr("cus.dim."+g.Dimension, g.Dimension, l), By: s.userName(ctx, users, g.ByUser, l),
			At: exact(g.At), Eff: exact(g.EffectiveAt)}
		gv.Value, gv.Previous = dimValue(pack, g.Dimension, g.Value, l), dimValue(pack, g.Dimension, g.Previous, l)
		// Reasons the service writes itself ("created") are keys; a
		// person's reason is shown as written.
		gv.Reason = labelOr("cus.reason."+g.Reason, g.Reason, l)
		if g.ByUser == 0 {
			gv.By = label("audit.system").In(l)
		}
		v.Grades = append(v.Grades, gv)
	}
	v.ClassGroups = classGroups(pack, l)
	v.FormData = s.customerFormData(pack, l)
	v.FormData.Points = []pointRow{{Prefix: "sp0", N: 1, Form: v.F("point"), D: v.FormData}}
	return v, nil
}

// customerDocs lists the documents of the customer and of its service
// points (when the document service is on).
func (s *Server) customerDocs(rq *request, v *customerView, archive map[store.ID]string) error {
	if s.docs == nil {
		return nil
	}
	ctx, l := rq.Context(), rq.Lang
	v.DocsOn = true
	for _, c := range document.Categories {
		v.Categories = append(v.Categories, option{c.Key, c.Name.In(l)})
	}
	self := label("cus.doc.customer").In(l)
	v.DocOwners = append(v.DocOwners, option{"customer:" + v.C.ID.String(), self})
	add := func(ownerType string, id store.ID, owner string) error {
		page, err := s.docs.List(ctx, rq.P, ownerType, id, 100, "")
		if err != nil {
			return err
		}
		for _, d := range page.Items {
			v.Docs = append(v.Docs, docView{D: d, Owner: owner, At: exact(d.UploadedAt)})
		}
		return nil
	}
	if err := add("customer", v.C.ID, self); err != nil {
		return err
	}
	for _, sp := range v.C.ServicePoints {
		v.DocOwners = append(v.DocOwners, option{"service_point:" + sp.ID.String(), sp.ArchiveNo})
		if err := add("service_point", sp.ID, archive[sp.ID]); err != nil {
			return err
		}
	}
	for i := range v.Docs {
		if c, ok := document.LookupCategory(v.Docs[i].D.Category); ok {
			v.Docs[i].D.CategoryName = c.Name.In(l)
		}
	}
	return nil
}

// pointAttrs writes a service point's attributes in words.
func pointAttrs(sp customer.ServicePoint, l i18n.Locale) []kv {
	var out []kv
	order := []string{"meters", "reading_frequency", "gas_use", "voltage", "hv", "contracted_capacity_kva", "tariff",
		"usage", "building", "unit", "room", "area_m2"}
	for _, k := range order {
		val, ok := sp.Attributes[k]
		if !ok || val == nil {
			continue
		}
		var txt string
		switch x := val.(type) {
		case []any:
			parts := make([]string, len(x))
			for i, m := range x {
				parts[i] = fmt.Sprint(m)
			}
			txt = strings.Join(parts, "、")
		case bool:
			txt = label("cus.no").In(l)
			if x {
				txt = label("cus.yes").In(l)
			}
		case float64:
			txt = strconv.FormatFloat(x, 'f', -1, 64)
		default:
			txt = fmt.Sprint(x)
		}
		switch k {
		case "reading_frequency":
			txt = labelOr("cus.freq."+txt, txt, l)
		case "usage":
			txt = labelOr("cus.usage."+txt, txt, l)
		case "contracted_capacity_kva":
			txt += " kVA"
		case "area_m2":
			txt += " m²"
		}
		out = append(out, kv{labelOr("cus.attr."+k, k, l), txt})
	}
	return out
}

// dimValue names a classification value in the locale.
func dimValue(p *policy.Pack, dim, v string, l i18n.Locale) string {
	if v == "" {
		return "—"
	}
	switch dim {
	case customer.DimType:
		return customerTypeName(p, v, l)
	case customer.DimImportance:
		return labelOr("cus.imp."+v, v, l)
	case customer.DimImportanceState:
		return labelOr("cus.state."+v, v, l)
	case customer.DimCreditGrade:
		return strings.Join(keyedNames(p.Customers.CreditGrades, []string{v}, l), "")
	case customer.DimKeyAccountTier:
		return strings.Join(keyedNames(p.Customers.KeyAccountTiers, []string{v}, l), "")
	}
	return v
}

// classGroups are the choices of the classification form, one group per
// dimension the pack has.
func classGroups(p *policy.Pack, l i18n.Locale) []classGroup {
	r := &p.Customers
	var out []classGroup
	add := func(dim string, opts []option) {
		if len(opts) == 0 {
			return
		}
		g := classGroup{Name: label("cus.dim." + dim).In(l)}
		for _, o := range opts {
			g.Opts = append(g.Opts, option{dim + "=" + o.Key, o.Name})
		}
		out = append(out, g)
	}
	var grades []option
	for _, g := range customer.Grades {
		grades = append(grades, option{g, g})
	}
	add(customer.DimGrade, grades)
	add(customer.DimType, typeOptions(p, l))
	if r.ImportantCustomers {
		add(customer.DimImportance, append(importanceOptions(l), option{"", label("cus.imp.none").In(l)}))
		var states []option
		for _, st := range []string{customer.StateCandidate, customer.StateProposed, customer.StateApproved, customer.StateFiled} {
			states = append(states, option{st, labelOr("cus.state."+st, st, l)})
		}
		add(customer.DimImportanceState, states)
	}
	add(customer.DimCreditGrade, keyedOptions(r.CreditGrades, l))
	add(customer.DimKeyAccountTier, keyedOptions(r.KeyAccountTiers, l))
	return out
}
