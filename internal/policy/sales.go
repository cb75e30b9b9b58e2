package policy

import (
	"fmt"
	"slices"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
)

// SalesRules are a pack's sales-centre rules (SAL, seed 000 arts.1, 2, 5,
// 7; seed 003-D): the rotation's make-up policy, the registration limit,
// the attribution windows and commission splits, the restricted actions
// that only the Sales Manager grants, who may read the registers (SEC-003,
// SEC-005) and the leasing variant's submission and archive-form
// deadlines. internal/sales applies them; every pack has the section,
// filled with the defaults of RULES.md where it is left out.
type SalesRules struct {
	// MakeUpPolicy is the default make-up policy of a sales centre's
	// rotation (SAL-002, G-26): art7_triggers, always or never. A sales
	// centre may choose another.
	MakeUpPolicy string `json:"makeup_policy"`
	// MaxActiveReceptions per agent (SAL-004): 1.
	MaxActiveReceptions int `json:"max_active_receptions"`
	// RegistrationLimit is how long an agent has to enter a reception in
	// the register (SAL-006): 0d, the same day.
	RegistrationLimit calendar.Duration `json:"registration_limit"`
	// ReferralWindow is the validity of a referral pre-registration
	// (SAL-014): 7d from the referred customer's visit registration.
	ReferralWindow calendar.Duration `json:"referral_window"`
	// The day-difference windows of CAL-015: family/group 30 (SAL-016),
	// unaware re-reception 60 (SAL-017), discovery after a deal 3 and the
	// deal's own window 60 (SAL-018).
	FamilyWindowDays    int `json:"family_window_days"`
	UnawareWindowDays   int `json:"unaware_window_days"`
	DiscoveryWindowDays int `json:"discovery_window_days"`
	DealWindowDays      int `json:"deal_window_days"`
	// AssistSplit is the closing/owner split when an agent helps with
	// another's customer (SAL-008, SAL-011, SAL-012, SAL-015): 20/80.
	AssistSplit Split `json:"assist_split"`
	// UnawareSplit is the split of an unaware deal discovered within the
	// discovery window (SAL-018): 50/50.
	UnawareSplit Split `json:"unaware_split"`
	// GroupBonusUpliftPct is the receiving agent's uplift on the per-head
	// group-purchase bonus (SAL-020, G-30): 10.
	GroupBonusUpliftPct int `json:"group_bonus_uplift_pct"`
	// FollowUpAlertDays: a customer with no follow-up for more than this
	// many days is shown as overdue (SAL-024): 14.
	FollowUpAlertDays int `json:"followup_alert_days"`
	// RestrictedActions are what an agent may only apply for (SAL-021):
	// releasing a unit, transferring a name, a discount, other matters.
	RestrictedActions []RestrictedAction `json:"restricted_actions,omitempty"`
	// DeciderRoles rule attribution disputes, overrule a computed
	// attribution and decide applications (SAL-021, SAL-022): the Sales
	// Manager. An administrator always may.
	DeciderRoles []auth.Role `json:"decider_roles,omitempty"`
	// Register says who reads whole registers (SEC-003, SEC-004).
	Register RegisterAccess `json:"register"`
	// InfoSources are what brought a customer (SAL-006 信息来源).
	InfoSources []SalesOption `json:"info_sources,omitempty"`
	// Leasing is the leasing variant of seed 003-D (SAL-025 to SAL-028).
	Leasing LeasingRules `json:"leasing"`
	// RuleIDs cites the RULES.md rule IDs of the section.
	RuleIDs []string `json:"rule_ids,omitempty"`
}

// The make-up policies of SAL-002.
const (
	MakeUpArt7   = "art7_triggers" // make-up only for the SAL-003 triggers [default]
	MakeUpAlways = "always"        // every skip earns a make-up (seed 000 art.5 补接)
	MakeUpNever  = "never"         // skipped, not made up (seed 000 art.2 不接)
)

// MakeUpPolicies lists them.
var MakeUpPolicies = []string{MakeUpArt7, MakeUpAlways, MakeUpNever}

// Split is a commission split in whole percent: closing agent / owner
// agent; they add up to 100.
type Split struct {
	Closing int `json:"closing"`
	Owner   int `json:"owner"`
}

// String writes "20/80".
func (s Split) String() string { return fmt.Sprintf("%d/%d", s.Closing, s.Owner) }

// RestrictedAction is a customer request only the Sales Manager grants
// (SAL-021).
type RestrictedAction struct {
	Key  string `json:"key"`
	Name Name   `json:"name"`
}

// SalesOption is a named choice of a sales form.
type SalesOption struct {
	Key  string `json:"key"`
	Name Name   `json:"name"`
}

// RegisterAccess names who reads whole registers. An agent always reads
// her own entries; a decider reads the entries of a conflict or deal she
// rules on (SAL-022); everybody else needs one of these roles or
// positions (SEC-003: the Sales Department Manager; the Project Manager
// holds the book; SEC-005: the leasing custodian, or a time-limited grant
// of the General Manager).
type RegisterAccess struct {
	ViewerRoles     []auth.Role `json:"viewer_roles,omitempty"`
	ViewerPositions []string    `json:"viewer_positions,omitempty"`
	// CustodianPositions hold the book and verify same-day registrations
	// (SAL-006: the Project Manager); custodians read the whole register.
	CustodianPositions []string `json:"custodian_positions,omitempty"`
}

// LeasingRules are the leasing variant of seed 003-D (SAL-025 to SAL-028,
// SEC-005).
type LeasingRules struct {
	// Calendar counts the daily submission: cn-office, whose close of
	// business is the end of work (CAL-008, G-58).
	Calendar string `json:"calendar"`
	// SubmitLimit: the day's 《客户信息登记表》 before the end of work: 0d.
	SubmitLimit calendar.Duration `json:"submit_limit"`
	// SpecialCutoff: in a special case, by this time the next morning
	// (SAL-025, G-55): "10:00".
	SpecialCutoff string `json:"special_cutoff"`
	// RetentionYears of customer archive forms (SAL-028, ARC-014): 10.
	RetentionYears int `json:"retention_years"`
	// GrantValidity of a General Manager's permission to view the
	// registers (SEC-005): 7d.
	GrantValidity calendar.Duration `json:"grant_validity"`
	// GrantorRoles may grant it (the General Manager): manager.
	GrantorRoles []auth.Role `json:"grantor_roles,omitempty"`
}

// The defaults of the sales section (RULES.md SAL, SEC-003, SEC-005).
var (
	DefaultRegistrationLimit = calendar.Duration{N: 0, Unit: calendar.CalendarDays}
	DefaultReferralWindow    = calendar.Duration{N: 7, Unit: calendar.CalendarDays}
	DefaultGrantValidity     = calendar.Duration{N: 7, Unit: calendar.CalendarDays}
)

// salesDefaults fills what a pack leaves out.
func salesDefaults(r *SalesRules) {
	if r.MakeUpPolicy == "" {
		r.MakeUpPolicy = MakeUpArt7
	}
	if r.MaxActiveReceptions == 0 {
		r.MaxActiveReceptions = 1
	}
	if r.RegistrationLimit == (calendar.Duration{}) {
		r.RegistrationLimit = DefaultRegistrationLimit
	}
	if r.ReferralWindow == (calendar.Duration{}) {
		r.ReferralWindow = DefaultReferralWindow
	}
	for _, w := range []struct {
		p *int
		v int
	}{{&r.FamilyWindowDays, 30}, {&r.UnawareWindowDays, 60}, {&r.DiscoveryWindowDays, 3},
		{&r.DealWindowDays, 60}, {&r.GroupBonusUpliftPct, 10}, {&r.FollowUpAlertDays, 14}} {
		if *w.p == 0 {
			*w.p = w.v
		}
	}
	if r.AssistSplit == (Split{}) {
		r.AssistSplit = Split{Closing: 20, Owner: 80}
	}
	if r.UnawareSplit == (Split{}) {
		r.UnawareSplit = Split{Closing: 50, Owner: 50}
	}
	if r.RestrictedActions == nil {
		r.RestrictedActions = []RestrictedAction{
			{Key: "release_unit", Name: Name{ZH: "放盘", EN: "Release a unit"}},
			{Key: "transfer_name", Name: Name{ZH: "转名", EN: "Transfer the name"}},
			{Key: "discount", Name: Name{ZH: "折扣", EN: "Discount"}},
			{Key: "other", Name: Name{ZH: "其他申请事项", EN: "Other matter"}},
		}
	}
	if r.DeciderRoles == nil {
		r.DeciderRoles = []auth.Role{auth.RoleSalesManager}
	}
	if r.Register.ViewerRoles == nil && r.Register.ViewerPositions == nil {
		r.Register.ViewerPositions = []string{"销售部经理"}
	}
	if r.Register.CustodianPositions == nil {
		r.Register.CustodianPositions = []string{"项目经理"}
	}
	l := &r.Leasing
	if l.Calendar == "" {
		l.Calendar = "cn-office"
	}
	if l.SubmitLimit == (calendar.Duration{}) {
		l.SubmitLimit = DefaultRegistrationLimit
	}
	if l.SpecialCutoff == "" {
		l.SpecialCutoff = "10:00"
	}
	if l.RetentionYears == 0 {
		l.RetentionYears = 10
	}
	if l.GrantValidity == (calendar.Duration{}) {
		l.GrantValidity = DefaultGrantValidity
	}
	if l.GrantorRoles == nil {
		l.GrantorRoles = []auth.Role{auth.RoleManager}
	}
}

// RestrictedAction returns the named restricted action.
func (r *SalesRules) RestrictedAction(key string) (RestrictedAction, bool) {
	for _, a := range r.RestrictedActions {
		if a.Key == key {
			return a, true
		}
	}
	return RestrictedAction{}, false
}

func (v *validator) sales(path string, r *SalesRules) {
	if !slices.Contains(MakeUpPolicies, r.MakeUpPolicy) {
		v.add(path+".makeup_policy", i18n.T("须为 art7_triggers、always 或 never（SAL-002）",
			"must be art7_triggers, always or never (SAL-002)"))
	}
	if r.MaxActiveReceptions < 1 || r.MaxActiveReceptions > 5 {
		v.add(path+".max_active_receptions", i18n.T("须在 1 到 5 之间（SAL-004）", "must be 1 to 5 (SAL-004)"))
	}
	for _, d := range []struct {
		key string
		d   calendar.Duration
	}{{"registration_limit", r.RegistrationLimit}, {"referral_window", r.ReferralWindow},
		{"leasing.submit_limit", r.Leasing.SubmitLimit}, {"leasing.grant_validity", r.Leasing.GrantValidity}} {
		if d.d.Unit != calendar.CalendarDays {
			v.add(path+"."+d.key, i18n.T("须为日历日（如 0d、7d）", "must be calendar days (e.g. 0d, 7d)"))
		}
	}
	for _, w := range []struct {
		key string
		n   int
	}{{"family_window_days", r.FamilyWindowDays}, {"unaware_window_days", r.UnawareWindowDays},
		{"discovery_window_days", r.DiscoveryWindowDays}, {"deal_window_days", r.DealWindowDays},
		{"followup_alert_days", r.FollowUpAlertDays}} {
		if w.n < 1 || w.n > 3660 {
			v.add(path+"."+w.key, i18n.T("须在 1 到 3660 天之间", "must be 1 to 3660 days"))
		}
	}
	if r.GroupBonusUpliftPct < 0 || r.GroupBonusUpliftPct > 100 {
		v.add(path+".group_bonus_uplift_pct", i18n.T("须在 0 到 100 之间（SAL-020）", "must be 0 to 100 (SAL-020)"))
	}
	for key, s := range map[string]Split{"assist_split": r.AssistSplit, "unaware_split": r.UnawareSplit} {
		if s.Closing < 0 || s.Owner < 0 || s.Closing+s.Owner != 100 {
			v.add(path+"."+key, i18n.T("成交方与归属方比例须为非负且合计 100", "closing and owner shares must be non-negative and add up to 100"))
		}
	}
	for i, a := range r.RestrictedActions {
		p := fmt.Sprintf("%s.restricted_actions[%d]", path, i)
		v.key(p+".key", a.Key, simpleKeyRE)
		v.name(p+".name", a.Name)
	}
	unique(v, path+".restricted_actions", r.RestrictedActions, func(a RestrictedAction) string { return a.Key })
	for i, o := range r.InfoSources {
		p := fmt.Sprintf("%s.info_sources[%d]", path, i)
		v.key(p+".key", o.Key, simpleKeyRE)
		v.name(p+".name", o.Name)
	}
	unique(v, path+".info_sources", r.InfoSources, func(o SalesOption) string { return o.Key })
	for i, role := range r.DeciderRoles {
		v.role(fmt.Sprintf("%s.decider_roles[%d]", path, i), role)
	}
	for i, role := range r.Register.ViewerRoles {
		v.role(fmt.Sprintf("%s.register.viewer_roles[%d]", path, i), role)
	}
	for i, role := range r.Leasing.GrantorRoles {
		v.role(fmt.Sprintf("%s.leasing.grantor_roles[%d]", path, i), role)
	}
	v.key(path+".leasing.calendar", r.Leasing.Calendar, calendarIDRE)
	if _, err := calendar.ParseClock(r.Leasing.SpecialCutoff); err != nil {
		v.add(path+".leasing.special_cutoff", i18n.T("须为 HH:MM 时刻（SAL-025）", "must be a time HH:MM (SAL-025)"))
	}
	if r.Leasing.RetentionYears < 1 || r.Leasing.RetentionYears > 100 {
		v.add(path+".leasing.retention_years", i18n.T("须在 1 到 100 年之间（SAL-028）", "must be 1 to 100 years (SAL-028)"))
	}
	v.rules(path+".rule_ids", r.RuleIDs)
}
