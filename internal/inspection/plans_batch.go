package inspection

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"kefu/internal/calendar"
	"kefu/internal/customer"
	"kefu/internal/store"
)

// batchSize is how many service points a plan generation reads, plans and
// writes at a time: the generation streams over the company's points and
// never holds more than one batch (100k+ points, INS-009).
const batchSize = 500

// insertRows is how many items one INSERT writes.
const insertRows = 200

// planRun is one plan being generated or regenerated in a transaction.
type planRun struct {
	id, company store.ID
	planner     *Planner
	cal         *calendar.Calendar
	from, to    calendar.Date
	fresh       bool // a new plan: no stored items to match
}

// runStats counts what a generation did.
type runStats struct {
	points, unplanned, items, withdrawn int
	provisional                         bool
}

// pointRow is what a plan reads of a service point and its customer: the
// attributes the cycles' conditions read, nothing more.
type pointRow struct {
	cust customer.Customer
	sp   customer.ServicePoint
}

const pointColumns = `sp.id, sp.customer_id, sp.kind, sp.archive_no, sp.address, sp.attributes, c.type, c.importance,
	c.importance_state, c.key_account, c.grade, c.supply`

func scanPoint(sc store.Scanner) (pointRow, error) {
	var r pointRow
	var attrs, supply string
	var keyAccount int64
	if err := sc.Scan(&r.sp.ID, &r.sp.CustomerID, &r.sp.Kind, &r.sp.ArchiveNo, &r.sp.Address, &attrs, &r.cust.Type,
		&r.cust.Importance, &r.cust.ImportanceState, &keyAccount, &r.cust.Grade, &supply); err != nil {
		return r, err
	}
	r.cust.ID, r.cust.KeyAccount = r.sp.CustomerID, keyAccount != 0
	if attrs != "" {
		if err := json.Unmarshal([]byte(attrs), &r.sp.Attributes); err != nil {
			return r, err
		}
	}
	if supply != "" {
		r.cust.Supply = new(customer.Supply)
		if err := json.Unmarshal([]byte(supply), r.cust.Supply); err != nil {
			return r, err
		}
	}
	return r, nil
}

// activePoints is the condition on the service points a company's plans
// cover: active, of a customer not merged into another.
const activePoints = "sp.status = 'active' AND c.merged_into_id IS NULL"

// generate plans every active point of the company, batch by batch, and
// then withdraws the items of points that are no longer planned.
func (s *Service) generate(ctx context.Context, tx store.Conn, pc *planRun) (runStats, error) {
	var st runStats
	var after store.ID
	for {
		batch, err := store.QueryAll(ctx, tx, scanPoint, "SELECT "+pointColumns+` FROM service_points sp
			JOIN customers c ON c.id = sp.customer_id WHERE sp.company_id = ? AND `+activePoints+` AND sp.id > ?
			ORDER BY sp.id LIMIT ?`, pc.company, after, batchSize)
		if err != nil {
			return st, err
		}
		if len(batch) == 0 {
			break
		}
		if err := s.planBatch(ctx, tx, pc, batch, &st); err != nil {
			return st, err
		}
		after = batch[len(batch)-1].sp.ID
		if len(batch) < batchSize {
			break
		}
	}
	if pc.fresh {
		return st, nil
	}
	// Points closed or merged since the last generation.
	gone := `plan_id = ? AND status <> 'withdrawn' AND NOT EXISTS (SELECT 1 FROM service_points sp
		JOIN customers c ON c.id = sp.customer_id WHERE sp.id = inspection_plan_items.service_point_id AND ` + activePoints + ")"
	res, err := tx.Exec(ctx, "UPDATE inspection_plan_items SET status = 'withdrawn' WHERE "+gone+
		" AND (team_id IS NOT NULL OR status = 'done')", pc.id)
	if err != nil {
		return st, err
	}
	n, _ := res.RowsAffected()
	st.withdrawn += int(n)
	_, err = tx.Exec(ctx, "DELETE FROM inspection_plan_items WHERE "+gone, pc.id)
	return st, err
}

// replanPoint recomputes one point's items in every plan that lists it,
// after rec, a record of the point, closed: the record completes the
// earliest open item of its track (and of its campaign) and the dates that
// follow move (CAL-010). A plan whose period begins after the inspection
// counts it too: the early inspection did the item the plan lists.
func (s *Service) replanPoint(ctx context.Context, tx store.Conn, pointID store.ID, rec *Record) error {
	type planRef struct {
		id, company    store.ID
		pack, calendar string
		version        int
		from, to       string
	}
	plans, err := store.QueryAll(ctx, tx, func(sc store.Scanner) (planRef, error) {
		var r planRef
		err := sc.Scan(&r.id, &r.company, &r.pack, &r.version, &r.calendar, &r.from, &r.to)
		return r, err
	}, `SELECT pl.id, pl.company_id, pl.pack, pl.pack_version, pl.calendar, pl.starts_on, pl.ends_on FROM inspection_plans pl
		WHERE pl.id IN (SELECT plan_id FROM inspection_plan_items WHERE service_point_id = ?) ORDER BY pl.id`, pointID)
	if err != nil || len(plans) == 0 {
		return err
	}
	rows, err := store.QueryAll(ctx, tx, scanPoint, "SELECT "+pointColumns+` FROM service_points sp
		JOIN customers c ON c.id = sp.customer_id WHERE sp.id = ?`, pointID)
	if err != nil || len(rows) == 0 {
		return err
	}
	for _, ref := range plans {
		if rec != nil && rec.InspectedOn.String() < ref.from {
			if err := linkEarly(ctx, tx, ref.id, rec); err != nil {
				return err
			}
		}
		pack, ok := s.packs.Version(ref.pack, ref.version)
		if !ok {
			continue // a pack version no longer loaded: the plan stays as generated
		}
		cal, ok := s.cals.Get(ref.calendar)
		if !ok {
			continue
		}
		from, err1 := calendar.ParseDate(ref.from)
		to, err2 := calendar.ParseDate(ref.to)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("inspection: plan %d: bad period %s–%s", ref.id, ref.from, ref.to)
		}
		planner, err := NewPlanner(pack, cal, from, to)
		if err != nil {
			return err
		}
		var st runStats
		if err := s.planBatch(ctx, tx, &planRun{id: ref.id, company: ref.company, planner: planner, cal: cal, from: from, to: to},
			rows, &st); err != nil {
			return err
		}
	}
	return nil
}

// storedItem is what reconciling needs of a stored item.
type storedItem struct {
	id, point         store.ID
	track, campaign   string
	seq               int
	status, dueOn     string
	dueAt             int64
	record            store.NullID
	doneOn, cycle     string
	combinable, basis string
	overdue, assigned bool
}

func (it storedItem) key() itemKey { return itemKey{it.point, it.track, it.campaign, it.seq} }

type itemKey struct {
	point           store.ID
	track, campaign string
	seq             int
}

// planBatch plans a batch of points and writes the difference to the
// stored items.
func (s *Service) planBatch(ctx context.Context, tx store.Conn, pc *planRun, batch []pointRow, st *runStats) error {
	ids := make([]any, len(batch))
	for i, r := range batch {
		ids[i] = r.sp.ID
	}
	hist, err := s.history(ctx, tx, ids, pc.from, pc.id)
	if err != nil {
		return err
	}
	stored := map[itemKey]storedItem{}
	if !pc.fresh {
		rows, err := store.QueryAll(ctx, tx, func(sc store.Scanner) (storedItem, error) {
			var it storedItem
			var team, inspector store.NullID
			err := sc.Scan(&it.id, &it.point, &it.track, &it.campaign, &it.seq, &it.status, &it.dueOn, &it.dueAt, &it.record,
				&it.doneOn, &it.cycle, &it.combinable, &it.basis, &it.overdue, &team, &inspector)
			it.assigned = team.Valid || inspector.Valid
			return it, err
		}, `SELECT id, service_point_id, track, campaign, seq, status, due_on, due_at, record_id, done_on, cycle, combinable, basis,
			overdue_at_start, team_id, inspector_id FROM inspection_plan_items WHERE plan_id = ? AND service_point_id IN (`+
			store.Placeholders(len(ids))+")", append([]any{pc.id}, ids...)...)
		if err != nil {
			return err
		}
		for _, it := range rows {
			stored[it.key()] = it
		}
	}
	var inserts []newItem
	for i := range batch {
		r := &batch[i]
		h := hist[r.sp.ID]
		if h == nil {
			h = &pointHistory{}
		}
		items, planned, err := pc.planner.Point(PointState{Customer: &r.cust, Point: &r.sp, Last: h.last, Campaigns: h.campaigns},
			h.done)
		if err != nil {
			return err
		}
		st.points++
		if !planned {
			st.unplanned++
		}
		for _, it := range items {
			st.items++
			st.provisional = st.provisional || it.Due.Provisional
			n := newItem{Item: it, address: r.sp.Address}
			k := itemKey{it.PointID, it.Track, it.Campaign, it.Seq}
			old, ok := stored[k]
			if !ok {
				inserts = append(inserts, n)
				continue
			}
			delete(stored, k)
			if err := s.updateItem(ctx, tx, pc, old, n); err != nil {
				return err
			}
		}
	}
	if err := s.insertItems(ctx, tx, pc, inserts); err != nil {
		return err
	}
	// Stored items the plan no longer lists.
	for _, old := range stored {
		var err error
		switch {
		case old.status == statusWithdrawn:
		case old.assigned || old.status == statusDone:
			st.withdrawn++
			_, err = tx.Exec(ctx, "UPDATE inspection_plan_items SET status = 'withdrawn' WHERE id = ?", old.id)
		default:
			_, err = tx.Exec(ctx, "DELETE FROM inspection_plan_items WHERE id = ?", old.id)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Statuses of a plan item.
const (
	statusOpen      = "open"
	statusDone      = "done"
	statusWithdrawn = "withdrawn"
)

// newItem is a computed item with what the plan stores beside it.
type newItem struct {
	Item
	address string
}

// row is the stored form of a computed item.
func (n newItem) row(pc *planRun) (status, dueOn, dueFrom, doneOn string, dueAt int64, record store.NullID) {
	status, dueOn, dueAt = statusOpen, n.Due.Day.String(), store.Micros(n.Due.At)
	if n.Due.Basis == DueNow { // overdue at once: from the period's first day
		dueOn, dueAt = pc.from.String(), store.Micros(pc.from.Midnight(pc.cal.Location()))
	}
	if !n.Due.From.IsZero() {
		dueFrom = n.Due.From.String()
	}
	if n.Record != 0 {
		status, doneOn, record = statusDone, n.DoneOn.String(), store.NullID{ID: n.Record, Valid: true}
	}
	return
}

func (s *Service) updateItem(ctx context.Context, tx store.Conn, pc *planRun, old storedItem, n newItem) error {
	status, dueOn, dueFrom, doneOn, dueAt, record := n.row(pc)
	comb := strings.Join(n.Combinable, ",")
	if old.status == status && old.dueOn == dueOn && old.dueAt == dueAt && old.record == record && old.doneOn == doneOn &&
		old.cycle == n.Cycle && old.combinable == comb && old.basis == string(n.Due.Basis) && old.overdue == n.Overdue {
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE inspection_plan_items SET status = ?, cycle = ?, checklist = ?, rules = ?, combinable = ?, basis = ?,
		due_from = ?, due_on = ?, due_at = ?, overdue_at_start = ?, provisional = ?, record_id = ?, done_on = ? WHERE id = ?`,
		status, n.Cycle, n.Checklist, strings.Join(n.Rules, ","), comb, string(n.Due.Basis), dueFrom, dueOn, dueAt, n.Overdue,
		n.Due.Provisional, record, doneOn, old.id)
	return err
}

const itemInsertColumns = `plan_id, company_id, customer_id, service_point_id, archive_no, address, track, cycle, campaign, seq,
	checklist, rules, combinable, basis, due_from, due_on, due_at, overdue_at_start, provisional, status, record_id, done_on`

// insertItems writes new items insertRows at a time.
func (s *Service) insertItems(ctx context.Context, tx store.Conn, pc *planRun, items []newItem) error {
	const cols = 22
	one := "(" + store.Placeholders(cols) + ")"
	for len(items) > 0 {
		n := min(len(items), insertRows)
		args := make([]any, 0, n*cols)
		for _, it := range items[:n] {
			status, dueOn, dueFrom, doneOn, dueAt, record := it.row(pc)
			args = append(args, pc.id, pc.company, it.CustomerID, it.PointID, it.ArchiveNo, it.address, it.Track, it.Cycle,
				it.Campaign, it.Seq, it.Checklist, strings.Join(it.Rules, ","), strings.Join(it.Combinable, ","),
				string(it.Due.Basis), dueFrom, dueOn, dueAt, it.Overdue, it.Due.Provisional, status, record, doneOn)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO inspection_plan_items ("+itemInsertColumns+") VALUES "+
			strings.TrimSuffix(strings.Repeat(one+",", n), ","), args...); err != nil {
			return err
		}
		items = items[n:]
	}
	return nil
}

// pointHistory is a point's inspections as a plan of a period sees them:
// the last completion per track and per campaign before the period, and
// the completions from its first day on.
type pointHistory struct {
	last, campaigns map[string]calendar.Date
	done            []Completion
}

// counted is the condition on the closed records that count: a record
// superseded by a closed correction does not (its correction does).
const counted = `r.status = 'closed' AND NOT EXISTS (SELECT 1 FROM inspection_records x WHERE x.corrects_id = r.id AND x.status = 'closed')`

// linked is the condition on a record that completed an item of plan ?
// (given twice): it counts for the plan even when it was done before the
// period began; so does its correction.
const linked = `(EXISTS (SELECT 1 FROM inspection_plan_items li WHERE li.record_id = r.id AND li.plan_id = ?)
	OR r.corrects_id IS NOT NULL AND EXISTS (SELECT 1 FROM inspection_plan_items li WHERE li.record_id = r.corrects_id AND li.plan_id = ?))`

// history reads the inspection history of the points for plan, a period
// from from: before it, the last completion per track and campaign; the
// completions the plan counts, from its first day on and the records that
// already completed one of its items.
func (s *Service) history(ctx context.Context, tx store.Conn, ids []any, from calendar.Date, plan store.ID) (map[store.ID]*pointHistory, error) {
	out := map[store.ID]*pointHistory{}
	get := func(id store.ID) *pointHistory {
		h := out[id]
		if h == nil {
			h = &pointHistory{last: map[string]calendar.Date{}, campaigns: map[string]calendar.Date{}}
			out[id] = h
		}
		return h
	}
	in := store.Placeholders(len(ids))
	rows, err := tx.Query(ctx, `SELECT r.service_point_id, r.track, r.campaign, max(r.inspected_on) FROM inspection_records r
		WHERE r.service_point_id IN (`+in+") AND r.inspected_on < ? AND "+counted+" AND NOT "+linked+`
		GROUP BY r.service_point_id, r.track, r.campaign`, append(append([]any{}, ids...), from.String(), plan, plan)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id store.ID
		var track, campaign, day string
		if err := rows.Scan(&id, &track, &campaign, &day); err != nil {
			rows.Close()
			return nil, err
		}
		d, err := calendar.ParseDate(day)
		if err != nil {
			continue
		}
		h := get(id)
		if track != "" && d.After(h.last[track]) {
			h.last[track] = d
		}
		if campaign != "" && d.After(h.campaigns[campaign]) {
			h.campaigns[campaign] = d
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	type comp struct {
		point store.ID
		c     Completion
	}
	done, err := store.QueryAll(ctx, tx, func(sc store.Scanner) (comp, error) {
		var r comp
		var day string
		err := sc.Scan(&r.c.Record, &r.point, &r.c.Track, &r.c.Campaign, &day)
		if err == nil {
			r.c.Day, err = calendar.ParseDate(day)
		}
		return r, err
	}, `SELECT r.id, r.service_point_id, r.track, r.campaign, r.inspected_on FROM inspection_records r
		WHERE r.service_point_id IN (`+in+") AND (r.inspected_on >= ? OR "+linked+") AND "+counted+
		" ORDER BY r.inspected_on, r.inspected_at, r.id", append(append([]any{}, ids...), from.String(), plan, plan)...)
	if err != nil {
		return nil, err
	}
	for _, r := range done {
		h := get(r.point)
		h.done = append(h.done, r.c)
	}
	return out, nil
}

// linkEarly gives a record done before a plan's period the earliest open
// item of its track and of its campaign in the plan.
func linkEarly(ctx context.Context, tx store.Conn, plan store.ID, rec *Record) error {
	for _, ob := range []struct{ track, campaign string }{{rec.Track, ""}, {"", rec.Campaign}} {
		if ob.track == "" && ob.campaign == "" {
			continue
		}
		var id store.ID
		err := tx.QueryRow(ctx, `SELECT id FROM inspection_plan_items WHERE plan_id = ? AND service_point_id = ? AND track = ?
			AND campaign = ? AND status = 'open' ORDER BY seq LIMIT 1`, plan, rec.ServicePointID, ob.track, ob.campaign).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE inspection_plan_items SET record_id = ?, status = 'done', done_on = ? WHERE id = ?",
			rec.ID, rec.InspectedOn.String(), id); err != nil {
			return err
		}
	}
	return nil
}
