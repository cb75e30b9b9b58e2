package visit

import (
	"context"

	"kefu/internal/auth"
	"kefu/internal/store"
)

// VisitorStats are one visitor's figures for a month (RPT-001: return
// visits by visitor): the visits they recorded, of items completed in the
// month, how many were signed off and satisfied, by phone, late, and the
// issues their visits raised and had answered (VIS-012).
type VisitorStats struct {
	UserID         store.ID `json:"user_id"`
	Name           string   `json:"name"`
	Done           int      `json:"done"`       // recorded, any round
	SignedOff      int      `json:"signed_off"` // VIS-009
	Satisfied      int      `json:"satisfied"`  // of the signed off
	Phone          int      `json:"phone"`      // 电话回访 (VIS-008)
	Late           int      `json:"late"`       // recorded after the due time
	IssuesRaised   int      `json:"issues_raised"`
	IssuesAnswered int      `json:"issues_answered"`
	// Satisfaction is satisfied ÷ signed off and HandlingRate answered ÷
	// raised, in % with two decimals (100 when nothing was raised).
	Satisfaction float64 `json:"satisfaction"`
	HandlingRate float64 `json:"handling_rate"`
}

// VisitorStats counts the month's recorded visits (YYYY-MM of the items'
// completion, as Stats) by the visitor who recorded them, over the
// companies p may see, busiest first.
func (s *Service) VisitorStats(ctx context.Context, p *auth.Principal, month string) ([]VisitorStats, error) {
	month, err := s.statsMonth(p, month)
	if err != nil {
		return nil, err
	}
	cond, args := visible(p, "v.company_id")
	rows, err := store.QueryAll(ctx, s.db.Reader(), func(sc store.Scanner) (VisitorStats, error) {
		var r VisitorStats
		err := sc.Scan(&r.UserID, &r.Name, &r.Done, &r.SignedOff, &r.Satisfied, &r.Phone, &r.Late, &r.IssuesRaised,
			&r.IssuesAnswered)
		r.Satisfaction, r.HandlingRate = percent(r.Satisfied, r.SignedOff), 100
		if r.IssuesRaised > 0 {
			r.HandlingRate = percent(r.IssuesAnswered, r.IssuesRaised)
		}
		return r, err
	}, `SELECT v.done_by, u.display_name, count(*),
		sum(CASE WHEN v.status = 'signed_off' THEN 1 ELSE 0 END),
		sum(CASE WHEN v.status = 'signed_off' AND v.result = 'satisfied' THEN 1 ELSE 0 END),
		sum(CASE WHEN v.mode = 'phone' THEN 1 ELSE 0 END),
		sum(CASE WHEN v.done_at > v.due_at THEN 1 ELSE 0 END),
		sum(CASE WHEN v.new_issue <> '' THEN 1 ELSE 0 END),
		sum(CASE WHEN v.new_issue <> '' AND v.answered_at <> 0 THEN 1 ELSE 0 END)
		FROM visits v JOIN visit_candidates c ON c.id = v.candidate_id JOIN users u ON u.id = v.done_by
		WHERE c.month = ? AND v.status IN ('done', 'signed_off') AND `+cond+`
		GROUP BY v.done_by, u.display_name ORDER BY count(*) DESC, v.done_by`, append([]any{month}, args...)...)
	if err != nil {
		return nil, err
	}
	if rows == nil {
		rows = []VisitorStats{}
	}
	return rows, nil
}
