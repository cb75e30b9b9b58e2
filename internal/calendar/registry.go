package calendar

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// Registry is the set of calendars of one kefu: the built-ins `cn` and
// `cn-office` and any an administrator adds, with the official years
// imported from notices and the days set by hand, all kept in the database.
// Reads (Get, List) are lock-free on an immutable snapshot; every change is
// written with its audit row in one transaction, then the snapshot is rebuilt
// and the change hooks run, so that open clocks are recomputed (CAL-001).
type Registry struct {
	db   *store.DB
	now  func() time.Time
	log  *slog.Logger
	snap atomic.Pointer[snapshot]

	mu    sync.Mutex // serialises rebuilds and hook registration
	hooks []ChangeHook
}

// RegistryOptions build a Registry.
type RegistryOptions struct {
	DB     *store.DB
	Now    func() time.Time // defaults to time.Now
	Logger *slog.Logger     // defaults to slog.Default()
}

// Info describes a calendar beyond its day table: whether it is built in,
// which day table it shares, and the source of each year people care about.
type Info struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	TimeZone      string     `json:"time_zone"`
	BusinessHours []Window   `json:"business_hours"`
	Years         []YearInfo `json:"years"`
	DayTable      string     `json:"day_table"`
	Builtin       bool       `json:"builtin"`
}

// YearInfo says whether a year's day table is official or provisional.
type YearInfo struct {
	Year   int    `json:"year"`
	Source Source `json:"source"`
}

// Change says what a calendar change touched, for the hooks.
type Change struct {
	Calendars []string // ids of every calendar whose days or hours changed
	From, To  Date     // the dates whose deadlines may now differ
	Reason    string   // e.g. "calendar.import_notice"
}

// Span is the interval of instants a clock must touch to be affected by
// the change: from the start of the day before From to the end of the day
// after To in loc (a day either side covers zones up to ±24 h).
func (ch Change) Span(loc *time.Location) (from, to time.Time) {
	return ch.From.AddDays(-1).Midnight(loc), ch.To.AddDays(2).Midnight(loc)
}

// ChangeHook is run after a calendar change has been committed; the work-order
// clocks register one to recompute the open clocks on the changed calendars.
type ChangeHook func(ctx context.Context, ch Change) error

type row struct {
	id, name, zone, dayTable string
	hours                    []Window
	builtin                  bool
}

type snapshot struct {
	version int64
	cals    map[string]*Calendar
	rows    map[string]row
	order   []string
}

// builtinRows are the calendars every kefu has (CAL-002): both share the
// day table "cn"; cn-office adds the office hours.
var builtinRows = []row{
	{id: CN, name: "中国大陆工作日（全天）", zone: DefaultTimeZone, dayTable: CN, builtin: true},
	{id: CNOffice, name: "中国大陆工作日（办公时间 08:30–12:00、13:30–18:00）", zone: DefaultTimeZone, dayTable: CN,
		hours: StandardOfficeHours(), builtin: true},
}

// NewRegistry returns a registry; call Load before use.
func NewRegistry(o RegistryOptions) *Registry {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Registry{db: o.DB, now: o.Now, log: o.Logger}
}

// Load makes sure the built-in calendars exist in the database and reads
// every calendar.
func (r *Registry) Load(ctx context.Context) error {
	err := r.db.Tx(ctx, func(tx store.Conn) error {
		for _, b := range builtinRows {
			hours, _ := json.Marshal(nonNil(b.hours))
			now := store.Micros(r.now())
			_, err := tx.Exec(ctx, `INSERT INTO calendars (id, name, time_zone, business_hours, day_table, builtin, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
				b.id, b.name, b.zone, string(hours), b.dayTable, true, now, now)
			if err != nil {
				return fmt.Errorf("calendar: create built-in %s: %w", b.id, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return r.rebuild(ctx)
}

// Refresh reloads the calendars when another process changed them; kefu
// calls it every few seconds. It reports whether anything was reloaded.
func (r *Registry) Refresh(ctx context.Context) (bool, error) {
	var v int64
	if err := r.db.Reader().QueryRow(ctx, "SELECT version FROM calendar_version WHERE id = 1").Scan(&v); err != nil {
		return false, err
	}
	if s := r.snap.Load(); s != nil && s.version == v {
		return false, nil
	}
	return true, r.rebuild(ctx)
}

// rebuild reads every calendar and swaps in a new snapshot.
func (r *Registry) rebuild(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.db.Reader()
	s := &snapshot{cals: map[string]*Calendar{}, rows: map[string]row{}}
	if err := c.QueryRow(ctx, "SELECT version FROM calendar_version WHERE id = 1").Scan(&s.version); err != nil {
		return fmt.Errorf("calendar: read version: %w", err)
	}
	rows, err := c.Query(ctx, "SELECT id, name, time_zone, business_hours, day_table, builtin FROM calendars ORDER BY builtin DESC, id")
	if err != nil {
		return fmt.Errorf("calendar: read calendars: %w", err)
	}
	var list []row
	for rows.Next() {
		var rw row
		var hours string
		if err := rows.Scan(&rw.id, &rw.name, &rw.zone, &hours, &rw.dayTable, &rw.builtin); err != nil {
			rows.Close()
			return err
		}
		if err := json.Unmarshal([]byte(hours), &rw.hours); err != nil {
			rows.Close()
			return fmt.Errorf("calendar %s: business hours: %w", rw.id, err)
		}
		list = append(list, rw)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	tables := map[string]*dayTable{}
	for _, rw := range list {
		if tables[rw.dayTable] == nil {
			t, err := loadDayTable(ctx, c, rw.dayTable)
			if err != nil {
				return err
			}
			tables[rw.dayTable] = t
		}
		t := tables[rw.dayTable]
		cal, err := New(Spec{ID: rw.id, Name: rw.name, TimeZone: rw.zone, BusinessHours: rw.hours,
			Arrangements: t.arrangements, Overrides: t.overrides})
		if err != nil {
			return fmt.Errorf("calendar %s: %w", rw.id, err)
		}
		s.cals[rw.id], s.rows[rw.id] = cal, rw
		s.order = append(s.order, rw.id)
	}
	r.snap.Store(s)
	return nil
}

// dayTable is what the database adds to the built-in arrangements.
type dayTable struct {
	arrangements []Arrangement
	overrides    []Override
}

func loadDayTable(ctx context.Context, c store.Conn, id string) (*dayTable, error) {
	t := &dayTable{}
	byYear := map[int]Arrangement{}
	for _, a := range BuiltinArrangements() {
		byYear[a.Year] = a
	}
	rows, err := c.Query(ctx, "SELECT year, days FROM calendar_years WHERE day_table = ?", id)
	if err != nil {
		return nil, fmt.Errorf("calendar: read years of %s: %w", id, err)
	}
	for rows.Next() {
		var a Arrangement
		var days string
		if err := rows.Scan(&a.Year, &days); err != nil {
			rows.Close()
			return nil, err
		}
		if err := json.Unmarshal([]byte(days), &a.Days); err != nil {
			rows.Close()
			return nil, fmt.Errorf("calendar: year %d of %s: %w", a.Year, id, err)
		}
		byYear[a.Year] = a // an imported notice replaces the built-in one
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, a := range byYear {
		t.arrangements = append(t.arrangements, a)
	}
	slices.SortFunc(t.arrangements, func(a, b Arrangement) int { return a.Year - b.Year })
	rows, err = c.Query(ctx, "SELECT date, kind, name FROM calendar_days WHERE day_table = ? ORDER BY date", id)
	if err != nil {
		return nil, fmt.Errorf("calendar: read days of %s: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var o Override
		var date string
		if err := rows.Scan(&date, &o.Kind, &o.Name); err != nil {
			return nil, err
		}
		if o.Date, err = ParseDate(date); err != nil {
			return nil, fmt.Errorf("calendar: day %q of %s: %w", date, id, err)
		}
		t.overrides = append(t.overrides, o)
	}
	return t, rows.Err()
}

// Get returns a calendar by id.
func (r *Registry) Get(id string) (*Calendar, bool) {
	c, ok := r.snap.Load().cals[id]
	return c, ok
}

// Lookup returns a calendar by id, or a 422 error naming field.
func (r *Registry) Lookup(field, id string) (*Calendar, error) {
	if c, ok := r.Get(id); ok {
		return c, nil
	}
	return nil, apperr.Validation(field, i18n.T("日历不存在：%s", "no such calendar: %s", id))
}

// List describes every calendar, built-ins first.
func (r *Registry) List() []Info {
	s := r.snap.Load()
	out := make([]Info, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, r.info(s, id))
	}
	return out
}

// Info describes one calendar.
func (r *Registry) Info(id string) (Info, bool) {
	s := r.snap.Load()
	if _, ok := s.cals[id]; !ok {
		return Info{}, false
	}
	return r.info(s, id), true
}

func (r *Registry) info(s *snapshot, id string) Info {
	c, rw := s.cals[id], s.rows[id]
	in := Info{ID: id, Name: c.Name(), TimeZone: c.TimeZone(), BusinessHours: nonNil(c.BusinessHours()),
		DayTable: rw.dayTable, Builtin: rw.builtin}
	// The official years, and every year from the first of them to next year.
	years := c.OfficialYears()
	last := r.now().In(c.Location()).Year() + 1
	first := last - 1
	if len(years) > 0 {
		first = min(first, years[0])
		last = max(last, years[len(years)-1])
	}
	for y := first; y <= last; y++ {
		in.Years = append(in.Years, YearInfo{Year: y, Source: c.YearSource(y)})
	}
	return in
}

// OnChange registers a hook run after every committed calendar change.
func (r *Registry) OnChange(h ChangeHook) {
	r.mu.Lock()
	r.hooks = append(r.hooks, h)
	r.mu.Unlock()
}

// sharing returns the ids of the calendars that use a day table.
func (r *Registry) sharing(dayTable string) []string {
	s := r.snap.Load()
	var ids []string
	for _, id := range s.order {
		if s.rows[id].dayTable == dayTable {
			ids = append(ids, id)
		}
	}
	return ids
}

// changed rebuilds the snapshot and runs the hooks; a hook's failure is
// logged, as the change itself is already committed.
func (r *Registry) changed(ctx context.Context, ch Change) error {
	if err := r.rebuild(ctx); err != nil {
		return err
	}
	r.mu.Lock()
	hooks := slices.Clone(r.hooks)
	r.mu.Unlock()
	for _, h := range hooks {
		if err := h(ctx, ch); err != nil {
			r.log.ErrorContext(ctx, "calendar change hook failed", "reason", ch.Reason,
				"calendars", strings.Join(ch.Calendars, ","), "error", err)
		}
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
