package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/calendar"
)

var calDayFields = []string{"kind", "name", "date"}

// dayView is one date of a calendar with what it would be without the
// setting made by hand.
type dayView struct {
	Date        string
	Long        string // 2026年10月1日 星期四
	Kind        string // in words
	KindClass   string // workday, rest, holiday or makeup
	Name        string
	Provisional bool
	Override    bool
	Official    string // the official (or provisional) arrangement under the setting
	Prev, Next  string // the neighbouring dates' pages
	PrevText    string
	NextText    string
	YearURL     string
	Month       calMonth
}

// dateFromPath reads {date}; a date kefu does not count is not a page.
func dateFromPath(rq *request) (calendar.Date, error) {
	d, err := calendar.ParseDate(rq.PathValue("date"))
	if err != nil || d.Year < calendar.MinYear || d.Year > calendar.MaxYear {
		return d, notFound()
	}
	return d, nil
}

// dayFromPath reads the calendar and the date of a day page's path.
func (s *Server) dayFromPath(rq *request) (*calendar.Calendar, calendar.Info, calendar.Date, error) {
	cal, info, err := s.calendarFromPath(rq)
	if err != nil {
		return nil, info, calendar.Date{}, err
	}
	d, err := dateFromPath(rq)
	return cal, info, d, err
}

// dayForm is the day form filled with the date as it is now.
func dayForm(cal *calendar.Calendar, d calendar.Date) *Form {
	day := cal.Day(d)
	return newForm(url.Values{"kind": {string(day.Kind)}, "name": {day.Name}})
}

// calendarDay shows one date; with calendars:write, its form.
func (s *Server) calendarDay(w http.ResponseWriter, rq *request) error {
	cal, info, d, err := s.dayFromPath(rq)
	if err != nil {
		return err
	}
	s.renderDay(w, rq, http.StatusOK, cal, info, d, dayForm(cal, d))
	return nil
}

func (s *Server) renderDay(w http.ResponseWriter, rq *request, status int, cal *calendar.Calendar, info calendar.Info, d calendar.Date, f *Form) {
	l := rq.Lang
	day := cal.Day(d)
	v := &dayView{Date: d.String(), Long: dateText(d, l) + " " + weekdayName(d, l), Kind: kindName(day, l),
		KindClass: string(day.Kind), Name: day.Name, Provisional: day.Provisional, YearURL: calYearURL(info.ID, d.Year)}
	if isMakeUp(day) {
		v.KindClass = "makeup"
	}
	v.Override = slices.ContainsFunc(cal.Overrides(), func(o calendar.Override) bool { return o.Date == d })
	if v.Override {
		off := cal.WithoutOverride(d).Day(d)
		v.Official = kindName(off, l)
		if off.Name != "" {
			v.Official += " · " + off.Name
		}
	}
	if p := d.AddDays(-1); p.Year >= calendar.MinYear {
		v.Prev, v.PrevText = dayURL(info.ID, p), shortDate(p, l)
	}
	if n := d.AddDays(1); n.Year <= calendar.MaxYear {
		v.Next, v.NextText = dayURL(info.ID, n), shortDate(n, l)
	}
	g := s.newGrid(rq, cal, info.ID, calendar.DateOf(s.now().In(cal.Location())))
	g.selected = d
	v.Month = g.month(d.Year, d.Month)
	p := s.newCalPage(info, cal, "day", d.Year)
	p.Day, p.DayForm = v, f
	s.renderCalendar(w, rq, status, cal, p)
}

// calendarSetDay sets one date of the calendar's day table by hand.
func (s *Server) calendarSetDay(w http.ResponseWriter, rq *request) error {
	cal, info, d, err := s.dayFromPath(rq)
	if err != nil {
		return err
	}
	if err := rq.ParseForm(); err != nil {
		return err
	}
	f := newForm(cloneValues(rq.PostForm))
	kind := calendar.DayKind(f.text("kind"))
	name := f.text("name")
	if !kind.Valid() {
		f.Errors["kind"] = label("cal.day.need_kind").In(rq.Lang)
	}
	if utf8.RuneCountInString(name) > calendar.MaxNameLen {
		f.Errors["name"] = label("cal.day.name_too_long", calendar.MaxNameLen).In(rq.Lang)
	}
	if f.HasErrors() {
		s.renderDay(w, rq, http.StatusUnprocessableEntity, cal, info, d, f)
		return nil
	}
	if _, err := s.cal.SetDay(rq.Context(), info.ID, calendar.Override{Date: d, Kind: kind, Name: name}); err != nil {
		if !f.fail(err, rq.Lang, calDayFields...) {
			return err
		}
		s.renderDay(w, rq, statusOf(err), cal, info, d, f)
		return nil
	}
	s.seeOther(w, rq.Request, markURL(info.ID, d), "day_saved")
	return nil
}

// calendarClearDay removes the setting made by hand: the date follows the
// official arrangement (or the weekend rule) again.
func (s *Server) calendarClearDay(w http.ResponseWriter, rq *request) error {
	cal, info, d, err := s.dayFromPath(rq)
	if err != nil {
		return err
	}
	if _, err := s.cal.ClearDay(rq.Context(), info.ID, d); err != nil {
		if !apperr.Is(err, apperr.CodeNotFound) {
			return err
		}
		f := dayForm(cal, d)
		f.Alert = label("cal.day.no_override").In(rq.Lang)
		s.renderDay(w, rq, http.StatusConflict, cal, info, d, f)
		return nil
	}
	s.seeOther(w, rq.Request, markURL(info.ID, d), "day_cleared")
	return nil
}

// markURL is the year view with one date marked, scrolled to its month.
func markURL(id string, d calendar.Date) string {
	return calYearURL(id, d.Year) + "&mark=" + d.String() + "#m" + strconv.Itoa(int(d.Month))
}
