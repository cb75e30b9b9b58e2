package sampling_test

import (
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/sampling"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func taskIn(d *sampling.DrawRecord, stratum string) sampling.Task {
	for _, t := range d.Tasks {
		if t.Stratum == stratum {
			return t
		}
	}
	panic("no task in " + stratum)
}

// TestVerifySignatures: SMP-013's example — an on-site check of an indoor
// meter saved without the customer's signature is refused; the same check
// on an outdoor-hung meter is accepted with the employee's signature
// only. Every checklist item is scored, a failed one needs a handling
// proposal, the method is one of the rule's, the hazards found are
// registered with source "sampling" (SMP-016). A refused verification
// writes nothing.
func TestVerifySignatures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		d, err := f.svc.CreateDraw(f.ctx, f.auditor, sampling.DrawInput{Rule: "customer_manager.residential",
			CheckedUserID: f.cm.UserID, Period: "2026-04", Items: residential(850, 480, 20, 25, 30)})
		if err != nil {
			t.Fatal(err)
		}
		indoor, outdoor := taskIn(d, "indoor"), taskIn(d, "outdoor")
		rule := "customer_manager.residential"
		onSite := sampling.VerifyInput{Method: "on_site", Results: f.passAll(rule, indoor), EmployeeSignature: "paper"}
		_, err = f.svc.Verify(f.ctx, f.auditor, indoor.ID, onSite)
		wantErr(t, err, apperr.CodeValidation, "customer_signature")
		out := onSite
		out.Results = f.passAll(rule, outdoor)
		e, err := f.svc.Verify(f.ctx, f.auditor, outdoor.ID, out)
		if err != nil {
			t.Fatal(err)
		}
		if !e.OutdoorMeter || e.CustomerSigned || !e.EmployeeSigned || !e.Passed || e.Method != "on_site" ||
			e.CheckerID != f.auditor.UserID || e.CheckedUserID != f.cm.UserID || e.Sample != 17 || e.Quota != 17 ||
			e.Kind != sampling.KindVerification || e.Results[0].Name == "" {
			t.Errorf("outdoor entry: %+v", e)
		}
		noEmployee := onSite
		noEmployee.EmployeeSignature, noEmployee.CustomerSignature = "", "paper"
		_, err = f.svc.Verify(f.ctx, f.auditor, indoor.ID, noEmployee)
		wantErr(t, err, apperr.CodeValidation, "employee_signature")
		// Declared outdoor-hung: accepted without the customer.
		yes := true
		declared := onSite
		declared.OutdoorMeter = &yes
		for _, c := range []struct {
			name  string
			in    sampling.VerifyInput
			field string
		}{
			{"no results", sampling.VerifyInput{Method: "phone"}, "results"},
			{"unknown item", sampling.VerifyInput{Method: "phone", Results: []sampling.ItemResult{{Item: "x", Result: "pass"}}}, "results[0].item"},
			{"bad result", sampling.VerifyInput{Method: "phone", Results: []sampling.ItemResult{{Item: "indoor", Result: "ok"}}}, "results[0].result"},
			{"twice", sampling.VerifyInput{Method: "phone", Results: []sampling.ItemResult{{Item: "indoor", Result: "pass"}, {Item: "indoor", Result: "pass"}}}, "results[1].item"},
			{"no method", sampling.VerifyInput{Results: f.passAll(rule, indoor)}, "method"},
			{"method of no rule", sampling.VerifyInput{Method: "talk", Results: f.passAll(rule, indoor)}, "method"},
			{"failed without proposal", sampling.VerifyInput{Method: "phone", Results: []sampling.ItemResult{{Item: "indoor", Result: "fail"}},
				Findings: "读数与现场不符"}, "proposal"},
			{"hazard without description", sampling.VerifyInput{Method: "phone", Results: f.passAll(rule, indoor),
				Hazards: []sampling.HazardInput{{Location: "厨房"}}}, "hazards[0].description"},
			{"hazard refused by the register", sampling.VerifyInput{Method: "phone", Results: f.passAll(rule, indoor),
				Hazards: []sampling.HazardInput{{Description: "立管锈蚀", Severity: "catastrophic"}}}, "hazards[0].severity"},
		} {
			_, err := f.svc.Verify(f.ctx, f.auditor, indoor.ID, c.in)
			if e, ok := apperr.As(err); !ok || e.Code != apperr.CodeValidation || e.Field != c.field {
				t.Errorf("%s: %v, want a problem at %s", c.name, err, c.field)
			}
		}
		if n := f.count("SELECT count(*) FROM sampling_ledger"); n != 1 {
			t.Errorf("%d ledger entries after the refusals", n)
		}
		e, err = f.svc.Verify(f.ctx, f.auditor, indoor.ID, declared)
		if err != nil || !e.OutdoorMeter {
			t.Fatalf("declared outdoor: %+v %v", e, err)
		}
		// A failed phone check with a proposal and a hazard (SMP-016).
		ns := taskIn(d, "not_seen")
		e, err = f.svc.Verify(f.ctx, f.auditor, ns.ID, sampling.VerifyInput{Method: "phone",
			Results:  []sampling.ItemResult{{Item: "not_seen", Result: "fail", Note: "客户称每月在家"}},
			Findings: "不见表原因不实", Proposal: "约谈客户管理员，重新抄表",
			Hazards: []sampling.HazardInput{{Description: "表前阀锈蚀", Location: "厨房", Severity: "general", Responsibility: "customer"}}})
		if err != nil {
			t.Fatal(err)
		}
		if e.Passed || e.Proposal == "" || len(e.HazardIDs) != 1 || len(f.hazards.found) != 1 {
			t.Fatalf("failed entry: %+v, %d hazards registered", e, len(f.hazards.found))
		}
		if h := f.hazards.found[0]; h.Source != "sampling" || h.SourceID != e.ID || h.CompanyID != f.co.ID || h.Description != "表前阀锈蚀" {
			t.Errorf("hazard finding %+v", h)
		}
		got, err := f.svc.GetDraw(f.ctx, f.auditor, d.ID)
		if err != nil || got.Verified != 3 {
			t.Errorf("verified %d %v", got.Verified, err)
		}
	})
}

// TestAuditorSession: SMP-009 — an auditor's May of 400 households → 12
// (3 %, 12 to 20 at 5 %); a level-2 check session covers at least 10
// households: a session of 8 is refused, one of 10 accepted, and the last
// 2 may be checked together as they are all that is left. A single task
// is a session of one.
func TestAuditorSession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.clk.Set(at("2026-06-03 09:00"))
		d, err := f.svc.CreateDraw(f.ctx, f.leader, sampling.DrawInput{Rule: "auditor", CheckedUserID: f.auditor.UserID,
			Period: "2026-05", Items: plain("A", 400)})
		if err != nil {
			t.Fatal(err)
		}
		if d.Plan.Quota != 12 || d.Plan.Max != 20 || len(d.Tasks) != 12 || d.CheckerPosition != "team_leader" || d.Level != 2 {
			t.Fatalf("auditor draw: quota %d max %d tasks %d %s", d.Plan.Quota, d.Plan.Max, len(d.Tasks), d.CheckerPosition)
		}
		session := func(tasks []sampling.Task) sampling.SessionInput {
			var in sampling.SessionInput
			for _, task := range tasks {
				in.Tasks = append(in.Tasks, sampling.SessionTask{TaskID: task.ID, VerifyInput: sampling.VerifyInput{Method: "ledger",
					Results: f.passAll("auditor", task)}})
			}
			return in
		}
		_, err = f.svc.Verify(f.ctx, f.leader, d.Tasks[0].ID, session(d.Tasks[:1]).Tasks[0].VerifyInput)
		wantErr(t, err, apperr.CodeValidation, "session")
		_, err = f.svc.VerifySession(f.ctx, f.leader, d.ID, session(d.Tasks[:8]))
		wantErr(t, err, apperr.CodeValidation, "session")
		if n := f.count("SELECT count(*) FROM sampling_ledger"); n != 0 {
			t.Fatalf("%d entries after refused sessions", n)
		}
		bad := session(d.Tasks[:10])
		bad.Tasks[9].Results = nil
		_, err = f.svc.VerifySession(f.ctx, f.leader, d.ID, bad)
		wantErr(t, err, apperr.CodeValidation, "tasks[9].results")
		entries, err := f.svc.VerifySession(f.ctx, f.leader, d.ID, session(d.Tasks[:10]))
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 10 || entries[0].SessionSize != 10 || entries[0].Session == "" || entries[9].Session != entries[0].Session {
			t.Errorf("session entries: %d", len(entries))
		}
		_, err = f.svc.VerifySession(f.ctx, f.leader, d.ID, session(d.Tasks[9:11]))
		wantErr(t, err, apperr.CodeConflict, "tasks[0].task_id")
		if _, err := f.svc.VerifySession(f.ctx, f.leader, d.ID, session(d.Tasks[10:])); err != nil {
			t.Errorf("the last 2: %v", err)
		}
		// A hotline operator may not check auditors, even with the task id.
		_, err = f.svc.Verify(f.ctx, f.hotline, d.Tasks[0].ID, sampling.VerifyInput{Method: "ledger", Results: f.passAll("auditor", d.Tasks[0]),
			CorrectionReason: "x"})
		wantErr(t, err, apperr.CodeForbidden, "")
		closed, err := f.svc.CloseDraw(f.ctx, f.leader, d.ID)
		if err != nil || closed.QuotaMet == nil || !*closed.QuotaMet || closed.Status != sampling.DrawClosed {
			t.Errorf("closed: %+v %v", closed, err)
		}
		if n := f.count("SELECT count(*) FROM sampling_failures"); n != 0 {
			t.Errorf("a met quota recorded %d failures", n)
		}
	})
}

// TestLedgerAppendOnly: verifying a verified task again is a correction:
// refused without a reason, else a new entry naming the old, which stays
// as it was (SMP-013, SEC-002).
func TestLedgerAppendOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		d, err := f.svc.CreateDraw(f.ctx, f.auditor, sampling.DrawInput{Rule: "inspector", CheckedUserID: f.field.UserID,
			Period: "2026-04", Items: plain("H", 100), CheckerID: f.hotline.UserID})
		if err != nil {
			t.Fatal(err)
		}
		var phone sampling.Task
		for _, task := range d.Tasks {
			if task.Method == "phone" {
				phone = task
			}
		}
		in := sampling.VerifyInput{Results: f.passAll("inspector", phone), Findings: "客户满意"}
		// The hotline operator is the assigned checker: sampling:read is enough.
		first, err := f.svc.Verify(f.ctx, f.hotline, phone.ID, in)
		if err != nil || first.Method != "phone" || first.CheckerPosition != "hotline_operator" {
			t.Fatalf("first: %+v %v", first, err)
		}
		_, err = f.svc.Verify(f.ctx, f.hotline, phone.ID, in)
		wantErr(t, err, apperr.CodeValidation, "correction_reason")
		in.Results[1].Result, in.Proposal, in.CorrectionReason = sampling.ResultFail, "补签检查表", "复核发现检查表未签名"
		second, err := f.svc.Verify(f.ctx, f.hotline, phone.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if second.CorrectsID != first.ID || second.Passed || second.CorrectionReason == "" {
			t.Errorf("correction %+v", second)
		}
		again, err := f.svc.GetEntry(f.ctx, f.auditor, first.ID)
		if err != nil || !again.Passed || again.CorrectedByID != second.ID || again.Findings != "客户满意" {
			t.Errorf("the corrected entry changed: %+v %v", again, err)
		}
		got, _ := f.svc.GetDraw(f.ctx, f.auditor, d.ID)
		for _, task := range got.Tasks {
			if task.ID == phone.ID && (task.EntryID != second.ID || task.Status != sampling.TaskVerified) {
				t.Errorf("task %+v", task)
			}
		}
		if got.Verified != 1 {
			t.Errorf("a correction counted twice: %d", got.Verified)
		}
		// The ledger lists both, filtered.
		list, err := f.svc.ListEntries(f.ctx, f.auditor, sampling.LedgerFilter{DrawID: d.ID})
		if err != nil || len(list) != 2 {
			t.Errorf("ledger: %d %v", len(list), err)
		}
		list, _ = f.svc.ListEntries(f.ctx, f.auditor, sampling.LedgerFilter{Failed: true})
		if len(list) != 1 || list[0].ID != second.ID {
			t.Errorf("failed entries: %d", len(list))
		}
		if list, _ := f.svc.ListEntries(f.ctx, f.other, sampling.LedgerFilter{}); len(list) != 0 {
			t.Errorf("another company sees %d entries", len(list))
		}
		_, err = f.svc.GetEntry(f.ctx, f.other, first.ID)
		wantErr(t, err, apperr.CodeNotFound, "entry")
		// Another hotline operator is not the assignee.
		_, err = f.svc.Verify(f.ctx, f.leader, phone.ID, in)
		wantErr(t, err, apperr.CodeValidation, "checker_position")
		_, err = f.svc.Verify(f.ctx, f.cm, phone.ID, in)
		wantErr(t, err, apperr.CodeForbidden, "")
	})
}
