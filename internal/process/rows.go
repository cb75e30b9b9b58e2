package process

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
)

// row is a process as stored.
type row struct {
	id, unit                store.ID
	number, pack, def       string
	packVersion             int
	status                  Status
	customer, point         store.NullID
	customerName            string
	attrs                   map[string]any
	appliedAt               int64
	currentStep             string
	currentStepID, stepUnit store.NullID
	stepRole                string
	nextDue                 int64
	breached                bool
	createdBy               store.NullID
	createdAt, updatedAt    int64
	closedAt                int64
}

const processColumns = `pr.id, pr.number, pr.pack, pr.pack_version, pr.definition, pr.status, pr.customer_id,
	coalesce((SELECT c.name FROM customers c WHERE c.id = pr.customer_id), ''), pr.service_point_id, pr.unit_id,
	pr.attributes, pr.applied_at, pr.current_step, pr.current_step_id, pr.step_unit_id, pr.step_role, pr.next_due_at,
	pr.breached, pr.created_by, pr.created_at, pr.updated_at, pr.closed_at`

func scanRow(s store.Scanner) (*row, error) {
	var r row
	var attrs string
	err := s.Scan(&r.id, &r.number, &r.pack, &r.packVersion, &r.def, &r.status, &r.customer, &r.customerName,
		&r.point, &r.unit, &attrs, &r.appliedAt, &r.currentStep, &r.currentStepID, &r.stepUnit, &r.stepRole,
		&r.nextDue, &r.breached, &r.createdBy, &r.createdAt, &r.updatedAt, &r.closedAt)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(attrs), &r.attrs); err != nil {
		return nil, err
	}
	return &r, nil
}

// visible is the row scope of processes (alias pr): a process is seen
// through every unit it passed through (process_units) by the people of
// that unit's subtree, and — for a step routed to a company — by the
// people of that company (its departments, not its branch companies);
// everything for an administrator and the system (SEC-001).
func visible(p *auth.Principal) (string, []any) {
	sc := p.Scope()
	if sc.All {
		return "1=1", nil
	}
	cond, args := sc.SQL("pu.unit_id")
	co, coArgs := companyOf(p)
	return "EXISTS (SELECT 1 FROM process_units pu WHERE pu.process_id = pr.id AND (" + cond +
		" OR pu.unit_id = " + co + "))", append(args, coArgs...)
}

// companyOf is a scalar subquery of p's company (org.CompanySQL).
func companyOf(p *auth.Principal) (string, []any) { return org.CompanySQL(p.OrgPath, p.OrgUnitID) }

// load reads a process p may see, or 404.
func load(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) (*row, error) {
	cond, args := visible(p)
	r, err := scanRow(c.QueryRow(ctx, "SELECT "+processColumns+" FROM processes pr WHERE pr.id = ? AND "+cond,
		append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("process")
	}
	return r, err
}

// stepRow is one round of a step as stored.
type stepRow struct {
	id, process, unit               store.ID
	step                            string
	round                           int
	status                          StepStatus
	role                            string
	previous                        store.NullID
	activated                       int64
	cal, limits                     string
	clockStarted, due, warn, warned int64
	breached, completed             int64
	outcome                         string
	actor                           store.NullID
	comment                         string
}

const stepColumns = `id, process_id, step, round, status, unit_id, role, previous_id, activated_at, calendar, limits,
	clock_started_at, due_at, warn_at, warned_at, breached_at, completed_at, outcome, actor_id, comment`

func scanStep(s store.Scanner) (*stepRow, error) {
	var r stepRow
	err := s.Scan(&r.id, &r.process, &r.step, &r.round, &r.status, &r.unit, &r.role, &r.previous, &r.activated,
		&r.cal, &r.limits, &r.clockStarted, &r.due, &r.warn, &r.warned, &r.breached, &r.completed, &r.outcome,
		&r.actor, &r.comment)
	return &r, err
}

func loadStep(ctx context.Context, c store.Conn, id store.ID) (*stepRow, error) {
	return scanStep(c.QueryRow(ctx, "SELECT "+stepColumns+" FROM process_steps WHERE id = ?", id))
}

func saveStep(ctx context.Context, tx store.Conn, s *stepRow) error {
	_, err := tx.Exec(ctx, `UPDATE process_steps SET status = ?, clock_started_at = ?, due_at = ?, warn_at = ?,
		warned_at = ?, breached_at = ?, completed_at = ?, outcome = ?, actor_id = ?, comment = ? WHERE id = ?`,
		string(s.status), s.clockStarted, s.due, s.warn, s.warned, s.breached, s.completed, s.outcome,
		s.actor, s.comment, s.id)
	return err
}

// steps reads every round of a process, oldest first.
func steps(ctx context.Context, c store.Conn, process store.ID) ([]*stepRow, error) {
	return store.QueryAll(ctx, c, scanStep, "SELECT "+stepColumns+" FROM process_steps WHERE process_id = ? ORDER BY id", process)
}

// facts reads the facts of a process: fact → when it became true.
func facts(ctx context.Context, c store.Conn, process store.ID) (map[string]int64, error) {
	return instants(ctx, c, "SELECT fact, at FROM process_facts WHERE process_id = ?", process)
}

// received reads the checklist items received: item → when.
func received(ctx context.Context, c store.Conn, process store.ID) (map[string]int64, error) {
	return instants(ctx, c, "SELECT item, received_at FROM process_checklist WHERE process_id = ?", process)
}

// instants reads (key, instant) rows into a map.
func instants(ctx context.Context, c store.Conn, query string, process store.ID) (map[string]int64, error) {
	rows, err := c.Query(ctx, query, process)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var key string
		var at int64
		if err := rows.Scan(&key, &at); err != nil {
			return nil, err
		}
		out[key] = at
	}
	return out, rows.Err()
}

// appendEvent puts an entry on the timeline.
func appendEvent(ctx context.Context, tx store.Conn, process store.ID, at time.Time, p *auth.Principal,
	action, step string, round int, detail map[string]any, note string) error {
	raw := []byte("{}")
	if len(detail) > 0 {
		b, err := json.Marshal(detail)
		if err != nil {
			return err
		}
		raw = b
	}
	var actorID any
	actor := "system"
	if p != nil {
		actorID, actor = p.UserID, p.Username
	}
	_, err := tx.Exec(ctx, `INSERT INTO process_events (process_id, at, actor_id, actor, action, step, round, detail, note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, process, store.Micros(at), actorID, actor, action, step, round, string(raw), note)
	return err
}

// splitList splits a comma-separated column.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// timePtr is a stored instant for the API: nil when 0.
func timePtr(us int64) *time.Time {
	if us == 0 {
		return nil
	}
	t := store.FromMicros(us)
	return &t
}
