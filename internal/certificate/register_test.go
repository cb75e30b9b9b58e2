package certificate_test

import (
	"context"
	"slices"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/certificate"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestRegisterChecks: bad input is a 4xx naming the field and writes
// nothing; one current certificate of a kind per holder (409); only
// holders of staff:write record certificates (403); a holder of another
// company cannot be seen by a company's reader.
func TestRegisterChecks(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "2026-03-02 09:00")
		ctx := context.Background()
		ok := certificate.RegisterInput{UserID: e.elec.UserID, Kind: "grid_permit", Number: "DW-1",
			Scopes: []string{"high_voltage"}, IssuedOn: "2024-03-01"}
		for _, c := range []struct {
			edit        func(in *certificate.RegisterInput)
			code, field string
		}{
			{func(in *certificate.RegisterInput) { in.UserID = 0 }, apperr.CodeValidation, "user_id"},
			{func(in *certificate.RegisterInput) { in.UserID = 987654 }, apperr.CodeValidation, "user_id"},
			{func(in *certificate.RegisterInput) { in.Kind = "" }, apperr.CodeValidation, "kind"},
			{func(in *certificate.RegisterInput) { in.Kind = "repair_qualification" }, apperr.CodeValidation, "kind"}, // a gas kind
			{func(in *certificate.RegisterInput) { in.Number = " " }, apperr.CodeValidation, "number"},
			{func(in *certificate.RegisterInput) { in.Scopes = nil }, apperr.CodeValidation, "scopes"},
			{func(in *certificate.RegisterInput) { in.Scopes = []string{"medium_voltage"} }, apperr.CodeValidation, "scopes"},
			{func(in *certificate.RegisterInput) { in.IssuedOn = "" }, apperr.CodeValidation, "issued_on"},
			{func(in *certificate.RegisterInput) { in.IssuedOn = "2024/03/01" }, apperr.CodeValidation, "issued_on"},
			{func(in *certificate.RegisterInput) { in.IssuedOn = "2026-03-03" }, apperr.CodeValidation, "issued_on"},
			{func(in *certificate.RegisterInput) { in.ExpiresOn = "2024-02-28" }, apperr.CodeValidation, "expires_on"},
			{func(in *certificate.RegisterInput) { in.ExpiresOn = "2030-02-30" }, apperr.CodeValidation, "expires_on"},
			{func(in *certificate.RegisterInput) { in.Number = string(make([]rune, 65)) }, apperr.CodeValidation, "number"},
		} {
			in := ok
			c.edit(&in)
			_, err := e.svc.Register(ctx, e.admin, in)
			wantErr(t, err, c.code, c.field)
		}
		if list, _ := e.svc.List(ctx, e.admin, certificate.Filter{}); len(list) != 0 {
			t.Fatalf("refused registrations wrote %d", len(list))
		}
		_, err := e.svc.Register(ctx, e.powMgr, ok)
		wantErr(t, err, apperr.CodeForbidden, "")
		c := e.register(t, ok)
		if c.ExpiresOn.String() != "2030-02-28" || c.Scopes[0] != "high_voltage" || len(c.History) != 1 ||
			c.History[0].Action != certificate.ActRegistered || c.CompanyID != e.power.ID {
			t.Fatalf("registered: %+v", c)
		}
		_, err = e.svc.Register(ctx, e.admin, ok)
		wantErr(t, err, apperr.CodeConflict, "kind")

		// Row scope: the gas company's manager sees nothing of the power company's.
		_, err = e.svc.Get(ctx, e.gasMgr, c.ID)
		wantErr(t, err, apperr.CodeNotFound, "certificate")
		if list, _ := e.svc.List(ctx, e.gasMgr, certificate.Filter{}); len(list) != 0 {
			t.Errorf("gas manager lists %d power certificates", len(list))
		}
		if got, err := e.svc.Get(ctx, e.powMgr, c.ID); err != nil || got.Number != "DW-1" {
			t.Errorf("power manager: %v", err)
		}
		_, err = e.svc.Get(ctx, e.elec, c.ID) // field staff lack staff:read
		wantErr(t, err, apperr.CodeForbidden, "")
		_, err = e.svc.Revoke(ctx, e.powMgr, c.ID, certificate.RevokeInput{Reason: "x"})
		wantErr(t, err, apperr.CodeForbidden, "")
	})
}

// TestLossAndReplacement (INS-017): a lost permit no longer counts until
// the replacement is registered; the replacement keeps the kind, scopes
// and expiry, links to the old one, and both histories say so. A
// revocation keeps its reason and actor.
func TestLossAndReplacement(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "2026-04-10 09:00")
		ctx := context.Background()
		pack, _ := e.b.Packs.ForUnit(ctx, e.power.ID)
		c := e.register(t, certificate.RegisterInput{UserID: e.elec.UserID, Kind: "grid_permit", Number: "DW-7",
			Scopes: []string{"low_voltage"}, IssuedOn: "2025-01-01"})
		_, err := e.svc.Replace(ctx, e.admin, c.ID, certificate.ReplaceInput{IssuedOn: "2026-04-10"})
		wantErr(t, err, apperr.CodeConflict, "status")
		_, err = e.svc.ReportLoss(ctx, e.admin, c.ID, certificate.LossInput{Kind: "stolen"})
		wantErr(t, err, apperr.CodeValidation, "kind")
		lost, err := e.svc.ReportLoss(ctx, e.admin, c.ID, certificate.LossInput{Kind: certificate.LossLost, On: "2026-04-08", Note: "作业时遗失"})
		if err != nil || lost.Status != certificate.StatusLost || lost.Valid || lost.Loss.On.String() != "2026-04-08" {
			t.Fatalf("loss: %v %+v", err, lost)
		}
		wantErr(t, e.svc.Require(ctx, db.Reader(), pack, "fault.outage", e.elec.UserID, e.clk.Now()), apperr.CodeValidation, "user_id")
		_, err = e.svc.Renew(ctx, e.admin, c.ID, certificate.RenewInput{AppliedOn: "2026-04-09", Number: "X", IssuedOn: "2026-04-10"})
		wantErr(t, err, apperr.CodeConflict, "status")
		_, err = e.svc.Replace(ctx, e.admin, c.ID, certificate.ReplaceInput{IssuedOn: "2026-04-07"})
		wantErr(t, err, apperr.CodeValidation, "issued_on")
		r, err := e.svc.Replace(ctx, e.admin, c.ID, certificate.ReplaceInput{IssuedOn: "2026-04-10"})
		if err != nil {
			t.Fatal(err)
		}
		if r.Origin != certificate.OriginReplacement || r.Number != "DW-7" || r.ExpiresOn.String() != c.ExpiresOn.String() ||
			r.RenewBy.String() != c.RenewBy.String() || !slices.Equal(r.Scopes, c.Scopes) || !r.Valid || r.PreviousID != c.ID {
			t.Fatalf("replacement: %+v", r)
		}
		if err := e.svc.Require(ctx, db.Reader(), pack, "fault.outage", e.elec.UserID, e.clk.Now()); err != nil {
			t.Fatalf("with the replacement: %v", err)
		}
		old, _ := e.svc.Get(ctx, e.admin, c.ID)
		var actions []string
		for _, h := range old.History {
			actions = append(actions, h.Action)
		}
		if old.Status != certificate.StatusReplaced || !slices.Equal(actions, []string{"registered", "loss_reported", "replaced"}) {
			t.Fatalf("old: %s %v", old.Status, actions)
		}
		rv, err := e.svc.Revoke(ctx, e.admin, r.ID, certificate.RevokeInput{Reason: "转借他人使用"})
		if err != nil || rv.Status != certificate.StatusRevoked || rv.Revocation.Reason != "转借他人使用" || rv.Revocation.RevokedBy != e.admin.UserID {
			t.Fatalf("revoke: %v %+v", err, rv)
		}
		_, err = e.svc.Revoke(ctx, e.admin, r.ID, certificate.RevokeInput{Reason: "again"})
		wantErr(t, err, apperr.CodeConflict, "status")
		// After a revocation the person may hold a new certificate of the kind.
		e.register(t, certificate.RegisterInput{UserID: e.elec.UserID, Kind: "grid_permit", Number: "DW-8",
			Scopes: []string{"low_voltage"}, IssuedOn: "2026-04-10"})
	})
}

// TestListFilters: by holder, kind and status, and issue 17's "expire
// within 30 days" (a day-difference test, CAL-015: today counts, day 30
// counts, day 31 does not), soonest first.
func TestListFilters(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "2026-06-01 09:00")
		ctx := context.Background()
		reg := func(user *certificate.RegisterInput) { e.register(t, *user) }
		reg(&certificate.RegisterInput{UserID: e.repair.UserID, Kind: "repair_qualification", Number: "A", IssuedOn: "2020-01-01", ExpiresOn: "2026-07-01"})  // day 30
		reg(&certificate.RegisterInput{UserID: e.checker.UserID, Kind: "repair_qualification", Number: "B", IssuedOn: "2020-01-01", ExpiresOn: "2026-07-02"}) // day 31
		reg(&certificate.RegisterInput{UserID: e.checker.UserID, Kind: "safety_inspector", Number: "C", IssuedOn: "2024-01-01", ExpiresOn: "2026-06-01"})     // today
		reg(&certificate.RegisterInput{UserID: e.repair.UserID, Kind: "driver", Number: "D", IssuedOn: "2025-01-01"})                                         // expired 2025-12-31
		reg(&certificate.RegisterInput{UserID: e.repair.UserID, Kind: "safety_inspector", Number: "E", IssuedOn: "2026-01-01"})                               // 3 years
		numbers := func(f certificate.Filter) []string {
			t.Helper()
			list, err := e.svc.List(ctx, e.gasMgr, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, c := range list {
				out = append(out, c.Number)
			}
			return out
		}
		for _, c := range []struct {
			f    certificate.Filter
			want []string
		}{
			{certificate.Filter{ExpiringWithin: 30}, []string{"C", "A"}},
			{certificate.Filter{Status: certificate.StatusExpired}, []string{"D"}},
			{certificate.Filter{Status: certificate.StatusRenewalDue}, []string{"C", "B", "A"}},
			{certificate.Filter{Status: certificate.StatusValid}, []string{"E"}},
			{certificate.Filter{UserID: e.repair.UserID}, []string{"E", "D", "A"}},
			{certificate.Filter{Kind: "repair_qualification"}, []string{"B", "A"}},
			{certificate.Filter{Kind: "safety_inspector", Limit: 1}, []string{"E"}},
		} {
			if got := numbers(c.f); !slices.Equal(got, c.want) {
				t.Errorf("%+v: %v, want %v", c.f, got, c.want)
			}
		}
		_, err := e.svc.List(ctx, e.gasMgr, certificate.Filter{Status: "unknown"})
		wantErr(t, err, apperr.CodeValidation, "status")
		_, err = e.svc.List(ctx, e.gasMgr, certificate.Filter{ExpiringWithin: -1})
		wantErr(t, err, apperr.CodeValidation, "expiring_within")
	})
}
