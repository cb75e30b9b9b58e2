package certificate_test

import (
	"context"
	"strings"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/certificate"
	"kefu/internal/i18n"
	"kefu/internal/jobs"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestPermitExpiry is INS-017's example on the real 2026 calendar: a
// permit expiring 2026-12-31 must be renewed by 2026-12-01 (30 days back,
// a CAL-015 lead time); the reminder goes out 30 days before that, on
// 2026-11-01, once, to the holder and the company's managers; not renewed,
// from 2027-01-01 it is "unregistered" and the electrician cannot be put
// on work; a late renewal is accepted, marked late, and lets them work.
func TestPermitExpiry(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "2026-10-15 09:00")
		ctx := context.Background()
		c := e.register(t, certificate.RegisterInput{UserID: e.elec.UserID, Kind: "grid_permit", Number: "DW-2021-0042",
			Scopes: []string{"low_voltage"}, IssuedOn: "2021-01-01"})
		if c.ExpiresOn.String() != "2026-12-31" || c.RenewBy.String() != "2026-12-01" || c.RemindOn.String() != "2026-11-01" {
			t.Fatalf("dates: expires %v renew by %v remind %v", c.ExpiresOn, c.RenewBy, c.RemindOn)
		}
		if c.Status != certificate.StatusValid || !c.Valid || c.Issuer != "国家能源局派出机构" || c.KindName != "电工进网作业许可证" {
			t.Fatalf("registered: %+v", c)
		}
		if tm, ok, _ := jobs.Get(ctx, db.Reader(), certificate.TimerDaily, certificate.DailyRef); !ok || !tm.At.Equal(at("2026-10-16 00:00")) {
			t.Fatalf("daily timer %+v %v", tm, ok)
		}
		pack, err := e.b.Packs.ForUnit(ctx, e.power.ID)
		if err != nil {
			t.Fatal(err)
		}
		require := func(when string) error {
			return e.svc.Require(ctx, db.Reader(), pack, "fault.outage", e.elec.UserID, at(when))
		}

		e.fire(t, "2026-10-31 23:59")
		if n := e.sent.Count(certificate.EventRenewalDue); n != 0 {
			t.Fatalf("%d reminders before 2026-11-01", n)
		}
		e.fire(t, "2026-11-01 00:00")
		msgs := e.sent.Events(certificate.EventRenewalDue)
		if len(msgs) != 1 || len(msgs[0].Users) != 2 || msgs[0].Users[0] != e.elec.UserID || msgs[0].Users[1] != e.powMgr.UserID ||
			!strings.Contains(msgs[0].Title.In(i18n.ZH), "2026-12-01 前申请续期") || msgs[0].Link != "/staff/certificates/"+c.ID.String() {
			t.Fatalf("renewal reminder: %+v", msgs)
		}
		got, _ := e.svc.Get(ctx, e.powMgr, c.ID)
		if got.Status != certificate.StatusRenewalDue || !got.Valid {
			t.Fatalf("on 2026-11-01: %s valid %v", got.Status, got.Valid)
		}
		// Once per stage: the next days and a second sweep send nothing.
		e.fire(t, "2026-11-02 00:00")
		e.fire(t, "2026-12-02 00:00")
		if err := db.Tx(ctx, func(tx store.Conn) error {
			n, err := e.svc.Remind(ctx, tx)
			if n != 0 {
				t.Errorf("second sweep sent %d", n)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if n := e.sent.Count(certificate.EventRenewalDue); n != 1 {
			t.Fatalf("%d renewal reminders", n)
		}
		if err := require("2026-12-31 23:00"); err != nil {
			t.Fatalf("on the last day of validity: %v", err)
		}

		e.fire(t, "2027-01-01 00:00")
		exp := e.sent.Events(certificate.EventExpired)
		if len(exp) != 1 || !strings.Contains(exp[0].Title.In(i18n.ZH), "视为未注册") {
			t.Fatalf("expiry notice: %+v", exp)
		}
		got, _ = e.svc.Get(ctx, e.powMgr, c.ID)
		if got.Status != certificate.StatusExpired || got.Valid {
			t.Fatalf("on 2027-01-01: %s valid %v", got.Status, got.Valid)
		}
		ae := wantErr(t, require("2027-01-01 08:00"), apperr.CodeValidation, "user_id")
		if zh := ae.Message.In(i18n.ZH); !strings.Contains(zh, "DW-2021-0042") || !strings.Contains(zh, "视为未注册") || !strings.Contains(zh, "停电故障报修") {
			t.Errorf("refusal: %s", zh)
		}
		if en := ae.Message.In(i18n.EN); !strings.Contains(en, "unregistered") || strings.Contains(en, "%!") {
			t.Errorf("refusal in English: %s", en)
		}
		ids := func(f certificate.Filter) []string {
			list, err := e.svc.List(ctx, e.powMgr, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, c := range list {
				out = append(out, c.Number)
			}
			return out
		}
		if got := ids(certificate.Filter{Status: certificate.StatusExpired}); len(got) != 1 {
			t.Errorf("expired list %v", got)
		}

		// Renewed late: applied 2027-01-05, after the 2026-12-01 deadline.
		e.clk.Set(at("2027-01-06 10:00"))
		r, err := e.svc.Renew(ctx, e.admin, c.ID, certificate.RenewInput{AppliedOn: "2027-01-05", Number: "DW-2027-0007", IssuedOn: "2027-01-06"})
		if err != nil {
			t.Fatal(err)
		}
		if !r.LateRenewal || r.PreviousID != c.ID || r.Origin != certificate.OriginRenewal || r.ExpiresOn.String() != "2033-01-05" ||
			r.Status != certificate.StatusValid || len(r.Scopes) != 1 || r.Scopes[0] != "low_voltage" {
			t.Fatalf("renewal: %+v", r)
		}
		old, _ := e.svc.Get(ctx, e.powMgr, c.ID)
		if old.Status != certificate.StatusRenewed || old.NextID != r.ID || old.History[len(old.History)-1].Action != certificate.ActRenewed {
			t.Fatalf("old after renewal: %s next %d %+v", old.Status, old.NextID, old.History)
		}
		if err := require("2027-01-06 11:00"); err != nil {
			t.Fatalf("after renewal: %v", err)
		}
		if got := ids(certificate.Filter{Status: certificate.StatusExpired}); len(got) != 0 {
			t.Errorf("expired list after renewal %v", got)
		}
		// The old permit is renewed once only.
		_, err = e.svc.Renew(ctx, e.admin, c.ID, certificate.RenewInput{AppliedOn: "2027-01-05", Number: "X", IssuedOn: "2027-01-06"})
		wantErr(t, err, apperr.CodeConflict, "status")
	})
}

// TestRegisteredInsideTheWindow: a certificate recorded when its reminder
// is already due is reminded at once (the timer is moved to now), not at
// the next midnight; an expired one gets only the expiry notice.
func TestRegisteredInsideTheWindow(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "2026-11-20 10:00")
		e.register(t, certificate.RegisterInput{UserID: e.repair.UserID, Kind: "repair_qualification", Number: "ZG-1",
			IssuedOn: "2023-01-01", ExpiresOn: "2026-12-20"})
		e.register(t, certificate.RegisterInput{UserID: e.checker.UserID, Kind: "driver", Number: "JS-9",
			IssuedOn: "2025-11-01"}) // one year: expired 2026-10-31
		e.fire(t, "2026-11-20 10:00")
		if n, m := e.sent.Count(certificate.EventRenewalDue), e.sent.Count(certificate.EventExpired); n != 1 || m != 1 {
			t.Fatalf("reminders %d, expiry notices %d", n, m)
		}
		if m := e.sent.Events(certificate.EventExpired)[0]; m.Users[0] != e.checker.UserID || m.Users[1] != e.gasMgr.UserID {
			t.Errorf("expiry notice to %v", m.Users)
		}
	})
}
