package archive

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// UpcomingPeriods is how many report periods the retention dashboard
// looks ahead.
const UpcomingPeriods = 8

// Retention is the retention dashboard of a company (ARC-014).
func (s *Service) Retention(ctx context.Context, p *auth.Principal, company store.ID) (RetentionSummary, error) {
	if err := need(p, auth.PermArchivesRead); err != nil {
		return RetentionSummary{}, err
	}
	c := s.db.Reader()
	company, err := s.companyFor(ctx, c, p, company, "company_id")
	if err != nil {
		return RetentionSummary{}, err
	}
	r, err := s.rulesOf(ctx, company)
	if err != nil {
		return RetentionSummary{}, err
	}
	type vol struct {
		category, state, eligible string
		months, hold, listed      int64
	}
	vols, err := store.QueryAll(ctx, c, func(sc store.Scanner) (vol, error) {
		var v vol
		return v, sc.Scan(&v.category, &v.state, &v.eligible, &v.months, &v.hold, &v.listed)
	}, `SELECT v.category, v.state, v.eligible_on, v.retention_months, f.on_hold, CASE WHEN `+openListCond+` THEN 1 ELSE 0 END
		FROM archive_volumes v JOIN archive_files f ON f.id = v.file_id WHERE v.company_id = ?`, company)
	if err != nil {
		return RetentionSummary{}, err
	}
	day := today(r.Calendar, s.now())
	out := RetentionSummary{CompanyID: company, Today: day, Upcoming: upcoming(r.Archive.RetentionReport, day),
		ByCategory: []CategoryCount{}}
	cats := map[string]int{}
	for _, cat := range r.Archive.Categories {
		cats[cat.Key] = len(out.ByCategory)
		out.ByCategory = append(out.ByCategory, CategoryCount{Category: cat.Key, Name: cat.Name.ZH})
	}
	for _, v := range vols {
		switch v.state {
		case "open":
			out.Open++
			continue
		case "destroyed":
			out.Destroyed++
			continue
		}
		out.Archived++
		i, ok := cats[v.category]
		if !ok {
			i, cats[v.category] = len(out.ByCategory), len(out.ByCategory)
			out.ByCategory = append(out.ByCategory, CategoryCount{Category: v.category, Name: v.category})
		}
		out.ByCategory[i].Archived++
		if v.eligible == "" {
			out.Permanent++
			continue
		}
		if v.eligible <= day.String() {
			out.ByCategory[i].Eligible++
			switch {
			case v.listed != 0:
				out.OnList++
			case v.hold != 0:
				out.OnHold++
			default:
				out.Eligible++
			}
			continue
		}
		if n := len(out.Upcoming); n > 0 && v.eligible > out.Upcoming[n-1].To.String() {
			out.Later = laterYear(out.Later, v.eligible)
			continue
		}
		for j := range out.Upcoming {
			b := &out.Upcoming[j]
			if v.eligible >= b.From.String() && v.eligible <= b.To.String() {
				b.Count++
				break
			}
		}
	}
	slices.SortFunc(out.Later, func(a, b RetentionBucket) int { return strings.Compare(a.Period, b.Period) })
	return out, nil
}

// laterYear counts a volume eligible on day (YYYY-MM-DD) in its year's
// bucket.
func laterYear(later []RetentionBucket, day string) []RetentionBucket {
	year := day[:4]
	for i := range later {
		if later[i].Period == year {
			later[i].Count++
			return later
		}
	}
	d, err := calendar.ParseDate(day)
	if err != nil {
		return later
	}
	return append(later, RetentionBucket{Period: year, From: calendar.D(d.Year, 1, 1), To: calendar.D(d.Year, 12, 31), Count: 1})
}

// upcoming are the next report periods from the one of day (counted from
// the day after it), empty.
func upcoming(kind calendar.Period, day calendar.Date) []RetentionBucket {
	if kind == "" {
		kind = calendar.PeriodQuarter
	}
	out := make([]RetentionBucket, 0, UpcomingPeriods)
	d := day
	for range UpcomingPeriods {
		first, last, ok := calendar.PeriodOf(kind, d)
		if !ok {
			return out
		}
		from := first
		if len(out) == 0 {
			from = day.AddDays(1)
		}
		out = append(out, RetentionBucket{Period: periodLabel(kind, first), From: from, To: last})
		d = last.AddDays(1)
	}
	return out
}

// periodLabel names a report period: 2036-Q1, 2026-H2, 2026-03, 2026,
// or the Monday of a week.
func periodLabel(kind calendar.Period, first calendar.Date) string {
	switch kind {
	case calendar.PeriodQuarter:
		return fmt.Sprintf("%d-Q%d", first.Year, (int(first.Month)-1)/3+1)
	case calendar.PeriodHalfYear:
		return fmt.Sprintf("%d-H%d", first.Year, (int(first.Month)-1)/6+1)
	case calendar.PeriodMonth:
		return fmt.Sprintf("%d-%02d", first.Year, int(first.Month))
	case calendar.PeriodYear:
		return fmt.Sprintf("%d", first.Year)
	}
	return first.String()
}
