package policy

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
)

// ArchiveRules are a pack's archive rules (ARC, SEC-009; seed 000 art.8,
// art.10; seed 002 art.5, art.7; seed 003-A, 003-D; seed 004-B, 004-E):
// confidentiality levels, the archive departments a company binds to its
// org units, the document categories with their retention and completeness
// checklists, numbering schemes, the same-day filing limit, loan period,
// lending and destruction approval chains, scheduled handovers and the
// inspection interval. internal/archive applies them; every pack has the
// section, filled with the defaults of RULES.md where it is left out.
type ArchiveRules struct {
	// Calendar counts handovers, filing and loans; "" is the pack's.
	Calendar string `json:"calendar,omitempty"`
	// Levels are the confidentiality levels, strictest first (ARC-005).
	Levels []ArchiveLevel `json:"levels,omitempty"`
	// DefaultLevel of customer documents: C (ARC-005).
	DefaultLevel string `json:"default_level"`
	// LevelApprovers are the departments that must both approve raising a
	// file's level: "holder" (the handling department) and the central
	// archive office (ARC-005: handling department and GMO together).
	LevelApprovers []string `json:"level_approvers,omitempty"`
	// Departments are the archive roles a company binds to its org units
	// (ARC-004): each holds its materials through a dedicated custodian.
	Departments []ArchiveDepartment `json:"departments,omitempty"`
	// Categories of documents (ARC-001) with retention (ARC-014) and
	// completeness checklists (ARC-003).
	Categories []ArchiveCategory `json:"categories,omitempty"`
	// Numbering schemes by kind (ARC-010).
	Numbering ArchiveNumbering `json:"numbering"`
	// FilingLimit: documents received are filed the same day (ARC-009): 0d.
	FilingLimit calendar.Duration `json:"filing_limit"`
	// LoanPeriod is the default due date of a loan (ARC-011): 7d.
	LoanPeriod calendar.Duration `json:"loan_period"`
	// LendingChains are the approval chains by archive type (ARC-012);
	// a file names its chain, else DefaultChain applies.
	LendingChains []ApprovalChain `json:"lending_chains,omitempty"`
	// DefaultChain is the chain of files that name none: central.
	DefaultChain string `json:"default_chain"`
	// DestructionChain approves a destruction list (ARC-015).
	DestructionChain []ApprovalStep `json:"destruction_chain,omitempty"`
	// Handovers are the scheduled handovers between departments (ARC-006
	// to ARC-009).
	Handovers []HandoverSchedule `json:"handovers,omitempty"`
	// InspectionInterval of archive inspections (ARC-019): 6mo.
	InspectionInterval calendar.Duration `json:"inspection_interval"`
	// RetentionReport is the period of the retention report to the leader
	// in charge (ARC-014): quarter.
	RetentionReport calendar.Period `json:"retention_report"`
	// ComplaintCategory is the category of complaint materials filed into
	// the yearly case file by year of receipt (ARC-017): complaint.
	ComplaintCategory string `json:"complaint_category"`
	// RuleIDs cites the RULES.md rule IDs of the section.
	RuleIDs []string `json:"rule_ids,omitempty"`
}

// ArchiveLevel is a confidentiality level (ARC-005).
type ArchiveLevel struct {
	Key  string `json:"key"`
	Name Name   `json:"name"`
}

// ArchiveDepartment is an archive role a company binds to one of its org
// units (ARC-004): 总经理办公室, 客户事务组, 客户服务中心, 法律室 …
type ArchiveDepartment struct {
	Key  string `json:"key"`
	Name Name   `json:"name"`
	// Central marks the office that centralises files, manages lending
	// of them and inspects the others (ARC-004, ARC-011, ARC-019: GMO).
	Central bool `json:"central,omitempty"`
}

// ArchiveCategory is a category of documents (ARC-001).
type ArchiveCategory struct {
	Key  string `json:"key"`  // "3.2"
	Name Name   `json:"name"` // 签约资料
	// RetentionYears is how long a volume of the category is kept from
	// its archiving date (ARC-014); 0 = permanent (never eligible).
	RetentionYears int `json:"retention_years"`
	// Department is the archive department that collects the category
	// (ARC-004): the default holder of a volume of it.
	Department string `json:"department,omitempty"`
	// Checklist lists what a complete volume contains (ARC-003).
	Checklist []string `json:"checklist,omitempty"`
}

// ArchiveNumbering are the numbering schemes of ARC-010. Placeholders:
// {project}, {building}, {unit}, {category}, {file}, {year}, {seq};
// {x:N} pads digits to N places. Unit files sort before shop files of
// the same project (seed 004-E §5.6(b)).
type ArchiveNumbering struct {
	Unit        string `json:"unit"`        // {project}-{building:2}-{unit:4}
	Shop        string `json:"shop"`        // {project}-SP-{unit:4}
	Volume      string `json:"volume"`      // {file}-{category}
	Litigation  string `json:"litigation"`  // L-{year}-{seq:2}
	CaseYear    string `json:"case_year"`   // TS-{year}
	General     string `json:"general"`     // DA-{year}-{seq:4}
	Loan        string `json:"loan"`        // JY-{year}-{seq:4}
	Destruction string `json:"destruction"` // D-{year}-{seq:2}
	Handover    string `json:"handover"`    // YJ-{year}-{seq:3}
}

// ApprovalChain is the approval chain of one archive type (ARC-012).
type ApprovalChain struct {
	Key   string         `json:"key"`
	Name  Name           `json:"name"`
	Steps []ApprovalStep `json:"steps"`
}

// ApprovalStep is one approval of a chain. The approver needs one of
// Roles or one of Positions (both empty: archives:approve), and, when
// Department is set, to work in that department: an archive department
// key, or "holder" for the department holding the file.
type ApprovalStep struct {
	Key        string      `json:"key"`
	Name       Name        `json:"name"`
	Roles      []auth.Role `json:"roles,omitempty"`
	Positions  []string    `json:"positions,omitempty"`
	Department string      `json:"department,omitempty"`
}

// HandoverSchedule is one scheduled handover between departments
// (ARC-006 to ARC-009).
type HandoverSchedule struct {
	Key  string `json:"key"`
	Name Name   `json:"name"`
	From string `json:"from"` // archive department key
	To   string `json:"to"`
	// Trigger: event (Limit after the event, e.g. 5wd after the
	// subscription), weekly (on Weekdays, moved to the next working day),
	// quarterly (quarter end, a fixed date) or half_yearly (30 June and
	// 31 December, fixed dates).
	Trigger  string            `json:"trigger"`
	Event    Name              `json:"event,omitzero"` // what starts an event handover: 认购书签订
	Limit    calendar.Duration `json:"limit,omitzero"`
	Weekdays []int             `json:"weekdays,omitempty"` // 1 = Monday … 7 = Sunday
	// Source opens an event batch by itself when kefu records the event:
	// "sales.subscription" (a subscription signed at a sales centre,
	// ARC-006); "" is opened by hand with the event date.
	Source string `json:"source,omitempty"`
	// Categories handed over; empty: all.
	Categories []string `json:"categories,omitempty"`
	RuleID     string   `json:"rule_id,omitempty"`
}

// The handover triggers.
const (
	HandoverEvent      = "event"
	HandoverWeekly     = "weekly"
	HandoverQuarterly  = "quarterly"
	HandoverHalfYearly = "half_yearly"
)

// HandoverTriggers lists them.
var HandoverTriggers = []string{HandoverEvent, HandoverWeekly, HandoverQuarterly, HandoverHalfYearly}

// SourceSubscription is the event source of a subscription signed at a
// sales centre (internal/sales, ARC-006).
const SourceSubscription = "sales.subscription"

// DeptHolder in an ApprovalStep or LevelApprovers is the department
// holding the file.
const DeptHolder = "holder"

// Category returns the category with key.
func (r *ArchiveRules) Category(key string) (ArchiveCategory, bool) {
	i := slices.IndexFunc(r.Categories, func(c ArchiveCategory) bool { return c.Key == key })
	if i < 0 {
		return ArchiveCategory{}, false
	}
	return r.Categories[i], true
}

// Chain returns the lending chain with key.
func (r *ArchiveRules) Chain(key string) (ApprovalChain, bool) {
	i := slices.IndexFunc(r.LendingChains, func(c ApprovalChain) bool { return c.Key == key })
	if i < 0 {
		return ApprovalChain{}, false
	}
	return r.LendingChains[i], true
}

// Handover returns the handover schedule with key.
func (r *ArchiveRules) Handover(key string) (HandoverSchedule, bool) {
	i := slices.IndexFunc(r.Handovers, func(h HandoverSchedule) bool { return h.Key == key })
	if i < 0 {
		return HandoverSchedule{}, false
	}
	return r.Handovers[i], true
}

// CentralDepartment is the key of the central archive office ("" when
// the pack names none).
func (r *ArchiveRules) CentralDepartment() string {
	for _, d := range r.Departments {
		if d.Central {
			return d.Key
		}
	}
	return ""
}

// LevelRank is the position of a level, 0 the strictest; -1 if unknown.
func (r *ArchiveRules) LevelRank(key string) int {
	return slices.IndexFunc(r.Levels, func(l ArchiveLevel) bool { return l.Key == key })
}

// The defaults of the archives section (RULES.md ARC).
var (
	DefaultFilingLimit        = calendar.Duration{N: 0, Unit: calendar.CalendarDays}
	DefaultLoanPeriod         = calendar.Duration{N: 7, Unit: calendar.CalendarDays}
	DefaultInspectionInterval = calendar.Duration{N: 6, Unit: calendar.Months}
)

func archName(zh, en string) Name { return Name{ZH: zh, EN: en} }

// defaultArchiveCategories are seed 004-E 3.1–3.9 (ARC-001) with the
// 10-year retention of customer archives (ARC-014), the survey records
// of seed 000 art.10 and complaint materials (ARC-017).
func defaultArchiveCategories() []ArchiveCategory {
	return []ArchiveCategory{
		{Key: "3.1", Name: archName("销售资料", "Sales"), RetentionYears: 10, Department: "customer_affairs",
			Checklist: []string{"排号协议", "认购书", "销售变更审批资料"}},
		{Key: "3.2", Name: archName("签约资料", "Contract"), RetentionYears: 10, Department: "customer_affairs",
			Checklist: []string{"买卖合同", "银行按揭合同"}},
		{Key: "3.3", Name: archName("办证资料", "Certificate"), RetentionYears: 10, Department: "customer_affairs"},
		{Key: "3.4", Name: archName("入伙资料", "Move-in"), RetentionYears: 10, Department: "customer_affairs"},
		{Key: "3.5", Name: archName("维修资料", "Repair"), RetentionYears: 10, Department: "csc"},
		{Key: "3.6", Name: archName("赔付资料", "Compensation"), RetentionYears: 10, Department: "csc",
			Checklist: []string{"书面申请", "面谈记录", "领导审批意见", "处理通知或协议", "赔付手续完成证明"}},
		{Key: "3.7", Name: archName("诉讼资料", "Litigation"), RetentionYears: 10, Department: "legal"},
		{Key: "3.8", Name: archName("商铺租赁资料", "Shop lease"), RetentionYears: 10, Department: "commercial",
			Checklist: []string{"租赁预订协议", "正式租赁合同", "承租人身份证明或营业执照", "经营计划"}},
		{Key: "3.9", Name: archName("其他资料", "Other"), RetentionYears: 10},
		{Key: "complaint", Name: archName("投诉资料", "Complaint"), RetentionYears: 10},
		{Key: "survey_forms", Name: archName("满意度调查原始问卷", "Survey forms"), RetentionYears: 2},
		{Key: "survey_plan", Name: archName("满意度调查策划书", "Survey plan"), RetentionYears: 1},
		{Key: "survey_report", Name: archName("满意度调查报告", "Survey report"), RetentionYears: 2},
	}
}

// archivesDefaults fills what a pack leaves out.
func archivesDefaults(r *ArchiveRules) {
	if r.Levels == nil {
		r.Levels = []ArchiveLevel{
			{Key: "A", Name: archName("公司A级文档", "Level A")},
			{Key: "B", Name: archName("公司B级文档", "Level B")},
			{Key: "C", Name: archName("公司C级文档", "Level C")},
		}
	}
	if r.DefaultLevel == "" {
		r.DefaultLevel = "C"
	}
	if r.Departments == nil {
		r.Departments = []ArchiveDepartment{
			{Key: "gmo", Name: archName("总经理办公室", "General Manager's Office"), Central: true},
			{Key: "customer_affairs", Name: archName("客户事务组", "Customer Affairs Group")},
			{Key: "csc", Name: archName("客户服务中心", "Customer Service Centre")},
			{Key: "legal", Name: archName("法律室", "Legal Office")},
			{Key: "commercial", Name: archName("商业组", "Commercial Group")},
		}
	}
	if r.LevelApprovers == nil {
		r.LevelApprovers = []string{DeptHolder}
		if c := r.CentralDepartment(); c != "" {
			r.LevelApprovers = append(r.LevelApprovers, c)
		}
	}
	if r.Categories == nil {
		r.Categories = defaultArchiveCategories()
	}
	nb := &r.Numbering
	for _, f := range []struct {
		p *string
		v string
	}{
		{&nb.Unit, "{project}-{building:2}-{unit:4}"}, {&nb.Shop, "{project}-SP-{unit:4}"},
		{&nb.Volume, "{file}-{category}"}, {&nb.Litigation, "L-{year}-{seq:2}"}, {&nb.CaseYear, "TS-{year}"},
		{&nb.General, "DA-{year}-{seq:4}"}, {&nb.Loan, "JY-{year}-{seq:4}"},
		{&nb.Destruction, "D-{year}-{seq:2}"}, {&nb.Handover, "YJ-{year}-{seq:3}"},
	} {
		if *f.p == "" {
			*f.p = f.v
		}
	}
	if r.FilingLimit == (calendar.Duration{}) {
		r.FilingLimit = DefaultFilingLimit
	}
	if r.LoanPeriod == (calendar.Duration{}) {
		r.LoanPeriod = DefaultLoanPeriod
	}
	if r.LendingChains == nil {
		r.LendingChains = []ApprovalChain{{Key: "central", Name: archName("集中管理档案", "Centralised files"),
			Steps: []ApprovalStep{{Key: "office", Name: archName("档案管理部门审批", "Archive office approval"),
				Department: r.CentralDepartment()}}}}
	}
	if r.DefaultChain == "" {
		r.DefaultChain = r.LendingChains[0].Key
	}
	if r.DestructionChain == nil {
		r.DestructionChain = []ApprovalStep{
			{Key: "head", Name: archName("部门负责人审核", "Department head review"), Roles: []auth.Role{auth.RoleManager},
				Department: DeptHolder},
			{Key: "gm", Name: archName("总经理批准", "General Manager approval"), Roles: []auth.Role{auth.RoleManager}},
		}
	}
	if r.InspectionInterval == (calendar.Duration{}) {
		r.InspectionInterval = DefaultInspectionInterval
	}
	if r.RetentionReport == "" {
		r.RetentionReport = calendar.PeriodQuarter
	}
	if r.ComplaintCategory == "" {
		r.ComplaintCategory = "complaint"
	}
}

var (
	archCategoryRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.]{0,31}$`)
	levelKeyRE     = regexp.MustCompile(`^[A-Z][A-Z0-9]{0,3}$`)
	placeholderRE  = regexp.MustCompile(`\{([a-z]+)(?::([1-9]))?\}`)
)

// numberingFields are the placeholders each scheme may use.
var numberingFields = map[string][]string{
	"unit": {"project", "building", "unit"}, "shop": {"project", "building", "unit"},
	"volume": {"file", "category"}, "litigation": {"year", "seq"}, "case_year": {"year"},
	"general": {"year", "seq"}, "loan": {"year", "seq"}, "destruction": {"year", "seq"},
	"handover": {"year", "seq"},
}

func (v *validator) archives(path string, r *ArchiveRules) {
	if r.Calendar != "" {
		v.key(path+".calendar", r.Calendar, calendarIDRE)
	}
	levels := map[string]bool{}
	for i, l := range r.Levels {
		p := fmt.Sprintf("%s.levels[%d]", path, i)
		v.key(p+".key", l.Key, levelKeyRE)
		v.name(p+".name", l.Name)
		levels[l.Key] = true
	}
	unique(v, path+".levels", r.Levels, func(l ArchiveLevel) string { return l.Key })
	if !levels[r.DefaultLevel] {
		v.add(path+".default_level", i18n.T("须为 levels 中的一级（ARC-005）", "must be one of the levels (ARC-005)"))
	}
	depts := map[string]bool{DeptHolder: true}
	central := 0
	for i, d := range r.Departments {
		p := fmt.Sprintf("%s.departments[%d]", path, i)
		v.key(p+".key", d.Key, simpleKeyRE)
		v.name(p+".name", d.Name)
		if d.Key == DeptHolder {
			v.add(p+".key", i18n.T("holder 为保留字", "holder is reserved"))
		}
		depts[d.Key] = true
		if d.Central {
			central++
		}
	}
	unique(v, path+".departments", r.Departments, func(d ArchiveDepartment) string { return d.Key })
	if central > 1 {
		v.add(path+".departments", i18n.T("至多一个集中管理部门（central）", "at most one central office"))
	}
	dept := func(p, key string) {
		if key != "" && !depts[key] {
			v.add(p, i18n.T("未定义的档案部门 %[1]s", "unknown archive department %[1]s", key))
		}
	}
	for i, d := range r.LevelApprovers {
		dept(fmt.Sprintf("%s.level_approvers[%d]", path, i), d)
	}
	if len(r.LevelApprovers) == 0 {
		v.add(path+".level_approvers", i18n.T("至少一个审批部门（ARC-005）", "at least one approving department (ARC-005)"))
	}
	for i, c := range r.Categories {
		p := fmt.Sprintf("%s.categories[%d]", path, i)
		v.key(p+".key", c.Key, archCategoryRE)
		v.name(p+".name", c.Name)
		if c.RetentionYears < 0 || c.RetentionYears > 100 {
			v.add(p+".retention_years", i18n.T("须在 0 到 100 年之间（0 为永久，ARC-014）", "must be 0 to 100 years (0 = permanent, ARC-014)"))
		}
		dept(p+".department", c.Department)
	}
	unique(v, path+".categories", r.Categories, func(c ArchiveCategory) string { return c.Key })
	if len(r.Categories) == 0 {
		v.add(path+".categories", i18n.T("至少一个类别（ARC-001）", "at least one category (ARC-001)"))
	}
	if _, ok := r.Category(r.ComplaintCategory); !ok {
		v.add(path+".complaint_category", i18n.T("须为 categories 中的类别（ARC-017）", "must be one of the categories (ARC-017)"))
	}
	nb := r.Numbering
	for key, scheme := range map[string]string{"unit": nb.Unit, "shop": nb.Shop, "volume": nb.Volume,
		"litigation": nb.Litigation, "case_year": nb.CaseYear, "general": nb.General, "loan": nb.Loan,
		"destruction": nb.Destruction, "handover": nb.Handover} {
		p := path + ".numbering." + key
		if strings.TrimSpace(scheme) == "" || len(scheme) > 80 {
			v.add(p, i18n.T("须为 1 到 80 个字符的编号规则（ARC-010）", "must be a numbering scheme of 1 to 80 characters (ARC-010)"))
			continue
		}
		for _, m := range placeholderRE.FindAllStringSubmatch(scheme, -1) {
			if !slices.Contains(numberingFields[key], m[1]) {
				v.add(p, i18n.T("不支持占位符 {%[1]s}；可用：%[2]v", "placeholder {%[1]s} is not supported; use %[2]v",
					m[1], numberingFields[key]))
			}
		}
		if stripped := placeholderRE.ReplaceAllString(scheme, ""); strings.ContainsAny(stripped, "{}/\\ ") {
			v.add(p, i18n.T("含未识别的占位符或非法字符", "contains an unknown placeholder or a forbidden character"))
		}
		if slices.Contains(numberingFields[key], "seq") && !strings.Contains(scheme, "{seq") {
			v.add(p, i18n.T("须含 {seq}", "must contain {seq}"))
		}
	}
	for key, d := range map[string]calendar.Duration{"filing_limit": r.FilingLimit, "loan_period": r.LoanPeriod} {
		if d.Unit != calendar.CalendarDays && d.Unit != calendar.WorkingDays {
			v.add(path+"."+key, i18n.T("须为日历日或工作日（如 0d、7d、5wd）", "must be calendar or working days (e.g. 0d, 7d, 5wd)"))
		}
	}
	if r.InspectionInterval.Unit != calendar.Months || r.InspectionInterval.N < 1 {
		v.add(path+".inspection_interval", i18n.T("须为月数（如 6mo，ARC-019）", "must be months (e.g. 6mo, ARC-019)"))
	}
	if _, _, ok := calendar.PeriodOf(r.RetentionReport, calendar.D(2026, 1, 1)); !ok {
		v.add(path+".retention_report", i18n.T("须为 month、quarter、half_year 或 year", "must be month, quarter, half_year or year"))
	}
	steps := func(p string, ss []ApprovalStep) {
		if len(ss) == 0 {
			v.add(p, i18n.T("至少一个审批步骤", "at least one approval step"))
		}
		for i, st := range ss {
			sp := fmt.Sprintf("%s[%d]", p, i)
			v.key(sp+".key", st.Key, simpleKeyRE)
			v.name(sp+".name", st.Name)
			for j, role := range st.Roles {
				v.role(fmt.Sprintf("%s.roles[%d]", sp, j), role)
			}
			dept(sp+".department", st.Department)
		}
		unique(v, p, ss, func(s ApprovalStep) string { return s.Key })
	}
	for i, c := range r.LendingChains {
		p := fmt.Sprintf("%s.lending_chains[%d]", path, i)
		v.key(p+".key", c.Key, simpleKeyRE)
		v.name(p+".name", c.Name)
		steps(p+".steps", c.Steps)
	}
	unique(v, path+".lending_chains", r.LendingChains, func(c ApprovalChain) string { return c.Key })
	if _, ok := r.Chain(r.DefaultChain); !ok {
		v.add(path+".default_chain", i18n.T("须为 lending_chains 中的审批链（ARC-012）", "must be one of the lending chains (ARC-012)"))
	}
	steps(path+".destruction_chain", r.DestructionChain)
	for i, h := range r.Handovers {
		p := fmt.Sprintf("%s.handovers[%d]", path, i)
		v.key(p+".key", h.Key, simpleKeyRE)
		v.name(p+".name", h.Name)
		for _, f := range []struct{ k, d string }{{"from", h.From}, {"to", h.To}} {
			if f.d == "" || f.d == DeptHolder {
				v.add(p+"."+f.k, i18n.T("须为档案部门", "must be an archive department"))
			} else {
				dept(p+"."+f.k, f.d)
			}
		}
		if h.From == h.To && h.From != "" {
			v.add(p+".to", i18n.T("移交须在两个部门之间", "a handover is between two departments"))
		}
		switch h.Trigger {
		case HandoverEvent:
			if h.Limit.N < 1 || h.Limit.Unit == calendar.Minutes || h.Limit.Unit == calendar.Hours {
				v.add(p+".limit", i18n.T("事件移交须有期限（如 5wd、1mo）", "an event handover needs a limit (e.g. 5wd, 1mo)"))
			}
			v.name(p+".event", h.Event)
		case HandoverWeekly:
			if len(h.Weekdays) == 0 {
				v.add(p+".weekdays", i18n.T("每周移交须有星期（1–7）", "a weekly handover needs weekdays (1–7)"))
			}
			for j, d := range h.Weekdays {
				if d < 1 || d > 7 {
					v.add(fmt.Sprintf("%s.weekdays[%d]", p, j), i18n.T("须在 1（周一）到 7（周日）之间", "must be 1 (Monday) to 7 (Sunday)"))
				}
			}
		case HandoverQuarterly, HandoverHalfYearly:
		default:
			v.add(p+".trigger", i18n.T("须为 event、weekly、quarterly 或 half_yearly", "must be event, weekly, quarterly or half_yearly"))
		}
		if h.Source != "" && (h.Source != SourceSubscription || h.Trigger != HandoverEvent) {
			v.add(p+".source", i18n.T("须为 sales.subscription，且仅用于 event 移交", "must be sales.subscription, on an event handover only"))
		}
		for j, c := range h.Categories {
			if _, ok := r.Category(c); !ok {
				v.add(fmt.Sprintf("%s.categories[%d]", p, j), i18n.T("未定义的类别 %[1]s", "unknown category %[1]s", c))
			}
		}
	}
	unique(v, path+".handovers", r.Handovers, func(h HandoverSchedule) string { return h.Key })
}
