package sampling

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/policy"
)

// Period is the span a draw's quota counts over: a month ("2026-04"), an
// ISO week starting Monday ("2026-W15", CAL-009) or a day ("2026-04-07",
// also the day of a per-session rule).
type Period struct {
	Key      string
	From, To calendar.Date // [From, To)
	// Due is when the checks of the period are due: the end of the period
	// after it (April's readings are checked in May, by 1 June 00:00)
	// [default]: the work of a period is known only when it ends.
	Due calendar.Date
}

// ParsePeriod reads a period of the rule's kind. A week may be given as
// its ISO key or as any of its days.
func ParsePeriod(kind, s string) (Period, error) {
	s = strings.TrimSpace(s)
	bad := func(want string) (Period, error) {
		return Period{}, apperr.Validation("period", i18n.T("须为%[1]s", "must be %[2]s", want, kindEN(kind)))
	}
	switch kind {
	case policy.SamplingPerMonth:
		d, err := calendar.ParseDate(s + "-01")
		if err != nil || len(s) != 7 {
			return bad("年月（如 2026-04）")
		}
		return Period{Key: s, From: d, To: d.AddMonths(1), Due: d.AddMonths(2)}, nil
	case policy.SamplingPerWeek:
		monday, ok := isoWeek(s)
		if !ok {
			d, err := calendar.ParseDate(s)
			if err != nil {
				return bad("周（如 2026-W15）或该周的某一天")
			}
			monday = d.AddDays(-((int(d.Weekday()) + 6) % 7))
		}
		y, w := monday.Midnight(time.UTC).ISOWeek()
		return Period{Key: fmt.Sprintf("%04d-W%02d", y, w), From: monday, To: monday.AddDays(7), Due: monday.AddDays(14)}, nil
	default: // day, session
		d, err := calendar.ParseDate(s)
		if err != nil {
			return bad("日期（如 2026-04-07）")
		}
		return Period{Key: s, From: d, To: d.AddDays(1), Due: d.AddDays(2)}, nil
	}
}

// LastDay is the period's last day.
func (p Period) LastDay() calendar.Date { return p.To.AddDays(-1) }

// isoWeek reads "2026-W15" as the Monday of that ISO week.
func isoWeek(s string) (calendar.Date, bool) {
	ys, ws, ok := strings.Cut(s, "-W")
	if !ok || len(ys) != 4 || len(ws) != 2 {
		return calendar.Date{}, false
	}
	y, err1 := strconv.Atoi(ys)
	w, err2 := strconv.Atoi(ws)
	if err1 != nil || err2 != nil || w < 1 || w > 53 {
		return calendar.Date{}, false
	}
	jan4 := calendar.D(y, time.January, 4)
	monday := jan4.AddDays(-((int(jan4.Weekday()) + 6) % 7)).AddDays((w - 1) * 7)
	if yy, ww := monday.Midnight(time.UTC).ISOWeek(); yy != y || ww != w {
		return calendar.Date{}, false // week 53 of a year with 52
	}
	return monday, true
}

func kindEN(kind string) string {
	switch kind {
	case policy.SamplingPerMonth:
		return "a month (YYYY-MM)"
	case policy.SamplingPerWeek:
		return "an ISO week (YYYY-Www) or one of its days"
	}
	return "a date (YYYY-MM-DD)"
}
