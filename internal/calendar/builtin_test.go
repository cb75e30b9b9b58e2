package calendar

import (
	"fmt"
	"os"
	"reflect"
	"testing"
	"time"
)

// expect builds an arrangement from "name: off FROM..TO, FROM..TO; work D, D" lines.
type span2 struct{ from, to string }

type expItem struct {
	name string
	off  []span2
	work []string
}

func expected(t testing.TB, year int, items []expItem) []Override {
	t.Helper()
	var out []Override
	for _, it := range items {
		for _, s := range it.off {
			to := s.to
			if to == "" {
				to = s.from
			}
			for d := date(t, s.from); !d.After(date(t, to)); d = d.AddDays(1) {
				out = append(out, Override{d, Holiday, it.name})
			}
		}
		for _, w := range it.work {
			out = append(out, Override{date(t, w), Workday, it.name + "调休上班"})
		}
	}
	sortOverrides(out)
	return out
}

func sortOverrides(o []Override) {
	for i := 1; i < len(o); i++ {
		for j := i; j > 0 && o[j].Date.Before(o[j-1].Date); j-- {
			o[j], o[j-1] = o[j-1], o[j]
		}
	}
}

// The official arrangements, written by hand from RULES.md CAL-001 (2025,
// 2026) and 国办发明电〔2023〕7号 (2024).
var officialTables = map[int][]expItem{
	2024: {
		{"元旦", []span2{{"2024-01-01", ""}}, nil},
		{"春节", []span2{{"2024-02-10", "2024-02-17"}}, []string{"2024-02-04", "2024-02-18"}},
		{"清明节", []span2{{"2024-04-04", "2024-04-06"}}, []string{"2024-04-07"}},
		{"劳动节", []span2{{"2024-05-01", "2024-05-05"}}, []string{"2024-04-28", "2024-05-11"}},
		{"端午节", []span2{{"2024-06-10", ""}}, nil},
		{"中秋节", []span2{{"2024-09-15", "2024-09-17"}}, []string{"2024-09-14"}},
		{"国庆节", []span2{{"2024-10-01", "2024-10-07"}}, []string{"2024-09-29", "2024-10-12"}},
	},
	2025: {
		{"元旦", []span2{{"2025-01-01", ""}}, nil},
		{"春节", []span2{{"2025-01-28", "2025-02-04"}}, []string{"2025-01-26", "2025-02-08"}},
		{"清明节", []span2{{"2025-04-04", "2025-04-06"}}, nil},
		{"劳动节", []span2{{"2025-05-01", "2025-05-05"}}, []string{"2025-04-27"}},
		{"端午节", []span2{{"2025-05-31", "2025-06-02"}}, nil},
		{"国庆节、中秋节", []span2{{"2025-10-01", "2025-10-08"}}, []string{"2025-09-28", "2025-10-11"}},
	},
	2026: {
		{"元旦", []span2{{"2026-01-01", "2026-01-03"}}, []string{"2026-01-04"}},
		{"春节", []span2{{"2026-02-15", "2026-02-23"}}, []string{"2026-02-14", "2026-02-28"}},
		{"清明节", []span2{{"2026-04-04", "2026-04-06"}}, nil},
		{"劳动节", []span2{{"2026-05-01", "2026-05-05"}}, []string{"2026-05-09"}},
		{"端午节", []span2{{"2026-06-19", "2026-06-21"}}, nil},
		{"中秋节", []span2{{"2026-09-25", "2026-09-27"}}, nil},
		{"国庆节", []span2{{"2026-10-01", "2026-10-07"}}, []string{"2026-09-20", "2026-10-10"}},
	},
}

func TestBuiltinArrangementsMatchOfficialTables(t *testing.T) {
	arr := BuiltinArrangements()
	if len(arr) != 3 {
		t.Fatalf("%d built-in years", len(arr))
	}
	for _, a := range arr {
		want := expected(t, a.Year, officialTables[a.Year])
		if !reflect.DeepEqual(a.Days, want) {
			t.Errorf("%d parsed:\n%v\nwant:\n%v", a.Year, a.Days, want)
		}
	}
	// BuiltinArrangements returns copies.
	arr[0].Days[0].Name = "changed"
	if BuiltinArrangements()[0].Days[0].Name != "元旦" {
		t.Error("BuiltinArrangements shares its slices")
	}
}

// Working days per year, counted by hand from the tables (365/366 − weekend
// days − holidays on weekdays + make-up days).
func TestBuiltinWorkingDayCounts(t *testing.T) {
	for y, want := range map[int]int{2024: 251, 2025: 248, 2026: 248} {
		for _, c := range []*Calendar{BuiltinCN(), BuiltinCNOffice()} {
			days, err := c.Days(Date{y, time.January, 1}, Date{y, time.December, 31})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, d := range days {
				if d.Working() {
					n++
				}
				if d.Provisional {
					t.Errorf("%s %s provisional", c.ID(), d.Date)
				}
				// A working day is a make-up workday or Mon–Fri that is not a holiday.
				w := d.Date.Weekday()
				weekend := w == time.Saturday || w == time.Sunday
				isMakeUp := d.Kind == Workday && weekend
				if d.Working() != (isMakeUp || (!weekend && d.Kind != Holiday)) {
					t.Errorf("%s: %+v", d.Date, d)
				}
			}
			if n != want {
				t.Errorf("%s %d: %d working days, want %d", c.ID(), y, n, want)
			}
		}
	}
}

func TestBuiltinCalendars(t *testing.T) {
	cn, office := BuiltinCN(), BuiltinCNOffice()
	if cn.ID() != "cn" || office.ID() != "cn-office" || cn.TimeZone() != "Asia/Shanghai" {
		t.Fatal("ids / zone")
	}
	if cn.HasBusinessHours() || cn.BusinessHours() != nil {
		t.Error("cn has business hours")
	}
	if !reflect.DeepEqual(office.BusinessHours(), StandardOfficeHours()) {
		t.Error("cn-office hours")
	}
	if _, ok := Builtin("nope"); ok {
		t.Error("unknown built-in")
	}
	if got := fmt.Sprint(cn.OfficialYears()); got != "[2024 2025 2026]" {
		t.Errorf("official years %s", got)
	}
	for y, want := range map[int]Source{2023: Provisional, 2024: Official, 2026: Official, 2027: Provisional} {
		if cn.YearSource(y) != want {
			t.Errorf("%d: %s", y, cn.YearSource(y))
		}
	}
	// API.md example: every date listed.
	days, err := cn.Days(date(t, "2026-09-01"), date(t, "2026-10-31"))
	if err != nil || len(days) != 61 || days[19].Date != date(t, "2026-09-20") || days[19].Kind != Workday ||
		days[19].Name != "国庆节调休上班" {
		t.Fatalf("days: %v %v", err, days[19])
	}
	if _, err := BuiltinNotice(2023); err == nil {
		t.Error("notice 2023 should not be built in")
	}
}

// The embedded 2025 notice is the shared fixture, byte for byte.
func TestBuiltin2025IsTheFixture(t *testing.T) {
	fixture, err := os.ReadFile("/work/shared/fixtures/holidays/2025-notice.txt")
	if err != nil {
		t.Skip("shared fixture not present:", err)
	}
	text, _ := BuiltinNotice(2025)
	if text != string(fixture) {
		t.Error("notices/2025.txt differs from the shared fixture")
	}
}

// The 2024 notice encourages rest on 除夕 (2月9日): a note, not a holiday.
func TestBuiltin2024EveIsEncouragementOnly(t *testing.T) {
	text, _ := BuiltinNotice(2024)
	n, err := ParseNotice(text)
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Notes) != 1 || n.Notes[0] != "鼓励各单位结合带薪年休假等制度落实，安排职工在除夕（2月9日）休息" {
		t.Errorf("notes %q", n.Notes)
	}
	if d := BuiltinCN().Day(date(t, "2024-02-09")); d.Kind != Workday || d.Name != "" {
		t.Errorf("2024-02-09 = %+v", d)
	}
}
