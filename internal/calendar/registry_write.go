package calendar

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// The changes an administrator makes to calendars: each is written with its
// audit row and a version bump in one transaction, then published.

// write runs fn in a transaction that also bumps the calendar version and
// records the audit row.
func (r *Registry) write(ctx context.Context, action, object string, changes any, fn func(tx store.Conn) error) error {
	return r.db.Tx(ctx, func(tx store.Conn) error {
		if err := fn(tx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE calendar_version SET version = version + 1 WHERE id = 1"); err != nil {
			return err
		}
		return audit.Record(ctx, tx, r.now(), action, "calendar", object, changes)
	})
}

func actorID(ctx context.Context) any {
	if a := audit.ActorFrom(ctx); a.ID != 0 {
		return a.ID
	}
	return nil
}

// SetDay sets one date of a calendar's day table (and so of every calendar
// sharing it) to a workday, rest day or holiday.
func (r *Registry) SetDay(ctx context.Context, id string, o Override) (Day, error) {
	cal, err := r.Lookup("calendar", id)
	if err != nil {
		return Day{}, err
	}
	o.Name = strings.TrimSpace(o.Name)
	if _, err := cal.WithOverride(o); err != nil {
		return Day{}, specError(err)
	}
	table := r.snap.Load().rows[id].dayTable
	err = r.write(ctx, "calendar.set_day", id, o, func(tx store.Conn) error {
		_, err := tx.Exec(ctx, `INSERT INTO calendar_days (day_table, date, kind, name, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (day_table, date) DO UPDATE
			SET kind = excluded.kind, name = excluded.name, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			table, o.Date.String(), o.Kind, o.Name, store.Micros(r.now()), actorID(ctx))
		return err
	})
	if err != nil {
		return Day{}, err
	}
	if err := r.changed(ctx, Change{Calendars: r.sharing(table), From: o.Date, To: o.Date, Reason: "calendar.set_day"}); err != nil {
		return Day{}, err
	}
	c, _ := r.Get(id)
	return c.Day(o.Date), nil
}

// ClearDay removes a day set by hand; the date follows the official
// arrangement (or the weekend rule) again.
func (r *Registry) ClearDay(ctx context.Context, id string, d Date) (Day, error) {
	if _, err := r.Lookup("calendar", id); err != nil {
		return Day{}, err
	}
	table := r.snap.Load().rows[id].dayTable
	err := r.write(ctx, "calendar.clear_day", id, map[string]string{"date": d.String()}, func(tx store.Conn) error {
		res, err := tx.Exec(ctx, "DELETE FROM calendar_days WHERE day_table = ? AND date = ?", table, d.String())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("date")
		}
		return nil
	})
	if err != nil {
		return Day{}, err
	}
	if err := r.changed(ctx, Change{Calendars: r.sharing(table), From: d, To: d, Reason: "calendar.clear_day"}); err != nil {
		return Day{}, err
	}
	c, _ := r.Get(id)
	return c.Day(d), nil
}

// ImportNotice parses a State Council holiday notice and, unless dryRun,
// makes its year official for the calendar's day table (and every calendar
// sharing it), replacing any earlier arrangement of that year. A text that
// cannot be fully read is refused with the sentence (422, field "text").
func (r *Registry) ImportNotice(ctx context.Context, id, text string, dryRun bool) (Notice, error) {
	cal, err := r.Lookup("calendar", id)
	if err != nil {
		return Notice{}, err
	}
	if strings.TrimSpace(text) == "" {
		return Notice{}, apperr.Required("text")
	}
	n, err := ParseNotice(text)
	if err != nil {
		var ne *NoticeError
		if errors.As(err, &ne) {
			zh, en := "无法读懂通知："+ne.ReasonZH, "cannot read the notice: "+ne.Reason
			if ne.Sentence != "" {
				zh += "。无法读懂的句子：「" + ne.Sentence + "」"
				en += `. The sentence it could not read: "` + ne.Sentence + `"`
			}
			return n, apperr.Validation("text", i18n.Text{ZH: zh, EN: en})
		}
		return n, apperr.Validation("text", i18n.T("无法读懂通知", "cannot read the notice"))
	}
	if _, err := cal.WithArrangement(n.Arrangement); err != nil {
		return n, specError(err)
	}
	if dryRun {
		return n, nil
	}
	table := r.snap.Load().rows[id].dayTable
	days, _ := json.Marshal(n.Days)
	err = r.write(ctx, "calendar.import_notice", id, map[string]any{"year": n.Year, "days": n.Days}, func(tx store.Conn) error {
		_, err := tx.Exec(ctx, `INSERT INTO calendar_years (day_table, year, days, notice, imported_at, imported_by)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (day_table, year) DO UPDATE
			SET days = excluded.days, notice = excluded.notice, imported_at = excluded.imported_at, imported_by = excluded.imported_by`,
			table, n.Year, string(days), text, store.Micros(r.now()), actorID(ctx))
		return err
	})
	if err != nil {
		return n, err
	}
	from, to := D(n.Year, time.January, 1), D(n.Year, time.December, 31)
	for _, d := range n.Days {
		if d.Date.Before(from) {
			from = d.Date
		}
	}
	return n, r.changed(ctx, Change{Calendars: r.sharing(table), From: from, To: to, Reason: "calendar.import_notice"})
}

// SetBusinessHours replaces a calendar's business hours; none means
// day-based deadlines end at 24:00. The built-in calendars keep theirs (CAL-002).
func (r *Registry) SetBusinessHours(ctx context.Context, id string, hours []Window) (Info, error) {
	cal, err := r.Lookup("calendar", id)
	if err != nil {
		return Info{}, err
	}
	if r.snap.Load().rows[id].builtin {
		return Info{}, apperr.Conflict("business_hours", i18n.T("内置日历的工作时间固定，不能修改；请新建日历",
			"the built-in calendars' hours are fixed; create a calendar of your own"))
	}
	spec := cal.Spec()
	spec.BusinessHours = hours
	if _, err := New(spec); err != nil {
		return Info{}, specError(err)
	}
	js, _ := json.Marshal(nonNil(hours))
	err = r.write(ctx, "calendar.set_business_hours", id, map[string]any{"business_hours": nonNil(hours)}, func(tx store.Conn) error {
		_, err := tx.Exec(ctx, "UPDATE calendars SET business_hours = ?, updated_at = ? WHERE id = ?",
			string(js), store.Micros(r.now()), id)
		return err
	})
	if err != nil {
		return Info{}, err
	}
	if err := r.changed(ctx, Change{Calendars: []string{id}, From: D(MinYear, 1, 1), To: D(MaxYear, 12, 31),
		Reason: "calendar.set_business_hours"}); err != nil {
		return Info{}, err
	}
	in, _ := r.Info(id)
	return in, nil
}

// CreateInput is a new calendar: its own zone and hours, sharing the day
// table of an existing calendar (by default cn's).
type CreateInput struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	TimeZone      string   `json:"time_zone"`
	BusinessHours []Window `json:"business_hours"`
	DaysFrom      string   `json:"days_from"` // calendar whose day table it shares; default "cn"
}

// Create adds a calendar.
func (r *Registry) Create(ctx context.Context, in CreateInput) (Info, error) {
	in.ID, in.Name = strings.TrimSpace(in.ID), strings.TrimSpace(in.Name)
	if !validID(in.ID) {
		return Info{}, apperr.Validation("id", i18n.T("日历标识须为2–32位小写字母、数字或 -", "id must be 2–32 lower-case letters, digits or -"))
	}
	if in.Name == "" {
		return Info{}, apperr.Required("name")
	}
	if utf8.RuneCountInString(in.Name) > MaxNameLen {
		return Info{}, apperr.Validation("name", i18n.T("名称过长", "name is too long"))
	}
	if in.DaysFrom == "" {
		in.DaysFrom = CN
	}
	base, err := r.Lookup("days_from", in.DaysFrom)
	if err != nil {
		return Info{}, err
	}
	if in.TimeZone == "" {
		in.TimeZone = DefaultTimeZone
	}
	spec := base.Spec()
	spec.ID, spec.Name, spec.TimeZone, spec.BusinessHours = in.ID, in.Name, in.TimeZone, in.BusinessHours
	if _, err := New(spec); err != nil {
		return Info{}, specError(err)
	}
	table := r.snap.Load().rows[in.DaysFrom].dayTable
	js, _ := json.Marshal(nonNil(in.BusinessHours))
	err = r.write(ctx, "calendar.create", in.ID, in, func(tx store.Conn) error {
		now := store.Micros(r.now())
		_, err := tx.Exec(ctx, `INSERT INTO calendars (id, name, time_zone, business_hours, day_table, builtin, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, in.ID, in.Name, in.TimeZone, string(js), table, false, now, now)
		if store.IsUniqueViolation(err) {
			return apperr.Conflict("id", i18n.T("日历标识已存在", "a calendar with this id exists"))
		}
		return err
	})
	if err != nil {
		return Info{}, err
	}
	if err := r.rebuild(ctx); err != nil {
		return Info{}, err
	}
	info, _ := r.Info(in.ID)
	return info, nil
}

func validID(s string) bool {
	if len(s) < 2 || len(s) > 32 {
		return false
	}
	for i, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' && i > 0) {
			return false
		}
	}
	return true
}

// specError turns the engine's validation errors into 422s naming the field.
func specError(err error) error {
	var se *SpecError
	if errors.As(err, &se) {
		return apperr.Validation(se.Field, i18n.Text{ZH: se.ReasonZH, EN: se.Reason})
	}
	var re *RangeError
	if errors.As(err, &re) {
		return apperr.Validation("date", i18n.T("日期超出支持范围（%d–%d年）", "date outside the supported years %d–%d", MinYear, MaxYear))
	}
	return err
}
