package visit

import (
	"context"
	"fmt"
	"time"

	"kefu/internal/calendar"
	"kefu/internal/jobs"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// fireDraw draws every day's batch that is over (the timer of a day fires
// at the next midnight; a late engine draws all the days it missed, oldest
// first, so the monthly counts build up in order).
func (s *Service) fireDraw(ctx context.Context, tx store.Conn, _ jobs.Timer) error {
	_, err := s.drawDue(ctx, tx)
	return err
}

// batchKey is one (pack, rule, company, day) batch.
type batchKey struct {
	pack, rule, day string
	company         store.ID
}

// drawDue draws the batches of the days before today; it returns how many
// visits it created.
func (s *Service) drawDue(ctx context.Context, tx store.Conn) (int, error) {
	today := calendar.DateOf(s.now().In(store.Zone)).String()
	keys, err := store.QueryAll(ctx, tx, func(sc store.Scanner) (batchKey, error) {
		var k batchKey
		return k, sc.Scan(&k.pack, &k.rule, &k.company, &k.day)
	}, `SELECT DISTINCT pack, rule, company_id, day FROM visit_candidates WHERE draw_id IS NULL AND day < ?
		ORDER BY day, pack, rule, company_id`, today)
	if err != nil {
		return 0, err
	}
	created := 0
	for _, k := range keys {
		n, err := s.drawBatch(ctx, tx, k)
		if err != nil {
			return created, err
		}
		created += n
	}
	return created, nil
}

// batchItem is a candidate of a batch.
type batchItem struct {
	id, refID                   store.ID
	version                     int
	severity, exempt, refNumber string
	mandatory                   bool
	completed                   int64
}

// drawBatch draws one day's batch (VIS-016) against the month's counts so
// far and records the draw with its seed.
func (s *Service) drawBatch(ctx context.Context, tx store.Conn, k batchKey) (int, error) {
	items, pack, rule, err := s.batch(ctx, tx, k)
	if err != nil || len(items) == 0 {
		return 0, err
	}
	month := k.day[:7]
	var seen, drawn int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM visit_candidates WHERE pack = ? AND rule = ? AND company_id = ?
		AND month = ? AND exempt = '' AND draw_id IS NOT NULL`, k.pack, k.rule, k.company, month).Scan(&seen); err != nil {
		return 0, err
	}
	// A visit cancelled by a swap was replaced by another (VIS-016): only
	// the replacement counts.
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM visits v JOIN visit_candidates c ON c.id = v.candidate_id
		WHERE c.pack = ? AND c.rule = ? AND c.company_id = ? AND c.month = ? AND v.round = 1 AND v.status <> 'cancelled'`,
		k.pack, k.rule, k.company, month).Scan(&drawn); err != nil {
		return 0, err
	}
	_, n, err := s.pick(ctx, tx, k, pack, rule, items, seen, drawn)
	return n, err
}

// batch reads the undrawn candidates of a batch (a day, or an occasion)
// and the rule that draws them: the rule of the newest pack version in it.
func (s *Service) batch(ctx context.Context, tx store.Conn, k batchKey) ([]batchItem, *policy.Pack, *policy.VisitRule, error) {
	items, err := store.QueryAll(ctx, tx, func(sc store.Scanner) (batchItem, error) {
		var it batchItem
		return it, sc.Scan(&it.id, &it.refID, &it.version, &it.severity, &it.exempt, &it.refNumber, &it.mandatory, &it.completed)
	}, `SELECT id, ref_id, pack_version, severity, exempt, ref_number, mandatory, completed_at FROM visit_candidates
		WHERE pack = ? AND rule = ? AND company_id = ? AND day = ? AND draw_id IS NULL ORDER BY completed_at, id`,
		k.pack, k.rule, k.company, k.day)
	if err != nil || len(items) == 0 {
		return nil, nil, nil, err
	}
	version := 0
	for _, it := range items {
		version = max(version, it.version)
	}
	pack, rule, ok := s.rule(k.pack, version, k.rule)
	if !ok {
		return nil, nil, nil, fmt.Errorf("visit: pack %s v%d has no visit rule %q", k.pack, version, k.rule)
	}
	return items, pack, rule, nil
}

// pick draws a batch's items given the visits and population before it
// (VIS-016), records the draw (seed pack|rule|company|batch), marks the
// batch drawn and opens a first-round visit for every item picked, due on
// the pack calendar. It returns the draw and the number picked.
func (s *Service) pick(ctx context.Context, tx store.Conn, k batchKey, pack *policy.Pack, rule *policy.VisitRule,
	items []batchItem, seen, drawn int) (store.ID, int, error) {
	var batch []Candidate
	var inPopulation []batchItem
	for _, it := range items {
		if it.exempt == "" {
			batch = append(batch, Candidate{Ref: it.refNumber, Mandatory: it.mandatory})
			inPopulation = append(inPopulation, it)
		}
	}
	seed := fmt.Sprintf("%s|%s|%d|%s", k.pack, k.rule, k.company, k.day)
	picked := Draw(rule.RatePct, seen, drawn, batch, seed)
	now := store.Micros(s.now())
	drawID, err := tx.InsertID(ctx, `INSERT INTO visit_draws (pack, rule, company_id, day, seed, rate_pct, seen_before,
		drawn_before, batch, picked, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		k.pack, k.rule, k.company, k.day, seed, rule.RatePct, seen, drawn, len(batch), len(picked), now)
	if err != nil {
		return 0, 0, err
	}
	if _, err := tx.Exec(ctx, `UPDATE visit_candidates SET draw_id = ? WHERE pack = ? AND rule = ? AND company_id = ?
		AND day = ? AND draw_id IS NULL`, drawID, k.pack, k.rule, k.company, k.day); err != nil {
		return 0, 0, err
	}
	for _, i := range picked {
		it := inPopulation[i]
		if err := s.open(ctx, tx, pack, rule, k.company, it.id, it.severity, store.FromMicros(it.completed)); err != nil {
			return 0, 0, err
		}
	}
	return drawID, len(picked), nil
}

// open creates the first-round visit of a candidate: for the role of its
// severity (VIS-004), due at completion + the rule's window on the pack
// calendar (VIS-002: 3d after completion).
func (s *Service) open(ctx context.Context, tx store.Conn, pack *policy.Pack, rule *policy.VisitRule, company, candidate store.ID,
	severity string, completed time.Time) error {
	due, err := s.due(pack, rule, completed)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO visits (candidate_id, round, status, company_id, role, due_at, created_at)
		VALUES (?, 1, ?, ?, ?, ?, ?)`, candidate, string(StatusOpen), company, string(rule.VisitorFor(severity)),
		store.Micros(due), store.Micros(s.now()))
	return err
}

// due is completion + the rule's window on the pack calendar.
func (s *Service) due(pack *policy.Pack, rule *policy.VisitRule, completed time.Time) (time.Time, error) {
	cal, ok := s.cals.Get(pack.Calendar)
	if !ok {
		return time.Time{}, fmt.Errorf("visit: no calendar %q", pack.Calendar)
	}
	d, err := cal.Deadline(completed, rule.Window)
	return d.At, err
}
