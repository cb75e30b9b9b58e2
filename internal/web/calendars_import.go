package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kefu/internal/calendar"
	"kefu/internal/i18n"
)

// importView is what a notice would do to the day table: the days it
// arranges, the sentences it read and left aside, and the dates that change.
type importView struct {
	Year     int
	Title    string
	Source   calendar.Source // the year's source today
	Holidays int
	MakeUps  int
	Days     []noticeDay
	Notes    []string
	Changes  []dayChange
	Months   []calMonth // the year after the import, changed dates marked
	Checksum string     // of the text previewed; confirming needs it
}

// noticeDay is one date the notice arranges.
type noticeDay struct {
	Date, Weekday, Kind, KindClass, Name string
}

// dayChange is a date whose kind or name the import changes.
type dayChange struct {
	Date, Weekday           string
	Before, After           string
	BeforeClass, AfterClass string
}

// calendarImportPage shows the empty notice form.
func (s *Server) calendarImportPage(w http.ResponseWriter, rq *request) error {
	cal, info, err := s.calendarFromPath(rq)
	if err != nil {
		return err
	}
	s.renderImport(w, rq, http.StatusOK, cal, info, newForm(nil), nil)
	return nil
}

func (s *Server) renderImport(w http.ResponseWriter, rq *request, status int, cal *calendar.Calendar, info calendar.Info, f *Form, v *importView) {
	year := s.thisYear(cal) + 1
	if v != nil {
		year = v.Year
	}
	p := s.newCalPage(info, cal, "import", min(max(year, calendar.MinYear), calendar.MaxYear))
	p.Import, p.ImportForm = v, f
	s.renderCalendar(w, rq, status, cal, p)
}

// calendarImport previews a notice (action=preview, a dry run that stores
// nothing) or imports the text that was previewed (action=confirm).
func (s *Server) calendarImport(w http.ResponseWriter, rq *request) error {
	cal, info, err := s.calendarFromPath(rq)
	if err != nil {
		return err
	}
	if err := rq.ParseForm(); err != nil {
		return err
	}
	text := strings.ReplaceAll(rq.PostForm.Get("text"), "\r\n", "\n")
	f := newForm(url.Values{"text": {text}})
	l := rq.Lang
	if len(text) > calendar.MaxNoticeLen {
		f.Errors["text"] = label("cal.import.too_long", calendar.MaxNoticeLen/1024).In(l)
		s.renderImport(w, rq, http.StatusUnprocessableEntity, cal, info, f, nil)
		return nil
	}
	ctx := rq.Context()
	n, err := s.cal.ImportNotice(ctx, info.ID, text, true)
	if err != nil {
		if !f.fail(err, l, "text") {
			return err
		}
		s.renderImport(w, rq, statusOf(err), cal, info, f, nil)
		return nil
	}
	sum := checksum(text)
	if rq.PostForm.Get("action") == "confirm" {
		if rq.PostForm.Get("checksum") == sum {
			if _, err := s.cal.ImportNotice(ctx, info.ID, text, false); err != nil {
				if !f.fail(err, l, "text") {
					return err
				}
				s.renderImport(w, rq, statusOf(err), cal, info, f, nil)
				return nil
			}
			s.seeOther(w, rq.Request, calYearURL(info.ID, n.Year), "notice_imported."+strconv.Itoa(n.Year))
			return nil
		}
		// The text was edited after its preview: show the new preview first.
		f.Alert = label("cal.import.changed_since").In(l)
	}
	v := s.noticePreview(rq, cal, info, n)
	v.Checksum = sum
	s.renderImport(w, rq, http.StatusOK, cal, info, f, v)
	return nil
}

// checksum identifies a previewed text, so that 确认导入 imports exactly it.
func checksum(text string) string {
	h := sha256.Sum256([]byte(text))
	return hex.EncodeToString(h[:8])
}

// noticePreview lists what the notice arranges and what it changes.
func (s *Server) noticePreview(rq *request, cal *calendar.Calendar, info calendar.Info, n calendar.Notice) *importView {
	l := rq.Lang
	v := &importView{Year: n.Year, Title: n.Title, Source: cal.YearSource(n.Year), Notes: n.Notes}
	for _, o := range n.Days {
		day := calendar.Day{Date: o.Date, Kind: o.Kind, Name: o.Name}
		cls := string(o.Kind)
		if isMakeUp(day) {
			cls = "makeup"
			v.MakeUps++
		} else if o.Kind == calendar.Holiday {
			v.Holidays++
		}
		v.Days = append(v.Days, noticeDay{Date: o.Date.String(), Weekday: weekdayShort(o.Date, l),
			Kind: kindName(day, l), KindClass: cls, Name: o.Name})
	}
	after, err := cal.WithArrangement(n.Arrangement)
	if err != nil { // ImportNotice has checked it
		return v
	}
	from, to := calendar.D(n.Year, time.January, 1), calendar.D(n.Year, time.December, 31)
	for _, o := range n.Days {
		if o.Date.Before(from) {
			from = o.Date
		}
	}
	was, err1 := cal.Days(from, to)
	now, err2 := after.Days(from, to)
	if err1 != nil || err2 != nil {
		return v
	}
	changed := map[calendar.Date]bool{}
	for i := range was {
		a, b := was[i], now[i]
		if a.Kind == b.Kind && a.Name == b.Name {
			continue
		}
		changed[a.Date] = true
		v.Changes = append(v.Changes, dayChange{Date: a.Date.String(), Weekday: weekdayShort(a.Date, l),
			Before: dayText(a, l), After: dayText(b, l), BeforeClass: dayClass(a), AfterClass: dayClass(b)})
	}
	g := s.newGrid(rq, after, info.ID, calendar.DateOf(s.now().In(cal.Location())))
	g.link, g.changed = false, changed
	v.Months = g.year(n.Year)
	return v
}

// dayText is a day's kind and name in words.
func dayText(d calendar.Day, l i18n.Locale) string {
	t := kindName(d, l)
	if d.Name != "" {
		t += " · " + d.Name
	}
	return t
}

// dayClass is a day's kind for the stylesheet, make-up workdays apart.
func dayClass(d calendar.Day) string {
	if isMakeUp(d) {
		return "makeup"
	}
	return string(d.Kind)
}
