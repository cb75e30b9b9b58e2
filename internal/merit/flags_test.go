package merit_test

import (
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/merit"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestTerminationFlagStoredOnce: four minor demerits make two major
// demerits: the termination flag is stored once, for the manager and the
// person, and stays stored as more entries come; HR closes it with a note.
func TestTerminationFlagStoredOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := newLedger(t, db)
		var ids []store.ID
		for _, at := range []string{"2026-01-05", "2026-02-05", "2026-03-05", "2026-04-05"} {
			ids = append(ids, l.record(l.mgr, merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritMinorDemerit, At: at, Reason: "违章作业"}).ID)
		}
		s := l.summary(l.worker.UserID, "")
		if !s.Termination || s.Net.MajorDemerit != 2 || len(s.Raised) != 1 {
			t.Fatalf("summary %+v raised %+v", s.Net, s.Raised)
		}
		f := s.Raised[0]
		if f.Flag != policy.FlagTermination || f.RaisedOn != "2026-04-05" || f.State != merit.FlagOpen || f.RuleID != "MER-002" ||
			len(f.Entries) != 4 || f.Entries[0] != ids[0] || f.Entries[3] != ids[3] {
			t.Fatalf("flag = %+v", f)
		}
		l.record(l.mgr, merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritCriticism, At: "2026-05-05", Reason: "迟到"})
		if n := l.count(`SELECT COUNT(*) FROM merit_flags WHERE user_id = ?`, l.worker.UserID); n != 1 {
			t.Fatalf("%d flags stored, want 1", n)
		}
		for _, who := range []store.ID{l.mgr.UserID, l.worker.UserID} {
			if n := l.count(`SELECT COUNT(*) FROM notifications WHERE user_id = ? AND event = ?`, who, merit.EventFlag); n != 1 {
				t.Fatalf("user %d told %d times of the flag, want 1", who, n)
			}
		}
		_, err := l.svc.Flags(l.ctx, l.sup, "", 0)
		wantCode(t, err, apperr.CodeForbidden, "")
		open, err := l.svc.Flags(l.ctx, l.mgr, merit.FlagOpen, 0)
		if err != nil || len(open) != 1 || open[0].ID != f.ID {
			t.Fatalf("open flags = %+v, %v", open, err)
		}
		if theirs, _ := l.svc.Flags(l.ctx, l.stranger, "", 0); len(theirs) != 0 {
			t.Fatalf("another company's manager sees %+v", theirs)
		}
		_, err = l.svc.CloseFlag(l.ctx, l.mgr, f.ID, merit.FlagDone, "")
		wantCode(t, err, apperr.CodeValidation, "note")
		_, err = l.svc.CloseFlag(l.ctx, l.mgr, f.ID, "open", "x")
		wantCode(t, err, apperr.CodeValidation, "state")
		_, err = l.svc.CloseFlag(l.ctx, l.stranger, f.ID, merit.FlagDone, "x")
		wantCode(t, err, apperr.CodeNotFound, "id")
		done, err := l.svc.CloseFlag(l.ctx, l.mgr, f.ID, merit.FlagDone, "已启动解除劳动合同流程")
		if err != nil || done.State != merit.FlagDone || done.ClosedBy != l.mgr.UserID || done.ClosedAt == nil {
			t.Fatalf("closed = %+v, %v", done, err)
		}
		_, err = l.svc.CloseFlag(l.ctx, l.mgr, f.ID, merit.FlagVoid, "x")
		wantCode(t, err, apperr.CodeConflict, "state")
	})
}

// TestBonusAndReassignment: two major merits (MER-003) raise a 2,000 yuan
// payment proposal; two warnings in a year (MER-005) a reassignment.
func TestBonusAndReassignment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := newLedger(t, db)
		for _, at := range []string{"2026-03-01", "2026-06-01"} {
			l.record(l.mgr, merit.EntryInput{UserID: l.agent.UserID, Kind: policy.MeritMajorMerit, At: at, Reason: "抢险有功"})
		}
		s := l.summary(l.agent.UserID, "")
		if s.BonusYuan.String() != "2000.00" || s.Net.MajorMerit != 2 || len(s.Raised) != 1 ||
			s.Raised[0].Flag != policy.FlagBonus || s.Raised[0].Amount.String() != "2000.00" || s.Raised[0].RaisedOn != "2026-06-01" {
			t.Fatalf("bonus summary %+v raised %+v", s.Summary.Net, s.Raised)
		}
		l.record(l.mgr, merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritWarning, At: "2026-02-03", Reason: "脱岗"})
		if s := l.summary(l.worker.UserID, ""); s.Reassignment || len(s.Raised) != 0 {
			t.Fatalf("one warning: %+v", s)
		}
		l.record(l.mgr, merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritWarning, At: "2026-06-14", Reason: "再次脱岗"})
		s = l.summary(l.worker.UserID, "")
		if !s.Reassignment || s.WarningsThisYear != 2 || len(s.Raised) != 1 || s.Raised[0].Flag != policy.FlagReassignment ||
			s.Raised[0].RaisedOn != "2026-06-14" || s.Raised[0].RuleID != "MER-005" {
			t.Fatalf("two warnings: %+v raised %+v", s.Summary, s.Raised)
		}
		// The summary at an earlier date is derived as it stood then.
		if then := l.summary(l.worker.UserID, "2026-03-01"); then.Reassignment || then.WarningsThisYear != 1 {
			t.Fatalf("at 2026-03-01: %+v", then.Summary)
		}
		_, err := l.svc.Summary(l.ctx, l.mgr, l.worker.UserID, "2026-13-01")
		wantCode(t, err, apperr.CodeValidation, "at")
	})
}

// TestOffsetAndDiscretion is MER-004's example: a criticism of 2026-04-10
// is revoked by a commendation of 2026-06-01; the manager's ruling that
// the commendation revokes nothing brings the criticism back.
func TestOffsetAndDiscretion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := newLedger(t, db)
		crit := l.record(l.mgr, merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritCriticism, At: "2026-04-10", Reason: "投诉处理不当"})
		comm := l.record(l.mgr, merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritCommendation, At: "2026-06-01", Reason: "拾金不昧"})
		s := l.summary(l.worker.UserID, "")
		if s.Net.Criticism != 0 || s.Net.Commendation != 0 || len(s.Steps) != 1 || s.Steps[0].Action != merit.StepOffset {
			t.Fatalf("offset: %+v steps %+v", s.Net, s.Steps)
		}
		_, err := l.svc.SetOffset(l.ctx, l.mgr, comm.ID, merit.OffsetInput{Apply: false})
		wantCode(t, err, apperr.CodeValidation, "note")
		_, err = l.svc.SetOffset(l.ctx, l.mgr, crit.ID, merit.OffsetInput{Apply: false, Note: "x"})
		wantCode(t, err, apperr.CodeValidation, "apply")
		_, err = l.svc.SetOffset(l.ctx, l.sup, comm.ID, merit.OffsetInput{Apply: false, Note: "x"})
		wantCode(t, err, apperr.CodeForbidden, "")
		_, err = l.svc.SetOffset(l.ctx, l.mgr, comm.ID, merit.OffsetInput{Apply: true, Note: "x"})
		wantCode(t, err, apperr.CodeConflict, "apply")
		ruled, err := l.svc.SetOffset(l.ctx, l.mgr, comm.ID, merit.OffsetInput{Apply: false, Note: "情节不同，酌情不抵"})
		if err != nil || !ruled.NoOffset {
			t.Fatalf("no_offset = %+v, %v", ruled, err)
		}
		if s := l.summary(l.worker.UserID, ""); s.Net.Criticism != 1 || s.Net.Commendation != 1 {
			t.Fatalf("after the ruling: %+v", s.Net)
		}
		if _, err := l.svc.SetOffset(l.ctx, l.mgr, comm.ID, merit.OffsetInput{Apply: true, Note: "复议后按规则抵销"}); err != nil {
			t.Fatal(err)
		}
		if s := l.summary(l.worker.UserID, ""); s.Net.Criticism != 0 || s.Net.Commendation != 0 {
			t.Fatalf("after the second ruling: %+v", s.Net)
		}
		d, err := l.svc.Get(l.ctx, l.mgr, comm.ID)
		if err != nil || len(d.Decisions) != 3 || d.Decisions[1].Action != "no_offset" || d.Decisions[2].Action != "offset" {
			t.Fatalf("decisions %+v, %v", d.Decisions, err)
		}
	})
}
