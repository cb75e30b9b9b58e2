package policy

import (
	"slices"
	"strings"
	"testing"
)

// TestBuiltinQuestionnaires: property asks the owners' questionnaire with
// the eleven service-catalogue items of seed 002 art.1 on a 5-level scale
// (SUR-008, SUR-010); general carries the visit report of seed 004-C
// attachment 1 with the SUR-009 scores, satisfied by the average.
func TestBuiltinQuestionnaires(t *testing.T) {
	packs, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]*Pack{}
	for _, p := range packs {
		byKey[p.Key] = p
		if len(p.Surveys.Questionnaires) == 0 || p.Surveys.LinkValidHours != 72 || p.Surveys.PlanApprover != "manager" {
			t.Errorf("%s: %d questionnaires, link %d h", p.Key, len(p.Surveys.Questionnaires), p.Surveys.LinkValidHours)
		}
	}
	s := byKey["property"].Surveys
	q, ok := s.Questionnaire("owner")
	if !ok || q.Overall != "overall" {
		t.Fatalf("property owner questionnaire: %+v", q)
	}
	items := 0
	for _, qq := range q.Questions {
		if qq.Item {
			items++
		}
	}
	if items != 11 || len(q.Questions) != 13 {
		t.Errorf("owner: %d items of %d questions", items, len(q.Questions))
	}
	five, _ := s.Scale("five_level")
	for i, want := range []bool{true, true, false, false, false} { // top 2 of 5 (SUR-008)
		if got := s.Satisfied(five, five.Options[i].Key); got != want {
			t.Errorf("five_level %s satisfied = %v", five.Options[i].Key, got)
		}
	}

	g := byKey["general"].Surveys
	vr, ok := g.Questionnaire("visit_report")
	if !ok || vr.Overall != OverallAverage {
		t.Fatalf("general visit_report: %+v", vr)
	}
	scores := func(key string) []int {
		sc, _ := g.Scale(key)
		var out []int
		for _, o := range sc.Options {
			out = append(out, *o.Score)
		}
		return out
	}
	for key, want := range map[string][]int{ // SUR-009, G-21
		"quality":     {100, 90, 85, 80, 70, 60},
		"service":     {100, 90, 85, 80, 30, 0},
		"recognition": {100, 90, 85, 80, 70, 60, 50},
	} {
		if got := scores(key); !slices.Equal(got, want) {
			t.Errorf("%s scores %v, want %v", key, got, want)
		}
	}
	svc, _ := g.Scale("service")
	if !g.Satisfied(svc, "good") || g.Satisfied(svc, "fair") { // ≥ 85 (SUR-008)
		t.Error("service: good (85) is satisfied, fair (80) is not")
	}
}

// TestQuestionnaireErrors: each broken questionnaire or scale is reported
// with its path and line.
func TestQuestionnaireErrors(t *testing.T) {
	const five = "surveys:\n  scales:\n    - key: five\n      name: {zh: 五级}\n      options:\n" +
		"        - {key: a, name: {zh: 甲}}\n        - {key: b, name: {zh: 乙}}\n        - {key: c, name: {zh: 丙}}\n" +
		"        - {key: d, name: {zh: 丁}}\n        - {key: e, name: {zh: 戊}}\n"
	const scored = "    - key: sc\n      name: {zh: 计分}\n      options:\n        - {key: a, name: {zh: 甲}, score: 100}\n" +
		"        - {key: b, name: {zh: 乙}, score: 60}\n"
	const q = "  questionnaires:\n    - key: q\n      name: {zh: 问卷}\n      overall: %s\n      questions:\n" +
		"        - {key: o, text: {zh: 总体}, scale: five}\n        - {key: t, text: {zh: 建议}, kind: text, optional: true}\n"
	for _, c := range []struct{ yaml, path string }{
		{five + strings.Replace(q, "%s", "nope", 1), "surveys.questionnaires[0].overall"},
		{five + strings.Replace(q, "%s", "t", 1), "surveys.questionnaires[0].overall"},       // a text question
		{five + strings.Replace(q, "%s", "average", 1), "surveys.questionnaires[0].overall"}, // nothing scored
		{five + strings.Replace(q, "%s", "o", 1) + "        - {key: x, text: {zh: 某}, scale: nope}\n", "surveys.questionnaires[0].questions[2].scale"},
		{five + strings.Replace(q, "%s", "o", 1) + "        - {key: o, text: {zh: 重}, scale: five}\n", "surveys.questionnaires[0].questions[2].key"},
		{five + strings.Replace(q, "%s", "o", 1) + "        - {key: y, text: {zh: 某}, kind: essay}\n", "surveys.questionnaires[0].questions[2].kind"},
		{five + strings.Replace(q, "%s", "o", 1) + "        - {key: y, text: {zh: 某}, kind: text, item: true}\n", "surveys.questionnaires[0].questions[2].kind"},
		{strings.Replace(five, "        - {key: e, name: {zh: 戊}}\n", "", 1), "surveys.scales[0].options"}, // 4 levels, scale_levels 5
		{five + strings.Replace(scored, "score: 60", "score: 160", 1), "surveys.scales[1].options[1].score"},
		{five + strings.Replace(scored, "score: 60", "score: 100", 1) + "        - {key: c, name: {zh: 丙}, score: 101}\n", "surveys.scales[1].options[2].score"},
		{five + strings.Replace(scored, ", score: 60", "", 1), "surveys.scales[1].options[1].score"}, // mixed
		{five + "    - key: sc\n      name: {zh: 少}\n      options:\n        - {key: a, name: {zh: 甲}, score: 1}\n", "surveys.scales[1].options"},
		{"surveys:\n  link_valid_hours: 0\n", ""},
		{"surveys:\n  link_valid_hours: 3000\n", "surveys.link_valid_hours"},
		{"surveys:\n  plan_approver: boss\n", "surveys.plan_approver"}, // SUR-002
	} {
		_, probs := Parse("mini.yaml", []byte(minimal+c.yaml))
		if c.path == "" { // 0 is left out: the default applies
			if len(probs) > 0 {
				t.Errorf("%q: %v", c.yaml, probs)
			}
			continue
		}
		if !slices.ContainsFunc(probs, func(p Problem) bool { return p.Path == c.path && p.Line > 0 }) {
			t.Errorf("%q: problems %v, want one at %s", strings.TrimSpace(c.yaml), probs, c.path)
		}
	}
	// The well-formed section parses.
	if _, probs := Parse("mini.yaml", []byte(minimal+five+scored+strings.Replace(q, "%s", "o", 1))); len(probs) > 0 {
		t.Errorf("valid questionnaire: %v", probs)
	}
}
