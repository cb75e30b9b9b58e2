package calendar

import (
	"embed"
	"fmt"
	_ "time/tzdata" // Asia/Shanghai on machines without zoneinfo
)

// The official notices of the built-in years, parsed at start-up.
//
//go:embed notices/*.txt
var noticeFiles embed.FS

// builtinNoticeYears are the years whose notice texts are embedded.
var builtinNoticeYears = []int{2024, 2025, 2026}

// Built-in calendar IDs (API.md "Calendars").
const (
	CN       = "cn"        // mainland China, no business hours
	CNOffice = "cn-office" // same days, business hours 08:30–12:00 and 13:30–18:00
)

var builtin struct {
	arrangements []Arrangement
	cn, office   *Calendar
}

func init() {
	for _, y := range builtinNoticeYears {
		text, err := BuiltinNotice(y)
		if err != nil {
			panic(err)
		}
		n, err := ParseNotice(text)
		if err != nil {
			panic(fmt.Sprintf("calendar: built-in notice %d: %v", y, err))
		}
		if n.Year != y {
			panic(fmt.Sprintf("calendar: built-in notice %d reads as %d", y, n.Year))
		}
		builtin.arrangements = append(builtin.arrangements, n.Arrangement)
	}
	var err error
	if builtin.cn, err = New(Spec{ID: CN, Name: "中国大陆（法定节假日）",
		Arrangements: builtin.arrangements}); err != nil {
		panic(err)
	}
	if builtin.office, err = New(Spec{ID: CNOffice, Name: "中国大陆（办公时间）",
		BusinessHours: StandardOfficeHours(), Arrangements: builtin.arrangements}); err != nil {
		panic(err)
	}
}

// BuiltinCN is the built-in calendar cn: Asia/Shanghai, weekends, the
// official arrangements of BuiltinArrangements, no business hours.
func BuiltinCN() *Calendar { return builtin.cn }

// BuiltinCNOffice is cn with the business hours 08:30–12:00 and 13:30–18:00.
func BuiltinCNOffice() *Calendar { return builtin.office }

// Builtin returns the built-in calendar with the given ID (CN or CNOffice).
func Builtin(id string) (*Calendar, bool) {
	switch id {
	case CN:
		return builtin.cn, true
	case CNOffice:
		return builtin.office, true
	}
	return nil, false
}

// BuiltinArrangements are the official years built in (2024, 2025, 2026),
// as parsed from the embedded notices; a fresh copy on every call.
func BuiltinArrangements() []Arrangement {
	out := make([]Arrangement, len(builtin.arrangements))
	for i, a := range builtin.arrangements {
		out[i] = Arrangement{a.Year, append([]Override(nil), a.Days...)}
	}
	return out
}

// BuiltinNotice is the embedded text of the State Council notice for year.
func BuiltinNotice(year int) (string, error) {
	b, err := noticeFiles.ReadFile(fmt.Sprintf("notices/%d.txt", year))
	if err != nil {
		return "", fmt.Errorf("calendar: no built-in notice for %d", year)
	}
	return string(b), nil
}
