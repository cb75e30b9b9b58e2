package sampling_test

import (
	"slices"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/sampling"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/testkit"
)

// TestEscalateLevelByLevel: SMP-013 — a problem is escalated level by level. A
// hotline operator's failed check (level 1) goes to level 2 with a note;
// the level-2 checkers (team leaders, supervisors, the safety department)
// are told; a hotline operator may not decide it; the team leader does,
// once; the decision goes on to level 3 (managers), then 4; above 4 there
// is no level. Each step is a ledger entry.
func TestEscalateLevelByLevel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		leader2 := testkit.User(t, db, f.co, auth.RoleCSSupervisor)
		d, err := f.svc.CreateDraw(f.ctx, f.auditor, sampling.DrawInput{Rule: "inspector", CheckedUserID: f.field.UserID,
			Period: "2026-04", Items: plain("H", 100), CheckerID: f.hotline.UserID})
		if err != nil {
			t.Fatal(err)
		}
		var phone, other sampling.Task
		for _, task := range d.Tasks {
			if task.Method == "phone" {
				phone, other = task, phone
			}
		}
		good, err := f.svc.Verify(f.ctx, f.hotline, other.ID, sampling.VerifyInput{Results: f.passAll("inspector", other)})
		if err != nil {
			t.Fatal(err)
		}
		res := f.passAll("inspector", phone)
		res[5].Result = sampling.ResultFail // rectification notice not signed (INS-013)
		bad, err := f.svc.Verify(f.ctx, f.hotline, phone.ID, sampling.VerifyInput{Results: res,
			Findings: "整改通知书无客户签字", Proposal: "补签并扣减安检员当月绩效"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Escalate(f.ctx, f.hotline, good.ID, "合格也上报")
		wantErr(t, err, apperr.CodeConflict, "kind")
		_, err = f.svc.Escalate(f.ctx, f.hotline, bad.ID, " ")
		wantErr(t, err, apperr.CodeValidation, "note")
		_, err = f.svc.Escalate(f.ctx, f.other, bad.ID, "越权")
		wantErr(t, err, apperr.CodeNotFound, "entry")
		esc, err := f.svc.Escalate(f.ctx, f.hotline, bad.ID, "安检员多次未取得签字，请班组长处理")
		if err != nil {
			t.Fatal(err)
		}
		if esc.Kind != sampling.KindEscalation || esc.Level != 2 || esc.FromLevel != 1 || esc.ParentID != bad.ID ||
			esc.CheckedUserID != f.field.UserID || esc.Note == "" {
			t.Errorf("escalation %+v", esc)
		}
		msgs := f.sent.Events("sampling.escalated")
		if len(msgs) != 1 {
			t.Fatalf("%d escalation notices", len(msgs))
		}
		// Level 2: team leaders and supervisors (cs_supervisor), the safety
		// department (auditor) — not the hotline or the managers.
		want := []store.ID{f.auditor.UserID, f.leader.UserID, leader2.UserID}
		got := slices.Clone(msgs[0].Users)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) || msgs[0].Link != "/sampling/ledger/"+esc.ID.String() {
			t.Errorf("told %v, want %v (%s)", got, want, msgs[0].Link)
		}
		_, err = f.svc.Escalate(f.ctx, f.hotline, bad.ID, "再报一次")
		wantErr(t, err, apperr.CodeConflict, "escalation_id")
		_, err = f.svc.Escalate(f.ctx, f.leader, esc.ID, "未决定先上报")
		wantErr(t, err, apperr.CodeConflict, "kind")
		_, err = f.svc.Decide(f.ctx, f.hotline, esc.ID, "我来决定")
		wantErr(t, err, apperr.CodeForbidden, "")
		_, err = f.svc.Decide(f.ctx, f.leader, bad.ID, "不是上报")
		wantErr(t, err, apperr.CodeConflict, "kind")
		dec, err := f.svc.Decide(f.ctx, f.leader, esc.ID, "安检员停岗培训一周，报部门经理备案")
		if err != nil {
			t.Fatal(err)
		}
		if dec.Kind != sampling.KindDecision || dec.Level != 2 || dec.ParentID != esc.ID || dec.CheckerID != f.leader.UserID {
			t.Errorf("decision %+v", dec)
		}
		_, err = f.svc.Decide(f.ctx, leader2, esc.ID, "另一个决定")
		wantErr(t, err, apperr.CodeConflict, "decision_id")
		if f.sent.Count("sampling.decided") != 1 {
			t.Error("the escalator was not told of the decision")
		}
		up, err := f.svc.Escalate(f.ctx, f.leader, dec.ID, "报部门经理")
		if err != nil || up.Level != 3 {
			t.Fatalf("level 3: %+v %v", up, err)
		}
		if msgs := f.sent.Events("sampling.escalated"); len(msgs) != 2 || !slices.Contains(msgs[1].Users, f.manager.UserID) ||
			slices.Contains(msgs[1].Users, f.leader.UserID) {
			t.Errorf("level 3 told %v", msgs[len(msgs)-1].Users)
		}
		_, err = f.svc.Decide(f.ctx, f.leader, up.ID, "班组长不能决定三级")
		wantErr(t, err, apperr.CodeForbidden, "")
		dec3, err := f.svc.Decide(f.ctx, f.manager, up.ID, "同意，报分管领导")
		if err != nil {
			t.Fatal(err)
		}
		up4, err := f.svc.Escalate(f.ctx, f.manager, dec3.ID, "报分管领导")
		if err != nil || up4.Level != 4 {
			t.Fatalf("level 4: %+v %v", up4, err)
		}
		dec4, err := f.svc.Decide(f.ctx, f.manager, up4.ID, "通报批评")
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Escalate(f.ctx, f.manager, dec4.ID, "没有第五级")
		wantErr(t, err, apperr.CodeConflict, "level")
		pending, _ := f.svc.ListEntries(f.ctx, f.manager, sampling.LedgerFilter{Pending: true})
		if len(pending) != 0 {
			t.Errorf("%d escalations pending", len(pending))
		}
		all, _ := f.svc.ListEntries(f.ctx, f.manager, sampling.LedgerFilter{})
		if len(all) != 8 {
			t.Errorf("%d ledger entries, want 2 checks + 3 escalations + 3 decisions", len(all))
		}
		first, _ := f.svc.GetEntry(f.ctx, f.manager, bad.ID)
		if first.EscalationID != esc.ID {
			t.Errorf("the check's escalation: %d", first.EscalationID)
		}
	})
}
