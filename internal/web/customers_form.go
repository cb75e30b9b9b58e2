package web

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/customer"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// newPoints is how many service-point rows the creation form offers (the
// first open, the others folded); more are added on the customer page.
const newPoints = 3

// customerFields are the inputs of the customer forms that can carry an error.
var customerFields = []string{"kind", "name", "phone", "id_number", "address", "email", "type", "grade", "importance",
	"credit_grade", "credit_limit", "special_groups", "flags", "key_account_tier", "car_brand", "car_plate", "note",
	"outage_contact"}

// pointSuffix maps a service-point attribute to the suffix of its input
// (sp0_meters); power and property both have a "usage", told apart here.
var pointSuffix = map[string]string{"account_no": "account_no", "kind": "kind", "address": "address",
	"meters": "meters", "reading_frequency": "reading_frequency", "gas_use": "gas_use", "voltage": "voltage",
	"contracted_capacity_kva": "capacity", "tariff": "tariff", "building": "building", "unit": "unit", "room": "room",
	"area_m2": "area"}

var (
	pointFieldRE = regexp.MustCompile(`^service_points\[(\d+)\]\.(.+)$`)
	indexRE      = regexp.MustCompile(`\[\d+\]$`)
)

// customerField maps a field the customer service names to the input of
// the form: "service_points[0].attributes.meters[1]" → "sp0_meters",
// "special_groups[2]" → "special_groups". point is the prefix of a form
// with one service point ("sp0" on the customer page), "" otherwise.
func customerField(field, point string) string {
	idx, rest := "", field
	if m := pointFieldRE.FindStringSubmatch(field); m != nil {
		idx, rest = m[1], m[2]
	} else if point != "" {
		idx = strings.TrimPrefix(point, "sp")
	} else {
		return indexRE.ReplaceAllString(field, "")
	}
	attr := indexRE.ReplaceAllString(strings.TrimPrefix(rest, "attributes."), "")
	if attr == "usage" {
		return "sp" + idx + "_usage"
	}
	if suf, ok := pointSuffix[attr]; ok {
		return "sp" + idx + "_" + suf
	}
	return "sp" + idx + "_account_no"
}

// failCustomer records a service error on a customer form (see failOn);
// a stale version is the alert "已被他人修改".
func failCustomer(f *Form, err error, l i18n.Locale, point string, fields []string) bool {
	e, ok := apperr.As(err)
	if !ok {
		return false
	}
	if e.Status == http.StatusConflict && e.Field == "version" {
		f.Alert = label("cus.stale").In(l)
		f.Values.Set("stale", "1")
		return true
	}
	field := customerField(e.Field, point)
	if field == "" || !slices.Contains(fields, field) && !strings.HasPrefix(field, "sp") {
		f.Alert = e.Message.In(l)
		return true
	}
	f.Errors[field] = e.Message.In(l)
	return true
}

// pointRow is one service-point row of a form (template "sprow"): the
// inputs named <Prefix>_account_no, <Prefix>_meters ….
type pointRow struct {
	Prefix string
	N      int
	Form   *Form
	D      *customerFormData
}

// Kind is the row's kind: as sent, else the pack's first.
func (r pointRow) Kind() string {
	if k := r.Form.Get(r.Prefix + "_kind"); k != "" {
		return k
	}
	if len(r.D.PointKinds) > 0 {
		return r.D.PointKinds[0].Key
	}
	return ""
}

// customerFormData is the create and edit form.
type customerFormData struct {
	Edit         bool
	C            customer.Customer // the customer edited
	PackName     string
	Kinds        []option
	Types        []option
	TypeRequired bool
	Groups       []option
	Flags        []option
	Tiers        []option
	Credits      []option
	Importances  []option
	Grades       []string
	PointKinds   []option
	Points       []pointRow
	Freqs        []option
	Usages       []option
	IDMasked     bool // the id number is confidential for the caller: not shown, kept unless typed again
	Candidates   []customer.Candidate
	Checked      bool // the duplicate check ran
	Stale        bool
}

func (s *Server) customerFormData(pack *policy.Pack, l i18n.Locale) *customerFormData {
	r := &pack.Customers
	d := &customerFormData{PackName: nameIn(pack.Name, l), Types: typeOptions(pack, l), TypeRequired: r.TypeRequired,
		Groups: keyedOptions(r.SpecialGroups, l), Flags: keyedOptions(r.RiskFlags, l), Tiers: keyedOptions(r.KeyAccountTiers, l),
		Credits: keyedOptions(r.CreditGrades, l), Grades: customer.Grades}
	for _, k := range []customer.Kind{customer.Person, customer.Organisation} {
		d.Kinds = append(d.Kinds, option{string(k), label("cus.kind." + string(k)).In(l)})
	}
	if r.ImportantCustomers {
		d.Importances = importanceOptions(l)
	}
	for _, k := range r.ServicePoints {
		d.PointKinds = append(d.PointKinds, option{k.Kind, nameIn(k.Name, l)})
	}
	for _, f := range customer.ReadingFrequencies {
		d.Freqs = append(d.Freqs, option{f, labelOr("cus.freq."+f, f, l)})
	}
	for _, u := range customer.Usages {
		d.Usages = append(d.Usages, option{u, labelOr("cus.usage."+u, u, l)})
	}
	return d
}

// customerNew shows the empty creation form.
func (s *Server) customerNew(w http.ResponseWriter, rq *request) error {
	return s.renderCustomerForm(w, rq, http.StatusOK, newForm(url.Values{"kind": {"person"}}), nil, nil)
}

// renderCustomerForm shows the create (edit nil) or edit form; cands are
// the duplicate candidates of a check, nil when none ran.
func (s *Server) renderCustomerForm(w http.ResponseWriter, rq *request, status int, f *Form, edit *customer.Customer,
	cands *[]customer.Candidate) error {
	unit := rq.P.OrgUnitID
	if edit != nil {
		unit = edit.OrgUnitID
	}
	pack, err := s.policy.ForUnit(rq.Context(), unit)
	if err != nil {
		return err
	}
	d := s.customerFormData(pack, rq.Lang)
	d.Stale = f.Get("stale") != ""
	for i := range newPoints {
		d.Points = append(d.Points, pointRow{Prefix: "sp" + strconv.Itoa(i), N: i + 1, Form: f, D: d})
	}
	title := "cus.new"
	if edit != nil {
		d.Edit, d.C, title = true, *edit, "cus.edit"
		d.IDMasked = slices.Contains(edit.Masked, policy.FieldIDNumber)
	}
	if cands != nil {
		d.Checked, d.Candidates = true, *cands
	}
	pg := s.newPage(rq, title, "customers")
	if edit != nil {
		pg.Title = edit.Name + " · " + pg.Title
	}
	pg.Form = f
	pg.Data = d
	s.render(w, rq, status, "customer_form", pg)
	return nil
}

// customerInput reads the creation form.
func customerInput(f *Form) customer.Input {
	in := customer.Input{Kind: customer.Kind(f.text("kind")), Name: f.text("name"), Phone: f.text("phone"),
		IDNumber: f.text("id_number"), Address: f.text("address"), Email: f.text("email"), Type: f.text("type"),
		Grade: f.text("grade"), Importance: f.text("importance"), CreditGrade: f.text("credit_grade"),
		CreditLimit: f.text("credit_limit"), SpecialGroups: f.Values["special_groups"], Flags: f.Values["flags"],
		KeyAccount: f.Checked("key_account"), KeyAccountTier: f.text("key_account_tier"), CarBrand: f.text("car_brand"),
		CarPlate: f.text("car_plate"), Note: f.Get("note"), OutageContact: f.text("outage_contact")}
	for i := range newPoints {
		if sp, ok := pointInput(f, "sp"+strconv.Itoa(i)); ok {
			in.ServicePoints = append(in.ServicePoints, sp)
		}
	}
	return in
}

// pointInput reads the service-point inputs with the prefix; false when
// the row is empty (only its kind chosen).
func pointInput(f *Form, prefix string) (customer.ServicePointInput, bool) {
	get := func(k string) string { return f.text(prefix + "_" + k) }
	sp := customer.ServicePointInput{Kind: get("kind"), AccountNo: get("account_no"), Address: get("address"),
		Attributes: map[string]any{}}
	set := func(attr, v string) {
		if v != "" {
			sp.Attributes[attr] = v
		}
	}
	switch sp.Kind {
	case customer.GasAccount:
		if m := strings.FieldsFunc(get("meters"), func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ' ' }); len(m) > 0 {
			list := make([]any, len(m))
			for i, x := range m {
				list[i] = x
			}
			sp.Attributes["meters"] = list
		}
		set("reading_frequency", get("reading_frequency"))
		set("gas_use", get("gas_use"))
	case customer.PowerSupplyPoint:
		set("voltage", get("voltage"))
		set("contracted_capacity_kva", get("capacity"))
		set("tariff", get("tariff"))
		set("usage", get("usage"))
	case customer.PropertyUnit:
		set("building", get("building"))
		set("unit", get("unit"))
		set("room", get("room"))
		set("area_m2", get("area"))
	}
	return sp, sp.AccountNo != "" || sp.Address != "" || len(sp.Attributes) > 0
}

// pointFields are the inputs of the service-point rows.
func pointFields() []string {
	var out []string
	for i := range newPoints {
		for _, suf := range []string{"kind", "account_no", "address", "meters", "reading_frequency", "gas_use", "voltage",
			"capacity", "tariff", "usage", "building", "unit", "room", "area"} {
			out = append(out, "sp"+strconv.Itoa(i)+"_"+suf)
		}
	}
	return out
}

// customerCreate checks for duplicates (action=check) or creates the
// customer and opens its page, with the duplicate candidates (CUS-016).
func (s *Server) customerCreate(w http.ResponseWriter, rq *request) error {
	if err := rq.ParseForm(); err != nil {
		return err
	}
	f := newForm(cloneValues(rq.PostForm))
	in := customerInput(f)
	fields := append(append([]string{}, customerFields...), pointFields()...)
	if f.Get("action") == "check" {
		cands, err := s.customers.Candidates(rq.Context(), rq.P, in)
		if err != nil {
			if !failCustomer(f, err, rq.Lang, "", fields) {
				return err
			}
			return s.renderCustomerForm(w, rq, statusOf(err), f, nil, nil)
		}
		return s.renderCustomerForm(w, rq, http.StatusOK, f, nil, &cands)
	}
	c, cands, err := s.customers.Create(rq.Context(), rq.P, in)
	if err != nil {
		if !failCustomer(f, err, rq.Lang, "", fields) {
			return err
		}
		return s.renderCustomerForm(w, rq, statusOf(err), f, nil, nil)
	}
	target := "/customers/" + c.ID.String()
	if len(cands) > 0 {
		target += "?dup=1"
	}
	s.seeOther(w, rq.Request, target, "customer_created")
	return nil
}

// customerEdit shows the edit form filled with the customer as the caller
// sees it; a masked id number is not filled in (it stays unless typed).
func (s *Server) customerEdit(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	c, err := s.customers.Get(rq.Context(), rq.P, id)
	if err != nil {
		return err
	}
	if c.ID != id {
		http.Redirect(w, rq.Request, "/customers/"+c.ID.String()+"/edit", http.StatusSeeOther)
		return nil
	}
	return s.renderCustomerForm(w, rq, http.StatusOK, newForm(customerValues(c)), &c, nil)
}

// customerValues fills the edit form.
func customerValues(c customer.Customer) url.Values {
	v := url.Values{"kind": {string(c.Kind)}, "name": {c.Name}, "phone": {c.Phone}, "address": {c.Address},
		"email": {c.Email}, "type": {c.Type}, "car_brand": {c.CarBrand}, "car_plate": {c.CarPlate}, "note": {c.Note},
		"outage_contact": {c.OutageContact}, "special_groups": c.SpecialGroups, "flags": c.Flags,
		"version": {strconv.Itoa(c.Version)}}
	if !slices.Contains(c.Masked, policy.FieldIDNumber) {
		v.Set("id_number", c.IDNumber)
	}
	if c.KeyAccount {
		v.Set("key_account", "1")
	}
	return v
}

// customerUpdate saves the edit form with the version it was read at: a
// stale version shows "已被他人修改" and keeps what was typed.
func (s *Server) customerUpdate(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	ver, _ := strconv.Atoi(f.text("version"))
	str := func(k string) *string { v := f.text(k); return &v }
	kind := customer.Kind(f.text("kind"))
	groups, flags, key := f.Values["special_groups"], f.Values["flags"], f.Checked("key_account")
	if groups == nil {
		groups = []string{}
	}
	if flags == nil {
		flags = []string{}
	}
	pt := customer.Patch{Version: ver, Kind: &kind, Type: str("type"), Name: str("name"), Phone: str("phone"),
		Address: str("address"), Email: str("email"), SpecialGroups: &groups, Flags: &flags, KeyAccount: &key,
		CarBrand: str("car_brand"), CarPlate: str("car_plate"), Note: str("note"), OutageContact: str("outage_contact")}
	if v := f.text("id_number"); v != "" {
		pt.IDNumber = &v
	}
	if _, err := s.customers.Update(rq.Context(), rq.P, id, pt); err != nil {
		if !failCustomer(f, err, rq.Lang, "", customerFields) {
			return err
		}
		c, gerr := s.customers.Get(rq.Context(), rq.P, id)
		if gerr != nil {
			return gerr
		}
		if f.Get("stale") != "" {
			f.Values.Set("version", strconv.Itoa(c.Version)) // saving again overwrites, knowingly
		}
		return s.renderCustomerForm(w, rq, statusOf(err), f, &c, nil)
	}
	s.seeOther(w, rq.Request, "/customers/"+id.String(), "customer_saved")
	return nil
}

// idValue parses a form id ("" → nil).
func idValue(f *Form, k string) *store.ID {
	if id := f.id(k); id != 0 {
		return &id
	}
	return nil
}
