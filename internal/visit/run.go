package visit

import (
	"context"
	"fmt"

	"kefu/internal/calendar"
	"kefu/internal/jobs"
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

// drawBatch draws one batch (VIS-016) and records the draw with its seed.
func (s *Service) drawBatch(ctx context.Context, tx store.Conn, k batchKey) (int, error) {
	items, err := store.QueryAll(ctx, tx, func(sc store.Scanner) (batchItem, error) {
		var it batchItem
		return it, sc.Scan(&it.id, &it.refID, &it.version, &it.severity, &it.exempt, &it.refNumber, &it.mandatory, &it.completed)
	}, `SELECT id, ref_id, pack_version, severity, exempt, ref_number, mandatory, completed_at FROM visit_candidates
		WHERE pack = ? AND rule = ? AND company_id = ? AND day = ? AND draw_id IS NULL ORDER BY completed_at, id`,
		k.pack, k.rule, k.company, k.day)
	if err != nil || len(items) == 0 {
		return 0, err
	}
	// The rule of the newest pack version in the batch decides.
	version := 0
	for _, it := range items {
		version = max(version, it.version)
	}
	pack, rule, ok := s.rule(k.pack, version, k.rule)
	if !ok {
		return 0, fmt.Errorf("visit: pack %s v%d has no visit rule %q", k.pack, version, k.rule)
	}
	cal, ok := s.cals.Get(pack.Calendar)
	if !ok {
		return 0, fmt.Errorf("visit: no calendar %q", pack.Calendar)
	}
	month := k.day[:7]
	var seen, drawn int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM visit_candidates WHERE pack = ? AND rule = ? AND company_id = ?
		AND month = ? AND exempt = '' AND draw_id IS NOT NULL`, k.pack, k.rule, k.company, month).Scan(&seen); err != nil {
		return 0, err
	}
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM visits v JOIN visit_candidates c ON c.id = v.candidate_id
		WHERE c.pack = ? AND c.rule = ? AND c.company_id = ? AND c.month = ? AND v.round = 1`,
		k.pack, k.rule, k.company, month).Scan(&drawn); err != nil {
		return 0, err
	}
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
		return 0, err
	}
	if _, err := tx.Exec(ctx, `UPDATE visit_candidates SET draw_id = ? WHERE pack = ? AND rule = ? AND company_id = ?
		AND day = ? AND draw_id IS NULL`, drawID, k.pack, k.rule, k.company, k.day); err != nil {
		return 0, err
	}
	for _, i := range picked {
		it := inPopulation[i]
		due, err := cal.Deadline(store.FromMicros(it.completed), rule.Window) // VIS-002: 3d after completion
		if err != nil {
			return 0, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO visits (candidate_id, round, status, company_id, role, due_at, created_at)
			VALUES (?, 1, ?, ?, ?, ?, ?)`, it.id, string(StatusOpen), k.company, string(rule.VisitorFor(it.severity)),
			store.Micros(due.At), now); err != nil {
			return 0, err
		}
	}
	return len(picked), nil
}
