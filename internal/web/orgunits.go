package web

import (
	"net/http"
	"net/url"
	"strings"

	"kefu/internal/org"
	"kefu/internal/store"
)

var (
	orgCreateFields = []string{"parent_id", "kind", "name", "code", "pack"}
	orgEditFields   = []string{"parent_id", "name", "code", "pack", "active"}
)

// effectivePacks maps each unit to the policy pack it uses: its own, or
// the nearest ancestor's.
func effectivePacks(units []org.Unit) map[store.ID]string {
	out := map[store.ID]string{}
	for _, u := range units { // parents come first
		out[u.ID] = u.Pack
		if u.Pack == "" && u.ParentID != nil {
			out[u.ID] = out[*u.ParentID]
		}
	}
	return out
}

// orgData is the org tree page: the tree, the add-unit form (pg.Form) and,
// when a unit is being edited, its form.
type orgData struct {
	Units    []org.Unit
	Packs    map[store.ID]string // effective pack of each unit
	Edit     *org.Unit
	EditForm *Form
	Parents  []org.Unit // where the edited unit may move: not inside itself
	PackOpts []option   // the packs a unit may name
}

// orgPage shows the tree; ?edit=ID opens a unit's form, ?parent=ID
// preselects the parent of a new unit.
func (s *Server) orgPage(w http.ResponseWriter, rq *request) error {
	q := rq.URL.Query()
	parent := q.Get("parent")
	if parent == "" {
		parent = rq.P.OrgUnitID.String()
	}
	create := newForm(url.Values{"parent_id": {parent}, "kind": {string(org.Department)}})
	var edit *Form
	if id, err := store.ParseID(q.Get("edit")); err == nil {
		u, err := s.org.Get(rq.Context(), id)
		if err != nil {
			return err
		}
		edit = unitValues(u)
	}
	return s.renderOrg(w, rq, http.StatusOK, create, edit)
}

func unitValues(u org.Unit) *Form {
	v := url.Values{"id": {u.ID.String()}, "name": {u.Name}, "code": {u.Code}, "pack": {u.Pack}}
	if u.ParentID != nil {
		v.Set("parent_id", u.ParentID.String())
	}
	if u.Active {
		v.Set("active", "1")
	}
	return newForm(v)
}

func (s *Server) renderOrg(w http.ResponseWriter, rq *request, status int, create, edit *Form) error {
	units, err := s.org.List(rq.Context())
	if err != nil {
		return err
	}
	d := orgData{Units: units, Packs: effectivePacks(units), EditForm: edit, PackOpts: s.packOptions(rq.Lang)}
	if edit != nil {
		id := edit.id("id")
		for i := range units {
			if units[i].ID == id {
				d.Edit = &units[i]
			}
		}
		if d.Edit != nil {
			for _, u := range units {
				if !strings.HasPrefix(u.Path, d.Edit.Path) {
					d.Parents = append(d.Parents, u)
				}
			}
		}
	}
	pg := s.newPage(rq, "org.title", "org")
	pg.Form = create
	pg.Data = d
	s.render(w, rq, status, "org", pg)
	return nil
}

// orgCreate adds a unit under the chosen parent.
func (s *Server) orgCreate(w http.ResponseWriter, rq *request) error {
	if err := rq.ParseForm(); err != nil {
		return err
	}
	f := newForm(cloneValues(rq.PostForm))
	in := org.CreateInput{Kind: org.Kind(f.text("kind")), Name: f.text("name"), Code: f.text("code"), Pack: f.text("pack")}
	if id := f.id("parent_id"); id != 0 {
		in.ParentID = &id
	}
	if in.ParentID == nil {
		f.Errors["parent_id"] = label("form.required").In(rq.Lang)
		return s.renderOrg(w, rq, http.StatusUnprocessableEntity, f, nil)
	}
	if _, err := s.org.Create(rq.Context(), in); err != nil {
		if !f.fail(err, rq.Lang, orgCreateFields...) {
			return err
		}
		return s.renderOrg(w, rq, statusOf(err), f, nil)
	}
	s.seeOther(w, rq.Request, "/admin/org", "unit_created")
	return nil
}

// orgUpdate renames, re-codes, re-assigns the pack, (de)activates or moves a unit.
func (s *Server) orgUpdate(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	u, err := s.org.Get(rq.Context(), id)
	if err != nil {
		return err
	}
	if err := rq.ParseForm(); err != nil {
		return err
	}
	f := newForm(cloneValues(rq.PostForm))
	f.Values.Set("id", id.String())
	name, code, pack, active := f.text("name"), f.text("code"), f.text("pack"), f.Checked("active")
	in := org.UpdateInput{Name: &name, Code: &code, Pack: &pack, Active: &active}
	if pid := f.id("parent_id"); pid != 0 && u.ParentID != nil {
		in.ParentID = &pid
	}
	if _, err := s.org.Update(rq.Context(), id, in); err != nil {
		if !f.fail(err, rq.Lang, orgEditFields...) {
			return err
		}
		create := newForm(url.Values{"parent_id": {id.String()}, "kind": {string(org.Department)}})
		return s.renderOrg(w, rq, statusOf(err), create, f)
	}
	s.seeOther(w, rq.Request, "/admin/org", "saved")
	return nil
}
