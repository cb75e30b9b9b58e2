package policy

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/policies"
)

// Registry holds every version of every pack: the built-ins of the binary
// and the versions an administrator installed, kept in the database
// (TKT-041). Reads are lock-free on an immutable snapshot; Install writes
// the new version with its audit row, then publishes a new snapshot.
type Registry struct {
	db   *store.DB
	org  *org.Service
	cals *calendar.Registry
	log  *slog.Logger
	now  func() time.Time
	snap atomic.Pointer[packSnapshot]
	mu   sync.Mutex // serialises rebuilds
	// builtins are parsed once, on the first Load.
	builtins []*Pack
}

// Options build a Registry.
type Options struct {
	DB        *store.DB
	Org       *org.Service
	Calendars *calendar.Registry // checks calendar ids; nil: not checked
	Logger    *slog.Logger       // defaults to slog.Default()
	Now       func() time.Time   // defaults to time.Now
}

// Summary is a pack as GET /api/v1/policy/packs lists it.
type Summary struct {
	Key      string `json:"key"`
	Name     Name   `json:"name"`
	Version  int    `json:"version"`
	Calendar string `json:"calendar"`
	Source   string `json:"source"`
}

type packSnapshot struct {
	versions map[string]map[int]*Pack
	latest   map[string]*Pack
	order    []string
	rows     int
}

// NewRegistry returns a registry; call Load before use.
func NewRegistry(o Options) *Registry {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	r := &Registry{db: o.DB, org: o.Org, cals: o.Calendars, log: o.Logger, now: o.Now}
	r.snap.Store(&packSnapshot{versions: map[string]map[int]*Pack{}, latest: map[string]*Pack{}})
	return r
}

// Load reads the built-in packs and every stored version. It first stores
// a copy of each built-in version that the database does not hold yet, so
// that a work order keeps the exact rules it was created under even when a
// later binary carries a different file under the same version (TKT-041):
// the stored copy wins, and the difference is logged.
func (r *Registry) Load(ctx context.Context) error {
	if err := r.snapshotBuiltins(ctx); err != nil {
		return err
	}
	return r.rebuild(ctx)
}

// snapshotBuiltins stores the built-in versions missing from policy_packs.
func (r *Registry) snapshotBuiltins(ctx context.Context) error {
	now := store.Micros(r.now())
	return r.db.Tx(ctx, func(tx store.Conn) error {
		for _, key := range BuiltinKeys {
			data, err := policies.FS.ReadFile(key + ".yaml")
			if err != nil {
				return err
			}
			p, probs := Parse("policies/"+key+".yaml", data)
			if p == nil {
				return fmt.Errorf("policy: built-in pack %s is invalid: %s", key, probs[0].String())
			}
			sum := sha256.Sum256(data)
			digest := hex.EncodeToString(sum[:])
			if _, err := tx.Exec(ctx, `INSERT INTO policy_packs (key, version, name, source, yaml, sha256, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key, version) DO NOTHING`,
				p.Key, p.Version, p.Name.ZH, SourceBuiltin, string(data), digest, now); err != nil {
				return fmt.Errorf("policy: store built-in %s: %w", key, err)
			}
			var stored string
			if err := tx.QueryRow(ctx, "SELECT sha256 FROM policy_packs WHERE key = ? AND version = ?", p.Key, p.Version).Scan(&stored); err != nil {
				return err
			}
			if stored != digest {
				r.log.Warn("policy: the built-in pack differs from the stored copy of the same version; the stored copy is used — give the new rules a new version",
					"key", p.Key, "version", p.Version)
			}
		}
		return nil
	})
}

// Refresh reloads when another kefu process installed a version; it
// reports whether anything was reloaded.
func (r *Registry) Refresh(ctx context.Context) (bool, error) {
	var n int
	if err := r.db.Reader().QueryRow(ctx, "SELECT count(*) FROM policy_packs").Scan(&n); err != nil {
		return false, err
	}
	if r.snap.Load().rows == n {
		return false, nil
	}
	return true, r.rebuild(ctx)
}

func (r *Registry) rebuild(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.builtins == nil {
		b, err := Builtins()
		if err != nil {
			return err
		}
		r.builtins = b
	}
	s := &packSnapshot{versions: map[string]map[int]*Pack{}, latest: map[string]*Pack{}}
	put := func(p *Pack) {
		if s.versions[p.Key] == nil {
			s.versions[p.Key] = map[int]*Pack{}
			s.order = append(s.order, p.Key)
		}
		s.versions[p.Key][p.Version] = p
		if l := s.latest[p.Key]; l == nil || p.Version > l.Version {
			s.latest[p.Key] = p
		}
	}
	for _, p := range r.builtins {
		put(p)
	}
	rows, err := r.db.Reader().Query(ctx, "SELECT key, version, source, yaml FROM policy_packs ORDER BY key, version")
	if err != nil {
		return fmt.Errorf("policy: read packs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key, source, text string
		var version int
		if err := rows.Scan(&key, &version, &source, &text); err != nil {
			return err
		}
		s.rows++
		p, probs := Parse(source, []byte(text))
		if p == nil {
			// A version that no longer validates stays out of use; the
			// administrator sees why in the log.
			r.log.Error("policy: stored pack version is invalid", "key", key, "version", version, "problem", probs[0].String())
			continue
		}
		p.Key, p.Version, p.Source = key, version, source
		put(p)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	r.snap.Store(s)
	return nil
}

// Get returns the latest version of a pack.
func (r *Registry) Get(key string) (*Pack, bool) {
	p, ok := r.snap.Load().latest[key]
	return p, ok
}

// Version returns one version of a pack.
func (r *Registry) Version(key string, v int) (*Pack, bool) {
	p, ok := r.snap.Load().versions[key][v]
	return p, ok
}

// Lookup returns the latest version of a pack, or a 422 error naming field.
func (r *Registry) Lookup(field, key string) (*Pack, error) {
	if p, ok := r.Get(key); ok {
		return p, nil
	}
	return nil, apperr.Validation(field, i18n.T("政策包不存在：%s", "no such policy pack: %s", key))
}

// List summarises the latest version of every pack, built-ins first.
func (r *Registry) List() []Summary {
	s := r.snap.Load()
	out := make([]Summary, 0, len(s.order))
	for _, k := range s.order {
		p := s.latest[k]
		out = append(out, Summary{Key: p.Key, Name: p.Name, Version: p.Version, Calendar: p.Calendar, Source: p.Source})
	}
	return out
}

// ForUnit returns the pack of an org unit: the pack of the nearest unit up
// the tree (the unit itself first) whose pack is set, else DefaultPack
// (G-06: the pack of the unit wins).
func (r *Registry) ForUnit(ctx context.Context, unitID store.ID) (*Pack, error) {
	u, err := r.org.Get(ctx, unitID)
	if err != nil {
		return nil, err
	}
	var ids []any
	for _, part := range strings.Split(strings.Trim(u.Path, "/"), "/") {
		if id, err := strconv.ParseInt(part, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	key := u.Pack
	if key == "" && len(ids) > 0 {
		err := r.db.Reader().QueryRow(ctx, "SELECT pack FROM org_units WHERE id IN ("+store.Placeholders(len(ids))+
			") AND pack <> '' ORDER BY depth DESC LIMIT 1", ids...).Scan(&key)
		if err != nil && !isNoRows(err) {
			return nil, err
		}
	}
	if key == "" {
		key = DefaultPack
	}
	return r.Lookup("pack", key)
}

// InvalidError is a pack that failed validation; it is a 422 for the API
// (apperr.As finds the *apperr.Error) and keeps every problem.
type InvalidError struct {
	Problems []Problem
	err      *apperr.Error
}

func (e *InvalidError) Error() string { return e.err.Error() }

// Unwrap exposes the 422 error.
func (e *InvalidError) Unwrap() error { return e.err }

func invalid(probs []Problem) *InvalidError {
	var zh, en []string
	for _, p := range probs {
		zh = append(zh, p.In(i18n.ZH))
		en = append(en, p.In(i18n.EN))
	}
	field := probs[0].Path
	if field == "" {
		field = "yaml"
	}
	return &InvalidError{Problems: probs, err: apperr.Validation(field,
		i18n.T("%[1]s", "%[2]s", strings.Join(zh, "；"), strings.Join(en, "; ")))}
}

// Install validates a pack file and stores it as the next version of its
// key (a built-in key gets a version after the built-in's), with an audit
// row (TKT-041). source names where it came from ("api", "file:x.yaml").
func (r *Registry) Install(ctx context.Context, p *auth.Principal, source string, data []byte) (*Pack, error) {
	var opts []Option
	if r.cals != nil {
		opts = append(opts, WithCalendars(r.cals))
	}
	pack, probs := Parse(source, data, opts...)
	if len(probs) > 0 {
		return nil, invalid(probs)
	}
	if p != nil {
		ctx = audit.WithActor(ctx, p.Actor())
	}
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	now := r.now()
	err := r.db.Tx(ctx, func(tx store.Conn) error {
		latest := 0
		if b, ok := r.Get(pack.Key); ok {
			latest = b.Version
		}
		var stored int
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM policy_packs WHERE key = ?", pack.Key).Scan(&stored); err != nil {
			return err
		}
		pack.Version = max(latest, stored) + 1
		pack.Source = source
		var by any
		if p != nil {
			by = p.UserID
		}
		if _, err := tx.Exec(ctx, `INSERT INTO policy_packs (key, version, name, source, yaml, sha256, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, pack.Key, pack.Version, pack.Name.ZH, source, string(data), digest,
			store.Micros(now), by); err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.Conflict("key", i18n.T("政策包 %s 正被同时安装，请重试", "pack %s is being installed concurrently; try again", pack.Key))
			}
			return err
		}
		return audit.Record(ctx, tx, now, "policy.install", "policy_pack", pack.Key+"@"+strconv.Itoa(pack.Version),
			map[string]any{"key": pack.Key, "version": pack.Version, "source": source, "sha256": digest,
				"categories": len(pack.Categories)})
	})
	if err != nil {
		return nil, err
	}
	if err := r.rebuild(ctx); err != nil {
		return nil, err
	}
	return pack, nil
}

// Keys lists the pack keys, built-ins first.
func (r *Registry) Keys() []string { return slices.Clone(r.snap.Load().order) }

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
