package auth

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		alice := f.user(nil, "Alice", f.a.ID, RoleCSAgent)

		token, u, err := f.svc.Login(f.ctx, " alice ", testPassword, "192.0.2.1", "ua")
		if err != nil {
			t.Fatal(err)
		}
		if token == "" || u.ID != alice.ID || u.Username != "Alice" || !slices.Equal(u.Roles, []Role{RoleCSAgent}) {
			t.Errorf("login = %q, %+v", token, u)
		}
		p, err := f.svc.Principal(f.ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if p.UserID != alice.ID || p.OrgUnitID != f.a.ID || p.OrgPath != f.a.Path || !slices.Equal(p.Roles, []Role{RoleCSAgent}) || p.SessionID == 0 {
			t.Errorf("principal = %+v", p)
		}
		rows := auditRows(t, db, audit.Filter{Action: "auth.login"})
		if len(rows) != 1 || rows[0].ActorID != alice.ID || rows[0].Actor != "Alice" {
			t.Errorf("login audit rows = %+v", rows)
		}

		// Wrong password, unknown user and a disabled user: one answer.
		_, _, wrongPw := f.svc.Login(f.ctx, "alice", "wrong-password", "192.0.2.2", "")
		_, _, unknown := f.svc.Login(f.ctx, "nobody", testPassword, "192.0.2.3", "")
		bob := f.user(nil, "bob", f.a.ID, RoleCSAgent)
		off := false
		if _, err := f.svc.Update(f.ctx, principal(f.admin), bob.ID, UpdateUserInput{Active: &off}); err != nil {
			t.Fatal(err)
		}
		_, _, inactive := f.svc.Login(f.ctx, "bob", testPassword, "192.0.2.4", "")
		for name, err := range map[string]error{"wrong password": wrongPw, "unknown user": unknown, "inactive user": inactive} {
			wantErr(t, err, http.StatusUnauthorized, "invalid_credentials", "password")
			if err.Error() != wrongPw.Error() {
				t.Errorf("%s: %v differs from wrong password's %v", name, err, wrongPw)
			}
		}
		if n := len(auditRows(t, db, audit.Filter{Action: "auth.login"})); n != 1 {
			t.Errorf("failed logins wrote audit rows: %d", n)
		}
	})
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.user(nil, "carol", f.a.ID, RoleCSAgent)
		for range 5 {
			_, _, err := f.svc.Login(f.ctx, "carol", "wrong-password", "192.0.2.9", "")
			wantErr(t, err, http.StatusUnauthorized, "invalid_credentials", "password")
		}
		// Locked: even the right password is refused with 429.
		_, _, err := f.svc.Login(f.ctx, "carol", testPassword, "192.0.2.10", "")
		wantErr(t, err, http.StatusTooManyRequests, apperr.CodeTooMany, "")
		f.clk.Advance(15 * time.Minute)
		if _, _, err := f.svc.Login(f.ctx, "carol", testPassword, "192.0.2.10", ""); err != nil {
			t.Fatalf("login after the window: %v", err)
		}
	})
}

func TestSessionLifetime(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, func(o *Options) { o.SessionTTL = time.Hour })
		if f.svc.SessionTTL() != time.Hour {
			t.Fatalf("SessionTTL = %v", f.svc.SessionTTL())
		}
		f.user(nil, "dave", f.a.ID, RoleViewer)
		t1, p1 := f.login("dave", testPassword)
		t2, _ := f.login("dave", testPassword)
		f.wantSession("", false)
		f.wantSession("not-a-token", false)
		f.wantSession(t1+"x", false)

		// Logout ends only that session.
		if err := f.svc.Logout(f.ctx, p1); err != nil {
			t.Fatal(err)
		}
		f.wantSession(t1, false)
		f.wantSession(t2, true)
		if rows := auditRows(t, db, audit.Filter{Action: "auth.logout"}); len(rows) != 1 || rows[0].ObjectID != p1.SessionID.String() {
			t.Errorf("logout audit = %+v", rows)
		}

		f.clk.Advance(time.Hour - time.Second)
		f.wantSession(t2, true)
		f.clk.Advance(time.Second)
		f.wantSession(t2, false)
	})
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		erin := f.user(nil, "erin", f.a.ID, RoleCSAgent)
		t1, p1 := f.login("erin", testPassword)
		t2, _ := f.login("erin", testPassword)
		const next = "new-passw0rd"

		err := f.svc.ChangePassword(f.ctx, p1, "wrong-current", next)
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "current_password")
		err = f.svc.ChangePassword(f.ctx, p1, testPassword, "short")
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "new_password")
		err = f.svc.ChangePassword(f.ctx, p1, testPassword, testPassword)
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "new_password")
		f.wantSession(t2, true) // refusals end nothing

		if err := f.svc.ChangePassword(f.ctx, p1, testPassword, next); err != nil {
			t.Fatal(err)
		}
		f.wantSession(t1, true)
		f.wantSession(t2, false)
		if _, _, err := f.svc.Login(f.ctx, "erin", testPassword, "192.0.2.1", ""); err == nil {
			t.Error("old password still works")
		}
		f.login("erin", next)
		rows := auditRows(t, db, audit.Filter{Action: "user.change_password", ObjectID: erin.ID.String()})
		if len(rows) != 1 || strings.Contains(string(rows[0].Changes), "argon2") {
			t.Errorf("change_password audit = %+v", rows)
		}
	})
}

func TestResetPassword(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		frank := f.user(nil, "frank", f.b.ID, RoleCSAgent)
		t1, _ := f.login("frank", testPassword)
		t2, _ := f.login("frank", testPassword)
		adminP := principal(f.admin)

		err := f.svc.ResetPassword(f.ctx, adminP, frank.ID, "short", true)
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "password")
		err = f.svc.ResetPassword(f.ctx, adminP, 987654, "long-enough-1", true)
		wantErr(t, err, http.StatusNotFound, apperr.CodeNotFound, "user")
		// Out of scope: a supervisor of A cannot reset a user of B.
		sup := f.user(nil, "sup-a", f.a.ID, RoleCSSupervisor)
		err = f.svc.ResetPassword(f.ctx, principal(sup), frank.ID, "long-enough-1", true)
		wantErr(t, err, http.StatusNotFound, apperr.CodeNotFound, "user")
		f.wantSession(t1, true)

		if err := f.svc.ResetPassword(f.ctx, adminP, frank.ID, "long-enough-1", true); err != nil {
			t.Fatal(err)
		}
		f.wantSession(t1, false)
		f.wantSession(t2, false)
		_, u, err := f.svc.Login(f.ctx, "frank", "long-enough-1", "192.0.2.1", "")
		if err != nil || !u.MustChangePassword {
			t.Errorf("login after reset = %+v, %v; want must_change_password", u, err)
		}
		// The system (CLI) may reset without an actor.
		if err := f.svc.ResetPassword(f.ctx, nil, frank.ID, "long-enough-2", false); err != nil {
			t.Fatal(err)
		}
		if _, u, err := f.svc.Login(f.ctx, "frank", "long-enough-2", "192.0.2.1", ""); err != nil || u.MustChangePassword {
			t.Errorf("login after CLI reset = %+v, %v", u, err)
		}
	})
}
