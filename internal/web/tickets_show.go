package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/ticket"
)

// ticketView is the work-order page and the printable sheet.
type ticketView struct {
	T                                                    ticket.Ticket
	CategoryName, GroupName, ChannelName, SeverityName   string
	StatusName, PackName                                 string
	Complaint                                            bool // the sheet is a 客户投诉单
	ReceivingUnit, HandlingUnit, EscalatedUnit, Received string
	Assignee, Respondent                                 string
	Clocks                                               []clockView
	Timeline                                             []eventView
	Actions                                              []*actionForm
	Units                                                []org.Unit
	Users                                                []auth.Colleague
	Running                                              []option   // clocks an extension, agreement or pause may be about
	Categories                                           []catGroup // reclassify
	Crisis                                               []string
	Results                                              []string // what the result, resolve and reply steps said (the sheet)
	Printed                                              string
	Alert                                                string     // a refused action whose form is no longer offered
	Links                                                *linksView // similar work orders, cluster, letters, duplicates
}

// clockView is one clock as a countdown badge.
type clockView struct {
	C                ticket.Clock
	KindName         string
	StateName        string
	Due              dueBadge
	Target, Original string // exact, "" without
	Started, Met     string
	Changed          bool // the target is not the computed one (extended or agreed)
}

// eventView is one timeline entry.
type eventView struct {
	E           ticket.Event
	Name        string // the action in the locale
	Actor       string
	At          string
	Recorded    string // when it was entered, if later than At (back-entry)
	Status      string // "已受理 → 已派单", "" when the status stayed
	Detail      []string
	Text        string
	Note        string
	System      bool
	ActionClass string
}

// ticketShow is the work-order page.
func (s *Server) ticketShow(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	v, err := s.ticketView(rq, id, nil)
	if err != nil {
		return err
	}
	s.renderTicket(w, rq, http.StatusOK, v)
	return nil
}

func (s *Server) renderTicket(w http.ResponseWriter, rq *request, status int, v *ticketView) {
	pg := s.newPage(rq, "tkt.title", "tickets")
	pg.Title = v.T.Number + " · " + pg.Title
	pg.Data = v
	s.render(w, rq, status, "ticket", pg)
}

// ticketPrint is the printable work-order sheet (TKT-019).
func (s *Server) ticketPrint(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	v, err := s.ticketView(rq, id, nil)
	if err != nil {
		return err
	}
	v.Printed = exact(s.now())
	pg := s.newPage(rq, "tkt.sheet", "tickets")
	pg.Title = v.T.Number + " · " + pg.Title
	pg.Data = v
	s.render(w, rq, http.StatusOK, "ticket_print", pg)
	return nil
}

// ticketView reads a work order and prepares everything the page shows;
// failed is the action form that was sent and refused, shown open.
func (s *Server) ticketView(rq *request, id store.ID, failed *actionForm) (*ticketView, error) {
	ctx, l := rq.Context(), rq.Lang
	t, err := s.tickets.Get(ctx, rq.P, id)
	if err != nil {
		return nil, err
	}
	p := s.packOf(&t)
	v := &ticketView{T: t, CategoryName: categoryName(p, t.Category, l), ChannelName: channelName(p, t.Channel, l),
		SeverityName: severityName(p, t.Severity, l), StatusName: statusName(t.Status, l)}
	if p != nil {
		v.PackName = nameIn(p.Name, l)
		if c, ok := p.Category(t.Category); ok {
			v.GroupName = labelOr("tkt.group."+c.Group, c.Group, l)
			v.Complaint = c.Group == "complaint" || c.Respondent
		}
		for _, c := range p.Tickets.CrisisParties {
			v.Crisis = append(v.Crisis, nameIn(c, l))
		}
		v.Categories = categoryGroups(p, l)
	}
	if v.Units, err = s.org.List(ctx); err != nil {
		return nil, err
	}
	units := unitNames(v.Units)
	v.ReceivingUnit = units.name(t.ReceivingUnitID)
	v.HandlingUnit = units.name(t.HandlingUnitID)
	v.EscalatedUnit = units.name(t.EscalatedUnitID)
	if v.Users, err = s.pickUsers(rq); err != nil {
		return nil, err
	}
	users := map[store.ID]string{}
	for _, u := range v.Users {
		users[u.ID] = u.DisplayName
	}
	who := func(id store.ID) string { return s.userName(ctx, users, id, l) }
	v.Assignee, v.Respondent, v.Received = who(t.AssigneeID), who(t.RespondentUserID), who(t.ReceivedBy)
	now := s.now()
	for _, c := range t.Clocks {
		cv := clockView{C: c, KindName: labelOr("tkt.clock."+string(c.Kind), string(c.Kind), l),
			StateName: labelOr("tkt.state."+string(c.State), string(c.State), l), Due: dueOf(c, now, l)}
		if c.TargetAt != nil {
			cv.Target = exact(*c.TargetAt)
		}
		if c.OriginalTargetAt != nil && c.TargetAt != nil && !c.OriginalTargetAt.Equal(*c.TargetAt) {
			cv.Original, cv.Changed = exact(*c.OriginalTargetAt), true
		}
		if c.StartedAt != nil {
			cv.Started = exact(*c.StartedAt)
		}
		if c.MetAt != nil {
			cv.Met = exact(*c.MetAt)
		}
		v.Clocks = append(v.Clocks, cv)
		if c.State == ticket.ClockRunning || c.State == ticket.ClockPaused {
			v.Running = append(v.Running, option{string(c.Kind), cv.KindName + " · " + cv.StateName + " · " + cv.Target})
		}
	}
	for _, e := range t.Timeline {
		ev := s.eventView(e, p, units, users, l)
		v.Timeline = append(v.Timeline, ev)
		if ev.Text != "" && (e.Action == ticket.ActResult || e.Action == ticket.ActResolve || e.Action == ticket.ActReply) {
			v.Results = append(v.Results, ev.Name+"："+ev.Text)
		}
	}
	v.Actions = s.actionForms(rq.P, &t, p, failed, l)
	for _, a := range v.Actions {
		a.V = v
	}
	if v.Links, err = s.ticketLinks(rq, &t, p); err != nil {
		return nil, err
	}
	return v, nil
}

// unitNamer names org units, from the tree read once per page.
type unitNamer map[store.ID]string

func unitNames(units []org.Unit) unitNamer {
	out := unitNamer{}
	for _, u := range units {
		out[u.ID] = u.Name
	}
	return out
}

func (u unitNamer) name(id store.ID) string {
	if id == 0 {
		return ""
	}
	if n, ok := u[id]; ok {
		return n
	}
	return "#" + id.String()
}

// userName is a user's display name: from the picker's list, else read
// from the directory (a name on a work order the caller may see), else "#id".
func (s *Server) userName(ctx context.Context, known map[store.ID]string, id store.ID, l i18n.Locale) string {
	if id == 0 {
		return ""
	}
	if n, ok := known[id]; ok {
		return n
	}
	if name, err := s.auth.DisplayName(ctx, id); err == nil {
		known[id] = name
		return name
	}
	return label("tkt.user_n", id.String()).In(l)
}

// eventView prepares one timeline entry: its name, the status change and
// the details worth reading (unit, person, clock, date, reason).
func (s *Server) eventView(e ticket.Event, p *policy.Pack, units unitNamer, users map[store.ID]string, l i18n.Locale) eventView {
	ev := eventView{E: e, Name: labelOr("tkt.ev."+e.Action, e.Action, l), Actor: e.Actor, At: exact(e.At),
		Note: e.Note, System: e.ActorID == 0, ActionClass: strings.ReplaceAll(e.Action, ".", "-")}
	if n, ok := users[e.ActorID]; ok && n != "" {
		ev.Actor = n + "（" + e.Actor + "）"
	}
	if ev.System {
		ev.Actor = label("audit.system").In(l)
	}
	if e.RecordedAt.Sub(e.At) > time.Minute {
		ev.Recorded = exact(e.RecordedAt)
	}
	if e.ToStatus != "" && e.FromStatus != e.ToStatus {
		if e.FromStatus == "" {
			ev.Status = statusName(e.ToStatus, l)
		} else {
			ev.Status = statusName(e.FromStatus, l) + " → " + statusName(e.ToStatus, l)
		}
	}
	keys := make([]string, 0, len(e.Detail))
	for k := range e.Detail {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		val := e.Detail[k]
		var txt string
		switch k {
		case "text":
			ev.Text = fmt.Sprint(val)
			continue
		case "org_unit", "unit", "receiving_unit":
			txt = units.name(anyID(val))
		case "user_id":
			id := anyID(val)
			if n, ok := users[id]; ok {
				txt = n
			} else {
				txt = label("tkt.user_n", id.String()).In(l)
			}
		case "clock":
			txt = labelOr("tkt.clock."+fmt.Sprint(val), fmt.Sprint(val), l)
		case "until", "target_at", "from", "to", "received_at":
			txt = timeText(val)
		case "category":
			if m, ok := val.(map[string]any); ok {
				txt = categoryName(p, fmt.Sprint(m["from"]), l) + " → " + categoryName(p, fmt.Sprint(m["to"]), l)
			} else {
				txt = categoryName(p, fmt.Sprint(val), l)
			}
		case "channel":
			txt = channelName(p, fmt.Sprint(val), l)
		case "severity":
			if m, ok := val.(map[string]any); ok {
				txt = severityName(p, fmt.Sprint(m["from"]), l) + " → " + severityName(p, fmt.Sprint(m["to"]), l)
			} else {
				txt = severityName(p, fmt.Sprint(val), l)
			}
		case "reason", "party", "number", "title", "place", "open_letter":
			txt = fmt.Sprint(val)
		case "written":
			txt = label("tkt.f.written").In(l)
			ev.Detail = append(ev.Detail, txt)
			continue
		default:
			continue // pack, pack_version, ids: in the audit log
		}
		if txt != "" {
			ev.Detail = append(ev.Detail, labelOr("tkt.d."+k, k, l)+"："+txt)
		}
	}
	return ev
}

// anyID reads an id out of decoded JSON (a number or a string).
func anyID(v any) store.ID {
	switch x := v.(type) {
	case float64:
		return store.ID(int64(x))
	case string:
		id, _ := store.ParseID(x)
		return id
	}
	return 0
}

// timeText writes an RFC 3339 time of a timeline detail exactly.
func timeText(v any) string {
	s := fmt.Sprint(v)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return exact(t)
	}
	return s
}

// pendingExtension reports whether the timeline holds an extension request
// not yet approved or rejected (to offer the decision forms).
func pendingExtension(t *ticket.Ticket) bool {
	var open []store.ID
	for _, e := range t.Timeline {
		id := anyID(e.Detail["extension_id"])
		switch e.Action {
		case ticket.ActRequestExtension:
			open = append(open, id)
		case ticket.ActApproveExtension, ticket.ActRejectExtension:
			open = slices.DeleteFunc(open, func(x store.ID) bool { return x == id })
		}
	}
	return len(open) > 0
}
