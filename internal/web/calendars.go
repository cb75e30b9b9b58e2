package web

// The calendar admin pages (日历, PRODUCT.md §3): the list with the
// new-calendar form (this file), the year view with its month grids,
// business hours (this file), the deadline calculator (calendars_calc.go), day editing
// (calendars_day.go) and the import of a State Council notice
// (calendars_import.go). The three pages of one calendar share the view
// "calendar" (templates/calendar.html), which draws the month grids for all
// of them; calendars_grid.go builds the grids.

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
)

var (
	calCreateFields = []string{"id", "name", "time_zone", "business_hours", "days_from"}
	calHoursFields  = []string{"business_hours"}
)

// calZones are the time zones offered when creating a calendar; any IANA
// zone may be typed.
var calZones = []string{"Asia/Shanghai", "Asia/Urumqi", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei", "UTC"}

// calListItem is one row of the calendar list.
type calListItem struct {
	calendar.Info
	Hours  string   // "08:30-12:00, 13:30-18:00", "" without business hours
	Shared []string // the other calendars with the same day table
}

// calendarsData is the list page; pg.Form is the new-calendar form.
type calendarsData struct {
	Items []calListItem
	Zones []string
}

func (s *Server) calendarsList(w http.ResponseWriter, rq *request) error {
	f := newForm(url.Values{"time_zone": {calendar.DefaultTimeZone}, "days_from": {calendar.CN}})
	s.renderCalendars(w, rq, http.StatusOK, f)
	return nil
}

func (s *Server) renderCalendars(w http.ResponseWriter, rq *request, status int, f *Form) {
	all := s.cal.List()
	d := calendarsData{Zones: calZones}
	for _, in := range all {
		d.Items = append(d.Items, calListItem{Info: in, Hours: hoursText(in.BusinessHours), Shared: sharedWith(all, in)})
	}
	pg := s.newPage(rq, "cal.title", "calendars")
	pg.Form = f
	pg.Data = d
	s.render(w, rq, status, "calendars", pg)
}

// calendarCreate adds a calendar sharing the day table of another one.
func (s *Server) calendarCreate(w http.ResponseWriter, rq *request) error {
	if err := rq.ParseForm(); err != nil {
		return err
	}
	f := newForm(cloneValues(rq.PostForm))
	in := calendar.CreateInput{ID: f.text("id"), Name: f.text("name"), TimeZone: f.text("time_zone"),
		DaysFrom: f.text("days_from")}
	err := checkZone(in.TimeZone)
	if err == nil {
		in.BusinessHours, err = parseHours(f.Get("business_hours"))
	}
	if err == nil {
		_, err = s.cal.Create(rq.Context(), in)
	}
	if err != nil {
		if !f.fail(err, rq.Lang, calCreateFields...) {
			return err
		}
		s.renderCalendars(w, rq, statusOf(err), f)
		return nil
	}
	s.seeOther(w, rq.Request, "/admin/calendars/"+url.PathEscape(in.ID), "calendar_created")
	return nil
}

// checkZone refuses an unknown time zone with a message people can read
// (the registry's own says it in English only).
func checkZone(zone string) error {
	if zone == "" {
		return nil
	}
	if _, err := time.LoadLocation(zone); err != nil || strings.HasPrefix(zone, "/") || strings.Contains(zone, "..") {
		return apperr.Validation("time_zone", i18n.T("未知的时区「%s」：请填写 IANA 时区名，如 Asia/Shanghai",
			"unknown time zone %q: use an IANA name such as Asia/Shanghai", zone))
	}
	return nil
}

// parseHours reads business hours as people write them: "08:30-12:00,
// 13:30-18:00", windows separated by commas (，、;；) or new lines; empty
// means none (day-based deadlines end at 24:00).
func parseHours(s string) ([]calendar.Window, error) {
	var out []calendar.Window
	parts := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(",，、;；\n\r", r) })
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		win, err := calendar.ParseWindow(p)
		if err != nil {
			return nil, apperr.Validation("business_hours", i18n.T("无法识别的时段「%s」：应写作 08:30-12:00，多个时段用逗号分隔",
				"cannot read %q: write 08:30-12:00, several separated by commas", p))
		}
		if n := len(out); n > 0 && win.Start < out[n-1].End {
			return nil, apperr.Validation("business_hours", i18n.T("时段「%s」与前一时段重叠或早于前一时段：请按先后顺序填写，且不要重叠",
				"%q overlaps or precedes the window before it: list the windows in order, without overlaps", p))
		}
		out = append(out, win)
	}
	if len(out) > calendar.MaxWindows {
		return nil, apperr.Validation("business_hours", i18n.T("每天最多%d个时段", "at most %d windows a day", calendar.MaxWindows))
	}
	return out, nil
}

// hoursText writes business hours back as they are typed.
func hoursText(ws []calendar.Window) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.String()
	}
	return strings.Join(parts, ", ")
}

// sharedWith lists the other calendars that use in's day table.
func sharedWith(all []calendar.Info, in calendar.Info) []string {
	var out []string
	for _, o := range all {
		if o.ID != in.ID && o.DayTable == in.DayTable {
			out = append(out, o.ID)
		}
	}
	return out
}

// calPage is the data of the view "calendar": one calendar, in one of three
// modes. Year: the year view with the business hours and the deadline
// calculator. Day: one date with its form. Import: a notice being imported.
type calPage struct {
	Mode       string // "year", "day" or "import"
	Info       calendar.Info
	Hours      string
	Shared     []string
	SharedText string // Shared, written as a list
	Year       int
	Source     calendar.Source

	// year mode
	Prev, Next  int // the neighbouring years, 0 outside the supported range
	YearChoices []int
	Months      []calMonth
	Stats       yearStats
	Holidays    []holidayRow
	Overrides   []overrideRow
	HoursForm   *Form
	CalcForm    *Form
	Calc        *calcResult

	// day mode
	Day     *dayView
	DayForm *Form

	// import mode
	Import     *importView
	ImportForm *Form
}

// calendarFromPath returns the calendar of the {id} in the path, or 404.
func (s *Server) calendarFromPath(rq *request) (*calendar.Calendar, calendar.Info, error) {
	id := rq.PathValue("id")
	cal, ok := s.cal.Get(id)
	if !ok {
		return nil, calendar.Info{}, notFound()
	}
	info, ok := s.cal.Info(id)
	if !ok {
		return nil, calendar.Info{}, notFound()
	}
	return cal, info, nil
}

// newCalPage starts the data of a calendar page.
func (s *Server) newCalPage(info calendar.Info, cal *calendar.Calendar, mode string, year int) *calPage {
	shared := sharedWith(s.cal.List(), info)
	return &calPage{Mode: mode, Info: info, Hours: hoursText(info.BusinessHours), Shared: shared,
		SharedText: strings.Join(shared, "、"), Year: year, Source: cal.YearSource(year)}
}

// thisYear is the current year in the calendar's zone.
func (s *Server) thisYear(cal *calendar.Calendar) int {
	return s.now().In(cal.Location()).Year()
}

// queryYear reads ?year=, defaulting to the current year; a year kefu does
// not count (outside 2000–2099) is not a page.
func (s *Server) queryYear(rq *request, cal *calendar.Calendar) (int, error) {
	v := strings.TrimSpace(rq.URL.Query().Get("year"))
	if v == "" {
		return min(max(s.thisYear(cal), calendar.MinYear), calendar.MaxYear), nil
	}
	y, err := strconv.Atoi(v)
	if err != nil || y < calendar.MinYear || y > calendar.MaxYear {
		return 0, notFound()
	}
	return y, nil
}

// calendarShow is the year view; with ?duration= it also answers the
// deadline calculator.
func (s *Server) calendarShow(w http.ResponseWriter, rq *request) error {
	cal, info, err := s.calendarFromPath(rq)
	if err != nil {
		return err
	}
	year, err := s.queryYear(rq, cal)
	if err != nil {
		return err
	}
	d := s.newCalPage(info, cal, "year", year)
	d.HoursForm = newForm(url.Values{"business_hours": {d.Hours}})
	d.CalcForm, d.Calc = s.calculate(rq, cal)
	s.renderCalendar(w, rq, http.StatusOK, cal, d)
	return nil
}

// renderCalendar fills what every mode shows and renders the view.
func (s *Server) renderCalendar(w http.ResponseWriter, rq *request, status int, cal *calendar.Calendar, d *calPage) {
	today := calendar.DateOf(s.now().In(cal.Location()))
	switch d.Mode {
	case "year":
		if d.Year > calendar.MinYear {
			d.Prev = d.Year - 1
		}
		if d.Year < calendar.MaxYear {
			d.Next = d.Year + 1
		}
		for y := calendar.MinYear; y <= calendar.MaxYear; y++ {
			d.YearChoices = append(d.YearChoices, y)
		}
		var mark calendar.Date
		if m, err := calendar.ParseDate(rq.URL.Query().Get("mark")); err == nil {
			mark = m
		}
		g := s.newGrid(rq, cal, d.Info.ID, today)
		g.selected = mark
		d.Months = g.year(d.Year)
		d.Stats = g.stats(d.Year)
		d.Holidays = holidayRows(cal, d.Year, rq.Lang)
		d.Overrides = overrideRows(cal, d.Info.ID, rq.Lang)
	}
	pg := s.newPage(rq, "cal.title", "calendars")
	switch d.Mode {
	case "day":
		pg.Title = d.Day.Long + " · " + d.Info.ID + " · " + pg.Title
	case "import":
		pg.Title = label("cal.import.title").In(rq.Lang) + " · " + d.Info.ID + " · " + pg.Title
	default:
		pg.Title = d.Info.Name + " " + strconv.Itoa(d.Year) + " · " + pg.Title
	}
	if k, y, ok := strings.Cut(rq.flash, "."); ok && k == "notice_imported" {
		// The one flash with an argument: the year imported.
		if n, err := strconv.Atoi(y); err == nil {
			pg.Flash = label("flash.notice_imported", n).In(rq.Lang)
		}
	}
	pg.Data = d
	s.render(w, rq, status, "calendar", pg)
}

// calendarSetHours replaces the business hours of a calendar of one's own.
func (s *Server) calendarSetHours(w http.ResponseWriter, rq *request) error {
	cal, info, err := s.calendarFromPath(rq)
	if err != nil {
		return err
	}
	if err := rq.ParseForm(); err != nil {
		return err
	}
	f := newForm(cloneValues(rq.PostForm))
	year, yerr := strconv.Atoi(f.text("year"))
	if yerr != nil || year < calendar.MinYear || year > calendar.MaxYear {
		year = s.thisYear(cal)
	}
	hours, err := parseHours(f.Get("business_hours"))
	if err == nil {
		_, err = s.cal.SetBusinessHours(rq.Context(), info.ID, hours)
	}
	if err != nil {
		fields := calHoursFields
		if info.Builtin { // no form: the refusal is shown above the hours
			fields = nil
		}
		if !f.fail(err, rq.Lang, fields...) {
			return err
		}
		d := s.newCalPage(info, cal, "year", year)
		d.HoursForm = f
		d.CalcForm, d.Calc = s.calculate(rq, cal)
		s.renderCalendar(w, rq, statusOf(err), cal, d)
		return nil
	}
	s.seeOther(w, rq.Request, calYearURL(info.ID, year)+"#hours", "hours_saved")
	return nil
}

// calYearURL is the year view of a calendar.
func calYearURL(id string, year int) string {
	return "/admin/calendars/" + url.PathEscape(id) + "?year=" + strconv.Itoa(year)
}

// ---- the summaries under the year view ----

// yearStats counts the days of a year by kind.
type yearStats struct {
	Workdays, Rest, Holidays, MakeUps int
}

// holidayRow is one stretch of holiday in the year, with its make-up workdays.
type holidayRow struct {
	Name    string
	Dates   string
	Count   int
	MakeUps []string
	from    calendar.Date
}

// holidayRows groups a year's holidays into stretches of one name, and
// attaches each make-up workday to the nearest stretch of its holiday.
func holidayRows(cal *calendar.Calendar, year int, l i18n.Locale) []holidayRow {
	days, err := cal.Days(calendar.D(year, time.January, 1), calendar.D(year, time.December, 31))
	if err != nil {
		return nil
	}
	var rows []holidayRow
	var makeUps []calendar.Day
	for i, d := range days {
		switch {
		case d.Kind == calendar.Holiday:
			if n := len(rows); n > 0 && i > 0 && days[i-1].Kind == calendar.Holiday && rows[n-1].Name == d.Name {
				rows[n-1].Count++
				rows[n-1].Dates = rangeText(rows[n-1].from, d.Date, l)
				continue
			}
			rows = append(rows, holidayRow{Name: d.Name, Count: 1, from: d.Date, Dates: rangeText(d.Date, d.Date, l)})
		case isMakeUp(d):
			makeUps = append(makeUps, d)
		}
	}
	for _, m := range makeUps {
		base := strings.TrimSuffix(m.Name, "调休上班")
		best := -1
		for i, r := range rows {
			if r.Name != base {
				continue
			}
			if best < 0 || absInt(calendar.DaysBetween(r.from, m.Date)) < absInt(calendar.DaysBetween(rows[best].from, m.Date)) {
				best = i
			}
		}
		txt := shortDate(m.Date, l) + " " + weekdayShort(m.Date, l)
		if best < 0 {
			name := m.Name
			if name == "" {
				name = label("cal.kind.makeup").In(l)
			}
			rows = append(rows, holidayRow{Name: name, from: m.Date, MakeUps: []string{txt}})
			continue
		}
		rows[best].MakeUps = append(rows[best].MakeUps, txt)
	}
	slices.SortStableFunc(rows, func(a, b holidayRow) int { return a.from.Compare(b.from) })
	for i := range rows {
		if rows[i].Name == "" {
			rows[i].Name = label("cal.kind.holiday").In(l)
		}
	}
	return rows
}

func absInt(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// overrideRow is a date set by hand.
type overrideRow struct {
	Date, Weekday, Kind, KindClass, Name, Href string
}

func overrideRows(cal *calendar.Calendar, id string, l i18n.Locale) []overrideRow {
	var out []overrideRow
	for _, o := range cal.Overrides() {
		out = append(out, overrideRow{Date: o.Date.String(), Weekday: weekdayShort(o.Date, l),
			Kind: label("cal.kind." + string(o.Kind)).In(l), KindClass: string(o.Kind), Name: o.Name,
			Href: dayURL(id, o.Date)})
	}
	return out
}

// ---- dates in words ----

var weekdaysShortZH = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// dateText: 2026年10月1日 / 1 Oct 2026.
func dateText(d calendar.Date, l i18n.Locale) string {
	if l == i18n.EN {
		return strconv.Itoa(d.Day) + " " + d.Month.String()[:3] + " " + strconv.Itoa(d.Year)
	}
	return strconv.Itoa(d.Year) + "年" + strconv.Itoa(int(d.Month)) + "月" + strconv.Itoa(d.Day) + "日"
}

// shortDate: 10月1日 / 1 Oct.
func shortDate(d calendar.Date, l i18n.Locale) string {
	if l == i18n.EN {
		return strconv.Itoa(d.Day) + " " + d.Month.String()[:3]
	}
	return strconv.Itoa(int(d.Month)) + "月" + strconv.Itoa(d.Day) + "日"
}

// rangeText: 10月1日–10月8日 (a single day written once).
func rangeText(from, to calendar.Date, l i18n.Locale) string {
	if from == to {
		return shortDate(from, l)
	}
	return shortDate(from, l) + "–" + shortDate(to, l)
}

func weekdayName(d calendar.Date, l i18n.Locale) string {
	if l == i18n.EN {
		return d.Weekday().String()
	}
	return weekdaysZH[d.Weekday()]
}

func weekdayShort(d calendar.Date, l i18n.Locale) string {
	if l == i18n.EN {
		return d.Weekday().String()[:3]
	}
	return weekdaysShortZH[d.Weekday()]
}

// longDateTime: 2026年9月30日 星期三 16:00.
func longDateTime(t time.Time, l i18n.Locale) string {
	d := calendar.DateOf(t)
	return dateText(d, l) + " " + weekdayName(d, l) + " " + t.Format("15:04")
}

// isMakeUp reports a make-up workday (调休上班): a working Saturday or Sunday.
func isMakeUp(d calendar.Day) bool {
	w := d.Date.Weekday()
	return d.Kind == calendar.Workday && (w == time.Saturday || w == time.Sunday)
}

// kindName is a day's kind in words, telling make-up workdays apart.
func kindName(d calendar.Day, l i18n.Locale) string {
	if isMakeUp(d) {
		return label("cal.kind.makeup").In(l)
	}
	return label("cal.kind." + string(d.Kind)).In(l)
}

// dayURL is the page of one date.
func dayURL(id string, d calendar.Date) string {
	return "/admin/calendars/" + url.PathEscape(id) + "/days/" + d.String()
}
