package web

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/merit"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// meritToday is today in Beijing.
func (s *Server) meritToday() calendar.Date { return calendar.DateOf(s.now().In(shanghai)) }

// meritView is an entry's page.
type meritView struct {
	E                     *merit.EntryDetail
	KindName, KindClass   string
	StateName, StateClass string
	Money, Source, Item   string
	Decided, Created      string
	Published, Proposer   string
	Decisions             []meritDecisionRow
	Joint                 []meritRow
	Appeals               []meritAppealRow
	Show                  map[string]bool // the forms offered: confirm, reject, offset, appeal
	Range                 string          // the amount range a decider sets (MER-010)
	Reward                bool            // a merit: the offset ruling applies (MER-004)
	Failed                string
	Form                  *Form
	Alert                 string
}

type meritDecisionRow struct{ At, Action, Actor, Note, Ref string }

// F returns the form of a step: the refused one as sent, else empty.
func (v *meritView) F(step string) *Form {
	if v.Failed == step && v.Form != nil {
		return v.Form
	}
	return newForm(nil)
}

// meritShow is an entry's page.
func (s *Server) meritShow(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	v, err := s.meritView(rq, id, "", nil)
	if err != nil {
		return err
	}
	s.renderMerit(w, rq, http.StatusOK, v)
	return nil
}

func (s *Server) renderMerit(w http.ResponseWriter, rq *request, status int, v *meritView) {
	pg := s.newPage(rq, "mer.entry", "merits")
	pg.Title = "#" + v.E.ID.String() + " " + v.KindName + " · " + v.E.User
	pg.Data = v
	s.render(w, rq, status, "merit", pg)
}

// meritView reads an entry and prepares its page; failed names the step
// whose form f was refused.
func (s *Server) meritView(rq *request, id store.ID, failed string, f *Form) (*meritView, error) {
	l, p := rq.Lang, rq.P
	d, err := s.merits.Get(rq.Context(), p, id)
	if err != nil {
		return nil, err
	}
	e := &d.Entry
	row := meritRowOf(e, l)
	v := &meritView{E: d, KindName: row.KindName, KindClass: row.KindClass, StateName: row.StateName, StateClass: row.StateClass,
		Money: row.Money, Source: row.Source, Created: exact(e.CreatedAt), Failed: failed, Form: f, Show: map[string]bool{}}
	if e.DecidedAt != nil {
		v.Decided = exact(*e.DecidedAt)
	}
	if e.PublishedAt != nil {
		v.Published = exact(*e.PublishedAt)
	}
	pk, _ := s.policy.Version(e.Pack, e.PackVersion)
	if pk != nil && e.Item != "" {
		if it, ok := pk.Merits.Item(e.Item); ok {
			v.Item = nameIn(it.Name, l)
		}
	}
	if e.AmountMin != 0 || e.AmountMax != 0 {
		v.Range = e.AmountMin.String() + "–" + e.AmountMax.String()
	}
	for _, x := range d.Decisions {
		r := meritDecisionRow{At: exact(x.At), Action: labelOr("mer.action."+x.Action, x.Action, l), Actor: x.ActorName, Note: x.Note}
		if x.RefID != 0 {
			r.Ref = x.RefID.String()
		}
		v.Decisions = append(v.Decisions, r)
		if e.ProposedBy != 0 && x.ActorID == e.ProposedBy && v.Proposer == "" {
			v.Proposer = x.ActorName
		}
	}
	slices.Reverse(v.Decisions)
	if e.ProposedBy != 0 && v.Proposer == "" {
		// The proposer of a proposal that this entry supersedes.
		v.Proposer = "#" + e.ProposedBy.String()
		if u, err := s.auth.Get(rq.Context(), p, e.ProposedBy); err == nil {
			v.Proposer = cmp.Or(u.DisplayName, u.Username)
		}
	}
	for i := range d.Joint {
		v.Joint = append(v.Joint, meritRowOf(&d.Joint[i], l))
	}
	for i := range d.Appeals {
		v.Appeals = append(v.Appeals, meritAppealRowOf(&d.Appeals[i], l))
	}
	decider := pk != nil && meritDecider(p, pk) && e.UserID != p.UserID
	v.Reward = slices.Contains(policy.MeritLevelKinds, e.Kind) && policy.MeritIsReward(e.Kind)
	v.Show["confirm"] = decider && e.State == merit.StateProposed
	v.Show["reject"] = v.Show["confirm"]
	v.Show["offset"] = decider && e.State == merit.StateConfirmed && v.Reward
	open := slices.ContainsFunc(d.Appeals, func(a merit.Appeal) bool { return a.State != merit.AppealResolved })
	v.Show["appeal"] = e.UserID == p.UserID && (e.State == merit.StateConfirmed || e.State == merit.StateProposed) && !open
	return v, nil
}

// meritSteps are the step forms of an entry's page and their inputs.
var meritSteps = map[string][]string{
	"confirm": {"note", "amount"},
	"reject":  {"note"},
	"offset":  {"apply", "note"},
	"appeal":  {"evidence"},
}

// meritStep takes one step on an entry from its form; a refusal shows the
// page again with the error under the field the service names.
func (s *Server) meritStep(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	step := rq.PathValue("step")
	fields, ok := meritSteps[step]
	if !ok {
		return notFound()
	}
	ctx, p, l := rq.Context(), rq.P, rq.Lang
	var appeal *merit.Appeal
	var result *merit.Entry
	switch step {
	case "confirm":
		result, err = s.merits.Confirm(ctx, p, id, merit.DecisionInput{Note: f.text("note"), Amount: f.text("amount")})
	case "reject":
		_, err = s.merits.Reject(ctx, p, id, merit.DecisionInput{Note: f.text("note")})
	case "offset":
		_, err = s.merits.SetOffset(ctx, p, id, merit.OffsetInput{Apply: f.text("apply") == "yes", Note: f.text("note")})
	case "appeal":
		appeal, err = s.merits.FileAppeal(ctx, p, id, merit.AppealInput{Evidence: f.text("evidence")})
	}
	if err != nil {
		if !failOn(f, err, l, fields) {
			return err
		}
		if e, ok := apperr.As(err); ok && e.Status == http.StatusNotFound {
			return err
		}
		v, verr := s.meritView(rq, id, step, f)
		if verr != nil {
			return verr
		}
		if !v.Show[step] {
			v.Alert = meritFirstMessage(f, fields)
		}
		s.renderMerit(w, rq, statusOf(err), v)
		return nil
	}
	if appeal != nil {
		s.seeOther(w, rq.Request, "/merits/appeals/"+appeal.ID.String(), "merit_appeal")
		return nil
	}
	if result != nil && result.ID != 0 {
		id = result.ID // a confirmation that set the amount entered a new entry
	}
	s.seeOther(w, rq.Request, "/merits/"+id.String(), "merit_"+step)
	return nil
}

// meritFirstMessage is the form's alert or its first field error, for a form
// the page no longer offers.
func meritFirstMessage(f *Form, fields []string) string {
	if f.Alert != "" {
		return f.Alert
	}
	for _, k := range fields {
		if m := f.Errors[k]; m != "" {
			return m
		}
	}
	return ""
}

// meritPersonView is a person's page: the summary cards, the derivation in
// words, the raised flags and the entries.
type meritPersonView struct {
	S          *merit.PersonSummary
	Net        []meritCount
	Steps      []meritStepLine
	Flags      []meritFlagRow
	Rows       []meritRow
	Self       bool
	CanRecord  bool
	CanDecide  bool
	At, Today  string
	More       bool
	Form       *Form
	FailedFlag store.ID
}

// meritCount is one net count card.
type meritCount struct {
	Kind, Name, Class string
	N                 int
}

// meritStepLine is one step of the derivation in words, with its entries.
type meritStepLine struct {
	On, Text string
	Entries  []store.ID
}

// meritFlagRow is a raised flag.
type meritFlagRow struct {
	F               merit.FlagRecord
	Name, StateName string
	Amount          string
	Open            bool
}

// meritPerson is a person's summary and ledger.
func (s *Server) meritPerson(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	v, err := s.meritPersonView(rq, id, rq.URL.Query().Get("at"))
	if err != nil {
		return err
	}
	s.renderMeritPerson(w, rq, http.StatusOK, v)
	return nil
}

func (s *Server) renderMeritPerson(w http.ResponseWriter, rq *request, status int, v *meritPersonView) {
	pg := s.newPage(rq, "mer.person", "merits")
	pg.Title = v.S.User + " · " + label("mer.person").In(rq.Lang)
	pg.Data = v
	s.render(w, rq, status, "merit_person", pg)
}

func (s *Server) meritPersonView(rq *request, id store.ID, at string) (*meritPersonView, error) {
	l, p := rq.Lang, rq.P
	sum, err := s.merits.Summary(rq.Context(), p, id, at)
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Field == "at" {
			sum, err = s.merits.Summary(rq.Context(), p, id, "")
		}
		if err != nil {
			return nil, err
		}
	}
	v := &meritPersonView{S: sum, Self: id == p.UserID, CanRecord: p.Can(auth.PermMeritsWrite) && id != p.UserID,
		At: sum.At.String(), Today: s.meritToday().String(), Form: newForm(nil)}
	if pk, err := s.policy.ForUnit(rq.Context(), sum.UnitID); err == nil && pk != nil {
		v.CanDecide = meritDecider(p, pk) && id != p.UserID
	}
	for _, k := range policy.MeritLevelKinds {
		v.Net = append(v.Net, meritCount{Kind: k, Name: meritKindName(k, l), Class: meritKindClass(k), N: sum.Net.Of(k)})
	}
	for _, st := range sum.Steps {
		v.Steps = append(v.Steps, meritStepLine{On: st.On.String(), Text: meritStepText(st, l), Entries: st.Entries})
	}
	for _, fr := range sum.Raised {
		r := meritFlagRow{F: fr, Name: labelOr("mer.flag."+fr.Flag, fr.Flag, l), StateName: labelOr("mer.flag_state."+fr.State, fr.State, l),
			Open: fr.State == "open"}
		if fr.Amount != 0 {
			r.Amount = fr.Amount.String()
		}
		v.Flags = append(v.Flags, r)
	}
	pg, err := s.merits.List(rq.Context(), p, merit.Filter{UserID: id, Limit: 200})
	if err != nil {
		return nil, err
	}
	for i := range pg.Items {
		v.Rows = append(v.Rows, meritRowOf(&pg.Items[i], l))
	}
	v.More = pg.Next != 0
	return v, nil
}

// meritFlagClose records what HR or the payer did about a flag.
func (s *Server) meritFlagClose(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	fr, err := s.merits.CloseFlag(rq.Context(), rq.P, id, f.text("state"), f.text("note"))
	if err != nil {
		user := f.id("user_id")
		if e, ok := apperr.As(err); !ok || e.Status == http.StatusNotFound || user == 0 {
			return err
		}
		v, verr := s.meritPersonView(rq, user, "")
		if verr != nil {
			return verr
		}
		failOn(f, err, rq.Lang, []string{"state", "note"})
		v.Form, v.FailedFlag = f, id
		s.renderMeritPerson(w, rq, statusOf(err), v)
		return nil
	}
	s.seeOther(w, rq.Request, "/merits/people/"+fr.UserID.String(), "merit_flag_closed")
	return nil
}

// zhCount is a small count in Chinese words (两次, 三次 …).
func zhCount(n int) string {
	words := []string{"零", "一", "两", "三", "四", "五", "六", "七", "八", "九", "十"}
	if n >= 0 && n < len(words) {
		return words[n]
	}
	return strconv.Itoa(n)
}

// meritStepText is a derivation step in words, e.g. "两次通报批评记为一次
// 记小过（#12、#15，MER-002）".
func meritStepText(st merit.Step, l i18n.Locale) string {
	kind, into := meritKindName(st.Kind, l), meritKindName(st.Into, l)
	var text string
	switch st.Action {
	case merit.StepRollUp:
		if l == i18n.EN {
			text = strconv.Itoa(st.Count) + " × " + kind + " rolled up into 1 " + into
		} else {
			text = zhCount(st.Count) + "次" + kind + "记为一次" + into
		}
	case merit.StepOffset:
		text = label("mer.step.offset", kind, into).In(l)
	case merit.StepThreshold:
		flag := labelOr("mer.flag."+st.Flag, st.Flag, l)
		if st.Bonus != 0 {
			flag = label("mer.step.bonus", st.Bonus.String()).In(l)
		}
		if l == i18n.EN {
			text = strconv.Itoa(st.Count) + " × " + kind + " reached: " + flag
		} else {
			text = kind + "累计" + zhCount(st.Count) + "次：" + flag
		}
	case merit.StepWarnings:
		if l == i18n.EN {
			text = strconv.Itoa(st.Count) + " warnings this calendar year: " + labelOr("mer.flag."+st.Flag, st.Flag, l)
		} else {
			text = "本年警告累计" + zhCount(st.Count) + "次：" + labelOr("mer.flag."+st.Flag, st.Flag, l)
		}
	default:
		text = st.Action + " " + kind
	}
	refs := make([]string, 0, len(st.Entries)+1)
	for _, id := range st.Entries {
		refs = append(refs, "#"+id.String())
	}
	sep, open, close, comma := "、", "（", "）", "，"
	if l == i18n.EN {
		sep, open, close, comma = ", ", " (", ")", ", "
	}
	paren := strings.Join(refs, sep)
	if st.Rule != "" {
		if paren != "" {
			paren += comma
		}
		paren += st.Rule
	}
	if paren != "" {
		text += open + paren + close
	}
	return st.On.String() + " " + text
}
