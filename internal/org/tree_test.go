package org_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

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
