package survey_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"

	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/survey"
	"kefu/internal/testkit"
)

// TestCorrectiveActions is SUR-003's example: the report approved
// 2026-07-20 with 6 issues → 6 corrective actions opened for the
// departments; the survey closes only when all 6 are verified. The
// department records what it did (not another department, not an agent of
// the CS centre); the CS centre verifies (not whoever recorded it); an
// action still open after its due date is overdue; a department of
// another company is refused (422 department_id).
func TestCorrectiveActions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newSurveyEnv(t, db)
		eng := testkit.Unit(t, e.base.Org, e.company.ID, org.Department, "工程部", "")
		team := testkit.Unit(t, e.base.Org, eng.ID, org.Team, "维修班", "")
		sec := testkit.Unit(t, e.base.Org, e.company.ID, org.Department, "秩序维护部", "")
		elsewhere, err := e.base.Org.CompanyOf(ctx, e.outsider.OrgUnitID)
		if err != nil {
			t.Fatal(err)
		}
		repairer := testkit.User(t, db, team, auth.RoleFieldStaff) // in 工程部's subtree, surveys:answer
		guard := testkit.User(t, db, sec, auth.RoleFieldStaff)
		deptStaff := testkit.User(t, db, eng, auth.RoleDeptStaff) // no survey permission

		c, err := e.svc.Create(ctx, e.sup, survey.CampaignInput{Title: "2026 年上半年业主满意度调查", Purpose: "了解业主满意度",
			Scope: "幸福里全体入住户", Channel: "paper", StartsOn: "2026-06-01", EndsOn: "2026-06-30", Households: 1000,
			Penalties: "弄虚作假者扣罚绩效"})
		if err != nil {
			t.Fatal(err)
		}
		in := survey.ActionInput{Issue: "维修不及时", DepartmentID: eng.ID, DueOn: "2026-08-20"}
		_, err = e.svc.OpenAction(ctx, e.sup, c.ID, in)
		wantErr(t, err, http.StatusConflict, "plan") // not published
		e.approve(t, c)
		_, err = e.svc.OpenAction(ctx, e.sup, c.ID, in)
		wantErr(t, err, http.StatusConflict, "report") // no statistics yet
		if _, err := e.svc.UpdateCounts(ctx, e.sup, c.ID, survey.CountsInput{Distributed: 800, Returned: 698, Verified: 35,
			Genuine: 34, Answered: 698, Satisfied: 640}); err != nil {
			t.Fatal(err)
		}

		// Refusals name the field.
		e.clk.Set(at("2026-07-20 10:00"))
		for field, mod := range map[string]func(*survey.ActionInput){
			"issue":         func(i *survey.ActionInput) { i.Issue = "  " },
			"department_id": func(i *survey.ActionInput) { i.DepartmentID = 0 },
			"due_on":        func(i *survey.ActionInput) { i.DueOn = "2026-07-19" }, // before today
		} {
			bad := in
			mod(&bad)
			_, err := e.svc.OpenAction(ctx, e.sup, c.ID, bad)
			wantErr(t, err, http.StatusUnprocessableEntity, field)
		}
		for _, dept := range []store.ID{elsewhere.ID, 987654} { // another company's unit, none
			bad := in
			bad.DepartmentID = dept
			_, err := e.svc.OpenAction(ctx, e.sup, c.ID, bad)
			wantErr(t, err, http.StatusUnprocessableEntity, "department_id")
		}
		_, err = e.svc.OpenAction(ctx, e.agent, c.ID, in)
		wantErr(t, err, http.StatusForbidden, "")
		_, err = e.svc.OpenAction(ctx, e.outsider, c.ID, in)
		wantErr(t, err, http.StatusNotFound, "survey")

		// The report approved 2026-07-20 with 6 issues → 6 actions.
		issues := []struct {
			issue string
			dept  org.Unit
			due   string
		}{
			{"报修响应慢", eng, "2026-07-20"}, {"电梯故障多", eng, "2026-08-20"}, {"夜间巡逻不到位", sec, "2026-08-20"},
			{"访客登记流于形式", sec, "2026-08-31"}, {"公共照明损坏未修", team, "2026-08-10"}, {"投诉回复不及时", e.cs, "2026-08-15"},
		}
		var acts []*survey.Action
		for i, is := range issues {
			a, err := e.svc.OpenAction(ctx, e.sup, c.ID, survey.ActionInput{Issue: is.issue, DepartmentID: is.dept.ID, DueOn: is.due})
			if err != nil {
				t.Fatal(err)
			}
			if a.Status != survey.ActionOpen || a.Number != fmt.Sprintf("%s-Z%02d", c.Number, i+1) || a.DepartmentName != is.dept.Name ||
				a.DueOn.String() != is.due || a.OpenedBy != e.sup.UserID || a.Overdue {
				t.Fatalf("action %d: %+v", i, a)
			}
			acts = append(acts, a)
		}
		got, err := e.svc.Get(ctx, e.agent, c.ID)
		if err != nil || got.Actions != (survey.ActionTally{Total: 6}) {
			t.Fatalf("tally: %v %+v", err, got.Actions)
		}
		_, err = e.svc.Close(ctx, e.sup, c.ID, survey.CloseInput{ImprovementPlan: "改进方案"})
		wantErr(t, err, http.StatusConflict, "actions")

		// Overdue: the first is due today; tomorrow it is late.
		e.clk.Set(at("2026-07-21 09:00"))
		list, err := e.svc.Actions(ctx, e.agent, c.ID)
		if err != nil || len(list) != 6 || !list[0].Overdue || list[1].Overdue {
			t.Fatalf("list: %v %+v", err, list)
		}

		// Done: the department's people (its subtree), the supervisor.
		done := survey.ActionDoneInput{Result: "已增派维修人员，报修 30 分钟内响应"}
		_, err = e.svc.ActionDone(ctx, guard, c.ID, acts[0].ID, done)
		wantErr(t, err, http.StatusForbidden, "") // another department
		_, err = e.svc.ActionDone(ctx, e.agent, c.ID, acts[0].ID, done)
		wantErr(t, err, http.StatusForbidden, "") // the CS centre's agent
		_, err = e.svc.ActionDone(ctx, deptStaff, c.ID, acts[0].ID, done)
		wantErr(t, err, http.StatusForbidden, "") // no survey permission
		_, err = e.svc.ActionDone(ctx, repairer, c.ID, acts[0].ID, survey.ActionDoneInput{Result: " "})
		wantErr(t, err, http.StatusUnprocessableEntity, "result")
		_, err = e.svc.VerifyAction(ctx, e.rev, c.ID, acts[0].ID, survey.OpinionInput{Opinion: "ok"})
		wantErr(t, err, http.StatusConflict, "status") // not done yet
		a, err := e.svc.ActionDone(ctx, repairer, c.ID, acts[0].ID, done)
		if err != nil || a.Status != survey.ActionDone || a.DoneBy != repairer.UserID || a.DoneAt == nil || a.Overdue {
			t.Fatalf("done: %v %+v", err, a)
		}
		_, err = e.svc.ActionDone(ctx, repairer, c.ID, acts[0].ID, done)
		wantErr(t, err, http.StatusConflict, "status")
		for _, x := range []struct {
			who *auth.Principal
			i   int
		}{{repairer, 1}, {guard, 2}, {guard, 3}, {repairer, 4}, {e.sup, 5}} {
			if _, err := e.svc.ActionDone(ctx, x.who, c.ID, acts[x.i].ID, survey.ActionDoneInput{Result: "已整改"}); err != nil {
				t.Fatalf("done %d: %v", x.i, err)
			}
		}

		// Verify: the CS centre (surveys:write), not whoever recorded it.
		_, err = e.svc.VerifyAction(ctx, e.sup, c.ID, acts[5].ID, survey.OpinionInput{Opinion: "已核实"})
		wantErr(t, err, http.StatusForbidden, "")
		_, err = e.svc.VerifyAction(ctx, repairer, c.ID, acts[0].ID, survey.OpinionInput{Opinion: "已核实"})
		wantErr(t, err, http.StatusForbidden, "")
		_, err = e.svc.VerifyAction(ctx, e.rev, c.ID, acts[0].ID, survey.OpinionInput{})
		wantErr(t, err, http.StatusUnprocessableEntity, "opinion")
		for i := range 5 {
			v, err := e.svc.VerifyAction(ctx, e.rev, c.ID, acts[i].ID, survey.OpinionInput{Opinion: "回访业主，确认已整改"})
			if err != nil || v.Status != survey.ActionVerified || v.VerifiedBy != e.rev.UserID || v.VerifiedAt == nil {
				t.Fatalf("verify %d: %v %+v", i, err, v)
			}
		}
		_, err = e.svc.VerifyAction(ctx, e.rev, c.ID, acts[0].ID, survey.OpinionInput{Opinion: "again"})
		wantErr(t, err, http.StatusConflict, "status")
		// Five of six verified: the survey does not close yet.
		_, err = e.svc.Close(ctx, e.sup, c.ID, survey.CloseInput{ImprovementPlan: "改进方案"})
		wantErr(t, err, http.StatusConflict, "actions")

		// The report and its .xlsx list the actions.
		rep, err := e.svc.Report(ctx, e.agent, c.ID)
		if err != nil || len(rep.Actions) != 6 || rep.Campaign.Actions.Verified != 5 || rep.Actions[5].Status != survey.ActionDone {
			t.Fatalf("report: %v %+v", err, rep.Actions)
		}
		var buf bytes.Buffer
		if err := e.svc.ExportReport(ctx, e.agent, c.ID, &buf); err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		rows, _ := x.GetRows("汇总")
		var actionRows int
		var approval []string
		var names []string
		for _, is := range issues {
			names = append(names, is.issue)
		}
		for _, r := range rows {
			if len(r) > 2 && slices.Contains(names, r[2]) {
				actionRows++
			}
			if len(r) > 1 && r[1] == "批准" {
				approval = r
			}
		}
		if actionRows != 6 || len(approval) < 4 || approval[3] != "2026-06-01" {
			t.Errorf("xlsx summary: %d action rows, approval %v\n%v", actionRows, approval, rows)
		}

		// The sixth verified: the survey closes.
		if _, err := e.svc.VerifyAction(ctx, e.rev, c.ID, acts[5].ID, survey.OpinionInput{Opinion: "已核实"}); err != nil {
			t.Fatal(err)
		}
		closed, err := e.svc.Close(ctx, e.sup, c.ID, survey.CloseInput{ImprovementPlan: "针对 6 项问题的服务改进方案"})
		if err != nil || closed.Status != survey.StatusClosed || closed.Actions != (survey.ActionTally{Total: 6, Verified: 6}) {
			t.Fatalf("close: %v %+v", err, closed)
		}
		_, err = e.svc.OpenAction(ctx, e.sup, c.ID, survey.ActionInput{Issue: "x", DepartmentID: eng.ID, DueOn: "2026-08-31"})
		wantErr(t, err, http.StatusConflict, "status")

		for action, n := range map[string]int{"survey.action.open": 6, "survey.action.done": 6, "survey.action.verify": 6} {
			if got := audits(t, db, action); got != n {
				t.Errorf("%s: %d audit rows, want %d", action, got, n)
			}
		}
	})
}
