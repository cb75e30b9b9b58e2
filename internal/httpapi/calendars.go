package httpapi

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
)

// DeadlineAnswer is the answer of GET /api/v1/calendars/{id}/deadline.
type DeadlineAnswer struct {
	Deadline    string `json:"deadline"`
	Provisional bool   `json:"provisional"`
	Calendar    string `json:"calendar"`
	Start       string `json:"start"`
	Duration    string `json:"duration"`
	NoExtension bool   `json:"no_extension,omitempty"`
}

// WorkingTimeAnswer is the answer of GET /api/v1/calendars/{id}/working-time.
type WorkingTimeAnswer struct {
	Minutes     int64  `json:"minutes"`
	Duration    string `json:"duration"` // Go duration text, e.g. "7h30m0s"
	Provisional bool   `json:"provisional"`
}

// BusinessHoursAnswer is the answer of GET /api/v1/calendars/{id}/in-business-hours.
type BusinessHoursAnswer struct {
	At         string `json:"at"`
	Inside     bool   `json:"inside"`
	WorkingDay bool   `json:"working_day"`
}

// DayInput is the body of PUT /api/v1/calendars/{id}/days/{date}.
type DayInput struct {
	Kind calendar.DayKind `json:"kind"`
	Name string           `json:"name"`
}

// NoticeInput is the body of POST /api/v1/calendars/{id}/notices.
type NoticeInput struct {
	Text string `json:"text"`
}

// NoticeAnswer lists what a notice arranges; Stored is false on a dry run.
type NoticeAnswer struct {
	calendar.Notice
	Stored bool `json:"stored"`
}

// BusinessHoursInput is the body of PUT /api/v1/calendars/{id}/business-hours.
type BusinessHoursInput struct {
	BusinessHours []calendar.Window `json:"business_hours"`
}

func (a *API) calendarRoutes() []Route {
	read, write := auth.PermCalendarsRead, auth.PermCalendarsWrite
	return []Route{
		{Method: "GET", Path: "/api/v1/calendars", Permission: read, Tag: "calendars",
			Summary:  "日历 Calendars with their zone, business hours and the source of each year",
			Response: list[calendar.Info]{}, handle: a.listCalendars},
		{Method: "POST", Path: "/api/v1/calendars", Permission: write, Tag: "calendars",
			Summary: "新建日历 A calendar with its own zone and hours, sharing an existing day table",
			Request: calendar.CreateInput{}, Response: calendar.Info{}, Status: http.StatusCreated, handle: a.createCalendar},
		{Method: "GET", Path: "/api/v1/calendars/{id}", Permission: read, Tag: "calendars",
			Summary: "日历详情 One calendar", Response: calendar.Info{}, handle: a.getCalendar},
		{Method: "GET", Path: "/api/v1/calendars/{id}/days", Permission: read, Tag: "calendars",
			Summary:  "日历日期 Every date from..to with its kind (workday, rest, holiday), name and provisional flag",
			Query:    []Param{{"from", "YYYY-MM-DD"}, {"to", "YYYY-MM-DD, at most 3660 days after from"}},
			Response: list[calendar.Day]{}, handle: a.calendarDays},
		{Method: "PUT", Path: "/api/v1/calendars/{id}/days/{date}", Permission: write, Tag: "calendars",
			Summary: "设置日期 Set one date of the calendar's day table", Request: DayInput{},
			Response: calendar.Day{}, handle: a.setCalendarDay},
		{Method: "DELETE", Path: "/api/v1/calendars/{id}/days/{date}", Permission: write, Tag: "calendars",
			Summary:  "恢复日期 Remove a date set by hand; it follows the official arrangement again",
			Response: calendar.Day{}, handle: a.clearCalendarDay},
		{Method: "POST", Path: "/api/v1/calendars/{id}/notices", Permission: write, Tag: "calendars",
			Summary: "导入放假通知 Parse a State Council holiday notice; with dry_run=true nothing is stored",
			Query:   []Param{{"dry_run", "true: only show what the notice arranges"}},
			Request: NoticeInput{}, Response: NoticeAnswer{}, handle: a.importNotice},
		{Method: "PUT", Path: "/api/v1/calendars/{id}/business-hours", Permission: write, Tag: "calendars",
			Summary: "工作时间 Replace the business hours of a calendar of your own", Request: BusinessHoursInput{},
			Response: calendar.Info{}, handle: a.setBusinessHours},
		{Method: "GET", Path: "/api/v1/calendars/{id}/deadline", Permission: read, Tag: "calendars",
			Summary: "计算期限 The deadline of a duration (30m, 24h, 3d, 3wd, 4wh, hd, 1mo, 0d) from a start",
			Query: []Param{{"start", "RFC 3339 with offset, e.g. 2026-09-30T16:00:00+08:00"}, {"duration", "e.g. 3wd"},
				{"no_extension", "true: d and mo periods are not moved off rest days (CAL-015)"}},
			Response: DeadlineAnswer{}, handle: a.deadline},
		{Method: "GET", Path: "/api/v1/calendars/{id}/working-time", Permission: read, Tag: "calendars",
			Summary:  "工作时长 Working time between two instants (business hours, or working days without hours)",
			Query:    []Param{{"from", "RFC 3339"}, {"to", "RFC 3339"}},
			Response: WorkingTimeAnswer{}, handle: a.workingTime},
		{Method: "GET", Path: "/api/v1/calendars/{id}/in-business-hours", Permission: read, Tag: "calendars",
			Summary: "是否工作时间 Whether an instant lies inside business hours of a working day",
			Query:   []Param{{"at", "RFC 3339"}}, Response: BusinessHoursAnswer{}, handle: a.inBusinessHours},
	}
}

func (a *API) calendarOf(r *http.Request) (*calendar.Calendar, error) {
	return a.calendars.Lookup("calendar", r.PathValue("id"))
}

func (a *API) listCalendars(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	writeJSON(w, http.StatusOK, newList(a.calendars.List(), ""))
	return nil
}

func (a *API) getCalendar(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	info, ok := a.calendars.Info(r.PathValue("id"))
	if !ok {
		return apperr.NotFound("calendar")
	}
	writeJSON(w, http.StatusOK, info)
	return nil
}

func (a *API) createCalendar(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	var in calendar.CreateInput
	if err := decode(r, &in); err != nil {
		return err
	}
	info, err := a.calendars.Create(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/calendars/"+info.ID)
	writeJSON(w, http.StatusCreated, info)
	return nil
}

// queryDate reads a required YYYY-MM-DD query parameter.
func queryDate(r *http.Request, name string) (calendar.Date, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return calendar.Date{}, apperr.Required(name)
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		return d, apperr.Validation(name, i18n.T("日期须为 YYYY-MM-DD 格式的有效日期", "must be a valid date YYYY-MM-DD"))
	}
	return d, nil
}

// queryInstant reads a required RFC 3339 instant with its offset. A "+" sent
// unescaped arrives as a space; it is read as the "+" it was.
func queryInstant(r *http.Request, name string) (time.Time, error) {
	s := strings.TrimSpace(r.URL.Query().Get(name))
	if s == "" {
		return time.Time{}, apperr.Required(name)
	}
	if i := strings.LastIndexByte(s, ' '); i > 0 && strings.Contains(s[:i], "T") {
		s = s[:i] + "+" + s[i+1:]
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, apperr.Validation(name, i18n.T("须为带时区偏移的 RFC 3339 时间，如 2026-09-30T16:00:00+08:00",
			"must be an RFC 3339 time with its offset, e.g. 2026-09-30T16:00:00+08:00"))
	}
	return t, nil
}

func (a *API) calendarDays(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	cal, err := a.calendarOf(r)
	if err != nil {
		return err
	}
	from, err := queryDate(r, "from")
	if err != nil {
		return err
	}
	to, err := queryDate(r, "to")
	if err != nil {
		return err
	}
	if to.Before(from) {
		return apperr.Validation("to", i18n.T("结束日期不能早于开始日期", "to must not be before from"))
	}
	if calendar.DaysBetween(from, to) > calendar.MaxDaysSpan {
		return apperr.Validation("to", i18n.T("一次最多查询%d天", "at most %d days at once", calendar.MaxDaysSpan))
	}
	days, err := cal.Days(from, to)
	if err != nil {
		return apperr.Validation("from", i18n.T("日期超出支持范围（%d–%d年）", "dates outside the supported years %d–%d",
			calendar.MinYear, calendar.MaxYear))
	}
	writeJSON(w, http.StatusOK, newList(days, ""))
	return nil
}

func pathDate(r *http.Request) (calendar.Date, error) {
	d, err := calendar.ParseDate(r.PathValue("date"))
	if err != nil {
		return d, apperr.Validation("date", i18n.T("日期须为 YYYY-MM-DD 格式的有效日期", "must be a valid date YYYY-MM-DD"))
	}
	return d, nil
}

func (a *API) setCalendarDay(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	d, err := pathDate(r)
	if err != nil {
		return err
	}
	var in DayInput
	if err := decode(r, &in); err != nil {
		return err
	}
	day, err := a.calendars.SetDay(r.Context(), r.PathValue("id"), calendar.Override{Date: d, Kind: in.Kind, Name: in.Name})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, day)
	return nil
}

func (a *API) clearCalendarDay(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	d, err := pathDate(r)
	if err != nil {
		return err
	}
	day, err := a.calendars.ClearDay(r.Context(), r.PathValue("id"), d)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, day)
	return nil
}

func queryBool(r *http.Request, name string) (bool, error) {
	switch r.URL.Query().Get(name) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, apperr.Validation(name, i18n.T("须为 true 或 false", "must be true or false"))
}

func (a *API) importNotice(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	dry, err := queryBool(r, "dry_run")
	if err != nil {
		return err
	}
	var in NoticeInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if len(in.Text) > calendar.MaxNoticeLen {
		return apperr.Validation("text", i18n.T("通知全文不能超过%d字节", "the notice must be at most %d bytes", calendar.MaxNoticeLen))
	}
	n, err := a.calendars.ImportNotice(r.Context(), r.PathValue("id"), in.Text, dry)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, NoticeAnswer{Notice: n, Stored: !dry})
	return nil
}

func (a *API) setBusinessHours(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	var in BusinessHoursInput
	if err := decode(r, &in); err != nil {
		return err
	}
	info, err := a.calendars.SetBusinessHours(r.Context(), r.PathValue("id"), in.BusinessHours)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, info)
	return nil
}

func (a *API) deadline(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	cal, err := a.calendarOf(r)
	if err != nil {
		return err
	}
	start, err := queryInstant(r, "start")
	if err != nil {
		return err
	}
	ds := r.URL.Query().Get("duration")
	if ds == "" {
		return apperr.Required("duration")
	}
	d, err := calendar.ParseDuration(ds)
	if err != nil {
		return durationError(err)
	}
	noExt, err := queryBool(r, "no_extension")
	if err != nil {
		return err
	}
	res, err := cal.DeadlineWith(start, d, calendar.Options{NoExtension: noExt})
	if err != nil {
		return apperr.Validation("start", i18n.T("期限超出支持范围（%d–%d年）", "the deadline falls outside the supported years %d–%d",
			calendar.MinYear, calendar.MaxYear))
	}
	writeJSON(w, http.StatusOK, DeadlineAnswer{Deadline: res.At.Format(time.RFC3339), Provisional: res.Provisional,
		Calendar: cal.ID(), Start: start.In(cal.Location()).Format(time.RFC3339), Duration: d.String(), NoExtension: noExt})
	return nil
}

func durationError(err error) error {
	var de *calendar.DurationError
	msg := i18n.T("期限格式错误，应为 30m、24h、3d、3wd、4wh、hd、1mo 或 0d", "not a duration: use 30m, 24h, 3d, 3wd, 4wh, hd, 1mo or 0d")
	if errors.As(err, &de) {
		msg = i18n.Text{ZH: msg.ZH + "（" + de.ReasonZH + "）", EN: msg.EN + " (" + de.Reason + ")"}
	}
	return apperr.Validation("duration", msg)
}

func (a *API) workingTime(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	cal, err := a.calendarOf(r)
	if err != nil {
		return err
	}
	from, err := queryInstant(r, "from")
	if err != nil {
		return err
	}
	to, err := queryInstant(r, "to")
	if err != nil {
		return err
	}
	if to.Before(from) {
		return apperr.Validation("to", i18n.T("结束时间不能早于开始时间", "to must not be before from"))
	}
	el, err := cal.WorkingTime(from, to)
	if err != nil {
		return apperr.Validation("to", i18n.T("时间超出支持范围", "times outside the supported range"))
	}
	writeJSON(w, http.StatusOK, WorkingTimeAnswer{Minutes: int64(el.Duration / time.Minute), Duration: el.Duration.String(),
		Provisional: el.Provisional})
	return nil
}

func (a *API) inBusinessHours(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	cal, err := a.calendarOf(r)
	if err != nil {
		return err
	}
	at, err := queryInstant(r, "at")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, BusinessHoursAnswer{At: at.In(cal.Location()).Format(time.RFC3339),
		Inside: cal.InBusinessHours(at), WorkingDay: cal.IsWorkingDay(calendar.DateOf(at.In(cal.Location())))})
	return nil
}
