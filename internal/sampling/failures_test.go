package sampling_test

import (
	"slices"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/sampling"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestRepeatOffences is SMP-017's example: a sampler who misses the quota
// in January, April and September 2026 — each draw closed short by its
// due timer — gets on the third occurrence the heavier deduction and a
// warning: a "sampling.repeat_offence" event for the merit ledger with
// the user, kind, count, consequence, rule and the failures' ids. A
// missed quota of December 2025 is another year's; a met quota (the
// February risers, every one checked on site) counts nothing; two
// cover-ups bring demotion.
func TestRepeatOffences(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		fire := func(when string) {
			t.Helper()
			f.clk.Set(at(when))
			if _, err := f.base.Engine.FireDue(f.ctx); err != nil {
				t.Fatal(err)
			}
		}
		miss := func(drawOn, period, due string) *sampling.DrawRecord {
			t.Helper()
			f.clk.Set(at(drawOn))
			d, err := f.svc.CreateDraw(f.ctx, f.auditor, sampling.DrawInput{Rule: "inspector", CheckedUserID: f.field.UserID,
				Period: period, Items: plain("H", 100)})
			if err != nil {
				t.Fatal(err)
			}
			fire(due)
			got, err := f.svc.GetDraw(f.ctx, f.auditor, d.ID)
			if err != nil || got.Status != sampling.DrawClosed || got.QuotaMet == nil || *got.QuotaMet {
				t.Fatalf("%s: %+v %v", period, got, err)
			}
			return got
		}
		// December 2025, missed: counted in 2025.
		miss("2026-01-02 09:00", "2025-12", "2026-02-01 00:00")
		jan := miss("2026-02-02 09:00", "2026-01", "2026-03-01 00:00")
		// February: two riser replacements, both checked on site.
		f.clk.Set(at("2026-03-02 09:00"))
		risers, err := f.svc.CreateDraw(f.ctx, f.auditor, sampling.DrawInput{Rule: "repair.riser", CheckedUserID: f.cm.UserID,
			CheckedPosition: "repair_worker", Period: "2026-02", Items: plain("R", 2)})
		if err != nil {
			t.Fatal(err)
		}
		for _, task := range risers.Tasks {
			if task.Method != "on_site" {
				t.Errorf("riser task by %q", task.Method)
			}
			if _, err := f.svc.Verify(f.ctx, f.auditor, task.ID, sampling.VerifyInput{Results: f.passAll("repair.riser", task),
				EmployeeSignature: "paper", CustomerSignature: "paper"}); err != nil {
				t.Fatal(err)
			}
		}
		fire("2026-04-01 00:00")
		if got, _ := f.svc.GetDraw(f.ctx, f.auditor, risers.ID); got.QuotaMet == nil || !*got.QuotaMet {
			t.Errorf("risers: %+v", got)
		}
		miss("2026-05-02 09:00", "2026-04", "2026-06-01 00:00")
		if n := f.sent.Count(sampling.EventRepeatOffence); n != 0 {
			t.Fatalf("%d repeat-offence events after two misses", n)
		}
		miss("2026-10-02 09:00", "2026-09", "2026-11-01 00:00")
		msgs := f.sent.Events(sampling.EventRepeatOffence)
		if len(msgs) != 1 {
			t.Fatalf("%d repeat-offence events after the third miss", len(msgs))
		}
		ev, ok := msgs[0].Payload.(sampling.RepeatOffence)
		if !ok || ev.UserID != f.auditor.UserID || ev.Kind != "quota_missed" || ev.Count != 3 || ev.Consequence != "warning" ||
			ev.RuleID != "SMP-017" || len(ev.FailureIDs) != 3 || ev.WindowFrom != "2026-01-01" || ev.WindowTo != "2027-01-01" ||
			ev.CompanyID != f.co.ID {
			t.Errorf("event payload %+v", msgs[0].Payload)
		}
		if !slices.Contains(msgs[0].Users, f.auditor.UserID) || !slices.Contains(msgs[0].Users, f.manager.UserID) {
			t.Errorf("told %v", msgs[0].Users)
		}
		rep, err := f.svc.Failures(f.ctx, f.manager, f.auditor.UserID, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Failures) != 3 || rep.Failures[0].DrawID != jan.ID || rep.Failures[0].OccurredOn != "2026-01-31" ||
			rep.Failures[2].Count != 3 || rep.Failures[2].Consequence != "warning" || rep.Failures[0].RecordedBy != 0 {
			t.Errorf("2026 failures %+v", rep.Failures)
		}
		kind := func(rep *sampling.FailureReport, key string) sampling.KindCount {
			for _, k := range rep.People[0].Kinds {
				if k.Kind == key {
					return k
				}
			}
			t.Fatalf("no kind %s in %+v", key, rep.People)
			return sampling.KindCount{}
		}
		if k := kind(rep, "quota_missed"); k.Count != 3 || k.Threshold != 3 || !slices.Equal(k.Consequences, []string{"warning"}) || k.ToNext != 3 {
			t.Errorf("quota missed %+v", k)
		}
		if len(rep.People[0].Kinds) != 6 {
			t.Errorf("%d kinds listed, want the pack's 6", len(rep.People[0].Kinds))
		}
		if old, _ := f.svc.Failures(f.ctx, f.manager, f.auditor.UserID, 2025); len(old.Failures) != 1 || old.Failures[0].Count != 1 {
			t.Errorf("2025: %+v", old.Failures)
		}

		// Cover-ups, recorded by a manager: the second brings demotion.
		for i, on := range []string{"2026-03-10", "2026-10-20"} {
			fl, err := f.svc.RecordFailure(f.ctx, f.manager, sampling.FailureInput{UserID: f.auditor.UserID, Kind: "cover_up",
				OccurredOn: on, Note: "隐瞒安检员漏检"})
			if err != nil {
				t.Fatal(err)
			}
			if fl.Count != i+1 || fl.RecordedBy != f.manager.UserID || fl.KindName == "" {
				t.Errorf("cover-up %d: %+v", i+1, fl)
			}
		}
		msgs = f.sent.Events(sampling.EventRepeatOffence)
		if ev, _ := msgs[len(msgs)-1].Payload.(sampling.RepeatOffence); len(msgs) != 2 || ev.Kind != "cover_up" || ev.Consequence != "demotion" || ev.Count != 2 {
			t.Errorf("cover-up event %+v", msgs[len(msgs)-1].Payload)
		}
		rep, _ = f.svc.Failures(f.ctx, f.manager, f.auditor.UserID, 2026)
		if k := kind(rep, "cover_up"); k.Count != 2 || !slices.Equal(k.Consequences, []string{"demotion"}) {
			t.Errorf("cover-up %+v", k)
		}
		// Everyone's failures of the year, and refusals.
		if all, _ := f.svc.Failures(f.ctx, f.manager, 0, 2026); len(all.People) != 1 || len(all.Failures) != 5 {
			t.Errorf("all: %+v", all.People)
		}
		if none, _ := f.svc.Failures(f.ctx, f.other, 0, 2026); len(none.Failures) != 0 {
			t.Errorf("another company sees %d failures", len(none.Failures))
		}
		for _, c := range []struct {
			in    sampling.FailureInput
			field string
		}{
			{sampling.FailureInput{Kind: "cover_up"}, "user_id"},
			{sampling.FailureInput{UserID: f.auditor.UserID}, "kind"},
			{sampling.FailureInput{UserID: f.auditor.UserID, Kind: "late_lunch"}, "kind"},
			{sampling.FailureInput{UserID: f.auditor.UserID, Kind: "cover_up", OccurredOn: "2027-01-01"}, "occurred_on"},
			{sampling.FailureInput{UserID: f.auditor.UserID, Kind: "cover_up", OccurredOn: "31/12/2026"}, "occurred_on"},
			{sampling.FailureInput{UserID: f.other.UserID, Kind: "cover_up"}, "user_id"},
			{sampling.FailureInput{UserID: f.manager.UserID, Kind: "cover_up"}, "user_id"},
			{sampling.FailureInput{UserID: f.auditor.UserID, Kind: "cover_up", DrawID: 987654}, "draw_id"},
		} {
			_, err := f.svc.RecordFailure(f.ctx, f.manager, c.in)
			wantErr(t, err, apperr.CodeValidation, c.field)
		}
		_, err = f.svc.RecordFailure(f.ctx, f.hotline, sampling.FailureInput{UserID: f.auditor.UserID, Kind: "cover_up"})
		wantErr(t, err, apperr.CodeForbidden, "")
		_, err = f.svc.Failures(f.ctx, f.cm, 0, 2026)
		wantErr(t, err, apperr.CodeForbidden, "")
		_, err = f.svc.Failures(f.ctx, f.manager, 0, 1800)
		wantErr(t, err, apperr.CodeValidation, "year")
		if n := f.count("SELECT count(*) FROM sampling_failures"); n != 6 {
			t.Errorf("%d failures stored", n)
		}
	})
}

// TestRolePermissions: what each role may do with sampling (SMP-002): a
// customer manager (field staff) reads nothing; a hotline operator reads
// and verifies the tasks assigned to them, but neither draws, closes nor
// records failures; a team leader draws the checks of level 2; managers
// and auditors do everything.
func TestRolePermissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		d, err := f.svc.CreateDraw(f.ctx, f.auditor, sampling.DrawInput{Rule: "inspector", CheckedUserID: f.field.UserID,
			Period: "2026-04", Items: plain("H", 40), CheckerID: f.hotline.UserID})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.GetDraw(f.ctx, f.cm, d.ID)
		wantErr(t, err, apperr.CodeForbidden, "")
		_, err = f.svc.ListEntries(f.ctx, f.cm, sampling.LedgerFilter{})
		wantErr(t, err, apperr.CodeForbidden, "")
		if _, err := f.svc.GetDraw(f.ctx, f.hotline, d.ID); err != nil {
			t.Errorf("hotline reads: %v", err)
		}
		_, err = f.svc.CloseDraw(f.ctx, f.hotline, d.ID)
		wantErr(t, err, apperr.CodeForbidden, "")
		_, err = f.svc.CancelDraw(f.ctx, f.hotline, d.ID, "不想查")
		wantErr(t, err, apperr.CodeForbidden, "")
		_, err = f.svc.CreateDraw(f.ctx, f.hotline, sampling.DrawInput{Rule: "inspector", CheckedUserID: f.field.UserID,
			Period: "2026-03", Items: plain("H", 40)})
		wantErr(t, err, apperr.CodeForbidden, "")
		// The auditor may verify too (level 1, sampling:write), the team leader may not (level 2).
		task := d.Tasks[0]
		in := sampling.VerifyInput{Results: f.passAll("inspector", task), EmployeeSignature: "paper", CustomerSignature: "paper"}
		_, err = f.svc.Verify(f.ctx, f.leader, task.ID, in)
		wantErr(t, err, apperr.CodeValidation, "checker_position")
		if e, err := f.svc.Verify(f.ctx, f.auditor, task.ID, in); err != nil || e.CheckerPosition != "auditor" {
			t.Errorf("auditor verifies: %+v %v", e, err)
		}
		closed, err := f.svc.CloseDraw(f.ctx, f.manager, d.ID)
		if err != nil || *closed.QuotaMet {
			t.Fatalf("manager closes: %v", err)
		}
		_, err = f.svc.CloseDraw(f.ctx, f.manager, d.ID)
		wantErr(t, err, apperr.CodeConflict, "status")
		// Closed short: the assigned hotline operator's missed quota.
		rep, _ := f.svc.Failures(f.ctx, f.hotline, f.hotline.UserID, 2026)
		if len(rep.Failures) != 1 || rep.Failures[0].Kind != "quota_missed" || rep.Failures[0].OccurredOn != "2026-04-30" {
			t.Errorf("hotline failures %+v", rep.Failures)
		}
		_, err = f.svc.Verify(f.ctx, f.hotline, d.Tasks[1].ID, in)
		wantErr(t, err, apperr.CodeConflict, "status")
	})
}
