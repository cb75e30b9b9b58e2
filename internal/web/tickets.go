package web

// The work-order pages (工单, TKT): the queues and the customer lookup of
// the intake form (this file), intake (tickets_new.go), the work-order page
// and its printable sheet (tickets_show.go), the action forms
// (tickets_act.go) and the countdown badges (tickets_due.go). Handlers are
// a thin layer over internal/ticket: the service and the policy pack decide
// what is allowed and which rows the caller sees.

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"kefu/internal/customer"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/services"
	"kefu/internal/ticket"
)

// newTicketService is the set's work-order service (wired in internal/app,
// with its timers and calendar hook); a set without one but with policy
// packs (tests of other front ends) gets one over the same stores; without
// packs it is nil and the work-order pages are not mounted.
func newTicketService(o services.Set) *ticket.Service {
	if o.Tickets != nil {
		return o.Tickets
	}
	if o.Policy == nil || o.Calendars == nil || o.DB == nil {
		return nil
	}
	var n ticket.Notifier
	if o.Notify != nil {
		n = o.Notify
	}
	return ticket.New(ticket.Options{DB: o.DB, Calendars: o.Calendars, Policy: o.Policy, Org: o.Org, Notify: n,
		Logger: o.Logger, Now: o.Now})
}

// packOf is the pack version a work order was created under.
func (s *Server) packOf(t *ticket.Ticket) *policy.Pack {
	if p, ok := s.policy.Version(t.Pack, t.PackVersion); ok {
		return p
	}
	if p, ok := s.policy.Get(t.Pack); ok {
		return p
	}
	return nil
}

// nameIn is a pack name in the locale (English falls back to Chinese).
func nameIn(n policy.Name, l i18n.Locale) string {
	if l == i18n.EN && n.EN != "" {
		return n.EN
	}
	return n.ZH
}

func categoryName(p *policy.Pack, key string, l i18n.Locale) string {
	if p != nil {
		if c, ok := p.Category(key); ok {
			return nameIn(c.Name, l)
		}
	}
	return key
}

func channelName(p *policy.Pack, key string, l i18n.Locale) string {
	if p != nil {
		if c, ok := p.Channel(key); ok {
			return nameIn(c.Name, l)
		}
	}
	return key
}

func severityName(p *policy.Pack, key string, l i18n.Locale) string {
	if p != nil {
		if c, ok := p.Severity(key); ok {
			return nameIn(c.Name, l)
		}
	}
	return key
}

func statusName(st ticket.Status, l i18n.Locale) string {
	return labelOr("tkt.status."+string(st), string(st), l)
}

// queueTabs are the queues of the list page, in the order shown.
var queueTabs = []string{"mine", "unit", "open", "due", "breached", "all"}

// queueTab is one tab of the list page.
type queueTab struct {
	Key, Label, Href string
	On               bool
}

// ticketRow is one line of a queue.
type ticketRow struct {
	T            ticket.Ticket
	CategoryName string
	StatusName   string
	Due          *dueBadge // the nearest running clock, nil without one
}

// option is a key with its name in the locale (selects).
type option struct {
	Key, Name string
}

// ticketsData is the list page.
type ticketsData struct {
	Tab        string
	Tabs       []queueTab
	Rows       []ticketRow
	Statuses   []option
	Categories []catGroup
	NextURL    string
	FirstURL   string
}

// ticketsList shows a queue with its filters, 50 a page, keyset paged.
func (s *Server) ticketsList(w http.ResponseWriter, rq *request) error {
	ctx, q, l := rq.Context(), rq.URL.Query(), rq.Lang
	tab := q.Get("tab")
	if !slices.Contains(queueTabs, tab) {
		tab = "all"
	}
	f := ticket.Filter{Status: ticket.Status(q.Get("status")), Category: q.Get("category"), Q: q.Get("q"),
		Cursor: q.Get("cursor"), Limit: 50}
	switch tab {
	case "mine":
		f.Mine = true
	case "unit":
		f.Unit = rq.P.OrgUnitID
	case "open":
		f.Open = true
	case "due":
		f.DueSoon = true
	case "breached":
		yes := true
		f.Breached = &yes
	}
	form := newForm(q)
	page, err := s.tickets.List(ctx, rq.P, f)
	if err != nil {
		if !form.fail(err, l, "status", "category", "q", "cursor") {
			return err
		}
	}
	d := ticketsData{Tab: tab}
	for _, k := range queueTabs {
		tq := url.Values{"tab": {k}}
		d.Tabs = append(d.Tabs, queueTab{Key: k, Label: label("tkt.tab." + k).In(l), Href: "/tickets?" + tq.Encode(), On: k == tab})
	}
	for _, st := range ticket.Statuses() {
		d.Statuses = append(d.Statuses, option{string(st), statusName(st, l)})
	}
	if pack, err := s.policy.ForUnit(ctx, rq.P.OrgUnitID); err == nil {
		d.Categories = categoryGroups(pack, l)
	}
	now := s.now()
	for i := range page.Items {
		t := &page.Items[i]
		p := s.packOf(t)
		d.Rows = append(d.Rows, ticketRow{T: *t, CategoryName: categoryName(p, t.Category, l),
			StatusName: statusName(t.Status, l), Due: nearestDue(t, now, l)})
	}
	if page.Next != "" {
		nq := cloneValues(q)
		nq.Set("tab", tab)
		nq.Set("cursor", page.Next)
		d.NextURL = "/tickets?" + nq.Encode()
	}
	if f.Cursor != "" {
		fq := cloneValues(q)
		fq.Del("cursor")
		d.FirstURL = "/tickets?" + fq.Encode()
	}
	pg := s.newPage(rq, "tkt.title", "tickets")
	pg.Form = form
	pg.Data = d
	s.render(w, rq, statusOrOK(form), "tickets", pg)
	return nil
}

// statusOrOK is 422 when a filter was refused, else 200.
func statusOrOK(f *Form) int {
	if f.HasErrors() {
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}

// customerMatch is one customer the intake lookup offers: the snapshot of
// their latest work order the caller may see, and how many there are.
type customerMatch struct {
	Name       string `json:"name"`
	Phone      string `json:"phone"`
	Address    string `json:"address"`
	Tickets    int    `json:"tickets"`
	LastID     string `json:"last_id"`
	LastNumber string `json:"last_number"`
	LastStatus string `json:"last_status"`
	LastAt     string `json:"last_at"`
	Open       int    `json:"open"` // work orders not closed: candidates for a duplicate (TKT-009)
}

// maxMatches is how many customers the lookup returns.
const maxMatches = 8

// ticketCustomers answers the as-you-type lookup of the intake form:
// customers whose phone contains the digits typed (at least 3), found
// through the work orders the caller may see (row scope is the service's).
func (s *Server) ticketCustomers(w http.ResponseWriter, rq *request) error {
	digits := customer.PhoneKey(rq.URL.Query().Get("phone"))
	out := []customerMatch{}
	if len(digits) >= 3 {
		page, err := s.tickets.List(rq.Context(), rq.P, ticket.Filter{Q: digits, Limit: 200})
		if err != nil {
			return err
		}
		idx := map[string]int{}
		for _, t := range page.Items {
			key := customer.PhoneKey(t.Customer.Phone)
			if !strings.Contains(key, digits) {
				continue // the number or subject matched, not the phone
			}
			id := key + "\x00" + t.Customer.Name
			i, seen := idx[id]
			if !seen {
				if len(out) == maxMatches {
					continue
				}
				i = len(out)
				idx[id] = i
				out = append(out, customerMatch{Name: t.Customer.Name, Phone: t.Customer.Phone, Address: t.Customer.Address,
					LastID: t.ID.String(), LastNumber: t.Number, LastStatus: statusName(t.Status, rq.Lang),
					LastAt: t.ReceivedAt.In(shanghai).Format("2006-01-02 15:04")})
			}
			out[i].Tickets++
			if t.Status != ticket.StatusClosed && t.Status != ticket.StatusMerged {
				out[i].Open++
			}
		}
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(out)
}

// catGroup is the categories of one group (咨询, 报修, 投诉 …) for a picker.
type catGroup struct {
	Key, Name string
	Cats      []catOption
}

// catOption is one category in a picker.
type catOption struct {
	Key, Name  string
	Respondent bool // a complaint category that records the person complained about (TKT-016)
	Severity   string
	Clocks     string // "resolve 1wd", for the hint
}

// categoryGroups groups a pack's categories by group, in the order of
// policy.Groups, then any other group.
func categoryGroups(p *policy.Pack, l i18n.Locale) []catGroup {
	var out []catGroup
	at := map[string]int{}
	order := append(append([]string{}, policy.Groups...), "")
	for _, g := range order {
		at[g] = -1
	}
	add := func(g string) int {
		if i, ok := at[g]; ok && i >= 0 {
			return i
		}
		at[g] = len(out)
		out = append(out, catGroup{Key: g, Name: labelOr("tkt.group."+g, g, l)})
		return at[g]
	}
	for _, g := range policy.Groups {
		for _, c := range p.Categories {
			if c.Group == g {
				i := add(g)
				out[i].Cats = append(out[i].Cats, catOptionOf(c, l))
			}
		}
	}
	for _, c := range p.Categories {
		if !slices.Contains(policy.Groups, c.Group) {
			i := add(c.Group)
			out[i].Cats = append(out[i].Cats, catOptionOf(c, l))
		}
	}
	return out
}

func catOptionOf(c policy.Category, l i18n.Locale) catOption {
	var clocks []string
	for _, r := range c.Clocks {
		clocks = append(clocks, labelOr("tkt.clock."+string(r.Kind), string(r.Kind), l)+" "+r.Duration.String())
	}
	return catOption{Key: c.Key, Name: nameIn(c.Name, l), Respondent: c.Respondent, Severity: c.Severity,
		Clocks: strings.Join(clocks, "、")}
}
