package customer

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"slices"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/store"
)

// RegradeInput asks for a regrading run over one region (CUS-004).
type RegradeInput struct {
	// Unit is the region: the org unit whose subtree is graded; default the caller's.
	Unit store.ID `json:"unit"`
	// Metrics are the ranking values per customer (trailing-12-month
	// sales); a customer without one ranks as 0.
	Metrics map[store.ID]float64 `json:"metrics"`
	At      *time.Time           `json:"at"`     // effective time; default now
	Reason  string               `json:"reason"` // default "annual regrade"
}

// RegradeResult reports a run.
type RegradeResult struct {
	RunID   store.ID       `json:"run_id"`
	Total   int            `json:"total"`
	Counts  map[string]int `json:"counts"` // customers per grade
	Changes []Regraded     `json:"changes"`
}

// Regraded is one customer whose grade the run changed.
type Regraded struct {
	CustomerID store.ID `json:"customer_id"`
	Name       string   `json:"name"`
	Rank       int      `json:"rank"`
	Metric     float64  `json:"metric"`
	From       string   `json:"from"`
	To         string   `json:"to"`
}

// GradeCounts splits n ranked customers by the pack's cuts (percent of A,
// B, C, D): each count rounded to the nearest, A at least 1, D the rest
// (CUS-004: 50 customers → 5, 10, 15, 20).
func GradeCounts(n int, cuts []int) [4]int {
	var out [4]int
	if n <= 0 || len(cuts) != 4 {
		return out
	}
	left := n
	for i := range 3 {
		k := int(math.Floor(float64(n*cuts[i])/100 + 0.5))
		if i == 0 && k < 1 {
			k = 1
		}
		k = min(k, left)
		out[i], left = k, left-k
	}
	out[3] = left
	return out
}

// Regrade ranks every customer of a region by its metric and grades it
// by the pack's cuts (CUS-004), in one transaction: one run id, a history
// row per customer (customer_grades with run_id, also when the grade stays,
// as evidence of the yearly regrading), the grade updated where it
// changed, and an audit row with the counts.
func (s *Service) Regrade(ctx context.Context, p *auth.Principal, in RegradeInput) (RegradeResult, error) {
	if err := need(p, auth.PermCustomersManage); err != nil {
		return RegradeResult{}, err
	}
	if in.Unit == 0 {
		if p == nil {
			return RegradeResult{}, apperr.Required("unit")
		}
		in.Unit = p.OrgUnitID
	}
	r := s.db.Reader()
	var path string
	err := r.QueryRow(ctx, "SELECT path FROM org_units WHERE id = ?", in.Unit).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !scopeOf(p).Contains(path) {
		return RegradeResult{}, apperr.Validation("unit", i18n.T("组织单元不存在或不在您的范围内", "no such org unit in your scope"))
	}
	if err != nil {
		return RegradeResult{}, err
	}
	pack, err := s.packFor(ctx, in.Unit)
	if err != nil {
		return RegradeResult{}, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" {
		in.Reason = "annual regrade"
	}
	if longer(in.Reason, maxReason) {
		return RegradeResult{}, tooLong("reason", maxReason)
	}
	for id, v := range in.Metrics {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return RegradeResult{}, apperr.Validation("metrics."+id.String(), i18n.T("须为非负数", "must be a non-negative number"))
		}
	}
	type ranked struct {
		id     store.ID
		name   string
		grade  string
		metric float64
	}
	cond, args := org.Scope{Path: path}.SQL("c.org_unit_id")
	rows, err := r.Query(ctx, "SELECT c.id, c.name, c.grade FROM customers c WHERE c.merged_into_id IS NULL AND "+cond, args...)
	if err != nil {
		return RegradeResult{}, err
	}
	var list []ranked
	for rows.Next() {
		var x ranked
		if err := rows.Scan(&x.id, &x.name, &x.grade); err != nil {
			rows.Close()
			return RegradeResult{}, err
		}
		x.metric = in.Metrics[x.id]
		list = append(list, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return RegradeResult{}, err
	}
	for id := range in.Metrics {
		if !slices.ContainsFunc(list, func(x ranked) bool { return x.id == id }) {
			return RegradeResult{}, apperr.Validation("metrics."+id.String(), i18n.T("该客户不在所选区域内", "the customer is not in the region"))
		}
	}
	if len(list) == 0 {
		return RegradeResult{}, apperr.Validation("unit", i18n.T("该区域没有客户", "the region has no customers"))
	}
	// Highest metric first; ties keep the older customer first.
	slices.SortStableFunc(list, func(a, b ranked) int {
		switch {
		case a.metric > b.metric:
			return -1
		case a.metric < b.metric:
			return 1
		}
		return int(a.id - b.id)
	})
	counts := GradeCounts(len(list), pack.Customers.GradeCuts)
	now := s.now()
	effective := now
	if in.At != nil {
		effective = *in.At
	}
	out := RegradeResult{Total: len(list), Counts: map[string]int{}, Changes: []Regraded{}}
	ctx = withActor(ctx, p)
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		run, err := nextSequence(ctx, tx, "regrade_run")
		if err != nil {
			return err
		}
		runID := store.ID(run)
		at, by := store.Micros(now), byUser(p)
		rank, g := 0, 0
		for i, x := range list {
			for g < 3 && rank >= counts[g] {
				g, rank = g+1, 0
			}
			rank++
			grade := Grades[g]
			out.Counts[grade]++
			if err := insertGrade(ctx, tx, x.id, DimGrade, grade, x.grade, in.Reason, store.Micros(effective), by, &runID, at); err != nil {
				return err
			}
			if grade == x.grade {
				continue
			}
			if _, err := tx.Exec(ctx, "UPDATE customers SET grade = ?, version = version + 1, updated_at = ? WHERE id = ?",
				grade, at, x.id); err != nil {
				return err
			}
			out.Changes = append(out.Changes, Regraded{CustomerID: x.id, Name: x.name, Rank: i + 1, Metric: x.metric, From: x.grade, To: grade})
		}
		out.RunID = runID
		return audit.Record(ctx, tx, now, "customer.regrade", "org_unit", in.Unit.String(),
			map[string]any{"run_id": runID, "total": len(list), "counts": out.Counts, "changed": len(out.Changes), "cuts": pack.Customers.GradeCuts})
	})
	return out, err
}
