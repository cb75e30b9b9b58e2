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
}

var monthRE = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)

// Stats counts the visits of a month (YYYY-MM of completion; "" the
// current one) by rule, over the companies p may see.
func (s *Service) Stats(ctx context.Context, p *auth.Principal, month string) ([]RuleStats, error) {
	if !p.Can(auth.PermVisitsRead) {
		return nil, apperr.Forbidden(i18n.T("无权查看回访", "you may not read return visits"))
	}
	if month == "" {
		month = s.now().In(store.Zone).Format("2006-01") // the service's clock
	}
	if !monthRE.MatchString(month) {
		return nil, apperr.Validation("month", i18n.T("须为年月（YYYY-MM）", "must be a month (YYYY-MM)"))
	}
	cond, args := visible(p, "c.company_id")
	rows, err := store.QueryAll(ctx, s.db.Reader(), func(sc store.Scanner) (RuleStats, error) {
		var r RuleStats
		var version int
		err := sc.Scan(&r.Pack, &version, &r.Rule, &r.Population, &r.Exempt, &r.Drawn, &r.Done, &r.SignedOff, &r.Satisfied, &r.FollowUps)
		if _, rule, ok := s.rule(r.Pack, version, r.Rule); ok {
			r.RatePct = rule.RatePct
		}
		return r, err
	}, `SELECT c.pack, max(c.pack_version), c.rule,
		sum(CASE WHEN c.exempt = '' THEN 1 ELSE 0 END), sum(CASE WHEN c.exempt <> '' THEN 1 ELSE 0 END),
		count(v1.id),
		sum(CASE WHEN v1.status IN ('done', 'signed_off') THEN 1 ELSE 0 END),
		sum(CASE WHEN v1.status = 'signed_off' THEN 1 ELSE 0 END),
		sum(CASE WHEN v1.status = 'signed_off' AND v1.result = 'satisfied' THEN 1 ELSE 0 END),
		coalesce(sum((SELECT count(*) FROM visits f WHERE f.candidate_id = c.id AND f.round > 1)), 0)
		FROM visit_candidates c LEFT JOIN visits v1 ON v1.candidate_id = c.id AND v1.round = 1
		WHERE c.month = ? AND `+cond+` GROUP BY c.pack, c.rule ORDER BY c.pack, c.rule`, append([]any{month}, args...)...)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		r := &rows[i]
		r.Quota = Quota(r.RatePct, r.Population)
		r.VisitRate = percent(r.SignedOff, r.Population)
		r.Satisfaction = percent(r.Satisfied, r.SignedOff)
	}
	if rows == nil {
		rows = []RuleStats{}
	}
	return rows, nil
}

// percent is a ÷ b in % rounded half-up to two decimals; 0 when b is 0.
func percent(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64((a*20000+b)/(2*b)) / 100
}
