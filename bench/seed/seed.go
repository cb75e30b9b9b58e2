// Package seed fills a kefu database with a realistic data set for
// performance work (issue 6): customers with service points (bench/custgen)
// and work orders across every built-in pack, category and state, with
// their timelines, deadline clocks computed by the calendar and the timers
// of the running clocks. It writes the rows directly with multi-row INSERTs
// in large transactions, bypassing the services for speed, but writes them
// as the services would: valid numbers, archive numbers, org-unit scope and
// search documents (kept by the database's own triggers).
package seed

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"kefu/bench/custgen"
	"kefu/internal/calendar"
	"kefu/internal/customer"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Options say how much to generate.
type Options struct {
	Customers int
	Tickets   int
	Seed      uint64
	// Now is the generation time; work orders are received within the year
	// before it. Default time.Now.
	Now func() time.Time
	// Progress, when set, is called after every committed transaction.
	Progress func(Stats)
}

// Stats count the rows written.
type Stats struct {
	Customers, ServicePoints, Tickets, TicketUnits, Clocks, Events, Timers int64
	Elapsed                                                                time.Duration
}

// Rows is the number of rows written in all tables.
func (s Stats) Rows() int64 {
	return s.Customers + s.ServicePoints + s.Tickets + s.TicketUnits + s.Clocks + s.Events + s.Timers
}

// RowsPerSecond is the write rate so far.
func (s Stats) RowsPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Rows()) / s.Elapsed.Seconds()
}

func (s *Stats) add(o Stats) {
	s.Customers += o.Customers
	s.ServicePoints += o.ServicePoints
	s.Tickets += o.Tickets
	s.TicketUnits += o.TicketUnits
	s.Clocks += o.Clocks
	s.Events += o.Events
	s.Timers += o.Timers
}

// Transaction sizes: about 50,000 rows each.
const (
	customersPerTx = 10000
	ticketsPerTx   = 5000
)

// unit is an org unit as the generator needs it.
type unit struct {
	id, company, dept, root store.ID
	kind                    org.Kind
}

// party is a generated customer as a work order's snapshot needs it.
type party struct {
	id                   store.ID
	name, phone, address string
}

// packData is one pack with its units and customers.
type packData struct {
	pack      *policy.Pack
	units     []unit
	customers []party
	maxClocks int
}

type seeder struct {
	db       *store.DB
	o        Options
	now      time.Time
	packs    []*packData
	cals     map[string]*calendar.Calendar
	start    time.Time
	stats    Stats
	ids      map[string]int64 // table → last id
	archives map[string]int64 // archive prefix → last number
	days     map[string]int64 // ticket_sequences
}

// Run seeds db (migrated) and returns what it wrote.
func Run(ctx context.Context, db *store.DB, o Options) (Stats, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &seeder{db: db, o: o, now: o.Now(), cals: map[string]*calendar.Calendar{}, ids: map[string]int64{},
		archives: map[string]int64{}, days: map[string]int64{}, start: time.Now()}
	if err := s.setup(ctx); err != nil {
		return s.stats, err
	}
	if err := s.customers(ctx); err != nil {
		return s.stats, err
	}
	if err := s.tickets(ctx); err != nil {
		return s.stats, err
	}
	if err := s.finish(ctx); err != nil {
		return s.stats, err
	}
	s.stats.Elapsed = time.Since(s.start)
	return s.stats, nil
}

// setup loads the packs and calendars, creates an org tree of a company and
// a customer-service department per pack when the database has only its
// root, and reads the current ids and counters.
func (s *seeder) setup(ctx context.Context) error {
	packs, err := policy.Builtins()
	if err != nil {
		return err
	}
	for _, p := range packs {
		for _, id := range append([]string{p.Calendar}, clockCalendars(p)...) {
			c, ok := calendar.Builtin(id)
			if !ok {
				return fmt.Errorf("seed: pack %s uses calendar %q, which is not built in", p.Key, id)
			}
			s.cals[id] = c
		}
	}
	r := s.db.Reader()
	var n int
	if err := r.QueryRow(ctx, "SELECT count(*) FROM org_units").Scan(&n); err != nil {
		return err
	}
	if n <= 1 {
		os := org.New(org.Options{DB: s.db})
		root, err := os.EnsureRoot(ctx, "集团")
		if err != nil {
			return err
		}
		for _, p := range packs {
			co, err := os.Create(ctx, org.CreateInput{ParentID: &root.ID, Kind: org.Company, Name: p.Name.ZH + "公司", Pack: p.Key})
			if err != nil {
				return err
			}
			for _, d := range []string{"客服中心", "维修部"} {
				if _, err := os.Create(ctx, org.CreateInput{ParentID: &co.ID, Kind: org.Department, Name: d}); err != nil {
					return err
				}
			}
		}
	}
	if err := s.loadUnits(ctx, packs); err != nil {
		return err
	}
	for _, t := range []string{"customers", "tickets", "ticket_clocks"} {
		var last int64
		if err := r.QueryRow(ctx, "SELECT coalesce(max(id), 0) FROM "+t).Scan(&last); err != nil {
			return err
		}
		s.ids[t] = last
	}
	rows, err := r.Query(ctx, "SELECT name, last FROM register_sequences WHERE name LIKE 'archive:%'")
	if err != nil {
		return err
	}
	for rows.Next() {
		var name string
		var last int64
		if err := rows.Scan(&name, &last); err != nil {
			rows.Close()
			return err
		}
		s.archives[strings.TrimPrefix(name, "archive:")] = last
	}
	rows.Close()
	rows, err = r.Query(ctx, "SELECT day, last FROM ticket_sequences")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var day string
		var last int64
		if err := rows.Scan(&day, &last); err != nil {
			return err
		}
		s.days[day] = last
	}
	return rows.Err()
}

func clockCalendars(p *policy.Pack) []string {
	var out []string
	for _, c := range p.Categories {
		for _, r := range c.Clocks {
			out = append(out, p.ClockCalendar(r))
		}
	}
	return out
}

// loadUnits gives every pack the active units whose effective pack it is.
func (s *seeder) loadUnits(ctx context.Context, packs []*policy.Pack) error {
	rows, err := s.db.Reader().Query(ctx, "SELECT id, kind, pack, path FROM org_units WHERE active = ? ORDER BY id", true)
	if err != nil {
		return err
	}
	defer rows.Close()
	type raw struct {
		id         store.ID
		kind, pack string
		path       []store.ID
	}
	all := map[store.ID]raw{}
	var order []store.ID
	for rows.Next() {
		var u raw
		var path string
		if err := rows.Scan(&u.id, &u.kind, &u.pack, &path); err != nil {
			return err
		}
		for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
			if id, err := strconv.ParseInt(part, 10, 64); err == nil {
				u.path = append(u.path, store.ID(id))
			}
		}
		all[u.id] = u
		order = append(order, u.id)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	byKey := map[string]*packData{}
	for _, p := range packs {
		pd := &packData{pack: p}
		for _, c := range p.Categories {
			pd.maxClocks = max(pd.maxClocks, len(c.Clocks)+len(c.Targets))
		}
		byKey[p.Key] = pd
		s.packs = append(s.packs, pd)
	}
	for _, id := range order {
		u := all[id]
		eff := policy.DefaultPack
		out := unit{id: id, kind: org.Kind(u.kind), root: id}
		if len(u.path) > 0 {
			out.root = u.path[0]
		}
		out.company = out.root
		for _, a := range u.path {
			au := all[a]
			if au.pack != "" {
				eff = au.pack
			}
			switch org.Kind(au.kind) {
			case org.Company:
				out.company = a
			case org.Department:
				out.dept = a
			}
		}
		if pd, ok := byKey[eff]; ok {
			pd.units = append(pd.units, out)
		}
	}
	s.packs = slices.DeleteFunc(s.packs, func(p *packData) bool { return len(p.units) == 0 })
	if len(s.packs) == 0 {
		return fmt.Errorf("seed: no org unit uses a built-in pack")
	}
	return nil
}

// handling is the unit a work order received at u is assigned to: a
// department of the same company (u's own when it has one).
func (pd *packData) handling(r *rand.Rand, u unit) store.ID {
	if u.dept != 0 {
		return u.dept
	}
	var cands []store.ID
	for _, v := range pd.units {
		if v.company == u.company && v.kind == org.Department {
			cands = append(cands, v.id)
		}
	}
	if len(cands) == 0 {
		return u.id
	}
	return cands[r.IntN(len(cands))]
}

// insert is one multi-row INSERT being built.
type insert struct {
	table string
	cols  []string
	args  []any
}

func (in *insert) add(vals ...any) { in.args = append(in.args, vals...) }

func (in *insert) rows() int { return len(in.args) / len(in.cols) }

// maxParams keeps a statement under SQLite's and PostgreSQL's limits.
const maxParams = 30000

// exec writes the rows in statements of at most maxParams parameters.
func (in *insert) exec(ctx context.Context, tx *sql.Tx, d store.Dialect) error {
	per := maxParams / len(in.cols)
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(in.cols)), ", ") + ")"
	head := "INSERT INTO " + in.table + " (" + strings.Join(in.cols, ", ") + ") VALUES "
	for lo := 0; lo < in.rows(); lo += per {
		n := min(per, in.rows()-lo)
		q := head + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
		if d == store.Postgres {
			q = store.Rebind(q)
		}
		if _, err := tx.ExecContext(ctx, q, in.args[lo*len(in.cols):(lo+n)*len(in.cols)]...); err != nil {
			return fmt.Errorf("insert into %s: %w", in.table, err)
		}
	}
	return nil
}

// write runs fn in one write transaction on the writer pool. On SQLite the
// foreign keys are checked at commit, so service points may precede their
// customer: the customer's insert trigger then computes its search
// document once, with all its points, instead of once per point.
func (s *seeder) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.Writer().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if s.db.Dialect() == store.SQLite {
		if _, err := tx.ExecContext(ctx, "PRAGMA defer_foreign_keys = ON"); err != nil {
			return err
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	// The search indexes of what fn wrote (SQLite 00014), in one pass.
	if err := s.db.FlushDeferred(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *seeder) progress(o Stats) {
	s.stats.add(o)
	s.stats.Elapsed = time.Since(s.start)
	if s.o.Progress != nil {
		s.o.Progress(s.stats)
	}
}

// customers writes the customers and their service points, spread over the
// packs and their units.
func (s *seeder) customers(ctx context.Context) error {
	g := custgen.New(s.o.Seed)
	r := rand.New(rand.NewPCG(s.o.Seed, 1))
	at := store.Micros(s.now)
	for done := 0; done < s.o.Customers; {
		n := min(customersPerTx, s.o.Customers-done)
		cs := &insert{table: "customers", cols: []string{"id", "kind", "name", "phone", "phone_key", "address", "org_unit_id",
			"created_at", "updated_at", "pack", "name_key"}}
		sp := &insert{table: "service_points", cols: []string{"customer_id", "kind", "account_no", "archive_no", "company_id",
			"org_unit_id", "address", "attributes", "created_at", "updated_at"}}
		var st Stats
		for range n {
			c := g.Next()
			pd := s.packs[r.IntN(len(s.packs))]
			u := pd.units[r.IntN(len(pd.units))]
			s.ids["customers"]++
			id := store.ID(s.ids["customers"])
			kinds := pd.pack.Customers.ServicePoints
			if len(kinds) > 0 {
				for _, p := range c.Points {
					k, ok := pd.pack.Customers.ServicePoint(p.Kind)
					if !ok {
						k = &kinds[0]
					}
					s.archives[k.Prefix]++
					sp.add(id, k.Kind, p.AccountNo, fmt.Sprintf("%s-%06d", k.Prefix, s.archives[k.Prefix]), u.company, u.id,
						p.Address, "{}", at, at)
				}
			}
			cs.add(id, c.Kind, c.Name, c.Phone, customer.PhoneKey(c.Phone), c.Address, u.id, at, at, pd.pack.Key,
				customer.NameKey(c.Name))
			pd.customers = append(pd.customers, party{id: id, name: c.Name, phone: c.Phone, address: c.Address})
		}
		st.Customers, st.ServicePoints = int64(cs.rows()), int64(sp.rows())
		err := s.write(ctx, func(tx *sql.Tx) error {
			// SQLite: points first (see write); PostgreSQL's search
			// triggers run at commit, and its foreign keys do not wait.
			order := []*insert{sp, cs}
			if s.db.Dialect() == store.Postgres {
				order = []*insert{cs, sp}
			}
			for _, in := range order {
				if err := in.exec(ctx, tx, s.db.Dialect()); err != nil {
					return err
				}
			}
			return s.saveArchives(ctx, tx)
		})
		if err != nil {
			return err
		}
		done += n
		s.progress(st)
	}
	return nil
}

func (s *seeder) saveArchives(ctx context.Context, tx *sql.Tx) error {
	for prefix, last := range s.archives {
		q := `INSERT INTO register_sequences (name, last) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET last = excluded.last`
		if s.db.Dialect() == store.Postgres {
			q = store.Rebind(q)
		}
		if _, err := tx.ExecContext(ctx, q, "archive:"+prefix, last); err != nil {
			return err
		}
	}
	return nil
}

// chunk is the rows of one transaction of work orders.
type chunk struct {
	tickets, units, clocks, events, timers *insert
	numbers                                []numberSlot
	st                                     Stats
	err                                    error
}

// numberSlot is where a work order's number goes once the writer has
// given it the next number of its day.
type numberSlot struct {
	arg int
	day string
}

// tickets generates the work orders on all CPUs and writes them in order.
func (s *seeder) tickets(ctx context.Context) error {
	if s.o.Tickets <= 0 {
		return nil
	}
	maxClocks := 1
	for _, pd := range s.packs {
		maxClocks = max(maxClocks, pd.maxClocks)
	}
	base := ticketBase{ticket: s.ids["tickets"], clock: s.ids["ticket_clocks"], maxClocks: int64(maxClocks)}
	nChunks := (s.o.Tickets + ticketsPerTx - 1) / ticketsPerTx
	out := make([]chan *chunk, nChunks)
	for i := range out {
		out[i] = make(chan *chunk, 1)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	// At most a few chunks are generated ahead of the writer.
	tokens := make(chan struct{}, 2*runtime.NumCPU())
	var wg sync.WaitGroup
	for range max(1, runtime.NumCPU()-1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] <- s.genChunk(base, i)
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range nChunks {
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	defer wg.Wait()
	for i := range nChunks {
		var c *chunk
		select {
		case c = <-out[i]:
		case <-ctx.Done():
			return ctx.Err()
		}
		if c.err != nil {
			cancel()
			return c.err
		}
		for _, n := range c.numbers {
			s.days[n.day]++
			c.tickets.args[n.arg] = fmt.Sprintf("%s-%06d", n.day, s.days[n.day])
		}
		err := s.write(ctx, func(tx *sql.Tx) error {
			for _, in := range []*insert{c.tickets, c.units, c.clocks, c.events, c.timers} {
				if err := in.exec(ctx, tx, s.db.Dialect()); err != nil {
					return err
				}
			}
			return s.saveDays(ctx, tx, c.numbers)
		})
		if err != nil {
			cancel()
			return err
		}
		s.progress(c.st)
		<-tokens
	}
	return nil
}

func (s *seeder) saveDays(ctx context.Context, tx *sql.Tx, slots []numberSlot) error {
	seen := map[string]bool{}
	for _, n := range slots {
		if seen[n.day] {
			continue
		}
		seen[n.day] = true
		q := `INSERT INTO ticket_sequences (day, last) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET last = excluded.last`
		if s.db.Dialect() == store.Postgres {
			q = store.Rebind(q)
		}
		if _, err := tx.ExecContext(ctx, q, n.day, s.days[n.day]); err != nil {
			return err
		}
	}
	return nil
}

// finish moves PostgreSQL's identity sequences past the explicit ids.
func (s *seeder) finish(ctx context.Context) error {
	if s.db.Dialect() != store.Postgres {
		return nil
	}
	for _, t := range []string{"customers", "service_points", "tickets", "ticket_clocks", "ticket_events"} {
		_, err := s.db.Writer().ExecContext(ctx, fmt.Sprintf(
			"SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), coalesce((SELECT max(id) FROM %[1]s), 0) + 1, false)", t))
		if err != nil {
			return err
		}
	}
	return nil
}

// ticketBase are the ids before the first generated work order and clock.
type ticketBase struct {
	ticket, clock, maxClocks int64
}

// encode marshals an event's detail as appendEvent does.
func encode(detail map[string]any) string {
	if len(detail) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(detail)
	return string(b)
}
