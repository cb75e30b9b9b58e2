package sales

import (
	"context"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/store"
)

// flag01 stores a flag as 0/1 (INTEGER in SQLite, BIGINT in PostgreSQL).
func flag01(b bool) int {
	if b {
		return 1
	}
	return 0
}

// principalID is p's user id; 0 for the system.
func principalID(p *auth.Principal) store.ID {
	if p == nil {
		return 0
	}
	return p.UserID
}

// companyOfUnitID is the company of an org unit.
func companyOfUnitID(ctx context.Context, c store.Conn, unit store.ID) (store.ID, error) {
	u, err := org.CompanyOf(ctx, c, unit)
	if err != nil {
		return 0, err
	}
	return u.ID, nil
}

// monthStart reads YYYY-MM: its first day; 422 on field otherwise.
func monthStart(field, text string) (calendar.Date, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return calendar.Date{}, apperr.Required(field)
	}
	d, err := calendar.ParseDate(text + "-01")
	if err != nil || len(text) != 7 {
		return calendar.Date{}, apperr.Validation(field, i18n.T("月份格式应为 YYYY-MM", "a month is written YYYY-MM"))
	}
	return d, nil
}

// zoneDay is the day of an instant in kefu's zone.
func zoneDay(t time.Time) calendar.Date { return calendar.DateOf(t.In(store.Zone)) }

// monthText writes a day's month, YYYY-MM.
func monthText(d calendar.Date) string { return d.String()[:7] }

// pastDate reads an optional YYYY-MM-DD day that may not be after today;
// nil for "".
func pastDate(field, text string, today calendar.Date) (*calendar.Date, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	d, err := calendar.ParseDate(text)
	if err != nil {
		return nil, apperr.Validation(field, i18n.T("日期格式应为 YYYY-MM-DD", "a day is written YYYY-MM-DD"))
	}
	if d.After(today) {
		return nil, apperr.Validation(field, i18n.T("不能晚于今天（%s）", "may not be after today (%s)", today.String()))
	}
	return &d, nil
}

// cleanText trims a free text and refuses it over max characters; required
// refuses it empty.
func cleanText(field, text string, max int, required bool) (string, error) {
	text = strings.TrimSpace(text)
	if required && text == "" {
		return "", apperr.Required(field)
	}
	if len([]rune(text)) > max {
		return "", apperr.Validation(field, i18n.T("不能超过 %d 个字", "at most %d characters", max))
	}
	return text, nil
}

// displayName is a user's display name ("" when unknown).
func displayName(ctx context.Context, c store.Conn, id store.ID) string {
	if id == 0 {
		return ""
	}
	var name string
	if err := c.QueryRow(ctx, `SELECT display_name FROM users WHERE id = ?`, id).Scan(&name); err != nil {
		return ""
	}
	return name
}
