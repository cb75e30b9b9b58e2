package policy

import (
	"fmt"
	"slices"
	"strings"

	"kefu/internal/auth"
	"kefu/internal/i18n"
)

// processDefaults fills what a process definition may leave out.
func processDefaults(d *ProcessDef) {
	for i := range d.Steps {
		if c := &d.Steps[i].Clock; len(c.Limits) > 0 && c.WarnPercent == 0 {
			c.WarnPercent = DefaultWarnPercent
		}
	}
}

// processes checks every process definition of the pack.
func (v *validator) processes(path string, defs []ProcessDef) {
	for i := range defs {
		v.process(fmt.Sprintf("%s[%d]", path, i), &defs[i])
	}
	unique(v, path, defs, func(d ProcessDef) string { return d.Key })
}

// processCheck carries what the checks of one definition share.
type processCheck struct {
	*validator
	def   *ProcessDef
	attrs map[string]string // key → type
	facts map[string]bool
}

func (v *validator) process(path string, d *ProcessDef) {
	v.key(path+".key", d.Key, categoryKeyRE)
	v.name(path+".name", d.Name)
	if !slices.Contains(ProcessGroups, d.Group) {
		v.add(path+".group", i18n.T("须为 %s 之一", "must be one of %s", strings.Join(ProcessGroups, ", ")))
	}
	if d.Calendar != "" {
		v.key(path+".calendar", d.Calendar, calendarIDRE)
	}
	if d.ServicePoint != "" {
		if _, ok := v.p.Customers.ServicePoint(d.ServicePoint); !ok {
			v.add(path+".service_point", i18n.T("本政策包没有服务点类型 %q", "the pack has no service-point kind %q", d.ServicePoint))
		}
	}
	v.rules(path+".rules", d.Rules)
	c := &processCheck{validator: v, def: d, attrs: map[string]string{}, facts: map[string]bool{}}
	for i, a := range d.Attributes {
		c.attribute(fmt.Sprintf("%s.attributes[%d]", path, i), a)
	}
	unique(v, path+".attributes", d.Attributes, func(a ProcessAttribute) string { return a.Key })
	for i, f := range d.Facts {
		p := fmt.Sprintf("%s.facts[%d]", path, i)
		v.key(p+".key", f.Key, simpleKeyRE)
		v.name(p+".name", f.Name)
		c.facts[f.Key] = true
	}
	unique(v, path+".facts", d.Facts, func(f Keyed) string { return f.Key })
	for i, g := range d.Guards {
		c.guard(fmt.Sprintf("%s.guards[%d]", path, i), g)
	}
	if len(d.Steps) == 0 {
		v.add(path+".steps", i18n.T("至少需要一个步骤", "at least one step is required"))
		return
	}
	for i := range d.Steps {
		c.step(fmt.Sprintf("%s.steps[%d]", path, i), i)
	}
	unique(v, path+".steps", d.Steps, func(s Step) string { return s.Key })
	if len(v.d.probs) == 0 {
		c.graph(path)
	}
}

var attrTypes = []string{AttrText, AttrNumber, AttrBool, AttrChoice, AttrDate}

func (c *processCheck) attribute(path string, a ProcessAttribute) {
	c.key(path+".key", a.Key, simpleKeyRE)
	c.name(path+".name", a.Name)
	if !slices.Contains(attrTypes, a.Type) {
		c.add(path+".type", i18n.T("须为 %s 之一", "must be one of %s", strings.Join(attrTypes, ", ")))
	}
	if a.Type == AttrChoice && len(a.Choices) == 0 {
		c.add(path+".choices", i18n.T("选择型属性需要选项", "a choice attribute needs choices"))
	}
	for i, ch := range a.Choices {
		p := fmt.Sprintf("%s.choices[%d]", path, i)
		c.key(p+".key", ch.Key, simpleKeyRE)
		c.name(p+".name", ch.Name)
	}
	unique(c.validator, path+".choices", a.Choices, func(k Keyed) string { return k.Key })
	c.attrs[a.Key] = a.Type
}

// condition checks a condition's syntax and that it reads declared attributes.
func (c *processCheck) condition(path, src string) {
	if src == "" {
		return
	}
	cond, err := ParseCondition(src)
	if err != nil {
		if ce, ok := err.(*ConditionError); ok {
			c.add(path, i18n.T("条件 %[1]q 第 %[2]d 个字节处无效：%[3]s", "invalid condition %[1]q at byte %[2]d: %[4]s",
				src, ce.Offset, ce.Reason.ZH, ce.Reason.EN))
			return
		}
		c.add(path, i18n.T("条件 %q 无效", "invalid condition %q", src))
		return
	}
	for _, a := range cond.Attributes() {
		if _, ok := c.attrs[a]; !ok {
			c.add(path, i18n.T("条件引用了未声明的属性 %q", "the condition reads the undeclared attribute %q", a))
		}
	}
}

// factList checks that every fact is declared.
func (c *processCheck) factList(path string, facts []string) {
	for i, f := range facts {
		if !c.facts[f] {
			c.add(fmt.Sprintf("%s[%d]", path, i), i18n.T("未声明的事实 %q（见 facts）", "undeclared fact %q (see facts)", f))
		}
	}
}

func (c *processCheck) level(path, l string) {
	if l != LevelProcess && l != LevelCompany && l != LevelUpperCompany {
		c.add(path, i18n.T("须为空、company 或 upper_company", "must be empty, company or upper_company"))
	}
}

func (c *processCheck) document(path, doc string) {
	if _, ok := ProcessDocuments[doc]; doc != "" && !ok {
		c.add(path, i18n.T("未知的文书 %q", "unknown document %q", doc))
	}
}

func (c *processCheck) step(path string, i int) {
	s := &c.def.Steps[i]
	c.key(path+".key", s.Key, simpleKeyRE)
	if s.Key == NextEnd {
		c.add(path+".key", i18n.T("end 是保留字", "end is reserved"))
	}
	c.name(path+".name", s.Name)
	if c.required(path+".role", string(s.Role)) {
		c.role(path+".role", s.Role)
	}
	c.level(path+".level", s.Level)
	for j, r := range s.Routes {
		p := fmt.Sprintf("%s.routes[%d]", path, j)
		if c.required(p+".when", r.When) {
			c.condition(p+".when", r.When)
		}
		if r.Role != "" {
			c.role(p+".role", r.Role)
		}
		c.level(p+".level", r.Level)
		c.rules(p+".rules", r.Rules)
	}
	c.condition(path+".when", s.When)
	if s.When != "" && i == 0 {
		c.add(path+".when", i18n.T("第一步不能有条件", "the first step cannot have a condition"))
	}
	for j, it := range s.Checklist {
		p := fmt.Sprintf("%s.checklist[%d]", path, j)
		c.key(p+".key", it.Key, simpleKeyRE)
		c.name(p+".name", it.Name)
		c.condition(p+".when", it.When)
	}
	unique(c.validator, path+".checklist", s.Checklist, func(it ChecklistItem) string { return it.Key })
	c.factList(path+".requires", s.Requires)
	c.factList(path+".sets", s.Sets)
	c.factList(path+".clock.starts_on", s.Clock.StartsOn)
	for j, l := range s.Clock.Limits {
		c.duration(fmt.Sprintf("%s.clock.limits[%d]", path, j), l)
	}
	if len(s.Clock.StartsOn) > 0 && len(s.Clock.Limits) == 0 {
		c.add(path+".clock.limits", i18n.T("有开始事实的时钟需要时限", "a clock with starts_on needs limits"))
	}
	if w := s.Clock.WarnPercent; w < 0 || w > 100 {
		c.add(path+".clock.warn_percent", i18n.T("须在 0 到 100 之间", "must be between 0 and 100"))
	}
	c.rules(path+".clock.rules", s.Clock.Rules)
	for j, party := range s.Countersign {
		p := fmt.Sprintf("%s.countersign[%d]", path, j)
		c.key(p+".key", party.Key, simpleKeyRE)
		c.name(p+".name", party.Name)
		if c.required(p+".role", string(party.Role)) {
			c.role(p+".role", party.Role)
		}
	}
	unique(c.validator, path+".countersign", s.Countersign, func(party Party) string { return party.Key })
	for j, o := range s.Outcomes {
		p := fmt.Sprintf("%s.outcomes[%d]", path, j)
		c.key(p+".key", o.Key, simpleKeyRE)
		c.name(p+".name", o.Name)
		if _, _, ok := c.def.Step(o.Next); o.Next != "" && o.Next != NextEnd && !ok {
			c.add(p+".next", i18n.T("没有步骤 %q", "no step %q", o.Next))
		}
		c.factList(p+".sets", o.Sets)
		c.document(p+".produces", o.Produces)
	}
	unique(c.validator, path+".outcomes", s.Outcomes, func(o Outcome) string { return o.Key })
	c.document(path+".produces", s.Produces)
	if s.MaxRounds < 0 {
		c.add(path+".max_rounds", i18n.T("不能为负数", "cannot be negative"))
	}
	if s.Returnable && i == 0 {
		c.add(path+".returnable", i18n.T("第一步没有可退回的上一步", "the first step has no step to return to"))
	}
	c.rules(path+".rules", s.Rules)
}

func (c *processCheck) dateAttr(path, key string) {
	if c.required(path, key) && c.attrs[key] != AttrDate {
		c.add(path, i18n.T("须为日期型属性", "must be a date attribute"))
	}
}

func (c *processCheck) guard(path string, g Guard) {
	if !slices.Contains(GuardKinds, g.Kind) {
		c.add(path+".kind", i18n.T("须为 %s 之一", "must be one of %s", strings.Join(GuardKinds, ", ")))
		return
	}
	if g.Kind == GuardRequire {
		if c.required(path+".when", g.When) {
			c.condition(path+".when", g.When)
		}
	} else {
		c.dateAttr(path+".from", g.From)
	}
	switch g.Kind {
	case GuardMinDays, GuardDaysPerYear:
		c.dateAttr(path+".to", g.To)
	}
	switch g.Kind {
	case GuardLeadDays, GuardMinDays, GuardDaysPerYear:
		if g.Days <= 0 {
			c.add(path+".days", i18n.T("须为正整数", "must be a positive number"))
		}
	case GuardPerYear:
		if g.Max <= 0 {
			c.add(path+".max", i18n.T("须为正整数", "must be a positive number"))
		}
	case GuardWithin:
		c.duration(path+".duration", g.Duration)
	}
	if c.required(path+".rule", g.Rule) {
		c.rules(path+".rule", []string{g.Rule})
	}
	c.name(path+".message", g.Message)
}

// successors are the steps a step may lead to: its outcomes' next steps
// ("end" included), and — through a step that may be skipped — that
// step's default next as well.
func (c *processCheck) successors(i int) []string {
	d := c.def
	var out []string
	for _, o := range d.Steps[i].StepOutcomes() {
		next := o.Next
		if next == "" {
			next = d.DefaultNext(i)
		}
		out = append(out, c.landing(next)...)
	}
	return out
}

// landing is where going to step key may land: the step, and past it when
// it has a condition (it may be skipped), transitively.
func (c *processCheck) landing(key string) []string {
	out := []string{key}
	for key != NextEnd {
		s, i, _ := c.def.Step(key)
		if s.When == "" {
			break
		}
		key = c.def.DefaultNext(i)
		out = append(out, key)
	}
	return out
}

// graph refuses steps no run can reach, and steps from which no run can
// end (a loop without exit).
func (c *processCheck) graph(path string) {
	d := c.def
	edges := map[string][]string{}
	reverse := map[string][]string{}
	for i, s := range d.Steps {
		for _, n := range c.successors(i) {
			edges[s.Key] = append(edges[s.Key], n)
			reverse[n] = append(reverse[n], s.Key)
		}
		if s.Returnable && i > 0 {
			edges[s.Key] = append(edges[s.Key], d.Steps[i-1].Key)
			reverse[d.Steps[i-1].Key] = append(reverse[d.Steps[i-1].Key], s.Key)
		}
	}
	reached := walk(d.Steps[0].Key, edges)
	ends := walk(NextEnd, reverse)
	for i, s := range d.Steps {
		p := fmt.Sprintf("%s.steps[%d].key", path, i)
		switch {
		case !reached[s.Key]:
			c.add(p, i18n.T("步骤 %q 不可到达", "step %q is unreachable", s.Key))
		case !ends[s.Key]:
			c.add(p, i18n.T("步骤 %q 处于没有出口的循环中（无法到达结束）", "step %q is in a loop without exit (cannot reach the end)", s.Key))
		}
	}
}

// walk returns every node reachable from start along edges.
func walk(start string, edges map[string][]string) map[string]bool {
	seen := map[string]bool{start: true}
	queue := []string{start}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, m := range edges[n] {
			if !seen[m] {
				seen[m] = true
				queue = append(queue, m)
			}
		}
	}
	return seen
}

// StepRole resolves a step's role and level for the attributes: the first
// route whose condition holds, else the step's own.
func StepRole(s *Step, attrs map[string]Value) (auth.Role, string, []string) {
	for _, r := range s.Routes {
		cond, err := ParseCondition(r.When)
		if err != nil || !cond.Eval(attrs) {
			continue
		}
		role, level := s.Role, s.Level
		if r.Role != "" {
			role = r.Role
		}
		if r.Level != "" {
			level = r.Level
		}
		return role, level, r.Rules
	}
	return s.Role, s.Level, nil
}

// Holds reports whether a condition holds for the attributes; "" holds.
// A condition that does not parse (validated packs have none) never holds.
func Holds(src string, attrs map[string]Value) bool {
	if src == "" {
		return true
	}
	cond, err := ParseCondition(src)
	return err == nil && cond.Eval(attrs)
}
