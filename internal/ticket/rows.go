package ticket

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// row is a work order as stored; instants in Unix µs, 0 = none.
type row struct {
	id                                       store.ID
	number, pack                             string
	packVersion                              int
	category, channel, severity              string
	status                                   Status
	subject, description                     string
	customerID                               store.NullID
	customerName, customerPhone, customerAdr string
	receivedAt                               int64
	receivingUnit                            store.ID
	receivedBy, handlingUnit, assignee       store.NullID
	respondent, escalatedUnit, mergedInto    store.NullID
	crisis                                   bool
	crisisParty                              string
	writtenReply, breached                   bool
	createdAt, updatedAt, closedAt           int64
}

const ticketColumns = `t.id, t.number, t.pack, t.pack_version, t.category, t.channel, t.severity, t.status,
	t.subject, t.description, t.customer_id, t.customer_name, t.customer_phone, t.customer_address,
	t.received_at, t.receiving_unit_id, t.received_by, t.handling_unit_id, t.assignee_id, t.respondent_user_id,
	t.escalated_unit_id, t.merged_into_id, t.crisis, t.crisis_party, t.written_reply, t.breached,
	t.created_at, t.updated_at, t.closed_at`

func scanRow(s store.Scanner) (*row, error) {
	var r row
	err := s.Scan(&r.id, &r.number, &r.pack, &r.packVersion, &r.category, &r.channel, &r.severity, &r.status,
		&r.subject, &r.description, &r.customerID, &r.customerName, &r.customerPhone, &r.customerAdr,
		&r.receivedAt, &r.receivingUnit, &r.receivedBy, &r.handlingUnit, &r.assignee, &r.respondent,
		&r.escalatedUnit, &r.mergedInto, &r.crisis, &r.crisisParty, &r.writtenReply, &r.breached,
		&r.createdAt, &r.updatedAt, &r.closedAt)
	return &r, err
}

// visible is the row-scope condition of a work order for p: a unit through
// which it is visible lies in p's subtree, or p is the assignee; never the
// respondent (TKT-016). It returns SQL over alias t and its arguments.
//
// Every work order has a unit (its receiving point, TKT-001), so a caller
// whose scope is the whole group needs no unit test at all. Otherwise the
// test on PostgreSQL is a scalar subquery with LIMIT 1, probed per row
// through ticket_units' primary key: under the OR, PostgreSQL turned an
// EXISTS into a hashed subplan that read every ticket_units row of the
// scope first (45 ms for the first page at 100,000 work orders, ten times
// that at 1,000,000); the probe stops at the page (issue 6). SQLite probes
// an EXISTS per row already, and the scalar form made it slower.
func visible(d store.Dialect, p *auth.Principal) (string, []any) {
	if p == nil {
		return "1=1", nil
	}
	var uid any = int64(p.UserID)
	respondent := "(t.respondent_user_id IS NULL OR t.respondent_user_id <> ?)"
	sc := p.Scope()
	if sc.All {
		return respondent, []any{uid}
	}
	cond, args := sc.SQL("tu.unit_id")
	probe := "EXISTS (SELECT 1 FROM ticket_units tu WHERE tu.ticket_id = t.id AND " + cond + ")"
	if d == store.Postgres {
		probe = "(SELECT 1 FROM ticket_units tu WHERE tu.ticket_id = t.id AND " + cond + " LIMIT 1) IS NOT NULL"
	}
	return respondent + " AND (t.assignee_id = ? OR " + probe + ")", append([]any{uid, uid}, args...)
}

// load reads a work order p may see, or 404.
func load(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) (*row, error) {
	cond, args := visible(c.Dialect(), p)
	r, err := scanRow(c.QueryRow(ctx, "SELECT "+ticketColumns+" FROM tickets t WHERE t.id = ? AND "+cond,
		append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("ticket")
	}
	return r, err
}

// clock is a deadline clock as stored.
type clock struct {
	id, ticketID                                   store.ID
	kind                                           policy.ClockKind
	dur                                            calendar.Duration
	cal                                            string
	packVersion                                    int
	startsOn                                       []policy.Event
	stopsOn                                        policy.Event
	warnPct                                        int
	state                                          ClockState
	started, target, original, warnAt, warned, met int64
	breachedAt, paused, agreed                     int64
	provisional, extended                          bool
	reneg                                          int
	// target: a CAL-011 warning-only target (never breaches); scheduled: a
	// TKT-020 next reply time set by a person; pausable: copied from the
	// pack rule; replaced: when a reclassification replaced it (TKT-003).
	isTarget, scheduled, pausable bool
	replaced                      int64
}

const clockColumns = `id, ticket_id, kind, duration, calendar, pack_version, starts_on, stops_on, warn_percent, state,
	started_at, target_at, original_target_at, warn_at, warned_at, met_at, breached_at, paused_at,
	provisional, extended, agreed_at, renegotiations, target, scheduled, pausable, replaced_at`

func scanClock(s interface{ Scan(...any) error }) (*clock, error) {
	var c clock
	var dur, starts string
	err := s.Scan(&c.id, &c.ticketID, &c.kind, &dur, &c.cal, &c.packVersion, &starts, &c.stopsOn, &c.warnPct, &c.state,
		&c.started, &c.target, &c.original, &c.warnAt, &c.warned, &c.met, &c.breachedAt, &c.paused,
		&c.provisional, &c.extended, &c.agreed, &c.reneg, &c.isTarget, &c.scheduled, &c.pausable, &c.replaced)
	if err != nil {
		return nil, err
	}
	if c.dur, err = calendar.ParseDuration(dur); err != nil {
		return nil, err
	}
	for _, e := range strings.Split(starts, ",") {
		if e != "" {
			c.startsOn = append(c.startsOn, policy.Event(e))
		}
	}
	return &c, nil
}

func loadClocks(ctx context.Context, c store.Conn, ticketID store.ID) ([]*clock, error) {
	rows, err := c.Query(ctx, "SELECT "+clockColumns+" FROM ticket_clocks WHERE ticket_id = ? AND replaced_at = 0 ORDER BY id", ticketID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*clock
	for rows.Next() {
		cl, err := scanClock(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, cl)
	}
	return out, rows.Err()
}

func loadClock(ctx context.Context, c store.Conn, id store.ID) (*clock, error) {
	return scanClock(c.QueryRow(ctx, "SELECT "+clockColumns+" FROM ticket_clocks WHERE id = ?", id))
}

func saveClock(ctx context.Context, tx store.Conn, c *clock) error {
	_, err := tx.Exec(ctx, `UPDATE ticket_clocks SET state = ?, started_at = ?, target_at = ?, original_target_at = ?,
		warn_at = ?, warned_at = ?, met_at = ?, breached_at = ?, paused_at = ?, provisional = ?, extended = ?,
		agreed_at = ?, renegotiations = ?, replaced_at = ? WHERE id = ?`,
		string(c.state), c.started, c.target, c.original, c.warnAt, c.warned, c.met, c.breachedAt, c.paused,
		c.provisional, c.extended, c.agreed, c.reneg, c.replaced, c.id)
	return err
}

// insertClock stores a new clock with its state so far (a clock started by
// the receipt is inserted running, with no second write).
func insertClock(ctx context.Context, tx store.Conn, c *clock) error {
	starts := make([]string, len(c.startsOn))
	for i, e := range c.startsOn {
		starts[i] = string(e)
	}
	id, err := tx.InsertID(ctx, `INSERT INTO ticket_clocks (ticket_id, kind, duration, calendar, pack_version, starts_on,
		stops_on, warn_percent, state, target, scheduled, pausable, started_at, target_at, original_target_at, warn_at,
		met_at, provisional) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.ticketID, string(c.kind), c.dur.String(), c.cal, c.packVersion, strings.Join(starts, ","),
		string(c.stopsOn), c.warnPct, string(c.state), c.isTarget, c.scheduled, c.pausable,
		c.started, c.target, c.original, c.warnAt, c.met, c.provisional)
	c.id = id
	return err
}

func at(us int64) *time.Time {
	if us == 0 {
		return nil
	}
	t := store.FromMicros(us)
	return &t
}

// view is the clock as the API shows it.
func (c *clock) view() Clock {
	v := Clock{ID: c.id, Kind: c.kind, Duration: c.dur, Calendar: c.cal, PackVersion: c.packVersion,
		StartsOn: c.startsOn, StopsOn: c.stopsOn, WarnPercent: c.warnPct, State: c.state,
		StartedAt: at(c.started), TargetAt: at(c.target), OriginalTargetAt: at(c.original), WarnAt: at(c.warnAt),
		WarnedAt: at(c.warned), MetAt: at(c.met), BreachedAt: at(c.breachedAt), Provisional: c.provisional,
		Extended: c.extended, AgreedAt: at(c.agreed), Renegotiations: c.reneg,
		Target: c.isTarget, Scheduled: c.scheduled, Pausable: c.pausable, PausedAt: at(c.paused)}
	if c.isTarget {
		v.PassedAt = at(c.warned) // CAL-011: a target's warning is its passing
	}
	return v
}

// view is the work order as the API shows it.
func (r *row) view(clocks []*clock) Ticket {
	t := Ticket{ID: r.id, Number: r.number, Status: r.status, Pack: r.pack, PackVersion: r.packVersion,
		Category: r.category, Channel: r.channel, Severity: r.severity, Subject: r.subject, Description: r.description,
		Customer:   Party{ID: r.customerID.ID, Name: r.customerName, Phone: r.customerPhone, Address: r.customerAdr},
		ReceivedAt: store.FromMicros(r.receivedAt), ReceivingUnitID: r.receivingUnit, ReceivedBy: r.receivedBy.ID,
		HandlingUnitID: r.handlingUnit.ID, AssigneeID: r.assignee.ID, RespondentUserID: r.respondent.ID,
		Crisis: r.crisis, CrisisParty: r.crisisParty, EscalatedUnitID: r.escalatedUnit.ID, MergedIntoID: r.mergedInto.ID,
		WrittenReply: r.writtenReply, Breached: r.breached, Clocks: []Clock{}, Targets: []Clock{},
		CreatedAt: store.FromMicros(r.createdAt), UpdatedAt: store.FromMicros(r.updatedAt), ClosedAt: at(r.closedAt)}
	for _, c := range clocks {
		if c.isTarget { // CAL-011: targets are not clocks (API.md: gas complaint has none)
			t.Targets = append(t.Targets, c.view())
		} else {
			t.Clocks = append(t.Clocks, c.view())
		}
	}
	return t
}

// appendEvent writes one timeline entry (append-only, TKT-019).
func appendEvent(ctx context.Context, tx store.Conn, ticketID store.ID, when, recorded time.Time, actor audit.Actor,
	action string, from, to Status, detail map[string]any, note string) error {
	raw := []byte("{}")
	if len(detail) > 0 {
		b, err := json.Marshal(detail)
		if err != nil {
			return err
		}
		raw = b
	}
	var actorID any
	if actor.ID != 0 {
		actorID = actor.ID
	}
	_, err := tx.Exec(ctx, `INSERT INTO ticket_events (ticket_id, at, recorded_at, actor_id, actor, action, from_status,
		to_status, detail, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ticketID, store.Micros(when), store.Micros(recorded), actorID, actor.Name, action, string(from), string(to),
		string(raw), note)
	return err
}

func loadTimeline(ctx context.Context, c store.Conn, ticketID store.ID) ([]Event, error) {
	rows, err := c.Query(ctx, `SELECT id, at, recorded_at, coalesce(actor_id, 0), actor, action, from_status, to_status,
		detail, note FROM ticket_events WHERE ticket_id = ? ORDER BY id`, ticketID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var when, rec int64
		var detail string
		if err := rows.Scan(&e.ID, &when, &rec, &e.ActorID, &e.Actor, &e.Action, &e.FromStatus, &e.ToStatus,
			&detail, &e.Note); err != nil {
			return nil, err
		}
		e.At, e.RecordedAt = store.FromMicros(when), store.FromMicros(rec)
		if detail != "" && detail != "{}" {
			_ = json.Unmarshal([]byte(detail), &e.Detail)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// happened is the set of events a work order has seen: received and the
// name of every action on its timeline (CAL-013).
func happened(ctx context.Context, c store.Conn, ticketID store.ID) (map[policy.Event]bool, error) {
	rows, err := c.Query(ctx, "SELECT DISTINCT action FROM ticket_events WHERE ticket_id = ?", ticketID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[policy.Event]bool{policy.EventReceived: true}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		out[policy.Event(a)] = true
	}
	return out, rows.Err()
}

// addUnit makes the work order visible through a unit.
func addUnit(ctx context.Context, tx store.Conn, ticketID, unitID store.ID) error {
	if unitID == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, "INSERT INTO ticket_units (ticket_id, unit_id) VALUES (?, ?) ON CONFLICT DO NOTHING", ticketID, unitID)
	return err
}

// refreshQueueColumns updates the denormalised breached flag and the
// earliest running target of a work order.
func refreshQueueColumns(ctx context.Context, tx store.Conn, ticketID store.ID, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE tickets SET
		breached = EXISTS (SELECT 1 FROM ticket_clocks WHERE ticket_id = ? AND state = 'breached' AND replaced_at = 0),
		next_due_at = coalesce((SELECT min(target_at) FROM ticket_clocks WHERE ticket_id = ? AND state = 'running'), 0),
		updated_at = ? WHERE id = ?`, ticketID, ticketID, store.Micros(now), ticketID)
	return err
}

// queueColumns is refreshQueueColumns in memory, over all of a work order's
// clocks: any breached, and the earliest running target (0 = none).
func queueColumns(clocks []*clock) (breached bool, nextDue int64) {
	for _, c := range clocks {
		switch c.state {
		case ClockBreached:
			breached = breached || c.replaced == 0
		case ClockRunning:
			if nextDue == 0 || c.target < nextDue {
				nextDue = c.target
			}
		}
	}
	return breached, nextDue
}
