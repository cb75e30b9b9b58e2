package survey_test

import (
	"net/http"
	"testing"

	"kefu/internal/policy"
	"kefu/internal/survey"
)

// TestScoreVisitReport: the SUR-009 example — quality 良好 (85), service
// 不好 (30), product 知名 (70) → row scores 85/30/70, average 61.67, not
// satisfied (SUR-008: ≥ 85); a form averaging exactly 85 is satisfied;
// bad answers name the question.
func TestScoreVisitReport(t *testing.T) {
	packs, err := policy.Builtins()
	if err != nil {
		t.Fatal(err)
	}
	var rules policy.SurveyRules
	for _, p := range packs {
		if p.Key == "general" {
			rules = p.Surveys
		}
	}
	q, ok := rules.Questionnaire("visit_report")
	if !ok {
		t.Fatal("no visit_report in the general pack")
	}
	for _, c := range []struct {
		quality, service, recognition string
		score                         float64
		satisfied                     bool
	}{
		{"good", "poor", "known", 61.67, false},
		{"good", "good", "well_known", 85, true},             // 85/85/85
		{"outstanding", "fair", "fairly_known", 86.67, true}, // 100/80/80
		{"outstanding", "abysmal", "renowned", 66.67, false}, // 100/0/100
	} {
		f, err := survey.ScoreForm(rules, q, map[string]string{"quality": c.quality, "service": c.service,
			"recognition": c.recognition, "suggestions": "希望加快配送"})
		if err != nil {
			t.Fatal(err)
		}
		if f.Score == nil || *f.Score != c.score || f.Satisfied != c.satisfied {
			t.Errorf("%s/%s/%s: score %v satisfied %v, want %v %v", c.quality, c.service, c.recognition,
				f.Score, f.Satisfied, c.score, c.satisfied)
		}
	}
	for _, c := range []struct {
		answers map[string]string
		field   string
	}{
		{map[string]string{"quality": "good", "service": "poor"}, "answers.recognition"},
		{map[string]string{"quality": "great", "service": "poor", "recognition": "known"}, "answers.quality"},
		{map[string]string{"quality": "good", "service": "poor", "recognition": "known", "price": "low"}, "answers.price"},
	} {
		_, err := survey.ScoreForm(rules, q, c.answers)
		wantErr(t, err, http.StatusUnprocessableEntity, c.field)
	}
}
