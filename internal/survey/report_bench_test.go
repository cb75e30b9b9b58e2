package survey_test

import (
	"context"
	"fmt"
	"io"
	"testing"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/survey"
)

// BenchmarkSurveyReport measures the report and its .xlsx for the largest
// campaign a call may issue: 5,000 forms, 4,300 answered through the
// service (phone), 215 verified — the size of a large estate's survey.
//
//	go test ./internal/survey -run '^$' -bench SurveyReport -benchtime 20x
func BenchmarkSurveyReport(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchReport(b, storetest.OpenSQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchReport(b, storetest.OpenPostgres(b)) })
}

func benchReport(b *testing.B, db *store.DB) {
	ctx := context.Background()
	e := newSurveyEnv(b, db)
	c := e.campaign(b, 6000)
	forms := e.issue(b, c, survey.MaxIssue)
	e.approve(b, c)
	for i, f := range forms[:4300] {
		a := owner(pick(i%10 != 0, "satisfied", "neutral"), pick(i%20 != 0, "very_satisfied", "dissatisfied"), "satisfied")
		a["suggestions"] = fmt.Sprintf("第 %d 户的意见", i)
		if _, err := e.svc.Answer(ctx, e.field, c.ID, f.ID, survey.AnswerInput{Channel: survey.AnswerPhone, Answers: a}); err != nil {
			b.Fatal(err)
		}
	}
	d, err := e.svc.DrawVerification(ctx, e.sup, c.ID)
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range d.Forms {
		if _, err := e.svc.Verify(ctx, e.sup, c.ID, f.ID, survey.VerifyInput{Result: survey.VerifyGenuine}); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("report", func(b *testing.B) {
		for b.Loop() {
			r, err := e.svc.Report(ctx, e.sup, c.ID)
			if err != nil || r.Questions[0].Answered != 4300 {
				b.Fatalf("report: %v", err)
			}
		}
	})
	b.Run("xlsx", func(b *testing.B) {
		for b.Loop() {
			if err := e.svc.ExportReport(ctx, e.sup, c.ID, io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	})
}
