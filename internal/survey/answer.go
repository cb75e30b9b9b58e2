package survey

// Answering a form: by staff on the phone (电话调查), in person with the
// customer signing on screen, from a returned paper form, or by the
// customer through a link (link.go). Every answer is checked against the
// campaign's questionnaire; the form's score (SUR-009) and whether it is
// satisfied (SUR-008) are worked out once, when it is returned.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Limits of an answer.
const (
	MaxAnswerText = 1000      // characters of a text answer
	MaxSignature  = 512 << 10 // bytes of a signature image
	// SignaturePrefix starts the PNG data URL of an on-screen signature.
	SignaturePrefix = "data:image/png;base64,"
)

// StaffChannels are the ways staff answer a form.
var StaffChannels = []string{AnswerPhone, AnswerFaceToFace, AnswerPaper}

// AnswerInput answers a form (POST /api/v1/surveys/{id}/forms/{form}/answers,
// and the customer's link without channel and signature).
type AnswerInput struct {
	// Channel: phone, face_to_face (the customer signs on screen) or paper.
	Channel string `json:"channel"`
	// Answers: question key → option key of its scale, or the text.
	Answers map[string]string `json:"answers"`
	// Signature: the customer's signature as a PNG data URL; required in
	// person (face_to_face).
	Signature string `json:"signature"`
}

// Sheet is a questionnaire as a form shows it, with the options of every
// question (for the staff form and the customer's page).
type Sheet struct {
	Key       string          `json:"key"`
	Name      policy.Name     `json:"name"`
	Questions []SheetQuestion `json:"questions"`
}

// SheetQuestion is one question of a sheet.
type SheetQuestion struct {
	Key      string               `json:"key"`
	Text     policy.Name          `json:"text"`
	Kind     string               `json:"kind"`
	Item     bool                 `json:"item,omitempty"`
	Optional bool                 `json:"optional,omitempty"`
	Options  []policy.ScaleOption `json:"options,omitempty"`
}

// Verdict is what a form's answers come to.
type Verdict struct {
	Answers map[string]string // the answers kept: trimmed, the unanswered optional ones left out
	// Score: the mean score of the scored questions, two decimals, nil
	// when the questionnaire scores nothing (SUR-009).
	Score     *float64
	Satisfied bool // SUR-008
	scoreX100 int64
}

// questionnaire is the campaign's questionnaire under its pack version.
func (s *Service) questionnaire(c *Campaign) (policy.SurveyRules, *policy.Questionnaire, error) {
	rules := s.rules(c.Pack, c.PackVersion)
	q, ok := rules.Questionnaire(c.Questionnaire)
	if !ok {
		return rules, nil, apperr.Conflict("questionnaire", i18n.T("政策包 %[1]s 版本 %[2]d 没有问卷 %[3]q",
			"the pack %[1]s version %[2]d has no questionnaire %[3]q", c.Pack, c.PackVersion, c.Questionnaire))
	}
	return rules, q, nil
}

// SheetOf is the questionnaire of a campaign as a sheet.
func (s *Service) SheetOf(c *Campaign) (*Sheet, error) {
	rules, q, err := s.questionnaire(c)
	if err != nil {
		return nil, err
	}
	sh := &Sheet{Key: q.Key, Name: q.Name}
	for _, qq := range q.Questions {
		sq := SheetQuestion{Key: qq.Key, Text: qq.Text, Kind: qq.Kind, Item: qq.Item, Optional: qq.Optional}
		if sc, ok := rules.Scale(qq.Sc); ok {
			sq.Options = sc.Options
		}
		sh.Questions = append(sh.Questions, sq)
	}
	return sh, nil
}

// ScoreForm checks answers against a questionnaire and works out the
// form's mean score of the scored questions and whether it is satisfied:
// by the overall question's answer, or by the mean score (SUR-008,
// SUR-009). Errors name the field: answers.<question>.
func ScoreForm(rules policy.SurveyRules, q *policy.Questionnaire, answers map[string]string) (Verdict, error) {
	out := Verdict{Answers: map[string]string{}, scoreX100: -1}
	for key := range answers {
		if _, ok := q.Question(key); !ok {
			return out, apperr.Validation("answers."+key, i18n.T("问卷没有这个问题", "the questionnaire has no such question"))
		}
	}
	var sum, n int64
	for _, qq := range q.Questions {
		field := "answers." + qq.Key
		v := strings.TrimSpace(answers[qq.Key])
		if v == "" {
			if !qq.Optional {
				return out, apperr.Validation(field, i18n.T("「%s」须作答", "%q needs an answer", qq.Text.ZH))
			}
			continue
		}
		if qq.Kind == policy.QuestionText {
			if utf8.RuneCountInString(v) > MaxAnswerText {
				return out, apperr.Validation(field, i18n.T("不能超过 %d 个字符", "at most %d characters", MaxAnswerText))
			}
			out.Answers[qq.Key] = v
			continue
		}
		sc, _ := rules.Scale(qq.Sc)
		o, _, ok := sc.Option(v)
		if !ok {
			keys := make([]string, len(sc.Options))
			for i, o := range sc.Options {
				keys[i] = o.Key
			}
			return out, apperr.Validation(field, i18n.T("须为 %s 之一", "must be one of %s", strings.Join(keys, ", ")))
		}
		out.Answers[qq.Key] = v
		if o.Score != nil {
			sum, n = sum+int64(*o.Score), n+1
		}
		if qq.Key == q.Overall {
			out.Satisfied = rules.Satisfied(sc, v)
		}
	}
	if n > 0 {
		out.scoreX100 = (sum*200 + n) / (2 * n) // mean × 100, rounded half up
		score := float64(out.scoreX100) / 100
		out.Score = &score
	}
	if q.Overall == policy.OverallAverage { // the exact mean against the threshold
		out.Satisfied = n > 0 && sum >= int64(rules.SatisfiedMinScore)*n
	}
	return out, nil
}

// Answer records a form's answers given by the customer to staff: on the
// phone, in person (the customer signs on screen) or from a paper form.
func (s *Service) Answer(ctx context.Context, p *auth.Principal, id, formID store.ID, in AnswerInput) (*Form, error) {
	if !p.Can(auth.PermSurveysAnswer) {
		return nil, apperr.Forbidden(i18n.T("无权填写调查表", "you may not fill in survey forms"))
	}
	if !slices.Contains(StaffChannels, in.Channel) {
		return nil, apperr.Validation("channel", i18n.T("须为 phone、face_to_face 或 paper", "must be phone, face_to_face or paper"))
	}
	sig := strings.TrimSpace(in.Signature)
	if in.Channel == AnswerFaceToFace {
		if !strings.HasPrefix(sig, SignaturePrefix) || len(sig) == len(SignaturePrefix) {
			return nil, apperr.Validation("signature", i18n.T("当面调查须有客户在屏幕上签名", "in person, the customer signs on screen"))
		}
		if len(sig) > MaxSignature {
			return nil, apperr.Validation("signature", i18n.T("签名图片过大", "the signature image is too large"))
		}
	} else {
		sig = ""
	}
	return s.answer(ctx, audit.WithActor(ctx, p.Actor()), p, id, formID, in.Channel, in.Answers, sig)
}

// answer stores the answers of an issued form of an open campaign; p nil
// is the customer through the link (the caller found the form).
func (s *Service) answer(ctx, actx context.Context, p *auth.Principal, id, formID store.ID, channel string,
	answers map[string]string, sig string) (*Form, error) {
	now := s.now()
	var c *Campaign
	err := s.db.Tx(actx, func(tx store.Conn) error {
		var f *Form
		var err error
		if c, f, err = s.openForm(ctx, tx, p, id, formID, FormIssued); err != nil {
			return err
		}
		rules, q, err := s.questionnaire(c)
		if err != nil {
			return err
		}
		v, err := ScoreForm(rules, q, answers)
		if err != nil {
			return err
		}
		data, err := json.Marshal(v.Answers)
		if err != nil {
			return err
		}
		var by store.NullID
		if p != nil {
			by = store.NullID{ID: p.UserID, Valid: p.UserID != 0}
		}
		// The status guard makes a second answer of the same form lose the race.
		res, err := tx.Exec(ctx, `UPDATE survey_forms SET status = ?, channel = ?, answers = ?, score_x100 = ?, satisfied = ?,
			signature = ?, answered_at = ?, answered_by = ?, link_hash = '', link_expires_at = 0 WHERE id = ? AND status = ?`,
			string(FormReturned), channel, string(data), v.scoreX100, v.Satisfied, sig, store.Micros(now), by, formID,
			string(FormIssued))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("status", i18n.T("调查表 %s 已回收", "form %s has already been returned", f.Number))
		}
		if err := refreshCounts(ctx, tx, c.ID, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "survey.form.answer", "survey", c.ID.String(), map[string]any{
			"form": f.Number, "channel": channel, "satisfied": v.Satisfied, "score": v.Score})
	})
	if err != nil {
		return nil, err
	}
	return loadForm(ctx, s.db.Reader(), c, formID)
}

// loadAny reads a campaign without a row scope (the customer's link).
func (s *Service) loadAny(ctx context.Context, c store.Conn, id store.ID) (*Campaign, error) {
	r, err := s.scan(c.QueryRow(ctx, "SELECT "+columns+" FROM survey_campaigns s WHERE s.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("survey")
	}
	return r, err
}
