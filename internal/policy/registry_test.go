package policy

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/policies"
)

var policiesFS = policies.FS

func newRegistry(t *testing.T, db *store.DB) (*Registry, *org.Service) {
	t.Helper()
	now := func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, store.Zone) }
	cals := calendar.NewRegistry(calendar.RegistryOptions{DB: db, Now: now, Logger: slog.New(slog.DiscardHandler)})
	if err := cals.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	o := org.New(org.Options{DB: db, Now: now})
	r := NewRegistry(Options{DB: db, Org: o, Calendars: cals, Now: now, Logger: slog.New(slog.DiscardHandler)})
	if err := r.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r, o
}

// TestRegistryInstall: a new version of a built-in key and a new key are
// stored, audited, listed and kept (TKT-041).
func TestRegistryInstall(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r, _ := newRegistry(t, db)
		if got := len(r.List()); got != len(BuiltinKeys) {
			t.Fatalf("%d packs listed", got)
		}
		admin := &auth.Principal{UserID: 0, Username: "tester", Roles: []auth.Role{auth.RoleAdmin}}
		v1, _ := r.Get("property")
		// TKT-041 example: property v2 with the fee site visit at 20m.
		text := strings.Replace(mustRead(t, "property.yaml"), `duration: "30m"
        starts_on: [consent]`, `duration: "20m"
        starts_on: [consent]`, 1)
		p, err := r.Install(ctx, admin, "file:property-v2.yaml", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		if p.Version != v1.Version+1 || p.Source != "file:property-v2.yaml" {
			t.Fatalf("installed version %d source %s", p.Version, p.Source)
		}
		latest, _ := r.Get("property")
		old, ok := r.Version("property", v1.Version)
		if !ok || old.Version != v1.Version || latest.Version != v1.Version+1 {
			t.Fatalf("versions: latest %d, v%d kept %v", latest.Version, v1.Version, ok)
		}
		fee, _ := latest.Category("fee.inquiry")
		if fee.Clocks[0].Duration.String() != "20m" {
			t.Errorf("v2 fee visit %s", fee.Clocks[0].Duration)
		}
		// A new registry (another process) reads the stored version.
		r2, _ := newRegistry(t, db)
		if p2, ok := r2.Version("property", v1.Version+1); !ok || p2.Source != "file:property-v2.yaml" {
			t.Fatalf("stored version not loaded: %v", ok)
		}
		if _, err := r.Install(ctx, admin, "api", []byte(text)); err != nil {
			t.Fatal(err)
		}
		if changed, err := r2.Refresh(ctx); err != nil || !changed {
			t.Fatalf("refresh %v %v", changed, err)
		}
		if p3, _ := r2.Get("property"); p3.Version != v1.Version+2 {
			t.Fatalf("after refresh version %d", p3.Version)
		}
		var n int
		if err := db.Reader().QueryRow(ctx, "SELECT count(*) FROM audit_log WHERE action = 'policy.install' AND object_id = ?",
			"property@"+strconv.Itoa(v1.Version+1)).Scan(&n); err != nil || n != 1 {
			t.Fatalf("audit rows %d %v", n, err)
		}
	})
}

// TestRegistryInstallInvalid: nothing is stored; the error is a 422 that
// keeps the problems with their lines; unknown calendars are refused.
func TestRegistryInstallInvalid(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r, _ := newRegistry(t, db)
		for _, c := range []struct{ text, field, msg string }{
			{strings.Replace(minimal, "duration: 1wd", "duration: 1x", 1), "categories[0].clocks[0].duration", "api:19:"},
			{strings.Replace(minimal, "calendar: cn", "calendar: mars", 1), "calendar", "no such calendar: mars"},
		} {
			_, err := r.Install(ctx, nil, "api", []byte(c.text))
			var inv *InvalidError
			e, ok := apperr.As(err)
			if !errors.As(err, &inv) || !ok || e.Status != http.StatusUnprocessableEntity || e.Field != c.field ||
				!strings.Contains(e.Message.String(), c.msg) {
				t.Fatalf("error %v (field %v)", err, e)
			}
		}
		var n int
		if err := db.Reader().QueryRow(ctx, "SELECT count(*) FROM policy_packs WHERE source <> 'builtin'").Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d rows stored", n)
		}
		if _, err := r.Lookup("pack", "nope"); !apperr.Is(err, apperr.CodeValidation) {
			t.Fatalf("lookup unknown: %v", err)
		}
	})
}

// TestForUnit: the nearest unit up the tree with a pack wins, else general (G-06).
func TestForUnit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r, o := newRegistry(t, db)
		root, err := o.Create(ctx, org.CreateInput{Kind: org.Group, Name: "集团"})
		if err != nil {
			t.Fatal(err)
		}
		mk := func(parent store.ID, kind org.Kind, name, pack string) org.Unit {
			u, err := o.Create(ctx, org.CreateInput{ParentID: &parent, Kind: kind, Name: name, Pack: pack})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		gasCo := mk(root.ID, org.Company, "燃气公司", "gas")
		csc := mk(gasCo.ID, org.Department, "客服中心", "")
		team := mk(csc.ID, org.Team, "抢修班", "")
		propCo := mk(root.ID, org.Company, "物业公司", "property")
		other := mk(root.ID, org.Company, "其他公司", "")
		for _, c := range []struct {
			unit store.ID
			want string
		}{{root.ID, "general"}, {gasCo.ID, "gas"}, {team.ID, "gas"}, {propCo.ID, "property"}, {other.ID, "general"}} {
			p, err := r.ForUnit(ctx, c.unit)
			if err != nil || p.Key != c.want {
				t.Errorf("unit %d: %v %v, want %s", c.unit, p, err, c.want)
			}
		}
	})
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := policiesFS.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestBuiltinSnapshotWins: the first Load stores each built-in version; if
// a later binary carried different rules under the same version, work
// orders of that version keep the stored rules (TKT-041).
func TestBuiltinSnapshotWins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		newRegistry(t, db)
		var n int
		if err := db.Reader().QueryRow(ctx, "SELECT count(*) FROM policy_packs WHERE source = 'builtin'").Scan(&n); err != nil || n != len(BuiltinKeys) {
			t.Fatalf("%d built-in copies stored (%v)", n, err)
		}
		// Simulate an older binary's copy: property v1 with the fee visit at 45m.
		old := strings.Replace(mustRead(t, "property.yaml"), `duration: "30m"
        starts_on: [consent]`, `duration: "45m"
        starts_on: [consent]`, 1)
		if err := db.Tx(ctx, func(tx store.Conn) error {
			_, err := tx.Exec(ctx, "UPDATE policy_packs SET yaml = ?, sha256 = 'old' WHERE key = 'property' AND version = ?", old,
				builtinVersions["property"])
			return err
		}); err != nil {
			t.Fatal(err)
		}
		r, _ := newRegistry(t, db) // a restart with this binary
		p, ok := r.Version("property", builtinVersions["property"])
		if !ok {
			t.Fatal("the built-in property version is missing")
		}
		fee, _ := p.Category("fee.inquiry")
		if got := fee.Clocks[0].Duration.String(); got != "45m" {
			t.Errorf("property v1 fee visit %s, want the stored 45m", got)
		}
		if err := db.Reader().QueryRow(ctx, "SELECT count(*) FROM policy_packs").Scan(&n); err != nil || n != len(BuiltinKeys) {
			t.Errorf("%d rows after a second Load, want %d", n, len(BuiltinKeys))
		}
	})
}
