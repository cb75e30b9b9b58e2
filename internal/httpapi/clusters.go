package httpapi

import (
	"net/http"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/store"
	"kefu/internal/ticket"
)

// clusterAPI serves work-order clusters (TKT-008), open letters (TKT-010)
// and cluster suggestions.
type clusterAPI struct{ svc *ticket.Service }

func (a *API) ticketClusterRoutes(svc *ticket.Service) []Route {
	if svc == nil {
		return nil
	}
	c := clusterAPI{svc}
	return []Route{
		{Method: "POST", Path: "/api/v1/ticket-clusters", Permission: auth.PermTicketsAct, Tag: "tickets",
			Summary: "建立集中问题 Group work orders on one issue into a cluster (TKT-008)",
			Request: ticket.ClusterInput{}, Response: ticket.Cluster{}, Status: http.StatusCreated, handle: c.create},
		{Method: "GET", Path: "/api/v1/ticket-clusters/{id}", Permission: auth.PermTicketsRead, Tag: "tickets",
			Summary: "集中问题 A cluster with its visible work orders and sessions", Response: ticket.Cluster{}, handle: c.get},
		{Method: "POST", Path: "/api/v1/ticket-clusters/{id}/tickets", Permission: auth.PermTicketsAct, Tag: "tickets",
			Summary: "加入集中问题 Add work orders to a cluster", Request: ticket.ClusterTicketsInput{},
			Response: ticket.Cluster{}, handle: c.add},
		{Method: "POST", Path: "/api/v1/ticket-clusters/{id}/sessions", Permission: auth.PermTicketsAct, Tag: "tickets",
			Summary: "联合解释 Record a joint explanation session: every member is explained (TKT-008)",
			Request: ticket.SessionInput{}, Response: ticket.Cluster{}, Status: http.StatusCreated, handle: c.session},
		{Method: "POST", Path: "/api/v1/open-letters", Permission: auth.PermTicketsAct, Tag: "tickets",
			Summary: "公开信 Issue an open letter: the reply of every linked work order (TKT-010)",
			Request: ticket.OpenLetterInput{}, Response: ticket.OpenLetter{}, Status: http.StatusCreated, handle: c.issueLetter},
		{Method: "GET", Path: "/api/v1/open-letters/{id}", Permission: auth.PermTicketsRead, Tag: "tickets",
			Summary: "公开信详情 An open letter with its visible work orders", Response: ticket.OpenLetter{}, handle: c.getLetter},
		{Method: "GET", Path: "/api/v1/tickets/{id}/similar", Permission: auth.PermTicketsRead, Tag: "tickets",
			Summary:  "相似工单 Open work orders on the same issue; suggests a cluster at the pack's threshold (TKT-008)",
			Response: ticket.Similar{}, handle: c.similar},
	}
}

func objectID(r *http.Request, what string) (store.ID, error) {
	id, err := store.ParseID(r.PathValue("id"))
	if err != nil {
		return 0, apperr.NotFound(what)
	}
	return id, nil
}

func (c clusterAPI) create(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in ticket.ClusterInput
	if err := decode(r, &in); err != nil {
		return err
	}
	cl, err := c.svc.CreateCluster(r.Context(), p, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/ticket-clusters/"+cl.ID.String())
	writeJSON(w, http.StatusCreated, cl)
	return nil
}

func (c clusterAPI) get(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := objectID(r, "cluster")
	if err != nil {
		return err
	}
	cl, err := c.svc.GetCluster(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cl)
	return nil
}

func (c clusterAPI) add(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in ticket.ClusterTicketsInput
	if err := decode(r, &in); err != nil {
		return err
	}
	id, err := objectID(r, "cluster")
	if err != nil {
		return err
	}
	cl, err := c.svc.AddToCluster(r.Context(), p, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cl)
	return nil
}

func (c clusterAPI) session(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in ticket.SessionInput
	if err := decode(r, &in); err != nil {
		return err
	}
	id, err := objectID(r, "cluster")
	if err != nil {
		return err
	}
	cl, err := c.svc.HoldSession(r.Context(), p, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, cl)
	return nil
}

func (c clusterAPI) issueLetter(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in ticket.OpenLetterInput
	if err := decode(r, &in); err != nil {
		return err
	}
	l, err := c.svc.IssueOpenLetter(r.Context(), p, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/open-letters/"+l.ID.String())
	writeJSON(w, http.StatusCreated, l)
	return nil
}

func (c clusterAPI) getLetter(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := objectID(r, "open_letter")
	if err != nil {
		return err
	}
	l, err := c.svc.GetOpenLetter(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (c clusterAPI) similar(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "ticket")
	if err != nil {
		return err
	}
	sm, err := c.svc.Similar(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sm)
	return nil
}
