package httpapi

import (
	"net/http"

	"kefu/internal/auth"
	"kefu/internal/org"
)

func (a *API) orgRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/org-units", Permission: auth.PermOrgRead, Tag: "org",
			Summary:  "组织机构 The whole org tree, parents before children (no paging: a tree is small)",
			Response: list[org.Unit]{}, handle: a.listOrgUnits},
		{Method: "POST", Path: "/api/v1/org-units", Permission: auth.PermOrgWrite, Tag: "org",
			Summary: "新建单位 Create an org unit under a parent", Request: org.CreateInput{}, Response: org.Unit{},
			Status: http.StatusCreated, handle: a.createOrgUnit},
		{Method: "GET", Path: "/api/v1/org-units/{id}", Permission: auth.PermOrgRead, Tag: "org",
			Summary: "单位详情 One org unit", Response: org.Unit{}, handle: a.getOrgUnit},
		{Method: "GET", Path: "/api/v1/org-units/{id}/subtree", Permission: auth.PermOrgRead, Tag: "org",
			Summary: "下级单位 The unit and all units below it", Response: list[org.Unit]{}, handle: a.orgSubtree},
		{Method: "PATCH", Path: "/api/v1/org-units/{id}", Permission: auth.PermOrgWrite, Tag: "org",
			Summary: "修改单位 Rename, re-code, assign a policy pack, (de)activate or move a unit",
			Request: org.UpdateInput{}, Response: org.Unit{}, handle: a.updateOrgUnit},
	}
}

func (a *API) listOrgUnits(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	units, err := a.org.List(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(units, ""))
	return nil
}

func (a *API) createOrgUnit(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	var in org.CreateInput
	if err := decode(r, &in); err != nil {
		return err
	}
	u, err := a.org.Create(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/org-units/"+u.ID.String())
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (a *API) getOrgUnit(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := a.org.Get(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (a *API) orgSubtree(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	units, err := a.org.Subtree(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(units, ""))
	return nil
}

func (a *API) updateOrgUnit(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in org.UpdateInput
	if err := decode(r, &in); err != nil {
		return err
	}
	u, err := a.org.Update(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}
