package visit

import (
	"context"
	"regexp"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// RuleStats are one rule's figures for a month (VIS-002, VIS-009, VIS-016).
type RuleStats struct {
	Pack       string `json:"pack"`
	Rule       string `json:"rule"`
	Population int    `json:"population"` // completed in the month, less exemptions
	Exempt     int    `json:"exempt"`
	Quota      int    `json:"quota"` // ceil(rate × population)
	Drawn      int    `json:"drawn"` // first-round visits drawn
	Done       int    `json:"done"`  // first rounds recorded
	SignedOff  int    `json:"signed_off"`
	Satisfied  int    `json:"satisfied"` // of the signed-off first rounds
	FollowUps  int    `json:"follow_ups"`
	// VisitRate is signed-off first rounds ÷ population, in % with two
	// decimals (VIS-009: a visit counts once signed off); Satisfaction is
	// satisfied ÷ signed off.
	VisitRate    float64 `json:"visit_rate"`
	Satisfaction float64 `json:"satisfaction"`
	RatePct      int     `json:"rate_pct"`
	// IssuesRaised are the new issues raised in the visits (any round,
	// VIS-010); IssuesAnswered those with an outcome and a response.
	// HandlingRate is answered ÷ raised in % with two decimals (VIS-012; 100
	// when none was raised: nothing waits), flagged when below the pack's
	// HandlingTargetPct.
	IssuesRaised      int     `json:"issues_raised"`
	IssuesAnswered    int     `json:"issues_answered"`
	HandlingRate      float64 `json:"handling_rate"`
	HandlingTargetPct int     `json:"handling_target_pct"`
	HandlingFlag      bool    `json:"handling_flag"`

	occasion bool // a rule of occasions (VIS-006, VIS-007): quota by occasion
}

var monthRE = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)

// statsMonth checks p may read visits and the month asked for ("" the
// current one by the service's clock).
func (s *Service) statsMonth(p *auth.Principal, month string) (string, error) {
	if err := mayRead(p); err != nil {
		return "", err
	}
	if month == "" {
		month = s.now().In(store.Zone).Format("2006-01")
	}
	if !monthRE.MatchString(month) {
		return "", apperr.Validation("month", i18n.T("须为年月（YYYY-MM）", "must be a month (YYYY-MM)"))
	}
	return month, nil
}

// Stats counts the visits of a month (YYYY-MM of completion; "" the
// current one) by rule, over the companies p may see. The quota of an
// occasion rule is the sum of its occasions' quotas, each drawn on its own
// (VIS-006, VIS-007).
func (s *Service) Stats(ctx context.Context, p *auth.Principal, month string) ([]RuleStats, error) {
	month, err := s.statsMonth(p, month)
	if err != nil {
		return nil, err
	}
	cond, args := visible(p, "c.company_id")
	rows, err := store.QueryAll(ctx, s.db.Reader(), func(sc store.Scanner) (RuleStats, error) {
		var r RuleStats
		var version int
		err := sc.Scan(&r.Pack, &version, &r.Rule, &r.Population, &r.Exempt, &r.Drawn, &r.Done, &r.SignedOff, &r.Satisfied,
			&r.FollowUps, &r.IssuesRaised, &r.IssuesAnswered)
		r.HandlingTargetPct = 100 // VIS-012
		if pack, rule, ok := s.rule(r.Pack, version, r.Rule); ok {
			r.RatePct, r.HandlingTargetPct, r.occasion = rule.RatePct, pack.Visits.HandlingTargetPct, rule.IsOccasion()
		}
		return r, err
	}, `SELECT c.pack, max(c.pack_version), c.rule,
		sum(CASE WHEN c.exempt = '' THEN 1 ELSE 0 END), sum(CASE WHEN c.exempt <> '' THEN 1 ELSE 0 END),
		count(v1.id),
		sum(CASE WHEN v1.status IN ('done', 'signed_off') THEN 1 ELSE 0 END),
		sum(CASE WHEN v1.status = 'signed_off' THEN 1 ELSE 0 END),
		sum(CASE WHEN v1.status = 'signed_off' AND v1.result = 'satisfied' THEN 1 ELSE 0 END),
		coalesce(sum((SELECT count(*) FROM visits f WHERE f.candidate_id = c.id AND f.round > 1)), 0),
		coalesce(sum((SELECT count(*) FROM visits i WHERE i.candidate_id = c.id AND i.new_issue <> '')), 0),
		coalesce(sum((SELECT count(*) FROM visits i WHERE i.candidate_id = c.id AND i.new_issue <> '' AND i.answered_at <> 0)), 0)
		FROM visit_candidates c LEFT JOIN visits v1 ON v1.candidate_id = c.id AND v1.round = 1 AND v1.status <> 'cancelled'
		WHERE c.month = ? AND `+cond+` GROUP BY c.pack, c.rule ORDER BY c.pack, c.rule`, append([]any{month}, args...)...)
	if err != nil {
		return nil, err
	}
	occasions, err := s.occasionQuotas(ctx, p, month)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		r := &rows[i]
		if r.occasion { // VIS-006, VIS-007: each occasion drawn on its own
			q := occasions[[2]string{r.Pack, r.Rule}]
			r.RatePct, r.Quota = q.rate, q.quota
		} else {
			r.Quota = Quota(r.RatePct, r.Population)
		}
		r.VisitRate = percent(r.SignedOff, r.Population)
		r.Satisfaction = percent(r.Satisfied, r.SignedOff)
		r.HandlingRate = 100
		if r.IssuesRaised > 0 {
			r.HandlingRate = percent(r.IssuesAnswered, r.IssuesRaised)
		}
		r.HandlingFlag = r.HandlingRate < float64(r.HandlingTargetPct) // VIS-012: flagged red
	}
	if rows == nil {
		rows = []RuleStats{}
	}
	return rows, nil
}

// occasionQuota is the quota of an occasion rule's month: the sum of its
// occasions' quotas, with the rate of the newest draw.
type occasionQuota struct{ rate, quota int }

// occasionQuotas sums, by pack and rule, the quotas of the month's
// occasions p may see.
func (s *Service) occasionQuotas(ctx context.Context, p *auth.Principal, month string) (map[[2]string]occasionQuota, error) {
	cond, args := visible(p, "o.company_id")
	out := map[[2]string]occasionQuota{}
	rows, err := s.db.Reader().Query(ctx, `SELECT o.pack, o.rule, d.rate_pct, d.batch FROM visit_occasions o
		JOIN visit_draws d ON d.id = o.draw_id WHERE o.month = ? AND `+cond+` ORDER BY o.id`, append([]any{month}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var pack, rule string
		var rate, population int
		if err := rows.Scan(&pack, &rule, &rate, &population); err != nil {
			return nil, err
		}
		q := out[[2]string{pack, rule}]
		q.rate, q.quota = rate, q.quota+Quota(rate, population)
		out[[2]string{pack, rule}] = q
	}
	return out, rows.Err()
}

// percent is a ÷ b in % rounded half-up to two decimals; 0 when b is 0.
func percent(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64((a*20000+b)/(2*b)) / 100
}
