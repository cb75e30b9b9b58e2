package web

// The occasion pages (回访事项, VIS-006, VIS-007): the list, the form that
// registers an occasion with its households — one per line, "姓名,电话,地址"
// — and the occasion with its draw and its visits. The visit service
// decides who registers (the pack's owner role or a manager) and draws the
// visits at once (VIS-016).

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
	"kefu/internal/visit"
)

// occasionRow is one occasion of the list.
type occasionRow struct {
	O                          *visit.Occasion
	RuleName, Happened, DueAt  string
	Quota, Drawn               int
	Created, TriggerName, Href string
}

// occasionsData is the list page.
type occasionsData struct {
	Rows              []occasionRow
	CanRegister       bool
	NextURL, FirstURL string
}

// occasionForm is the registration form.
type occasionForm struct {
	Rules    []option
	PackName string
	Problems []string // the households' problems, by line
	Max      int
}

// occasionView is the occasion page.
type occasionView struct {
	occasionRow
	RoleName, Seed string
	Population     int
	RatePct        int
	Rows           []visitRow
	More           bool   // more visits than shown
	AllURL         string // the visits list of the occasion
}

// occasionsList shows the occasions in the caller's scope, newest first.
func (s *Server) occasionsList(w http.ResponseWriter, rq *request) error {
	l, q := rq.Lang, rq.URL.Query()
	form := newForm(q)
	f := visit.OccasionFilter{Limit: 50}
	if v := q.Get("cursor"); v != "" {
		id, err := store.ParseID(v)
		if err != nil {
			form.Errors["cursor"] = label("vis.bad_cursor").In(l)
		}
		f.Before = id
	}
	d := occasionsData{CanRegister: s.mayRegister(rq)}
	if !form.HasErrors() {
		items, err := s.visits.ListOccasions(rq.Context(), rq.P, f)
		if err != nil && !form.fail(err, l, "cursor") {
			return err
		}
		for _, o := range items {
			d.Rows = append(d.Rows, s.occasionRow(o, l))
		}
		if len(items) == f.Limit {
			d.NextURL = "/visits/occasions?cursor=" + items[len(items)-1].ID.String()
		}
	}
	if f.Before != 0 {
		d.FirstURL = "/visits/occasions"
	}
	pg := s.newPage(rq, "vis.occasions", "visits")
	pg.Form = form
	pg.Data = d
	s.render(w, rq, statusOrOK(form), "visit_occasions", pg)
	return nil
}

func (s *Server) occasionRow(o *visit.Occasion, l i18n.Locale) occasionRow {
	r := occasionRow{O: o, RuleName: s.visitRuleName(o.Pack, o.Rule, l), Happened: exact(o.HappenedAt), DueAt: exact(o.DueAt),
		Created: exact(o.CreatedAt), TriggerName: labelOr("vis.trigger."+o.Trigger, o.Trigger, l),
		Href: "/visits/occasions/" + o.ID.String()}
	if o.Draw != nil {
		r.Quota, r.Drawn = o.Draw.Quota, o.Draw.Drawn
	}
	return r
}

// mayRegister reports whether the caller registers occasions: the owner
// role of the company's pack, a manager or an administrator (the service's
// rule), when the pack has occasion rules.
func (s *Server) mayRegister(rq *request) bool {
	if !rq.P.Can(auth.PermVisitsAct) {
		return false
	}
	_, _, rules, err := s.visits.OccasionRules(rq.Context(), rq.P)
	return err == nil && len(rules) > 0
}

// occasionNew shows the registration form.
func (s *Server) occasionNew(w http.ResponseWriter, rq *request) error {
	f := newForm(nil)
	d, err := s.occasionFormData(rq, f)
	if err != nil {
		return err
	}
	s.renderOccasionForm(w, rq, http.StatusOK, f, d)
	return nil
}

func (s *Server) occasionFormData(rq *request, f *Form) (*occasionForm, error) {
	pack, _, rules, err := s.visits.OccasionRules(rq.Context(), rq.P)
	if err != nil {
		return nil, err
	}
	d := &occasionForm{PackName: nameIn(pack.Name, rq.Lang), Max: visit.MaxHouseholds}
	for _, r := range rules {
		d.Rules = append(d.Rules, option{r.Key, nameIn(r.Name, rq.Lang) + " · " + labelOr("vis.trigger."+r.Trigger, r.Trigger, rq.Lang)})
	}
	if f.Get("rule") == "" && len(rules) > 0 {
		f.Values.Set("rule", rules[0].Key)
	}
	return d, nil
}

func (s *Server) renderOccasionForm(w http.ResponseWriter, rq *request, status int, f *Form, d *occasionForm) {
	pg := s.newPage(rq, "vis.occasion_new", "visits")
	pg.Form = f
	pg.Data = d
	s.render(w, rq, status, "visit_occasion_new", pg)
}

// occasionFields are the inputs of the form that carry their errors.
var occasionFields = []string{"rule", "title", "happened_at", "households"}

// householdField is a service field of one household: households[3].phone.
var householdField = regexp.MustCompile(`^households\[(\d+)\]\.(\w+)$`)

// occasionCreate registers the occasion from the form; a refusal shows the
// form again, the households' problems named by their line.
func (s *Server) occasionCreate(w http.ResponseWriter, rq *request) error {
	if err := rq.ParseForm(); err != nil {
		return err
	}
	l := rq.Lang
	f := newForm(cloneValues(rq.PostForm))
	hs, lines := parseHouseholds(f.Get("households"))
	in := visit.OccasionInput{Rule: f.text("rule"), Title: f.text("title"), HappenedAt: f.text("happened_at"), Households: hs}
	o, err := s.visits.CreateOccasion(rq.Context(), rq.P, in)
	if err == nil {
		s.seeOther(w, rq.Request, "/visits/occasions/"+o.ID.String(), "occasion_created")
		return nil
	}
	e, ok := apperr.As(err)
	if !ok || e.Status == http.StatusForbidden {
		return err
	}
	d, derr := s.occasionFormData(rq, f)
	if derr != nil {
		return derr
	}
	if m := householdField.FindStringSubmatch(e.Field); m != nil {
		problems, _ := e.Details["problems"].([]map[string]string)
		if len(problems) == 0 {
			problems = []map[string]string{{"field": e.Field, "zh": e.Message.In(i18n.ZH), "en": e.Message.In(i18n.EN)}}
		}
		for _, p := range problems {
			if m := householdField.FindStringSubmatch(p["field"]); m != nil {
				i, _ := strconv.Atoi(m[1])
				msg := p["zh"]
				if l == i18n.EN {
					msg = p["en"]
				}
				d.Problems = append(d.Problems, label("vis.oc.line", lineOf(lines, i), householdPart(m[2], l), msg).In(l))
			}
		}
		f.Errors["households"] = d.Problems[0]
	} else if !failOn(f, err, l, occasionFields) {
		return err
	}
	s.renderOccasionForm(w, rq, statusOf(err), f, d)
	return nil
}

// parseHouseholds reads the textarea: one household a line, "姓名,电话,地址"
// (full-width commas too; the address may hold commas; a line of a number
// only is a phone). Blank lines are skipped; lines holds each household's
// line number.
func parseHouseholds(text string) ([]visit.HouseholdInput, []int) {
	var out []visit.HouseholdInput
	var lines []int
	for n, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		parts := make([]string, 0, 3)
		for len(parts) < 2 {
			i := strings.IndexAny(line, ",，")
			if i < 0 {
				break
			}
			_, size := utf8.DecodeRuneInString(line[i:])
			parts, line = append(parts, line[:i]), line[i+size:]
		}
		parts = append(parts, line)
		if len(parts) == 1 && phoneOnly.MatchString(strings.TrimSpace(parts[0])) {
			parts = []string{"", parts[0]}
		}
		for len(parts) < 3 {
			parts = append(parts, "")
		}
		out = append(out, visit.HouseholdInput{Name: parts[0], Phone: parts[1], Address: parts[2]})
		lines = append(lines, n+1)
	}
	return out, lines
}

// phoneOnly is a line that holds a number only.
var phoneOnly = regexp.MustCompile(`^[0-9+\-() ]{7,}$`)

// lineOf is the textarea line of the i-th household.
func lineOf(lines []int, i int) int {
	if i >= 0 && i < len(lines) {
		return lines[i]
	}
	return i + 1
}

// householdPart names a household's field.
func householdPart(field string, l i18n.Locale) string {
	return labelOr("vis.oc.part."+field, field, l)
}

// occasionShow is the occasion with its draw and its visits.
func (s *Server) occasionShow(w http.ResponseWriter, rq *request) error {
	id, err := store.ParseID(rq.PathValue("id"))
	if err != nil {
		return apperr.NotFound("occasion")
	}
	ctx, l := rq.Context(), rq.Lang
	o, err := s.visits.GetOccasion(ctx, rq.P, id)
	if err != nil {
		return err
	}
	const shown = 200
	vs, err := s.visits.List(ctx, rq.P, visit.Filter{Occasion: id, Limit: shown})
	if err != nil {
		return err
	}
	v := &occasionView{occasionRow: s.occasionRow(o, l), RoleName: roleName(auth.Role(o.Role), l), More: len(vs) == shown,
		AllURL: "/visits?" + url.Values{"tab": {visitTabAll}, "occasion": {id.String()}}.Encode()}
	if o.Draw != nil {
		v.Seed, v.Population, v.RatePct = o.Draw.Seed, o.Draw.Population, o.Draw.RatePct
	}
	slices.Reverse(vs) // the households in their order
	now := s.now()
	for _, x := range vs {
		v.Rows = append(v.Rows, s.visitRow(rq, x, now))
	}
	pg := s.newPage(rq, "vis.occasion", "visits")
	pg.Title = o.Title + " · " + v.RuleName
	pg.Data = v
	s.render(w, rq, http.StatusOK, "visit_occasion", pg)
	return nil
}

// occasionLink is the occasion page of a household's visit.
func occasionLink(v *visit.Visit) string {
	if v.OccasionID == 0 {
		return ""
	}
	return fmt.Sprintf("/visits/occasions/%d", v.OccasionID)
}
