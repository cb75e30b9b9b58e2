package policy

import (
	"fmt"

	"kefu/internal/i18n"
)

// Scale is a rating scale of the pack's questionnaires, its options best
// first. A level scale (非常满意 … 非常不满意) has no scores: an answer in
// its top satisfied_top_levels options is satisfied (SUR-008). A scored
// scale (seed 004-C attachment 1: 特别优良 100 … 恶劣 0) gives every option
// a score: an answer scoring at least satisfied_min_score is satisfied
// (SUR-008, SUR-009).
type Scale struct {
	Key     string        `json:"key"`
	Name    Name          `json:"name"`
	Options []ScaleOption `json:"options"`
}

// ScaleOption is one answer of a scale.
type ScaleOption struct {
	Key   string `json:"key"`
	Name  Name   `json:"name"`
	Score *int   `json:"score,omitempty"` // nil on a level scale
}

// Scored reports whether the scale's options carry scores.
func (s *Scale) Scored() bool { return len(s.Options) > 0 && s.Options[0].Score != nil }

// Option finds an option of the scale and its position (0 = best).
func (s *Scale) Option(key string) (*ScaleOption, int, bool) {
	for i := range s.Options {
		if s.Options[i].Key == key {
			return &s.Options[i], i, true
		}
	}
	return nil, -1, false
}

// Question kinds.
const (
	QuestionScale = "scale" // answered with an option of a scale
	QuestionText  = "text"  // free text: opinions and suggestions (其它建议)
)

// Question is one question of a questionnaire.
type Question struct {
	Key  string `json:"key"`
	Text Name   `json:"text"`
	Kind string `json:"kind"`            // scale (default) or text
	Sc   string `json:"scale,omitempty"` // the scale of a scale question
	// Item: the question rates a service-catalogue item, whose
	// satisfaction is held against item_target_pct (SUR-010).
	Item bool `json:"item,omitempty"`
	// Optional questions may be left unanswered; scale questions are
	// required unless marked optional.
	Optional bool `json:"optional,omitempty"`
}

// Ways a questionnaire decides whether a form is satisfied (SUR-008).
const (
	// OverallAverage: the mean score of the scored questions is at least
	// satisfied_min_score (SUR-009: 85/30/70 → 61.67, not satisfied).
	OverallAverage = "average"
)

// Questionnaire is a survey form of the pack (调查问卷 / 走访客户报告单).
type Questionnaire struct {
	Key  string `json:"key"`
	Name Name   `json:"name"`
	// Overall names the question whose answer says whether the form is
	// satisfied, or "average" for the mean of the scored questions (SUR-008).
	Overall   string     `json:"overall"`
	Questions []Question `json:"questions"`
	Rules     []string   `json:"rules,omitempty"`
}

// Question finds a question of the questionnaire.
func (q *Questionnaire) Question(key string) (*Question, bool) {
	for i := range q.Questions {
		if q.Questions[i].Key == key {
			return &q.Questions[i], true
		}
	}
	return nil, false
}

// Questionnaire finds a questionnaire of the pack's surveys section.
func (s *SurveyRules) Questionnaire(key string) (*Questionnaire, bool) {
	for i := range s.Questionnaires {
		if s.Questionnaires[i].Key == key {
			return &s.Questionnaires[i], true
		}
	}
	return nil, false
}

// Scale finds a scale of the pack's surveys section.
func (s *SurveyRules) Scale(key string) (*Scale, bool) {
	for i := range s.Scales {
		if s.Scales[i].Key == key {
			return &s.Scales[i], true
		}
	}
	return nil, false
}

// questionnaireDefaults fills the kinds left out.
func questionnaireDefaults(s *SurveyRules) {
	for i := range s.Questionnaires {
		for j := range s.Questionnaires[i].Questions {
			if q := &s.Questionnaires[i].Questions[j]; q.Kind == "" {
				q.Kind = QuestionScale
			}
		}
	}
}

// scales checks the scales: options with keys and names, all scored or
// none, a level scale of exactly scale_levels options, scores 0–100.
func (v *validator) scales(path string, s *SurveyRules) {
	for i := range s.Scales {
		sc := &s.Scales[i]
		p := fmt.Sprintf("%s.scales[%d]", path, i)
		v.key(p+".key", sc.Key, simpleKeyRE)
		v.name(p+".name", sc.Name)
		if len(sc.Options) < 2 {
			v.add(p+".options", i18n.T("至少两个选项", "at least two options"))
			continue
		}
		scored := sc.Scored()
		for j, o := range sc.Options {
			op := fmt.Sprintf("%s.options[%d]", p, j)
			v.key(op+".key", o.Key, simpleKeyRE)
			v.name(op+".name", o.Name)
			switch {
			case (o.Score != nil) != scored:
				v.add(op+".score", i18n.T("量表的选项须全部有分值或全部没有", "either every option of a scale has a score or none has"))
			case o.Score != nil && (*o.Score < 0 || *o.Score > 100):
				v.add(op+".score", i18n.T("须在 0 到 100 之间", "must be between 0 and 100"))
			case o.Score != nil && j > 0 && sc.Options[j-1].Score != nil && *o.Score > *sc.Options[j-1].Score:
				v.add(op+".score", i18n.T("选项须由好到差排列，分值不能高于前一项", "options go best first: a score may not exceed the one before"))
			}
		}
		if !scored && len(sc.Options) != s.ScaleLevels {
			v.add(p+".options", i18n.T("等级量表须有 %d 个选项（scale_levels，SUR-008）",
				"a level scale has %d options (scale_levels, SUR-008)", s.ScaleLevels))
		}
		unique(v, p+".options", sc.Options, func(o ScaleOption) string { return o.Key })
	}
	unique(v, path+".scales", s.Scales, func(sc Scale) string { return sc.Key })
}

// questionnaires checks the questionnaires against the scales.
func (v *validator) questionnaires(path string, s *SurveyRules) {
	for i := range s.Questionnaires {
		q := &s.Questionnaires[i]
		p := fmt.Sprintf("%s.questionnaires[%d]", path, i)
		v.key(p+".key", q.Key, simpleKeyRE)
		v.name(p+".name", q.Name)
		if len(q.Questions) == 0 {
			v.add(p+".questions", i18n.T("至少一个问题", "at least one question"))
		}
		scored := 0
		for j := range q.Questions {
			qq := &q.Questions[j]
			qp := fmt.Sprintf("%s.questions[%d]", p, j)
			v.key(qp+".key", qq.Key, simpleKeyRE)
			v.name(qp+".text", qq.Text)
			switch qq.Kind {
			case QuestionScale:
				sc, ok := s.Scale(qq.Sc)
				if !ok {
					v.add(qp+".scale", i18n.T("没有量表 %q", "no scale %q", qq.Sc))
				} else if sc.Scored() {
					scored++
				}
			case QuestionText:
				if qq.Sc != "" || qq.Item {
					v.add(qp+".kind", i18n.T("文字题没有量表，也不是服务项目", "a text question has no scale and is no service item"))
				}
			default:
				v.add(qp+".kind", i18n.T("须为 scale 或 text", "must be scale or text"))
			}
		}
		unique(v, p+".questions", q.Questions, func(q Question) string { return q.Key })
		switch {
		case q.Overall == OverallAverage:
			if scored == 0 {
				v.add(p+".overall", i18n.T("按平均分判定须有计分量表的问题（SUR-009）",
					"average needs questions on a scored scale (SUR-009)"))
			}
		case q.Overall == "":
			v.add(p+".overall", i18n.T("必填：总体评价的问题或 average", "required: the overall question, or average"))
		default:
			if o, ok := q.Question(q.Overall); !ok || o.Kind != QuestionScale || o.Optional {
				v.add(p+".overall", i18n.T("须为本问卷的必答量表题或 average", "must be a required scale question of the questionnaire, or average"))
			}
		}
		v.rules(p+".rules", q.Rules)
	}
	unique(v, path+".questionnaires", s.Questionnaires, func(q Questionnaire) string { return q.Key })
}

// Satisfied says whether an answer of the scale is satisfied under the
// rules (SUR-008): a scored answer at least satisfied_min_score, a level
// answer in the top satisfied_top_levels.
func (s *SurveyRules) Satisfied(sc *Scale, option string) bool {
	o, i, ok := sc.Option(option)
	if !ok {
		return false
	}
	if o.Score != nil {
		return *o.Score >= s.SatisfiedMinScore
	}
	return i < s.SatisfiedTopLevels
}
