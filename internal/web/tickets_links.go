package web

// What links a work order to others, on its page: the similar work orders
// that may form a cluster (TKT-008), the cluster it is in, the open letters
// that answered it (TKT-010) and, right after intake, the earlier work
// orders it may duplicate (TKT-009). The ticket service finds them; this
// file only reads and arranges.

import (
	"net/http"
	"net/url"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/ticket"
)

// maxClusterLookups caps the similar work orders whose cluster is looked
// up to offer "add to that cluster".
const maxClusterLookups = 10

// summaryRow is another work order, named for the page.
type summaryRow struct {
	S                                  ticket.Summary
	StatusName, CategoryName, Received string
}

func summaryRowOf(sm ticket.Summary, p *policy.Pack, l i18n.Locale) summaryRow {
	return summaryRow{S: sm, StatusName: statusName(sm.Status, l), CategoryName: categoryName(p, sm.Category, l),
		Received: exact(sm.ReceivedAt)}
}

// clusterRef names a cluster.
type clusterRef struct {
	ID    store.ID
	Title string
}

// letterRef names an open letter.
type letterRef struct {
	ID     store.ID
	Number string
}

// linksView is the links card data of the work-order page.
type linksView struct {
	Similar    ticket.Similar
	Rows       []summaryRow // the similar work orders
	Cluster    *clusterRef  // the cluster the work order is in
	Existing   []clusterRef // clusters of similar work orders it may join
	Letters    []letterRef
	Duplicates []summaryRow // candidates Create returned (?dup=)
	MergedInto *summaryRow  // the first record this duplicate was merged into
	CanAct     bool
	CanMerge   bool  // link_duplicate is allowed in the status
	Form       *Form // the new-cluster form
	Open       bool  // the form was sent and refused
}

// ticketLinks reads what links the work order to others.
func (s *Server) ticketLinks(rq *request, t *ticket.Ticket, p *policy.Pack) (*linksView, error) {
	ctx, l := rq.Context(), rq.Lang
	lv := &linksView{CanAct: rq.P.Can(auth.PermTicketsAct), CanMerge: ticket.Allowed(ticket.ActLinkDuplicate, t.Status)}
	sim, err := s.tickets.Similar(ctx, rq.P, t.ID)
	if err != nil {
		return nil, err
	}
	lv.Similar = sim
	for _, sm := range sim.Tickets {
		lv.Rows = append(lv.Rows, summaryRowOf(sm, p, l))
	}
	if sim.ClusterID != 0 {
		if cl, err := s.tickets.GetCluster(ctx, rq.P, sim.ClusterID); err == nil {
			lv.Cluster = &clusterRef{cl.ID, cl.Title}
		} else if !apperr.Is(err, apperr.CodeNotFound) {
			return nil, err
		}
	} else if lv.CanAct {
		seen := map[store.ID]bool{}
		for i, sm := range sim.Tickets {
			if i == maxClusterLookups {
				break
			}
			o, err := s.tickets.Similar(ctx, rq.P, sm.ID)
			if err != nil || o.ClusterID == 0 || seen[o.ClusterID] {
				continue
			}
			seen[o.ClusterID] = true
			if cl, err := s.tickets.GetCluster(ctx, rq.P, o.ClusterID); err == nil {
				lv.Existing = append(lv.Existing, clusterRef{cl.ID, cl.Title})
			}
		}
	}
	lv.Letters = lettersOf(t)
	if t.MergedIntoID != 0 {
		if f, err := s.tickets.Get(ctx, rq.P, t.MergedIntoID); err == nil {
			r := summaryRowOf(ticket.Summary{ID: f.ID, Number: f.Number, Status: f.Status}, p, l)
			lv.MergedInto = &r
		}
	}
	for _, part := range strings.Split(rq.URL.Query().Get("dup"), ",") {
		id, err := store.ParseID(part)
		if err != nil || id == t.ID {
			continue
		}
		d, err := s.tickets.Get(ctx, rq.P, id) // row scope: only those the caller may see
		if err != nil {
			continue
		}
		lv.Duplicates = append(lv.Duplicates, summaryRowOf(ticket.Summary{ID: d.ID, Number: d.Number, Status: d.Status,
			Category: d.Category, ReceivedAt: d.ReceivedAt}, p, l))
	}
	title := t.Subject
	if title == "" {
		title = categoryName(p, t.Category, l)
	}
	if sim.Location != "" {
		title = sim.Location + " · " + title
	}
	lv.Form = newForm(url.Values{"title": {title}, "location": {sim.Location}})
	for _, sm := range sim.Tickets {
		lv.Form.Values.Add("ticket_ids", sm.ID.String())
	}
	return lv, nil
}

// lettersOf are the open letters that answered the work order: its reply
// entries that name one.
func lettersOf(t *ticket.Ticket) []letterRef {
	var out []letterRef
	for _, e := range t.Timeline {
		id := anyID(e.Detail["open_letter_id"])
		if id == 0 {
			continue
		}
		num, _ := e.Detail["open_letter"].(string)
		out = append(out, letterRef{id, num})
	}
	return out
}

// ticketCluster makes a cluster of the work order and the similar ones
// ticked (action=create), or adds it to an existing cluster (action=add).
func (s *Server) ticketCluster(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	var cl ticket.Cluster
	if f.text("action") == "add" {
		cl, err = s.tickets.AddToCluster(rq.Context(), rq.P, f.id("cluster_id"), ticket.ClusterTicketsInput{TicketIDs: []store.ID{id}})
	} else {
		ids := []store.ID{id}
		for _, v := range f.Values["ticket_ids"] {
			if x, err := store.ParseID(v); err == nil {
				ids = append(ids, x)
			}
		}
		cl, err = s.tickets.CreateCluster(rq.Context(), rq.P, ticket.ClusterInput{Title: f.text("title"),
			Location: f.text("location"), TicketIDs: ids})
	}
	if err != nil {
		if !failOn(f, err, rq.Lang, []string{"title", "location", "ticket_ids"}) {
			return err
		}
		v, verr := s.ticketView(rq, id, nil)
		if verr != nil {
			return verr
		}
		v.Links.Form, v.Links.Open = f, true
		s.renderTicket(w, rq, statusOf(err), v)
		return nil
	}
	s.seeOther(w, rq.Request, "/tickets/clusters/"+cl.ID.String(), "clustered")
	return nil
}

// ticketByNumber finds the work order with the number among those the
// caller may see (the link_duplicate form names the first record so).
func (s *Server) ticketByNumber(rq *request, number string) (store.ID, error) {
	number = strings.TrimSpace(number)
	if number == "" {
		return 0, apperr.Required("ticket_number")
	}
	page, err := s.tickets.List(rq.Context(), rq.P, ticket.Filter{Q: number, Limit: 20})
	if err != nil {
		return 0, err
	}
	for _, t := range page.Items {
		if t.Number == number {
			return t.ID, nil
		}
	}
	return 0, apperr.Validation("ticket_number", label("dup.not_found", number))
}
