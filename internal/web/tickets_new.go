package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/i18n"
	"kefu/internal/ticket"
)

// intakeFields are the fields of the intake form that can carry an error.
var intakeFields = []string{"phone", "name", "address", "category", "subject", "description", "channel", "severity",
	"received_at", "respondent_user_id", "crisis_party"}

// serviceField maps a field the service names to the input of the form.
var serviceField = map[string]string{
	"customer.phone": "phone", "customer.name": "name", "customer.address": "address", "customer.kind": "name",
	"customer_id": "phone", "pack": "category",
	"ticket_id": "ticket_number", // link_duplicate names the first record by its number
}

// localLayout is the value of an <input type="datetime-local">.
const localLayout = "2006-01-02T15:04"

// intakeData is the intake form.
type intakeData struct {
	PackName   string
	Groups     []catGroup
	Channels   []option
	Severities []option
	Users      []auth.Colleague // who may be named as the person complained about
	Crisis     []string         // the pack's crisis parties (TKT-034)
	Now        string           // the default received_at
}

// ticketNew shows the intake form: channel phone, received now.
func (s *Server) ticketNew(w http.ResponseWriter, rq *request) error {
	now := s.now().In(shanghai).Format(localLayout)
	f := newForm(url.Values{"channel": {"phone"}, "received_at": {now}, "received_default": {now}})
	return s.renderIntake(w, rq, http.StatusOK, f)
}

func (s *Server) renderIntake(w http.ResponseWriter, rq *request, status int, f *Form) error {
	ctx, l := rq.Context(), rq.Lang
	pack, err := s.policy.ForUnit(ctx, rq.P.OrgUnitID)
	if err != nil {
		return err
	}
	d := intakeData{PackName: nameIn(pack.Name, l), Groups: categoryGroups(pack, l), Now: f.Get("received_default")}
	for _, c := range pack.Channels {
		d.Channels = append(d.Channels, option{c.Key, nameIn(c.Name, l)})
	}
	if _, ok := pack.Channel(f.Get("channel")); !ok && len(pack.Channels) > 0 {
		f.Values.Set("channel", pack.Channels[0].Key)
	}
	for _, sv := range pack.Severities {
		d.Severities = append(d.Severities, option{sv.Key, nameIn(sv.Name, l)})
	}
	for _, c := range pack.Tickets.CrisisParties {
		d.Crisis = append(d.Crisis, nameIn(c, l))
	}
	if d.Users, err = s.pickUsers(rq); err != nil {
		return err
	}
	pg := s.newPage(rq, "tkt.new", "tickets")
	pg.Form = f
	pg.Data = d
	s.render(w, rq, status, "ticket_new", pg)
	return nil
}

// pickUsers are the people the pickers offer (assignee, respondent): the
// staff directory of the caller's company (auth.Colleagues). Work orders
// cross departments, so this is wider than the caller's own row scope; the
// service checks every assignment (TKT-016 recusal included).
func (s *Server) pickUsers(rq *request) ([]auth.Colleague, error) {
	return s.auth.Colleagues(rq.Context(), rq.P, 500)
}

// ticketCreate registers the work order and opens its page.
func (s *Server) ticketCreate(w http.ResponseWriter, rq *request) error {
	if err := rq.ParseForm(); err != nil {
		return err
	}
	f := newForm(cloneValues(rq.PostForm))
	in := ticket.CreateInput{Category: f.text("category"), Channel: f.text("channel"), Severity: f.text("severity"),
		Subject: f.Get("subject"), Description: f.Get("description"), CrisisParty: f.Get("crisis_party")}
	var err error
	if v := f.text("received_at"); v != "" && v != f.text("received_default") {
		var at time.Time
		if at, err = parseWhen("received_at", v); err == nil {
			in.ReceivedAt = &at
		}
	}
	if c := (customer.Input{Name: f.text("name"), Phone: f.text("phone"), Address: f.text("address")}); c.Name != "" || c.Phone != "" || c.Address != "" {
		in.Customer = &c
	}
	if id := f.id("respondent_user_id"); id != 0 {
		in.RespondentUserID = &id
	}
	var t ticket.Ticket
	if err == nil {
		t, err = s.tickets.Create(rq.Context(), rq.P, in)
	}
	if err != nil {
		if !failOn(f, err, rq.Lang, intakeFields) {
			return err
		}
		return s.renderIntake(w, rq, statusOf(err), f)
	}
	// The earlier work orders this one may duplicate (TKT-009) are offered
	// on its page: their ids ride along, the page reads them in scope.
	target := "/tickets/" + t.ID.String()
	if len(t.Duplicates) > 0 {
		ids := make([]string, 0, len(t.Duplicates))
		for _, d := range t.Duplicates {
			ids = append(ids, d.ID.String())
		}
		target += "?dup=" + strings.Join(ids, ",")
	}
	s.seeOther(w, rq.Request, target, "ticket_created")
	return nil
}

// failOn records a service error on a form: next to the input of the field
// it names (mapping the service's names to the form's), a conflict (409)
// or an error of no field as the form's alert. False: not the caller's fault.
func failOn(f *Form, err error, l i18n.Locale, fields []string) bool {
	e, ok := apperr.As(err)
	if !ok {
		return false
	}
	field := e.Field
	if m, ok := serviceField[field]; ok {
		field = m
	}
	if e.Status == http.StatusConflict || field == "" || !slices.Contains(fields, field) {
		f.Alert = e.Message.In(l)
		return true
	}
	f.Errors[field] = e.Message.In(l)
	return true
}

// parseWhen reads a datetime-local value (or "2006-01-02 15:04") as
// Beijing time; a value it cannot read is a 422 naming field.
func parseWhen(field, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{localLayout, "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, v, shanghai); err == nil {
			return t, nil
		}
	}
	return time.Time{}, apperr.Validation(field, i18n.T("请填写有效的日期和时间，如 2026-11-20 16:00",
		"enter a valid date and time, e.g. 2026-11-20 16:00"))
}
