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
	"kefu/internal/process"
	"kefu/internal/store"
)

// processView is the process page.
type processView struct {
	P                                         *process.Process
	DefName, StatusName, StatusClass, Unit    string
	PackName                                  string
	Applied, Closed, StepName                 string
	PointLabel                                string // the service point's archive number ("" when the caller may not read the customer)
	CustomerLink                              bool   // the caller may open the customer's file
	Attrs                                     []kv
	Current                                   *roundView // the active round, nil once closed
	Rounds                                    []roundView
	Checklist, OtherChecklist                 []checkView // of the current step; of the others
	Facts                                     []factView
	Pending                                   []factView // facts not recorded yet (By: the step that sets it)
	OpenFacts                                 []option   // of those, the ones recorded by hand (fees paid …)
	Docs                                      []docLink
	Timeline                                  []procEvent
	Open                                      bool // the process is open
	CanAct, CanComplete, CanReturn, CanCancel bool
	Outcomes                                  []outcomeView
	NeedsComment                              bool // an outcome of the current step needs a written comment
	NeedsDue                                  bool // an outcome sets a deadline (PRC-025 限期整改)
	Parties                                   []partyView
	NotYours                                  string // why the caller may not complete the current step
	Failed                                    string // the action whose form was sent and refused
	Form                                      *Form  // its values and errors
	Alert                                     string // a refused action whose form is no longer offered
}

// F returns the form of an action: the refused one as sent, else empty.
func (v *processView) F(action string) *Form {
	if v.Failed == action && v.Form != nil {
		return v.Form
	}
	return newForm(nil)
}

// roundView is one round of a step, for the step timeline.
type roundView struct {
	S                                                 process.StepRun
	Name, Status, Unit, Role, Activated, ClockStarted string
	Due, Completed, Outcome, Actor, Rules, Limits     string
	Badge                                             *dueBadge
	Waiting, Signatures                               []string
	State                                             string // data-state: running, breached or the step status
}

// checkView is one document of a checklist.
type checkView struct {
	E          process.ChecklistEntry
	Name       string
	Step       string // its step's name
	ShowStep   bool   // a document of another step
	Received   string
	ProcessID  store.ID
	CanReceive bool
}

type factView struct {
	Key, Name, At string
	By            string // the step whose completion records it, "" for a fact recorded by hand
}

type docLink struct {
	D       process.Document
	Title   string
	Step    string
	Created string
}

// outcomeView is one outcome of the current step, a button of the
// completion form.
type outcomeView struct {
	Key, Name string
	Comment   bool // needs a written comment
	Deadline  bool // asks for the date the next round is due
	Danger    bool // cancels the process
	Loop      bool // goes back to an earlier step or repeats this one
}

// partyView is one countersignature of the current round.
type partyView struct {
	Key, Name, Role string
	Signed          string // "张三 · 2026-10-08 10:00" once signed
	CanSign         bool
}

// procEvent is one timeline entry.
type procEvent struct {
	E                     process.Event
	Name, Actor, At, Step string
	Detail                []string
	Note, Class           string
	System                bool
}

// processShow is the process page.
func (s *Server) processShow(w http.ResponseWriter, rq *request) error {
	id, err := processID(rq)
	if err != nil {
		return err
	}
	v, err := s.processView(rq, id, "", nil)
	if err != nil {
		return err
	}
	s.renderProcess(w, rq, http.StatusOK, v)
	return nil
}

func (s *Server) renderProcess(w http.ResponseWriter, rq *request, status int, v *processView) {
	pg := s.newPage(rq, "prc.title", "processes")
	pg.Title = v.P.Number + " · " + v.DefName
	pg.Data = v
	s.render(w, rq, status, "process", pg)
}

// processView reads a process and prepares everything its page shows;
// failed names the action whose form f was refused.
func (s *Server) processView(rq *request, id store.ID, failed string, f *Form) (*processView, error) {
	ctx, l, p := rq.Context(), rq.Lang, rq.P
	pr, err := s.processes.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	pack, def := s.processDef(pr)
	v := &processView{P: pr, DefName: nameIn(pr.Name, l), StatusName: processStatusName(pr.Status, l),
		StatusClass: processStatusClass(pr.Status), Applied: exact(pr.AppliedAt), Open: pr.Status == process.StatusOpen,
		Failed: failed, Form: f, StepName: stepName(def, pr.CurrentStep, l)}
	if pack != nil {
		v.PackName = nameIn(pack.Name, l)
	}
	if pr.ClosedAt != nil {
		v.Closed = exact(*pr.ClosedAt)
	}
	units, err := s.org.List(ctx)
	if err != nil {
		return nil, err
	}
	names := unitNames(units)
	v.Unit = names.name(pr.UnitID)
	v.CustomerLink, v.PointLabel = s.customerRef(ctx, p, pr)
	v.Attrs = attrValues(def, pr.Attributes, l)
	users := map[store.ID]string{}
	who := func(id store.ID) string { return s.userName(ctx, users, id, l) }
	now, current := s.now(), -1
	for i, sr := range pr.Steps {
		v.Rounds = append(v.Rounds, s.roundView(def, sr, names, who, now, l))
		if sr.Status == process.StepActive {
			current = i
		}
	}
	if current >= 0 {
		v.Current = &v.Rounds[current]
	}
	s.offerActions(ctx, p, v, def, units, l)
	reached := map[string]bool{} // documents of steps not reached wait for them
	for _, sr := range pr.Steps {
		reached[sr.Step] = reached[sr.Step] || sr.Status != process.StepSkipped
	}
	for _, c := range pr.Checklist {
		if !c.Required && c.ReceivedAt == nil {
			continue // its condition does not hold for the process
		}
		cv := checkView{E: c, Name: nameIn(c.Name, l), Step: stepName(def, c.Step, l),
			ShowStep: !v.Open || c.Step != pr.CurrentStep, ProcessID: pr.ID, CanReceive: v.CanAct && reached[c.Step]}
		if c.ReceivedAt != nil {
			cv.Received = exact(*c.ReceivedAt)
		}
		if !v.Open || c.Step == pr.CurrentStep {
			v.Checklist = append(v.Checklist, cv)
		} else {
			v.OtherChecklist = append(v.OtherChecklist, cv)
		}
	}
	if def != nil {
		for _, fd := range def.Facts {
			i := slices.IndexFunc(pr.Facts, func(x process.Fact) bool { return x.Fact == fd.Key })
			if i >= 0 {
				v.Facts = append(v.Facts, factView{Key: fd.Key, Name: nameIn(fd.Name, l), At: exact(pr.Facts[i].At)})
			} else {
				fv := factView{Key: fd.Key, Name: nameIn(fd.Name, l)}
				if st, ok := def.SetBy(fd.Key); ok {
					fv.By = nameIn(st.Name, l)
				} else {
					v.OpenFacts = append(v.OpenFacts, option{fd.Key, fv.Name})
				}
				v.Pending = append(v.Pending, fv)
			}
		}
	}
	rounds := map[store.ID]string{}
	for _, r := range v.Rounds {
		rounds[r.S.ID] = r.Name + " · " + label("prc.round_n", r.S.Round).In(l)
	}
	for _, d := range pr.Documents {
		title := d.Title
		if t, ok := policy.ProcessDocuments[d.Kind]; ok {
			title = nameIn(t, l)
		}
		v.Docs = append(v.Docs, docLink{D: d, Title: title, Step: rounds[d.StepID], Created: exact(d.CreatedAt)})
	}
	for _, e := range pr.Timeline {
		v.Timeline = append(v.Timeline, s.procEvent(ctx, e, def, pr, names, users, l))
	}
	return v, nil
}

// customerRef reports whether the caller may open the process's customer
// (the customer service's row scope: the process may have reached people
// who do not see the customer) and names its service point by archive and
// account number, "" when not.
func (s *Server) customerRef(ctx context.Context, p *auth.Principal, pr *process.Process) (bool, string) {
	if s.customers == nil || pr.CustomerID == 0 || !p.Can(auth.PermCustomersRead) {
		return false, ""
	}
	c, err := s.customers.Get(ctx, p, pr.CustomerID)
	if err != nil {
		return false, ""
	}
	for _, sp := range c.ServicePoints {
		if sp.ID == pr.ServicePointID {
			return true, sp.ArchiveNo + " · " + sp.AccountNo
		}
	}
	return true, ""
}

// roundView prepares one round of a step.
func (s *Server) roundView(def *policy.ProcessDef, sr process.StepRun, units unitNamer, who func(store.ID) string,
	now time.Time, l i18n.Locale) roundView {
	rv := roundView{S: sr, Name: nameIn(sr.Name, l), Status: labelOr("prc.ss."+string(sr.Status), string(sr.Status), l),
		Unit: units.name(sr.UnitID), Role: roleName(auth.Role(sr.Role), l), Activated: exact(sr.ActivatedAt),
		Badge: roundDue(sr, now, l), Actor: who(sr.ActorID), Limits: strings.Join(sr.Limits, "、"), State: string(sr.Status)}
	if rv.Name == "" {
		rv.Name = sr.Step
	}
	if sr.ClockStartedAt != nil {
		rv.ClockStarted = exact(*sr.ClockStartedAt)
	}
	if sr.DueAt != nil {
		rv.Due = exact(*sr.DueAt)
	}
	if sr.CompletedAt != nil {
		rv.Completed = exact(*sr.CompletedAt)
	}
	if sr.Status == process.StepActive {
		rv.State = "running"
	}
	if sr.BreachedAt != nil {
		rv.State = "breached"
	}
	var st *policy.Step
	if def != nil {
		st, _, _ = def.Step(sr.Step)
	}
	if st != nil {
		rv.Rules = strings.Join(st.Rules, ", ")
		if sr.Outcome != "" {
			rv.Outcome = sr.Outcome
			if o, ok := st.Outcome(sr.Outcome); ok {
				rv.Outcome = nameIn(o.Name, l)
			}
		}
	}
	for _, f := range sr.Waiting {
		rv.Waiting = append(rv.Waiting, factName(def, f, l))
	}
	for _, sg := range sr.Signatures {
		txt := partyName(st, sg.Party, l)
		if n := who(sg.UserID); n != "" {
			txt += " · " + n
		}
		txt += " · " + exact(sg.SignedAt)
		if sg.Comment != "" {
			txt += " · " + sg.Comment
		}
		rv.Signatures = append(rv.Signatures, txt)
	}
	return rv
}

// offerActions decides which action forms the caller sees: receive and
// fact for those who may act on processes, complete and return for the
// holder of the current round's role in its unit (as the service's
// mayAct), each countersignature for the holders of the party's role,
// cancel for processes:approve.
func (s *Server) offerActions(ctx context.Context, p *auth.Principal, v *processView, def *policy.ProcessDef,
	units []org.Unit, l i18n.Locale) {
	if !v.Open || def == nil {
		return
	}
	acts := p.Can(auth.PermProcessesAct) || p.Can(auth.PermProcessesApprove)
	v.CanAct = acts
	v.CanCancel = p.Can(auth.PermProcessesApprove)
	if v.Current == nil {
		return
	}
	sr := v.Current.S
	st, i, ok := def.Step(sr.Step)
	if !ok {
		return
	}
	mine := acts && holdsStep(p, sr, units)
	if acts && !mine {
		v.NotYours = label("prc.not_yours", v.Current.Role, v.Current.Unit).In(l)
	}
	v.CanComplete = mine
	v.CanReturn = mine && st.Returnable && sr.PreviousID != 0
	for _, o := range st.StepOutcomes() {
		ov := outcomeView{Key: o.Key, Name: nameIn(o.Name, l), Comment: o.Comment, Deadline: o.Deadline, Danger: o.Cancels}
		v.NeedsComment = v.NeedsComment || o.Comment
		v.NeedsDue = v.NeedsDue || o.Deadline
		if o.Next != "" && o.Next != policy.NextEnd {
			if _, j, ok := def.Step(o.Next); ok && j <= i {
				ov.Loop = true
			}
		}
		v.Outcomes = append(v.Outcomes, ov)
	}
	for _, party := range st.Countersign {
		pv := partyView{Key: party.Key, Name: nameIn(party.Name, l), Role: roleName(party.Role, l)}
		if j := slices.IndexFunc(sr.Signatures, func(sg process.Signature) bool { return sg.Party == party.Key }); j >= 0 {
			pv.Signed = exact(sr.Signatures[j].SignedAt)
			if n := s.userName(ctx, map[store.ID]string{}, sr.Signatures[j].UserID, l); n != "" {
				pv.Signed = n + " · " + pv.Signed
			}
		} else {
			pv.CanSign = acts && (p.IsAdmin() || slices.Contains(p.Roles, party.Role))
		}
		v.Parties = append(v.Parties, pv)
	}
}

// holdsStep reports whether p may complete or return the round: the
// service's rule (process.MayHold), with p's company found on the units.
func holdsStep(p *auth.Principal, sr process.StepRun, units []org.Unit) bool {
	byID := map[store.ID]org.Unit{}
	for _, u := range units {
		byID[u.ID] = u
	}
	company := store.ID(0) // the deepest company on the caller's path
	for _, id := range org.AncestorIDs(p.OrgPath) {
		if a, ok := byID[id]; ok && a.Kind == org.Company {
			company = id
		}
	}
	u, ok := byID[sr.UnitID]
	return p.IsAdmin() || ok && process.MayHold(p, sr.Role, u, company)
}

// attrValues writes the attributes of a process in words, in the order of
// the definition: choices by name, yes/no, numbers with their unit.
func attrValues(def *policy.ProcessDef, attrs map[string]any, l i18n.Locale) []kv {
	var out []kv
	seen := map[string]bool{}
	if def != nil {
		for _, a := range def.Attributes {
			v, ok := attrs[a.Key]
			if !ok || v == nil {
				continue
			}
			seen[a.Key] = true
			out = append(out, kv{nameIn(a.Name, l), attrText(a, v, l)})
		}
	}
	var rest []string
	for k := range attrs {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		out = append(out, kv{k, fmt.Sprint(attrs[k])})
	}
	return out
}

// attrText is one attribute value in words.
func attrText(a policy.ProcessAttribute, v any, l i18n.Locale) string {
	switch x := v.(type) {
	case bool:
		if x {
			return label("common.yes").In(l)
		}
		return label("common.no").In(l)
	case float64:
		s := fmt.Sprint(x)
		if a.Unit != "" {
			s += " " + a.Unit
		}
		return s
	case string:
		for _, c := range a.Choices {
			if c.Key == x {
				return nameIn(c.Name, l)
			}
		}
		return x
	}
	return fmt.Sprint(v)
}

func factName(def *policy.ProcessDef, key string, l i18n.Locale) string {
	if def != nil {
		for _, f := range def.Facts {
			if f.Key == key {
				return nameIn(f.Name, l)
			}
		}
	}
	return key
}

func partyName(st *policy.Step, key string, l i18n.Locale) string {
	if st != nil {
		for _, p := range st.Countersign {
			if p.Key == key {
				return nameIn(p.Name, l)
			}
		}
	}
	return key
}
