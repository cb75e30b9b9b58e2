package web

// Clusters (集中问题, TKT-008) and open letters (公开信, TKT-010): the page
// of a cluster with its members and joint explanation sessions, the forms
// that record a session and issue an open letter to every member, and the
// printable letter. internal/ticket checks, stores and writes the members'
// timelines.

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/ticket"
)

// maxLetterLookups caps the members read to find the letters of a cluster.
const maxLetterLookups = 50

// clusterData is the cluster page.
type clusterData struct {
	C           ticket.Cluster
	PackName    string
	Members     []summaryRow
	Sessions    []sessionRow
	Letters     []letterRef
	Answerable  []store.ID // members an open letter may answer (the reply action is allowed)
	SessionForm *Form
	LetterForm  *Form
}

type sessionRow struct {
	S            ticket.Session
	HeldAt, Who  string
	RecordedLate bool
}

// ticketGroupPage serves /tickets/clusters/{id} and /tickets/letters/{id}.
func (s *Server) ticketGroupPage(w http.ResponseWriter, rq *request) error {
	switch rq.PathValue("group") {
	case "clusters":
		return s.clusterShow(w, rq)
	case "letters":
		return s.letterShow(w, rq)
	}
	return notFound()
}

// clusterShow is /tickets/clusters/{id}.
func (s *Server) clusterShow(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	return s.renderCluster(w, rq, http.StatusOK, id, s.sessionForm(), s.letterForm())
}

// sessionForm and letterForm are the empty forms, dated now; the default
// rides along so that a time left as offered means "now" to the second.
func (s *Server) sessionForm() *Form {
	now := s.now().In(shanghai).Format(localLayout)
	return newForm(url.Values{"held_at": {now}, "held_default": {now}})
}

func (s *Server) letterForm() *Form {
	now := s.now().In(shanghai).Format(localLayout)
	return newForm(url.Values{"issued_at": {now}, "issued_default": {now}})
}

func (s *Server) renderCluster(w http.ResponseWriter, rq *request, status int, id store.ID, sf, lf *Form) error {
	ctx, l := rq.Context(), rq.Lang
	cl, err := s.tickets.GetCluster(ctx, rq.P, id)
	if err != nil {
		return err
	}
	p, _ := s.policy.Get(cl.Pack)
	d := clusterData{C: cl, SessionForm: sf, LetterForm: lf}
	if p != nil {
		d.PackName = nameIn(p.Name, l)
	}
	seen := map[store.ID]bool{}
	for i, m := range cl.Tickets {
		d.Members = append(d.Members, summaryRowOf(m, p, l))
		if ticket.Allowed(ticket.ActReply, m.Status) {
			d.Answerable = append(d.Answerable, m.ID)
		}
		if i >= maxLetterLookups {
			continue
		}
		t, err := s.tickets.Get(ctx, rq.P, m.ID)
		if err != nil {
			continue
		}
		for _, lr := range lettersOf(&t) {
			if !seen[lr.ID] {
				seen[lr.ID] = true
				d.Letters = append(d.Letters, lr)
			}
		}
	}
	users := map[store.ID]string{}
	for _, se := range cl.Sessions {
		d.Sessions = append(d.Sessions, sessionRow{S: se, HeldAt: exact(se.HeldAt),
			Who: s.userName(ctx, users, se.CreatedBy, l), RecordedLate: se.CreatedAt.Sub(se.HeldAt) > time.Hour})
	}
	pg := s.newPage(rq, "cl.title", "tickets")
	pg.Title = cl.Title + " · " + pg.Title
	pg.Data = d
	s.render(w, rq, status, "cluster", pg)
	return nil
}

// clusterSession records a joint explanation session (TKT-008).
func (s *Server) clusterSession(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	in := ticket.SessionInput{Place: f.text("place"), Record: f.text("record")}
	if v := f.text("held_at"); v != "" && v == f.text("held_default") {
		at := s.now()
		in.HeldAt = &at
	} else if v != "" {
		var at time.Time
		if at, err = parseWhen("held_at", v); err == nil {
			in.HeldAt = &at
		}
	}
	if err == nil {
		_, err = s.tickets.HoldSession(rq.Context(), rq.P, id, in)
	}
	if err != nil {
		if !failOn(f, err, rq.Lang, []string{"held_at", "place", "record"}) {
			return err
		}
		return s.renderCluster(w, rq, statusOf(err), id, f, s.letterForm())
	}
	s.seeOther(w, rq.Request, "/tickets/clusters/"+id.String()+"#sessions", "session_held")
	return nil
}

// clusterLetter issues an open letter answering every member that can
// still take a reply (TKT-010) and opens it.
func (s *Server) clusterLetter(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	cl, err := s.tickets.GetCluster(rq.Context(), rq.P, id)
	if err != nil {
		return err
	}
	in := ticket.OpenLetterInput{Title: f.text("title"), Body: f.text("body")}
	for _, m := range cl.Tickets {
		if ticket.Allowed(ticket.ActReply, m.Status) {
			in.TicketIDs = append(in.TicketIDs, m.ID)
		}
	}
	if v := f.text("issued_at"); v != "" && v != f.text("issued_default") {
		var at time.Time
		if at, err = parseWhen("issued_at", v); err == nil {
			in.IssuedAt = &at
		}
	}
	var letter ticket.OpenLetter
	if err == nil {
		letter, err = s.tickets.IssueOpenLetter(rq.Context(), rq.P, in)
	}
	if err != nil {
		if !failOn(f, err, rq.Lang, []string{"title", "body", "issued_at"}) {
			return err
		}
		return s.renderCluster(w, rq, statusOf(err), id, s.sessionForm(), f)
	}
	s.seeOther(w, rq.Request, "/tickets/letters/"+letter.ID.String(), "letter_issued")
	return nil
}

// letterData is the printable open letter.
type letterData struct {
	L       ticket.OpenLetter
	Issuer  string // the company that signs it
	Date    string // 2026年3月12日
	Members []summaryRow
}

// letterShow is /tickets/letters/{id}: the open letter on A4, in Chinese.
func (s *Server) letterShow(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	ctx, l := rq.Context(), rq.Lang
	lt, err := s.tickets.GetOpenLetter(ctx, rq.P, id)
	if err != nil {
		return err
	}
	d := letterData{L: lt, Date: chineseDate(lt.IssuedAt)}
	// The first work order answered gives the pack of the category names
	// (nil when unknown) and the receiving point whose company signs;
	// without one, the reader's unit signs.
	var p *policy.Pack
	unit := rq.P.OrgUnitID
	if len(lt.Tickets) > 0 {
		if t, err := s.tickets.Get(ctx, rq.P, lt.Tickets[0].ID); err == nil {
			p, unit = s.packOf(&t), t.ReceivingUnitID
		}
	}
	for _, m := range lt.Tickets {
		d.Members = append(d.Members, summaryRowOf(m, p, l))
	}
	d.Issuer = s.issuerName(ctx, unit)
	pg := s.newPage(rq, "ol.title", "tickets")
	pg.Title = lt.Number + " · " + lt.Title
	pg.Data = d
	s.render(w, rq, http.StatusOK, "letter", pg)
	return nil
}

// chineseDate writes a date as a letter is dated: 2026年3月12日.
func chineseDate(t time.Time) string {
	t = t.In(shanghai)
	return strconv.Itoa(t.Year()) + "年" + strconv.Itoa(int(t.Month())) + "月" + strconv.Itoa(t.Day()) + "日"
}

// issuerName is the company that signs a letter: the nearest company at
// or above unit (org.CompanyOf), else the unit itself.
func (s *Server) issuerName(ctx context.Context, unit store.ID) string {
	c, err := s.org.CompanyOf(ctx, unit)
	if err != nil {
		return ""
	}
	if c.Kind != org.Company {
		if c, err = s.org.Get(ctx, unit); err != nil {
			return ""
		}
	}
	return c.Name
}
