package httpapi

import (
	"net/http"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// PasswordReset is the body of POST /api/v1/users/{id}/password.
type PasswordReset struct {
	Password           string `json:"password"`
	MustChangePassword *bool  `json:"must_change_password"`
}

// RoleView is a role as GET /api/v1/roles lists it.
type RoleView struct {
	Key         auth.Role         `json:"key"`
	Name        string            `json:"name"`
	Permissions []auth.Permission `json:"permissions"`
}

func (a *API) userRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/api/v1/users", Permission: auth.PermUsersWrite, Tag: "users",
			Summary: "新建用户 Create a user", Request: auth.CreateUserInput{}, Response: auth.User{},
			Status: http.StatusCreated, handle: a.createUser},
		{Method: "GET", Path: "/api/v1/users", Permission: auth.PermUsersRead, Tag: "users",
			Summary: "用户列表 Users inside the caller's org subtree",
			Query: []Param{{"q", "substring of username or display name"}, {"role", "role key"},
				{"org_unit", "org unit id (its subtree)"}, {"active", "true or false"}, {"limit", "page size, ≤ 500"}, {"cursor", "next_cursor of the previous page"}},
			Response: list[auth.User]{}, handle: a.listUsers},
		{Method: "GET", Path: "/api/v1/users/{id}", Permission: auth.PermUsersRead, Tag: "users",
			Summary: "用户详情 One user", Response: auth.User{}, handle: a.getUser},
		{Method: "PATCH", Path: "/api/v1/users/{id}", Permission: auth.PermUsersWrite, Tag: "users",
			Summary: "修改用户 Change profile, roles, org unit or status", Request: auth.UpdateUserInput{},
			Response: auth.User{}, handle: a.updateUser},
		{Method: "POST", Path: "/api/v1/users/{id}/password", Permission: auth.PermUsersWrite, Tag: "users",
			Summary: "重置密码 Reset a user's password; their sessions end", Request: PasswordReset{},
			Status: http.StatusNoContent, handle: a.resetPassword},
		{Method: "GET", Path: "/api/v1/roles", Tag: "users", Summary: "角色 The built-in roles and their permissions",
			Response: list[RoleView]{}, handle: a.listRoles},
	}
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in auth.CreateUserInput
	if err := decode(r, &in); err != nil {
		return err
	}
	u, err := a.auth.Create(r.Context(), p, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+u.ID.String())
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := auth.ListFilter{Q: q.Get("q"), Role: auth.Role(q.Get("role")), Limit: pg.Limit}
	if f.Role != "" {
		if _, ok := auth.LookupRole(f.Role); !ok {
			return apperr.Validation("role", i18n.T("未知角色：%s", "unknown role: %s", string(f.Role)))
		}
	}
	if s := q.Get("org_unit"); s != "" {
		if f.OrgUnit, err = store.ParseID(s); err != nil {
			return apperr.Validation("org_unit", i18n.T("单位编号无效", "not a valid org unit id"))
		}
	}
	if s := q.Get("active"); s != "" {
		b := s == "true"
		if !b && s != "false" {
			return apperr.Validation("active", i18n.T("须为 true 或 false", "must be true or false"))
		}
		f.Active = &b
	}
	if pg.Cursor != "" {
		if f.After, err = store.ParseID(pg.Cursor); err != nil {
			return apperr.Validation("cursor", i18n.T("cursor 无效", "cursor is not valid"))
		}
	}
	users, more, err := a.auth.List(r.Context(), p, f)
	if err != nil {
		return err
	}
	next := ""
	if more {
		next = users[len(users)-1].ID.String()
	}
	writeJSON(w, http.StatusOK, newList(users, next))
	return nil
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := a.auth.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (a *API) updateUser(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in auth.UpdateUserInput
	if err := decode(r, &in); err != nil {
		return err
	}
	u, err := a.auth.Update(r.Context(), p, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (a *API) resetPassword(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in PasswordReset
	if err := decode(r, &in); err != nil {
		return err
	}
	must := in.MustChangePassword == nil || *in.MustChangePassword
	if err := a.auth.ResetPassword(r.Context(), p, id, in.Password, must); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listRoles(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	loc := i18n.FromRequest(r)
	out := make([]RoleView, 0, len(auth.Roles))
	for _, info := range auth.Roles {
		out = append(out, RoleView{Key: info.Key, Name: info.Name.In(loc), Permissions: info.Permissions})
	}
	writeJSON(w, http.StatusOK, newList(out, ""))
	return nil
}
