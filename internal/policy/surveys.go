package policy

import (
	"slices"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
)

// SurveyRules is the pack's section for satisfaction surveys (SUR): how
// often a campaign runs, the quality targets of the campaign itself
// (distribution, return, verification and authenticity rates), the
// deduction for a return rate below its target, when a response counts as
// satisfied, and the satisfaction targets. Percentages are whole
// percentage points; every target is met at the value itself ("以上",
// "不少于": inclusive).
type SurveyRules struct {
	// Cadence: the next survey is due this long after the close of the
	// last one, a rolling interval (SUR-001, CAL-010, G-19): property 6mo,
	// the other packs 12mo.
	Cadence calendar.Duration `json:"cadence"`
	// PlanningLeadDays: the survey-planning task opens this many days
	// before the due date (SUR-001: 30, a lead time, CAL-015).
	PlanningLeadDays int `json:"planning_lead_days"`
	// DistributionPct: forms go to at least this share of the occupied
	// households (SUR-004: 80).
	DistributionPct int `json:"distribution_pct"`
	// ReturnPct: at least this share of the distributed forms comes back
	// (SUR-005: 85).
	ReturnPct int `json:"return_pct"`
	// VerificationPct: at least this share of the returned forms is
	// verified with the household (SUR-006: 5; i.e. ceil(5 % × returned)).
	VerificationPct int `json:"verification_pct"`
	// AuthenticityPct: at least this share of the verified forms is
	// authentic (SUR-006: 95).
	AuthenticityPct int `json:"authenticity_pct"`
	// DeductionPerPoint: percentage points taken off the overall
	// satisfaction rate for each percentage point of return rate below
	// ReturnPct (SUR-007: 1).
	DeductionPerPoint int `json:"deduction_per_point"`
	// DeductionFractions: how a part of a point below the return target
	// counts: "proportional" (SUR-007: fractional points deducted
	// proportionally, the default) or "whole_points" (only each full point
	// below counts, the literal reading of seed 000 art.10 "每低一个百分点").
	DeductionFractions string `json:"deduction_fractions"`
	// ScaleLevels and SatisfiedTopLevels: a response is satisfied when its
	// overall answer is in the top SatisfiedTopLevels of a ScaleLevels-level
	// scale (SUR-008, G-20: top 2 of 5).
	ScaleLevels        int `json:"scale_levels"`
	SatisfiedTopLevels int `json:"satisfied_top_levels"`
	// SatisfiedMinScore: on the visit-report scale (SUR-009) a response
	// scoring at least this is satisfied (SUR-008, G-20: 85).
	SatisfiedMinScore int `json:"satisfied_min_score"`
	// ItemTargetPct: the satisfaction target of each service-catalogue
	// item (SUR-010: 95).
	ItemTargetPct int `json:"item_target_pct"`
	// MonthlyTargetPct: the monthly owner satisfaction target of the
	// complaints and inquiries function (SUR-010: 90).
	MonthlyTargetPct int `json:"monthly_target_pct"`
	// ReportKeepMonths, FormsKeepMonths and PlanKeepMonths are how long a
	// closed campaign's report, original forms and plan are kept (ARC-014:
	// 24, 24 and 12 months, counted as CAL-007, not moved off holidays).
	ReportKeepMonths int `json:"report_keep_months"`
	FormsKeepMonths  int `json:"forms_keep_months"`
	PlanKeepMonths   int `json:"plan_keep_months"`
	// PlanApprover is the role that approves a survey plan after its
	// review (SUR-002, ARC-018: the company manager).
	PlanApprover auth.Role `json:"plan_approver"`
	// LinkValidHours: a customer's survey link (no login, one use) expires
	// this long after it is issued, and never after the campaign's end
	// (default 72).
	LinkValidHours int `json:"link_valid_hours"`
	// Scales and Questionnaires are the pack's survey forms: the rating
	// scales of the seeds (SUR-008, SUR-009) and the questions asked.
	Scales         []Scale         `json:"scales,omitempty"`
	Questionnaires []Questionnaire `json:"questionnaires,omitempty"`
	// Rules cites the RULES.md rule IDs of the section.
	Rules []string `json:"rules,omitempty"`
}

// How a fraction of a point below the return target is deducted (SUR-007).
const (
	DeductProportional = "proportional"
	DeductWholePoints  = "whole_points"
)

// DeductionModes are the values of SurveyRules.DeductionFractions.
var DeductionModes = []string{DeductProportional, DeductWholePoints}

// DefaultSurveyRules are the RULES.md defaults of the surveys section
// (SUR-001, SUR-004 to SUR-008, SUR-010), filled into a pack that leaves
// them out. The cadence is the one of every pack but property (12mo).
func DefaultSurveyRules() SurveyRules {
	return SurveyRules{
		Cadence:            calendar.Duration{N: 12, Unit: calendar.Months},
		PlanningLeadDays:   30,
		DistributionPct:    80,
		ReturnPct:          85,
		VerificationPct:    5,
		AuthenticityPct:    95,
		DeductionPerPoint:  1,
		DeductionFractions: DeductProportional,
		ScaleLevels:        5,
		SatisfiedTopLevels: 2,
		SatisfiedMinScore:  85,
		ItemTargetPct:      95,
		MonthlyTargetPct:   90,
		ReportKeepMonths:   24,
		FormsKeepMonths:    24,
		PlanKeepMonths:     12,
		LinkValidHours:     72,
		PlanApprover:       auth.RoleManager,
	}
}

// surveyDefaults fills what the surveys section may leave out, so a pack
// stored before the section existed still computes survey statistics.
func surveyDefaults(s *SurveyRules) {
	d := DefaultSurveyRules()
	if s.Cadence == (calendar.Duration{}) {
		s.Cadence = d.Cadence
	}
	for _, f := range []struct{ v, def *int }{
		{&s.PlanningLeadDays, &d.PlanningLeadDays}, {&s.DistributionPct, &d.DistributionPct},
		{&s.ReturnPct, &d.ReturnPct}, {&s.VerificationPct, &d.VerificationPct},
		{&s.AuthenticityPct, &d.AuthenticityPct}, {&s.DeductionPerPoint, &d.DeductionPerPoint},
		{&s.ScaleLevels, &d.ScaleLevels}, {&s.SatisfiedTopLevels, &d.SatisfiedTopLevels},
		{&s.SatisfiedMinScore, &d.SatisfiedMinScore}, {&s.ItemTargetPct, &d.ItemTargetPct},
		{&s.MonthlyTargetPct, &d.MonthlyTargetPct}, {&s.ReportKeepMonths, &d.ReportKeepMonths},
		{&s.FormsKeepMonths, &d.FormsKeepMonths}, {&s.PlanKeepMonths, &d.PlanKeepMonths},
		{&s.LinkValidHours, &d.LinkValidHours},
	} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
	if s.DeductionFractions == "" {
		s.DeductionFractions = d.DeductionFractions
	}
	if s.PlanApprover == "" {
		s.PlanApprover = d.PlanApprover
	}
	questionnaireDefaults(s)
}

// surveys checks the surveys section.
func (v *validator) surveys(path string, s *SurveyRules) {
	if s.Cadence.Unit != calendar.Months && s.Cadence.Unit != calendar.CalendarDays || s.Cadence.N < 1 {
		v.add(path+".cadence", i18n.T("须为月数或天数，如 6mo、12mo（SUR-001）", "must be months or days, e.g. 6mo or 12mo (SUR-001)"))
	}
	if s.PlanningLeadDays < 1 || s.PlanningLeadDays > 366 {
		v.add(path+".planning_lead_days", i18n.T("须在 1 到 366 之间", "must be between 1 and 366"))
	}
	for _, f := range []struct {
		field string
		v     int
	}{{"distribution_pct", s.DistributionPct}, {"return_pct", s.ReturnPct}, {"verification_pct", s.VerificationPct},
		{"authenticity_pct", s.AuthenticityPct}, {"deduction_per_point", s.DeductionPerPoint},
		{"satisfied_min_score", s.SatisfiedMinScore}, {"item_target_pct", s.ItemTargetPct},
		{"monthly_target_pct", s.MonthlyTargetPct}} {
		if f.v < 1 || f.v > 100 {
			v.add(path+"."+f.field, i18n.T("须在 1 到 100 之间", "must be between 1 and 100"))
		}
	}
	for _, f := range []struct {
		field string
		v     int
	}{{"report_keep_months", s.ReportKeepMonths}, {"forms_keep_months", s.FormsKeepMonths}, {"plan_keep_months", s.PlanKeepMonths}} {
		if f.v < 1 || f.v > 1200 {
			v.add(path+"."+f.field, i18n.T("须在 1 到 1200 之间", "must be between 1 and 1200"))
		}
	}
	if !slices.Contains(DeductionModes, s.DeductionFractions) {
		v.add(path+".deduction_fractions", i18n.T("须为 proportional 或 whole_points（SUR-007）",
			"must be proportional or whole_points (SUR-007)"))
	}
	if s.ScaleLevels < 2 || s.ScaleLevels > 10 {
		v.add(path+".scale_levels", i18n.T("须在 2 到 10 之间", "must be between 2 and 10"))
	} else if s.SatisfiedTopLevels < 1 || s.SatisfiedTopLevels >= s.ScaleLevels {
		v.add(path+".satisfied_top_levels", i18n.T("须在 1 到 %d 之间（少于量表级数，SUR-008）",
			"must be between 1 and %d (fewer than the scale's levels, SUR-008)", s.ScaleLevels-1))
	}
	if s.LinkValidHours < 1 || s.LinkValidHours > 24*90 {
		v.add(path+".link_valid_hours", i18n.T("须在 1 到 2160 之间", "must be between 1 and 2160"))
	}
	v.role(path+".plan_approver", s.PlanApprover)
	v.scales(path, s)
	v.questionnaires(path, s)
	v.rules(path+".rules", s.Rules)
}
