package calendar

import (
	"testing"
	"time"

	lunar "github.com/6tail/lunar-go/calendar"
)

// 2027 has no official notice: the provisional table follows the 2024
// 放假办法. The lunar facts are checked against lunar-go independently.
func TestProvisional2027(t *testing.T) {
	want := map[string]string{
		"2027-01-01": "元旦",
		"2027-02-05": "春节", "2027-02-06": "春节", "2027-02-07": "春节", "2027-02-08": "春节",
		"2027-04-05": "清明节",
		"2027-05-01": "劳动节", "2027-05-02": "劳动节",
		"2027-06-09": "端午节",
		"2027-09-15": "中秋节",
		"2027-10-01": "国庆节", "2027-10-02": "国庆节", "2027-10-03": "国庆节",
	}
	days, err := BuiltinCN().Days(D(2027, 1, 1), D(2027, 12, 31))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range days {
		name, isHoliday := want[d.Date.String()]
		if !d.Provisional || (d.Kind == Holiday) != isHoliday || d.Name != name {
			t.Errorf("%s: %+v", d.Date, d)
		}
		if w := d.Date.Weekday(); !isHoliday && (d.Kind == Rest) != (w == time.Saturday || w == time.Sunday) {
			t.Errorf("%s: %+v (provisional years have no make-up days)", d.Date, d)
		}
	}
	// independent checks with lunar-go
	l := lunar.NewSolarFromYmd(2027, 2, 6).GetLunar()
	if l.GetMonth() != 1 || l.GetDay() != 1 {
		t.Errorf("2027-02-06 is lunar %d/%d", l.GetMonth(), l.GetDay())
	}
	if l := lunar.NewSolarFromYmd(2027, 2, 5).GetLunar(); l.GetMonth() != 12 || l.GetDay() != 29 {
		t.Errorf("2027-02-05 is lunar %d/%d, want 12/29 (除夕 of a 29-day month)", l.GetMonth(), l.GetDay())
	}
	if l := lunar.NewSolarFromYmd(2027, 6, 9).GetLunar(); l.GetMonth() != 5 || l.GetDay() != 5 {
		t.Errorf("2027-06-09 is lunar %d/%d", l.GetMonth(), l.GetDay())
	}
	if l := lunar.NewSolarFromYmd(2027, 9, 15).GetLunar(); l.GetMonth() != 8 || l.GetDay() != 15 {
		t.Errorf("2027-09-15 is lunar %d/%d", l.GetMonth(), l.GetDay())
	}
	if j := lunar.NewSolarFromYmd(2027, 4, 5).GetLunar().GetJieQi(); j != "清明" {
		t.Errorf("2027-04-05 solar term %q", j)
	}
}

// Every statutory holiday of the 2024 放假办法 is a holiday in the official
// 2025 and 2026 arrangements (in force from 2025), so the provisional rule
// agrees with the official texts.
func TestStatutoryHolidaysInsideOfficialYears(t *testing.T) {
	for _, y := range []int{2025, 2026} {
		hs := StatutoryHolidays(y)
		if len(hs) != 13 {
			t.Errorf("%d: %d statutory days", y, len(hs))
		}
		for _, h := range hs {
			if d := BuiltinCN().Day(h.Date); d.Kind != Holiday {
				t.Errorf("%d: statutory %s %s is %+v officially", y, h.Date, h.Name, d)
			}
		}
	}
	// Mid-Autumn inside National Day (2028-10-03) is one day with both names.
	var merged int
	for _, h := range StatutoryHolidays(2028) {
		if h.Name == "国庆节、中秋节" {
			merged++
		}
	}
	if merged != 1 || len(StatutoryHolidays(2028)) != 12 {
		t.Errorf("2028: %v", StatutoryHolidays(2028))
	}
	if StatutoryHolidays(1999) != nil {
		t.Error("out of range")
	}
	for y := MinYear; y <= MaxYear; y++ {
		if n := len(StatutoryHolidays(y)); n < 12 || n > 13 {
			t.Errorf("%d: %d days", y, n)
		}
	}
}
