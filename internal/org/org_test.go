package org_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// clock is an injectable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, store.Zone)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// wantErr checks that err is an apperr.Error with the given status, code and field.
func wantErr(t *testing.T, err error, status int, code, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("error = %v, want %d %s (field %q)", err, status, code, field)
	}
	if e.Status != status || e.Code != code || e.Field != field {
		t.Fatalf("error = %d %s field %q (%v), want %d %s field %q", e.Status, e.Code, e.Field, e, status, code, field)
	}
}

func mustCreate(t *testing.T, s *org.Service, parent store.ID, kind org.Kind, name string) org.Unit {
	t.Helper()
	u, err := s.Create(context.Background(), org.CreateInput{ParentID: &parent, Kind: kind, Name: name})
	if err != nil {
		t.Fatalf("create %s %q under %d: %v", kind, name, parent, err)
	}
	return u
}

func mustGet(t *testing.T, s *org.Service, id store.ID) org.Unit {
	t.Helper()
	u, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("get unit %d: %v", id, err)
	}
	return u
}

func idPath(ids ...store.ID) string {
	var b strings.Builder
	b.WriteString("/")
	for _, id := range ids {
		b.WriteString(id.String() + "/")
	}
	return b.String()
}

func ids(units []org.Unit) []store.ID {
	out := make([]store.ID, len(units))
	for i, u := range units {
		out[i] = u.ID
	}
	return out
}

func equalIDs(a, b []store.ID) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func newService(t *testing.T, db *store.DB) (*org.Service, org.Unit, *clock) {
	t.Helper()
	c := newClock()
	s := org.New(org.Options{DB: db, Now: c.Now})
	root, err := s.EnsureRoot(context.Background(), "集团")
	if err != nil {
		t.Fatalf("EnsureRoot: %v", err)
	}
	return s, root, c
}

func TestTree(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, root, _ := newService(t, db)
		if root.Kind != org.Group || root.ParentID != nil || root.Depth != 0 || root.Path != idPath(root.ID) || !root.Active {
			t.Fatalf("root = %+v", root)
		}
		company := mustCreate(t, s, root.ID, org.Company, "北京燃气公司")
		dept := mustCreate(t, s, company.ID, org.Department, "客服部")
		team := mustCreate(t, s, dept.ID, org.Team, "热线班")
		for i, c := range []struct {
			u      org.Unit
			parent store.ID
			path   string
			depth  int
		}{
			{company, root.ID, idPath(root.ID, company.ID), 1},
			{dept, company.ID, idPath(root.ID, company.ID, dept.ID), 2},
			{team, dept.ID, idPath(root.ID, company.ID, dept.ID, team.ID), 3},
		} {
			if c.u.ParentID == nil || *c.u.ParentID != c.parent || c.u.Path != c.path || c.u.Depth != c.depth {
				t.Errorf("unit %d = parent %v path %q depth %d, want parent %d path %q depth %d",
					i, c.u.ParentID, c.u.Path, c.u.Depth, c.parent, c.path, c.depth)
			}
			if got := mustGet(t, s, c.u.ID); got.Path != c.path || got.Name != c.u.Name {
				t.Errorf("stored unit %d = %+v", i, got)
			}
		}
		all, err := s.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := []store.ID{root.ID, company.ID, dept.ID, team.ID}; !equalIDs(ids(all), want) {
			t.Errorf("List = %v, want %v", ids(all), want)
		}

		// A second root is refused: the tree has exactly one.
		_, err = s.Create(ctx, org.CreateInput{Kind: org.Group, Name: "另一个集团"})
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "parent_id")
		// A missing parent is a validation error, not a 500.
		missing := store.ID(999999)
		_, err = s.Create(ctx, org.CreateInput{ParentID: &missing, Kind: org.Company, Name: "孤儿"})
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "parent_id")
		// Blank and overlong names.
		_, err = s.Create(ctx, org.CreateInput{ParentID: &root.ID, Kind: org.Company, Name: "  "})
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "name")
		_, err = s.Create(ctx, org.CreateInput{ParentID: &root.ID, Kind: org.Company, Name: strings.Repeat("名", 101)})
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "name")
	})
}

func TestKindNesting(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, root, _ := newService(t, db)
		company := mustCreate(t, s, root.ID, org.Company, "公司")
		dept := mustCreate(t, s, company.ID, org.Department, "部门")
		team := mustCreate(t, s, dept.ID, org.Team, "班组")
		unitOf := map[org.Kind]store.ID{org.Group: root.ID, org.Company: company.ID, org.Department: dept.ID, org.Team: team.ID}
		allowed := map[[2]org.Kind]bool{
			{org.Group, org.Company}: true, {org.Group, org.Department}: true,
			{org.Company, org.Company}: true, {org.Company, org.Department}: true,
			{org.Department, org.Department}: true, {org.Department, org.Team}: true,
		}
		n := 0
		for _, parent := range org.Kinds {
			for _, child := range append(append([]org.Kind{}, org.Kinds...), "branch") {
				n++
				pid := unitOf[parent]
				name := "u" + strconv.Itoa(n)
				u, err := s.Create(ctx, org.CreateInput{ParentID: &pid, Kind: child, Name: name})
				if allowed[[2]org.Kind{parent, child}] {
					if err != nil {
						t.Errorf("%s under %s: %v", child, parent, err)
					} else if u.Kind != child {
						t.Errorf("%s under %s: kind %s", child, parent, u.Kind)
					}
					continue
				}
				e, ok := apperr.As(err)
				if !ok || e.Status != http.StatusUnprocessableEntity || e.Field != "kind" {
					t.Errorf("%s under %s: err = %v, want 422 field kind", child, parent, err)
				}
			}
		}
		// Nothing refused was written.
		all, err := s.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 4+len(allowed) {
			t.Errorf("tree has %d units, want %d", len(all), 4+len(allowed))
		}
	})
}

func TestRootKind(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := org.New(org.Options{DB: db})
		_, err := s.Create(context.Background(), org.CreateInput{Kind: org.Department, Name: "部门"})
		wantErr(t, err, http.StatusUnprocessableEntity, apperr.CodeValidation, "kind")
		if _, err := s.Root(context.Background()); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("Root on an empty tree = %v, want not found", err)
		}
		c, err := s.Create(context.Background(), org.CreateInput{Kind: org.Company, Name: "独立公司"})
		if err != nil || c.Depth != 0 || c.ParentID != nil {
			t.Fatalf("company root = %+v, %v", c, err)
		}
	})
}

func TestDuplicateSiblingName(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, root, _ := newService(t, db)
		a := mustCreate(t, s, root.ID, org.Company, "甲公司")
		b := mustCreate(t, s, root.ID, org.Company, "乙公司")
		_, err := s.Create(ctx, org.CreateInput{ParentID: &root.ID, Kind: org.Company, Name: "甲公司"})
		wantErr(t, err, http.StatusConflict, apperr.CodeConflict, "name")
		// Surrounding blanks do not make a different name.
		_, err = s.Create(ctx, org.CreateInput{ParentID: &root.ID, Kind: org.Department, Name: " 甲公司 "})
		wantErr(t, err, http.StatusConflict, apperr.CodeConflict, "name")
		// The same name under different parents is fine.
		da := mustCreate(t, s, a.ID, org.Department, "客服部")
		db2 := mustCreate(t, s, b.ID, org.Department, "客服部")
		// Renaming onto a sibling's name conflicts, too.
		name := "乙公司"
		_, err = s.Update(ctx, a.ID, org.UpdateInput{Name: &name})
		wantErr(t, err, http.StatusConflict, apperr.CodeConflict, "name")
		if got := mustGet(t, s, a.ID); got.Name != "甲公司" {
			t.Errorf("refused rename was written: %q", got.Name)
		}
		// Moving next to a sibling with the same name conflicts (not a 500).
		_, err = s.Update(ctx, da.ID, org.UpdateInput{ParentID: &b.ID})
		wantErr(t, err, http.StatusConflict, apperr.CodeConflict, "name")
		if got := mustGet(t, s, da.ID); *got.ParentID != a.ID || got.Path != idPath(root.ID, a.ID, da.ID) {
			t.Errorf("refused move was written: %+v", got)
		}
		_ = db2
	})
}

func TestSubtree(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, root, _ := newService(t, db)
		a := mustCreate(t, s, root.ID, org.Company, "A")
		// Create siblings until one's id extends a's id as a decimal string
		// (a=2 → 2x): its path "/1/2x/" shares the prefix "/1/2" with a's.
		var lookalike org.Unit
		for i := 0; i < 200 && lookalike.ID == 0; i++ {
			u := mustCreate(t, s, root.ID, org.Company, "S"+strconv.Itoa(i))
			if strings.HasPrefix(u.ID.String(), a.ID.String()) {
				lookalike = u
			}
		}
		if lookalike.ID == 0 {
			t.Fatal("no look-alike id found")
		}
		lookChild := mustCreate(t, s, lookalike.ID, org.Department, "LD")
		a1 := mustCreate(t, s, a.ID, org.Department, "A1")
		a2 := mustCreate(t, s, a.ID, org.Company, "A2")
		a1t := mustCreate(t, s, a1.ID, org.Team, "A1T")
		a2d := mustCreate(t, s, a2.ID, org.Department, "A2D")
		a1d := mustCreate(t, s, a1.ID, org.Department, "A1D")

		got, err := s.Subtree(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(got); i++ {
			if got[i-1].Path >= got[i].Path {
				t.Errorf("subtree not in path order: %q before %q", got[i-1].Path, got[i].Path)
			}
		}
		want := map[store.ID]bool{a.ID: true, a1.ID: true, a2.ID: true, a1t.ID: true, a2d.ID: true, a1d.ID: true}
		if len(got) != len(want) {
			t.Errorf("subtree of A has %d units %v, want %d", len(got), ids(got), len(want))
		}
		for _, u := range got {
			if !want[u.ID] {
				t.Errorf("subtree of A contains %d %q (path %s)", u.ID, u.Name, u.Path)
			}
		}
		if got[0].ID != a.ID {
			t.Errorf("subtree starts with %d, want the unit itself %d", got[0].ID, a.ID)
		}
		leaf, err := s.Subtree(ctx, a1t.ID)
		if err != nil || !equalIDs(ids(leaf), []store.ID{a1t.ID}) {
			t.Errorf("subtree of a leaf = %v, %v", ids(leaf), err)
		}
		look, err := s.Subtree(ctx, lookalike.ID)
		if err != nil || !equalIDs(ids(look), []store.ID{lookalike.ID, lookChild.ID}) {
			t.Errorf("subtree of look-alike = %v, %v", ids(look), err)
		}
		_, err = s.Subtree(ctx, 987654)
		wantErr(t, err, http.StatusNotFound, apperr.CodeNotFound, "org_unit")

		// Scope.SQL in a query: exactly the units of the subtree.
		for _, c := range []struct {
			scope org.Scope
			want  int
		}{
			{org.Scope{Path: a.Path}, 6},
			{org.Scope{Path: a1.Path}, 3},
			{org.Scope{Path: lookalike.Path}, 2},
			{org.Scope{Path: root.Path}, len(mustList(t, s))},
			{org.Scope{All: true}, len(mustList(t, s))},
		} {
			cond, args := c.scope.SQL("id")
			var n int
			if err := db.Reader().QueryRow(ctx, "SELECT count(*) FROM org_units WHERE "+cond, args...).Scan(&n); err != nil {
				t.Fatalf("scope %+v: %v", c.scope, err)
			}
			if n != c.want {
				t.Errorf("scope %+v counts %d units, want %d", c.scope, n, c.want)
			}
		}
	})
}

func mustList(t *testing.T, s *org.Service) []org.Unit {
	t.Helper()
	all, err := s.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func TestScopeContains(t *testing.T) {
	for _, c := range []struct {
		scope org.Scope
		path  string
		want  bool
	}{
		{org.Scope{All: true}, "/9/", true},
		{org.Scope{Path: "/1/2/"}, "/1/2/", true},
		{org.Scope{Path: "/1/2/"}, "/1/2/7/", true},
		{org.Scope{Path: "/1/2/"}, "/1/23/", false},
		{org.Scope{Path: "/1/2/"}, "/1/", false},
		{org.Scope{Path: "/1/2/"}, "/1/3/2/", false},
	} {
		if got := c.scope.Contains(c.path); got != c.want {
			t.Errorf("%+v.Contains(%q) = %v, want %v", c.scope, c.path, got, c.want)
		}
	}
}

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
