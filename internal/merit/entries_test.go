package merit_test

import (
	"encoding/json"
	"strings"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/merit"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestRecordConfirmRejectPermissions: a cs_agent records nothing; a
// supervisor proposes; a manager (a decider of the gas pack) records
// confirmed entries, confirms or rejects proposals, never about himself;
// every bad input is a 4xx naming its field.
func TestRecordConfirmRejectPermissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := newLedger(t, db)
		crit := merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritCriticism, At: "2026-06-01", Reason: "未按规定着装"}
		_, err := l.svc.Record(l.ctx, l.agent, crit)
		wantCode(t, err, apperr.CodeForbidden, "")

		proposal := l.record(l.sup, crit)
		if proposal.State != merit.StateProposed || proposal.ProposedBy != l.sup.UserID || proposal.DecidedBy != 0 ||
			proposal.At != "2026-06-01" || proposal.Pack != "gas" || proposal.CompanyID != l.gas.ID || proposal.UnitID != l.team.ID {
			t.Fatalf("supervisor's entry = %+v, want a proposal", proposal)
		}
		if n := l.count(`SELECT COUNT(*) FROM notifications WHERE user_id = ? AND event = ?`, l.mgr.UserID, merit.EventProposed); n != 1 {
			t.Fatalf("manager told of %d proposals, want 1", n)
		}
		if got := l.summary(l.worker.UserID, ""); got.Net.Criticism != 0 || got.Pending != 1 {
			t.Fatalf("a proposal counted: %+v", got.Net)
		}
		_, err = l.svc.Confirm(l.ctx, l.sup, proposal.ID, merit.DecisionInput{})
		wantCode(t, err, apperr.CodeForbidden, "")
		_, err = l.svc.Reject(l.ctx, l.mgr, proposal.ID, merit.DecisionInput{Note: " "})
		wantCode(t, err, apperr.CodeValidation, "note")
		_, err = l.svc.Confirm(l.ctx, l.mgr, proposal.ID, merit.DecisionInput{Amount: "10"})
		wantCode(t, err, apperr.CodeValidation, "amount") // a criticism carries no amount
		confirmed, err := l.svc.Confirm(l.ctx, l.mgr, proposal.ID, merit.DecisionInput{Note: "属实"})
		if err != nil || confirmed.ID != proposal.ID || confirmed.State != merit.StateConfirmed || confirmed.DecidedBy != l.mgr.UserID {
			t.Fatalf("confirm = %+v, %v", confirmed, err)
		}
		_, err = l.svc.Confirm(l.ctx, l.mgr, proposal.ID, merit.DecisionInput{})
		wantCode(t, err, apperr.CodeConflict, "state")
		if got := l.summary(l.worker.UserID, ""); got.Net.Criticism != 1 || got.Pending != 0 {
			t.Fatalf("after confirm: %+v pending %d", got.Net, got.Pending)
		}

		rejected := l.record(l.sup, merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritFine, Amount: "50", Reason: "迟到"})
		if r, err := l.svc.Reject(l.ctx, l.mgr, rejected.ID, merit.DecisionInput{Note: "查无实据"}); err != nil || r.State != merit.StateRejected {
			t.Fatalf("reject = %+v, %v", r, err)
		}
		d, err := l.svc.Get(l.ctx, l.mgr, rejected.ID)
		if err != nil || len(d.Decisions) != 2 || d.Decisions[0].Action != "record" || d.Decisions[1].Action != "reject" ||
			d.Decisions[1].Note != "查无实据" || d.Decisions[1].ActorName != l.mgr.Username {
			t.Fatalf("decisions = %+v, %v", d, err)
		}

		// The manager's own entry is confirmed at once; nobody records or
		// decides about themselves.
		direct := l.record(l.mgr, merit.EntryInput{UserID: l.worker.UserID, Item: "golden_idea", At: "2026-06-10T10:00:00+08:00"})
		if direct.State != merit.StateConfirmed || direct.Kind != policy.MeritSpecialAward || direct.Amount.String() != "500.00" ||
			direct.Reason != "金点子奖" || direct.RuleID != "MER-001" || direct.At != "2026-06-10" {
			t.Fatalf("catalogue entry = %+v", direct)
		}
		_, err = l.svc.Record(l.ctx, l.mgr, merit.EntryInput{UserID: l.mgr.UserID, Kind: policy.MeritCommendation, Reason: "自评"})
		wantCode(t, err, apperr.CodeForbidden, "")
		aboutMgr := l.record(l.sup, merit.EntryInput{UserID: l.mgr.UserID, Kind: policy.MeritCommendation, Reason: "带班有方"})
		_, err = l.svc.Confirm(l.ctx, l.mgr, aboutMgr.ID, merit.DecisionInput{})
		wantCode(t, err, apperr.CodeForbidden, "")
		// An auditor proposes (merits:write) but does not decide.
		if e := l.record(l.auditor, merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritWarning, Reason: "安全检查不到位"}); e.State != merit.StateProposed {
			t.Fatalf("auditor's entry %s", e.State)
		}

		for _, c := range []struct {
			in    merit.EntryInput
			field string
		}{
			{merit.EntryInput{Kind: policy.MeritCriticism, Reason: "x"}, "user_id"},
			{merit.EntryInput{UserID: l.stranger.UserID, Kind: policy.MeritCriticism, Reason: "x"}, "user_id"},
			{merit.EntryInput{UserID: 99999, Kind: policy.MeritCriticism, Reason: "x"}, "user_id"},
			{merit.EntryInput{UserID: l.worker.UserID, Reason: "x"}, "kind"},
			{merit.EntryInput{UserID: l.worker.UserID, Kind: "praise", Reason: "x"}, "kind"},
			{merit.EntryInput{UserID: l.worker.UserID, Item: "no_such", Reason: "x"}, "item"},
			{merit.EntryInput{UserID: l.worker.UserID, Item: "golden_idea", Kind: policy.MeritFine}, "kind"},
			{merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritCriticism, Amount: "5", Reason: "x"}, "amount"},
			{merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritFine, Reason: "x"}, "amount"},
			{merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritFine, Amount: "-5", Reason: "x"}, "amount"},
			{merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritFine, Amount: "5.555", Reason: "x"}, "amount"},
			{merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritPointsCut, Reason: "x"}, "points"},
			{merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritPointsCut, Points: -2, Reason: "x"}, "points"},
			{merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritCriticism, Points: 2, Reason: "x"}, "points"},
			{merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritCriticism}, "reason"},
			{merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritCriticism, Reason: strings.Repeat("长", 501)}, "reason"},
			{merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritCriticism, Reason: "x", At: "2026-06-16"}, "at"},
			{merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritCriticism, Reason: "x", At: "16/06/2026"}, "at"},
			{merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritCriticism, Reason: "x", SourceKind: "rumour"}, "source_kind"},
			{merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritCriticism, Reason: "x", NoOffset: true}, "no_offset"},
		} {
			_, err := l.svc.Record(l.ctx, l.mgr, c.in)
			wantCode(t, err, apperr.CodeValidation, c.field)
		}
		// A supervisor's no_offset is a decider's ruling.
		_, err = l.svc.Record(l.ctx, l.sup, merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritCommendation, Reason: "x", NoOffset: true})
		wantCode(t, err, apperr.CodeValidation, "no_offset")

		// Reading: everybody their own, others' with merits:write in scope.
		if s, err := l.svc.Summary(l.ctx, l.worker, 0, ""); err != nil || s.UserID != l.worker.UserID || s.Net.Criticism != 1 {
			t.Fatalf("own summary = %+v, %v", s, err)
		}
		_, err = l.svc.Summary(l.ctx, l.worker, l.agent.UserID, "")
		wantCode(t, err, apperr.CodeForbidden, "")
		_, err = l.svc.Summary(l.ctx, l.stranger, l.worker.UserID, "")
		wantCode(t, err, apperr.CodeNotFound, "user_id")
		own, err := l.svc.List(l.ctx, l.worker, merit.Filter{})
		if err != nil || len(own.Items) != 4 {
			t.Fatalf("worker's own list = %d, %v; want 4", len(own.Items), err)
		}
		for _, e := range own.Items {
			if e.UserID != l.worker.UserID {
				t.Fatalf("worker sees %+v", e)
			}
		}
		_, err = l.svc.Get(l.ctx, l.worker, aboutMgr.ID)
		wantCode(t, err, apperr.CodeNotFound, "id")
		if pg, err := l.svc.List(l.ctx, l.stranger, merit.Filter{}); err != nil || len(pg.Items) != 0 {
			t.Fatalf("stranger sees %d entries, %v", len(pg.Items), err)
		}
		// Keyset pages, newest first.
		first, err := l.svc.List(l.ctx, l.mgr, merit.Filter{Limit: 2})
		if err != nil || len(first.Items) != 2 || first.Next == 0 || first.Items[0].ID < first.Items[1].ID {
			t.Fatalf("page 1 = %+v, %v", first, err)
		}
		second, err := l.svc.List(l.ctx, l.mgr, merit.Filter{Limit: 2, After: first.Next})
		if err != nil || len(second.Items) != 2 || second.Items[0].ID >= first.Items[1].ID {
			t.Fatalf("page 2 = %+v, %v", second, err)
		}
		_, err = l.svc.List(l.ctx, l.mgr, merit.Filter{Limit: 501})
		wantCode(t, err, apperr.CodeValidation, "limit")
		_, err = l.svc.List(l.ctx, l.mgr, merit.Filter{From: "June"})
		wantCode(t, err, apperr.CodeValidation, "from")
		props, err := l.svc.List(l.ctx, l.mgr, merit.Filter{State: merit.StateProposed})
		if err != nil || len(props.Items) != 2 { // about the manager, and the auditor's warning
			t.Fatalf("proposals = %d, %v", len(props.Items), err)
		}
	})
}

// TestSummaryWhateverTheOrder is MER-002's example through the API's
// summary: a minor demerit of 2026-01-20 and criticisms of 2026-03-02 and
// 2026-05-11 make one major demerit, whatever order they are entered in.
func TestSummaryWhateverTheOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := newLedger(t, db)
		entries := []merit.EntryInput{
			{Kind: policy.MeritMinorDemerit, At: "2026-01-20", Reason: "违规操作"},
			{Kind: policy.MeritCriticism, At: "2026-03-02", Reason: "服务态度差"},
			{Kind: policy.MeritCriticism, At: "2026-05-11", Reason: "未及时回访"},
		}
		var want []byte
		for i, order := range [][]int{{0, 1, 2}, {2, 1, 0}, {1, 2, 0}} {
			who := []store.ID{l.worker.UserID, l.agent.UserID, l.sup.UserID}[i]
			for _, k := range order {
				in := entries[k]
				in.UserID = who
				l.record(l.mgr, in)
			}
			s := l.summary(who, "")
			b, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			var shape map[string]any
			if err := json.Unmarshal(b, &shape); err != nil {
				t.Fatal(err)
			}
			net, _ := json.Marshal(shape["net"])
			got := string(net) + "|" + string(mustJSON(t, shape["warnings_this_year"])) + "|" + string(mustJSON(t, shape["termination"])) +
				"|" + string(mustJSON(t, shape["reassignment"])) + "|" + string(mustJSON(t, shape["bonus_yuan"]))
			if i == 0 {
				want = []byte(`{"commendation":0,"criticism":0,"major_demerit":1,"major_merit":0,"minor_demerit":0,"minor_merit":0}|0|false|false|"0.00"`)
			}
			if got != string(want) {
				t.Fatalf("order %v: summary %s, want %s", order, got, want)
			}
			if len(s.Steps) != 2 || s.Steps[0].Into != policy.MeritMinorDemerit || s.Steps[1].Into != policy.MeritMajorDemerit ||
				len(s.Basis[policy.MeritMajorDemerit]) != 3 {
				t.Fatalf("order %v: steps %+v basis %v", order, s.Steps, s.Basis)
			}
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestLedgerIsAppendOnly: an entry's facts and its decisions cannot be
// rewritten or deleted, on either database (SEC-002).
func TestLedgerIsAppendOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := newLedger(t, db)
		e := l.record(l.mgr, merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritFine, Amount: "100", Reason: "丢失文件"})
		for _, q := range []string{
			`UPDATE merit_entries SET amount_cents = 1 WHERE id = ?`,
			`UPDATE merit_entries SET occurred_on = '2026-01-01' WHERE id = ?`,
			`DELETE FROM merit_entries WHERE id = ?`,
			`UPDATE merit_decisions SET note = 'x' WHERE entry_id = ?`,
			`DELETE FROM merit_decisions WHERE entry_id = ?`,
		} {
			if err := l.exec(q, e.ID); err == nil {
				t.Errorf("%s succeeded", q)
			}
		}
		got, err := l.svc.Get(l.ctx, l.mgr, e.ID)
		if err != nil || got.Amount.String() != "100.00" || len(got.Decisions) != 1 {
			t.Fatalf("entry after the attempts = %+v, %v", got, err)
		}
	})
}
