// Package testkit holds what the service tests of several modules share: an
// injectable clock, a recorder of the notifications a service sends, and
// users inserted straight into the database with their roles. It is
// imported by tests only.
package testkit

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/jobs"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Clock is an injectable time source, safe for the services' goroutines.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// Sent records the notifications a service sends (a notify sender).
type Sent struct {
	mu   sync.Mutex
	msgs []notify.Message
}

// Send records m.
func (s *Sent) Send(_ context.Context, _ store.Conn, m notify.Message) error {
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.mu.Unlock()
	return nil
}

// Events are the messages sent of one event, in order.
func (s *Sent) Events(name string) []notify.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []notify.Message
	for _, m := range s.msgs {
		if m.Event == name {
			out = append(out, m)
		}
	}
	return out
}

// Count is how many messages of one event were sent.
func (s *Sent) Count(name string) int { return len(s.Events(name)) }

var users atomic.Int64

// User inserts an active user with the roles in unit (no password) and
// returns its principal.
func User(tb testing.TB, db *store.DB, u org.Unit, roles ...auth.Role) *auth.Principal {
	tb.Helper()
	ctx := context.Background()
	name := "u" + strconv.FormatInt(users.Add(1), 10)
	var id store.ID
	err := db.Tx(ctx, func(tx store.Conn) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO users (username, username_key, display_name, password_hash, org_unit_id,
			active, must_change_password, password_changed_at, created_at, updated_at)
			VALUES (?, ?, ?, 'x', ?, ?, ?, 0, 0, 0) RETURNING id`, name, name, name, u.ID, true, false)
		if err != nil {
			return err
		}
		for _, r := range roles {
			if _, err := tx.Exec(ctx, "INSERT INTO user_roles (user_id, role) VALUES (?, ?)", id, string(r)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return &auth.Principal{UserID: id, Username: name, Roles: roles, OrgUnitID: u.ID, OrgPath: u.Path}
}

// Unit creates an org unit under parent with the pack ("" inherits).
func Unit(tb testing.TB, o *org.Service, parent store.ID, kind org.Kind, name, pack string) org.Unit {
	tb.Helper()
	u, err := o.Create(context.Background(), org.CreateInput{ParentID: &parent, Kind: kind, Name: name, Pack: pack})
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// Base is what every service test starts from: the org tree, the calendars
// and the policy packs (loaded, built-ins stored), and a timer engine, all
// on db and the clock.
type Base struct {
	Org       *org.Service
	Calendars *calendar.Registry
	Packs     *policy.Registry
	Engine    *jobs.Engine
	Log       *slog.Logger
}

// NewBase builds the base on db with the clock; logs are discarded.
func NewBase(tb testing.TB, db *store.DB, clk *Clock) Base {
	tb.Helper()
	ctx := context.Background()
	b := Base{Log: slog.New(slog.DiscardHandler)}
	b.Org = org.New(org.Options{DB: db, Now: clk.Now})
	b.Calendars = calendar.NewRegistry(calendar.RegistryOptions{DB: db, Now: clk.Now, Logger: b.Log})
	if err := b.Calendars.Load(ctx); err != nil {
		tb.Fatal(err)
	}
	b.Packs = policy.NewRegistry(policy.Options{DB: db, Org: b.Org, Calendars: b.Calendars, Logger: b.Log, Now: clk.Now})
	if err := b.Packs.Load(ctx); err != nil {
		tb.Fatal(err)
	}
	b.Engine = jobs.NewEngine(jobs.Options{DB: db, Logger: b.Log, Now: clk.Now})
	return b
}
