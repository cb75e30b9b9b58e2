package web

import (
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"time"

	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
	"kefu/internal/ticket"
)

// homeData is the 工作台 page.
type homeData struct {
	User     auth.User
	Greeting string
	Today    string
	Roles    []auth.Role
	Entries  []navLink // the user's modules, built or coming
	Status   *systemStatus
	Tickets  *ticketCard // users with tickets:read
}

// ticketCard is the 工单概况 card of the home page: the dashboard counts
// (ticket.Counts), each figure a link to the queue that lists them.
type ticketCard struct {
	Figures  []figure // open, breached, due soon, received and closed today
	Statuses []figure
	Month    string // received and closed this month
}

// figure is one count with its label and the list it links to.
type figure struct {
	Label, Value, Href string
	Alert              bool // breached: shown in red when not zero
}

// systemStatus is the administrators' card on the home page.
type systemStatus struct {
	Dialect      string
	Version      string
	Schema       int64
	SchemaLatest int64
	Users        int
	Units        int
	GoVersion    string
	ServerTime   string
}

func (s *Server) home(w http.ResponseWriter, rq *request) error {
	ctx := rq.Context()
	u, err := s.auth.Get(ctx, rq.P, rq.P.UserID)
	if err != nil {
		return err
	}
	now := s.now().In(shanghai)
	d := homeData{User: u, Greeting: greeting(now, rq.Lang), Today: longDate(now, rq.Lang), Roles: u.Roles}
	for _, sec := range navFor(rq.P, "", rq.Lang) {
		for _, it := range sec.Items {
			if it.Key != "home" && it.Key != "password" {
				d.Entries = append(d.Entries, it)
			}
		}
	}
	// The modules that work come first.
	slices.SortStableFunc(d.Entries, func(a, b navLink) int {
		switch {
		case a.Built == b.Built:
			return 0
		case a.Built:
			return -1
		}
		return 1
	})
	if rq.P.IsAdmin() {
		st := &systemStatus{Dialect: dialectName(s.db.Dialect()), Version: s.version, GoVersion: runtime.Version(),
			ServerTime: now.Format("2006-01-02 15:04:05 MST")}
		st.Schema, st.SchemaLatest, _ = s.db.SchemaVersion(ctx)
		st.Users, _ = s.auth.Count(ctx)
		if units, err := s.org.List(ctx); err == nil {
			st.Units = len(units)
		}
		d.Status = st
	}
	if s.tickets != nil && rq.P.Can(auth.PermTicketsRead) {
		if c, err := s.tickets.Counts(ctx, rq.P, ticket.CountsFilter{}); err == nil {
			d.Tickets = newTicketCard(c, rq.Lang)
		} else {
			s.log.WarnContext(ctx, "home: work-order counts", "err", err) // the page works without the card
		}
	}
	pg := s.newPage(rq, "home.title", "home")
	pg.Data = d
	s.render(w, rq, http.StatusOK, "home", pg)
	return nil
}

// newTicketCard lays out the counts. The links open the work-order list
// with the nearest filter it has: the queues (tickets.go queueTabs) and
// one status; the list shows the work orders the caller may see, newest
// first, so today's intake is at its top.
func newTicketCard(c ticket.Counts, l i18n.Locale) *ticketCard {
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	list := func(k, v string) string { return "/tickets?" + url.Values{k: {v}}.Encode() }
	due := n(c.DueSoon)
	if c.DueSoonCapped {
		due += "+"
	}
	card := &ticketCard{
		Figures: []figure{
			{Label: label("home.tickets_open").In(l), Value: n(c.Open), Href: list("tab", "open")},
			{Label: label("home.tickets_breached").In(l), Value: n(c.Breached), Href: list("tab", "breached"), Alert: c.Breached > 0},
			{Label: label("home.tickets_due").In(l), Value: due, Href: list("tab", "due")},
			{Label: label("home.tickets_received_today").In(l), Value: n(c.ReceivedToday), Href: list("tab", "all")},
			{Label: label("home.tickets_closed_today").In(l), Value: n(c.ClosedToday), Href: list("status", string(ticket.StatusClosed))},
		},
		Month: label("home.tickets_month", c.ReceivedThisMonth, c.ClosedThisMonth).In(l),
	}
	for _, st := range ticket.Statuses() {
		card.Statuses = append(card.Statuses, figure{Label: statusName(st, l), Value: n(c.ByStatus[st]),
			Href: list("status", string(st))})
	}
	return card
}

func dialectName(d store.Dialect) string {
	switch d {
	case store.SQLite:
		return "SQLite"
	case store.Postgres:
		return "PostgreSQL"
	}
	return string(d)
}

// greeting says hello by the time of day in China.
func greeting(t time.Time, l i18n.Locale) string {
	h := t.Hour()
	switch {
	case h < 5:
		return label("home.hello_night").In(l)
	case h < 12:
		return label("home.hello_morning").In(l)
	case h < 14:
		return label("home.hello_noon").In(l)
	case h < 18:
		return label("home.hello_afternoon").In(l)
	}
	return label("home.hello_evening").In(l)
}

var weekdaysZH = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

// longDate is today's date as people write it: 2026年5月3日 星期日.
func longDate(t time.Time, l i18n.Locale) string {
	if l == i18n.EN {
		return t.Format("Monday, 2 January 2006")
	}
	return fmt.Sprintf("%d年%d月%d日 %s", t.Year(), t.Month(), t.Day(), weekdaysZH[t.Weekday()])
}
