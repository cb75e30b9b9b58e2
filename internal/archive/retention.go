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
	day := today(r.Calendar, s.now())
	// One row per state, eligible day and category, read in the order of
	// the covering index archive_volumes_eligible (a few thousand rows at
	// most, however many volumes the company keeps) …
	type vol struct {
		state, eligible, category string
		n                         int64
	}
	vols, err := store.QueryAll(ctx, c, func(sc store.Scanner) (vol, error) {
		var v vol
		return v, sc.Scan(&v.state, &v.eligible, &v.category, &v.n)
	}, `SELECT state, eligible_on, category, count(*) FROM archive_volumes WHERE company_id = ?
		GROUP BY state, eligible_on, category`, company)
	if err != nil {
		return RetentionSummary{}, err
	}
	// … and the volumes already eligible split by hold and listing.
	type split struct{ hold, listed, n int64 }
	splits, err := store.QueryAll(ctx, c, func(sc store.Scanner) (split, error) {
		var x split
		return x, sc.Scan(&x.hold, &x.listed, &x.n)
	}, `SELECT f.on_hold, CASE WHEN `+openListCond+` THEN 1 ELSE 0 END, count(*)
		FROM archive_volumes v JOIN archive_files f ON f.id = v.file_id
		WHERE v.company_id = ? AND v.state = 'archived' AND v.eligible_on <> '' AND v.eligible_on <= ? GROUP BY 1, 2`,
		company, day.String())
	if err != nil {
		return RetentionSummary{}, err
	}
	out := RetentionSummary{CompanyID: company, Today: day, Upcoming: upcoming(r.Archive.RetentionReport, day),
		ByCategory: []CategoryCount{}}
	cats := map[string]int{}
	for _, cat := range r.Archive.Categories {
		cats[cat.Key] = len(out.ByCategory)
		out.ByCategory = append(out.ByCategory, CategoryCount{Category: cat.Key, Name: cat.Name.ZH})
	}
	for _, v := range vols {
		n := int(v.n)
		switch v.state {
		case "open":
			out.Open += n
			continue
		case "destroyed":
			out.Destroyed += n
			continue
		}
		out.Archived += n
		i, ok := cats[v.category]
		if !ok {
			i, cats[v.category] = len(out.ByCategory), len(out.ByCategory)
			out.ByCategory = append(out.ByCategory, CategoryCount{Category: v.category, Name: v.category})
		}
		out.ByCategory[i].Archived += n
		if v.eligible == "" {
			out.Permanent += n
			continue
		}
		if v.eligible <= day.String() {
			out.ByCategory[i].Eligible += n
			continue
		}
		if last := len(out.Upcoming) - 1; last >= 0 && v.eligible > out.Upcoming[last].To.String() {
			out.Later = laterYear(out.Later, v.eligible, n)
			continue
		}
		for j := range out.Upcoming {
			b := &out.Upcoming[j]
			if v.eligible >= b.From.String() && v.eligible <= b.To.String() {
				b.Count += n
				break
			}
		}
	}
	for _, x := range splits {
		switch n := int(x.n); {
		case x.listed != 0:
			out.OnList += n
		case x.hold != 0:
			out.OnHold += n
		default:
			out.Eligible += n
		}
	}
	slices.SortFunc(out.Later, func(a, b RetentionBucket) int { return strings.Compare(a.Period, b.Period) })
	return out, nil
}

// laterYear counts n volumes eligible on day (YYYY-MM-DD) in its
// year's bucket.
func laterYear(later []RetentionBucket, day string, n int) []RetentionBucket {
	year := day[:4]
	for i := range later {
		if later[i].Period == year {
			later[i].Count += n
			return later
		}
	}
	d, err := calendar.ParseDate(day)
	if err != nil {
		return later
	}
	return append(later, RetentionBucket{Period: year, From: calendar.D(d.Year, 1, 1), To: calendar.D(d.Year, 12, 31), Count: n})
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
