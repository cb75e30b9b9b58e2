package org_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/org"
	"kefu/internal/store"
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
