package web

// The customer archive pages (客户档案, CUS): the list with its filters and
// exports (this file), the create and edit forms (customers_form.go), the
// customer page with its service points, work orders, contact records,
// documents and history (customers_show.go, customers_acts.go) and the
// ledger import wizard (customers_import.go). Handlers are a thin layer
// over internal/customer, internal/customerio and internal/document: the
// services decide row scope, validation and which confidential fields the
// caller sees — the pages show what they are given and never unmask.

import (
	"net/http"
	"net/url"
	"strings"

	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/customerio"
	"kefu/internal/i18n"
	"kefu/internal/policy"
)

// customerRoutes mounts the customer pages (with the customer service).
func (s *Server) customerRoutes() {
	if s.customers == nil {
		return
	}
	s.page("GET /customers", auth.PermCustomersRead, s.customersList)
	s.page("GET /customers/new", auth.PermCustomersWrite, s.customerNew)
	s.page("POST /customers/new", auth.PermCustomersWrite, s.customerCreate)
	s.page("GET /customers/{id}", auth.PermCustomersRead, s.customerShow)
	s.page("GET /customers/{id}/print", auth.PermCustomersRead, s.customerPrint)
	s.page("GET /customers/{id}/edit", auth.PermCustomersWrite, s.customerEdit)
	s.page("POST /customers/{id}/edit", auth.PermCustomersWrite, s.customerUpdate)
	s.page("POST /customers/{id}/points", auth.PermCustomersWrite, s.customerAddPoint)
	s.page("POST /customers/{id}/contacts", auth.PermCustomersRead, s.customerAddContact)
	s.page("POST /customers/{id}/classification", auth.PermCustomersManage, s.customerClassify)
	s.page("POST /customers/{id}/merge", auth.PermCustomersManage, s.customerMerge)
	if s.docs != nil {
		s.page("POST /customers/{id}/documents", auth.PermCustomersWrite, s.customerUpload)
		s.page("GET /customers/{id}/documents/{doc}", auth.PermCustomersRead, s.customerDownload)
	}
	if s.imports != nil {
		s.page("GET /customers/export", auth.PermCustomersExport, s.customersExport)
		s.page("GET /customers/import", auth.PermCustomersImport, s.importPage)
		s.page("POST /customers/import", auth.PermCustomersImport, s.importUpload)
		s.page("POST /customers/import/check", auth.PermCustomersImport, s.importCheck)
		s.page("POST /customers/import/start", auth.PermCustomersImport, s.importStart)
		s.page("GET /customers/import/template", auth.PermCustomersImport, s.importTemplate)
		s.page("GET /customers/import/jobs/{job}", auth.PermCustomersImport, s.importJobPage)
		s.page("GET /customers/import/jobs/{job}/progress", auth.PermCustomersImport, s.importJobProgress)
	}
}

// customerRow is one line of the list.
type customerRow struct {
	C          customer.Customer
	TypeName   string
	Importance string // the important-customer grade in the locale, "" without
	Groups     string // special groups (老、病 …), "" without
	Archives   []string
}

// customersData is the list page.
type customersData struct {
	Rows        []customerRow
	Types       []option
	Grades      []string
	Importances []option // empty: the pack has no important customers
	Groups      []option
	NextURL     string
	FirstURL    string
	ExportXLSX  string
	ExportCSV   string
	Filtered    bool
}

// listFilter reads the list filters of the query.
func listFilter(q url.Values) customer.Filter {
	f := customer.Filter{Q: strings.TrimSpace(q.Get("q")), Type: q.Get("type"), Grade: q.Get("grade"),
		Importance: q.Get("importance"), SpecialGroup: q.Get("special_group"), Cursor: q.Get("cursor"), Limit: 50}
	if q.Get("key_account") != "" {
		yes := true
		f.KeyAccount = &yes
	}
	return f
}

// customersList shows the customers the caller may see, 50 a page, keyset
// paged; the search box searches as one types (kefu.js, data-live).
func (s *Server) customersList(w http.ResponseWriter, rq *request) error {
	ctx, q, l := rq.Context(), rq.URL.Query(), rq.Lang
	f := listFilter(q)
	form := newForm(q)
	page, err := s.customers.List(ctx, rq.P, f)
	if err != nil && !failOn(form, err, l, []string{"q", "type", "grade", "importance", "special_group", "cursor"}) {
		return err
	}
	d := customersData{Grades: customer.Grades}
	pack, err := s.policy.ForUnit(ctx, rq.P.OrgUnitID)
	if err != nil {
		return err
	}
	d.Types, d.Groups = typeOptions(pack, l), keyedOptions(pack.Customers.SpecialGroups, l)
	if pack.Customers.ImportantCustomers {
		d.Importances = importanceOptions(l)
	}
	for _, c := range page.Items {
		d.Rows = append(d.Rows, s.customerRow(c, l))
	}
	if page.Next != "" {
		nq := cloneValues(q)
		nq.Set("cursor", page.Next)
		d.NextURL = "/customers?" + nq.Encode()
	}
	fq := cloneValues(q)
	fq.Del("cursor")
	if f.Cursor != "" {
		d.FirstURL = "/customers?" + fq.Encode()
	}
	for _, k := range []string{"q", "type", "grade", "importance", "special_group", "key_account"} {
		d.Filtered = d.Filtered || q.Get(k) != ""
	}
	if rq.P.Can(auth.PermCustomersExport) && s.imports != nil {
		fq.Set("format", customerio.FormatXLSX)
		d.ExportXLSX = "/customers/export?" + fq.Encode()
		fq.Set("format", customerio.FormatCSV)
		d.ExportCSV = "/customers/export?" + fq.Encode()
	}
	pg := s.newPage(rq, "cus.title", "customers")
	pg.Form = form
	pg.Data = d
	s.render(w, rq, statusOrOK(form), "customers", pg)
	return nil
}

// customerRow prepares one line of the list under the customer's own pack.
func (s *Server) customerRow(c customer.Customer, l i18n.Locale) customerRow {
	r := customerRow{C: c}
	if p, ok := s.policy.Get(c.Pack); ok {
		r.TypeName = customerTypeName(p, c.Type, l)
		r.Groups = strings.Join(keyedNames(p.Customers.SpecialGroups, c.SpecialGroups, l), "、")
	} else {
		r.TypeName, r.Groups = c.Type, strings.Join(c.SpecialGroups, "、")
	}
	if c.Importance != "" {
		r.Importance = labelOr("cus.imp."+c.Importance, c.Importance, l)
	}
	for _, sp := range c.ServicePoints {
		r.Archives = append(r.Archives, sp.ArchiveNo)
	}
	return r
}

// customersExport streams the filtered list as .xlsx or CSV; the service
// masks it for the caller and audits the export.
func (s *Server) customersExport(w http.ResponseWriter, rq *request) error {
	format, err := customerio.CheckFormat(rq.URL.Query().Get("format"))
	if err != nil {
		return err
	}
	f := listFilter(rq.URL.Query())
	f.Cursor = ""
	name := "客户台账-" + s.now().In(shanghai).Format("20060102-1504") + "." + format
	lw := &lazyDownload{w: w, set: func() { attachmentHeaders(w, customerio.ContentType(format), name) }}
	if _, err := s.imports.Export(rq.Context(), rq.P, f, format, lw); err != nil {
		if lw.started {
			panic(http.ErrAbortHandler) // a cut-off file, not a complete-looking one
		}
		return err
	}
	return nil
}

// lazyDownload sets the download headers on the first write, so that an
// error before any byte still becomes an error page.
type lazyDownload struct {
	w       http.ResponseWriter
	set     func()
	started bool
}

func (l *lazyDownload) Write(b []byte) (int, error) {
	if !l.started {
		l.started = true
		l.set()
	}
	return l.w.Write(b)
}

// attachmentHeaders make a response a download named name (RFC 6266).
func attachmentHeaders(w http.ResponseWriter, contentType, name string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "private, no-store")
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	h.Set("Content-Disposition", `attachment; filename="`+ascii+`"; filename*=UTF-8''`+url.PathEscape(name))
}

// typeOptions are the customer types of a pack.
func typeOptions(p *policy.Pack, l i18n.Locale) []option {
	var out []option
	for _, t := range p.Customers.Types {
		out = append(out, option{t.Key, nameIn(t.Name, l)})
	}
	return out
}

// keyedOptions are a pack list (special groups, flags, tiers) as options.
func keyedOptions(list []policy.Keyed, l i18n.Locale) []option {
	var out []option
	for _, k := range list {
		out = append(out, option{k.Key, nameIn(k.Name, l)})
	}
	return out
}

// keyedNames names keys from a pack list, keeping unknown keys as they are.
func keyedNames(list []policy.Keyed, keys []string, l i18n.Locale) []string {
	var out []string
	for _, k := range keys {
		name := k
		for _, x := range list {
			if x.Key == k {
				name = nameIn(x.Name, l)
			}
		}
		out = append(out, name)
	}
	return out
}

func importanceOptions(l i18n.Locale) []option {
	var out []option
	for _, k := range customer.ImportanceGrades {
		out = append(out, option{k, labelOr("cus.imp."+k, k, l)})
	}
	return out
}

func customerTypeName(p *policy.Pack, key string, l i18n.Locale) string {
	if p != nil {
		if t, ok := p.Customers.Type(key); ok {
			return nameIn(t.Name, l)
		}
	}
	return key
}

// pointKindName names a service-point kind under the pack.
func pointKindName(p *policy.Pack, kind string, l i18n.Locale) string {
	if p != nil {
		if k, ok := p.Customers.ServicePoint(kind); ok {
			return nameIn(k.Name, l)
		}
	}
	return labelOr("cus.sp.kind."+kind, kind, l)
}
