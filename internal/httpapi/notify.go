package httpapi

import (
	"net/http"
	"strconv"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/notify"
	"kefu/internal/store"
)

// NotificationList is the answer of GET /api/v1/notifications.
type NotificationList struct {
	Items  []notify.Notification `json:"items"`
	Unread int                   `json:"unread"`
}

// MarkReadInput is the body of POST /api/v1/notifications/read: ids, or all.
type MarkReadInput struct {
	IDs []store.ID `json:"ids"`
	All bool       `json:"all"`
}

// MarkReadAnswer says how many notifications were marked read.
type MarkReadAnswer struct {
	Marked int `json:"marked"`
	Unread int `json:"unread"`
}

// notifyAPI serves notifications and webhooks.
type notifyAPI struct{ svc *notify.Service }

func (a *API) notifyRoutes(svc *notify.Service) []Route {
	if svc == nil {
		return nil
	}
	n := notifyAPI{svc: svc}
	manage := auth.PermWebhooksManage
	return []Route{
		{Method: "GET", Path: "/api/v1/notifications", Tag: "notifications",
			Summary:  "我的通知 Your own notifications, newest first, with the unread count",
			Query:    []Param{{"unread", "true: unread only"}, {"limit", "at most 200, default 50"}},
			Response: NotificationList{}, handle: n.list},
		{Method: "POST", Path: "/api/v1/notifications/read", Tag: "notifications",
			Summary: "标记已读 Mark your notifications read: {\"ids\":[…]} or {\"all\":true}",
			Request: MarkReadInput{}, Response: MarkReadAnswer{}, handle: n.markRead},
		{Method: "GET", Path: "/api/v1/webhooks", Permission: manage, Tag: "webhooks",
			Summary: "Webhook 列表 Outgoing webhooks (secrets are not shown)", Response: list[notify.Webhook]{}, handle: n.listWebhooks},
		{Method: "POST", Path: "/api/v1/webhooks", Permission: manage, Tag: "webhooks",
			Summary: "新建 Webhook An endpoint subscribed to events (\"ticket.assigned\", \"ticket.*\", \"*\"); an empty secret is generated and shown once",
			Request: notify.Webhook{}, Response: notify.Webhook{}, Status: http.StatusCreated, handle: n.createWebhook},
		{Method: "GET", Path: "/api/v1/webhooks/{id}", Permission: manage, Tag: "webhooks",
			Summary: "Webhook 详情 One webhook", Response: notify.Webhook{}, handle: n.getWebhook},
		{Method: "PATCH", Path: "/api/v1/webhooks/{id}", Permission: manage, Tag: "webhooks",
			Summary: "修改 Webhook Change url, events, secret (\"\": new one, shown once) or active",
			Request: notify.WebhookPatch{}, Response: notify.Webhook{}, handle: n.updateWebhook},
		{Method: "DELETE", Path: "/api/v1/webhooks/{id}", Permission: manage, Tag: "webhooks",
			Summary: "删除 Webhook Remove a webhook with its delivery history", Status: http.StatusNoContent, handle: n.deleteWebhook},
		{Method: "GET", Path: "/api/v1/webhooks/{id}/deliveries", Permission: manage, Tag: "webhooks",
			Summary: "投递记录 The newest deliveries of a webhook with status, attempts, response code and time",
			Query:   []Param{{"limit", "at most 200, default 50"}}, Response: list[notify.Delivery]{}, handle: n.deliveries},
	}
}

// queryLimit reads an optional positive limit.
func queryLimit(r *http.Request) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n > notify.MaxList {
		return 0, apperr.Validation("limit", i18n.T("须为1到%d之间的整数", "must be an integer from 1 to %d", notify.MaxList))
	}
	return n, nil
}

func (n notifyAPI) list(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	limit, err := queryLimit(r)
	if err != nil {
		return err
	}
	unreadOnly := false
	switch r.URL.Query().Get("unread") {
	case "", "false":
	case "true":
		unreadOnly = true
	default:
		return apperr.Validation("unread", i18n.T("须为 true 或 false", "must be true or false"))
	}
	items, err := n.svc.List(r.Context(), p.UserID, unreadOnly, limit)
	if err != nil {
		return err
	}
	unread, err := n.svc.Unread(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, NotificationList{Items: items, Unread: unread})
	return nil
}

func (n notifyAPI) markRead(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in MarkReadInput
	if err := decode(r, &in); err != nil {
		return err
	}
	var marked int
	var err error
	switch {
	case in.All && len(in.IDs) > 0:
		return apperr.Validation("ids", i18n.T("ids 与 all 只能给出一个", "give either ids or all, not both"))
	case in.All:
		marked, err = n.svc.MarkAllRead(r.Context(), p.UserID)
	case len(in.IDs) == 0:
		return apperr.Required("ids")
	case len(in.IDs) > notify.MaxList:
		return apperr.Validation("ids", i18n.T("一次至多%d条", "at most %d at once", notify.MaxList))
	default:
		marked, err = n.svc.MarkRead(r.Context(), p.UserID, in.IDs...)
	}
	if err != nil {
		return err
	}
	unread, err := n.svc.Unread(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, MarkReadAnswer{Marked: marked, Unread: unread})
	return nil
}

func (n notifyAPI) listWebhooks(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	hooks, err := n.svc.ListWebhooks(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(hooks, ""))
	return nil
}

func (n notifyAPI) createWebhook(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	in := notify.Webhook{Active: true}
	if err := decode(r, &in); err != nil {
		return err
	}
	hook, err := n.svc.CreateWebhook(r.Context(), p, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/webhooks/"+hook.ID.String())
	writeJSON(w, http.StatusCreated, hook)
	return nil
}

func (n notifyAPI) getWebhook(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	hook, err := n.svc.GetWebhook(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, hook)
	return nil
}

func (n notifyAPI) updateWebhook(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in notify.WebhookPatch
	if err := decode(r, &in); err != nil {
		return err
	}
	hook, err := n.svc.UpdateWebhook(r.Context(), p, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, hook)
	return nil
}

func (n notifyAPI) deleteWebhook(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := n.svc.DeleteWebhook(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (n notifyAPI) deliveries(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	limit, err := queryLimit(r)
	if err != nil {
		return err
	}
	ds, err := n.svc.Deliveries(r.Context(), p, id, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(ds, ""))
	return nil
}
