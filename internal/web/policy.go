package web

// The policy pack pages (政策包, PRODUCT.md §4): the list of packs with the
// org units that use them, one pack version in readable form, and the
// install form that validates a YAML file and stores it as the next
// version. The registry (internal/policy) parses, validates and stores;
// these handlers only arrange what it returns.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/policy"
)

// packRow is one pack of the list page.
type packRow struct {
	policy.Summary
	Name, Source string
	Direct       []org.Unit // units that name the pack themselves
	Inherited    int        // units below them that inherit it
	Default      bool       // the pack of units that name none (policy.DefaultPack)
}

// packUse is a unit using a pack: named there, or inherited.
type packUse struct {
	Unit      org.Unit
	Inherited bool
}

// packUsers maps each pack key to the units that use it (policy.ForUnit's
// rule: the nearest unit up the tree that names one, else the default).
func packUsers(units []org.Unit) map[string][]packUse {
	eff := effectivePacks(units)
	out := map[string][]packUse{}
	for _, u := range units {
		k := eff[u.ID]
		if k == "" {
			k = policy.DefaultPack
		}
		out[k] = append(out[k], packUse{Unit: u, Inherited: u.Pack == ""})
	}
	return out
}

// sourceName says where a version came from.
func sourceName(src string, l i18n.Locale) string {
	switch {
	case src == policy.SourceBuiltin:
		return label("pol.source.builtin").In(l)
	case strings.HasPrefix(src, "file:"):
		return label("pol.source.file", strings.TrimPrefix(src, "file:")).In(l)
	case src == "api":
		return label("pol.source.api").In(l)
	case src == policySourceWeb:
		return label("pol.source.web").In(l)
	}
	return src
}

// policySourceWeb is the source of a version pasted into the install form.
const policySourceWeb = "web"

// policyList is /admin/policy.
func (s *Server) policyList(w http.ResponseWriter, rq *request) error {
	units, err := s.org.List(rq.Context())
	if err != nil {
		return err
	}
	users := packUsers(units)
	var rows []packRow
	for _, sm := range s.policy.List() {
		r := packRow{Summary: sm, Name: nameIn(sm.Name, rq.Lang), Source: sourceName(sm.Source, rq.Lang),
			Default: sm.Key == policy.DefaultPack}
		for _, u := range users[sm.Key] {
			if u.Inherited {
				r.Inherited++
			} else {
				r.Direct = append(r.Direct, u.Unit)
			}
		}
		rows = append(rows, r)
	}
	pg := s.newPage(rq, "pol.title", "policy")
	pg.Data = rows
	s.render(w, rq, http.StatusOK, "policies", pg)
	return nil
}

// packView is one pack version in readable form.
type packView struct {
	P          *policy.Pack
	Name       string
	Source     string
	Latest     int
	Groups     []packGroup
	Severities []sevView
	Channels   []option
	Rules      []option // the pack-wide ticket rules, as label → value
	Crisis     []string
	Events     []string
	Versions   []versionRow
	Users      []packUse
}

type packGroup struct {
	Key, Name string
	Cats      []catView
}

type catView struct {
	C                                     policy.Category
	Name, Severity                        string
	Clocks                                []clockRuleView
	Targets                               []string
	Emergency, Respondent, Written, Rules bool
}

// clockRuleView is a clock rule: "办结 3wd（自受理起）" and its terms.
type clockRuleView struct {
	Kind, Text, Meaning       string
	Calendar, Agreed, StopsOn string // Calendar: only when it is not the pack's
	ExtensionCap, Approver    string
	Pausable                  bool
	WarnPercent               int
	Rules                     []string
}

type sevView struct {
	Name, Key, Handler, Escalate, Notify string
}

type versionRow struct {
	Version int
	Source  string
	Current bool
}

// policyShow is /admin/policy/{key}?version=N.
func (s *Server) policyShow(w http.ResponseWriter, rq *request) error {
	key := rq.PathValue("key")
	latest, ok := s.policy.Get(key)
	if !ok {
		return notFound()
	}
	p := latest
	if v := rq.URL.Query().Get("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return notFound()
		}
		if p, ok = s.policy.Version(key, n); !ok {
			return notFound()
		}
	}
	v, err := s.packView(rq.Context(), p, latest.Version, rq.Lang)
	if err != nil {
		return err
	}
	pg := s.newPage(rq, "pol.title", "policy")
	pg.Title = v.Name + " · " + pg.Title
	pg.Data = v
	s.render(w, rq, http.StatusOK, "policy", pg)
	return nil
}

func (s *Server) packView(ctx context.Context, p *policy.Pack, latest int, l i18n.Locale) (*packView, error) {
	v := &packView{P: p, Name: nameIn(p.Name, l), Source: sourceName(p.Source, l), Latest: latest}
	for n := latest; n >= 1; n-- {
		if pv, ok := s.policy.Version(p.Key, n); ok {
			v.Versions = append(v.Versions, versionRow{Version: n, Source: sourceName(pv.Source, l), Current: n == p.Version})
		}
	}
	for _, g := range policy.Groups {
		grp := packGroup{Key: g, Name: labelOr("tkt.group."+g, g, l)}
		for _, c := range p.Categories {
			if c.Group == g {
				grp.Cats = append(grp.Cats, catRuleView(p, c, l))
			}
		}
		if len(grp.Cats) > 0 {
			v.Groups = append(v.Groups, grp)
		}
	}
	for _, sv := range p.Severities {
		x := sevView{Name: nameIn(sv.Name, l), Key: sv.Key, Handler: roleName(sv.HandlerRole, l),
			Escalate: labelOr("pol.escalate."+sv.EscalateTo, sv.EscalateTo, l)}
		var roles []string
		for _, r := range sv.Notify {
			roles = append(roles, roleName(r, l))
		}
		x.Notify = strings.Join(roles, "、")
		v.Severities = append(v.Severities, x)
	}
	for _, c := range p.Channels {
		v.Channels = append(v.Channels, option{c.Key, nameIn(c.Name, l)})
	}
	t := p.Tickets
	v.Rules = []option{
		{label("pol.r.approver").In(l), roleName(t.ExtensionApprover, l)},
		{label("pol.r.immediate").In(l), t.ImmediateTarget.String() + "（" + durationMeaning(t.ImmediateTarget, l) + "）"},
		{label("pol.r.prompt").In(l), t.PromptTarget.String() + "（" + durationMeaning(t.PromptTarget, l) + "）"},
		{label("pol.r.dedup").In(l), label("pol.r.days", t.DedupWindowDays).In(l)},
		{label("pol.r.cluster").In(l), label("pol.r.cluster_v", t.ClusterThreshold, t.ClusterWindowDays).In(l)},
		{label("pol.r.renegotiations").In(l), strconv.Itoa(t.FreeRenegotiations)},
	}
	for _, c := range t.CrisisParties {
		v.Crisis = append(v.Crisis, nameIn(c, l))
	}
	for _, e := range p.Events {
		v.Events = append(v.Events, eventName(policy.Event(e), l))
	}
	units, err := s.org.List(ctx)
	if err != nil {
		return nil, err
	}
	v.Users = packUsers(units)[p.Key]
	return v, nil
}

func catRuleView(p *policy.Pack, c policy.Category, l i18n.Locale) catView {
	cv := catView{C: c, Name: nameIn(c.Name, l), Severity: severityName(p, c.Severity, l)}
	for _, r := range c.Clocks {
		cv.Clocks = append(cv.Clocks, clockRuleOf(p, r, l))
	}
	for _, tg := range c.Targets {
		txt := clockText(tg.Kind, tg.Duration, tg.StartsOn, l)
		if tg.StopsOn != "" && tg.StopsOn != policy.DefaultStop(tg.Kind) {
			txt += " " + label("pol.stops_on", eventName(tg.StopsOn, l)).In(l)
		}
		cv.Targets = append(cv.Targets, txt)
	}
	return cv
}

func clockRuleOf(p *policy.Pack, r policy.ClockRule, l i18n.Locale) clockRuleView {
	cv := clockRuleView{Kind: string(r.Kind), Text: clockText(r.Kind, r.Duration, r.StartsOn, l),
		Meaning: durationMeaning(r.Duration, l), Calendar: r.Calendar, Pausable: r.Pausable,
		WarnPercent: r.WarnPercent, Rules: r.Rules, Approver: roleName(p.Approver(r), l)}
	if r.StopsOn != "" && r.StopsOn != policy.DefaultStop(r.Kind) {
		cv.StopsOn = eventName(r.StopsOn, l)
	}
	if r.Agreed != "" && r.Agreed != policy.AgreedNone {
		cv.Agreed = labelOr("pol.agreed."+r.Agreed, r.Agreed, l)
	}
	if r.ExtensionCap.N > 0 || r.ExtensionCap.Unit != 0 {
		cv.ExtensionCap = r.ExtensionCap.String()
	}
	return cv
}

// clockText is "办结 3wd（自受理起）".
func clockText(kind policy.ClockKind, d interface{ String() string }, starts []policy.Event, l i18n.Locale) string {
	var names []string
	for _, e := range starts {
		names = append(names, eventName(e, l))
	}
	if len(names) == 0 {
		names = []string{eventName(policy.EventReceived, l)}
	}
	sep := "、"
	if l == i18n.EN {
		sep = " + "
	}
	return labelOr("tkt.clock."+string(kind), string(kind), l) + " " + d.String() +
		label("pol.starts_on", strings.Join(names, sep)).In(l)
}

// eventName is a clock event in the locale ("受理").
func eventName(e policy.Event, l i18n.Locale) string {
	return labelOr("pol.ev."+string(e), string(e), l)
}

// installData is the install form's page: the problems of the text sent,
// its lines with the problems under them, and what a valid file installs.
type installData struct {
	Problems []problemView
	Lines    []yamlLine
	Valid    *policy.Pack // validated, not yet installed
	Next     int          // the version it will get
	Name     string
}

type problemView struct {
	Line       int
	Path, Text string
}

type yamlLine struct {
	N        int
	Text     string
	Problems []problemView
}

// policyInstallPage is the empty install form.
func (s *Server) policyInstallPage(w http.ResponseWriter, rq *request) error {
	s.renderInstall(w, rq, http.StatusOK, newForm(nil), &installData{})
	return nil
}

func (s *Server) renderInstall(w http.ResponseWriter, rq *request, status int, f *Form, d *installData) {
	pg := s.newPage(rq, "pol.install.title", "policy")
	pg.Form = f
	pg.Data = d
	s.render(w, rq, status, "policy_install", pg)
}

// policyInstall validates the text pasted or the file uploaded
// (action=validate, nothing stored) or installs it (action=install).
func (s *Server) policyInstall(w http.ResponseWriter, rq *request) error {
	l := rq.Lang
	data, source, err := readPackUpload(rq)
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	f := newForm(url.Values{"yaml": {text}})
	d := &installData{}
	if err != nil {
		if !f.fail(err, l, "file") {
			return err
		}
		s.renderInstall(w, rq, statusOf(err), f, d)
		return nil
	}
	if strings.TrimSpace(text) == "" {
		f.Errors["yaml"] = label("pol.install.empty").In(l)
		s.renderInstall(w, rq, http.StatusUnprocessableEntity, f, d)
		return nil
	}
	if rq.FormValue("action") != "install" {
		var opts []policy.Option
		if s.cal != nil {
			opts = append(opts, policy.WithCalendars(s.cal))
		}
		p, probs := policy.Parse(source, []byte(text), opts...)
		if len(probs) > 0 {
			d.problems(probs, text, l)
			f.Errors["yaml"] = label("pol.install.n_problems", len(probs)).In(l)
			s.renderInstall(w, rq, http.StatusUnprocessableEntity, f, d)
			return nil
		}
		d.Valid, d.Name, d.Next = p, nameIn(p.Name, l), 1
		if cur, ok := s.policy.Get(p.Key); ok {
			d.Next = cur.Version + 1
		}
		s.renderInstall(w, rq, http.StatusOK, f, d)
		return nil
	}
	p, err := s.policy.Install(rq.Context(), rq.P, source, []byte(text))
	if err != nil {
		var inv *policy.InvalidError
		if errors.As(err, &inv) {
			d.problems(inv.Problems, text, l)
			f.Errors["yaml"] = label("pol.install.n_problems", len(inv.Problems)).In(l)
			s.renderInstall(w, rq, http.StatusUnprocessableEntity, f, d)
			return nil
		}
		if !f.fail(err, l) {
			return err
		}
		s.renderInstall(w, rq, statusOf(err), f, d)
		return nil
	}
	s.seeOther(w, rq.Request, "/admin/policy/"+url.PathEscape(p.Key)+"?version="+strconv.Itoa(p.Version), "pack_installed")
	return nil
}

// problems lays the problems out: as a list, and under the lines they name.
func (d *installData) problems(probs []policy.Problem, text string, l i18n.Locale) {
	byLine := map[int][]problemView{}
	for _, pr := range probs {
		pv := problemView{Line: pr.Line, Path: pr.Path, Text: pr.Message.In(l)}
		d.Problems = append(d.Problems, pv)
		byLine[pr.Line] = append(byLine[pr.Line], pv)
	}
	for i, s := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		d.Lines = append(d.Lines, yamlLine{N: i + 1, Text: s, Problems: byLine[i+1]})
	}
}

// readPackUpload reads the YAML of the install form: the file chosen,
// else the text pasted; source names it for the registry and the problems.
func readPackUpload(rq *request) ([]byte, string, error) {
	ct := rq.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "multipart/form-data") {
		if err := rq.ParseForm(); err != nil {
			return nil, "", err
		}
		return []byte(rq.PostForm.Get("yaml")), policySourceWeb, nil
	}
	if err := rq.ParseMultipartForm(policy.MaxFileSize + 64<<10); err != nil {
		return nil, "", err
	}
	file, hdr, err := rq.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) {
		return []byte(rq.FormValue("yaml")), policySourceWeb, nil
	}
	if err != nil {
		return nil, "", err
	}
	defer file.Close()
	if hdr.Size == 0 {
		return []byte(rq.FormValue("yaml")), policySourceWeb, nil
	}
	if hdr.Size > policy.MaxFileSize {
		return nil, "", apperr.Validation("file", i18n.T("文件超过 %d 字节上限", "file exceeds the %d-byte limit", policy.MaxFileSize))
	}
	b, err := io.ReadAll(io.LimitReader(file, policy.MaxFileSize+1))
	if err != nil {
		return nil, "", err
	}
	return b, "file:" + path.Base(strings.ReplaceAll(hdr.Filename, "\\", "/")), nil
}

// packOptions are the packs an org unit may name, for the org page's select.
func (s *Server) packOptions(l i18n.Locale) []option {
	if s.policy == nil {
		return builtinPackOptions(l)
	}
	var out []option
	for _, sm := range s.policy.List() {
		out = append(out, option{sm.Key, nameIn(sm.Name, l)})
	}
	return out
}

// knownPack reports whether key is among the options.
func knownPack(opts []option, key string) bool {
	return slices.ContainsFunc(opts, func(o option) bool { return o.Key == key })
}
