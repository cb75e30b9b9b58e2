package survey

// The survey report (调查报告, RPT-004): the campaign's rates against the
// pack's targets, the deducted satisfaction, and — for a campaign run on a
// questionnaire — every question's answers, its satisfaction rate (items
// against item_target_pct, SUR-010), the mean scores (SUR-009), the
// customers' comments and the forms found fake with their distributors
// (SUR-006), with the plan's approval block (SUR-002) on the campaign and
// the corrective actions (SUR-003).

import (
	"context"
	"math/big"
	"sort"

	"kefu/internal/auth"
	"kefu/internal/policy"
	"kefu/internal/sample"
	"kefu/internal/store"
)

// Report is a campaign's report.
type Report struct {
	Campaign *Campaign `json:"campaign"`
	Targets  Targets   `json:"targets"`
	// VerificationQuota: forms to verify, ceil(verification_pct × returned).
	VerificationQuota int `json:"verification_quota"`
	// Questions: per question of the questionnaire (nil for a campaign
	// whose counts are entered by hand).
	Questions []QuestionStats `json:"questions,omitempty"`
	// Channels: returned forms per way of answering.
	Channels map[string]int `json:"channels,omitempty"`
	// Fake: the forms found fake, for the plan's penalties (SUR-006).
	Fake []FakeForm `json:"fake,omitempty"`
	// Actions: the corrective actions of the issues found (SUR-003).
	Actions []*Action `json:"actions"`
}

// Targets are the pack's targets the report holds the campaign against.
type Targets struct {
	DistributionPct  int    `json:"distribution_pct"`
	ReturnPct        int    `json:"return_pct"`
	VerificationPct  int    `json:"verification_pct"`
	AuthenticityPct  int    `json:"authenticity_pct"`
	ItemTargetPct    int    `json:"item_target_pct"`
	MonthlyTargetPct int    `json:"monthly_target_pct"`
	DeductionPer     int    `json:"deduction_per_point"`
	Deduction        string `json:"deduction_fractions"`
}

// TargetsOf are the targets of a pack's survey rules.
func TargetsOf(r policy.SurveyRules) Targets {
	return Targets{DistributionPct: r.DistributionPct, ReturnPct: r.ReturnPct, VerificationPct: r.VerificationPct,
		AuthenticityPct: r.AuthenticityPct, ItemTargetPct: r.ItemTargetPct, MonthlyTargetPct: r.MonthlyTargetPct,
		DeductionPer: r.DeductionPerPoint, Deduction: r.DeductionFractions}
}

// QuestionStats are the answers of one question over the valid forms
// (returned, not fake).
type QuestionStats struct {
	Key  string      `json:"key"`
	Text policy.Name `json:"text"`
	Kind string      `json:"kind"`
	Item bool        `json:"item,omitempty"`
	// Answered: valid forms answering it; Satisfied: of those, satisfied
	// answers (SUR-008); Rate: Satisfied ÷ Answered, two decimals.
	Answered  int      `json:"answered"`
	Satisfied int      `json:"satisfied"`
	Rate      *float64 `json:"rate,omitempty"`
	// Target and Meets: a service item's target (SUR-010) and whether
	// the rate reaches it.
	Target    int          `json:"target,omitempty"`
	Meets     *bool        `json:"meets,omitempty"`
	MeanScore *float64     `json:"mean_score,omitempty"` // on a scored scale (SUR-009)
	Options   []OptionStat `json:"options,omitempty"`
	Comments  []string     `json:"comments,omitempty"` // a text question's answers, up to 500
}

// OptionStat counts one option's answers.
type OptionStat struct {
	Key   string      `json:"key"`
	Name  policy.Name `json:"name"`
	Score *int        `json:"score,omitempty"`
	Count int         `json:"count"`
}

// FakeForm is a form found fake.
type FakeForm struct {
	Number        string   `json:"number"`
	Household     string   `json:"household"`
	DistributorID store.ID `json:"distributor_id,omitempty"`
	Note          string   `json:"note"`
}

// maxComments bounds the comments a report lists per question.
const maxComments = 500

// Report is the report of a campaign p may see.
func (s *Service) Report(ctx context.Context, p *auth.Principal, id store.ID) (*Report, error) {
	r, _, err := s.report(ctx, p, id)
	return r, err
}

// report is the report with the campaign's forms (every status, by
// serial), read once for the report and its .xlsx.
func (s *Service) report(ctx context.Context, p *auth.Principal, id store.ID) (*Report, []*Form, error) {
	c, err := s.Get(ctx, p, id)
	if err != nil {
		return nil, nil, err
	}
	rules := s.rules(c.Pack, c.PackVersion)
	r := &Report{Campaign: c, VerificationQuota: sample.Quota(rules.VerificationPct, c.Returned), Targets: TargetsOf(rules)}
	if r.Actions, err = s.actions(ctx, s.db.Reader(), c); err != nil {
		return nil, nil, err
	}
	if c.Questionnaire == "" {
		return r, nil, nil
	}
	_, q, err := s.questionnaire(c)
	if err != nil {
		return nil, nil, err
	}
	forms, err := store.QueryAll(ctx, s.db.Reader(), func(sc store.Scanner) (*Form, error) { return scanForm(sc, c.Number) },
		"SELECT "+formColumns+" FROM survey_forms f WHERE f.campaign_id = ? ORDER BY f.serial", c.ID)
	if err != nil {
		return nil, nil, err
	}
	r.Questions, r.Channels, r.Fake = tally(rules, q, forms)
	return r, forms, nil
}

// tally counts the answers of the returned forms (the others have none);
// fake forms are left out of the statistics (SUR-006) and listed.
func tally(rules policy.SurveyRules, q *policy.Questionnaire, forms []*Form) ([]QuestionStats, map[string]int, []FakeForm) {
	channels := map[string]int{}
	var fake []FakeForm
	stats := make([]QuestionStats, len(q.Questions))
	sums := make([]int64, len(q.Questions))
	scoredN := make([]int, len(q.Questions))
	for i, qq := range q.Questions {
		stats[i] = QuestionStats{Key: qq.Key, Text: qq.Text, Kind: qq.Kind, Item: qq.Item}
		if sc, ok := rules.Scale(qq.Sc); ok {
			for _, o := range sc.Options {
				stats[i].Options = append(stats[i].Options, OptionStat{Key: o.Key, Name: o.Name, Score: o.Score})
			}
		}
	}
	for _, f := range forms {
		if f.Status != FormReturned {
			continue
		}
		channels[f.Channel]++
		if f.VerifyResult == VerifyFake {
			fake = append(fake, FakeForm{Number: f.Number, Household: f.Household, DistributorID: f.DistributorID, Note: f.VerifyNote})
			continue
		}
		for i, qq := range q.Questions {
			v, ok := f.Answers[qq.Key]
			if !ok {
				continue
			}
			st := &stats[i]
			st.Answered++
			if qq.Kind == policy.QuestionText {
				if len(st.Comments) < maxComments {
					st.Comments = append(st.Comments, v)
				}
				continue
			}
			sc, _ := rules.Scale(qq.Sc)
			o, j, ok := sc.Option(v)
			if !ok {
				continue
			}
			st.Options[j].Count++
			if rules.Satisfied(sc, v) {
				st.Satisfied++
			}
			if o.Score != nil {
				sums[i] += int64(*o.Score)
				scoredN[i]++
			}
		}
	}
	for i := range stats {
		st := &stats[i]
		if st.Kind == policy.QuestionText || st.Answered == 0 {
			continue
		}
		rate := percent(st.Satisfied, st.Answered)
		v := round2(rate)
		st.Rate = &v
		if st.Item {
			meets := rate.Cmp(whole(rules.ItemTargetPct)) >= 0
			st.Target, st.Meets = rules.ItemTargetPct, &meets
		}
		if scoredN[i] > 0 {
			m := round2(new(big.Rat).SetFrac64(sums[i], int64(scoredN[i])))
			st.MeanScore = &m
		}
	}
	sort.SliceStable(fake, func(a, b int) bool { return fake[a].Number < fake[b].Number })
	return stats, channels, fake
}
