package web

// The merit and demerit pages (奖惩, MER-001 to MER-013): the ledger with
// its filters and the record form (this file), an entry with its decisions
// and a person's summary with the derivation in words (merits_show.go),
// appeals (merits_appeals.go), a unit's monthly table with its publication
// and the bounty register (merits_monthly.go). Handlers are a thin layer
// over internal/merit: the service decides who may read or decide what.

import (
	"net/http"
	"slices"

	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/merit"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// meritRoutes mounts the merit pages (issue 11).
func (s *Server) meritRoutes() {
	if s.merits == nil || s.policy == nil {
		return
	}
	read, write, approve := auth.PermMeritsRead, auth.PermMeritsWrite, auth.PermMeritsApprove
	s.page("GET /merits", read, s.meritsList)
	s.page("GET /merits/new", write, s.meritNew)
	s.page("POST /merits", write, s.meritCreate)
	s.page("GET /merits/people/{id}", read, s.meritPerson)
	s.page("POST /merits/flags/{id}/close", approve, s.meritFlagClose)
	s.page("GET /merits/monthly", write, s.meritMonthly)
	s.page("POST /merits/monthly/publish", approve, s.meritPublish)
	s.page("GET /merits/appeals", read, s.meritAppeals)
	s.page("GET /merits/appeals/{id}", read, s.meritAppealShow)
	s.page("POST /merits/appeals/{id}/{step}", read, s.meritAppealStep)
	s.page("GET /merits/bounties", read, s.meritBounties)
	s.page("POST /merits/bounties", write, s.meritBountyCreate)
	s.page("GET /merits/bounties/{id}", read, s.meritBountyShow)
	s.page("POST /merits/bounties/{id}/{action}", approve, s.meritBountyAct)
	s.page("GET /merits/{id}", read, s.meritShow)
	// The service refuses what the caller may not do (deciders are a
	// role of the pack; an appeal is the person's own).
	s.page("POST /merits/{id}/{step}", read, s.meritStep)
}

// meritRow is one line of the ledger.
type meritRow struct {
	E                     *merit.Entry
	KindName, KindClass   string
	StateName, StateClass string
	Money, Source         string
	Published             bool // confirmed and posted to the unit (SEC-011)
	Unpublished           bool // confirmed and waiting to be posted
}

// meritsData is the ledger page.
type meritsData struct {
	Rows                          []meritRow
	People, Units                 []option
	Kinds, States, Sources        []option
	Unpublished, Queue, CanRecord bool
	CanCompany, CanMonthly        bool
	NextURL, FirstURL             string
	Self                          store.ID
}

// meritsList is the ledger: filters by person, unit, kind, state, source
// and dates; ?state=proposed is the proposals queue.
func (s *Server) meritsList(w http.ResponseWriter, rq *request) error {
	q, l, p := rq.URL.Query(), rq.Lang, rq.P
	form := newForm(q)
	f := merit.Filter{Kind: q.Get("kind"), State: q.Get("state"), SourceKind: q.Get("source_kind"), From: q.Get("from"),
		To: q.Get("to"), Unpublished: q.Get("unpublished") != "", Limit: 50}
	for _, k := range []string{"user_id", "unit_id", "after"} {
		v := q.Get(k)
		if v == "" {
			continue
		}
		id, err := store.ParseID(v)
		if err != nil {
			form.Errors[k] = label("mer.bad_id").In(l)
		}
		switch k {
		case "user_id":
			f.UserID = id
		case "unit_id":
			f.UnitID = id
		default:
			f.After = id
		}
	}
	d := meritsData{Unpublished: f.Unpublished, Queue: f.State == merit.StateProposed, CanRecord: p.Can(auth.PermMeritsWrite),
		CanCompany: p.Can(auth.PermMeritsWrite), CanMonthly: p.Can(auth.PermMeritsWrite), Self: p.UserID}
	var pg *merit.Page
	var err error
	if !form.HasErrors() {
		if pg, err = s.merits.List(rq.Context(), p, f); err != nil &&
			!failOn(form, err, l, []string{"user_id", "unit_id", "kind", "state", "source_kind", "from", "to"}) {
			return err
		}
	}
	d.Kinds = meritKindOptions(l)
	for _, st := range meritStates {
		d.States = append(d.States, option{st, meritStateName(st, l)})
	}
	for _, k := range meritSources {
		d.Sources = append(d.Sources, option{k, labelOr("mer.source."+k, k, l)})
	}
	if d.CanCompany {
		d.People = s.meritPeople(rq)
		d.Units = s.meritUnits(rq)
	}
	if pg != nil {
		for i := range pg.Items {
			d.Rows = append(d.Rows, meritRowOf(&pg.Items[i], l))
		}
		if pg.Next != 0 {
			nq := cloneValues(q)
			nq.Set("after", pg.Next.String())
			d.NextURL = "/merits?" + nq.Encode()
		}
	}
	if f.After != 0 {
		fq := cloneValues(q)
		fq.Del("after")
		d.FirstURL = "/merits?" + fq.Encode()
	}
	title := "mer.title"
	if d.Queue {
		title = "mer.queue"
	}
	page := s.newPage(rq, title, "merits")
	page.Form, page.Data = form, d
	s.render(w, rq, statusOrOK(form), "merits", page)
	return nil
}

// meritRowOf prepares one ledger line.
func meritRowOf(e *merit.Entry, l i18n.Locale) meritRow {
	r := meritRow{E: e, KindName: meritKindName(e.Kind, l), KindClass: meritKindClass(e.Kind),
		StateName: meritStateName(e.State, l), StateClass: meritStateClass(e.State), Money: meritMoney(e, l),
		Source: labelOr("mer.source."+e.SourceKind, e.SourceKind, l)}
	if e.State == merit.StateConfirmed {
		r.Published, r.Unpublished = e.PublishedAt != nil, e.PublishedAt == nil
	}
	return r
}

// meritMoney is an entry's amount or points in words: "罚款 100.00 元",
// "−2 分".
func meritMoney(e *merit.Entry, l i18n.Locale) string {
	switch {
	case policy.MeritHasAmount(e.Kind):
		return label("mer.yuan", e.Amount.String()).In(l)
	case e.Kind == policy.MeritPointsAdded:
		return label("mer.points_plus", e.Points).In(l)
	case e.Kind == policy.MeritPointsCut:
		return label("mer.points_minus", e.Points).In(l)
	}
	return ""
}

// meritStates are the entry states in the order of the filter.
var meritStates = []string{merit.StateProposed, merit.StateConfirmed, merit.StateRejected, merit.StateWithdrawn, merit.StateChanged}

// meritSources are the source kinds of an entry.
var meritSources = []string{merit.SourceManual, merit.SourceTicket, merit.SourceSamplingFailure, merit.SourceSalesReception, merit.SourceSalesDeal,
	merit.SourceSalesForm, merit.SourceSalesFormUpdate, merit.SourceAppeal}

func meritKindName(kind string, l i18n.Locale) string { return labelOr("mer.kind."+kind, kind, l) }

func meritStateName(st string, l i18n.Locale) string { return labelOr("mer.state."+st, st, l) }

func meritKindOptions(l i18n.Locale) []option {
	var out []option
	for _, k := range policy.MeritKinds {
		out = append(out, option{k, meritKindName(k, l)})
	}
	return out
}

// meritKindClass colours a kind: rewards green, penalties red, warnings
// and money amber.
func meritKindClass(kind string) string {
	switch kind {
	case policy.MeritWarning, policy.MeritDemotion, policy.MeritFine, policy.MeritPointsCut:
		return "badge-amber"
	case policy.MeritTermination, policy.MeritCriticism, policy.MeritMinorDemerit, policy.MeritMajorDemerit:
		return "badge-red"
	}
	if policy.MeritIsReward(kind) {
		return "badge-green"
	}
	return "badge-grey"
}

// meritStateClass colours a state: proposals amber, confirmed blue, the
// rest grey.
func meritStateClass(st string) string {
	switch st {
	case merit.StateProposed:
		return "badge-amber"
	case merit.StateConfirmed:
		return "badge-blue"
	}
	return "badge-grey"
}

// meritPeople are the active users the caller sees, for the person
// selects; empty without users:read.
func (s *Server) meritPeople(rq *request) []option {
	if !rq.P.Can(auth.PermUsersRead) {
		return nil
	}
	active := true
	users, _, err := s.auth.List(rq.Context(), rq.P, auth.ListFilter{Active: &active, Limit: 500})
	if err != nil {
		return nil
	}
	var out []option
	for _, u := range users {
		name := u.DisplayName
		if name == "" {
			name = u.Username
		}
		out = append(out, option{u.ID.String(), name + "（" + u.Username + "）"})
	}
	return out
}

// meritUnits are the org units in the caller's scope, for the unit selects.
func (s *Server) meritUnits(rq *request) []option {
	units, err := s.org.Subtree(rq.Context(), rq.P.OrgUnitID)
	if err != nil {
		return nil
	}
	var out []option
	for _, u := range units {
		out = append(out, option{u.ID.String(), u.Name})
	}
	return out
}

// meritNewData is the record form.
type meritNewData struct {
	People, Kinds []option
	Items         []meritItemOption
	Proposal      bool // the caller is no decider: the entry becomes a proposal
	PackName      string
	Today         string
}

// meritItemOption is a catalogue item of the pack with its defaults.
type meritItemOption struct {
	Key, Name, Kind, Amount, Rule string
	Points                        int
}

// meritNewFields are the inputs of the record form.
var meritNewFields = []string{"user_id", "kind", "item", "at", "amount", "points", "reason", "rule_id", "source_kind",
	"source_id", "source_ref"}

// meritNew shows the record form.
func (s *Server) meritNew(w http.ResponseWriter, rq *request) error {
	f := newForm(nil)
	f.Values.Set("user_id", rq.URL.Query().Get("user_id"))
	f.Values.Set("at", s.meritToday().String())
	s.renderMeritNew(w, rq, http.StatusOK, f)
	return nil
}

func (s *Server) renderMeritNew(w http.ResponseWriter, rq *request, status int, f *Form) {
	l := rq.Lang
	d := meritNewData{People: s.meritPeople(rq), Kinds: meritKindOptions(l), Today: s.meritToday().String()}
	if pk, err := s.policy.ForUnit(rq.Context(), rq.P.OrgUnitID); err == nil && pk != nil {
		d.PackName = nameIn(pk.Name, l)
		d.Proposal = !meritDecider(rq.P, pk)
		for _, it := range pk.Merits.Catalogue {
			o := meritItemOption{Key: it.Key, Name: nameIn(it.Name, l), Kind: meritKindName(it.Kind, l), Rule: it.Rule, Points: it.Points}
			switch {
			case it.MinAmount != 0 || it.MaxAmount != 0:
				o.Amount = it.MinAmount.String() + "–" + it.MaxAmount.String()
			case it.Amount != 0:
				o.Amount = it.Amount.String()
			}
			d.Items = append(d.Items, o)
		}
	} else {
		d.Proposal = !rq.P.IsAdmin()
	}
	pg := s.newPage(rq, "mer.new", "merits")
	pg.Form, pg.Data = f, d
	s.render(w, rq, status, "merit_new", pg)
}

// meritDecider reports whether the caller confirms entries in the pack:
// merits:approve and one of its decider_roles, or an administrator.
func meritDecider(p *auth.Principal, pk *policy.Pack) bool {
	if p.IsAdmin() {
		return true
	}
	if !p.Can(auth.PermMeritsApprove) {
		return false
	}
	return slices.ContainsFunc(pk.Merits.DeciderRoles, func(r auth.Role) bool { return slices.Contains(p.Roles, r) })
}

// meritCreate records an entry from the form and shows it.
func (s *Server) meritCreate(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	l := rq.Lang
	in := merit.EntryInput{Kind: f.text("kind"), Item: f.text("item"), At: f.text("at"), Amount: f.text("amount"),
		Reason: f.text("reason"), RuleID: f.text("rule_id"), SourceKind: f.text("source_kind"), SourceRef: f.text("source_ref"),
		NoOffset: f.Checked("no_offset")}
	if in.UserID = f.id("user_id"); in.UserID == 0 {
		f.Errors["user_id"] = label("mer.pick_person").In(l)
	}
	if v := f.text("points"); v != "" {
		if in.Points = atoiOr(v, -1); in.Points < 0 {
			f.Errors["points"] = label("mer.bad_points").In(l)
		}
	}
	if v := f.text("source_id"); v != "" {
		if in.SourceID = f.id("source_id"); in.SourceID == 0 {
			f.Errors["source_id"] = label("mer.bad_id").In(l)
		}
	}
	var e *merit.Entry
	if !f.HasErrors() {
		if e, err = s.merits.Record(rq.Context(), rq.P, in); err != nil && !failOn(f, err, l, meritNewFields) {
			return err
		}
	}
	if f.HasErrors() {
		s.renderMeritNew(w, rq, statusOf(err), f)
		return nil
	}
	flash := "merit_recorded"
	if e.State == merit.StateProposed {
		flash = "merit_proposed"
	}
	s.seeOther(w, rq.Request, "/merits/"+e.ID.String(), flash)
	return nil
}

// atoiOr parses a non-negative integer; def when it is not one.
func atoiOr(s string, def int) int {
	n := 0
	if s == "" || len(s) > 9 {
		return def
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return def
		}
		n = n*10 + int(c-'0')
	}
	return n
}
