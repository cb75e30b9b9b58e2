package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
)

// userFields are the fields of the user forms that can carry an error.
var userFields = []string{"username", "password", "display_name", "roles", "org_unit", "position", "phone", "email", "active"}

// usersData is the users list.
type usersData struct {
	Users    []auth.User
	Units    []org.Unit
	NextURL  string
	FirstURL string
}

// usersList shows the users in the principal's scope, filtered, 50 a page.
func (s *Server) usersList(w http.ResponseWriter, rq *request) error {
	ctx := rq.Context()
	q := rq.URL.Query()
	f := auth.ListFilter{Q: q.Get("q"), Limit: 50}
	if _, ok := auth.LookupRole(auth.Role(q.Get("role"))); ok {
		f.Role = auth.Role(q.Get("role"))
	}
	if id, err := store.ParseID(q.Get("org_unit")); err == nil {
		f.OrgUnit = id
	}
	switch q.Get("active") {
	case "true", "false":
		b := q.Get("active") == "true"
		f.Active = &b
	}
	if id, err := store.ParseID(q.Get("after")); err == nil {
		f.After = id
	}
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 && n <= 200 {
		f.Limit = n
	}
	users, more, err := s.auth.List(ctx, rq.P, f)
	if err != nil {
		return err
	}
	units, err := s.unitsInScope(ctx, rq.P)
	if err != nil {
		return err
	}
	d := usersData{Users: users, Units: units}
	if more {
		nq := cloneValues(q)
		nq.Set("after", users[len(users)-1].ID.String())
		d.NextURL = "/admin/users?" + nq.Encode()
	}
	if f.After != 0 {
		fq := cloneValues(q)
		fq.Del("after")
		d.FirstURL = "/admin/users?" + fq.Encode()
	}
	pg := s.newPage(rq, "users.title", "users")
	pg.Form = newForm(q)
	pg.Data = d
	s.render(w, rq, http.StatusOK, "users", pg)
	return nil
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		if vs[0] != "" {
			out[k] = slices.Clone(vs)
		}
	}
	return out
}

// unitsInScope returns the org units the principal may place users in, as a tree.
func (s *Server) unitsInScope(ctx context.Context, p *auth.Principal) ([]org.Unit, error) {
	all, err := s.org.List(ctx)
	if err != nil {
		return nil, err
	}
	sc := p.Scope()
	return slices.DeleteFunc(all, func(u org.Unit) bool { return !sc.Contains(u.Path) }), nil
}

// userFormData is the new-user page and the user detail page.
type userFormData struct {
	User     auth.User
	Units    []org.Unit
	IsSelf   bool
	Reset    *Form
	AdminBox bool // the actor may tick the admin role
}

// userNew shows the empty new-user form.
func (s *Server) userNew(w http.ResponseWriter, rq *request) error {
	f := newForm(url.Values{"org_unit": {rq.P.OrgUnitID.String()}, "must_change_password": {"1"}})
	return s.renderUserNew(w, rq, http.StatusOK, f)
}

func (s *Server) renderUserNew(w http.ResponseWriter, rq *request, status int, f *Form) error {
	units, err := s.unitsInScope(rq.Context(), rq.P)
	if err != nil {
		return err
	}
	pg := s.newPage(rq, "users.new", "users")
	pg.Form = f
	pg.Data = userFormData{Units: units, AdminBox: rq.P.IsAdmin()}
	s.render(w, rq, status, "user_new", pg)
	return nil
}

// userCreate creates the user, or shows the form again with the error next
// to its field and every value but the password kept.
func (s *Server) userCreate(w http.ResponseWriter, rq *request) error {
	if err := rq.ParseForm(); err != nil {
		return err
	}
	f := newForm(cloneValues(rq.PostForm))
	f.Values.Del("password")
	in := auth.CreateUserInput{Username: f.text("username"), Password: rq.PostForm.Get("password"),
		DisplayName: f.text("display_name"), Roles: formRoles(f), OrgUnit: f.id("org_unit"),
		Position: f.text("position"), Phone: f.text("phone"), Email: f.text("email"),
		MustChangePassword: f.Checked("must_change_password")}
	u, err := s.auth.Create(rq.Context(), rq.P, in)
	if err != nil {
		if !f.fail(err, rq.Lang, userFields...) {
			return err
		}
		return s.renderUserNew(w, rq, statusOf(err), f)
	}
	s.seeOther(w, rq.Request, "/admin/users?created="+url.QueryEscape(u.Username), "user_created")
	return nil
}

func formRoles(f *Form) []auth.Role {
	var rs []auth.Role
	for _, v := range f.Values["roles"] {
		rs = append(rs, auth.Role(v))
	}
	return rs
}

// userShow shows one user; with users:write, as forms.
func (s *Server) userShow(w http.ResponseWriter, rq *request) error {
	u, err := s.userFromPath(rq)
	if err != nil {
		return err
	}
	return s.renderUser(w, rq, http.StatusOK, u, userValues(u), newForm(url.Values{"must_change_password": {"1"}}))
}

func (s *Server) userFromPath(rq *request) (auth.User, error) {
	id, err := idOf(rq)
	if err != nil {
		return auth.User{}, err
	}
	return s.auth.Get(rq.Context(), rq.P, id)
}

func userValues(u auth.User) *Form {
	v := url.Values{"display_name": {u.DisplayName}, "position": {u.Position}, "phone": {u.Phone},
		"email": {u.Email}, "org_unit": {u.OrgUnit.String()}}
	for _, r := range u.Roles {
		v.Add("roles", string(r))
	}
	if u.Active {
		v.Set("active", "1")
	}
	return newForm(v)
}

func (s *Server) renderUser(w http.ResponseWriter, rq *request, status int, u auth.User, f, reset *Form) error {
	units, err := s.unitsInScope(rq.Context(), rq.P)
	if err != nil {
		return err
	}
	pg := s.newPage(rq, "users.detail", "users")
	pg.Title = u.DisplayName + " · " + pg.Title
	pg.Form = f
	pg.Data = userFormData{User: u, Units: units, IsSelf: u.ID == rq.P.UserID, Reset: reset, AdminBox: rq.P.IsAdmin()}
	s.render(w, rq, status, "user", pg)
	return nil
}

// userUpdate saves the profile, roles, unit and status.
func (s *Server) userUpdate(w http.ResponseWriter, rq *request) error {
	u, err := s.userFromPath(rq)
	if err != nil {
		return err
	}
	if err := rq.ParseForm(); err != nil {
		return err
	}
	f := newForm(cloneValues(rq.PostForm))
	roles := formRoles(f)
	// The admin box is disabled for other actors: keep the role as it is.
	if !rq.P.IsAdmin() && slices.Contains(u.Roles, auth.RoleAdmin) && !slices.Contains(roles, auth.RoleAdmin) {
		roles = append(roles, auth.RoleAdmin)
	}
	name, pos, phone, email := f.text("display_name"), f.text("position"), f.text("phone"), f.text("email")
	active := f.Checked("active")
	in := auth.UpdateUserInput{DisplayName: &name, Position: &pos, Phone: &phone, Email: &email,
		Roles: &roles, Active: &active}
	if id := f.id("org_unit"); id != 0 {
		in.OrgUnit = &id
	}
	if _, err := s.auth.Update(rq.Context(), rq.P, u.ID, in); err != nil {
		if !f.fail(err, rq.Lang, userFields...) {
			return err
		}
		return s.renderUser(w, rq, statusOf(err), u, f, newForm(url.Values{"must_change_password": {"1"}}))
	}
	s.seeOther(w, rq.Request, "/admin/users/"+u.ID.String(), "saved")
	return nil
}

// userResetPassword sets a new password for another user; their sessions end.
func (s *Server) userResetPassword(w http.ResponseWriter, rq *request) error {
	u, err := s.userFromPath(rq)
	if err != nil {
		return err
	}
	if err := rq.ParseForm(); err != nil {
		return err
	}
	reset := newForm(url.Values{"must_change_password": {rq.PostForm.Get("must_change_password")}})
	pw := rq.PostForm.Get("password")
	if pw != rq.PostForm.Get("confirm_password") {
		reset.Errors["confirm_password"] = label("password.mismatch").In(rq.Lang)
		return s.renderUser(w, rq, http.StatusUnprocessableEntity, u, userValues(u), reset)
	}
	if err := s.auth.ResetPassword(rq.Context(), rq.P, u.ID, pw, reset.Checked("must_change_password")); err != nil {
		if !reset.fail(err, rq.Lang, "password") {
			return err
		}
		return s.renderUser(w, rq, statusOf(err), u, userValues(u), reset)
	}
	s.seeOther(w, rq.Request, "/admin/users/"+u.ID.String(), "password_reset")
	return nil
}
