package calendar

import (
	"sort"
	"sync"
	"time"

	lunar "github.com/6tail/lunar-go/calendar"
)

// Statutory holiday names (《全国年节及纪念日放假办法》).
const (
	NewYear        = "元旦"
	SpringFestival = "春节"
	Qingming       = "清明节"
	LabourDay      = "劳动节"
	DragonBoat     = "端午节"
	MidAutumn      = "中秋节"
	NationalDay    = "国庆节"
)

// lunarMu serialises every call into lunar-go, whose year cache is a
// package-level variable.
var lunarMu sync.Mutex

// StatutoryHolidays lists the holidays of 《全国年节及纪念日放假办法》 (2024
// revision) falling in year y, used for years without an official notice:
// New Year Jan 1; Spring Festival 4 days from lunar New Year's Eve (除夕,
// the last day of lunar month 12); Qingming on the 清明 solar-term day;
// Labour Day May 1–2; Dragon Boat on lunar 5/5; Mid-Autumn on lunar 8/15;
// National Day Oct 1–3. Lunar dates and the solar term come from lunar-go.
// A Mid-Autumn day inside National Day is named "国庆节、中秋节". Sorted by
// date; nil outside MinYear..MaxYear.
func StatutoryHolidays(y int) []Override {
	if y < MinYear || y > MaxYear {
		return nil
	}
	lunarMu.Lock()
	ny := lunar.NewLunarFromYmd(y, 1, 1).GetSolar()
	qm := lunar.NewSolarFromYmd(y, 6, 1).GetLunar().GetJieQiTable()["清明"]
	db := lunar.NewLunarFromYmd(y, 5, 5).GetSolar()
	ma := lunar.NewLunarFromYmd(y, 8, 15).GetSolar()
	lunarMu.Unlock()
	solar := func(s *lunar.Solar) Date { return Date{s.GetYear(), time.Month(s.GetMonth()), s.GetDay()} }

	days := map[Date]string{}
	add := func(d Date, name string) {
		if old, ok := days[d]; ok && old != name {
			name = old + "、" + name
		}
		days[d] = name
	}
	add(Date{y, time.January, 1}, NewYear)
	eve := solar(ny).AddDays(-1)
	for i := 0; i < 4; i++ {
		add(eve.AddDays(i), SpringFestival)
	}
	add(solar(qm), Qingming)
	add(Date{y, time.May, 1}, LabourDay)
	add(Date{y, time.May, 2}, LabourDay)
	add(solar(db), DragonBoat)
	for i := 1; i <= 3; i++ {
		add(Date{y, time.October, i}, NationalDay)
	}
	add(solar(ma), MidAutumn)

	out := make([]Override, 0, len(days))
	for d, n := range days {
		out = append(out, Override{Date: d, Kind: Holiday, Name: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}

// lunarDate is the lunar month (negative for a leap month) and day of d.
func lunarDate(d Date) (month, day int) {
	lunarMu.Lock()
	defer lunarMu.Unlock()
	l := lunar.NewSolarFromYmd(d.Year, int(d.Month), d.Day).GetLunar()
	return l.GetMonth(), l.GetDay()
}

// isLunarNewYearsEve reports whether d is 除夕, the day before lunar 1/1.
func isLunarNewYearsEve(d Date) bool {
	m, day := lunarDate(d.AddDays(1))
	return m == 1 && day == 1
}
