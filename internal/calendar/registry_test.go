package calendar_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// notice2027 is a notice in the official wording for a year kefu does not
// ship, so that importing it turns provisional results official.
const notice2027 = `国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至12日（农历正月初七、周五）放假调休，共8天。2月20日（周六）上班。`

type hookLog struct {
	mu      sync.Mutex
	changes []calendar.Change
}

func (h *hookLog) hook(_ context.Context, ch calendar.Change) error {
	h.mu.Lock()
	h.changes = append(h.changes, ch)
	h.mu.Unlock()
	return nil
}

func (h *hookLog) last(t *testing.T) calendar.Change {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.changes) == 0 {
		t.Fatal("the change hook was not called")
	}
	return h.changes[len(h.changes)-1]
}

func newRegistry(t *testing.T, db *store.DB) (*calendar.Registry, *hookLog) {
	t.Helper()
	now := func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, store.Zone) }
	r := calendar.NewRegistry(calendar.RegistryOptions{DB: db, Now: now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := r.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	h := &hookLog{}
	r.OnChange(h.hook)
	return r, h
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func deadline(t *testing.T, r *calendar.Registry, id, start, dur string) calendar.Result {
	t.Helper()
	c, ok := r.Get(id)
	if !ok {
		t.Fatalf("no calendar %s", id)
	}
	d, err := calendar.ParseDuration(dur)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Deadline(at(start), d)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func wantField(t *testing.T, err error, code, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != code || e.Field != field {
		t.Fatalf("error = %v, want %s naming %q", err, code, field)
	}
}

// TestRegistryBuiltins: a new database gets cn and cn-office with the
// official 2024–2026 years; loading twice changes nothing.
func TestRegistryBuiltins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r, _ := newRegistry(t, db)
		if err := r.Load(context.Background()); err != nil {
			t.Fatal(err)
		}
		list := r.List()
		if len(list) != 2 || list[0].ID != calendar.CN || list[1].ID != calendar.CNOffice {
			t.Fatalf("calendars = %+v, want cn and cn-office", list)
		}
		if len(list[0].BusinessHours) != 0 || len(list[1].BusinessHours) != 2 || list[1].BusinessHours[0].String() != "08:30-12:00" {
			t.Errorf("business hours: cn %v, cn-office %v", list[0].BusinessHours, list[1].BusinessHours)
		}
		for _, y := range list[0].Years {
			want := calendar.Official
			if y.Year > 2026 {
				want = calendar.Provisional
			}
			if y.Source != want {
				t.Errorf("year %d is %s, want %s", y.Year, y.Source, want)
			}
		}
		if got := deadline(t, r, calendar.CN, "2026-09-30T16:00:00+08:00", "3wd").At; !got.Equal(at("2026-10-11T00:00:00+08:00")) {
			t.Errorf("cn 3wd = %s", got)
		}
		if got := deadline(t, r, calendar.CNOffice, "2026-09-30T16:00:00+08:00", "3wd").At; !got.Equal(at("2026-10-10T18:00:00+08:00")) {
			t.Errorf("cn-office 3wd = %s", got)
		}
		if _, err := r.Lookup("calendar", "nope"); err == nil {
			t.Error("Lookup of an unknown calendar succeeded")
		} else {
			wantField(t, err, apperr.CodeValidation, "calendar")
		}
	})
}

// TestRegistryImportNotice: a dry run stores nothing; an import makes the
// year official on every calendar sharing the day table, re-answers the
// provisional example of CAL-001 officially, runs the hook, is audited, and
// survives a reload. A refused notice names the sentence.
func TestRegistryImportNotice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := audit.WithActor(context.Background(), audit.Actor{ID: 1, Name: "admin"})
		r, hooks := newRegistry(t, db)
		before := deadline(t, r, calendar.CN, "2026-12-31T10:00:00+08:00", "1wd")
		if !before.Provisional || !before.At.Equal(at("2027-01-05T00:00:00+08:00")) {
			t.Fatalf("before import: %+v, want provisional 2027-01-05 00:00", before)
		}
		n, err := r.ImportNotice(ctx, calendar.CN, notice2027, true)
		if err != nil || n.Year != 2027 || len(n.Days) != 12 {
			t.Fatalf("dry run: %+v %v", n, err)
		}
		if c, _ := r.Get(calendar.CN); c.YearSource(2027) != calendar.Provisional {
			t.Fatal("a dry run stored the year")
		}
		if _, err := r.ImportNotice(ctx, calendar.CNOffice, notice2027, false); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{calendar.CN, calendar.CNOffice} {
			c, _ := r.Get(id)
			if c.YearSource(2027) != calendar.Official {
				t.Errorf("%s: 2027 not official after import", id)
			}
			if d := c.Day(calendar.D(2027, time.February, 20)); d.Kind != calendar.Workday || d.Name != "春节调休上班" || d.Provisional {
				t.Errorf("%s: 2027-02-20 = %+v", id, d)
			}
		}
		after := deadline(t, r, calendar.CN, "2026-12-31T10:00:00+08:00", "1wd")
		if after.Provisional || !after.At.Equal(at("2027-01-05T00:00:00+08:00")) {
			t.Errorf("after import: %+v, want official 2027-01-05 00:00", after)
		}
		ch := hooks.last(t)
		slices.Sort(ch.Calendars)
		if ch.Reason != "calendar.import_notice" || !slices.Equal(ch.Calendars, []string{"cn", "cn-office"}) ||
			ch.From != calendar.D(2027, 1, 1) || ch.To != calendar.D(2027, 12, 31) {
			t.Errorf("hook change = %+v", ch)
		}
		rows, _, err := audit.List(ctx, db, audit.Filter{Action: "calendar.import_notice"})
		if err != nil || len(rows) != 1 || rows[0].ActorID != 1 {
			t.Errorf("audit rows = %+v %v", rows, err)
		}
		// Another registry on the same database (another kefu process) sees it.
		other, _ := newRegistry(t, db)
		if c, _ := other.Get(calendar.CNOffice); c.YearSource(2027) != calendar.Official {
			t.Error("a fresh registry does not see the imported year")
		}
		_, err = r.ImportNotice(ctx, calendar.CN, "国务院办公厅关于2027年部分节假日安排的通知\n一、春节：明年再说。", false)
		wantField(t, err, apperr.CodeValidation, "text")
		if e, _ := apperr.As(err); e != nil && !strings.Contains(e.Message.ZH, "明年再说") {
			t.Errorf("refusal does not quote the sentence: %s", e.Message.ZH)
		}
		_, err = r.ImportNotice(ctx, calendar.CN, "  ", false)
		wantField(t, err, apperr.CodeValidation, "text")
	})
}

// TestRegistryDays: setting and clearing a day, bad kinds and dates, the
// hook's range, and the version that other processes poll.
func TestRegistryDays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r, hooks := newRegistry(t, db)
		other, _ := newRegistry(t, db)
		date := calendar.D(2026, time.November, 24) // a Tuesday
		day, err := r.SetDay(ctx, calendar.CNOffice, calendar.Override{Date: date, Kind: calendar.Holiday, Name: " 公司庆典 "})
		if err != nil || day.Kind != calendar.Holiday || day.Name != "公司庆典" {
			t.Fatalf("SetDay = %+v %v", day, err)
		}
		if c, _ := r.Get(calendar.CN); c.IsWorkingDay(date) {
			t.Error("cn shares cn-office's day table but still works on the holiday")
		}
		if ch := hooks.last(t); ch.From != date || ch.To != date || len(ch.Calendars) != 2 {
			t.Errorf("hook change = %+v", ch)
		}
		// 2026-11-23 10:00 + 1wd skipped the new holiday.
		if got := deadline(t, r, calendar.CN, "2026-11-23T10:00:00+08:00", "1wd").At; !got.Equal(at("2026-11-26T00:00:00+08:00")) {
			t.Errorf("1wd over the new holiday = %s", got)
		}
		if c, _ := other.Get(calendar.CN); !c.IsWorkingDay(date) {
			t.Fatal("the other process saw the change before refreshing")
		}
		if changed, err := other.Refresh(ctx); err != nil || !changed {
			t.Fatalf("Refresh = %v %v", changed, err)
		}
		if c, _ := other.Get(calendar.CN); c.IsWorkingDay(date) {
			t.Error("the other process did not pick up the change on Refresh")
		}
		if changed, _ := other.Refresh(ctx); changed {
			t.Error("Refresh reloaded with nothing changed")
		}
		day, err = r.ClearDay(ctx, calendar.CN, date)
		if err != nil || day.Kind != calendar.Workday {
			t.Fatalf("ClearDay = %+v %v", day, err)
		}
		_, err = r.ClearDay(ctx, calendar.CN, date)
		wantField(t, err, apperr.CodeNotFound, "date")
		_, err = r.SetDay(ctx, calendar.CN, calendar.Override{Date: date, Kind: "party"})
		wantField(t, err, apperr.CodeValidation, "kind")
		_, err = r.SetDay(ctx, "nope", calendar.Override{Date: date, Kind: calendar.Rest})
		wantField(t, err, apperr.CodeValidation, "calendar")
	})
}

// TestRegistryCustomCalendar: a calendar with its own hours shares cn's
// days; the built-ins' hours are fixed.
func TestRegistryCustomCalendar(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r, _ := newRegistry(t, db)
		w1, _ := calendar.ParseWindow("09:00-17:00")
		info, err := r.Create(ctx, calendar.CreateInput{ID: "hall", Name: "营业厅", BusinessHours: []calendar.Window{w1}})
		if err != nil || info.DayTable != calendar.CN || info.Builtin {
			t.Fatalf("Create = %+v %v", info, err)
		}
		// A day-based deadline ends at the close of business, 17:00.
		if got := deadline(t, r, "hall", "2026-09-30T16:00:00+08:00", "3wd").At; !got.Equal(at("2026-10-10T17:00:00+08:00")) {
			t.Errorf("hall 3wd = %s", got)
		}
		_, err = r.Create(ctx, calendar.CreateInput{ID: "hall", Name: "again"})
		wantField(t, err, apperr.CodeConflict, "id")
		_, err = r.Create(ctx, calendar.CreateInput{ID: "Bad ID", Name: "x"})
		wantField(t, err, apperr.CodeValidation, "id")
		_, err = r.Create(ctx, calendar.CreateInput{ID: "tz", Name: "x", TimeZone: "Mars/Olympus"})
		wantField(t, err, apperr.CodeValidation, "time_zone")
		w2, _ := calendar.ParseWindow("08:00-12:00")
		if info, err = r.SetBusinessHours(ctx, "hall", []calendar.Window{w2}); err != nil || info.BusinessHours[0] != w2 {
			t.Fatalf("SetBusinessHours = %+v %v", info, err)
		}
		_, err = r.SetBusinessHours(ctx, calendar.CNOffice, []calendar.Window{w2})
		wantField(t, err, apperr.CodeConflict, "business_hours")
	})
}
