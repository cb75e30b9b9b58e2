package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/policy"
	"kefu/internal/process"
	"kefu/internal/store"
)

// attrPrefix names the form input of a definition's attribute (attr_capacity_kva).
const attrPrefix = "attr_"

// startData is the start form.
type startData struct {
	PackName  string
	Defs      []defOption
	Def       *policy.ProcessDef // the definition picked, nil before
	DefName   string
	Attrs     []attrInput
	Guards    []string // what the application must satisfy, with the rules
	FirstStep string
	Documents []string // the first step's checklist
	Point     *pointInfo
	Rule      string // the rule a guard refused with
	NoPack    string // why there is nothing to start
}

// defOption is a definition in the picker.
type defOption struct {
	Key, Name, Group string
	Fits             bool // may be started from the service point given (or needs none)
	NeedsPoint       bool
	Href             string
}

// pointInfo is the service point a process is started from.
type pointInfo struct {
	ID                                   store.ID
	CustomerID                           store.ID
	Customer, ArchiveNo, AccountNo, Kind string
	Address                              string
	Unit                                 store.ID // the unit that will accept it (0: the caller's)
}

// attrInput is one attribute of the definition as a form input.
type attrInput struct {
	Key, Input, ID, Name, Type, Unit, Value, Err string
	Required, Checked                            bool
	Choices                                      []option
}

// processNew shows the start form: the definitions of the caller's pack
// (those that fit the service point given first), then the attributes of
// the one picked.
func (s *Server) processNew(w http.ResponseWriter, rq *request) error {
	q := rq.URL.Query()
	f := newForm(url.Values{"service_point": {q.Get("service_point")}, "definition": {q.Get("definition")}})
	return s.renderStart(w, rq, http.StatusOK, f, true)
}

// renderStart shows the start form; prefill fills the attributes with the
// service point's values of the same key (when shown the first time).
func (s *Server) renderStart(w http.ResponseWriter, rq *request, status int, f *Form, prefill bool) error {
	ctx, l := rq.Context(), rq.Lang
	d := startData{}
	if id := f.id("service_point"); id != 0 {
		pt, err := s.startPoint(rq, id)
		if err != nil {
			return err
		}
		d.Point = pt
	}
	unit := store.ID(0)
	if d.Point != nil {
		unit = d.Point.Unit
	}
	list, err := s.processes.Definitions(ctx, rq.P, unit)
	if err != nil {
		if !f.fail(err, l) {
			return err
		}
		list = &process.DefinitionList{}
		d.NoPack = f.Alert
		f.Alert = ""
	}
	if p, ok := s.policy.Get(list.Pack); ok {
		d.PackName = nameIn(p.Name, l)
	}
	var point map[string]any
	kind := ""
	if d.Point != nil {
		kind = d.Point.Kind
		if pr := s.pointAttributes(rq, d.Point); pr != nil {
			point = pr
		}
	}
	for i := range list.Items {
		def := &list.Items[i]
		o := defOption{Key: def.Key, Name: nameIn(def.Name, l), Group: labelOr("prc.group."+def.Group, def.Group, l),
			NeedsPoint: def.ServicePoint != "", Fits: def.ServicePoint == "" || def.ServicePoint == kind}
		hq := url.Values{"definition": {def.Key}}
		if d.Point != nil {
			hq.Set("service_point", d.Point.ID.String())
		}
		o.Href = "/processes/new?" + hq.Encode()
		d.Defs = append(d.Defs, o)
		if def.Key == f.Get("definition") {
			d.Def, d.DefName = def, o.Name
		}
	}
	if d.Def != nil {
		for _, a := range d.Def.Attributes {
			in := attrInput{Key: a.Key, Input: attrPrefix + a.Key, ID: "f-" + attrPrefix + a.Key, Name: nameIn(a.Name, l),
				Type: a.Type, Unit: a.Unit, Required: a.Required}
			if prefill {
				if v, ok := point[a.Key]; ok && v != nil {
					f.Values.Set(in.Input, formValue(v))
				}
			}
			in.Value, in.Err = f.Get(in.Input), f.Err(in.Input)
			in.Checked = in.Value != "" && in.Value != "false"
			for _, c := range a.Choices {
				in.Choices = append(in.Choices, option{c.Key, nameIn(c.Name, l)})
			}
			d.Attrs = append(d.Attrs, in)
		}
		for _, g := range d.Def.Guards {
			d.Guards = append(d.Guards, nameIn(g.Message, l)+"（"+g.Rule+"）")
		}
		if len(d.Def.Steps) > 0 {
			first := d.Def.Steps[0]
			d.FirstStep = nameIn(first.Name, l) + " · " + roleName(first.Role, l)
			for _, it := range first.Checklist {
				d.Documents = append(d.Documents, nameIn(it.Name, l))
			}
		}
	}
	d.Rule = f.Get("rule")
	pg := s.newPage(rq, "prc.new", "processes")
	pg.Form = f
	pg.Data = d
	s.render(w, rq, status, "process_new", pg)
	return nil
}

// startPoint reads the service point a process starts from, through the
// customer it belongs to, as the caller may see it (404 outside the scope).
func (s *Server) startPoint(rq *request, id store.ID) (*pointInfo, error) {
	if s.customers == nil {
		return &pointInfo{ID: id}, nil
	}
	sp, err := customer.PointOf(rq.Context(), s.db.Reader(), id, "service_point")
	if err != nil {
		if apperr.Is(err, apperr.CodeValidation) {
			return nil, notFound()
		}
		return nil, err
	}
	c, err := s.customers.Get(rq.Context(), rq.P, sp.CustomerID)
	if err != nil {
		if apperr.Is(err, apperr.CodeForbidden) {
			return &pointInfo{ID: id, CustomerID: sp.CustomerID, Kind: sp.Kind}, nil
		}
		return nil, err
	}
	out := &pointInfo{ID: id, CustomerID: c.ID, Customer: c.Name, Kind: sp.Kind, Unit: s.scopedUnit(rq, sp.OrgUnitID), ArchiveNo: sp.ArchiveNo,
		AccountNo: sp.AccountNo, Address: sp.Address}
	for _, p := range c.ServicePoints {
		if p.ID == id {
			out.ArchiveNo, out.AccountNo, out.Address = p.ArchiveNo, p.AccountNo, p.Address
		}
	}
	return out, nil
}

// pointAttributes are the attributes of the service point (the service
// fills an attribute left out with the point's value of the same key).
func (s *Server) pointAttributes(rq *request, pt *pointInfo) map[string]any {
	if s.customers == nil || pt.CustomerID == 0 {
		return nil
	}
	c, err := s.customers.Get(rq.Context(), rq.P, pt.CustomerID)
	if err != nil {
		return nil
	}
	for _, p := range c.ServicePoints {
		if p.ID == pt.ID {
			return p.Attributes
		}
	}
	return nil
}

// formValue writes an attribute value into a form input.
func formValue(v any) string {
	switch x := v.(type) {
	case bool:
		if x {
			return "1"
		}
		return ""
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// processStart starts the process and opens its page; a refusal shows the
// form again with the error next to the attribute it names, a guard's
// refusal with its rule.
func (s *Server) processStart(w http.ResponseWriter, rq *request) error {
	if err := rq.ParseForm(); err != nil {
		return err
	}
	f := newForm(cloneValues(rq.PostForm))
	f.Values.Del("rule")
	in := process.StartInput{Definition: f.text("definition"), ServicePointID: f.id("service_point"),
		Attributes: map[string]any{}}
	var err error
	if v := f.text("applied_at"); v != "" {
		var at time.Time
		if at, err = parseWhen("applied_at", v); err == nil {
			in.AppliedAt = &at
		}
	}
	def := s.findDef(in.Definition)
	unit := store.ID(0)
	if in.ServicePointID != 0 {
		if pt, perr := s.startPoint(rq, in.ServicePointID); perr == nil {
			unit = pt.Unit
		}
	}
	if list, lerr := s.processes.Definitions(rq.Context(), rq.P, unit); lerr == nil {
		for i := range list.Items {
			if list.Items[i].Key == in.Definition {
				def = &list.Items[i]
			}
		}
	}
	if def != nil {
		for _, a := range def.Attributes {
			v := f.text(attrPrefix + a.Key)
			switch {
			case a.Type == policy.AttrBool:
				in.Attributes[a.Key] = f.Checked(attrPrefix + a.Key)
			case v != "":
				in.Attributes[a.Key] = v // the service reads numbers and dates from text
			}
		}
	}
	var pr *process.Process
	if err == nil {
		pr, err = s.processes.Start(rq.Context(), rq.P, in)
	}
	if err != nil {
		fields := []string{"definition", "applied_at"}
		if def != nil {
			for _, a := range def.Attributes {
				fields = append(fields, attrPrefix+a.Key)
			}
		}
		if e, ok := apperr.As(err); ok {
			if name, found := strings.CutPrefix(e.Field, "attributes."); found {
				e.Field = attrPrefix + name
			}
			if rule, _ := e.Details["rule"].(string); rule != "" {
				f.Values.Set("rule", rule)
			}
		}
		if !failOn(f, err, rq.Lang, fields) {
			return err
		}
		if f.Get("rule") != "" {
			f.Alert = label("prc.guard_refused", f.Get("rule")).In(rq.Lang)
		}
		return s.renderStart(w, rq, statusOf(err), f, false)
	}
	s.seeOther(w, rq.Request, "/processes/"+pr.ID.String(), "process_started")
	return nil
}

// canStartFrom reports which service-point kinds a process of the caller's
// pack may be started from ("" when one needs no particular kind), for the
// links of the customer page.
func (s *Server) canStartFrom(rq *request, unit store.ID) map[string]bool {
	if s.processes == nil || !rq.P.Can(auth.PermProcessesAct) {
		return nil
	}
	if !rq.P.Scope().Contains(s.unitPath(rq, unit)) {
		unit = 0 // the caller's own pack, as Start would use
	}
	list, err := s.processes.Definitions(rq.Context(), rq.P, unit)
	if err != nil {
		return nil
	}
	out := map[string]bool{}
	for _, d := range list.Items {
		out[d.ServicePoint] = true
	}
	return out
}

// unitPath is the path of a unit ("" when it cannot be read).
func (s *Server) unitPath(rq *request, id store.ID) string {
	if id == 0 || s.org == nil {
		return ""
	}
	u, err := s.org.Get(rq.Context(), id)
	if err != nil {
		return ""
	}
	return u.Path
}

// scopedUnit is id when the caller's scope covers it (the unit Start
// will accept the application in), else 0 (the caller's own unit).
func (s *Server) scopedUnit(rq *request, id store.ID) store.ID {
	if p := s.unitPath(rq, id); p != "" && rq.P.Scope().Contains(p) {
		return id
	}
	return 0
}
