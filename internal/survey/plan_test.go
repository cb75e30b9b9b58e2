package survey_test

import (
	"context"
	"net/http"
	"os"
	"testing"

	"github.com/pressly/goose/v3"

	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/survey"
	"kefu/internal/testkit"
)

func ptr(s string) *string { return &s }

// TestPlanApproval (SUR-002, ARC-018): a plan is submitted by its preparer
// only once it names purpose, scope, penalties and the sampled room
// numbers (RULES.md: without them it cannot be submitted, 422 naming the
// field); it is reviewed by another supervisor and approved by a manager,
// in that order; neither may be its preparer and an agent may do neither;
// a returned plan shows the opinion, is edited and resubmitted; an
// approved plan does not change.
func TestPlanApproval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newSurveyEnv(t, db)
		admin := testkit.User(t, db, e.company, auth.RoleAdmin)

		// A questionnaire campaign without forms: no sampled room numbers.
		c := e.campaign(t, 10)
		if c.PlanStatus != survey.PlanDraft || c.PreparedBy != e.sup.UserID || c.Approved() {
			t.Fatalf("new plan: %+v", c.PlanApproval)
		}
		_, err := e.svc.Submit(ctx, e.sup, c.ID)
		wantErr(t, err, http.StatusUnprocessableEntity, "households")
		// A hand-counted campaign: purpose, scope (its sampled rooms) and
		// penalties, each named.
		paper, err := e.svc.Create(ctx, e.sup, survey.CampaignInput{Title: "纸质调查", Channel: "paper",
			StartsOn: "2026-06-01", EndsOn: "2026-06-30", Households: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, step := range []struct {
			field string
			in    survey.PlanInput
		}{
			{"purpose", survey.PlanInput{Purpose: ptr("了解业主满意度")}},
			{"scope", survey.PlanInput{Scope: ptr("3 号楼 101、102、201 室")}},
			{"penalties", survey.PlanInput{Penalties: ptr("弄虚作假扣罚绩效")}},
		} {
			_, err := e.svc.Submit(ctx, e.sup, paper.ID)
			wantErr(t, err, http.StatusUnprocessableEntity, step.field)
			if _, err := e.svc.EditPlan(ctx, e.sup, paper.ID, step.in); err != nil {
				t.Fatal(err)
			}
		}
		_, err = e.svc.EditPlan(ctx, e.sup, paper.ID, survey.PlanInput{EndsOn: ptr("2026-05-01")})
		wantErr(t, err, http.StatusUnprocessableEntity, "ends_on")
		_, err = e.svc.EditPlan(ctx, e.agent, paper.ID, survey.PlanInput{Title: ptr("越权")})
		wantErr(t, err, http.StatusForbidden, "")

		// The publish gate (SUR-002): forms may be issued (the sample) but
		// not answered, linked, drawn or counted before the approval.
		forms := e.issue(t, c, 2)
		if got, _ := e.svc.Get(ctx, e.sup, c.ID); got.Status != survey.StatusPlanned || got.Distributed != 2 {
			t.Fatalf("issued before approval: %s %d", got.Status, got.Distributed)
		}
		ok := owner("satisfied", "satisfied", "satisfied")
		_, err = e.svc.Answer(ctx, e.field, c.ID, forms[0].ID, survey.AnswerInput{Channel: "phone", Answers: ok})
		wantErr(t, err, http.StatusConflict, "plan")
		_, err = e.svc.IssueLink(ctx, e.agent, c.ID, forms[0].ID)
		wantErr(t, err, http.StatusConflict, "plan")
		_, err = e.svc.DrawVerification(ctx, e.sup, c.ID)
		wantErr(t, err, http.StatusConflict, "plan")
		_, err = e.svc.UpdateCounts(ctx, e.sup, paper.ID, survey.CountsInput{Distributed: 80})
		wantErr(t, err, http.StatusConflict, "plan")
		if got, err := e.svc.UpdateCounts(ctx, e.sup, paper.ID, survey.CountsInput{Households: 120}); err != nil ||
			got.Households != 120 || got.Status != survey.StatusPlanned {
			t.Fatalf("households before approval: %v %+v", err, got)
		}
		_, err = e.svc.Close(ctx, e.sup, c.ID, survey.CloseInput{ImprovementPlan: "x"})
		wantErr(t, err, http.StatusConflict, "plan")

		// Order: nothing is reviewed or approved before it is submitted.
		_, err = e.svc.Review(ctx, e.rev, c.ID, survey.OpinionInput{})
		wantErr(t, err, http.StatusConflict, "plan_status")
		_, err = e.svc.Approve(ctx, e.mgr, c.ID, survey.OpinionInput{})
		wantErr(t, err, http.StatusConflict, "plan_status")
		// Only the preparer submits.
		_, err = e.svc.Submit(ctx, e.rev, c.ID)
		wantErr(t, err, http.StatusForbidden, "")
		got, err := e.svc.Submit(ctx, e.sup, c.ID)
		if err != nil || got.PlanStatus != survey.PlanSubmitted || got.SubmittedAt == nil {
			t.Fatalf("submit: %v %+v", err, got)
		}
		_, err = e.svc.Submit(ctx, e.sup, c.ID)
		wantErr(t, err, http.StatusConflict, "plan_status")
		_, err = e.svc.EditPlan(ctx, e.sup, c.ID, survey.PlanInput{Title: ptr("审核中修改")})
		wantErr(t, err, http.StatusConflict, "plan_status") // under review: returned first
		_, err = e.svc.Approve(ctx, e.mgr, c.ID, survey.OpinionInput{})
		wantErr(t, err, http.StatusConflict, "plan_status") // reviewed first
		// Who reviews: not the preparer, not an agent.
		_, err = e.svc.Review(ctx, e.sup, c.ID, survey.OpinionInput{})
		wantErr(t, err, http.StatusForbidden, "")
		_, err = e.svc.Review(ctx, e.agent, c.ID, survey.OpinionInput{})
		wantErr(t, err, http.StatusForbidden, "")
		_, err = e.svc.Review(ctx, e.outsider, c.ID, survey.OpinionInput{})
		wantErr(t, err, http.StatusNotFound, "survey")
		// The reviewer returns it: the opinion is required and shown.
		_, err = e.svc.Return(ctx, e.rev, c.ID, survey.OpinionInput{Opinion: "  "})
		wantErr(t, err, http.StatusUnprocessableEntity, "opinion")
		_, err = e.svc.Return(ctx, e.sup, c.ID, survey.OpinionInput{Opinion: "撤回"})
		wantErr(t, err, http.StatusForbidden, "")
		got, err = e.svc.Return(ctx, e.rev, c.ID, survey.OpinionInput{Opinion: "请补充抽样方法"})
		if err != nil || got.PlanStatus != survey.PlanDraft || got.ReturnOpinion != "请补充抽样方法" ||
			got.ReturnedBy != e.rev.UserID || got.ReturnedAt == nil || got.SubmittedAt != nil {
			t.Fatalf("returned: %v %+v", err, got.PlanApproval)
		}
		if _, err := e.svc.EditPlan(ctx, e.sup, c.ID, survey.PlanInput{Scope: ptr("幸福里 1 号楼，按单元随机抽样")}); err != nil {
			t.Fatal(err)
		}
		// Resubmitted, reviewed, then the manager returns it from review.
		if _, err := e.svc.Submit(ctx, e.sup, c.ID); err != nil {
			t.Fatal(err)
		}
		if got, err = e.svc.Review(ctx, e.rev, c.ID, survey.OpinionInput{Opinion: "同意"}); err != nil ||
			got.PlanStatus != survey.PlanReviewed || got.ReviewedBy != e.rev.UserID || got.ReviewOpinion != "同意" {
			t.Fatalf("reviewed: %v %+v", err, got)
		}
		_, err = e.svc.Return(ctx, e.rev, c.ID, survey.OpinionInput{Opinion: "再看看"})
		wantErr(t, err, http.StatusForbidden, "") // a reviewed plan is the approver's to return
		_, err = e.svc.Approve(ctx, e.rev, c.ID, survey.OpinionInput{})
		wantErr(t, err, http.StatusForbidden, "") // a supervisor is no manager
		_, err = e.svc.Approve(ctx, e.outsider, c.ID, survey.OpinionInput{})
		wantErr(t, err, http.StatusNotFound, "survey") // another company's manager
		got, err = e.svc.Return(ctx, e.mgr, c.ID, survey.OpinionInput{Opinion: "处罚条款不够具体"})
		if err != nil || got.PlanStatus != survey.PlanDraft || got.ReviewedBy != 0 || got.ReviewOpinion != "" ||
			got.ReturnOpinion != "处罚条款不够具体" {
			t.Fatalf("returned by the approver: %v %+v", err, got.PlanApproval)
		}
		got = e.approve(t, c)
		if got.Status != survey.StatusRunning || got.ApprovedBy != e.mgr.UserID || got.ApprovedAt == nil ||
			got.ApprovalOpinion != "批准实施" || got.ReviewedBy != e.rev.UserID || got.PreparedBy != e.sup.UserID {
			t.Fatalf("approved: %s %+v", got.Status, got.PlanApproval)
		}
		// Published: the forms are answered now.
		if _, err := e.svc.Answer(ctx, e.field, c.ID, forms[0].ID, survey.AnswerInput{Channel: "phone", Answers: ok}); err != nil {
			t.Fatal(err)
		}
		// An approved plan does not change, and is not approved twice.
		_, err = e.svc.EditPlan(ctx, e.sup, c.ID, survey.PlanInput{Title: ptr("改版")})
		wantErr(t, err, http.StatusConflict, "plan_status")
		_, err = e.svc.Approve(ctx, e.mgr, c.ID, survey.OpinionInput{})
		wantErr(t, err, http.StatusConflict, "plan_status")
		_, err = e.svc.Return(ctx, e.mgr, c.ID, survey.OpinionInput{Opinion: "x"})
		wantErr(t, err, http.StatusConflict, "plan_status")

		// A manager's own plan is approved by someone else (the admin).
		own, err := e.svc.Create(ctx, e.mgr, survey.CampaignInput{Title: "经理的调查", Channel: "paper", StartsOn: "2026-06-01",
			EndsOn: "2026-06-30", Households: 10, Purpose: "p", Scope: "1-101", Penalties: "x"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Submit(ctx, e.mgr, own.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Review(ctx, e.sup, own.ID, survey.OpinionInput{}); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Approve(ctx, e.mgr, own.ID, survey.OpinionInput{})
		wantErr(t, err, http.StatusForbidden, "")
		if got, err := e.svc.Approve(ctx, admin, own.ID, survey.OpinionInput{}); err != nil || !got.Approved() ||
			got.Status != survey.StatusPlanned {
			t.Fatalf("admin approves: %v %+v", err, got)
		}

		// What the campaign page offers each role.
		if r := e.svc.Rights(e.sup, paper); !r.Submit || !r.Edit || r.Review {
			t.Errorf("preparer's rights on a draft: %+v", r)
		}
		if r := e.svc.Rights(e.rev, paper); r.Submit || !r.Edit {
			t.Errorf("another supervisor's rights on a draft: %+v", r)
		}
		if r := e.svc.Rights(e.agent, paper); r.Any() {
			t.Errorf("the agent's rights: %+v", r)
		}

		for action, n := range map[string]int{"survey.plan.submit": 4, "survey.plan.review": 3, "survey.plan.return": 2,
			"survey.plan.approve": 2, "survey.plan.edit": 4} {
			if got := audits(t, db, action); got != n {
				t.Errorf("%s: %d audit rows, want %d", action, got, n)
			}
		}
	})
}

// TestPlanMigration: campaigns planned before 00021 come out approved,
// reviewed and approved by their preparer at their creation, and keep
// working.
func TestPlanMigration(t *testing.T) {
	for _, d := range []struct {
		name string
		open func(t *testing.T) store.Options
	}{
		{"sqlite", func(t *testing.T) store.Options { return store.Options{DataDir: t.TempDir()} }},
		{"postgres", func(t *testing.T) store.Options { return store.Options{DSN: storetest.PostgresDSN(t)} }},
	} {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, d.open(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			dialect := goose.DialectSQLite3
			if db.Dialect() == store.Postgres {
				dialect = goose.DialectPostgres
			}
			p, err := goose.NewProvider(dialect, db.Writer(), os.DirFS("../store/migrations/"+string(db.Dialect())))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.UpTo(ctx, 20); err != nil {
				t.Fatal(err)
			}
			o := org.New(org.Options{DB: db})
			root, err := o.EnsureRoot(ctx, "集团")
			if err != nil {
				t.Fatal(err)
			}
			co := testkit.Unit(t, o, root.ID, org.Company, "老物业", "property")
			u := testkit.User(t, db, co, auth.RoleCSSupervisor)
			if err := db.Tx(ctx, func(tx store.Conn) error {
				_, err := tx.Exec(ctx, `INSERT INTO survey_campaigns (number, pack, pack_version, company_id, title, channel, starts_on,
					ends_on, households, status, created_by, created_at, updated_at) VALUES ('DC2025-0001', 'property', 1, ?, '旧调查',
					'paper', '2025-06-01', '2025-06-30', 100, 'running', ?, 1748736000000000, 1748736000000000)`, co.ID, u.UserID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := p.UpTo(ctx, 21); err != nil {
				t.Fatal(err)
			}
			var status string
			var reviewedBy, approvedBy store.ID
			var reviewed, approved int64
			if err := db.Reader().QueryRow(ctx, `SELECT plan_status, reviewed_by, reviewed_at, approved_by, approved_at
				FROM survey_campaigns WHERE number = 'DC2025-0001'`).Scan(&status, &reviewedBy, &reviewed, &approvedBy, &approved); err != nil {
				t.Fatal(err)
			}
			if status != "approved" || reviewedBy != u.UserID || approvedBy != u.UserID || reviewed != 1748736000000000 ||
				approved != reviewed {
				t.Fatalf("migrated: %s %d %d %d %d", status, reviewedBy, reviewed, approvedBy, approved)
			}
			if _, err := p.DownTo(ctx, 20); err != nil { // and the way back
				t.Fatal(err)
			}
		})
	}
}
