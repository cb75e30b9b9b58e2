package httpapi_test

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// deadlineQuery builds GET …/deadline with the start properly escaped.
func deadlineQuery(cal, start, dur string) string {
	return "/api/v1/calendars/" + cal + "/deadline?" + url.Values{"start": {start}, "duration": {dur}}.Encode()
}

// TestCalendarDeadlineAPI: the examples of PRODUCT.md §3 and RULES.md CAL,
// answered exactly through the API on the built-in calendars.
func TestCalendarDeadlineAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		agent := e.user("agent", e.root.ID, auth.RoleCSAgent)
		tok := e.login(agent.Username)
		for _, c := range []struct {
			cal, start, dur, want string
			provisional           bool
		}{
			{"cn", "2026-09-30T16:00:00+08:00", "3wd", "2026-10-11T00:00:00+08:00", false},
			{"cn", "2026-04-30T10:00:00+08:00", "3d", "2026-05-07T00:00:00+08:00", false},
			{"cn", "2026-09-30T16:00:00+08:00", "24h", "2026-10-01T16:00:00+08:00", false},
			{"cn-office", "2026-09-30T16:00:00+08:00", "3wd", "2026-10-10T18:00:00+08:00", false},
			{"cn-office", "2026-11-20T16:00:00+08:00", "hd", "2026-11-23T10:30:00+08:00", false},
			{"cn-office", "2026-11-20T16:00:00+08:00", "2d", "2026-11-23T18:00:00+08:00", false},
			{"cn", "2026-01-31T10:00:00+08:00", "1mo", "2026-03-01T00:00:00+08:00", false},
			{"cn", "2026-11-23T10:00:00+08:00", "0d", "2026-11-24T00:00:00+08:00", false},
			{"cn", "2026-12-31T10:00:00+08:00", "1wd", "2027-01-05T00:00:00+08:00", true},
			// The same instant written in UTC is answered in +08:00.
			{"cn", "2026-09-30T08:00:00Z", "3wd", "2026-10-11T00:00:00+08:00", false},
		} {
			r := e.do("GET", deadlineQuery(c.cal, c.start, c.dur), tok, nil)
			var got struct {
				Deadline    string `json:"deadline"`
				Provisional bool   `json:"provisional"`
			}
			if r.Code != http.StatusOK {
				t.Fatalf("%s %s + %s: %d %s", c.cal, c.start, c.dur, r.Code, r.Body)
			}
			r.decode(t, &got)
			if got.Deadline != c.want || got.Provisional != c.provisional {
				t.Errorf("%s %s + %s = %s provisional %v, want %s provisional %v",
					c.cal, c.start, c.dur, got.Deadline, got.Provisional, c.want, c.provisional)
			}
		}
		// An unescaped "+" arrives as a space and is still understood.
		r := e.do("GET", "/api/v1/calendars/cn/deadline?start=2026-09-30T16:00:00+08:00&duration=3wd", tok, nil)
		if r.Code != http.StatusOK {
			t.Errorf("unescaped +: %d %s", r.Code, r.Body)
		}
	})
}

// TestCalendarBadInput: each bad parameter is a 422 naming it (issue 3).
func TestCalendarBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ok := "2026-09-30T16:00:00+08:00"
		for _, c := range []struct{ path, field string }{
			{deadlineQuery("cn", ok, "3x"), "duration"},
			{deadlineQuery("cn", ok, "-3d"), "duration"},
			{deadlineQuery("cn", ok, "99999999wd"), "duration"},
			{deadlineQuery("cn", ok, "wd"), "duration"},
			{deadlineQuery("cn", ok, ""), "duration"},
			{deadlineQuery("cn", "2026-09-30T16:00:00", "3wd"), "start"},
			{deadlineQuery("cn", "2026-02-30T16:00:00+08:00", "3wd"), "start"},
			{deadlineQuery("cn", "yesterday", "3wd"), "start"},
			{deadlineQuery("nope", ok, "3wd"), "calendar"},
			{deadlineQuery("cn", ok, "3wd") + "&no_extension=maybe", "no_extension"},
			{"/api/v1/calendars/cn/days?from=2026-02-30&to=2026-03-01", "from"},
			{"/api/v1/calendars/cn/days?from=2026-03-01", "to"},
			{"/api/v1/calendars/cn/days?from=2026-03-02&to=2026-03-01", "to"},
			{"/api/v1/calendars/cn/days?from=2000-01-01&to=2099-12-31", "to"},
			{"/api/v1/calendars/nope/days?from=2026-03-01&to=2026-03-02", "calendar"},
			{"/api/v1/calendars/cn/working-time?from=2026-03-02T09:00:00%2B08:00&to=2026-03-01T09:00:00%2B08:00", "to"},
			{"/api/v1/calendars/cn/in-business-hours?at=noon", "at"},
		} {
			wantError(t, e.do("GET", c.path, e.adminTok, nil), http.StatusUnprocessableEntity, "validation_failed", c.field)
		}
		for _, c := range []struct {
			method, path string
			body         any
			field        string
		}{
			{"PUT", "/api/v1/calendars/cn/days/2026-13-01", map[string]string{"kind": "holiday"}, "date"},
			{"PUT", "/api/v1/calendars/cn/days/2026-12-01", map[string]string{"kind": "party"}, "kind"},
			{"PUT", "/api/v1/calendars/cn/days/2026-12-01", map[string]any{"kind": 3}, "kind"},
			{"PUT", "/api/v1/calendars/nope/days/2026-12-01", map[string]string{"kind": "rest"}, "calendar"},
			{"POST", "/api/v1/calendars/cn/notices", map[string]string{"text": ""}, "text"},
			{"POST", "/api/v1/calendars/cn/notices", map[string]string{"text": "国务院办公厅关于2027年部分节假日安排的通知\n一、春节：另行通知。"}, "text"},
			{"POST", "/api/v1/calendars/cn/notices?dry_run=perhaps", map[string]string{"text": "x"}, "dry_run"},
			{"PUT", "/api/v1/calendars/cn-office/business-hours", map[string]any{"business_hours": []map[string]string{{"start": "09:00", "end": "17:00"}}}, "business_hours"},
		} {
			r := e.do(c.method, c.path, e.adminTok, c.body)
			if r.Code != http.StatusUnprocessableEntity && r.Code != http.StatusConflict {
				t.Fatalf("%s %s: %d %s", c.method, c.path, r.Code, r.Body)
			}
			if got := errorOf(t, r); got.Field != c.field {
				t.Errorf("%s %s: field %q, want %q (%s)", c.method, c.path, got.Field, c.field, got.Message)
			}
		}
		// The reason is in the reader's language, Chinese by default.
		for _, c := range []struct {
			method, path string
			body         any
			lang, want   string
		}{
			{"PUT", "/api/v1/calendars/cn/days/2026-12-01", map[string]string{"kind": "party"}, "zh-CN", "不是 workday（工作日）"},
			{"PUT", "/api/v1/calendars/cn/days/2026-12-01", map[string]string{"kind": "party"}, "en", "is not workday, rest or holiday"},
			{"GET", "/api/v1/calendars/cn/deadline?start=2026-03-02T09:00:00%2B08:00&duration=3x", nil, "zh-CN", "未知的单位"},
			{"GET", "/api/v1/calendars/cn/deadline?start=2026-03-02T09:00:00%2B08:00&duration=3x", nil, "en", "unknown unit"},
		} {
			r := e.do(c.method, c.path, e.adminTok, c.body, "Accept-Language", c.lang)
			if got := errorOf(t, r); !strings.Contains(got.Message, c.want) {
				t.Errorf("%s %s [%s]: message %q, want it to contain %q", c.method, c.path, c.lang, got.Message, c.want)
			}
		}
	})
}

// TestCalendarDaysAndNotices: every date of a range is listed with its
// kind and name; the 2025 notice of the fixture previews as the built-in
// 2025 year; a new year imports and becomes official.
func TestCalendarDaysAndNotices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var days struct {
			Items []struct {
				Date, Kind, Name string
				Provisional      bool
			}
		}
		r := e.do("GET", "/api/v1/calendars/cn/days?from=2026-09-01&to=2026-10-31", e.adminTok, nil)
		r.decode(t, &days)
		if len(days.Items) != 61 {
			t.Fatalf("%d days listed for Sep–Oct, want 61", len(days.Items))
		}
		byDate := map[string]string{}
		for _, d := range days.Items {
			byDate[d.Date] = d.Kind + " " + d.Name
		}
		for date, want := range map[string]string{
			"2026-09-20": "workday 国庆节调休上班", "2026-10-01": "holiday 国庆节", "2026-10-08": "workday ",
			"2026-10-10": "workday 国庆节调休上班", "2026-10-11": "rest ", "2026-09-25": "holiday 中秋节",
		} {
			if byDate[date] != want {
				t.Errorf("%s = %q, want %q", date, byDate[date], want)
			}
		}
		text, err := os.ReadFile("../../../shared/fixtures/holidays/2025-notice.txt")
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("shared/ must stand beside the repository in CI: %v", err)
			}
			t.Skipf("fixture not found beside the repository (shared/fixtures): %v", err)
		}
		r = e.do("POST", "/api/v1/calendars/cn/notices?dry_run=true", e.adminTok, map[string]string{"text": string(text)})
		var n struct {
			Year   int
			Stored bool
			Days   []struct{ Date, Kind, Name string }
		}
		r.decode(t, &n)
		if r.Code != 200 || n.Year != 2025 || n.Stored || len(n.Days) == 0 {
			t.Fatalf("2025 dry run: %d %s", r.Code, r.Body)
		}
		var builtin struct {
			Items []struct{ Date, Kind, Name string }
		}
		e.do("GET", "/api/v1/calendars/cn/days?from=2024-12-01&to=2025-12-31", e.adminTok, nil).decode(t, &builtin)
		official := map[string]string{}
		for _, d := range builtin.Items {
			if d.Kind == "holiday" || d.Name != "" {
				official[d.Date] = d.Kind
			}
		}
		for _, d := range n.Days {
			if official[d.Date] != d.Kind {
				t.Errorf("notice says %s is %s; the built-in table says %q", d.Date, d.Kind, official[d.Date])
			}
		}
		rows := e.auditCount()
		notice := "国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日（周五）至3日（周日）放假，共3天。"
		r = e.do("POST", "/api/v1/calendars/cn/notices", e.adminTok, map[string]string{"text": notice})
		if r.Code != 200 || e.auditCount() != rows+1 {
			t.Fatalf("import: %d %s (audit rows +%d)", r.Code, r.Body, e.auditCount()-rows)
		}
		var cal struct {
			Years []struct {
				Year   int
				Source string
			}
		}
		e.do("GET", "/api/v1/calendars/cn-office", e.adminTok, nil).decode(t, &cal)
		found := false
		for _, y := range cal.Years {
			if y.Year == 2027 {
				found = y.Source == "official"
			}
		}
		if !found {
			t.Errorf("2027 is not official on cn-office after importing into cn: %+v", cal.Years)
		}
	})
}
