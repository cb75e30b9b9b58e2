package web

// The deadline calculator of the calendar page: a GET with ?duration=
// computes a deadline on the calendar and shows how it was counted.

import (
	"net/url"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
)

var calCalcFields = []string{"start", "duration"}

// calcResult is a deadline computed on the calendar page.
type calcResult struct {
	Start       string // the start as understood, with its weekday and zone
	Duration    string // canonical, e.g. "3wd"
	Meaning     string // "3个工作日"
	Deadline    string // "2026-10-10 星期六 24:00"
	Same        string // the same instant written as 00:00 of the next day, when it is 24:00
	RFC3339     string
	Provisional bool
	Extended    string // the last day was moved off a rest day or holiday: the day it was on
	Counted     []string
}

// calculate answers the calculator form (a GET on the calendar page):
// start in the calendar's zone, a duration, and the no-extension switch.
// Without ?duration= it only prefills the form.
func (s *Server) calculate(rq *request, cal *calendar.Calendar) (*Form, *calcResult) {
	q := rq.URL.Query()
	f := newForm(url.Values{"start": {q.Get("start")}, "duration": {q.Get("duration")}, "no_extension": {q.Get("no_extension")}})
	if !q.Has("duration") {
		f.Values.Set("start", s.now().In(cal.Location()).Format("2006-01-02T15:04"))
		f.Values.Set("duration", "3wd")
		return f, nil
	}
	l := rq.Lang
	start, err := parseLocal(f.text("start"), cal.Location())
	if err != nil {
		f.Errors["start"] = label("cal.calc.bad_start").In(l)
	}
	dur, derr := calendar.ParseDuration(f.text("duration"))
	if derr != nil {
		f.Errors["duration"] = durationMessage(derr, l)
	}
	if f.HasErrors() {
		return f, nil
	}
	noExt := f.Checked("no_extension")
	res, err := cal.DeadlineWith(start, dur, calendar.Options{NoExtension: noExt})
	if err != nil {
		f.Errors["start"] = label("cal.calc.out_of_range", calendar.MinYear, calendar.MaxYear).In(l)
		return f, nil
	}
	r := &calcResult{Start: longDateTime(start.In(cal.Location()), l) + " (" + cal.TimeZone() + ")", Duration: dur.String(),
		Meaning: durationMeaning(dur, l), Provisional: res.Provisional, RFC3339: res.At.Format(time.RFC3339)}
	at := res.At.In(cal.Location())
	dayBased := dur.Unit == calendar.CalendarDays || dur.Unit == calendar.WorkingDays || dur.Unit == calendar.Months
	if dayBased && at.Hour() == 0 && at.Minute() == 0 && at.Second() == 0 {
		last := calendar.DateOf(at).AddDays(-1)
		r.Deadline = dateText(last, l) + " " + weekdayName(last, l) + " 24:00"
		r.Same = label("cal.calc.same_as", calendar.DateOf(at).String()).In(l)
	} else {
		r.Deadline = longDateTime(at, l)
	}
	if !dayBased {
		return f, r
	}
	last := calendar.DateOf(at.Add(-time.Nanosecond))
	sd := calendar.DateOf(start.In(cal.Location()))
	switch dur.Unit {
	case calendar.CalendarDays, calendar.Months:
		nominal := sd.AddDays(dur.N)
		if dur.Unit == calendar.Months {
			nominal = sd.AddMonths(dur.N)
		}
		if dur.N > 0 && last.After(nominal) {
			day := cal.Day(nominal)
			r.Extended = label("cal.calc.extended", dateText(nominal, l), kindName(day, l), dateText(last, l)).In(l)
		}
	case calendar.WorkingDays:
		if dur.N <= 31 {
			for d := sd.AddDays(1); !d.After(last); d = d.AddDays(1) {
				if day := cal.Day(d); day.Working() {
					t := shortDate(d, l) + " " + weekdayShort(d, l)
					if isMakeUp(day) {
						t += " (" + label("cal.kind.makeup").In(l) + ")"
					}
					r.Counted = append(r.Counted, t)
				}
			}
		}
	}
	return f, r
}

// parseLocal reads a datetime-local value (2026-09-30T16:00) in loc.
func parseLocal(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, apperr.Validation("start", i18n.T("时间格式错误", "bad time"))
}

// durationMessage explains a duration that cannot be used.
func durationMessage(err error, l i18n.Locale) string {
	msg := label("cal.calc.bad_duration").In(l)
	if de, ok := err.(*calendar.DurationError); ok {
		reason := de.ReasonZH
		if l == i18n.EN {
			reason = de.Reason
		}
		msg += " (" + reason + ")"
	}
	return msg
}

// durationMeaning says a duration in words: "3个工作日".
func durationMeaning(d calendar.Duration, l i18n.Locale) string {
	if d.IsSameDay() {
		return label("cal.unit.same_day").In(l)
	}
	if d.Unit == calendar.HalfDays && d.N == 1 {
		return label("cal.unit.hd1").In(l) // "1个半工作日" would read as one and a half
	}
	return label("cal.unit."+d.Unit.String(), d.N).In(l)
}
