package merit_test

import (
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/merit"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestPublicationAndMonthlyTable is SEC-011: a unit's monthly table, with
// a row per person who has entries that month or a proposal waiting, and
// the publication of the month's confirmed results on the pack's channel.
func TestPublicationAndMonthlyTable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := newLedger(t, db)
		l.record(l.mgr, merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritFine, Amount: "80", At: "2026-05-10", Reason: "违章"})
		l.record(l.mgr, merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritPointsCut, Points: 3, At: "2026-05-20", Reason: "漏检"})
		l.record(l.mgr, merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritCriticism, At: "2026-04-20", Reason: "上月"})
		l.record(l.mgr, merit.EntryInput{UserID: l.worker.UserID, Kind: policy.MeritCriticism, At: "2026-05-25", Reason: "本月"})
		l.record(l.sup, merit.EntryInput{UserID: l.agent.UserID, Kind: policy.MeritCommendation, At: "2026-06-01", Reason: "表扬信"})
		l.record(l.mgr, merit.EntryInput{UserID: l.sup.UserID, Kind: policy.MeritBonus, Amount: "300", At: "2026-04-30", Reason: "上月奖金"})

		_, err := l.svc.Monthly(l.ctx, l.worker, l.team.ID, "2026-05")
		wantCode(t, err, apperr.CodeForbidden, "")
		_, err = l.svc.Monthly(l.ctx, l.mgr, l.team.ID, "2026-5")
		wantCode(t, err, apperr.CodeValidation, "month")
		_, err = l.svc.Monthly(l.ctx, l.stranger, l.team.ID, "2026-05")
		wantCode(t, err, apperr.CodeValidation, "unit_id")
		tb, err := l.svc.Monthly(l.ctx, l.mgr, l.team.ID, "2026-05")
		if err != nil || len(tb.Rows) != 2 || len(tb.Publications) != 0 {
			t.Fatalf("May table = %+v, %v; want the worker and the agent (pending)", tb, err)
		}
		rows := map[store.ID]merit.MonthRow{}
		for _, r := range tb.Rows {
			rows[r.UserID] = r
		}
		w, a := rows[l.worker.UserID], rows[l.agent.UserID]
		if w.Recorded[policy.MeritFine] != 1 || w.Recorded[policy.MeritPointsCut] != 1 || w.Recorded[policy.MeritCriticism] != 1 ||
			w.Points != -3 || w.Fines.String() != "80.00" || w.Unpublished != 3 || w.Pending != 0 ||
			w.Net.MinorDemerit != 1 || w.Net.Criticism != 0 || w.User != l.worker.Username {
			t.Fatalf("worker's row = %+v", w)
		}
		if a.Pending != 1 || len(a.Recorded) != 0 || a.Unpublished != 0 {
			t.Fatalf("agent's row = %+v", a)
		}

		_, err = l.svc.Publish(l.ctx, l.sup, merit.PublishInput{UnitID: l.team.ID, Month: "2026-05"})
		wantCode(t, err, apperr.CodeForbidden, "")
		_, err = l.svc.Publish(l.ctx, l.mgr, merit.PublishInput{UnitID: l.team.ID, Month: "2026-05", On: "2026-04-30"})
		wantCode(t, err, apperr.CodeValidation, "on")
		pub, err := l.svc.Publish(l.ctx, l.mgr, merit.PublishInput{UnitID: l.team.ID, Month: "2026-05", On: "2026-06-02"})
		if err != nil || pub.Entries != 3 || pub.Channel != "公司公告栏" || pub.PublishedOn != "2026-06-02" ||
			pub.PublishedBy != l.mgr.UserID || pub.Unit != l.team.Name {
			t.Fatalf("publication = %+v, %v", pub, err)
		}
		_, err = l.svc.Publish(l.ctx, l.mgr, merit.PublishInput{UnitID: l.team.ID, Month: "2026-05"})
		wantCode(t, err, apperr.CodeValidation, "month")
		tb, err = l.svc.Monthly(l.ctx, l.mgr, l.team.ID, "2026-05")
		if err != nil || len(tb.Publications) != 1 || tb.Publications[0].ID != pub.ID {
			t.Fatalf("May table after = %+v, %v", tb, err)
		}
		for _, r := range tb.Rows {
			if r.Unpublished != 0 {
				t.Fatalf("row still unpublished: %+v", r)
			}
		}
		unpublished, err := l.svc.List(l.ctx, l.mgr, merit.Filter{Unpublished: true})
		if err != nil || len(unpublished.Items) != 2 { // April's: the worker's criticism, the supervisor's bonus
			t.Fatalf("unpublished = %+v, %v", unpublished, err)
		}
		pg, err := l.svc.List(l.ctx, l.mgr, merit.Filter{UserID: l.worker.UserID, From: "2026-05-01", To: "2026-05-31"})
		if err != nil || len(pg.Items) != 3 {
			t.Fatalf("May entries %d, %v", len(pg.Items), err)
		}
		for _, e := range pg.Items {
			if e.PublishedAt == nil {
				t.Fatalf("not published: %+v", e)
			}
			d, err := l.svc.Get(l.ctx, l.mgr, e.ID)
			if err != nil || d.Decisions[len(d.Decisions)-1].Action != "publish" || d.Decisions[len(d.Decisions)-1].RefID != pub.ID {
				t.Fatalf("decisions of %d: %+v, %v", e.ID, d, err)
			}
		}
	})
}
