package merit_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/merit"
	"kefu/internal/money"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// effective derives the person's summary from their confirmed entries, as
// read straight from the ledger.
func (f *appealFix) effective(who *auth.Principal) merit.Summary {
	f.t.Helper()
	facts, err := store.QueryAll(f.ctx, f.db.Reader(), func(sc store.Scanner) (merit.Fact, error) {
		var x merit.Fact
		var on string
		var amount int64
		err := sc.Scan(&x.ID, &x.Kind, &on, &amount, &x.Points, &x.NoOffset)
		x.Amount = money.Yuan(amount)
		if err == nil {
			x.On, err = calendar.ParseDate(on)
		}
		return x, err
	}, `SELECT id, kind, occurred_on, amount_cents, points, no_offset FROM merit_entries
		WHERE user_id = ? AND state = ? ORDER BY occurred_on, id`, who.UserID, merit.StateConfirmed)
	if err != nil {
		f.t.Fatal(err)
	}
	pack, err := f.base.Packs.ForUnit(f.ctx, who.OrgUnitID)
	if err != nil {
		f.t.Fatal(err)
	}
	return merit.Derive(facts, &pack.Merits, calendar.D(2026, 6, 15))
}

func TestAppealNeedsEvidence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newAppealFix(t, db)
		id := f.entry(f.agent, policy.MeritCriticism, "2026-06-02", 0, 0)
		for _, ev := range []string{"", "   \n\t"} {
			_, err := f.svc.FileAppeal(f.ctx, f.agent, id, merit.AppealInput{Evidence: ev})
			apRefused(t, err, http.StatusUnprocessableEntity, "evidence")
		}
		_, err := f.svc.FileAppeal(f.ctx, f.agent, id, merit.AppealInput{Evidence: strings.Repeat("证", 2001)})
		apRefused(t, err, http.StatusUnprocessableEntity, "evidence")
		var n int
		if err := db.Reader().QueryRow(f.ctx, `SELECT count(*) FROM merit_appeals`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("appeals stored without evidence: %d, %v", n, err)
		}
		a := f.appeal(f.svc.FileAppeal(f.ctx, f.agent, id, merit.AppealInput{Evidence: strings.Repeat("证", 2000)}))
		if a.State != merit.AppealMediation {
			t.Fatalf("state %q", a.State)
		}
	})
}

// TestAppealMediatedEscalatedWithdrawn walks MER-006 to its end: filed →
// supervisor mediation (upheld) → escalated → HR investigation → resolved
// withdrawn; the criticism no longer counts.
func TestAppealMediatedEscalatedWithdrawn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newAppealFix(t, db)
		first := f.entry(f.agent, policy.MeritCriticism, "2026-05-11", 0, 0)
		second := f.entry(f.agent, policy.MeritCriticism, "2026-06-02", 0, 0)
		if got := f.effective(f.agent).Net.MinorDemerit; got != 1 {
			t.Fatalf("before the appeal: %d minor demerits, want 1 (2 criticisms roll up)", got)
		}

		a := f.appeal(f.svc.FileAppeal(f.ctx, f.agent, second, merit.AppealInput{Evidence: "通话录音 2026-06-02 14:10：客户已于当日撤诉"}))
		if a.State != merit.AppealMediation || a.EntryID != second || a.UserID != f.agent.UserID || len(a.Steps) != 1 {
			t.Fatalf("filed: %+v", a)
		}
		if f.notified(f.leader, merit.EventAppeal) != 1 {
			t.Fatal("the team's supervisor was not told to mediate")
		}
		a = f.appeal(f.svc.Mediate(f.ctx, f.leader, a.ID, merit.OutcomeInput{Outcome: merit.OutcomeUpheld, Note: "录音不能证明撤诉"}))
		if a.State != merit.AppealMediated || a.Outcome != merit.OutcomeUpheld {
			t.Fatalf("mediated: %+v", a)
		}
		if got := f.row(second).State; got != merit.StateConfirmed {
			t.Fatalf("upheld entry is %q", got)
		}
		if f.notified(f.agent, merit.EventAppeal) != 1 {
			t.Fatal("the appellant was not told of the mediation")
		}
		_, err := f.svc.Escalate(f.ctx, f.agent, a.ID, " ")
		apRefused(t, err, http.StatusUnprocessableEntity, "note")
		a = f.appeal(f.svc.Escalate(f.ctx, f.agent, a.ID, "申请人力资源调查"))
		if a.State != merit.AppealInvestigation {
			t.Fatalf("escalated: %q", a.State)
		}
		if f.notified(f.manager, merit.EventAppeal) != 1 || f.notified(f.manager2, merit.EventAppeal) != 1 {
			t.Fatal("the deciders were not told of the escalation")
		}
		_, err = f.svc.Resolve(f.ctx, f.manager, a.ID, merit.OutcomeInput{Outcome: merit.OutcomeWithdrawn})
		apRefused(t, err, http.StatusUnprocessableEntity, "note")
		a = f.appeal(f.svc.Resolve(f.ctx, f.manager, a.ID, merit.OutcomeInput{Outcome: merit.OutcomeWithdrawn, Note: "客户确认已撤诉"}))
		if a.State != merit.AppealResolved || a.Outcome != merit.OutcomeWithdrawn || a.ResolvedAt == nil {
			t.Fatalf("resolved: %+v", a)
		}
		var steps []string
		for _, st := range a.Steps {
			steps = append(steps, st.Step+"/"+st.Outcome+"/"+st.ActorName)
		}
		want := []string{"filed//" + f.agent.Username, "mediated/upheld/" + f.leader.Username,
			"escalated//" + f.agent.Username, "resolved/withdrawn/" + f.manager.Username}
		if !slices.Equal(steps, want) {
			t.Fatalf("steps %v, want %v", steps, want)
		}

		if got := f.row(second).State; got != merit.StateWithdrawn {
			t.Fatalf("withdrawn entry is %q", got)
		}
		if got := f.row(first).State; got != merit.StateConfirmed {
			t.Fatalf("the other criticism is %q", got)
		}
		if got := f.decisions(second); !slices.Equal(got, []string{"withdraw:" + a.ID.String()}) {
			t.Fatalf("decisions %v", got)
		}
		sum := f.effective(f.agent)
		if sum.Net.MinorDemerit != 0 || sum.Net.Criticism != 1 {
			t.Fatalf("after the withdrawal: %+v, want 1 criticism and no minor demerit", sum.Net)
		}

		// The resolved appeal no longer blocks a new one, but the
		// withdrawn entry cannot be appealed.
		_, err = f.svc.FileAppeal(f.ctx, f.agent, second, merit.AppealInput{Evidence: "再次申诉"})
		apRefused(t, err, http.StatusConflict, "entry_id")
		_, err = f.svc.Escalate(f.ctx, f.agent, a.ID, "再次")
		apRefused(t, err, http.StatusConflict, "state")
		got := f.appeal(f.svc.GetAppeal(f.ctx, f.agent, a.ID))
		if len(got.Steps) != 4 {
			t.Fatalf("GetAppeal steps %d", len(got.Steps))
		}
	})
}

// TestAppealChangedSupersedes changes a 100-yuan fine into 50 at mediation:
// a new confirmed entry supersedes the old, which stops counting; the
// appellant accepts. A second appeal, escalated, withdraws the entry the
// change made.
func TestAppealChangedSupersedes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newAppealFix(t, db)
		old := f.entry(f.agent, policy.MeritFine, "2026-06-03", 100_00, 0)
		a := f.appeal(f.svc.FileAppeal(f.ctx, f.agent, old, merit.AppealInput{Evidence: "工单 T-2026-0311 超时系系统停机所致"}))

		_, err := f.svc.Mediate(f.ctx, f.leader, a.ID, merit.OutcomeInput{Outcome: merit.OutcomeChanged, Note: "减半"})
		apRefused(t, err, http.StatusUnprocessableEntity, "amount")
		_, err = f.svc.Mediate(f.ctx, f.leader, a.ID, merit.OutcomeInput{Outcome: merit.OutcomeChanged, Note: "减半", Amount: "100"})
		apRefused(t, err, http.StatusUnprocessableEntity, "outcome")
		_, err = f.svc.Mediate(f.ctx, f.leader, a.ID, merit.OutcomeInput{Outcome: merit.OutcomeChanged, Note: "改为表扬", Kind: policy.MeritCommendation})
		apRefused(t, err, http.StatusUnprocessableEntity, "kind")
		_, err = f.svc.Mediate(f.ctx, f.leader, a.ID, merit.OutcomeInput{Outcome: merit.OutcomeChanged, Note: "减半", Amount: "50", Points: 2})
		apRefused(t, err, http.StatusUnprocessableEntity, "points")
		_, err = f.svc.Mediate(f.ctx, f.leader, a.ID, merit.OutcomeInput{Outcome: "pardoned", Note: "x"})
		apRefused(t, err, http.StatusUnprocessableEntity, "outcome")

		a = f.appeal(f.svc.Mediate(f.ctx, f.leader, a.ID, merit.OutcomeInput{Outcome: merit.OutcomeChanged, Note: "系统停机，减半", Amount: "50.00"}))
		if a.State != merit.AppealMediated || a.Outcome != merit.OutcomeChanged || a.ResultEntry == 0 {
			t.Fatalf("mediated: %+v", a)
		}
		nw := f.row(a.ResultEntry)
		if nw.Kind != policy.MeritFine || nw.Amount != 50_00 || nw.State != merit.StateConfirmed ||
			nw.SourceKind != merit.SourceAppeal || nw.SourceID != a.ID || nw.Supersedes.ID != old ||
			nw.On != "2026-06-03" || nw.Reason != "投诉处理超时" {
			t.Fatalf("new entry %+v", nw)
		}
		if got := f.row(old).State; got != merit.StateChanged {
			t.Fatalf("old entry is %q", got)
		}
		if got := f.decisions(old); !slices.Equal(got, []string{"change:" + nw.ID.String()}) {
			t.Fatalf("old decisions %v", got)
		}
		if got := f.decisions(nw.ID); !slices.Equal(got, []string{"confirm:" + a.ID.String()}) {
			t.Fatalf("new decisions %v", got)
		}
		if sum := f.effective(f.agent); sum.FinesYuan != 50_00 {
			t.Fatalf("fines %v, want 50.00", sum.FinesYuan)
		}
		a = f.appeal(f.svc.AcceptMediation(f.ctx, f.agent, a.ID, "接受"))
		if a.State != merit.AppealResolved || a.Outcome != merit.OutcomeChanged || a.ResultEntry != nw.ID {
			t.Fatalf("accepted: %+v", a)
		}
		// Both entries link the appeal: the old was appealed, the new made by it.
		for _, id := range []store.ID{old, nw.ID} {
			d, err := f.svc.Get(f.ctx, f.agent, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Appeals) != 1 || d.Appeals[0].ID != a.ID || len(d.Appeals[0].Steps) != 3 {
				t.Fatalf("entry %d appeals %+v", id, d.Appeals)
			}
		}

		// Appeal the new entry; mediation upholds it, the appellant
		// escalates, and the decider withdraws the entry as it stands.
		b := f.appeal(f.svc.FileAppeal(f.ctx, f.agent, nw.ID, merit.AppealInput{Evidence: "停机公告截图"}))
		f.appeal(f.svc.Mediate(f.ctx, f.leader, b.ID, merit.OutcomeInput{Outcome: merit.OutcomeUpheld, Note: "维持减半"}))
		f.appeal(f.svc.Escalate(f.ctx, f.agent, b.ID, "应全部撤销"))
		b = f.appeal(f.svc.Resolve(f.ctx, f.manager2, b.ID, merit.OutcomeInput{Outcome: merit.OutcomeWithdrawn, Note: "停机属实"}))
		if got := f.row(nw.ID).State; got != merit.StateWithdrawn {
			t.Fatalf("the changed entry is %q after the withdrawal", got)
		}
		if sum := f.effective(f.agent); sum.FinesYuan != 0 {
			t.Fatalf("fines %v after the withdrawal", sum.FinesYuan)
		}
	})
}

// TestAppealChangeThenResolveOnCurrentEntry: a mediation changes a major
// demerit into a minor one; escalated, the decider changes the entry the
// mediation made (a criticism), which supersedes it in turn.
func TestAppealChangeThenResolveOnCurrentEntry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newAppealFix(t, db)
		old := f.entry(f.agent, policy.MeritMajorDemerit, "2026-04-20", 0, 0)
		a := f.appeal(f.svc.FileAppeal(f.ctx, f.agent, old, merit.AppealInput{Evidence: "事故调查报告第3页"}))
		a = f.appeal(f.svc.Mediate(f.ctx, f.manager, a.ID, merit.OutcomeInput{Outcome: merit.OutcomeChanged,
			Kind: policy.MeritMinorDemerit, Note: "情节较轻"}))
		mid := a.ResultEntry
		f.appeal(f.svc.Escalate(f.ctx, f.agent, a.ID, "仍然过重"))
		_, err := f.svc.Resolve(f.ctx, f.manager, a.ID, merit.OutcomeInput{Outcome: merit.OutcomeChanged,
			Kind: policy.MeritCriticism, Note: "改为通报批评"})
		apRefused(t, err, http.StatusForbidden, "") // the mediator may not resolve
		a = f.appeal(f.svc.Resolve(f.ctx, f.manager2, a.ID, merit.OutcomeInput{Outcome: merit.OutcomeChanged,
			Kind: policy.MeritCriticism, Note: "改为通报批评"}))
		last := f.row(a.ResultEntry)
		if last.Kind != policy.MeritCriticism || last.Supersedes.ID != mid || last.State != merit.StateConfirmed {
			t.Fatalf("final entry %+v", last)
		}
		if f.row(old).State != merit.StateChanged || f.row(mid).State != merit.StateChanged {
			t.Fatalf("states %q %q", f.row(old).State, f.row(mid).State)
		}
		net := f.effective(f.agent).Net
		if net.Criticism != 1 || net.MinorDemerit != 0 || net.MajorDemerit != 0 {
			t.Fatalf("net %+v", net)
		}
	})
}

// TestAppealWithdrawnThenUpheld: the supervisor withdraws the entry, the
// appellant still escalates (to have it struck with reasons), and the
// decider upholds it: the entry counts again.
func TestAppealWithdrawnThenUpheld(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newAppealFix(t, db)
		id := f.entry(f.agent, policy.MeritWarning, "2026-03-02", 0, 0)
		a := f.appeal(f.svc.FileAppeal(f.ctx, f.agent, id, merit.AppealInput{Evidence: "排班表"}))
		f.appeal(f.svc.Mediate(f.ctx, f.leader, a.ID, merit.OutcomeInput{Outcome: merit.OutcomeWithdrawn, Note: "当日休假"}))
		if f.row(id).State != merit.StateWithdrawn {
			t.Fatal("not withdrawn at mediation")
		}
		f.appeal(f.svc.Escalate(f.ctx, f.agent, a.ID, "要求书面说明"))
		f.appeal(f.svc.Resolve(f.ctx, f.manager, a.ID, merit.OutcomeInput{Outcome: merit.OutcomeUpheld, Note: "休假未获批准"}))
		if got := f.row(id).State; got != merit.StateConfirmed {
			t.Fatalf("upheld entry is %q", got)
		}
		if got := f.decisions(id); !slices.Equal(got, []string{"withdraw:" + a.ID.String(), "reinstate:" + a.ID.String()}) {
			t.Fatalf("decisions %v", got)
		}
	})
}

func TestAppealPermissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newAppealFix(t, db)
		id := f.entry(f.agent, policy.MeritFine, "2026-06-01", 100_00, 0)

		// Only the entry's person files; a colleague does not even see it.
		_, err := f.svc.FileAppeal(f.ctx, f.agent2, id, merit.AppealInput{Evidence: "x"})
		apRefused(t, err, http.StatusNotFound, "entry_id")
		_, err = f.svc.FileAppeal(f.ctx, f.leader, id, merit.AppealInput{Evidence: "x"})
		apRefused(t, err, http.StatusForbidden, "")
		a := f.appeal(f.svc.FileAppeal(f.ctx, f.agent, id, merit.AppealInput{Evidence: "监控截图"}))
		_, err = f.svc.FileAppeal(f.ctx, f.agent, id, merit.AppealInput{Evidence: "再次"})
		apRefused(t, err, http.StatusConflict, "entry_id")

		// Reading: the appellant and the company's supervisors.
		_, err = f.svc.GetAppeal(f.ctx, f.agent2, a.ID)
		apRefused(t, err, http.StatusNotFound, "id")
		_, err = f.svc.GetAppeal(f.ctx, f.outsider, a.ID)
		apRefused(t, err, http.StatusNotFound, "id")
		f.appeal(f.svc.GetAppeal(f.ctx, f.leader, a.ID))
		if got := f.appeals(f.svc.Appeals(f.ctx, f.agent2, merit.AppealFilter{})); len(got) != 0 {
			t.Fatalf("a colleague lists %d appeals", len(got))
		}
		_, err = f.svc.Appeals(f.ctx, f.agent2, merit.AppealFilter{UserID: f.agent.UserID})
		apRefused(t, err, http.StatusForbidden, "")
		if got := f.appeals(f.svc.Appeals(f.ctx, f.agent, merit.AppealFilter{})); len(got) != 1 || got[0].ID != a.ID {
			t.Fatalf("own appeals %v", got)
		}
		if got := f.appeals(f.svc.Appeals(f.ctx, f.leader, merit.AppealFilter{State: merit.AppealMediation})); len(got) != 1 {
			t.Fatalf("the supervisor lists %d", len(got))
		}
		if got := f.appeals(f.svc.Appeals(f.ctx, f.outsider, merit.AppealFilter{})); len(got) != 0 {
			t.Fatalf("another company lists %d", len(got))
		}
		_, err = f.svc.Appeals(f.ctx, f.leader, merit.AppealFilter{State: "open"})
		apRefused(t, err, http.StatusUnprocessableEntity, "state")

		// Mediation: not a cs_agent, not another company, not the appellant.
		in := merit.OutcomeInput{Outcome: merit.OutcomeUpheld, Note: "维持"}
		_, err = f.svc.Mediate(f.ctx, f.agent2, a.ID, in)
		apRefused(t, err, http.StatusForbidden, "")
		_, err = f.svc.Mediate(f.ctx, f.agent, a.ID, in)
		apRefused(t, err, http.StatusForbidden, "")
		_, err = f.svc.Mediate(f.ctx, f.outsider, a.ID, in)
		apRefused(t, err, http.StatusNotFound, "id")
		_, err = f.svc.Resolve(f.ctx, f.manager, a.ID, in)
		apRefused(t, err, http.StatusConflict, "state") // not escalated yet
		_, err = f.svc.AcceptMediation(f.ctx, f.agent, a.ID, "")
		apRefused(t, err, http.StatusConflict, "state")
		a = f.appeal(f.svc.Mediate(f.ctx, f.leader, a.ID, in))
		_, err = f.svc.Mediate(f.ctx, f.manager, a.ID, in)
		apRefused(t, err, http.StatusConflict, "state")

		// Only the appellant accepts or escalates.
		_, err = f.svc.Escalate(f.ctx, f.leader, a.ID, "代为申诉")
		apRefused(t, err, http.StatusForbidden, "")
		_, err = f.svc.AcceptMediation(f.ctx, f.manager, a.ID, "")
		apRefused(t, err, http.StatusForbidden, "")
		f.appeal(f.svc.Escalate(f.ctx, f.agent, a.ID, "不服"))

		// Resolution: a decider of the pack, not the supervisor, not the
		// appellant.
		_, err = f.svc.Resolve(f.ctx, f.leader, a.ID, in)
		apRefused(t, err, http.StatusForbidden, "")
		_, err = f.svc.Resolve(f.ctx, f.auditor, a.ID, in)
		apRefused(t, err, http.StatusForbidden, "")
		f.appeal(f.svc.Resolve(f.ctx, f.manager, a.ID, in))

		// A supervisor's own entry: they may appeal it but not mediate it.
		own := f.entry(f.leader, policy.MeritCriticism, "2026-06-05", 0, 0)
		told, toldBoss := f.notified(f.leader, merit.EventAppeal), f.notified(f.manager2, merit.EventAppeal)
		b := f.appeal(f.svc.FileAppeal(f.ctx, f.leader, own, merit.AppealInput{Evidence: "当日不在岗"}))
		_, err = f.svc.Mediate(f.ctx, f.leader, b.ID, in)
		apRefused(t, err, http.StatusForbidden, "")
		if f.notified(f.leader, merit.EventAppeal) != told {
			t.Fatal("the appellant was asked to mediate their own appeal")
		}
		if f.notified(f.manager2, merit.EventAppeal) != toldBoss+1 {
			t.Fatal("nobody above the supervisor was asked to mediate")
		}
		f.appeal(f.svc.Mediate(f.ctx, f.manager, b.ID, in))

		// A proposal cannot be appealed.
		var proposal store.ID
		err = db.Tx(f.ctx, func(tx store.Conn) error {
			var err error
			proposal, err = tx.InsertID(f.ctx, `INSERT INTO merit_entries (company_id, unit_id, user_id, pack, pack_version,
				kind, occurred_on, reason, created_at, state) SELECT company_id, unit_id, user_id, pack, pack_version, kind,
				occurred_on, reason, created_at, ? FROM merit_entries WHERE id = ? RETURNING id`, merit.StateProposed, id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.FileAppeal(f.ctx, f.agent, proposal, merit.AppealInput{Evidence: "x"})
		apRefused(t, err, http.StatusConflict, "entry_id")
	})
}
