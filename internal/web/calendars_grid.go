package web

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kefu/internal/calendar"
	"kefu/internal/i18n"
)

// calMonth is one month as a wall calendar draws it: weeks from Monday,
// always six rows so that the months of a year line up.
type calMonth struct {
	Month   int
	Caption string
	Weeks   [6][7]calCell
}

// calCell is one square of a month grid; Day 0 is an empty square.
type calCell struct {
	Day   int
	Date  string
	Href  string
	Class string // kind and marks, for the stylesheet
	Label string // the short name under the number (春节, 国庆 …)
	Mark  string // the corner mark: 休 on holidays, 班 on make-up workdays
	Title string // everything about the day, as the tooltip
}

// grid builds month grids of one calendar.
type grid struct {
	cal       *calendar.Calendar
	id        string
	lang      i18n.Locale
	today     calendar.Date
	selected  calendar.Date
	over      map[calendar.Date]bool // days set by hand
	changed   map[calendar.Date]bool // days an import would change
	link      bool                   // squares link to the day pages
	overrides bool                   // mark days set by hand
}

func (s *Server) newGrid(rq *request, cal *calendar.Calendar, id string, today calendar.Date) *grid {
	g := &grid{cal: cal, id: id, lang: rq.Lang, today: today, over: map[calendar.Date]bool{}, link: true, overrides: true}
	for _, o := range cal.Overrides() {
		g.over[o.Date] = true
	}
	return g
}

// year returns the twelve months of a year.
func (g *grid) year(y int) []calMonth {
	out := make([]calMonth, 0, 12)
	for m := time.January; m <= time.December; m++ {
		out = append(out, g.month(y, m))
	}
	return out
}

// month returns one month's grid.
func (g *grid) month(y int, m time.Month) calMonth {
	first := calendar.D(y, m, 1)
	last := first.AddMonths(1).AddDays(-1)
	cm := calMonth{Month: int(m), Caption: monthCaption(y, m, g.lang)}
	days, err := g.cal.Days(first, last)
	if err != nil {
		return cm
	}
	offset := (int(first.Weekday()) + 6) % 7 // Monday first
	for i, d := range days {
		pos := offset + i
		var prev calendar.Day
		if i > 0 {
			prev = days[i-1]
		} else {
			prev = g.cal.Day(first.AddDays(-1))
		}
		cm.Weeks[pos/7][pos%7] = g.cell(d, prev)
	}
	return cm
}

// cell draws one day; prev is the day before, to name a holiday only on
// the first day of its stretch.
func (g *grid) cell(d, prev calendar.Day) calCell {
	l := g.lang
	c := calCell{Day: d.Date.Day, Date: d.Date.String()}
	if g.link {
		c.Href = dayURL(g.id, d.Date)
	}
	cls := []string{"d-" + string(d.Kind)}
	if w := d.Date.Weekday(); w == time.Saturday || w == time.Sunday {
		cls = append(cls, "d-weekend")
	}
	switch {
	case d.Kind == calendar.Holiday:
		c.Mark = label("cal.mark.off").In(l)
		if prev.Kind != calendar.Holiday || prev.Name != d.Name {
			c.Label = shortName(d.Name)
			cls = append(cls, "d-first")
		}
	case isMakeUp(d):
		cls = append(cls, "d-makeup")
		c.Mark = label("cal.mark.work").In(l)
	case d.Name != "":
		c.Label = shortName(d.Name)
	}
	title := []string{d.Date.String() + " " + weekdayName(d.Date, l), kindName(d, l)}
	if d.Name != "" {
		title = append(title, d.Name)
	}
	if g.overrides && g.over[d.Date] {
		cls = append(cls, "d-override")
		title = append(title, label("cal.override").In(l))
	}
	if g.changed[d.Date] {
		cls = append(cls, "d-changed")
		title = append(title, label("cal.import.changes_mark").In(l))
	}
	if d.Provisional {
		title = append(title, label("cal.provisional").In(l))
	}
	if d.Date == g.today {
		cls = append(cls, "d-today")
		title = append(title, label("cal.today").In(l))
	}
	if d.Date == g.selected {
		cls = append(cls, "d-selected")
	}
	c.Class = strings.Join(cls, " ")
	c.Title = strings.Join(title, " · ")
	return c
}

// shortName is the label a square has room for: 国庆节 → 国庆, 国庆节、中秋节
// → 国庆, 春节 and 元旦 as they are, anything longer cut to three characters.
func shortName(name string) string {
	if i := strings.IndexAny(name, "、,，/"); i > 0 {
		name = name[:i]
	}
	name = strings.TrimSuffix(name, "调休上班")
	if utf8.RuneCountInString(name) > 2 {
		name = strings.TrimSuffix(name, "节")
	}
	if r := []rune(name); len(r) > 3 {
		name = string(r[:3])
	}
	return name
}

// stats counts a year's days by kind.
func (g *grid) stats(y int) yearStats {
	var st yearStats
	days, err := g.cal.Days(calendar.D(y, time.January, 1), calendar.D(y, time.December, 31))
	if err != nil {
		return st
	}
	for _, d := range days {
		switch d.Kind {
		case calendar.Workday:
			st.Workdays++
			if isMakeUp(d) {
				st.MakeUps++
			}
		case calendar.Rest:
			st.Rest++
		case calendar.Holiday:
			st.Holidays++
		}
	}
	return st
}

var monthsEN = [...]string{"", "January", "February", "March", "April", "May", "June", "July", "August",
	"September", "October", "November", "December"}

func monthCaption(y int, m time.Month, l i18n.Locale) string {
	if l == i18n.EN {
		return monthsEN[m]
	}
	return strconv.Itoa(int(m)) + "月"
}
