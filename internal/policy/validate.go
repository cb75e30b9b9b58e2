package policy

import (
	"fmt"
	"regexp"
	"slices"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
)

// Groups are the top-level kinds of work order (TKT-003).
var Groups = []string{"inquiry", "repair", "alarm", "complaint", "errand", "fee", "application", "feedback", "letters"}

// ActionEvents are the events of the work-order actions and intake; a pack
// may add its own in Pack.Events.
var ActionEvents = []Event{EventReceived, EventForward, EventAssign, EventDispatch, EventAccept, EventArrive,
	EventResult, EventResolve, EventReply, EventClose}

// Agreed-date policies of a clock (CAL-012).
const (
	AgreedNone    = "none"
	AgreedShorten = "shorten"
	AgreedAny     = "any"
)

// EscalateLevels are the values of Severity.EscalateTo.
var EscalateLevels = []string{"", "department", "company", "group"}

// The defaults of a pack (CAL-011, TKT-007 to TKT-009, TKT-021).
var (
	DefaultWarnPercent       = 80
	DefaultImmediateTarget   = calendar.Duration{N: 30, Unit: calendar.Minutes}
	DefaultPromptTarget      = calendar.Duration{N: 1, Unit: calendar.WorkingDays}
	DefaultExtensionApprover = auth.RoleManager
)

var (
	packKeyRE     = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,39}$`)
	simpleKeyRE   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	categoryKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`)
	calendarIDRE  = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,39}$`)
	ruleIDRE      = regexp.MustCompile(`^[A-Z]{1,5}-[0-9]{2,3}$`)
)

// applyDefaults fills what the file may leave out.
func applyDefaults(p *Pack) {
	if p.Version == 0 {
		p.Version = 1
	}
	customerDefaults(&p.Customers)
	surveyDefaults(&p.Surveys)
	for i := range p.Processes {
		processDefaults(&p.Processes[i])
	}
	visitDefaults(p)
	inspectionDefaults(&p.Inspections)
	samplingDefaults(&p.Sampling)
	hazardDefaults(&p.Hazards)
	certificateDefaults(&p.Certificates)
	meritDefaults(&p.Merits)
	salesDefaults(&p.Sales)
	archivesDefaults(&p.Archives)
	t := &p.Tickets
	if t.ExtensionApprover == "" {
		t.ExtensionApprover = DefaultExtensionApprover
	}
	if t.ImmediateTarget == (calendar.Duration{}) {
		t.ImmediateTarget = DefaultImmediateTarget // CAL-011
	}
	if t.PromptTarget == (calendar.Duration{}) {
		t.PromptTarget = DefaultPromptTarget // CAL-011
	}
	if t.DedupWindowDays == 0 {
		t.DedupWindowDays = 30 // TKT-009
	}
	if t.ClusterThreshold == 0 {
		t.ClusterThreshold = 5 // TKT-008
	}
	if t.ClusterWindowDays == 0 {
		t.ClusterWindowDays = 7 // TKT-008
	}
	if t.FreeRenegotiations == 0 {
		t.FreeRenegotiations = 2 // TKT-007
	}
	for i := range p.Categories {
		c := &p.Categories[i]
		if c.Clocks == nil {
			c.Clocks = []ClockRule{}
		}
		for j := range c.Clocks {
			k := &c.Clocks[j]
			if len(k.StartsOn) == 0 {
				k.StartsOn = []Event{EventReceived} // CAL-013
			}
			if k.StopsOn == "" {
				k.StopsOn = DefaultStop(k.Kind)
			}
			if k.WarnPercent == 0 {
				k.WarnPercent = DefaultWarnPercent
			}
			if k.Agreed == "" {
				k.Agreed = AgreedNone
			}
		}
		for j := range c.Targets {
			g := &c.Targets[j]
			if len(g.StartsOn) == 0 {
				g.StartsOn = []Event{EventReceived}
			}
			if g.StopsOn == "" {
				g.StopsOn = DefaultStop(g.Kind)
			}
		}
	}
}

// validator checks a decoded pack; problems carry the lines the decoder saw.
type validator struct {
	d      *decoder
	p      *Pack
	events map[Event]bool
}

func (v *validator) add(path string, msg i18n.Text) {
	v.d.add(v.d.line(path), path, msg)
}

func (v *validator) required(path, s string) bool {
	if s == "" {
		v.add(path, i18n.T("必填", "required"))
		return false
	}
	return true
}

func (v *validator) key(path, s string, re *regexp.Regexp) {
	if v.required(path, s) && !re.MatchString(s) {
		v.add(path, i18n.T("键 %q 格式无效（应匹配 %s）", "invalid key %q (must match %s)", s, re.String()))
	}
}

func (v *validator) name(path string, n Name) {
	v.required(path+".zh", n.ZH)
}

func (v *validator) role(path string, r auth.Role) {
	if _, ok := auth.LookupRole(r); !ok {
		v.add(path, i18n.T("角色不存在：%q", "no such role: %q", string(r)))
	}
}

func (v *validator) rules(path string, ids []string) {
	for i, id := range ids {
		if !ruleIDRE.MatchString(id) {
			v.add(fmt.Sprintf("%s[%d]", path, i), i18n.T("规则编号 %q 格式无效（如 TKT-014）", "invalid rule id %q (e.g. TKT-014)", id))
		}
	}
}

// unique reports keys seen before under path[i].key.
func unique[T any](v *validator, path string, items []T, key func(T) string) {
	seen := map[string]int{}
	for i, it := range items {
		k := key(it)
		if k == "" {
			continue
		}
		if j, dup := seen[k]; dup {
			v.add(fmt.Sprintf("%s[%d].key", path, i), i18n.T("键 %q 重复（已见于第 %d 行）", "duplicate key %q (first on line %d)",
				k, v.d.line(fmt.Sprintf("%s[%d].key", path, j))))
			continue
		}
		seen[k] = i
	}
}

func (v *validator) pack() {
	p := v.p
	v.key("key", p.Key, packKeyRE)
	if p.Version < 1 {
		v.add("version", i18n.T("版本须为正整数", "version must be a positive number"))
	}
	v.name("name", p.Name)
	v.key("calendar", p.Calendar, calendarIDRE)
	v.events = map[Event]bool{}
	for _, e := range ActionEvents {
		v.events[e] = true
	}
	for i, e := range p.Events {
		path := fmt.Sprintf("events[%d]", i)
		v.key(path, e, simpleKeyRE)
		if v.events[Event(e)] {
			v.add(path, i18n.T("事件 %q 重复或与内置事件同名", "event %q is declared twice or is a built-in event", e))
		}
		v.events[Event(e)] = true
	}
	if len(p.Channels) == 0 {
		v.add("channels", i18n.T("至少需要一个受理渠道（TKT-001）", "at least one channel is required (TKT-001)"))
	}
	for i, c := range p.Channels {
		path := fmt.Sprintf("channels[%d]", i)
		v.key(path+".key", c.Key, simpleKeyRE)
		v.name(path+".name", c.Name)
	}
	unique(v, "channels", p.Channels, func(c Channel) string { return c.Key })
	if len(p.Severities) == 0 {
		v.add("severities", i18n.T("至少需要一个严重程度（TKT-012）", "at least one severity is required (TKT-012)"))
	}
	for i, s := range p.Severities {
		v.severity(fmt.Sprintf("severities[%d]", i), s)
	}
	unique(v, "severities", p.Severities, func(s Severity) string { return s.Key })
	if len(p.Categories) == 0 {
		v.add("categories", i18n.T("至少需要一个工单类别（TKT-003）", "at least one category is required (TKT-003)"))
	}
	for i := range p.Categories {
		v.category(fmt.Sprintf("categories[%d]", i), &p.Categories[i])
	}
	unique(v, "categories", p.Categories, func(c Category) string { return c.Key })
	v.tickets("tickets", &p.Tickets)
	v.customers("customers", &p.Customers)
	v.processes("processes", p.Processes)
	v.surveys("surveys", &p.Surveys)
	v.visits("visits", &p.Visits)
	v.inspections("inspections", &p.Inspections)
	v.sampling("sampling", &p.Sampling)
	v.hazards("hazards", &p.Hazards)
	v.certificates("certificates", &p.Certificates)
	v.merits("merits", &p.Merits)
	v.sales("sales", &p.Sales)
	v.archives("archives", &p.Archives)
}

func (v *validator) severity(path string, s Severity) {
	v.key(path+".key", s.Key, simpleKeyRE)
	v.name(path+".name", s.Name)
	if v.required(path+".handler_role", string(s.HandlerRole)) {
		v.role(path+".handler_role", s.HandlerRole)
	}
	if !slices.Contains(EscalateLevels, s.EscalateTo) {
		v.add(path+".escalate_to", i18n.T("须为 department、company 或 group", "must be department, company or group"))
	}
	for i, r := range s.Notify {
		v.role(fmt.Sprintf("%s.notify[%d]", path, i), r)
	}
}

func (v *validator) category(path string, c *Category) {
	v.key(path+".key", c.Key, categoryKeyRE)
	v.name(path+".name", c.Name)
	if v.required(path+".group", c.Group) && !slices.Contains(Groups, c.Group) {
		v.add(path+".group", i18n.T("未知的类别大类 %q（可用：%v）", "unknown group %q (known: %v)", c.Group, Groups))
	}
	if c.Severity != "" {
		if _, ok := v.p.Severity(c.Severity); !ok {
			v.add(path+".severity", i18n.T("严重程度 %q 未在 severities 中定义", "severity %q is not defined in severities", c.Severity))
		}
	}
	v.rules(path+".rules", c.Rules)
	kinds := map[ClockKind]bool{}
	for i, k := range c.Clocks {
		cp := fmt.Sprintf("%s.clocks[%d]", path, i)
		v.clock(cp, k)
		if kinds[k.Kind] {
			v.add(cp+".kind", i18n.T("同一类别的时限种类 %q 重复", "clock kind %q appears twice in the category", string(k.Kind)))
		}
		kinds[k.Kind] = true
	}
	for i, g := range c.Targets {
		tp := fmt.Sprintf("%s.targets[%d]", path, i)
		v.key(tp+".kind", string(g.Kind), simpleKeyRE)
		v.duration(tp+".duration", g.Duration)
		v.startStop(tp, g.StartsOn, g.StopsOn)
		if !slices.Contains([]string{"", AgreedNone, AgreedShorten, AgreedAny}, g.Agreed) {
			v.add(tp+".agreed", i18n.T("须为 none、shorten 或 any（CAL-012）", "must be none, shorten or any (CAL-012)"))
		}
	}
}

func (v *validator) duration(path string, d calendar.Duration) bool {
	if d == (calendar.Duration{}) {
		v.add(path, i18n.T("必填", "required"))
		return false
	}
	return true
}

func (v *validator) startStop(path string, starts []Event, stop Event) {
	seen := map[Event]bool{}
	for i, e := range starts {
		ep := fmt.Sprintf("%s.starts_on[%d]", path, i)
		switch {
		case !v.events[e]:
			v.add(ep, i18n.T("未知事件 %q（可在 events 中声明）", "unknown event %q (declare it under events)", string(e)))
		case seen[e]:
			v.add(ep, i18n.T("事件 %q 重复", "event %q listed twice", string(e)))
		case e == stop:
			v.add(ep, i18n.T("时限不能由结束事件 %q 开始", "a clock cannot start on its stop event %q", string(e)))
		}
		seen[e] = true
	}
	if !v.events[stop] {
		v.add(path+".stops_on", i18n.T("未知事件 %q（请写明 stops_on 或在 events 中声明）",
			"unknown event %q (name stops_on or declare the event under events)", string(stop)))
	}
}

func (v *validator) clock(path string, k ClockRule) {
	v.key(path+".kind", string(k.Kind), simpleKeyRE)
	ok := v.duration(path+".duration", k.Duration)
	v.startStop(path, k.StartsOn, k.StopsOn)
	if k.Calendar != "" {
		v.key(path+".calendar", k.Calendar, calendarIDRE)
	}
	if k.WarnPercent < 1 || k.WarnPercent > 99 {
		v.add(path+".warn_percent", i18n.T("须在 1 到 99 之间", "must be between 1 and 99"))
	}
	if !slices.Contains([]string{AgreedNone, AgreedShorten, AgreedAny}, k.Agreed) {
		v.add(path+".agreed", i18n.T("须为 none、shorten 或 any（CAL-012）", "must be none, shorten or any (CAL-012)"))
	}
	if k.ExtensionCap != (calendar.Duration{}) && ok {
		fc, nc := family(k.ExtensionCap.Unit), family(k.Duration.Unit)
		switch {
		case fc != nc:
			v.add(path+".extension_cap", i18n.T("延期上限 %s 与时限 %s 的单位不可比较", "extension cap %s is not in the same unit family as the duration %s",
				k.ExtensionCap.String(), k.Duration.String()))
		case measure(k.ExtensionCap) < measure(k.Duration):
			v.add(path+".extension_cap", i18n.T("延期上限 %s 短于时限 %s（TKT-021）", "extension cap %s is shorter than the duration %s (TKT-021)",
				k.ExtensionCap.String(), k.Duration.String()))
		}
	}
	if k.ExtensionApprover != "" {
		v.role(path+".extension_approver", k.ExtensionApprover)
	}
	v.rules(path+".rules", k.Rules)
}

func (v *validator) tickets(path string, t *TicketRules) {
	v.role(path+".extension_approver", t.ExtensionApprover)
	for _, n := range []struct {
		field string
		v     int
	}{{"dedup_window_days", t.DedupWindowDays}, {"cluster_threshold", t.ClusterThreshold},
		{"cluster_window_days", t.ClusterWindowDays}, {"free_renegotiations", t.FreeRenegotiations}} {
		if n.v < 0 || n.v > 3660 {
			v.add(path+"."+n.field, i18n.T("须在 0 到 3660 之间", "must be between 0 and 3660"))
		}
	}
	for i, c := range t.CrisisParties {
		v.name(fmt.Sprintf("%s.crisis_parties[%d]", path, i), c)
	}
}

// family groups the units whose lengths compare: elapsed time (m, h),
// working hours (wh, hd), working days, calendar days, months.
func family(u calendar.Unit) int {
	switch u {
	case calendar.Minutes, calendar.Hours:
		return 1
	case calendar.WorkingHours, calendar.HalfDays:
		return 2
	}
	return 10 + int(u)
}

// measure is a length comparable within a family.
func measure(d calendar.Duration) int {
	switch d.Unit {
	case calendar.Hours, calendar.WorkingHours:
		return d.N * 60
	case calendar.HalfDays:
		return d.N * 240
	}
	return d.N
}

// ValidateCalendars checks that the pack's calendar and every clock's
// calendar exist in cals (CAL-002). The problems carry no file or line.
func ValidateCalendars(p *Pack, cals CalendarSet) []Problem {
	var out []Problem
	check := func(path, id string) {
		if _, ok := cals.Get(id); !ok {
			out = append(out, Problem{Path: path, Message: i18n.T("日历不存在：%s", "no such calendar: %s", id)})
		}
	}
	check("calendar", p.Calendar)
	for i, c := range p.Categories {
		for j, k := range c.Clocks {
			if k.Calendar != "" {
				check(fmt.Sprintf("categories[%d].clocks[%d].calendar", i, j), k.Calendar)
			}
		}
	}
	for i, d := range p.Processes {
		if d.Calendar != "" {
			check(fmt.Sprintf("processes[%d].calendar", i), d.Calendar)
		}
	}
	if _, builtin := calendar.Builtin(p.Sales.Leasing.Calendar); !builtin {
		check("sales.leasing.calendar", p.Sales.Leasing.Calendar)
	}
	return out
}
