package ticket

import (
	"context"
	"slices"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// reclassify moves the work order to another category of its pack version
// (TKT-003). The clocks and targets of the old category are replaced (kept
// in the database, hidden from the work order, their timers cancelled and
// their pending extension requests closed); the new category's are
// recomputed from the original receipt and the events already on the
// timeline, once the reclassification itself is on it. Next reply times
// (TKT-020) are not the category's and stay. The reason is required and
// goes to the timeline and the audit log.
func (st *step) reclassify(ctx context.Context, tx store.Conn) error {
	key := strings.TrimSpace(st.a.Category)
	if key == "" {
		return apperr.Required("category")
	}
	reason := strings.TrimSpace(st.a.Reason)
	if reason == "" {
		return apperr.Required("reason")
	}
	cat, ok := st.pack.Category(key)
	if !ok {
		return apperr.Validation("category", i18n.T("政策包 %s 第%d版中没有类别 %s", "version %d of pack %s has no category %s",
			st.pack.Key, st.pack.Version, key))
	}
	if key == st.r.category {
		return apperr.Validation("category", i18n.T("工单已属于该类别", "the work order is in that category already"))
	}
	var kept []*clock
	var replaced []map[string]any
	for _, c := range st.clocks {
		if c.scheduled {
			kept = append(kept, c)
			continue
		}
		replaced = append(replaced, map[string]any{"kind": c.kind, "target": c.isTarget, "state": c.state,
			"target_at": at(c.target)})
		if c.state == ClockPending || c.state == ClockRunning || c.state == ClockPaused {
			c.state = ClockCancelled
		}
		c.replaced = store.Micros(st.when)
		if err := st.s.cancelTimers(ctx, tx, c); err != nil {
			return err
		}
		if err := saveClock(ctx, tx, c); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE ticket_extensions SET status = 'rejected', decided_at = ?, decision_note = ?
			WHERE clock_id = ? AND status = 'pending'`, store.Micros(st.when), "reclassified", c.id); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, "UPDATE tickets SET category = ? WHERE id = ?", key, st.r.id); err != nil {
		return err
	}
	st.detail["from"], st.detail["to"], st.detail["reason"] = st.r.category, key, reason
	if len(replaced) > 0 {
		st.detail["replaced"] = replaced
	}
	st.r.category = key
	st.clocks = kept
	fresh := packClocks(st.pack, cat, st.r.id)
	st.after = append(st.after, func(ctx context.Context, tx store.Conn) error {
		return st.s.replay(ctx, tx, st.r.id, fresh, st.now)
	})
	return nil
}

// occurrences are the times each event happened on a work order, earliest
// first (the timeline's "at", which may be back-entered).
func occurrences(ctx context.Context, c store.Conn, ticketID store.ID) (map[policy.Event][]time.Time, error) {
	rows, err := c.Query(ctx, "SELECT action, at FROM ticket_events WHERE ticket_id = ? ORDER BY at, id", ticketID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[policy.Event][]time.Time{}
	for rows.Next() {
		var a string
		var when int64
		if err := rows.Scan(&a, &when); err != nil {
			return nil, err
		}
		out[policy.Event(a)] = append(out[policy.Event(a)], store.FromMicros(when))
	}
	return out, rows.Err()
}

// replay inserts new clocks of a work order and brings them to the state
// the events already recorded give them (TKT-003, CAL-013): a clock whose
// start events have all happened started when the last of them first
// happened; one whose stop event happened since is met then (late: also
// breached); one still running past its target is breached at once (a
// target: passed at once). Timers are scheduled for the rest.
func (s *Service) replay(ctx context.Context, tx store.Conn, ticketID store.ID, clocks []*clock, now time.Time) error {
	occ, err := occurrences(ctx, tx, ticketID)
	if err != nil {
		return err
	}
	for _, c := range clocks {
		if err := insertClock(ctx, tx, c); err != nil {
			return err
		}
		if slices.ContainsFunc(c.startsOn, func(e policy.Event) bool { return len(occ[e]) == 0 }) {
			continue // pending until its start events happen
		}
		var start time.Time
		for _, e := range c.startsOn {
			if t := occ[e][0]; t.After(start) {
				start = t
			}
		}
		if err := s.start(ctx, tx, c, start, "category"); err != nil {
			return err
		}
		if stops := occ[c.stopsOn]; len(stops) > 0 {
			met := start // the stop event came first: met at once, as applyEvent does
			if i := slices.IndexFunc(stops, func(t time.Time) bool { return !t.Before(start) }); i >= 0 {
				met = stops[i]
			}
			if store.Micros(met) > c.target {
				if err := s.overdue(ctx, tx, c, now); err != nil {
					return err
				}
			}
			if err := s.meet(ctx, tx, c, met); err != nil {
				return err
			}
		} else if c.target <= store.Micros(now) {
			if err := s.overdue(ctx, tx, c, now); err != nil {
				return err
			}
		}
		if err := saveClock(ctx, tx, c); err != nil {
			return err
		}
	}
	return refreshQueueColumns(ctx, tx, ticketID, now)
}

// overdue applies a passed target time at once: a clock breaches, a target
// passes (CAL-011).
func (s *Service) overdue(ctx context.Context, tx store.Conn, c *clock, now time.Time) error {
	if c.isTarget {
		return s.targetPassed(ctx, tx, c, now)
	}
	return s.breach(ctx, tx, c, now)
}
