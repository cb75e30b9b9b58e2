package survey_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/survey"
	"kefu/internal/testkit"
)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, store.Zone)
	if err != nil {
		panic(err)
	}
	return t
}

func wantErr(t *testing.T, err error, status int, field string) {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Status != status || e.Field != field {
		t.Fatalf("want %d on %q, got %v", status, field, err)
	}
}

func audits(t *testing.T, db *store.DB, action string) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRow(context.Background(), "SELECT count(*) FROM audit_log WHERE action = ?", action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCampaign: a property company plans a survey, records the counts of
// the API.md example (87.25 % returned, 91.69 % satisfied), is refused
// inconsistent counts naming the field, closes only with an improvement
// plan (SUR-011) and gets the ARC-014 retention dates; a closed campaign
// refuses counts (409); another company sees nothing (404) and a role
// without surveys:write may not write (403).
func TestCampaign(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := testkit.NewClock(at("2026-06-01 09:00"))
		b := testkit.NewBase(t, db, clk)
		svc := survey.New(survey.Options{DB: db, Policy: b.Packs, Org: b.Org, Calendars: b.Calendars, Now: clk.Now})
		root, err := b.Org.EnsureRoot(ctx, "集团")
		if err != nil {
			t.Fatal(err)
		}
		co := testkit.Unit(t, b.Org, root.ID, org.Company, "幸福里物业", "property")
		cs := testkit.Unit(t, b.Org, co.ID, org.Department, "客服中心", "")
		other := testkit.Unit(t, b.Org, root.ID, org.Company, "乙物业", "property")
		sup := testkit.User(t, db, cs, auth.RoleCSSupervisor)
		agent := testkit.User(t, db, cs, auth.RoleCSAgent)
		outsider := testkit.User(t, db, other, auth.RoleManager)
		reviewer := testkit.User(t, db, cs, auth.RoleCSSupervisor)
		manager := testkit.User(t, db, co, auth.RoleManager)

		in := survey.CampaignInput{Title: "2026 年上半年业主满意度调查", Purpose: "了解业主满意度", Scope: "幸福里全体入住户",
			Channel: "paper", StartsOn: "2026-06-01", EndsOn: "2026-06-30", Households: 1000, Penalties: "弄虚作假者扣罚绩效"}
		c, err := svc.Create(ctx, sup, in)
		if err != nil {
			t.Fatal(err)
		}
		if c.Number != "DC2026-0001" || c.CompanyID != co.ID || c.Pack != "property" || c.Status != survey.StatusPlanned ||
			c.Households != 1000 || c.Result != nil || c.StartsOn.String() != "2026-06-01" {
			t.Fatalf("created: %+v", c)
		}
		if c2, err := svc.Create(ctx, sup, in); err != nil || c2.Number != "DC2026-0002" {
			t.Fatalf("second: %v %+v", err, c2)
		}

		// Validation, naming the field.
		for field, mod := range map[string]func(*survey.CampaignInput){
			"title":      func(i *survey.CampaignInput) { i.Title = " " },
			"channel":    func(i *survey.CampaignInput) { i.Channel = "sms" },
			"starts_on":  func(i *survey.CampaignInput) { i.StartsOn = "2026-02-30" },
			"ends_on":    func(i *survey.CampaignInput) { i.EndsOn = "2026-05-31" },
			"households": func(i *survey.CampaignInput) { i.Households = 0 },
		} {
			bad := in
			mod(&bad)
			_, err := svc.Create(ctx, sup, bad)
			wantErr(t, err, http.StatusUnprocessableEntity, field)
		}
		long := in
		long.Title = strings.Repeat("调", 201)
		_, err = svc.Create(ctx, sup, long)
		wantErr(t, err, http.StatusUnprocessableEntity, "title")
		_, err = svc.Create(ctx, agent, in)
		wantErr(t, err, http.StatusForbidden, "")

		// The plan is approved before anything is counted (SUR-002).
		if _, err := svc.Submit(ctx, sup, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Review(ctx, reviewer, c.ID, survey.OpinionInput{}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Approve(ctx, manager, c.ID, survey.OpinionInput{}); err != nil {
			t.Fatal(err)
		}
		// Early counts: no statistics yet, and no error.
		c, err = svc.UpdateCounts(ctx, sup, c.ID, survey.CountsInput{Distributed: 800})
		if err != nil || c.Result != nil || c.Status != survey.StatusRunning || c.Households != 1000 {
			t.Fatalf("early counts: %v %+v", err, c)
		}
		// The API.md example.
		example := survey.CountsInput{Distributed: 800, Returned: 698, Verified: 35, Genuine: 34, Answered: 698, Satisfied: 640}
		c, err = svc.UpdateCounts(ctx, sup, c.ID, example)
		if err != nil {
			t.Fatal(err)
		}
		if r := c.Result; r == nil || r.ReturnRate != 87.25 || r.Satisfaction != 91.69 || r.DistributionRate != 80 ||
			r.VerificationRate != 5.01 || r.AuthenticityRate != 97.14 || !r.Meets.Return {
			t.Fatalf("result: %+v", c.Result)
		}
		// Inconsistent counts are refused naming the field; nothing changes.
		for field, mod := range map[string]func(*survey.CountsInput){
			"distributed": func(i *survey.CountsInput) { i.Distributed = 1001 },
			"returned":    func(i *survey.CountsInput) { i.Returned = 801 },
			"verified":    func(i *survey.CountsInput) { i.Verified = 699 },
			"genuine":     func(i *survey.CountsInput) { i.Genuine = 36 },
			"answered":    func(i *survey.CountsInput) { i.Answered = 699 },
			"satisfied":   func(i *survey.CountsInput) { i.Satisfied = 699 },
			"households":  func(i *survey.CountsInput) { i.Households = -1 },
		} {
			bad := example
			mod(&bad)
			_, err := svc.UpdateCounts(ctx, sup, c.ID, bad)
			wantErr(t, err, http.StatusUnprocessableEntity, field)
		}
		_, err = svc.UpdateCounts(ctx, agent, c.ID, example)
		wantErr(t, err, http.StatusForbidden, "")

		// Another company's user learns nothing.
		_, err = svc.Get(ctx, outsider, c.ID)
		wantErr(t, err, http.StatusNotFound, "survey")
		_, err = svc.UpdateCounts(ctx, outsider, c.ID, example)
		wantErr(t, err, http.StatusNotFound, "survey")
		_, err = svc.Close(ctx, outsider, c.ID, survey.CloseInput{ImprovementPlan: "越权"})
		wantErr(t, err, http.StatusNotFound, "survey")
		if list, err := svc.List(ctx, outsider, survey.Filter{}); err != nil || len(list) != 0 {
			t.Fatalf("outsider's list: %v %d", err, len(list))
		}
		if list, err := svc.List(ctx, agent, survey.Filter{Status: survey.StatusRunning}); err != nil || len(list) != 1 || list[0].ID != c.ID {
			t.Fatalf("running list: %v %+v", err, list)
		}
		if list, err := svc.List(ctx, agent, survey.Filter{}); err != nil || len(list) != 2 || list[0].ID < list[1].ID {
			t.Fatalf("list newest first: %v %+v", err, list)
		}

		// Close: the improvement plan first (SUR-011), then retention
		// from the closing date (ARC-014, the RULES.md example).
		clk.Set(at("2026-07-20 16:00"))
		_, err = svc.Close(ctx, sup, c.ID, survey.CloseInput{})
		wantErr(t, err, http.StatusUnprocessableEntity, "improvement_plan")
		c, err = svc.Close(ctx, sup, c.ID, survey.CloseInput{ImprovementPlan: "针对维修及时性问题的改进方案"})
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != survey.StatusClosed || c.ClosedAt == nil || c.FormsKeepUntil == nil ||
			c.FormsKeepUntil.String() != "2028-07-20" || c.ReportKeepUntil.String() != "2028-07-20" ||
			c.PlanKeepUntil.String() != "2027-07-20" || c.Result == nil {
			t.Fatalf("closed: %+v", c)
		}
		_, err = svc.UpdateCounts(ctx, sup, c.ID, example)
		wantErr(t, err, http.StatusConflict, "status")
		_, err = svc.Close(ctx, sup, c.ID, survey.CloseInput{ImprovementPlan: "再次"})
		wantErr(t, err, http.StatusConflict, "status")

		for action, n := range map[string]int{"survey.create": 2, "survey.counts": 2, "survey.close": 1} {
			if got := audits(t, db, action); got != n {
				t.Errorf("%s: %d audit rows, want %d", action, got, n)
			}
		}
	})
}

// TestRetention: the ARC-014 periods in months, clamped at month end
// (CAL-007), never moved off a holiday.
func TestRetention(t *testing.T) {
	for closed, want := range map[string][3]string{
		"2026-07-20": {"2028-07-20", "2028-07-20", "2027-07-20"},
		"2028-02-29": {"2030-02-28", "2030-02-28", "2029-02-28"},
		"2026-09-30": {"2028-09-30", "2028-09-30", "2027-09-30"}, // 2027-09-30 is a Thursday; 2028-09-30 a Saturday, not extended
	} {
		d := mustDate(t, closed)
		r, f, p := survey.Retention(policy.DefaultSurveyRules(), d)
		if got := [3]string{r.String(), f.String(), p.String()}; got != want {
			t.Errorf("closed %s: %v, want %v", closed, got, want)
		}
	}
}

func mustDate(t *testing.T, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
