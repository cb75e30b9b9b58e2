package org_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestMove(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, root, _ := newService(t, db)
		a := mustCreate(t, s, root.ID, org.Company, "A")
		b := mustCreate(t, s, root.ID, org.Company, "B")
		bd := mustCreate(t, s, b.ID, org.Department, "BD")
		d := mustCreate(t, s, a.ID, org.Department, "D")
		dd := mustCreate(t, s, d.ID, org.Department, "DD")
		ddt := mustCreate(t, s, dd.ID, org.Team, "DDT")
		dt := mustCreate(t, s, d.ID, org.Team, "DT")
		other := mustCreate(t, s, a.ID, org.Department, "Other")

		// Move D (depth 2) under BD (depth 2): the subtree goes down one level.
		moved, err := s.Update(ctx, d.ID, org.UpdateInput{ParentID: &bd.ID})
		if err != nil {
			t.Fatal(err)
		}
		if *moved.ParentID != bd.ID || moved.Path != idPath(root.ID, b.ID, bd.ID, d.ID) || moved.Depth != 3 {
			t.Fatalf("moved = %+v", moved)
		}
		for _, c := range []struct {
			id    store.ID
			path  string
			depth int
		}{
			{dd.ID, idPath(root.ID, b.ID, bd.ID, d.ID, dd.ID), 4},
			{ddt.ID, idPath(root.ID, b.ID, bd.ID, d.ID, dd.ID, ddt.ID), 5},
			{dt.ID, idPath(root.ID, b.ID, bd.ID, d.ID, dt.ID), 4},
			{other.ID, idPath(root.ID, a.ID, other.ID), 2}, // untouched
			{bd.ID, idPath(root.ID, b.ID, bd.ID), 2},
		} {
			if u := mustGet(t, s, c.id); u.Path != c.path || u.Depth != c.depth {
				t.Errorf("unit %d %q: path %q depth %d, want %q %d", c.id, u.Name, u.Path, u.Depth, c.path, c.depth)
			}
		}
		sub, err := s.Subtree(ctx, b.ID)
		if err != nil || len(sub) != 6 {
			t.Errorf("subtree of B after move = %v, %v; want 6 units", ids(sub), err)
		}
		sub, err = s.Subtree(ctx, a.ID)
		if err != nil || !equalIDs(ids(sub), []store.ID{a.ID, other.ID}) {
			t.Errorf("subtree of A after move = %v, %v", ids(sub), err)
		}

		// Back up two levels, directly under the root.
		moved, err = s.Update(ctx, dd.ID, org.UpdateInput{ParentID: &root.ID})
		if err != nil {
			t.Fatal(err)
		}
		if moved.Depth != 1 || moved.Path != idPath(root.ID, dd.ID) {
			t.Errorf("dd after moving to root = %+v", moved)
		}
		if u := mustGet(t, s, ddt.ID); u.Depth != 2 || u.Path != idPath(root.ID, dd.ID, ddt.ID) {
			t.Errorf("ddt after moving dd to root = %+v", u)
		}

		// Refusals: under itself, under a descendant, under a team, the
		// root, an unknown parent. Nothing changes.
		before := mustList(t, s)
		for _, c := range []struct {
			name   string
			id     store.ID
			parent store.ID
			field  string
		}{
			{"under itself", d.ID, d.ID, "parent_id"},
			{"under own child", b.ID, bd.ID, "parent_id"},
			{"under own grandchild", bd.ID, dt.ID, "parent_id"},
			{"department under team", other.ID, dt.ID, "parent_id"},
			{"root", root.ID, a.ID, "parent_id"},
			{"unknown parent", other.ID, 987654, "parent_id"},
		} {
			_, err := s.Update(ctx, c.id, org.UpdateInput{ParentID: &c.parent})
			e, ok := apperr.As(err)
			if !ok || e.Status != http.StatusUnprocessableEntity || e.Field != c.field {
				t.Errorf("%s: err = %v, want 422 field %s", c.name, err, c.field)
			}
		}
		after := mustList(t, s)
		if len(before) != len(after) {
			t.Fatalf("unit count changed")
		}
		for i := range before {
			if before[i].Path != after[i].Path || before[i].Depth != after[i].Depth ||
				(before[i].ParentID == nil) != (after[i].ParentID == nil) ||
				(before[i].ParentID != nil && *before[i].ParentID != *after[i].ParentID) {
				t.Errorf("refused moves changed %+v to %+v", before[i], after[i])
			}
		}
		// "Moving" to the current parent is a no-op that still succeeds.
		if u, err := s.Update(ctx, other.ID, org.UpdateInput{ParentID: &a.ID}); err != nil || u.Path != idPath(root.ID, a.ID, other.ID) {
			t.Errorf("move to the same parent = %+v, %v", u, err)
		}
	})
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, root, clk := newService(t, db)
		a := mustCreate(t, s, root.ID, org.Company, "A")
		clk.Advance(time.Hour)
		name, code, pack, off := " 甲 ", " BJ-01 ", "gas", false
		u, err := s.Update(ctx, a.ID, org.UpdateInput{Name: &name, Code: &code, Pack: &pack, Active: &off})
		if err != nil {
			t.Fatal(err)
		}
		if u.Name != "甲" || u.Code != "BJ-01" || u.Pack != "gas" || u.Active {
			t.Errorf("updated = %+v", u)
		}
		if !u.UpdatedAt.Equal(clk.Now()) || !u.CreatedAt.Equal(a.CreatedAt) {
			t.Errorf("times: created %v updated %v, want created %v updated %v", u.CreatedAt, u.UpdatedAt, a.CreatedAt, clk.Now())
		}
		_, err = s.Update(ctx, root.ID, org.UpdateInput{Active: &off})
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "active")
		empty := ""
		_, err = s.Update(ctx, a.ID, org.UpdateInput{Name: &empty})
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "name")
		_, err = s.Update(ctx, 987654, org.UpdateInput{Name: &name})
		wantErr(t, err, http.StatusNotFound, apperr.CodeNotFound, "org_unit")
	})
}

func TestEnsureRootIdempotent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := org.New(org.Options{DB: db})
		first, err := s.EnsureRoot(ctx, "集团总部")
		if err != nil {
			t.Fatal(err)
		}
		if first.Kind != org.Group || first.Name != "集团总部" || first.ParentID != nil {
			t.Errorf("root = %+v", first)
		}
		rows := auditCount(t, db)
		for range 3 {
			again, err := s.EnsureRoot(ctx, "别的名字")
			if err != nil {
				t.Fatal(err)
			}
			if again.ID != first.ID || again.Name != "集团总部" {
				t.Errorf("EnsureRoot again = %+v, want %+v", again, first)
			}
		}
		if all := mustList(t, s); len(all) != 1 {
			t.Errorf("tree has %d units after repeated EnsureRoot", len(all))
		}
		if n := auditCount(t, db); n != rows {
			t.Errorf("repeated EnsureRoot wrote %d audit rows", n-rows)
		}
	})
}

func auditCount(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRow(context.Background(), "SELECT count(*) FROM audit_log").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAudit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := audit.WithRequestID(audit.WithActor(context.Background(), audit.Actor{ID: 7, Name: "boss"}), "req-12345678")
		clk := newClock()
		s := org.New(org.Options{DB: db, Now: clk.Now})
		root, err := s.EnsureRoot(ctx, "集团")
		if err != nil {
			t.Fatal(err)
		}
		u, err := s.Create(ctx, org.CreateInput{ParentID: &root.ID, Kind: org.Company, Name: "A"})
		if err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		name := "B"
		if _, err := s.Update(ctx, u.ID, org.UpdateInput{Name: &name}); err != nil {
			t.Fatal(err)
		}
		// A refused change writes nothing.
		if _, err := s.Create(ctx, org.CreateInput{ParentID: &root.ID, Kind: org.Company, Name: "B"}); err == nil {
			t.Fatal("duplicate accepted")
		}
		entries, _, err := audit.List(context.Background(), db, audit.Filter{ObjectType: "org_unit", ObjectID: u.ID.String()})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 2 {
			t.Fatalf("audit rows for unit %d: %d, want 2", u.ID, len(entries))
		}
		upd, cre := entries[0], entries[1]
		if cre.Action != "org_unit.create" || upd.Action != "org_unit.update" {
			t.Errorf("actions = %s, %s", cre.Action, upd.Action)
		}
		for _, e := range entries {
			if e.ActorID != 7 || e.Actor != "boss" || e.RequestID != "req-12345678" {
				t.Errorf("row %d: actor %d %q request %q", e.Seq, e.ActorID, e.Actor, e.RequestID)
			}
		}
		if !upd.At.Equal(clk.Now()) {
			t.Errorf("update row at %v, want %v", upd.At, clk.Now())
		}
		var created org.Unit
		if err := json.Unmarshal(cre.Changes, &created); err != nil || created.Name != "A" || created.ID != u.ID {
			t.Errorf("create changes = %s (%v)", cre.Changes, err)
		}
		var change struct{ Before, After org.Unit }
		if err := json.Unmarshal(upd.Changes, &change); err != nil || change.Before.Name != "A" || change.After.Name != "B" {
			t.Errorf("update changes = %s (%v)", upd.Changes, err)
		}
		all, _, err := audit.List(context.Background(), db, audit.Filter{Action: "org_unit.create"})
		if err != nil || len(all) != 2 {
			t.Errorf("org_unit.create rows = %d, %v; want 2 (root and A)", len(all), err)
		}
	})
}

// TestScopeWithUsers counts users through auth.Service.List for principals
// of different units: each sees exactly the users of its own subtree.
func TestScopeWithUsers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, root, _ := newService(t, db)
		a := mustCreate(t, s, root.ID, org.Company, "A")
		ad := mustCreate(t, s, a.ID, org.Department, "AD")
		b := mustCreate(t, s, root.ID, org.Company, "B")
		svc := auth.New(auth.Options{DB: db, Org: s})
		place := map[string]store.ID{"r1": root.ID, "a1": a.ID, "a2": ad.ID, "a3": ad.ID, "b1": b.ID}
		for _, name := range []string{"r1", "a1", "a2", "a3", "b1"} {
			if _, err := svc.Create(ctx, nil, auth.CreateUserInput{Username: name, Password: "password-1",
				Roles: []auth.Role{auth.RoleCSAgent}, OrgUnit: place[name]}); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			unit  org.Unit
			roles []auth.Role
			want  []string
		}{
			{root, []auth.Role{auth.RoleCSSupervisor}, []string{"r1", "a1", "a2", "a3", "b1"}},
			{a, []auth.Role{auth.RoleCSSupervisor}, []string{"a1", "a2", "a3"}},
			{ad, []auth.Role{auth.RoleCSSupervisor}, []string{"a2", "a3"}},
			{b, []auth.Role{auth.RoleCSSupervisor}, []string{"b1"}},
			{ad, []auth.Role{auth.RoleAdmin}, []string{"r1", "a1", "a2", "a3", "b1"}}, // admin sees all
		} {
			p := &auth.Principal{UserID: 1, Username: "x", Roles: c.roles, OrgUnitID: c.unit.ID, OrgPath: c.unit.Path}
			users, more, err := svc.List(ctx, p, auth.ListFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range users {
				got = append(got, u.Username)
			}
			if more || strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("principal in %s %v sees %v (more %v), want %v", c.unit.Name, c.roles, got, more, c.want)
			}
		}
	})
}

func TestNULRefused(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, root, _ := newService(t, db)
		for _, c := range []struct {
			in    org.CreateInput
			field string
		}{
			{org.CreateInput{Name: "a\x00b"}, "name"},
			{org.CreateInput{Name: "ok", Code: "\x00"}, "code"},
			{org.CreateInput{Name: "ok", Pack: "gas\x00"}, "pack"},
		} {
			c.in.ParentID, c.in.Kind = &root.ID, org.Company
			_, err := s.Create(ctx, c.in)
			wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, c.field)
		}
		bad := "x\x00"
		_, err := s.Update(ctx, root.ID, org.UpdateInput{Name: &bad})
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "name")
	})
}

// TestListSiblingOrder: List and Subtree give parents before children and
// siblings in creation order, even when ids cross a digit boundary (a text
// sort of the paths would put unit 10 before unit 2).
func TestListSiblingOrder(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, root, _ := newService(t, db)
		var companies []org.Unit
		for i := range 11 {
			companies = append(companies, mustCreate(t, s, root.ID, org.Company, "公司"+strconv.Itoa(i)))
		}
		dept := mustCreate(t, s, companies[1].ID, org.Department, "客服部")
		want := []store.ID{root.ID, companies[0].ID, companies[1].ID, dept.ID}
		for _, c := range companies[2:] {
			want = append(want, c.ID)
		}
		all, err := s.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]store.ID, len(all))
		for i, u := range all {
			got[i] = u.ID
		}
		if len(got) != len(want) {
			t.Fatalf("List gave %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("List order %v, want %v", got, want)
			}
		}
		sub, err := s.Subtree(ctx, root.ID)
		if err != nil || len(sub) != len(all) || sub[len(sub)-1].ID != companies[10].ID {
			t.Fatalf("Subtree of the root: %d units (err %v), want the List order", len(sub), err)
		}
	})
}
