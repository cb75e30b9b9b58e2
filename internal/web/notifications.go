package web

// The notifications page (通知) and the unread count of the top bar, over
// internal/notify: every signed-in user sees their own notifications only.

import (
	"net/http"

	"kefu/internal/i18n"
	"kefu/internal/notify"
	"kefu/internal/store"
)

// notificationRow is one notification in the locale.
type notificationRow struct {
	ID    store.ID
	Title string
	Href  string // opens it (and marks it read)
	At    string
	Read  bool
	Event string
}

// notificationsData is the notifications page.
type notificationsData struct {
	Rows   []notificationRow
	Unread int
}

// unread is the caller's unread count for the top bar; 0 when there is no
// notification service or it fails (the bar is not worth an error page).
func (s *Server) unread(rq *request) int {
	if s.notify == nil || rq.P == nil {
		return 0
	}
	n, err := s.notify.Unread(rq.Context(), rq.P.UserID)
	if err != nil {
		s.log.WarnContext(rq.Context(), "web: unread notifications", "error", err)
		return 0
	}
	return n
}

// notificationsPage lists the caller's latest notifications.
func (s *Server) notificationsPage(w http.ResponseWriter, rq *request) error {
	list, err := s.notify.List(rq.Context(), rq.P.UserID, false, notify.MaxList)
	if err != nil {
		return err
	}
	d := notificationsData{}
	for _, n := range list {
		title := n.TitleZH
		if rq.Lang == i18n.EN && n.TitleEN != "" {
			title = n.TitleEN
		}
		d.Rows = append(d.Rows, notificationRow{ID: n.ID, Title: title, Href: "/notifications/" + n.ID.String(),
			At: exact(n.CreatedAt), Read: n.Read, Event: labelOr("notify.event."+n.Event, n.Event, rq.Lang)})
		if !n.Read {
			d.Unread++
		}
	}
	pg := s.newPage(rq, "notify.title", "notifications")
	pg.Data = d
	s.render(w, rq, http.StatusOK, "notifications", pg)
	return nil
}

// notificationOpen marks one notification read and follows its link.
func (s *Server) notificationOpen(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	list, err := s.notify.List(rq.Context(), rq.P.UserID, false, notify.MaxList)
	if err != nil {
		return err
	}
	for _, n := range list {
		if n.ID == id {
			if _, err := s.notify.MarkRead(rq.Context(), rq.P.UserID, id); err != nil {
				return err
			}
			http.Redirect(w, rq.Request, localPath(n.Link, "/notifications"), http.StatusSeeOther)
			return nil
		}
	}
	return notFound()
}

// notificationsReadAll marks every notification of the caller read.
func (s *Server) notificationsReadAll(w http.ResponseWriter, rq *request) error {
	if _, err := s.notify.MarkAllRead(rq.Context(), rq.P.UserID); err != nil {
		return err
	}
	s.seeOther(w, rq.Request, "/notifications", "notifications_read")
	return nil
}
