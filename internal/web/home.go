package web

import (
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"time"

	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// homeData is the 工作台 page.
type homeData struct {
	User     auth.User
	Greeting string
	Today    string
	Roles    []auth.Role
	Entries  []navLink // the user's modules, built or coming
	Status   *systemStatus
}

// systemStatus is the administrators' card on the home page.
type systemStatus struct {
	Dialect      string
	Version      string
	Schema       int64
	SchemaLatest int64
	Users        int
	Units        int
	GoVersion    string
	ServerTime   string
}

func (s *Server) home(w http.ResponseWriter, rq *request) error {
	ctx := rq.Context()
	u, err := s.auth.Get(ctx, rq.P, rq.P.UserID)
	if err != nil {
		return err
	}
	now := s.now().In(shanghai)
	d := homeData{User: u, Greeting: greeting(now, rq.Lang), Today: longDate(now, rq.Lang), Roles: u.Roles}
	for _, sec := range navFor(rq.P, "", rq.Lang) {
		for _, it := range sec.Items {
			if it.Key != "home" && it.Key != "password" {
				d.Entries = append(d.Entries, it)
			}
		}
	}
	// The modules that work come first.
	slices.SortStableFunc(d.Entries, func(a, b navLink) int {
		switch {
		case a.Built == b.Built:
			return 0
		case a.Built:
			return -1
		}
		return 1
	})
	if rq.P.IsAdmin() {
		st := &systemStatus{Dialect: dialectName(s.db.Dialect()), Version: s.version, GoVersion: runtime.Version(),
			ServerTime: now.Format("2006-01-02 15:04:05 MST")}
		st.Schema, st.SchemaLatest, _ = s.db.SchemaVersion(ctx)
		st.Users, _ = s.auth.Count(ctx)
		if units, err := s.org.List(ctx); err == nil {
			st.Units = len(units)
		}
		d.Status = st
	}
	pg := s.newPage(rq, "home.title", "home")
	pg.Data = d
	s.render(w, rq, http.StatusOK, "home", pg)
	return nil
}

func dialectName(d store.Dialect) string {
	switch d {
	case store.SQLite:
		return "SQLite"
	case store.Postgres:
		return "PostgreSQL"
	}
	return string(d)
}

// greeting says hello by the time of day in China.
func greeting(t time.Time, l i18n.Locale) string {
	h := t.Hour()
	switch {
	case h < 5:
		return label("home.hello_night").In(l)
	case h < 12:
		return label("home.hello_morning").In(l)
	case h < 14:
		return label("home.hello_noon").In(l)
	case h < 18:
		return label("home.hello_afternoon").In(l)
	}
	return label("home.hello_evening").In(l)
}

var weekdaysZH = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

// longDate is today's date as people write it: 2026年5月3日 星期日.
func longDate(t time.Time, l i18n.Locale) string {
	if l == i18n.EN {
		return t.Format("Monday, 2 January 2006")
	}
	return fmt.Sprintf("%d年%d月%d日 %s", t.Year(), t.Month(), t.Day(), weekdaysZH[t.Weekday()])
}
