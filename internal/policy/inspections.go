package policy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
)

// InspectionRules is the pack's section for planned safety inspections
// (INS-001 to INS-010, INS-012): the periodic cycles by customer class and
// service-point attributes, the seasonal campaigns, the checklists an
// inspection fills in, and how plans are broken down (INS-009).
// internal/inspection computes cycles, due dates and plans from it and keeps
// the plans and records.
type InspectionRules struct {
	// Cycles are the periodic inspection obligations ("at least once every
	// N", CAL-010). Cycles of one track compete: the shortest applicable
	// interval wins (INS-008); tracks are independent obligations (the
	// customer-side periodic inspection, the grid-side checks of INS-005).
	Cycles []InspectionCycle `json:"cycles,omitempty"`
	// Campaigns are the yearly special inspections held inside a window
	// (INS-002: spring and autumn for customers at 10 kV and above).
	Campaigns []InspectionCampaign `json:"campaigns,omitempty"`
	// Checklists are the forms an inspection fills in (INS-010, INS-012,
	// INS-007), referenced by cycles and campaigns.
	Checklists []Checklist `json:"checklists,omitempty"`
	// PlanPeriods are the plan periods (INS-009: month, quarter, year;
	// CAL-009 calendar periods).
	PlanPeriods []string `json:"plan_periods,omitempty"`
	// PlanLevels are the levels a plan is broken down to, top first
	// (INS-009: department → team → inspector).
	PlanLevels []PlanLevel `json:"plan_levels,omitempty"`
	// WorkSheets are the work sheets an inspection of some customers must
	// reach the system within a time (INS-011: the important customer's
	// 《重要电力客户用电检查工作单》 within 1 working day, a warning target).
	WorkSheets []WorkSheet `json:"work_sheets,omitempty"`
	// Rules cites the RULES.md rule IDs of the section.
	Rules []string `json:"rules,omitempty"`
}

// WorkSheet is a work sheet expected in the system within a time of the
// inspection (INS-011). It is a warning target (CAL-011): a record entered
// later is marked late, not refused.
type WorkSheet struct {
	Key  string `json:"key"`
	Name Name   `json:"name"`
	// When selects the customers (a condition over InspectionAttributes,
	// e.g. "important"); "" every inspected point.
	When string `json:"when,omitempty"`
	// Within is counted from the inspection on the pack's calendar (1wd).
	Within calendar.Duration `json:"within"`
	// Rules cites the RULES.md rule IDs of the work sheet.
	Rules []string `json:"rules,omitempty"`
}

// InspectionCycle is one periodic inspection obligation: the service points
// it applies to and its rolling interval.
type InspectionCycle struct {
	Key  string `json:"key"`
	Name Name   `json:"name"`
	// Track groups the cycles that one inspection satisfies (default
	// "periodic"); within a track the shortest applicable interval wins.
	Track string `json:"track,omitempty"`
	// ServicePoint is the service-point kind the cycle applies to; "" any.
	ServicePoint string `json:"service_point,omitempty"`
	// When is a condition (ParseCondition) over InspectionAttributes; ""
	// holds for every point of the kind.
	When string `json:"when,omitempty"`
	// Interval is the rolling interval in months (CAL-010: years × 12).
	Interval calendar.Duration `json:"interval"`
	// Checklist is the key of the checklist the inspection fills in.
	Checklist string `json:"checklist,omitempty"`
	// Rules cites the RULES.md rule IDs of the cycle.
	Rules []string `json:"rules,omitempty"`
}

// InspectionCampaign is a special inspection held once a year inside a
// window of fixed dates (INS-002); it is overdue after the window's last
// day, which is a fixed date and is not moved off holidays (CAL-015).
type InspectionCampaign struct {
	Key  string `json:"key"`
	Name Name   `json:"name"`
	// ServicePoint and When select the points, as for a cycle.
	ServicePoint string `json:"service_point,omitempty"`
	When         string `json:"when,omitempty"`
	// From and To are the window's first and last day, "MM-DD", inside one
	// calendar year (INS-002, G-46: spring 03-01 to 05-31).
	From string `json:"from"`
	To   string `json:"to"`
	// Checklist is the key of the checklist the inspection fills in.
	Checklist string `json:"checklist,omitempty"`
	// Rules cites the RULES.md rule IDs of the campaign.
	Rules []string `json:"rules,omitempty"`
}

// Checklist is a form an inspection fills in: its items, the statements
// the inspector confirms, the printed form and its copies.
type Checklist struct {
	Key  string `json:"key"`
	Name Name   `json:"name"`
	// Form is the title of the printed form (INS-012: 《管道燃气客户户内设施检查表》).
	Form *Name `json:"form,omitempty"`
	// Copies are the copies of the printed form that must match (INS-012:
	// stub and customer).
	Copies []string `json:"copies,omitempty"`
	// CustomerSignature: the customer signs the form (INS-012).
	CustomerSignature bool `json:"customer_signature,omitempty"`
	// Items must each be filled in before the record closes (INS-010).
	Items []Keyed `json:"items"`
	// Acknowledgements are statements the inspector confirms on each
	// record (INS-010: the customer's equipment was not operated).
	Acknowledgements []Keyed `json:"acknowledgements,omitempty"`
	// Rules cites the RULES.md rule IDs of the checklist.
	Rules []string `json:"rules,omitempty"`
}

// PlanLevel is one level an inspection plan is broken down to (INS-009).
type PlanLevel struct {
	Level string `json:"level"` // company, department, team, inspector
	Name  Name   `json:"name"`
	// Role holds the plan at this level: the unit's manager breaks it down
	// to the next level; at the inspector level, the inspectors' role.
	Role auth.Role `json:"role"`
}

// TrackPeriodic is the default track: the customer-side periodic inspection.
const TrackPeriodic = "periodic"

// Form copies (INS-012).
const (
	CopyStub     = "stub"     // 存根联
	CopyCustomer = "customer" // 客户联
)

// FormCopies are the values of Checklist.Copies.
var FormCopies = []string{CopyStub, CopyCustomer}

// PlanPeriods are the values of InspectionRules.PlanPeriods (CAL-009).
var PlanPeriods = []string{string(calendar.PeriodMonth), string(calendar.PeriodQuarter),
	string(calendar.PeriodHalfYear), string(calendar.PeriodYear)}

// PlanLevelKinds are the values of PlanLevel.Level, top first.
var PlanLevelKinds = []string{"company", "department", "team", "inspector"}

// InspectionAttributes are the attributes a cycle or campaign condition may
// read; internal/inspection supplies them for a customer and service point.
// Of the customer: customer_type (type key), class (residential or
// non_residential), importance (special, grade1, grade2, temporary),
// important (an approved or filed important customer, CUS-006), key_account,
// grade, sources (supply sources on file). Of the service point: kind and its
// attributes (voltage, hv, contracted_capacity_kva, tariff, usage,
// reading_frequency, gas_use, building, unit, room, area_m2), plus
// voltage_kv, the supply voltage in kV.
var InspectionAttributes = []string{
	"customer_type", "class", "importance", "important", "key_account", "grade", "sources",
	"kind", "voltage", "voltage_kv", "hv", "contracted_capacity_kva", "tariff", "usage",
	"reading_frequency", "gas_use", "building", "unit", "room", "area_m2",
}

// DefaultPlanPeriods and DefaultPlanLevels are INS-009's plans, filled into
// a section that has cycles or campaigns and leaves them out.
var (
	DefaultPlanPeriods = []string{"year", "quarter", "month"}
	DefaultPlanLevels  = []PlanLevel{
		{Level: "department", Name: Name{ZH: "部门", EN: "Department"}, Role: auth.RoleManager},
		{Level: "team", Name: Name{ZH: "班组", EN: "Team"}, Role: auth.RoleManager},
		{Level: "inspector", Name: Name{ZH: "安检员", EN: "Inspector"}, Role: auth.RoleFieldStaff},
	}
)

// ParseMonthDay reads "MM-DD" (a day every year has: 02-29 is refused).
func ParseMonthDay(s string) (time.Month, int, bool) {
	if len(s) != 5 || s[2] != '-' {
		return 0, 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, 0, false
		}
	}
	m, _ := strconv.Atoi(s[:2])
	d, _ := strconv.Atoi(s[3:])
	if !calendar.D(2025, time.Month(m), d).Valid() { // 2025 has no 29 February
		return 0, 0, false
	}
	return time.Month(m), d, true
}

// Window returns the campaign's window in year; ok is false when From or
// To does not read as MM-DD (never for a validated pack).
func (c *InspectionCampaign) Window(year int) (from, to calendar.Date, ok bool) {
	fm, fd, ok1 := ParseMonthDay(c.From)
	tm, td, ok2 := ParseMonthDay(c.To)
	return calendar.D(year, fm, fd), calendar.D(year, tm, td), ok1 && ok2
}

// TrackOf is the cycle's track, "periodic" when it names none.
func (c *InspectionCycle) TrackOf() string {
	if c.Track == "" {
		return TrackPeriodic
	}
	return c.Track
}

// Checklist returns the checklist with the key.
func (r *InspectionRules) Checklist(key string) (*Checklist, bool) {
	for i := range r.Checklists {
		if r.Checklists[i].Key == key {
			return &r.Checklists[i], true
		}
	}
	return nil, false
}

// Tracks lists the tracks of the cycles in the order they first appear.
func (r *InspectionRules) Tracks() []string {
	var out []string
	for i := range r.Cycles {
		if t := r.Cycles[i].TrackOf(); !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// inspectionDefaults fills what the inspections section may leave out.
func inspectionDefaults(r *InspectionRules) {
	for i := range r.Cycles {
		if r.Cycles[i].Track == "" {
			r.Cycles[i].Track = TrackPeriodic
		}
	}
	if len(r.Cycles)+len(r.Campaigns) == 0 {
		return
	}
	if len(r.PlanPeriods) == 0 {
		r.PlanPeriods = slices.Clone(DefaultPlanPeriods)
	}
	if len(r.PlanLevels) == 0 {
		r.PlanLevels = slices.Clone(DefaultPlanLevels)
	}
}

// inspections checks the section.
func (v *validator) inspections(path string, r *InspectionRules) {
	for i := range r.Checklists {
		v.checklist(fmt.Sprintf("%s.checklists[%d]", path, i), &r.Checklists[i])
	}
	unique(v, path+".checklists", r.Checklists, func(c Checklist) string { return c.Key })
	for i := range r.Cycles {
		c := &r.Cycles[i]
		p := fmt.Sprintf("%s.cycles[%d]", path, i)
		v.key(p+".key", c.Key, simpleKeyRE)
		v.name(p+".name", c.Name)
		v.key(p+".track", c.Track, simpleKeyRE)
		v.selection(p, c.ServicePoint, c.When)
		if v.duration(p+".interval", c.Interval) && (c.Interval.Unit != calendar.Months || c.Interval.N < 1) {
			v.add(p+".interval", i18n.T("须为月数，如 6mo、12mo、24mo（两年，CAL-010）",
				"must be months, e.g. 6mo, 12mo or 24mo for 2 years (CAL-010)"))
		}
		v.checklistRef(p+".checklist", r, c.Checklist)
		v.rules(p+".rules", c.Rules)
	}
	unique(v, path+".cycles", r.Cycles, func(c InspectionCycle) string { return c.Key })
	for i := range r.Campaigns {
		c := &r.Campaigns[i]
		p := fmt.Sprintf("%s.campaigns[%d]", path, i)
		v.key(p+".key", c.Key, simpleKeyRE)
		v.name(p+".name", c.Name)
		v.selection(p, c.ServicePoint, c.When)
		fm, fd, okFrom := v.monthDay(p+".from", c.From)
		tm, td, okTo := v.monthDay(p+".to", c.To)
		if okFrom && okTo && (tm < fm || tm == fm && td < fd) {
			v.add(p+".to", i18n.T("窗口须在同一年内且结束日不早于开始日 %s", "the window must lie in one year, ending on or after %s", c.From))
		}
		v.checklistRef(p+".checklist", r, c.Checklist)
		v.rules(p+".rules", c.Rules)
	}
	unique(v, path+".campaigns", r.Campaigns, func(c InspectionCampaign) string { return c.Key })
	seen := map[string]bool{}
	for i, pp := range r.PlanPeriods {
		p := fmt.Sprintf("%s.plan_periods[%d]", path, i)
		switch {
		case !slices.Contains(PlanPeriods, pp):
			v.add(p, i18n.T("须为 %s 之一（INS-009）", "must be one of %s (INS-009)", strings.Join(PlanPeriods, ", ")))
		case seen[pp]:
			v.add(p, i18n.T("周期 %q 重复", "period %q listed twice", pp))
		}
		seen[pp] = true
	}
	v.planLevels(path+".plan_levels", r.PlanLevels)
	for i := range r.WorkSheets {
		w := &r.WorkSheets[i]
		p := fmt.Sprintf("%s.work_sheets[%d]", path, i)
		v.key(p+".key", w.Key, simpleKeyRE)
		v.name(p+".name", w.Name)
		v.selection(p, "", w.When)
		v.duration(p+".within", w.Within) // the unit and size are checked when it is read
		v.rules(p+".rules", w.Rules)
	}
	unique(v, path+".work_sheets", r.WorkSheets, func(w WorkSheet) string { return w.Key })
	v.rules(path+".rules", r.Rules)
}

// selection checks a cycle's or campaign's service-point kind and condition.
func (v *validator) selection(path, kind, when string) {
	if kind != "" {
		if _, ok := v.p.Customers.ServicePoint(kind); !ok {
			v.add(path+".service_point", i18n.T("本政策包没有服务点类型 %q", "the pack has no service-point kind %q", kind))
		}
	}
	if when == "" {
		return
	}
	cond, err := ParseCondition(when)
	if err != nil {
		ce, _ := err.(*ConditionError)
		if ce == nil {
			ce = &ConditionError{Reason: i18n.Text{ZH: err.Error(), EN: err.Error()}}
		}
		v.add(path+".when", i18n.T("条件 %[1]q 第 %[2]d 个字节处无效：%[3]s", "invalid condition %[1]q at byte %[2]d: %[4]s",
			when, ce.Offset, ce.Reason.ZH, ce.Reason.EN))
		return
	}
	for _, a := range cond.Attributes() {
		if !slices.Contains(InspectionAttributes, a) {
			v.add(path+".when", i18n.T("条件引用了未知属性 %[1]q（可用：%[2]s）", "the condition reads the unknown attribute %[1]q (known: %[2]s)",
				a, strings.Join(InspectionAttributes, ", ")))
		}
	}
}

func (v *validator) monthDay(path, s string) (time.Month, int, bool) {
	if !v.required(path, s) {
		return 0, 0, false
	}
	m, d, ok := ParseMonthDay(s)
	if !ok {
		v.add(path, i18n.T("日期 %q 无效，须写作 MM-DD（如 03-01，不可用 02-29）", "invalid date %q: write MM-DD, e.g. 03-01 (not 02-29)", s))
	}
	return m, d, ok
}

func (v *validator) checklistRef(path string, r *InspectionRules, key string) {
	if _, ok := r.Checklist(key); key != "" && !ok {
		v.add(path, i18n.T("本政策包没有检查表 %q", "the pack has no checklist %q", key))
	}
}

func (v *validator) checklist(path string, c *Checklist) {
	v.key(path+".key", c.Key, simpleKeyRE)
	v.name(path+".name", c.Name)
	if c.Form != nil {
		v.name(path+".form", *c.Form)
	}
	seen := map[string]bool{}
	for i, cp := range c.Copies {
		p := fmt.Sprintf("%s.copies[%d]", path, i)
		switch {
		case !slices.Contains(FormCopies, cp):
			v.add(p, i18n.T("须为 stub（存根联）或 customer（客户联）", "must be stub or customer"))
		case seen[cp]:
			v.add(p, i18n.T("联次 %q 重复", "copy %q listed twice", cp))
		}
		seen[cp] = true
	}
	if len(c.Items) == 0 {
		v.add(path+".items", i18n.T("至少需要一个检查项目", "at least one item is required"))
	}
	for _, l := range []struct {
		field string
		list  []Keyed
	}{{"items", c.Items}, {"acknowledgements", c.Acknowledgements}} {
		for i, it := range l.list {
			p := fmt.Sprintf("%s.%s[%d]", path, l.field, i)
			v.key(p+".key", it.Key, simpleKeyRE)
			v.name(p+".name", it.Name)
		}
		unique(v, path+"."+l.field, l.list, func(k Keyed) string { return k.Key })
	}
	v.rules(path+".rules", c.Rules)
}

// planLevels checks that the levels are known, top first, each once, and
// end with the inspector (INS-009).
func (v *validator) planLevels(path string, levels []PlanLevel) {
	last := -1
	for i, l := range levels {
		p := fmt.Sprintf("%s[%d]", path, i)
		rank := slices.Index(PlanLevelKinds, l.Level)
		switch {
		case rank < 0:
			v.add(p+".level", i18n.T("须为 %s 之一", "must be one of %s", strings.Join(PlanLevelKinds, ", ")))
		case rank <= last:
			v.add(p+".level", i18n.T("层级须自上而下排列且不重复（%s）", "levels go top down, each once (%s)", strings.Join(PlanLevelKinds, " → ")))
		}
		if rank > last {
			last = rank
		}
		v.name(p+".name", l.Name)
		if v.required(p+".role", string(l.Role)) {
			v.role(p+".role", l.Role)
		}
	}
	if n := len(levels); n > 0 && levels[n-1].Level != "inspector" {
		v.add(fmt.Sprintf("%s[%d].level", path, n-1), i18n.T("计划须分解到安检员（INS-009）", "the plan must be broken down to the inspector (INS-009)"))
	}
}
